//! Decision cost of every balancer at 10 to 100,000 nodes: one iteration is one step
//! of [`steady::Steady`] (a decision and two belief updates). The `harness` row is
//! the step without a balancer, included in every other row.
//!
//! Dispatch mode for all but `best_fit` (central mode only), which looks at every node
//! by definition and is run at 10 and 1,000 nodes.

mod steady;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use schedsim::model::Mode;
use schedsim::policy::registry::BALANCERS;
use std::hint::black_box;
use std::time::Duration;
use steady::Steady;

fn balancers(c: &mut Criterion) {
    let mut group = c.benchmark_group("decision");
    group.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    let rows = std::iter::once(None)
        .chain(BALANCERS.iter().filter(|e| !steady::plans_jobs(e.info.name)).map(|e| Some(&e.info)));
    for info in rows {
        let (name, mode) = match info {
            None => ("harness", Mode::Dispatch),
            Some(i) if i.modes.contains(&Mode::Dispatch) => (i.name, Mode::Dispatch),
            Some(i) => (i.name, Mode::Central),
        };
        let sizes: &[usize] = if mode == Mode::Central { &[10, 1_000] } else { &[10, 1_000, 10_000, 100_000] };
        for &nodes in sizes {
            let mut state = Steady::new(info.map(|i| i.name), nodes, mode);
            group.bench_with_input(BenchmarkId::new(name, nodes), &nodes, |b, _| b.iter(|| black_box(state.step())));
        }
    }
    group.finish();
}

criterion_group!(benches, balancers);
criterion_main!(benches);
