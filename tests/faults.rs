//! Network latency, node failures, heartbeat detection and retries.

use crate::common::scenario;
use proptest::prelude::*;
use schedsim::model::{Mode, NodeSpec};
use schedsim::policy::registry::{BuildContext, Registry, BALANCERS};
use schedsim::policy::PolicySpec;
use schedsim::scenario::parse;
use schedsim::sim::{RunOutput, Simulation, TaskRecord};
use std::path::Path;

fn run(text: &str, balancer: &str, replication: u32) -> (RunOutput, Vec<TaskRecord>) {
    let s = scenario(text);
    let mut records = Vec::new();
    let out = Simulation::new(&s, &PolicySpec::named(balancer), &s.disciplines[0], replication)
        .unwrap_or_else(|e| panic!("{e}"))
        .run_observed(|r| records.push(*r))
        .unwrap_or_else(|e| panic!("{e}"));
    (out, records)
}

/// Constant latency L each way adds exactly 2L to every response under random routing:
/// the policy's draws do not depend on the clock, so each task goes to the same node,
/// which sees the same arrivals shifted by L; its result takes L more to come back.
#[test]
fn constant_latency_adds_exactly_twice_the_latency() {
    let base = r#"
name = "latency"
seed = 12
[run]
tasks = 20_000
warmup = 0.1
[[nodes]]
count = 4
[workload]
arrival = { process = "poisson", rate = 3.0 }
size = { dist = "exponential", mean = 1.0 }
"#;
    let latency = 0.25;
    let with = format!("{base}[network]\nlatency = {{ dist = \"constant\", value = {latency} }}\n");
    let (a, ra) = run(base, "random", 0);
    let (b, rb) = run(&with, "random", 0);
    let gap = b.result.mean_response - a.result.mean_response;
    assert!((gap - 2.0 * latency).abs() < 1e-9, "mean response grew by {gap}, not {}", 2.0 * latency);
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!((x.seq, x.node), (y.seq, y.node), "same task, same node");
        assert!(((y.end - y.arrival) - (x.end - x.arrival) - 2.0 * latency).abs() < 1e-9);
    }
}

fn crash_scenario(latency: &str, extra: &str) -> String {
    format!(
        r#"
name = "crash"
seed = 5
[run]
tasks = 4_000
[[nodes]]
name = "pair"
count = 2
[workload]
arrival = {{ process = "poisson", rate = 1.2 }}
size = {{ dist = "exponential", mean = 1.0 }}
[network]
latency = {latency}
[faults]
heartbeat = {{ interval = 1.0, timeout = 3.0 }}
retry = {{ max_attempts = 5, backoff = 0.2 }}
[[faults.events]]
at = 500.0
node = "pair[1]"
kind = "crash"
duration = 200.0
{extra}
"#
    )
}

