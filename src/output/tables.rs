//! The tables of one scenario's results folder, from its runs.
//!
//! | file | rows |
//! |---|---|
//! | `summary.csv` | one per (sweep point, discipline, balancer), over replications |
//! | `runs.csv` | one per run, with its seed |
//! | `classes.csv` | one per (sweep point, discipline, balancer, class), when there are classes |
//! | `cdf.csv` | response time at each quantile of [`QUANTILE_GRID`], averaged over replications |
//! | `timeseries.csv` | one per window of replication 0 |
//! | `nodes.csv` | one per node: utilization averaged over replications (clusters up to 1,000 nodes) |
//! | `events.csv` | one per fault event of replication 0 (crash, recover, slowdown, suspected, ...), when there are any |
//! | `scenario.toml` | the scenario file as it was run, its file paths made to resolve from this folder |
//!
//! In a scenario without a sweep the `sweep_parameter` and `sweep_value` columns are
//! left out.

use super::csv::to_csv;
use super::write_atomic;
use crate::metrics::{ci95, summarize, RunOutput, RunResult, Summary, Window, QUANTILE_GRID};
use crate::scenario::Scenario;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Clusters larger than this get no `nodes.csv` (a chart of more bars is unreadable,
/// and the table would dwarf the others).
pub const MAX_NODES_TABLE: usize = 1000;

/// Labels shared by the rows of every table but `runs.csv`.
#[derive(Debug, Clone, Serialize)]
struct Labels {
    scenario: String,
    sweep_parameter: Option<String>,
    sweep_value: Option<f64>,
    discipline: String,
    balancer: String,
}

/// A row of `classes.csv`.
#[derive(Debug, Clone, Serialize)]
struct ClassRow {
    scenario: String,
    sweep_parameter: Option<String>,
    sweep_value: Option<f64>,
    discipline: String,
    balancer: String,
    class: String,
    priority: u32,
    replications: u32,
    tasks_completed: u64,
    mean_response: f64,
    mean_response_ci95: Option<f64>,
    p50_response: f64,
    p95_response: f64,
    p99_response: f64,
    max_response: f64,
    deadline_misses: u64,
}

/// A row of `cdf.csv`.
#[derive(Debug, Clone, Serialize)]
struct CdfRow {
    scenario: String,
    sweep_parameter: Option<String>,
    sweep_value: Option<f64>,
    discipline: String,
    balancer: String,
    quantile: f64,
    response: f64,
}

/// A row of `timeseries.csv`.
#[derive(Debug, Clone, Serialize)]
struct TimeRow {
    scenario: String,
    sweep_parameter: Option<String>,
    sweep_value: Option<f64>,
    discipline: String,
    balancer: String,
    replication: u32,
    window_start: f64,
    window_end: f64,
    arrivals: u64,
    completions: u64,
    throughput: f64,
    mean_response: f64,
    tasks_in_system: f64,
    nodes_up: u32,
}

/// A row of `events.csv`.
#[derive(Debug, Clone, Serialize)]
struct EventRow {
    scenario: String,
    sweep_parameter: Option<String>,
    sweep_value: Option<f64>,
    discipline: String,
    balancer: String,
    replication: u32,
    time: f64,
    node: usize,
    group: String,
    event: &'static str,
}

/// A row of `nodes.csv`.
#[derive(Debug, Clone, Serialize)]
struct NodeRow {
    scenario: String,
    sweep_parameter: Option<String>,
    sweep_value: Option<f64>,
    discipline: String,
    balancer: String,
    node: usize,
    group: String,
    utilization: f64,
}

/// Writes every table of `scenario` into `dir` from its runs (in plan order: each
/// group's replications together), each file atomically. Returns the files written and
/// the rows of `summary.csv`.
pub fn write_tables(
    dir: &Path,
    scenario: &Scenario,
    runs: &[&RunOutput],
) -> Result<(Vec<PathBuf>, Vec<Summary>), String> {
    let drop: &[&str] = if scenario.sweep.is_some() { &[] } else { &["sweep_parameter", "sweep_value"] };
    let groups = group(runs);
    let results: Vec<&RunResult> = runs.iter().map(|r| &r.result).collect();
    let summary: Vec<_> = groups.iter().map(|g| summarize(&g.iter().map(|r| &r.result).collect::<Vec<_>>())).collect();

    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("summary.csv", to_csv(&summary, drop).map_err(|e| e.to_string())?),
        ("runs.csv", to_csv(&results, drop).map_err(|e| e.to_string())?),
    ];
    let classes: Vec<ClassRow> = groups.iter().flat_map(|g| class_rows(g)).collect();
    if !classes.is_empty() {
        files.push(("classes.csv", to_csv(&classes, drop).map_err(|e| e.to_string())?));
    }
    let cdf: Vec<CdfRow> = groups.iter().flat_map(|g| cdf_rows(g)).collect();
    files.push(("cdf.csv", to_csv(&cdf, drop).map_err(|e| e.to_string())?));
    let series: Vec<TimeRow> = runs.iter().flat_map(|r| time_rows(r)).collect();
    if !series.is_empty() {
        files.push(("timeseries.csv", to_csv(&series, drop).map_err(|e| e.to_string())?));
    }
    let events: Vec<EventRow> = runs
        .iter()
        .flat_map(|r| {
            let l = labels(&r.result);
            r.detail.faults.iter().map(move |f| EventRow {
                scenario: l.scenario.clone(),
                sweep_parameter: l.sweep_parameter.clone(),
                sweep_value: l.sweep_value,
                discipline: l.discipline.clone(),
                balancer: l.balancer.clone(),
                replication: r.result.replication,
                time: f.time,
                node: f.node,
                group: f.group.clone(),
                event: f.event,
            })
        })
        .collect();
    if !events.is_empty() {
        files.push(("events.csv", to_csv(&events, drop).map_err(|e| e.to_string())?));
    }
    let nodes = scenario.nodes();
    if nodes.len() <= MAX_NODES_TABLE {
        let rows: Vec<NodeRow> = groups.iter().flat_map(|g| node_rows(g, scenario)).collect();
        files.push(("nodes.csv", to_csv(&rows, drop).map_err(|e| e.to_string())?));
    }
    // Its file paths rewritten to resolve from `dir`, so that the copy runs again.
    let from = scenario.source.parent().unwrap_or(Path::new(""));
    files.push(("scenario.toml", crate::scenario::relocate(&scenario.text, &scenario.name, from, dir).into_bytes()));

    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        write_atomic(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok((written, summary))
}

/// Splits runs into groups of one (sweep point, discipline, balancer), keeping order.
fn group<'a>(runs: &[&'a RunOutput]) -> Vec<Vec<&'a RunOutput>> {
    let mut groups: Vec<Vec<&RunOutput>> = Vec::new();
    for &r in runs {
        match groups.last_mut() {
            Some(g) if same_group(&g[0].result, &r.result) => g.push(r),
            _ => groups.push(vec![r]),
        }
    }
    groups
}

