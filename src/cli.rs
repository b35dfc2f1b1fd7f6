//! The command line: `run`, `check`, `list`. Parses arguments, calls the library,
//! prints, and maps outcomes to exit codes (0 all good, 1 some runs failed, 2 bad
//! arguments or scenario files).

use crate::metrics::RunOutput;
use crate::output::folder;
use crate::output::jobs::JobFiles;
use crate::output::report::{render_index, render_scenario};
use crate::output::tables::write_tables;
use crate::output::terminal::{load_text, offered_loads, overload_warnings, print_table};
use crate::policy::registry::{PolicyInfo, BALANCERS, DISCIPLINES};
use crate::runner::{Plan, Progress};
use crate::scenario::{self, JobRecords, Scenario, ScenarioError};
use crate::workload::{arrival::ARRIVAL_NAMES, dist::DIST_NAMES};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Exit code: every run succeeded.
pub const EXIT_OK: u8 = 0;
/// Exit code: some runs failed (the others' results are written).
pub const EXIT_RUNS_FAILED: u8 = 1;
/// Exit code: bad arguments or scenario files; nothing was run or written.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code: interrupted (Ctrl-C) before every result was written.
pub const EXIT_INTERRUPTED: u8 = 130;

/// schedsim: a discrete-event simulator for distributed task scheduling and load balancing.
///
/// With no command, runs every scenario under `scenarios/` into `results/`.
#[derive(Debug, Parser)]
#[command(
    name = "schedsim",
    version,
    about,
    long_about = None,
    after_help = "With no command, schedsim runs every scenario under scenarios/ into results/ (as `schedsim run`).\n\n\
                  Examples:\n  \
                  schedsim run scenarios/web-farm.toml      one scenario: every policy, CSVs, charts, report\n  \
                  schedsim check my.toml                    check a file and list the runs it expands to\n  \
                  schedsim run -j 4 -o out scenarios/       every scenario in a folder, 4 threads, into out/"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every scenario file under PATHS, every policy and replication, in parallel.
    Run(RunArgs),
    /// Check scenario files and print the runs each expands to.
    Check {
        /// Scenario files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Accept a scenario whose runs are estimated to take more events than a run
        /// may (see `run --force`).
        #[arg(long)]
        force: bool,
        /// Let paths in a scenario (traces, empirical distributions) lead outside the
        /// scenario file's folder.
        #[arg(long)]
        allow_outside: bool,
    },
    /// List every balancer, discipline, distribution and arrival process.
    List,
    /// Redraw the charts and reports of a results folder from its CSV files alone.
    Plot {
        /// A results folder (with one folder per scenario), or one scenario's folder.
        #[arg(default_value = "results")]
        dir: PathBuf,
    },
    /// Run the analytic cases in validation/ against queueing theory and write the report.
    Validate {
        /// Where to write the report.
        #[arg(short = 'o', long = "output", default_value = "results/VALIDATION.md")]
        output: PathBuf,
        /// A tenth of the run length (wider tolerances, same rule).
        #[arg(long)]
        quick: bool,
        /// Write the report over the project's tracked VALIDATION.md (instead of -o).
        #[arg(long, conflicts_with = "output")]
        write_validation: bool,
    },
}

