//! The depth-line solves of the diffusion sweeps with AVX: eight neighbouring depth columns at a
//! time, transposed in 8 × 8 register blocks.
//!
//! A depth column is contiguous, so one line's tridiagonal solve is a chain of dependent scalar
//! operations, bound by their latency. Eight lines solved side by side make each step of the
//! recurrence one 8-wide vector operation; the price is the transposition between "eight
//! values along a line" and "one value of eight lines". Done element by element that
//! transposition cost about as much as the solve itself; here it is eight vector loads, 24
//! shuffles and eight vector stores per 8 × 8 block, and the backward sweep transposes its
//! results straight back into the lines, so the scratch is written and read once.
//!
//! The arithmetic is [`LineSolve::solve_line`]'s, operation for operation (multiplications and
//! subtractions, never fused), so the results are identical to the bit.

use super::{EightLanes, LineSolve};
use std::arch::x86_64::*;

/// Transposes an 8 × 8 block: row `i` of the result holds element `i` of every input row.
#[inline(always)]
unsafe fn transpose(r: [__m256; 8]) -> [__m256; 8] {
    let t0 = _mm256_unpacklo_ps(r[0], r[1]);
    let t1 = _mm256_unpackhi_ps(r[0], r[1]);
    let t2 = _mm256_unpacklo_ps(r[2], r[3]);
    let t3 = _mm256_unpackhi_ps(r[2], r[3]);
    let t4 = _mm256_unpacklo_ps(r[4], r[5]);
    let t5 = _mm256_unpackhi_ps(r[4], r[5]);
    let t6 = _mm256_unpacklo_ps(r[6], r[7]);
    let t7 = _mm256_unpackhi_ps(r[6], r[7]);
    let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
    let s1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
    let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
    let s3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
    let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
    let s5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
    let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
    let s7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
    [
        _mm256_permute2f128_ps::<0x20>(s0, s4),
        _mm256_permute2f128_ps::<0x20>(s1, s5),
        _mm256_permute2f128_ps::<0x20>(s2, s6),
        _mm256_permute2f128_ps::<0x20>(s3, s7),
        _mm256_permute2f128_ps::<0x31>(s0, s4),
        _mm256_permute2f128_ps::<0x31>(s1, s5),
        _mm256_permute2f128_ps::<0x31>(s2, s6),
        _mm256_permute2f128_ps::<0x31>(s3, s7),
    ]
}

/// Solves the eight lines `group[g * stride + offset..][..n]` (g = 0..8), using `scratch` (at
/// least `n` long) for the forward sweep.
///
/// # Safety
/// The processor must support AVX.
#[target_feature(enable = "avx")]
pub(super) unsafe fn solve_eight_lines(
    group: &mut [f32],
    stride: usize,
    offset: usize,
    solve: &LineSolve,
    scratch: &mut [EightLanes],
) {
    let (inv_beta, upper) = (&solve.inv_beta[..], &solve.upper[..]);
    let n = inv_beta.len();
    if n == 0 {
        return;
    }
    assert!(upper.len() == n && scratch.len() >= n && stride >= n);
    assert!(group.len() >= 7 * stride + offset + n);
    let line = group.as_mut_ptr().add(offset);
    let at = |g: usize, k: usize| line.add(g * stride + k);
    let off = _mm256_set1_ps(solve.off);
    let whole = n / 8 * 8;

    // Forward sweep: u[k] = (u[k] − off u[k−1]) / β[k], eight lines per vector.
    let mut prev = _mm256_setzero_ps();
    let mut forward = |k: usize, u: __m256, prev: &mut __m256| {
        let ib = _mm256_set1_ps(inv_beta[k]);
        let v = if k == 0 {
            _mm256_mul_ps(u, ib)
        } else {
            _mm256_mul_ps(_mm256_sub_ps(u, _mm256_mul_ps(off, *prev)), ib)
        };
        _mm256_store_ps(scratch[k].0.as_mut_ptr(), v);
        *prev = v;
    };
    for k0 in (0..whole).step_by(8) {
        let rows = std::array::from_fn(|g| _mm256_loadu_ps(at(g, k0)));
        for (j, u) in transpose(rows).into_iter().enumerate() {
            forward(k0 + j, u, &mut prev);
        }
    }
    for k in whole..n {
        let u = std::array::from_fn::<f32, 8, _>(|g| *at(g, k));
        forward(k, _mm256_loadu_ps(u.as_ptr()), &mut prev);
    }

    // Backward sweep: u[k] −= upper[k] u[k+1], from the bottom; the ragged end first, element
    // by element, then whole blocks transposed back into the lines.
    let mut next = _mm256_load_ps(scratch[n - 1].0.as_ptr());
    let backward = |k: usize, next: &mut __m256| -> __m256 {
        if k + 1 < n {
            let u = _mm256_load_ps(scratch[k].0.as_ptr());
            *next = _mm256_sub_ps(u, _mm256_mul_ps(_mm256_set1_ps(upper[k]), *next));
        }
        *next
    };
    for k in (whole..n).rev() {
        let mut u = [0.0f32; 8];
        _mm256_storeu_ps(u.as_mut_ptr(), backward(k, &mut next));
        for (g, v) in u.into_iter().enumerate() {
            *at(g, k) = v;
        }
    }
    for k0 in (0..whole).step_by(8).rev() {
        let mut block = [_mm256_setzero_ps(); 8];
        for j in (0..8).rev() {
            block[j] = backward(k0 + j, &mut next);
        }
        for (g, row) in transpose(block).into_iter().enumerate() {
            _mm256_storeu_ps(at(g, k0), row);
        }
    }
}
