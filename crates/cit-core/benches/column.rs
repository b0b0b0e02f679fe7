//! Benchmarks of the performance targets (run with `bench/run`, or
//! `cargo bench -p cit-core --bench column`).
//!
//! The reference course: cheek, woman of 45 (phototype 3, Glogau 2), rolling acne scars of
//! severity 3, a 1.0 mm pen with 3 passes, 6 sessions 30 days apart and follow-up to day 365.
//!
//! - `course`: `simulate::simulate` of the whole course, with and without the time series
//!   (target (a): ≤ 1 ms on one core).
//! - `column`: one bare column (no lesion) and the lesion column alone, driven through the same
//!   sessions, so the cost of a column is visible apart from the rest of `simulate`
//!   (target (c)).
//! - `kernel`: the pieces of one step (one layer's kinetics, the signal solve, the snapshot).
//! - `baseline`: arithmetic measured in the same run (one `exp`, one `exp_m1`, a 24-element
//!   loop), so ratios can be read side by side on whatever machine runs this.
//!
//! Before the benchmarks the binary prints the steps per course (counted with the `on_step`
//! callback of `Column::advance`) and the number of layers, as `figure <name> <value>` lines.
//! With `CIT_BENCH_COHORT=<n>` it also times `cohort::run_cohort` of the reference course for
//! `n` virtual patients on a rayon pool of `CIT_BENCH_THREADS` (default 2) threads
//! (target (b): 10 000 patients ≤ 5 s on 2 threads).
//! `CIT_BENCH_DUMP=<n>` runs no benchmark: it prints the full-precision results of an
//! `n`-patient cohort on one thread, to compare a change's results with the code before it.

use cit_core::cohort::{patient_params, run_cohort};
use cit_core::column::{Column, ColumnSetup, Snapshot};
use cit_core::device::{Device, PunctureField};
use cit_core::kinetics::{self, ColumnEnv, Rates, LAYER_VARS};
use cit_core::lesion::{lesion_tissue, LesionTissue};
use cit_core::params::{ParameterSet, Params};
use cit_core::scenario::{AcneScarType, Concern, ConcernKind, Patient, Protocol, Scenario};
use cit_core::simulate::{self, simulate, Options};
use cit_core::skin::{Region, Sex, Skin};
use divan::{black_box, Bencher};
use std::time::Instant;

const SESSIONS: u32 = 6;
const INTERVAL_DAYS: f64 = 30.0;
/// Follow-up after the last session so that the course ends at day 365.
const FOLLOW_UP_DAYS: f64 = 365.0 - (SESSIONS - 1) as f64 * INTERVAL_DAYS;

fn course() -> Scenario {
    Scenario {
        name: "bench: rolling acne scars, cheek, pen 1.0 mm x3, 6 sessions / 12 months".into(),
        seed: 7,
        patch: None,
        patient: Patient {
            age_years: 45.0,
            sex: Sex::Female,
            skin_type: 3,
            photoaging: 2,
        },
        region: Region::Cheek,
        concerns: vec![Concern {
            kind: ConcernKind::AcneScar(AcneScarType::Rolling),
            severity: 3.0,
        }],
        device: Device::typical("pen", 1.0, 3).expect("pen is a known device"),
        protocol: Protocol {
            sessions: SESSIONS,
            interval_days: INTERVAL_DAYS,
            follow_up_days: FOLLOW_UP_DAYS,
            adjunct: None,
        },
    }
}

/// A column of the course's patient with `tissue` (as `simulate` builds it).
fn column(sc: &Scenario, p: &Params, tissue: LesionTissue) -> Column {
    let setup = ColumnSetup {
        skin: Skin::new(sc.region, sc.patient.sex, p),
        age_years: sc.patient.age_years,
        male: sc.patient.sex == Sex::Male,
        photoaging: sc.patient.photoaging,
        skin_type: sc.patient.skin_type,
        tissue,
    };
    Column::new(setup, p)
}

/// The course's first concern as lesion tissue, sized to the patient's dermis (as `simulate` does).
fn lesion_column(sc: &Scenario, p: &Params) -> Column {
    let skin = Skin::new(sc.region, sc.patient.sex, p);
    let dermis_um = column(sc, p, LesionTissue::NORMAL).snapshot().dermis_um;
    let t = lesion_tissue(sc.concerns[0].kind, sc.concerns[0].severity, dermis_um, skin.face, p);
    assert!(!t.is_normal(), "the reference concern must give a lesion column");
    column(sc, p, t)
}

