//! The future event list: a monotone radix heap over event times.
//!
//! # What it is
//!
//! A radix heap (Ahuja, Mehlhorn, Orlin and Tarjan 1990) keyed on the bit pattern of the
//! event time. For finite non-negative `f64` the order of the bit patterns as `u64` is
//! the order of the numbers (minus zero is stored as zero), so times are compared as
//! integers. It relies on what a discrete-event simulation guarantees: nothing is ever
//! scheduled before the time of the last event popped (`now`).
//!
//! Bucket `b` holds the pending events whose time's bit pattern first differs from
//! `now`'s at bit `b` (its highest differing bit); the events *at* `now` wait apart in
//! a FIFO. A push is one XOR, one leading-zero count and a `Vec` push. A pop takes the
//! FIFO's head; when the FIFO is empty, the lowest non-empty bucket's least time (kept
//! per bucket) becomes `now`, and that bucket's events are spread over the FIFO and
//! the lower buckets (or, when it holds one event, that event is popped directly).
//!
//! # Cost
//!
//! An event only ever moves to a lower bucket, so it moves at most 64 times, whatever
//! the number of pending events: push *O*(1), pop *O*(1) amortised, bounded by the
//! width of the key. In practice an event moves a few times, a little more as the
//! population grows and the buckets near `now` fill (instructions per event in the
//! hold model, exponential delays, 10 / 1,000 / 100,000 pending: 175 / 296 / 415,
//! against 189 / 352 / 504 for the 4-ary heap it replaced). What it saves is time:
//! each move is a sequential read and an append, with no comparisons between events
//! to mispredict and no jumps across a large array, so the time per event grows far
//! less than a heap's (below).
//!
//! # Order
//!
//! Events pop in `(time, seq)` order, `seq` being the order of scheduling: events at
//! the same instant pop in the order they were scheduled. Each bucket's `Vec` is in
//! `seq` order (a bucket only receives spread events while it is empty, and a push
//! appends the newest event), spreading keeps that order, and so the FIFO receives
//! the events of one instant in `seq` order.
//!
//! # Scale
//!
//! The buckets follow the bits of the times, not a width estimated from the delays, so
//! nothing is tuned to a time scale: delays falling to 1e-4 or rising to 1e4 after a
//! run at 1.0 cost the same as steady ones, and so do times near 1e300 or 5e-324. A
//! calendar queue, by contrast, must re-estimate its bucket width when the scale
//! changes: Brown's, which resizes only when the population doubles or halves, took
//! 0.7 and 3.5 µs per event after the delays grew 1e4-fold at a fixed population of
//! 1,000 and 10,000 (this queue: 31 and 35 ns).
//!
//! # Why this queue
//!
//! It was measured (`BENCHMARKS.md`, "Engine alone") against the 4-ary heap it
//! replaced, a calendar queue (Brown's, and one that also re-estimates its width when
//! its work per event rises), a radix heap on the 128-bit key (time bits, seq), and
//! radix heaps with digits of 2 to 6 bits, in the hold model of `benches/engine.rs`
//! and `examples/queue_hold.rs`. Least ns per event at 10 / 1,000 / 100,000 pending
//! events on the project's shared 2-core VM: exponential delays, 4-ary heap
//! 30 / 48 / 121, this queue 23 / 30 / 39; Pareto (shape 1.2) delays 30 / 47 / 116
//! against 22 / 30 / 39. It was the fastest at every size, shape and scale change, and
//! needs no tuning. In the whole simulator it saves about 110 instructions per event
//! with 100 nodes and 230 with 10,000.

use super::SimTime;
use std::collections::VecDeque;

/// One scheduled event.
struct Entry<E> {
    /// Bit pattern of the event time: for finite non-negative `f64` the order of the
    /// bit patterns as `u64` is the order of the numbers.
    time_bits: u64,
    seq: u64,
    event: E,
}

/// The identity of a scheduled event: unique within a queue, never reused.
///
/// A model cancels an event lazily by remembering the id of the one it still wants
/// (for example in the task it concerns) and ignoring any other when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(u64);

impl EventId {
    /// An id no event has: "no event pending".
    pub const NONE: EventId = EventId(u64::MAX);
}

/// Number of buckets: one per bit of the key.
const BUCKETS: usize = 64;

/// The most room [`EventQueue::with_capacity`] reserves for events at the current
/// instant.
const MAX_RESERVED_NOW: usize = 1024;

