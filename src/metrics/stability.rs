//! Whether a run kept up: a trend test on the number of tasks in the system, sampled
//! at the end of each of a few dozen windows while arrivals last.
//!
//! A stable queue holds a number of tasks that wanders about a level; an unstable one
//! (a policy that sends more work to some nodes than they can do) holds more and more:
//! it gains, per second, the arrival rate less the rate at which it completes tasks.
//! The statistics here are computed once per run from at most [`MAX_SAMPLES`] samples,
//! taken by an engine event per window (not per task): the cost of a task is unchanged.
//!
//! A run is *unstable* when both hold over the measured span of its arrivals (from the
//! end of the warm-up to the last arrival):
//!
//! - the tasks in the system grow: the Mann–Kendall trend test (Mann 1945, Kendall
//!   1975; the normal approximation with the tie correction) rejects "no upward trend"
//!   at one-sided level [`TREND_LEVEL`];
//! - the growth is material: Sen's slope (the median of the slopes between every pair
//!   of samples, Sen 1968) is at least [`GROWTH_SHARE`] of the arrival rate, i.e. at
//!   least that share of the tasks arriving are not completed while arrivals last:
//!   throughput falls short of the arrival rate by that much.
//!
//! The second condition keeps slow wanders of a stable queue near saturation (whose
//! samples are correlated, which the trend test assumes they are not) from being
//! called growth: such a queue gains over a span a few times its own level, never a
//! fixed share of every task that arrives. An unstable run gains a share that stays
//! put however long it runs (in the bundled `web-farm`, `shortest_response_time`
//! gains 7 to 9 tasks a second of the 28 arriving: a share of about 0.3).

use serde::Serialize;

/// Samples per run aimed at, over the expected span of the arrivals.
pub const TREND_WINDOWS: f64 = 64.0;

/// Most samples kept: past it, every other sample is dropped and the window doubles.
pub const MAX_SAMPLES: usize = 256;

/// Fewest samples after the warm-up for a verdict: with fewer, a run is not flagged.
pub const MIN_SAMPLES: usize = 10;

/// One-sided level of the Mann–Kendall test.
pub const TREND_LEVEL: f64 = 0.001;

/// Least growth, as a share of the arrival rate, that counts as unstable.
pub const GROWTH_SHARE: f64 = 0.02;

/// The tasks in the system at the end of each window while arrivals last: the
/// run's raw material for [`Stability`].
#[derive(Debug, Clone)]
pub(crate) struct TrendSamples {
    /// Window length, seconds.
    pub width: f64,
    /// `(time, tasks in system, tasks arrived so far)` at each window's end.
    points: Vec<(f64, u64, u64)>,
}

impl TrendSamples {
    /// Samples every `width` seconds.
    pub fn new(width: f64) -> Self {
        TrendSamples { width, points: Vec::new() }
    }

    /// Records a sample; returns the time of the next. Past [`MAX_SAMPLES`], every
    /// other sample is dropped and the window doubles, so a run that lasts far longer
    /// than expected keeps a bounded list.
    pub fn record(&mut self, now: f64, in_system: u64, arrived: u64) -> f64 {
        self.points.push((now, in_system, arrived));
        if self.points.len() >= MAX_SAMPLES {
            let kept: Vec<_> = self.points.iter().skip(1).step_by(2).copied().collect();
            self.points = kept;
            self.width *= 2.0;
        }
        now + self.width
    }

    /// The samples from `from` on.
    fn after(&self, from: f64) -> &[(f64, u64, u64)] {
        let start = self.points.partition_point(|p| p.0 < from);
        &self.points[start..]
    }
}

/// What the trend test found in one run: columns of `runs.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stability {
    /// Sen's slope of the tasks in the system while arrivals last, tasks per second
    /// (NaN with fewer than [`MIN_SAMPLES`] samples).
    pub in_system_growth: f64,
    /// The run did not keep up (see the module documentation).
    pub unstable: bool,
}

impl Stability {
    /// Nothing to say (too few samples): not flagged.
    pub const UNKNOWN: Stability = Stability { in_system_growth: f64::NAN, unstable: false };
}

/// The stability of a run from its samples after `from` (the end of the warm-up).
pub(crate) fn stability(samples: &TrendSamples, from: f64) -> Stability {
    let points = samples.after(from);
    if points.len() < MIN_SAMPLES {
        return Stability::UNKNOWN;
    }
    let (t0, _, a0) = points[0];
    let (t1, _, a1) = points[points.len() - 1];
    let arrival_rate = if t1 > t0 { (a1 - a0) as f64 / (t1 - t0) } else { f64::NAN };
    let xy: Vec<(f64, f64)> = points.iter().map(|&(t, n, _)| (t, n as f64)).collect();
    let growth = sen_slope(&xy);
    let z = mann_kendall_z(&xy.iter().map(|p| p.1).collect::<Vec<_>>());
    let significant = z > upper_normal_quantile(TREND_LEVEL);
    let material = arrival_rate > 0.0 && growth >= GROWTH_SHARE * arrival_rate;
    Stability { in_system_growth: growth, unstable: significant && material }
}

