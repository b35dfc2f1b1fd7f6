//! Event-queue candidates timed against each other by `benches/engine.rs`.
//!
//! All give the same pops: the earliest `(time bits, seq)` first.

#![allow(dead_code)]

use dary_heap::QuaternaryHeap;
use schedsim::engine::SimRng;
use std::cmp::Ordering;
use std::collections::VecDeque;

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

/// What the hold model needs of a queue.
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

// ---------------------------------------------------------------------------------------
// Radix heap on the time bits alone; ties at the current time wait in a FIFO.

pub struct RadixTime<E> {
    front: VecDeque<Entry<E>>,
    buckets: [Vec<Entry<E>>; 64],
    mask: u64,
    last: u64,
    len: usize,
    next_seq: u64,
    now: f64,
}

impl<E> RadixTime<E> {
    #[inline]
    fn place(&mut self, e: Entry<E>) {
        let x = e.time_bits ^ self.last;
        if x == 0 {
            self.front.push_back(e);
        } else {
            let b = 63 - x.leading_zeros() as usize;
            self.buckets[b].push(e);
            self.mask |= 1 << b;
        }
    }

    #[cold]
    #[inline(never)]
    fn refill(&mut self) {
        let b = self.mask.trailing_zeros() as usize;
        self.mask &= !(1 << b);
        let mut v = std::mem::take(&mut self.buckets[b]);
        self.last = v.iter().map(|e| e.time_bits).min().expect("bucket in the mask");
        for e in v.drain(..) {
            self.place(e);
        }
        self.buckets[b] = v;
    }
}

impl<E> Queue<E> for RadixTime<E> {
    fn with_capacity(n: usize) -> Self {
        RadixTime {
            front: VecDeque::with_capacity(n.min(64)),
            buckets: std::array::from_fn(|_| Vec::new()),
            mask: 0,
            last: 0,
            len: 0,
            next_seq: 0,
            now: 0.0,
        }
    }
    #[inline]
    fn schedule_in(&mut self, delay: f64, event: E) {
        let time_bits = bits(self.now + delay, self.now);
        self.place(Entry { time_bits, seq: self.next_seq, event });
        self.next_seq += 1;
        self.len += 1;
    }
    #[inline]
    fn pop(&mut self) -> Option<(f64, E)> {
        if self.front.is_empty() {
            if self.mask == 0 {
                return None;
            }
            self.refill();
        }
        let e = self.front.pop_front()?;
        self.len -= 1;
        self.now = f64::from_bits(e.time_bits);
        Some((self.now, e.event))
    }
    fn len(&self) -> usize {
        self.len
    }
}

// ---------------------------------------------------------------------------------------
// Radix heap on the 128-bit key (time bits, seq): unique keys, ties need no FIFO.

pub struct Radix128<E> {
    buckets: Vec<Vec<Entry<E>>>,
    mask: u128,
    last: (u64, u64),
    len: usize,
    next_seq: u64,
    now: f64,
}

impl<E> Radix128<E> {
    #[inline]
    fn bucket(&self, time_bits: u64, seq: u64) -> usize {
        let xt = time_bits ^ self.last.0;
        if xt != 0 {
            127 - xt.leading_zeros() as usize
        } else {
            63 - (seq ^ self.last.1).leading_zeros() as usize
        }
    }
    #[inline]
    fn place(&mut self, e: Entry<E>) {
        let b = self.bucket(e.time_bits, e.seq);
        self.buckets[b].push(e);
        self.mask |= 1 << b;
    }
}

