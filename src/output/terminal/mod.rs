//! What `schedsim run` and `check` print about a scenario: the compact table of its
//! summary with runs that did not keep up marked, the ranking of its policies against
//! the baseline (paired over replications), and warnings about overloaded sweep points.

use crate::metrics::compare::{Comparison, Metric};
use crate::metrics::{Summary, GROWTH_SHARE, TREND_LEVEL};
use crate::scenario::Scenario;
use std::path::Path;

pub mod json;
mod table;
pub use table::{ranked, NumberFormat};

/// What the `unstable` mark means (a clause, for the terminal and the report).
pub fn unstable_meaning() -> String {
    format!(
        "the tasks in the system grew through the run (Mann-Kendall trend test, one-sided p < {TREND_LEVEL}) \
         by at least {}% of the arrival rate, i.e. throughput fell short of arrivals while they lasted: the policy \
         did not keep up, and its response times measure how long the run lasted, not a steady state",
        GROWTH_SHARE * 100.0
    )
}

/// The offered load of the scenario, or of each sweep point: `(sweep value, load)`.
pub fn offered_loads(s: &Scenario) -> Vec<(Option<f64>, f64)> {
    match &s.sweep {
        None => vec![(None, s.offered_load())],
        Some(sw) => sw.points.iter().map(|p| (Some(p.value), p.scenario.offered_load())).collect(),
    }
}

/// "offered load 0.80", or "offered load 0.50 to 0.95" over a sweep's points.
pub fn load_text(s: &Scenario, decimals: usize) -> String {
    let loads: Vec<f64> = offered_loads(s).into_iter().map(|(_, l)| l).collect();
    let (lo, hi) = loads.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &l| (a.min(l), b.max(l)));
    if loads.len() > 1 && lo != hi {
        format!("offered load {lo:.decimals$} to {hi:.decimals$}")
    } else {
        format!("offered load {lo:.decimals$}")
    }
}

/// The warnings `check` and `run` print for a scenario: a value that makes runs last far
/// longer than meant ([`cost::warnings`](crate::scenario::cost::warnings)), and each
/// sweep point (or the scenario) whose offered load is at or above 1: there the arrivals
/// bring more work than the cluster can do, whatever the policy.
pub fn overload_warnings(s: &Scenario) -> Vec<String> {
    let parameter = s.sweep.as_ref().map(|sw| sw.parameter.as_str()).unwrap_or("");
    let mut out = crate::scenario::cost::warnings(s);
    out.extend(offered_loads(s).into_iter().filter(|&(_, load)| load >= 1.0).map(|(value, load)| {
        let at = value.map(|v| format!(" at {parameter} = {v}")).unwrap_or_default();
        format!(
            "warning: {}: offered load {load:.3}{at} is at or above 1: the arrivals bring more work than the \
                 cluster can do (arrival rate x mean work per task / capacity), so no policy can keep up",
            s.source.display()
        )
    }));
    out
}

/// The table of one scenario's summary on stdout (`table.rs`: for a sweep, a row per
/// point; ranked by the main metric; runs that did not keep up marked), then the
/// ranking against the baseline.
pub fn print_table(s: &Scenario, rows: &[Summary], comparisons: &[Comparison], dir: &Path) {
    println!("\n{} — {} ({})", s.name, s.description, load_text(s, 2));
    if let crate::workload::ArrivalProcess::Trace(trace) = &s.workload.arrival {
        println!("  trace: {} jobs replayed, {}", trace.jobs, trace.skipped);
    }
    let label = policy_labeller(rows);
    for line in table::render(s, rows, comparisons, &label).lines() {
        println!("  {line}");
    }
    if rows.iter().any(|r| r.unstable > 0) {
        println!("  unstable: {}.", unstable_meaning());
    }
    for line in ranking(s, rows, comparisons) {
        println!("  {line}");
    }
    println!("  -> {}", dir.display());
}

/// The ranking against the baseline: a heading, then a line per policy, best mean
/// response first ("least_work_left: mean 0.42x of round_robin's [0.40, 0.44],
/// better; ..."; with jobs of many tasks, best mean job response first). A sweep's ranking is given at its last point (the heaviest load of
/// a load sweep); `compare.csv` has every point.
pub fn ranking(s: &Scenario, rows: &[Summary], comparisons: &[Comparison]) -> Vec<String> {
    let Some(last) = comparisons.last() else { return Vec::new() };
    let at: Vec<&Comparison> = comparisons.iter().filter(|c| c.sweep_value == last.sweep_value).collect();
    let (bd, bb) = (&last.baseline_discipline, &last.baseline_balancer);
    let label = policy_labeller(rows);
    let base = label(bd, bb);
    let tested = comparisons.iter().filter(|c| c.p_holm.is_some()).count();
    let reps = at.iter().map(|c| c.replications).max().unwrap_or(0);
    let point = match (&s.sweep, last.sweep_value) {
        (Some(sw), Some(v)) => format!(" at {} = {v} (compare.csv has every point)", sw.parameter),
        _ => String::new(),
    };
    let how = if tested > 0 {
        format!(
            "{reps} replications: ratio of means [95% interval], verdict Holm-corrected over the scenario's {tested} comparisons"
        )
    } else {
        format!("{reps} replication{}: no intervals", if reps == 1 { "" } else { "s" })
    };
    if reps == 0 {
        return vec![format!(
            "paired against {base}{point}: no replication gave both policies a number, nothing to compare"
        )];
    }
    let mut out = vec![format!("paired against {base}{point}, {how}:")];
    let mut policies: Vec<(&str, &str)> = Vec::new();
    for c in &at {
        if !policies.contains(&(c.discipline.as_str(), c.balancer.as_str())) {
            policies.push((&c.discipline, &c.balancer));
        }
    }
    let find = |p: (&str, &str), m: Metric| {
        at.iter().find(|c| (c.discipline.as_str(), c.balancer.as_str()) == p && c.metric == m.name())
    };
    let metrics = Metric::of_workload(s.workload.job.is_some());
    let key = |p: &(&str, &str)| find(*p, metrics[0]).map_or(f64::INFINITY, |c| c.ratio);
    policies.sort_by(|a, b| key(a).total_cmp(&key(b)));
    let width = policies.iter().map(|&(d, b)| label(d, b).len()).max().unwrap_or(0);
    for p in policies {
        let cells: Vec<String> = metrics
            .iter()
            .filter_map(|&m| find(p, m))
            .enumerate()
            .map(|(i, c)| {
                let of = if i == 0 { format!(" of {base}'s") } else { String::new() };
                ratio_cell(c, &of)
            })
            .collect();
        let unstable = rows.iter().any(|r| {
            r.sweep_value == last.sweep_value && (r.discipline.as_str(), r.balancer.as_str()) == p && r.unstable > 0
        });
        let name = format!("{}:", label(p.0, p.1));
        out.push(format!(
            "  {name:<w$} {}{}",
            cells.join("; "),
            if unstable { " (unstable)" } else { "" },
            w = width + 1
        ));
    }
    out
}

