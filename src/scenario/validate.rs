//! From the raw file to a checked [`Scenario`]: defaults, ranges and references.
//!
//! Checks stop at the first mistake, which is returned as an [`Invalid`] (a field
//! path and a message) and then placed in the file by the [`Locator`]. One mistake at
//! a time keeps every message exact: a later check never runs on a value an earlier
//! one rejected.

use super::error::{self, located, parse_path, Locator};
use super::faults;
use super::raw::{NumberOrDist, RawClass, RawNodeGroup, RawPolicies, RawRun, RawScenario, RawWarmup, RawWorkload};
use super::sweep;
use super::{NodeGroup, RunConfig, Scenario, ScenarioError, Stop, TaskClass, Warmup, Workload, DEFAULT_MAX_IN_SYSTEM};
use crate::model::Mode;
use crate::policy::registry::{self, BuildContext};
use crate::policy::PolicySpec;
use crate::workload::{ArrivalProcess, Dist, DistSpec, FieldError};
use std::path::{Path, PathBuf};

/// How far the class shares may sum from 1 (rounding in hand-written thirds).
const SHARE_TOLERANCE: f64 = 1e-6;

/// The most nodes a scenario may have in all. Checking a scenario builds every node
/// (policies are built against the cluster), so an absurd count must be refused before
/// it exhausts memory; DESIGN.md asks 100,000 nodes to be cheap, so this leaves room.
const MAX_NODES: u64 = 1_000_000;

/// Reads and checks the scenario file at `path`.
///
/// # Errors
/// A [`ScenarioError`] if the file cannot be read or is not a valid scenario; it names
/// the line, column and field of the first mistake.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(unreadable(path))?;
    parse(&text, path)
}

/// Checks scenario `text` read from `source`. `source` names the file in errors, gives
/// the default scenario name (its stem) and the directory that relative paths in the
/// scenario (empirical distributions) are resolved against.
///
/// # Errors
/// A [`ScenarioError`] naming the line, column and field of the first mistake.
pub fn parse(text: &str, source: &Path) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| error::from_toml(&e, text, source))?;
    let raw_sweep = raw.sweep.clone();
    let base_dir = source.parent().unwrap_or(Path::new(""));
    let locate = |text: &str, e: Invalid| {
        let locator = Locator::new(text);
        located(source, &locator, &parse_path(&e.path), e.message)
    };
    let mut base = scenario(raw, source, base_dir, text).map_err(|e| locate(text, e))?;
    if let Some(raw_sweep) = raw_sweep {
        let values = sweep::values(&raw_sweep).map_err(|(path, message)| locate(text, Invalid::new(path, message)))?;
        let check_point = |point_text: &str| -> Result<Scenario, ScenarioError> {
            let raw: RawScenario = toml::from_str(point_text).map_err(|e| error::from_toml(&e, point_text, source))?;
            scenario(raw, source, base_dir, text).map_err(|e| locate(point_text, e))
        };
        let sweep = sweep::expand(text, source, &raw_sweep.parameter, &values, || base.offered_load(), check_point)?;
        // The points differ from the file in one value: everything else, the name and
        // the text the results refer to included, is the file's.
        base.sweep = Some(sweep);
    }
    Ok(base)
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

/// A mistake found while checking: the dotted field path and what is wrong.
#[derive(Debug)]
struct Invalid {
    path: String,
    message: String,
}

type Check<T> = Result<T, Invalid>;

/// A field error whose path is already complete.
impl From<FieldError> for Invalid {
    fn from(e: FieldError) -> Self {
        Invalid::new(e.path, e.message)
    }
}

impl Invalid {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Invalid { path: path.into(), message: message.into() }
    }

    /// An error from the workload or policy modules, whose path is relative to `prefix`.
    fn within(prefix: &str) -> impl Fn(FieldError) -> Invalid + '_ {
        move |e| {
            let e = e.within(prefix);
            Invalid::new(e.path, e.message)
        }
    }
}

fn scenario(raw: RawScenario, source: &Path, base_dir: &Path, text: &str) -> Check<Scenario> {
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
    let run = run(raw.run, trace_jobs)?;
    let faults = faults::faults(raw.faults, &node_groups)?;
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
        network,
        faults,
        sweep: None,
        text: text.into(),
    };
    let nodes = scenario.nodes();
    let ctx = BuildContext { mode: scenario.run.mode, nodes: &nodes };
    let RawPolicies { balancers, disciplines } =
        raw.policies.unwrap_or(RawPolicies { balancers: None, disciplines: None });
    scenario.balancers = policy_list(Kind::Balancer, balancers.as_ref(), &ctx)?;
    scenario.disciplines = policy_list(Kind::Discipline, disciplines.as_ref(), &ctx)?;
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
    if valid {
        return Ok(name);
    }
    let rule = "letters, digits, '.', '_' and '-' only, since it names the results folder";
    Err(Invalid::new(
        "name",
        if from_file {
            format!("the file name gives the scenario name {name:?}, which is not valid ({rule}); set name = \"...\"")
        } else {
            format!("expected a name of {rule}, got {name:?}")
        },
    ))
}