impl<E> Queue<E> for Radix128<E> {
    fn with_capacity(_n: usize) -> Self {
        Radix128 {
            buckets: (0..128).map(|_| Vec::new()).collect(),
            mask: 0,
            last: (0, 0),
            len: 0,
            next_seq: 0,
            now: 0.0,
        }
    }
    #[inline]
    fn schedule_in(&mut self, delay: f64, event: E) {
        let time_bits = bits(self.now + delay, self.now);
        // The first event may have seq 0 at time 0, equal to the initial `last`:
        // seq numbers start at 1 so that no key equals it.
        self.next_seq += 1;
        self.place(Entry { time_bits, seq: self.next_seq, event });
        self.len += 1;
    }
    #[inline]
    fn pop(&mut self) -> Option<(f64, E)> {
        if self.mask == 0 {
            return None;
        }
        let b = self.mask.trailing_zeros() as usize;
        let e = if self.buckets[b].len() == 1 {
            self.mask &= !(1 << b);
            self.buckets[b].pop().expect("one entry")
        } else {
            self.mask &= !(1 << b);
            let mut v = std::mem::take(&mut self.buckets[b]);
            let (i, _) = v.iter().enumerate().min_by_key(|(_, e)| e.key()).expect("bucket in the mask");
            let e = v.swap_remove(i);
            self.last = e.key();
            for x in v.drain(..) {
                self.place(x);
            }
            self.buckets[b] = v;
            e
        };
        self.last = e.key();
        self.len -= 1;
        self.now = f64::from_bits(e.time_bits);
        Some((self.now, e.event))
    }
    fn len(&self) -> usize {
        self.len
    }
}

// ---------------------------------------------------------------------------------------
// Calendar queue (Brown 1988): buckets of width w over a year of nb * w; the bucket
// count doubles or halves with the population, and the width is re-estimated from the
// separation of the earliest events then, and also when the work per event (empty
// buckets skipped, entries stepped over on insert) exceeds a few units (as in SNOOPy,
// Tan and Thng 2000), so that a change of the delays' scale is followed.

pub struct Calendar<E, const ADAPT: bool = true> {
    buckets: Vec<Vec<Entry<E>>>, // each sorted by key, descending: the least at the end
    nb_mask: usize,
    inv_width: f64,
    day: u64,
    len: usize,
    next_seq: u64,
    now: f64,
    steps: u64,
    pops: u64,
    pub resizes: u64,
}

impl<E, const ADAPT: bool> Calendar<E, ADAPT> {
    #[inline]
    fn day_of(&self, time_bits: u64) -> u64 {
        (f64::from_bits(time_bits) * self.inv_width) as u64
    }

    #[inline]
    fn insert(&mut self, e: Entry<E>) {
        let d = self.day_of(e.time_bits) as usize & self.nb_mask;
        let b = &mut self.buckets[d];
        let mut i = b.len();
        while i > 0 && b[i - 1].key() < e.key() {
            i -= 1;
        }
        self.steps += (b.len() - i) as u64;
        b.insert(i, e);
    }

    #[cold]
    #[inline(never)]
    fn resize(&mut self, nb: usize) {
        self.resizes += 1;
        let mut all: Vec<Entry<E>> = Vec::with_capacity(self.len);
        for b in &mut self.buckets {
            all.append(b);
        }
        // Width: 3 x the mean separation of the earliest (up to 25) events, leaving out
        // separations more than twice the first mean.
        let k = all.len().min(25);
        if k >= 2 {
            let mut t: Vec<u64> = all.iter().map(|e| e.time_bits).collect();
            t.select_nth_unstable(k - 1);
            t.truncate(k);
            t.sort_unstable();
            let seps: Vec<f64> = t.windows(2).map(|w| f64::from_bits(w[1]) - f64::from_bits(w[0])).collect();
            let mean = seps.iter().sum::<f64>() / seps.len() as f64;
            let kept: Vec<f64> = seps.iter().copied().filter(|&s| s <= 2.0 * mean).collect();
            let mean2 = kept.iter().sum::<f64>() / kept.len().max(1) as f64;
            let w = 3.0 * mean2;
            if w > 0.0 && w.is_finite() && (1.0 / w).is_finite() {
                self.inv_width = 1.0 / w;
            }
        }
        self.buckets.resize_with(nb, Vec::new);
        self.buckets.truncate(nb);
        self.nb_mask = nb - 1;
        for e in all {
            self.insert(e);
        }
        self.day = self.day_of(self.now.to_bits());
        self.steps = 0;
        self.pops = 0;
    }
}

