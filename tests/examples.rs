//! The examples build and run, and say what their docs say.

#[allow(dead_code)] // its `main`: the test calls the library's command line itself
#[path = "../examples/custom_balancer.rs"]
mod custom_balancer;

#[allow(dead_code)]
#[path = "../examples/custom_discipline.rs"]
mod custom_discipline;

use schedsim::cli::{run_with_args, EXIT_OK};

/// Runs `scenario` with `registry` as the example's program would, and returns its
/// compare.csv.
fn run(scenario: &str, name: &str, registry: &schedsim::policy::registry::Registry) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    assert_eq!(run_with_args(["example", "run", "-q", "-o", out, scenario], registry), EXIT_OK);
    std::fs::read_to_string(dir.path().join(name).join("compare.csv")).unwrap()
}

/// The verdict of `policy` (a `discipline,balancer` pair) on `metric`.
fn verdict(compare: &str, policy: &str, metric: &str) -> String {
    let (discipline, balancer) = policy.split_once(',').unwrap();
    let mut reader = csv::Reader::from_reader(compare.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| (&r[col("discipline")], &r[col("balancer")], &r[col("metric")]) == (discipline, balancer, metric));
    row.map(|r| r[col("verdict")].to_string()).unwrap_or_else(|| panic!("no {policy} {metric} in\n{compare}"))
}

/// The custom balancer runs from its scenario file through the example's registry; on
/// a heterogeneous farm it beats round robin (which overloads the slow nodes).
#[test]
fn the_custom_balancer_example_runs_its_scenario_and_beats_round_robin() {
    let compare = run("examples/custom.toml", "custom", &custom_balancer::policies());
    for k in ["fastest_idle(k=1)", "fastest_idle(k=2)"] {
        assert_eq!(verdict(&compare, &format!("fifo,{k}"), "mean_response"), "better", "{compare}");
    }
}

/// The custom discipline runs from its scenario file; on heavy-tailed sizes it beats
/// FIFO's mean response, as SJF does.
#[test]
fn the_custom_discipline_example_runs_its_scenario_and_beats_fifo() {
    let compare = run("examples/custom-discipline.toml", "custom-discipline", &custom_discipline::policies());
    for w in ["virtual_deadline(w=1)", "virtual_deadline(w=10)"] {
        assert_eq!(verdict(&compare, &format!("{w},round_robin"), "mean_response"), "better", "{compare}");
    }
}

/// The README shows the custom balancer's program whole: the copy must be the file.
#[test]
fn the_readme_shows_the_custom_balancer_example_as_it_is() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let program = std::fs::read_to_string("examples/custom_balancer.rs").unwrap();
    assert!(readme.contains(&program), "README.md's copy of examples/custom_balancer.rs is out of date");
}