/// The session's puncture field, from the normal column's thickness before the first session.
fn field(sc: &Scenario, p: &Params) -> PunctureField {
    let s = column(sc, p, LesionTissue::NORMAL).snapshot();
    sc.device.puncture_field(s.epidermis_um + s.dermis_um, p)
}

/// Runs the course's sessions and follow-up on one column.
fn run_course(col: &mut Column, sc: &Scenario, field: &PunctureField, on_step: &mut dyn FnMut(&Snapshot, &Snapshot)) {
    let adjunct = sc.protocol.adjunct.is_some();
    for day in sc.protocol.session_days() {
        col.advance(day, on_step);
        col.apply_session(field, adjunct);
    }
    col.advance(sc.protocol.end_day(), on_step);
}

fn steps_of(mut col: Column, sc: &Scenario, field: &PunctureField) -> usize {
    let mut steps = 0usize;
    run_course(&mut col, sc, field, &mut |_, _| steps += 1);
    steps
}

// ---------------------------------------------------------------------------------------------
// Target (a): the whole course through `simulate`.

#[divan::bench_group(min_time = 2)]
mod course {
    use super::*;

    #[divan::bench]
    fn simulate_record_false(bencher: Bencher) {
        let (sc, p) = (course(), Params::shipped());
        bencher.bench_local(|| {
            simulate(
                black_box(&sc),
                black_box(&p),
                Options {
                    record: false,
                    ..Default::default()
                },
            )
        });
    }

