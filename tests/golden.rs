//! Statistics: confidence-interval coverage, and a golden CSV.

use crate::common::{run, scenario};
use assert_cmd::Command;
use schedsim::metrics::ci95;

/// The 95% Student-t interval over 5 replications covers the true M/M/1 mean response
/// (1 / (1 - 0.5) = 2.0 at load 0.5) in about 95% of independent experiments. Over
/// 100 experiments the covered count is Binomial(100, 0.95) for a correct simulator
/// and interval (mean 95, sd 2.2); requiring at least 85 (4.6 sd below) makes a false
/// alarm less likely than 1e-5, while a biased mean or an interval half as wide as it
/// should be (coverage ~67%) fails it.
#[test]
fn confidence_intervals_cover_the_true_mean_as_often_as_they_claim() {
    let mut covered = 0;
    for experiment in 0..100u64 {
        let text = format!(
            r#"
name = "coverage"
seed = {seed}
replications = 5
[run]
tasks = 10_000
warmup = 0.1
[[nodes]]
count = 1
[workload]
arrival = {{ process = "poisson", rate = 0.5 }}
size = {{ dist = "exponential", mean = 1.0 }}
[policies]
balancers = ["random"]
"#,
            seed = 1_000 + experiment
        );
        let s = scenario(&text);
        let means: Vec<f64> = (0..5).map(|r| run(&s, "random", r).mean_response).collect();
        let mean = means.iter().sum::<f64>() / 5.0;
        let half = ci95(&means).unwrap();
        if (mean - 2.0).abs() <= half {
            covered += 1;
        }
    }
    eprintln!("confidence-interval coverage: {covered} of 100");
    assert!(covered >= 85, "the 95% interval covered the true mean in only {covered} of 100 experiments");
}

/// `summary.csv`, `runs.csv`, `classes.csv` and `compare.csv` of a small fixed-seed
/// scenario, byte for byte. A change
/// here is a change of results: review it, then regenerate with
/// `UPDATE_GOLDEN=1 cargo test golden`.
#[test]
fn golden_csv_files_are_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("schedsim")
        .unwrap()
        .args(["run", "-q", "-j", "2", "-o"])
        .arg(dir.path())
        .arg("tests/data/small.toml")
        .assert()
        .success();
    for file in ["summary.csv", "runs.csv", "classes.csv", "compare.csv"] {
        let got = std::fs::read_to_string(dir.path().join("small").join(file)).unwrap();
        let golden = std::path::Path::new("tests/golden/small").join(file);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
        assert!(
            got == want,
            "{file} differs from {}: review the change, then UPDATE_GOLDEN=1 cargo test golden",
            golden.display()
        );
    }
}
