//! Reading a workflow in WfFormat 1.5 (the WfCommons JSON format that WRENCH and
//! others read; schema at github.com/wfcommons/WfFormat) into a [`Dag`].
//!
//! What is read:
//! - `workflow.specification.tasks[]`: `id`, `parents[]` (task ids), `inputFiles[]` and
//!   `outputFiles[]` (file ids); `children[]` is read only to check it agrees;
//! - `workflow.specification.files[]`: `id`, `sizeInBytes`;
//! - `workflow.execution.tasks[]`: `id`, `runtimeInSeconds`, `machines[]`, and
//!   `runtimeByGroup` (this simulator's extension, below);
//! - `workflow.execution.machines[]`: `nodeName`, `cpu.speedInMHz`.
//!
//! A task's size, in work units at speed 1, is its measured runtime scaled by the speed
//! of the machine it ran on relative to the fastest machine of the file:
//! `runtime x speed(machine) / max speed`. So speed 1 stands for the file's fastest
//! machine, and a task measured on a machine half as fast counts half its runtime. A
//! machine without `cpu.speedInMHz` (or a task without `machines`) counts as the
//! fastest: its runtime is its size. An edge parent -> child carries the sizes of the
//! files that are both an output of the parent and an input of the child (each file
//! once). Everything else (cores, memory, commands) is left out.
//!
//! **Extension: runtimes per node group.** WfFormat gives a task one runtime. A task
//! of `workflow.execution.tasks[]` may also give `"runtimeByGroup": {"fast": 3.0,
//! "slow": 7.5}`: its runtime in seconds on the nodes of each named `[[nodes]]` group
//! of the scenario, the cost table of unrelated machines (a GPU task that is fast on
//! one group and slow on another, whatever their speeds). On a node of a named group
//! the task runs that long instead of its size over the node's speed; elsewhere its
//! size applies. A name that is not a group of the scenario is an error (the file is
//! read for a scenario, so its groups are known).
//!
//! A file may be `.json` or `.json.gz`. Every mistake is an error that names the file
//! and the JSON field (`workflow.specification.tasks[3].parents[0]`), and says what
//! was expected: a cycle, an unknown id, a missing runtime, a negative size, a group
//! the scenario does not have.

use super::input::resolve;
use super::job::{Dag, RuntimeTable, MAX_TASKS};
use crate::diagnostic::{did_you_mean, FieldError};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

/// The largest workflow file read, decompressed, in bytes.
const MAX_BYTES: u64 = 256 << 20;

#[derive(Deserialize)]
struct File {
    workflow: Option<Workflow>,
}

#[derive(Deserialize)]
struct Workflow {
    specification: Option<Specification>,
    execution: Option<Execution>,
}

