//! Jobs of many tasks (issue 13): fork-join jobs against queueing theory, one DAG's
//! makespan against its bounds, transfers on the edges, workflow files, and
//! conservation per job under failures.

use crate::common::{mean_and_halfwidth, run, scenario};
use assert_cmd::Command;
use proptest::prelude::*;
use schedsim::scenario::{load, Scenario};
use schedsim::workload::{Dag, JobShape};
use std::path::Path;
use std::sync::Arc;

/// Student's t, 0.995 quantile, 9 degrees of freedom: a two-sided 99% interval over
/// 10 replications.
const T_99_9DF: f64 = 3.25;

fn fork_join(k: u32, rate: f64, jobs: u32) -> Scenario {
    scenario(&format!(
        r#"
name = "fj"
seed = 21
replications = 10
[run]
tasks = {jobs}
warmup = 0.1
[[nodes]]
count = {k}
[workload]
arrival = {{ process = "poisson", rate = {rate} }}
size = {{ dist = "exponential", mean = 1.0 }}
job = {{ shape = "fork-join", tasks = {k} }}
[policies]
balancers = ["round_robin"]
disciplines = ["fifo"]
"#
    ))
}

/// Flatto and Hahn (1984), Nelson and Tantawi (1988): a fork-join job of two tasks
/// over two FIFO exponential servers has mean response (12 - rho) / 8 / (mu - lambda).
/// Round robin over two nodes sends each job's two tasks one to each. Tolerance: a 99%
/// interval over 10 replications, plus the warm-up bias bound tau / T of
/// `validate/cases.rs` (under 0.3% here).
#[test]
fn fork_join_of_two_matches_the_exact_mean_response_at_three_loads() {
    for rho in [0.3, 0.6, 0.8] {
        let s = fork_join(2, rho, 40_000);
        let xs: Vec<f64> = (0..10).map(|r| run(&s, "round_robin", r).job_mean_response).collect();
        let (mean, half) = mean_and_halfwidth(&xs, T_99_9DF);
        let theory = (12.0 - rho) / 8.0 / (1.0 - rho);
        let tau = 1.0 / (1.0 - f64::sqrt(rho)).powi(2);
        let bias = theory * tau / (36_000.0 / rho);
        assert!((mean - theory).abs() <= half + bias, "rho {rho}: {mean} ± {half} vs {theory}");
    }
}

/// Every task of every job arrives, and conservation holds per job and per task.
#[test]
fn every_job_and_task_is_accounted_for() {
    let s = fork_join(4, 0.5, 2_000);
    let r = run(&s, "round_robin", 0);
    assert_eq!((r.jobs_arrived, r.jobs_completed, r.jobs_failed, r.jobs_in_system), (2_000, 2_000, 0, 0));
    assert_eq!(r.tasks_arrived, 8_000);
    assert_eq!(r.tasks_per_job, 4.0);
    assert!(r.job_mean_response >= r.mean_response && r.job_p99_response >= r.job_p50_response);
    assert!(r.job_mean_slowdown >= 1.0);
}

/// Two maps on two nodes, a reduce placed (round robin) on the first map's node: the
/// second map's output crosses the network, 1 MB at 1 MB/s, so the reduce starts 1 s
/// after the maps end: response 1 + 1 + 1 = 3 s, 1 MB moved. On one node nothing moves.
#[test]
fn a_reduce_waits_for_its_shuffle_from_another_node() {
    let text = |nodes: u32| {
        format!(
            r#"
name = "mr"
seed = 3
[run]
tasks = 1
warmup = 0.0
[[nodes]]
count = {nodes}
[workload]
arrival = {{ process = "poisson", rate = 1.0 }}
size = {{ dist = "constant", value = 1.0 }}
job = {{ shape = "map-reduce", maps = 2, reduces = 1, shuffle = 1e6 }}
[network]
bandwidth = 1e6
[policies]
balancers = ["round_robin"]
disciplines = ["fifo"]
"#
        )
    };
    let r = run(&scenario(&text(2)), "round_robin", 0);
    assert!((r.job_mean_response - 3.0).abs() < 1e-9, "{}", r.job_mean_response);
    assert_eq!(r.data_moved, 1e6);
    let r = run(&scenario(&text(1)), "round_robin", 0);
    assert!((r.job_mean_response - 3.0).abs() < 1e-9, "one node runs the three in turn: {}", r.job_mean_response);
    assert_eq!(r.data_moved, 0.0);
}

