//! From the raw file to a checked [`Scenario`]: defaults, ranges and references.
//!
//! Checks stop at the first mistake, which is returned as a [`FieldError`] (a field
//! path and a message) and then placed in the file by the [`Locator`]. One mistake at
//! a time keeps every message exact: a later check never runs on a value an earlier
//! one rejected.
//!
//! This file checks the whole file, `[run]` and `[[nodes]]`; `workload.rs` checks
//! `[workload]` and `policies.rs` checks `[policies]`.

mod output;
mod policies;
mod workload;

use super::error::{self, located};
use super::faults;
use super::locator::{parse_path, Locator};
use super::raw::{RawNodeGroup, RawPolicies, RawRun, RawScenario, RawWarmup};
use super::speculation;
use super::sweep;
use super::{
    Baseline, ChartOptions, NodeGroup, OutputConfig, RunConfig, Scenario, ScenarioError, Stop, Warmup,
    DEFAULT_SLOWDOWN_TAU,
};
use crate::diagnostic::{non_negative, positive, FieldError};
use crate::model::Mode;
use crate::policy::registry::{BuildContext, Registry};
use crate::policy::PolicySpec;
use crate::workload::{ArrivalProcess, Dist};
use policies::{baseline, policy_list, Kind, Policies};
use std::path::{Path, PathBuf};
use workload::workload;

/// The most nodes a scenario may have in all. Checking a scenario builds every node
/// (policies are built against the cluster), so an absurd count must be refused before
/// it exhausts memory; DESIGN.md asks 100,000 nodes to be cheap, so this leaves room.
const MAX_NODES: u64 = 1_000_000;

/// Reads and checks the scenario file at `path`, against the built-in policies.
///
/// # Errors
/// A [`ScenarioError`] if the file cannot be read or is not a valid scenario; it names
/// the line, column and field of the first mistake.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    load_with(path, &Registry::default())
}

/// Reads and checks the scenario file at `path`, its policies against `registry`.
///
/// # Errors
/// As [`load`].
pub fn load_with(path: &Path, registry: &Registry) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(unreadable(path))?;
    parse_with(&text, path, registry)
}

/// Checks scenario `text` read from `source`. `source` names the file in errors, gives
/// the default scenario name (its stem) and the directory that relative paths in the
/// scenario (empirical distributions) are resolved against.
///
/// Its policies are checked against the built-in ones; see [`parse_with`].
///
/// # Errors
/// A [`ScenarioError`] naming the line, column and field of the first mistake.
pub fn parse(text: &str, source: &Path) -> Result<Scenario, ScenarioError> {
    parse_with(text, source, &Registry::default())
}

/// [`parse`], checking the policies the scenario names against `registry` (which may
/// hold a program's own beside the built-in ones).
///
/// # Errors
/// As [`parse`]; an unknown policy's error lists every name `registry` knows.
pub fn parse_with(text: &str, source: &Path, registry: &Registry) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| error::from_toml(&e, text, source))?;
    let raw_sweep = raw.sweep.clone();
    let base_dir = source.parent().unwrap_or(Path::new(""));
    let locate = |text: &str, e: FieldError| {
        let locator = Locator::new(text);
        located(source, &locator, &parse_path(&e.path), e.message)
    };
    let mut base = scenario(raw, source, base_dir, text, registry).map_err(|e| locate(text, e))?;
    if let Some(raw_sweep) = raw_sweep {
        let values = sweep::values(&raw_sweep).map_err(|e| locate(text, e))?;
        let check_point = |point_text: &str| -> Result<Scenario, ScenarioError> {
            let raw: RawScenario = toml::from_str(point_text).map_err(|e| error::from_toml(&e, point_text, source))?;
            scenario(raw, source, base_dir, text, registry).map_err(|e| locate(point_text, e))
        };
        let sweep = sweep::expand(text, source, &raw_sweep.parameter, &values, || base.offered_load(), check_point)?;
        // The points differ from the file in one value: everything else, the name and
        // the text the results refer to included, is the file's.
        base.sweep = Some(sweep);
    }
    Ok(base)
}

/// The `[output] charts` options of scenario `text` (read from `source`), checked on
/// their own: the report reads them from a results folder's `scenario.toml` without
/// checking the rest of the file again (its trace, say, may not be at hand). Whether
/// `policies` names policies of the scenario is checked by [`parse`].
///
/// # Errors
/// A [`ScenarioError`] naming the line, column and field of the first mistake.
pub fn chart_options(text: &str, source: &Path) -> Result<ChartOptions, ScenarioError> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| error::from_toml(&e, text, source))?;
    output::charts(raw.output.and_then(|o| o.charts))
        .map_err(|e| located(source, &Locator::new(text), &parse_path(&e.path), e.message))
}

