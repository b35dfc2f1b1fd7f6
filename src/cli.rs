//! The command line: `run`, `check`, `list`, `plot`, `validate`, and the cluster's
//! `merge`, `status` and `slurm` (`cli/cluster.rs`). Parses arguments, calls the library,
//! prints, and maps outcomes to exit codes (0 all good, 1 some runs failed, 2 bad
//! arguments or scenario files).
//!
//! The whole command line is a library function, [`main_with`], so a program of your
//! own gets it with its policies registered beside the built-in ones; the `schedsim`
//! binary is `main_with(Registry::default())`. One file per concern: this one parses
//! and dispatches, `run.rs` runs scenarios and writes their results, `inspect.rs`
//! answers `check`, `list` and `plot`, `cluster.rs` and `slurm.rs` shards and clusters.

mod cluster;
mod inspect;
mod run;
mod slurm;

use crate::output::results::Written;
use crate::policy::registry::Registry;
use crate::runner::shard::Shard;
use crate::runner::Progress;
use crate::scenario::{self, JobRecords, Scenario, ScenarioError};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::ffi::OsString;
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
    /// Write the results of the shards in DIR (from `run --shard`) as one run writes them.
    Merge {
        /// The results folder the shards wrote into.
        dir: PathBuf,
        /// Threads to write on (default: one per core).
        #[arg(short = 'j', long = "threads", value_name = "N", value_parser = threads)]
        threads: Option<usize>,
        /// Print nothing but errors.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Say how many runs of the plan in DIR are done, shard by shard.
    Status {
        /// The results folder the shards write into.
        dir: PathBuf,
    },
    /// Write the batch scripts that run a plan as a Slurm job array of K shards and
    /// merge them; `--submit` submits them.
    Slurm(cluster::SlurmArgs),
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
    /// What to print of the results on stdout: `table` (for a person) or `json` (one
    /// document with every scenario's summary.csv and compare.csv rows, for a program).
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Run only shard I of K: a slice of the plan's runs balanced by estimated cost.
    /// Its results go to a log under DIR/.schedsim-shards/; `schedsim merge DIR`
    /// writes the tables once every shard is done.
    #[arg(long, value_name = "I/K", value_parser = shard_arg)]
    shard: Option<Shard>,
    /// Do not run again the runs whose results are already in the output folder (from
    /// a run, or shard, that was killed or failed).
    #[arg(long)]
    resume: bool,
}

/// `run --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
enum Format {
    /// The summary table and the ranking.
    #[default]
    Table,
    /// One JSON document.
    Json,
}

impl RunArgs {
    /// What `run` prints of its results.
    pub(crate) fn show(&self) -> crate::output::results::Show {
        use crate::output::results::Show;
        match (self.quiet, self.format) {
            (true, _) => Show::Nothing,
            (false, Format::Table) => Show::Table,
            (false, Format::Json) => Show::Json,
        }
    }
}

/// `--shard I/K`.
fn shard_arg(text: &str) -> Result<Shard, String> {
    text.parse()
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

/// The `schedsim` command line with the built-in policies: `main_with(Registry::default())`.
pub fn main() -> ExitCode {
    main_with(Registry::default())
}

/// The whole `schedsim` command line (`run`, `check`, `list`, `plot`, `validate`,
/// `merge`, `status`, `slurm`), in a program of your own, with the policies of
/// `registry`: a scenario may name them as it names built-in ones, and every output
/// (CSV tables, comparisons, charts, report) includes them. Reads the process's
/// arguments; returns the exit code for `main`.
///
/// ```no_run
/// use schedsim::prelude::*;
///
/// /// Always the first node that fits.
/// struct FirstFit;
///
/// impl Balancer for FirstFit {
///     fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
///         (0..view.len()).find(|&n| view.fits(n, task))
///     }
/// }
///
/// fn main() -> ExitCode {
///     main_with(Registry::default().balancer("first_fit", |_, _| Ok(FirstFit)))
/// }
/// ```
pub fn main_with(registry: Registry) -> ExitCode {
    die_quietly_on_closed_pipes();
    ExitCode::from(run_with_args(std::env::args_os(), &registry))
}

/// [`main_with`] on the arguments `args` (the first is the program's name, as in
/// [`std::env::args`]) instead of the process's, returning the exit code ([`EXIT_OK`],
/// [`EXIT_RUNS_FAILED`], [`EXIT_BAD_INPUT`], [`EXIT_INTERRUPTED`]): for tests, and for
/// programs that build their arguments.
pub fn run_with_args<I, T>(args: I, registry: &Registry) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap's help and version requests are not errors.
            return if e.use_stderr() { EXIT_BAD_INPUT } else { EXIT_OK };
        }
    };
    match cli.command {
        None => run::run(RunArgs { output: PathBuf::from("results"), ..RunArgs::default() }, registry),
        Some(Command::Run(args)) => run::run(args, registry),
        Some(Command::Check { paths, force, allow_outside }) => {
            set_input_policy(allow_outside);
            inspect::check(&paths, force, registry)
        }
        Some(Command::List) => {
            print!("{}", inspect::list(registry));
            EXIT_OK
        }
        Some(Command::Plot { dir }) => inspect::plot(&dir, registry),
        Some(Command::Merge { dir, threads, quiet }) => cluster::merge(&dir, threads.unwrap_or(0), quiet, registry),
        Some(Command::Status { dir }) => cluster::status(&dir),
        Some(Command::Slurm(args)) => cluster::slurm(args, registry),
        Some(Command::Validate { output, quick, write_validation }) => {
            let output = if write_validation { PathBuf::from("VALIDATION.md") } else { output };
            validate(&output, quick)
        }
    }
}

/// Whether scenario paths may lead outside their scenario's folder, for every load
/// that follows.
fn set_input_policy(allow_outside: bool) {
    crate::workload::input::allow_outside(allow_outside);
}

/// Loads and checks every scenario under `paths` against the policies of `registry`,
/// printing every error found (not just the first); unless `force`, also refuses one
/// whose runs are estimated to cost more than a run may ([`scenario::cost`]).
fn load_all(paths: &[PathBuf], force: bool, registry: &Registry) -> Result<Vec<Scenario>, u8> {
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

/// The paths and `--jobs` choice of a command line: a bare `--jobs` that took a
/// scenario path as its value gives it back.
fn jobs_records(mut paths: Vec<PathBuf>, flag: Option<JobsFlag>) -> (Vec<PathBuf>, JobRecords) {
    let jobs = match flag {
        None => JobRecords::Off,
        Some(JobsFlag::Records(r)) => r,
        Some(JobsFlag::FirstAndPath(path)) => {
            paths.push(path);
            JobRecords::FirstReplication
        }
    };
    (paths, jobs)
}

/// The exit code of a plan whose results were written.
fn exit_code(written: Written) -> u8 {
    if written.interrupted {
        return EXIT_INTERRUPTED;
    }
    if written.failed > 0 {
        eprintln!("{} run{} failed; the other results are written", written.failed, plural(written.failed));
    }
    if written.failed > 0 || written.write_failed {
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