impl<E, const ADAPT: bool> Queue<E> for Calendar<E, ADAPT> {
    fn with_capacity(_n: usize) -> Self {
        Calendar {
            buckets: (0..2).map(|_| Vec::new()).collect(),
            nb_mask: 1,
            inv_width: 1.0,
            day: 0,
            len: 0,
            next_seq: 0,
            now: 0.0,
            steps: 0,
            pops: 0,
            resizes: 0,
        }
    }
    #[inline]
    fn schedule_in(&mut self, delay: f64, event: E) {
        let time_bits = bits(self.now + delay, self.now);
        self.insert(Entry { time_bits, seq: self.next_seq, event });
        self.next_seq += 1;
        self.len += 1;
        if self.len > 2 * self.buckets.len() {
            self.resize(2 * self.buckets.len());
        }
    }
    #[inline]
    fn pop(&mut self) -> Option<(f64, E)> {
        if self.len == 0 {
            return None;
        }
        let nb = self.buckets.len();
        let mut found = None;
        for _ in 0..nb {
            let i = self.day as usize & self.nb_mask;
            if let Some(e) = self.buckets[i].last() {
                if self.day_of(e.time_bits) == self.day {
                    found = Some(i);
                    break;
                }
            }
            self.day += 1;
            self.steps += 1;
        }
        let i = match found {
            Some(i) => i,
            None => {
                // A year without an event: find the least directly.
                self.steps += nb as u64;
                let i = (0..nb)
                    .filter(|&i| !self.buckets[i].is_empty())
                    .min_by_key(|&i| self.buckets[i].last().expect("not empty").key())
                    .expect("len > 0");
                self.day = self.day_of(self.buckets[i].last().expect("not empty").time_bits);
                i
            }
        };
        let e = self.buckets[i].pop().expect("found");
        self.len -= 1;
        self.now = f64::from_bits(e.time_bits);
        self.pops += 1;
        if self.len < nb / 2 && nb > 2 {
            self.resize(nb / 2);
        } else if ADAPT && self.pops >= (nb as u64).max(256) {
            if self.steps > 4 * self.pops {
                self.resize(nb);
            }
            self.steps = 0;
            self.pops = 0;
        }
        Some((self.now, e.event))
    }
    fn len(&self) -> usize {
        self.len
    }
}

// ---------------------------------------------------------------------------------------
// RadixTime that keeps each bucket's least time: refill in one pass, O(1) peek.

pub struct RadixMin<E> {
    front: VecDeque<Entry<E>>,
    buckets: [Vec<Entry<E>>; 64],
    mins: [u64; 64],
    mask: u64,
    last: u64,
    len: usize,
    next_seq: u64,
    now: f64,
}

impl<E> RadixMin<E> {
    #[inline]
    fn place(&mut self, e: Entry<E>) {
        let x = e.time_bits ^ self.last;
        if x == 0 {
            self.front.push_back(e);
        } else {
            let b = 63 - x.leading_zeros() as usize;
            self.mins[b] = self.mins[b].min(e.time_bits);
            self.buckets[b].push(e);
            self.mask |= 1 << b;
        }
    }

    #[cold]
    #[inline(never)]
    fn refill(&mut self) {
        let b = self.mask.trailing_zeros() as usize;
        self.mask &= !(1 << b);
        self.last = std::mem::replace(&mut self.mins[b], u64::MAX);
        let mut v = std::mem::take(&mut self.buckets[b]);
        for e in v.drain(..) {
            self.place(e);
        }
        self.buckets[b] = v;
    }
}

