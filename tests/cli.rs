//! The command line: `run`, `check`, `list`, and the exit codes of DESIGN.md.

use assert_cmd::Command;
use predicates::prelude::*;

fn schedsim() -> Command {
    Command::cargo_bin("schedsim").unwrap()
}

#[test]
fn list_shows_every_policy_and_distribution() {
    let out = schedsim().arg("list").assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    for name in ["random", "round_robin", "least_connections", "fifo", "lognormal", "hyperexponential", "poisson"] {
        assert!(text.contains(name), "list lacks {name}:\n{text}");
    }
}

#[test]
fn check_prints_the_runs_a_file_expands_to() {
    schedsim()
        .args(["check", "tests/data/small.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("= 9 runs"))
        .stdout(predicate::str::contains("fifo / least_connections"));
}

#[test]
fn check_rejects_a_bad_file_with_exit_code_2() {
    schedsim()
        .args(["check", "tests/data/bad/misspelt_balancer.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean"));
}

#[test]
fn run_writes_summary_and_runs_with_the_documented_columns() {
    let dir = tempfile::tempdir().unwrap();
    schedsim().args(["run", "-q", "-o"]).arg(dir.path()).arg("tests/data/small.toml").assert().success();
    let summary = std::fs::read_to_string(dir.path().join("small/summary.csv")).unwrap();
    let header = summary.lines().next().unwrap();
    assert_eq!(
        header,
        "scenario,sweep_parameter,sweep_value,discipline,discipline_params,balancer,balancer_params,replications,\
         tasks_arrived,tasks_completed,tasks_failed,tasks_in_system,\
         throughput,throughput_ci95,mean_response,mean_response_ci95,p50_response,p95_response,p99_response,\
         p99_response_ci95,p999_response,max_response,mean_wait,mean_slowdown,bounded_slowdown,utilization,\
         utilization_ci95,imbalance,deadline_misses,retries,wasted_work,detection_latency,false_suspicions,\
         availability,goodput,makespan,unstable,jobs_arrived,jobs_completed,jobs_failed,jobs_in_system,\
         tasks_unreleased,tasks_per_job,job_mean_response,job_mean_response_ci95,job_p50_response,job_p95_response,\
         job_p99_response,job_p99_response_ci95,job_max_response,job_mean_slowdown,data_moved,\
         speculative_launched,speculative_won,speculative_wasted"
    );
    assert_eq!(summary.lines().count(), 1 + 3, "one row per balancer");
    let runs = std::fs::read_to_string(dir.path().join("small/runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 9, "one row per run");
    assert!(runs.lines().next().unwrap().contains(",seed,"));
    assert!(runs.lines().next().unwrap().contains(",makespan,in_system_growth,unstable,mean_in_system,"));
    // The two balancers other than the baseline (the first), on three metrics each.
    let compare = std::fs::read_to_string(dir.path().join("small/compare.csv")).unwrap();
    assert_eq!(
        compare.lines().next().unwrap(),
        "scenario,sweep_parameter,sweep_value,discipline,discipline_params,balancer,balancer_params,\
         baseline_discipline,baseline_balancer,metric,replications,baseline_value,value,difference,difference_low,difference_high,ratio,ratio_low,ratio_high,p_value,p_holm,verdict"
    );
    assert_eq!(compare.lines().count(), 1 + 2 * 3);
    assert!(
        compare.lines().skip(1).all(|l| l.contains(",fifo,random,mean_response,")
            || l.contains(",fifo,random,p99_response,")
            || l.contains(",fifo,random,throughput,")),
        "{compare}"
    );
    // Two classes: 2 per (discipline, balancer) pair.
    let classes = std::fs::read_to_string(dir.path().join("small/classes.csv")).unwrap();
    assert_eq!(classes.lines().count(), 1 + 3 * 2);
    let cdf = std::fs::read_to_string(dir.path().join("small/cdf.csv")).unwrap();
    assert_eq!(cdf.lines().count(), 1 + 3 * schedsim::metrics::QUANTILE_GRID.len());
    let nodes = std::fs::read_to_string(dir.path().join("small/nodes.csv")).unwrap();
    assert_eq!(nodes.lines().count(), 1 + 3 * 6, "6 nodes per balancer");
    let series = std::fs::read_to_string(dir.path().join("small/timeseries.csv")).unwrap();
    assert!(series.lines().count() > 100, "about 200 windows per balancer for replication 0");
    let copy = std::fs::read_to_string(dir.path().join("small/scenario.toml")).unwrap();
    assert_eq!(copy, std::fs::read_to_string("tests/data/small.toml").unwrap());
    // No sweep: the sweep columns are there, empty, so files of scenarios concatenate.
    assert!(summary.lines().skip(1).all(|l| l.starts_with("small,,,")), "{summary}");
}

#[test]
fn run_on_a_missing_path_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    schedsim()
        .args(["run", "-o"])
        .arg(dir.path().join("out"))
        .arg("no/such/scenarios")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/scenarios"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_bad_file_among_good_ones_stops_everything_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    schedsim()
        .args(["run", "-o"])
        .arg(dir.path())
        .args(["tests/data/small.toml", "tests/data/bad/negative_arrival_rate.toml"])
        .assert()
        .code(2)
        // The bad rate itself, located: not a missing file or any other error.
        .stderr(predicate::str::contains("negative_arrival_rate.toml:10:34: workload.arrival.rate"))
        .stderr(predicate::str::contains("expected a number > 0"))
        .stderr(predicate::str::contains("cannot read").not());
    assert!(!dir.path().join("small").exists(), "nothing is written when an input is bad");
}

#[test]
fn unknown_arguments_exit_2() {
    schedsim().args(["run", "--no-such-flag"]).assert().code(2);
    schedsim().args(["frobnicate"]).assert().code(2);
}

#[test]
fn a_failing_run_exits_1_and_the_others_are_still_written() {
    let dir = tempfile::tempdir().unwrap();
    schedsim()
        .args(["run", "-q", "-o"])
        .arg(dir.path())
        .args(["tests/data/small.toml", "tests/data/overloaded.toml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("overloaded"));
    assert!(dir.path().join("small/summary.csv").exists());
    assert!(!dir.path().join("overloaded/summary.csv").exists());
}

#[test]
fn check_reports_a_traces_skips_and_warns_when_the_log_machine_differs() {
    schedsim()
        .args(["check", "scenarios/kth-replay.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1000 jobs replayed, 0 skipped (0 cancelled, 0 without processors"))
        .stdout(predicate::str::contains("log header: MaxProcs 100, MaxNodes 100; the cluster has 100 cores"))
        .stderr(predicate::str::contains("warning").not());
    // The same log on a machine of 64 cores: its wider jobs are skipped, and the load
    // differs from the log's.
    let dir = tempfile::tempdir().unwrap();
    let trace = std::fs::canonicalize("scenarios/traces/KTH-SP2-1996-2.1-cln.excerpt.swf").unwrap();
    let file = dir.path().join("narrow.toml");
    std::fs::write(
        &file,
        format!(
            "[run]\nmode = \"central\"\n[[nodes]]\ncores = 64\n[workload]\narrival = {{ process = \"trace\", path = {:?} }}\n\
             [policies]\nbalancers = [\"best_fit\"]\ndisciplines = [\"fifo\"]\n",
            trace.display().to_string()
        ),
    )
    .unwrap();
    let out = schedsim().arg("check").arg(&file).assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let line = stdout.lines().find(|l| l.contains("jobs replayed")).unwrap();
    let replayed: u64 = line.split(": ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    let wide = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .filter(|l| l.split_whitespace().nth(4).unwrap().parse::<f64>().unwrap() > 64.0)
        .count() as u64;
    assert!(wide > 0, "the excerpt has jobs wider than 64 processors");
    assert_eq!(replayed, 1000 - wide, "{line}");
    assert!(line.contains(&format!("{wide} wider than any node")), "{line}");
    out.stderr(predicate::str::contains("the log's machine had 100 processors, the cluster has 64 cores"));
}

#[test]
fn zero_threads_is_an_error_not_a_default() {
    schedsim()
        .args(["run", "-j", "0", "tests/data/small.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected at least 1 thread"));
}

/// `schedsim check ... | head`: a reader that goes away ends the process quietly, as
/// it does any Unix tool, instead of a panic on the broken pipe.
#[cfg(unix)]
#[test]
fn a_closed_output_pipe_is_not_a_panic() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("schedsim"))
        .args(["check", "scenarios/"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closed before the child has loaded its scenarios and printed a line.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
}

/// A number that implies a run of days (once a run that never ended) is refused by
/// `check` and `run` with the field responsible and the estimate, exit 2, and nothing
/// written; `--force` accepts it.
#[test]
fn a_scenario_whose_runs_would_take_days_is_refused_with_the_field_responsible() {
    let dir = tempfile::tempdir().unwrap();
    for (file, line, field) in [
        ("heartbeat_every_nanosecond.toml", 11, "faults.heartbeat.interval"),
        ("bursty_switching_too_fast.toml", 7, "workload.arrival.durations"),
    ] {
        let path = format!("tests/data/costly/{file}");
        for command in ["check", "run"] {
            let mut cmd = schedsim();
            cmd.arg(command).arg(&path);
            if command == "run" {
                cmd.arg("-o").arg(dir.path());
            }
            cmd.assert()
                .code(2)
                .stderr(predicate::str::contains(format!("{file}:{line}:")))
                .stderr(predicate::str::contains(format!("{field}: a run would take about")))
                .stderr(predicate::str::contains("--force"));
        }
        schedsim().args(["check", "--force", &path]).assert().success();
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "a refused run wrote something");
}

/// Every job of a trace arriving at one instant (offered load "inf") once made the
/// time series' windows zero wide and the run spin for ever: it runs, and the
/// responses are those of four FIFO queues of 500 one-second jobs.
#[test]
fn a_trace_whose_jobs_all_arrive_at_once_runs_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let log: String = (0..2000).map(|_| "0,1.0,1\n").collect();
    std::fs::write(dir.path().join("same.csv"), format!("arrival,size,cores\n{log}")).unwrap();
    std::fs::write(
        dir.path().join("same.toml"),
        "[[nodes]]\ncount = 4\n[workload]\narrival = { process = \"trace\", path = \"same.csv\" }\n\
         [policies]\nbalancers = [\"round_robin\"]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    schedsim().arg("run").arg(dir.path().join("same.toml")).arg("-o").arg(&out).assert().success();
    let summary = std::fs::read_to_string(out.join("same/summary.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(summary.as_bytes());
    let header = rows.headers().unwrap().clone();
    let row = rows.records().next().unwrap().unwrap();
    let mean: f64 = row[header.iter().position(|h| h == "mean_response").unwrap()].parse().unwrap();
    // Responses 1, 2, ..., 500 on each node: mean 250.5.
    assert!((mean - 250.5).abs() < 1e-9, "{mean}");
}

/// A results folder is a transaction: a file an earlier run left (and this run does
/// not write) is gone, no staging folder is left, and a folder another live run holds
/// is refused with exit 2 naming it.
#[test]
fn results_are_swapped_in_whole_and_one_run_holds_the_folder_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join("small/events.csv");
    std::fs::create_dir_all(stale.parent().unwrap()).unwrap();
    std::fs::write(&stale, "left by an earlier run").unwrap();
    schedsim().args(["run", "-q", "tests/data/small.toml", "-o"]).arg(dir.path()).assert().success();
    assert!(!stale.exists(), "a file of an earlier run was kept beside the new ones");
    assert!(dir.path().join("small/summary.csv").is_file());
    let hidden: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "left behind: {hidden:?}");
    // Process 1 is alive on any Linux machine: its lock holds.
    if std::path::Path::new("/proc/1").exists() {
        std::fs::write(dir.path().join(".schedsim.lock"), "1\n").unwrap();
        schedsim()
            .args(["run", "-q", "tests/data/small.toml", "-o"])
            .arg(dir.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains("another schedsim run (process 1)"));
    }
}

/// Ctrl-C stops the runs: exit 130, a line saying nothing was written, and the folder
/// as it was (here: empty but for the run log that `--resume` goes on from).
#[cfg(unix)]
#[test]
fn an_interrupt_stops_the_runs_and_writes_nothing() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.toml");
    std::fs::write(
        &file,
        "replications = 400\n[run]\ntasks = 200_000\n[[nodes]]\ncount = 4\n[workload]\n\
         arrival = { process = \"poisson\", rate = 3.0 }\nsize = { dist = \"exponential\", mean = 1.0 }\n\
         [policies]\nbalancers = [\"random\"]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_schedsim"))
        .args(["run", "-j", "1", "-o"])
        .arg(&out)
        .arg(&file)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.starts_with("running 400 runs"), "{line}");
    // SAFETY: sends SIGINT to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{rest}");
    assert!(rest.contains("interrupted: no results were written"), "{rest}");
    assert!(rest.contains("run again with --resume"), "{rest}");
    // Only the run log, which keeps the runs that ended for `--resume` (issue 14).
    let left: Vec<_> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).filter(|n| n != ".schedsim-shards").collect();
    assert!(left.is_empty(), "written: {left:?}");
}

/// A run in which no task is measured (the warm-up covers every arrival) is a result,
/// not a crash: exit 0, empty cells where there is no value, and a report.
#[test]
fn a_run_that_measures_no_task_writes_empty_cells_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("none.toml");
    std::fs::write(
        &file,
        "[run]\nhorizon = 100.0\nwarmup = { seconds = 99.99 }\n[[nodes]]\ncount = 2\n[workload]\n\
         arrival = { process = \"poisson\", rate = 0.001 }\nsize = { dist = \"exponential\", mean = 1.0 }\n\
         [policies]\nbalancers = [\"random\"]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    schedsim().args(["run", "-q", "-o"]).arg(&out).arg(&file).assert().success();
    let summary = std::fs::read_to_string(out.join("none/summary.csv")).unwrap();
    assert!(!summary.contains("NaN"), "{summary}");
    assert!(summary.lines().nth(1).unwrap().contains(",,"), "{summary}");
    assert!(out.join("none/report.html").is_file());
}

/// Every column of every CSV file a run writes is named in the README (in backticks),
/// so that no column goes unexplained. The two scenarios cover every file: `stormy`
/// (a sweep, classes, failures: events.csv) and a central-mode map-reduce with
/// speculation (jobs, job_cdf.csv, gantt.csv), both with `--jobs` (jobs.csv).
#[test]
fn every_column_of_every_file_is_documented_in_the_readme() {
    let dir = tempfile::tempdir().unwrap();
    let mapreduce = std::fs::read_to_string("scenarios/mapreduce-stragglers.toml")
        .unwrap()
        .replace("replications = 10", "replications = 2")
        .replace("tasks = 1000 ", "tasks = 40 ");
    std::fs::write(dir.path().join("mr.toml"), mapreduce).unwrap();
    let out = dir.path().join("out");
    schedsim()
        .args(["run", "-q", "--jobs", "-o"])
        .arg(&out)
        .args(["tests/data/stormy.toml"])
        .arg(dir.path().join("mr.toml"))
        .assert()
        .success();
    let readme = std::fs::read_to_string("README.md").unwrap();
    let mut files = 0;
    let mut missing = Vec::new();
    for scenario in ["stormy", "mapreduce-stragglers"] {
        for entry in std::fs::read_dir(out.join(scenario)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "csv") {
                continue;
            }
            files += 1;
            let mut reader = csv::Reader::from_path(&path).unwrap();
            for column in reader.headers().unwrap().iter() {
                if !readme.contains(&format!("`{column}`")) {
                    missing.push(format!("{}: {column}", path.file_name().unwrap().to_string_lossy()));
                }
            }
        }
    }
    assert!(files >= 13, "{files} CSV files");
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "columns not named in the README: {missing:#?}");
}

