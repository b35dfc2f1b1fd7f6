//! [`ResponseHistogram`]: the response times of a run, to 3 significant digits, in
//! the layout of Tene's HdrHistogram.
//!
//! The buckets are HdrHistogram's for a lowest discernible value of 1 ns, a highest of
//! 2^62 ns and 3 significant digits (2,048 sub-buckets, half of them shared with the
//! bucket below), and a quantile is read as its `value_at_quantile` reads it, so every
//! figure is the one the `hdrhistogram` crate gives for the same responses (a test
//! records the same values in both and compares every quantile of the grid). It is
//! written here rather than used from the crate because a run records a response per
//! task: the crate's general record (any lowest value and precision, a checked index,
//! a saturating add) cost about 100 instructions a task, this one about 15.

/// Response times are recorded in nanoseconds, to 3 significant digits, up to 2^62 ns
/// (about 146 years of virtual time).
const NS_PER_S: f64 = 1e9;
const HIGHEST_NS: u64 = 1 << 62;

/// Sub-buckets per bucket: the least power of two with 3 significant digits,
/// 2 × 10^3 ≤ 2^11.
const SUB_BUCKET_MAGNITUDE: u32 = 11;
/// Half of them: every bucket but the first shares its lower half with the bucket below.
const HALF_MAGNITUDE: u32 = SUB_BUCKET_MAGNITUDE - 1;
const HALF: usize = 1 << HALF_MAGNITUDE;
const SUB_BUCKET_MASK: u64 = (1 << SUB_BUCKET_MAGNITUDE) - 1;
/// Leading zeros of a value in bucket 0 (unit magnitude 0: 1 ns is discernible).
const LEADING_ZERO_BASE: u32 = 64 - SUB_BUCKET_MAGNITUDE;
/// Buckets to cover values below 2^62: 2^11 · 2^(b − 1) must exceed it, b = 52, plus
/// the first; as HdrHistogram counts them for that highest value (53), so that the
/// arrays have the same length.
const BUCKETS: usize = 53;
/// Length of the counts array: (buckets + 1) halves.
const COUNTS: usize = (BUCKETS + 1) * HALF;
/// Counts summed at a time when a quantile is read (it divides [`COUNTS`]).
const CHUNK: usize = 64;

/// `seconds` in whole nanoseconds, saturating at the histogram's top (146 years of
/// virtual time) rather than failing.
#[inline]
fn nanoseconds(seconds: f64) -> u64 {
    // NaN becomes the top, as `min` returns the number; below zero (never a response)
    // becomes zero.
    let x = (seconds * NS_PER_S).min(HIGHEST_NS as f64).max(0.0);
    // Rounded half away from zero, as `f64::round`, without its library call (the
    // baseline x86-64 has no rounding instruction): in [0, 2^62] the whole part converts
    // exactly and `x - whole` is exact (Sterbenz), so this is the same number, bit for
    // bit, for every x >= 0. Through i64, which x86-64 converts to and from in one
    // instruction each (u64 takes several).
    let whole = x as i64;
    (whole + i64::from(x - whole as f64 >= 0.5)) as u64
}

/// The index of `value` (< 2^62) in the counts array, as HdrHistogram's `index_for`.
#[inline(always)]
fn index_of(value: u64) -> usize {
    let bucket = LEADING_ZERO_BASE - (value | SUB_BUCKET_MASK).leading_zeros();
    let sub_bucket = (value >> bucket) as usize;
    ((bucket as usize + 1) << HALF_MAGNITUDE) + sub_bucket - HALF
}

/// The lowest value of index `index`, and the width of its range of equivalent values,
/// as HdrHistogram's `value_for` and `size_of_equivalent_value_range`.
fn range_of(index: usize) -> (u64, u64) {
    let bucket = (index >> HALF_MAGNITUDE) as i64 - 1;
    let sub_bucket = (index & (HALF - 1)) + HALF;
    let (bucket, sub_bucket) = if bucket < 0 { (0, sub_bucket - HALF) } else { (bucket as u32, sub_bucket) };
    ((sub_bucket as u64) << bucket, 1 << bucket)
}

/// A response-time histogram: 3 significant digits, so every quantile read from it is
/// within 0.1% of the exact one. A response beyond its top (146 years) is counted
/// apart, never clipped to the top: a quantile that falls among those is out of range
/// and reads as infinity, which every output shows as such ("inf"), rather than as a
/// figure the data do not support.
#[derive(Debug, Clone)]
pub(crate) struct ResponseHistogram {
    counts: Box<[u64]>,
    /// Responses within range.
    within: u64,
    /// Responses at or beyond the top.
    beyond: u64,
}

impl ResponseHistogram {
    /// An empty histogram (its counts, 432 KiB, are zeroed pages the system maps on
    /// first use).
    pub fn new() -> Self {
        ResponseHistogram { counts: vec![0; COUNTS].into_boxed_slice(), within: 0, beyond: 0 }
    }

    /// Records one response of `seconds`.
    #[inline]
    pub fn record(&mut self, seconds: f64) {
        let ns = nanoseconds(seconds);
        if ns < HIGHEST_NS {
            // In range by construction: the index of 2^62 − 1 is below COUNTS.
            self.counts[index_of(ns)] += 1;
            self.within += 1;
        } else {
            self.beyond += 1;
        }
    }

