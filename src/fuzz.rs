//! Entry points that take arbitrary bytes, for the fuzz targets in `fuzz/` and for the
//! replay of their corpus under `cargo test` (`tests/fuzz_corpus.rs`).
//!
//! Each reads its input the way the command line would (a scenario file, a job log, a
//! results folder for `plot`) and must return, whatever the bytes, without panicking,
//! hanging or allocating without bound: an error is a correct answer to bad input, a
//! panic is a bug. The readers take a folder of the caller's in which they may write
//! the input as a file, since the program reads files, not buffers. Each says whether
//! the input was accepted and went the whole way (so a corpus can be checked to reach
//! past the first error).

use crate::output::report;
use crate::scenario::{self, cost, Stop};
use crate::sim::Simulation;
use crate::workload::trace::{Estimates, Replay, Trace};
use std::path::Path;

/// The most tasks [`run`] simulates, and the most events it lets a run be expected to
/// take: small enough for thousands of inputs a second, large enough to reach failures,
/// retries and the end of a trace.
pub const RUN_TASKS: u64 = 200;
const RUN_EVENTS: f64 = 2e5;

/// A scenario file: read and checked as `schedsim check` does, then its cost estimated.
pub fn scenario(data: &[u8], dir: &Path) -> bool {
    let Ok(text) = std::str::from_utf8(data) else { return false };
    match scenario::parse(text, &dir.join("fuzz.toml")) {
        Ok(s) => {
            let _ = s.offered_load();
            cost::check(&s).is_ok()
        }
        Err(_) => false,
    }
}

/// A job log with extension `ext` (`"swf"` or `"csv"`): checked whole as a scenario's
/// trace is, then streamed job by job as a run reads it, under each estimate convention.
pub fn trace(data: &[u8], ext: &str, dir: &Path) -> bool {
    let path = dir.join(format!("fuzz.{ext}"));
    if std::fs::write(&path, data).is_err() {
        return false;
    }
    let mut accepted = false;
    for estimates in [Estimates::Request, Estimates::Exact, Estimates::Kill] {
        let Ok(trace) = Trace::load(&path, Replay { scale: 0.5, estimates, widest: 64 }) else { continue };
        let Ok(mut reader) = trace.reader() else { continue };
        accepted = loop {
            match reader.next_job() {
                Ok(Some(_)) => {}
                Ok(None) => break true,
                Err(_) => break false,
            }
        };
    }
    accepted
}

/// A workflow in WfFormat (a DAG job's file): parsed as a scenario's `job = { shape =
/// "dag" }` reads it, then its critical path and edge bytes computed as a run does.
/// Accepted when it parses into a DAG whose figures are finite and non-negative (the
/// parser's contract, checked here so a breach is a crash the fuzzer reports).
pub fn workflow(data: &[u8]) -> bool {
    // Two node groups, so that a cost table (`runtimeByGroup`) naming them is read too.
    let Ok(dag) = crate::workload::wfformat::parse(data, &["fast", "slow"]) else { return false };
    let sizes = dag.sizes.clone().unwrap_or_else(|| vec![1.0; dag.len()]);
    let (path, bytes) = (dag.critical_path(&sizes), dag.edge_bytes());
    assert!(path.is_finite() && path >= 0.0, "critical path {path}");
    assert!(bytes.is_finite() && bytes >= 0.0, "edge bytes {bytes}");
    assert_eq!(dag.order.len(), dag.len(), "every task ordered once");
    true
}

/// A results folder for `schedsim plot`: the input is split at lines `=====` into
/// `summary.csv`, `runs.csv`, `cdf.csv`, `timeseries.csv`, `compare.csv` and
/// `scenario.toml` (those given), then read and drawn in memory.
pub fn results(data: &[u8], dir: &Path) -> bool {
    const FILES: [&str; 6] = ["summary.csv", "runs.csv", "cdf.csv", "timeseries.csv", "compare.csv", "scenario.toml"];
    for name in FILES {
        let _ = std::fs::remove_file(dir.join(name));
    }
    let text = String::from_utf8_lossy(data);
    for (part, name) in text.split("\n=====\n").zip(FILES) {
        if std::fs::write(dir.join(name), part).is_err() {
            return false;
        }
    }
    report::draw_in_memory(dir).is_ok()
}

/// A scenario that the checks accept, run: its last sweep point (sweeps reach the
/// extremes), first policy, replication 0, at most [`RUN_TASKS`] tasks, with
/// conservation and Little's law checked at the end as in every run. Scenarios whose
/// estimated events exceed a small budget even so are skipped, as `check` refuses
/// larger ones.
pub fn run(data: &[u8], dir: &Path) -> bool {
    let Ok(text) = std::str::from_utf8(data) else { return false };
    let Ok(parsed) = scenario::parse(text, &dir.join("fuzz.toml")) else { return false };
    let mut s = match &parsed.sweep {
        Some(sweep) => match sweep.points.last() {
            Some(point) => point.scenario.clone(),
            None => return false,
        },
        None => parsed.clone(),
    };
    s.run.stop = match s.run.stop {
        Stop::Tasks(n) => Stop::Tasks(n.min(RUN_TASKS)),
        Stop::Horizon(_) => Stop::Tasks(RUN_TASKS),
    };
    s.run.max_in_system = s.run.max_in_system.min(10 * RUN_TASKS);
    let events: f64 = cost::events_per_run(&s).iter().map(|e| e.events).sum();
    if events.is_nan() || events > RUN_EVENTS {
        return false;
    }
    let (Some(balancer), Some(discipline)) = (s.balancers.first(), s.disciplines.first()) else { return false };
    match Simulation::new(&s, balancer, discipline, 0) {
        Ok(sim) => sim.run().is_ok(),
        Err(_) => false,
    }
}