impl<E> Queue<E> for RadixMin<E> {
    fn with_capacity(n: usize) -> Self {
        RadixMin {
            front: VecDeque::with_capacity(n.min(64)),
            buckets: std::array::from_fn(|_| Vec::new()),
            mins: [u64::MAX; 64],
            mask: 0,
            last: 0,
            len: 0,
            next_seq: 0,
            now: 0.0,
        }
    }
    #[inline]
    fn schedule_in(&mut self, delay: f64, event: E) {
        let time_bits = bits(self.now + delay, self.now);
        self.place(Entry { time_bits, seq: self.next_seq, event });
        self.next_seq += 1;
        self.len += 1;
    }
    #[inline]
    fn pop(&mut self) -> Option<(f64, E)> {
        if self.front.is_empty() {
            if self.mask == 0 {
                return None;
            }
            self.refill();
        }
        let e = self.front.pop_front()?;
        self.len -= 1;
        self.now = f64::from_bits(e.time_bits);
        Some((self.now, e.event))
    }
    fn len(&self) -> usize {
        self.len
    }
}

// ---------------------------------------------------------------------------------------
// Radix heap with digits of BITS bits: an entry's bucket is (level, digit) where level is
// the highest digit in which its time differs from the last popped and digit its value
// there. An entry moves at most 64 / BITS times instead of 64.

pub struct RadixDigits<E, const BITS: u32> {
    front: VecDeque<Entry<E>>,
    buckets: Vec<Vec<Entry<E>>>,
    levels: u64,
    digits: [u64; 64],
    mins: Vec<u64>,
    last: u64,
    len: usize,
    next_seq: u64,
    now: f64,
}

impl<E, const BITS: u32> RadixDigits<E, BITS> {
    const RADIX: usize = 1 << BITS;
    const LEVELS: usize = 64_usize.div_ceil(BITS as usize);

    #[inline(always)]
    fn place(&mut self, e: Entry<E>) {
        let x = e.time_bits ^ self.last;
        if x == 0 {
            self.front.push_back(e);
        } else {
            let level = (63 - x.leading_zeros()) / BITS;
            let digit = (e.time_bits >> (level * BITS)) as usize & (Self::RADIX - 1);
            let b = level as usize * Self::RADIX + digit;
            self.mins[b] = self.mins[b].min(e.time_bits);
            self.buckets[b].push(e);
            self.levels |= 1 << level;
            self.digits[level as usize & 63] |= 1 << digit;
        }
    }

    #[cold]
    #[inline(never)]
    fn refill(&mut self) {
        let level = self.levels.trailing_zeros() as usize;
        let digit = self.digits[level].trailing_zeros() as usize;
        self.digits[level] &= !(1 << digit);
        if self.digits[level] == 0 {
            self.levels &= !(1 << level);
        }
        let b = level * Self::RADIX + digit;
        let mut v = std::mem::take(&mut self.buckets[b]);
        self.last = std::mem::replace(&mut self.mins[b], u64::MAX);
        for e in v.drain(..) {
            self.place(e);
        }
        self.buckets[b] = v;
    }
}

impl<E, const BITS: u32> Queue<E> for RadixDigits<E, BITS> {
    fn with_capacity(n: usize) -> Self {
        RadixDigits {
            front: VecDeque::with_capacity(n.min(64)),
            buckets: (0..Self::LEVELS * Self::RADIX).map(|_| Vec::new()).collect(),
            levels: 0,
            digits: [0; 64],
            mins: vec![u64::MAX; Self::LEVELS * Self::RADIX],
            last: 0,
            len: 0,
            next_seq: 0,
            now: 0.0,
        }
    }
    #[inline]
    fn schedule_in(&mut self, delay: f64, event: E) {
        let time_bits = bits(self.now + delay, self.now);
        self.place(Entry { time_bits, seq: self.next_seq, event });
        self.next_seq += 1;
        self.len += 1;
    }
    #[inline]
    fn pop(&mut self) -> Option<(f64, E)> {
        if self.front.is_empty() {
            if self.levels == 0 {
                return None;
            }
            self.refill();
        }
        let e = self.front.pop_front()?;
        self.len -= 1;
        self.now = f64::from_bits(e.time_bits);
        Some((self.now, e.event))
    }
    fn len(&self) -> usize {
        self.len
    }
}
