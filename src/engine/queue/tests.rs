use super::*;
use proptest::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Pops everything: (time, id, event).
fn drain<E>(q: &mut EventQueue<E>) -> Vec<(f64, EventId, E)> {
    std::iter::from_fn(|| q.pop()).collect()
}

#[test]
fn pops_in_time_order() {
    let mut q = EventQueue::new();
    for (t, e) in [(3.0, 'c'), (1.0, 'a'), (2.0, 'b')] {
        q.schedule_at(t, e);
    }
    let order: Vec<_> = drain(&mut q).into_iter().map(|(t, _, e)| (t, e)).collect();
    assert_eq!(order, vec![(1.0, 'a'), (2.0, 'b'), (3.0, 'c')]);
    assert_eq!(q.now(), 3.0);
    assert_eq!(q.delivered(), 3);
}

#[test]
fn same_time_events_keep_insertion_order() {
    let mut q = EventQueue::new();
    for i in 0..100 {
        q.schedule_at(5.0, i);
    }
    q.schedule_at(0.0, -1);
    let order: Vec<_> = drain(&mut q).into_iter().map(|(_, _, e)| e).collect();
    assert_eq!(order[0], -1);
    assert_eq!(&order[1..], &(0..100).collect::<Vec<_>>()[..]);
}

#[test]
fn bit_order_matches_numeric_order() {
    let times = [0.0, 5e-324, 1e-300, 1e-9, 0.5, 1.0, 1.0 + f64::EPSILON, 3.7e6, 1e300, f64::MAX];
    for w in times.windows(2) {
        assert!(w[0].to_bits() < w[1].to_bits());
    }
    assert_eq!((-0.0f64 + 0.0).to_bits(), 0.0f64.to_bits());
}

#[test]
fn event_ids_are_unique_and_returned_on_pop() {
    let mut q = EventQueue::new();
    let a = q.schedule_at(1.0, 'a');
    let b = q.schedule_at(1.0, 'b');
    assert_ne!(a, b);
    assert_eq!(q.pop().map(|(_, id, _)| id), Some(a));
    assert_eq!(q.pop().map(|(_, id, _)| id), Some(b));
    assert_ne!(a, EventId::NONE);
}

#[test]
fn schedule_in_is_relative_to_now() {
    let mut q = EventQueue::new();
    q.schedule_at(10.0, 1);
    q.pop();
    q.schedule_in(2.5, 2);
    assert_eq!(q.peek_time(), Some(12.5));
}

#[test]
fn delay_zero_pops_at_now_after_earlier_ties_and_before_later_times() {
    let mut q = EventQueue::new();
    q.schedule_at(2.0, 'a');
    q.schedule_at(2.0, 'b');
    q.schedule_at(2.5, 'z');
    assert_eq!(q.pop().map(|(t, _, e)| (t, e)), Some((2.0, 'a')));
    q.schedule_in(0.0, 'c');
    q.schedule_at(2.0, 'd');
    assert_eq!(q.peek_time(), Some(2.0));
    let order: Vec<_> = drain(&mut q).into_iter().map(|(t, _, e)| (t, e)).collect();
    assert_eq!(order, vec![(2.0, 'b'), (2.0, 'c'), (2.0, 'd'), (2.5, 'z')]);
}

#[test]
fn huge_and_tiny_times() {
    let mut q = EventQueue::new();
    for (t, e) in [(1e300, 'h'), (5e-324, 't'), (1.0, 'o'), (1e300, 'i'), (f64::MIN_POSITIVE, 'm')] {
        q.schedule_at(t, e);
    }
    assert_eq!(q.peek_time(), Some(5e-324));
    let order: Vec<_> = drain(&mut q).into_iter().map(|(t, _, e)| (t, e)).collect();
    assert_eq!(order, vec![(5e-324, 't'), (f64::MIN_POSITIVE, 'm'), (1.0, 'o'), (1e300, 'h'), (1e300, 'i')]);
    // Small delays after a huge time: absorbed by rounding, delivered at `now`, in order.
    q.schedule_in(1.0, 'x');
    q.schedule_in(0.0, 'y');
    let order: Vec<_> = drain(&mut q).into_iter().map(|(t, _, e)| (t, e)).collect();
    assert_eq!(order, vec![(1e300, 'x'), (1e300, 'y')]);
}

#[test]
fn minus_zero_is_time_zero() {
    let mut q = EventQueue::new();
    q.schedule_at(0.0, 'a');
    q.schedule_at(-0.0, 'b');
    q.schedule_in(-0.0, 'c');
    q.schedule_at(5e-324, 'd');
    let popped = drain(&mut q);
    let order: Vec<_> = popped.iter().map(|&(t, _, e)| (t.to_bits(), e)).collect();
    assert_eq!(order, vec![(0, 'a'), (0, 'b'), (0, 'c'), (1, 'd')]);
}

