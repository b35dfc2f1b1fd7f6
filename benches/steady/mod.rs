//! The dispatcher's steady state that the decision-cost benchmarks time: shared by
//! `policies` (criterion, one size at a time) and `decision_ratio` (10 and 10,000
//! nodes interleaved).
//!
//! One step is what one task costs the dispatcher in a steady state: a `select`, the
//! belief update of the chosen node (the send) and the belief update of a completion
//! elsewhere, each followed by `on_update`, as the simulation calls them. Nodes start
//! with random connection counts (0..8, or 0..16 of 16 cores in central mode) and
//! every step adds one task and removes one, so the load stays put. Without a
//! balancer (`None`) the step is the same loop with a fixed choice: the harness, whose
//! time is included in every balancer's.
//!
//! Nodes come in three speed classes (1, 2, 4), as three node groups would, with
//! weight speed x cores. Task size estimates are uniform in (0.5, 1.5), so the
//! work-based keys (`least_work_left`, `min_completion_time`) are real numbers that
//! rarely tie, as with any continuous size distribution.

use schedsim::engine::SimRng;
use schedsim::model::{Mode, NodeSpec, Task};
use schedsim::policy::registry::{BuildContext, Registry};
use schedsim::policy::{Balancer, Capacity, ClusterView, NodeBelief, PolicySpec};

/// Whether the balancer `name` plans whole jobs of many tasks: its per-task decision is
/// then only its fallback off the plan (a scan of every node), and its cost is the plan
/// made at a job's arrival, which these benches do not model, so they leave it out.
pub fn plans_jobs(name: &str) -> bool {
    let specs = vec![NodeSpec { group: 0, speed: 1.0, cores: 1, memory: 1.0, weight: 1.0 }; 2];
    let ctx = BuildContext { mode: Mode::Dispatch, nodes: &specs };
    Registry::default().build_balancer(&PolicySpec::named(name), &ctx).is_ok_and(|b| b.plans_jobs())
}

/// A dispatcher's view of a cluster in a steady state, and the balancer deciding on it.
pub struct Steady {
    mode: Mode,
    specs: Vec<NodeSpec>,
    /// What every node has at least, given to the views as the simulation gives it.
    least: Capacity,
    beliefs: Vec<NodeBelief>,
    balancer: Option<Box<dyn Balancer>>,
    /// The policy's stream.
    policy_rng: SimRng,
    /// Completions and response times (the world, not the policy).
    world_rng: SimRng,
    task: Task,
    next: usize,
}

impl Steady {
    /// `nodes` nodes in `mode`, decided on by balancer `name` (`None`: the harness).
    pub fn new(name: Option<&str>, nodes: usize, mode: Mode) -> Self {
        let cores = if mode == Mode::Central { 16 } else { 1 };
        let specs: Vec<NodeSpec> = (0..nodes)
            .map(|i| {
                let speed = [1.0, 2.0, 4.0][i % 3];
                NodeSpec { group: i % 3, speed, cores, memory: f64::INFINITY, weight: speed * f64::from(cores) }
            })
            .collect();
        let mut world_rng = SimRng::new(7);
        let beliefs: Vec<NodeBelief> = specs
            .iter()
            .map(|s| {
                let c = world_rng.below(if mode == Mode::Central { 17 } else { 8 }) as u32;
                NodeBelief {
                    connections: c,
                    free_cores: s.cores.saturating_sub(c),
                    free_memory: s.memory,
                    reported_queue: c,
                    sent_since_report: 0,
                    work_left: f64::from(c) * (0.5 + world_rng.open01()),
                    results: 1,
                    last_response: 1.0 + world_rng.below(100) as f64 / 10.0,
                    ..Default::default()
                }
            })
            .collect();
        let least = Capacity::least_of(&specs);
        let balancer = name.map(|name| {
            let mut b = Registry::default()
                .build_balancer(&PolicySpec::named(name), &BuildContext { mode, nodes: &specs })
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let view = ClusterView::new(0.0, mode, &specs, &beliefs).with_least(least);
            for n in 0..nodes {
                b.on_update(n, &view);
            }
            b
        });
        let task = Task::of_size(0, 1.0);
        Steady { mode, least, specs, beliefs, balancer, policy_rng: SimRng::new(1), world_rng, task, next: 0 }
    }

    /// One task: choose, send, and one completion somewhere.
    #[inline]
    pub fn step(&mut self) -> usize {
        // This task's size estimate (continuous, so work-based keys rarely tie).
        self.task.estimate = 0.5 + self.world_rng.open01();
        let chosen = match &mut self.balancer {
            Some(b) => {
                let view = ClusterView::new(0.0, self.mode, &self.specs, &self.beliefs).with_least(self.least);
                b.select(&self.task, &view, &mut self.policy_rng)
            }
            None => {
                // The harness alone: a fixed cyclic choice.
                self.next = (self.next + 1) % self.specs.len();
                Some(self.next)
            }
        };
        if let Some(n) = chosen {
            let b = &mut self.beliefs[n];
            b.connections += 1;
            b.sent_since_report += 1;
            b.work_left += self.task.estimate;
            b.free_cores = b.free_cores.saturating_sub(1);
            self.update(n);
        }
        // A completion at a busy node drawn at random (a few tries; in a steady state
        // most nodes are busy).
        for _ in 0..8 {
            let m = self.world_rng.below(self.specs.len());
            let b = &mut self.beliefs[m];
            if b.connections > 0 {
                b.connections -= 1;
                // A finished task of mean size 1 (the estimates' mean); never below 0.
                b.work_left = if b.connections == 0 { 0.0 } else { (b.work_left - 1.0).max(0.0) };
                b.results += 1;
                b.last_response = 1.0 + self.world_rng.below(100) as f64 / 10.0;
                b.reported_queue = b.connections;
                b.sent_since_report = 0;
                b.free_cores += 1;
                self.update(m);
                break;
            }
        }
        chosen.unwrap_or(usize::MAX)
    }

    #[inline]
    fn update(&mut self, n: usize) {
        if let Some(b) = &mut self.balancer {
            let view = ClusterView::new(0.0, self.mode, &self.specs, &self.beliefs).with_least(self.least);
            b.on_update(n, &view);
        }
    }
}
