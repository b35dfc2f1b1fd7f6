//! Speculative copies of stragglers (issue 13, `[faults] speculation`): a copy checked
//! by hand, no speculation costing nothing, conservation under failures, the located
//! errors of bad parameters, and LATE cutting the job p99 of the bundled scenario.

use crate::common::{records, run, scenario, T_9995_DF9};
use assert_cmd::Command;
use schedsim::metrics::RunResult;
use schedsim::runner::{Plan, Progress};
use schedsim::scenario::{load, parse};
use std::path::Path;

/// One job of two tasks of 100 work units, arriving at t = 50 (constant arrivals, a
/// gap of 50 s), on a slow node (speed 0.2) and two fast ones (speed 1), one core
/// each, in central mode under round robin: task 0 goes to the slow node 0, task 1 to
/// the fast node 1, node 2 stays idle.
fn one_straggler(speculation: &str) -> String {
    format!(
        r#"
name = "straggler"
seed = 1
[run]
tasks = 1
mode = "central"
[[nodes]]
name = "slow"
speed = 0.2
[[nodes]]
name = "fast"
count = 2
[workload]
arrival = {{ process = "constant", rate = 0.02 }}
size = {{ dist = "constant", value = 100.0 }}
job = {{ shape = "fork-join", tasks = 2 }}
[faults]
speculation = {speculation}
[policies]
balancers = ["round_robin"]
"#
    )
}

/// By hand: task 1 runs 50 -> 150 on node 1. Task 0 would run 50 -> 550 on the slow
/// node (100 / 0.2 = 500 s), so the job takes 500 s without speculation. Checks come
/// every 3 s; the first with task 0 past its 60 s is at t = 111 (elapsed 61 s):
/// - hadoop: task 0's progress is 61 x 0.2 / 100 = 0.122, task 1's 0.61, their stage's
///   average 0.366, and 0.122 < 0.366 - 0.2: a straggler; the only node with room that
///   is not its own is node 2;
/// - late: the rates are 0.002/s and 0.01/s, whose 25th percentile is 0.004: task 0 is
///   slow; its time left is 0.878 / 0.002 = 439 s; the cap is ceil(0.1 x 3 slots) = 1;
///   node 0's rate (0.002) is below the nodes' 25th percentile (0.004), node 1 is busy,
///   node 2 has run nothing (no rate, so not slow) and has room.
///
/// The copy runs 111 -> 211 on node 2 and wins: the job takes 211 - 50 = 161 s. The
/// original is killed at 211 after holding its core for 161 s, in which it did
/// 161 x 0.2 = 32.2 work units.
#[test]
fn a_straggler_on_a_slow_node_is_copied_and_the_copy_wins() {
    for policy in ["\"hadoop\"", "{ policy = \"late\" }"] {
        let s = scenario(&one_straggler(policy));
        let r = run(&s, "round_robin", 0);
        assert_eq!((r.speculative_launched, r.speculative_won), (1, 1), "{policy}");
        assert!((r.job_mean_response - 161.0).abs() < 1e-9, "{policy}: {}", r.job_mean_response);
        assert!((r.speculative_wasted - 161.0).abs() < 1e-9, "{policy}: {}", r.speculative_wasted);
        assert!((r.wasted_work - 32.2).abs() < 1e-9, "{policy}: {}", r.wasted_work);
        assert_eq!((r.tasks_arrived, r.tasks_completed, r.jobs_completed), (2, 2, 1), "{policy}");
        let tasks = records(&s, "round_robin", 0);
        let t0 = &tasks[0];
        assert_eq!((t0.node, t0.start, t0.finished, t0.end, t0.attempts), (Some(2), 111.0, 211.0, 211.0, 2));
        let t1 = &tasks[1];
        assert_eq!((t1.node, t1.start, t1.end, t1.attempts), (Some(1), 50.0, 150.0, 1));
        assert_eq!(r.balancer, format!("round_robin + {}", if policy.contains("late") { "late" } else { "hadoop" }));
    }
    let r = run(&scenario(&one_straggler("\"none\"")), "round_robin", 0);
    assert_eq!((r.job_mean_response, r.speculative_launched, r.balancer.as_str()), (500.0, 0, "round_robin"));
}

