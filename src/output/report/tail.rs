//! The tail chart (`ccdf`): P(response > x) per policy on log-log axes, from
//! `cdf.csv`: the chart for talking about p99 and p99.9.
//!
//! On the CDF's linear 0-1 axis the last percent of tasks is a sliver at the top;
//! here each decade of probability gets the same height, so p99 (height 0.01) and
//! p99.9 (0.001) are grid lines and a heavy tail shows as a shallow slope. The chart
//! starts at the median (height 0.5): the body is the CDF's business.
//!
//! A quantile far in the tail rests on few tasks: a curve stops where fewer than
//! [`MIN_TASKS_BEYOND`] tasks of a replication (counted from `summary.csv`) lie
//! beyond it, rather than draw noise as if it were the tail.

use super::data::Results;
use super::Chart;
use crate::output::chart::{fmt_plain, AxisSpec, Figure, LinePanel, LinePlot, Plot, Scale, Series};

/// A point at tail probability p is drawn only when each replication has at least
/// this many tasks beyond it (n × p): its relative error is then about
/// 1/sqrt(10) ≈ 30% in probability, an eighth of a decade on the chart.
pub(super) const MIN_TASKS_BEYOND: f64 = 10.0;

/// The tail chart of the focus point, if `cdf.csv` has quantiles from the median on.
/// `focus` is " at load = 0.95" or ""; `reps` the replication count as text.
pub(super) fn figure(r: &Results, focus: &str, reps: Option<&str>) -> Option<Chart> {
    let mut series = Vec::new();
    let mut lowest = 1.0f64;
    for (pi, p) in r.policies.iter().enumerate() {
        // Tasks per replication of this policy (all completed, warm-up included: an
        // overestimate of about the warm-up fraction).
        let per_rep = r
            .summary
            .iter()
            .find(|s| s.policy == pi && r.at_focus(&s.sweep))
            .and_then(|s| Some(s.tasks_completed? / s.replications.unwrap_or(1.0).max(1.0)));
        let mut pts: Vec<(f64, f64)> = r
            .cdf
            .iter()
            .filter(|c| c.policy == pi && r.at_focus(&c.sweep) && c.quantile >= 0.5 && c.quantile < 1.0)
            .filter(|c| per_rep.is_none_or(|n| n * (1.0 - c.quantile) >= MIN_TASKS_BEYOND * (1.0 - 1e-9)))
            .map(|c| (c.response, 1.0 - c.quantile))
            .collect();
        pts.sort_by(|a, b| b.1.total_cmp(&a.1));
        if pts.len() >= 2 {
            lowest = pts.iter().map(|p| p.1).fold(lowest, f64::min);
            series.push(Series { label: p.label.clone(), look: pi, points: pts, band: vec![] });
        }
    }
    if series.is_empty() {
        return None;
    }
    // The decade at or below the lowest point (1 - 0.9999 is 1e-4 give or take an ulp).
    let bottom = 10f64.powf((lowest.log10() + 1e-6).floor());
    let reps_note = reps.map(|n| format!(" over {n} replications")).unwrap_or_default();
    Some(Chart {
        fig: Figure {
            stem: "ccdf".into(),
            title: format!("Response-time tail{focus} — {}", r.scenario_name),
            note: Some(format!(
                "P(response > x) from the median on{reps_note}; read a curve's x at 0.01 for its p99, at 0.001 for its p99.9.\nA curve stops where fewer than {} tasks per replication lie beyond it; the last points rest on a few long queues\nand tend to read low unless runs are long.",
                fmt_plain(MIN_TASKS_BEYOND)
            )),
            plot: Plot::Lines(LinePlot {
                x: AxisSpec::new("response time (s)", Scale::Log),
                panels: vec![LinePanel {
                    y: AxisSpec::new("fraction of tasks slower than x", Scale::Log).with_range(bottom, 1.0),
                    height: 1.0,
                    series,
                }],
                events: vec![],
                regions: vec![],
                markers: false,
            }),
        },
        caption: format!(
            "The tail of the response-time distribution per policy{focus}: the height of a curve at x is the fraction of tasks that took longer than x, on log-log axes, so that each decade of probability gets the same room. A curve's x at height 0.01 is its p99, at 0.001 its p99.9; lower and further left is better, and a shallow slope is a heavy tail. Curves stop where fewer than {} tasks per replication lie beyond a point (too few to estimate it). Slow tasks come in bursts (a long queue delays many tasks in a row), so the deepest points rest on fewer independent events than tasks, and in short runs they tend to read low: M/M/1 at load 0.8 needs millions of tasks to meet theory at 1e-4.",
            fmt_plain(MIN_TASKS_BEYOND)
        ),
    })
}
