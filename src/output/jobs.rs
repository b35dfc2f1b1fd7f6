//! Job records: `jobs.csv`, one row per task, and `gantt.csv`, the first jobs of a
//! central-mode scenario, which its report draws as a Gantt chart.
//!
//! | file | rows | when |
//! |---|---|---|
//! | `jobs.csv` | one per task of replication 0 (or of every run), in order of departure | `run --jobs`, `[output] jobs` |
//! | `gantt.csv` | one per completed task among the first [`GANTT_JOBS`] of replication 0, first balancer, every discipline | central mode |
//! | `job_gantt.csv` | one per completed task of the first measured job of many tasks, replication 0, every policy | `[workload] job` (`job_gantt.rs`) |
//!
//! Both start with the label columns of the other per-run tables (`scenario`, the
//! sweep columns, `discipline`, `discipline_params`, `balancer`, `balancer_params`,
//! `replication`), the sweep columns empty without a sweep.
//!
//! **Memory stays flat however many tasks a run has.** A run's rows are written, as
//! its tasks leave, to a part file of its own in a scratch folder; when every run is
//! done, `jobs.csv` is the header followed by the parts in plan order, written
//! atomically. The file is therefore the same bytes whatever the number of threads
//! and whichever run finished first. A Gantt chart needs only the first
//! [`GANTT_JOBS`] jobs of a few runs, which are kept in memory.
//!
//! Runs that write neither take the simulation's unobserved path: no record is built.

use super::csv::{remove_stale, write_rows};
use super::job_gantt::Pick;
use super::runlog::JobData;
use super::write_atomic_with;
use crate::model::Mode;
use crate::runner::{Observer, Plan, Watch};
use crate::scenario::{JobRecords, Scenario};
use crate::sim::TaskRecord;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How many jobs (the first, by arrival) a central-mode scenario's Gantt chart shows.
pub const GANTT_JOBS: u64 = 300;

/// The label columns every row starts with, as in every other table.
const LABEL_COLUMNS: [&str; 8] = [
    "scenario",
    "sweep_parameter",
    "sweep_value",
    "discipline",
    "discipline_params",
    "balancer",
    "balancer_params",
    "replication",
];

/// The columns of `jobs.csv` after the labels, in the order of its rows' fields.
pub const JOB_COLUMNS: [&str; 11] =
    ["id", "class", "arrival", "start", "completion", "node", "cores", "size", "estimate", "attempts", "outcome"];

/// A row of `jobs.csv`. Times are seconds of virtual time.
#[derive(Debug, Serialize)]
struct JobRow<'a> {
    scenario: &'a str,
    sweep_parameter: Option<&'a str>,
    sweep_value: Option<f64>,
    discipline: &'a str,
    discipline_params: &'a str,
    balancer: &'a str,
    balancer_params: &'a str,
    replication: u32,
    /// The task's arrival index, from 0.
    id: u64,
    /// Its class's name.
    class: &'a str,
    /// When it reached the scheduler.
    arrival: f64,
    /// When the attempt that completed it started running (empty if it failed).
    start: Option<f64>,
    /// When it left: its result reached the scheduler (completion - arrival is its
    /// response time), or it failed.
    completion: f64,
    /// The node that completed it (empty if it failed).
    node: Option<usize>,
    /// Cores it occupied.
    cores: u32,
    /// Its size, in work units.
    size: f64,
    /// The scheduler's estimate of its size.
    estimate: f64,
    /// Attempts made (more than 1 after a node failure or a timeout).
    attempts: u32,
    /// `completed` or `failed`.
    outcome: &'static str,
}

/// A row of `gantt.csv`: where and when a completed task held its cores.
#[derive(Debug, Serialize)]
struct GanttRow<'a> {
    scenario: &'a str,
    sweep_parameter: Option<&'a str>,
    sweep_value: Option<f64>,
    discipline: &'a str,
    balancer: &'a str,
    replication: u32,
    id: u64,
    class: &'a str,
    arrival: f64,
    /// Start and end of the run on its node (not the result's arrival).
    start: f64,
    finished: f64,
    node: usize,
    /// Cores of that node: the chart's rows.
    node_cores: u32,
    cores: u32,
}

/// The label columns of one run's rows.
#[derive(Debug)]
pub(super) struct Labels {
    pub scenario: String,
    pub sweep_parameter: Option<String>,
    pub sweep_value: Option<f64>,
    pub discipline: String,
    /// The discipline label's parameters (`csv::label_params`).
    pub discipline_params: String,
    pub balancer: String,
    /// The balancer label's parameters.
    pub balancer_params: String,
    pub replication: u32,
}

