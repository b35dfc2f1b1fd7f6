//! `schedsim validate`: the simulator against queueing theory.
//!
//! Each file in `validation/` (at the top of the repository, *not* under
//! `scenarios/`, so the default `schedsim run` never runs it) is one analytic case,
//! swept over loads. Its `name` picks the case in [`cases`], which reads the
//! formula's inputs off the scenario and gives the predicted value of each quantity;
//! the scenario's replications give the simulated value and its standard error.
//!
//! **Tolerance.** A check passes if
//! `|sim - theory| <= t_{1 - alpha/2, R-1} * se + model_error * |theory|`, where `se`
//! is the standard error over the R independent replications, `alpha = 0.05 / K` for
//! K checks in the run (Bonferroni: a correct simulator fails *any* check with
//! probability at most 5%), and `model_error` is stated per case from the model
//! alone, never from the runs: 0 for exact results plus the warm-up (initial
//! transient) bound `tau / T`, 0.1% for histogram percentiles, 1% for the power-of-d
//! mean-field limit at N = 1000, `2 W / T` for Little's law's edges. A bound (JSQ)
//! is one-sided with `t_{1 - alpha, R-1}`.

pub mod cases;
pub mod theory;

use crate::metrics::RunOutput;
use crate::runner::{Plan, Progress};
use crate::scenario::{self, Scenario, ScenarioError, Stop};
use cases::{Bound, Expect, Measure};
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Where the validation scenarios live.
pub const DIR: &str = "validation";

/// Family-wise false-alarm rate of a whole validation run.
pub const FAMILY_ALPHA: f64 = 0.05;

/// How much to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Multiplies every file's `tasks` (1 for the full report).
    pub scale: f64,
    /// Only these loads of each sweep (all if `None`).
    pub loads: Option<Vec<f64>>,
}

/// One compared quantity.
#[derive(Debug, Clone)]
pub struct Check {
    /// The case (scenario name).
    pub case: String,
    /// Its offered load.
    pub load: f64,
    /// What is compared, formula, source and model error.
    pub expect: Expect,
    /// The prediction (for Little's law: the mean of X W over the runs).
    pub predicted: f64,
    /// The mean over replications.
    pub simulated: f64,
    /// Half-width of the 95% confidence interval of `simulated`.
    pub ci95: f64,
    /// The tolerance applied.
    pub tolerance: f64,
    /// Whether it passed.
    pub pass: bool,
}

/// A validation run's checks and what was run.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every check, case by case, load by load.
    pub checks: Vec<Check>,
    /// Per case: name, file, tasks per run, replications, loads.
    pub cases: Vec<(String, PathBuf, u64, u32, Vec<f64>)>,
    /// The per-check alpha used.
    pub alpha: f64,
}

impl Report {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.pass)
    }
}