    /// The `q` quantile in seconds: NaN if empty, infinity if it lies beyond the top.
    pub fn quantile(&self, q: f64) -> f64 {
        let (within, all) = (self.within, self.within + self.beyond);
        if all == 0 {
            return f64::NAN;
        }
        // The rank hdrhistogram would take among all the responses, from the bottom.
        let rank = ((q.clamp(0.0, 1.0) * all as f64).ceil() as u64).max(1);
        if rank > within {
            f64::INFINITY
        } else {
            // The same rank among the responses within range.
            let q_within = if within == all { q } else { rank as f64 / within as f64 };
            self.value_at_quantile(q_within) as f64 / NS_PER_S
        }
    }

    /// The value at quantile `q` of the responses within range, in nanoseconds, as
    /// HdrHistogram's `value_at_quantile`: the highest value equivalent to the first
    /// recorded one whose cumulative count reaches `ceil(q · n)` (at least 1); the lowest
    /// for `q = 0`.
    fn value_at_quantile(&self, q: f64) -> u64 {
        let q = q.min(1.0);
        let target = ((q * self.within as f64).ceil() as u64).max(1);
        // Whole chunks are summed (vectorised) until one reaches the target, then that
        // chunk is walked count by count: a run reads some 80 quantiles at its end.
        let mut seen = 0;
        for (c, chunk) in self.counts.chunks_exact(CHUNK).enumerate() {
            let sum: u64 = chunk.iter().sum();
            if seen + sum < target {
                seen += sum;
                continue;
            }
            for (i, &count) in chunk.iter().enumerate() {
                seen += count;
                if seen >= target {
                    let (lowest, width) = range_of(c * CHUNK + i);
                    return if q == 0.0 { lowest } else { lowest + width - 1 };
                }
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdrhistogram::Histogram;

    #[test]
    fn quantiles_are_hdrhistograms_for_the_same_responses() {
        let mut rng = crate::engine::SimRng::new(11);
        for (case, decades) in [(0, 1.0), (1, 4.0), (2, 12.0), (3, 18.0)] {
            let mut ours = ResponseHistogram::new();
            let mut theirs = Histogram::<u64>::new_with_bounds(1, HIGHEST_NS, 3).unwrap();
            for i in 0..20_000 {
                // Log-uniform over `decades` decades from 1 ns, with exact bucket edges
                // and zero among them.
                let seconds = match i % 50 {
                    0 => 0.0,
                    1 => (1u64 << (i % 61)) as f64 / NS_PER_S,
                    2 => ((1u64 << (i % 61)) - 1) as f64 / NS_PER_S,
                    _ => 10f64.powf(rng.open01() * decades) / NS_PER_S,
                };
                ours.record(seconds);
                theirs.record(nanoseconds(seconds)).unwrap();
            }
            assert_eq!(ours.within, theirs.len());
            let grid = crate::metrics::QUANTILE_GRID.iter().copied();
            for q in grid.chain([0.0, 1e-9, 0.25, 0.5, 0.999_999, 1.0, 1.5]).chain((0..200).map(|_| rng.open01())) {
                let expected = theirs.value_at_quantile(q);
                assert_eq!(ours.value_at_quantile(q), expected, "case {case}, q = {q}");
            }
        }
    }

    #[test]
    fn every_bucket_edge_indexes_as_hdrhistogram_does() {
        let theirs = Histogram::<u64>::new_with_bounds(1, HIGHEST_NS, 3).unwrap();
        assert_eq!(theirs.distinct_values(), COUNTS, "same counts array");
        let mut values = vec![0u64, 1, 2047, 2048, 2049, 4095, 4096, HIGHEST_NS - 1];
        for shift in 0..62 {
            let p = 1u64 << shift;
            values.extend([p - 1, p, p + 1, p + p / 3, p | (p >> 1)]);
        }
        for v in values.into_iter().filter(|&v| v < HIGHEST_NS) {
            let (lowest, width) = range_of(index_of(v));
            assert_eq!(lowest, theirs.lowest_equivalent(v), "lowest of {v}");
            assert_eq!(lowest + width - 1, theirs.highest_equivalent(v), "highest of {v}");
        }
    }

    #[test]
    fn a_quantile_beyond_the_histograms_top_is_infinite_not_clipped() {
        let mut h = ResponseHistogram::new();
        for _ in 0..97 {
            h.record(1.0);
        }
        // Three responses of about 1,585 years, beyond the top (146 years).
        for _ in 0..3 {
            h.record(5e10);
        }
        assert!((h.quantile(0.5) - 1.0).abs() < 1e-3);
        assert!((h.quantile(0.97) - 1.0).abs() < 1e-3, "the 97th of 100 is within range");
        assert_eq!(h.quantile(0.98), f64::INFINITY);
        assert_eq!(h.quantile(0.99), f64::INFINITY);
        let mut within = ResponseHistogram::new();
        within.record(4e9);
        assert!((within.quantile(0.99) - 4e9).abs() < 4e9 * 1e-3, "146 years is within range");
        assert!(ResponseHistogram::new().quantile(0.5).is_nan());
    }

    #[test]
    fn nanoseconds_are_rounded_as_f64_round_does() {
        let mut rng = crate::engine::SimRng::new(5);
        let edges = [
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            4503599627370495.5,
            9.1e18,
            1e-9,
            0.0,
            -0.0,
            -3.7,
            -1e30,
            f64::NAN,
            f64::INFINITY,
        ];
        let random = (0..200_000).map(|i| rng.open01() * 10f64.powi(i % 20 - 9));
        for ns in edges.into_iter().chain(random) {
            let expected = (ns / NS_PER_S * NS_PER_S).round().min(HIGHEST_NS as f64) as u64;
            assert_eq!(nanoseconds(ns / NS_PER_S), expected, "{ns}");
        }
    }
}
