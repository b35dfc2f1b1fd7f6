//! `schedsim run`: loads the scenarios, runs every run of the plan in parallel with a
//! progress bar, and writes each scenario's tables, charts and report.

use super::{
    plural, set_input_policy, stop_on_interrupt, JobsFlag, RunArgs, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK,
    EXIT_RUNS_FAILED,
};
use crate::metrics::RunOutput;
use crate::output::folder;
use crate::output::jobs::JobFiles;
use crate::output::report::{render_index, render_scenario_with};
use crate::output::tables::write_tables;
use crate::output::terminal::{overload_warnings, print_table};
use crate::policy::registry::Registry;
use crate::runner::{Plan, Progress};
use crate::scenario::{self, JobRecords, Scenario, ScenarioError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Loads and checks every scenario under `paths`; unless `force`, also refuses one
/// whose runs are estimated to cost more than a run may ([`scenario::cost`]).
pub(super) fn load_all(paths: &[PathBuf], force: bool, registry: &Registry) -> Result<Vec<Scenario>, u8> {
    let files = scenario::discover(paths).map_err(|e| report_bad(&[e]))?;
    let mut scenarios = Vec::new();
    let mut errors: Vec<ScenarioError> = Vec::new();
    for f in &files {
        match scenario::load_with(f, registry).and_then(|s| {
            if force {
                Ok(s)
            } else {
                scenario::cost::check(&s).map(|()| s)
            }
        }) {
            Ok(s) => scenarios.push(s),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(report_bad(&errors));
    }
    // Two scenarios with one name would write into the same results folder.
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for s in &scenarios {
        if let Some(other) = seen.insert(&s.name, &s.source) {
            let message = format!(
                "scenario name '{}' is also used by {}; each scenario needs its own name (it names the results folder)",
                s.name,
                other.display()
            );
            return Err(report_bad(&[ScenarioError::new(&s.source, message).with_field("name")]));
        }
    }
    Ok(scenarios)
}

fn report_bad(errors: &[ScenarioError]) -> u8 {
    for e in errors {
        eprintln!("error: {e}");
    }
    EXIT_BAD_INPUT
}

/// `schedsim run`, with the policies of `registry`.
pub(super) fn run(args: RunArgs, registry: &Registry) -> u8 {
    set_input_policy(args.allow_outside);
    let mut paths = args.paths;
    let jobs = match args.jobs {
        None => JobRecords::Off,
        Some(JobsFlag::Records(r)) => r,
        Some(JobsFlag::FirstAndPath(path)) => {
            paths.push(path);
            JobRecords::FirstReplication
        }
    };
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
    // The folder is this run's until it ends; what runs now gone left is cleared.
    let _lock = match folder::OutputLock::acquire(&args.output) {
        Ok(lock) => lock,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_BAD_INPUT;
        }
    };
    folder::clean_stale(&args.output);
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
    let job_files = JobFiles::new(&plan, &args.output, jobs);
    if !args.quiet {
        let threads = if threads == 0 { rayon::current_num_threads() } else { threads };
        eprintln!(
            "running {} runs of {} scenario{} on {threads} thread{}",
            plan.jobs.len(),
            plan.scenarios.len(),
            plural(plan.scenarios.len()),
            plural(threads),
        );
    }
    let started = Instant::now();
    let progress = Progress::default();
    let show_bar = !args.quiet && std::io::stderr().is_terminal();
    let done = AtomicBool::new(false);
    let outcomes = std::thread::scope(|scope| {
        if show_bar {
            scope.spawn(|| tick_progress_bar(plan.jobs.len() as u64, &progress, &done, started));
        }
        let outcomes = plan.execute_watched(threads, &progress, Some(&job_files));
        done.store(true, Ordering::Relaxed);
        outcomes
    });
    if crate::runner::interrupted() {
        eprintln!("interrupted: no results were written ('{}' keeps what it had)", args.output.display());
        return EXIT_INTERRUPTED;
    }

    let mut failed = 0usize;
    let mut by_file: Vec<Vec<&RunOutput>> = vec![Vec::new(); plan.scenarios.len()];
    for (job, outcome) in plan.jobs.iter().zip(&outcomes) {
        match outcome {
            Ok(output) => by_file[plan.units[job.unit].file].push(output),
            Err(f) => {
                failed += 1;
                eprintln!("error: {}", plan.failure_message(f));
            }
        }
    }

    // Each scenario's files are written on its own thread (charts take a while), and
    // reported in plan order.
    let writers = if threads == 0 { rayon::current_num_threads() } else { threads };
    let writers = writers.min(plan.scenarios.len()).max(1);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(writers).build().expect("thread pool");
    let written: Vec<(Option<_>, Option<String>)> = pool.install(|| {
        plan.scenarios
            .par_iter()
            .zip(&by_file)
            .enumerate()
            .map(|(file, (s, runs))| {
                if runs.is_empty() {
                    return (None, None);
                }
                // Written whole into a staging folder, then swapped in: never a mix of
                // this run's files and an earlier one's.
                let staged = folder::staging(&args.output, &s.name);
                let fail = |message: String| {
                    folder::discard(&staged);
                    (None, Some(message))
                };
                let tables = match write_tables(&staged, s, runs) {
                    Ok(tables) => tables,
                    Err(e) => return fail(format!("error: cannot write results for '{}': {e}", s.name)),
                };
                // Before the report, which draws the Gantt chart from gantt.csv.
                if let Err(e) = job_files.write(file, &staged) {
                    return fail(format!("error: cannot write results for '{}': {e}", s.name));
                }
                // A report that cannot be drawn is an error, but the tables stand.
                // Named by the folder it will be, not the staging one.
                let shown = |e: &dyn std::fmt::Display| {
                    e.to_string().replace(&*staged.to_string_lossy(), &args.output.join(&s.name).to_string_lossy())
                };
                let error = render_scenario_with(&staged, registry)
                    .err()
                    .map(|e| format!("error: cannot draw the charts and report of '{}': {}", s.name, shown(&e)));
                if crate::runner::interrupted() {
                    folder::discard(&staged);
                    return (None, Some(format!("interrupted: the results of '{}' were not written", s.name)));
                }
                match folder::commit(&staged, &args.output, &s.name) {
                    Ok(dir) => (Some((tables, dir)), error),
                    Err(e) => (None, Some(format!("error: cannot write results for '{}': {e}", s.name))),
                }
            })
            .collect()
    });
    let mut write_failed = false;
    for (s, (tables, error)) in plan.scenarios.iter().zip(written) {
        if let Some(message) = error {
            eprintln!("{message}");
            write_failed = true;
        }
        if let (Some((tables, dir)), false) = (tables, args.quiet) {
            print_table(s, &tables.summary, &tables.comparisons, &dir);
        }
    }
    if crate::runner::interrupted() {
        eprintln!("interrupted: the results listed above were written, the others not");
        return EXIT_INTERRUPTED;
    }
    if let Err(e) = render_index(&args.output) {
        eprintln!("error: cannot write the index of '{}': {e}", args.output.display());
        write_failed = true;
    }
    if !args.quiet {
        let events = progress.events.load(Ordering::Relaxed);
        let secs = started.elapsed().as_secs_f64();
        eprintln!("done in {secs:.1} s ({:.1} M events/s)", events as f64 / secs.max(1e-9) / 1e6);
    }
    if failed > 0 || write_failed {
        if failed > 0 {
            eprintln!("{failed} run{} failed; the other results are written", plural(failed));
        }
        EXIT_RUNS_FAILED
    } else {
        EXIT_OK
    }
}

/// Draws the progress bar from the shared counters until `done`: runs done of total,
/// elapsed, ETA and simulated events per second.
pub(super) fn tick_progress_bar(total: u64, progress: &Progress, done: &AtomicBool, started: Instant) {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {elapsed} elapsed, ETA {eta}  {msg}")
            .expect("valid template"),
    );
    while !done.load(Ordering::Relaxed) {
        // The plan's size, once it is known (`validate` learns it as it starts).
        bar.set_length(progress.total.load(Ordering::Relaxed).max(total));
        bar.set_position(progress.runs.load(Ordering::Relaxed));
        let rate = progress.events.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!("{:.1} M events/s", rate / 1e6));
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}
