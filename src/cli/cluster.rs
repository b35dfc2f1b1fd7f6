//! The commands of a sweep spread over machines: `merge` and `status` on a results
//! folder that shards wrote into, and `slurm`, which writes (and submits) the batch
//! scripts that run them on a Slurm cluster.

use super::slurm::Batch;
use super::{exit_code, jobs_records, load_all, set_input_policy, stop_on_interrupt, JobsFlag, EXIT_BAD_INPUT};
use super::{EXIT_OK, EXIT_RUNS_FAILED};
use crate::output::folder;
use crate::output::jobs::JobFiles;
use crate::output::results::{write_results, Show};
use crate::output::shards::{gather, ShardDir, SHARDS};
use crate::policy::registry::Registry;
use crate::runner::{Plan, RunFailure};
use crate::scenario::JobRecords;
use clap::Args;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The name of a `--jobs` choice in a plan's manifest and fingerprint.
pub(super) fn jobs_key(jobs: JobRecords) -> &'static str {
    match jobs {
        JobRecords::Off => "off",
        JobRecords::FirstReplication => "first",
        JobRecords::All => "all",
    }
}

fn jobs_from_key(key: &str) -> Option<JobRecords> {
    [JobRecords::Off, JobRecords::FirstReplication, JobRecords::All].into_iter().find(|&j| jobs_key(j) == key)
}

/// The shards folder of `dir`, or the message saying there is none.
fn shards_of(dir: &Path, command: &str) -> Result<ShardDir, String> {
    if !dir.is_dir() {
        return Err(format!(
            "'{}' is not a folder: {command} takes the results folder the shards wrote into",
            dir.display()
        ));
    }
    let shards = ShardDir::new(dir);
    if !shards.path().is_dir() {
        return Err(format!(
            "'{}' holds no shards (no {SHARDS} folder in it): write them with `schedsim run --shard I/K -o {}`",
            dir.display(),
            dir.display()
        ));
    }
    Ok(shards)
}

/// `schedsim merge DIR`: the results of every shard in DIR written as one run writes
/// them. Refuses (exit 2, nothing written) shards of two plans, shards of a plan the
/// scenario files no longer make, a missing or unfinished shard, a run present twice.
pub(super) fn merge(dir: &Path, threads: usize, quiet: bool, registry: &Registry) -> u8 {
    match prepare_merge(dir, registry) {
        Ok((plan, shards, plan_id, jobs)) => {
            // The folder is this merge's until it ends.
            let _lock = match folder::OutputLock::acquire(dir) {
                Ok(lock) => lock,
                Err(message) => {
                    eprintln!("error: {message}");
                    return EXIT_BAD_INPUT;
                }
            };
            folder::clean_stale(dir);
            let logs = match shards.logs() {
                Ok(logs) => logs,
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_BAD_INPUT;
                }
            };
            let records = match gather(&plan, logs) {
                Ok(records) => records,
                Err(e) => {
                    eprintln!("error: cannot merge '{}': {e}", dir.display());
                    return EXIT_BAD_INPUT;
                }
            };
            let job_files = JobFiles::new(&plan, shards.scratch(&plan_id, None), jobs);
            let outcomes: Vec<_> = records
                .into_iter()
                .map(|r| match r.outcome {
                    Ok((output, data)) => {
                        job_files.restore(r.job, data);
                        Ok(output)
                    }
                    Err(message) => Err(RunFailure { job: r.job, message }),
                })
                .collect();
            stop_on_interrupt();
            let written = write_results(
                &plan,
                &outcomes,
                &job_files,
                dir,
                threads,
                if quiet { Show::Nothing } else { Show::Table },
            );
            if !quiet && !written.interrupted {
                eprintln!("merged {} runs into '{}'", outcomes.len(), dir.display());
            }
            exit_code(written)
        }
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_BAD_INPUT
        }
    }
}

/// The plan the shards in `dir` are of, computed again from its scenario files, and
/// checked to be the one they ran.
fn prepare_merge(dir: &Path, registry: &Registry) -> Result<(Plan, ShardDir, String, JobRecords), String> {
    let shards = shards_of(dir, "merge")?;
    let logs = shards.logs()?;
    let mut plans: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, c) in &logs {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        plans.entry(c.header.plan.clone()).or_default().push(name);
    }
    let plan_id = match plans.len() {
        0 => return Err(format!("'{}' holds no shard logs (*.runs)", shards.path().display())),
        1 => plans.keys().next().cloned().unwrap_or_default(),
        _ => {
            let listed: Vec<String> =
                plans.iter().map(|(p, files)| format!("plan {p}: {}", files.join(", "))).collect();
            return Err(format!(
                "'{}' holds shards of {} different plans ({}); a merge takes one plan's shards: remove the others",
                shards.path().display(),
                plans.len(),
                listed.join("; ")
            ));
        }
    };
    let manifest = shards.manifest(&plan_id)?;
    let jobs = jobs_from_key(&manifest.jobs)
        .ok_or_else(|| format!("plan {plan_id}: unknown --jobs choice '{}' in its manifest", manifest.jobs))?;
    set_input_policy(manifest.allow_outside);
    let scenarios = load_all(&manifest.scenarios, true, registry)
        .map_err(|_| format!("the scenario files of plan {plan_id} cannot be loaded (above) to merge its shards"))?;
    let plan = Plan::with_registry(scenarios, Arc::new(registry.clone()));
    let now = plan.fingerprint(jobs_key(jobs));
    if now != plan_id {
        return Err(format!(
            "the shards in '{}' are of plan {plan_id}, but its scenario files now make plan {now}: a scenario file \
             or schedsim changed since the shards ran (run them again)",
            dir.display()
        ));
    }
    Ok((plan, shards, plan_id, jobs))
}

