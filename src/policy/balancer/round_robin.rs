//! `round_robin`: cyclic order.

use crate::engine::SimRng;
use crate::model::{NodeId, Task};
use crate::policy::{Balancer, ClusterView};

/// Sends tasks to nodes in cyclic order 0, 1, ..., N-1, 0, ..., skipping nodes that
/// do not fit; the cycle resumes after the node last chosen.
///
/// Classic round-robin dispatching (e.g. the default of NGINX's `upstream` and of
/// LVS's `rr` scheduler). On N identical nodes with Poisson arrivals, each node sees
/// Erlang-N interarrival times, an E_N/G/c queue.
///
/// Cost *O*(1) while the next node fits; *O*(nodes) at worst.
#[derive(Debug, Default)]
pub struct RoundRobin {
    next: usize,
}

impl Balancer for RoundRobin {
    fn reads_reports(&self) -> bool {
        false
    }

    fn reads_load(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
        let n = view.len();
        // The node after `node`, wrapping round without a division.
        let after = |node: usize| if node + 1 == n { 0 } else { node + 1 };
        let mut node = self.next;
        for _ in 0..n {
            if view.fits(node, task) {
                self.next = after(node);
                return Some(node);
            }
            node = after(node);
        }
        None
    }

    fn needs_updates(&self) -> bool {
        false
    }
}
