//! Diffusion on the voxel grid, stable at the time steps the biology needs.
//!
//! Two solvers, both built from the same implicit line solve (a tridiagonal system per grid line
//! with no-flux ends, the Thomas algorithm; see [`LineSolve`]):
//!
//! - [`implicit_diffusion_step`]: one locally one-dimensional (LOD) backward-Euler step of
//!   ∂u/∂t = D ∇²u: u ← (I − Δt D δ_zz)⁻¹ (I − Δt D δ_yy)⁻¹ (I − Δt D δ_xx)⁻¹ u. Each factor is the
//!   inverse of an M-matrix whose columns sum to one, so the step keeps every value non-negative
//!   and conserves the total exactly (up to rounding) at any Δt; first order in time, second in
//!   space. Used for the inflammation and fibroblast fields.
//! - [`QuasiSteady`]: the quasi-steady growth signal, −D ∇²g + μ g = P (its decay, ~15/day, is far
//!   faster than anything it drives). Solved by alternating-direction iterations in delta form
//!   (Douglas): r = P − A g, (I + τA_x)(I + τA_y)(I + τA_z) δ = τ r, g ← g + δ, with the pseudo
//!   time step τ cycling over a geometric sequence spanning the operator's spectrum. The fixed
//!   point is the exact discrete solution; the previous step's signal is the starting guess.
//!
//! The discrete Laplacian is the 7-point stencil with ghost cells equal to the boundary cell
//! (no flux through any face of the block). Lines along z are a voxel's depth column
//! (contiguous); lines along x and y are swept a whole depth column at a time, so the inner loop
//! runs over depth and vectorises. Planes (x, z sweeps) and blocks of columns (y sweeps) run in
//! parallel with rayon; every line's arithmetic is independent of the thread count.

use crate::grid::Grid;
use rayon::prelude::*;

#[cfg(target_arch = "x86_64")]
mod depth_lines_avx;

/// Factors of the tridiagonal no-flux system (−a u[k−1] + (2a + b) u[k] − a u[k+1] = r[k], with
/// `a + b` on the end rows) for one line length, computed once: the forward sweep multiplies by
/// reciprocal pivots.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSolve {
    off: f32,
    inv_beta: Vec<f32>,
    upper: Vec<f32>,
}

impl LineSolve {
    /// Factors for coupling `a` (= D Δt / h²) and diagonal shift `b` (1 for a time step, plus
    /// the decay share for the signal), on `n` cells.
    pub fn new(a: f64, b: f64, n: usize) -> LineSolve {
        let mut beta = vec![0.0f64; n];
        let mut upper = vec![0.0f64; n];
        if n == 1 {
            beta[0] = b;
        } else if n > 1 {
            let diag = |k: usize| if k == 0 || k == n - 1 { a + b } else { 2.0 * a + b };
            beta[0] = diag(0);
            upper[0] = -a / beta[0];
            for k in 1..n {
                beta[k] = diag(k) + a * upper[k - 1];
                upper[k] = -a / beta[k];
            }
        }
        LineSolve {
            off: -a as f32,
            inv_beta: beta.iter().map(|b| (1.0 / b) as f32).collect(),
            upper: upper.iter().map(|&u| u as f32).collect(),
        }
    }

    /// Solves one contiguous line in place.
    #[inline]
    pub fn solve_line(&self, u: &mut [f32]) {
        let n = self.inv_beta.len();
        let (u, ib, up) = (&mut u[..n], &self.inv_beta[..n], &self.upper[..n]);
        u[0] *= ib[0];
        for k in 1..n {
            u[k] = (u[k] - self.off * u[k - 1]) * ib[k];
        }
        for k in (0..n - 1).rev() {
            u[k] -= up[k] * u[k + 1];
        }
    }