/// `[run]`. With a trace, `trace_jobs` is its length: `tasks` and `horizon` may then
/// both be left out (the whole trace is replayed), and `[run]` itself too.
fn run(raw: Option<RawRun>, trace_jobs: Option<u64>) -> Check<RunConfig> {
    let raw = match (raw, trace_jobs) {
        (Some(raw), _) => raw,
        (None, Some(_)) => RawRun::default(),
        (None, None) => {
            return Err(Invalid::new(
                "run",
                "missing table [run]: expected tasks = <count> or horizon = <seconds> in it",
            ))
        }
    };
    let stop = match (raw.tasks, raw.horizon) {
        (Some(_), Some(_)) => {
            return Err(Invalid::new("run.horizon", "expected either tasks or horizon, got both"));
        }
        (None, None) => match trace_jobs {
            Some(jobs) => Stop::Tasks(jobs),
            None => return Err(Invalid::new("run", "expected tasks = <count> or horizon = <seconds>, got neither")),
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
                return Err(Invalid::new(
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
                    return Err(Invalid::new(
                        "run.warmup.seconds",
                        format!("expected a warm-up shorter than the horizon ({h} s), got {s}"),
                    ));
                }
            }
            Warmup::Seconds(s)
        }
    };
    let max_in_system = match raw.max_in_system {
        None => DEFAULT_MAX_IN_SYSTEM,
        Some(v) => integer("run.max_in_system", Some(v), 1, 1, i64::MAX)? as u64,
    };
    let mode = raw.mode.unwrap_or(Mode::Dispatch);
    let dispatchers = integer("run.dispatchers", raw.dispatchers, 1, 1, 10_000)? as u32;
    if dispatchers > 1 && mode == Mode::Central {
        return Err(Invalid::new(
            "run.dispatchers",
            "central mode has one scheduler holding the queue; several dispatchers need mode = \"dispatch\"",
        ));
    }
    let split = faults::split(raw.split.as_deref())?;
    Ok(RunConfig { stop, warmup, mode, max_in_system, dispatchers, split })
}

