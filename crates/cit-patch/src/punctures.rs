//! Where the needles go: puncture positions of one session from the device geometry, drawn from
//! a seeded random generator (ChaCha8, one stream per session), so a scenario and its seed give
//! the same punctures on any machine and thread count.
//!
//! - Roller: the needles sit on the drum in rings (a helical lattice on the unrolled drum
//!   surface, circumference × width); each pass rolls the drum straight over the patch at a
//!   random phase and lateral offset, in each of the technique's directions (0°, 45°, 90°,
//!   135° for four). Holes per area per pass = needles / (circumference × width), as in
//!   [`cit_core::device::Device::holes_per_cm2`].
//! - Pen: the cartridge's needles (a sunflower pattern) stamp at the motor frequency while the
//!   hand glides: one stamp every glide speed / frequency along each glide line, at a random
//!   place across the swath (the hand's sweep), glide lines one swath apart; successive passes
//!   cross at right angles. Holes per area = needles × frequency / (speed × swath) per pass.
//! - Stamp: the head's needles (sunflower pattern over the round head) pressed on a square
//!   lattice of presses one head area apart, at a random offset and rotation per pass.

use cit_core::device::{Device, DeviceKind};
use cit_core::params::Params;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Centre-to-centre distance of a pen cartridge's needles, micrometres (cartridges of 9-36
/// needles are 2.5-5 mm across).
const PEN_NEEDLE_PITCH_UM: f64 = 600.0;

/// One needle channel's entry point, micrometres from the patch's corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Puncture {
    pub x_um: f64,
    pub y_um: f64,
}

/// The random stream of session `session` of a scenario seeded with `seed`.
pub fn session_rng(seed: u64, session: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(session as u64 + 1);
    rng
}

/// `n` points spread evenly over a disc of radius `r` (sunflower / Vogel spiral).
fn sunflower(n: u32, r: f64) -> Vec<(f64, f64)> {
    let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
    (0..n)
        .map(|k| {
            let rad = r * ((k as f64 + 0.5) / n as f64).sqrt();
            let th = k as f64 * golden;
            (rad * th.cos(), rad * th.sin())
        })
        .collect()
}

