//! `least_work_left`: least estimated unfinished work per unit of capacity.

use crate::engine::SimRng;
use crate::model::{NodeId, NodeSpec, Task};
use crate::policy::index::MinIndex;
use crate::policy::{Balancer, ClusterView};

/// Sends each task to the node whose estimated outstanding work would drain first:
/// least `work_left / (speed x cores)`, where `work_left` is the sum of the size
/// estimates of the tasks the dispatcher sent the node and has not seen finish.
/// Ties are broken uniformly at random.
///
/// Least Work Left (Least-Work-Remaining in Harchol-Balter, Crovella and Murta, "On choosing a
/// task assignment policy for a distributed server system", JPDC 1999, where on
/// identical FCFS hosts it is equivalent to central queueing (M/G/k)). The
/// literature's single-server form is work / speed; dividing by speed x cores is the
/// time the node's cores would take to clear the work together, which reduces to it
/// for single-core nodes. The work is estimated from size estimates and counts a
/// running task's whole size until its result is seen.
///
/// Cost *O*(log n) per decision and per update, through a [`MinIndex`]; a full scan
/// if the least node does not fit.
#[derive(Debug)]
pub struct LeastWorkLeft {
    index: MinIndex,
}

impl LeastWorkLeft {
    /// A balancer over `nodes`.
    pub fn new(nodes: &[NodeSpec]) -> Self {
        LeastWorkLeft { index: MinIndex::new(nodes.len()) }
    }
}

impl Balancer for LeastWorkLeft {
    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        if let Some(n) = self.index.select(rng) {
            if view.fits(n, task) {
                return Some(n);
            }
        }
        super::least_fitting(task, view, rng, |n| super::drain_time(view, n))
    }

    fn on_update(&mut self, node: NodeId, view: &ClusterView<'_>) {
        // A node believed down is out of the index, so it costs nothing to skip. The
        // index and the fallback scan use the same key, so they agree exactly.
        let k = if view.beliefs[node].up { super::drain_time(view, node) } else { f64::INFINITY };
        self.index.set(node, k);
    }
}
