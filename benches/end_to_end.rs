//! End to end: a dispatcher over 100 single-core FIFO nodes, Poisson arrivals at load
//! 0.9, exponential sizes (the peers' model (b), see BENCHMARKS.md). Throughput is in
//! simulated tasks per second of wall time.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use schedsim::scenario;
use schedsim::sim::Simulation;
use std::path::Path;

/// The bench scenario: `nodes` identical nodes at load 0.9, `tasks` tasks.
pub fn scenario_text(nodes: u32, tasks: u64, balancer: &str) -> String {
    format!(
        r#"
name = "bench"
[run]
tasks = {tasks}
[[nodes]]
count = {nodes}
[workload]
arrival = {{ process = "poisson", rate = {rate} }}
size = {{ dist = "exponential", mean = 1.0 }}
[policies]
balancers = ["{balancer}"]
"#,
        rate = 0.9 * nodes as f64
    )
}

fn end_to_end(c: &mut Criterion) {
    let tasks = 1_000_000u64;
    let mut group = c.benchmark_group("end_to_end_100_nodes");
    group.throughput(Throughput::Elements(tasks));
    group.sample_size(10);
    for balancer in ["least_connections", "random", "round_robin"] {
        let s = scenario::parse(&scenario_text(100, tasks, balancer), Path::new("bench.toml")).expect("valid");
        group.bench_with_input(BenchmarkId::from_parameter(balancer), &s, |b, s| {
            b.iter(|| Simulation::new(s, &s.balancers[0], &s.disciplines[0], 0).unwrap().run().unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
