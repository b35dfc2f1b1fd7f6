//! Whole-DAG planners (issue 13): their plans against the bounds every plan must meet,
//! runs that execute a plan exactly, the cost table per node group, and the check that
//! refuses a planner without jobs to plan.

use crate::common::{run, scenario};
use assert_cmd::Command;
use proptest::prelude::*;
use schedsim::policy::plan::{makespan, Algorithm, Board, Inputs, Table};
use schedsim::policy::{cpop, heft, max_min, min_min};
use schedsim::scenario::{load, parse};
use schedsim::workload::{Dag, JobShape};
use std::path::Path;
use std::sync::Arc;

/// Every planner, by name, with its plan function.
const PLANNERS: [(&str, Algorithm); 4] =
    [("heft", heft::plan), ("cpop", cpop::plan), ("min_min", min_min::plan), ("max_min", max_min::plan)];

/// A random DAG: task i's parents are a random subset of the tasks before it, each
/// edge carrying 0 to 3 bytes (or nothing if `free`).
fn random_dag(free: bool) -> impl Strategy<Value = Dag> {
    (1usize..20).prop_flat_map(move |n| {
        (
            prop::collection::vec(any::<u32>(), n),
            prop::collection::vec(0.05f64..5.0, n),
            prop::collection::vec(0.0f64..3.0, n * n),
        )
            .prop_map(move |(masks, sizes, bytes)| {
                let parents = (0..n)
                    .map(|i| {
                        (0..i.min(32))
                            .filter(|&p| masks[i] >> p & 1 == 1)
                            .map(|p| (p as u32, if free { 0.0 } else { bytes[i * n + p] }))
                            .collect()
                    })
                    .collect();
                Dag::from_parents(parents, Vec::new(), Some(sizes)).unwrap()
            })
    })
}

/// The job of `dag` on processors of `speeds`, a task of size x costing x / speed;
/// an edge costs its bytes over `bandwidth`.
fn table(dag: &Dag, speeds: &[f64], bandwidth: f64) -> Table {
    let sizes = dag.sizes.as_ref().unwrap();
    let cost = sizes.iter().map(|x| speeds.iter().map(|s| x / s).collect()).collect();
    let parents = dag.parents.iter().map(|ps| ps.iter().map(|&(p, b)| (p, b / bandwidth)).collect()).collect();
    Table::new(parents, cost)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// With free edges, one processor runs the DAG in the sum of its runtimes, and as
    /// many identical processors as tasks run it in its critical path: no planner
    /// leaves a processor idle that it needs, or delays a task that could start.
    #[test]
    fn plans_meet_the_sum_on_one_processor_and_the_critical_path_on_many(dag in random_dag(true)) {
        let sizes = dag.sizes.clone().unwrap();
        let (sum, critical) = (sizes.iter().sum::<f64>(), dag.critical_path(&sizes));
        for (name, plan) in PLANNERS {
            let one = plan(&table(&dag, &[1.0], 1.0), &mut Board::idle([1]), 0.0);
            prop_assert!((makespan(&one, 0.0) - sum).abs() <= 1e-9 * sum, "{}: {} vs sum {}", name, makespan(&one, 0.0), sum);
            let n = dag.len();
            let many = plan(&table(&dag, &vec![1.0; n], 1.0), &mut Board::idle(vec![1; n]), 0.0);
            prop_assert!(
                (makespan(&many, 0.0) - critical).abs() <= 1e-9 * critical,
                "{}: {} vs critical path {}", name, makespan(&many, 0.0), critical
            );
            prop_assert_eq!(many.len(), n);
        }
    }
}

/// A scenario of one job of `dag` (sizes given, exact estimates) on three groups of
/// unequal nodes, no latency, optionally a bandwidth of 1 byte/s, under `balancer`.
fn one_job(dag: &Dag, balancer: &str, bandwidth: bool) -> f64 {
    let network = if bandwidth { "[network]\nbandwidth = 1.0" } else { "" };
    let mut s = scenario(&format!(
        r#"
name = "one-plan"
seed = 4
[run]
tasks = 1
[[nodes]]
name = "one"
speed = 1.0
[[nodes]]
name = "fast"
speed = 2.0
cores = 2
[[nodes]]
name = "slow"
count = 2
speed = 0.5
[workload]
arrival = {{ process = "poisson", rate = 1.0 }}
size = {{ dist = "exponential", mean = 1.0 }}
job = {{ shape = "fork-join", tasks = 1 }}
{network}
[policies]
balancers = ["{balancer}"]
"#
    ));
    s.workload.job = Some(JobShape::Workflow { path: "generated".into(), dag: Arc::new(dag.clone()) });
    let r = run(&s, balancer, 0);
    assert_eq!(r.tasks_completed as usize, dag.len());
    r.job_mean_response
}

