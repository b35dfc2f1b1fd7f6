//! Indexes behind the least-* balancers: [`LeastCount`] for small integer values
//! (connections, queue lengths), [`MinIndex`] for real values (work left, finish time).

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

/// The least of `min` with slot `slot` left out, how many leaves hold it (0 if it is
/// infinite) by `count` (or 1 per slot if `None`), and the first slot holding it (one
/// always does: with every other slot empty, all tie at infinity).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn others(min: &[f64; ARITY], count: Option<&[u32; ARITY]>, slot: usize) -> (f64, u32, usize) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is always available on x86-64. Every load reads inside a
    // `[_; ARITY]` array: `min` and `count` unaligned, `SLOT_LIFTS[slot]` (aligned to
    // 64 bytes) at even offsets, so aligned to 16 as `_mm_load_pd` needs.
    unsafe {
        let min = min.as_ptr();
        let lift = SLOT_LIFTS[slot].0.as_ptr();
        // Lanes 2k and 2k + 1, with slot `slot` read as infinite: the greater of each
        // value and its lift, which is infinite for the slot and minus infinity for
        // the others (a value is never NaN). One `maxpd` a pair, its operand
        // aligned so that the load folds into it.
        let pair = |k: usize| _mm_max_pd(_mm_loadu_pd(min.add(2 * k)), _mm_load_pd(lift.add(2 * k)));
        let (v0, v1, v2, v3) = (pair(0), pair(1), pair(2), pair(3));
        let m = _mm_min_pd(_mm_min_pd(v0, v1), _mm_min_pd(v2, v3));
        let m = _mm_min_pd(m, _mm_unpackhi_pd(m, m));
        let least = _mm_unpacklo_pd(m, m);
        let (e0, e1, e2, e3) =
            (_mm_cmpeq_pd(v0, least), _mm_cmpeq_pd(v1, least), _mm_cmpeq_pd(v2, least), _mm_cmpeq_pd(v3, least));
        let at = (_mm_movemask_pd(e0)
            | (_mm_movemask_pd(e1) << 2)
            | (_mm_movemask_pd(e2) << 4)
            | (_mm_movemask_pd(e3) << 6)) as u32;
        let total = match count {
            None => (at & !(1 << slot)).count_ones(),
            Some(count) => {
                // The tie masks narrowed to 32-bit lanes, to pick the counts.
                let lo = _mm_castps_si128(_mm_shuffle_ps::<0b10_00_10_00>(_mm_castpd_ps(e0), _mm_castpd_ps(e1)));
                let hi = _mm_castps_si128(_mm_shuffle_ps::<0b10_00_10_00>(_mm_castpd_ps(e2), _mm_castpd_ps(e3)));
                let count = count.as_ptr().cast::<__m128i>();
                let sum = _mm_add_epi32(
                    _mm_and_si128(lo, _mm_loadu_si128(count)),
                    _mm_and_si128(hi, _mm_loadu_si128(count.add(1))),
                );
                let sum = _mm_add_epi32(sum, _mm_shuffle_epi32::<0b01_00_11_10>(sum));
                let sum = _mm_add_epi32(sum, _mm_shuffle_epi32::<0b10_11_00_01>(sum));
                _mm_cvtsi128_si32(sum) as u32
            }
        };
        finish_others(_mm_cvtsd_f64(m), total, at, slot)
    }
}

/// The slots of `min` equal to `target`, as bits (bit j for slot j).
#[inline(always)]
fn ties(min: &[f64; ARITY], target: f64) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always available on x86-64; the loads read inside `min`.
        unsafe {
            let (p, t) = (min.as_ptr(), _mm_set1_pd(target));
            let bits = |k: usize| _mm_movemask_pd(_mm_cmpeq_pd(_mm_loadu_pd(p.add(2 * k)), t)) << (2 * k);
            (bits(0) | bits(1) | bits(2) | bits(3)) as u32
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        (0..ARITY).fold(0, |bits, j| bits | u32::from(min[j] == target) << j)
    }
}

/// [`others`], or [`others_avx2`] if `AVX2`.
///
/// # Safety
/// With `AVX2`, the processor must have AVX2.
#[inline(always)]
unsafe fn summary<const AVX2: bool>(
    min: &[f64; ARITY],
    count: Option<&[u32; ARITY]>,
    slot: usize,
) -> (f64, u32, usize) {
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        // SAFETY: the caller guarantees AVX2.
        return unsafe { others_avx2(min, count, slot) };
    }
    others(min, count, slot)
}

