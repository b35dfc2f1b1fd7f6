//! Where a results folder keeps the per-run results of its shards, and the checks
//! `merge` makes before it writes anything.
//!
//! ```text
//! DIR/.schedsim-shards/plan-HASH.toml         the plan: scenario files, --jobs, version
//! DIR/.schedsim-shards/HASH-shard-I-of-K.runs  shard I's run log (see runlog.rs)
//! DIR/.schedsim-shards/.jobs-HASH-I-of-K/      jobs.csv rows of the runs under way
//! ```
//!
//! The folder is hidden, so neither the index nor `plot` takes it for a scenario. A
//! run without `--shard` keeps its log there too (as shard 1/1, for `--resume`) and
//! removes it once its results are written.

use super::runlog::{self, LogContents, RunRecord};
use crate::runner::shard::Shard;
use crate::runner::Plan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folder, inside a results folder, that holds the shards.
pub const SHARDS: &str = ".schedsim-shards";

/// What `merge` needs to compute a plan again: written by every shard, the same
/// bytes from each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The plan's fingerprint.
    pub plan: String,
    /// The schedsim version that ran it.
    pub version: String,
    /// The scenario files, absolute, in plan order.
    pub scenarios: Vec<PathBuf>,
    /// `--jobs`: `off`, `first` or `all`.
    pub jobs: String,
    /// `--allow-outside`.
    pub allow_outside: bool,
    /// Runs in the plan.
    pub runs: usize,
}

/// The shards of one results folder.
#[derive(Debug, Clone)]
pub struct ShardDir {
    dir: PathBuf,
}

impl ShardDir {
    /// The shards folder of results folder `output`.
    pub fn new(output: &Path) -> Self {
        ShardDir { dir: output.join(SHARDS) }
    }

    /// The folder itself.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Where shard `shard` of plan `plan` keeps its log.
    pub fn log(&self, plan: &str, shard: Shard) -> PathBuf {
        self.dir.join(format!("{plan}-shard-{}-of-{}.runs", shard.index, shard.count))
    }

    /// Where shard `shard` of plan `plan` keeps the `jobs.csv` rows of its runs under
    /// way (`None`: the scratch folder of `merge`). Only the process holding the
    /// shard's log uses it, so it needs no process id.
    pub fn scratch(&self, plan: &str, shard: Option<Shard>) -> PathBuf {
        match shard {
            Some(s) => self.dir.join(format!(".jobs-{plan}-{}-of-{}", s.index, s.count)),
            None => self.dir.join(format!(".jobs-{plan}-merge")),
        }
    }

    fn manifest_path(&self, plan: &str) -> PathBuf {
        self.dir.join(format!("plan-{plan}.toml"))
    }

