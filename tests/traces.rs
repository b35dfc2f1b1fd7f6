//! Trace replay: the bundled SWF excerpt and small CSV traces written here. Every job
//! arrives at its own (shifted, scaled) time with its own size, estimate and cores;
//! bad traces are rejected with the file, line and field.

use crate::common;
use schedsim::scenario::{self, Scenario};
use schedsim::sim::{Simulation, TaskRecord};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every record of one run of `s` with its first balancer and the discipline `d`.
fn records(s: &Scenario, d: usize, replication: u32) -> Vec<TaskRecord> {
    let mut out = Vec::new();
    Simulation::new(s, &s.balancers[0], &s.disciplines[d], replication)
        .unwrap()
        .run_observed(|r| out.push(*r))
        .unwrap();
    out.sort_by_key(|r| r.seq);
    out
}

/// The jobs of the bundled excerpt as (submit, run time, processors, estimate), read
/// here independently of the simulator's reader, by the field's conventions:
/// allocated processors (field 5) before requested (field 8), and the requested time
/// (field 9) raised to the run time when the job ran longer.
fn excerpt_jobs() -> Vec<(f64, f64, u32, f64)> {
    let text = std::fs::read_to_string(root().join("scenarios/traces/KTH-SP2-1996-2.1-cln.excerpt.swf")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(|f| f.parse::<f64>().unwrap()).collect::<Vec<f64>>())
        .filter(|f| f[3] >= 0.0)
        .map(|f| (f[1], f[3], if f[4] > 0.0 { f[4] } else { f[7] } as u32, f[8].max(f[3])))
        .collect()
}

/// The requested times (field 9) of the excerpt's jobs.
fn read_requests() -> Vec<f64> {
    let text = std::fs::read_to_string(root().join("scenarios/traces/KTH-SP2-1996-2.1-cln.excerpt.swf")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().nth(8).unwrap().parse::<f64>().unwrap())
        .collect()
}

#[test]
fn the_bundled_trace_replays_every_job_as_logged() {
    let s = scenario::load(&root().join("scenarios/kth-replay.toml")).unwrap();
    let jobs = excerpt_jobs();
    assert_eq!(jobs.len(), 1000, "the excerpt holds 1,000 jobs, none cancelled");
    let fifo = s.disciplines.iter().position(|d| d.name == "fifo").unwrap();
    let recs = records(&s, fifo, 0);
    assert_eq!(recs.len(), jobs.len());
    let first = jobs[0].0;
    assert!(
        excerpt_jobs().iter().zip(read_requests()).filter(|(j, requested)| j.1 > *requested).count() > 0,
        "some job of the excerpt ran longer than it asked: the raise is tested"
    );
    for (r, &(submit, run, _, estimate)) in recs.iter().zip(&jobs) {
        assert_eq!(r.arrival, submit - first, "task {}", r.seq);
        assert_eq!(r.size, run, "task {}", r.seq);
        assert_eq!(r.estimate, estimate, "task {}", r.seq);
        assert!(r.completed && r.start >= r.arrival);
        // One node of speed 1: a job runs for exactly its logged run time.
        assert!((r.finished - r.start - run).abs() < 1e-6, "task {}", r.seq);
    }
    // Strict FIFO: jobs start in arrival order.
    assert!(recs.windows(2).all(|w| w[0].start <= w[1].start));
}

/// The processors each job asked for are held while it runs: at no time do the
/// running jobs hold more than the node's 100 cores, under any discipline.
#[test]
fn replayed_jobs_never_hold_more_processors_than_the_machine() {
    let s = scenario::load(&root().join("scenarios/kth-replay.toml")).unwrap();
    let cores: Vec<u32> = excerpt_jobs().iter().map(|j| j.2).collect();
    for d in 0..s.disciplines.len() {
        let recs = records(&s, d, 0);
        let mut edges: Vec<(f64, i64)> = Vec::new();
        for r in &recs {
            edges.push((r.start, i64::from(cores[r.seq as usize])));
            edges.push((r.finished, -i64::from(cores[r.seq as usize])));
        }
        // Ends before starts at the same instant: a freed core can be reused at once.
        edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut busy = 0;
        for (t, delta) in edges {
            busy += delta;
            assert!(busy <= 100, "{}: {busy} processors busy at t = {t}", s.disciplines[d]);
        }
    }
}

