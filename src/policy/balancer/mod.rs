//! Balancers: one file per algorithm, each defining it and citing where it comes from.

mod best_fit;
mod join_idle_queue;
mod join_shortest_queue;
mod least_connections;
mod least_work_left;
mod min_completion_time;
mod min_execution_time;
mod power_of_d;
mod random;
mod round_robin;
mod shortest_response_time;
mod weighted_least_connections;
mod weighted_random;
mod weighted_round_robin;

pub use best_fit::BestFit;
pub use join_idle_queue::JoinIdleQueue;
pub use join_shortest_queue::JoinShortestQueue;
pub use least_connections::LeastConnections;
pub use least_work_left::LeastWorkLeft;
pub use min_completion_time::MinCompletionTime;
pub use min_execution_time::MinExecutionTime;
pub use power_of_d::PowerOfD;
pub use random::Random;
pub use round_robin::RoundRobin;
pub use shortest_response_time::ShortestResponseTime;
pub use weighted_least_connections::WeightedLeastConnections;
pub use weighted_random::WeightedRandom;
pub use weighted_round_robin::WeightedRoundRobin;

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

/// The time node `n`'s outstanding work (as the dispatcher estimates it) would take
/// its cores to clear: `work_left / (speed x cores)`. Read from the node's spec, which
/// a decision reads anyway, rather than from a copy that would cost one more cache
/// miss per update at 10,000 nodes.
#[inline]
pub(crate) fn drain_time(view: &ClusterView<'_>, n: NodeId) -> f64 {
    let spec = &view.specs[n];
    view.beliefs[n].work_left / (spec.speed * f64::from(spec.cores))
}

/// When node `n` could start a task of `cores` cores, not counting `now` (so the
/// value holds as time passes): by the dispatcher's schedule of its cores (see
/// [`CoreSchedule`](crate::policy::schedule::CoreSchedule)). A view built by hand
/// without schedules gives `now + work_left / (speed x cores)` instead.
#[inline]
pub(crate) fn start_key(view: &ClusterView<'_>, n: NodeId, cores: u32) -> f64 {
    match view.schedules.get(n) {
        Some(s) => s.earliest_start(cores),
        None => view.now + drain_time(view, n),
    }
}

/// When node `n`'s cores would clear what was sent to it, on average over its cores
/// (for one core, when it will be free), not counting `now`; as [`start_key`] for a
/// view without schedules.
#[inline]
pub(crate) fn clear_key(view: &ClusterView<'_>, n: NodeId) -> f64 {
    match view.schedules.get(n) {
        Some(s) => s.mean_free(),
        None => view.now + drain_time(view, n),
    }
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

/// Nodes grouped by an exact value (a weight, a speed), for balancers whose key orders
/// nodes of equal value the same way: they keep one index per group and compare only
/// the groups' best.
pub(crate) struct Classes {
    /// Each node's group and its place in the group.
    pub of: Vec<(u32, u32)>,
    /// Each group's members, in node order.
    pub members: Vec<Vec<u32>>,
    /// Each group's value, ascending.
    pub values: Vec<f64>,
}

/// Groups nodes by `values` (one per node, not NaN).
pub(crate) fn classes(values: impl Iterator<Item = f64> + Clone) -> Classes {
    let mut distinct: Vec<f64> = values.clone().collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); distinct.len()];
    let of = values
        .enumerate()
        .map(|(n, v)| {
            let g = distinct.binary_search_by(|x| x.total_cmp(&v)).expect("every value is listed");
            members[g].push(n as u32);
            (g as u32, (members[g].len() - 1) as u32)
        })
        .collect();
    Classes { of, members, values: distinct }
}