    /// Writes `manifest` unless it is there. Shards starting at once on several
    /// machines all write it, the same bytes: each through a temporary file of its own
    /// (named by host and process), renamed into place.
    ///
    /// # Errors
    /// A message naming the file.
    pub fn write_manifest(&self, manifest: &Manifest) -> Result<(), String> {
        let path = self.manifest_path(&manifest.plan);
        if path.is_file() {
            return Ok(());
        }
        let text = toml::to_string(manifest).map_err(|e| format!("cannot write '{}': {e}", path.display()))?;
        let text = format!("# The plan of runs these shards belong to, for `schedsim merge` and `status`.\n{text}");
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let tmp = self.dir.join(format!(".plan-{}.{}-{}.tmp", manifest.plan, host.trim(), std::process::id()));
        std::fs::create_dir_all(&self.dir)
            .and_then(|()| std::fs::write(&tmp, text))
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                format!("cannot write '{}': {e}", path.display())
            })
    }

    /// The manifest of plan `plan`.
    ///
    /// # Errors
    /// A message naming the file if it is missing or unreadable.
    pub fn manifest(&self, plan: &str) -> Result<Manifest, String> {
        let path = self.manifest_path(plan);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read '{}': {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("'{}' is damaged: {e}", path.display()))
    }

    /// Every run log in the folder, by file name, read whole.
    ///
    /// # Errors
    /// A message if the folder or a log cannot be read.
    pub fn logs(&self) -> Result<Vec<(PathBuf, LogContents)>, String> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| format!("cannot read '{}': {e}", self.dir.display()))?;
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "runs") && p.is_file())
            .collect();
        paths.sort();
        paths.into_iter().map(|p| runlog::read(&p).map(|c| (p, c))).collect()
    }

    /// Removes shard `shard`'s log of plan `plan`, and the manifest and the folder
    /// when nothing else is left in them: a run without `--shard` that wrote its
    /// results no longer needs them.
    pub fn remove(&self, plan: &str, shard: Shard) {
        let _ = std::fs::remove_file(self.log(plan, shard));
        let others = self.logs().map(|l| l.iter().any(|(_, c)| c.header.plan == plan)).unwrap_or(true);
        if !others {
            let _ = std::fs::remove_file(self.manifest_path(plan));
        }
        // Only if empty.
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// How a run is named in a message: its scenario, policies, replication and sweep point.
pub fn describe(plan: &Plan, job: usize) -> String {
    let j = &plan.jobs[job];
    let unit = &plan.units[j.unit];
    let at = unit.sweep.as_ref().map(|(p, v)| format!(" at {p} = {v}")).unwrap_or_default();
    format!(
        "run {job} ({} / {} / {} / replication {}{at})",
        unit.scenario.name,
        j.discipline,
        unit.scenario.balancer_label(&j.balancer),
        j.replication
    )
}

/// The file name of `path`, for messages.
fn name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Checks that `logs`, all of plan `plan`, hold every run of it exactly once, and
/// returns the records in plan order. Refuses, naming the shard or the run: a shard
/// missing, a run present twice, a shard that did not finish.
///
/// # Errors
/// The message to print; nothing has been written.
pub fn gather(plan: &Plan, logs: Vec<(PathBuf, LogContents)>) -> Result<Vec<RunRecord>, String> {
    let mut counts: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (_, c) in &logs {
        counts.entry(c.header.shard.count).or_default().push(c.header.shard.index);
    }
    for (&count, indices) in &counts {
        if let Some(missing) = (1..=count).find(|i| !indices.contains(i)) {
            return Err(format!(
                "shard {missing}/{count} is missing: no {}-shard-{missing}-of-{count}.runs (run `schedsim run \
                 --shard {missing}/{count}` into this folder)",
                plan_of(&logs)
            ));
        }
    }
    let mut by_job: BTreeMap<usize, (RunRecord, String)> = BTreeMap::new();
    let mut short: Vec<(Shard, usize, usize, String)> = Vec::new();
    for (path, c) in logs {
        let file = name(&path);
        let mut seen = 0;
        for r in c.records {
            if r.job >= plan.jobs.len() {
                return Err(format!("{file} holds run {}, which the plan does not have", r.job));
            }
            if let Some((_, other)) = by_job.get(&r.job) {
                return Err(format!(
                    "{} is present twice: in {other} and in {file} (shards of two cuts of the plan, or a shard run \
                     twice; remove the logs of one)",
                    describe(plan, r.job),
                ));
            }
            by_job.insert(r.job, (r, file.clone()));
            seen += 1;
        }
        if seen < c.header.runs {
            short.push((c.header.shard, seen, c.header.runs, file));
        }
    }
    if let Some((shard, seen, runs, file)) = short.into_iter().next() {
        return Err(format!(
            "shard {shard} is incomplete: {file} holds {seen} of its {runs} runs (it was cut short: run it again \
             with `schedsim run --shard {shard} --resume`)"
        ));
    }
    if let Some(missing) = (0..plan.jobs.len()).find(|j| !by_job.contains_key(j)) {
        return Err(format!("{} is in no shard", describe(plan, missing)));
    }
    Ok(by_job.into_values().map(|(r, _)| r).collect())
}

/// The plan the logs are of (they have been checked to be of one).
fn plan_of(logs: &[(PathBuf, LogContents)]) -> &str {
    logs.first().map_or("", |(_, c)| c.header.plan.as_str())
}
