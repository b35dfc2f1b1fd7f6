//! Seeded, portable random streams.

use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// A random stream: xoshiro256++ (Blackman and Vigna, 2018), a named generator
/// whose output is fixed by its definition on every platform and `rand` version
/// (unlike `StdRng`, which `rand` documents as free to change).
///
/// A run owns one stream per purpose (arrivals, sizes, policy tie-breaks, ...), each
/// seeded by [`derive_seed`], so adding draws for one purpose never shifts another.
#[derive(Clone, Debug)]
pub struct SimRng(Xoshiro256PlusPlus);

impl SimRng {
    /// A stream seeded from `seed` (expanded to the generator's 256-bit state by
    /// SplitMix64, as `seed_from_u64` documents).
    pub fn new(seed: u64) -> Self {
        SimRng(Xoshiro256PlusPlus::seed_from_u64(seed))
    }

    /// A uniform draw in the open interval (0, 1): never 0, so `-ln(u)` is finite.
    #[inline]
    pub fn open01(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard exponential draw (mean 1), by the ziggurat method (Marsaglia and
    /// Tsang, "The Ziggurat Method for Generating Random Variables", J. Stat. Softw.
    /// 2000; `rand_distr::Exp1`): exact in distribution, and on 98.9% of draws one
    /// random number, a table look-up and a multiplication, where inversion
    /// (`-ln(u)`) takes a logarithm every time. A draw uses one random number or, rarely,
    /// a few.
    #[inline]
    pub fn exp1(&mut self) -> f64 {
        loop {
            let x: f64 = rand_distr::Distribution::sample(&rand_distr::Exp1, self);
            // The tail's draw is `R - ln(u)` with `u` in [0, 1): infinite if `u` is 0,
            // once in about 2^61 draws. Redrawn, so every draw is finite.
            if x.is_finite() {
                return x;
            }
        }
    }

    /// A uniform integer in `0..n`, by Lemire's multiply-shift (bias below 2^-32 for
    /// any `n` that fits in 32 bits, which node counts do).
    ///
    /// # Panics
    /// In debug builds, if `n` is 0.
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        (((self.0.next_u64() >> 32) * n as u64) >> 32) as usize
    }
}

impl RngCore for SimRng {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        self.0.fill_bytes(dst)
    }
}

/// Derives a seed from a parent seed and a path of labels, e.g.
/// `derive_seed(scenario_seed, &[replication, STREAM_ARRIVALS])`.
///
/// Each step mixes with the SplitMix64 finaliser (Steele, Lea and Flood, 2014), so
/// neighbouring labels give unrelated seeds. Pure: the same inputs give the same
/// seed on every machine and thread.
pub fn derive_seed(parent: u64, labels: &[u64]) -> u64 {
    labels.iter().fold(mix(parent), |acc, &label| mix(acc ^ mix(label.wrapping_add(0x9E37_79B9_7F4A_7C15))))
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = SimRng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let mut r = SimRng::new(7);
        assert_eq!(a, (0..5).map(|_| r.next_u64()).collect::<Vec<_>>());
    }

    #[test]
    fn generator_output_is_pinned() {
        // Guards portability: if this changes, every published result changes. The
        // values were computed outside Rust, from the published definitions of
        // SplitMix64 (seed expansion) and xoshiro256++ (Blackman and Vigna 2018).
        let mut r = SimRng::new(42);
        let pinned = [0xd076_4d4f_4476_689f, 0x519e_4174_576f_3791, 0xfbe0_7cfb_0c24_ed8c];
        assert_eq!(pinned.map(|_| r.next_u64()), pinned);
        assert_eq!(derive_seed(1, &[0, 1]), 0xaa47_6c0a_ada4_05cb);
        assert_eq!(derive_seed(42, &[3]), 0xc670_6c05_1700_95c4);
    }

    #[test]
    fn derived_seeds_differ_by_label_and_order() {
        let s = derive_seed(1, &[0, 1]);
        assert_ne!(s, derive_seed(1, &[1, 0]));
        assert_ne!(s, derive_seed(1, &[0, 2]));
        assert_ne!(s, derive_seed(2, &[0, 1]));
        assert_eq!(s, derive_seed(1, &[0, 1]));
    }

    #[test]
    fn open01_stays_inside_the_interval() {
        let mut r = SimRng::new(3);
        for _ in 0..100_000 {
            let u = r.open01();
            assert!(u > 0.0 && u < 1.0);
        }
    }

    #[test]
    fn exp1_is_standard_exponential_body_and_tail() {
        // 10^6 draws: the fraction above x is Binomial(n, e^-x) / n, sd
        // sqrt(p (1 - p) / n); 5 sd per point keeps a false alarm below 1e-5 over the
        // grid. x = 8 lies beyond the ziggurat's base strip (R = 7.697), so the tail's
        // own draw is checked too. The mean's sd is 1 / sqrt(n) = 0.001.
        let n = 1_000_000;
        let mut r = SimRng::new(5);
        let draws: Vec<f64> = (0..n).map(|_| r.exp1()).collect();
        assert!(draws.iter().all(|x| x.is_finite() && *x >= 0.0));
        let mean = draws.iter().sum::<f64>() / n as f64;
        assert!((mean - 1.0).abs() < 0.005, "mean {mean}");
        for x in [0.01f64, 0.1, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 10.0] {
            let p: f64 = (-x).exp();
            let above = draws.iter().filter(|&&d| d > x).count() as f64 / n as f64;
            let sd = (p * (1.0 - p) / n as f64).sqrt();
            assert!((above - p).abs() < 5.0 * sd, "P(X > {x}) = {above}, want {p} (sd {sd})");
        }
    }

    #[test]
    fn below_is_roughly_uniform() {
        // 60,000 draws over 6 cells: each count is Binomial(60000, 1/6),
        // sd = 91.3; 5 sd = 456 keeps the false-alarm rate below 1e-5 per cell.
        let mut r = SimRng::new(11);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[r.below(6)] += 1;
        }
        for c in counts {
            assert!((c as i64 - 10_000).abs() < 456, "{counts:?}");
        }
    }
}
