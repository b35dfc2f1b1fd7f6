//! Balancers: one file per algorithm, each defining it and citing where it comes from.

mod least_connections;
mod random;
mod round_robin;

pub use least_connections::LeastConnections;
pub use random::Random;
pub use round_robin::RoundRobin;

use super::ClusterView;
use crate::engine::SimRng;
use crate::model::{NodeId, Task};

/// Uniform choice among the nodes that fit `task`, by a full scan: the fallback of
/// balancers whose fast path found no fitting node (central mode near saturation).
/// Cost *O*(nodes).
pub(crate) fn uniform_fitting(task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
    let fitting = (0..view.len()).filter(|&n| view.fits(n, task)).count();
    if fitting == 0 {
        return None;
    }
    let k = rng.below(fitting);
    (0..view.len()).filter(|&n| view.fits(n, task)).nth(k)
}

/// The fitting node of least `key`, uniform among ties, by a full scan. Cost *O*(nodes).
pub(crate) fn least_fitting(
    task: &Task,
    view: &ClusterView<'_>,
    rng: &mut SimRng,
    key: impl Fn(NodeId) -> f64,
) -> Option<NodeId> {
    let mut best = f64::INFINITY;
    let mut chosen = None;
    let mut ties = 0usize;
    for n in (0..view.len()).filter(|&n| view.fits(n, task)) {
        let k = key(n);
        if k < best {
            best = k;
            chosen = Some(n);
            ties = 1;
        } else if k == best {
            // Reservoir sampling of one among the ties: uniform without a second pass.
            ties += 1;
            if rng.below(ties) == 0 {
                chosen = Some(n);
            }
        }
    }
    chosen
}