    /// Solves the [`Z_LINES_AT_ONCE`] lines `group[g * stride + offset..][..n]` at once with
    /// exactly [`LineSolve::solve_line`]'s arithmetic on each (so to the bit the same result):
    /// with AVX (`avx`, which the caller has checked) transposed in 8 × 8 register blocks
    /// (`depth_lines_avx`), elsewhere element by element. Either way element `k` of every line
    /// sits side by side in `scratch[k]`, so that each step of the recurrence is one vector
    /// operation over the lines instead of a chain of dependent scalar operations along one line,
    /// which is what bounds a single line's solve.
    fn solve_eight_lines(
        &self,
        group: &mut [f32],
        stride: usize,
        offset: usize,
        scratch: &mut Vec<EightLanes>,
        avx: bool,
    ) {
        let n = self.inv_beta.len();
        if n == 0 {
            return;
        }
        assert!(group.len() >= (Z_LINES_AT_ONCE - 1) * stride + offset + n);
        scratch.resize(n, EightLanes::default());
        #[cfg(target_arch = "x86_64")]
        if avx {
            // SAFETY: the caller checked that the processor supports AVX.
            unsafe { depth_lines_avx::solve_eight_lines(group, stride, offset, self, scratch) };
            return;
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = avx; // no AVX kernel on this architecture
        let (ib, up, off) = (&self.inv_beta[..n], &self.upper[..n], self.off);
        let t = &mut scratch[..n];
        for g in 0..Z_LINES_AT_ONCE {
            let line = &group[g * stride + offset..][..n];
            for (row, &u) in t.iter_mut().zip(line) {
                row.0[g] = u;
            }
        }
        for v in t[0].0.iter_mut() {
            *v *= ib[0];
        }
        for k in 1..n {
            let prev = t[k - 1].0;
            for (c, p) in t[k].0.iter_mut().zip(prev) {
                *c = (*c - off * p) * ib[k];
            }
        }
        for k in (0..n - 1).rev() {
            let next = t[k + 1].0;
            for (c, nx) in t[k].0.iter_mut().zip(next) {
                *c -= up[k] * nx;
            }
        }
        for g in 0..Z_LINES_AT_ONCE {
            let line = &mut group[g * stride + offset..][..n];
            for (u, row) in line.iter_mut().zip(t.iter()) {
                *u = row.0[g];
            }
        }
    }

    /// Solves `n` lines at once, line element `k` being the slice `rows[k]` (all of one length):
    /// the sweep runs along `k`, vectorised over the elements of the slices.
    #[inline]
    fn solve_rows(&self, rows: &mut [&mut [f32]]) {
        let n = self.inv_beta.len();
        if n == 0 {
            return;
        }
        let off = self.off;
        scale(rows[0], self.inv_beta[0]);
        for k in 1..n {
            let (done, rest) = rows.split_at_mut(k);
            let (prev, cur) = (&*done[k - 1], &mut *rest[0]);
            let ib = self.inv_beta[k];
            for (c, p) in cur.iter_mut().zip(prev.iter()) {
                *c = (*c - off * *p) * ib;
            }
        }
        for k in (0..n - 1).rev() {
            let (head, tail) = rows.split_at_mut(k + 1);
            let (cur, next) = (&mut *head[k], &*tail[0]);
            let up = self.upper[k];
            for (c, nx) in cur.iter_mut().zip(next.iter()) {
                *c -= up * *nx;
            }
        }
    }
}

fn scale(v: &mut [f32], s: f32) {
    for x in v {
        *x *= s;
    }
}

/// Where one field lives in a buffer: pixel `p`'s depth column at
/// `p * stride + offset .. + nz`. A standalone field has `stride = nz, offset = 0`; variable `v`
/// of the layer state (all variables of a pixel side by side) has `stride = 7 nz, offset = v nz`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldLayout {
    pub stride: usize,
    pub offset: usize,
}

impl FieldLayout {
    pub fn plain(grid: &Grid) -> FieldLayout {
        FieldLayout {
            stride: grid.nz,
            offset: 0,
        }
    }

    fn column<'a>(&self, chunk: &'a mut [f32], nz: usize) -> &'a mut [f32] {
        &mut chunk[self.offset..self.offset + nz]
    }
}

/// Solves the x lines of every plane (y = const) in place.
pub fn sweep_x(buf: &mut [f32], grid: &Grid, at: FieldLayout, solve: &LineSolve) {
    let (nx, nz) = (grid.nx, grid.nz);
    buf.par_chunks_mut(nx * at.stride).for_each(|plane| {
        let mut rows: Vec<&mut [f32]> = plane.chunks_mut(at.stride).map(|c| at.column(c, nz)).collect();
        solve.solve_rows(&mut rows);
    });
}