/// `--format json` prints one JSON document and nothing else on stdout: every row of
/// summary.csv and compare.csv, column for column, numbers as numbers, empty cells null.
#[test]
fn format_json_prints_the_summary_and_comparisons_as_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let out = schedsim()
        .args(["run", "--format", "json", "-o"])
        .arg(dir.path())
        .arg("tests/data/small.toml")
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    let scenarios = doc["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 1);
    let small = &scenarios[0];
    assert_eq!(small["scenario"], "small");
    let mut reader = csv::Reader::from_path(dir.path().join("small/summary.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let summary = small["summary"].as_array().unwrap();
    assert_eq!(summary.len(), rows.len());
    for (object, row) in summary.iter().zip(&rows) {
        let keys: Vec<&str> = object.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, header.iter().collect::<Vec<_>>(), "the columns of summary.csv, in order");
        for (column, cell) in header.iter().zip(row.iter()) {
            let value = &object[column];
            match cell {
                "" => assert!(value.is_null(), "{column}"),
                _ if cell.parse::<f64>().is_ok() => assert_eq!(value.as_f64(), cell.parse::<f64>().ok(), "{column}"),
                _ => assert_eq!(value.as_str(), Some(cell), "{column}"),
            }
        }
    }
    assert_eq!(small["compare"].as_array().unwrap().len(), 2 * 3);
    assert!(small["compare"][0]["verdict"].is_string());
}
