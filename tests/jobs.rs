//! Job records: `jobs.csv` (`run --jobs`, `[output] jobs`) and the Gantt chart of a
//! central-mode scenario's first jobs (`gantt.csv`, `charts/gantt.*`).

use assert_cmd::Command;
use predicates::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn schedsim() -> Command {
    Command::cargo_bin("schedsim").unwrap()
}

/// Runs `schedsim run -q -o out <args...>`.
fn run_into(out: &Path, args: &[&str]) {
    schedsim().args(["run", "-q", "-o"]).arg(out).args(args).assert().success();
}

/// A CSV file as its header and rows of named cells.
fn table(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows =
        reader.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect()).collect();
    (header, rows)
}

fn num(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap_or_else(|_| panic!("{column} = {:?}", row[column]))
}

/// A small cluster scheduler: two node groups, two classes, two disciplines and two
/// balancers, two replications.
const CENTRAL: &str = r#"
name = "tiny-central"
seed = 5
replications = 2
[run]
tasks = 1_000
mode = "central"
[[nodes]]
name = "wide"
count = 2
cores = 8
[[nodes]]
name = "narrow"
count = 2
cores = 4
[workload]
arrival = { process = "poisson", rate = 2.0 }
size = { dist = "exponential", mean = 4.0 }
cores = { dist = "uniform", low = 1.0, high = 6.0 }
classes = [ { name = "short", share = 0.5, size = { dist = "exponential", mean = 1.0 } }, { name = "long", share = 0.5 } ]
[policies]
balancers = ["best_fit", "random"]
disciplines = ["fifo", "easy_backfill"]
"#;

#[test]
fn jobs_csv_has_a_row_per_task_of_replication_0_that_agrees_with_runs_csv() {
    let out = tempfile::tempdir().unwrap();
    run_into(out.path(), &["--jobs", "tests/data/small.toml"]);
    let (header, rows) = table(&out.path().join("small/jobs.csv"));
    assert_eq!(
        header.join(","),
        "scenario,sweep_parameter,sweep_value,discipline,discipline_params,balancer,balancer_params,replication,\
         id,class,arrival,start,completion,node,cores,size,estimate,\
         attempts,outcome"
    );
    // 3 balancers x 5,000 tasks, replication 0 only, and each run's ids 0..5000 once.
    assert_eq!(rows.len(), 3 * 5_000);
    assert!(rows.iter().all(|r| r["replication"] == "0" && r["scenario"] == "small"));
    let mut by_run: BTreeMap<(String, String), Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for r in &rows {
        by_run.entry((r["discipline"].clone(), r["balancer"].clone())).or_default().push(r);
    }
    assert_eq!(by_run.len(), 3);
    let (_, runs) = table(&out.path().join("small/runs.csv"));
    for ((discipline, balancer), tasks) in &by_run {
        let ids: BTreeSet<u64> = tasks.iter().map(|r| r["id"].parse().unwrap()).collect();
        assert_eq!(ids, (0..5_000).collect(), "{discipline} / {balancer}");
        for r in tasks {
            assert!(["interactive", "batch"].contains(&r["class"].as_str()), "{r:?}");
            assert!(num(r, "node") < 6.0 && num(r, "cores") == 1.0 && num(r, "attempts") == 1.0, "{r:?}");
            assert!(num(r, "arrival") <= num(r, "start") && num(r, "start") < num(r, "completion"), "{r:?}");
            assert!(num(r, "size") > 0.0 && num(r, "estimate") > 0.0, "{r:?}");
        }
        let run = runs
            .iter()
            .find(|r| r["replication"] == "0" && r["discipline"] == *discipline && r["balancer"] == *balancer)
            .unwrap();
        let completed = tasks.iter().filter(|r| r["outcome"] == "completed").count();
        assert_eq!(completed as f64, num(run, "tasks_completed"));
        // The warm-up leaves out the first 10% of arrivals; the rest's mean response
        // is runs.csv's, up to the order of summation.
        let measured: Vec<f64> =
            tasks.iter().filter(|r| num(r, "id") >= 500.0).map(|r| num(r, "completion") - num(r, "arrival")).collect();
        let mean = measured.iter().sum::<f64>() / measured.len() as f64;
        let want = num(run, "mean_response");
        assert!((mean - want).abs() <= 1e-9 * want, "{discipline} / {balancer}: {mean} vs {want}");
        let wait = tasks.iter().filter(|r| num(r, "id") >= 500.0).map(|r| num(r, "start") - num(r, "arrival"));
        let wait = wait.sum::<f64>() / measured.len() as f64;
        assert!((wait - num(run, "mean_wait")).abs() <= 1e-9 * wait.max(1.0), "{wait}");
    }
}

