//! Figures over replications: the runs of one (sweep point, discipline, balancer)
//! taken together, for the tables of a results folder.
//!
//! Every figure is computed from the runs alone, in run order, so that the same runs
//! always give the same bits: a mean is a sum in run order divided by the count, a
//! confidence interval is [`ci95`]'s Student t over replications, a count is a total,
//! a largest value is the largest of any run.

use super::{ci95, summarize, RunOutput, RunResult, Summary, QUANTILE_GRID};

/// The replications of one (sweep point, discipline, balancer), in run order.
#[derive(Debug, Clone)]
pub struct Replications<'a> {
    runs: Vec<&'a RunOutput>,
}

/// One task class over the replications of a group: a row of `classes.csv` without
/// its labels. Counts are totals over the replications; the mean and percentiles are
/// means of the per-replication figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassSummary {
    /// Class name.
    pub class: String,
    /// Class priority (lower is served first by priority disciplines).
    pub priority: u32,
    /// Replications taken together.
    pub replications: u32,
    /// Tasks of the class that completed, over all replications.
    pub tasks_completed: u64,
    /// Mean of the per-replication mean response.
    pub mean_response: f64,
    /// Half-width of the 95% confidence interval of `mean_response` (empty with one
    /// replication).
    pub mean_response_ci95: Option<f64>,
    /// Mean of the per-replication median response.
    pub p50_response: f64,
    /// Mean of the per-replication 95th percentile.
    pub p95_response: f64,
    /// Mean of the per-replication 99th percentile.
    pub p99_response: f64,
    /// Largest response seen in any replication (NaN if none completed).
    pub max_response: f64,
    /// Deadline misses, over all replications.
    pub deadline_misses: u64,
}

impl<'a> Replications<'a> {
    /// Splits runs given in plan order (each group's replications together) into
    /// groups of one (sweep point, discipline, balancer), keeping their order. Every
    /// group has at least one run.
    pub fn group(runs: &[&'a RunOutput]) -> Vec<Replications<'a>> {
        let mut groups: Vec<Replications<'a>> = Vec::new();
        for &r in runs {
            match groups.last_mut() {
                Some(g) if same_group(&g.runs[0].result, &r.result) => g.runs.push(r),
                _ => groups.push(Replications { runs: vec![r] }),
            }
        }
        groups
    }

    /// The first run's result, which carries the group's labels.
    pub fn first(&self) -> &'a RunResult {
        &self.runs[0].result
    }

    /// Each replication's result, in run order.
    pub fn results(&self) -> impl Iterator<Item = &'a RunResult> + '_ {
        self.runs.iter().map(|r| &r.result)
    }

    /// The row of `summary.csv`: see [`summarize`].
    pub fn summary(&self) -> Summary {
        summarize(&self.runs.iter().map(|r| &r.result).collect::<Vec<_>>())
    }

    /// Each task class, in the order of the runs' classes (the same in every run of a
    /// scenario); none when the runs record no classes.
    pub fn classes(&self) -> Vec<ClassSummary> {
        (0..self.runs[0].detail.classes.len())
            .map(|c| {
                let per_run: Vec<_> = self.runs.iter().map(|r| &r.detail.classes[c]).collect();
                let first = per_run[0];
                ClassSummary {
                    class: first.class.clone(),
                    priority: first.priority,
                    replications: per_run.len() as u32,
                    tasks_completed: per_run.iter().map(|x| x.tasks_completed).sum(),
                    mean_response: mean(per_run.iter().map(|x| x.mean_response)),
                    mean_response_ci95: ci95(&per_run.iter().map(|x| x.mean_response).collect::<Vec<_>>()),
                    p50_response: mean(per_run.iter().map(|x| x.p50_response)),
                    p95_response: mean(per_run.iter().map(|x| x.p95_response)),
                    p99_response: mean(per_run.iter().map(|x| x.p99_response)),
                    max_response: per_run.iter().map(|x| x.max_response).fold(f64::NAN, f64::max),
                    deadline_misses: per_run.iter().map(|x| x.deadline_misses).sum(),
                }
            })
            .collect()
    }

    /// The response time at each quantile of [`QUANTILE_GRID`], in its order: the mean
    /// over replications of each run's own quantile (not a quantile of the runs pooled).
    pub fn quantiles(&self) -> Vec<f64> {
        (0..QUANTILE_GRID.len()).map(|i| mean(self.runs.iter().map(|r| r.detail.quantiles[i]))).collect()
    }

    /// Job response time at each quantile of [`QUANTILE_GRID`], the mean over
    /// replications (empty without jobs of many tasks).
    pub fn job_quantiles(&self) -> Vec<f64> {
        let n = self.runs.iter().map(|r| r.detail.job_quantiles.len()).min().unwrap_or(0);
        (0..n).map(|i| mean(self.runs.iter().map(|r| r.detail.job_quantiles[i]))).collect()
    }

    /// The utilization of each of the first `nodes` nodes, the mean over the
    /// replications that report it (NaN for a node none reports).
    pub fn node_utilization(&self, nodes: usize) -> Vec<f64> {
        (0..nodes).map(|n| mean(self.runs.iter().filter_map(|r| r.detail.node_utilization.get(n).copied()))).collect()
    }
}

/// Whether two runs are replications of the same (sweep point, discipline, balancer).
fn same_group(a: &RunResult, b: &RunResult) -> bool {
    a.sweep_value == b.sweep_value && a.discipline == b.discipline && a.balancer == b.balancer
}

/// The mean of `xs`, summed in order; NaN for none.
fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}
