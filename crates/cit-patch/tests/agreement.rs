//! The patch against the column model: a uniform treatment with no lesion.

use cit_core::device::Device;
use cit_core::params::Params;
use cit_core::scenario::{Concern, ConcernKind, PatchSettings, Patient, Protocol, Scenario};
use cit_core::simulate::{simulate, Options};
use cit_core::skin::{Region, Sex};
use cit_patch::run::{simulate_patch, PatchOptions, Quiet};

fn scenario(device: &str, needle_mm: f64, passes: u32, sessions: u32, follow_up: f64) -> Scenario {
    Scenario {
        name: "agreement".into(),
        seed: 3,
        patch: None,
        patient: Patient {
            age_years: 40.0,
            sex: Sex::Female,
            skin_type: 3,
            photoaging: 2,
        },
        region: Region::Cheek,
        concerns: vec![Concern {
            kind: ConcernKind::Texture,
            severity: 2.0,
        }],
        device: Device::typical(device, needle_mm, passes).unwrap(),
        protocol: Protocol {
            sessions,
            interval_days: 28.0,
            follow_up_days: follow_up,
            adjunct: None,
        },
    }
}

/// Column-layer bands of the patch's collagen change profile.
fn banded(change: &[f64], layers: usize) -> Vec<f64> {
    let nz = change.len();
    (0..layers)
        .map(|b| {
            let ks: Vec<usize> = (0..nz).filter(|&k| (k * layers) / nz == b).collect();
            ks.iter().map(|&k| change[k]).sum::<f64>() / ks.len() as f64
        })
        .collect()
}

/// Largest |patch − column| of the banded collagen-change profiles over the largest |column|.
fn disagreement(p: &Params) -> f64 {
    let s = scenario("pen", 1.0, 3, 1, 90.0);
    let col = simulate(&s, p, Options::default());
    let settings = PatchSettings {
        size_mm: [1.5, 1.5],
        resolution_um: 25.0,
        lesion_at_mm: [0.75, 0.75],
        output_days: vec![],
        npy: false,
    };
    let pr = simulate_patch(&s, &settings, p, PatchOptions::default(), &mut Quiet).unwrap();
    let cd = &col.depth_profile;
    let pd = &pr.result.depth_profile;
    let cchange: Vec<f64> = cd
        .collagen_after
        .iter()
        .zip(&cd.collagen_before)
        .map(|(a, b)| a - b)
        .collect();
    let pchange: Vec<f64> = pd
        .collagen_after
        .iter()
        .zip(&pd.collagen_before)
        .map(|(a, b)| a - b)
        .collect();
    let pb = banded(&pchange, cchange.len());
    for k in 0..cchange.len() {
        eprintln!("layer {k:2}: column {:+.5} patch {:+.5}", cchange[k], pb[k]);
    }
    let scale = cchange.iter().map(|v| v.abs()).fold(0.0, f64::max);
    cchange.iter().zip(&pb).map(|(c, q)| (c - q).abs()).fold(0.0, f64::max) / scale
}

/// The criterion: the patch's surface-averaged depth profile of collagen change agrees with the
/// column's within 10 % (of the largest column change) at the end of follow-up (docs/patch.md,
/// "Patch against column").
#[test]
fn uniform_treatment_depth_profile_matches_the_column_within_10_percent() {
    let d = disagreement(&Params::shipped());
    eprintln!("disagreement {d:.3}");
    assert!(d <= 0.10, "disagreement {d:.3}");
}

/// The same comparison with the spread of inflammation and fibroblasts switched off in both
/// models: what is left is the within-channel correlation of damage, inflammation and new matrix
/// that the column's layer means cannot see.
#[test]
#[ignore = "development: prints the comparison without spread"]
fn print_comparison_without_spread() {
    let mut p = Params::shipped();
    p.inflammation_diffusivity_um2_per_day = 0.0;
    p.fibroblast_motility_um2_per_day = 0.0;
    eprintln!("disagreement without spread {:.3}", disagreement(&p));
}

#[test]
#[ignore = "development: prints the comparison"]
fn print_comparison() {
    let p = Params::shipped();
    let s = scenario("pen", 1.0, 3, 1, 90.0);
    let col = simulate(&s, &p, Options::default());
    let settings = PatchSettings {
        size_mm: [1.5, 1.5],
        resolution_um: 25.0,
        lesion_at_mm: [0.75, 0.75],
        output_days: vec![],
        npy: false,
    };
    let t = std::time::Instant::now();
    let pr = simulate_patch(&s, &settings, &p, PatchOptions::default(), &mut Quiet).unwrap();
    eprintln!("patch {:?} in {:?}, grid {:?}", pr.work, t.elapsed(), pr.grid);
    let cd = &col.depth_profile;
    let pd = &pr.result.depth_profile;
    let cchange: Vec<f64> = cd
        .collagen_after
        .iter()
        .zip(&cd.collagen_before)
        .map(|(a, b)| a - b)
        .collect();
    let pchange: Vec<f64> = pd
        .collagen_after
        .iter()
        .zip(&pd.collagen_before)
        .map(|(a, b)| a - b)
        .collect();
    let pb = banded(&pchange, cchange.len());
    for k in 0..cchange.len() {
        eprintln!("{k:2} column {:+.5} patch {:+.5}", cchange[k], pb[k]);
    }
    eprintln!("column summary {:?}", col.summary);
    eprintln!("patch summary {:?}", pr.result.summary);
}