/// What is kept of one run for its scenario's files.
#[derive(Debug, Clone)]
struct Kept {
    /// Its `jobs.csv` rows, in a part file (`None` if it wrote none, or failed).
    part: Option<PathBuf>,
    /// Its first [`GANTT_JOBS`] tasks' records, by arrival index, for a Gantt chart.
    first: Option<Vec<TaskRecord>>,
    /// Its first measured job of many tasks, by task index (`job_gantt.rs`).
    job: Option<Vec<TaskRecord>>,
}

/// Watches the runs of a plan whose tasks its scenario's files need (see the module
/// docs), and writes those files. Its scratch folder is removed when it is dropped.
pub struct JobFiles<'p> {
    plan: &'p Plan,
    /// Which runs of each scenario file write `jobs.csv` rows.
    jobs: Vec<JobRecords>,
    /// Where the part files go until they are joined.
    scratch: PathBuf,
    kept: Mutex<BTreeMap<usize, Kept>>,
    /// The first error writing a part file, by scenario file.
    errors: Mutex<BTreeMap<usize, String>>,
}

impl<'p> JobFiles<'p> {
    /// Records for `plan`, whose part files go to the folder `scratch` (emptied first:
    /// what is there was left by a process that was killed). `flag` is the command
    /// line's choice, widened by each scenario's `[output] jobs`.
    pub fn new(plan: &'p Plan, scratch: PathBuf, flag: JobRecords) -> Self {
        let jobs = plan.scenarios.iter().map(|s| s.output.jobs.max(flag)).collect();
        let _ = std::fs::remove_dir_all(&scratch);
        JobFiles { plan, jobs, scratch, kept: Mutex::new(BTreeMap::new()), errors: Mutex::new(BTreeMap::new()) }
    }

