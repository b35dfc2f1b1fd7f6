//! The job response chart (`job_response`), from the job columns of `summary.csv`:
//! bars per policy of the mean and p99 job response, with their 95% intervals.
//!
//! With jobs of many tasks the question is a job's response (arrival to its last
//! task), and the `response` chart shows tasks': the job figures get bars of their
//! own, beside the job CDF, so a reader compares policies on what the scenario asks.

use super::data::{Results, Stat, SummaryRow};
use super::Chart;
use crate::output::chart::{BarPanel, BarPlot, Figure, Plot};

/// The chart of the focus point, if `summary.csv` has job columns. `focus` is " at
/// load = 0.95" or ""; `reps` the replication count as text.
pub(super) fn figure(r: &Results, focus: &str, reps: Option<&str>) -> Option<Chart> {
    let rows: Vec<&SummaryRow> = r.summary.iter().filter(|s| r.at_focus(&s.sweep)).collect();
    if !rows.iter().any(|s| s.job_mean_response.mean.is_some()) {
        return None;
    }
    let categories: Vec<(String, usize)> =
        rows.iter().map(|s| (r.policies[s.policy].label.clone(), s.policy)).collect();
    let panel = |title: &str, get: fn(&SummaryRow) -> Stat| BarPanel {
        title: title.into(),
        axis: "job response time (s)".into(),
        values: rows.iter().map(|s| get(s).bar()).collect(),
        range: None,
        reference: None,
    };
    let panels = vec![panel("job mean", |s| s.job_mean_response), panel("job p99", |s| s.job_p99)];
    let note = match reps {
        Some("1") | None => "One replication: no confidence intervals.".to_string(),
        Some(n) => format!("Whiskers: 95% confidence intervals over {n} replications (Student t)."),
    };
    let caption = format!(
        "Mean and 99th percentile of job response time (a job's arrival to its last task's completion) per \
         policy{focus}, each the mean over replications of the per-run figure, with 95% confidence intervals. The \
         response chart shows tasks; this one shows the jobs they belong to. Each panel has its own scale."
    );
    Some(Chart {
        fig: Figure {
            stem: "job_response".into(),
            title: format!("Job response time per policy{focus} — {}", r.scenario_name),
            note: Some(note),
            plot: Plot::Bars(BarPlot { categories, panels }),
        },
        caption,
    })
}