/// Map-reduce jobs on a cluster with a slow group, random failures, latency and
/// heartbeats: what the conservation tests run, with `speculation` and `attempts`.
fn failing_cluster(speculation: &str, attempts: u32, seed: u64) -> String {
    failing_cluster_with(speculation, attempts, seed, 0.05)
}

/// [`failing_cluster`] with messages of mean latency `latency` seconds.
fn failing_cluster_with(speculation: &str, attempts: u32, seed: u64, latency: f64) -> String {
    format!(
        r#"
name = "failing"
seed = {seed}
[run]
tasks = 300
mode = "central"
[[nodes]]
name = "fast"
count = 8
cores = 2
failure = {{ mtbf = {{ dist = "exponential", mean = 2000.0 }}, mttr = {{ dist = "exponential", mean = 20.0 }} }}
[[nodes]]
name = "slow"
count = 2
cores = 2
speed = 0.2
failure = {{ mtbf = {{ dist = "exponential", mean = 1000.0 }}, mttr = {{ dist = "exponential", mean = 2.0 }} }}
[workload]
arrival = {{ process = "poisson", rate = 0.02 }}
size = {{ dist = "lognormal", mean = 60.0, cv = 0.5 }}
job = {{ shape = "map-reduce", maps = 6, reduces = 2 }}
[network]
latency = {{ dist = "lognormal", mean = {latency}, cv = 1.0 }}
[faults]
heartbeat = {{ interval = 1.0, timeout = 3.0 }}
retry = {{ max_attempts = {attempts}, backoff = 1.0 }}
speculation = {speculation}
[policies]
balancers = ["random"]
"#
    )
}

/// Under crashes (short ones, announced by a restart, and long ones, detected by
/// timeout), message latency and retries, with copies being launched, lost with their
/// nodes, given up, killed running, on their way or with their result on its way, and
/// winning, every run passes its own checks (tasks, jobs and copies conserved), and
/// every task leaves exactly once, completed or failed. (Latencies of seconds make
/// the kills of copies on their way, and of copies whose result is on its way, happen.)
#[test]
fn conservation_holds_with_speculation_under_failures() {
    let mut launched = 0;
    for policy in ["\"hadoop\"", "{ policy = \"late\", cap = 0.3, min_runtime = 10 }"] {
        for (attempts, seed, latency) in [(4, 1, 0.05), (4, 2, 0.05), (1, 3, 0.05), (4, 4, 5.0)] {
            let s = scenario(&failing_cluster_with(policy, attempts, seed, latency));
            let r = run(&s, "random", 0);
            let what = format!("{policy}, {attempts} attempts, seed {seed}, latency {latency}");
            assert_eq!(r.tasks_arrived, r.tasks_completed + r.tasks_failed + r.tasks_in_system, "{what}");
            assert_eq!((r.jobs_arrived, r.jobs_in_system), (300, 0), "{what}");
            assert_eq!(r.jobs_arrived, r.jobs_completed + r.jobs_failed, "{what}");
            assert_eq!(8 * r.jobs_arrived, r.tasks_arrived + r.tasks_unreleased, "{what}");
            assert!(r.speculative_won <= r.speculative_launched, "{what}");
            assert!(r.retries > 0 || attempts == 1, "{what}: {r:?}");
            if attempts == 1 {
                assert!(r.tasks_failed > 0, "{what}: crashes fail tasks of one attempt");
            }
            let tasks = records(&s, "random", 0);
            assert_eq!(tasks.len() as u64, r.tasks_arrived, "{what}");
            assert!(tasks.windows(2).all(|w| w[0].seq < w[1].seq), "{what}: a task left twice");
            launched += r.speculative_launched;
        }
    }
    assert!(launched > 50, "copies were launched: {launched}");
}

