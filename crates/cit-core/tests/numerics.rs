//! Numerical honesty: non-negativity and finiteness over random valid scenarios, step-size and
//! grid convergence, reproducibility.

use cit_core::column::StepControl;
use cit_core::device::Device;
use cit_core::params::Params;
use cit_core::scenario::*;
use cit_core::simulate::{simulate, Options, Summary};
use cit_core::skin::{Region, Sex};
use proptest::prelude::*;

const CONCERNS: [ConcernKind; 13] = ConcernKind::ALL;

fn severity_for(kind: ConcernKind, unit: f64) -> f64 {
    match kind {
        ConcernKind::FineLines | ConcernKind::Wrinkles => 5.0 * unit,
        ConcernKind::AcneScar(_) | ConcernKind::StretchMarks(_) => 1.0 + 3.0 * unit,
        ConcernKind::Keloid(_) => 13.0 * unit,
        ConcernKind::Hyperpigmentation(_) => 10.0 * unit,
        ConcernKind::Texture | ConcernKind::Laxity => 4.0 * unit,
    }
}

prop_compose! {
    fn any_scenario()(
        age in 12.0f64..100.0,
        male in any::<bool>(),
        skin_type in 1u8..=6,
        photo in 1u8..=4,
        region in 0usize..Region::ALL.len(),
        concern in 0usize..CONCERNS.len(),
        unit in 0.0f64..=1.0,
        device in prop::sample::select(vec!["roller", "pen", "stamp"]),
        needle_mm in 0.1f64..=2.0,
        passes in 1u32..=20,
        sessions in 1u32..=10,
        interval in 7.0f64..=90.0,
        follow_up in 0.0f64..=730.0,
        adjunct in any::<bool>(),
    ) -> Scenario {
        let kind = CONCERNS[concern];
        Scenario {
            name: "property".into(),
            seed: 1,
            patch: None,
            patient: Patient { age_years: age, sex: if male { Sex::Male } else { Sex::Female }, skin_type, photoaging: photo },
            region: Region::ALL[region],
            concerns: vec![Concern { kind, severity: severity_for(kind, unit) }],
            device: Device::typical(device, needle_mm, passes).unwrap(),
            protocol: Protocol { sessions, interval_days: interval, follow_up_days: follow_up, adjunct: adjunct.then_some(Adjunct::TranexamicAcid) },
        }
    }
}

