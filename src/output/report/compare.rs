//! The report's verdicts: the paired comparison with the baseline (from
//! `compare.csv`), what the `unstable` mark means, and the saturation point of each
//! policy in a load sweep (from `summary.csv`'s `unstable` column).

use super::data::{policy_in, policy_of, same_sweep, Results, Table};
use serde::Serialize;

use super::tables::{TableData, TableView};
use super::OutputError;
use crate::output::terminal::{ratio_phrase, unstable_meaning};

/// One row of `compare.csv`.
#[derive(Debug, Clone)]
pub(super) struct CompareRow {
    pub sweep: Option<String>,
    pub policy: usize,
    pub baseline: usize,
    pub metric: String,
    pub replications: Option<f64>,
    pub ratio: Option<f64>,
    pub interval: Option<(f64, f64)>,
    pub tested: bool,
    pub verdict: String,
}

/// The rows of `compare.csv`, their policies (and baselines) indexed in `policies`.
pub(super) fn read(t: &Table, policies: &mut Vec<(String, String)>) -> Result<Vec<CompareRow>, OutputError> {
    t.require(&["discipline", "balancer", "baseline_discipline", "baseline_balancer", "metric", "ratio", "verdict"])?;
    let mut rows = Vec::new();
    for row in t.rows() {
        rows.push(CompareRow {
            sweep: row.sweep(),
            baseline: policy_in(policies, &row, "baseline_")?,
            policy: policy_of(policies, &row)?,
            metric: row.label("metric")?.to_string(),
            replications: row.num("replications")?,
            ratio: row.num("ratio")?,
            interval: row.num("ratio_low")?.zip(row.num("ratio_high")?),
            tested: row.num("p_holm")?.is_some(),
            verdict: row.label("verdict")?.to_string(),
        });
    }
    Ok(rows)
}

/// How the comparisons were made, for the report: one paragraph.
fn method(r: &Results, baseline: &str) -> String {
    let tested = r.comparisons.iter().filter(|c| c.tested).count();
    let reps = r.comparisons.iter().filter_map(|c| c.replications).fold(0.0, f64::max);
    let verdicts = if tested > 0 {
        format!(
            "Verdicts (better, worse, no detectable difference) come from the paired t test of the differences, \
             corrected by Holm's method over all {tested} comparisons of this scenario (every sweep point, policy and \
             metric), so that the chance of any false \"better\" or \"worse\" in it is at most 5%; the intervals are \
             each 95% on their own, so a verdict may find no difference where an interval just misses 1."
        )
    } else {
        format!("With {reps} replication(s) there is no spread to estimate: no interval and no verdict.")
    };
    format!(
        "Each policy is compared with the baseline, {baseline}, replication by replication: every policy runs \
         replication r on the same seed, so it sees the same arrivals, sizes and failures (common random numbers), \
         and what a replication's luck does to both cancels out of their difference. A ratio is the policy's mean \
         over the replications divided by the baseline's (the figures of the summary table: below 1 is less time, \
         or less throughput); its 95% interval is Fieller's for paired data, which holds 1 exactly when the paired t \
         interval of the differences holds 0. {verdicts} compare.csv has the differences, their intervals and the \
         p-values, at every sweep point."
    )
}

/// The metrics of `compare.csv` in its order: the job's first when the workload has
/// jobs of many tasks (absent otherwise).
const METRICS: [&str; 5] = ["job_mean_response", "job_p99_response", "mean_response", "p99_response", "throughput"];

/// The ranking at the focus point (the last sweep value), one line per policy, best
/// first by the first metric compared (mean job response with jobs of many tasks,
/// else mean response).
fn ranking(r: &Results) -> Vec<(usize, String)> {
    let at: Vec<&CompareRow> = r.comparisons.iter().filter(|c| r.at_focus(&c.sweep)).collect();
    let Some(first) = at.first() else { return Vec::new() };
    let base = &r.policies[first.baseline].label;
    let mut policies: Vec<usize> = Vec::new();
    for c in &at {
        if !policies.contains(&c.policy) {
            policies.push(c.policy);
        }
    }
    let find = |p: usize, m: &str| at.iter().find(|c| c.policy == p && c.metric == m);
    let main = METRICS.into_iter().find(|m| at.iter().any(|c| c.metric == *m)).unwrap_or("mean_response");
    let key = |p: &usize| find(*p, main).and_then(|c| c.ratio).unwrap_or(f64::INFINITY);
    policies.sort_by(|a, b| key(a).total_cmp(&key(b)));
    policies
        .into_iter()
        .map(|p| {
            let cells: Vec<String> = METRICS
                .iter()
                .filter_map(|m| find(p, m))
                .enumerate()
                .map(|(i, c)| {
                    let of = if i == 0 { format!(" of {base}'s") } else { String::new() };
                    ratio_phrase(&c.metric, c.ratio.unwrap_or(f64::NAN), c.interval, &of, &c.verdict)
                })
                .collect();
            let unstable = if is_unstable(r, p, first.sweep.as_deref()) { " (unstable)" } else { "" };
            (p, format!("{}: {}{unstable}", r.policies[p].label, cells.join("; ")))
        })
        .collect()
}

/// Whether policy `p` was flagged unstable in some replication at sweep value `at`.
fn is_unstable(r: &Results, p: usize, at: Option<&str>) -> bool {
    r.summary.iter().any(|s| {
        s.policy == p
            && match (at, s.sweep.as_deref()) {
                (Some(a), Some(v)) => same_sweep(a, v),
                _ => true,
            }
            && s.unstable.is_some_and(|n| n > 0.0)
    })
}

