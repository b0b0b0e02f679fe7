//! Verification of the diffusion solvers: a Gaussian against the analytic solution with the
//! observed order of convergence in space and time, mass conservation with no-flux faces, and
//! non-negativity.

use cit_patch::diffusion::{implicit_diffusion_step, FieldLayout};
use cit_patch::grid::Grid;

const D: f64 = 8640.0; // um^2/day
const L: f64 = 640.0; // cube edge, um
const T0: f64 = 0.1; // age of the initial Gaussian, days (sigma 42 um)
const T: f64 = 0.1; // simulated time, days (sigma 59 um at the end: the faces, 5 sigma away, do not matter)

/// The 3-D heat kernel started at t0 (centre of the cube), at time t0 + t.
fn gaussian(x: f64, y: f64, z: f64, t: f64) -> f64 {
    let s = 4.0 * D * (T0 + t);
    let c = 0.5 * L;
    let r2 = (x - c).powi(2) + (y - c).powi(2) + (z - c).powi(2);
    (std::f64::consts::PI * s).powf(-1.5) * (-r2 / s).exp() * 1e6
}

fn grid(n: usize) -> Grid {
    Grid {
        nx: n,
        ny: n,
        nz: n,
        dx_um: L / n as f64,
        dz_um: L / n as f64,
    }
}

fn sample(g: &Grid, t: f64) -> Vec<f32> {
    let mut f = g.field();
    for iy in 0..g.ny {
        for ix in 0..g.nx {
            for iz in 0..g.nz {
                let h = g.dx_um;
                f[g.at(ix, iy, iz)] =
                    gaussian((ix as f64 + 0.5) * h, (iy as f64 + 0.5) * h, (iz as f64 + 0.5) * h, t) as f32;
            }
        }
    }
    f
}

/// Max-norm error against the analytic Gaussian after `steps` LOD steps on an n³ grid.
fn error(n: usize, steps: usize) -> f64 {
    let g = grid(n);
    let mut f = sample(&g, 0.0);
    for _ in 0..steps {
        implicit_diffusion_step(&mut f, &g, FieldLayout::plain(&g), D, T / steps as f64);
    }
    let exact = sample(&g, T);
    f.iter()
        .zip(&exact)
        .map(|(a, b)| (*a as f64 - *b as f64).abs())
        .fold(0.0, f64::max)
}

#[test]
fn gaussian_converges_second_order_in_space() {
    // Time steps refined with the square of the grid spacing, so that the first-order time
    // error shrinks like h² too and the spatial order shows.
    let e: Vec<f64> = [(16, 2), (32, 8), (64, 32)].iter().map(|&(n, s)| error(n, s)).collect();
    let order = [(e[0] / e[1]).log2(), (e[1] / e[2]).log2()];
    eprintln!("space: errors {e:?}, observed orders {order:?}");
    assert!((order[1] - 2.0).abs() < 0.3, "observed order {order:?}");
}

#[test]
fn gaussian_converges_first_order_in_time() {
    // Fixed fine grid; the time error measured against a run with many small steps.
    let n = 24;
    let g = grid(n);
    let run = |steps: usize| {
        let mut f = sample(&g, 0.0);
        for _ in 0..steps {
            implicit_diffusion_step(&mut f, &g, FieldLayout::plain(&g), D, T / steps as f64);
        }
        f
    };
    let reference = run(512);
    let err = |steps: usize| {
        run(steps)
            .iter()
            .zip(&reference)
            .map(|(a, b)| (*a as f64 - *b as f64).abs())
            .fold(0.0, f64::max)
    };
    let e = [err(4), err(8), err(16)];
    let order = [(e[0] / e[1]).log2(), (e[1] / e[2]).log2()];
    eprintln!("time: errors {e:?}, observed orders {order:?}");
    assert!((order[1] - 1.0).abs() < 0.2, "observed order {order:?}");
}

#[test]
fn no_flux_faces_conserve_mass_and_values_stay_non_negative() {
    // A spike in a corner and a sharp step: huge steps (D dt / h² ~ 10^4) as in remodelling.
    let g = Grid {
        nx: 9,
        ny: 7,
        nz: 11,
        dx_um: 20.0,
        dz_um: 25.0,
    };
    let mut f = g.field();
    f[g.at(0, 0, 0)] = 1000.0;
    for iz in 0..5 {
        f[g.at(8, 6, iz)] = 3.0;
    }
    let total = |f: &[f32]| f.iter().map(|&v| v as f64).sum::<f64>();
    let before = total(&f);
    for dt in [1e-4, 0.01, 1.0, 7.0, 7.0] {
        implicit_diffusion_step(&mut f, &g, FieldLayout::plain(&g), D, dt);
        assert!(f.iter().all(|&v| v >= 0.0 && v.is_finite()));
        assert!((total(&f) / before - 1.0).abs() < 1e-5, "{} vs {before}", total(&f));
    }
    // Diffusion only smooths: the spike has spread.
    assert!(f.iter().all(|&v| v < 100.0));
}
