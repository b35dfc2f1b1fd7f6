//! The engine alone: events per second through the event queue in the hold model (a
//! steady population of pending events, each pop scheduling one replacement, like a
//! model with that many busy servers), for the event queue and, as a reference, the
//! 4-ary heap it replaced (issue 11).
//!
//! `cargo bench --bench engine -- --noplot` (about 1.5 minutes). Groups:
//! - `hold_exponential`, `hold_pareto`: 10, 1,000 and 100,000 pending, delays with
//!   mean 1, exponential or Pareto with shape 1.2 (infinite variance);
//! - `scale_down`, `scale_up`: 1,000 and 10,000 pending, warmed up at mean delay 1,
//!   then 200,000 events at mean 1 and 200,000 at mean 1e-4 (down) or 1e4 (up).
//!
//! On a shared machine, `examples/queue_hold.rs compare` (alternating blocks) gives
//! steadier ratios, and callgrind instruction counts steadier still.

mod queues;

use criterion::measurement::WallTime;
use criterion::{black_box, criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use queues::{delays, filled, run, Heap4, Queue, Shape, CHUNK, TABLE};
use schedsim::engine::{EventQueue, SimRng};
use std::time::{Duration, Instant};

/// `CHUNK` events per iteration on one queue kept running.
fn steady<Q: Queue<u32>>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, pending: usize, d: &[f64]) {
    let mut i = 0;
    let mut q: Q = filled(pending, d, &mut i);
    g.bench_function(BenchmarkId::new(name, pending), |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            black_box(run(&mut q, d, &mut i, iters * CHUNK));
            t.elapsed()
        })
    });
}

/// Per iteration, a queue warmed up on `before` (not timed), then `half` events at the
/// delays of `before` and `half` at those of `after`.
fn scale_change<Q: Queue<u32>>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    pending: usize,
    (before, after): (&[f64], &[f64]),
    half: u64,
) {
    g.bench_function(BenchmarkId::new(name, pending), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut i = 0;
                let mut q: Q = filled(pending, before, &mut i);
                let t = Instant::now();
                black_box(run(&mut q, before, &mut i, half));
                black_box(run(&mut q, after, &mut i, half));
                total += t.elapsed();
            }
            total
        })
    });
}

/// The event queue pops the same (time, event) sequence as the 4-ary heap, with many
/// ties and a scale change (the unit tests check it far more closely).
fn check() {
    let mut rng = SimRng::new(3);
    let d: Vec<f64> = (0..TABLE).map(|_| (rng.below(4) as f64) * 0.5).collect();
    let (mut a, mut b): (Heap4<u32>, EventQueue<u32>) = (Queue::with_capacity(0), Queue::with_capacity(0));
    let mut next = 0u32;
    let key = |x: Option<(f64, u32)>| x.map(|(t, e)| (t.to_bits(), e));
    for k in 0..200_000usize {
        if rng.below(3) > 0 || a.len() == 0 {
            let x = d[k & (TABLE - 1)] * if k > 100_000 { 1e-4 } else { 1.0 };
            a.schedule_in(x, next);
            Queue::schedule_in(&mut b, x, next);
            next += 1;
        } else {
            assert_eq!(key(a.pop()), key(Queue::pop(&mut b)));
        }
    }
    while let Some(x) = a.pop() {
        assert_eq!(key(Some(x)), key(Queue::pop(&mut b)));
    }
    assert!(b.is_empty());
}

fn engine(c: &mut Criterion) {
    check();
    for shape in [Shape::Exponential, Shape::Pareto] {
        let d = delays(shape, 1.0, 1);
        let mut g = c.benchmark_group(format!("hold_{shape:?}").to_lowercase());
        g.throughput(Throughput::Elements(CHUNK));
        g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
        for pending in [10usize, 1_000, 100_000] {
            steady::<Heap4<u32>>(&mut g, "heap4", pending, &d);
            steady::<EventQueue<u32>>(&mut g, "event_queue", pending, &d);
        }
        g.finish();
    }
    let before = delays(Shape::Exponential, 1.0, 1);
    let half = 200_000;
    for (label, scale) in [("down", 1e-4), ("up", 1e4)] {
        let after = delays(Shape::Exponential, scale, 2);
        let mut g = c.benchmark_group(format!("scale_{label}"));
        g.throughput(Throughput::Elements(2 * half));
        g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
        for pending in [1_000usize, 10_000] {
            scale_change::<Heap4<u32>>(&mut g, "heap4", pending, (&before, &after), half);
            scale_change::<EventQueue<u32>>(&mut g, "event_queue", pending, (&before, &after), half);
        }
        g.finish();
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
