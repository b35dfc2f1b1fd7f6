//! `job_gantt.csv`: the tasks of one job of many tasks per policy, where and when each
//! ran, which the report draws as a Gantt chart of that job (`chart/job_gantt.rs`).
//!
//! **Which job.** The first measured job of replication 0: the job with the smallest
//! arrival index among those that arrived after the warm-up. Every policy sees the
//! same arrivals (common random numbers), so every policy's panel shows the same job,
//! the same DAG and task sizes; the first measured job is also known while the run
//! goes, so a run keeps one job's records, never all of them. (The job at the median
//! response would be more typical, but it differs by policy and needs every job's
//! response first.)
//!
//! **What it costs.** Only runs of a scenario with jobs, replication 0, are observed
//! for it (`JobFiles::wants`): a run without jobs builds no record and takes the
//! simulation's unobserved path, as before. An observed run offers each departing
//! task's record to a [`Pick`], which keeps those of the chosen job.
//!
//! Rows: one per completed task of the chosen job, in order of its index in the DAG,
//! runs in plan order, so the file is the same bytes at any thread count.

use super::csv::write_rows;
use super::jobs::Labels;
use crate::scenario::Scenario;
use crate::sim::TaskRecord;
use crate::workload::{Dag, JobShape};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The records of one run's chosen job, kept as its tasks depart.
#[derive(Debug, Clone, Default)]
pub(super) struct Pick {
    /// The chosen job's arrival index, so far: the smallest measured one seen.
    chosen: Option<u64>,
    tasks: Vec<TaskRecord>,
}

impl Pick {
    /// Keeps `r` if it is a measured task of the earliest measured job seen so far
    /// (forgetting a later job's tasks kept until then: tasks of jobs depart out of
    /// order).
    pub fn offer(&mut self, r: &TaskRecord) {
        let Some((job, _)) = r.job else { return };
        if !r.measured {
            return;
        }
        match self.chosen {
            Some(c) if job > c => {}
            Some(c) if job == c => self.tasks.push(*r),
            _ => {
                self.chosen = Some(job);
                self.tasks.clear();
                self.tasks.push(*r);
            }
        }
    }

    /// The chosen job's task records, by index in its DAG.
    pub fn into_tasks(mut self) -> Vec<TaskRecord> {
        self.tasks.sort_by_key(|r| r.job.map_or(0, |j| j.1));
        self.tasks
    }
}

/// A row of `job_gantt.csv`: one completed task of the chosen job. Times are seconds
/// of virtual time.
#[derive(Debug, Serialize)]
struct Row<'a> {
    scenario: &'a str,
    sweep_parameter: Option<&'a str>,
    sweep_value: Option<f64>,
    discipline: &'a str,
    balancer: &'a str,
    replication: u32,
    /// The job's arrival index.
    job: u64,
    /// The task's index in the job's DAG.
    task: u32,
    /// Its name in the workflow file ("" for generated shapes).
    name: &'a str,
    /// Its kind: the workflow task name's first word (`map` of `map_ID0000023`), `map`
    /// or `reduce` in a map-reduce job, `task` in a fork-join job.
    stage: &'a str,
    /// Its parents' indices, separated by spaces.
    parents: String,
    /// When the job arrived.
    job_arrival: f64,
    /// When its last task's result reached the dispatcher (empty if it failed).
    job_completion: Option<f64>,
    /// When the task was released (its last parent completed).
    release: f64,
    /// Start and end of the run that completed it, on its node.
    start: f64,
    finished: f64,
    /// When its result reached the dispatcher.
    completion: f64,
    node: usize,
    /// Cores of that node: the chart's rows.
    node_cores: u32,
    cores: u32,
}

/// The DAG every job of `shape` has, if they share one (all but a fork-join of a
/// drawn number of tasks, which has no edges anyway).
fn shared_dag(shape: Option<&JobShape>) -> Option<&Dag> {
    match shape? {
        JobShape::ForkJoin { fixed, .. } => fixed.as_deref(),
        JobShape::MapReduce { dag } | JobShape::Workflow { dag, .. } => Some(dag),
    }
}

