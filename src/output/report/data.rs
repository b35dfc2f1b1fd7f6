//! Reading a results folder back from its CSV files, by header name.
//!
//! Columns are found by name, never by position, and unknown columns are ignored, so
//! the simulator can add columns without breaking old reports or this reader. An
//! absent optional file or column reads as "not available"; a cell that is present
//! but not a number is an error naming the file, line and column.

use std::path::Path;

pub(super) use super::reader::{read_scenario, Row, ScenarioInfo, Stat, Table};
use super::OutputError;
use crate::output::gantt::GanttJob;

/// A policy: a (discipline, balancer) pair and how charts label it.
#[derive(Debug, Clone)]
pub(super) struct Policy {
    pub discipline: String,
    pub balancer: String,
    pub label: String,
}

/// One row of `summary.csv`.
#[derive(Debug, Clone)]
pub(super) struct SummaryRow {
    pub sweep: Option<String>,
    pub policy: usize,
    pub replications: Option<f64>,
    pub tasks_completed: Option<f64>,
    pub tasks_failed: Option<f64>,
    pub tasks_in_system: Option<f64>,
    pub throughput: Stat,
    pub mean_response: Stat,
    pub p50: Stat,
    pub p95: Stat,
    pub p99: Stat,
    pub p999: Option<f64>,
    pub max: Option<f64>,
    pub mean_wait: Option<f64>,
    pub mean_slowdown: Option<f64>,
    pub bounded_slowdown: Option<f64>,
    pub utilization: Stat,
    pub imbalance: Option<f64>,
    pub deadline_misses: Option<f64>,
    pub retries: Option<f64>,
    pub wasted_work: Option<f64>,
    pub detection_latency: Option<f64>,
    pub false_suspicions: Option<f64>,
    pub availability: Option<f64>,
    pub goodput: Option<f64>,
    pub makespan: Option<f64>,
    /// Replications flagged unstable (absent from folders written before the column).
    pub unstable: Option<f64>,
    /// Job columns (issue 13): absent unless the workload has jobs of many tasks.
    pub job_mean_response: Stat,
    pub job_p99: Stat,
    pub job_mean_slowdown: Option<f64>,
    pub tasks_per_job: Option<f64>,
    pub jobs_failed: Option<f64>,
    pub data_moved: Option<f64>,
    /// Speculation columns (issue 13): absent unless the scenario sets speculation.
    pub speculative_launched: Option<f64>,
    pub speculative_won: Option<f64>,
    pub speculative_wasted: Option<f64>,
}

/// One row of `classes.csv`.
#[derive(Debug, Clone)]
pub(super) struct ClassRow {
    pub sweep: Option<String>,
    pub policy: usize,
    pub class: String,
    pub priority: String,
    pub tasks_completed: Option<f64>,
    pub mean_response: Stat,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
    pub deadline_misses: Option<f64>,
}

/// One point of `cdf.csv`.
#[derive(Debug, Clone)]
pub(super) struct CdfRow {
    pub sweep: Option<String>,
    pub policy: usize,
    pub quantile: f64,
    pub response: f64,
}

/// One window of `timeseries.csv`.
#[derive(Debug, Clone)]
pub(super) struct TimeRow {
    pub sweep: Option<String>,
    pub policy: usize,
    pub replication: Option<f64>,
    pub start: f64,
    pub end: f64,
    pub throughput: Option<f64>,
    pub in_system: Option<f64>,
    pub nodes_up: Option<f64>,
}

/// One row of `events.csv`.
#[derive(Debug, Clone)]
pub(super) struct EventRow {
    pub sweep: Option<String>,
    pub replication: Option<f64>,
    pub time: f64,
    pub node: String,
    pub event: String,
}

/// One row of `nodes.csv`.
#[derive(Debug, Clone)]
pub(super) struct NodeRow {
    pub sweep: Option<String>,
    pub policy: usize,
    pub node: String,
    pub group: String,
    pub utilization: Option<f64>,
}

/// One row of `gantt.csv`: a job of a Gantt chart.
#[derive(Debug, Clone)]
pub(super) struct GanttRow {
    pub sweep: Option<String>,
    pub policy: usize,
    pub job: GanttJob,
}

