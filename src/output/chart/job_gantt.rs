//! The Gantt chart of one job of many tasks: where and when each of its tasks ran,
//! one panel per policy, so that a planner's placement and a plain balancer's can be
//! compared task by task (issue 13).
//!
//! x is time since the job's arrival (the left edge); y is the cores of the nodes the
//! job's tasks ran on, nodes stacked; each task is a rectangle from its start to the
//! end of its run on its node, coloured by stage (the workflow task's kind, `map` or
//! `reduce`), drawn on cores chosen as [`pack`] does. A dashed line marks the job's
//! completion under each policy (its last task's result reaching the dispatcher).
//! Only this job's tasks are drawn: other jobs' tasks share the nodes, so a gap
//! between a parent's end and its child's start may be the input transfer, a queue
//! behind other jobs' tasks, or (under a planner) the planned order.
//!
//! Drawn from `job_gantt.csv` (see `output::job_gantt`) with the Gantt chart's
//! drawing (`gantt.rs`).

use super::gantt::{pack, time_unit, GanttBar, GanttJob, GanttPanel, GanttPlot};
use super::{Figure, Plot};

/// One task of the chart: a row of `job_gantt.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct JobGanttTask {
    /// The job's arrival index.
    pub job: u64,
    /// The task's index in the job's DAG.
    pub task: u32,
    /// Its stage (colour and legend).
    pub stage: String,
    /// When the job arrived, seconds.
    pub job_arrival: f64,
    /// When it completed (`None` if it failed).
    pub job_completion: Option<f64>,
    /// Start of the task's run.
    pub start: f64,
    /// End of its run on its node.
    pub finished: f64,
    /// The node it ran on.
    pub node: usize,
    /// That node's cores.
    pub node_cores: u32,
    /// Cores it held.
    pub cores: u32,
}