/// `speculation = "none"` runs exactly what a file without the field runs, task by
/// task, and so does a list whose first policy is `none` (a run takes the first).
#[test]
fn no_speculation_gives_the_results_of_a_run_without_the_field() {
    let with = |field: &str| failing_cluster(field, 4, 7);
    let without = scenario(&with("\"none\"").replace("speculation = \"none\"\n", ""));
    assert!(without.faults.speculation.is_empty());
    let base = run(&without, "random", 0);
    let base_tasks = records(&without, "random", 0);
    for field in ["\"none\"", "{ policy = \"none\" }", "[\"none\", \"late\"]"] {
        let s = scenario(&with(field));
        // Compared as printed: a record's NaN (no reservation) is equal to no NaN.
        let r: RunResult = run(&s, "random", 0);
        assert_eq!(format!("{r:?}"), format!("{base:?}"), "{field}");
        assert_eq!(format!("{:?}", records(&s, "random", 0)), format!("{base_tasks:?}"), "{field}");
    }
}

/// The error of `speculation_line` in a small job scenario: (line, column, field, message).
fn error_of(speculation_line: &str, jobs: bool) -> (Option<usize>, Option<usize>, Option<String>, String) {
    let job = if jobs { "job = { shape = \"map-reduce\", maps = 2, reduces = 1 }" } else { "" };
    let text = format!(
        "name = \"bad\"\n[run]\ntasks = 10\n[[nodes]]\ncount = 2\n[workload]\narrival = {{ process = \"poisson\", rate = 1.0 }}\nsize = {{ dist = \"exponential\", mean = 1.0 }}\n{job}\n[faults]\n{speculation_line}\n"
    );
    let e = parse(&text, Path::new("bad.toml")).expect_err(speculation_line);
    (e.line, e.column, e.field, e.message)
}

/// Bad parameters are refused when the scenario is read, at their line, column and
/// field, saying what was expected; `check` exits 2.
#[test]
fn bad_speculation_parameters_are_located_errors() {
    let (line, column, field, message) = error_of("speculation = { policy = \"lat\" }", true);
    assert_eq!((line, column, field.as_deref()), (Some(11), Some(17), Some("faults.speculation.policy")));
    assert!(message.contains("unknown speculation policy 'lat'; did you mean 'late'?"), "{message}");
    let (line, column, field, message) = error_of("speculation = { policy = \"late\", cap = 1.5 }", true);
    assert_eq!((line, column, field.as_deref()), (Some(11), Some(34), Some("faults.speculation.cap")));
    assert!(message.contains("a fraction of the cluster's slots in (0, 1], got 1.5"), "{message}");
    let (line, _, field, message) = error_of("speculation = [\"none\", { policy = \"hadoop\", gap = -0.1 }]", true);
    assert_eq!((line, field.as_deref()), (Some(11), Some("faults.speculation[1].gap")));
    assert!(message.contains("got -0.1"), "{message}");
    let (_, _, field, message) = error_of("speculation = { policy = \"hadoop\", lag = 60 }", true);
    assert_eq!(field.as_deref(), Some("faults.speculation.lag"));
    assert!(message.contains("unknown parameter of 'hadoop' 'lag'"), "{message}");
    assert!(message.contains("gap, min_runtime, interval"), "{message}");
    let (_, _, field, message) = error_of("speculation = [\"late\", \"late\"]", true);
    assert_eq!(field.as_deref(), Some("faults.speculation[1]"));
    assert!(message.contains("listed twice"), "{message}");
    let (_, _, field, message) = error_of("speculation = 3", true);
    assert_eq!(field.as_deref(), Some("faults.speculation"));
    assert!(message.contains("expected a policy (none, hadoop, late)"), "{message}");
    let (_, _, field, message) = error_of("speculation = \"late\"", false);
    assert_eq!(field.as_deref(), Some("faults.speculation"));
    assert!(message.contains("needs jobs of many tasks"), "{message}");
    let (_, _, field, message) = error_of("retry = { timeout = 30.0 }\nspeculation = \"late\"", true);
    assert_eq!(field.as_deref(), Some("faults.retry.timeout"));
    assert!(message.contains("choose one of the two"), "{message}");
    // `none` needs no jobs, and takes no parameter.
    let text = one_straggler("\"none\"").replace("job = { shape = \"fork-join\", tasks = 2 }", "");
    assert!(parse(&text, Path::new("ok.toml")).is_ok());
    let (_, _, field, _) = error_of("speculation = { policy = \"none\", interval = 1 }", true);
    assert_eq!(field.as_deref(), Some("faults.speculation.interval"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, one_straggler("{ policy = \"late\", slow_node = 2 }")).unwrap();
    let out = Command::cargo_bin("schedsim").unwrap().arg("check").arg(&file).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("bad.toml:18:"), "{stderr}");
    assert!(stderr.contains("faults.speculation.slow_node: expected percentile of nodes' progress rates"), "{stderr}");
}