    /// What run `job` keeps for the job files (its rows and first tasks), for its shard's
    /// run log; `take` also lets them go here (a shard writes no job files itself).
    pub fn data(&self, job: usize, take: bool) -> Result<JobData, String> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let Some(k) = (if take { kept.remove(&job) } else { kept.get(&job).cloned() }) else {
            return Ok(JobData::default());
        };
        drop(kept);
        let rows = match &k.part {
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
                if take {
                    let _ = std::fs::remove_file(path);
                }
                Some(bytes)
            }
            None => None,
        };
        Ok(JobData { rows, first: k.first, job: k.job })
    }

    /// Takes back what run `job` kept, read from a run log (`merge`, `--resume`), as if
    /// it had just run.
    pub fn restore(&self, job: usize, data: JobData) {
        let part = match data.rows {
            Some(rows) => {
                let path = self.scratch.join(format!("{job}.part"));
                match std::fs::create_dir_all(&self.scratch).and_then(|()| std::fs::write(&path, rows)) {
                    Ok(()) => Some(path),
                    Err(e) => {
                        self.fail(job, format!("{}: {e}", path.display()));
                        None
                    }
                }
            }
            None => None,
        };
        self.kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(job, Kept { part, first: data.first, job: data.job });
    }

    /// Whether run `job` writes `jobs.csv` rows, whether a Gantt chart needs its
    /// first tasks (replication 0 of the first balancer of a central-mode scenario),
    /// and whether `job_gantt.csv` needs its first measured job (replication 0 of a
    /// scenario with jobs of many tasks: a run without them is not observed for it).
    fn wants(&self, job: usize) -> (bool, bool, bool) {
        let j = &self.plan.jobs[job];
        let unit = &self.plan.units[j.unit];
        let s = &unit.scenario;
        let rows = self.jobs[unit.file].covers(j.replication);
        let gantt = s.run.mode == Mode::Central && j.replication == 0 && s.balancers.first() == Some(&j.balancer);
        let job_gantt = j.replication == 0 && s.workload.job.is_some();
        (rows, gantt, job_gantt)
    }

    fn labels(&self, job: usize) -> Labels {
        let j = &self.plan.jobs[job];
        let unit = &self.plan.units[j.unit];
        let (discipline, balancer) = (j.discipline.to_string(), unit.scenario.balancer_label(&j.balancer));
        Labels {
            scenario: unit.scenario.name.clone(),
            sweep_parameter: unit.sweep.as_ref().map(|(p, _)| p.clone()),
            sweep_value: unit.sweep.as_ref().map(|(_, v)| *v),
            discipline_params: super::csv::label_params(&discipline),
            discipline,
            balancer_params: super::csv::label_params(&balancer),
            balancer,
            replication: j.replication,
        }
    }

    /// Remembers that run `job`'s rows could not be written: its scenario then gets
    /// no `jobs.csv`, and an error.
    fn fail(&self, job: usize, message: String) {
        let file = self.plan.units[self.plan.jobs[job].unit].file;
        self.errors.lock().unwrap_or_else(|e| e.into_inner()).entry(file).or_insert(message);
    }

    /// Writes the job files of scenario file `file` into `dir`, from its runs that
    /// succeeded, and removes the ones it no longer has (from an earlier run into the
    /// same folder), so that the folder holds one run's results. Returns the files
    /// written.
    pub fn write(&self, file: usize, dir: &Path) -> Result<Vec<PathBuf>, String> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let mine: Vec<(usize, Kept)> = (0..self.plan.jobs.len())
            .filter(|&i| self.plan.units[self.plan.jobs[i].unit].file == file)
            .filter_map(|i| kept.remove(&i).map(|k| (i, k)))
            .collect();
        drop(kept);
        let jobs = self.write_jobs(file, &dir.join("jobs.csv"), &mine);
        for part in mine.iter().filter_map(|(_, k)| k.part.as_ref()) {
            let _ = std::fs::remove_file(part);
        }
        let gantt = self.write_gantt(&dir.join("gantt.csv"), &mine);
        let chosen: Vec<(Labels, &[TaskRecord], &Scenario)> = mine
            .iter()
            .filter_map(|(i, k)| {
                let scenario = &self.plan.units[self.plan.jobs[*i].unit].scenario;
                Some((self.labels(*i), k.job.as_deref()?, scenario.as_ref()))
            })
            .collect();
        let job_gantt = super::job_gantt::write(&dir.join("job_gantt.csv"), &chosen);
        Ok([jobs?, gantt?, job_gantt?].into_iter().flatten().collect())
    }

    /// `jobs.csv`: the header, then the runs' part files in plan order.
    fn write_jobs(&self, file: usize, path: &Path, runs: &[(usize, Kept)]) -> Result<Option<PathBuf>, String> {
        let parts: Vec<&PathBuf> = runs.iter().filter_map(|(_, k)| k.part.as_ref()).collect();
        if let Some(e) = self.errors.lock().unwrap_or_else(|e| e.into_inner()).get(&file) {
            remove_stale(path)?;
            return Err(format!("cannot write {}: {e}", path.display()));
        }
        if self.jobs[file] == JobRecords::Off || parts.is_empty() {
            remove_stale(path)?;
            return Ok(None);
        }
        write_atomic_with(path, |out| {
            writeln!(out, "{}", header(&JOB_COLUMNS))?;
            for part in &parts {
                std::io::copy(&mut std::fs::File::open(part)?, out)?;
            }
            Ok(())
        })
        .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Some(path.to_path_buf()))
    }

    /// `gantt.csv`: the completed ones of the runs' first jobs, in plan order.
    fn write_gantt(&self, path: &Path, runs: &[(usize, Kept)]) -> Result<Option<PathBuf>, String> {
        let runs: Vec<(Labels, &[TaskRecord], &Scenario)> = runs
            .iter()
            .filter_map(|(i, k)| {
                let scenario = &self.plan.units[self.plan.jobs[*i].unit].scenario;
                Some((self.labels(*i), k.first.as_deref()?, scenario.as_ref()))
            })
            .collect();
        let mut rows = Vec::new();
        for (l, first, scenario) in &runs {
            let node_cores: Vec<u32> = scenario.nodes().iter().map(|n| n.cores).collect();
            for r in first.iter() {
                let Some(node) = r.node else { continue };
                rows.push(GanttRow {
                    scenario: &l.scenario,
                    sweep_parameter: l.sweep_parameter.as_deref(),
                    sweep_value: l.sweep_value,
                    discipline: &l.discipline,
                    balancer: &l.balancer,
                    replication: l.replication,
                    id: r.seq,
                    class: scenario.workload.classes.get(r.class as usize).map_or("", |c| c.name.as_str()),
                    arrival: r.arrival,
                    start: r.start,
                    finished: r.finished,
                    node,
                    node_cores: node_cores.get(node).copied().unwrap_or(0),
                    cores: r.cores,
                });
            }
        }
        write_rows(path, &rows)
    }
}

impl Watch for JobFiles<'_> {
    fn observer(&self, job: usize) -> Option<Box<dyn Observer + '_>> {
        let (rows, gantt, job_gantt) = self.wants(job);
        if !rows && !gantt && !job_gantt {
            return None;
        }
        let part = if rows {
            let path = self.scratch.join(format!("{job}.part"));
            let file = std::fs::create_dir_all(&self.scratch).and_then(|_| std::fs::File::create(&path));
            match file {
                Ok(f) => Some((path, csv::WriterBuilder::new().has_headers(false).from_writer(BufWriter::new(f)))),
                Err(e) => {
                    self.fail(job, format!("{}: {e}", path.display()));
                    None
                }
            }
        } else {
            None
        };
        let scenario = &self.plan.units[self.plan.jobs[job].unit].scenario;
        Some(Box::new(RunRecords {
            owner: self,
            job,
            labels: self.labels(job),
            classes: scenario.workload.classes.iter().map(|c| c.name.clone()).collect(),
            part,
            first: gantt.then(Vec::new),
            pick: job_gantt.then(Pick::default),
            error: None,
        }))
    }
}

