//! A plan cut into shards and merged writes the very bytes one run writes; `merge`
//! refuses what does not make one plan; `--resume` goes on after a kill.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The scenarios of the comparisons: classes and a heavy tail; failures, latency, a
/// sweep, events; a central-mode cluster with backfilling (Gantt chart), and `--jobs`
/// for every file's `jobs.csv`.
const SCENARIOS: [&str; 3] = ["tests/data/small.toml", "tests/data/stormy.toml", "tests/data/cluster/central.toml"];

fn schedsim() -> Command {
    Command::cargo_bin("schedsim").unwrap()
}

/// Every file below `dir` (but the shards' folder), by path relative to it.
pub fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".schedsim-shards") {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts that two results folders hold the same files, byte for byte, but for
/// `index.html`: a view of the folder, which shows when each scenario's results were
/// written (it is compared without its times).
pub fn assert_same_folders(expected: &Path, got: &Path) {
    let (a, b) = (files(expected), files(got));
    let names = |m: &BTreeMap<PathBuf, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "the two folders hold different files");
    for (name, bytes) in &a {
        if name == Path::new("index.html") {
            assert_eq!(without_times(bytes), without_times(&b[name]), "index.html differs beyond its times");
        } else {
            assert!(bytes == &b[name], "{} differs", name.display());
        }
    }
}

/// An index with each `YYYY-MM-DD HH:MM` replaced by `TIME`.
fn without_times(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    let mut rest: &str = &text;
    while let Some(at) = rest.find("<td class=\"l\">20") {
        let start = at + "<td class=\"l\">".len();
        out.push_str(&rest[..start]);
        out.push_str("TIME");
        rest = &rest[(start + 16).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

fn run_whole(out: &Path, threads: &str) {
    schedsim().args(["run", "-q", "--jobs", "-j", threads, "-o"]).arg(out).args(SCENARIOS).assert().success();
}

#[test]
fn shards_merged_are_byte_identical_to_one_run_at_any_shard_count() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    run_whole(&whole, "2");
    let all = files(&whole);
    assert!(all.len() > 40, "{} files", all.len());
    for name in ["small/jobs.csv", "central/gantt.csv", "stormy/events.csv", "index.html"] {
        assert!(all.contains_key(Path::new(name)), "{name} is written");
    }
    for k in [1, 2, 3, 7] {
        let out = tmp.path().join(format!("k{k}"));
        for i in 1..=k {
            // Threads alternate: the bytes depend on neither.
            let threads = if i % 2 == 0 { "1" } else { "2" };
            schedsim()
                .args(["run", "-q", "--jobs", "-j", threads, "--shard", &format!("{i}/{k}"), "-o"])
                .arg(&out)
                .args(SCENARIOS)
                .assert()
                .success();
        }
        assert!(!out.join("small").exists(), "a shard writes no tables");
        schedsim().args(["merge", "-q"]).arg(&out).assert().success();
        assert_same_folders(&whole, &out);
    }
}

#[test]
fn a_run_without_shards_leaves_no_log_behind() {
    let tmp = tempfile::tempdir().unwrap();
    schedsim().args(["run", "-q", "-o"]).arg(tmp.path()).arg("tests/data/small.toml").assert().success();
    assert!(!tmp.path().join(".schedsim-shards").exists());
}

/// A scenario of a few quick runs, written into `dir` with `seed`.
fn tiny(dir: &Path, seed: u32) -> PathBuf {
    let path = dir.join("tiny.toml");
    let text = format!(
        "name = \"tiny\"\nseed = {seed}\nreplications = 3\n[run]\ntasks = 400\n[[nodes]]\nname = \"n\"\ncount = \
         2\n[workload]\narrival = {{ process = \"poisson\", rate = 1.0 }}\nsize = {{ dist = \"exponential\", mean = \
         0.5 }}\n[policies]\nbalancers = [\"random\", \"round_robin\"]\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn shard(out: &Path, scenario: &Path, which: &str) {
    schedsim().args(["run", "-q", "--shard", which, "-o"]).arg(out).arg(scenario).assert().success();
}

/// `merge` fails with exit 2 and a message containing `says`.
fn merge_refuses(out: &Path, says: &str) {
    let result = schedsim().args(["merge", "-q"]).arg(out).assert().code(2);
    let stderr = String::from_utf8_lossy(&result.get_output().stderr).into_owned();
    assert!(stderr.contains(says), "expected '{says}' in: {stderr}");
    assert!(!out.join("tiny").exists(), "nothing is written: {stderr}");
}

#[test]
fn merge_refuses_a_missing_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let s = tiny(tmp.path(), 1);
    let out = tmp.path().join("out");
    shard(&out, &s, "1/3");
    shard(&out, &s, "3/3");
    merge_refuses(&out, "shard 2/3 is missing");
}

#[test]
fn merge_refuses_shards_of_another_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let s = tiny(tmp.path(), 1);
    shard(&out, &s, "1/2");
    // The same file, edited between the shards.
    let s = tiny(tmp.path(), 2);
    shard(&out, &s, "2/2");
    merge_refuses(&out, "shards of 2 different plans");
}

#[test]
fn merge_refuses_shards_whose_scenario_changed_since() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let s = tiny(tmp.path(), 1);
    shard(&out, &s, "1/2");
    shard(&out, &s, "2/2");
    tiny(tmp.path(), 3);
    merge_refuses(&out, "changed since the shards ran");
}