/// The future event list and the virtual clock of one run.
///
/// Events scheduled for the same instant are delivered in the order they were
/// scheduled (each gets a sequence number at push time), so a run is a pure
/// function of its inputs. Scheduling into the past is a bug in the model and
/// panics in debug builds (release builds deliver such an event at `now`).
/// Cancellation is the model's job, through [`EventId`]s, which keeps the queue free
/// of tombstone look-ups on its hot path.
///
/// A radix heap on the time's bit pattern (see the module documentation): `push` is
/// *O*(1), `pop` *O*(1) amortised, every event moving at most 64 times whatever the
/// number of pending events and whatever the scale of the delays.
pub struct EventQueue<E> {
    /// The pending event of the stream ([`schedule_next_of_stream`](Self::schedule_next_of_stream)),
    /// held beside the heap.
    stream: Option<Entry<E>>,
    /// Bit pattern of the clock: the time of the last event popped, from the heap or
    /// the stream. Never below `now_bits`, which is the heap's base.
    clock_bits: u64,
    /// Events at time `now_bits`, in the order they were scheduled.
    at_now: VecDeque<Entry<E>>,
    /// `buckets[b]`: events whose time bits first differ from `now_bits` at bit `b`,
    /// in the order they were scheduled.
    buckets: [Vec<Entry<E>>; BUCKETS],
    /// `least[b]`: the least time bits in `buckets[b]`; `u64::MAX` when it is empty.
    least: [u64; BUCKETS],
    /// Bit `b` is set when `buckets[b]` is not empty.
    occupied: u64,
    /// Bit pattern of the heap's base: the time of the last event popped from the heap
    /// (the radix heap's "last deleted key"; every event in it is at or after it).
    now_bits: u64,
    len: usize,
    next_seq: u64,
    delivered: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue with the clock at time 0.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty queue with the clock at time 0, and room reserved for `capacity`
    /// events at one instant (at most 1,024).
    ///
    /// The buckets grow on demand and keep their memory, so a steady run stops
    /// allocating once they have reached their working sizes; which bucket an event
    /// lands in depends on its time, so no capacity can be promised for them.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            stream: None,
            clock_bits: 0.0f64.to_bits(),
            at_now: VecDeque::with_capacity(capacity.min(MAX_RESERVED_NOW)),
            buckets: std::array::from_fn(|_| Vec::new()),
            least: [u64::MAX; BUCKETS],
            occupied: 0,
            now_bits: 0.0f64.to_bits(),
            len: 0,
            next_seq: 0,
            delivered: 0,
        }
    }

    /// The current virtual time: the time of the last event popped.
    #[inline]
    pub fn now(&self) -> SimTime {
        f64::from_bits(self.clock_bits)
    }

    /// Schedules `event` at absolute time `time`.
    ///
    /// # Panics
    /// In debug builds, if `time` is earlier than [`now`](Self::now) or not finite.
    #[inline]
    pub fn schedule_at(&mut self, time: SimTime, event: E) -> EventId {
        let now = self.now();
        debug_assert!(time.is_finite(), "event time {time} is not finite");
        debug_assert!(time >= now, "event scheduled in the past: {time} < now {now}");
        // `+ 0.0` turns a -0.0 into +0.0 so that its bit pattern sorts as zero.
        let time_bits = (time.max(now) + 0.0).to_bits();
        let seq = self.next_seq;
        self.place(Entry { time_bits, seq, event });
        self.next_seq += 1;
        self.len += 1;
        EventId(seq)
    }

    /// Schedules `event` after `delay` seconds from now.
    #[inline]
    pub fn schedule_in(&mut self, delay: SimTime, event: E) -> EventId {
        self.schedule_at(self.now() + delay, event)
    }

    /// Schedules `event` at `time` as the next event of *the stream*: a source whose
    /// events come one after another in time order, each scheduled when the one
    /// before it is delivered (a run's arrivals). At most one stream event is pending.
    ///
    /// It is ordered with every other event by `(time, seq)` exactly as
    /// [`schedule_at`](Self::schedule_at) would order it, but held beside the heap:
    /// an event that is nearly always among the next few to fire is compared with the
    /// heap's earliest when popped instead of being filed into a bucket and spread
    /// down the buckets with the others.
    ///
    /// # Panics
    /// In debug builds, if a stream event is already pending, or as `schedule_at`.
    #[inline]
    pub fn schedule_next_of_stream(&mut self, time: SimTime, event: E) -> EventId {
        let now = self.now();
        debug_assert!(self.stream.is_none(), "a stream event is already pending");
        debug_assert!(time.is_finite(), "event time {time} is not finite");
        debug_assert!(time >= now, "event scheduled in the past: {time} < now {now}");
        let time_bits = (time.max(now) + 0.0).to_bits();
        let seq = self.next_seq;
        self.stream = Some(Entry { time_bits, seq, event });
        self.next_seq += 1;
        self.len += 1;
        EventId(seq)
    }

    /// Removes the earliest event, advances the clock to its time and returns the
    /// time, the event's id and the event.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, EventId, E)> {
        if let Some(s) = &self.stream {
            let (time_bits, seq) = (s.time_bits, s.seq);
            if self.stream_first(time_bits, seq) {
                let entry = self.stream.take()?;
                self.clock_bits = entry.time_bits;
                self.len -= 1;
                self.delivered += 1;
                return Some((self.now(), EventId(entry.seq), entry.event));
            }
        }
        let entry = match self.at_now.pop_front() {
            Some(entry) => entry,
            None if self.occupied == 0 => return None,
            None => {
                let b = self.occupied.trailing_zeros() as usize;
                if self.buckets[b].len() == 1 {
                    // Alone in the lowest bucket, so the earliest and alone at its
                    // time: the clock moves to it and nothing needs spreading.
                    self.occupied &= !(1 << b);
                    self.least[b] = u64::MAX;
                    let entry = self.buckets[b].pop()?;
                    self.now_bits = entry.time_bits;
                    entry
                } else {
                    self.advance(b);
                    self.at_now.pop_front()?
                }
            }
        };
        self.clock_bits = self.now_bits;
        self.len -= 1;
        self.delivered += 1;
        Some((self.now(), EventId(entry.seq), entry.event))
    }

    /// Whether the stream's event, at `time_bits` with sequence number `seq`, comes
    /// before every event in the heap. At a tie of times, the heap's earliest events
    /// are spread into `at_now` (as popping them would) to compare sequence numbers.
    #[inline]
    fn stream_first(&mut self, time_bits: u64, seq: u64) -> bool {
        // Every event in the heap is at or after the clock, and so is the stream's;
        // those in `at_now` are at `now_bits`, the earliest the heap holds.
        if let Some(head) = self.at_now.front() {
            return time_bits == self.now_bits && seq < head.seq;
        }
        if self.occupied == 0 {
            return true;
        }
        let b = self.occupied.trailing_zeros() as usize;
        let least = self.least[b];
        if time_bits != least {
            return time_bits < least;
        }
        if self.buckets[b].len() == 1 {
            return seq < self.buckets[b][0].seq;
        }
        self.advance(b);
        self.at_now.front().is_none_or(|head| seq < head.seq)
    }

    /// The time of the earliest pending event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        let heap = if !self.at_now.is_empty() {
            Some(self.now_bits)
        } else if self.occupied == 0 {
            None
        } else {
            Some(self.least[self.occupied.trailing_zeros() as usize])
        };
        let stream = self.stream.as_ref().map(|s| s.time_bits);
        match (heap, stream) {
            (Some(h), Some(s)) => Some(h.min(s)),
            (h, s) => h.or(s),
        }
        .map(f64::from_bits)
    }

    /// The number of pending events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of events delivered by [`pop`](Self::pop) so far.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Files `entry` (not earlier than `now`) by the highest bit in which its time
    /// differs from `now`'s.
    #[inline(always)]
    fn place(&mut self, entry: Entry<E>) {
        let diff = entry.time_bits ^ self.now_bits;
        if diff == 0 {
            self.at_now.push_back(entry);
        } else {
            let b = (63 - diff.leading_zeros()) as usize;
            self.least[b] = self.least[b].min(entry.time_bits);
            self.buckets[b].push(entry);
            self.occupied |= 1 << b;
        }
    }

    /// Moves the clock to the earliest pending time and spreads the events of its
    /// bucket, which all share `now`'s bits above that bucket's bit, over `at_now` and
    /// the lower buckets. Only called with `at_now` empty and `b` the lowest occupied
    /// bucket.
    #[inline(never)]
    fn advance(&mut self, b: usize) {
        self.occupied &= !(1 << b);
        self.now_bits = std::mem::replace(&mut self.least[b], u64::MAX);
        // Taken out and put back empty, so that the bucket keeps its allocation.
        let mut spread = std::mem::take(&mut self.buckets[b]);
        for entry in spread.drain(..) {
            self.place(entry);
        }
        self.buckets[b] = spread;
    }
}

#[cfg(test)]
mod tests;