/// "mean 0.42x of round_robin's [0.40, 0.44], better"; `of` follows the ratio.
pub fn ratio_cell(c: &Comparison, of: &str) -> String {
    ratio_phrase(c.metric, c.ratio, c.ratio_low.zip(c.ratio_high), of, c.verdict)
}

/// "p99 0.42x of round_robin's [0.40, 0.44], better", from its parts: the metric's
/// `compare.csv` name, the ratio and its interval, what follows the ratio, the verdict.
pub fn ratio_phrase(metric: &str, ratio: f64, interval: Option<(f64, f64)>, of: &str, verdict: &str) -> String {
    let short = short_metric(metric);
    let (r, interval) = fmt_ratio(ratio, interval);
    let interval = interval.map(|(lo, hi)| format!(" [{lo}, {hi}]")).unwrap_or_default();
    format!("{short} {r}x{of}{interval}, {verdict}")
}

/// A metric's `compare.csv` name as the terminal writes it: `mean_response` is `mean`,
/// `job_p99_response` is `job p99`, other names as they are (`throughput`).
pub fn short_metric(metric: &str) -> &str {
    match metric {
        "mean_response" => "mean",
        "p99_response" => "p99",
        "job_mean_response" => "job mean",
        "job_p99_response" => "job p99",
        other => other,
    }
}

/// A ratio and its interval to the same decimals: two, or as many more (up to five) as
/// it takes for the interval's ends to differ, so a ratio of 0.9994 is not shown as 1.00.
pub fn fmt_ratio(r: f64, interval: Option<(f64, f64)>) -> (String, Option<(String, String)>) {
    if !r.is_finite() {
        return ("?".into(), None);
    }
    let f = |x: f64, d: usize| format!("{x:.d$}");
    let mut d = if r.abs() >= 100.0 { 0 } else { 2 };
    // More decimals while the interval's ends look alike or like the ratio, or a
    // ratio other than 1 looks like 1.
    let blurred = |d: usize| match interval {
        Some((lo, hi)) => lo != hi && (f(lo, d) == f(hi, d) || (lo != r && f(lo, d) == f(r, d)) || (hi != r && f(hi, d) == f(r, d))),
        None => false,
    } || (r != 1.0 && f(r, d) == f(1.0, d));
    while d < 5 && d > 0 && blurred(d) {
        d += 1;
    }
    (f(r, d), interval.map(|(lo, hi)| (f(lo, d), f(hi, d))))
}

/// How the ranking names a policy: "discipline / balancer" when both vary among
/// the rows, else whichever varies (the balancer when neither does), as the report does.
fn policy_labeller(rows: &[Summary]) -> impl Fn(&str, &str) -> String {
    let distinct = |f: fn(&Summary) -> &str| {
        let mut v: Vec<&str> = rows.iter().map(f).collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    let (nd, nb) = (distinct(|r| &r.discipline), distinct(|r| &r.balancer));
    move |d: &str, b: &str| {
        if nd > 1 && nb > 1 {
            format!("{d} / {b}")
        } else if nd > 1 {
            d.to_string()
        } else {
            b.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_get_the_decimals_their_interval_needs() {
        assert_eq!(fmt_ratio(0.4213, Some((0.401, 0.442))), ("0.42".into(), Some(("0.40".into(), "0.44".into()))));
        let (r, i) = fmt_ratio(0.99941, Some((0.99912, 0.99970)));
        assert_eq!((r.as_str(), i.unwrap()), ("0.9994", ("0.9991".into(), "0.9997".into())));
        let (r, i) = fmt_ratio(1.0043, Some((1.0021, 1.0066)));
        assert_eq!((r.as_str(), i.unwrap()), ("1.004", ("1.002".into(), "1.007".into())));
        assert_eq!(fmt_ratio(0.9996, None).0, "0.9996");
        assert_eq!(fmt_ratio(f64::NAN, None).0, "?");
        assert_eq!(fmt_ratio(1234.4, None).0, "1234");
    }
}