/// Solves the y lines in place, one x position (all its depths) at a time: the line's
/// ny depth columns stay in cache between the forward and the backward sweep.
pub fn sweep_y(buf: &mut [f32], grid: &Grid, at: FieldLayout, solve: &LineSolve) {
    let (nx, nz) = (grid.nx, grid.nz);
    // Line x = ix gathers, from every plane, its depth column: disjoint mutable views.
    let mut lines: Vec<Vec<&mut [f32]>> = (0..nx).map(|_| Vec::with_capacity(grid.ny)).collect();
    for plane in buf.chunks_mut(nx * at.stride) {
        for (ix, chunk) in plane.chunks_mut(at.stride).enumerate() {
            lines[ix].push(at.column(chunk, nz));
        }
    }
    lines.par_iter_mut().for_each(|rows| solve.solve_rows(rows));
}

/// Depth columns solved together by [`sweep_z`] (the AVX kernel's eight f32 lanes).
const Z_LINES_AT_ONCE: usize = 8;

/// One row of the depth sweep's scratch: element `k` of [`Z_LINES_AT_ONCE`] lines, aligned for
/// one 256-bit load or store.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct EightLanes([f32; Z_LINES_AT_ONCE]);

/// Whether the depth sweep may use its AVX kernel on this processor.
fn avx_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Solves the z lines (depth columns) in place, [`Z_LINES_AT_ONCE`] neighbouring columns at a
/// time (vectorised across the columns, see [`LineSolve::solve_eight_lines`]), a remainder of
/// fewer one by one.
pub fn sweep_z(buf: &mut [f32], grid: &Grid, at: FieldLayout, solve: &LineSolve) {
    let nz = grid.nz;
    let avx = avx_available();
    buf.par_chunks_mut(at.stride * grid.nx.max(1)).for_each(|plane| {
        let mut scratch = Vec::with_capacity(nz);
        for group in plane.chunks_mut(at.stride * Z_LINES_AT_ONCE) {
            if group.len() == at.stride * Z_LINES_AT_ONCE {
                solve.solve_eight_lines(group, at.stride, at.offset, &mut scratch, avx);
            } else {
                group
                    .chunks_mut(at.stride)
                    .for_each(|c| solve.solve_line(at.column(c, nz)));
            }
        }
    });
}

/// One LOD backward-Euler step of ∂u/∂t = D ∇²u over `dt_days` (lateral edge `dx_um`, vertical
/// `dz_um`), in place.
pub fn implicit_diffusion_step(
    buf: &mut [f32],
    grid: &Grid,
    at: FieldLayout,
    diffusivity_um2_per_day: f64,
    dt_days: f64,
) {
    let ax = diffusivity_um2_per_day * dt_days / (grid.dx_um * grid.dx_um);
    let az = diffusivity_um2_per_day * dt_days / (grid.dz_um * grid.dz_um);
    sweep_x(buf, grid, at, &LineSolve::new(ax, 1.0, grid.nx));
    sweep_y(buf, grid, at, &LineSolve::new(ax, 1.0, grid.ny));
    sweep_z(buf, grid, at, &LineSolve::new(az, 1.0, grid.nz));
}

/// The quasi-steady solve −D ∇²g + μ g = P on a grid, with its line factors for each pseudo
/// time step precomputed.
#[derive(Debug, Clone)]
pub struct QuasiSteady {
    grid: Grid,
    diffusivity: f64,
    decay: f64,
    /// (x, y, z) line factors for each pseudo time step of the cycle.
    cycle: Vec<(f64, [LineSolve; 3])>,
    /// Scratch: the correction δ.
    delta: Vec<f32>,
}

/// What one quasi-steady solve did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolveReport {
    pub iterations: usize,
    /// max |P − A g| / max(P, tiny) after the last iteration.
    pub relative_residual: f64,
}

impl QuasiSteady {
    /// Pseudo time steps per cycle.
    const CYCLE: usize = 6;

    pub fn new(grid: Grid, diffusivity_um2_per_day: f64, decay_per_day: f64) -> QuasiSteady {
        // Per-direction eigenvalues of A_k + μ/3 span [μ/3, μ/3 + 4 D / h²]: the pseudo steps
        // run geometrically from the reciprocal of the largest to that of the smallest.
        let lo = decay_per_day / 3.0;
        let h2 = (grid.dx_um * grid.dx_um).min(grid.dz_um * grid.dz_um);
        let hi = lo + 4.0 * diffusivity_um2_per_day / h2;
        let cycle = (0..Self::CYCLE)
            .map(|j| {
                let f = j as f64 / (Self::CYCLE - 1) as f64;
                let tau = 1.0 / (lo * (hi / lo).powf(1.0 - f));
                let solve =
                    |h: f64, n: usize| LineSolve::new(diffusivity_um2_per_day * tau / (h * h), 1.0 + tau * lo, n);
                (
                    tau,
                    [
                        solve(grid.dx_um, grid.nx),
                        solve(grid.dx_um, grid.ny),
                        solve(grid.dz_um, grid.nz),
                    ],
                )
            })
            .collect();
        QuasiSteady {
            grid,
            diffusivity: diffusivity_um2_per_day,
            decay: decay_per_day,
            cycle,
            delta: grid.field(),
        }
    }

