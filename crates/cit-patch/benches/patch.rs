//! Benchmarks of the patch model (run with `bench/patch`, or `cargo bench -p cit-patch`).
//!
//! Prints `figure <name> <value>` lines:
//!
//! - `triad_gb_s`: memory bandwidth of this machine, measured in the same run with a STREAM-like
//!   triad a[i] = b[i] + s c[i] on f32 arrays of 3 × 64 MiB (12 bytes moved per element, write
//!   allocation not counted), best of several repetitions, on the rayon pool; measured five times,
//!   each time right before the diffusion step, and the median pair reported (the lowest and
//!   highest pair's share as `diffusion_share_of_bound_range`);
//! - `diffusion_*`: one implicit LOD diffusion step (x, y and z line solves) of one f32 field on
//!   the bundled example's grid (100 × 100 × 88): voxel-updates per second, the bytes it must
//!   move per voxel (each of the three sweeps reads and writes the field once: 24 B), and its
//!   share of the bandwidth bound (triad bandwidth / 24 B per voxel);
//! - `signal_iteration_*`: one iteration of the quasi-steady signal solve;
//! - `course_*`: the bundled example's course (3 sessions, 90 days follow-up) at three patch
//!   sizes (cost against voxels) and, on the smallest, to three end days (cost against days);
//! - `bytes_per_voxel`: what the patch's buffers hold per voxel.
//!
//! `CIT_BENCH_QUICK=1` skips the full-size course.

use cit_core::params::Params;
use cit_core::scenario::{PatchSettings, Scenario};
use cit_patch::diffusion::{implicit_diffusion_step, FieldLayout, QuasiSteady};
use cit_patch::grid::Grid;
use cit_patch::run::{simulate_patch, PatchOptions, Quiet};
use cit_patch::Patch;
use rayon::prelude::*;
use std::time::Instant;

fn best_of<F: FnMut()>(reps: usize, mut f: F) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn triad_gb_s() -> f64 {
    let n = 16 << 20; // 16 Mi f32 = 64 MiB per array
    let mut a = vec![0.0f32; n];
    let b = vec![1.0f32; n];
    let c = vec![2.0f32; n];
    let s = 0.5f32;
    let chunk = 1 << 16;
    let t = best_of(10, || {
        a.par_chunks_mut(chunk)
            .zip(b.par_chunks(chunk))
            .zip(c.par_chunks(chunk))
            .for_each(|((a, b), c)| {
                for i in 0..a.len() {
                    a[i] = b[i] + s * c[i];
                }
            });
        std::hint::black_box(&a);
    });
    12.0 * n as f64 / t / 1e9
}

fn example() -> Scenario {
    let text = include_str!("../../../examples/patch-icepick-cheek-pen.toml");
    cit_io_free_parse(text)
}

/// The bundled example, parsed by the scenario reader's rules without depending on cit-io:
/// cit-patch benches only need the scenario values, so they are spelled out here and checked
/// against the file's text.
fn cit_io_free_parse(text: &str) -> Scenario {
    use cit_core::device::Device;
    use cit_core::scenario::{AcneScarType, Concern, ConcernKind, Patient, Protocol};
    use cit_core::skin::{Region, Sex};
    for needle in [
        "region = \"cheek\"",
        "subtype = \"icepick\"",
        "needle_length_mm = 1.5",
        "follow_up_days = 90",
    ] {
        assert!(text.contains(needle), "the bundled example changed: {needle}");
    }
    Scenario {
        name: "bench".into(),
        seed: 11,
        patch: None,
        patient: Patient {
            age_years: 28.0,
            sex: Sex::Female,
            skin_type: 3,
            photoaging: 1,
        },
        region: Region::Cheek,
        concerns: vec![Concern {
            kind: ConcernKind::AcneScar(AcneScarType::Icepick),
            severity: 3.0,
        }],
        device: Device::typical("pen", 1.5, 3).expect("pen"),
        protocol: Protocol {
            sessions: 3,
            interval_days: 28.0,
            follow_up_days: 90.0,
            adjunct: None,
        },
    }
}

