//! Denser needling (more passes per session) is planned only where it saves a session
//! (docs/planner.md, search step 7).

use cit_core::params::ParameterSet;
use cit_core::scenario::{Concern, ConcernKind, Patient};
use cit_core::skin::{Region, Sex};
use cit_plan::plan::{Plan, Planner};
use cit_plan::profile::{Answers, Constraints, Goal, PatientProfile};
use cit_plan::safety::SafetyRules;
use cit_plan::settings::PlannerSettings;

/// Grade-2 crow's feet, woman of 45, type II, Glogau 2: the standard three pen passes need one
/// session more than the noticeable goal allows clinics (docs/planner.md).
fn crows_feet() -> PatientProfile {
    PatientProfile {
        patient: Patient {
            age_years: 45.0,
            sex: Sex::Female,
            skin_type: 2,
            photoaging: 2,
        },
        region: Region::Periorbital,
        concerns: vec![Concern {
            kind: ConcernKind::Wrinkles,
            severity: 2.0,
        }],
        goal: Goal::Noticeable,
        constraints: Constraints::default(),
        answers: Answers::default(),
    }
}

fn plan(settings: &PlannerSettings) -> Plan {
    let (set, rules) = (ParameterSet::shipped(), SafetyRules::shipped());
    Planner {
        set: &set,
        settings,
        rules: &rules,
    }
    .plan(&crows_feet())
    .expect("plans")
}

#[test]
fn more_passes_are_planned_when_they_save_a_session() {
    let mut settings = PlannerSettings::shipped();
    settings.cohort_size = 400;
    settings.maintenance_patients = 8;
    let standard = *settings.passes.of("pen");
    let denser = plan(&settings);
    settings.denser_passes.pen.clear();
    let without = plan(&settings);

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