    #[divan::bench]
    fn simulate_record_true(bencher: Bencher) {
        let (sc, p) = (course(), Params::shipped());
        bencher.bench_local(|| {
            simulate(
                black_box(&sc),
                black_box(&p),
                Options {
                    record: true,
                    ..Default::default()
                },
            )
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Target (c): one column alone through the same course (construction excluded).

#[divan::bench_group(min_time = 2)]
mod column {
    use super::*;

    #[divan::bench]
    fn bare_course(bencher: Bencher) {
        let (sc, p) = (course(), Params::shipped());
        let (col, f) = (column(&sc, &p, LesionTissue::NORMAL), field(&sc, &p));
        bencher
            .with_inputs(|| col.clone())
            .bench_local_refs(|c| run_course(c, &sc, &f, &mut |_, _| {}));
    }

    #[divan::bench]
    fn lesion_course(bencher: Bencher) {
        let (sc, p) = (course(), Params::shipped());
        let (col, f) = (lesion_column(&sc, &p), field(&sc, &p));
        bencher
            .with_inputs(|| col.clone())
            .bench_local_refs(|c| run_course(c, &sc, &f, &mut |_, _| {}));
    }

    /// `Column::new` of the bare column (ageing trajectory, rates, weights).
    #[divan::bench]
    fn bare_new(bencher: Bencher) {
        let (sc, p) = (course(), Params::shipped());
        bencher.bench_local(|| column(black_box(&sc), black_box(&p), LesionTissue::NORMAL));
    }
}

// ---------------------------------------------------------------------------------------------
// The pieces of one step.

#[divan::bench_group(min_time = 1)]
mod kernel {
    use super::*;

    /// A column a few hours after a session (inflamed, signal on), as a representative state.
    fn inflamed() -> (Column, Params) {
        let (sc, p) = (course(), Params::shipped());
        let mut col = column(&sc, &p, LesionTissue::NORMAL);
        col.apply_session(&field(&sc, &p), false);
        col.advance(0.2, &mut |_, _| {});
        (col, p)
    }

    /// `kinetics::layer_terms` of one layer (production and loss of the 7 layer variables).
    #[divan::bench]
    fn layer_terms_one_layer(bencher: Bencher) {
        let (col, p) = inflamed();
        let r = Rates::new(&p, 2, 3, 0.8);
        let x = col.x[0];
        let signal = [col.signal[0]];
        let env = ColumnEnv {
            signal: &signal,
            matrix_factor: &[1.0],
            elastin_factor: &[1.0],
            collagen_synthesis: 0.01,
            elastin_synthesis: 0.002,
            synthesis_factor: 0.8,
            normal_collagen: 0.8,
            normal_elastin: 0.9,
            surroundings_gain: &[1.0],
            responsiveness: 1.0,
            deficit_feedback: 1.0,
            set_point_lift: 0.0,
            remodelling_by_i: 0.0,
        };
        bencher.bench_local(|| kinetics::layer_terms(black_box(&x), black_box(&env), 0, black_box(&r)));
    }

    /// `kinetics::exponential_step` of the 7 variables of one layer (mix of series and exp_m1
    /// branches as in an inflamed layer).
    #[divan::bench]
    fn exponential_step_one_layer(bencher: Bencher) {
        let (col, _) = inflamed();
        let x = col.x[0];
        let prod = [0.5, 2.0, 1.2, 0.02, 0.01, 0.002, 0.001];
        let loss = [8.0, 1.5, 0.3, 0.05, 0.003, 0.002, 0.01];
        bencher.bench_local(|| {
            let (x, prod, loss, dt) = (black_box(&x), black_box(&prod), black_box(&loss), black_box(0.05));
            let mut out = [0.0; LAYER_VARS];
            for v in 0..LAYER_VARS {
                out[v] = kinetics::exponential_step(x[v], prod[v], loss[v], dt);
            }
            out
        });
    }

    /// The tridiagonal signal solve over the column's layers.
    #[divan::bench]
    fn signal_solve(bencher: Bencher) {
        let (col, p) = inflamed();
        let n = col.layers();
        let rhs0: Vec<f64> = (0..n).map(|k| 1.0 / (1.0 + k as f64)).collect();
        let (mut rhs, mut c, mut g) = (rhs0.clone(), vec![0.0; n], vec![0.0; n]);
        let a = p.signal_diffusivity_um2_per_day / 100.0;
        bencher.bench_local(|| {
            rhs.copy_from_slice(&rhs0);
            cit_core::column::solve_no_flux_diffusion(
                black_box(a),
                black_box(p.signal_decay_per_day),
                &mut rhs,
                &mut c,
                &mut g,
            );
            black_box(g[0])
        });
    }

    /// `Column::snapshot` (called once per step by `advance`).
    #[divan::bench]
    fn snapshot(bencher: Bencher) {
        let (col, _) = inflamed();
        bencher.bench_local(|| black_box(&col).snapshot());
    }

    /// One full step of a whole column right after a session (`advance` by the shortest step).
    #[divan::bench]
    fn one_step_inflamed(bencher: Bencher) {
        let (col, _) = inflamed();
        bencher.with_inputs(|| col.clone()).bench_local_refs(|c| {
            let d = c.day + 1e-6;
            c.advance(d, &mut |_, _| {})
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Arithmetic baselines, measured in the same run.

#[divan::bench_group(min_time = 1)]
mod baseline {
    use super::*;

    /// One `f64::exp` call.
    #[divan::bench]
    fn exp(bencher: Bencher) {
        bencher.bench_local(|| black_box(black_box(-0.37f64).exp()));
    }

    /// One `f64::exp_m1` call (used by `exponential_step`).
    #[divan::bench]
    fn exp_m1(bencher: Bencher) {
        bencher.bench_local(|| black_box(black_box(-0.37f64).exp_m1()));
    }

    /// A dependent multiply-add loop over 24 elements (one pass over a 24-layer column).
    #[divan::bench]
    fn loop_24_fma(bencher: Bencher) {
        let x: Vec<f64> = (0..24).map(|k| 1.0 + k as f64 * 0.01).collect();
        bencher.bench_local(|| {
            let x = black_box(&x);
            let mut acc = 0.0f64;
            for v in x {
                acc = acc * 0.999 + v;
            }
            black_box(acc)
        });
    }

    /// 24 elements, each through `exp` (one exp per layer).
    #[divan::bench]
    fn loop_24_exp(bencher: Bencher) {
        let x: Vec<f64> = (0..24).map(|k| -(k as f64) * 0.01).collect();
        bencher.bench_local(|| {
            let x = black_box(&x);
            let mut acc = 0.0f64;
            for v in x {
                acc += v.exp();
            }
            black_box(acc)
        });
    }
}

// ---------------------------------------------------------------------------------------------

fn print_figures() {
    let (sc, p) = (course(), Params::shipped());
    let f = field(&sc, &p);
    let bare = column(&sc, &p, LesionTissue::NORMAL);
    let lesion = lesion_column(&sc, &p);
    let bare_steps = steps_of(bare.clone(), &sc, &f);
    let lesion_steps = steps_of(lesion, &sc, &f);
    let samples = simulate::sample_days(&sc).len();
    // Step sizes of the bare column over the course (where the steps go).
    let mut dts = Vec::new();
    run_course(&mut bare.clone(), &sc, &f, &mut |a, b| dts.push(b.day - a.day));
    let min_step = bare.control.min_step_days;
    let bins: [(&str, f64); 6] = [
        ("at_min_step", min_step * 1.001),
        ("below_0.001d", 1e-3),
        ("below_0.01d", 1e-2),
        ("below_0.1d", 0.1),
        ("below_1d", 1.0),
        ("above_1d", f64::INFINITY),
    ];
    let mut lo = 0.0;
    for (name, hi) in bins {
        let n = dts.iter().filter(|&&dt| dt > lo && dt <= hi).count();
        println!("figure bare_steps_dt_{name} {n}");
        lo = hi;
    }
    let first_day = dts
        .iter()
        .scan(0.0, |t, &dt| {
            *t += dt;
            Some(*t)
        })
        .filter(|&t| sc.protocol.session_days().iter().any(|&s| t > s && t <= s + 1.0))
        .count();
    println!("figure bare_steps_within_1d_after_a_session {first_day}");
    println!("figure course_end_day {}", sc.protocol.end_day());
    println!("figure sessions {}", sc.protocol.sessions);
    println!("figure layers {}", bare.layers());
    println!("figure layer_vars {}", LAYER_VARS);
    println!("figure bare_column_steps {bare_steps}");
    println!("figure lesion_column_steps {lesion_steps}");
    println!("figure simulate_columns 2");
    println!("figure simulate_steps {}", bare_steps + lesion_steps);
    println!("figure record_samples {samples}");
    println!("figure puncture_depth_um {:.1}", f.depth_um);
    println!("figure holes_per_cm2 {:.1}", f.holes_per_cm2);
}

/// Mean and largest steps per course (bare + lesion column) over the first `n` virtual patients of
/// the cohort (their parameters differ, and so does the stiffness of their kinetics).
fn cohort_steps(n: u64) -> (f64, usize) {
    let sc = course();
    let set = ParameterSet::shipped();
    let (mut total, mut most) = (0usize, 0usize);
    for k in 0..n {
        let (p, _) = patient_params(&set, sc.seed, k);
        let f = field(&sc, &p);
        let steps =
            steps_of(column(&sc, &p, LesionTissue::NORMAL), &sc, &f) + steps_of(lesion_column(&sc, &p), &sc, &f);
        total += steps;
        most = most.max(steps);
    }
    (total as f64 / n as f64, most)
}

/// CPU time (user + system) of this process so far, seconds (Linux /proc; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 (utime) and 15 (stime) of proc(5); `rest` starts at field 3. USER_HZ is 100 on Linux.
    let ticks = |i: usize| f.get(i - 3).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(14) + ticks(15)) / 100.0
}

fn time_cohort(n: usize, threads: usize) {
    let sc = course();
    let set = ParameterSet::shipped();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("rayon pool");
    let (t0, c0) = (Instant::now(), cpu_seconds());
    let r = pool.install(|| run_cohort(&sc, &set, n, &|| {}));
    let (secs, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
    black_box(&r);
    println!("figure cohort_patients {n}");
    println!("figure cohort_threads {threads}");
    println!("figure cohort_seconds {secs:.3}");
    println!("figure cohort_cpu_seconds {cpu:.2}");
    println!("figure cohort_cpu_ms_per_patient {:.3}", cpu * 1e3 / n as f64);
}

fn main() {
    // Profiling driver (no benchmarks): `CIT_BENCH_PROFILE=<n>` runs the course `n` times with
    // `record: false`, e.g. under `valgrind --tool=callgrind`.
    if let Some(n) = std::env::var("CIT_BENCH_PROFILE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let (sc, p) = (course(), Params::shipped());
        for _ in 0..n {
            black_box(simulate(
                black_box(&sc),
                &p,
                Options {
                    record: false,
                    ..Default::default()
                },
            ));
        }
        return;
    }
    // Results fingerprint (no benchmarks): `CIT_BENCH_DUMP=<n>` prints the full-precision `{:?}`
    // of `run_cohort` of the reference course for `n` patients on one thread, to compare a
    // change's results with the code before it to the bit.
    if let Some(n) = std::env::var("CIT_BENCH_DUMP")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let (sc, set) = (course(), ParameterSet::shipped());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("rayon pool");
        println!("{:?}", pool.install(|| run_cohort(&sc, &set, n, &|| {})));
        return;
    }
    print_figures();
    let sample = std::env::var("CIT_BENCH_COHORT_STEPS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(200);
    if sample > 0 {
        let (mean, most) = cohort_steps(sample);
        println!("figure cohort_sample_patients {sample}");
        println!("figure cohort_mean_steps_per_patient {mean:.1}");
        println!("figure cohort_max_steps_per_patient {most}");
    }
    if let Some(n) = std::env::var("CIT_BENCH_COHORT")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let threads = std::env::var("CIT_BENCH_THREADS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2);
        time_cohort(n, threads);
    }
    divan::main();
}
