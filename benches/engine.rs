//! The engine alone: events per second through the event queue, with a steady
//! population of pending events (like a model with that many busy servers).

mod queues;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use queues::{
    delays, filled, run, Calendar, Heap4, Queue, Radix128, RadixDigits, RadixMin, RadixTime, Shape, CHUNK, TABLE,
};
use schedsim::engine::{EventQueue, SimRng};
use std::time::{Duration, Instant};

fn steady<Q: Queue<u32>>(
    g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    pending: usize,
    d: &[f64],
) {
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

/// Half the events at the delays of `before`, half at those of `after`, from a queue
/// warmed up on `before`.
fn scale_change<Q: Queue<u32>>(
    g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    pending: usize,
    before: &[f64],
    after: &[f64],
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

/// All candidates pop the same (time, event) sequence as the 4-ary heap.
fn check<Q: Queue<u32>>() {
    let mut rng = SimRng::new(3);
    // Times on a coarse grid: many ties, and delays of 0.
    let d: Vec<f64> = (0..TABLE).map(|_| (rng.below(4) as f64) * 0.5).collect();
    let (mut a, mut b): (Heap4<u32>, Q) = (Heap4::with_capacity(0), Q::with_capacity(0));
    let mut next = 0u32;
    for k in 0..200_000usize {
        if rng.below(3) > 0 || a.len() == 0 {
            let x = d[k & (TABLE - 1)] * if k > 100_000 { 1e-4 } else { 1.0 };
            a.schedule_in(x, next);
            b.schedule_in(x, next);
            next += 1;
        } else {
            assert_eq!(a.pop().map(|(t, e)| (t.to_bits(), e)), b.pop().map(|(t, e)| (t.to_bits(), e)));
        }
    }
    while let Some(x) = a.pop() {
        assert_eq!(Some((x.0.to_bits(), x.1)), b.pop().map(|(t, e)| (t.to_bits(), e)));
    }
    assert_eq!(b.len(), 0);
}

fn engine(c: &mut Criterion) {
    check::<EventQueue<u32>>();
    check::<RadixTime<u32>>();
    check::<Radix128<u32>>();
    check::<Calendar<u32>>();
    check::<RadixMin<u32>>();
    check::<RadixDigits<u32, 4>>();
    check::<Calendar<u32, false>>();
    for shape in [Shape::Exponential, Shape::Pareto] {
        let d = delays(shape, 1.0, 1);
        let mut g = c.benchmark_group(format!("hold_{shape:?}").to_lowercase());
        g.throughput(Throughput::Elements(CHUNK));
        g.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
        for pending in [10usize, 1_000, 100_000] {
            steady::<Heap4<u32>>(&mut g, "heap4", pending, &d);
            steady::<RadixTime<u32>>(&mut g, "radix_time", pending, &d);
            steady::<RadixMin<u32>>(&mut g, "radix_min", pending, &d);
            steady::<Radix128<u32>>(&mut g, "radix128", pending, &d);
            steady::<Calendar<u32>>(&mut g, "calendar", pending, &d);
        }
        g.finish();
    }
    let before = delays(Shape::Exponential, 1.0, 1);
    let half = 200_000;
    for (label, scale) in [("down", 1e-4), ("up", 1e4)] {
        let after = delays(Shape::Exponential, scale, 2);
        let mut g = c.benchmark_group(format!("scale_{label}"));
        g.throughput(Throughput::Elements(2 * half));
        g.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
        for pending in [1_000usize, 10_000] {
            scale_change::<Heap4<u32>>(&mut g, "heap4", pending, &before, &after, half);
            scale_change::<RadixTime<u32>>(&mut g, "radix_time", pending, &before, &after, half);
            scale_change::<RadixMin<u32>>(&mut g, "radix_min", pending, &before, &after, half);
            scale_change::<Radix128<u32>>(&mut g, "radix128", pending, &before, &after, half);
            scale_change::<Calendar<u32>>(&mut g, "calendar", pending, &before, &after, half);
        }
        g.finish();
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
