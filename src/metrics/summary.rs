//! Summaries over replications, with Student-t confidence intervals.

use super::RunResult;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// One row of `summary.csv`: a (discipline, balancer) pair over its replications.
///
/// Counts are totals over the replications (so conservation still reads off the
/// row); every other figure is the mean over replications of the per-run figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// The swept parameter (a column only in swept scenarios' files).
    pub sweep_parameter: Option<String>,
    /// Its value at this point.
    pub sweep_value: Option<f64>,
    /// Queue discipline label.
    pub discipline: String,
    /// Balancer label.
    pub balancer: String,
    /// Replications that completed.
    pub replications: u32,
    /// Tasks that arrived, over all replications.
    pub tasks_arrived: u64,
    /// Tasks that completed, over all replications.
    pub tasks_completed: u64,
    /// Tasks that failed, over all replications.
    pub tasks_failed: u64,
    /// Tasks left in the system, over all replications.
    pub tasks_in_system: u64,
    /// Mean throughput (tasks per second).
    pub throughput: f64,
    /// Half-width of its 95% confidence interval.
    pub throughput_ci95: Option<f64>,
    /// Mean of the per-replication mean response time.
    pub mean_response: f64,
    /// Half-width of the 95% confidence interval of `mean_response` (Student t over
    /// replications; empty with one replication).
    pub mean_response_ci95: Option<f64>,
    /// Mean of the per-replication median response.
    pub p50_response: f64,
    /// Mean of the per-replication 95th percentile.
    pub p95_response: f64,
    /// Mean of the per-replication 99th percentile.
    pub p99_response: f64,
    /// Half-width of its 95% confidence interval.
    pub p99_response_ci95: Option<f64>,
    /// Mean of the per-replication 99.9th percentile.
    pub p999_response: f64,
    /// Largest response seen in any replication.
    pub max_response: f64,
    /// Mean wait.
    pub mean_wait: f64,
    /// Mean slowdown.
    pub mean_slowdown: f64,
    /// Mean bounded slowdown.
    pub bounded_slowdown: f64,
    /// Mean utilization.
    pub utilization: f64,
    /// Half-width of its 95% confidence interval.
    pub utilization_ci95: Option<f64>,
    /// Mean imbalance (coefficient of variation of node utilization).
    pub imbalance: f64,
    /// Deadline misses, over all replications.
    pub deadline_misses: u64,
    /// Resubmissions, over all replications.
    pub retries: u64,
    /// Mean work lost per replication.
    pub wasted_work: f64,
    /// Mean failure detection latency (over replications that detected a crash).
    pub detection_latency: f64,
    /// False suspicions, over all replications.
    pub false_suspicions: u64,
    /// Mean availability.
    pub availability: f64,
    /// Mean goodput.
    pub goodput: f64,
    /// Mean makespan.
    pub makespan: f64,
    /// Replications flagged unstable (the tasks in the system grew through the run;
    /// see `stability.rs`): 0 for a policy that kept up in every replication.
    pub unstable: u32,
    // The job columns (issue 13), only when the workload has jobs: totals of the
    // counts, means of the rest over replications (see `RunResult`).
    /// Jobs that arrived, over all replications.
    pub jobs_arrived: u64,
    /// Jobs that completed, over all replications.
    pub jobs_completed: u64,
    /// Jobs that failed, over all replications.
    pub jobs_failed: u64,
    /// Jobs left in the system, over all replications.
    pub jobs_in_system: u64,
    /// Tasks of jobs never released, over all replications.
    pub tasks_unreleased: u64,
    /// Mean tasks per job.
    pub tasks_per_job: f64,
    /// Mean of the per-replication mean job response.
    pub job_mean_response: f64,
    /// Half-width of its 95% confidence interval.
    pub job_mean_response_ci95: Option<f64>,
    /// Mean median job response.
    pub job_p50_response: f64,
    /// Mean 95th percentile of job response.
    pub job_p95_response: f64,
    /// Mean 99th percentile of job response.
    pub job_p99_response: f64,
    /// Half-width of its 95% confidence interval.
    pub job_p99_response_ci95: Option<f64>,
    /// Largest job response in any replication.
    pub job_max_response: f64,
    /// Mean job slowdown.
    pub job_mean_slowdown: f64,
    /// Mean bytes moved between nodes per replication.
    pub data_moved: f64,
    // The speculation columns, only when the scenario sets `[faults] speculation`.
    /// Copies launched, over all replications.
    pub speculative_launched: u64,
    /// Copies that won, over all replications.
    pub speculative_won: u64,
    /// Mean core-seconds per replication spent by attempts that lost the race.
    pub speculative_wasted: f64,
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom: the multiplier of
/// the standard error in a two-sided 95% confidence interval.
pub fn student_t_975(df: u32) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64).expect("df >= 1").inverse_cdf(0.975)
}

