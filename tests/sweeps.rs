//! `[sweep]`: one run set per value, common random numbers across points.

use crate::common::scenario;
use assert_cmd::Command;
use schedsim::scenario::parse;
use std::path::Path;

const SWEPT: &str = r#"
name = "swept"
seed = 3
replications = 2
[run]
tasks = 3_000
[[nodes]]
count = 4
[workload]
arrival = { process = "poisson", rate = 2.0 }
size = { dist = "exponential", mean = 1.0 }
[policies]
balancers = ["random", "least_connections"]
[sweep]
parameter = "workload.arrival.rate"
values = [1.0, 2.0, 3.0]
"#;

#[test]
fn each_value_gives_a_checked_scenario_with_that_value() {
    let s = scenario(SWEPT);
    let sweep = s.sweep.as_ref().expect("swept");
    assert_eq!(sweep.parameter, "workload.arrival.rate");
    let rates: Vec<f64> = sweep.points.iter().map(|p| p.scenario.workload.arrival.mean_rate()).collect();
    assert_eq!(rates, vec![1.0, 2.0, 3.0]);
    assert!(sweep.points.iter().all(|p| p.scenario.sweep.is_none() && p.scenario.name == "swept"));
}

#[test]
fn a_load_sweep_sets_the_offered_load() {
    let text = SWEPT.replace(
        "parameter = \"workload.arrival.rate\"\nvalues = [1.0, 2.0, 3.0]",
        "parameter = \"load\"\nrange = { from = 0.5, to = 0.9, step = 0.2 }",
    );
    let s = scenario(&text);
    let points = &s.sweep.as_ref().unwrap().points;
    let loads: Vec<f64> = points.iter().map(|p| p.scenario.offered_load()).collect();
    assert_eq!(points.iter().map(|p| p.value).collect::<Vec<_>>(), vec![0.5, 0.7, 0.9]);
    for (l, want) in loads.iter().zip([0.5, 0.7, 0.9]) {
        assert!((l - want).abs() < 1e-12, "{loads:?}");
    }
}

#[test]
fn swept_results_keep_seeds_across_points_and_have_sweep_columns() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("swept.toml");
    std::fs::write(&file, SWEPT).unwrap();
    Command::cargo_bin("schedsim").unwrap().args(["run", "-q", "-o"]).arg(dir.path()).arg(&file).assert().success();
    let summary = std::fs::read_to_string(dir.path().join("swept/summary.csv")).unwrap();
    assert!(summary.starts_with("scenario,sweep_parameter,sweep_value,discipline,discipline_params,balancer,"));
    assert_eq!(summary.lines().count(), 1 + 3 * 2);
    let mut reader = csv::Reader::from_path(dir.path().join("swept/runs.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (rep, seed, value) = (col("replication"), col("seed"), col("sweep_value"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3 * 2 * 2);
    for r in &rows {
        let same_rep = rows.iter().filter(|o| o[rep] == r[rep]);
        assert!(same_rep.clone().all(|o| o[seed] == r[seed]), "replication {} keeps its seed", &r[rep]);
        assert!([1.0, 2.0, 3.0].contains(&r[value].parse::<f64>().unwrap()));
    }
}

#[test]
fn bad_sweeps_are_named() {
    let cases = [
        ("parameter = \"workload.arrival.rate\"", "parameter = \"workload.arrival.speed\"", "sweep.parameter"),
        ("values = [1.0, 2.0, 3.0]", "range = { from = 1.0, to = 2.0, step = 0.0 }", "sweep.range.step"),
        ("values = [1.0, 2.0, 3.0]", "values = [1.0, -2.0]", "workload.arrival.rate"),
    ];
    for (from, to, field) in cases {
        let err = parse(&SWEPT.replace(from, to), Path::new("swept.toml")).unwrap_err();
        assert_eq!(err.field.as_deref(), Some(field), "{err}");
    }
    // A point that breaks a check says which point it was and where the field is.
    let err =
        parse(&SWEPT.replace("values = [1.0, 2.0, 3.0]", "values = [1.0, -2.0]"), Path::new("s.toml")).unwrap_err();
    assert!(err.message.contains("= -2"), "{err}");
}

#[test]
fn check_counts_every_sweep_point() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("swept.toml");
    std::fs::write(&file, SWEPT).unwrap();
    let out =
        Command::cargo_bin("schedsim").unwrap().arg("check").arg(&file).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("sweep of workload.arrival.rate over 3 points: 1, 2, 3"), "{text}");
    assert!(text.contains("3 points x 1 discipline x 2 balancers x 2 replications = 12 runs"), "{text}");
}