#[test]
fn jobs_all_has_every_replication_byte_identical_at_one_and_two_threads() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Failures, retries, latency and a sweep: rows of every kind, in sweep columns.
    run_into(one.path(), &["-j", "1", "--jobs", "all", "tests/data/stormy.toml"]);
    run_into(two.path(), &["--threads", "2", "--jobs", "all", "tests/data/stormy.toml"]);
    let file = "stormy/jobs.csv";
    let bytes = std::fs::read(one.path().join(file)).unwrap();
    assert!(bytes == std::fs::read(two.path().join(file)).unwrap(), "jobs.csv differs between -j 1 and -j 2");
    let (header, rows) = table(&one.path().join(file));
    assert_eq!(
        header[..8],
        [
            "scenario",
            "sweep_parameter",
            "sweep_value",
            "discipline",
            "discipline_params",
            "balancer",
            "balancer_params",
            "replication"
        ]
    );
    // 2 sweep points x 2 disciplines x 3 balancers x 2 replications x 3,000 tasks.
    assert_eq!(rows.len(), 2 * 2 * 3 * 2 * 3_000);
    let runs: BTreeSet<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (r["sweep_value"].as_str(), r["discipline"].as_str(), r["balancer"].as_str(), r["replication"].as_str())
        })
        .collect();
    assert_eq!(runs.len(), 24);
    assert!(rows.iter().any(|r| num(r, "attempts") > 1.0), "node failures make retries");
    for r in &rows {
        match r["outcome"].as_str() {
            "completed" => assert!(!r["start"].is_empty() && !r["node"].is_empty(), "{r:?}"),
            "failed" => assert!(r["start"].is_empty() && r["node"].is_empty(), "{r:?}"),
            other => panic!("outcome {other}"),
        }
    }
    // Per run, the failed rows are runs.csv's tasks_failed.
    let (_, summary) = table(&one.path().join("stormy/runs.csv"));
    for s in &summary {
        let failed = rows
            .iter()
            .filter(|r| {
                r["outcome"] == "failed"
                    && ["sweep_value", "discipline", "balancer", "replication"].iter().all(|c| r[*c] == s[*c])
            })
            .count();
        assert_eq!(failed as f64, num(s, "tasks_failed"), "{s:?}");
    }
}

#[test]
fn no_jobs_csv_without_the_flag_and_none_left_from_an_earlier_run() {
    let out = tempfile::tempdir().unwrap();
    run_into(out.path(), &["--jobs", "tests/data/small.toml"]);
    assert!(out.path().join("small/jobs.csv").exists());
    run_into(out.path(), &["tests/data/small.toml"]);
    assert!(!out.path().join("small/jobs.csv").exists(), "a stale jobs.csv would not match the new results");
    // A dispatch-mode scenario draws no Gantt chart, and no scratch files are left.
    assert!(!out.path().join("small/gantt.csv").exists());
    assert!(!out.path().join("small/charts/gantt.png").exists());
    let names: Vec<String> =
        std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn a_scenarios_output_section_asks_for_jobs_csv() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("asks.toml");
    let text = std::fs::read_to_string("tests/data/small.toml").unwrap().replace("name = \"small\"", "name = \"asks\"");
    std::fs::write(&file, format!("{text}\n[output]\njobs = \"all\"\n")).unwrap();
    run_into(&dir.path().join("out"), &[file.to_str().unwrap()]);
    let (_, rows) = table(&dir.path().join("out/asks/jobs.csv"));
    assert_eq!(rows.len(), 3 * 3 * 5_000, "every replication");
}