/// Everything read from one results folder.
#[derive(Clone)]
pub(super) struct Results {
    pub scenario_name: String,
    pub sweep_parameter: Option<String>,
    /// Sweep values in order (numeric order when they are all numbers).
    pub sweep_values: Vec<String>,
    pub policies: Vec<Policy>,
    pub summary: Vec<SummaryRow>,
    pub classes: Vec<ClassRow>,
    pub cdf: Vec<CdfRow>,
    /// `job_cdf.csv`: job response quantiles (jobs of many tasks only).
    pub job_cdf: Vec<CdfRow>,
    pub timeseries: Vec<TimeRow>,
    pub events: Vec<EventRow>,
    pub nodes: Vec<NodeRow>,
    pub gantt: Vec<GanttRow>,
    /// `job_gantt.csv`: one job's tasks per policy (jobs of many tasks only).
    pub job_gantt: Vec<super::job_gantt::JobGanttRow>,
    /// The rows of `compare.csv` (none without the file).
    pub comparisons: Vec<super::compare::CompareRow>,
    /// `(replication, seed)` pairs of runs.csv, in order of first appearance.
    pub seeds: Vec<(String, String)>,
    /// Whether a replication had different seeds for different policies.
    pub seeds_differ: bool,
    pub scenario: ScenarioInfo,
}

