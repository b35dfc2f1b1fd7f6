//! The hold model of `benches/engine.rs` in one run, for instruction counts:
//!
//! ```sh
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/queue_hold heap4 1000 exponential 2000000
//! ```
//! Arguments: queue (`heap4`, the queue before issue 11, or `event_queue`), pending
//! events, delay shape (`exponential`, `pareto`), events after the warm-up. The
//! difference of two runs with different event counts is the cost of the events alone.

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
    let mut qs: Vec<(&str, Box<dyn Block>)> = vec![
        ("heap4", held::<Heap4<u32>>(pending, shape)),
        ("radix_time", held::<queues::RadixTime<u32>>(pending, shape)),
        ("radix_min", held::<queues::RadixMin<u32>>(pending, shape)),
        ("radix128", held::<queues::Radix128<u32>>(pending, shape)),
        ("radix3", held::<queues::RadixDigits<u32, 3>>(pending, shape)),
        ("radix4", held::<queues::RadixDigits<u32, 4>>(pending, shape)),
        ("radix6", held::<queues::RadixDigits<u32, 6>>(pending, shape)),
        ("calendar", held::<queues::Calendar<u32>>(pending, shape)),
        ("event_queue", held::<EventQueue<u32>>(pending, shape)),
    ];
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
    let qs: [(&str, One); 5] = [
        ("heap4", one::<Heap4<u32>>),
        ("radix_min", one::<queues::RadixMin<u32>>),
        ("calendar_brown", one::<queues::Calendar<u32, false>>),
        ("calendar_adaptive", one::<queues::Calendar<u32, true>>),
        ("event_queue", one::<EventQueue<u32>>),
    ];
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
        Some("radix_time") => go::<queues::RadixTime<u32>>(pending, shape, events),
        Some("radix_min") => go::<queues::RadixMin<u32>>(pending, shape, events),
        Some("radix128") => go::<queues::Radix128<u32>>(pending, shape, events),
        Some("radix2") => go::<queues::RadixDigits<u32, 2>>(pending, shape, events),
        Some("radix3") => go::<queues::RadixDigits<u32, 3>>(pending, shape, events),
        Some("radix4") => go::<queues::RadixDigits<u32, 4>>(pending, shape, events),
        Some("radix6") => go::<queues::RadixDigits<u32, 6>>(pending, shape, events),
        Some("calendar") => go::<queues::Calendar<u32>>(pending, shape, events),
        _ => go::<EventQueue<u32>>(pending, shape, events),
    };
    println!("checksum={sum}");
}
