//! Indexes behind the least-* balancers: [`LeastCount`] for small integer values
//! (connections, queue lengths), [`MinIndex`] for real values (work left, finish time).

use crate::engine::SimRng;

/// A segment tree over node values that finds a node of least value in *O*(log n),
/// choosing uniformly at random among all nodes that share the least value.
///
/// Each internal entry keeps the least value below it and how many leaves hold it;
/// a selection draws k uniform in `0..count` at the root and walks down to the k-th
/// least leaf. Updates cost *O*(log n). Random tie-breaking matters: breaking ties by
/// lowest index piles load onto the first nodes whenever many are equally loaded
/// (for example all idle), which skews per-node utilisation.
#[derive(Debug, Clone)]
pub struct MinIndex {
    leaves: usize,
    min: Vec<f64>,
    count: Vec<u32>,
}

impl MinIndex {
    /// An index over `n` nodes, all with value 0.
    pub fn new(n: usize) -> Self {
        let leaves = n.next_power_of_two().max(1);
        let mut idx = MinIndex { leaves, min: vec![f64::INFINITY; 2 * leaves], count: vec![0; 2 * leaves] };
        for i in 0..n {
            idx.min[leaves + i] = 0.0;
            idx.count[leaves + i] = 1;
        }
        for p in (1..leaves).rev() {
            idx.pull(p);
        }
        idx
    }

    /// Sets node `i`'s value. `f64::INFINITY` takes the node out of every selection.
    #[inline]
    pub fn set(&mut self, i: usize, value: f64) {
        debug_assert!(!value.is_nan());
        let mut p = self.leaves + i;
        self.min[p] = value;
        self.count[p] = u32::from(value < f64::INFINITY);
        while p > 1 {
            p >>= 1;
            self.pull(p);
        }
    }

    /// Node `i`'s value.
    pub fn get(&self, i: usize) -> f64 {
        self.min[self.leaves + i]
    }

    /// The least value, or `f64::INFINITY` if every node is out.
    pub fn min(&self) -> f64 {
        self.min[1]
    }

    /// A node of least value, uniform among ties; `None` if every node is out.
    /// Draws from `rng` only when there is a tie.
    #[inline]
    pub fn select(&self, rng: &mut SimRng) -> Option<usize> {
        if self.count[1] == 0 {
            return None;
        }
        let target = self.min[1];
        let mut k = if self.count[1] > 1 { rng.below(self.count[1] as usize) as u32 } else { 0 };
        let mut p = 1;
        while p < self.leaves {
            let l = 2 * p;
            if self.min[l] == target {
                if k < self.count[l] {
                    p = l;
                    continue;
                }
                k -= self.count[l];
            }
            p = l + 1;
        }
        Some(p - self.leaves)
    }

    /// The lowest-numbered node of least value; `None` if every node is out. Never
    /// draws: for policies whose tie rule is "lowest index" (deterministic sequences,
    /// such as `weighted_round_robin`). *O*(log n).
    #[inline]
    pub fn select_first(&self) -> Option<usize> {
        if self.count[1] == 0 {
            return None;
        }
        let target = self.min[1];
        let mut p = 1;
        while p < self.leaves {
            // The left child holds the least value if any leaf below it does, and its
            // leaves all precede the right child's.
            p = if self.min[2 * p] == target { 2 * p } else { 2 * p + 1 };
        }
        Some(p - self.leaves)
    }

    /// How many nodes share the least value (0 if every node is out): lets a caller
    /// that merges several indexes break ties uniformly across them.
    #[inline]
    pub fn min_count(&self) -> u32 {
        self.count[1]
    }

    /// Sets entry `i` to stand for `count` items of value `value` (`count` 0, or an
    /// infinite value, takes it out). [`select`](Self::select) then picks entry `i`
    /// with probability proportional to `count` among the entries of least value: an
    /// index over *groups* of nodes (each group's least value and how many of its
    /// nodes hold it) that stays uniform over the nodes themselves.
    #[inline]
    pub fn set_counted(&mut self, i: usize, value: f64, count: u32) {
        debug_assert!(!value.is_nan());
        let mut p = self.leaves + i;
        let live = value < f64::INFINITY && count > 0;
        self.min[p] = if live { value } else { f64::INFINITY };
        self.count[p] = if live { count } else { 0 };
        while p > 1 {
            p >>= 1;
            self.pull(p);
        }
    }

    #[inline]
    fn pull(&mut self, p: usize) {
        let (l, r) = (2 * p, 2 * p + 1);
        let (ml, mr) = (self.min[l], self.min[r]);
        if ml < mr {
            self.min[p] = ml;
            self.count[p] = self.count[l];
        } else if mr < ml {
            self.min[p] = mr;
            self.count[p] = self.count[r];
        } else {
            self.min[p] = ml;
            self.count[p] = self.count[l] + self.count[r];
        }
    }
}