/// The Mann–Kendall statistic S of `ys` (in order) as a standard normal deviate: with
/// the variance corrected for ties and a continuity correction of 1.
pub fn mann_kendall_z(ys: &[f64]) -> f64 {
    let n = ys.len();
    if n < 3 {
        return 0.0;
    }
    let mut s: i64 = 0;
    for i in 0..n {
        for j in i + 1..n {
            s += match ys[j].partial_cmp(&ys[i]) {
                Some(std::cmp::Ordering::Greater) => 1,
                Some(std::cmp::Ordering::Less) => -1,
                _ => 0,
            };
        }
    }
    // Tie groups t: Var(S) = [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18.
    let mut sorted = ys.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut i = 0;
    while i < n {
        let j = sorted[i..].iter().take_while(|&&y| y == sorted[i]).count();
        let t = j as f64;
        ties += t * (t - 1.0) * (2.0 * t + 5.0);
        i += j;
    }
    let nf = n as f64;
    let var = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    if var <= 0.0 {
        return 0.0;
    }
    let s = s as f64;
    let corrected = if s > 0.0 {
        s - 1.0
    } else if s < 0.0 {
        s + 1.0
    } else {
        0.0
    };
    corrected / var.sqrt()
}

/// Sen's slope: the median of the slopes between every pair of points with distinct x.
pub fn sen_slope(points: &[(f64, f64)]) -> f64 {
    let mut slopes = Vec::with_capacity(points.len() * points.len().saturating_sub(1) / 2);
    for (i, a) in points.iter().enumerate() {
        for b in &points[i + 1..] {
            if b.0 != a.0 {
                slopes.push((b.1 - a.1) / (b.0 - a.0));
            }
        }
    }
    if slopes.is_empty() {
        return f64::NAN;
    }
    slopes.sort_by(f64::total_cmp);
    let m = slopes.len();
    if m % 2 == 1 {
        slopes[m / 2]
    } else {
        (slopes[m / 2 - 1] + slopes[m / 2]) / 2.0
    }
}

/// The standard normal quantile above which a share `p` lies.
fn upper_normal_quantile(p: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::new(0.0, 1.0).expect("standard normal").inverse_cdf(1.0 - p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mann_kendall_by_hand() {
        // 1, 2, 3, 4: S = 6, Var = 4 * 3 * 13 / 18 = 26/3; z = 5 / sqrt(26/3).
        let z = mann_kendall_z(&[1.0, 2.0, 3.0, 4.0]);
        assert!((z - 5.0 / (26.0f64 / 3.0).sqrt()).abs() < 1e-12);
        // Ties: 1, 1, 2: S = 2 (pairs (1,2) twice), Var = (3*2*11 - 2*1*9) / 18 = 48/18.
        let z = mann_kendall_z(&[1.0, 1.0, 2.0]);
        assert!((z - 1.0 / (48.0f64 / 18.0).sqrt()).abs() < 1e-12);
        assert_eq!(mann_kendall_z(&[3.0, 3.0, 3.0, 3.0]), 0.0);
        assert!(mann_kendall_z(&[4.0, 3.0, 2.0, 1.0]) < 0.0);
    }

    #[test]
    fn sen_slope_ignores_an_outlier() {
        let pts: Vec<(f64, f64)> = (0..11).map(|i| (i as f64, 2.0 * i as f64)).collect();
        assert_eq!(sen_slope(&pts), 2.0);
        let mut bad = pts.clone();
        bad[5].1 = 1000.0;
        assert_eq!(sen_slope(&bad), 2.0);
    }

    fn samples(values: impl Iterator<Item = (f64, u64, u64)>) -> TrendSamples {
        let mut s = TrendSamples::new(1.0);
        for (t, n, a) in values {
            s.record(t, n, a);
        }
        s
    }

    #[test]
    fn a_growing_queue_is_unstable_and_a_level_one_is_not() {
        // 10 arrivals a second, half of them left behind: growth 5 a second.
        let growing = samples((0..40).map(|k| (k as f64, 5 * k as u64 + (k % 3) as u64, 10 * k as u64)));
        let s = stability(&growing, 0.0);
        assert!(s.unstable && (s.in_system_growth - 5.0).abs() < 0.1, "{s:?}");
        // Level with noise: no trend.
        let level = samples((0..40).map(|k| (k as f64, 50 + (k * 7 % 11) as u64, 10 * k as u64)));
        assert!(!stability(&level, 0.0).unstable);
        // Growing, but by 1% of arrivals: significant, not material.
        let slow = samples((0..40).map(|k| (k as f64, 20 + k as u64 / 10, 10 * k as u64)));
        assert!(!stability(&slow, 0.0).unstable);
        // Samples before the warm-up's end are left out; too few left: no verdict.
        assert!(!stability(&growing, 35.0).unstable);
        assert!(stability(&growing, 35.0).in_system_growth.is_nan());
    }

    #[test]
    fn long_runs_keep_a_bounded_list() {
        let mut s = TrendSamples::new(1.0);
        let mut t = 0.0;
        for k in 0..10_000u64 {
            t = s.record(t, k, k);
        }
        assert!(s.points.len() < MAX_SAMPLES);
        assert!(s.points.windows(2).all(|w| w[1].0 > w[0].0));
    }
}