    /// Solves for `g` (in place, its content the first guess) given the source `source`, until
    /// the residual falls below `tolerance` × max(source) or `max_iterations` are done. Values
    /// are clamped at zero at the end (the exact solution of a non-negative source is
    /// non-negative; an unconverged iterate may dip below by less than the tolerance).
    pub fn solve(&mut self, g: &mut [f32], source: &[f32], tolerance: f64, max_iterations: usize) -> SolveReport {
        let grid = self.grid;
        let scale = source.par_iter().cloned().reduce(|| 0.0f32, f32::max) as f64;
        if scale <= 0.0 {
            g.par_iter_mut().for_each(|v| *v = 0.0);
            return SolveReport {
                iterations: 0,
                relative_residual: 0.0,
            };
        }
        let mut report = SolveReport {
            iterations: 0,
            relative_residual: f64::INFINITY,
        };
        for it in 0..max_iterations {
            let (tau, solves) = &self.cycle[it % self.cycle.len()];
            let res = residual(
                &grid,
                self.diffusivity,
                self.decay,
                g,
                source,
                *tau as f32,
                &mut self.delta,
            );
            report.relative_residual = res / scale;
            if report.relative_residual <= tolerance {
                break;
            }
            let delta = &mut self.delta;
            let at = FieldLayout::plain(&grid);
            sweep_x(delta, &grid, at, &solves[0]);
            sweep_y(delta, &grid, at, &solves[1]);
            sweep_z(delta, &grid, at, &solves[2]);
            g.par_chunks_mut(1 << 14)
                .zip(delta.par_chunks(1 << 14))
                .for_each(|(a, d)| a.iter_mut().zip(d).for_each(|(a, d)| *a += d));
            report.iterations = it + 1;
        }
        g.par_iter_mut().for_each(|v| *v = v.max(0.0));
        report
    }
}

