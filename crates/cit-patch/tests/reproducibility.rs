//! Same seed, same result whatever the thread count; nothing negative or non-finite.

use cit_core::device::Device;
use cit_core::params::Params;
use cit_core::scenario::{AcneScarType, Concern, ConcernKind, PatchSettings, Patient, Protocol, Scenario};
use cit_core::skin::{Region, Sex};
use cit_patch::run::{build_patch, simulate_patch, PatchOptions, Quiet};
use cit_patch::Region as PatchRegion;

fn tiny() -> (Scenario, PatchSettings) {
    let s = Scenario {
        name: "tiny".into(),
        seed: 5,
        patch: None,
        patient: Patient {
            age_years: 35.0,
            sex: Sex::Female,
            skin_type: 4,
            photoaging: 2,
        },
        region: Region::Periorbital,
        concerns: vec![Concern {
            kind: ConcernKind::AcneScar(AcneScarType::Icepick),
            severity: 3.0,
        }],
        device: Device::typical("pen", 1.0, 2).unwrap(),
        protocol: Protocol {
            sessions: 2,
            interval_days: 14.0,
            follow_up_days: 14.0,
            adjunct: None,
        },
    };
    let settings = PatchSettings {
        size_mm: [0.8, 0.8],
        resolution_um: 50.0,
        lesion_at_mm: [0.4, 0.4],
        output_days: vec![],
        npy: false,
    };
    (s, settings)
}

#[test]
fn one_and_two_threads_give_identical_results() {
    let (s, settings) = tiny();
    let p = Params::shipped();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| simulate_patch(&s, &settings, &p, PatchOptions::default(), &mut Quiet).unwrap())
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a.result, b.result);
    assert_eq!(a.sessions, b.sessions);
    assert!(
        a.result.summary.concerns[0].after < 3.0,
        "{:?}",
        a.result.summary.concerns
    );
}

#[test]
fn a_course_keeps_every_value_finite_and_non_negative() {
    let (s, settings) = tiny();
    let p = Params::shipped();
    let mut patch = build_patch(&s, &settings, &p).unwrap();
    assert!(patch.region_pixels(PatchRegion::Lesion) > 0);
    let field = s.device.puncture_field(2000.0, &p);
    let pts = cit_patch::punctures::place_punctures(
        &s.device,
        &p,
        patch.grid.size_um(),
        100.0,
        &mut cit_patch::punctures::session_rng(1, 0),
    );
    patch.apply_session(&field, &pts, false);
    let mut ok = true;
    patch.advance(10.0, &mut |pa| ok &= pa.all_finite_and_non_negative());
    assert!(ok);
}