#[test]
fn merge_refuses_a_run_present_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let s = tiny(tmp.path(), 1);
    for which in ["1/2", "2/2", "1/1"] {
        shard(&out, &s, which);
    }
    merge_refuses(&out, "is present twice");
}

#[test]
fn merge_refuses_an_unfinished_shard_and_resume_finishes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let s = tiny(tmp.path(), 1);
    shard(&out, &s, "1/2");
    shard(&out, &s, "2/2");
    // Cut the second shard's log inside its last record, as a kill would.
    let log = std::fs::read_dir(out.join(".schedsim-shards"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-shard-2-of-2.runs"))
        .unwrap();
    let len = std::fs::metadata(&log).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&log).unwrap().set_len(len - 10).unwrap();
    merge_refuses(&out, "shard 2/2 is incomplete");
    let status = schedsim().arg("status").arg(&out).assert().success();
    let text = String::from_utf8_lossy(&status.get_output().stdout).into_owned();
    assert!(text.contains("shard 2/2: 2 of 3 runs, a run cut short"), "{text}");
    let resumed = schedsim().args(["run", "--resume", "--shard", "2/2", "-o"]).arg(&out).arg(&s).assert().success();
    let said = String::from_utf8_lossy(&resumed.get_output().stderr).into_owned();
    assert!(said.contains("running 1 runs of 1 scenario (shard 2/2 of the plan's 6), 2 already done"), "{said}");
    schedsim().args(["merge", "-q"]).arg(&out).assert().success();
    let whole = tmp.path().join("whole");
    schedsim().args(["run", "-q", "-o"]).arg(&whole).arg(&s).assert().success();
    assert_same_folders(&whole, &out);
}

#[test]
fn merge_and_status_refuse_a_folder_without_shards() {
    let tmp = tempfile::tempdir().unwrap();
    for command in ["merge", "status"] {
        let r = schedsim().arg(command).arg(tmp.path()).assert().code(2);
        assert!(String::from_utf8_lossy(&r.get_output().stderr).contains("holds no shards"));
        let r = schedsim().arg(command).arg(tmp.path().join("nowhere")).assert().code(2);
        assert!(String::from_utf8_lossy(&r.get_output().stderr).contains("is not a folder"));
    }
}

