//! `join_idle_queue`: an idle node if the dispatcher knows one, else at random.

use crate::engine::SimRng;
use crate::model::{NodeId, Task};
use crate::policy::{Balancer, ClusterView};
use std::collections::VecDeque;

/// Nodes report when they become idle; each task goes to the node that has been on
/// the list of idle nodes longest, or to a node drawn uniformly at random if the
/// list holds none.
///
/// Join-Idle-Queue (Lu, Xie, Kliot, Geller, Larus and Greenberg, "Join-Idle-Queue: A
/// novel load balancing algorithm for dynamically scalable web services",
/// Performance Evaluation 68(11), 2011). The dispatcher keeps an *I-queue*, a FIFO
/// of nodes believed idle. A node joins it when its belief becomes idle
/// ([`NodeBelief::queue_estimate`] = 0: its last report showed no task and the
/// dispatcher has sent none since) and is not already in it; at the start every node
/// is idle, so the first tasks go to nodes 0, 1, 2, ... in order. A node is removed
/// when it is given a task. A node that stopped being idle while on the list (work
/// from another dispatcher showed up in a report) is dropped when it reaches the
/// front. The paper's dispatchers also share idle nodes between several I-queues;
/// with one dispatcher there is one I-queue.
///
/// Cost *O*(1) amortised per decision and per update: each entry is pushed once and
/// popped once. An idle node too small for the task (heterogeneous cores or memory)
/// is skipped but kept for later tasks, which can make a decision scan the list; the
/// random fallback rejects non-fitting draws 8 times, then scans (*O*(nodes)).
///
/// [`NodeBelief::queue_estimate`]: crate::policy::NodeBelief::queue_estimate
#[derive(Debug)]
pub struct JoinIdleQueue {
    idle: VecDeque<u32>,
    listed: Vec<bool>,
}

impl JoinIdleQueue {
    /// A balancer over `nodes` nodes, with an empty I-queue (filled by the first
    /// updates).
    pub fn new(nodes: usize) -> Self {
        JoinIdleQueue { idle: VecDeque::new(), listed: vec![false; nodes] }
    }

    /// The front-most listed node that is still idle and fits, removing it and every
    /// stale entry before it.
    fn pop_idle(&mut self, task: &Task, view: &ClusterView<'_>) -> Option<NodeId> {
        let mut at = 0;
        while at < self.idle.len() {
            let n = self.idle[at] as NodeId;
            if view.beliefs[n].queue_estimate() != 0 {
                // Stale: drop it wherever it is; it rejoins when it is idle again.
                self.idle.remove(at);
                self.listed[n] = false;
            } else if view.fits(n, task) {
                self.idle.remove(at);
                self.listed[n] = false;
                return Some(n);
            } else {
                at += 1;
            }
        }
        None
    }
}

impl Balancer for JoinIdleQueue {
    fn reads_load(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        if let Some(n) = self.pop_idle(task, view) {
            return Some(n);
        }
        for _ in 0..8 {
            let n = rng.below(view.len());
            if view.fits(n, task) {
                return Some(n);
            }
        }
        super::uniform_fitting(task, view, rng)
    }

    fn on_update(&mut self, node: NodeId, view: &ClusterView<'_>) {
        if view.beliefs[node].queue_estimate() == 0 && !self.listed[node] {
            self.idle.push_back(node as u32);
            self.listed[node] = true;
        }
    }
}
