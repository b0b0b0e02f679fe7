//! Denser needling (more passes per session) is planned only where it saves a session
//! (docs/planner.md, search step 7).

mod common;

use cit_core::params::ParameterSet;
use cit_core::scenario::ConcernKind;
use cit_core::skin::Region;
use cit_plan::plan::{Plan, Planner};
use cit_plan::profile::{Goal, PatientProfile};
use cit_plan::safety::SafetyRules;
use cit_plan::settings::PlannerSettings;

/// Grade-2 crow's feet of a woman of `age`: at 55, with the standard three pen passes they need
/// 4 sessions to become noticeable in 80 % of patients, with more passes 3 (docs/planner.md,
/// search step 7).
fn crows_feet(age: f64) -> PatientProfile {
    let mut p = common::woman_of_45(Region::Periorbital, ConcernKind::Wrinkles, 2.0, Goal::Noticeable, 2);
    p.patient.age_years = age;
    p
}

fn plan(person: &PatientProfile, settings: &PlannerSettings) -> Plan {
    let (set, rules) = (ParameterSet::shipped(), SafetyRules::shipped());
    Planner {
        set: &set,
        settings,
        rules: &rules,
    }
    .plan(person)
    .expect("plans")
}

#[test]
fn more_passes_are_planned_when_they_save_a_session() {
    let mut settings = PlannerSettings::shipped();
    settings.maintenance_patients = 8;
    let standard = *settings.passes.of("pen");
    let denser = plan(&crows_feet(55.0), &settings);
    settings.denser_passes.pen.clear();
    let without = plan(&crows_feet(55.0), &settings);

    let (d, w) = (denser.recommendation.unwrap(), without.recommendation.unwrap());
    assert_eq!(w.setting.passes, standard);
    assert!(d.setting.passes > standard, "{} passes", d.setting.passes);
    assert!(
        d.sessions < w.sessions,
        "{} sessions with more passes, {} without",
        d.sessions,
        w.sessions
    );
    assert!(d.probability_of_goal >= settings.probability_goal);
    // The screened best with the standard passes stays visible as an alternative.
    assert!(denser
        .alternatives
        .iter()
        .any(|a| a.setting.passes == standard && a.sessions >= Some(w.sessions)));
    // Denser settings were screened only in the first plan.
    assert!(denser.candidates > without.candidates);
}

#[test]
fn the_standard_passes_are_kept_when_they_reach_the_goal_as_soon() {
    // Grade-2 forehead lines of a woman of 45: the standard passes reach noticeable in 3
    // sessions, and so does the densest pen setting on its own; the standard settings are
    // checked first, and the plan keeps them.
    let forehead = common::woman_of_45(Region::Forehead, ConcernKind::Wrinkles, 2.0, Goal::Noticeable, 2);
    let mut settings = PlannerSettings::shipped();
    settings.maintenance_patients = 8;
    let standard = *settings.passes.of("pen");
    let r = plan(&forehead, &settings).recommendation.unwrap();
    assert_eq!((r.sessions, r.setting.passes), (3, standard));
    assert!(r.probability_of_goal >= settings.probability_goal);

    let densest = *settings.denser_passes.pen.iter().max().expect("denser pen passes");
    settings.passes.pen = densest;
    settings.denser_passes.pen.clear();
    let d = plan(&forehead, &settings).recommendation.unwrap();
    assert_eq!((d.sessions, d.setting.passes), (3, densest));
}