/// The scenario files that `paths` name: a file is taken as is, a directory gives every
/// `*.toml` file below it (recursively, sorted by path, hidden entries skipped). A file
/// named twice is kept once, at its first place.
///
/// # Errors
/// If a path does not exist or cannot be read, or a directory holds no `.toml` file.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut found: Vec<PathBuf> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(unreadable(path))?;
        let mut files = Vec::new();
        if meta.is_dir() {
            toml_files_below(path, &mut files)?;
            if files.is_empty() {
                return Err(ScenarioError::new(path, "expected scenario files (*.toml) in this directory, found none"));
            }
            files.sort();
        } else {
            files.push(path.clone());
        }
        for file in files {
            if !found.contains(&file) {
                found.push(file);
            }
        }
    }
    Ok(found)
}

/// Pushes every `*.toml` file below `dir`. Symbolic links to directories are not
/// followed (a link loop would never end); links to files are taken.
fn toml_files_below(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ScenarioError> {
    let entries = std::fs::read_dir(dir).map_err(unreadable(dir))?;
    for entry in entries {
        let entry = entry.map_err(unreadable(dir))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(unreadable(&path))?;
        if kind.is_dir() {
            toml_files_below(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "toml") && path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// The error for a path that cannot be read, with the system's reason in lower case
/// like every other message ("cannot read: no such file or directory (os error 2)").
fn unreadable(path: &Path) -> impl Fn(std::io::Error) -> ScenarioError + '_ {
    move |e| {
        let reason = e.to_string();
        let mut chars = reason.chars();
        let reason: String = chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default();
        ScenarioError::new(path, format!("cannot read: {reason}"))
    }
}

type Check<T> = Result<T, FieldError>;

/// Prefixes the path of an error from the workload or policy modules, which is
/// relative to the value they were given, with that value's path.
fn within(prefix: &str) -> impl Fn(FieldError) -> FieldError + '_ {
    move |e| e.within(prefix)
}

fn scenario(raw: RawScenario, source: &Path, base_dir: &Path, text: &str, registry: &Registry) -> Check<Scenario> {
    let name = scenario_name(raw.name, source)?;
    let seed = integer("seed", raw.seed, 1, 0, i64::MAX)? as u64;
    let replications = integer("replications", raw.replications, 1, 1, u32::MAX.into())? as u32;
    let (network, default_latency) = faults::network(raw.network, base_dir)?;
    let node_groups = node_groups(raw.nodes, &default_latency, base_dir)?;
    let workload = workload(raw.workload, &node_groups, base_dir, network.bandwidth)?;
    let trace_jobs = match &workload.arrival {
        ArrivalProcess::Trace(trace) => Some(trace.jobs),
        _ => None,
    };
    let cores: u64 = node_groups.iter().map(|g| u64::from(g.count) * u64::from(g.cores)).sum();
    let run = run(raw.run, trace_jobs, cores)?;
    let mut raw_faults = raw.faults;
    let raw_speculation = raw_faults.as_mut().and_then(|f| f.speculation.take());
    let mut faults = faults::faults(raw_faults, &node_groups)?;
    faults.speculation =
        speculation::speculation(raw_speculation, workload.job.is_some(), faults.retry.timeout.is_some())?;
    let mut scenario = Scenario {
        name,
        description: raw.description.unwrap_or_default(),
        source: source.to_path_buf(),
        seed,
        replications,
        run,
        node_groups,
        workload,
        balancers: Vec::new(),
        disciplines: Vec::new(),
        // Set with the policy lists below.
        baseline: Baseline {
            discipline: PolicySpec::named("fifo"),
            balancer: PolicySpec::named("random"),
            speculation: None,
        },
        network,
        faults,
        sweep: None,
        output: OutputConfig::default(),
        text: text.into(),
    };
    let nodes = scenario.nodes();
    let ctx = BuildContext { mode: scenario.run.mode, nodes: &nodes };
    let policies = Policies { registry, ctx: &ctx, jobs: scenario.workload.job.is_some() };
    let RawPolicies { balancers, disciplines, baseline: chosen } =
        raw.policies.unwrap_or(RawPolicies { balancers: None, disciplines: None, baseline: None });
    scenario.balancers = policy_list(Kind::Balancer, balancers.as_ref(), &policies)?;
    scenario.disciplines = policy_list(Kind::Discipline, disciplines.as_ref(), &policies)?;
    scenario.output =
        output::output(raw.output, &scenario.balancers, &scenario.disciplines, &scenario.faults.speculation)?;
    scenario.baseline = baseline(chosen.as_ref(), &scenario.disciplines, &scenario.balancers)?;
    scenario.baseline.speculation = scenario.speculation().cloned();
    Ok(scenario)
}

/// The scenario's name: given, or the file's stem. It names the results folder, so it
/// is kept to characters that are safe in a path on every system, and may not be only
/// dots (`.` and `..` are not folders of their own).
fn scenario_name(given: Option<String>, source: &Path) -> Check<String> {
    let from_file = given.is_none();
    let name =
        given.unwrap_or_else(|| source.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !name.chars().all(|c| c == '.');
    let rule = "letters, digits, '.', '_' and '-' only, since it names the results folder";
    let problem = if !valid {
        Some(format!("a name of {rule}"))
    } else if name.len() > MAX_NAME {
        Some(format!("a name of at most {MAX_NAME} characters (it names the results folder, beside its staging copy)"))
    } else {
        reserved(&name).map(|why| format!("a name that is not {why}"))
    };
    let Some(expected) = problem else { return Ok(name) };
    Err(FieldError::new(
        "name",
        if from_file {
            format!("the file name gives the scenario name {name:?}, but expected {expected}; set name = \"...\"")
        } else {
            format!("expected {expected}, got {name:?}")
        },
    ))
}

/// The longest scenario name: a file name may have 255 bytes on common file systems,
/// and the results folder's staging copy adds its own prefix and suffix.
const MAX_NAME: usize = 200;

/// Why `name` cannot name a results folder although its characters are valid, if it
/// cannot: the results folder's own files beside it, a hidden name (the staging
/// copies, the lock and the shards' folder start with '.'), or a name Windows reserves
/// for a device (with or without an extension, in any case).
fn reserved(name: &str) -> Option<&'static str> {
    if name.starts_with('.') {
        return Some("hidden (starting with '.', as the results folder's own staging files do)");
    }
    if name.eq_ignore_ascii_case("index.html") {
        return Some("index.html (the results folder's index)");
    }
    let stem = name.split('.').next().unwrap_or(name).to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0');
    device.then_some("a device name Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9)")
}

/// `[run]`, for a cluster of `cores` cores in all (they size `max_in_system`). With a
/// trace, `trace_jobs` is its length: `tasks` and `horizon` may then both be left out
/// (the whole trace is replayed), and `[run]` itself too.
fn run(raw: Option<RawRun>, trace_jobs: Option<u64>, cores: u64) -> Check<RunConfig> {
    let raw = match (raw, trace_jobs) {
        (Some(raw), _) => raw,
        (None, Some(_)) => RawRun::default(),
        (None, None) => {
            return Err(FieldError::new(
                "run",
                "missing table [run]: expected tasks = <count> or horizon = <seconds> in it",
            ))
        }
    };
    let stop = match (raw.tasks, raw.horizon) {
        (Some(_), Some(_)) => {
            return Err(FieldError::new("run.horizon", "expected either tasks or horizon, got both"));
        }
        (None, None) => match trace_jobs {
            Some(jobs) => Stop::Tasks(jobs),
            None => return Err(FieldError::new("run", "expected tasks = <count> or horizon = <seconds>, got neither")),
        },
        // A trace's jobs run out before a larger count.
        (Some(tasks), None) => {
            let tasks = integer("run.tasks", Some(tasks), 1, 1, i64::MAX)? as u64;
            Stop::Tasks(trace_jobs.map_or(tasks, |jobs| tasks.min(jobs)))
        }
        (None, Some(horizon)) => Stop::Horizon(positive("run.horizon", horizon)?),
    };
    let warmup = match raw.warmup {
        None => Warmup::Fraction(0.0),
        Some(RawWarmup::Fraction(f)) => {
            if !(0.0..1.0).contains(&f) {
                return Err(FieldError::new(
                    "run.warmup",
                    format!("expected a fraction in [0, 1) of the run, or {{ seconds = <number> }}, got {f}"),
                ));
            }
            Warmup::Fraction(f)
        }
        Some(RawWarmup::Seconds(s)) => {
            let s = non_negative("run.warmup.seconds", s)?;
            // A warm-up as long as the horizon would leave no task to measure.
            if let Stop::Horizon(h) = stop {
                if s >= h {
                    return Err(FieldError::new(
                        "run.warmup.seconds",
                        format!("expected a warm-up shorter than the horizon ({h} s), got {s}"),
                    ));
                }
            }
            Warmup::Seconds(s)
        }
    };
    let max_in_system = match raw.max_in_system {
        None => super::default_max_in_system(cores),
        Some(v) => integer("run.max_in_system", Some(v), 1, 1, i64::MAX)? as u64,
    };
    let mode = raw.mode.unwrap_or(Mode::Dispatch);
    let dispatchers = integer("run.dispatchers", raw.dispatchers, 1, 1, 10_000)? as u32;
    if dispatchers > 1 && mode == Mode::Central {
        return Err(FieldError::new(
            "run.dispatchers",
            "central mode has one scheduler holding the queue; several dispatchers need mode = \"dispatch\"",
        ));
    }
    let split = faults::split(raw.split.as_deref())?;
    let slowdown_tau = match raw.slowdown_tau {
        None => DEFAULT_SLOWDOWN_TAU,
        Some(t) => positive("run.slowdown_tau", t)?,
    };
    Ok(RunConfig { stop, warmup, mode, max_in_system, dispatchers, split, slowdown_tau })
}

fn node_groups(raw: Option<Vec<RawNodeGroup>>, latency: &Option<Dist>, base_dir: &Path) -> Check<Vec<NodeGroup>> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Err(FieldError::new("nodes", "expected at least one [[nodes]] group, got none"));
    }
    let mut groups: Vec<NodeGroup> = Vec::with_capacity(raw.len());
    let mut total = 0u64;
    for (i, raw) in raw.into_iter().enumerate() {
        let named = raw.name.is_some();
        let group = node_group(i, raw, latency, base_dir)?;
        if let Some(j) = groups.iter().position(|g| g.name == group.name) {
            let at = if named { format!("nodes[{i}].name") } else { format!("nodes[{i}]") };
            return Err(FieldError::new(at, format!("duplicate group name '{}': nodes[{j}] has it too", group.name)));
        }
        total += u64::from(group.count);
        if total > MAX_NODES {
            return Err(FieldError::new(
                format!("nodes[{i}].count"),
                format!("expected at most {MAX_NODES} nodes in all, got {total} up to this group"),
            ));
        }
        groups.push(group);
    }
    Ok(groups)
}