fn same_group(a: &RunResult, b: &RunResult) -> bool {
    a.sweep_value == b.sweep_value && a.discipline == b.discipline && a.balancer == b.balancer
}

fn labels(r: &RunResult) -> Labels {
    Labels {
        scenario: r.scenario.clone(),
        sweep_parameter: r.sweep_parameter.clone(),
        sweep_value: r.sweep_value,
        discipline: r.discipline.clone(),
        balancer: r.balancer.clone(),
    }
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

fn class_rows(group: &[&RunOutput]) -> Vec<ClassRow> {
    let l = labels(&group[0].result);
    let classes = group[0].detail.classes.len();
    (0..classes)
        .map(|c| {
            let per_run: Vec<_> = group.iter().map(|r| &r.detail.classes[c]).collect();
            let first = per_run[0];
            ClassRow {
                scenario: l.scenario.clone(),
                sweep_parameter: l.sweep_parameter.clone(),
                sweep_value: l.sweep_value,
                discipline: l.discipline.clone(),
                balancer: l.balancer.clone(),
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

fn cdf_rows(group: &[&RunOutput]) -> Vec<CdfRow> {
    let l = labels(&group[0].result);
    QUANTILE_GRID
        .iter()
        .enumerate()
        .map(|(i, &q)| CdfRow {
            scenario: l.scenario.clone(),
            sweep_parameter: l.sweep_parameter.clone(),
            sweep_value: l.sweep_value,
            discipline: l.discipline.clone(),
            balancer: l.balancer.clone(),
            quantile: q,
            response: mean(group.iter().map(|r| r.detail.quantiles[i])),
        })
        .collect()
}

fn time_rows(run: &RunOutput) -> Vec<TimeRow> {
    let l = labels(&run.result);
    let windows: &[Window] = run.detail.timeseries.as_deref().unwrap_or(&[]);
    windows
        .iter()
        .map(|w| TimeRow {
            scenario: l.scenario.clone(),
            sweep_parameter: l.sweep_parameter.clone(),
            sweep_value: l.sweep_value,
            discipline: l.discipline.clone(),
            balancer: l.balancer.clone(),
            replication: run.result.replication,
            window_start: w.window_start,
            window_end: w.window_end,
            arrivals: w.arrivals,
            completions: w.completions,
            throughput: w.throughput,
            mean_response: w.mean_response,
            tasks_in_system: w.tasks_in_system,
            nodes_up: w.nodes_up,
        })
        .collect()
}

fn node_rows(group: &[&RunOutput], scenario: &Scenario) -> Vec<NodeRow> {
    let l = labels(&group[0].result);
    let specs = scenario.nodes();
    specs
        .iter()
        .enumerate()
        .map(|(n, spec)| NodeRow {
            scenario: l.scenario.clone(),
            sweep_parameter: l.sweep_parameter.clone(),
            sweep_value: l.sweep_value,
            discipline: l.discipline.clone(),
            balancer: l.balancer.clone(),
            node: n,
            group: scenario.node_groups[spec.group].name.clone(),
            utilization: mean(group.iter().filter_map(|r| r.detail.node_utilization.get(n).copied())),
        })
        .collect()
}
