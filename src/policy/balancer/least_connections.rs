//! `least_connections`: fewest outstanding tasks.

use crate::engine::SimRng;
use crate::model::{NodeId, Task};
use crate::policy::index::LeastCount;
use crate::policy::{Balancer, ClusterView};

/// Sends each task to the node with the fewest *connections*: tasks the dispatcher has
/// sent to it and not yet seen finish. Ties are broken uniformly at random.
///
/// As in LVS's `lc` scheduler and NGINX's `least_conn`. The dispatcher counts only its
/// own traffic, so with several dispatchers or network delay the count is a belief,
/// not the node's true queue (compare `join_shortest_queue`).
///
/// Cost *O*(1) per decision and per update, through a [`LeastCount`] index. In central
/// mode, if the least-loaded node lacks free room for the task, a full scan finds the
/// least-loaded node that has it.
#[derive(Debug)]
pub struct LeastConnections {
    index: LeastCount,
}

impl LeastConnections {
    /// A balancer over `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        LeastConnections { index: LeastCount::new(nodes) }
    }
}

impl Balancer for LeastConnections {
    fn reads_reports(&self) -> bool {
        false
    }

    fn reads_load(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        if let Some(n) = self.index.select(rng) {
            if view.fits(n, task) {
                return Some(n);
            }
        }
        super::least_fitting(task, view, rng, |n| view.beliefs[n].connections as f64)
    }

    fn on_update(&mut self, node: NodeId, view: &ClusterView<'_>) {
        // A node too small for some task stays in the index: the fallback scan in
        // `select` handles it, which keeps updates O(log n) and task-independent.
        let b = &view.beliefs[node];
        // A node believed down is out of the index, so it costs nothing to skip.
        self.index.set(node, b.up.then_some(b.connections));
    }
}