fn node_group(i: usize, raw: RawNodeGroup, latency: &Option<Dist>, base_dir: &Path) -> Check<NodeGroup> {
    let at = |field: &str| format!("nodes[{i}].{field}");
    let name = raw.name.unwrap_or_else(|| format!("group{i}"));
    if name.trim().is_empty() {
        return Err(FieldError::new(at("name"), "expected a non-empty group name, got \"\""));
    }
    let count = integer(&at("count"), raw.count, 1, 1, u32::MAX.into())? as u32;
    let speed = positive(&at("speed"), raw.speed.unwrap_or(1.0))?;
    let cores = integer(&at("cores"), raw.cores, 1, 1, u32::MAX.into())? as u32;
    let memory = raw.memory.unwrap_or(f64::INFINITY);
    // Infinite memory is allowed on purpose: it is the default, "unlimited".
    if memory.is_nan() || memory < 0.0 {
        return Err(FieldError::new(at("memory"), format!("expected a number >= 0, got {memory}")));
    }
    let weight = positive(&at("weight"), raw.weight.unwrap_or(speed * f64::from(cores)))?;
    // Weights are relative shares; weighted round robin's virtual times divide task
    // counts by them, which must stay finite over any run.
    if !(1e-9..=1e12).contains(&weight) {
        return Err(FieldError::new(
            at("weight"),
            format!("expected a weight between 1e-9 and 1e12 (weights are relative shares), got {weight:e}"),
        ));
    }
    let (own_latency, failure) = faults::group_extras(i, raw.latency, raw.failure, base_dir)?;
    let latency = own_latency.or_else(|| latency.clone()).filter(|d| d.max() != Some(0.0));
    Ok(NodeGroup { name, count, speed, cores, memory, weight, latency, failure })
}

/// An integer field with a default and an inclusive range.
fn integer(path: &str, v: Option<i64>, default: i64, min: i64, max: i64) -> Check<i64> {
    let v = v.unwrap_or(default);
    if (min..=max).contains(&v) {
        return Ok(v);
    }
    let bound = if v < min { format!(">= {min}") } else { format!("<= {max}") };
    Err(FieldError::new(path, format!("expected an integer {bound}, got {v}")))
}

/// A number in [0, 1).
fn fraction(path: &str, v: f64) -> Check<f64> {
    if (0.0..1.0).contains(&v) {
        Ok(v)
    } else {
        Err(FieldError::new(path, format!("expected a number in [0, 1), got {v}")))
    }
}

#[cfg(test)]
mod tests;
