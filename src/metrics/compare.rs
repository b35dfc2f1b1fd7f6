//! Paired comparison of every policy with a baseline: the rows of `compare.csv`.
//!
//! Every policy of a scenario runs replication *r* on the same seed, so it sees the
//! same arrivals, sizes, failures and latencies as every other (common random
//! numbers). The difference between two policies can then be measured replication by
//! replication, and what the replications share (a burst of arrivals, a run of large
//! tasks) cancels out of it: the interval of a paired difference is narrower than two
//! separate intervals suggest whenever the policies' results move together.
//!
//! For each policy other than the baseline, each sweep point and each [`Metric`] (the
//! task metrics, and for a workload of jobs of many tasks first the job's mean and p99
//! response, [`Metric::of_workload`]):
//!
//! - **difference**: the mean over replications of (policy − baseline), with its 95%
//!   Student-t interval on the n per-replication differences (n − 1 degrees of
//!   freedom): the paired t interval;
//! - **ratio**: the policy's mean over those replications divided by the baseline's
//!   (the ratio of the figures `summary.csv` shows), with its 95% interval by Fieller's
//!   theorem for paired data (Fieller 1954): the ratios ρ for which the paired t test
//!   of (policy − ρ · baseline) does not reject. It contains 1 exactly when the
//!   difference's interval contains 0, so the two always agree; it is unbounded (left
//!   empty) when the baseline's mean is not itself clearly above 0;
//! - **p_value**: two-sided, of the paired t test of the differences;
//! - **p_holm**: the p-value adjusted by Holm's step-down method (Holm 1979) over the
//!   family of every comparison of the scenario (every sweep point, policy and
//!   metric), so that the chance of any false "better" or "worse" in a scenario is at
//!   most 5%;
//! - **verdict**: `better` or `worse` when `p_holm` ≤ 0.05 (lower response time,
//!   higher throughput is better), else `no detectable difference`. The intervals
//!   are each 95% on their own (not adjusted for the family), as is usual; a verdict
//!   can therefore say "no detectable difference" for an interval that just misses 1.
//!
//! With one replication there is nothing to estimate a spread from: the difference
//! and ratio are given, without interval, and the verdict is `n/a (1 replication)`.
//! A replication that failed for either policy, or whose figure is not a number (no
//! task completed), is left out of the pairs.

use super::{student_t_975, Replications, RunResult};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::BTreeMap;

/// The family-wise error rate the verdicts keep to.
pub const FAMILY_LEVEL: f64 = 0.05;

/// A figure policies are compared by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Mean job response time (arrival to last task), for jobs of many tasks: lower is better.
    JobMeanResponse,
    /// 99th percentile of job response time: lower is better.
    JobP99Response,
    /// Mean response time: lower is better.
    MeanResponse,
    /// 99th percentile of response time: lower is better.
    P99Response,
    /// Completed tasks per second: higher is better.
    Throughput,
}

impl Metric {
    /// The metrics of a workload of single tasks, in the order of `compare.csv`.
    pub const TASKS: [Metric; 3] = [Metric::MeanResponse, Metric::P99Response, Metric::Throughput];
    /// The metrics of a workload of jobs of many tasks: the job's first (what its user
    /// waits for), then the tasks'.
    pub const JOBS: [Metric; 5] = [
        Metric::JobMeanResponse,
        Metric::JobP99Response,
        Metric::MeanResponse,
        Metric::P99Response,
        Metric::Throughput,
    ];

    /// The metrics compared for a workload with (`jobs`) or without jobs of many
    /// tasks; the first is the one policies are ranked by.
    pub fn of_workload(jobs: bool) -> &'static [Metric] {
        if jobs {
            &Self::JOBS
        } else {
            &Self::TASKS
        }
    }

    /// Its column name in `summary.csv` and its name in `compare.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::JobMeanResponse => "job_mean_response",
            Metric::JobP99Response => "job_p99_response",
            Metric::MeanResponse => "mean_response",
            Metric::P99Response => "p99_response",
            Metric::Throughput => "throughput",
        }
    }

    /// Whether more is better.
    pub fn higher_is_better(self) -> bool {
        self == Metric::Throughput
    }

    fn of(self, r: &RunResult) -> f64 {
        match self {
            Metric::JobMeanResponse => r.job_mean_response,
            Metric::JobP99Response => r.job_p99_response,
            Metric::MeanResponse => r.mean_response,
            Metric::P99Response => r.p99_response,
            Metric::Throughput => r.throughput,
        }
    }
}

