//! Helpers shared by the integration tests.

use schedsim::metrics::RunResult;
use schedsim::policy::PolicySpec;
use schedsim::scenario::{self, Scenario};
use schedsim::sim::{Simulation, TaskRecord};
use std::path::Path;

/// Parses scenario text (panics with the error if it is invalid: a test bug).
pub fn scenario(text: &str) -> Scenario {
    scenario::parse(text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs one replication with the named balancer and the scenario's first discipline.
pub fn run(s: &Scenario, balancer: &str, replication: u32) -> RunResult {
    Simulation::new(s, &PolicySpec::named(balancer), &s.disciplines[0], replication)
        .unwrap_or_else(|e| panic!("{e}"))
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs one replication and returns every task's record, sorted by arrival index.
pub fn records(s: &Scenario, balancer: &str, replication: u32) -> Vec<TaskRecord> {
    let mut out = Vec::new();
    Simulation::new(s, &PolicySpec::named(balancer), &s.disciplines[0], replication)
        .unwrap()
        .run_observed(|r| out.push(*r))
        .unwrap();
    out.sort_by_key(|r| r.seq);
    out
}

/// Mean and the half-width of a two-sided confidence interval at level 1 - alpha, from
/// independent replications, with Student's t quantile `t`.
pub fn mean_and_halfwidth(xs: &[f64], t: f64) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, t * (var / n).sqrt())
}

/// Student's t, 0.9995 quantile, 9 degrees of freedom: a 99.9% two-sided interval over
/// 10 replications. A correct simulator fails a test built on it 1 time in 1,000.
pub const T_9995_DF9: f64 = 4.781;
