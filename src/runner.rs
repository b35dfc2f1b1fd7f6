//! The plan of runs (scenario x discipline x balancer x replication) and its parallel
//! execution.
//!
//! Runs are independent and each is a pure function of (scenario, policies,
//! replication), so they can run on any number of threads in any order; results are
//! collected in plan order, which makes the output byte-identical whatever `-j` is.

use crate::metrics::RunResult;
use crate::policy::PolicySpec;
use crate::scenario::Scenario;
use crate::sim::{RunError, Simulation};
use indicatif::ProgressBar;
use rayon::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// One run to do.
#[derive(Debug, Clone)]
pub struct Job {
    /// Index of the scenario in the plan.
    pub scenario: usize,
    /// The discipline.
    pub discipline: PolicySpec,
    /// The balancer.
    pub balancer: PolicySpec,
    /// Replication number, from 0.
    pub replication: u32,
}

/// Every run of a set of scenarios, in output order.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The scenarios.
    pub scenarios: Vec<Arc<Scenario>>,
    /// The runs: by scenario, then discipline, then balancer (file order), then replication.
    pub jobs: Vec<Job>,
}

/// A run that produced no result, and why.
#[derive(Debug, Clone)]
pub struct RunFailure {
    /// Index of the run in [`Plan::jobs`].
    pub job: usize,
    /// What went wrong.
    pub message: String,
}

impl Plan {
    /// Expands scenarios into their runs.
    pub fn new(scenarios: Vec<Scenario>) -> Self {
        let scenarios: Vec<Arc<Scenario>> = scenarios.into_iter().map(Arc::new).collect();
        let mut jobs = Vec::new();
        for (i, s) in scenarios.iter().enumerate() {
            for d in &s.disciplines {
                for b in &s.balancers {
                    for replication in 0..s.replications {
                        jobs.push(Job { scenario: i, discipline: d.clone(), balancer: b.clone(), replication });
                    }
                }
            }
        }
        Plan { scenarios, jobs }
    }

    /// Runs every job on `threads` threads (0 = one per core), ticking `progress` as
    /// runs finish. One failing run (an error or a panic) does not stop the others.
    pub fn execute(&self, threads: usize, progress: Option<&ProgressBar>) -> Vec<Result<RunResult, RunFailure>> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        pool.install(|| {
            (0..self.jobs.len())
                .into_par_iter()
                .map(|job| {
                    let result = self.run_one(job);
                    if let Some(p) = progress {
                        p.inc(1);
                    }
                    result
                })
                .collect()
        })
    }

    /// Runs job number `index`, turning a panic into a failure of that job alone.
    pub fn run_one(&self, index: usize) -> Result<RunResult, RunFailure> {
        let job = &self.jobs[index];
        let scenario = &self.scenarios[job.scenario];
        let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<RunResult, RunError> {
            Simulation::new(scenario, &job.balancer, &job.discipline, job.replication)?.run()
        }));
        let message = match outcome {
            Ok(Ok(result)) => return Ok(result),
            Ok(Err(e)) => e.to_string(),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                format!("internal error (a bug; please report it): {what}")
            }
        };
        Err(RunFailure { job: index, message })
    }
}