#[derive(Debug, Args, Default)]
struct RunArgs {
    /// Scenario files, or folders searched for *.toml [default: scenarios]
    paths: Vec<PathBuf>,
    /// Threads to run on (default: one per core). Results do not depend on it.
    #[arg(short = 'j', long = "threads", value_name = "N", value_parser = threads)]
    threads: Option<usize>,
    /// Also write jobs.csv: a row per task of replication 0 (id, class, arrival, start,
    /// completion, node, cores, size, estimate, attempts, outcome), or of every
    /// replication with `--jobs all`. Same as `[output] jobs` in a scenario.
    #[arg(long = "jobs", value_name = "all", num_args = 0..=1, default_missing_value = "first", value_parser = jobs_flag)]
    jobs: Option<JobsFlag>,
    /// Run a scenario even if a run is estimated to take more than 2e10 events (days
    /// of computing: a heartbeat every nanosecond, say); refused otherwise.
    #[arg(long)]
    force: bool,
    /// Let paths in a scenario (traces, empirical distributions) lead outside the
    /// scenario file's folder; refused otherwise.
    #[arg(long)]
    allow_outside: bool,
    /// Folder to write results into.
    #[arg(short = 'o', long = "output", value_name = "DIR", default_value = "results")]
    output: PathBuf,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

/// `-j N`: a whole number of threads, at least 1.
fn threads(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("expected at least 1 thread (leave -j out for one per core)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("expected a whole number of threads, got '{text}'")),
    }
}

/// What `--jobs` was given.
#[derive(Debug, Clone)]
enum JobsFlag {
    /// `--jobs` (replication 0) or `--jobs all`.
    Records(JobRecords),
    /// A bare `--jobs` followed by a scenario path, which clap takes as its value
    /// (`schedsim run --jobs scenarios/mm1.toml`): the path is put back with the others.
    FirstAndPath(PathBuf),
}

/// `--jobs [all]`.
fn jobs_flag(text: &str) -> Result<JobsFlag, String> {
    match text {
        "first" => Ok(JobsFlag::Records(JobRecords::FirstReplication)),
        "all" => Ok(JobsFlag::Records(JobRecords::All)),
        n if n.parse::<f64>().is_ok() => Err(format!(
            "--jobs writes jobs.csv and takes no number ('--jobs' for replication 0, '--jobs all' for every \
             replication); for {n} threads write -j {n} (--threads {n})"
        )),
        path => Ok(JobsFlag::FirstAndPath(PathBuf::from(path))),
    }
}

/// Lets a closed output pipe end the process quietly, as it does every Unix tool
/// (`schedsim check ... | head`): Rust ignores SIGPIPE, so printing to a closed pipe
/// would otherwise panic.
fn die_quietly_on_closed_pipes() {
    #[cfg(unix)]
    // SAFETY: restoring a signal's default disposition at start-up, before any thread
    // is spawned, touches no Rust state.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// The first Ctrl-C stops new runs from starting and nothing further from being
/// written (the runs under way finish); a second ends the process at once.
fn stop_on_interrupt() {
    #[cfg(unix)]
    {
        extern "C" fn on_interrupt(_: libc::c_int) {
            // Only an atomic store and _exit: both async-signal-safe.
            if crate::runner::INTERRUPTED.swap(true, Ordering::SeqCst) {
                // SAFETY: _exit is async-signal-safe and ends the process.
                unsafe { libc::_exit(130) }
            }
        }
        // SAFETY: installs a handler that touches only an atomic, at start-up.
        unsafe {
            libc::signal(libc::SIGINT, on_interrupt as *const () as libc::sighandler_t);
        }
    }
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    die_quietly_on_closed_pipes();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap's help and version requests are not errors.
            return ExitCode::from(if e.use_stderr() { EXIT_BAD_INPUT } else { EXIT_OK });
        }
    };
    let code = match cli.command {
        None => run(RunArgs { output: PathBuf::from("results"), ..RunArgs::default() }),
        Some(Command::Run(args)) => run(args),
        Some(Command::Check { paths, force, allow_outside }) => {
            set_input_policy(allow_outside);
            check(&paths, force)
        }
        Some(Command::List) => {
            list();
            EXIT_OK
        }
        Some(Command::Plot { dir }) => plot(&dir),
        Some(Command::Validate { output, quick, write_validation }) => {
            let output = if write_validation { PathBuf::from("VALIDATION.md") } else { output };
            validate(&output, quick)
        }
    };
    ExitCode::from(code)
}