fn node_groups(raw: Option<Vec<RawNodeGroup>>, latency: &Option<Dist>, base_dir: &Path) -> Check<Vec<NodeGroup>> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Err(Invalid::new("nodes", "expected at least one [[nodes]] group, got none"));
    }
    let mut groups: Vec<NodeGroup> = Vec::with_capacity(raw.len());
    let mut total = 0u64;
    for (i, raw) in raw.into_iter().enumerate() {
        let named = raw.name.is_some();
        let group = node_group(i, raw, latency, base_dir)?;
        if let Some(j) = groups.iter().position(|g| g.name == group.name) {
            let at = if named { format!("nodes[{i}].name") } else { format!("nodes[{i}]") };
            return Err(Invalid::new(at, format!("duplicate group name '{}': nodes[{j}] has it too", group.name)));
        }
        total += u64::from(group.count);
        if total > MAX_NODES {
            return Err(Invalid::new(
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
        return Err(Invalid::new(at("name"), "expected a non-empty group name, got \"\""));
    }
    let count = integer(&at("count"), raw.count, 1, 1, u32::MAX.into())? as u32;
    let speed = positive(&at("speed"), raw.speed.unwrap_or(1.0))?;
    let cores = integer(&at("cores"), raw.cores, 1, 1, u32::MAX.into())? as u32;
    let memory = raw.memory.unwrap_or(f64::INFINITY);
    // Infinite memory is allowed on purpose: it is the default, "unlimited".
    if memory.is_nan() || memory < 0.0 {
        return Err(Invalid::new(at("memory"), format!("expected a number >= 0, got {memory}")));
    }
    let weight = positive(&at("weight"), raw.weight.unwrap_or(speed * f64::from(cores)))?;
    let (own_latency, failure) = faults::group_extras(i, raw.latency, raw.failure, base_dir)?;
    let latency = own_latency.or_else(|| latency.clone()).filter(|d| d.max() != Some(0.0));
    Ok(NodeGroup { name, count, speed, cores, memory, weight, latency, failure })
}

/// A distribution with the dotted path of the field it came from, so that a later
/// check (does any node fit it?) can point at that field.
#[derive(Clone)]
struct Placed {
    dist: Dist,
    path: String,
}

/// What a class inherits from `[workload]` when it does not say.
struct Defaults {
    size: Option<Placed>,
    cores: Placed,
    memory: Placed,
}

fn workload(
    raw: Option<RawWorkload>,
    groups: &[NodeGroup],
    base_dir: &Path,
    bandwidth: Option<f64>,
) -> Check<Workload> {
    let raw =
        raw.ok_or_else(|| Invalid::new("workload", "missing table [workload]: expected at least arrival and size"))?;
    let arrival = raw
        .arrival
        .ok_or_else(|| {
            Invalid::new(
                "workload.arrival",
                "missing field: expected an arrival process such as { process = \"poisson\", rate = 10.0 }",
            )
        })?
        .build(base_dir)
        .map_err(Invalid::within("workload.arrival"))?;
    let estimate_error = fraction("workload.estimate_error", raw.estimate_error.unwrap_or(0.0))?;
    let mut size_default = raw.size.map(|s| size("workload.size", &s, base_dir)).transpose()?;
    if let (None, ArrivalProcess::Trace(trace)) = (&size_default, &arrival) {
        // A trace gives every task's size; this stands for it where a class's size
        // is asked for (its mean, for the offered load).
        let dist = DistSpec::Constant { value: trace.mean_size() }
            .build(base_dir)
            .map_err(Invalid::within("workload.arrival"))?;
        size_default = Some(Placed { dist, path: "workload.arrival".into() });
    }
    let defaults = Defaults {
        size: size_default,
        cores: requirement(Resource::Cores, "workload.cores", raw.cores, base_dir)?,
        memory: requirement(Resource::Memory, "workload.memory", raw.memory, base_dir)?,
    };
    let classes = match raw.classes {
        None => vec![default_class(defaults, groups)?],
        Some(list) => classes(list, &defaults, groups, base_dir)?,
    };
    let input = faults::transfer("workload.input", raw.input, bandwidth, base_dir)?;
    let output = faults::transfer("workload.output", raw.output, bandwidth, base_dir)?;
    Ok(Workload { arrival, estimate_error, input, output, classes })
}

/// The one class of a workload without `classes`.
fn default_class(defaults: Defaults, groups: &[NodeGroup]) -> Check<TaskClass> {
    let size = defaults.size.ok_or_else(|| {
        Invalid::new(
            "workload.size",
            "missing field: expected a task size such as { dist = \"exponential\", mean = 1.0 }",
        )
    })?;
    fits_cores("tasks need", &defaults.cores, groups)?;
    fits_memory("tasks need", &defaults.memory, groups)?;
    Ok(TaskClass {
        name: "default".to_string(),
        share: 1.0,
        priority: 0,
        deadline: None,
        size: size.dist,
        cores: defaults.cores.dist,
        memory: defaults.memory.dist,
    })
}

/// Every class, shares normalised.
fn classes(list: Vec<RawClass>, defaults: &Defaults, groups: &[NodeGroup], base_dir: &Path) -> Check<Vec<TaskClass>> {
    if list.is_empty() {
        return Err(Invalid::new("workload.classes", "expected at least one class, got an empty array"));
    }
    let mut out: Vec<TaskClass> = Vec::with_capacity(list.len());
    for (i, raw) in list.into_iter().enumerate() {
        let c = class(i, raw, defaults, groups, base_dir)?;
        if let Some(j) = out.iter().position(|o| o.name == c.name) {
            return Err(Invalid::new(
                format!("workload.classes[{i}].name"),
                format!("duplicate class name '{}': classes[{j}] has it too", c.name),
            ));
        }
        out.push(c);
    }
    let total: f64 = out.iter().map(|c| c.share).sum();
    if (total - 1.0).abs() > SHARE_TOLERANCE {
        let terms: Vec<String> = out.iter().map(|c| c.share.to_string()).collect();
        // Rounded so that 0.3 + 0.6 reads 0.9, not 0.8999999999999999.
        let shown = (total * 1e9).round() / 1e9;
        return Err(Invalid::new(
            "workload.classes",
            format!("expected class shares summing to 1, got {shown} ({})", terms.join(" + ")),
        ));
    }
    // Exactly 1 after this, so that a sampler's cumulative table ends at 1.
    for c in &mut out {
        c.share /= total;
    }
    Ok(out)
}

fn class(i: usize, raw: RawClass, defaults: &Defaults, groups: &[NodeGroup], base_dir: &Path) -> Check<TaskClass> {
    let at = |field: &str| format!("workload.classes[{i}].{field}");
    let name = raw.name.ok_or_else(|| Invalid::new(at("name"), "missing field: expected a class name"))?;
    if name.trim().is_empty() {
        return Err(Invalid::new(at("name"), "expected a non-empty class name, got \"\""));
    }
    let share = raw
        .share
        .ok_or_else(|| Invalid::new(at("share"), "missing field: expected the class's share of arrivals, in (0, 1]"))?;
    if !(share > 0.0 && share <= 1.0) {
        return Err(Invalid::new(at("share"), format!("expected a share in (0, 1], got {share}")));
    }
    let priority = integer(&at("priority"), raw.priority, 0, 0, u32::MAX.into())? as u32;
    let deadline = raw.deadline.map(|d| positive(&at("deadline"), d)).transpose()?;
    let size = match raw.size {
        Some(spec) => size(&at("size"), &spec, base_dir)?.dist,
        None => match &defaults.size {
            Some(s) => s.dist.clone(),
            None => {
                return Err(Invalid::new(
                    at("size"),
                    format!("missing field: class '{name}' gives no size, and [workload] has no size to inherit"),
                ))
            }
        },
    };
    // An inherited requirement keeps the workload's path, so that an error about it
    // points where it was written.
    let cores = match raw.cores {
        Some(c) => requirement(Resource::Cores, &at("cores"), Some(c), base_dir)?,
        None => defaults.cores.clone(),
    };
    let memory = match raw.memory {
        Some(m) => requirement(Resource::Memory, &at("memory"), Some(m), base_dir)?,
        None => defaults.memory.clone(),
    };
    let who = format!("class '{name}' needs");
    fits_cores(&who, &cores, groups)?;
    fits_memory(&who, &memory, groups)?;
    Ok(TaskClass { name, share, priority, deadline, size, cores: cores.dist, memory: memory.dist })
}

/// A size distribution: it must have a positive mean, or no task would ever need work.
fn size(path: &str, spec: &DistSpec, base_dir: &Path) -> Check<Placed> {
    let dist = spec.build(base_dir).map_err(Invalid::within(path))?;
    if dist.mean() <= 0.0 {
        return Err(Invalid::new(
            path,
            format!("expected a size distribution with a mean > 0, got a mean of {}", dist.mean()),
        ));
    }
    Ok(Placed { dist, path: path.to_string() })
}

/// What a task requirement measures.
#[derive(Clone, Copy)]
enum Resource {
    Cores,
    Memory,
}

/// A task requirement: a constant (a bare number) or a distribution; default 1 core
/// and no memory. A constant number of cores must be positive (0 cores would be a
/// task that takes no slot); memory may be 0.
fn requirement(resource: Resource, path: &str, raw: Option<NumberOrDist>, base_dir: &Path) -> Check<Placed> {
    let dist = match (raw, resource) {
        (None, Resource::Cores) => Dist::constant(1.0),
        (None, Resource::Memory) => Dist::constant(0.0),
        (Some(NumberOrDist::Number(n)), Resource::Cores) => Dist::constant(positive(path, n)?),
        (Some(NumberOrDist::Number(n)), Resource::Memory) => Dist::constant(non_negative(path, n)?),
        (Some(NumberOrDist::Dist(spec)), _) => spec.build(base_dir).map_err(Invalid::within(path))?,
    };
    Ok(Placed { dist, path: path.to_string() })
}

/// A task's cores are a draw rounded up, at least 1; refuse a class whose largest
/// possible draw fits no node, since in dispatch mode such a task could only fail.
fn fits_cores(who: &str, cores: &Placed, groups: &[NodeGroup]) -> Check<()> {
    let largest = groups.iter().map(|g| g.cores).max().unwrap_or(0);
    match cores.dist.max() {
        Some(max) if max.ceil().max(1.0) > f64::from(largest) => {
            let need = max.ceil().max(1.0);
            Err(Invalid::new(
                &cores.path,
                format!("{who} up to {need} cores, but no node has {need} cores; the largest has {largest}"),
            ))
        }
        _ => Ok(()),
    }
}

fn fits_memory(who: &str, memory: &Placed, groups: &[NodeGroup]) -> Check<()> {
    let largest = groups.iter().map(|g| g.memory).fold(0.0, f64::max);
    match memory.dist.max() {
        Some(max) if max > largest => Err(Invalid::new(
            &memory.path,
            format!("{who} up to {max} memory, but no node has {max} memory; the largest has {largest}"),
        )),
        _ => Ok(()),
    }
}

/// Balancers or disciplines: the same syntax, two registries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Balancer,
    Discipline,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Balancer => "balancer",
            Kind::Discipline => "discipline",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Kind::Balancer => "policies.balancers",
            Kind::Discipline => "policies.disciplines",
        }
    }

    /// What the key means when absent: every balancer, FIFO only.
    fn default_list(self, ctx: &BuildContext<'_>) -> Vec<PolicySpec> {
        match self {
            Kind::Balancer => registry::all_balancers(ctx),
            Kind::Discipline => vec![PolicySpec::named("fifo")],
        }
    }

    fn all(self, ctx: &BuildContext<'_>) -> Vec<PolicySpec> {
        match self {
            Kind::Balancer => registry::all_balancers(ctx),
            Kind::Discipline => registry::all_disciplines(ctx),
        }
    }

    /// Builds the policy (and drops it) to check name, mode and parameters.
    fn check(self, spec: &PolicySpec, ctx: &BuildContext<'_>) -> Result<PolicySpec, FieldError> {
        match self {
            Kind::Balancer => registry::build_balancer(spec, ctx).map(|_| registry::canonical_balancer(spec)),
            Kind::Discipline => registry::build_discipline(spec, ctx).map(|_| registry::canonical_discipline(spec)),
        }
    }
}