/// With every task property taken from the trace there is nothing left to draw:
/// replications (different seeds) replay the same run.
#[test]
fn a_trace_that_gives_everything_makes_replications_identical() {
    let s = scenario::load(&root().join("scenarios/kth-replay.toml")).unwrap();
    let a = records(&s, 1, 0);
    let b = records(&s, 1, 1);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((x.arrival, x.start, x.end), (y.arrival, y.start, y.end));
    }
}

/// A directory of its own for one test's files, removed when the guard drops.
fn dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("schedsim-traces-{name}-")).tempdir().unwrap()
}

const CSV_SCENARIO: &str = r#"
name = "csv-trace"
[run]
tasks = 3
[[nodes]]
name = "n"
count = 2
cores = 4
[workload]
arrival = { process = "trace", path = "jobs.csv", scale = 0.5 }
estimate_error = 0.5
[policies]
balancers = ["round_robin"]
"#;

/// Times are shifted to start at 0 and scaled; `tasks` stops early; what the trace
/// lacks (here the estimate of the first job) comes from `[workload]`.
#[test]
fn a_csv_trace_is_shifted_scaled_cut_and_completed_from_the_workload() {
    let d = dir("csv");
    let d = d.path();
    std::fs::write(d.join("jobs.csv"), "arrival,size,estimate,cores\n10,2,,1\n14,1,3,2\n20,4,4,\n30,1,1,1\n").unwrap();
    std::fs::write(d.join("s.toml"), CSV_SCENARIO).unwrap();
    let s = scenario::load(&d.join("s.toml")).unwrap();
    let recs = common::records(&s, "round_robin", 0);
    assert_eq!(recs.iter().map(|r| r.arrival).collect::<Vec<_>>(), [0.0, 2.0, 5.0]);
    assert_eq!(recs.iter().map(|r| r.size).collect::<Vec<_>>(), [2.0, 1.0, 4.0]);
    // Job 0 gives no estimate: drawn within 50% of its size.
    assert!(recs[0].estimate != 2.0 && (recs[0].estimate - 2.0).abs() <= 1.0);
    assert_eq!((recs[1].estimate, recs[2].estimate), (3.0, 4.0));
}

/// A mistake inside the trace is an error of the scenario: it points at the arrival
/// field in the scenario file and names the trace's file, line and column.
#[test]
fn a_bad_trace_names_the_scenario_field_and_the_trace_line() {
    let d = dir("bad");
    let d = d.path();
    std::fs::write(d.join("jobs.csv"), "arrival,size\n0,1\n1,one\n").unwrap();
    std::fs::write(d.join("s.toml"), CSV_SCENARIO).unwrap();
    let e = scenario::load(&d.join("s.toml")).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("workload.arrival.path"), "{e}");
    assert_eq!(e.line, Some(10), "{e}");
    assert!(e.message.contains("jobs.csv:3: column 2 (size): expected a number >= 0, got 'one'"), "{e}");

    std::fs::write(d.join("s.toml"), CSV_SCENARIO.replace("jobs.csv", "missing.swf")).unwrap();
    let e = scenario::load(&d.join("s.toml")).unwrap_err();
    assert!(e.message.contains("cannot read") && e.message.contains("missing.swf"), "{e}");
}

