//! Streaming statistics of a run, and their summary over replications (`summary.rs`
//! for `summary.csv`'s rows, `aggregate.rs` for every table's figures over replications,
//! `compare.rs` for the paired comparisons of `compare.csv`, `stability.rs` for the
//! test that flags a run whose queues grow).
//!
//! Nothing here keeps a record per task: a run's memory does not grow with the
//! number of tasks it simulates. Response-time percentiles come from a histogram
//! in the layout of Tene's HdrHistogram (`histogram.rs`), with 3 significant digits:
//! every reported percentile is within 0.1% of the exact one (plus 1 ns of
//! resolution).

mod aggregate;
pub mod compare;
mod detail;
mod histogram;
mod jobs;
mod recorder;
mod stability;
mod summary;

pub use aggregate::{ClassSummary, Replications};
pub use detail::{ClassResult, FaultRecord, Window, QUANTILE_GRID};
pub use jobs::JobRecorder;
pub use recorder::{Recorder, RunDetail, WarmupRule};
pub use stability::{mann_kendall_z, sen_slope, Stability, GROWTH_SHARE, MIN_SAMPLES, TREND_LEVEL, TREND_WINDOWS};
pub use summary::{ci95, student_t_975, summarize, Summary};

use serde::{Deserialize, Serialize};

/// The results of one run: one row of `runs.csv`.
///
/// Counts cover every task of the run, so that conservation
/// (`tasks_arrived = tasks_completed + tasks_failed + tasks_in_system`) can be read
/// off the row; every other figure covers only the tasks that arrived after the
/// warm-up. Times are seconds of virtual time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Scenario name.
    pub scenario: String,
    /// The swept parameter (a column only in swept scenarios' files).
    pub sweep_parameter: Option<String>,
    /// Its value in this run.
    pub sweep_value: Option<f64>,
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
    /// Mean bounded slowdown, max(response / max(service time, tau), 1), of the measured
    /// tasks that completed: the batch-scheduling form, which keeps very short tasks from
    /// dominating the mean (tau is `run.slowdown_tau`, 10 s unless set).
    pub bounded_slowdown: f64,
    /// Busy core-seconds / available core-seconds over the measured span.
    pub utilization: f64,
    /// Coefficient of variation of per-node utilization (0 = perfectly even).
    pub imbalance: f64,
    /// Measured tasks that finished after their deadline, or failed with one.
    pub deadline_misses: u64,
    /// Resubmissions of tasks lost with a node (or timed out).
    pub retries: u64,
    /// Work units done and lost: on crashed nodes, in results lost with them, and by
    /// attempts whose job another attempt completed first.
    pub wasted_work: f64,
    /// Mean time from a crash to a dispatcher declaring the node dead (NaN: none).
    pub detection_latency: f64,
    /// Nodes declared dead while they were up (late heartbeats).
    pub false_suspicions: u64,
    /// Fraction of node-time up over the run.
    pub availability: f64,
    /// Work units of completed measured tasks per second of the measured span.
    pub goodput: f64,
    /// From the first arrival to the last completion, of every task (warm-up included);
    /// NaN if none completed.
    pub makespan: f64,
    /// Sen's slope of the tasks in the system while arrivals last after the warm-up,
    /// tasks per second (NaN: too few samples); see `stability.rs`.
    pub in_system_growth: f64,
    /// The run did not keep up: the tasks in the system grew through it, significantly
    /// and by a material share of the arrivals (see `stability.rs`).
    pub unstable: bool,
    /// Time-average number of measured tasks in the system (Little's L).
    pub mean_in_system: f64,
    /// Start of the measured span (end of the warm-up).
    pub measured_from: f64,
    /// End of the run: the last event.
    pub end_time: f64,
    /// Engine events delivered (the stability test's sampling events left out).
    pub events: u64,
    // The job columns (issue 13): written only when the workload has jobs of many
    // tasks (zero or empty otherwise); their list is `JOB_COLUMNS`.
    /// Jobs that arrived.
    pub jobs_arrived: u64,
    /// Jobs whose every task completed.
    pub jobs_completed: u64,
    /// Jobs one of whose tasks failed (exhausted its attempts, or fits no node).
    pub jobs_failed: u64,
    /// Jobs still in the system at the end (0 once a run has drained).
    pub jobs_in_system: u64,
    /// Tasks of failed jobs never released (and of jobs in the system, not yet ready).
    pub tasks_unreleased: u64,
    /// Mean tasks per measured completed job.
    pub tasks_per_job: f64,
    /// Mean job response time: from the job's arrival to its last task's completion
    /// (its result reaching the dispatcher), over measured completed jobs.
    pub job_mean_response: f64,
    /// Median job response time.
    pub job_p50_response: f64,
    /// 95th percentile of job response time.
    pub job_p95_response: f64,
    /// 99th percentile of job response time.
    pub job_p99_response: f64,
    /// Largest job response time.
    pub job_max_response: f64,
    /// Mean job slowdown: response / the job's critical path run on the fastest node
    /// (sizes / its speed along the longest path, data transfers left out).
    pub job_mean_slowdown: f64,
    /// Bytes moved between nodes along the DAGs' edges (a parent's output sent to a
    /// child placed on another node; again at each retry of the child).
    pub data_moved: f64,
    // The speculation columns (issue 13): written only when the scenario sets
    // `[faults] speculation`; their list is `SPECULATION_COLUMNS`.
    /// Speculative copies of stragglers launched.
    pub speculative_launched: u64,
    /// Copies whose result completed their task before the original's.
    pub speculative_won: u64,
    /// Core-seconds spent by the attempts of copied tasks that lost the race (killed
    /// when the other's result came, or finished too late): time x cores held.
    pub speculative_wasted: f64,
}

/// The columns of `runs.csv` (and, with `job_mean_response_ci95` and
/// `job_p99_response_ci95`, of `summary.csv`) that only a workload of jobs has.
pub const JOB_COLUMNS: &[&str] = &[
    "jobs_arrived",
    "jobs_completed",
    "jobs_failed",
    "jobs_in_system",
    "tasks_unreleased",
    "tasks_per_job",
    "job_mean_response",
    "job_mean_response_ci95",
    "job_p50_response",
    "job_p95_response",
    "job_p99_response",
    "job_p99_response_ci95",
    "job_max_response",
    "job_mean_slowdown",
    "data_moved",
];

/// The columns of `runs.csv` and `summary.csv` that only a scenario setting
/// `[faults] speculation` has: without it they would read 0 in every row.
pub const SPECULATION_COLUMNS: &[&str] = &["speculative_launched", "speculative_won", "speculative_wasted"];

/// A run's results with their detail (per class, response distribution, time series,
/// nodes, fault events): everything the tables and reports of a run are made from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunOutput {
    /// The `runs.csv` row.
    pub result: RunResult,
    /// Everything else.
    pub detail: RunDetail,
}