/// The punctures of one session on a patch `size_um` across; points within `margin_um` outside
/// the patch are kept (their channels reach into it).
pub fn place_punctures(
    device: &Device,
    p: &Params,
    size_um: (f64, f64),
    margin_um: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<Puncture> {
    let (w, h) = size_um;
    let centre = (0.5 * w, 0.5 * h);
    // Radius around the patch centre that holds the patch and its margin: lattices are laid
    // out in a rotated frame over this disc, then clipped.
    let reach = 0.5 * (w * w + h * h).sqrt() + margin_um;
    let inside = |x: f64, y: f64| x >= -margin_um && x <= w + margin_um && y >= -margin_um && y <= h + margin_um;
    let mut out = Vec::new();
    let keep = |u: f64, v: f64, angle: f64, out: &mut Vec<Puncture>| {
        let (s, c) = angle.sin_cos();
        let x = centre.0 + c * u - s * v;
        let y = centre.1 + s * u + c * v;
        if inside(x, y) {
            out.push(Puncture { x_um: x, y_um: y });
        }
    };
    let n = device.needle_count.max(1);
    match device.kind {
        DeviceKind::Roller {
            drum_diameter_mm,
            drum_width_mm,
        } => {
            let circumference = std::f64::consts::PI * drum_diameter_mm * 1000.0;
            let width = drum_width_mm * 1000.0;
            let rings = ((n as f64 * width / circumference).sqrt().round() as u32).clamp(1, n);
            // Along the roll: needles of one ring, so that rings x per-ring spacing gives
            // exactly `n` needles per circumference x width.
            let su = circumference * rings as f64 / n as f64;
            let sv = width / rings as f64;
            let directions = (p.device_roller_directions.round() as u32).max(1);
            for dir in 0..directions {
                let angle = std::f64::consts::PI * dir as f64 / directions as f64;
                for _ in 0..device.passes {
                    let u0: f64 = rng.random::<f64>() * su;
                    let v0: f64 = rng.random::<f64>() * sv * rings as f64;
                    let js = (reach / sv).ceil() as i64 + rings as i64;
                    for j in -js..=js {
                        let v = v0 - sv * rings as f64 + j as f64 * sv;
                        if v.abs() > reach {
                            continue;
                        }
                        // Rings are staggered by a fraction of the spacing (helical drum).
                        let shift = su * (j.rem_euclid(rings as i64)) as f64 / rings as f64;
                        let ms = (reach / su).ceil() as i64 + 1;
                        for m in -ms..=ms {
                            let u = u0 + shift + m as f64 * su;
                            if u.abs() <= reach {
                                keep(u, v, angle, &mut out);
                            }
                        }
                    }
                }
            }
        }
        DeviceKind::Pen {
            frequency_hz,
            glide_speed_mm_s,
            swath_mm,
        } => {
            let head = sunflower(n, 0.5 * PEN_NEEDLE_PITCH_UM * (n as f64).sqrt());
            let step = glide_speed_mm_s * 1000.0 / frequency_hz;
            let swath = swath_mm * 1000.0;
            for pass in 0..device.passes {
                let angle = 0.5 * std::f64::consts::PI * (pass % 2) as f64;
                let v0: f64 = rng.random::<f64>() * swath;
                let lines = (reach / swath).ceil() as i64 + 1;
                for line in -lines..=lines {
                    let band = v0 + line as f64 * swath - 0.5 * swath;
                    let u0: f64 = rng.random::<f64>() * step;
                    let stamps = ((reach + swath) / step).ceil() as i64;
                    for k in -stamps..=stamps {
                        let across: f64 = rng.random::<f64>() * swath;
                        let (su, sv) = (u0 + k as f64 * step, band + across);
                        for &(hx, hy) in &head {
                            let (u, v) = (su + hx, sv + hy);
                            if u.abs() <= reach && v.abs() <= reach {
                                keep(u, v, angle, &mut out);
                            }
                        }
                    }
                }
            }
        }
        DeviceKind::Stamp { head_area_mm2 } => {
            let area = head_area_mm2 * 1e6;
            let head = sunflower(n, (area / std::f64::consts::PI).sqrt());
            let pitch = area.sqrt();
            for _ in 0..device.passes {
                let angle: f64 = rng.random::<f64>() * std::f64::consts::TAU;
                let (ou, ov): (f64, f64) = (rng.random::<f64>() * pitch, rng.random::<f64>() * pitch);
                let turn: f64 = rng.random::<f64>() * std::f64::consts::TAU;
                let (s, c) = turn.sin_cos();
                let k = ((reach + pitch) / pitch).ceil() as i64;
                for a in -k..=k {
                    for b in -k..=k {
                        let (pu, pv) = (ou + a as f64 * pitch, ov + b as f64 * pitch);
                        for &(hx, hy) in &head {
                            let (u, v) = (pu + c * hx - s * hy, pv + s * hx + c * hy);
                            if u.abs() <= reach && v.abs() <= reach {
                                keep(u, v, angle, &mut out);
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean punctures per cm² inside a large patch, over several seeds.
    fn density(kind: &str, passes: u32) -> (f64, f64) {
        let p = Params::shipped();
        let d = Device::typical(kind, 1.0, passes).unwrap();
        let size = (8000.0, 8000.0);
        let mut total = 0usize;
        let seeds = 6;
        for s in 0..seeds {
            let pts = place_punctures(&d, &p, size, 0.0, &mut session_rng(s, 0));
            total += pts.len();
        }
        let per_cm2 = total as f64 / seeds as f64 / (size.0 * size.1 * 1e-8);
        (per_cm2, d.holes_per_cm2(&p))
    }

    #[test]
    fn densities_match_the_column_models_holes_per_cm2() {
        for (kind, passes) in [("roller", 2), ("pen", 2), ("stamp", 3)] {
            let (got, want) = density(kind, passes);
            assert!((got / want - 1.0).abs() < 0.1, "{kind}: {got} vs {want} per cm²");
        }
    }

    #[test]
    fn same_seed_same_punctures_other_seed_other_punctures() {
        let p = Params::shipped();
        let d = Device::typical("pen", 1.0, 3).unwrap();
        let a = place_punctures(&d, &p, (2000.0, 2000.0), 100.0, &mut session_rng(7, 1));
        let b = place_punctures(&d, &p, (2000.0, 2000.0), 100.0, &mut session_rng(7, 1));
        let c = place_punctures(&d, &p, (2000.0, 2000.0), 100.0, &mut session_rng(7, 2));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
