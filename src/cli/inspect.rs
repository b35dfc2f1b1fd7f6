//! The commands that look rather than run: `check`, `list`, and `plot`, which redraws
//! charts and reports from a results folder's CSV files.

use super::{load_all, plural, EXIT_BAD_INPUT, EXIT_OK};
use crate::output::report::{render_index, render_scenario_with};
use crate::output::terminal::{load_text, offered_loads, overload_warnings};
use crate::policy::registry::{PolicyInfo, Registry};
use crate::scenario::Scenario;
use crate::workload::{arrival::ARRIVAL_NAMES, dist::DIST_NAMES};
use std::fmt::Write;
use std::path::{Path, PathBuf};

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
pub(super) fn plot(dir: &Path, registry: &Registry) -> u8 {
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
        match render_scenario_with(folder, registry) {
            Ok(_) => println!("{}: charts and report redrawn", folder.display()),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    let root = if folders.len() == 1 && folders[0] == dir { dir.parent().unwrap_or(dir) } else { dir };
    if let Err(e) = render_index(root, None) {
        eprintln!("error: {e}");
        failed = true;
    }
    if failed {
        EXIT_BAD_INPUT
    } else {
        EXIT_OK
    }
}

/// `schedsim check`: every scenario under `paths` checked against `registry`, and the
/// runs each expands to.
pub(super) fn check(paths: &[PathBuf], force: bool, registry: &Registry) -> u8 {
    let scenarios = match load_all(paths, force, registry) {
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
        // Each speculation policy listed is one more run of every policy.
        let variants = s.per_speculation();
        let runs = points * s.disciplines.len() * s.balancers.len() * variants.len() * s.replications as usize;
        println!(
            "  {}{} discipline{} x {} balancer{}{} x {} replication{} = {} runs:",
            if points > 1 { format!("{points} points x ") } else { String::new() },
            s.disciplines.len(),
            plural(s.disciplines.len()),
            s.balancers.len(),
            plural(s.balancers.len()),
            if variants.len() > 1 { format!(" x {} speculation policies", variants.len()) } else { String::new() },
            s.replications,
            plural(s.replications as usize),
            runs
        );
        let baseline = s.baseline.labels();
        for d in &s.disciplines {
            for b in &s.balancers {
                for v in &variants {
                    let label = (d.to_string(), v.balancer_label(b));
                    let base = label == baseline;
                    println!(
                        "    {} / {}{}",
                        label.0,
                        label.1,
                        if base { "  (baseline of the paired comparisons)" } else { "" }
                    );
                }
            }
        }
    }
    EXIT_OK
}

/// `schedsim list`: every policy of `registry` (built-in ones first), distribution and
/// arrival process, with a line on each.
pub(super) fn list(registry: &Registry) -> String {
    let mut out = String::new();
    let mut section = |title: &str, entries: &mut dyn Iterator<Item = &PolicyInfo>| {
        let _ = writeln!(out, "{title}:");
        for e in entries {
            let modes: Vec<&str> = e.modes.iter().map(|m| m.name()).collect();
            let _ = writeln!(out, "  {:<30} {} [{}]", e.name, e.summary, modes.join(", "));
            for p in e.params.iter() {
                let default = match (p.default, p.optional) {
                    (Some(d), _) => format!("default {d}"),
                    (None, true) => "optional".to_string(),
                    (None, false) => "required".to_string(),
                };
                let _ = writeln!(out, "  {:<30}   {} = {} ({default})", "", p.name, p.doc);
            }
        }
        let _ = writeln!(out);
    };
    section("Balancers (which node)", &mut registry.balancers());
    section("Disciplines (which task next)", &mut registry.disciplines());
    let _ = writeln!(out, "Speculation ([faults] speculation = {{ policy = ..., .. }}):");
    for (name, summary, params) in crate::policy::speculation::POLICIES {
        let _ = writeln!(out, "  {name:<30} {summary}");
        let interval = (*name != "none").then_some(&crate::policy::speculation::INTERVAL);
        for p in params.iter().chain(interval) {
            let _ = writeln!(out, "  {:<30}   {} = {} (default {})", "", p.name, p.doc, p.default);
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Distributions (dist = ...):");
    for (name, doc) in DIST_NAMES {
        let _ = writeln!(out, "  {name:<30} {doc}");
    }
    let _ = writeln!(out, "\nArrival processes (process = ...):");
    for (name, doc) in ARRIVAL_NAMES {
        let _ = writeln!(out, "  {name:<30} {doc}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::discipline::Fifo;

    #[test]
    fn list_shows_a_registered_policy_with_its_parameters_after_the_built_in_ones() {
        let info = PolicyInfo::new("my_fifo", "first come, first served, again").param("k", "unused", 2.0);
        let text = list(&Registry::default().discipline(info, |_, _| Ok(Fifo)));
        let line = text.lines().position(|l| l.contains("my_fifo")).expect("my_fifo is listed");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[line].contains("first come, first served, again [dispatch, central]"), "{}", lines[line]);
        assert!(lines[line + 1].contains("k = unused (default 2)"), "{}", lines[line + 1]);
        assert!(text.find("conservative_backfill").unwrap() < text.find("my_fifo").unwrap());
    }
}