#[test]
fn jobs_before_a_path_or_with_a_number_is_understood() {
    let out = tempfile::tempdir().unwrap();
    // clap takes the path as --jobs' value; it is put back with the scenarios.
    schedsim().args(["run", "-q", "-o"]).arg(out.path()).args(["--jobs", "tests/data/small.toml"]).assert().success();
    assert!(out.path().join("small/jobs.csv").exists());
    schedsim()
        .args(["run", "--jobs", "4", "tests/data/small.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("-j 4"));
}

#[test]
fn a_central_scenario_reports_a_gantt_chart_of_its_first_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny-central.toml");
    std::fs::write(&file, CENTRAL).unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    run_into(&one, &["-j", "1", file.to_str().unwrap()]);
    run_into(&two, &["-j", "2", file.to_str().unwrap()]);
    let folder = one.join("tiny-central");
    assert!(!folder.join("jobs.csv").exists(), "the Gantt chart needs no --jobs");
    let gantt = std::fs::read(folder.join("gantt.csv")).unwrap();
    assert!(gantt == std::fs::read(two.join("tiny-central/gantt.csv")).unwrap(), "gantt.csv differs at -j 2");
    let (header, rows) = table(&folder.join("gantt.csv"));
    assert_eq!(
        header.join(","),
        "scenario,sweep_parameter,sweep_value,discipline,discipline_params,balancer,balancer_params,replication,\
         id,class,arrival,start,finished,\
         node,node_cores,cores"
    );
    // Replication 0 of the first balancer, each discipline: the first 300 jobs.
    let policies: BTreeSet<(&str, &str)> =
        rows.iter().map(|r| (r["discipline"].as_str(), r["balancer"].as_str())).collect();
    assert_eq!(policies, BTreeSet::from([("fifo", "best_fit"), ("easy_backfill", "best_fit")]));
    assert!(rows.iter().all(|r| r["replication"] == "0" && num(r, "id") < 300.0));
    assert_eq!(rows.len(), 2 * 300, "every one of the first 300 jobs completed");
    // The records are a schedule: no node ever runs more cores than it has.
    for policy in &policies {
        let mine: Vec<_> =
            rows.iter().filter(|r| (r["discipline"].as_str(), r["balancer"].as_str()) == *policy).collect();
        for r in &mine {
            let t = num(r, "start");
            let node = &r["node"];
            let busy: f64 = mine
                .iter()
                .filter(|o| o["node"] == *node && num(o, "start") <= t && t < num(o, "finished"))
                .map(|o| num(o, "cores"))
                .sum();
            assert!(busy <= num(r, "node_cores"), "{policy:?}: node {node} runs {busy} cores at {t}");
        }
    }
    for ext in ["png", "svg"] {
        let chart = folder.join(format!("charts/gantt.{ext}"));
        assert!(std::fs::metadata(&chart).map(|m| m.len() > 1_000).unwrap_or(false), "{}", chart.display());
    }
    let report = std::fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(report.contains("id=\"gantt\"") && report.contains("Cores over time"));
    // Redrawn from the CSV files alone, the chart is the same.
    let png = std::fs::read(folder.join("charts/gantt.png")).unwrap();
    std::fs::remove_dir_all(folder.join("charts")).unwrap();
    schedsim().arg("plot").arg(&folder).assert().success();
    assert!(png == std::fs::read(folder.join("charts/gantt.png")).unwrap());
}

/// Epigenomics (41 tasks) on a mixed cluster with a network: a plain balancer and a
/// planner, dispatch mode.
fn workflow_scenario() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/workflows/epigenomics-chameleon-hep-1seq-100k-001.json.gz");
    format!(
        r#"
name = "tiny-workflow"
seed = 3
replications = 2
[run]
tasks = 30
warmup = 0.1
[[nodes]]
name = "fast"
count = 2
speed = 2.0
cores = 4
[[nodes]]
name = "slow"
count = 3
cores = 2
[workload]
arrival = {{ process = "poisson", rate = 0.02 }}
size = {{ dist = "exponential", mean = 1.0 }}
job = {{ shape = "dag", path = {path:?} }}
[network]
bandwidth = 12.5e6
[policies]
balancers = ["least_work_left", "heft"]
"#,
        path = path.to_str().unwrap()
    )
}

