//! The Gantt chart of one job of many tasks (`job_gantt`), from `job_gantt.csv`: a
//! panel per policy shown, drawn by `chart/job_gantt.rs`.

use std::path::Path;

use super::data::{policy_of, Results, Row, Table};
use super::{Chart, OutputError};
use crate::output::chart::job_gantt::{self, JobGanttTask};

/// The chart of the focus point, if `job_gantt.csv` has rows. `focus` is " at load =
/// 0.95" or "".
pub(super) fn figure(r: &Results, focus: &str) -> Option<Chart> {
    let panels: Vec<(String, Vec<&JobGanttTask>)> = (r.policies.iter().enumerate())
        .map(|(pi, p)| {
            let tasks = r.job_gantt.iter().filter(|g| g.policy == pi && r.at_focus(&g.sweep)).map(|g| &g.task);
            (p.label.clone(), tasks.collect())
        })
        .collect();
    let (fig, caption) = job_gantt::figure(&r.scenario_name, focus, &panels)?;
    Some(Chart { fig, caption })
}

/// One row of `job_gantt.csv`: a task of the job a policy's panel shows.
#[derive(Debug, Clone)]
pub(super) struct JobGanttRow {
    pub sweep: Option<String>,
    pub policy: usize,
    pub task: JobGanttTask,
}

/// The rows of `dir/job_gantt.csv` (none without the file), their policies added to
/// `policies`.
pub(super) fn read(dir: &Path, policies: &mut Vec<(String, String)>) -> Result<Vec<JobGanttRow>, OutputError> {
    let Some(t) = Table::read(&dir.join("job_gantt.csv"))? else { return Ok(Vec::new()) };
    t.require(&[
        "discipline",
        "balancer",
        "job",
        "task",
        "job_arrival",
        "start",
        "finished",
        "node",
        "node_cores",
        "cores",
    ])?;
    let whole = |row: &Row, column: &str| -> Result<u64, OutputError> {
        let v = row.req_num(column)?;
        if v >= 0.0 && v.fract() == 0.0 && v < 1e15 {
            Ok(v as u64)
        } else {
            Err(row.error(column, &format!("expected a whole number >= 0, got {v}")))
        }
    };
    let mut out = Vec::new();
    for row in t.rows() {
        let task = JobGanttTask {
            job: whole(&row, "job")?,
            task: whole(&row, "task")?.min(u32::MAX.into()) as u32,
            stage: row.text("stage").unwrap_or("").to_string(),
            job_arrival: row.req_num("job_arrival")?,
            job_completion: row.num("job_completion")?,
            start: row.req_num("start")?,
            finished: row.req_num("finished")?,
            node: whole(&row, "node")? as usize,
            node_cores: whole(&row, "node_cores")?.min(u32::MAX.into()) as u32,
            cores: whole(&row, "cores")?.min(u32::MAX.into()) as u32,
        };
        out.push(JobGanttRow { sweep: row.sweep(), policy: policy_of(policies, &row)?, task });
    }
    Ok(out)
}