impl Results {
    /// Reads the folder. `summary.csv` is required; every other file is optional.
    pub(super) fn load(dir: &Path) -> Result<Results, OutputError> {
        let summary_path = dir.join("summary.csv");
        let summary_table = Table::read(&summary_path)?.ok_or(OutputError::Missing { path: summary_path })?;
        summary_table.require(&["discipline", "balancer"])?;

        let mut policies: Vec<(String, String)> = Vec::new();
        let mut sweep_parameter = None;
        let mut scenario_name = None;
        let mut summary = Vec::new();
        for row in summary_table.rows() {
            if sweep_parameter.is_none() {
                sweep_parameter = row.text("sweep_parameter").filter(|s| !s.is_empty()).map(str::to_string);
            }
            if scenario_name.is_none() {
                scenario_name = row.text("scenario").filter(|s| !s.is_empty()).map(str::to_string);
            }
            summary.push(SummaryRow {
                sweep: row.sweep(),
                policy: policy_of(&mut policies, &row)?,
                replications: row.num("replications")?,
                tasks_completed: row.num("tasks_completed")?,
                tasks_failed: row.num("tasks_failed")?,
                tasks_in_system: row.num("tasks_in_system")?,
                throughput: row.stat("throughput")?,
                mean_response: row.stat("mean_response")?,
                p50: row.stat("p50_response")?,
                p95: row.stat("p95_response")?,
                p99: row.stat("p99_response")?,
                p999: row.num("p999_response")?,
                max: row.num("max_response")?,
                mean_wait: row.num("mean_wait")?,
                mean_slowdown: row.num("mean_slowdown")?,
                // Absent from result folders written before these columns existed.
                bounded_slowdown: row.num("bounded_slowdown")?,
                utilization: row.stat("utilization")?,
                imbalance: row.num("imbalance")?,
                deadline_misses: row.num("deadline_misses")?,
                retries: row.num("retries")?,
                wasted_work: row.num("wasted_work")?,
                detection_latency: row.num("detection_latency")?,
                false_suspicions: row.num("false_suspicions")?,
                availability: row.num("availability")?,
                goodput: row.num("goodput")?,
                makespan: row.num("makespan")?,
                unstable: row.num("unstable")?,
                job_mean_response: row.stat("job_mean_response")?,
                job_p99: row.stat("job_p99_response")?,
                job_mean_slowdown: row.num("job_mean_slowdown")?,
                tasks_per_job: row.num("tasks_per_job")?,
                jobs_failed: row.num("jobs_failed")?,
                data_moved: row.num("data_moved")?,
                speculative_launched: row.num("speculative_launched")?,
                speculative_won: row.num("speculative_won")?,
                speculative_wasted: row.num("speculative_wasted")?,
            });
        }

        let mut classes = Vec::new();
        if let Some(t) = Table::read(&dir.join("classes.csv"))? {
            t.require(&["discipline", "balancer", "class"])?;
            for row in t.rows() {
                classes.push(ClassRow {
                    sweep: row.sweep(),
                    policy: policy_of(&mut policies, &row)?,
                    class: row.label("class")?.to_string(),
                    priority: row.text("priority").unwrap_or("").to_string(),
                    tasks_completed: row.num("tasks_completed")?,
                    mean_response: row.stat("mean_response")?,
                    p50: row.num("p50_response")?,
                    p95: row.num("p95_response")?,
                    p99: row.num("p99_response")?,
                    max: row.num("max_response")?,
                    deadline_misses: row.num("deadline_misses")?,
                });
            }
        }

        let mut cdf = Vec::new();
        if let Some(t) = Table::read(&dir.join("cdf.csv"))? {
            t.require(&["discipline", "balancer", "quantile", "response"])?;
            for row in t.rows() {
                cdf.push(CdfRow {
                    sweep: row.sweep(),
                    policy: policy_of(&mut policies, &row)?,
                    quantile: row.req_num("quantile")?,
                    response: row.req_num("response")?,
                });
            }
        }

        let mut job_cdf = Vec::new();
        if let Some(t) = Table::read(&dir.join("job_cdf.csv"))? {
            t.require(&["discipline", "balancer", "quantile", "response"])?;
            for row in t.rows() {
                job_cdf.push(CdfRow {
                    sweep: row.sweep(),
                    policy: policy_of(&mut policies, &row)?,
                    quantile: row.req_num("quantile")?,
                    response: row.req_num("response")?,
                });
            }
        }

        let mut timeseries = Vec::new();
        if let Some(t) = Table::read(&dir.join("timeseries.csv"))? {
            t.require(&["discipline", "balancer", "window_start", "window_end"])?;
            for row in t.rows() {
                timeseries.push(TimeRow {
                    sweep: row.sweep(),
                    policy: policy_of(&mut policies, &row)?,
                    replication: row.num("replication")?,
                    start: row.req_num("window_start")?,
                    end: row.req_num("window_end")?,
                    throughput: row.num("throughput")?,
                    in_system: row.num("tasks_in_system")?,
                    nodes_up: row.num("nodes_up")?,
                });
            }
        }

        let mut events = Vec::new();
        if let Some(t) = Table::read(&dir.join("events.csv"))? {
            // Failures hit every policy alike (common random numbers): events are
            // marked once, whichever policy's run they came from.
            t.require(&["time", "event"])?;
            for row in t.rows() {
                events.push(EventRow {
                    sweep: row.sweep(),
                    replication: row.num("replication")?,
                    time: row.req_num("time")?,
                    node: row.text("node").unwrap_or("").to_string(),
                    event: row.label("event")?.to_string(),
                });
            }
        }

        let mut nodes = Vec::new();
        if let Some(t) = Table::read(&dir.join("nodes.csv"))? {
            t.require(&["discipline", "balancer", "node", "utilization"])?;
            for row in t.rows() {
                nodes.push(NodeRow {
                    sweep: row.sweep(),
                    policy: policy_of(&mut policies, &row)?,
                    node: row.label("node")?.to_string(),
                    group: row.text("group").unwrap_or("").to_string(),
                    utilization: row.num("utilization")?,
                });
            }
        }

        let mut gantt = Vec::new();
        if let Some(t) = Table::read(&dir.join("gantt.csv"))? {
            t.require(&["discipline", "balancer", "id", "start", "finished", "node", "node_cores", "cores"])?;
            let whole = |row: &Row, column: &str| -> Result<u64, OutputError> {
                let v = row.req_num(column)?;
                if v >= 0.0 && v.fract() == 0.0 && v < 1e15 {
                    Ok(v as u64)
                } else {
                    Err(row.error(column, &format!("expected a whole number >= 0, got {v}")))
                }
            };
            for row in t.rows() {
                let job = GanttJob {
                    id: whole(&row, "id")?,
                    class: row.text("class").unwrap_or("").to_string(),
                    arrival: row.num("arrival")?.unwrap_or(0.0),
                    start: row.req_num("start")?,
                    finished: row.req_num("finished")?,
                    node: whole(&row, "node")? as usize,
                    node_cores: whole(&row, "node_cores")?.min(u32::MAX.into()) as u32,
                    cores: whole(&row, "cores")?.min(u32::MAX.into()) as u32,
                };
                gantt.push(GanttRow { sweep: row.sweep(), policy: policy_of(&mut policies, &row)?, job });
            }
        }

        let job_gantt = super::job_gantt::read(dir, &mut policies)?;

        let comparisons = match Table::read(&dir.join("compare.csv"))? {
            Some(t) => super::compare::read(&t, &mut policies)?,
            None => Vec::new(),
        };

        let mut seeds: Vec<(String, String)> = Vec::new();
        let mut seeds_differ = false;
        if let Some(t) = Table::read(&dir.join("runs.csv"))? {
            if t.has("seed") {
                for row in t.rows() {
                    let rep = row.text("replication").unwrap_or("").to_string();
                    let seed = row.text("seed").unwrap_or("").to_string();
                    match seeds.iter().find(|(r, _)| *r == rep) {
                        Some((_, s)) => seeds_differ |= *s != seed,
                        None => seeds.push((rep, seed)),
                    }
                }
            }
        }

        let scenario = read_scenario(&dir.join("scenario.toml"))?;
        let scenario_name = scenario_name
            .or_else(|| scenario.name.clone())
            .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "results".into());