#[test]
fn a_dag_scenario_draws_one_jobs_tasks_on_the_nodes_in_precedence_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny-workflow.toml");
    std::fs::write(&file, workflow_scenario()).unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    run_into(&one, &["-j", "1", file.to_str().unwrap()]);
    run_into(&two, &["-j", "2", file.to_str().unwrap()]);
    let folder = one.join("tiny-workflow");
    let bytes = std::fs::read(folder.join("job_gantt.csv")).unwrap();
    assert!(bytes == std::fs::read(two.join("tiny-workflow/job_gantt.csv")).unwrap(), "job_gantt.csv differs at -j 2");
    let (header, rows) = table(&folder.join("job_gantt.csv"));
    assert_eq!(
        header.join(","),
        "scenario,sweep_parameter,sweep_value,discipline,discipline_params,balancer,balancer_params,replication,\
         job,task,name,stage,parents,job_arrival,job_completion,release,\
         start,finished,completion,node,node_cores,cores"
    );
    // The DAG as the simulator reads it, to check the file's parents against.
    let wf = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/workflows");
    let dag =
        schedsim::workload::wfformat::read(&wf, "epigenomics-chameleon-hep-1seq-100k-001.json.gz", &["fast", "slow"])
            .unwrap();
    for balancer in ["least_work_left", "heft"] {
        let mine: Vec<_> = rows.iter().filter(|r| r["balancer"] == balancer).collect();
        // One row per task of one job: job 3, the first after a warm-up of 3 jobs.
        assert_eq!(mine.len(), 41, "{balancer}");
        assert!(mine.iter().all(|r| r["job"] == "3" && r["replication"] == "0"), "{balancer}");
        let tasks: Vec<usize> = mine.iter().map(|r| r["task"].parse().unwrap()).collect();
        assert_eq!(tasks, (0..41).collect::<Vec<_>>(), "{balancer}: in DAG order");
        let end = mine.iter().map(|r| num(r, "completion")).fold(0.0, f64::max);
        for r in &mine {
            let task: usize = r["task"].parse().unwrap();
            let parents: Vec<usize> = r["parents"].split_whitespace().map(|p| p.parse().unwrap()).collect();
            let expected: Vec<usize> = dag.parents[task].iter().map(|&(p, _)| p as usize).collect();
            assert_eq!(parents, expected, "{balancer}: task {task}");
            assert_eq!(r["name"], dag.names[task]);
            assert!(r["name"].starts_with(&format!("{}_", r["stage"])), "{balancer}: stage of {}", r["name"]);
            // A task starts no earlier than its parents' ends, nor than its release.
            for p in parents {
                assert!(num(r, "start") >= num(mine[p], "finished"), "{balancer}: {task} starts before {p} ends");
                assert!(num(r, "release") >= num(mine[p], "completion"), "{balancer}: {task} released before {p}");
            }
            assert!(num(r, "job_arrival") <= num(r, "release") && num(r, "release") <= num(r, "start"));
            assert!(num(r, "start") < num(r, "finished") && num(r, "finished") <= num(r, "completion"));
            assert_eq!(num(r, "job_completion"), end, "{balancer}: the job ends with its last result");
            assert!(num(r, "cores") <= num(r, "node_cores"));
        }
    }
    for ext in ["png", "svg"] {
        let chart = folder.join(format!("charts/job_gantt.{ext}"));
        assert!(std::fs::metadata(&chart).map(|m| m.len() > 1_000).unwrap_or(false), "{}", chart.display());
    }
    assert!(std::fs::read_to_string(folder.join("report.html")).unwrap().contains("id=\"job_gantt\""));
    // Redrawn from the CSV files alone, the chart is the same.
    let png = std::fs::read(folder.join("charts/job_gantt.png")).unwrap();
    std::fs::remove_dir_all(folder.join("charts")).unwrap();
    schedsim().arg("plot").arg(&folder).assert().success();
    assert!(png == std::fs::read(folder.join("charts/job_gantt.png")).unwrap());
    // A scenario without jobs writes none.
    let plain = dir.path().join("tiny-central.toml");
    std::fs::write(&plain, CENTRAL).unwrap();
    run_into(&one, &[plain.to_str().unwrap()]);
    assert!(
        !one.join("tiny-central/job_gantt.csv").exists() && !one.join("tiny-central/charts/job_gantt.png").exists()
    );
}

#[test]
fn a_map_reduce_scenario_in_central_mode_draws_its_maps_before_its_reduces() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny-mr.toml");
    let text = r#"
name = "tiny-mr"
seed = 8
[run]
tasks = 20
warmup = 0.0
mode = "central"
[[nodes]]
count = 4
cores = 2
[workload]
arrival = { process = "poisson", rate = 0.05 }
size = { dist = "lognormal", mean = 10.0, cv = 0.3 }
job = { shape = "map-reduce", maps = 6, reduces = 2 }
[policies]
balancers = ["random"]
disciplines = ["fifo", "sjf"]
"#;
    std::fs::write(&file, text).unwrap();
    run_into(dir.path(), &[file.to_str().unwrap()]);
    let (_, rows) = table(&dir.path().join("tiny-mr/job_gantt.csv"));
    for discipline in ["fifo", "sjf"] {
        let mine: Vec<_> = rows.iter().filter(|r| r["discipline"] == discipline).collect();
        assert_eq!(mine.len(), 8, "{discipline}");
        assert!(mine.iter().all(|r| r["job"] == "0"), "no warm-up: the first job");
        let stages: Vec<&str> = mine.iter().map(|r| r["stage"].as_str()).collect();
        assert_eq!(stages, ["map", "map", "map", "map", "map", "map", "reduce", "reduce"]);
        let maps_end = mine[..6].iter().map(|r| num(r, "finished")).fold(0.0, f64::max);
        assert!(mine[6..].iter().all(|r| num(r, "start") >= maps_end && r["parents"] == "0 1 2 3 4 5"));
    }
    // The charts say tasks where they count tasks, and the jobs get bars of their own.
    let charts = dir.path().join("tiny-mr/charts");
    let gantt = std::fs::read_to_string(charts.join("gantt.svg")).unwrap();
    assert!(gantt.contains("Cores over time: the first 160 tasks"), "the Gantt chart counts tasks");
    assert!(std::fs::read_to_string(charts.join("response.svg")).unwrap().contains("Task response time per policy"));
    let jobs = std::fs::read_to_string(charts.join("job_response.svg")).unwrap();
    assert!(jobs.contains("Job response time per policy") && jobs.contains("job p99"));
}