/// Summarises the runs of one (scenario, discipline, balancer), all replications.
///
/// # Panics
/// If `runs` is empty.
pub fn summarize(runs: &[&RunResult]) -> Summary {
    let first = runs[0];
    let mean = |f: fn(&RunResult) -> f64| runs.iter().map(|r| f(r)).sum::<f64>() / runs.len() as f64;
    let total = |f: fn(&RunResult) -> u64| runs.iter().map(|r| f(r)).sum::<u64>();
    let ci = |f: fn(&RunResult) -> f64| ci95(&runs.iter().map(|r| f(r)).collect::<Vec<_>>());
    Summary {
        scenario: first.scenario.clone(),
        sweep_parameter: first.sweep_parameter.clone(),
        sweep_value: first.sweep_value,
        discipline: first.discipline.clone(),
        balancer: first.balancer.clone(),
        replications: runs.len() as u32,
        tasks_arrived: total(|r| r.tasks_arrived),
        tasks_completed: total(|r| r.tasks_completed),
        tasks_failed: total(|r| r.tasks_failed),
        tasks_in_system: total(|r| r.tasks_in_system),
        throughput: mean(|r| r.throughput),
        throughput_ci95: ci(|r| r.throughput),
        mean_response: mean(|r| r.mean_response),
        mean_response_ci95: ci(|r| r.mean_response),
        p50_response: mean(|r| r.p50_response),
        p95_response: mean(|r| r.p95_response),
        p99_response: mean(|r| r.p99_response),
        p99_response_ci95: ci(|r| r.p99_response),
        p999_response: mean(|r| r.p999_response),
        max_response: runs.iter().map(|r| r.max_response).fold(f64::NAN, f64::max),
        mean_wait: mean(|r| r.mean_wait),
        mean_slowdown: mean(|r| r.mean_slowdown),
        bounded_slowdown: mean(|r| r.bounded_slowdown),
        utilization: mean(|r| r.utilization),
        utilization_ci95: ci(|r| r.utilization),
        imbalance: mean(|r| r.imbalance),
        deadline_misses: total(|r| r.deadline_misses),
        retries: total(|r| r.retries),
        wasted_work: mean(|r| r.wasted_work),
        detection_latency: {
            let seen: Vec<f64> = runs.iter().map(|r| r.detection_latency).filter(|x| !x.is_nan()).collect();
            if seen.is_empty() {
                f64::NAN
            } else {
                seen.iter().sum::<f64>() / seen.len() as f64
            }
        },
        false_suspicions: total(|r| r.false_suspicions),
        availability: mean(|r| r.availability),
        goodput: mean(|r| r.goodput),
        makespan: mean(|r| r.makespan),
        unstable: runs.iter().filter(|r| r.unstable).count() as u32,
        jobs_arrived: total(|r| r.jobs_arrived),
        jobs_completed: total(|r| r.jobs_completed),
        jobs_failed: total(|r| r.jobs_failed),
        jobs_in_system: total(|r| r.jobs_in_system),
        tasks_unreleased: total(|r| r.tasks_unreleased),
        tasks_per_job: mean(|r| r.tasks_per_job),
        job_mean_response: mean(|r| r.job_mean_response),
        job_mean_response_ci95: ci(|r| r.job_mean_response),
        job_p50_response: mean(|r| r.job_p50_response),
        job_p95_response: mean(|r| r.job_p95_response),
        job_p99_response: mean(|r| r.job_p99_response),
        job_p99_response_ci95: ci(|r| r.job_p99_response),
        job_max_response: runs.iter().map(|r| r.job_max_response).fold(f64::NAN, f64::max),
        job_mean_slowdown: mean(|r| r.job_mean_slowdown),
        data_moved: mean(|r| r.data_moved),
        speculative_launched: total(|r| r.speculative_launched),
        speculative_won: total(|r| r.speculative_won),
        speculative_wasted: mean(|r| r.speculative_wasted),
    }
}

/// Half-width of the two-sided 95% Student-t confidence interval of the mean of
/// `xs` (independent replications); `None` for fewer than two values.
pub fn ci95(xs: &[f64]) -> Option<f64> {
    let n = xs.len();
    if n < 2 {
        return None;
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Some(student_t_975(n as u32 - 1) * (var / n as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Published two-sided 95% t quantiles (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
    #[test]
    fn t_quantiles_match_tables() {
        for (df, t) in [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (29, 2.045), (120, 1.980)] {
            assert!((student_t_975(df) - t).abs() < 5e-4, "df {df}: {}", student_t_975(df));
        }
    }

    #[test]
    fn ci_of_known_sample() {
        // mean 2, sample sd 1 (values 1, 2, 3): half-width = 4.303 * 1 / sqrt(3).
        let h = ci95(&[1.0, 2.0, 3.0]).unwrap();
        assert!((h - 4.302_652_7 / 3f64.sqrt()).abs() < 1e-6);
        assert_eq!(ci95(&[1.0]), None);
    }
}