impl Drop for JobFiles<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// The observer of one run.
struct RunRecords<'a> {
    owner: &'a JobFiles<'a>,
    job: usize,
    labels: Labels,
    classes: Vec<String>,
    part: Option<(PathBuf, csv::Writer<BufWriter<std::fs::File>>)>,
    first: Option<Vec<TaskRecord>>,
    pick: Option<Pick>,
    error: Option<String>,
}

impl Observer for RunRecords<'_> {
    fn record(&mut self, r: &TaskRecord) {
        if let Some(first) = &mut self.first {
            if r.seq < GANTT_JOBS {
                first.push(*r);
            }
        }
        if let Some(pick) = &mut self.pick {
            pick.offer(r);
        }
        let Some((_, writer)) = &mut self.part else { return };
        if self.error.is_some() {
            return;
        }
        let l = &self.labels;
        let row = JobRow {
            scenario: &l.scenario,
            sweep_parameter: l.sweep_parameter.as_deref(),
            sweep_value: l.sweep_value,
            discipline: &l.discipline,
            discipline_params: &l.discipline_params,
            balancer: &l.balancer,
            balancer_params: &l.balancer_params,
            replication: l.replication,
            id: r.seq,
            class: self.classes.get(r.class as usize).map_or("", String::as_str),
            arrival: r.arrival,
            start: r.completed.then_some(r.start),
            completion: r.end,
            node: r.node,
            cores: r.cores,
            size: r.size,
            estimate: r.estimate,
            attempts: r.attempts,
            outcome: if r.completed { "completed" } else { "failed" },
        };
        if let Err(e) = writer.serialize(row) {
            self.error = Some(e.to_string());
        }
    }

    fn end(self: Box<Self>, ok: bool) {
        let RunRecords { owner, job, part, first, pick, error, .. } = *self;
        let part = part.and_then(|(path, writer)| {
            let flushed = writer
                .into_inner()
                .map_err(|e| e.into_error().to_string())
                .and_then(|w| w.into_inner().map(drop).map_err(|e| e.into_error().to_string()));
            if let Err(e) = error.map_or(flushed, Err) {
                owner.fail(job, format!("{}: {e}", path.display()));
            }
            // A failed run's rows go with its results.
            if !ok {
                let _ = std::fs::remove_file(&path);
            }
            ok.then_some(path)
        });
        if !ok {
            return;
        }
        let first = first.map(|mut f| {
            f.sort_by_key(|r| r.seq);
            f
        });
        owner
            .kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(job, Kept { part, first, job: pick.map(Pick::into_tasks) });
    }
}

/// The header of a job file: the label columns, then `columns`.
fn header(columns: &[&str]) -> String {
    LABEL_COLUMNS.iter().chain(columns).copied().collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_names_the_rows_fields_in_order() {
        let labels = Labels {
            scenario: "s".into(),
            sweep_parameter: None,
            sweep_value: None,
            discipline: "fifo".into(),
            discipline_params: String::new(),
            balancer: "power_of_d(d=2)".into(),
            balancer_params: "d=2".into(),
            replication: 0,
        };
        let row = JobRow {
            scenario: &labels.scenario,
            sweep_parameter: None,
            sweep_value: None,
            discipline: &labels.discipline,
            discipline_params: &labels.discipline_params,
            balancer: &labels.balancer,
            balancer_params: &labels.balancer_params,
            replication: labels.replication,
            id: 7,
            class: "batch",
            arrival: 1.5,
            start: None,
            completion: 3.0,
            node: None,
            cores: 2,
            size: 1.0,
            estimate: 1.25,
            attempts: 3,
            outcome: "failed",
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&row).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(header(&JOB_COLUMNS).as_str()));
        assert_eq!(lines.next(), Some("s,,,fifo,,power_of_d(d=2),d=2,0,7,batch,1.5,,3.0,,2,1.0,1.25,3,failed"));
        assert_eq!(
            header(&JOB_COLUMNS),
            "scenario,sweep_parameter,sweep_value,discipline,discipline_params,balancer,balancer_params,replication,\
             id,class,arrival,start,completion,node,cores,size,estimate,attempts,outcome"
        );
    }
}
