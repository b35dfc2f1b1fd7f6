//! Results against queueing theory, and common random numbers.
//!
//! Each test runs 10 independent replications and checks that the theoretical value
//! lies within the 99.9% Student-t confidence interval of the replication means
//! (plus the histogram's stated 0.1% relative error for percentiles): a correct
//! simulator fails such a check about once in 1,000 seeds.

use crate::common::{mean_and_halfwidth, records, run, scenario, T_9995_DF9};

fn mm1(load: f64, tasks: u64) -> String {
    format!(
        r#"
name = "mm1"
seed = 2024
replications = 10
[run]
tasks = {tasks}
warmup = 0.1
[[nodes]]
count = 1
[workload]
arrival = {{ process = "poisson", rate = {load} }}
size = {{ dist = "exponential", mean = 1.0 }}
[policies]
balancers = ["random"]
"#
    )
}

/// M/M/1 at load 0.8: response time is exponential with rate mu - lambda = 0.2, so
/// the mean is 5.0, the median 5 ln 2 and the 99th percentile 5 ln 100.
#[test]
fn mm1_at_load_0_8_matches_theory() {
    let s = scenario(&mm1(0.8, 100_000));
    let runs: Vec<_> = (0..10).map(|r| run(&s, "random", r)).collect();
    let check = |what: &str, xs: Vec<f64>, expected: f64, relative_error: f64| {
        let (mean, h) = mean_and_halfwidth(&xs, T_9995_DF9);
        let tolerance = h + relative_error * expected;
        assert!((mean - expected).abs() <= tolerance, "{what}: {mean} ± {tolerance}, theory {expected}");
    };
    check("mean response", runs.iter().map(|r| r.mean_response).collect(), 5.0, 0.0);
    check("median response", runs.iter().map(|r| r.p50_response).collect(), 5.0 * 2f64.ln(), 1e-3);
    check("p99 response", runs.iter().map(|r| r.p99_response).collect(), 5.0 * 100f64.ln(), 1e-3);
    // Mean wait = rho / (mu - lambda) = 4.0; utilization = rho = 0.8.
    check("mean wait", runs.iter().map(|r| r.mean_wait).collect(), 4.0, 0.0);
    check("utilization", runs.iter().map(|r| r.utilization).collect(), 0.8, 0.0);
    for r in &runs {
        assert_eq!(r.tasks_arrived, r.tasks_completed + r.tasks_failed + r.tasks_in_system);
    }
}

/// M/M/c with c = 4 cores on one node at load 0.75 against Erlang C.
#[test]
fn mmc_cores_match_erlang_c() {
    let text = r#"
name = "mmc"
seed = 99
replications = 10
[run]
tasks = 100_000
warmup = 0.1
[[nodes]]
cores = 4
[workload]
arrival = { process = "poisson", rate = 3.0 }
size = { dist = "exponential", mean = 1.0 }
[policies]
balancers = ["random"]
"#;
    let s = scenario(text);
    // Erlang C with c = 4, a = lambda / mu = 3: P(wait) = [a^c/c! * c/(c-a)] / [sum_{k<c} a^k/k! + a^c/c! * c/(c-a)].
    let (c, a) = (4.0f64, 3.0f64);
    let fact = |k: u32| (1..=k).map(|i| i as f64).product::<f64>();
    let tail = a.powi(4) / fact(4) * c / (c - a);
    let head: f64 = (0..4).map(|k| a.powi(k as i32) / fact(k)).sum();
    let p_wait = tail / (head + tail);
    let expected = p_wait / (c - a) + 1.0; // W = P(wait) / (c mu - lambda) + 1 / mu
    let xs: Vec<f64> = (0..10).map(|r| run(&s, "random", r).mean_response).collect();
    let (mean, h) = mean_and_halfwidth(&xs, T_9995_DF9);
    assert!((mean - expected).abs() <= h, "M/M/4: {mean} ± {h}, Erlang C says {expected}");
}

/// Every balancer in a run sees the same tasks: same arrival times and sizes, task by
/// task, while different replications see different ones.
#[test]
fn balancers_in_one_run_see_identical_arrivals_and_sizes() {
    let text = r#"
name = "crn"
seed = 5
[run]
tasks = 20_000
[[nodes]]
count = 8
[workload]
arrival = { process = "poisson", rate = 6.0 }
size = { dist = "lognormal", mean = 1.0, cv = 1.5 }
estimate_error = 0.5
classes = [ { name = "a", share = 0.3, priority = 0 }, { name = "b", share = 0.7, priority = 1 } ]
[policies]
balancers = ["random", "round_robin", "least_connections"]
"#;
    let s = scenario(text);
    let key = |b: &str, rep: u32| -> Vec<(u64, u16, f64, f64)> {
        records(&s, b, rep).iter().map(|r| (r.seq, r.class, r.arrival, r.size)).collect()
    };
    let random = key("random", 0);
    assert_eq!(random.len(), 20_000);
    assert_eq!(random, key("least_connections", 0));
    assert_eq!(random, key("round_robin", 0));
    assert_ne!(random, key("random", 1));
    // The policies did differ: they placed tasks on different nodes.
    let nodes = |b: &str| records(&s, b, 0).iter().map(|r| r.node).collect::<Vec<_>>();
    assert_ne!(nodes("random"), nodes("least_connections"));
}

/// On 10 identical single-core nodes at load 0.8: random routing makes each node an
/// M/M/1 (mean 5.0); round robin smooths arrivals (E_10/M/1, lower); least
/// connections sees every queue (lower still). The ordering holds by a wide margin.
#[test]
fn on_identical_nodes_least_connections_beats_round_robin_beats_random() {
    let text = r#"
name = "order"
seed = 11
[run]
tasks = 100_000
warmup = 0.1
[[nodes]]
count = 10
[workload]
arrival = { process = "poisson", rate = 8.0 }
size = { dist = "exponential", mean = 1.0 }
"#;
    let s = scenario(text);
    let mean = |b: &str| (0..5).map(|r| run(&s, b, r).mean_response).sum::<f64>() / 5.0;
    let (random, rr, lc) = (mean("random"), mean("round_robin"), mean("least_connections"));
    assert!(lc < rr && rr < random, "least_connections {lc}, round_robin {rr}, random {random}");
}

/// Tasks that no node can run fail, visibly, and conservation still holds.
#[test]
fn tasks_too_big_for_every_node_fail_and_are_counted() {
    let text = r#"
name = "too-big"
[run]
tasks = 2_000
[[nodes]]
count = 2
cores = 4
memory = 16.0
[workload]
arrival = { process = "poisson", rate = 1.0 }
size = { dist = "exponential", mean = 1.0 }
memory = { dist = "exponential", mean = 8.0 }
"#;
    let s = scenario(text);
    let r = run(&s, "least_connections", 0);
    // P(memory > 16) = exp(-2) = 0.135: about 271 of 2,000 fail (sd 15).
    assert!(r.tasks_failed > 150 && r.tasks_failed < 400, "{} failed", r.tasks_failed);
    assert_eq!(r.tasks_arrived, r.tasks_completed + r.tasks_failed + r.tasks_in_system);
}
