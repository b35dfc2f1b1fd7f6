//! Unstable and saturated runs flagged: a run whose queues grow is marked `unstable`,
//! and `check` and `run` warn about sweep points whose offered load is at or above 1.

use crate::common::scenario;
use assert_cmd::Command;
use predicates::prelude::*;
use schedsim::runner::{Plan, Progress};
use schedsim::scenario::{discover, load, Scenario};
use std::path::{Path, PathBuf};

fn schedsim() -> Command {
    Command::cargo_bin("schedsim").unwrap()
}

/// Replication 0 of every run of `s`: `(sweep value, discipline, balancer, unstable)`.
fn flags(mut s: Scenario) -> Vec<(Option<f64>, String, String, bool)> {
    s.replications = 1;
    if let Some(sw) = &mut s.sweep {
        for p in &mut sw.points {
            p.scenario.replications = 1;
        }
    }
    let plan = Plan::new(vec![s]);
    plan.execute(2, &Progress::default())
        .into_iter()
        .map(|r| {
            let r = r.unwrap_or_else(|f| panic!("{}", f.message)).result;
            (r.sweep_value, r.discipline, r.balancer, r.unstable)
        })
        .collect()
}

/// Replication 0 of every bundled scenario, as `schedsim run` runs it: in `web-farm`
/// and `failure-storm`, `shortest_response_time` floods one node after another and
/// completes about half the tasks that arrive (13 of 28 a second in web-farm); it is
/// flagged there, and no other run of any bundled scenario is.
#[test]
fn bundled_scenarios_flag_only_the_policy_that_does_not_keep_up() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = discover(&[root.join("scenarios")]).unwrap();
    assert_eq!(files.len(), 11);
    let mut flagged = Vec::new();
    for file in files {
        let s = load(&file).unwrap();
        let name = s.name.clone();
        for (value, d, b, unstable) in flags(s) {
            if unstable {
                flagged.push(format!("{name} {value:?} {d} / {b}"));
            }
        }
    }
    assert_eq!(
        flagged,
        [
            "failure-storm None fifo / shortest_response_time(alpha=0.5)",
            "web-farm None fifo / shortest_response_time(alpha=0.5)"
        ]
    );
}

/// Past saturation every policy is flagged; well below it none is.
#[test]
fn a_load_sweep_past_saturation_flags_the_overloaded_points() {
    let s = scenario(
        r#"
name = "past"
seed = 3
[run]
tasks = 20_000
warmup = 0.1
[[nodes]]
count = 4
[workload]
arrival = { process = "poisson", rate = 2.0 }
size = { dist = "exponential", mean = 1.0 }
[policies]
balancers = ["random", "least_connections"]
[sweep]
parameter = "load"
values = [0.5, 0.8, 1.1, 1.3]
"#,
    );
    for (value, _, b, unstable) in flags(s) {
        let value = value.unwrap();
        assert_eq!(unstable, value > 1.0, "{b} at load {value}");
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const SWEPT_PAST_1: &str = r#"
name = "swept"
seed = 3
[run]
tasks = 4_000
warmup = 0.1
[[nodes]]
count = 2
[workload]
arrival = { process = "poisson", rate = 1.0 }
size = { dist = "exponential", mean = 1.0 }
[policies]
balancers = ["random", "least_connections"]
[sweep]
parameter = "workload.arrival.rate"
values = [1.0, 1.6, 2.0, 2.4]
"#;

/// `check` gives the offered load of every sweep point (not one for all), and warns
/// about each point at or above 1.
#[test]
fn check_prints_every_sweep_points_load_and_warns_at_1_and_above() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "swept.toml", SWEPT_PAST_1);
    schedsim()
        .arg("check")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("offered load 0.500 to 1.200"))
        .stdout(predicate::str::contains(
            "offered load by point: 0.500 (workload.arrival.rate = 1), 0.800 (workload.arrival.rate = 1.6), \
             1.000 (workload.arrival.rate = 2), 1.200 (workload.arrival.rate = 2.4)",
        ))
        .stdout(predicate::str::contains("fifo / random  (baseline of the paired comparisons)"))
        .stderr(predicate::str::contains("offered load 1.000 at workload.arrival.rate = 2 is at or above 1"))
        .stderr(predicate::str::contains("offered load 1.200 at workload.arrival.rate = 2.4 is at or above 1"))
        .stderr(predicate::str::contains("0.800").not());
}

/// `run` warns too, marks the unstable rows in its table and says what the mark
/// means; `summary.csv` counts the unstable replications and `runs.csv` flags each.
#[test]
fn run_warns_marks_and_explains_unstable_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "swept.toml", SWEPT_PAST_1);
    let out = dir.path().join("out");
    let assert = schedsim().args(["run", "-j", "2", "-o"]).arg(&out).arg(&file).assert().success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("offered load 1.200 at workload.arrival.rate = 2.4 is at or above 1"), "{stderr}");
    let marked: Vec<&str> = stdout.lines().filter(|l| l.ends_with("  unstable")).collect();
    assert_eq!(marked.len(), 2, "both policies at rate 2.4:\n{stdout}");
    assert!(marked.iter().all(|l| l.trim_start().starts_with("2.4 ")), "{stdout}");
    assert!(stdout.contains("unstable: the tasks in the system grew through the run"), "{stdout}");
    let summary = std::fs::read_to_string(out.join("swept/summary.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(summary.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let last: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[col("sweep_value")] == "2.4").collect();
    assert_eq!(last.len(), 2, "{summary}");
    assert!(last.iter().all(|r| &r[col("unstable")] == "1"), "{summary}");
    let report = std::fs::read_to_string(out.join("swept/report.md")).unwrap();
    assert!(report.contains("The unstable column marks a policy"), "{report}");
}

/// The report gives each policy's saturation point beside the latency-vs-load chart:
/// the highest swept load up to which it kept up.
#[test]
fn the_report_gives_each_policys_saturation_point_in_a_load_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"
name = "saturation"
seed = 3
[run]
tasks = 8_000
warmup = 0.1
[[nodes]]
count = 4
[workload]
arrival = { process = "poisson", rate = 2.0 }
size = { dist = "exponential", mean = 1.0 }
[policies]
balancers = ["random", "least_connections"]
[sweep]
parameter = "load"
values = [0.5, 0.8, 1.2]
"#;
    let file = write(dir.path(), "saturation.toml", text);
    let out = dir.path().join("out");
    schedsim().args(["run", "-q", "-j", "2", "-o"]).arg(&out).arg(&file).assert().success();
    let report = std::fs::read_to_string(out.join("saturation/report.md")).unwrap();
    assert!(
        report
            .contains("Saturation point of each policy, the highest swept load up to which it kept up at every point")
            && report.contains("random, least\\_connections: 0.8 (unstable at 1.2)."),
        "{report}"
    );
}
