//! `power_of_d`: the least loaded of d nodes sampled at random.

use crate::engine::SimRng;
use crate::model::{NodeId, Task};
use crate::policy::{Balancer, ClusterView};

/// For each task, samples `d` distinct nodes uniformly at random and sends the task
/// to the sampled node with the fewest connections (tasks sent and not yet seen
/// finish); ties go to the node sampled first, which is uniform among the tied
/// nodes because the sample is in uniformly random order. Sampled nodes that do not
/// fit are ignored; if none fits, a full scan takes the least-connections fitting
/// node.
///
/// The "power of two choices" (Vvedenskaya, Dobrushin and Karpelevich, "Queueing
/// system with selection of the shortest of two queues: an asymptotic approach",
/// Problems of Information Transmission 1996; Mitzenmacher, "The Power of Two
/// Choices in Randomized Load Balancing", IEEE TPDS 2001): with d = 2 the tail of
/// the queue-length distribution falls doubly exponentially instead of
/// geometrically as with `random` (d = 1). d = node count is `least_connections`
/// with random ties.
///
/// Sampling is a partial Fisher-Yates shuffle of a permutation of the nodes kept
/// between decisions: d swaps give an ordered sample of d distinct nodes, uniform
/// whatever order the permutation was left in, with no set and no rejection.
/// Cost *O*(d) per decision, no work per update.
#[derive(Debug)]
pub struct PowerOfD {
    d: usize,
    perm: Vec<u32>,
}

impl PowerOfD {
    /// A balancer over `nodes` nodes sampling `d` of them (1 <= d <= nodes; the
    /// registry checks it).
    pub fn new(nodes: usize, d: usize) -> Self {
        debug_assert!(d >= 1 && d <= nodes);
        PowerOfD { d, perm: (0..nodes as u32).collect() }
    }

    /// The `k`-th node of the sample: a uniform draw among the nodes not yet sampled,
    /// swapped into place `k` of the permutation.
    #[inline(always)]
    fn sample(&mut self, k: usize, rng: &mut SimRng) -> NodeId {
        let j = k + rng.below(self.perm.len() - k);
        self.perm.swap(k, j);
        self.perm[k] as NodeId
    }

    /// `select` for d = 2, the common case, without the loop's bookkeeping: the same
    /// draws, the same choice.
    #[inline(always)]
    fn select_two(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        let a = self.sample(0, rng);
        let b = self.sample(1, rng);
        match (view.fits(a, task), view.fits(b, task)) {
            // Strictly fewer: a tie keeps the node sampled first.
            (true, true) => Some(if view.beliefs[b].connections < view.beliefs[a].connections { b } else { a }),
            (true, false) => Some(a),
            (false, true) => Some(b),
            (false, false) => super::least_fitting(task, view, rng, |n| f64::from(view.beliefs[n].connections)),
        }
    }

    /// `select` for any d: the least connected of the fitting nodes of the sample.
    fn select_any(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        let mut best: Option<(u32, NodeId)> = None;
        for k in 0..self.d {
            let node = self.sample(k, rng);
            if !view.fits(node, task) {
                continue;
            }
            let c = view.beliefs[node].connections;
            // Strictly fewer: a tie keeps the node sampled first.
            if best.is_none_or(|(b, _)| c < b) {
                best = Some((c, node));
            }
        }
        match best {
            Some((_, node)) => Some(node),
            None => super::least_fitting(task, view, rng, |n| f64::from(view.beliefs[n].connections)),
        }
    }
}

impl Balancer for PowerOfD {
    fn reads_reports(&self) -> bool {
        false
    }

    fn reads_load(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        if self.d == 2 {
            return self.select_two(task, view, rng);
        }
        self.select_any(task, view, rng)
    }

    fn needs_updates(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Mode, NodeSpec};
    use crate::policy::NodeBelief;

    #[test]
    fn the_two_choice_path_chooses_as_the_general_one() {
        // Random beliefs over 6 nodes, some down, some too small for the task, many
        // ties; the same permutation and stream for both paths, decision after decision.
        let specs: Vec<NodeSpec> =
            (0..6).map(|i| NodeSpec { group: 0, speed: 1.0, cores: 1 + (i % 3), memory: 4.0, weight: 1.0 }).collect();
        let task = Task { cores: 2, ..Task::of_size(0, 1.0) };
        let mut world = SimRng::new(9);
        let (mut two, mut any) = (PowerOfD::new(6, 2), PowerOfD::new(6, 2));
        let (mut rng_two, mut rng_any) = (SimRng::new(4), SimRng::new(4));
        let mut fallbacks = 0;
        for _ in 0..20_000 {
            let beliefs: Vec<NodeBelief> = specs
                .iter()
                .map(|s| NodeBelief {
                    up: world.below(5) != 0,
                    connections: world.below(3) as u32,
                    ..NodeBelief::idle(s)
                })
                .collect();
            let view = ClusterView::new(0.0, Mode::Dispatch, &specs, &beliefs);
            let chosen = two.select_two(&task, &view, &mut rng_two);
            assert_eq!(chosen, any.select_any(&task, &view, &mut rng_any));
            assert_eq!(two.perm, any.perm);
            let sampled = &two.perm[..2];
            fallbacks += usize::from(sampled.iter().all(|&n| !view.fits(n as NodeId, &task)));
        }
        // The fallback scan (neither sampled node fits) was taken too.
        assert!(fallbacks > 1_000, "{fallbacks}");
    }
}
