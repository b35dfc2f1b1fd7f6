//! The hold model of `benches/engine.rs` outside criterion: one run for instruction
//! counts, or alternating timed blocks of the event queue and of the 4-ary heap it
//! replaced, which a shared machine's load affects alike.
//!
//! ```sh
//! # instructions per event: the difference of two runs, 1 M and 3 M events
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/queue_hold event_queue 1000 exponential 1000000
//! # least and median ns per event over 15 rounds of 200,000 events each
//! target/release/examples/queue_hold compare 1000 pareto
//! # 7 rounds: fresh queues, 200,000 events at mean delay 1 then 200,000 at 1e4
//! target/release/examples/queue_hold scale 10000 1e4
//! ```
//! Arguments of a run: queue (`heap4`, the queue before issue 11, or `event_queue`),
//! pending events, delay shape (`exponential`, `pareto`), events after the warm-up.

#[path = "../benches/queues/mod.rs"]
mod queues;

use queues::{delays, filled, run, Heap4, Queue, Shape};
use schedsim::engine::EventQueue;

fn go<Q: Queue<u32>>(pending: usize, shape: Shape, events: u64) -> u64 {
    let d = delays(shape, 1.0, 1);
    let mut i = 0;
    let mut q: Q = filled(pending, &d, &mut i);
    run(&mut q, &d, &mut i, events)
}

/// A queue kept running between timed blocks.
trait Block {
    fn block(&mut self, events: u64) -> u64;
}
struct Held<Q> {
    q: Q,
    d: Vec<f64>,
    i: usize,
}
impl<Q: Queue<u32>> Block for Held<Q> {
    fn block(&mut self, events: u64) -> u64 {
        run(&mut self.q, &self.d, &mut self.i, events)
    }
}
fn held<Q: Queue<u32> + 'static>(pending: usize, shape: Shape) -> Box<dyn Block> {
    let d = delays(shape, 1.0, 1);
    let mut i = 0;
    let q: Q = filled(pending, &d, &mut i);
    Box::new(Held { q, d, i })
}

/// `compare PENDING SHAPE`: every queue in alternating blocks; least and median ns/event.
fn compare(pending: usize, shape: Shape) {
    let mut qs: Vec<(&str, Box<dyn Block>)> =
        vec![("heap4", held::<Heap4<u32>>(pending, shape)), ("event_queue", held::<EventQueue<u32>>(pending, shape))];
    let events = 200_000;
    let mut ns: Vec<Vec<f64>> = vec![Vec::new(); qs.len()];
    for _ in 0..15 {
        for (k, (_, q)) in qs.iter_mut().enumerate() {
            let t = std::time::Instant::now();
            std::hint::black_box(q.block(events));
            ns[k].push(t.elapsed().as_nanos() as f64 / events as f64);
        }
    }
    for (k, (name, _)) in qs.iter().enumerate() {
        ns[k].sort_by(f64::total_cmp);
        println!("{pending} {shape:?} {name}: least {:.1} median {:.1} ns/event", ns[k][0], ns[k][7]);
    }
}

/// `scale PENDING FACTOR`: fresh queues warmed up at mean delay 1, then 200,000 events
/// at mean 1 and 200,000 at mean FACTOR, timed; alternating; least and median ns/event.
fn scale(pending: usize, factor: f64) {
    fn one<Q: Queue<u32>>(pending: usize, before: &[f64], after: &[f64]) -> f64 {
        let mut i = 0;
        let mut q: Q = filled(pending, before, &mut i);
        let t = std::time::Instant::now();
        std::hint::black_box(run(&mut q, before, &mut i, 200_000));
        std::hint::black_box(run(&mut q, after, &mut i, 200_000));
        t.elapsed().as_nanos() as f64 / 400_000.0
    }
    type One = fn(usize, &[f64], &[f64]) -> f64;
    let qs: [(&str, One); 2] = [("heap4", one::<Heap4<u32>>), ("event_queue", one::<EventQueue<u32>>)];
    let before = delays(Shape::Exponential, 1.0, 1);
    let after = delays(Shape::Exponential, factor, 2);
    let mut ns: Vec<Vec<f64>> = vec![Vec::new(); qs.len()];
    for _ in 0..7 {
        for (k, (_, f)) in qs.iter().enumerate() {
            ns[k].push(f(pending, &before, &after));
        }
    }
    for (k, (name, _)) in qs.iter().enumerate() {
        ns[k].sort_by(f64::total_cmp);
        println!("{pending} x{factor:e} {name}: least {:.1} median {:.1} ns/event", ns[k][0], ns[k][3]);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let pending: usize = arg(1).and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let shape = match arg(2) {
        Some("pareto") => Shape::Pareto,
        _ => Shape::Exponential,
    };
    let events: u64 = arg(3).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    if arg(0) == Some("scale") {
        return scale(pending, arg(2).and_then(|a| a.parse().ok()).unwrap_or(1e-4));
    }
    if arg(0) == Some("compare") {
        return compare(pending, shape);
    }
    let sum = match arg(0) {
        Some("heap4") => go::<Heap4<u32>>(pending, shape, events),
        _ => go::<EventQueue<u32>>(pending, shape, events),
    };
    println!("checksum={sum}");
}
