//! `weighted_random`: random choice with probability proportional to node weight.

use crate::engine::SimRng;
use crate::model::{NodeId, NodeSpec, Task};
use crate::policy::{Balancer, ClusterView};

/// Sends each task to a node drawn at random with probability proportional to its
/// weight (`NodeSpec::weight`, by default speed x cores), among the nodes that fit.
///
/// The weighted form of `random`: LVS's and HAProxy's static weights used as draw
/// probabilities, as in Envoy's `RANDOM` policy with weighted hosts. With Poisson
/// arrivals of rate lambda, node i sees a Poisson stream of rate
/// lambda x w_i / sum(w) (Poisson splitting), so weights proportional to capacity
/// give every node the same utilisation.
///
/// Draws use an alias table (Walker, "An efficient method for generating discrete
/// random variables with general distributions", ACM TOMS 1977, built by Vose's
/// method, IEEE TSE 1991) built once from the weights: *O*(1) per decision, two
/// draws from the policy stream. A drawn node that does not fit is redrawn, which
/// keeps the choice proportional to weight among the fitting nodes; after 8 misses a
/// scan draws among the fitting nodes directly (*O*(nodes)).
#[derive(Debug)]
pub struct WeightedRandom {
    /// Probability of keeping the drawn column rather than taking its alias.
    prob: Vec<f64>,
    /// The node each column gives away the rest of its probability to.
    alias: Vec<u32>,
}

impl WeightedRandom {
    /// A balancer over `nodes`, by their weights (finite and > 0, as the scenario
    /// checks).
    pub fn new(nodes: &[NodeSpec]) -> Self {
        let n = nodes.len();
        let total: f64 = nodes.iter().map(|s| s.weight).sum();
        // Vose's method: scale weights so they average 1, then pair each column below 1
        // with one above 1 that tops it up. Every column ends with at most two nodes.
        let mut scaled: Vec<f64> = nodes.iter().map(|s| s.weight * n as f64 / total).collect();
        let mut prob = vec![1.0; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            prob[s] = scaled[s];
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What is left holds (up to rounding) exactly 1: it keeps its own column.
        for i in small.into_iter().chain(large) {
            prob[i] = 1.0;
        }
        WeightedRandom { prob, alias }
    }

    #[inline]
    fn draw(&self, rng: &mut SimRng) -> NodeId {
        let column = rng.below(self.prob.len());
        if rng.open01() < self.prob[column] {
            column
        } else {
            self.alias[column] as NodeId
        }
    }
}

impl Balancer for WeightedRandom {
    fn reads_reports(&self) -> bool {
        false
    }

    fn reads_load(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        for _ in 0..8 {
            let n = self.draw(rng);
            if view.fits(n, task) {
                return Some(n);
            }
        }
        weighted_fitting(task, view, rng)
    }

    fn needs_updates(&self) -> bool {
        false
    }
}

/// A fitting node drawn with probability proportional to weight, by a full scan.
fn weighted_fitting(task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
    let total: f64 = (0..view.len()).filter(|&n| view.fits(n, task)).map(|n| view.specs[n].weight).sum();
    let mut last = None;
    let mut left = rng.open01() * total;
    for n in (0..view.len()).filter(|&n| view.fits(n, task)) {
        left -= view.specs[n].weight;
        last = Some(n);
        if left < 0.0 {
            break;
        }
    }
    // Rounding may leave `left` a hair above 0 after the last node: that node is it.
    last
}
