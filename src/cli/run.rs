//! `schedsim run`: the plan's runs (or one shard's), each stored in the shard's run
//! log as it ends, then the results written (a shard leaves that to `merge`).

use super::{
    cluster, exit_code, jobs_records, load_all, plural, set_input_policy, stop_on_interrupt, tick_progress_bar,
    RunArgs, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_RUNS_FAILED,
};
use crate::metrics::RunOutput;
use crate::output::folder;
use crate::output::jobs::JobFiles;
use crate::output::results::write_results;
use crate::output::runlog::{LogHeader, RunLog, RunRecord};
use crate::output::shards::{Manifest, ShardDir};
use crate::output::terminal::overload_warnings;
use crate::policy::registry::Registry;
use crate::runner::shard::Shard;
use crate::runner::{Plan, Progress, RunFailure};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// `schedsim run`: computes the runs of the plan (or of one shard of it), storing each
/// result in the shard's run log as it ends, then writes the results (a shard leaves
/// that to `merge`). Runs already in the log are not run again with `--resume`. A
/// scenario may name the policies of `registry`.
pub(super) fn run(args: RunArgs, registry: &Registry) -> u8 {
    set_input_policy(args.allow_outside);
    let show = args.show();
    let (paths, jobs) = jobs_records(args.paths, args.jobs);
    let paths = if paths.is_empty() {
        if !Path::new("scenarios").is_dir() {
            eprintln!(
                "error: there is no scenarios/ folder here to run. Run `schedsim run FILE.toml` on a scenario \
                 file, or see `schedsim --help`"
            );
            return EXIT_BAD_INPUT;
        }
        vec![PathBuf::from("scenarios")]
    } else {
        paths
    };
    let scenarios = match load_all(&paths, args.force, registry) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // A plain run holds the folder until it ends; a shard writes only its own log
    // (locked on its own), so the shards of one plan run side by side into one folder.
    let _lock = if args.shard.is_none() {
        match folder::OutputLock::acquire(&args.output) {
            Ok(lock) => Some(lock),
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_BAD_INPUT;
            }
        }
    } else {
        None
    };
    if args.shard.is_none() {
        folder::clean_stale(&args.output);
    }
    stop_on_interrupt();
    // Warnings are not errors: an overloaded point is worth running (to see how each
    // policy fails), but nobody should read its numbers as a steady state.
    for s in &scenarios {
        for warning in overload_warnings(s) {
            eprintln!("{warning}");
        }
    }
    let threads = args.threads.unwrap_or(0);
    let plan = Plan::with_registry(scenarios, Arc::new(registry.clone()));
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let plan_id = plan.fingerprint(cluster::jobs_key(jobs));
    let shards = ShardDir::new(&args.output);
    let manifest = Manifest {
        plan: plan_id.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenarios: plan
            .scenarios
            .iter()
            .map(|s| std::fs::canonicalize(&s.source).unwrap_or(s.source.clone()))
            .collect(),
        jobs: cluster::jobs_key(jobs).to_string(),
        allow_outside: args.allow_outside,
        runs: plan.jobs.len(),
    };
    let slice = plan.slice(shard);
    let header = LogHeader { plan: plan_id.clone(), shard, runs: slice.len() };
    let opened = shards
        .write_manifest(&manifest)
        .and_then(|()| RunLog::open(&shards.log(&plan_id, shard), &header, args.resume));
    let (log, found) = match opened {
        Ok(opened) => opened,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_BAD_INPUT;
        }
    };
    let job_files = JobFiles::new(&plan, shards.scratch(&plan_id, Some(shard)), jobs);
    let mut outcomes: BTreeMap<usize, Result<RunOutput, RunFailure>> = BTreeMap::new();
    let in_slice = plan.owners(shard.count);
    for record in found {
        if record.job >= plan.jobs.len() || in_slice[record.job] != shard.index - 1 {
            continue;
        }
        let outcome = match record.outcome {
            Ok((output, data)) => {
                // A shard writes no job files: its log holds the rows already.
                if args.shard.is_none() {
                    job_files.restore(record.job, data);
                }
                Ok(output)
            }
            Err(message) => Err(RunFailure { job: record.job, message }),
        };
        outcomes.insert(record.job, outcome);
    }
    let todo: Vec<usize> = slice.iter().copied().filter(|j| !outcomes.contains_key(j)).collect();
    if !args.quiet {
        let threads = if threads == 0 { rayon::current_num_threads() } else { threads };
        let of = if args.shard.is_some() {
            format!(" (shard {shard} of the plan's {})", plan.jobs.len())
        } else {
            String::new()
        };
        let resumed = if outcomes.is_empty() { String::new() } else { format!(", {} already done", outcomes.len()) };
        eprintln!(
            "running {} runs of {} scenario{}{of}{resumed} on {threads} thread{}",
            todo.len(),
            plan.scenarios.len(),
            plural(plan.scenarios.len()),
            plural(threads),
        );
    }
    let started = Instant::now();
    let progress = Progress::default();
    let show_bar = !args.quiet && std::io::stderr().is_terminal();
    let done = AtomicBool::new(false);
    // The first error storing a result: the run goes on, the log will lack it.
    let store_error: Mutex<Option<String>> = Mutex::new(None);
    let store = |job: usize, result: &Result<RunOutput, RunFailure>| {
        let outcome = match result {
            Ok(output) => job_files.data(job, args.shard.is_some()).map(|data| Ok((output.clone(), data))),
            Err(f) => Ok(Err(f.message.clone())),
        };
        let stored = outcome.and_then(|outcome| log.append(&RunRecord { job, outcome }));
        if let Err(e) = stored {
            store_error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
        }
    };
    let computed = std::thread::scope(|scope| {
        if show_bar {
            scope.spawn(|| tick_progress_bar(todo.len() as u64, &progress, &done, started));
        }
        let computed = plan.execute_some(&todo, threads, &progress, Some(&job_files), &store);
        done.store(true, Ordering::Relaxed);
        computed
    });
    outcomes.extend(computed);
    let synced = log.sync();
    if crate::runner::interrupted() {
        eprintln!(
            "interrupted: no results were written ('{}' keeps what it had); the runs that ended are kept in {}: \
             run again with --resume to go on from them",
            args.output.display(),
            log.path().display()
        );
        return EXIT_INTERRUPTED;
    }
    if let Some(e) = store_error.into_inner().unwrap_or_else(|e| e.into_inner()).or(synced.err()) {
        eprintln!("error: {e}");
        if args.shard.is_some() {
            return EXIT_RUNS_FAILED;
        }
    }
    if args.shard.is_some() {
        return shard_done(&plan, shard, &outcomes, &log, args.quiet);
    }

    let outcomes: Vec<Result<RunOutput, RunFailure>> = outcomes.into_values().collect();
    let written = write_results(&plan, &outcomes, &job_files, &args.output, threads, show);
    drop(job_files);
    if !written.interrupted && !written.write_failed {
        // The results are in the folder: the log has served.
        drop(log);
        shards.remove(&plan_id, shard);
    }
    if !args.quiet && !written.interrupted {
        let events = progress.events.load(Ordering::Relaxed);
        let secs = started.elapsed().as_secs_f64();
        eprintln!("done in {secs:.1} s ({:.1} M events/s)", events as f64 / secs.max(1e-9) / 1e6);
    }
    exit_code(written)
}

/// The end of a shard: its failed runs and where its results are (for `merge`).
fn shard_done(
    plan: &Plan,
    shard: Shard,
    outcomes: &BTreeMap<usize, Result<RunOutput, RunFailure>>,
    log: &RunLog,
    quiet: bool,
) -> u8 {
    let mut failed = 0;
    for f in outcomes.values().filter_map(|o| o.as_ref().err()) {
        eprintln!("error: {}", plan.failure_message(f));
        failed += 1;
    }
    if !quiet {
        eprintln!(
            "shard {shard}: {} runs in {} ({failed} failed); `schedsim merge` writes the results once every shard is \
             done",
            outcomes.len(),
            log.path().display()
        );
    }
    if failed > 0 {
        EXIT_RUNS_FAILED
    } else {
        EXIT_OK
    }
}