/// The speeds and cores of `one_job`'s nodes, in order.
const SPEEDS: [f64; 4] = [1.0, 2.0, 0.5, 0.5];
const CORES: [u32; 4] = [1, 2, 1, 1];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// With exact estimates, no latency and one job at a time, the run executes the
    /// plan: the job's response is the plan's makespan, for every planner, with free
    /// edges and with data on them (each input fetched when its task is released, as
    /// the plan assumes).
    #[test]
    fn a_run_executes_the_plan_exactly(dag in random_dag(false), bandwidth in any::<bool>()) {
        let dag = if bandwidth {
            dag
        } else {
            let free = dag.parents.iter().map(|ps| ps.iter().map(|&(p, _)| (p, 0.0)).collect()).collect();
            Dag::from_parents(free, Vec::new(), dag.sizes.clone()).unwrap()
        };
        let costs = table(&dag, &SPEEDS, 1.0).with_inputs(Inputs::OnRelease);
        for (name, plan) in PLANNERS {
            let planned = makespan(&plan(&costs, &mut Board::idle(CORES), 0.0), 0.0);
            let response = one_job(&dag, name, bandwidth);
            prop_assert!((response - planned).abs() <= 1e-9 * planned, "{}: run {} vs plan {}", name, response, planned);
        }
    }
}

/// The paper's example (Topcuoglu et al. 2002, figure 2) as a workflow file: its cost
/// table as runtimes per node group (one node per group, P1 to P3), its edge costs as
/// the bytes of one file per edge at 1 byte/s. Each planner's run of it takes exactly
/// its plan's makespan, the plan made with the simulator's transfers (inputs fetched
/// at release); HEFT's is 80 with the paper's transfers and longer here.
#[test]
fn the_papers_example_runs_as_planned_from_its_cost_table() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/topcuoglu.toml");
    let s = load(&file).unwrap_or_else(|e| panic!("{e}"));
    let Some(JobShape::Workflow { dag, .. }) = &s.workload.job else { panic!("a dag job") };
    let table = dag.runtimes.as_ref().expect("runtimes per group");
    let cost: Vec<Vec<f64>> = (0..10).map(|t| (0..3).map(|g| table.get(t, g).unwrap()).collect()).collect();
    assert_eq!(cost[0], [14.0, 16.0, 9.0]);
    let paper = Table::new(dag.parents.clone(), cost);
    assert_eq!(makespan(&heft::plan(&paper, &mut Board::idle([1, 1, 1]), 0.0), 0.0), 80.0);
    assert_eq!(makespan(&cpop::plan(&paper, &mut Board::idle([1, 1, 1]), 0.0), 0.0), 86.0);
    let released = paper.with_inputs(Inputs::OnRelease);
    for (name, plan) in PLANNERS {
        let planned = makespan(&plan(&released, &mut Board::idle([1, 1, 1]), 0.0), 0.0);
        let r = run(&s, name, 0);
        assert!((r.job_mean_response - planned).abs() < 1e-9, "{name}: run {} vs plan {planned}", r.job_mean_response);
        assert!(planned >= 80.0, "{name}: {planned}");
    }
}

/// A task runs for its group's runtime: the chain a -> b of `runtime_by_group.json`
/// takes 3 + 1.5 s on a node of group `fast` and 7.5 + 2 s on one of `slow` (b gives
/// no runtime for `slow`: its size, 4, over the node's speed, 2).
#[test]
fn a_task_runs_for_its_groups_runtime() {
    let text = |group: &str, speed: f64| {
        format!(
            r#"
name = "tabled"
[run]
tasks = 1
[[nodes]]
name = "{group}"
speed = {speed}
[[nodes]]
name = "{other}"
[workload]
arrival = {{ process = "poisson", rate = 1.0 }}
size = {{ dist = "exponential", mean = 1.0 }}
job = {{ shape = "dag", path = "data/workflows/runtime_by_group.json" }}
[policies]
balancers = ["min_execution_time"]
"#,
            other = if group == "fast" { "slow" } else { "fast" },
        )
    };
    let at = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tabled.toml");
    // min_execution_time picks the fastest node: the first group's, at speed 2.
    let s = parse(&text("fast", 2.0), &at).unwrap_or_else(|e| panic!("{e}"));
    assert!((run(&s, "min_execution_time", 0).job_mean_response - 4.5).abs() < 1e-9);
    let s = parse(&text("slow", 2.0), &at).unwrap_or_else(|e| panic!("{e}"));
    assert!((run(&s, "min_execution_time", 0).job_mean_response - (7.5 + 2.0)).abs() < 1e-9);
}