fn settings(size_mm: f64, resolution_um: f64) -> PatchSettings {
    PatchSettings {
        size_mm: [size_mm, size_mm],
        resolution_um,
        lesion_at_mm: [0.5 * size_mm, 0.5 * size_mm],
        output_days: vec![],
        npy: false,
    }
}

fn main() {
    let threads = std::env::var("CIT_BENCH_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(2);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    pool.install(run);
}

fn run() {
    let quick = std::env::var("CIT_BENCH_QUICK").is_ok();
    println!("figure threads {}", rayon::current_num_threads());
    let grid = Grid {
        nx: 100,
        ny: 100,
        nz: 88,
        dx_um: 20.0,
        dz_um: 20.0,
    };
    let mut field: Vec<f32> = (0..grid.voxels()).map(|k| (k % 97) as f32 * 0.01).collect();
    let at = FieldLayout::plain(&grid);
    let bytes = 24.0;
    // The bandwidth and the diffusion step in alternation, five pairs: the share is each pair's
    // ratio (so a change in the machine's speed between the two measurements cannot enter it),
    // and the median pair is reported with the range over the five.
    let mut pairs: Vec<(f64, f64, f64)> = (0..5)
        .map(|_| {
            let bw = triad_gb_s();
            let t = best_of(20, || implicit_diffusion_step(&mut field, &grid, at, 8640.0, 0.5));
            let rate = grid.voxels() as f64 / t;
            (rate * bytes / (bw * 1e9), bw, rate)
        })
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (share, bw, rate) = pairs[pairs.len() / 2];
    println!("figure triad_gb_s {bw:.2}");
    println!("figure diffusion_seconds {:.6}", grid.voxels() as f64 / rate);
    println!("figure diffusion_voxel_updates_per_s {rate:.4e}");
    println!("figure diffusion_bytes_per_voxel {bytes}");
    println!("figure diffusion_bound_voxel_updates_per_s {:.4e}", bw * 1e9 / bytes);
    println!("figure diffusion_share_of_bound {share:.3}");
    println!(
        "figure diffusion_share_of_bound_range {:.3} {:.3} (five pairs, each triad then diffusion)",
        pairs[0].0,
        pairs[pairs.len() - 1].0
    );

    let mut qs = QuasiSteady::new(grid, 288_000.0, 15.0);
    let source: Vec<f32> = (0..grid.voxels())
        .map(|k| if k % 9973 == 0 { 15.0 } else { 0.0 })
        .collect();
    let mut g = grid.field();
    let t = best_of(5, || {
        g.iter_mut().for_each(|v| *v = 0.0);
        qs.solve(&mut g, &source, 0.0, 6);
    }) / 6.0;
    println!("figure signal_iteration_seconds {t:.6}");
    println!(
        "figure signal_iteration_voxel_updates_per_s {:.4e}",
        grid.voxels() as f64 / t
    );
    println!("figure bytes_per_voxel {}", Patch::bytes_per_voxel());

    let p = Params::shipped();
    let s = example();
    let sizes: &[f64] = if quick { &[0.5, 1.0] } else { &[0.5, 1.0, 2.0] };
    for &size in sizes {
        let t = Instant::now();
        let r = simulate_patch(
            &s,
            &settings(size, 20.0),
            &p,
            PatchOptions {
                record: false,
                ..Default::default()
            },
            &mut Quiet,
        )
        .expect("layout");
        let secs = t.elapsed().as_secs_f64();
        let vox = r.grid.voxels();
        println!(
            "figure course_size_{size}mm voxels {vox} seconds {secs:.3} steps {} signal_iterations {} ns_per_voxel_step {:.1}",
            r.work.steps,
            r.work.signal_iterations,
            secs * 1e9 / (vox as f64 * r.work.steps as f64)
        );
    }
    for follow_up in [0.0, 30.0, 90.0, 270.0] {
        let mut s = s.clone();
        s.protocol.follow_up_days = follow_up;
        let t = Instant::now();
        let r = simulate_patch(
            &s,
            &settings(0.5, 20.0),
            &p,
            PatchOptions {
                record: false,
                ..Default::default()
            },
            &mut Quiet,
        )
        .expect("layout");
        println!(
            "figure course_days {} seconds {:.3} steps {}",
            s.protocol.end_day(),
            t.elapsed().as_secs_f64(),
            r.work.steps
        );
    }
}