#[test]
fn a_bad_shard_is_refused_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let s = tiny(tmp.path(), 1);
    for (bad, says) in [("0/3", "numbered 1 to 3"), ("4/3", "numbered 1 to 3"), ("x/y", "expected a shard as I/K")] {
        let r = schedsim().args(["run", "--shard", bad, "-o"]).arg(tmp.path().join("out")).arg(&s).assert().code(2);
        let stderr = String::from_utf8_lossy(&r.get_output().stderr).into_owned();
        assert!(stderr.contains(says) && !stderr.contains("panicked"), "{bad}: {stderr}");
    }
    assert!(!tmp.path().join("out").exists(), "nothing is written");
}

#[test]
fn status_counts_the_runs_done_by_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let s = tiny(tmp.path(), 1);
    shard(&out, &s, "1/3");
    let r = schedsim().arg("status").arg(&out).assert().success();
    let text = String::from_utf8_lossy(&r.get_output().stdout).into_owned();
    assert!(text.contains("(1 scenario file, 6 runs) in 3 shards: 2 runs done"), "{text}");
    assert!(text.contains("shard 1/3: 2 of 2 runs (done)"), "{text}");
    assert!(text.contains("shard 2/3: not started"), "{text}");
}

/// Kills a run midway, then resumes it: the runs that had finished are not run again,
/// and the results (`jobs.csv` too, whose rows the log keeps) are those of a run
/// never interrupted.
#[test]
fn resume_after_a_kill_runs_only_what_was_left_and_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("long.toml");
    std::fs::write(
        &path,
        "name = \"long\"\nseed = 5\nreplications = 25\n[run]\ntasks = 60_000\n[[nodes]]\nname = \"n\"\ncount = 4\n\
         [workload]\narrival = { process = \"poisson\", rate = 3.0 }\nsize = { dist = \"exponential\", mean = 1.0 }\n\
         [policies]\nbalancers = [\"random\", \"least_connections\"]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let exe = assert_cmd::cargo::cargo_bin("schedsim");
    let mut child = std::process::Command::new(&exe)
        .args(["run", "-q", "--jobs", "-j", "1", "-o"])
        .arg(&out)
        .arg(&path)
        .spawn()
        .unwrap();
    // Wait for a few runs' results in the log, then kill the process (no timing: the
    // log says how far it got).
    let shards = out.join(".schedsim-shards");
    let done_before = loop {
        let log = std::fs::read_dir(&shards)
            .ok()
            .and_then(|d| d.flatten().map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "runs")));
        let done = log.and_then(|l| schedsim::output::runlog::read(&l).ok()).map_or(0, |c| c.records.len());
        if done >= 3 {
            break done;
        }
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be killed");
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.join("long").exists(), "a killed run writes no tables");
    let resumed =
        schedsim().args(["run", "--resume", "--jobs", "-j", "2", "-o"]).arg(&out).arg(&path).assert().success();
    let said = String::from_utf8_lossy(&resumed.get_output().stderr).into_owned();
    let (todo, done) = counts(&said);
    assert_eq!(todo + done, 50, "{said}");
    assert!(done >= done_before && done < 50, "{done} runs were done before the kill: {said}");
    assert!(!shards.exists(), "the log is removed once the results are written");
    let whole = tmp.path().join("whole");
    schedsim().args(["run", "-q", "--jobs", "-o"]).arg(&whole).arg(&path).assert().success();
    assert!(whole.join("long/jobs.csv").is_file());
    assert_same_folders(&whole, &out);
}

/// The runs to do and those already done, from `running N runs ..., M already done`.
fn counts(said: &str) -> (usize, usize) {
    let line = said.lines().find(|l| l.starts_with("running ")).unwrap_or_else(|| panic!("{said}"));
    let todo = line.split(' ').nth(1).unwrap().parse().unwrap();
    let done = line.split(", ").nth(1).and_then(|t| t.split(' ').next()).map_or(0, |n| n.parse().unwrap());
    (todo, done)
}
