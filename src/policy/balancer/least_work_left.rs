//! `least_work_left`: least estimated work left per core, from the dispatcher's
//! schedule of each node's cores.

use crate::engine::SimRng;
use crate::model::{NodeId, NodeSpec, Task};
use crate::policy::index::MinIndex;
use crate::policy::{Balancer, ClusterView};

/// Sends each task to the node whose cores would clear the work sent to them first:
/// least mean, over the node's cores, of the time each will be free by the
/// dispatcher's [`CoreSchedule`](crate::policy::schedule::CoreSchedule). A core's free
/// time advances by the estimate (over the node's speed) of every task booked on it
/// and is corrected by every result, so a running task counts only for the work it
/// has left, as the literature's work left does.
///
/// Least-Work-Remaining (Harchol-Balter, Crovella and Murta, "On choosing a task
/// assignment policy for a distributed server system", JPDC 1999). On identical
/// single-core FCFS nodes with exact sizes and no latency it is central FCFS queueing
/// (M/G/k): the node whose work drains first is the one that frees first, so every
/// task starts when one central queue would start it (a test checks this task by
/// task). With latency, results correct the schedule late by their return latency;
/// with estimate errors, as wrong as the estimates until results correct it.
///
/// On nodes of c > 1 cores the key is the work per core, `now + work left / (speed x
/// c)` while every core is busy: it is not the start of the next task (that is
/// `min_completion_time`'s key), and so not central FCFS over all cores. Among nodes
/// with idle cores, the one whose cores have been free longest on average wins; ties
/// are broken uniformly at random.
///
/// Cost *O*(log n) per decision and per update, through a [`MinIndex`] (the key holds
/// as time passes); a full scan if the least node does not fit.
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
    fn reads_reports(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        if let Some(n) = self.index.select(rng) {
            if view.fits(n, task) {
                return Some(n);
            }
        }
        super::least_fitting(task, view, rng, |n| super::clear_key(view, n))
    }

    fn on_update(&mut self, node: NodeId, view: &ClusterView<'_>) {
        // A node believed down is out of the index, so it costs nothing to skip. The
        // index and the fallback scan use the same key, so they agree exactly.
        let k = if view.beliefs[node].up { super::clear_key(view, node) } else { f64::INFINITY };
        self.index.set(node, k);
    }

    fn needs_schedule(&self) -> bool {
        true
    }
}