/// The chart of `panels` (a policy's label and its tasks of the chosen job each) and
/// its caption, or `None` when no panel has a task. `scenario` names the chart and
/// `focus` says which sweep point it shows ("" for none).
pub fn figure(scenario: &str, focus: &str, panels: &[(String, Vec<&JobGanttTask>)]) -> Option<(Figure, String)> {
    let panels: Vec<&(String, Vec<&JobGanttTask>)> = panels.iter().filter(|(_, t)| !t.is_empty()).collect();
    let all = || panels.iter().flat_map(|(_, tasks)| tasks.iter().copied());
    let first = all().next()?;
    let (job, arrival) = (first.job, first.job_arrival);
    // Stages in order of their first start, so that colours follow the pipeline.
    let mut by_start: Vec<&JobGanttTask> = all().collect();
    by_start.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.task.cmp(&b.task)));
    let mut stages: Vec<String> = Vec::new();
    let mut nodes: Vec<(usize, u32)> = Vec::new();
    for t in &by_start {
        if !stages.contains(&t.stage) {
            stages.push(t.stage.clone());
        }
        if !nodes.iter().any(|(n, _)| *n == t.node) {
            nodes.push((t.node, t.node_cores));
        }
    }
    nodes.sort_unstable();
    let end = all().map(|t| t.job_completion.unwrap_or(t.finished).max(t.finished) - arrival).fold(0.0, f64::max);
    let mut responses = Vec::new();
    let drawn: Vec<GanttPanel> = panels
        .iter()
        .map(|(label, tasks)| {
            // Times from the job's arrival; tasks as the Gantt chart's jobs.
            let jobs: Vec<GanttJob> = tasks
                .iter()
                .map(|t| GanttJob {
                    id: t.task.into(),
                    class: t.stage.clone(),
                    arrival: 0.0,
                    start: t.start - arrival,
                    finished: t.finished - arrival,
                    node: t.node,
                    node_cores: t.node_cores,
                    cores: t.cores,
                })
                .collect();
            let bars = jobs
                .iter()
                .zip(pack(&jobs))
                .map(|(j, cores)| GanttBar {
                    id: j.id,
                    from: j.start,
                    to: j.finished,
                    node: nodes.iter().position(|(n, _)| *n == j.node).unwrap_or(0),
                    class: stages.iter().position(|c| *c == j.class).unwrap_or(0),
                    cores,
                })
                .collect();
            let done = tasks.first().and_then(|t| t.job_completion).map(|c| c - arrival);
            responses.push(done);
            let title = match done {
                Some(r) => format!("{label}: job response {}", seconds(r)),
                None => format!("{label}: the job failed (its completed tasks drawn)"),
            };
            GanttPanel { title, bars, marks: done.into_iter().collect() }
        })
        .collect();
    let count = panels.iter().map(|(_, t)| t.len()).max().unwrap_or(0);
    let plot = GanttPlot { nodes, classes: stages, panels: drawn, unit: time_unit(end), marks: Vec::new() };
    let note = format!(
        "Replication 0, job {job} (the first measured), arriving at t = {}: x is time since its arrival. A rectangle is\n\
         a task on the cores it held, from start to end of the run that completed it; dashed line: the job's completion.\n\
         Other jobs' tasks are not drawn: the nodes may be busier than they look. One job, not a typical one.",
        seconds(arrival)
    );
    let caption = format!(
        "One job of many tasks under each policy{focus}: job {job}, the first to arrive after the warm-up in \
         replication 0, which every policy receives alike ({count} tasks). x is time since the job arrived; y the \
         cores of the nodes its tasks ran on (nodes stacked); a rectangle per task, from the start to the end of its \
         run, coloured by stage; the dashed line is the job's completion (its last result back at the dispatcher). \
         Only this job's tasks are drawn: a gap between a task and its children is the transfer of its outputs, a \
         queue behind other jobs' tasks, or a planner's order. A task that was retried or copied (speculation) is \
         drawn as the attempt that completed it. This is one job, not a typical one: which policy is better is for \
         the job-response charts to say. Data: job_gantt.csv."
    );
    let title = format!("Where one job's tasks ran: job {job}{focus} — {scenario}");
    Some((Figure { stem: "job_gantt".into(), title, note: Some(note), plot: Plot::Gantt(plot) }, caption))
}

/// `s` seconds, readably.
fn seconds(s: f64) -> String {
    if s >= 100.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(task: u32, stage: &str, start: f64, finished: f64, node: usize) -> JobGanttTask {
        JobGanttTask {
            job: 7,
            task,
            stage: stage.into(),
            job_arrival: 100.0,
            job_completion: Some(130.0),
            start,
            finished,
            node,
            node_cores: 2,
            cores: 1,
        }
    }

    #[test]
    fn tasks_are_drawn_from_the_jobs_arrival_with_its_completion_marked() {
        let (a, b) = (task(0, "map", 101.0, 110.0, 3), task(1, "reduce", 112.0, 129.0, 1));
        let (fig, caption) = figure("s", "", &[("heft".into(), vec![&a, &b]), ("random".into(), vec![])]).unwrap();
        assert!(caption.contains("job 7"));
        let Plot::Gantt(p) = fig.plot else { panic!("not a Gantt chart") };
        assert_eq!(p.panels.len(), 1, "a policy without tasks gets no panel");
        assert_eq!(p.nodes, [(1, 2), (3, 2)]);
        assert_eq!(p.classes, ["map", "reduce"]);
        let bars: Vec<(f64, f64, usize)> = p.panels[0].bars.iter().map(|b| (b.from, b.to, b.node)).collect();
        assert_eq!(bars, [(1.0, 10.0, 1), (12.0, 29.0, 0)]);
        assert_eq!(p.panels[0].marks, [30.0]);
        assert!(p.panels[0].title.contains("job response 30.0 s"));
        assert!(figure("s", "", &[("heft".into(), vec![])]).is_none());
    }
}
