//! The same scenario and seed give byte-identical output, at any thread count.

use assert_cmd::Command;
use std::path::Path;

fn run_into(dir: &Path, threads: &str) {
    Command::cargo_bin("schedsim")
        .unwrap()
        .args(["run", "--quiet", "-j", threads, "-o"])
        .arg(dir)
        .arg("tests/data/small.toml")
        .assert()
        .success();
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join("small").join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn output_is_byte_identical_with_one_or_two_threads() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_into(one.path(), "1");
    run_into(two.path(), "2");
    for file in ["summary.csv", "runs.csv"] {
        let (a, b) = (read(one.path(), file), read(two.path(), file));
        assert!(!a.is_empty());
        assert!(a == b, "{file} differs between -j 1 and -j 2");
    }
}

/// With failures, latency, two dispatchers, classes and a sweep, every table is
/// byte-identical whatever the number of threads.
#[test]
fn every_table_is_byte_identical_at_any_thread_count_with_failures_and_sweeps() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, threads) in [(&one, "1"), (&two, "2")] {
        Command::cargo_bin("schedsim")
            .unwrap()
            .args(["run", "--quiet", "-j", threads, "-o"])
            .arg(dir.path())
            .arg("tests/data/stormy.toml")
            .assert()
            .success();
    }
    let mut compared = 0;
    for entry in std::fs::read_dir(one.path().join("stormy")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let name = path.file_name().unwrap();
            let other = std::fs::read(two.path().join("stormy").join(name)).unwrap();
            assert!(std::fs::read(&path).unwrap() == other, "{name:?} differs between -j 1 and -j 2");
            compared += 1;
        }
    }
    assert!(compared >= 7, "summary, runs, classes, cdf, timeseries, events, nodes: {compared} compared");
    assert!(one.path().join("stormy/events.csv").exists(), "the scenario has faults");
}

#[test]
fn the_same_run_twice_gives_the_same_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_into(a.path(), "2");
    run_into(b.path(), "2");
    assert_eq!(read(a.path(), "runs.csv"), read(b.path(), "runs.csv"));
}
