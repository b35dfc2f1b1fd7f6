//! The summary of a group of siblings with one slot left out ([`others`]), written
//! without data-dependent branches (SSE2 on x86-64, AVX2 where the processor has it),
//! and the small helpers of [`super::MinIndex`]'s updates.

use super::ARITY;

/// The least of `min` with slot `slot` left out, how many leaves hold it (0 if it is
/// infinite) by `count` (or 1 per slot if `None`), and the first slot holding it (one
/// always does: with every other slot empty, all tie at infinity).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) fn others(min: &[f64; ARITY], count: Option<&[u32; ARITY]>, slot: usize) -> (f64, u32, usize) {
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
pub(super) fn ties(min: &[f64; ARITY], target: f64) -> u32 {
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
pub(super) unsafe fn summary<const AVX2: bool>(
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
pub(super) fn has_avx2() -> bool {
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
pub(super) unsafe fn others_avx2(min: &[f64; ARITY], count: Option<&[u32; ARITY]>, slot: usize) -> (f64, u32, usize) {
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
pub(super) fn others(min: &[f64; ARITY], count: Option<&[u32; ARITY]>, slot: usize) -> (f64, u32, usize) {
    others_portable(min, count, slot)
}

/// [`others`] in plain Rust: used where there is no vector version, and checked
/// against it by the tests.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
pub(super) fn others_portable(min: &[f64; ARITY], count: Option<&[u32; ARITY]>, slot: usize) -> (f64, u32, usize) {
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
pub(super) fn finish_others(least: f64, total: u32, at: u32, slot: usize) -> (f64, u32, usize) {
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
pub(super) static SLOT_LIFTS: [Lifts; ARITY] = {
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
pub(super) struct Lifts(pub(super) [f64; ARITY]);

/// All ones or zero for `a <= b`, and for `b <= a`, produced where the compiler cannot
/// see a boolean (one compare instruction, on x86-64).
#[inline(always)]
pub(super) fn le_masks(a: f64, b: f64) -> (u32, u32) {
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
pub(super) fn fmin(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
    }
}