/// The bundled scenario compares the three policies on the same jobs, the tables
/// labelling each beside the balancer. Over its 10 replications, paired by
/// replication, LATE's job p99 is below no speculation's and below Hadoop's, and
/// Hadoop's below none's: the whole 99.9% Student-t interval of each paired difference
/// (9 degrees of freedom) lies below 0.
#[test]
fn late_cuts_the_job_p99_of_the_bundled_straggler_scenario() {
    let s = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mapreduce-stragglers.toml")).unwrap();
    let plan = Plan::new(vec![s]);
    let results: Vec<RunResult> = plan
        .execute(2, &Progress::default())
        .into_iter()
        .map(|r| r.unwrap_or_else(|f| panic!("{}", f.message)).result)
        .collect();
    let p99 = |label: &str| -> Vec<f64> {
        results.iter().filter(|r| r.balancer == label).map(|r| r.job_p99_response).collect()
    };
    let labels: Vec<&str> = results.iter().map(|r| r.balancer.as_str()).step_by(10).collect();
    assert_eq!(labels, ["random", "random + hadoop", "random + late"]);
    let (none, hadoop, late) = (p99("random"), p99("random + hadoop"), p99("random + late"));
    let below = |a: &[f64], b: &[f64], what: &str| {
        let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
        let (mean, half) = crate::common::mean_and_halfwidth(&d, T_9995_DF9);
        eprintln!("{what}: job p99 difference {mean:.1} ± {half:.1} s");
        assert!(mean + half < 0.0, "{what}: {mean} ± {half}");
    };
    below(&late, &none, "late - none");
    below(&hadoop, &none, "hadoop - none");
    below(&late, &hadoop, "late - hadoop");
    assert!(results.iter().all(|r| r.speculative_won <= r.speculative_launched));
}

/// The speculation columns are in every file (so files concatenate), filled when a
/// scenario sets the field and empty otherwise.
#[test]
fn speculation_columns_are_filled_only_with_the_field() {
    let dir = tempfile::tempdir().unwrap();
    for (name, field) in [("with", "\"late\""), ("without", "")] {
        let text = one_straggler(field).replace("name = \"straggler\"", &format!("name = \"{name}\""));
        let text = if field.is_empty() { text.replace("[faults]\nspeculation = \n", "") } else { text };
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    }
    let out = dir.path().join("out");
    Command::cargo_bin("schedsim").unwrap().args(["run", "-q", "-o"]).arg(&out).arg(dir.path()).assert().success();
    for (name, present) in [("with", true), ("without", false)] {
        for file in ["summary.csv", "runs.csv"] {
            let mut reader = csv::Reader::from_path(out.join(name).join(file)).unwrap();
            let header = reader.headers().unwrap().clone();
            for column in ["speculative_launched", "speculative_won", "speculative_wasted"] {
                let i = header.iter().position(|h| h == column).unwrap_or_else(|| panic!("{name}/{file}: no {column}"));
                for row in reader.records() {
                    let cell = row.unwrap()[i].to_string();
                    assert_eq!(!cell.is_empty(), present, "{name}/{file}: {column} = {cell:?}");
                }
                reader = csv::Reader::from_path(out.join(name).join(file)).unwrap();
            }
        }
    }
}