/// Writes τ (P − (μ − D∇²) g) into `out` and returns max |P − A g|. Each depth column is
/// handled as slices (its own, its four lateral neighbours', the source's) so the loop over depth
/// vectorises: the two ends of the column (no-flux, ghost = boundary cell) are done apart from
/// the interior, and the largest |r| is kept as the largest bit pattern of |r| (for
/// non-negative floats the integer order of the bits is the numeric order, and an integer
/// maximum vectorises where a floating-point one does not).
fn residual(grid: &Grid, diffusivity: f64, decay: f64, g: &[f32], source: &[f32], tau: f32, out: &mut [f32]) -> f64 {
    let (nx, ny, nz) = (grid.nx, grid.ny, grid.nz);
    let cx = (diffusivity / (grid.dx_um * grid.dx_um)) as f32;
    let cz = (diffusivity / (grid.dz_um * grid.dz_um)) as f32;
    let mu = decay as f32;
    let plane = nx * nz;
    let worst_bits = out
        .par_chunks_mut(plane)
        .enumerate()
        .map(|(iy, o)| {
            let mut worst = 0u32;
            let base = iy * plane;
            let ym = if iy > 0 { base - plane } else { base };
            let yp = if iy + 1 < ny { base + plane } else { base };
            for ix in 0..nx {
                let c = base + ix * nz;
                let xm = if ix > 0 { c - nz } else { c };
                let xp = if ix + 1 < nx { c + nz } else { c };
                let col = |start: usize| &g[start..start + nz];
                let (gc, gxm, gxp) = (col(c), col(xm), col(xp));
                let (gym, gyp) = (col(ym + ix * nz), col(yp + ix * nz));
                let src = &source[c..c + nz];
                let o = &mut o[ix * nz..(ix + 1) * nz];
                let r = |k: usize, zm: f32, zp: f32| {
                    let lateral = gxm[k] + gxp[k] + gym[k] + gyp[k] - 4.0 * gc[k];
                    src[k] - mu * gc[k] + cx * lateral + cz * (zm + zp - 2.0 * gc[k])
                };
                let mut put = |k: usize, r: f32| {
                    worst = worst.max(r.abs().to_bits());
                    o[k] = tau * r;
                };
                if nz == 1 {
                    put(0, r(0, gc[0], gc[0]));
                    continue;
                }
                put(0, r(0, gc[0], gc[1]));
                for k in 1..nz - 1 {
                    put(k, r(k, gc[k - 1], gc[k + 1]));
                }
                put(nz - 1, r(nz - 1, gc[nz - 2], gc[nz - 1]));
            }
            worst
        })
        .reduce(|| 0u32, u32::max);
    f32::from_bits(worst_bits) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn lines_solved_together_match_lines_solved_one_by_one_to_the_bit() {
        // Strided lines inside a larger buffer, as the layer state stores a field.
        let (n, stride, offset) = (13, 40, 7);
        let solve = LineSolve::new(2.7, 1.0, n);
        let buf: Vec<f32> = (0..Z_LINES_AT_ONCE * stride)
            .map(|i| ((i * 37) % 101) as f32 * 0.1)
            .collect();
        let mut one_by_one = buf.clone();
        for g in 0..Z_LINES_AT_ONCE {
            solve.solve_line(&mut one_by_one[g * stride + offset..][..n]);
        }
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        // The portable path, and the AVX kernel where the processor has it.
        for avx in [false, avx_available()] {
            let mut together = buf.clone();
            solve.solve_eight_lines(&mut together, stride, offset, &mut Vec::new(), avx);
            assert_eq!(bits(&together), bits(&one_by_one), "avx: {avx}");
        }
    }

    #[test]
    fn depth_sweep_matches_lines_solved_one_by_one_to_the_bit() {
        // Eleven columns per plane (a group of eight and three left over), depths that are and
        // are not whole blocks of eight, a field stored inside a wider layer state.
        for nz in [1, 5, 8, 13, 88] {
            let grid = Grid {
                nx: 11,
                ny: 2,
                nz,
                dx_um: 20.0,
                dz_um: 20.0,
            };
            let at = FieldLayout {
                stride: 3 * nz,
                offset: nz,
            };
            let solve = LineSolve::new(2.7, 1.0, nz);
            let buf: Vec<f32> = (0..grid.nx * grid.ny * at.stride)
                .map(|i| ((i * 37) % 101) as f32 * 0.1)
                .collect();
            let mut swept = buf.clone();
            sweep_z(&mut swept, &grid, at, &solve);
            let mut one_by_one = buf;
            for column in one_by_one.chunks_mut(at.stride) {
                solve.solve_line(&mut column[at.offset..at.offset + nz]);
            }
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&swept), bits(&one_by_one), "nz = {nz}");
        }
    }

    #[test]
    fn line_solve_matches_a_dense_solve() {
        let (a, b, n) = (3.0, 1.5, 6);
        let rhs: Vec<f32> = (0..n).map(|k| 1.0 + k as f32).collect();
        let mut u = rhs.clone();
        LineSolve::new(a, b, n).solve_line(&mut u);
        // Apply the operator back.
        for k in 0..n {
            let um = u[k.saturating_sub(1)] as f64;
            let up = u[(k + 1).min(n - 1)] as f64;
            let lhs = b * u[k] as f64 - a * (um + up - 2.0 * u[k] as f64);
            assert_relative_eq!(lhs, rhs[k] as f64, max_relative = 1e-5);
        }
    }

    #[test]
    fn quasi_steady_solve_converges_to_the_discrete_solution() {
        let grid = Grid {
            nx: 12,
            ny: 10,
            nz: 8,
            dx_um: 20.0,
            dz_um: 25.0,
        };
        let mut source = grid.field();
        source[grid.at(3, 4, 2)] = 15.0;
        source[grid.at(9, 1, 7)] = 5.0;
        let mut g = grid.field();
        let mut qs = QuasiSteady::new(grid, 288_000.0, 15.0);
        let rep = qs.solve(&mut g, &source, 1e-5, 200);
        assert!(rep.relative_residual <= 1e-5, "{rep:?}");
        // Mass balance of the steady state with no-flux faces: μ Σg = ΣP.
        let sg: f64 = g.iter().map(|&v| v as f64).sum();
        assert_relative_eq!(15.0 * sg, 20.0, max_relative = 1e-3);
        assert!(g.iter().all(|&v| v >= 0.0));
    }
}
