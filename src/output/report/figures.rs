//! Which charts a results folder gets, from which of its tables: the latency-vs-sweep
//! lines, the response and throughput bars, the response-time distributions (task,
//! job, tail), the time series, per-node utilization and the Gantt chart, each with
//! the caption the report prints under it.

use super::data::{self, Results, Stat, SummaryRow};
use super::{compare, nodes, tail, timeseries, Chart};
use crate::output::chart::{fmt_plain, AxisSpec, BarPanel, BarPlot, Figure, LinePanel, LinePlot, Plot, Scale, Series};
use crate::output::gantt::GanttJob;

/// Every chart the tables of `r` support, in the order the report shows them.
pub(super) fn figures(r: &Results) -> Vec<Chart> {
    let mut out = Vec::new();
    let name = &r.scenario_name;
    let reps = replications_text(r);
    let ci_note = |what: &str| match reps.as_deref() {
        Some("1") | None => "One replication: no confidence intervals.".to_string(),
        Some(n) => format!("{what}: 95% confidence intervals over {n} replications (Student t)."),
    };
    let focus = match (&r.sweep_parameter, r.focus()) {
        (Some(p), Some(v)) if r.sweep_values.len() > 1 => format!(" at {p} = {v}"),
        _ => String::new(),
    };

    // Latency vs the swept parameter.
    if r.sweep_values.len() >= 2 {
        let param = r.sweep_parameter.clone().unwrap_or_else(|| "sweep value".into());
        let numeric: Option<Vec<f64>> = r.sweep_values.iter().map(|v| v.parse().ok()).collect();
        let mut x = AxisSpec::new(param.clone(), Scale::Linear);
        if numeric.is_none() {
            x.categories = r.sweep_values.clone();
        }
        let xs: Vec<f64> = numeric.unwrap_or_else(|| (0..r.sweep_values.len()).map(|i| i as f64).collect());
        for (stem, what, get) in [
            ("latency_mean", "Mean response time", (|s: &SummaryRow| s.mean_response) as fn(&SummaryRow) -> Stat),
            ("latency_p99", "p99 response time", |s: &SummaryRow| s.p99),
        ] {
            let mut series = Vec::new();
            for (pi, p) in r.policies.iter().enumerate() {
                let mut s = Series { label: p.label.clone(), look: pi, points: Vec::new(), band: Vec::new() };
                for (v, &xv) in r.sweep_values.iter().zip(&xs) {
                    let row = r
                        .summary
                        .iter()
                        .find(|s| s.policy == pi && s.sweep.as_deref().is_some_and(|w| data::same_sweep(w, v)));
                    if let Some(Stat { mean: Some(m), ci }) = row.map(get) {
                        s.points.push((xv, m));
                        if let Some(c) = ci {
                            s.band.push((xv, m - c, m + c));
                        }
                    }
                }
                if !s.points.is_empty() {
                    series.push(s);
                }
            }
            if series.is_empty() {
                continue;
            }
            let y = AxisSpec::new(format!("{} (s)", what.to_lowercase()), Scale::Auto);
            out.push(Chart {
                fig: Figure {
                    stem: stem.into(),
                    title: format!("{what} vs {param} — {name}"),
                    note: Some(ci_note("Shaded bands")),
                    plot: Plot::Lines(LinePlot { x: x.clone(), panels: vec![LinePanel { y, height: 1.0, series }], events: vec![], regions: vec![], markers: true }),
                },
                caption: format!(
                    "{what} of each policy at each value of {param}; the shaded band around a line is the 95% confidence interval of that value. The y axis is logarithmic when the values span more than a factor of 10.{}",
                    compare::saturation_caption(r)
                ),
            });
        }
    }

    // Bars at the focus point.
    let rows: Vec<&SummaryRow> = r.summary.iter().filter(|s| r.at_focus(&s.sweep)).collect();
    let categories: Vec<(String, usize)> =
        rows.iter().map(|s| (r.policies[s.policy].label.clone(), s.policy)).collect();
    let panel = |title: &str, axis: &str, get: fn(&SummaryRow) -> Stat| BarPanel {
        title: title.into(),
        axis: axis.into(),
        values: rows.iter().map(|s| get(s).bar()).collect(),
        range: None,
        reference: None,
    };
    let has = |get: fn(&SummaryRow) -> Stat| rows.iter().any(|s| get(s).mean.is_some());
    let mut response_panels = Vec::new();
    for (title, get) in [
        ("mean", (|s: &SummaryRow| s.mean_response) as fn(&SummaryRow) -> Stat),
        ("p50 (median)", |s: &SummaryRow| s.p50),
        ("p95", |s: &SummaryRow| s.p95),
        ("p99", |s: &SummaryRow| s.p99),
    ] {
        if has(get) {
            response_panels.push(panel(title, "response time (s)", get));
        }
    }
    let whiskers = |panels: &[BarPanel]| {
        let with: Vec<&str> = panels
            .iter()
            .filter(|p| p.values.iter().any(|v| v.is_some_and(|(_, ci)| ci.is_some())))
            .map(|p| p.title.as_str())
            .collect();
        if with.is_empty() && !matches!(reps.as_deref(), Some("1") | None) {
            "The tables give no confidence intervals for these figures.".to_string()
        } else if with.is_empty() || with.len() == panels.len() {
            ci_note("Whiskers")
        } else {
            ci_note(&format!("Whiskers ({} only)", with.join(", ")))
        }
    };
    if !rows.is_empty() && !response_panels.is_empty() {
        out.push(Chart {
            fig: Figure {
                stem: "response".into(),
                // With jobs of many tasks these are tasks' (the jobs' are `job_response`).
                title: format!(
                    "{} time per policy{focus} — {name}",
                    if r.job_cdf.is_empty() { "Response" } else { "Task response" }
                ),
                note: Some(whiskers(&response_panels)),
                plot: Plot::Bars(BarPlot { categories: categories.clone(), panels: response_panels }),
            },
            caption: format!("Mean, median, 95th and 99th percentile of response time (completion − arrival) per policy{focus}, each the mean over replications of the per-run figure; whiskers are 95% confidence intervals where the tables give them. Each panel has its own scale: linear from zero, or logarithmic when the values span more than a factor of 10 (said under the axis; the bars then start at the power of ten below the smallest value, and the numbers beside them give the values)."),
        });
    }
    let mut tput_panels = Vec::new();
    if has(|s| s.throughput) {
        tput_panels.push(panel("throughput", "tasks/s", |s| s.throughput));
    }
    if has(|s| s.utilization) {
        tput_panels.push(panel("utilization", "fraction of capacity busy", |s| s.utilization));
    }
    if !rows.is_empty() && !tput_panels.is_empty() {
        out.push(Chart {
            fig: Figure {
                stem: "throughput".into(),
                title: format!("Throughput and utilization per policy{focus} — {name}"),
                note: Some(whiskers(&tput_panels)),
                plot: Plot::Bars(BarPlot { categories, panels: tput_panels }),
            },
            caption: format!("Completed tasks per second and mean node utilization per policy{focus}. Below saturation every policy completes what arrives, so throughput is equal; a policy that falls behind shows lower throughput."),
        });
    }

    // Response-time distribution.
    let mut series = Vec::new();
    for (pi, p) in r.policies.iter().enumerate() {
        let mut pts: Vec<(f64, f64)> =
            r.cdf.iter().filter(|c| c.policy == pi && r.at_focus(&c.sweep)).map(|c| (c.response, c.quantile)).collect();
        pts.sort_by(|a, b| a.1.total_cmp(&b.1));
        if !pts.is_empty() {
            series.push(Series { label: p.label.clone(), look: pi, points: pts, band: vec![] });
        }
    }
    if !series.is_empty() {
        let reps_note = reps.as_deref().map(|n| format!(" over {n} replications")).unwrap_or_default();
        let qs = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
        let (q_lo, q_hi) = qs.fold((1.0f64, 0.0f64), |(a, b), q| (a.min(q), b.max(q)));
        out.push(Chart {
            fig: Figure {
                stem: "cdf".into(),
                title: format!("Response-time distribution{focus} — {name}"),
                note: Some(format!("Quantiles {} to {} of response time{reps_note}; read a curve's x at height 0.99 for its p99.", fmt_plain(q_lo), fmt_plain(q_hi))),
                plot: Plot::Lines(LinePlot {
                    x: AxisSpec::new("response time (s)", Scale::Auto),
                    panels: vec![LinePanel {
                        y: AxisSpec::new("fraction of tasks", Scale::Linear).with_range(0.0, 1.0),
                        height: 1.0,
                        series,
                    }],
                    events: vec![],
                    regions: vec![],
                    markers: false,
                }),
            },
            caption: format!("Cumulative distribution of response time per policy{focus}: the height of a curve at x is the fraction of tasks that finished within x seconds. Curves further left are better; the x axis is logarithmic when response times span decades. The tail chart below shows the last percents."),
        });
    }
    out.extend(super::job_response::figure(r, &focus, reps.as_deref()));
    out.extend(job_cdf(r, &focus, reps.as_deref()));
    out.extend(tail::figure(r, &focus, reps.as_deref()));

    out.extend(timeseries::figure(r, &focus));

    // Per-node utilization.
    out.extend(nodes::figure(r, &focus, reps.as_deref()));

    // The first jobs' cores over time, a panel per policy (central mode).
    let panels: Vec<(String, Vec<&GanttJob>)> = (r.policies.iter().enumerate())
        .map(|(pi, p)| {
            let jobs = r.gantt.iter().filter(|g| g.policy == pi && r.at_focus(&g.sweep)).map(|g| &g.job).collect();
            (p.label.clone(), jobs)
        })
        .collect();
    let what = if r.job_cdf.is_empty() { "jobs" } else { "tasks" };
    if let Some((fig, caption)) = crate::output::gantt::figure_of(name, &focus, &panels, what) {
        out.push(Chart { fig, caption });
    }
    out.extend(super::job_gantt::figure(r, &focus));
    out
}