/// Finds and loads every scenario, printing every error found (not just the first).
/// Whether scenario paths may lead outside their scenario's folder, for every load
/// that follows.
fn set_input_policy(allow_outside: bool) {
    crate::workload::input::allow_outside(allow_outside);
}

/// Loads and checks every scenario under `paths`; unless `force`, also refuses one
/// whose runs are estimated to cost more than a run may ([`scenario::cost`]).
fn load_all(paths: &[PathBuf], force: bool) -> Result<Vec<Scenario>, u8> {
    let files = scenario::discover(paths).map_err(|e| report_bad(&[e]))?;
    let mut scenarios = Vec::new();
    let mut errors: Vec<ScenarioError> = Vec::new();
    for f in &files {
        match scenario::load(f).and_then(|s| if force { Ok(s) } else { scenario::cost::check(&s).map(|()| s) }) {
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

fn run(args: RunArgs) -> u8 {
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
    let scenarios = match load_all(&paths, args.force) {
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
    let plan = Plan::new(scenarios);
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
                let error = render_scenario(&staged)
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

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Draws the progress bar from the shared counters until `done`: runs done of total,
/// elapsed, ETA and simulated events per second.
fn tick_progress_bar(total: u64, progress: &Progress, done: &AtomicBool, started: Instant) {
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

/// What `check` says of a replayed trace: what is replayed and what is skipped, and
/// the machine the log's header describes, with a warning when the cluster differs.
fn print_trace(s: &Scenario, trace: &crate::workload::Trace) {
    println!("  trace {}: {} jobs replayed, {}", trace.path.display(), trace.jobs, trace.skipped);
    let cores: u64 = s.node_groups.iter().map(|g| u64::from(g.count) * u64::from(g.cores)).sum();
    let nodes: u64 = s.node_groups.iter().map(|g| u64::from(g.count)).sum();
    let header = |what: &str, v: Option<u64>| v.map(|v| format!("{what} {v}"));
    let said: Vec<String> =
        [header("MaxProcs", trace.max_procs), header("MaxNodes", trace.max_nodes)].into_iter().flatten().collect();
    if said.is_empty() {
        return;
    }
    println!(
        "  log header: {}; the cluster has {cores} cores on {nodes} node{}",
        said.join(", "),
        plural(nodes as usize)
    );
    if trace.max_procs.is_some_and(|p| p != cores) {
        eprintln!(
            "warning: {}: the log's machine had {} processors, the cluster has {cores} cores: \
             the replay runs at another load than the log",
            s.source.display(),
            trace.max_procs.unwrap_or(0)
        );
    }
}

/// `schedsim plot DIR`: redraws every scenario folder's charts and report (or the one
/// folder given), then the index, from the CSV files alone.
fn plot(dir: &Path) -> u8 {
    let folders: Vec<PathBuf> = if dir.join("summary.csv").is_file() {
        vec![dir.to_path_buf()]
    } else {
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                let mut found: Vec<PathBuf> =
                    entries.flatten().map(|e| e.path()).filter(|p| p.join("summary.csv").is_file()).collect();
                found.sort();
                found
            }
            Err(e) => {
                eprintln!("error: cannot read '{}': {e}", dir.display());
                return EXIT_BAD_INPUT;
            }
        }
    };
    if folders.is_empty() {
        eprintln!("error: '{}' holds no results (no summary.csv in it or in a folder below it)", dir.display());
        return EXIT_BAD_INPUT;
    }
    let mut failed = false;
    for folder in &folders {
        match render_scenario(folder) {
            Ok(_) => println!("{}: charts and report redrawn", folder.display()),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    let root = if folders.len() == 1 && folders[0] == dir { dir.parent().unwrap_or(dir) } else { dir };
    if let Err(e) = render_index(root) {
        eprintln!("error: {e}");
        failed = true;
    }
    if failed {
        EXIT_BAD_INPUT
    } else {
        EXIT_OK
    }
}

/// `schedsim validate`: the cases of `validation/` against theory, into `output`.
fn validate(output: &Path, quick: bool) -> u8 {
    let progress = Progress::default();
    let done = AtomicBool::new(false);
    let started = Instant::now();
    std::thread::scope(|scope| {
        if std::io::stderr().is_terminal() {
            scope.spawn(|| tick_progress_bar(0, &progress, &done, started));
        }
        let code = crate::validate::command(output, quick, &progress);
        done.store(true, Ordering::Relaxed);
        code
    })
}

fn check(paths: &[PathBuf], force: bool) -> u8 {
    let scenarios = match load_all(paths, force) {
        Ok(s) => s,
        Err(code) => return code,
    };
    for s in &scenarios {
        let nodes: u32 = s.node_groups.iter().map(|g| g.count).sum();
        println!("{}: ok", s.source.display());
        println!("  name {}: {}", s.name, s.description);
        println!(
            "  {} mode, {} node group{} ({} node{}), {}, seed {}",
            s.run.mode.name(),
            s.node_groups.len(),
            if s.node_groups.len() == 1 { "" } else { "s" },
            nodes,
            if nodes == 1 { "" } else { "s" },
            load_text(s, 3),
            s.seed
        );
        if let crate::workload::ArrivalProcess::Trace(trace) = &s.workload.arrival {
            print_trace(s, trace);
        }
        let points = s.sweep.as_ref().map_or(1, |sw| sw.points.len());
        if let Some(sw) = &s.sweep {
            let values: Vec<String> = sw.points.iter().map(|p| p.value.to_string()).collect();
            println!("  sweep of {} over {} point{}: {}", sw.parameter, points, plural(points), values.join(", "));
            let loads: Vec<String> = offered_loads(s)
                .into_iter()
                .map(|(v, load)| format!("{load:.3} ({} = {})", sw.parameter, v.unwrap_or(f64::NAN)))
                .collect();
            println!("  offered load by point: {}", loads.join(", "));
        }
        for warning in overload_warnings(s) {
            eprintln!("{warning}");
        }
        let runs = points * s.disciplines.len() * s.balancers.len() * s.replications as usize;
        println!(
            "  {}{} discipline{} x {} balancer{} x {} replication{} = {} runs:",
            if points > 1 { format!("{points} points x ") } else { String::new() },
            s.disciplines.len(),
            plural(s.disciplines.len()),
            s.balancers.len(),
            plural(s.balancers.len()),
            s.replications,
            plural(s.replications as usize),
            runs
        );
        for d in &s.disciplines {
            for b in &s.balancers {
                let base = s.baseline.discipline == *d && s.baseline.balancer == *b;
                println!("    {d} / {b}{}", if base { "  (baseline of the paired comparisons)" } else { "" });
            }
        }
    }
    EXIT_OK
}

fn list() {
    let section = |title: &str, entries: &mut dyn Iterator<Item = &PolicyInfo>| {
        println!("{title}:");
        for e in entries {
            let modes: Vec<&str> = e.modes.iter().map(|m| m.name()).collect();
            println!("  {:<30} {} [{}]", e.name, e.summary, modes.join(", "));
            for p in e.params {
                let default = match (p.default, p.optional) {
                    (Some(d), _) => format!("default {d}"),
                    (None, true) => "optional".to_string(),
                    (None, false) => "required".to_string(),
                };
                println!("  {:<30}   {} = {} ({default})", "", p.name, p.doc);
            }
        }
        println!();
    };
    section("Balancers (which node)", &mut BALANCERS.iter().map(|e| &e.info));
    section("Disciplines (which task next)", &mut DISCIPLINES.iter().map(|e| &e.info));
    println!("Distributions (dist = ...):");
    for (name, doc) in DIST_NAMES {
        println!("  {name:<30} {doc}");
    }
    println!("\nArrival processes (process = ...):");
    for (name, doc) in ARRIVAL_NAMES {
        println!("  {name:<30} {doc}");
    }
}
