//! The recommendation comes from the model: changing a kinetic parameter changes it.

mod common;

use cit_core::params::ParameterSet;
use cit_core::scenario::ConcernKind;
use cit_core::skin::Region;
use cit_plan::plan::{Plan, Planner};
use cit_plan::profile::{Goal, PatientProfile};
use cit_plan::safety::SafetyRules;
use cit_plan::settings::PlannerSettings;

fn crows_feet() -> PatientProfile {
    common::woman_of_45(Region::Periorbital, ConcernKind::Wrinkles, 3.0, Goal::Noticeable, 2)
}

/// The plan for `profile` with `set` on a small cohort (the logic, not the numbers, is under
/// test).
fn plan_with(set: &ParameterSet, profile: &PatientProfile) -> Plan {
    let mut settings = PlannerSettings::shipped();
    settings.cohort_size = 200;
    settings.maintenance_patients = 8;
    let rules = SafetyRules::shipped();
    Planner {
        set,
        settings: &settings,
        rules: &rules,
    }
    .plan(profile)
    .expect("plans")
}

/// (sessions, needle mm, interval days) of the crow's-feet plan for `set`.
fn recommend(set: &ParameterSet) -> (u32, f64, f64) {
    let r = plan_with(set, &crows_feet()).recommendation.expect("a recommendation");
    (r.sessions, r.setting.needle_length_mm, r.setting.interval_days)
}

#[test]
fn halving_collagen_synthesis_after_injury_changes_the_recommendation() {
    let shipped = ParameterSet::shipped();
    let mut halved = shipped.clone();
    halved
        .entries
        .get_mut("collagen.wound_synthesis_per_day")
        .expect("the parameter exists")
        .value *= 0.5;
    let a = recommend(&shipped);
    let b = recommend(&halved);
    assert_ne!(a, b, "same recommendation with half the collagen synthesis: {a:?}");
    // Less new collagen per session cannot mean fewer sessions.
    assert!(b.0 >= a.0, "{a:?} -> {b:?}");
}

#[test]
fn the_same_seed_gives_the_same_plan_whatever_the_thread_count() {
    let set = ParameterSet::shipped();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| recommend(&set));
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| recommend(&set));
    assert_eq!(one, two);
}

/// The warnings of the crow's-feet plan for `set`, goal `goal`.
fn warning_ids(set: &ParameterSet, goal: Goal) -> Vec<String> {
    let profile = PatientProfile { goal, ..crows_feet() };
    plan_with(set, &profile).warnings.into_iter().map(|w| w.id).collect()
}

#[test]
fn an_optimal_course_that_does_little_says_so() {
    // With a tenth of the collagen laid down after injury even the best course barely helps:
    // the plan for `optimal` must not read as a promise.
    let mut weak = ParameterSet::shipped();
    for name in ["collagen.wound_synthesis_per_day", "elastin.wound_synthesis_per_day"] {
        weak.entries.get_mut(name).expect("the parameter exists").value *= 0.1;
    }
    assert!(warning_ids(&weak, Goal::Optimal).contains(&"simulated-small-benefit".to_string()));
    // A `noticeable` goal states the size of the change itself: no such warning.
    assert!(!warning_ids(&weak, Goal::Noticeable).contains(&"simulated-small-benefit".to_string()));
}

#[test]
fn a_target_grade_at_or_above_todays_grade_is_refused() {
    let (set, settings, rules) = (
        ParameterSet::shipped(),
        PlannerSettings::shipped(),
        SafetyRules::shipped(),
    );
    let planner = Planner {
        set: &set,
        settings: &settings,
        rules: &rules,
    };
    for target in [3.0, 3.5] {
        let profile = PatientProfile {
            goal: Goal::TargetGrade(target),
            ..crows_feet()
        };
        let err = planner.plan(&profile).expect_err("nothing to plan");
        assert!(err.to_string().contains("below the grade before treatment"), "{err}");
    }
}
