//! What arrives: probability distributions, arrival processes, task classes, and the
//! stream of tasks a run draws from them ([`TaskSource`]); jobs of many tasks
//! (`job.rs`) and the workflow files they may come from (`wfformat.rs`).

pub mod arrival;
pub mod dist;
pub mod input;
pub mod job;
mod source;
pub mod trace;
pub mod wfformat;

pub use arrival::{ArrivalProcess, ArrivalSpec};
pub use dist::{Dist, DistSpec};
pub use job::{Dag, JobShape, RuntimeTable};
pub use source::TaskSource;
pub use trace::{Estimates, Replay, Skipped, Trace, TraceJob, TraceReader};

use crate::engine::SimRng;

/// `[workload]`: arrivals and the kinds of task.
#[derive(Debug, Clone)]
pub struct Workload {
    /// The arrival process.
    pub arrival: ArrivalProcess,
    /// Relative error of size estimates, in [0, 1): estimate = size x (1 + e u),
    /// u uniform in [-1, 1].
    pub estimate_error: f64,
    /// Bytes a task sends to its node (input) and back (output), with a bandwidth.
    pub input: Option<Dist>,
    /// Bytes of a task's result.
    pub output: Option<Dist>,
    /// Task classes; shares sum to 1. A workload without `classes` has one class,
    /// `default`, with priority 0.
    pub classes: Vec<TaskClass>,
    /// `job = { shape = .. }`: every arrival is a job of many tasks of this shape
    /// (issue 13); `None`: every arrival is one task.
    pub job: Option<JobShape>,
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

impl TaskClass {
    /// The mean number of cores a task of this class takes: E[max(1, ceil(X))] for the
    /// class's draw X. Exact for a constant; otherwise estimated from 100,000 draws of
    /// a fixed stream (standard error well under 1% for any distribution with a finite
    /// variance), since the expectation of a rounded draw has no closed form for most
    /// distributions.
    pub fn mean_cores(&self) -> f64 {
        let cores = &self.cores;
        if cores.max() == Some(cores.min()) {
            return cores.min().ceil().max(1.0);
        }
        let mut rng = SimRng::new(0x5eed);
        let n = 100_000;
        (0..n).map(|_| cores.sample(&mut rng).ceil().max(1.0)).sum::<f64>() / n as f64
    }
}