/// The offered load of a trace comes from its own jobs: work (size x cores) per
/// second of the scaled span over the cluster's capacity.
#[test]
fn a_traces_offered_load_comes_from_its_jobs() {
    let d = dir("load");
    let d = d.path();
    std::fs::write(d.join("jobs.csv"), "arrival,size,cores\n0,3,1\n5,2,2\n10,1,1\n").unwrap();
    std::fs::write(d.join("s.toml"), CSV_SCENARIO).unwrap();
    let s = scenario::load(&d.join("s.toml")).unwrap();
    // 3 jobs over 10 s x 0.5, mean work (3 + 4 + 1) / 3, capacity 8 cores.
    let expected = (3.0 / 5.0) * (8.0 / 3.0) / 8.0;
    assert!((s.offered_load() - expected).abs() < 1e-12, "{}", s.offered_load());
}

/// The copy of a trace scenario kept with its results names the trace from the
/// results folder, so it runs again to the same results: from anywhere with
/// `--allow-outside` (its trace lies outside the results folder), and not without it
/// (a scenario reads only inside its own folder or the current one).
#[test]
fn the_scenario_kept_with_the_results_runs_again_to_the_same_results() {
    let (first, again, cwd) = (dir("kept-first"), dir("kept-again"), dir("kept-cwd"));
    let (first, again) = (first.path(), again.path());
    // An empty folder of its own as the current one: the temporary folder itself may
    // hold the checkout (a clone under /tmp), and the trace would then lie inside it.
    let run = |scenario: &Path, out: &Path, allow: bool| {
        std::process::Command::new(env!("CARGO_BIN_EXE_schedsim"))
            .args(["run", "-q", "-o"])
            .arg(out)
            .arg(scenario)
            .args(allow.then_some("--allow-outside"))
            .current_dir(cwd.path())
            .status()
            .unwrap()
    };
    assert!(run(&root().join("scenarios/kth-replay.toml"), first, false).success());
    let kept = first.join("kth-replay/scenario.toml");
    let text = std::fs::read_to_string(&kept).unwrap();
    assert!(!text.contains("\"traces/KTH"), "the trace path was not rewritten:\n{text}");
    assert_eq!(run(&kept, again, false).code(), Some(2), "a path outside both folders was read");
    assert!(run(&kept, again, true).success());
    for table in ["summary.csv", "runs.csv"] {
        let read = |d: &Path| std::fs::read(d.join("kth-replay").join(table)).unwrap();
        assert!(read(first) == read(again), "{table} differs");
    }
}

/// Under `estimates = "kill"` a job that runs past its requested time is killed there,
/// as a real controller does: it fails, and the machine is free from that moment.
#[test]
fn a_job_past_its_request_is_killed_there_under_kill() {
    let d = dir("kill");
    let d = d.path();
    // One core. Job 0 asks for 50 s and needs 100; job 1 asks for 20 and needs 10.
    std::fs::write(d.join("jobs.csv"), "arrival,size,estimate\n0,100,50\n1,10,20\n").unwrap();
    let text = |estimates: &str| {
        format!(
            "[run]\nmode = \"central\"\n[[nodes]]\n[workload]\narrival = {{ process = \"trace\", path = \"jobs.csv\"{estimates} }}\n\
             [policies]\nbalancers = [\"best_fit\"]\ndisciplines = [\"fifo\"]\n"
        )
    };
    std::fs::write(d.join("kill.toml"), text(", estimates = \"kill\"")).unwrap();
    let s = scenario::load(&d.join("kill.toml")).unwrap();
    let recs = records(&s, 0, 0);
    assert_eq!((recs[0].completed, recs[0].end), (false, 50.0), "killed at its request");
    assert_eq!((recs[1].completed, recs[1].start, recs[1].end), (true, 50.0, 60.0));
    let r = Simulation::new(&s, &s.balancers[0], &s.disciplines[0], 0).unwrap().run().unwrap();
    assert_eq!((r.tasks_completed, r.tasks_failed, r.wasted_work), (1, 1, 50.0));
    // By default the request is raised to the run time: nothing is killed.
    std::fs::write(d.join("request.toml"), text("")).unwrap();
    let s = scenario::load(&d.join("request.toml")).unwrap();
    let recs = records(&s, 0, 0);
    assert!(recs.iter().all(|r| r.completed));
    assert_eq!(recs[1].start, 100.0);
}