/// Loads every `*.toml` in `dir`, in name order.
pub fn load_dir(dir: &Path) -> Result<Vec<Scenario>, Vec<ScenarioError>> {
    let files = scenario::discover(&[dir.to_path_buf()]).map_err(|e| vec![e])?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for f in &files {
        match scenario::load(f) {
            Ok(s) => out.push(s),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// One sweep point to run.
struct Point {
    case: usize,
    load: f64,
    scenario: Scenario,
    expects: Vec<Expect>,
}

/// The sweep points to run, each with its expectations, and per case what is run.
#[allow(clippy::type_complexity)]
fn plan(
    scenarios: &[Scenario],
    options: &Options,
) -> Result<(Vec<Point>, Vec<(String, PathBuf, u64, u32, Vec<f64>)>), String> {
    let mut points = Vec::new();
    let mut cases = Vec::new();
    for (i, s) in scenarios.iter().enumerate() {
        let doc: toml::Table = s.text.parse().map_err(|e| format!("{}: {e}", s.source.display()))?;
        let all: Vec<Scenario> = match &s.sweep {
            Some(sw) => sw.points.iter().map(|p| p.scenario.clone()).collect(),
            None => vec![s.clone()],
        };
        let mut loads = Vec::new();
        let mut tasks = 0;
        for mut p in all {
            // Rounded: the sweep's scaling of the rate leaves float dust (0.8999999999999999).
            let load = (p.offered_load() * 1e9).round() / 1e9;
            if let Some(keep) = &options.loads {
                if !keep.iter().any(|l| (l - load).abs() < 1e-9) {
                    continue;
                }
            }
            if let Stop::Tasks(n) = p.run.stop {
                tasks = ((n as f64 * options.scale).round() as u64).max(1000);
                p.run.stop = Stop::Tasks(tasks);
            }
            let expects = cases::expectations(&p, &doc).map_err(|e| format!("{}: {e}", s.source.display()))?;
            // A case puts one policy pair to the test: the first of each list.
            p.balancers.truncate(1);
            p.disciplines.truncate(1);
            loads.push(load);
            points.push(Point { case: i, load, scenario: p, expects });
        }
        cases.push((s.name.clone(), s.source.clone(), tasks, s.replications, loads));
    }
    Ok((points, cases))
}

/// The beginning of the report's row of each check, up to the predicted value, without
/// running anything: the report in the repository must contain every one of them
/// (a test checks that it matches the code).
pub fn row_prefixes(scenarios: &[Scenario]) -> Result<Vec<String>, String> {
    let (points, _) = plan(scenarios, &Options { scale: 1.0, loads: None })?;
    let case = |p: &Point| scenarios[p.case].name.clone();
    Ok(points
        .iter()
        .flat_map(|p| {
            p.expects.iter().map(move |e| {
                let predicted = if matches!(e.measure, Measure::Little) { None } else { Some(e.predicted) };
                row_prefix(&case(p), p.load, e, predicted)
            })
        })
        .collect())
}

fn row_prefix(case: &str, load: f64, e: &Expect, predicted: Option<f64>) -> String {
    let mut row = format!("| {case} | {load} | {} | `{}` ({}) |", e.quantity, e.formula, e.source);
    if let Some(p) = predicted {
        let _ = write!(row, " {} |", sig(p));
    }
    row
}

/// Runs the cases and compares them with theory. Each point's replications run
/// through the runner's [`Plan`], like any run.
///
/// # Errors
/// If a case cannot be read into points, or if any run fails: then every failed run,
/// one a line, as `schedsim run` reports it.
pub fn evaluate(scenarios: &[Scenario], options: &Options) -> Result<Report, String> {
    evaluate_with(scenarios, options, &Progress::default())
}

/// [`evaluate`], counting finished runs in `progress` as it goes.
pub fn evaluate_with(scenarios: &[Scenario], options: &Options, progress: &Progress) -> Result<Report, String> {
    let (points, cases) = plan(scenarios, options)?;
    let run_plan = Plan::new(points.iter().map(|p| p.scenario.clone()).collect());
    let outcomes = run_plan.execute(0, progress);
    let failures: Vec<String> =
        outcomes.iter().filter_map(|o| o.as_ref().err()).map(|f| run_plan.failure_message(f)).collect();
    if !failures.is_empty() {
        return Err(failures.join("\n"));
    }
    // The plan's scenarios are the points, in order.
    let mut by_point: Vec<Vec<RunOutput>> = vec![Vec::new(); points.len()];
    for (job, outcome) in run_plan.jobs.iter().zip(outcomes) {
        by_point[run_plan.units[job.unit].file].extend(outcome.ok());
    }
    let k: usize = points.iter().map(|p| p.expects.len()).sum();
    let alpha = FAMILY_ALPHA / k as f64;
    let mut checks = Vec::new();
    for (pt, runs) in points.iter().zip(&by_point) {
        let r = runs.len();
        let two_sided = t_quantile(1.0 - alpha / 2.0, r);
        let one_sided = t_quantile(1.0 - alpha, r);
        let t95 = t_quantile(0.975, r);
        for e in &pt.expects {
            let (xs, predicted, diffs): (Vec<f64>, f64, Vec<f64>) = match &e.measure {
                Measure::Field(f) => {
                    let xs: Vec<f64> = runs.iter().map(f).collect();
                    (xs.clone(), e.predicted, xs)
                }
                Measure::ClassMean(name) => {
                    let xs: Vec<f64> = runs.iter().map(|o| cases::class_mean(o, name)).collect();
                    (xs.clone(), e.predicted, xs)
                }
                Measure::Little => {
                    let l: Vec<f64> = runs.iter().map(|o| o.result.mean_in_system).collect();
                    let xw: Vec<f64> = runs.iter().map(|o| o.result.throughput * o.result.mean_response).collect();
                    let d: Vec<f64> = l.iter().zip(&xw).map(|(a, b)| a - b).collect();
                    (l, mean(&xw), d)
                }
            };
            let simulated = mean(&xs);
            let se = std_error(&diffs);
            let t = if e.bound == Bound::Equal { two_sided } else { one_sided };
            let tolerance = t * se + e.model_error * predicted.abs();
            let diff = simulated - predicted;
            let pass = match e.bound {
                Bound::Equal => diff.abs() <= tolerance,
                Bound::AtMost => diff <= tolerance,
                Bound::AtLeast => -diff <= tolerance,
            };
            checks.push(Check {
                case: scenarios[pt.case].name.clone(),
                load: pt.load,
                expect: e.clone(),
                predicted,
                simulated,
                ci95: t95 * std_error(&xs),
                tolerance,
                pass: pass && simulated.is_finite(),
            });
        }
    }
    Ok(Report { checks, cases, alpha })
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Standard error of the mean of independent replications (NaN for fewer than 2).
fn std_error(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt()
}

/// Student's t quantile `p` with `r - 1` degrees of freedom.
fn t_quantile(p: f64, r: usize) -> f64 {
    StudentsT::new(0.0, 1.0, (r.max(2) - 1) as f64).expect("df >= 1").inverse_cdf(p)
}

/// Formats a number with 4 significant digits.
fn sig(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let digits = (3 - x.abs().max(1e-300).log10().floor() as i32).clamp(0, 8) as usize;
    format!("{x:.digits$}")
}

/// VALIDATION.md: the rule, what was run, and every check.
pub fn render(report: &Report, command: &str) -> String {
    let mut md = String::new();
    let failed = report.checks.iter().filter(|c| !c.pass).count();
    let _ = writeln!(md, "# Validation against queueing theory\n");
    let _ = writeln!(
        md,
        "Generated by `{command}` from the scenarios in `{DIR}/` and the formulas in `src/validate/` \
         (`theory.rs`: the formulas and their unit tests against published values; `cases.rs`: each case's \
         inputs and model error). Do not edit by hand: rerun the command.\n"
    );
    let _ = writeln!(
        md,
        "**{} of {} checks pass{}.**\n",
        report.checks.len() - failed,
        report.checks.len(),
        if failed == 0 { String::new() } else { format!("; {failed} fail") }
    );
    let _ = writeln!(md, "## The rule\n");
    let _ = writeln!(
        md,
        "Each case runs R independent replications (seeds derived from the file's seed); the simulated value \
         is their mean, shown with its 95% confidence interval `t(0.975, R-1) se`. A check passes when\n\n\
         `|sim - theory| <= t(1 - alpha/2, R-1) * se + model_error * |theory|`\n\n\
         with `alpha = {FAMILY_ALPHA} / K` for the K = {} checks of this run (Bonferroni: a correct simulator \
         fails any check of the whole report with probability at most {FAMILY_ALPHA}; here alpha = {:.2e}, \
         a {:.3}% two-sided quantile). The JSQ bounds are one-sided, with `t(1 - alpha, R-1)`. The model error \
         is stated per case from the model, never taken from the runs:\n",
        report.checks.len(),
        report.alpha,
        100.0 * (1.0 - report.alpha)
    );
    let _ = writeln!(
        md,
        "- **warm-up**: runs start empty; the bias of a mean over a measured span T is at most about `tau / T`, \
         with `tau = 1 / (mu (1 - sqrt rho)^2)` the M/M/1 relaxation time (times `(1 + cv^2) / 2` for general \
         sizes; with `c mu` for M/M/c), ignoring the 10% warm-up cut, which only reduces it;\n\
         - **percentiles**: the HDR histogram's 0.1%;\n\
         - **power of d** at N = 1000: the mean-field limit is exact only as N -> infinity, with an O(1/N) error \
         (0.7% at N = 100, rho = 0.9 in Gast and Van Houdt 2018), and the simulator samples d distinct nodes \
         (also O(1/N)): 1%;\n\
         - **Little's law**: tasks present at the two ends of the measured span: `2 W / T`; its `se` is that of \
         the per-replication difference `L - X W`.\n\n\
         **Dispatching as central queueing.** `least-work-left` and `min-completion-time` dispatch each task \
         at once to a node's own FIFO queue, with exact sizes and no latency; keyed on when each node's cores \
         will be free, both start every task when one central FCFS queue over all the cores would, so they are \
         M/M/c with c = every core, and their model error is M/M/c's. On nodes of several cores \
         `least_work_left`'s key is the work left per core, not the start of the next task, and it is not \
         central FCFS there: on 3 nodes of 4 cores at load 0.9 (10 replications of 200,000 tasks) its mean \
         response was 1.668 ± 0.032 against M/M/12's 1.533 (+8.8%), where `min_completion_time` gave \
         1.511 ± 0.033; no check claims more of it.\n"
    );
    let _ = writeln!(md, "## What was run\n");
    let _ = writeln!(md, "| case | file | tasks per run | replications | loads |");
    let _ = writeln!(md, "|---|---|---:|---:|---|");
    for (name, file, tasks, reps, loads) in &report.cases {
        let loads: Vec<String> = loads.iter().map(|l| format!("{l}")).collect();
        let _ = writeln!(md, "| {name} | `{}` | {tasks} | {reps} | {} |", file.display(), loads.join(", "));
    }
    let _ = writeln!(md, "\n## Checks\n");
    let _ = writeln!(
        md,
        "| case | load | quantity | formula (source) | predicted | simulated ± 95% CI | rel. error | tolerance (model error) | result |"
    );
    let _ = writeln!(md, "|---|---:|---|---|---:|---:|---:|---:|---|");
    for c in &report.checks {
        let rel = (c.simulated - c.predicted) / c.predicted;
        let _ = writeln!(
            md,
            "{} {} ± {} | {:+.2}% | {} ({}) | {} |",
            row_prefix(&c.case, c.load, &c.expect, Some(c.predicted)),
            sig(c.simulated),
            sig(c.ci95),
            100.0 * rel,
            sig(c.tolerance),
            c.expect.model_note,
            if c.pass { "pass" } else { "**FAIL**" }
        );
    }
    md
}

/// The `validate` command: runs every case (a tenth of the length with `quick`),
/// counting finished runs in `progress`, writes the report to `output`, prints a
/// summary; exit code 0 if every check passed, 1 if one failed, 2 if the cases could
/// not be loaded or run.
pub fn command(output: &Path, quick: bool, progress: &Progress) -> u8 {
    let started = std::time::Instant::now();
    let scenarios = match load_dir(Path::new(DIR)) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            return 2;
        }
    };
    let options = Options { scale: if quick { 0.1 } else { 1.0 }, loads: None };
    eprintln!(
        "validating {} cases against queueing theory{}",
        scenarios.len(),
        if quick { " (--quick: a tenth of the run length and time)" } else { " (about 3 minutes on 2 idle cores)" }
    );
    let report = match evaluate_with(&scenarios, &options, progress) {
        Ok(r) => r,
        Err(e) => {
            for line in e.lines() {
                eprintln!("error: {line}");
            }
            return 2;
        }
    };
    let cmd = if quick { "schedsim validate --quick" } else { "schedsim validate" };
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = crate::output::write_atomic(output, render(&report, cmd).as_bytes()) {
        eprintln!("error: cannot write '{}': {e}", output.display());
        return 2;
    }
    let failed: Vec<&Check> = report.checks.iter().filter(|c| !c.pass).collect();
    for c in &failed {
        eprintln!(
            "FAIL {} at load {}: {}: simulated {} ± {}, theory {} (tolerance {})",
            c.case,
            c.load,
            c.expect.quantity,
            sig(c.simulated),
            sig(c.ci95),
            sig(c.predicted),
            sig(c.tolerance)
        );
    }
    eprintln!(
        "{} of {} checks pass; report in {} ({:.1} s)",
        report.checks.len() - failed.len(),
        report.checks.len(),
        output.display(),
        started.elapsed().as_secs_f64()
    );
    u8::from(!failed.is_empty())
}