/// Every comparison as a table: a row per (sweep point, policy), a column per metric.
fn table(r: &Results) -> TableData {
    let sweep = r.sweep_parameter.is_some() && r.comparisons.iter().any(|c| c.sweep.is_some());
    let mut head = Vec::new();
    if sweep {
        head.push(r.sweep_parameter.clone().unwrap_or_default());
    }
    let policy_col = head.len();
    let metrics: Vec<&str> = METRICS.into_iter().filter(|m| r.comparisons.iter().any(|c| c.metric == *m)).collect();
    head.push("policy".into());
    head.extend(metrics.iter().map(|m| m.replace('_', " ")));
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut seen: Vec<(Option<&str>, usize)> = Vec::new();
    for c in &r.comparisons {
        if seen.contains(&(c.sweep.as_deref(), c.policy)) {
            continue;
        }
        seen.push((c.sweep.as_deref(), c.policy));
        let mut cells = Vec::new();
        if sweep {
            cells.push(c.sweep.clone().unwrap_or_default());
        }
        cells.push(r.policies[c.policy].label.clone());
        for &m in &metrics {
            let cell = r.comparisons.iter().find(|o| o.sweep == c.sweep && o.policy == c.policy && o.metric == m);
            cells.push(cell.map_or(String::new(), |o| {
                let phrase = ratio_phrase(m, o.ratio.unwrap_or(f64::NAN), o.interval, "", &o.verdict);
                // The metric's name is the column's.
                phrase.split_once(' ').map_or(phrase.clone(), |(_, rest)| rest.to_string())
            }));
        }
        rows.push((c.policy, cells));
    }
    TableData { head, rows, policy_col }
}

/// The saturation point of each policy in a load sweep, the highest swept load up to
/// which it was stable at every point, as `(text, policies)`: policies with the same
/// text together, in order of first appearance. Empty unless the sweep is of `load`
/// and the summary has the `unstable` column.
fn saturation(r: &Results) -> Vec<(String, Vec<usize>)> {
    if r.sweep_parameter.as_deref() != Some("load") || r.sweep_values.len() < 2 {
        return Vec::new();
    }
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for pi in 0..r.policies.len() {
        let flags: Vec<(&String, bool)> = r
            .sweep_values
            .iter()
            .filter_map(|v| {
                let row =
                    r.summary.iter().find(|s| s.policy == pi && s.sweep.as_deref().is_some_and(|w| same_sweep(w, v)));
                Some((v, row?.unstable? > 0.0))
            })
            .collect();
        if flags.is_empty() {
            continue;
        }
        let text = match flags.iter().position(|(_, unstable)| *unstable) {
            None => format!("stable at every swept load (up to {})", flags[flags.len() - 1].0),
            Some(0) => format!("unstable from the lowest swept load ({})", flags[0].0),
            Some(k) => format!("{} (unstable at {})", flags[k - 1].0, flags[k].0),
        };
        match out.iter_mut().find(|(t, _)| *t == text) {
            Some((_, policies)) => policies.push(pi),
            None => out.push((text, vec![pi])),
        }
    }
    out
}

/// The sentence the latency-vs-load charts' captions end with: each policy's
/// saturation point (empty when there is none to give).
pub(super) fn saturation_caption(r: &Results) -> String {
    let groups = saturation(r);
    if groups.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = groups
        .into_iter()
        .map(|(text, policies)| {
            let names: Vec<&str> = policies.iter().map(|&p| r.policies[p].label.as_str()).collect();
            format!("{}: {text}", names.join(", "))
        })
        .collect();
    format!(
        " Saturation point of each policy, the highest swept load up to which it kept up at every point (no \
         replication flagged unstable): {}.",
        parts.join("; ")
    )
}

/// The note under the summary table when some policy was flagged unstable.
pub(super) fn unstable_note(r: &Results) -> Option<String> {
    r.summary.iter().any(|s| s.unstable.is_some_and(|n| n > 0.0)).then(|| {
        format!(
            "The unstable column marks a policy flagged in some replications (\"unstable\": in all of them; \"2 of 5\": \
             in that many). Flagged means that {}.",
            unstable_meaning()
        )
    })
}

/// The "unstable" cell of the summary table: "", "unstable", or "2 of 3".
pub(super) fn unstable_cell(unstable: Option<f64>, replications: Option<f64>) -> String {
    match (unstable, replications) {
        (Some(0.0), _) | (None, _) => String::new(),
        (Some(n), Some(of)) if n == of => "unstable".into(),
        (Some(n), Some(of)) => format!("{n} of {of}"),
        (Some(n), None) => format!("{n}"),
    }
}

/// The comparison section of the reports: the ranking, the table (in a sweep) and
/// how the comparisons were made.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Section {
    focus: String,
    ranking: Vec<Ranked>,
    table: Option<TableView>,
    method: String,
}

/// A line of the ranking, with its policy's index (for the swatch).
#[derive(Debug, Clone, Serialize)]
struct Ranked {
    policy: usize,
    line: String,
}

/// The comparison section (`None` without `compare.csv`).
pub(super) fn section(r: &Results) -> Option<Section> {
    let first = r.comparisons.first()?;
    let base = &r.policies[first.baseline].label;
    Some(Section {
        focus: focus_text(r),
        ranking: ranking(r).into_iter().map(|(policy, line)| Ranked { policy, line }).collect(),
        table: (r.sweep_values.len() > 1).then(|| table(r).view()),
        method: method(r, base),
    })
}

/// " at load = 0.95" for a sweep (the point the ranking shows), else nothing.
fn focus_text(r: &Results) -> String {
    match (&r.sweep_parameter, r.focus()) {
        (Some(p), Some(v)) if r.sweep_values.len() > 1 => format!(" at {p} = {v} (the table below has every point)"),
        _ => String::new(),
    }
}
