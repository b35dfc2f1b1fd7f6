//! Streaming statistics of a run, and their summary over replications.
//!
//! Nothing here keeps a record per task: a run's memory does not grow with the
//! number of tasks it simulates. Response-time percentiles come from an HDR
//! histogram (Tene's HdrHistogram) with 3 significant digits: every reported
//! percentile is within 0.1% of the exact one (plus 1 ns of resolution).

mod recorder;
mod summary;

pub use recorder::{Recorder, WarmupRule};
pub use summary::{student_t_975, summarize, Summary};

use serde::Serialize;

/// The results of one run: one row of `runs.csv`.
///
/// Counts cover every task of the run, so that conservation
/// (`tasks_arrived = tasks_completed + tasks_failed + tasks_in_system`) can be read
/// off the row; every other figure covers only the tasks that arrived after the
/// warm-up. Times are seconds of virtual time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunResult {
    /// Scenario name.
    pub scenario: String,
    /// Queue discipline label.
    pub discipline: String,
    /// Balancer label.
    pub balancer: String,
    /// Replication number, from 0.
    pub replication: u32,
    /// The seed all of this run's streams derive from.
    pub seed: u64,
    /// Tasks that arrived.
    pub tasks_arrived: u64,
    /// Tasks that completed.
    pub tasks_completed: u64,
    /// Tasks that failed (no node could ever run them).
    pub tasks_failed: u64,
    /// Tasks still in the system at the end (0 once a run has drained).
    pub tasks_in_system: u64,
    /// Completed measured tasks per second over the measured span.
    pub throughput: f64,
    /// Mean response time (completion - arrival).
    pub mean_response: f64,
    /// Median response time.
    pub p50_response: f64,
    /// 95th percentile of response time.
    pub p95_response: f64,
    /// 99th percentile of response time.
    pub p99_response: f64,
    /// 99.9th percentile of response time.
    pub p999_response: f64,
    /// Largest response time.
    pub max_response: f64,
    /// Mean time from arrival to the start of service.
    pub mean_wait: f64,
    /// Mean of response / service time (service time = size / speed of the node that ran it).
    pub mean_slowdown: f64,
    /// Busy core-seconds / available core-seconds over the measured span.
    pub utilization: f64,
    /// Coefficient of variation of per-node utilization (0 = perfectly even).
    pub imbalance: f64,
    /// Time-average number of measured tasks in the system (Little's L).
    pub mean_in_system: f64,
    /// Start of the measured span (end of the warm-up).
    pub measured_from: f64,
    /// End of the run: the last event.
    pub end_time: f64,
    /// Engine events delivered.
    pub events: u64,
}
