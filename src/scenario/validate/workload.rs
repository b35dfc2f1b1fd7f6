//! `[workload]`: the arrival process, task classes and their requirements, checked
//! against the node groups.

use super::{fraction, integer, non_negative, positive, within, Check};
use crate::diagnostic::unknown;
use crate::diagnostic::FieldError;
use crate::scenario::faults;
use crate::scenario::raw::{NumberOrDist, RawClass, RawJob, RawWorkload};
use crate::scenario::NodeGroup;
use crate::workload::job::{Dag, MAX_TASKS};
use crate::workload::{wfformat, ArrivalProcess, Dist, DistSpec, JobShape, TaskClass, Workload};
use std::path::Path;
use std::sync::Arc;

/// How far the class shares may sum from 1 (rounding in hand-written thirds).
const SHARE_TOLERANCE: f64 = 1e-6;

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

pub(super) fn workload(
    raw: Option<RawWorkload>,
    groups: &[NodeGroup],
    base_dir: &Path,
    bandwidth: Option<f64>,
) -> Check<Workload> {
    let raw =
        raw.ok_or_else(|| FieldError::new("workload", "missing table [workload]: expected at least arrival and size"))?;
    let arrival = raw
        .arrival
        .ok_or_else(|| {
            FieldError::new(
                "workload.arrival",
                "missing field: expected an arrival process such as { process = \"poisson\", rate = 10.0 }",
            )
        })?
        .build(base_dir, groups.iter().map(|g| g.cores).max().unwrap_or(u32::MAX))
        .map_err(within("workload.arrival"))?;
    let estimate_error = fraction("workload.estimate_error", raw.estimate_error.unwrap_or(0.0))?;
    let mut size_default = raw.size.map(|s| size("workload.size", &s, base_dir)).transpose()?;
    if let (None, ArrivalProcess::Trace(trace)) = (&size_default, &arrival) {
        // A trace gives every task's size; this stands for it where a class's size
        // is asked for (its mean, for the offered load).
        let dist =
            DistSpec::Constant { value: trace.mean_size() }.build(base_dir).map_err(within("workload.arrival"))?;
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
    let job = raw.job.map(|j| job(j, &arrival, base_dir, groups)).transpose()?;
    Ok(Workload { arrival, estimate_error, input, output, classes, job })
}

/// The shapes `job.shape` may name.
const SHAPES: [&str; 3] = ["fork-join", "map-reduce", "dag"];

/// `job = { shape = .. }`: each shape takes its own fields and no other. A workflow
/// file's runtimes per group name `groups`.
fn job(raw: RawJob, arrival: &ArrivalProcess, base_dir: &Path, groups: &[NodeGroup]) -> Check<JobShape> {
    if matches!(arrival, ArrivalProcess::Trace(_)) {
        return Err(FieldError::new(
            "workload.job",
            "a trace gives single tasks; jobs of many tasks need a drawn arrival process (poisson, constant, bursty)",
        ));
    }
    let shape = raw.shape.as_deref().ok_or_else(|| {
        FieldError::new("workload.job.shape", "missing field: expected \"fork-join\", \"map-reduce\" or \"dag\"")
    })?;
    let fields: [(&str, bool); 5] = [
        ("tasks", raw.tasks.is_some()),
        ("maps", raw.maps.is_some()),
        ("reduces", raw.reduces.is_some()),
        ("shuffle", raw.shuffle.is_some()),
        ("path", raw.path.is_some()),
    ];
    let takes: &[&str] = match shape {
        "fork-join" => &["tasks"],
        "map-reduce" => &["maps", "reduces", "shuffle"],
        "dag" => &["path"],
        other => return Err(FieldError::new("workload.job.shape", unknown("job shape", other, &SHAPES))),
    };
    if let Some((field, _)) = fields.iter().find(|(f, given)| *given && !takes.contains(f)) {
        return Err(FieldError::new(
            format!("workload.job.{field}"),
            format!("a {shape} job takes {}, not {field}", takes.join(", ")),
        ));
    }
    let required = |field: &str, what: &str| {
        FieldError::new(format!("workload.job.{field}"), format!("missing field: a {shape} job needs {what}"))
    };
    let count = |field: &str, v: Option<i64>| -> Check<u32> {
        let v = v.ok_or_else(|| required(field, "a number of tasks"))?;
        Ok(integer(&format!("workload.job.{field}"), Some(v), 1, 1, MAX_TASKS.into())? as u32)
    };
    Ok(match shape {
        "fork-join" => {
            let tasks = match raw.tasks.ok_or_else(|| required("tasks", "a number of tasks (or a distribution)"))? {
                NumberOrDist::Number(n) if n >= 1.0 && n <= MAX_TASKS as f64 && n.fract() == 0.0 => Dist::constant(n),
                NumberOrDist::Number(n) => {
                    return Err(FieldError::new(
                        "workload.job.tasks",
                        format!("expected a whole number of tasks from 1 to {MAX_TASKS}, got {n}"),
                    ))
                }
                NumberOrDist::Dist(spec) => spec.build(base_dir).map_err(within("workload.job.tasks"))?,
            };
            JobShape::fork_join(tasks)
        }
        "map-reduce" => {
            let maps = count("maps", raw.maps)?;
            let reduces = count("reduces", raw.reduces)?;
            let shuffle = non_negative("workload.job.shuffle", raw.shuffle.unwrap_or(0.0))?;
            JobShape::MapReduce { dag: Arc::new(Dag::map_reduce(maps, reduces, shuffle)) }
        }
        _ => {
            let path = raw.path.ok_or_else(|| required("path", "the path of a WfFormat file (.json or .json.gz)"))?;
            let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
            let dag = wfformat::read(base_dir, &path, &names).map_err(within("workload.job"))?;
            JobShape::Workflow { path, dag: Arc::new(dag) }
        }
    })
}

/// The one class of a workload without `classes`.
fn default_class(defaults: Defaults, groups: &[NodeGroup]) -> Check<TaskClass> {
    let size = defaults.size.ok_or_else(|| {
        FieldError::new(
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
        return Err(FieldError::new("workload.classes", "expected at least one class, got an empty array"));
    }
    let mut out: Vec<TaskClass> = Vec::with_capacity(list.len());
    for (i, raw) in list.into_iter().enumerate() {
        let c = class(i, raw, defaults, groups, base_dir)?;
        if let Some(j) = out.iter().position(|o| o.name == c.name) {
            return Err(FieldError::new(
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
        return Err(FieldError::new(
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
    let name = raw.name.ok_or_else(|| FieldError::new(at("name"), "missing field: expected a class name"))?;
    if name.trim().is_empty() {
        return Err(FieldError::new(at("name"), "expected a non-empty class name, got \"\""));
    }
    let share = raw.share.ok_or_else(|| {
        FieldError::new(at("share"), "missing field: expected the class's share of arrivals, in (0, 1]")
    })?;
    if !(share > 0.0 && share <= 1.0) {
        return Err(FieldError::new(at("share"), format!("expected a share in (0, 1], got {share}")));
    }
    let priority = integer(&at("priority"), raw.priority, 0, 0, u32::MAX.into())? as u32;
    let deadline = raw.deadline.map(|d| positive(&at("deadline"), d)).transpose()?;
    let size = match raw.size {
        Some(spec) => size(&at("size"), &spec, base_dir)?.dist,
        None => match &defaults.size {
            Some(s) => s.dist.clone(),
            None => {
                return Err(FieldError::new(
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
    let dist = spec.build(base_dir).map_err(within(path))?;
    if dist.mean() <= 0.0 {
        return Err(FieldError::new(
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
        (Some(NumberOrDist::Dist(spec)), _) => spec.build(base_dir).map_err(within(path))?,
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
            Err(FieldError::new(
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
        Some(max) if max > largest => Err(FieldError::new(
            &memory.path,
            format!("{who} up to {max} memory, but no node has {max} memory; the largest has {largest}"),
        )),
        _ => Ok(()),
    }
}