/// `"all"`, or an array of names and `{ name = ..., <param> = <number> }` tables, each
/// checked against the registry and stored in canonical form.
fn policy_list(kind: Kind, value: Option<&toml::Value>, ctx: &BuildContext<'_>) -> Check<Vec<PolicySpec>> {
    let path = kind.path();
    let noun = kind.noun();
    let items = match value {
        None => return checked_all(kind, kind.default_list(ctx), ctx),
        Some(toml::Value::String(s)) if s == "all" => return checked_all(kind, kind.all(ctx), ctx),
        Some(toml::Value::String(s)) => {
            return Err(Invalid::new(
                path,
                format!("expected \"all\" or an array of {noun}s, got string {s:?}; for one {noun}, write [{s:?}]"),
            ))
        }
        Some(toml::Value::Array(items)) => items,
        Some(other) => {
            return Err(Invalid::new(path, format!("expected \"all\" or an array of {noun}s, got {}", describe(other))))
        }
    };
    if items.is_empty() {
        return Err(Invalid::new(path, format!("expected at least one {noun}, got an empty array")));
    }
    let mut specs: Vec<PolicySpec> = Vec::with_capacity(items.len());
    for (j, item) in items.iter().enumerate() {
        let at = format!("{path}[{j}]");
        let spec = policy_spec(kind, &at, item)?;
        let canonical = kind.check(&spec, ctx).map_err(|e| policy_error(&at, item, e))?;
        if let Some(k) = specs.iter().position(|s| *s == canonical) {
            return Err(Invalid::new(at, format!("duplicate {noun} '{canonical}': {path}[{k}] is the same {noun}")));
        }
        specs.push(canonical);
    }
    Ok(specs)
}

