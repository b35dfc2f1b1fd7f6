//! MinIndex and LeastCount against full scans.

use super::*;

/// LeastCount against a full scan over many random states, including jumps and
/// nodes taken out and put back.
#[test]
fn least_count_agrees_with_a_full_scan() {
    let mut rng = SimRng::new(3);
    for n in [1, 2, 5, 100, 1000] {
        let mut idx = LeastCount::new(n);
        let mut vals: Vec<Option<u32>> = vec![Some(0); n];
        for step in 0..5000 {
            let i = rng.below(n);
            let v = match (vals[i], rng.below(10)) {
                (_, 0) => None,
                (Some(x), 1..=4) => Some(x + 1),
                (Some(x), 5..=8) => Some(x.saturating_sub(1)),
                _ => Some(rng.below(7) as u32),
            };
            idx.set(i, v);
            vals[i] = v;
            let least = vals.iter().flatten().min().copied();
            assert_eq!(idx.min(), least, "n {n} step {step}");
            match idx.select(&mut rng) {
                Some(j) => assert_eq!(vals[j], least),
                None => assert!(least.is_none()),
            }
            assert_eq!(idx.get(i), v);
        }
    }
}

/// Ties are broken uniformly (same bounds as for MinIndex below).
#[test]
fn least_count_ties_are_uniform() {
    let mut idx = LeastCount::new(8);
    for i in [1, 3, 4, 6] {
        idx.set(i, Some(1));
    }
    let mut rng = SimRng::new(2);
    let mut counts = [0i64; 8];
    for _ in 0..40_000 {
        counts[idx.select(&mut rng).unwrap()] += 1;
    }
    for (i, c) in counts.iter().enumerate() {
        if [1, 3, 4, 6].contains(&i) {
            assert_eq!(*c, 0);
        } else {
            assert!((c - 10_000).abs() < 433, "{counts:?}");
        }
    }
}

/// The update paths this processor can run: without AVX2, and with it if it has it.
fn paths() -> impl Iterator<Item = bool> + Clone {
    [false, true].into_iter().filter(|&avx2| !avx2 || has_avx2())
}

/// Against a full scan over many random states: the least value, a selection of
/// least value, the lowest-numbered node of least value (`select_first`) and the
/// number of ties (`min_count`).
#[test]
fn agrees_with_a_full_scan() {
    let mut rng = SimRng::new(1);
    for (n, avx2) in [1, 2, 3, 7, 8, 9, 64, 65, 100, 1000].into_iter().flat_map(|n| paths().map(move |a| (n, a))) {
        let mut idx = MinIndex::new(n);
        idx.avx2 = avx2;
        let mut vals = vec![0.0; n];
        for _ in 0..3000 {
            let i = rng.below(n);
            let v = if rng.below(20) == 0 { f64::INFINITY } else { rng.below(5) as f64 };
            idx.set(i, v);
            vals[i] = v;
            let least = vals.iter().cloned().fold(f64::INFINITY, f64::min);
            match idx.select(&mut rng) {
                Some(j) => assert_eq!(vals[j], least),
                None => assert!(least.is_infinite()),
            }
            assert_eq!(idx.min(), least);
            let first = vals.iter().position(|&x| x == least && x < f64::INFINITY);
            assert_eq!(idx.select_first(), first);
            let ties = if least.is_finite() { vals.iter().filter(|&&x| x == least).count() } else { 0 };
            assert_eq!(idx.min_count() as usize, ties);
            idx.check();
        }
    }
}

/// `set_counted` entries are drawn in proportion to their counts among the least;
/// `LeastCount::min_count` counts the least bucket.
#[test]
fn counted_entries_are_drawn_in_proportion() {
    let mut idx = MinIndex::new(4);
    idx.set_counted(0, 1.0, 3);
    idx.set_counted(1, 1.0, 1);
    idx.set_counted(2, 2.0, 50);
    idx.set_counted(3, 0.5, 0);
    assert_eq!((idx.min(), idx.min_count()), (1.0, 4));
    let mut rng = SimRng::new(9);
    let mut counts = [0i64; 4];
    for _ in 0..40_000 {
        counts[idx.select(&mut rng).unwrap()] += 1;
    }
    // Binomial(40000, 3/4): sd 86.6; 5 sd.
    assert!((counts[0] - 30_000).abs() < 433 && counts[2] == 0 && counts[3] == 0, "{counts:?}");
    idx.set_counted(3, 0.5, 2);
    assert_eq!((idx.select(&mut rng), idx.min_count()), (Some(3), 2));

    let mut lc = LeastCount::new(5);
    assert_eq!(lc.min_count(), 5);
    lc.set(0, Some(2));
    lc.set(1, None);
    assert_eq!(lc.min_count(), 3);
    for i in 2..5 {
        lc.set(i, None);
    }
    assert_eq!((lc.min(), lc.min_count()), (Some(2), 1));
    lc.set(0, None);
    assert_eq!((lc.min(), lc.min_count()), (None, 0));
}