/// "3", or "2–5" when policies ran different numbers of replications.
pub(super) fn replications_text(r: &Results) -> Option<String> {
    let reps: Vec<f64> = r.summary.iter().filter_map(|s| s.replications).collect();
    if reps.is_empty() {
        return r.scenario.replications.clone();
    }
    let (lo, hi) = reps.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    Some(if lo == hi { fmt_plain(lo) } else { format!("{}–{}", fmt_plain(lo), fmt_plain(hi)) })
}

/// The job response-time distribution per policy (jobs of many tasks only).
fn job_cdf(r: &Results, focus: &str, reps: Option<&str>) -> Option<Chart> {
    let mut series = Vec::new();
    for (pi, p) in r.policies.iter().enumerate() {
        let mut pts: Vec<(f64, f64)> = (r.job_cdf.iter().filter(|c| c.policy == pi && r.at_focus(&c.sweep)))
            .map(|c| (c.response, c.quantile))
            .collect();
        pts.sort_by(|a, b| a.1.total_cmp(&b.1));
        if !pts.is_empty() {
            series.push(Series { label: p.label.clone(), look: pi, points: pts, band: vec![] });
        }
    }
    if series.is_empty() {
        return None;
    }
    let name = &r.scenario_name;
    let reps_note = reps.map(|n| format!(" over {n} replications")).unwrap_or_default();
    Some(Chart {
        fig: Figure {
            stem: "job_cdf".into(),
            title: format!("Job response-time distribution{focus} — {name}"),
            note: Some(format!("Job response: arrival to the last task's completion{reps_note}.")),
            plot: Plot::Lines(LinePlot {
                x: AxisSpec::new("job response time (s)", Scale::Auto),
                panels: vec![LinePanel {
                    y: AxisSpec::new("fraction of jobs", Scale::Linear).with_range(0.0, 1.0),
                    height: 1.0,
                    series,
                }],
                events: vec![],
                regions: vec![],
                markers: false,
            }),
        },
        caption: format!("Cumulative distribution of job response time per policy{focus}: the height of a curve at x is the fraction of jobs whose every task had finished within x seconds of the job's arrival. Curves further left are better."),
    })
}
