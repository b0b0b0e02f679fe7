//! What clinics report, as tests over simulated plans (product.md, "The system it implements";
//! issue "Treatment planner"). Each test plans with the shipped parameters and the shipped
//! planner settings (1,000 virtual patients) and checks the recommendation, not a table.
//!
//! A fact that does not hold with the calibrated parameters (data/parameters.toml, fitted by
//! `cit calibrate`) is `#[ignore]`d with what the planner gives, so the disagreement stays visible
//! and is re-checked with `cargo test --release -p cit-plan --test clinic -- --ignored`. The same
//! facts are evidence targets of the fit (`clinic_face_lines`, `clinic_body_sessions`, weight 0.2
//! and 0.5), where they meet Ablon 2018 (face wrinkles) and Alqam 2022 (neck wrinkles). Every
//! fact holds with the shipped fit, some only just: grade-2 crow's feet reach `noticeable` in 3
//! sessions in 82.1 % of 1,000 and forehead lines in 84.1 % (80 % required); severe upper-arm
//! wrinkles reach `optimal` after 7 sessions in 83.3 % (docs/planner.md).

mod common;

use common::woman_of_45 as profile;

use cit_core::params::ParameterSet;
use cit_core::scenario::{ConcernKind, StretchMarkType};
use cit_core::skin::Region;
use cit_plan::plan::{Plan, Planner};
use cit_plan::profile::{Goal, PatientProfile};
use cit_plan::safety::SafetyRules;
use cit_plan::settings::PlannerSettings;

fn plan(p: &PatientProfile) -> Plan {
    let (set, settings, rules) = (
        ParameterSet::shipped(),
        PlannerSettings::shipped(),
        SafetyRules::shipped(),
    );
    Planner {
        set: &set,
        settings: &settings,
        rules: &rules,
    }
    .plan(p)
    .expect("plans")
}

fn sessions(p: &Plan) -> u32 {
    p.recommendation.as_ref().expect("a recommendation").sessions
}

const FACE: [(Region, ConcernKind, &str); 3] = [
    (Region::Cheek, ConcernKind::FineLines, "fine lines"),
    (Region::Periorbital, ConcernKind::Wrinkles, "crow's feet"),
    (Region::Forehead, ConcernKind::Wrinkles, "forehead wrinkles"),
];

