//! The tables of one scenario's results folder, from its runs.
//!
//! | file | rows |
//! |---|---|
//! | `summary.csv` | one per (sweep point, discipline, balancer), over replications |
//! | `runs.csv` | one per run, with its seed |
//! | `compare.csv` | one per (sweep point, policy other than the baseline, metric): paired against the baseline |
//! | `classes.csv` | one per (sweep point, discipline, balancer, class), when there are classes |
//! | `cdf.csv` | response time at each quantile of [`QUANTILE_GRID`], averaged over replications |
//! | `job_cdf.csv` | the same of job response time, when the workload has jobs of many tasks |
//! | `timeseries.csv` | one per window of replication 0 |
//! | `nodes.csv` | one per node: utilization averaged over replications (clusters up to 1,000 nodes) |
//! | `events.csv` | one per fault event of replication 0 (crash, recover, slowdown, suspected, ...), when there are any |
//! | `scenario.toml` | the scenario file as it was run, its file paths made to resolve from this folder |
//!
//! Every file has the same columns in every scenario (`csv.rs`): the sweep columns
//! are empty in a scenario without a sweep, the job and speculation columns in one
//! without jobs or speculation.

use super::csv::to_csv;
use super::write_atomic;
use crate::metrics::compare::{compare, Comparison, Metric};
use crate::metrics::{Replications, RunOutput, RunResult, Summary, Window, QUANTILE_GRID};
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

/// What [`write_tables`] wrote, and the rows the terminal shows.
#[derive(Debug, Clone)]
pub struct Tables {
    /// Every file written.
    pub files: Vec<PathBuf>,
    /// The rows of `summary.csv`.
    pub summary: Vec<Summary>,
    /// The rows of `compare.csv`.
    pub comparisons: Vec<Comparison>,
}

/// Writes every table of `scenario` into `dir` from its runs (in plan order: each
/// group's replications together), each file atomically.
pub fn write_tables(dir: &Path, scenario: &Scenario, runs: &[&RunOutput]) -> Result<Tables, String> {
    let mut drop: Vec<&str> = Vec::new();
    if scenario.workload.job.is_none() {
        drop.extend_from_slice(crate::metrics::JOB_COLUMNS);
    }
    if scenario.faults.speculation.is_empty() {
        drop.extend_from_slice(crate::metrics::SPECULATION_COLUMNS);
    }
    let drop = drop.as_slice();
    let groups = Replications::group(runs);
    let results: Vec<&RunResult> = runs.iter().map(|r| &r.result).collect();
    let summary: Vec<Summary> = groups.iter().map(Replications::summary).collect();
    let (baseline_discipline, baseline_balancer) = scenario.baseline.labels();
    let metrics = Metric::of_workload(scenario.workload.job.is_some());
    let comparisons = compare(&groups, (&baseline_discipline, &baseline_balancer), metrics);

    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("summary.csv", to_csv(&summary, drop).map_err(|e| e.to_string())?),
        ("runs.csv", to_csv(&results, drop).map_err(|e| e.to_string())?),
    ];
    // A scenario of one policy compares nothing: no file.
    if !comparisons.is_empty() {
        files.push(("compare.csv", to_csv(&comparisons, drop).map_err(|e| e.to_string())?));
    }
    let classes: Vec<ClassRow> = groups.iter().flat_map(|g| class_rows(g)).collect();
    if !classes.is_empty() {
        files.push(("classes.csv", to_csv(&classes, drop).map_err(|e| e.to_string())?));
    }
    let cdf: Vec<CdfRow> = groups.iter().flat_map(|g| cdf_rows(g)).collect();
    files.push(("cdf.csv", to_csv(&cdf, drop).map_err(|e| e.to_string())?));
    if scenario.workload.job.is_some() {
        let cdf: Vec<CdfRow> = groups.iter().flat_map(|g| quantile_rows(g, g.job_quantiles())).collect();
        files.push(("job_cdf.csv", to_csv(&cdf, drop).map_err(|e| e.to_string())?));
    }
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
    Ok(Tables { files: written, summary, comparisons })
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

fn class_rows(group: &Replications<'_>) -> Vec<ClassRow> {
    let l = labels(group.first());
    group
        .classes()
        .into_iter()
        .map(|c| ClassRow {
            scenario: l.scenario.clone(),
            sweep_parameter: l.sweep_parameter.clone(),
            sweep_value: l.sweep_value,
            discipline: l.discipline.clone(),
            balancer: l.balancer.clone(),
            class: c.class,
            priority: c.priority,
            replications: c.replications,
            tasks_completed: c.tasks_completed,
            mean_response: c.mean_response,
            mean_response_ci95: c.mean_response_ci95,
            p50_response: c.p50_response,
            p95_response: c.p95_response,
            p99_response: c.p99_response,
            max_response: c.max_response,
            deadline_misses: c.deadline_misses,
        })
        .collect()
}

/// The quantiles of one policy combination; none if no task was measured (a
/// distribution of nothing has no quantiles, and `NaN` rows would only break readers).
fn cdf_rows(group: &Replications<'_>) -> Vec<CdfRow> {
    quantile_rows(group, group.quantiles())
}

/// The rows of `quantiles` (one per quantile of [`QUANTILE_GRID`]) of one group.
fn quantile_rows(group: &Replications<'_>, quantiles: Vec<f64>) -> Vec<CdfRow> {
    let l = labels(group.first());
    QUANTILE_GRID
        .iter()
        .zip(quantiles)
        .filter(|(_, response)| !response.is_nan())
        .map(|(&q, response)| CdfRow {
            scenario: l.scenario.clone(),
            sweep_parameter: l.sweep_parameter.clone(),
            sweep_value: l.sweep_value,
            discipline: l.discipline.clone(),
            balancer: l.balancer.clone(),
            quantile: q,
            response,
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

fn node_rows(group: &Replications<'_>, scenario: &Scenario) -> Vec<NodeRow> {
    let l = labels(group.first());
    let specs = scenario.nodes();
    specs
        .iter()
        .zip(group.node_utilization(specs.len()))
        .enumerate()
        .map(|(n, (spec, utilization))| NodeRow {
            scenario: l.scenario.clone(),
            sweep_parameter: l.sweep_parameter.clone(),
            sweep_value: l.sweep_value,
            discipline: l.discipline.clone(),
            balancer: l.balancer.clone(),
            node: n,
            group: scenario.node_groups[spec.group].name.clone(),
            utilization,
        })
        .collect()
}
