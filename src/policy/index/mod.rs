//! Indexes behind the least-* balancers: [`LeastCount`] for small integer values
//! (connections, queue lengths, `least_count.rs`), [`MinIndex`] for real values (work
//! left, finish time; its branch-free summaries of sibling groups in `lanes.rs`).

mod lanes;
mod least_count;

pub use least_count::LeastCount;

use lanes::*;

use crate::engine::SimRng;

/// Children per entry of [`MinIndex`]: eight `f64` values fill one 64-byte cache line,
/// so a tree over 10,000 nodes is five levels deep instead of fourteen, and a leaf
/// update touches one cache line.
const ARITY: usize = 8;

/// A tree over node values that finds a node of least value, choosing uniformly at
/// random among all nodes that share the least value.
///
/// Each entry above the leaves keeps the least value below it, how many leaves hold
/// it and the lowest-numbered of them; the tree is [`ARITY`]-ary, stored level by
/// level in groups of siblings.
/// - An update rewrites the leaf and recomputes its ancestors, stopping at the first
///   one that already holds its new summary: *O*(log n).
/// - A selection without a tie is the root's lowest-numbered least leaf: *O*(1).
///   With ties it draws k uniform in `0..count` and walks down to the k-th least leaf
///   in node order: *O*(log n).
///
/// Random tie-breaking matters: breaking ties by lowest index piles load onto the
/// first nodes whenever many are equally loaded (for example all idle), which skews
/// per-node utilisation.
///
/// # Cost
/// What is carried from level to level is only [`Entry::merge`], a few instructions;
/// the summary of an entry's siblings ([`others`]) does not depend on the new value,
/// so the processor computes those of every level at once. Both are free of
/// data-dependent branches, and [`others`] is written with SSE2 on x86-64 because the
/// compiler turns the plain version's selects back into branches: which slot ties is
/// data, and those branches, mispredicted about twice a level, were most of an
/// update's cost. Where the processor has AVX2 (checked once, when the index is built),
/// updates run a copy compiled for it, with [`others_avx2`]: half the instructions
/// for a summary, about 9% less time per task at 10,000 nodes. Both give the same
/// results, bit for bit: the same comparisons on the same values, and minus zero is
/// stored as zero so that the order in which each takes a group's least cannot show.
#[derive(Debug, Clone)]
pub struct MinIndex {
    /// The leaves' values, [`ARITY`] to a cache line. An empty leaf is infinite.
    leaves: Vec<Leaves>,
    /// The leaves' counts, kept only once [`set_counted`](Self::set_counted) has
    /// given one a count other than 1; empty means every live leaf counts 1 (then a
    /// leaf update touches only its values' line).
    leaf_counts: Vec<[u32; ARITY]>,
    /// The entries above the leaves, level by level in groups of siblings; the last
    /// group is the root's (its slot 0 is the root).
    groups: Vec<Siblings>,
    /// Where each level above the leaves starts in `groups`, lowest first.
    starts: Vec<usize>,
    /// Whether the processor has AVX2, and updates use [`others_avx2`].
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    avx2: bool,
}

/// [`ARITY`] leaf values.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Leaves {
    min: [f64; ARITY],
}

/// [`ARITY`] entries of one level of a [`MinIndex`] that share a parent, side by side
/// in memory. An empty slot has an infinite value and count 0.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Siblings {
    min: [f64; ARITY],
    count: [u32; ARITY],
    /// The lowest-numbered leaf holding `min`.
    first: [u32; ARITY],
}

impl Siblings {
    const EMPTY: Siblings = Siblings { min: [f64::INFINITY; ARITY], count: [0; ARITY], first: [0; ARITY] };

    /// Sets slot `slot` to `entry`.
    #[inline(always)]
    fn put(&mut self, slot: usize, entry: Entry) {
        self.min[slot] = entry.min;
        self.count[slot] = entry.count;
        self.first[slot] = entry.first;
    }

    /// The entry in slot `slot`.
    #[cfg(test)]
    fn entry(&self, slot: usize) -> Entry {
        Entry { min: self.min[slot], count: self.count[slot], first: self.first[slot] }
    }

    /// Whether slot `slot` holds `entry` already.
    #[inline(always)]
    fn holds(&self, slot: usize, entry: Entry) -> bool {
        self.min[slot] == entry.min && self.count[slot] == entry.count && self.first[slot] == entry.first
    }
}

/// One entry's summary of the leaves below it: their least value, how many hold it,
/// and the lowest-numbered of those.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    min: f64,
    count: u32,
    first: u32,
}