/// The expansion of `"all"` (or of a default), checked like a written list so that a
/// policy that cannot be built for this cluster is reported, not run.
fn checked_all(kind: Kind, specs: Vec<PolicySpec>, ctx: &BuildContext<'_>) -> Check<Vec<PolicySpec>> {
    if specs.is_empty() {
        return Err(Invalid::new(kind.path(), format!("no {} applies in {} mode", kind.noun(), ctx.mode.name())));
    }
    specs.iter().map(|s| kind.check(s, ctx).map_err(Invalid::within(kind.path()))).collect()
}

/// One element of a policy list as a spec; only shape is checked here.
fn policy_spec(kind: Kind, at: &str, item: &toml::Value) -> Check<PolicySpec> {
    let noun = kind.noun();
    match item {
        toml::Value::String(s) if s == "all" => Err(Invalid::new(
            at,
            format!("\"all\" must stand alone: write {} = \"all\"", kind.path().trim_start_matches("policies.")),
        )),
        toml::Value::String(s) => Ok(PolicySpec::named(s)),
        toml::Value::Table(t) => {
            let name = match t.get("name") {
                Some(toml::Value::String(s)) => s.clone(),
                Some(other) => {
                    return Err(Invalid::new(
                        format!("{at}.name"),
                        format!("expected a {noun} name, got {}", describe(other)),
                    ))
                }
                None => {
                    return Err(Invalid::new(
                        format!("{at}.name"),
                        format!("missing field: expected the {noun}'s name, such as name = \"power_of_d\""),
                    ))
                }
            };
            let mut spec = PolicySpec::named(&name);
            for (key, value) in t.iter().filter(|(k, _)| k.as_str() != "name") {
                let number = match value {
                    toml::Value::Integer(i) => *i as f64,
                    toml::Value::Float(f) => *f,
                    other => {
                        return Err(Invalid::new(
                            format!("{at}.{key}"),
                            format!("expected a number for parameter '{key}', got {}", describe(other)),
                        ))
                    }
                };
                spec.params.insert(key.clone(), number);
            }
            Ok(spec)
        }
        other => Err(Invalid::new(
            at,
            format!(
                "expected a {noun} name or a table {{ name = \"...\", <parameter> = <number> }}, got {}",
                describe(other)
            ),
        )),
    }
}

/// Places a registry error: `name` is the element itself when it is a bare string.
fn policy_error(at: &str, item: &toml::Value, e: FieldError) -> Invalid {
    if e.path == "name" && item.is_str() {
        Invalid::new(at, e.message)
    } else {
        Invalid::within(at)(e)
    }
}

/// A TOML value as a message shows what was found.
fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("string {s:?}"),
        toml::Value::Integer(i) => format!("integer {i}"),
        toml::Value::Float(f) => format!("number {f}"),
        toml::Value::Boolean(b) => format!("boolean {b}"),
        toml::Value::Datetime(d) => format!("date-time {d}"),
        toml::Value::Array(_) => "an array".to_string(),
        toml::Value::Table(_) => "a table".to_string(),
    }
}

/// An integer field with a default and an inclusive range.
fn integer(path: &str, v: Option<i64>, default: i64, min: i64, max: i64) -> Check<i64> {
    let v = v.unwrap_or(default);
    if (min..=max).contains(&v) {
        return Ok(v);
    }
    let bound = if v < min { format!(">= {min}") } else { format!("<= {max}") };
    Err(Invalid::new(path, format!("expected an integer {bound}, got {v}")))
}