#[test]
fn a_runtime_for_a_group_the_scenario_lacks_is_refused_at_the_path() {
    let text = r#"
name = "bad-group"
[run]
tasks = 1
[[nodes]]
name = "fast"
[[nodes]]
name = "slw"
[workload]
arrival = { process = "poisson", rate = 1.0 }
size = { dist = "exponential", mean = 1.0 }
job = { shape = "dag", path = "data/workflows/runtime_by_group.json" }
"#;
    let at = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad.toml");
    let Err(e) = parse(text, &at) else { panic!("accepted") };
    assert_eq!((e.line, e.field.as_deref()), (Some(12), Some("workload.job.path")), "{e}");
    assert!(
        e.message.contains(
            "data/workflows/runtime_by_group.json: workflow.execution.tasks[0].runtimeByGroup.slow: task 'a' names \
             node group 'slow', which the scenario does not have; did you mean 'slw'? (its groups: fast, slw)"
        ),
        "{e}"
    );
}

#[test]
fn a_planner_without_jobs_is_refused_at_check_with_exit_code_2() {
    let text = r#"
name = "no-jobs"
[run]
tasks = 10
[[nodes]]
count = 2
[workload]
arrival = { process = "poisson", rate = 1.0 }
size = { dist = "exponential", mean = 1.0 }
[policies]
balancers = ["random", "heft"]
"#;
    let Err(e) = parse(text, Path::new("no-jobs.toml")) else { panic!("accepted") };
    assert_eq!((e.line, e.field.as_deref()), (Some(11), Some("policies.balancers[1]")), "{e}");
    assert!(e.message.contains("balancer 'heft' plans whole DAG jobs: the workload has no `job`"), "{e}");
    // "all" leaves the planners out without jobs, and takes them with.
    let all = text.replace(r#"["random", "heft"]"#, r#""all""#);
    let s = parse(&all, Path::new("all.toml")).unwrap();
    assert!(s.balancers.iter().all(|b| !["heft", "cpop", "min_min", "max_min"].contains(&b.name.as_str())));
    let with_jobs = all.replace("[policies]", "job = { shape = \"fork-join\", tasks = 3 }\n[policies]");
    let s = parse(&with_jobs, Path::new("all.toml")).unwrap();
    assert_eq!(
        s.balancers.iter().filter(|b| ["heft", "cpop", "min_min", "max_min"].contains(&b.name.as_str())).count(),
        4
    );
    // Central mode refuses them as balancers of dispatch mode only.
    let central = with_jobs.replace(r#""all""#, r#"["heft"]"#).replace("tasks = 10", "tasks = 10\nmode = \"central\"");
    let Err(e) = parse(&central, Path::new("central.toml")) else { panic!("accepted") };
    assert!(e.message.contains("'heft' applies only in dispatch mode"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("no-jobs.toml");
    std::fs::write(&file, text).unwrap();
    Command::cargo_bin("schedsim").unwrap().arg("check").arg(&file).assert().code(2);
}

/// Under failures, retries and latency, with two dispatchers, every planner's jobs are
/// accounted for (conservation per job and per task is checked by the run itself):
/// tasks whose node is believed down go to the fallback, and a failed job's held
/// tasks are let go.
#[test]
fn planned_jobs_are_conserved_under_failures() {
    let text = r#"
name = "planned-failing"
seed = 8
[run]
tasks = 600
dispatchers = 2
[[nodes]]
name = "fast"
count = 2
speed = 2.0
cores = 2
failure = { mtbf = { dist = "exponential", mean = 60.0 }, mttr = { dist = "exponential", mean = 5.0 } }
[[nodes]]
name = "slow"
count = 3
failure = { mtbf = { dist = "exponential", mean = 60.0 }, mttr = { dist = "exponential", mean = 5.0 } }
[workload]
arrival = { process = "poisson", rate = 0.4 }
size = { dist = "exponential", mean = 1.0 }
estimate_error = 0.3
job = { shape = "map-reduce", maps = 4, reduces = 2, shuffle = 1e5 }
[network]
latency = { dist = "exponential", mean = 0.01 }
bandwidth = 1e6
[faults]
heartbeat = { interval = 1.0, timeout = 3.0 }
retry = { max_attempts = 2 }
"#;
    for name in ["heft", "cpop", "min_min", "max_min"] {
        let s = scenario(&format!("{text}[policies]\nbalancers = [\"{name}\"]\n"));
        let r = run(&s, name, 0);
        assert_eq!(r.jobs_arrived, 600, "{name}");
        assert_eq!(r.jobs_arrived, r.jobs_completed + r.jobs_failed, "{name}");
        assert_eq!(6 * r.jobs_arrived, r.tasks_arrived + r.tasks_unreleased, "{name}");
        assert!(r.jobs_completed > 500, "{name}: {r:?}");
    }
}