/// `schedsim status DIR`: how many runs of each plan in DIR are done, shard by shard.
pub(super) fn status(dir: &Path) -> u8 {
    let shards = match shards_of(dir, "status") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let logs = match shards.logs() {
        Ok(logs) => logs,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    // plan -> shard count -> index -> (done, failed, runs, torn)
    type Counts = BTreeMap<usize, (usize, usize, usize, bool)>;
    let mut plans: BTreeMap<String, BTreeMap<usize, Counts>> = BTreeMap::new();
    for (_, c) in &logs {
        let failed = c.records.iter().filter(|r| r.outcome.is_err()).count();
        let torn = c.valid_len < c.file_len;
        plans
            .entry(c.header.plan.clone())
            .or_default()
            .entry(c.header.shard.count)
            .or_default()
            .insert(c.header.shard.index, (c.records.len(), failed, c.header.runs, torn));
    }
    if plans.is_empty() {
        println!("{}: no shard has started", dir.display());
    }
    for (plan, cuts) in &plans {
        let manifest = shards.manifest(plan).ok();
        let total = manifest.as_ref().map_or_else(|| "?".to_string(), |m| m.runs.to_string());
        let files = manifest.as_ref().map_or(0, |m| m.scenarios.len());
        for (count, found) in cuts {
            let done: usize = found.values().map(|c| c.0).sum();
            println!(
                "plan {plan} ({files} scenario file{}, {total} runs) in {count} shard{}: {done} runs done",
                super::plural(files),
                super::plural(*count)
            );
            for index in 1..=*count {
                match found.get(&index) {
                    None => println!("  shard {index}/{count}: not started"),
                    Some(&(done, failed, runs, torn)) => {
                        let state = if done >= runs { "done" } else { "under way or cut short" };
                        let failed = if failed > 0 { format!(", {failed} failed") } else { String::new() };
                        let torn = if torn { ", a run cut short at the end of its log" } else { "" };
                        println!("  shard {index}/{count}: {done} of {runs} runs{failed}{torn} ({state})");
                    }
                }
            }
        }
    }
    EXIT_OK
}

/// `schedsim slurm`'s arguments.
#[derive(Debug, Args)]
pub(super) struct SlurmArgs {
    /// Scenario files, or folders searched for *.toml.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// How many shards: array tasks, each running one slice of the plan.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    shards: u32,
    /// The Slurm partition to run in (default: the cluster's).
    #[arg(long, value_name = "P")]
    partition: Option<String>,
    /// The time limit of each array task and of the merge, as sbatch takes it (e.g. 2:00:00).
    #[arg(long, value_name = "T")]
    time: Option<String>,
    /// CPUs of each array task: its shard runs on as many threads.
    #[arg(long, value_name = "C", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=4096))]
    cpus_per_task: u32,
    /// The results folder the shards and the merge write into.
    #[arg(short = 'o', long = "output", value_name = "DIR", default_value = "results")]
    output: PathBuf,
    /// The folder the scripts (and Slurm's logs of the jobs) go into.
    #[arg(long, value_name = "DIR", default_value = "slurm")]
    scripts: PathBuf,
    /// `run --jobs`: also write jobs.csv (`--jobs all`: of every replication).
    #[arg(long = "jobs", value_name = "all", num_args = 0..=1, default_missing_value = "first", value_parser = super::jobs_flag)]
    jobs: Option<JobsFlag>,
    /// `run --force`.
    #[arg(long)]
    force: bool,
    /// `run --allow-outside`.
    #[arg(long)]
    allow_outside: bool,
    /// Submit the array and the merge with sbatch, and print their job ids.
    #[arg(long)]
    submit: bool,
}

/// `text` made absolute from the current folder, without requiring it to exist.
fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf()))
}

/// `schedsim slurm`: checks the scenarios, writes the scripts, and submits them if asked.
pub(super) fn slurm(args: SlurmArgs, registry: &Registry) -> u8 {
    set_input_policy(args.allow_outside);
    let (paths, jobs) = jobs_records(args.paths, args.jobs);
    let files = match crate::scenario::discover(&paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    // Refused now, not on the cluster an hour later.
    if let Err(code) = load_all(&files, args.force, registry) {
        return code;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("error: cannot tell where the schedsim binary is: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let mut run_flags = Vec::new();
    if jobs != JobRecords::Off {
        run_flags.push("--jobs".to_string());
        run_flags.push(jobs_key(jobs).to_string());
    }
    if args.force {
        run_flags.push("--force".into());
    }
    if args.allow_outside {
        run_flags.push("--allow-outside".into());
    }
    let batch = Batch {
        exe,
        scenarios: files.iter().map(|f| absolute(f)).collect(),
        output: absolute(&args.output),
        scripts: absolute(&args.scripts),
        shards: args.shards as usize,
        partition: args.partition,
        time: args.time,
        cpus_per_task: args.cpus_per_task,
        run_flags,
    };
    let written = match batch.write() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    for path in &written {
        println!("wrote {}", path.display());
    }
    if !args.submit {
        println!("submit with: sh {}", written[2].display());
        return EXIT_OK;
    }
    match batch.submit() {
        Ok((array, merge)) => {
            println!("submitted the shards as job {array} and the merge as job {merge}");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_RUNS_FAILED
        }
    }
}
