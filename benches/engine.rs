//! The engine alone: events per second through the event queue, with a steady
//! population of pending events (like a model with that many busy servers).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use schedsim::engine::{EventQueue, SimRng};

/// Hold model: `pending` events in the queue; each pop schedules one replacement at an
/// exponential delay, so the queue size stays fixed. Counts one event per pop.
fn hold(pending: usize, events: u64) -> u64 {
    let mut rng = SimRng::new(1);
    let mut q: EventQueue<u32> = EventQueue::with_capacity(pending);
    for i in 0..pending {
        q.schedule_in(-rng.open01().ln(), i as u32);
    }
    let mut sum = 0u64;
    for _ in 0..events {
        let (_, _, e) = q.pop().expect("queue never empties");
        sum += e as u64;
        q.schedule_in(-rng.open01().ln(), e);
    }
    sum
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine_hold");
    let events = 1_000_000u64;
    group.throughput(Throughput::Elements(events));
    group.sample_size(10);
    for pending in [100usize, 10_000] {
        group.bench_with_input(BenchmarkId::from_parameter(pending), &pending, |b, &p| b.iter(|| hold(p, events)));
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