/// Nodes grouped by a small non-negative integer value (a count of tasks), finding a
/// node of least value uniformly at random among ties in *O*(1).
///
/// `buckets[v]` lists the nodes whose value is `v`, `pos` where each sits in its
/// bucket, and `min` the least non-empty bucket. Moving a node between buckets is a
/// swap-remove and a push; after a change of +-1, the typical change of a count,
/// `min` moves by at most one bucket, so updates cost *O*(1); a larger jump costs
/// *O*(jump). Selecting draws an index into the least bucket.
#[derive(Debug, Clone)]
pub struct LeastCount {
    value: Vec<u32>,
    pos: Vec<u32>,
    buckets: Vec<Vec<u32>>,
    min: usize,
}

/// Marks a node out of every selection (for example: believed down).
const OUT: u32 = u32::MAX;

impl LeastCount {
    /// An index over `n` nodes, all with value 0.
    pub fn new(n: usize) -> Self {
        LeastCount {
            value: vec![0; n],
            pos: (0..n as u32).collect(),
            buckets: vec![(0..n as u32).collect()],
            min: if n > 0 { 0 } else { 1 },
        }
    }

    /// Sets node `i`'s value; `None` takes it out of every selection.
    #[inline]
    pub fn set(&mut self, i: usize, value: Option<u32>) {
        let new = value.unwrap_or(OUT);
        let old = self.value[i];
        if new == old {
            return;
        }
        if old != OUT {
            let bucket = &mut self.buckets[old as usize];
            let at = self.pos[i] as usize;
            bucket.swap_remove(at);
            if let Some(&moved) = bucket.get(at) {
                self.pos[moved as usize] = at as u32;
            }
        }
        self.value[i] = new;
        if new != OUT {
            let v = new as usize;
            if v >= self.buckets.len() {
                self.buckets.resize_with(v + 1, Vec::new);
            }
            self.pos[i] = self.buckets[v].len() as u32;
            self.buckets[v].push(i as u32);
            self.min = self.min.min(v);
        }
        // The least bucket may have emptied: walk up to the next non-empty one.
        while self.min < self.buckets.len() && self.buckets[self.min].is_empty() {
            self.min += 1;
        }
    }

    /// Node `i`'s value (`None` if out).
    pub fn get(&self, i: usize) -> Option<u32> {
        (self.value[i] != OUT).then_some(self.value[i])
    }

    /// The least value, if any node is in.
    pub fn min(&self) -> Option<u32> {
        (self.min < self.buckets.len()).then_some(self.min as u32)
    }

    /// How many nodes hold the least value (0 if every node is out).
    #[inline]
    pub fn min_count(&self) -> u32 {
        self.buckets.get(self.min).map_or(0, |b| b.len() as u32)
    }

    /// A node of least value, uniform among ties; `None` if every node is out. Draws
    /// from `rng` only when there is a tie.
    #[inline]
    pub fn select(&self, rng: &mut SimRng) -> Option<usize> {
        let bucket = self.buckets.get(self.min)?;
        let k = if bucket.len() > 1 { rng.below(bucket.len()) } else { 0 };
        Some(bucket[k] as usize)
    }
}

#[cfg(test)]
mod tests {
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

    /// Against a full scan over many random states: the chosen node has the least value.
    #[test]
    fn agrees_with_a_full_scan() {
        let mut rng = SimRng::new(1);
        for n in [1, 2, 3, 7, 100, 1000] {
            let mut idx = MinIndex::new(n);
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
            }
        }
    }

    /// `select_first` returns the lowest-numbered node of least value, and
    /// `min_count` the number of ties, against a full scan.
    #[test]
    fn select_first_and_min_count_agree_with_a_full_scan() {
        let mut rng = SimRng::new(4);
        for n in [1, 2, 3, 7, 100, 1000] {
            let mut idx = MinIndex::new(n);
            let mut vals = vec![0.0; n];
            for _ in 0..3000 {
                let i = rng.below(n);
                let v = if rng.below(20) == 0 { f64::INFINITY } else { rng.below(5) as f64 };
                idx.set(i, v);
                vals[i] = v;
                let least = vals.iter().cloned().fold(f64::INFINITY, f64::min);
                let first = vals.iter().position(|&x| x == least && x < f64::INFINITY);
                assert_eq!(idx.select_first(), first);
                let ties = if least.is_finite() { vals.iter().filter(|&&x| x == least).count() } else { 0 };
                assert_eq!(idx.min_count() as usize, ties);
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
}
