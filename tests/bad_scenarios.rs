//! Bad scenario files: each file in `tests/data/bad/` is a realistic small scenario
//! with one mistake, and each test checks that the error names the right line, column
//! and field, and says what was expected.

use schedsim::scenario::{discover, load, ScenarioError};
use std::path::{Path, PathBuf};

fn bad_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad")
}

/// Loads `tests/data/bad/<name>`, which must be rejected.
fn error_of(name: &str) -> ScenarioError {
    let path = bad_dir().join(name);
    match load(&path) {
        Ok(_) => panic!("{name} was accepted"),
        Err(e) => {
            assert_eq!(e.file, path, "{e}");
            e
        }
    }
}

/// Checks the place, the field and a fragment of the message of `name`'s error.
fn assert_error(name: &str, line: usize, column: usize, field: Option<&str>, fragment: &str) -> ScenarioError {
    let e = error_of(name);
    assert_eq!((e.line, e.column), (Some(line), Some(column)), "{e}");
    assert_eq!(e.field.as_deref(), field, "{e}");
    assert!(e.message.contains(fragment), "expected {fragment:?} in: {e}");
    e
}

#[test]
fn reports_a_toml_syntax_error_where_the_parser_stopped() {
    let e = assert_error("syntax_error.toml", 5, 5, None, "invalid toml: invalid table header");
    let shown = e.to_string();
    assert!(shown.ends_with("syntax_error.toml:5:5: invalid toml: invalid table header; expected `.`, `]`"), "{shown}");
}

#[test]
fn rejects_an_unknown_top_level_table() {
    assert_error(
        "unknown_top_level_field.toml",
        11,
        1,
        Some("netwerk"),
        "unknown field 'netwerk'; did you mean 'network'?",
    );
}

#[test]
fn suggests_the_field_a_node_group_field_was_misspelt_from() {
    assert_error(
        "unknown_node_field.toml",
        14,
        1,
        Some("nodes[1].sped"),
        "unknown field 'sped'; did you mean 'speed'?",
    );
}

#[test]
fn rejects_a_negative_arrival_rate() {
    assert_error("negative_arrival_rate.toml", 10, 34, Some("workload.arrival.rate"), "expected a number > 0, got -5");
}

#[test]
fn rejects_a_node_group_of_zero_nodes() {
    assert_error("zero_nodes.toml", 13, 1, Some("nodes[1].count"), "expected an integer >= 1, got 0");
}

#[test]
fn rejects_a_scenario_without_nodes() {
    assert_error("no_nodes.toml", 1, 1, Some("nodes"), "expected at least one [[nodes]] group, got none");
}

#[test]
fn rejects_a_node_table_that_is_not_an_array_of_tables() {
    assert_error("nodes_not_an_array.toml", 6, 1, Some("nodes"), "write [[nodes]] for each entry");
}

#[test]
fn suggests_the_balancer_a_name_was_misspelt_from() {
    assert_error(
        "misspelt_balancer.toml",
        14,
        24,
        Some("policies.balancers[1]"),
        "unknown balancer 'least_conections'; did you mean 'least_connections'?",
    );
}

#[test]
fn suggests_the_distribution_a_name_was_misspelt_from() {
    assert_error(
        "misspelt_distribution.toml",
        11,
        10,
        Some("workload.size.dist"),
        "unknown distribution 'lognormall'; did you mean 'lognormal'?",
    );
}

#[test]
fn suggests_the_mode_a_name_was_misspelt_from() {
    assert_error("misspelt_mode.toml", 5, 1, Some("run.mode"), "unknown mode 'centrl'; did you mean 'central'?");
}

#[test]
fn rejects_a_hyperexponential_with_cv_below_one() {
    assert_error("hyperexponential_low_cv.toml", 15, 1, Some("workload.size.cv"), "expected cv >= 1");
}

#[test]
fn rejects_both_tasks_and_horizon() {
    assert_error("tasks_and_horizon.toml", 5, 1, Some("run.horizon"), "expected either tasks or horizon, got both");
}

#[test]
fn rejects_a_warmup_fraction_of_one_or_more() {
    assert_error("warmup_too_large.toml", 5, 1, Some("run.warmup"), "expected a fraction in [0, 1)");
}

#[test]
fn rejects_class_shares_that_do_not_sum_to_one() {
    assert_error(
        "shares_not_summing.toml",
        12,
        1,
        Some("workload.classes"),
        "expected class shares summing to 1, got 0.9 (0.3 + 0.6)",
    );
}

#[test]
fn rejects_a_class_needing_more_cores_than_any_node() {
    assert_error(
        "class_needs_too_many_cores.toml",
        22,
        32,
        Some("workload.classes[1].cores"),
        "class 'mpi' needs up to 16 cores, but no node has 16 cores; the largest has 8",
    );
}

#[test]
fn suggests_the_field_a_class_field_was_misspelt_from() {
    assert_error(
        "unknown_class_field.toml",
        13,
        40,
        Some("workload.classes[0].priorty"),
        "unknown field 'priorty'; did you mean 'priority'?",
    );
}

