//! `weighted_least_connections`: fewest outstanding tasks per unit of weight.

use crate::engine::SimRng;
use crate::model::{NodeId, NodeSpec, Task};
use crate::policy::index::{LeastCount, MinIndex};
use crate::policy::{Balancer, ClusterView};

/// Sends each task to the node of least connections / weight, where connections are
/// the tasks the dispatcher sent to the node and has not yet seen finish and the
/// weight is `NodeSpec::weight` (by default speed x cores). Ties are broken uniformly
/// at random among all tied nodes.
///
/// LVS's weighted least-connection scheduler `wlc` (Zhang, "Linux Virtual Server for
/// Scalable Network Services", Ottawa Linux Symposium 2000), which divides by the
/// weight so that a node twice as strong is kept at twice the connections. LVS
/// counts inactive connections at 1/256 of active ones; here every task is active.
///
/// # Cost
/// Nodes of equal weight are ordered by their connections alone, a small integer, so
/// each weight class keeps a [`LeastCount`] (*O*(1) per change of +-1), and a
/// [`MinIndex`] over the G classes holds each class's least connections / weight and
/// how many of its nodes share it, so that ties across classes stay uniform over
/// nodes. A decision or an update costs *O*(log G) plus *O*(1): about constant for
/// the few weights of a cluster built from node groups, *O*(log n) at worst (every
/// weight distinct). If the chosen node does not fit, a full scan finds the least
/// loaded one that does.
#[derive(Debug)]
pub struct WeightedLeastConnections {
    /// Each node's weight class and its place in it.
    class_of: Vec<(u32, u32)>,
    classes: Vec<WeightClass>,
    /// Per class: least connections / weight, counted by the nodes that hold it.
    top: MinIndex,
}

#[derive(Debug)]
struct WeightClass {
    weight: f64,
    members: Vec<u32>,
    connections: LeastCount,
}

impl WeightedLeastConnections {
    /// A balancer over `nodes`, by their weights (finite and > 0).
    pub fn new(nodes: &[NodeSpec]) -> Self {
        let super::Classes { of: class_of, members, values: weights } = super::classes(nodes.iter().map(|s| s.weight));
        let classes: Vec<WeightClass> = weights
            .into_iter()
            .zip(members)
            .map(|(weight, members)| WeightClass { weight, connections: LeastCount::new(members.len()), members })
            .collect();
        let mut top = MinIndex::new(classes.len());
        // Every node starts at 0 connections.
        for (g, c) in classes.iter().enumerate() {
            top.set_counted(g, 0.0, c.members.len() as u32);
        }
        WeightedLeastConnections { class_of, classes, top }
    }
}

/// The key of the full scan, the same expression as the classes' keys.
#[inline]
fn key(view: &ClusterView<'_>, n: NodeId) -> f64 {
    f64::from(view.beliefs[n].connections) / view.specs[n].weight
}

impl Balancer for WeightedLeastConnections {
    fn reads_reports(&self) -> bool {
        false
    }

    fn reads_load(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        if let Some(g) = self.top.select(rng) {
            let class = &self.classes[g];
            let local = class.connections.select(rng).expect("a class in the index has a node");
            let n = class.members[local] as NodeId;
            if view.fits(n, task) {
                return Some(n);
            }
        }
        super::least_fitting(task, view, rng, |n| key(view, n))
    }

    fn on_update(&mut self, node: NodeId, view: &ClusterView<'_>) {
        let (g, local) = self.class_of[node];
        let class = &mut self.classes[g as usize];
        // A node believed down is out of the index, so it costs nothing to skip.
        let b = &view.beliefs[node];
        class.connections.set(local as usize, b.up.then_some(b.connections));
        // A class whose every node is believed down drops out of the top index.
        let least = class.connections.min().map_or(f64::INFINITY, |c| f64::from(c) / class.weight);
        self.top.set_counted(g as usize, least, class.connections.min_count());
    }
}