fn face_reaches_noticeable_in_at_most_3_sessions(severities: &[f64]) {
    let mut failures = Vec::new();
    for (region, kind, what) in FACE {
        for &sev in severities {
            let p = plan(&profile(region, kind, sev, Goal::Noticeable, 2));
            let r = p.recommendation.as_ref().expect("a recommendation");
            if r.sessions > 3 || r.probability_of_goal < 0.8 {
                failures.push(format!(
                    "{what} severity {sev}: {} sessions, probability {:.2}",
                    r.sessions, r.probability_of_goal
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn face_moderate_lines_reach_noticeable_in_at_most_3_sessions() {
    face_reaches_noticeable_in_at_most_3_sessions(&[3.0]);
}

#[test]
fn face_mild_lines_reach_noticeable_in_at_most_3_sessions() {
    face_reaches_noticeable_in_at_most_3_sessions(&[2.0]);
    let p = plan(&profile(
        Region::Periorbital,
        ConcernKind::FineLines,
        2.0,
        Goal::Noticeable,
        2,
    ));
    assert!(sessions(&p) <= 3);
}

const BODY: [(Region, ConcernKind, &str); 3] = [
    (Region::UpperArm, ConcernKind::Wrinkles, "upper-arm wrinkles"),
    (
        Region::Abdomen,
        ConcernKind::StretchMarks(StretchMarkType::Alba),
        "abdominal stretch marks (alba)",
    ),
    (
        Region::Thigh,
        ConcernKind::StretchMarks(StretchMarkType::Rubra),
        "thigh stretch marks (rubra)",
    ),
];

#[test]
fn body_optimal_never_needs_fewer_sessions_for_more_severe_cases() {
    for (region, kind, what) in BODY {
        let mut last = 0;
        for sev in [1.5, 2.5, 3.5] {
            let n = sessions(&plan(&profile(region, kind, sev, Goal::Optimal, 2)));
            assert!(
                n >= last,
                "{what}: severity {sev} needs {n} sessions, less severe needed {last}"
            );
            last = n;
        }
    }
}

/// Mild (grade 1.5) cases need 4-5 sessions for `optimal`, severe (grade 4) ones 6-8.
fn body_optimal_needs_4_to_8_sessions_mild_at_most_5_severe_at_least_6(concerns: &[(Region, ConcernKind, &str)]) {
    let mut failures = Vec::new();
    for &(region, kind, what) in concerns {
        let mild = sessions(&plan(&profile(region, kind, 1.5, Goal::Optimal, 2)));
        let severe = sessions(&plan(&profile(region, kind, 4.0, Goal::Optimal, 2)));
        if !(4..=5).contains(&mild) {
            failures.push(format!("{what}, mild: {mild} sessions (expected 4-5)"));
        }
        if !(6..=8).contains(&severe) {
            failures.push(format!("{what}, severe: {severe} sessions (expected 6-8)"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn stretch_marks_optimal_needs_4_to_8_sessions_mild_at_most_5_severe_at_least_6() {
    body_optimal_needs_4_to_8_sessions_mild_at_most_5_severe_at_least_6(&BODY[1..]);
}

#[test]
fn upper_arm_wrinkles_optimal_needs_4_to_8_sessions_mild_at_most_5_severe_at_least_6() {
    body_optimal_needs_4_to_8_sessions_mild_at_most_5_severe_at_least_6(&BODY[..1]);
}

#[test]
fn redness_and_dryness_are_gone_within_7_days_in_95_pct_at_planned_settings() {
    let cases = [
        profile(Region::Periorbital, ConcernKind::Wrinkles, 3.0, Goal::Noticeable, 2),
        profile(Region::Periorbital, ConcernKind::Wrinkles, 2.0, Goal::Noticeable, 2),
        // Planned with denser needling (4 pen passes) to save a session.
        profile(Region::Cheek, ConcernKind::FineLines, 2.0, Goal::Noticeable, 2),
        profile(Region::Cheek, ConcernKind::FineLines, 3.0, Goal::Noticeable, 4),
        profile(Region::UpperArm, ConcernKind::Wrinkles, 3.0, Goal::Optimal, 2),
        profile(
            Region::Abdomen,
            ConcernKind::StretchMarks(StretchMarkType::Alba),
            3.0,
            Goal::Optimal,
            3,
        ),
    ];
    for p in cases {
        let r = plan(&p).recommendation.expect("a recommendation");
        assert!(
            r.redness_gone_in_7_days_share >= 0.95 && r.dryness_gone_in_7_days_share >= 0.95,
            "{:?} {:?}: redness gone in 7 days {:.3}, dryness {:.3}",
            p.region,
            p.concerns[0].kind,
            r.redness_gone_in_7_days_share,
            r.dryness_gone_in_7_days_share
        );
    }
}

#[test]
fn darker_skin_gets_shallower_settings_or_an_explicit_pih_warning() {
    use cit_core::scenario::AcneScarType;
    let cases = [
        (
            Region::Cheek,
            ConcernKind::AcneScar(AcneScarType::Rolling),
            3.0,
            Goal::Noticeable,
        ),
        (
            Region::Abdomen,
            ConcernKind::StretchMarks(StretchMarkType::Alba),
            3.0,
            Goal::Optimal,
        ),
    ];
    for (region, kind, sev, goal) in cases {
        let light = plan(&profile(region, kind, sev, goal, 2));
        let light_mm = light.recommendation.as_ref().expect("plan").setting.needle_length_mm;
        for skin_type in [4, 5, 6] {
            let dark = plan(&profile(region, kind, sev, goal, skin_type));
            let dark_mm = dark.recommendation.as_ref().expect("plan").setting.needle_length_mm;
            assert!(
                dark_mm <= light_mm,
                "type {skin_type}: {dark_mm} mm deeper than type II's {light_mm} mm"
            );
            let pih_warning = dark.warnings.iter().any(|w| w.id.contains("pih"));
            assert!(
                dark_mm < light_mm || pih_warning,
                "type {skin_type}: same depth and no PIH warning"
            );
        }
    }
}