impl Entry {
    /// The summary of two disjoint sets of leaves. An empty side (infinite value,
    /// count 0) leaves the other as it is.
    ///
    /// Written with masks, not selects: which side is less is data, and this is the
    /// value carried from level to level, where the compiler turns selects into
    /// branches.
    #[inline(always)]
    fn merge(self, other: Entry) -> Entry {
        let (takes_self, takes_other) = le_masks(self.min, other.min);
        Entry {
            min: fmin(self.min, other.min),
            count: (self.count & takes_self) + (other.count & takes_other),
            first: (self.first | !takes_self).min(other.first | !takes_other),
        }
    }
}

impl MinIndex {
    /// An index over `n` nodes, all with value 0.
    pub fn new(n: usize) -> Self {
        // Each level has one entry per group of the level below; the tree ends at a
        // level with a single entry (even above a single group of leaves).
        let leaf_groups = n.div_ceil(ARITY).max(1);
        let mut starts = vec![0];
        let mut entries = leaf_groups;
        loop {
            let groups = entries.div_ceil(ARITY);
            starts.push(starts.last().expect("a level") + groups);
            if entries == 1 {
                break;
            }
            entries = groups;
        }
        let total = starts.pop().expect("an end");
        let mut idx = MinIndex {
            leaves: vec![Leaves { min: [f64::INFINITY; ARITY] }; leaf_groups],
            leaf_counts: Vec::new(),
            groups: vec![Siblings::EMPTY; total],
            starts,
            avx2: has_avx2(),
        };
        for i in 0..n {
            idx.set(i, 0.0);
        }
        idx
    }

    /// Sets node `i`'s value. `f64::INFINITY` takes the node out of every selection.
    #[inline]
    pub fn set(&mut self, i: usize, value: f64) {
        self.set_counted(i, value, 1);
    }

    /// Node `i`'s value.
    pub fn get(&self, i: usize) -> f64 {
        self.leaves[i / ARITY].min[i % ARITY]
    }

    /// The least value, or `f64::INFINITY` if every node is out.
    #[inline]
    pub fn min(&self) -> f64 {
        self.root().min
    }

    /// A node of least value, uniform among ties; `None` if every node is out.
    /// Draws from `rng` only when there is a tie.
    #[inline]
    pub fn select(&self, rng: &mut SimRng) -> Option<usize> {
        let root = self.root();
        match root.count {
            0 => None,
            1 => Some(root.first as usize),
            count => {
                let k = rng.below(count as usize) as u32;
                Some(self.kth_least(k))
            }
        }
    }

    /// The leaf holding the `k`-th (from 0, in node order) of the least values.
    fn kth_least(&self, mut k: u32) -> usize {
        let target = self.min();
        // The index of the entry to descend into, level by level from the root's: the
        // slot holding the k-th tied leaf, going through the tied slots only.
        let mut p = 0;
        let mut pick = |min: &[f64; ARITY], count: &dyn Fn(usize) -> u32| {
            let mut tied = ties(min, target);
            loop {
                debug_assert!(tied != 0, "a count above exceeds the leaves below");
                let j = tied.trailing_zeros() as usize;
                let c = count(j);
                if k < c {
                    return j;
                }
                k -= c;
                tied &= tied - 1;
            }
        };
        for &start in self.starts.iter().rev() {
            let group = &self.groups[start + p];
            p = p * ARITY + pick(&group.min, &|j| group.count[j]);
        }
        let (leaves, counts) = (&self.leaves[p], self.leaf_counts.get(p));
        p * ARITY + pick(&leaves.min, &|j| counts.map_or(1, |c| c[j]))
    }

    /// The lowest-numbered node of least value; `None` if every node is out. Never
    /// draws: for policies whose tie rule is "lowest index" (deterministic sequences,
    /// such as `weighted_round_robin`). *O*(1).
    #[inline]
    pub fn select_first(&self) -> Option<usize> {
        let root = self.root();
        (root.count > 0).then_some(root.first as usize)
    }

    /// How many nodes share the least value (0 if every node is out): lets a caller
    /// that merges several indexes break ties uniformly across them.
    #[inline]
    pub fn min_count(&self) -> u32 {
        self.root().count
    }

