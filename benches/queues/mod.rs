//! The hold model shared by `benches/engine.rs` and `examples/queue_hold.rs`, and the
//! event queue before issue 11 (a 4-ary heap), kept as a reference to time against.
//!
//! The other candidates measured for issue 11 (radix heaps on (time, seq) and with
//! wider digits, calendar queues) are in this file at commit f0ae111.

#![allow(dead_code)]

use dary_heap::QuaternaryHeap;
use schedsim::engine::SimRng;
use std::cmp::Ordering;

/// Delays are drawn once into a table (cycled), so that the timings are the queue's.
pub const TABLE: usize = 1 << 16;
/// Events per criterion iteration.
pub const CHUNK: u64 = 10_000;

#[derive(Clone, Copy, Debug)]
pub enum Shape {
    Exponential,
    /// Pareto, shape 1.2 (infinite variance).
    Pareto,
}

pub fn delays(shape: Shape, mean: f64, seed: u64) -> Vec<f64> {
    let mut rng = SimRng::new(seed);
    (0..TABLE)
        .map(|_| {
            let u = rng.open01();
            mean * match shape {
                Shape::Exponential => -u.ln(),
                // x_m = mean (a - 1) / a for a = 1.2.
                Shape::Pareto => (0.2 / 1.2) * u.powf(-1.0 / 1.2),
            }
        })
        .collect()
}

/// Hold model: each pop schedules one event at the next delay of the table.
pub fn run<Q: Queue<u32>>(q: &mut Q, d: &[f64], i: &mut usize, events: u64) -> u64 {
    let mut sum = 0u64;
    for _ in 0..events {
        let (_, e) = q.pop().expect("queue never empties");
        sum += e as u64;
        q.schedule_in(d[*i & (TABLE - 1)], e);
        *i += 1;
    }
    sum
}

pub fn filled<Q: Queue<u32>>(pending: usize, d: &[f64], i: &mut usize) -> Q {
    let mut q = Q::with_capacity(pending);
    for e in 0..pending {
        q.schedule_in(d[*i & (TABLE - 1)], e as u32);
        *i += 1;
    }
    // Warm-up: every first event replaced several times.
    run(&mut q, d, i, (10 * pending as u64).max(100_000));
    q
}

/// What the hold model needs of a queue. `pop` gives the time and the event.
pub trait Queue<E> {
    fn with_capacity(n: usize) -> Self;
    fn schedule_in(&mut self, delay: f64, event: E);
    fn pop(&mut self) -> Option<(f64, E)>;
    fn len(&self) -> usize;
}

impl<E> Queue<E> for schedsim::engine::EventQueue<E> {
    fn with_capacity(n: usize) -> Self {
        schedsim::engine::EventQueue::with_capacity(n)
    }
    #[inline]
    fn schedule_in(&mut self, delay: f64, event: E) {
        schedsim::engine::EventQueue::schedule_in(self, delay, event);
    }
    #[inline]
    fn pop(&mut self) -> Option<(f64, E)> {
        schedsim::engine::EventQueue::pop(self).map(|(t, _, e)| (t, e))
    }
    fn len(&self) -> usize {
        schedsim::engine::EventQueue::len(self)
    }
}

struct Entry<E> {
    time_bits: u64,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    #[inline]
    fn key(&self) -> (u64, u64) {
        (self.time_bits, self.seq)
    }
}

#[inline]
fn bits(time: f64, now: f64) -> u64 {
    (time.max(now) + 0.0).to_bits()
}

// ---------------------------------------------------------------------------------------
// The queue before issue 11: a 4-ary heap from `dary_heap`.

struct HeapEntry<E>(Entry<E>);
impl<E> PartialEq for HeapEntry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.0.key() == other.0.key()
    }
}
impl<E> Eq for HeapEntry<E> {}
impl<E> PartialOrd for HeapEntry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for HeapEntry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.key().cmp(&self.0.key())
    }
}

pub struct Heap4<E> {
    heap: QuaternaryHeap<HeapEntry<E>>,
    next_seq: u64,
    now: f64,
}

impl<E> Queue<E> for Heap4<E> {
    fn with_capacity(n: usize) -> Self {
        Heap4 { heap: QuaternaryHeap::with_capacity(n), next_seq: 0, now: 0.0 }
    }
    #[inline]
    fn schedule_in(&mut self, delay: f64, event: E) {
        let time_bits = bits(self.now + delay, self.now);
        self.heap.push(HeapEntry(Entry { time_bits, seq: self.next_seq, event }));
        self.next_seq += 1;
    }
    #[inline]
    fn pop(&mut self) -> Option<(f64, E)> {
        let HeapEntry(e) = self.heap.pop()?;
        self.now = f64::from_bits(e.time_bits);
        Some((self.now, e.event))
    }
    fn len(&self) -> usize {
        self.heap.len()
    }
}