/// Whether the processor has AVX2 (checked once per index).
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// [`others`] with AVX2: four lanes at a time, and three-operand instructions.
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn others_avx2(min: &[f64; ARITY], count: Option<&[u32; ARITY]>, slot: usize) -> (f64, u32, usize) {
    use std::arch::x86_64::*;
    // SAFETY: the caller guarantees AVX2. Every load reads inside a `[_; ARITY]`
    // array: `min` and `count` unaligned, `SLOT_LIFTS[slot]` (aligned to 64 bytes) at
    // offsets 0 and 32, so aligned to 32 as `_mm256_load_pd` needs.
    unsafe {
        let p = min.as_ptr();
        let lift = SLOT_LIFTS[slot].0.as_ptr();
        let lo = _mm256_max_pd(_mm256_loadu_pd(p), _mm256_load_pd(lift));
        let hi = _mm256_max_pd(_mm256_loadu_pd(p.add(4)), _mm256_load_pd(lift.add(4)));
        let m = _mm256_min_pd(lo, hi);
        let m = _mm_min_pd(_mm256_castpd256_pd128(m), _mm256_extractf128_pd::<1>(m));
        let m = _mm_min_pd(m, _mm_unpackhi_pd(m, m));
        let least = _mm256_broadcastsd_pd(m);
        let (e_lo, e_hi) = (_mm256_cmp_pd::<_CMP_EQ_OQ>(lo, least), _mm256_cmp_pd::<_CMP_EQ_OQ>(hi, least));
        let at = (_mm256_movemask_pd(e_lo) | (_mm256_movemask_pd(e_hi) << 4)) as u32;
        let total = match count {
            None => (at & !(1 << slot)).count_ones(),
            Some(count) => {
                // Lane j of `tied` all ones if bit j of `at` is set, to pick the counts.
                let bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
                let tied = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32(at as i32), bit), bit);
                let c = _mm256_and_si256(tied, _mm256_loadu_si256(count.as_ptr().cast()));
                let s = _mm_add_epi32(_mm256_castsi256_si128(c), _mm256_extracti128_si256::<1>(c));
                let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
                let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
                _mm_cvtsi128_si32(s) as u32
            }
        };
        finish_others(_mm_cvtsd_f64(m), total, at, slot)
    }
}

/// [`others`] without a target's vector instructions.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn others(min: &[f64; ARITY], count: Option<&[u32; ARITY]>, slot: usize) -> (f64, u32, usize) {
    others_portable(min, count, slot)
}

/// [`others`] in plain Rust: used where there is no vector version, and checked
/// against it by the tests.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn others_portable(min: &[f64; ARITY], count: Option<&[u32; ARITY]>, slot: usize) -> (f64, u32, usize) {
    let m: [f64; ARITY] = std::array::from_fn(|j| if j == slot { f64::INFINITY } else { min[j] });
    let least = m.iter().copied().fold(f64::INFINITY, fmin);
    let mut total = 0;
    let mut at = 0u32;
    for j in 0..ARITY {
        let tie = m[j] == least;
        total += count.map_or(1, |c| c[j]) * u32::from(tie);
        at |= u32::from(tie) << j;
    }
    finish_others(least, total, at, slot)
}

/// The common end of both versions of [`others`].
#[inline(always)]
fn finish_others(least: f64, total: u32, at: u32, slot: usize) -> (f64, u32, usize) {
    // When every other slot is empty, slot `slot` (read as infinite) ties with them,
    // and with counts its count (that of the old value) was added: leave both out.
    let at = at & !(1 << slot);
    let total = if least < f64::INFINITY { total } else { 0 };
    (least, total, at.trailing_zeros() as usize % ARITY)
}

/// `SLOT_LIFTS[s][j]` is infinite if `j == s`, else minus infinity: the greater of it
/// and a value is the value with slot `s` masked out as infinite. A table, so that
/// masking a slot out is a load and not a comparison per lane (which the compiler
/// makes a branch); aligned so that vector instructions can take it from memory.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
static SLOT_LIFTS: [Lifts; ARITY] = {
    let mut lifts = [Lifts([f64::NEG_INFINITY; ARITY]); ARITY];
    let mut s = 0;
    while s < ARITY {
        lifts[s].0[s] = f64::INFINITY;
        s += 1;
    }
    lifts
};

/// One row of [`SLOT_LIFTS`].
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Lifts([f64; ARITY]);

/// All ones or zero for `a <= b`, and for `b <= a`, produced where the compiler cannot
/// see a boolean (one compare instruction, on x86-64).
#[inline(always)]
fn le_masks(a: f64, b: f64) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always available on x86-64; no memory is accessed.
        let bits = unsafe {
            let (va, vb) = (_mm_set_sd(a), _mm_set_sd(b));
            _mm_movemask_pd(_mm_unpacklo_pd(_mm_cmple_sd(va, vb), _mm_cmple_sd(vb, va))) as u32
        };
        ((bits & 1).wrapping_neg(), (bits >> 1).wrapping_neg())
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        (u32::from(a <= b).wrapping_neg(), u32::from(b <= a).wrapping_neg())
    }
}

/// The smaller of two values that are never NaN (one `minsd`).
#[inline(always)]
fn fmin(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
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
}