/// What a comparison concludes.
pub mod verdict {
    /// Significantly better than the baseline (after Holm's correction).
    pub const BETTER: &str = "better";
    /// Significantly worse.
    pub const WORSE: &str = "worse";
    /// No significant difference.
    pub const SAME: &str = "no detectable difference";
    /// A single replication: no interval, no test.
    pub const ONE: &str = "n/a (1 replication)";
    /// No replication succeeded for both policies.
    pub const NONE: &str = "n/a (no paired replications)";
}

/// One row of `compare.csv`: a policy against the baseline on one metric at one
/// sweep point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Scenario name.
    pub scenario: String,
    /// The swept parameter (a column only in swept scenarios' files).
    pub sweep_parameter: Option<String>,
    /// Its value at this point.
    pub sweep_value: Option<f64>,
    /// The policy's discipline.
    pub discipline: String,
    /// The policy's balancer.
    pub balancer: String,
    /// The baseline's discipline.
    pub baseline_discipline: String,
    /// The baseline's balancer.
    pub baseline_balancer: String,
    /// `mean_response`, `p99_response`, `throughput`, and with jobs of many tasks
    /// `job_mean_response` and `job_p99_response`.
    pub metric: &'static str,
    /// Replications paired (those that gave both policies a number).
    pub replications: u32,
    /// The baseline's mean over those replications.
    pub baseline_value: f64,
    /// The policy's mean over those replications.
    pub value: f64,
    /// Mean of (policy − baseline) over the replications.
    pub difference: f64,
    /// Lower end of its 95% paired t interval (empty with one replication).
    pub difference_low: Option<f64>,
    /// Upper end.
    pub difference_high: Option<f64>,
    /// `value / baseline_value`.
    pub ratio: f64,
    /// Lower end of its 95% Fieller interval (empty with one replication, or unbounded).
    pub ratio_low: Option<f64>,
    /// Upper end.
    pub ratio_high: Option<f64>,
    /// Two-sided p-value of the paired t test.
    pub p_value: Option<f64>,
    /// The p-value adjusted by Holm's method over the scenario's comparisons.
    pub p_holm: Option<f64>,
    /// `better`, `worse`, `no detectable difference`, or `n/a (...)`.
    pub verdict: &'static str,
}

/// The paired statistics of `(policy, baseline)` values, one pair per replication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Pairs.
    pub n: usize,
    /// Mean of the policy's values.
    pub mean: f64,
    /// Mean of the baseline's values.
    pub baseline: f64,
    /// Mean difference.
    pub difference: f64,
    /// Half-width of the difference's 95% t interval (`None` for n < 2).
    pub half_width: Option<f64>,
    /// The ratio's 95% Fieller interval (`None` for n < 2 or unbounded).
    pub ratio_interval: Option<(f64, f64)>,
    /// Two-sided p-value (`None` for n < 2).
    pub p_value: Option<f64>,
}

impl Paired {
    /// The statistics of `pairs` (policy, baseline).
    pub fn of(pairs: &[(f64, f64)]) -> Paired {
        let n = pairs.len();
        let nf = n as f64;
        let mean = pairs.iter().map(|p| p.0).sum::<f64>() / nf;
        let baseline = pairs.iter().map(|p| p.1).sum::<f64>() / nf;
        let difference = pairs.iter().map(|p| p.0 - p.1).sum::<f64>() / nf;
        if n < 2 {
            return Paired { n, mean, baseline, difference, half_width: None, ratio_interval: None, p_value: None };
        }
        // Variances and covariance of the two means.
        let cov = |f: fn(&(f64, f64)) -> f64, g: fn(&(f64, f64)) -> f64, mf: f64, mg: f64| {
            pairs.iter().map(|p| (f(p) - mf) * (g(p) - mg)).sum::<f64>() / (nf - 1.0) / nf
        };
        let v11 = cov(|p| p.0, |p| p.0, mean, mean);
        let v22 = cov(|p| p.1, |p| p.1, baseline, baseline);
        let v12 = cov(|p| p.0, |p| p.1, mean, baseline);
        let vd = pairs.iter().map(|p| (p.0 - p.1 - difference).powi(2)).sum::<f64>() / (nf - 1.0) / nf;
        let t = student_t_975(n as u32 - 1);
        let p_value = if vd > 0.0 {
            let dist = StudentsT::new(0.0, 1.0, nf - 1.0).expect("df >= 1");
            Some((2.0 * (1.0 - dist.cdf((difference / vd.sqrt()).abs()))).clamp(0.0, 1.0))
        } else if difference == 0.0 {
            Some(1.0)
        } else {
            // The same difference in every replication: certain.
            Some(0.0)
        };
        Paired {
            n,
            mean,
            baseline,
            difference,
            half_width: Some(t * vd.sqrt()),
            ratio_interval: fieller(mean, baseline, v11, v22, v12, t),
            p_value,
        }
    }
}

