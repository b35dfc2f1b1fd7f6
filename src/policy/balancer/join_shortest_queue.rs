//! `join_shortest_queue`: fewest tasks at the node, as last reported.

use crate::engine::SimRng;
use crate::model::{NodeId, Task};
use crate::policy::index::LeastCount;
use crate::policy::{Balancer, ClusterView};

/// Sends each task to the node with the fewest tasks waiting plus in service, as the
/// dispatcher best knows it: the node's last reported queue plus the tasks this
/// dispatcher sent it since ([`NodeBelief::queue_estimate`]). Ties are broken
/// uniformly at random.
///
/// Join the Shortest Queue (Winston, "Optimality of the shortest line discipline",
/// Journal of Applied Probability 1977, optimal for identical exponential servers);
/// the queue counts waiting plus in-service tasks, as in Ciw's JSQ routing. Unlike
/// `least_connections`, which counts only this dispatcher's own outstanding tasks,
/// it sees the load other dispatchers put on the node, but only as fresh as the
/// last report.
///
/// Cost *O*(1) per decision and per update for changes of +-1, through a
/// [`LeastCount`] index; a full scan if the least node does not fit.
///
/// [`NodeBelief::queue_estimate`]: crate::policy::NodeBelief::queue_estimate
#[derive(Debug)]
pub struct JoinShortestQueue {
    index: LeastCount,
}

impl JoinShortestQueue {
    /// A balancer over `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        JoinShortestQueue { index: LeastCount::new(nodes) }
    }
}

impl Balancer for JoinShortestQueue {
    fn reads_load(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        if let Some(n) = self.index.select(rng) {
            if view.fits(n, task) {
                return Some(n);
            }
        }
        super::least_fitting(task, view, rng, |n| f64::from(view.beliefs[n].queue_estimate()))
    }

    fn on_update(&mut self, node: NodeId, view: &ClusterView<'_>) {
        // A node believed down is out of the index, so it costs nothing to skip.
        let b = &view.beliefs[node];
        self.index.set(node, b.up.then(|| b.queue_estimate()));
    }
}