/// With failures and a single attempt, jobs fail: their unreleased tasks are counted,
/// and the run's own checks (conservation per job and per task) pass.
#[test]
fn jobs_fail_with_their_tasks_and_conservation_holds() {
    let s = scenario(
        r#"
name = "mr-failing"
seed = 5
[run]
tasks = 2000
[[nodes]]
count = 4
failure = { mtbf = { dist = "exponential", mean = 50.0 }, mttr = { dist = "exponential", mean = 5.0 } }
[workload]
arrival = { process = "poisson", rate = 0.3 }
size = { dist = "exponential", mean = 1.0 }
job = { shape = "map-reduce", maps = 4, reduces = 2, shuffle = 0 }
[faults]
heartbeat = { interval = 1.0, timeout = 3.0 }
retry = { max_attempts = 1 }
[policies]
balancers = ["least_connections"]
disciplines = ["fifo"]
"#,
    );
    let r = run(&s, "least_connections", 0);
    assert!(r.jobs_failed > 0 && r.tasks_failed > 0, "{r:?}");
    assert_eq!(r.jobs_arrived, r.jobs_completed + r.jobs_failed);
    assert_eq!(6 * r.jobs_arrived, r.tasks_arrived + r.tasks_unreleased);
    assert!(r.tasks_unreleased > 0, "a failed map leaves its job's reduces unreleased");
}

/// The bundled workflow: 41 tasks, 48 edges carrying 353,323,676 bytes; every policy
/// sees the same jobs, and every task of every job runs.
#[test]
fn the_bundled_workflow_is_read_and_replayed_whole() {
    let s = load(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/workflow.toml").as_path()).unwrap();
    let Some(JobShape::Workflow { dag, .. }) = &s.workload.job else { panic!("a dag job") };
    assert_eq!((dag.len(), dag.parents.iter().map(Vec::len).sum::<usize>()), (41, 48));
    assert_eq!(dag.edge_bytes(), 353_323_676.0);
    for balancer in ["round_robin", "least_work_left"] {
        let r = run(&s, balancer, 0);
        assert_eq!((r.jobs_arrived, r.jobs_completed), (400, 400), "{balancer}");
        assert_eq!(r.tasks_arrived, 41 * 400, "{balancer}");
        assert!(r.data_moved > 0.0 && r.data_moved <= 400.0 * dag.edge_bytes(), "{balancer}");
    }
}

#[test]
fn a_workflow_with_an_unknown_parent_is_refused_at_its_path_with_exit_code_2() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad/dag_unknown_parent.toml");
    let Err(e) = load(&file) else { panic!("accepted") };
    assert_eq!((e.line, e.column, e.field.as_deref()), (Some(14), Some(24), Some("workload.job.path")), "{e}");
    assert!(
        e.message.contains(
            "workflows/unknown_parent.json: workflow.specification.tasks[1].parents[0]: unknown task id 'splitt'"
        ),
        "{e}"
    );
    Command::cargo_bin("schedsim").unwrap().arg("check").arg(&file).assert().code(2);
}

#[test]
fn workflow_output_is_byte_identical_at_any_thread_count() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, threads) in [(&one, "1"), (&two, "2")] {
        Command::cargo_bin("schedsim")
            .unwrap()
            .args(["run", "--quiet", "-j", threads, "-o"])
            .arg(dir.path())
            .arg("scenarios/workflow.toml")
            .assert()
            .success();
    }
    for file in ["summary.csv", "runs.csv", "job_gantt.csv"] {
        let a = std::fs::read(one.path().join("workflow").join(file)).unwrap();
        let b = std::fs::read(two.path().join("workflow").join(file)).unwrap();
        assert!(a == b, "{file} differs between -j 1 and -j 2");
    }
    let summary = std::fs::read_to_string(one.path().join("workflow/summary.csv")).unwrap();
    assert!(summary.lines().next().unwrap().contains(",job_mean_response,"));
}

