//! Queue disciplines: known orderings from queueing theory, and EASY backfilling's
//! guarantee to the head of the queue (the backfilling disciplines' hand-computed
//! schedules are in `backfill.rs`).

use crate::common::scenario;
use schedsim::policy::PolicySpec;
use schedsim::sim::{Simulation, TaskRecord};

/// Runs one replication with a named discipline and balancer; returns the mean
/// response (over all tasks, warm-up included: the comparison is paired) and every
/// task's record.
fn run(text: &str, discipline: &str, replication: u32) -> (f64, Vec<TaskRecord>) {
    let s = scenario(text);
    let mut records = Vec::new();
    let r = Simulation::new(&s, &s.balancers[0], &PolicySpec::named(discipline), replication)
        .unwrap_or_else(|e| panic!("{e}"))
        .run_observed(|t| records.push(*t))
        .unwrap_or_else(|e| panic!("{e}"))
        .result;
    assert_eq!(r.tasks_arrived, r.tasks_completed, "{discipline}: every task completes");
    (r.mean_response, records)
}

fn single_node(extra: &str) -> String {
    format!(
        r#"
name = "one-node"
seed = 8
[run]
tasks = 50_000
warmup = 0.1
[[nodes]]
count = 1
[workload]
arrival = {{ process = "poisson", rate = 0.9 }}
size = {{ dist = "exponential", mean = 1.0 }}
{extra}
"#
    )
}

/// On one node at load 0.9 with exponential sizes and exact estimates: SRPT <= SJF <=
/// FIFO in mean response. The theoretical gaps are large (FIFO 10.0, SJF about 5.1,
/// SRPT about 4.2 by Phipps' and Schrage-Miller's formulas), and the three runs see the
/// same tasks (common random numbers), so the paired comparison is decisive.
#[test]
fn srpt_beats_sjf_beats_fifo_on_one_node() {
    let text = single_node("");
    for rep in 0..3 {
        let (fifo, _) = run(&text, "fifo", rep);
        let (sjf, _) = run(&text, "sjf", rep);
        let (srpt, records) = run(&text, "srpt", rep);
        assert!(srpt <= sjf && sjf <= fifo, "replication {rep}: srpt {srpt}, sjf {sjf}, fifo {fifo}");
        assert!(records.iter().any(|r| r.preemptions > 0), "srpt preempts");
    }
}

/// Two classes (priority 0: 30% of tasks, 1: 70%) at load 0.9. Under preemptive-resume
/// priority class 0 sees only its own load (0.27): mean response 1/(1-0.27) = 1.37;
/// under non-preemptive priority it also waits for the residual of any running task:
/// 1 + 0.9/(1-0.27) = 2.23 (Cobham). Class 0 must do better with preemption.
#[test]
fn preemptive_priority_serves_class_0_faster_than_priority() {
    let text = single_node(
        r#"classes = [ { name = "urgent", share = 0.3, priority = 0 }, { name = "bulk", share = 0.7, priority = 1 } ]"#,
    );
    let class0_mean = |records: &[TaskRecord]| {
        let (sum, n) = records
            .iter()
            .filter(|r| r.class == 0 && r.seq >= 5_000)
            .fold((0.0, 0usize), |(s, n), r| (s + r.end - r.arrival, n + 1));
        sum / n as f64
    };
    for rep in 0..3 {
        let (_, p) = run(&text, "priority", rep);
        let (_, pp) = run(&text, "preemptive_priority", rep);
        let (np, pre) = (class0_mean(&p), class0_mean(&pp));
        assert!(pre < np, "replication {rep}: class 0 mean {pre} preemptive vs {np} non-preemptive");
        assert!(pp.iter().filter(|r| r.class == 0).all(|r| r.preemptions == 0), "class 0 is never preempted");
    }
}

/// EDF counts deadline misses, and misses fewer than FIFO when deadlines are tight for
/// one class and loose for the other.
#[test]
fn edf_misses_fewer_deadlines_than_fifo() {
    let text = single_node(
        r#"classes = [ { name = "tight", share = 0.5, priority = 0, deadline = 3.0 }, { name = "loose", share = 0.5, priority = 1, deadline = 60.0 } ]"#,
    );
    let s = scenario(&text);
    let misses = |d: &str| {
        Simulation::new(&s, &s.balancers[0], &PolicySpec::named(d), 0).unwrap().run().unwrap().deadline_misses
    };
    let (edf, fifo) = (misses("edf"), misses("fifo"));
    assert!(fifo > 0, "tight deadlines are missed under fifo");
    assert!(edf < fifo, "edf {edf} misses, fifo {fifo}");
}

/// EASY backfilling with exact estimates never starts a task later than the
/// reservation it got when it first became the blocked head of the queue: checked on
/// 40 random small central-mode workloads (random core and memory needs, sizes and
/// cluster shapes).
#[test]
fn easy_backfill_never_delays_the_heads_reservation() {
    let mut checked = 0;
    for seed in 0..40u64 {
        let nodes = 1 + seed % 3;
        let cores = [4, 8, 16][(seed % 3) as usize];
        let text = format!(
            r#"
name = "backfill"
seed = {seed}
[run]
tasks = 400
mode = "central"
[[nodes]]
count = {nodes}
cores = {cores}
memory = 32.0
[workload]
arrival = {{ process = "poisson", rate = {rate} }}
size = {{ dist = "lognormal", mean = 4.0, cv = 1.5 }}
cores = {{ dist = "uniform", low = 0.0, high = {cores} }}
memory = {{ dist = "uniform", low = 1.0, high = 24.0 }}
[policies]
balancers = ["{balancer}"]
disciplines = ["easy_backfill"]
"#,
            rate = 0.08 * nodes as f64 * cores as f64 / 4.0,
            balancer = ["random", "least_connections", "round_robin"][(seed % 3) as usize],
        );
        // Every task completes under conservative backfilling too (`run` checks it).
        run(&text, "conservative_backfill", 0);
        let (_, records) = run(&text, "easy_backfill", 0);
        for r in records.iter().filter(|r| !r.reservation.is_nan()) {
            checked += 1;
            assert!(
                r.start <= r.reservation + 1e-9,
                "seed {seed}: task {} reserved for {} but started at {}",
                r.seq,
                r.reservation,
                r.start
            );
        }
    }
    assert!(checked > 200, "the workloads must block the head often enough to test anything ({checked})");
}

/// Backfilling lets small tasks past a blocked head: it cuts mean response against
/// strict FIFO on a memory-bound cluster.
#[test]
fn easy_backfill_beats_strict_fifo_when_the_head_blocks() {
    let text = r#"
name = "hpc"
seed = 4
[run]
tasks = 5_000
warmup = 0.1
mode = "central"
[[nodes]]
count = 4
cores = 16
memory = 64.0
[workload]
arrival = { process = "poisson", rate = 0.8 }
size = { dist = "lognormal", mean = 10.0, cv = 1.0 }
cores = { dist = "uniform", low = 0.0, high = 16.0 }
memory = { dist = "uniform", low = 2.0, high = 48.0 }
[policies]
balancers = ["least_connections"]
"#;
    let (fifo, _) = run(text, "fifo", 0);
    let (easy, records) = run(text, "easy_backfill", 0);
    assert!(easy < fifo, "easy_backfill {easy} vs fifo {fifo}");
    assert!(records.iter().any(|r| !r.reservation.is_nan()));
}
