//! Scenario files: the TOML a user writes, checked and turned into a [`Scenario`].
//!
//! `raw.rs` mirrors the file with serde (unknown fields rejected); `validate.rs`
//! checks ranges and references and builds the validated types below, which are all
//! the simulation sees. Errors are [`ScenarioError`]s that name the file, line, column
//! and field, and suggest the closest name for a misspelt one.

mod error;
mod raw;
mod validate;

pub use error::ScenarioError;
pub use validate::{discover, load, parse};

use crate::model::{Mode, NodeSpec};
use crate::policy::PolicySpec;
use crate::workload::{ArrivalProcess, Dist};
use std::path::PathBuf;

/// A checked scenario: everything needed to plan and run its simulations.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name: the results folder `results/<name>/`. Letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// One line on what it asks.
    pub description: String,
    /// The file it was read from.
    pub source: PathBuf,
    /// Master seed; every run's streams derive from it and the replication number.
    pub seed: u64,
    /// Independent replications per policy combination (>= 1).
    pub replications: u32,
    /// Length, warm-up and mode.
    pub run: RunConfig,
    /// The node groups, in file order.
    pub node_groups: Vec<NodeGroup>,
    /// What arrives.
    pub workload: Workload,
    /// Balancers to compare, canonical (defaults filled in), in file order.
    pub balancers: Vec<PolicySpec>,
    /// Disciplines to compare, canonical, in file order.
    pub disciplines: Vec<PolicySpec>,
}

/// `[run]`: how long, how much to leave out, which binding mode.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    /// When arrivals stop (the run then drains).
    pub stop: Stop,
    /// What is left out of the metrics.
    pub warmup: Warmup,
    /// Early (`dispatch`) or late (`central`) binding.
    pub mode: Mode,
    /// Most tasks the system may hold at once; a run that exceeds it is stopped as
    /// overloaded (its queues grow without bound) and reported as failed.
    pub max_in_system: u64,
}

/// `max_in_system` when not given: at ~100 bytes a task in flight, about 200 MB.
pub const DEFAULT_MAX_IN_SYSTEM: u64 = 2_000_000;

/// When a run stops creating tasks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    /// After this many arrivals (`tasks = 200_000`).
    Tasks(u64),
    /// At this virtual time, in seconds (`horizon = 3600.0`).
    Horizon(f64),
}

/// What the metrics leave out at the start of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Warmup {
    /// Tasks whose arrival index is below this fraction of the run's tasks (or, for a
    /// horizon run, which arrive before this fraction of the horizon). `warmup = 0.1`.
    Fraction(f64),
    /// Tasks that arrive before this time, in seconds. `warmup = { seconds = 50.0 }`.
    Seconds(f64),
}

/// `[[nodes]]`: identical nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeGroup {
    /// Group name, unique in the scenario.
    pub name: String,
    /// How many nodes (>= 1).
    pub count: u32,
    /// Work units per second per core (> 0).
    pub speed: f64,
    /// Cores per node (>= 1).
    pub cores: u32,
    /// Memory per node (>= 0; default: unlimited, `f64::INFINITY`).
    pub memory: f64,
    /// Weight for weighted policies (> 0; default speed x cores).
    pub weight: f64,
}

/// `[workload]`: arrivals and the kinds of task.
#[derive(Debug, Clone)]
pub struct Workload {
    /// The arrival process.
    pub arrival: ArrivalProcess,
    /// Relative error of size estimates, in [0, 1): estimate = size x (1 + e u),
    /// u uniform in [-1, 1].
    pub estimate_error: f64,
    /// Task classes; shares sum to 1. A workload without `classes` has one class,
    /// `default`, with priority 0.
    pub classes: Vec<TaskClass>,
}

/// One kind of task.
#[derive(Debug, Clone)]
pub struct TaskClass {
    /// Class name, unique in the scenario.
    pub name: String,
    /// Fraction of arrivals, in (0, 1]; normalised so the shares sum to 1.
    pub share: f64,
    /// Priority: lower is served first by priority disciplines.
    pub priority: u32,
    /// Relative deadline in seconds after arrival, if any.
    pub deadline: Option<f64>,
    /// Task size in work units.
    pub size: Dist,
    /// Cores a task needs (a draw rounded up to a whole number, at least 1).
    pub cores: Dist,
    /// Memory a task needs.
    pub memory: Dist,
}

impl Scenario {
    /// Every node of the cluster, group by group, in file order.
    pub fn nodes(&self) -> Vec<NodeSpec> {
        self.node_groups
            .iter()
            .enumerate()
            .flat_map(|(g, grp)| {
                (0..grp.count).map(move |_| NodeSpec {
                    group: g,
                    speed: grp.speed,
                    cores: grp.cores,
                    memory: grp.memory,
                    weight: grp.weight,
                })
            })
            .collect()
    }

    /// Offered load: arrival rate x mean core-work per task (size x cores) / total
    /// capacity (speed x cores, over all nodes). Above 1 the system cannot keep up;
    /// memory can make the real limit lower.
    pub fn offered_load(&self) -> f64 {
        let capacity: f64 = self.node_groups.iter().map(|g| g.count as f64 * g.cores as f64 * g.speed).sum();
        let mean_work: f64 =
            self.workload.classes.iter().map(|c| c.share * c.size.mean() * mean_task_cores(&c.cores)).sum();
        self.workload.arrival.mean_rate() * mean_work / capacity
    }
}

/// The mean number of cores a task takes: E[max(1, ceil(X))] for the class's draw X.
/// Exact for a constant; otherwise estimated from 100,000 draws of a fixed stream
/// (standard error well under 1% for any distribution with a finite variance), since
/// the expectation of a rounded draw has no closed form for most distributions.
fn mean_task_cores(cores: &crate::workload::Dist) -> f64 {
    if cores.max() == Some(cores.min()) {
        return cores.min().ceil().max(1.0);
    }
    let mut rng = crate::engine::SimRng::new(0x5eed);
    let n = 100_000;
    (0..n).map(|_| cores.sample(&mut rng).ceil().max(1.0)).sum::<f64>() / n as f64
}