/// Fieller's interval for a / b, with the means' variances v11, v22 and covariance
/// v12 and the t quantile `t`: the ρ with (a − ρb)² ≤ t²(v11 − 2ρ v12 + ρ² v22).
/// `None` when that set is not a bounded interval (b not clearly away from 0).
fn fieller(a: f64, b: f64, v11: f64, v22: f64, v12: f64, t: f64) -> Option<(f64, f64)> {
    let t2 = t * t;
    let qa = b * b - t2 * v22;
    if qa <= 0.0 || !qa.is_finite() {
        return None;
    }
    let qb = a * b - t2 * v12;
    let qc = a * a - t2 * v11;
    let disc = (qb * qb - qa * qc).max(0.0);
    let root = disc.sqrt();
    Some(((qb - root) / qa, (qb + root) / qa))
}

/// Holm's step-down adjustment of `p` (Holm 1979): the i-th smallest becomes
/// max over j ≤ i of min(1, (m − j + 1) p_(j)). Same order as given.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut adjusted = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Compares every group of a scenario with the baseline at its sweep point: `groups`
/// are the scenario's (sweep point, discipline, balancer) groups in plan order, and
/// `baseline` the (discipline, balancer) labels of the baseline policy, `metrics` what
/// is compared ([`Metric::of_workload`]). Rows come by sweep point, then policy (plan
/// order), then metric; a sweep point where the baseline has no result gets none.
pub fn compare(groups: &[Replications<'_>], baseline: (&str, &str), metrics: &[Metric]) -> Vec<Comparison> {
    let mut rows: Vec<(Metric, Comparison)> = Vec::new();
    for base in groups.iter().filter(|g| (g.first().discipline.as_str(), g.first().balancer.as_str()) == baseline) {
        let b = base.first();
        for g in groups.iter().filter(|g| g.first().sweep_value == b.sweep_value && !std::ptr::eq(g.first(), b)) {
            for &metric in metrics {
                rows.push((metric, comparison(g, base, metric)));
            }
        }
    }
    let tested: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].1.p_value.is_some()).collect();
    let adjusted = holm(&tested.iter().map(|&i| rows[i].1.p_value.unwrap_or(1.0)).collect::<Vec<_>>());
    for (&i, p) in tested.iter().zip(adjusted) {
        let (metric, row) = &mut rows[i];
        row.p_holm = Some(p);
        row.verdict = if p > FAMILY_LEVEL || row.difference == 0.0 {
            verdict::SAME
        } else if (row.difference > 0.0) == metric.higher_is_better() {
            verdict::BETTER
        } else {
            verdict::WORSE
        };
    }
    rows.into_iter().map(|(_, row)| row).collect()
}