#[derive(Deserialize)]
struct Specification {
    tasks: Option<Vec<SpecTask>>,
    files: Option<Vec<SpecFile>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpecTask {
    id: Option<String>,
    #[serde(default)]
    parents: Vec<String>,
    #[serde(default)]
    children: Vec<String>,
    #[serde(default)]
    input_files: Vec<String>,
    #[serde(default)]
    output_files: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpecFile {
    id: Option<String>,
    size_in_bytes: Option<f64>,
}

#[derive(Deserialize)]
struct Execution {
    tasks: Option<Vec<ExecTask>>,
    #[serde(default)]
    machines: Vec<Machine>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecTask {
    id: Option<String>,
    runtime_in_seconds: Option<f64>,
    #[serde(default)]
    machines: Vec<String>,
    /// The extension: seconds per node group name.
    runtime_by_group: Option<BTreeMap<String, f64>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Machine {
    node_name: Option<String>,
    cpu: Option<Cpu>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cpu {
    speed_in_m_hz: Option<f64>,
}

/// Reads the workflow at `path` (relative to `base_dir`, the scenario's folder) for a
/// scenario whose node groups are named `groups` (in order: a group's index is its
/// column of the runtime table).
///
/// # Errors
/// A [`FieldError`] on `path` whose message names the file and the JSON field.
pub fn read(base_dir: &Path, path: &str, groups: &[&str]) -> Result<Dag, FieldError> {
    let file = resolve(base_dir, path)?;
    let err = |m: String| FieldError::new("path", format!("{path}: {m}"));
    let raw = std::fs::File::open(&file).map_err(|e| err(format!("cannot read: {e}")))?;
    let mut text = Vec::new();
    let reader: Box<dyn Read> =
        if path.ends_with(".gz") { Box::new(flate2::read::MultiGzDecoder::new(raw)) } else { Box::new(raw) };
    reader.take(MAX_BYTES + 1).read_to_end(&mut text).map_err(|e| err(format!("cannot read: {e}")))?;
    if text.len() as u64 > MAX_BYTES {
        return Err(err(format!("larger than {} MiB: not a workflow this reader takes", MAX_BYTES >> 20)));
    }
    parse(&text, groups).map_err(err)
}

/// The DAG of the WfFormat document `text`, read for a scenario whose node groups are
/// named `groups`, or what is wrong with it (a JSON field path and what was expected).
pub fn parse(text: &[u8], groups: &[&str]) -> Result<Dag, String> {
    let doc: File = serde_json::from_slice(text).map_err(|e| format!("not a WfFormat JSON document: {e}"))?;
    let missing = |field: &str, what: &str| format!("{field}: missing; expected {what}");
    let w = doc.workflow.ok_or_else(|| missing("workflow", "an object with specification and execution"))?;
    let spec = w.specification.ok_or_else(|| missing("workflow.specification", "an object with tasks and files"))?;
    let exec = w.execution.ok_or_else(|| missing("workflow.execution", "an object with tasks (their runtimes)"))?;
    let tasks = spec.tasks.ok_or_else(|| missing("workflow.specification.tasks", "an array of tasks"))?;
    if tasks.is_empty() {
        return Err("workflow.specification.tasks: expected at least one task, got an empty array".into());
    }
    if tasks.len() > MAX_TASKS as usize {
        return Err(format!(
            "workflow.specification.tasks: {} tasks, more than the {MAX_TASKS} a job may have",
            tasks.len()
        ));
    }
    // Ids to indices, in file order.
    let mut index: BTreeMap<&str, u32> = BTreeMap::new();
    for (i, t) in tasks.iter().enumerate() {
        let at = format!("workflow.specification.tasks[{i}].id");
        let id = t.id.as_deref().ok_or_else(|| missing(&at, "the task's id"))?;
        if index.insert(id, i as u32).is_some() {
            return Err(format!("{at}: duplicate task id '{id}'"));
        }
    }
    let mut sizes_of: BTreeMap<&str, f64> = BTreeMap::new();
    for (i, f) in spec.files.iter().flatten().enumerate() {
        let at = |field: &str| format!("workflow.specification.files[{i}].{field}");
        let id = f.id.as_deref().ok_or_else(|| missing(&at("id"), "the file's id"))?;
        let size = f.size_in_bytes.ok_or_else(|| missing(&at("sizeInBytes"), "the file's size in bytes"))?;
        if !(size >= 0.0 && size.is_finite()) {
            return Err(format!("{}: expected a size in bytes >= 0, got {size}", at("sizeInBytes")));
        }
        sizes_of.insert(id, size);
    }
    let mut parents: Vec<Vec<(u32, f64)>> = Vec::with_capacity(tasks.len());
    for (i, t) in tasks.iter().enumerate() {
        let inputs: BTreeSet<&str> = t.input_files.iter().map(String::as_str).collect();
        let mut ps = Vec::with_capacity(t.parents.len());
        for (k, p) in t.parents.iter().enumerate() {
            let at = format!("workflow.specification.tasks[{i}].parents[{k}]");
            let &pi = index.get(p.as_str()).ok_or_else(|| format!("{at}: unknown task id '{p}'"))?;
            if pi as usize == i {
                return Err(format!("{at}: task '{p}' is its own parent (a cycle)"));
            }
            let outputs: BTreeSet<&str> = tasks[pi as usize].output_files.iter().map(String::as_str).collect();
            let bytes = outputs.intersection(&inputs).map(|f| sizes_of.get(f).copied().unwrap_or(0.0)).sum();
            if !ps.iter().any(|&(q, _)| q == pi) {
                ps.push((pi, bytes));
            }
        }
        parents.push(ps);
    }
    // `children` must agree with `parents` (checked after every parent is known to
    // exist, so an unknown parent is reported as such).
    for (i, t) in tasks.iter().enumerate() {
        for (k, c) in t.children.iter().enumerate() {
            let at = format!("workflow.specification.tasks[{i}].children[{k}]");
            let &ci = index.get(c.as_str()).ok_or_else(|| format!("{at}: unknown task id '{c}'"))?;
            let id = t.id.as_deref().unwrap_or_default();
            if !tasks[ci as usize].parents.iter().any(|p| p == id) {
                return Err(format!("{at}: '{c}' is a child of '{id}', but does not list it among its parents"));
            }
        }
    }
    let sizes = sizes(&tasks, &index, &exec)?;
    let runtimes = runtimes(tasks.len(), &index, &exec, groups)?;
    let names = tasks.iter().map(|t| t.id.clone().unwrap_or_default()).collect();
    let dag = Dag::from_parents(parents, names, Some(sizes)).map_err(|t| {
        format!(
            "workflow.specification.tasks[{t}]: task '{}' lies on a cycle (or after one) of parents; expected a DAG",
            tasks[t].id.as_deref().unwrap_or_default()
        )
    })?;
    Ok(Dag { runtimes, ..dag })
}

/// The runtime table of the tasks' `runtimeByGroup`, with a column per name of
/// `groups`; `None` if no task gives one. Ids are known good (`sizes` checked them).
fn runtimes(
    tasks: usize,
    index: &BTreeMap<&str, u32>,
    exec: &Execution,
    groups: &[&str],
) -> Result<Option<RuntimeTable>, String> {
    let mut table: Option<RuntimeTable> = None;
    for (i, t) in exec.tasks.iter().flatten().enumerate() {
        let Some(by_group) = &t.runtime_by_group else { continue };
        let id = t.id.as_deref().unwrap_or_default();
        let k = index[id] as usize;
        for (name, &seconds) in by_group {
            let at = format!("workflow.execution.tasks[{i}].runtimeByGroup.{name}");
            let Some(g) = groups.iter().position(|g| g == name) else {
                return Err(format!(
                    "{at}: task '{id}' names node group '{name}', which the scenario does not have{} (its groups: {})",
                    did_you_mean(name, groups),
                    groups.join(", ")
                ));
            };
            if !(seconds >= 0.0 && seconds.is_finite()) {
                return Err(format!("{at}: task '{id}': expected a runtime in seconds >= 0, got {seconds}"));
            }
            table.get_or_insert_with(|| RuntimeTable::new(tasks, groups.len())).set(k, g, seconds);
        }
    }
    Ok(table)
}

/// Each task's size: its runtime scaled by its machine's speed over the fastest's.
fn sizes(tasks: &[SpecTask], index: &BTreeMap<&str, u32>, exec: &Execution) -> Result<Vec<f64>, String> {
    let mut speeds: BTreeMap<&str, f64> = BTreeMap::new();
    for (i, m) in exec.machines.iter().enumerate() {
        let speed = m.cpu.as_ref().and_then(|c| c.speed_in_m_hz);
        if let Some(s) = speed {
            if !(s > 0.0 && s.is_finite()) {
                return Err(format!("workflow.execution.machines[{i}].cpu.speedInMHz: expected a speed > 0, got {s}"));
            }
        }
        if let (Some(name), Some(s)) = (m.node_name.as_deref(), speed) {
            speeds.insert(name, s);
        }
    }
    let fastest = speeds.values().copied().fold(0.0, f64::max);
    let exec_tasks = exec.tasks.as_ref().ok_or_else(|| {
        "workflow.execution.tasks: missing; expected an array of tasks with runtimeInSeconds".to_string()
    })?;
    let mut sizes: Vec<Option<f64>> = vec![None; tasks.len()];
    for (i, t) in exec_tasks.iter().enumerate() {
        let at = |field: &str| format!("workflow.execution.tasks[{i}].{field}");
        let id = t.id.as_deref().ok_or_else(|| format!("{}: missing; expected the task's id", at("id")))?;
        let &k = index
            .get(id)
            .ok_or_else(|| format!("{}: unknown task id '{id}': not among workflow.specification.tasks", at("id")))?;
        let runtime = t.runtime_in_seconds.ok_or_else(|| {
            format!("{}: missing; expected the task's measured runtime in seconds", at("runtimeInSeconds"))
        })?;
        if !(runtime >= 0.0 && runtime.is_finite()) {
            return Err(format!("{}: expected a runtime >= 0, got {runtime}", at("runtimeInSeconds")));
        }
        let speed = t.machines.first().and_then(|m| speeds.get(m.as_str())).copied();
        let scale = match speed {
            Some(s) if fastest > 0.0 => s / fastest,
            _ => 1.0,
        };
        sizes[k as usize] = Some(runtime * scale);
    }
    sizes
        .into_iter()
        .enumerate()
        .map(|(k, s)| {
            s.ok_or_else(|| {
                format!(
                    "workflow.specification.tasks[{k}]: task '{}' has no entry in workflow.execution.tasks; expected \
                     its runtimeInSeconds there",
                    tasks[k].id.as_deref().unwrap_or_default()
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(tasks: &str, files: &str, exec: &str, machines: &str) -> String {
        format!(
            r#"{{"workflow": {{"specification": {{"tasks": [{tasks}], "files": [{files}]}},
               "execution": {{"tasks": [{exec}], "machines": [{machines}]}}}}}}"#
        )
    }

    const TASKS: &str = r#"{"id": "a", "parents": [], "children": ["b"], "inputFiles": [], "outputFiles": ["f", "g"]},
        {"id": "b", "parents": ["a"], "children": [], "inputFiles": ["f", "h"], "outputFiles": []}"#;
    const FILES: &str =
        r#"{"id": "f", "sizeInBytes": 100}, {"id": "g", "sizeInBytes": 7}, {"id": "h", "sizeInBytes": 5}"#;

    #[test]
    fn sizes_scale_by_machine_speed_and_edges_carry_shared_files() {
        let exec = r#"{"id": "a", "runtimeInSeconds": 10, "machines": ["slow"]},
                      {"id": "b", "runtimeInSeconds": 4, "machines": ["fast"]}"#;
        let machines = r#"{"nodeName": "slow", "cpu": {"speedInMHz": 1000}},
                          {"nodeName": "fast", "cpu": {"speedInMHz": 2000}}"#;
        let dag = parse(doc(TASKS, FILES, exec, machines).as_bytes(), &[]).unwrap();
        assert_eq!(dag.sizes, Some(vec![5.0, 4.0]));
        // Only f is an output of a and an input of b.
        assert_eq!(dag.parents[1], vec![(0, 100.0)]);
        assert_eq!(dag.roots, vec![0]);
        assert_eq!(dag.names, vec!["a", "b"]);
    }

    #[test]
    fn mistakes_name_the_field() {
        let exec = r#"{"id": "a", "runtimeInSeconds": 1}, {"id": "b", "runtimeInSeconds": 1}"#;
        let unknown = TASKS.replace(r#""parents": ["a"]"#, r#""parents": ["zz"]"#);
        let e = parse(doc(&unknown, FILES, exec, "").as_bytes(), &[]).unwrap_err();
        assert!(e.contains("tasks[1].parents[0]: unknown task id 'zz'"), "{e}");
        let cycle = TASKS.replace(r#""id": "a", "parents": []"#, r#""id": "a", "parents": ["b"]"#);
        let e = parse(doc(&cycle, FILES, exec, "").as_bytes(), &[]).unwrap_err();
        assert!(e.contains("cycle"), "{e}");
        let no_runtime = r#"{"id": "a", "runtimeInSeconds": 1}, {"id": "b"}"#;
        let e = parse(doc(TASKS, FILES, no_runtime, "").as_bytes(), &[]).unwrap_err();
        assert!(e.contains("workflow.execution.tasks[1].runtimeInSeconds: missing"), "{e}");
        let negative = FILES.replace("100", "-1");
        let e = parse(doc(TASKS, &negative, exec, "").as_bytes(), &[]).unwrap_err();
        assert!(e.contains("files[0].sizeInBytes: expected a size in bytes >= 0, got -1"), "{e}");
        let absent = r#"{"id": "a", "runtimeInSeconds": 1}"#;
        let e = parse(doc(TASKS, FILES, absent, "").as_bytes(), &[]).unwrap_err();
        assert!(e.contains("task 'b' has no entry in workflow.execution.tasks"), "{e}");
        let e = parse(b"{", &[]).unwrap_err();
        assert!(e.contains("not a WfFormat JSON document"), "{e}");
    }

    #[test]
    fn runtimes_by_group_fill_the_table_and_unknown_groups_are_named() {
        let exec = r#"{"id": "a", "runtimeInSeconds": 10, "runtimeByGroup": {"gpu": 1.5, "cpu": 12}},
                      {"id": "b", "runtimeInSeconds": 4}"#;
        let dag = parse(doc(TASKS, FILES, exec, "").as_bytes(), &["cpu", "gpu", "other"]).unwrap();
        let table = dag.runtimes.expect("a table");
        assert_eq!((table.get(0, 0), table.get(0, 1), table.get(0, 2)), (Some(12.0), Some(1.5), None));
        assert_eq!(table.get(1, 1), None);
        let none = r#"{"id": "a", "runtimeInSeconds": 10}, {"id": "b", "runtimeInSeconds": 4}"#;
        assert_eq!(parse(doc(TASKS, FILES, none, "").as_bytes(), &["cpu"]).unwrap().runtimes, None);
        let e = parse(doc(TASKS, FILES, exec, "").as_bytes(), &["big", "small"]).unwrap_err();
        assert!(
            e.contains(
                "workflow.execution.tasks[0].runtimeByGroup.cpu: task 'a' names node group 'cpu', which the \
                 scenario does not have (its groups: big, small)"
            ),
            "{e}"
        );
        let negative = exec.replace("1.5", "-2");
        let e = parse(doc(TASKS, FILES, &negative, "").as_bytes(), &["cpu", "gpu"]).unwrap_err();
        assert!(e.contains("runtimeByGroup.gpu: task 'a': expected a runtime in seconds >= 0, got -2"), "{e}");
    }
}