        let sweep_values = sweep_values(summary.iter().filter_map(|r| r.sweep.as_deref()));
        let sweep_parameter = if sweep_values.is_empty() { None } else { sweep_parameter };
        Ok(Results {
            scenario_name,
            sweep_parameter,
            sweep_values,
            policies: label_policies(policies),
            summary,
            classes,
            cdf,
            job_cdf,
            timeseries,
            events,
            nodes,
            gantt,
            job_gantt,
            comparisons,
            seeds,
            seeds_differ,
            scenario,
        })
    }

    /// The sweep value that bar, CDF, time-series and node charts show: the largest
    /// (the heaviest load of a load sweep, where policies differ most).
    pub(super) fn focus(&self) -> Option<&str> {
        self.sweep_values.last().map(String::as_str)
    }

    /// Whether a row with sweep value `v` belongs to the focus point (rows of a file
    /// without sweep columns always do).
    pub(super) fn at_focus(&self, v: &Option<String>) -> bool {
        match (v, self.focus()) {
            (Some(v), Some(f)) => same_sweep(v, f),
            _ => true,
        }
    }
}

/// Two sweep values are the same if their text or their numbers are.
pub(super) fn same_sweep(a: &str, b: &str) -> bool {
    a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

/// Distinct values, in numeric order when all are numbers, else in order of appearance.
fn sweep_values<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.iter().any(|o| same_sweep(o, v)) {
            out.push(v.to_string());
        }
    }
    let nums: Option<Vec<f64>> = out.iter().map(|v| v.parse::<f64>().ok()).collect();
    if let Some(nums) = nums {
        let mut pairs: Vec<(f64, String)> = nums.into_iter().zip(out).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        out = pairs.into_iter().map(|p| p.1).collect();
    }
    out
}

/// The index of the policy in the row's `discipline` and `balancer` columns, added to
/// `policies` when new.
pub(super) fn policy_of(policies: &mut Vec<(String, String)>, row: &Row) -> Result<usize, OutputError> {
    policy_in(policies, row, "")
}

/// [`policy_of`] for the columns `<prefix>discipline` and `<prefix>balancer`.
pub(super) fn policy_in(policies: &mut Vec<(String, String)>, row: &Row, prefix: &str) -> Result<usize, OutputError> {
    let d = row.label(&format!("{prefix}discipline"))?;
    let b = row.label(&format!("{prefix}balancer"))?;
    Ok(match policies.iter().position(|(pd, pb)| pd == d && pb == b) {
        Some(i) => i,
        None => {
            policies.push((d.to_string(), b.to_string()));
            policies.len() - 1
        }
    })
}

/// Labels: "discipline / balancer" when both vary, else whichever varies (the
/// balancer when neither does).
fn label_policies(pairs: Vec<(String, String)>) -> Vec<Policy> {
    let distinct = |f: fn(&(String, String)) -> &String| {
        let mut v: Vec<&String> = pairs.iter().map(f).collect();
        v.sort();
        v.dedup();
        v.len()
    };
    let (nd, nb) = (distinct(|p| &p.0), distinct(|p| &p.1));
    pairs
        .iter()
        .map(|(d, b)| Policy {
            discipline: d.clone(),
            balancer: b.clone(),
            label: if nd > 1 && nb > 1 {
                format!("{d} / {b}")
            } else if nd > 1 {
                d.clone()
            } else {
                b.clone()
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_what_varies() {
        let p = |d: &str, b: &str| (d.to_string(), b.to_string());
        let l = |v: Vec<(String, String)>| label_policies(v).into_iter().map(|p| p.label).collect::<Vec<_>>();
        assert_eq!(l(vec![p("fifo", "random"), p("fifo", "jsq")]), ["random", "jsq"]);
        assert_eq!(l(vec![p("fifo", "random"), p("sjf", "random")]), ["fifo", "sjf"]);
        assert_eq!(l(vec![p("fifo", "random"), p("sjf", "jsq")]), ["fifo / random", "sjf / jsq"]);
    }

    #[test]
    fn sweep_values_sort_numerically() {
        assert_eq!(sweep_values(["0.9", "0.5", "0.70", "0.7"].into_iter()), ["0.5", "0.70", "0.9"]);
        assert_eq!(sweep_values(["b", "a"].into_iter()), ["b", "a"]);
    }
}