fn positive(path: &str, v: f64) -> Check<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(Invalid::new(path, format!("expected a number > 0, got {v}")))
    }
}

fn non_negative(path: &str, v: f64) -> Check<f64> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(Invalid::new(path, format!("expected a number >= 0, got {v}")))
    }
}

/// A number in [0, 1).
fn fraction(path: &str, v: f64) -> Check<f64> {
    if (0.0..1.0).contains(&v) {
        Ok(v)
    } else {
        Err(Invalid::new(path, format!("expected a number in [0, 1), got {v}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Split;
    use crate::workload::ArrivalProcess;

    /// A small valid scenario; tests replace parts of it.
    const MINIMAL: &str = r#"
[run]
tasks = 1000

[[nodes]]

[workload]
arrival = { process = "poisson", rate = 0.5 }
size = { dist = "exponential", mean = 1.0 }
"#;

    /// A group's plain fields, for comparison.
    fn plain(groups: &[NodeGroup]) -> Vec<(String, u32, f64, u32, f64, f64)> {
        groups.iter().map(|g| (g.name.clone(), g.count, g.speed, g.cores, g.memory, g.weight)).collect()
    }

    fn ok(text: &str) -> Scenario {
        parse(text, Path::new("scenarios/minimal.toml")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(text: &str) -> ScenarioError {
        match parse(text, Path::new("scenarios/bad.toml")) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn full_scenario_builds_every_field() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/sizes.txt"), "# sizes\n1\n2\n\n6 # big\n").unwrap();
        let text = r#"
name = "full.v1"
description = "every field"
seed = 42
replications = 5

[run]
tasks = 200_000
warmup = 0.1
mode = "central"

[[nodes]]
name = "big"
count = 4
speed = 2.0
cores = 8
memory = 64.0
weight = 10

[[nodes]]
name = "small"
count = 12
cores = 2
memory = 8

[workload]
arrival = { process = "bursty", rates = [10, 1.5], durations = [2.0, 6.0] }
size = { dist = "lognormal", mean = 1.0, cv = 2.0 }
estimate_error = 0.3
cores = 2
memory = { dist = "uniform", low = 1, high = 4 }
classes = [
  { name = "interactive", share = 0.3, priority = 0, deadline = 2.0, cores = 1, memory = 0.5, size = { dist = "empirical", path = "data/sizes.txt" } },
  { name = "batch", share = 0.7, priority = 1 },
]

[policies]
balancers = ["random", { name = "least_connections" }]
disciplines = ["fifo"]
"#;
        let path = dir.path().join("full.toml");
        std::fs::write(&path, text).unwrap();
        let s = load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.name.as_str(), s.description.as_str()), ("full.v1", "every field"));
        assert_eq!((s.seed, s.replications, s.source.clone()), (42, 5, path));
        assert_eq!(
            s.run,
            RunConfig {
                stop: Stop::Tasks(200_000),
                warmup: Warmup::Fraction(0.1),
                mode: Mode::Central,
                max_in_system: DEFAULT_MAX_IN_SYSTEM,
                dispatchers: 1,
                split: Split::Random,
            }
        );
        assert_eq!(
            plain(&s.node_groups),
            vec![("big".into(), 4, 2.0, 8, 64.0, 10.0), ("small".into(), 12, 1.0, 2, 8.0, 2.0)]
        );
        assert_eq!(s.nodes().len(), 16);
        let w = &s.workload;
        assert!(matches!(w.arrival, ArrivalProcess::Bursty { rates: [10.0, 1.5], durations: [2.0, 6.0], .. }));
        assert_eq!(w.estimate_error, 0.3);
        let [interactive, batch] = &w.classes[..] else { panic!("{:?}", w.classes) };
        assert_eq!(
            (interactive.name.as_str(), interactive.priority, interactive.deadline),
            ("interactive", 0, Some(2.0))
        );
        assert!(close(interactive.share, 0.3) && close(batch.share, 0.7));
        // The empirical file is read relative to the scenario's folder.
        assert_eq!((interactive.size.mean(), interactive.size.max()), (3.0, Some(6.0)));
        assert_eq!((interactive.cores.mean(), interactive.memory.mean()), (1.0, 0.5));
        // The batch class inherits the workload's size, cores and memory.
        assert_eq!((batch.name.as_str(), batch.priority, batch.deadline), ("batch", 1, None));
        assert!(close(batch.size.mean(), 1.0) && batch.size.max().is_none());
        assert_eq!((batch.cores.mean(), batch.memory.mean(), batch.memory.max()), (2.0, 2.5, Some(4.0)));
        let labels: Vec<String> = s.balancers.iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["random", "least_connections"]);
        assert_eq!(s.disciplines, vec![PolicySpec::named("fifo")]);
    }

    #[test]
    fn defaults_fill_every_optional_field() {
        let s = ok(MINIMAL);
        assert_eq!((s.name.as_str(), s.description.as_str(), s.seed, s.replications), ("minimal", "", 1, 1));
        assert_eq!(
            s.run,
            RunConfig {
                stop: Stop::Tasks(1000),
                warmup: Warmup::Fraction(0.0),
                mode: Mode::Dispatch,
                max_in_system: DEFAULT_MAX_IN_SYSTEM,
                dispatchers: 1,
                split: Split::Random,
            }
        );
        assert_eq!(plain(&s.node_groups), vec![("group0".into(), 1, 1.0, 1, f64::INFINITY, 1.0)]);
        assert!(s.node_groups[0].latency.is_none() && s.node_groups[0].failure.is_none());
        let w = &s.workload;
        assert_eq!(w.estimate_error, 0.0);
        assert_eq!(w.classes.len(), 1);
        let c = &w.classes[0];
        assert_eq!((c.name.as_str(), c.share, c.priority, c.deadline), ("default", 1.0, 0, None));
        assert_eq!((c.cores.max(), c.memory.max()), (Some(1.0), Some(0.0)));
        let nodes = s.nodes();
        assert_eq!(s.balancers, registry::all_balancers(&BuildContext { mode: Mode::Dispatch, nodes: &nodes }));
        assert_eq!(s.disciplines, vec![PolicySpec::named("fifo")]);
        assert!(close(s.offered_load(), 0.5));
    }

    #[test]
    fn weight_defaults_to_speed_times_cores() {
        let s = ok(&MINIMAL.replace("[[nodes]]", "[[nodes]]\nspeed = 2.5\ncores = 4"));
        assert_eq!(s.node_groups[0].weight, 10.0);
    }

    #[test]
    fn all_expands_to_every_policy_of_the_mode() {
        for mode in [Mode::Dispatch, Mode::Central] {
            let text = MINIMAL.replace("tasks = 1000", &format!("tasks = 1000\nmode = \"{}\"", mode.name()))
                + "[policies]\nbalancers = \"all\"\ndisciplines = \"all\"\n";
            let s = ok(&text);
            let nodes = s.nodes();
            let ctx = BuildContext { mode, nodes: &nodes };
            assert_eq!(s.balancers, registry::all_balancers(&ctx));
            assert_eq!(s.disciplines, registry::all_disciplines(&ctx));
            assert!(!s.balancers.is_empty() && !s.disciplines.is_empty());
        }
    }

    #[test]
    fn warmup_is_a_fraction_or_seconds() {
        let with = |w: &str| MINIMAL.replace("tasks = 1000", &format!("tasks = 1000\nwarmup = {w}"));
        assert_eq!(ok(&with("0.25")).run.warmup, Warmup::Fraction(0.25));
        assert_eq!(ok(&with("0")).run.warmup, Warmup::Fraction(0.0));
        assert_eq!(ok(&with("{ seconds = 50 }")).run.warmup, Warmup::Seconds(50.0));
        let e = err(&with("1.0"));
        assert_eq!((e.field.as_deref(), e.line), (Some("run.warmup"), Some(4)));
        let e = err(&with("{ seconds = -1 }"));
        assert_eq!(e.field.as_deref(), Some("run.warmup.seconds"));
        let horizon = MINIMAL.replace("tasks = 1000", "horizon = 100.0\nwarmup = { seconds = 100 }");
        let e = err(&horizon);
        assert!(e.message.contains("shorter than the horizon"), "{e}");
        let s = ok(&MINIMAL.replace("tasks = 1000", "horizon = 100.0\nwarmup = { seconds = 10 }"));
        assert_eq!((s.run.stop, s.run.warmup), (Stop::Horizon(100.0), Warmup::Seconds(10.0)));
    }

    #[test]
    fn class_shares_are_normalised_and_inherit_defaults() {
        let text = MINIMAL.replace(
            "size = {",
            "classes = [{ name = \"a\", share = 0.3333333 }, { name = \"b\", share = 0.6666667, priority = 2 }]\nsize = {",
        );
        let s = ok(&text);
        let c = &s.workload.classes;
        assert!((c[0].share + c[1].share - 1.0).abs() < 1e-15);
        assert!(close(c[0].share, 0.3333333 / 1.0000000));
        assert_eq!((c[1].priority, c[1].size.mean()), (2, 1.0));
        let e = err(&text.replace("0.6666667", "0.6"));
        assert_eq!(e.field.as_deref(), Some("workload.classes"));
        assert!(e.message.contains("summing to 1"), "{e}");
    }

    #[test]
    fn a_class_without_size_needs_a_workload_size() {
        let text =
            MINIMAL.replace("size = { dist = \"exponential\", mean = 1.0 }", "classes = [{ name = \"a\", share = 1 }]");
        let e = err(&text);
        assert_eq!(e.field.as_deref(), Some("workload.classes[0].size"));
        assert_eq!((e.line, e.column), (Some(9), Some(12)));
        let e = err(&MINIMAL.replace("size = { dist = \"exponential\", mean = 1.0 }", ""));
        assert_eq!((e.field.as_deref(), e.line, e.column), (Some("workload.size"), Some(7), Some(1)));
    }

    #[test]
    fn duplicate_names_are_errors() {
        let e = err(&MINIMAL.replace("[[nodes]]", "[[nodes]]\nname = \"a\"\n[[nodes]]\nname = \"a\""));
        assert_eq!((e.field.as_deref(), e.line), (Some("nodes[1].name"), Some(8)));
        let e = err(&(MINIMAL.to_string() + "[policies]\nbalancers = [\"random\", { name = \"random\" }]\n"));
        assert_eq!((e.field.as_deref(), e.line, e.column), (Some("policies.balancers[1]"), Some(11), Some(24)));
        assert!(e.message.contains("duplicate balancer 'random'"), "{e}");
    }

    #[test]
    fn policy_lists_are_checked_element_by_element() {
        let with = |p: &str| MINIMAL.to_string() + "[policies]\n" + p + "\n";
        let e = err(&with("balancers = \"random\""));
        assert!(e.message.contains("write [\"random\"]"), "{e}");
        let e = err(&with("balancers = [\"all\"]"));
        assert_eq!(e.field.as_deref(), Some("policies.balancers[0]"));
        let e = err(&with("balancers = [{ name = \"random\", d = \"two\" }]"));
        assert_eq!((e.field.as_deref(), e.column), (Some("policies.balancers[0].d"), Some(33)));
        assert!(e.message.contains("expected a number for parameter 'd'"), "{e}");
        let e = err(&with("disciplines = [{ nme = \"fifo\" }]"));
        assert_eq!(e.field.as_deref(), Some("policies.disciplines[0].name"));
        let e = err(&with("disciplines = [\"fifoo\"]"));
        assert!(e.message.contains("did you mean 'fifo'"), "{e}");
        let e = err(&with("balancers = []"));
        assert!(e.message.contains("at least one balancer"), "{e}");
    }

    #[test]
    fn memory_beyond_every_node_is_an_error() {
        let text = MINIMAL.replace("[[nodes]]", "[[nodes]]\nmemory = 16").replace("size = {", "memory = 32\nsize = {");
        let e = err(&text);
        assert_eq!(e.field.as_deref(), Some("workload.memory"));
        assert!(e.message.contains("no node has 32 memory; the largest has 16"), "{e}");
    }

    #[test]
    fn the_file_stem_must_make_a_valid_name() {
        let e = parse(MINIMAL, Path::new("my scenario.toml")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        assert!(parse(MINIMAL, Path::new("my-scenario_2.toml")).is_ok());
        let e = err(&format!("name = \"..\"\n{MINIMAL}"));
        assert_eq!((e.line, e.column), (Some(1), Some(1)));
    }

    #[test]
    fn discover_finds_toml_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in ["b.toml", "a/z.toml", "a/c.toml", "notes.txt", ".hidden/x.toml", "empty/.keep"] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let found = discover(&[root.to_path_buf(), root.join("b.toml")]).unwrap();
        let rel: Vec<_> = found.iter().map(|p| p.strip_prefix(root).unwrap().to_path_buf()).collect();
        assert_eq!(rel, [PathBuf::from("a/c.toml"), "a/z.toml".into(), "b.toml".into()]);
        let e = discover(&[root.join("missing")]).unwrap_err();
        assert_eq!(e.file, root.join("missing"));
        let e = discover(&[root.join("empty")]).unwrap_err();
        assert!(e.message.contains("found none"), "{e}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Whatever is cut out of or pasted into a valid file, checking it never panics.
        #[test]
        fn mangled_files_never_panic(at in 0usize..400, cut in 0usize..20, paste in "[ -~\n]{0,12}") {
            let classes = "warmup = { seconds = 1 }\n[[nodes]]\nmemory = 4\n[workload]\nclasses = [{ name = \"a\", \
                           share = 0.5, cores = { dist = \"uniform\", low = 0.5, high = 1 } }, { name = \"b\", share = 0.5 }]";
            let mut text = MINIMAL.replacen("\n[[nodes]]\n\n[workload]", classes, 1)
                + "[policies]\nbalancers = [\"random\", { name = \"round_robin\" }]\n";
            proptest::prop_assert!(parse(&text, Path::new("p.toml")).is_ok(), "the unmangled file is valid");
            let at = at.min(text.len());
            let end = (at + cut).min(text.len());
            text.replace_range(at..end, &paste);
            if let Err(e) = parse(&text, Path::new("p.toml")) {
                let line = e.line.unwrap_or(1);
                proptest::prop_assert!(line >= 1 && line <= text.lines().count().max(1) + 1, "{e}");
            }
        }
    }
}