fn summary_values(s: &Summary) -> Vec<f64> {
    let mut v = vec![
        s.collagen_change_pct,
        s.collagen_i_change_pct,
        s.collagen_iii_change_pct,
        s.elastin_change_pct,
        s.epidermis_thickness_change_pct,
        s.dermis_thickness_change_pct,
        s.firmness_change_pct,
        s.redness_days,
        s.dryness_days,
        s.pih_probability,
    ];
    for c in &s.concerns {
        v.extend([c.before, c.after, c.improvement_pct]);
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn every_valid_scenario_stays_finite_and_non_negative(s in any_scenario()) {
        let r = simulate(&s, &Params::shipped(), Options::default());
        for v in summary_values(&r.summary) {
            prop_assert!(v.is_finite());
        }
        prop_assert!((0.0..=1.0).contains(&r.summary.pih_probability));
        prop_assert!(r.summary.redness_days >= 0.0 && r.summary.dryness_days >= 0.0);
        for x in &r.timeseries.samples {
            for v in [x.collagen_i, x.collagen_iii, x.collagen, x.elastin_functional, x.elastotic, x.fibroblasts,
                      x.redness, x.dryness, x.melanin, x.epidermis_um, x.dermis_um, x.stiffness] {
                prop_assert!(v.is_finite() && v >= 0.0, "negative or non-finite state {v} on day {}", x.day);
            }
            prop_assert!(x.dryness <= 1.0);
        }
        for g in &r.timeseries.grades {
            prop_assert!(g.iter().all(|v| v.is_finite() && *v >= 0.0));
        }
    }
}

fn reference_scenario() -> Scenario {
    Scenario {
        name: "convergence".into(),
        seed: 1,
        patch: None,
        patient: Patient {
            age_years: 45.0,
            sex: Sex::Female,
            skin_type: 4,
            photoaging: 2,
        },
        region: Region::Cheek,
        concerns: vec![
            Concern {
                kind: ConcernKind::AcneScar(AcneScarType::Rolling),
                severity: 3.0,
            },
            Concern {
                kind: ConcernKind::Wrinkles,
                severity: 3.0,
            },
        ],
        device: Device::typical("pen", 1.5, 3).unwrap(),
        protocol: Protocol {
            sessions: 4,
            interval_days: 30.0,
            follow_up_days: 180.0,
            adjunct: None,
        },
    }
}

/// Outcomes compared between resolutions, with the absolute tolerance each must meet.
fn outcomes(s: &Summary) -> [(&'static str, f64, f64); 7] {
    [
        ("collagen_change_pct", s.collagen_change_pct, 0.5),
        ("dermis_thickness_change_pct", s.dermis_thickness_change_pct, 0.5),
        ("elastin_change_pct", s.elastin_change_pct, 0.5),
        ("redness_days", s.redness_days, 0.15),
        ("dryness_days", s.dryness_days, 0.15),
        ("acne grade", s.concerns[0].after, 0.05),
        ("wrinkle grade", s.concerns[1].after, 0.05),
    ]
}

/// The shipped number of depth layers.
fn shipped_layers() -> f64 {
    Params::shipped().anatomy_layers
}

fn run_with(control: StepControl, layers: f64) -> Summary {
    let mut p = Params::shipped();
    p.anatomy_layers = layers;
    simulate(&reference_scenario(), &p, Options { record: false, control }).summary
}

#[test]
fn halving_the_step_tolerance_changes_outcomes_less_than_stated() {
    // Stated tolerance (docs/model.md): the shipped step control is within these absolute
    // differences of a run with half its tolerance, and the differences shrink as it is halved.
    let base = StepControl::default();
    let half = StepControl {
        tolerance: base.tolerance / 2.0,
        max_step_days: base.max_step_days / 2.0,
        ..base
    };
    let quarter = StepControl {
        tolerance: base.tolerance / 4.0,
        max_step_days: base.max_step_days / 4.0,
        ..base
    };
    let eighth = StepControl {
        tolerance: base.tolerance / 8.0,
        max_step_days: base.max_step_days / 8.0,
        ..base
    };
    let (a, b, c, d) = (
        run_with(base, shipped_layers()),
        run_with(half, shipped_layers()),
        run_with(quarter, shipped_layers()),
        run_with(eighth, shipped_layers()),
    );
    let rows = outcomes(&a)
        .into_iter()
        .zip(outcomes(&b))
        .zip(outcomes(&c).into_iter().zip(outcomes(&d)));
    for (((name, va, tol), (_, vb, _)), ((_, vc, _), (_, vd, _))) in rows {
        if std::env::var("CIT_PRINT_CONVERGENCE").is_ok() {
            eprintln!("{name}: {va:.4} {vb:.4} {vc:.4} {vd:.4}");
        }
        let d1 = (va - vb).abs();
        assert!(
            d1 < tol,
            "{name}: shipped vs half step differ by {d1} (tolerance {tol})"
        );
        // Refining further shrinks the differences. Event times (redness days) are measured at
        // step resolution, so one halving can agree by luck: compare the finest pair with the
        // coarsest, allowing a quarter of the tolerance for that jitter.
        let d3 = (vc - vd).abs();
        assert!(
            d3 <= d1 + 0.25 * tol,
            "{name}: not converging ({d1} at the shipped step, {d3} at an eighth)"
        );
    }
}

#[test]
fn doubling_the_depth_layers_changes_outcomes_less_than_stated() {
    let base = StepControl::default();
    let (a, b) = (run_with(base, shipped_layers()), run_with(base, 2.0 * shipped_layers()));
    for ((name, va, tol), (_, vb, _)) in outcomes(&a).into_iter().zip(outcomes(&b)) {
        // Grid tolerance: twice the step tolerance (layer boundaries move the needle's reach).
        assert!(
            (va - vb).abs() < 2.0 * tol,
            "{name}: {} vs {} layers differ by {}",
            shipped_layers(),
            2.0 * shipped_layers(),
            (va - vb).abs()
        );
    }
}

#[test]
fn the_same_scenario_gives_the_same_result() {
    let s = reference_scenario();
    let p = Params::shipped();
    assert_eq!(
        simulate(&s, &p, Options::default()),
        simulate(&s, &p, Options::default())
    );
}

#[test]
fn recording_does_not_change_the_result() {
    let s = reference_scenario();
    let p = Params::shipped();
    let a = simulate(&s, &p, Options::default()).summary;
    let b = simulate(
        &s,
        &p,
        Options {
            record: false,
            ..Options::default()
        },
    )
    .summary;
    assert_eq!(a, b);
}