/// The vector summary of a group of siblings agrees with the plain one, with and
/// without counts, on groups full of ties and empty slots.
#[test]
fn vector_and_portable_summaries_agree() {
    let mut rng = SimRng::new(11);
    for _ in 0..20_000 {
        let min: [f64; ARITY] = std::array::from_fn(|_| match rng.below(20) {
            0..=4 => f64::INFINITY,
            5 => f64::NEG_INFINITY,
            _ => rng.below(3) as f64,
        });
        let count: [u32; ARITY] =
            std::array::from_fn(|j| if min[j] < f64::INFINITY { 1 + rng.below(5) as u32 } else { 0 });
        let slot = rng.below(ARITY);
        // Compared bit for bit (the least's sign of zero included).
        let bits = |(least, total, at): (f64, u32, usize)| (least.to_bits(), total, at);
        let want = |count| bits(others_portable(&min, count, slot));
        assert_eq!(bits(others(&min, Some(&count), slot)), want(Some(&count)), "{min:?} {count:?} {slot}");
        assert_eq!(bits(others(&min, None, slot)), want(None), "{min:?} {slot}");
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            // SAFETY: checked just above.
            let avx2 = |count| bits(unsafe { others_avx2(&min, count, slot) });
            assert_eq!(avx2(Some(&count)), want(Some(&count)), "{min:?} {count:?} {slot}");
            assert_eq!(avx2(None), want(None), "{min:?} {slot}");
        }
    }
}

/// Counted and plain entries mixed (the index switches to stored leaf counts on the
/// first count above 1), against a full scan: least value, number of ties counted
/// by weight, lowest index, and that selections land on a least entry.
#[test]
fn counted_updates_agree_with_a_full_scan() {
    let mut rng = SimRng::new(12);
    for (n, avx2) in [1, 8, 9, 64, 65, 513].into_iter().flat_map(|n| paths().map(move |a| (n, a))) {
        let mut idx = MinIndex::new(n);
        idx.avx2 = avx2;
        let mut vals: Vec<(f64, u32)> = vec![(0.0, 1); n];
        for step in 0..4000 {
            let i = rng.below(n);
            let v = if rng.below(10) == 0 { f64::INFINITY } else { rng.below(4) as f64 };
            let c = if step > 1000 { rng.below(4) as u32 } else { 1 };
            idx.set_counted(i, v, c);
            vals[i] = if v < f64::INFINITY && c > 0 { (v, c) } else { (f64::INFINITY, 0) };
            let least = vals.iter().map(|x| x.0).fold(f64::INFINITY, f64::min);
            let ties: u32 = vals.iter().filter(|x| x.0 == least && x.1 > 0).map(|x| x.1).sum();
            let first = vals.iter().position(|x| x.0 == least && x.1 > 0);
            assert_eq!((idx.min(), idx.min_count(), idx.select_first()), (least, ties, first), "n {n} step {step}");
            match idx.select(&mut rng) {
                Some(j) => assert!(vals[j].0 == least && vals[j].1 > 0),
                None => assert_eq!(ties, 0),
            }
            idx.check();
        }
    }
}

/// Ties are broken uniformly: 4 tied nodes out of 8, 40,000 selections; each count
/// is Binomial(40000, 1/4), sd 86.6, and 5 sd bounds the false-alarm rate at ~1e-6.
#[test]
fn ties_are_uniform() {
    let mut idx = MinIndex::new(8);
    for i in [1, 3, 4, 6] {
        idx.set(i, 1.0);
    }
    let mut rng = SimRng::new(2);
    let mut counts = [0i64; 8];
    for _ in 0..40_000 {
        counts[idx.select(&mut rng).unwrap()] += 1;
    }
    for (i, c) in counts.iter().enumerate() {
        if [1, 3, 4, 6].contains(&i) {
            assert_eq!(*c, 0);
        } else {
            assert!((c - 10_000).abs() < 433, "{counts:?}");
        }
    }
}