/// One policy against the baseline on one metric, before Holm's adjustment.
fn comparison(policy: &Replications<'_>, baseline: &Replications<'_>, metric: Metric) -> Comparison {
    let base: BTreeMap<u32, f64> = baseline.results().map(|r| (r.replication, metric.of(r))).collect();
    let pairs: Vec<(f64, f64)> = policy
        .results()
        .filter_map(|r| Some((metric.of(r), *base.get(&r.replication)?)))
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    let (p, b) = (policy.first(), baseline.first());
    let stats = if pairs.is_empty() { None } else { Some(Paired::of(&pairs)) };
    let nan = f64::NAN;
    let s = stats.unwrap_or(Paired {
        n: 0,
        mean: nan,
        baseline: nan,
        difference: nan,
        half_width: None,
        ratio_interval: None,
        p_value: None,
    });
    Comparison {
        scenario: p.scenario.clone(),
        sweep_parameter: p.sweep_parameter.clone(),
        sweep_value: p.sweep_value,
        discipline: p.discipline.clone(),
        balancer: p.balancer.clone(),
        baseline_discipline: b.discipline.clone(),
        baseline_balancer: b.balancer.clone(),
        metric: metric.name(),
        replications: s.n as u32,
        baseline_value: s.baseline,
        value: s.mean,
        difference: s.difference,
        difference_low: s.half_width.map(|h| s.difference - h),
        difference_high: s.half_width.map(|h| s.difference + h),
        ratio: s.mean / s.baseline,
        ratio_low: s.ratio_interval.map(|r| r.0),
        ratio_high: s.ratio_interval.map(|r| r.1),
        p_value: s.p_value,
        p_holm: None,
        verdict: match s.n {
            0 => verdict::NONE,
            1 => verdict::ONE,
            _ => verdict::SAME,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_t_by_hand() {
        // Differences 1, 2, 3: mean 2, sd 1, half-width t(2) / sqrt(3); t = 2 sqrt(3),
        // two-sided p = 0.0742 (tables: t = 3.464 with 2 df).
        let s = Paired::of(&[(11.0, 10.0), (22.0, 20.0), (33.0, 30.0)]);
        assert_eq!(s.difference, 2.0);
        assert!((s.half_width.unwrap() - 4.302_652_7 / 3f64.sqrt()).abs() < 1e-6);
        assert!((s.p_value.unwrap() - 0.074_180).abs() < 1e-4, "{:?}", s.p_value);
        // The baseline's own mean (20 ± 24.8) is not clearly above 0: no bounded
        // interval for the ratio.
        assert_eq!(s.ratio_interval, None);
        // Every ratio exactly 1.1 and the baseline clearly above 0: the ratio is certain.
        let s = Paired::of(&[(11.0, 10.0), (12.1, 11.0), (13.2, 12.0)]);
        let (lo, hi) = s.ratio_interval.unwrap();
        assert!((lo - 1.1).abs() < 1e-9 && (hi - 1.1).abs() < 1e-9, "{lo} {hi}");
    }

    #[test]
    fn fieller_contains_one_exactly_when_the_difference_interval_contains_zero() {
        let mut rng = crate::engine::SimRng::new(3);
        for _ in 0..2000 {
            let shift = rng.open01() * 0.4 - 0.2;
            let pairs: Vec<(f64, f64)> = (0..4)
                .map(|_| {
                    let b = 5.0 + 3.0 * rng.open01();
                    (b * (1.0 + shift) + rng.open01() - 0.5, b)
                })
                .collect();
            let s = Paired::of(&pairs);
            let h = s.half_width.unwrap();
            let (lo, hi) = s.ratio_interval.unwrap();
            let diff_has_zero = (s.difference - h) <= 0.0 && 0.0 <= (s.difference + h);
            let ratio_has_one = lo <= 1.0 && 1.0 <= hi;
            if (s.difference.abs() - h).abs() > 1e-9 {
                assert_eq!(diff_has_zero, ratio_has_one, "{pairs:?}");
            }
            assert!(lo <= s.mean / s.baseline && s.mean / s.baseline <= hi);
        }
    }

    #[test]
    fn constant_differences_are_certain_and_none_is_no_difference() {
        let s = Paired::of(&[(2.0, 1.0), (3.0, 2.0)]);
        assert_eq!((s.p_value, s.half_width), (Some(0.0), Some(0.0)));
        let s = Paired::of(&[(1.0, 1.0), (2.0, 2.0)]);
        assert_eq!(s.p_value, Some(1.0));
        let s = Paired::of(&[(1.0, 2.0)]);
        assert_eq!((s.p_value, s.half_width, s.ratio_interval), (None, None, None));
    }

    #[test]
    fn holm_by_hand() {
        // m = 4: sorted 0.01, 0.02, 0.03, 0.5 -> 0.04, 0.06, 0.06, 0.5.
        let a = holm(&[0.03, 0.01, 0.5, 0.02]);
        let want = [0.06, 0.04, 0.5, 0.06];
        for (x, y) in a.iter().zip(want) {
            assert!((x - y).abs() < 1e-12, "{a:?}");
        }
        assert_eq!(holm(&[0.9, 0.8]), vec![1.0, 1.0]);
        assert!(holm(&[]).is_empty());
    }
}
