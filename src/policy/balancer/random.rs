//! `random`: uniform random choice.

use crate::engine::SimRng;
use crate::model::{NodeId, Task};
use crate::policy::{Balancer, ClusterView};

/// Sends each task to a node drawn uniformly at random among those that fit.
///
/// The baseline of the load-balancing literature: with Poisson arrivals each of N
/// identical nodes sees a Poisson stream of rate lambda / N (Poisson splitting), so
/// it behaves as N independent M/G/c queues (e.g. Mitzenmacher, "The Power of Two
/// Choices in Randomized Load Balancing", IEEE TPDS 2001, section 1).
///
/// Cost *O*(1) while the drawn node fits: a draw that does not fit is redrawn (which
/// keeps the choice uniform among fitting nodes); after 8 misses it scans.
#[derive(Debug, Default)]
pub struct Random;

impl Balancer for Random {
    fn reads_reports(&self) -> bool {
        false
    }

    fn reads_load(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        for _ in 0..8 {
            let n = rng.below(view.len());
            if view.fits(n, task) {
                return Some(n);
            }
        }
        super::uniform_fitting(task, view, rng)
    }

    fn needs_updates(&self) -> bool {
        false
    }
}