/// Task `index`'s stage (see [`Row::stage`]).
fn stage<'a>(shape: Option<&JobShape>, dag: Option<&'a Dag>, index: usize) -> &'a str {
    match (shape, dag) {
        (Some(JobShape::Workflow { .. }), Some(d)) => {
            d.names.get(index).and_then(|n| n.split('_').next()).filter(|s| !s.is_empty()).unwrap_or("task")
        }
        (Some(JobShape::MapReduce { .. }), Some(d)) if d.parents[index].is_empty() => "map",
        (Some(JobShape::MapReduce { .. }), _) => "reduce",
        _ => "task",
    }
}

/// Writes `job_gantt.csv` at `path` from each run's chosen job (in plan order), or
/// removes a stale one when no run has one.
pub(super) fn write(path: &Path, runs: &[(Labels, &[TaskRecord], &Scenario)]) -> Result<Option<PathBuf>, String> {
    let mut rows = Vec::new();
    for (l, tasks, scenario) in runs {
        let shape = scenario.workload.job.as_ref();
        let dag = shared_dag(shape);
        let node_cores: Vec<u32> = scenario.nodes().iter().map(|n| n.cores).collect();
        let Some(job_arrival) = tasks.iter().map(|r| r.arrival).reduce(f64::min) else { continue };
        // The job completed if each of its tasks did (all of them, when the DAG says
        // how many there are).
        let whole = tasks.iter().all(|r| r.completed) && dag.is_none_or(|d| d.len() == tasks.len());
        let job_completion = whole.then(|| tasks.iter().map(|r| r.end).fold(f64::MIN, f64::max));
        for r in tasks.iter() {
            let (Some((job, task)), Some(node)) = (r.job, r.node) else { continue };
            let parents = dag.and_then(|d| d.parents.get(task as usize));
            rows.push(Row {
                scenario: &l.scenario,
                sweep_parameter: l.sweep_parameter.as_deref(),
                sweep_value: l.sweep_value,
                discipline: &l.discipline,
                balancer: &l.balancer,
                replication: l.replication,
                job,
                task,
                name: dag.and_then(|d| d.names.get(task as usize)).map_or("", String::as_str),
                stage: stage(shape, dag, task as usize),
                parents: parents
                    .map_or(String::new(), |p| p.iter().map(|(p, _)| p.to_string()).collect::<Vec<_>>().join(" ")),
                job_arrival,
                job_completion,
                release: r.arrival,
                start: r.start,
                finished: r.finished,
                completion: r.end,
                node,
                node_cores: node_cores.get(node).copied().unwrap_or(0),
                cores: r.cores,
            });
        }
    }
    write_rows(path, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(job: u64, task: u32, measured: bool) -> TaskRecord {
        TaskRecord {
            seq: 0,
            class: 0,
            arrival: 0.0,
            size: 1.0,
            estimate: 1.0,
            cores: 1,
            node: Some(0),
            start: 0.0,
            finished: 1.0,
            end: 1.0,
            completed: true,
            attempts: 1,
            preemptions: 0,
            reservation: f64::NAN,
            measured,
            job: Some((job, task)),
        }
    }

    #[test]
    fn the_first_measured_job_is_kept_whatever_order_its_tasks_depart_in() {
        let mut pick = Pick::default();
        // Job 3 is not measured; job 5 departs first, then job 4, the one kept.
        for (job, task, measured) in [(3, 0, false), (5, 0, true), (4, 1, true), (5, 1, true), (4, 0, true)] {
            pick.offer(&record(job, task, measured));
        }
        let mut plain = record(0, 0, true);
        plain.job = None;
        pick.offer(&plain);
        let kept: Vec<(u64, u32)> = pick.into_tasks().iter().filter_map(|r| r.job).collect();
        assert_eq!(kept, [(4, 0), (4, 1)]);
    }
}