#[test]
fn refills_after_the_queue_empties() {
    let mut q = EventQueue::with_capacity(0);
    assert!(q.is_empty());
    assert_eq!(q.pop().map(|(_, _, e)| e), None);
    assert_eq!(q.peek_time(), None);
    q.schedule_at(3.0, 1);
    assert_eq!(q.pop().map(|(t, _, e)| (t, e)), Some((3.0, 1)));
    assert!(q.pop().is_none());
    assert_eq!(q.now(), 3.0, "an empty pop leaves the clock alone");
    q.schedule_in(1.0, 2);
    q.schedule_in(0.0, 3);
    q.schedule_at(3.5, 4);
    assert_eq!(q.len(), 3);
    let order: Vec<_> = drain(&mut q).into_iter().map(|(t, _, e)| (t, e)).collect();
    assert_eq!(order, vec![(3.0, 3), (3.5, 4), (4.0, 2)]);
    assert_eq!(q.delivered(), 4);
    assert!(q.is_empty());
}

#[test]
fn with_capacity_zero_and_default_work() {
    for mut q in [EventQueue::with_capacity(0), EventQueue::default(), EventQueue::with_capacity(1 << 20)] {
        for i in (0..1000).rev() {
            q.schedule_at(f64::from(i % 7), i);
        }
        let popped = drain(&mut q);
        assert_eq!(popped.len(), 1000);
        assert!(popped.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
    }
}

#[test]
#[should_panic(expected = "in the past")]
#[cfg(debug_assertions)]
fn scheduling_in_the_past_is_a_bug() {
    let mut q = EventQueue::new();
    q.schedule_at(10.0, 1);
    q.pop();
    q.schedule_at(9.0, 2);
}

#[derive(Debug, Clone)]
enum Op {
    /// Schedule at `now + delay`.
    In(f64),
    /// Schedule at an absolute time, raised to `now` if it is earlier.
    At(f64),
    /// Schedule the stream's next event at `now + delay`, if none is pending.
    Stream(f64),
    Pop,
}

/// Delays and times from small sets, so that many events tie, with zeros, and with
/// scales from 1e-300 to 1e6 so that several buckets and big jumps are exercised.
fn op() -> impl Strategy<Value = Op> {
    let delay = prop_oneof![
        4 => prop::sample::select(vec![0.0, 0.0, 0.25, 0.5, 1.0, 2.0]),
        1 => prop::sample::select(vec![-0.0, 5e-324, 1e-300, 1e-9, 1e-4, 1e4, 1e6]),
        1 => 0.0f64..10.0,
    ];
    prop_oneof![
        3 => delay.clone().prop_map(Op::In),
        2 => delay.prop_map(Op::Stream),
        1 => prop::sample::select(vec![0.0, 1.0, 1.5, 3.0, 8.0, 1e3]).prop_map(Op::At),
        3 => Just(Op::Pop),
    ]
}

proptest! {
    /// Pop for pop, the same (time, id, event) as a binary heap of (time bits, seq),
    /// with the stream's events among the others.
    #[test]
    fn matches_a_binary_heap(ops in prop::collection::vec(op(), 0..400)) {
        let mut q = EventQueue::new();
        let mut reference: BinaryHeap<Reverse<(u64, u64, usize)>> = BinaryHeap::new();
        let (mut now, mut seq) = (0.0f64, 0u64);
        let mut popped = Vec::new();
        // The id of the stream's pending event.
        let mut stream: Option<EventId> = None;
        let mut check_pop = |q: &mut EventQueue<usize>, reference: &mut BinaryHeap<_>, now: &mut f64, stream: &mut Option<EventId>| {
            let want = reference.pop().map(|Reverse((t, s, e))| (t, EventId(s), e));
            let got = q.pop().map(|(t, id, e): (f64, _, _)| (t.to_bits(), id, e));
            prop_assert_eq!(got, want);
            if let Some((t, id, e)) = want {
                *now = f64::from_bits(t);
                popped.push(e);
                if *stream == Some(id) {
                    *stream = None;
                }
            }
            Ok(())
        };
        for (i, op) in ops.into_iter().enumerate() {
            let time = match op {
                Op::In(d) => now + d,
                Op::Stream(_) if stream.is_some() => continue,
                Op::Stream(d) => now + d,
                Op::At(t) => t.max(now),
                Op::Pop => {
                    check_pop(&mut q, &mut reference, &mut now, &mut stream)?;
                    prop_assert_eq!(q.now().to_bits(), now.to_bits());
                    continue;
                }
            };
            let id = match op {
                Op::In(d) => q.schedule_in(d, i),
                Op::Stream(_) => {
                    stream = Some(q.schedule_next_of_stream(time, i));
                    stream.unwrap()
                }
                _ => q.schedule_at(time, i),
            };
            prop_assert_eq!(id, EventId(seq));
            reference.push(Reverse(((time + 0.0).to_bits(), seq, i)));
            seq += 1;
            prop_assert_eq!(q.len(), reference.len());
            let want = reference.peek().map(|Reverse((t, _, _))| *t);
            prop_assert_eq!(q.peek_time().map(f64::to_bits), want);
        }
        while !reference.is_empty() {
            check_pop(&mut q, &mut reference, &mut now, &mut stream)?;
        }
        prop_assert!(q.pop().is_none());
        prop_assert_eq!(q.delivered() as usize, popped.len());
    }
}