/// A random DAG: task i's parents are a random subset of the tasks before it.
fn random_dag() -> impl Strategy<Value = Dag> {
    (1usize..24).prop_flat_map(|n| {
        (prop::collection::vec(any::<u32>(), n), prop::collection::vec(0.05f64..5.0, n)).prop_map(
            move |(masks, sizes)| {
                let parents = (0..n)
                    .map(|i| (0..i.min(32)).filter(|&p| masks[i] >> p & 1 == 1).map(|p| (p as u32, 0.0)).collect())
                    .collect();
                Dag::from_parents(parents, Vec::new(), Some(sizes)).unwrap()
            },
        )
    })
}

/// One job of `dag` on `nodes` single-core nodes, no latency: its response.
fn one_job(dag: &Dag, nodes: usize, balancer: &str) -> f64 {
    let mut s = scenario(&format!(
        r#"
name = "one-dag"
seed = 9
[run]
tasks = 1
warmup = 0.0
[[nodes]]
count = {nodes}
[workload]
arrival = {{ process = "poisson", rate = 1.0 }}
size = {{ dist = "exponential", mean = 1.0 }}
job = {{ shape = "fork-join", tasks = 1 }}
[policies]
balancers = ["{balancer}"]
disciplines = ["fifo"]
"#
    ));
    s.workload.job = Some(JobShape::Workflow { path: "generated".into(), dag: Arc::new(dag.clone()) });
    let r = run(&s, balancer, 0);
    assert_eq!(r.tasks_completed as usize, dag.len());
    r.job_mean_response
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// On one single-core node a DAG runs in the sum of its runtimes (the node is never
    /// idle: whenever a task ends, some unfinished task has all its parents done).
    #[test]
    fn one_core_runs_a_dag_in_the_sum_of_its_runtimes(dag in random_dag()) {
        let sum: f64 = dag.sizes.as_ref().unwrap().iter().sum();
        let response = one_job(&dag, 1, "round_robin");
        prop_assert!((response - sum).abs() <= 1e-9 * sum, "{} vs {}", response, sum);
    }

    /// With more idle nodes than tasks, free edges and a balancer that picks an idle
    /// node, a DAG runs in its critical path.
    #[test]
    fn many_nodes_run_a_dag_in_its_critical_path(dag in random_dag()) {
        let critical = dag.critical_path(dag.sizes.as_ref().unwrap());
        for balancer in ["least_connections", "join_idle_queue"] {
            let response = one_job(&dag, dag.len() + 1, balancer);
            prop_assert!((response - critical).abs() <= 1e-9 * critical, "{}: {} vs {}", balancer, response, critical);
        }
    }
}

/// `scenarios/workflow-replay.toml` replays one Epigenomics run on its measured
/// machine: whatever the placement, its makespan is at least the critical path of the
/// measured runtimes (104.8 s, computed from the file by hand), a lower bound.
#[test]
fn the_replayed_workflow_takes_at_least_the_critical_path_of_its_runtimes() {
    let s = load(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/workflow-replay.toml").as_path()).unwrap();
    let Some(JobShape::Workflow { dag, .. }) = &s.workload.job else { panic!("a dag job") };
    // One machine at speed 1: sizes are the measured runtimes, in seconds.
    assert_eq!(s.nodes().len(), 1);
    let critical = dag.critical_path(dag.sizes.as_ref().unwrap());
    assert!((critical - 104.822).abs() < 1e-9, "critical path {critical}");
    for balancer in ["heft", "least_work_left"] {
        let r = run(&s, balancer, 0);
        assert_eq!((r.jobs_arrived, r.jobs_completed, r.tasks_arrived), (1, 1, 41), "{balancer}");
        // The makespan is a difference of two clock readings (completion and arrival),
        // each exact to the clock's rounding: a few ulps of the arrival time.
        let slack = 1e-9;
        assert!(r.job_mean_response >= critical - slack, "{balancer}: makespan {} < {critical}", r.job_mean_response);
    }
}