    /// Sets entry `i` to stand for `count` items of value `value` (`count` 0, or an
    /// infinite value, takes it out). [`select`](Self::select) then picks entry `i`
    /// with probability proportional to `count` among the entries of least value: an
    /// index over *groups* of nodes (each group's least value and how many of its
    /// nodes hold it) that stays uniform over the nodes themselves.
    #[inline]
    pub fn set_counted(&mut self, i: usize, value: f64, count: u32) {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is true only where the processor has AVX2.
            unsafe { self.set_counted_avx2(i, value, count) };
            return;
        }
        // SAFETY: without AVX2.
        unsafe { self.update::<false>(i, value, count) };
    }

    /// [`set_counted`](Self::set_counted) compiled for AVX2, with the AVX2 summary.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn set_counted_avx2(&mut self, i: usize, value: f64, count: u32) {
        // SAFETY: the caller guarantees AVX2.
        unsafe { self.update::<true>(i, value, count) };
    }

    /// The body of [`set_counted`](Self::set_counted).
    ///
    /// # Safety
    /// With `AVX2`, the processor must have AVX2.
    #[inline(always)]
    unsafe fn update<const AVX2: bool>(&mut self, i: usize, value: f64, count: u32) {
        debug_assert!(!value.is_nan());
        // Minus zero stored as zero, so that both summary paths, which take the least of
        // a group in different orders, report the same zero.
        let value = value + 0.0;
        let live = value < f64::INFINITY && count > 0;
        let (min, count) = if live { (value, count) } else { (f64::INFINITY, 0) };
        if count > 1 && self.leaf_counts.is_empty() {
            // From now on leaves carry counts: 1 for every live leaf so far.
            self.leaf_counts = self.leaves.iter().map(|l| l.min.map(|v| u32::from(v < f64::INFINITY))).collect();
        }
        // The leaf, then up the levels carrying the changed entry's new summary in
        // registers; stop at the first entry that already holds it: nothing above it
        // changes either.
        let (group, slot) = (i / ARITY, i % ARITY);
        let leaves = &self.leaves[group];
        let counts = self.leaf_counts.get(group);
        if leaves.min[slot] == min && counts.is_none_or(|c| c[slot] == count) {
            return;
        }
        // SAFETY: with `AVX2`, the caller guarantees AVX2.
        let (least, total, at) = unsafe { summary::<AVX2>(&leaves.min, counts, slot) };
        let rest = Entry { min: least, count: total, first: (group * ARITY + at) as u32 };
        self.leaves[group].min[slot] = min;
        if let Some(counts) = self.leaf_counts.get_mut(group) {
            counts[slot] = count;
        }
        let mut entry = Entry { min, count, first: i as u32 }.merge(rest);
        let mut e = group;
        let (upper, root) = self.starts.split_at(self.starts.len() - 1);
        for &start in upper {
            let (group, slot) = (start + e / ARITY, e % ARITY);
            let siblings = &self.groups[group];
            if siblings.holds(slot, entry) {
                return;
            }
            // SAFETY: as above.
            let (least, total, at) = unsafe { summary::<AVX2>(&siblings.min, Some(&siblings.count), slot) };
            let rest = Entry { min: least, count: total, first: siblings.first[at] };
            self.groups[group].put(slot, entry);
            entry = entry.merge(rest);
            e /= ARITY;
        }
        // `e` is now 0: the root.
        self.groups[root[0]].put(0, entry);
    }

    /// Panics unless every entry above the leaves is the summary of the entries below
    /// it, recomputed from scratch (the lowest leaf counts only where the value is live).
    #[cfg(test)]
    fn check(&self) {
        let same = |a: Entry, b: Entry| a.min == b.min && a.count == b.count && (a.count == 0 || a.first == b.first);
        let leaf = |i: usize| {
            let v = self.leaves[i / ARITY].min[i % ARITY];
            let c = if v < f64::INFINITY { self.leaf_counts.get(i / ARITY).map_or(1, |c| c[i % ARITY]) } else { 0 };
            Entry { min: if c > 0 { v } else { f64::INFINITY }, count: c, first: i as u32 }
        };
        // `merge` leaves a live side as it is against an empty one.
        let empty = Entry { min: f64::INFINITY, count: 0, first: u32::MAX };
        let fold = |entries: &mut dyn Iterator<Item = Entry>| entries.fold(empty, Entry::merge);
        // Summaries of the level below, starting with the leaf groups.
        let mut below: Vec<Entry> =
            (0..self.leaves.len()).map(|g| fold(&mut (g * ARITY..(g + 1) * ARITY).map(leaf))).collect();
        for (level, &start) in self.starts.iter().enumerate() {
            let groups = below.len().div_ceil(ARITY);
            for (e, &want) in below.iter().enumerate() {
                let got = self.groups[start + e / ARITY].entry(e % ARITY);
                assert!(same(got, want), "level {level} entry {e}: {got:?}, want {want:?}");
            }
            // The slots past the level's last entry stay empty.
            for e in below.len()..groups * ARITY {
                let got = self.groups[start + e / ARITY].entry(e % ARITY);
                assert!(got.count == 0 && got.min == f64::INFINITY, "level {level} padding {e}: {got:?}");
            }
            below = (0..groups)
                .map(|g| fold(&mut below[g * ARITY..below.len().min((g + 1) * ARITY)].iter().copied()))
                .collect();
        }
    }

    /// The root's summary of every leaf.
    #[inline]
    fn root(&self) -> Entry {
        let root = self.groups.last().expect("a root");
        Entry { min: root.min[0], count: root.count[0], first: root.first[0] }
    }
}

#[cfg(test)]
mod tests;