#[test]
fn rejects_an_unknown_policy_parameter() {
    assert_error(
        "unknown_policy_parameter.toml",
        16,
        33,
        Some("policies.balancers[1].d"),
        "'least_connections' has no parameter 'd'",
    );
}

#[test]
fn rejects_a_string_where_an_integer_is_expected() {
    assert_error("wrong_type.toml", 9, 1, Some("nodes[0].cores"), "expected an integer, got string \"eight\"");
}

#[test]
fn finds_a_wrong_type_inside_a_distribution_table() {
    assert_error(
        "wrong_type_in_distribution.toml",
        11,
        40,
        Some("workload.size.shape"),
        "expected a number, got string \"heavy\"",
    );
}

#[test]
fn every_bad_file_is_rejected_with_its_place_and_field() {
    let files = discover(&[bad_dir()]).expect("the bad scenarios are found");
    assert!(files.len() >= 12, "{files:?}");
    for file in files {
        let e = load(&file).err().unwrap_or_else(|| panic!("{} was accepted", file.display()));
        assert!(e.line.is_some() && e.column.is_some(), "{e}");
        let shown = e.to_string();
        let prefix = format!("{}:{}:{}: ", file.display(), e.line.unwrap_or(0), e.column.unwrap_or(0));
        assert!(shown.starts_with(&prefix), "{shown}");
        let is_syntax = file.ends_with("syntax_error.toml");
        assert_eq!(e.field.is_none(), is_syntax, "{e}");
        assert!(!e.message.is_empty() && !e.message.starts_with(char::is_uppercase), "{e}");
    }
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let path = bad_dir().join("no-such-scenario.toml");
    let e = load(&path).expect_err("a missing file is an error");
    assert_eq!((e.file.as_path(), e.line), (path.as_path(), None));
    assert!(e.message.starts_with("cannot read: no such file"), "{e}");
}

/// Once a panic in conversion (exit 101): a lognormal cv whose square overflows.
#[test]
fn rejects_a_cv_too_large_to_convert() {
    let e = error_of("lognormal_cv_overflows.toml");
    assert_eq!(e.field.as_deref(), Some("workload.size.cv"), "{e}");
    assert!(e.message.contains("expected a cv of at most 1000"), "{e}");
}

/// Once a panic in weighted round robin: a weight near the smallest double.
#[test]
fn rejects_a_weight_out_of_the_range_of_relative_shares() {
    assert_error("weight_near_zero.toml", 7, 1, Some("nodes[0].weight"), "expected a weight between 1e-9 and 1e12");
}

/// A scenario reads only regular files inside its own folder tree (or the current
/// folder's): a path leading out of both, a folder and a named pipe (which would block
/// a reader for ever) are refused with the field; an error shows at most 40
/// characters of a bad line.
#[test]
fn a_scenario_reads_only_regular_files_inside_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = |path: &str| {
        let file = dir.path().join("s.toml");
        std::fs::write(
            &file,
            format!(
                "[[nodes]]\ncount = 2\n[workload]\narrival = {{ process = \"poisson\", rate = 1.0 }}\n\
                 size = {{ dist = \"empirical\", path = {path:?} }}\n"
            ),
        )
        .unwrap();
        load(&file)
    };
    let outside = "../".repeat(12) + "etc/hostname";
    let e = scenario(&outside).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("workload.size.path"), "{e}");
    assert!(e.message.contains("leads outside the scenario's folder"), "{e}");
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    let e = scenario("folder").unwrap_err();
    assert!(e.message.contains("expected a regular file") && e.message.contains("a folder"), "{e}");
    #[cfg(unix)]
    {
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        if made {
            let e = scenario("pipe").unwrap_err();
            assert!(e.message.contains("not a regular file"), "{e}");
        }
    }
    let long = "x".repeat(500);
    std::fs::write(dir.path().join("values.txt"), format!("1.0\n{long}\n")).unwrap();
    let e = scenario("values.txt").unwrap_err();
    assert!(e.message.contains(&format!("got '{}…'", "x".repeat(40))) && !e.message.contains(&"x".repeat(41)), "{e}");
}

#[test]
fn suggests_the_policy_a_misspelt_baseline_meant() {
    assert_error(
        "baseline_not_listed.toml",
        16,
        1,
        Some("policies.baseline"),
        "'least_conections' is none of this scenario's balancers and disciplines; did you mean 'least_connections'? \
         (expected one of: random, least_connections, power_of_d(d=2), fifo, sjf)",
    );
}

#[test]
fn a_baseline_naming_two_listed_policies_asks_for_a_label() {
    assert_error(
        "baseline_ambiguous.toml",
        15,
        35,
        Some("policies.baseline.balancer"),
        "'power_of_d' names 2 listed balancers: write one's label, one of \"power_of_d(d=2)\", \"power_of_d(d=3)\"",
    );
}

#[test]
fn a_baseline_must_be_a_policy_that_runs() {
    assert_error(
        "baseline_not_run.toml",
        15,
        14,
        Some("policies.baseline.balancer"),
        "'round_robin' is not one of this scenario's balancers (expected one of: random, least_connections); the \
         baseline must be a policy that runs",
    );
}