/// Detection latency of a scripted crash lies in [timeout - interval, timeout + the
/// largest latency]: the last heartbeat before the crash was sent at most one interval
/// before it, and arrives at most one latency after it was sent.
#[test]
fn heartbeat_detection_latency_lies_within_its_bounds() {
    for balancer in ["random", "least_connections"] {
        let (out, _) = run(&crash_scenario(r#"{ dist = "uniform", low = 0.001, high = 0.05 }"#, ""), balancer, 0);
        let d = out.result.detection_latency;
        assert!((2.0..=3.05).contains(&d), "{balancer}: detection latency {d}");
        assert!(out.detail.faults.iter().any(|f| f.event == "crash" && f.node == 1));
        assert!(out.detail.faults.iter().any(|f| f.event == "suspected" && f.node == 1));
    }
}

/// A crash of one of two nodes loses no task: those on it are detected, resubmitted
/// and completed on the other node, or on it after it comes back.
#[test]
fn a_crash_of_one_of_two_nodes_loses_no_task() {
    let (out, records) = run(&crash_scenario(r#"{ dist = "constant", value = 0.01 }"#, ""), "round_robin", 0);
    let r = &out.result;
    assert_eq!(r.tasks_failed, 0);
    assert_eq!(r.tasks_completed, r.tasks_arrived);
    assert!(r.retries > 0, "tasks sent to the crashed node were resubmitted");
    assert!(records.iter().any(|t| t.attempts > 1));
    assert!(r.availability < 1.0 && r.availability > 0.9);
}

/// With max_attempts = 1, a task lost with its node fails (counted, not dropped).
#[test]
fn a_task_out_of_attempts_fails_visibly() {
    let text =
        crash_scenario(r#"{ dist = "constant", value = 0.01 }"#, "").replace("max_attempts = 5", "max_attempts = 1");
    let (out, records) = run(&text, "round_robin", 0);
    assert!(out.result.tasks_failed > 0);
    assert_eq!(out.result.tasks_arrived, out.result.tasks_completed + out.result.tasks_failed);
    assert_eq!(records.iter().filter(|t| !t.completed).count() as u64, out.result.tasks_failed);
}

/// Heartbeats that can be later than the timeout cause false suspicions, which are
/// counted, and the node is taken back at its next heartbeat.
#[test]
fn late_heartbeats_cause_counted_false_suspicions() {
    let text = crash_scenario(r#"{ dist = "exponential", mean = 0.6 }"#, "");
    let (out, _) = run(&text, "least_connections", 0);
    assert!(out.result.false_suspicions > 0, "exponential latency of mean 0.6 s beats a 2 s margin sometimes");
    assert!(out.detail.faults.iter().any(|f| f.event == "trusted"));
    assert_eq!(out.result.tasks_failed, 0);
}

fn down_intervals(out: &RunOutput, node: usize) -> Vec<(f64, f64)> {
    let mut intervals = Vec::new();
    let mut down_since = None;
    for f in out.detail.faults.iter().filter(|f| f.node == node) {
        match f.event {
            "crash" => down_since = Some(f.time),
            "recover" => intervals.extend(down_since.take().map(|s| (s, f.time))),
            _ => {}
        }
    }
    intervals.extend(down_since.map(|s| (s, f64::INFINITY)));
    intervals
}

/// Every balancer of dispatch mode, from the registry (so a new one is tested too), but
/// those that plan whole jobs: they need jobs of many tasks (`planners.rs` tests them
/// under failures).
fn dispatch_balancers() -> Vec<&'static str> {
    let specs = vec![NodeSpec { group: 0, speed: 1.0, cores: 1, memory: 1.0, weight: 1.0 }; 2];
    let ctx = BuildContext { mode: Mode::Dispatch, nodes: &specs };
    let plans = |name: &str| Registry::default().build_balancer(&PolicySpec::named(name), &ctx).unwrap().plans_jobs();
    BALANCERS
        .iter()
        .filter(|e| e.info.modes.contains(&Mode::Dispatch) && !plans(e.info.name))
        .map(|e| e.info.name)
        .collect()
}

fn random_scenario(seed: u64, nodes: u32, latency: f64, mtbf: f64, max_attempts: u32, balancer: &str) -> String {
    format!(
        r#"
name = "prop"
seed = {seed}
[run]
tasks = 600
[[nodes]]
count = {nodes}
cores = 2
failure = {{ mtbf = {{ dist = "exponential", mean = {mtbf} }}, mttr = {{ dist = "exponential", mean = 20.0 }} }}
[workload]
arrival = {{ process = "poisson", rate = {rate} }}
size = {{ dist = "exponential", mean = 1.0 }}
[network]
latency = {{ dist = "exponential", mean = {latency} }}
[faults]
heartbeat = {{ interval = 1.0, timeout = 2.5 }}
retry = {{ max_attempts = {max_attempts}, backoff = 0.5, factor = 2.0, jitter = 0.2 }}
[policies]
balancers = ["{b}"]
"#,
        rate = 0.6 * nodes as f64,
        b = balancer,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Over random small scenarios with failures, latency and retries: the run checks
    /// conservation and Little's law itself (it fails otherwise); no task completes on
    /// a node while the node is down; no task takes more than max_attempts; the same
    /// seed gives the same result.
    #[test]
    fn failures_never_lose_or_duplicate_tasks(
        seed in 0u64..1_000,
        nodes in 2u32..6,
        latency in 0.001f64..0.3,
        mtbf in 30.0f64..300.0,
        max_attempts in 1u32..4,
        balancer in prop::sample::select(dispatch_balancers()),
    ) {
        let text = random_scenario(seed, nodes, latency, mtbf, max_attempts, balancer);
        let (out, records) = run(&text, &scenario(&text).balancers[0].name, 0);
        let r = &out.result;
        prop_assert_eq!(r.tasks_arrived, 600);
        prop_assert_eq!(r.tasks_arrived, r.tasks_completed + r.tasks_failed + r.tasks_in_system);
        prop_assert_eq!(records.len() as u64, r.tasks_arrived);
        for t in &records {
            prop_assert!(t.attempts <= max_attempts, "task {} made {} attempts", t.seq, t.attempts);
            if let Some(node) = t.node {
                for (down, up) in down_intervals(&out, node) {
                    prop_assert!(!(t.finished > down && t.finished < up),
                        "task {} finished at {} on node {} while it was down ({}, {})", t.seq, t.finished, node, down, up);
                }
            }
        }
        let (again, _) = run(&text, &scenario(&text).balancers[0].name, 0);
        prop_assert_eq!(format!("{:?}", again.result), format!("{:?}", out.result));
    }
}

#[test]
fn bad_fault_settings_are_named() {
    let ok = crash_scenario(r#"{ dist = "constant", value = 0.01 }"#, "");
    let cases = [
        ("interval = 1.0, timeout = 3.0", "interval = 0.0, timeout = 3.0", "faults.heartbeat.interval"),
        ("interval = 1.0, timeout = 3.0", "interval = -1.0, timeout = 3.0", "faults.heartbeat.interval"),
        ("interval = 1.0, timeout = 3.0", "interval = 2.0, timeout = 1.0", "faults.heartbeat.timeout"),
        ("node = \"pair[1]\"", "node = \"pair[2]\"", "faults.events[0].node"),
        ("node = \"pair[1]\"", "node = \"pairs[1]\"", "faults.events[0].node"),
        ("kind = \"crash\"", "kind = \"crahs\"", "faults.events[0].kind"),
        ("max_attempts = 5", "max_attempts = 0", "faults.retry.max_attempts"),
    ];
    for (from, to, field) in cases {
        let err = parse(&ok.replace(from, to), Path::new("crash.toml")).unwrap_err();
        assert_eq!(err.field.as_deref(), Some(field), "{to}: {err}");
        assert!(err.line.is_some(), "{err}");
    }
    let err = parse(&ok.replace("node = \"pair[1]\"", "node = \"pairs[1]\""), Path::new("c.toml")).unwrap_err();
    assert!(err.message.contains("did you mean 'pair'"), "{err}");
    // Failures without heartbeats could never be noticed.
    let no_heartbeat = ok.replace("heartbeat = { interval = 1.0, timeout = 3.0 }\n", "");
    let err = parse(&no_heartbeat, Path::new("c.toml")).unwrap_err();
    assert!(err.message.contains("heartbeat"), "{err}");
}

/// A node that crashes and is back before the detector's timeout is never declared
/// dead; its first heartbeat after the restart (a new incarnation) tells the
/// dispatcher, which resubmits what the crash lost. Before, those tasks waited for
/// ever and the run never ended.
#[test]
fn work_lost_in_a_crash_shorter_than_the_timeout_is_resubmitted_at_the_restart() {
    let text = r#"
name = "short-crash"
seed = 5
[run]
tasks = 2000
[[nodes]]
name = "n"
count = 2
[workload]
arrival = { process = "poisson", rate = 1.9 }
size = { dist = "exponential", mean = 1.0 }
[faults]
heartbeat = { interval = 1.0, timeout = 3.0 }
[[faults.events]]
at = 100.0
node = "n[0]"
kind = "crash"
duration = 0.5
[policies]
balancers = ["round_robin"]
"#;
    let (out, records) = run(text, "round_robin", 0);
    let r = &out.result;
    let events: Vec<&str> = out.detail.faults.iter().map(|f| f.event).collect();
    assert_eq!(events, ["crash", "recover", "restarted"], "the detector never fired: the restart told it");
    assert!(r.retries > 0, "the crash lost no task (load 0.95): the test does not test the restart");
    assert_eq!((r.tasks_completed, r.tasks_failed, records.len()), (2000, 0, 2000));
    // Found at the restart, half a second after the crash, not after the 3 s timeout.
    assert!((r.detection_latency - 0.5).abs() < 1e-9, "{}", r.detection_latency);
}

/// A failure detector slower than the whole run: the warnings say what it implies, the
/// cost estimate counts the wait, and the run still ends: the tasks lost on a node
/// that never comes back are resubmitted once the detector fires.
#[test]
fn a_detector_slower_than_the_run_is_warned_about_and_its_lost_work_waits_for_it() {
    let text = r#"
name = "silent-detector"
seed = 3
[run]
tasks = 300
[[nodes]]
name = "n"
count = 2
[workload]
arrival = { process = "poisson", rate = 1.5 }
size = { dist = "exponential", mean = 1.0 }
[faults]
heartbeat = { interval = 1.0, timeout = 5000.0 }
[[faults.events]]
at = 50.0
node = "n[0]"
kind = "crash"
duration = 1e9
[policies]
balancers = ["round_robin"]
"#;
    let s = scenario(text);
    let warnings = schedsim::output::terminal::overload_warnings(&s);
    assert!(
        warnings.iter().any(|w| w.contains("faults.heartbeat.timeout = 5000 s is longer than the arrivals last")),
        "{warnings:?}"
    );
    // 200 s of arrivals, then the wait: two heartbeat events a second per node.
    let beats: f64 = schedsim::scenario::cost::events_per_run(&s)
        .iter()
        .filter(|e| e.field == "faults.heartbeat.interval")
        .map(|e| e.events)
        .sum();
    assert!((beats - 2.0 * 2.0 * 5200.0).abs() < 1.0, "{beats}");
    let (out, records) = run(text, "round_robin", 0);
    let r = &out.result;
    assert!(r.retries > 0, "no task was lost: the test does not test the wait");
    assert!(r.end_time > 5050.0, "the run ended at {} before the detector could fire", r.end_time);
    assert_eq!((r.tasks_completed + r.tasks_failed, records.len()), (300, 300));
}
