//! Benchmarks of the planner (`cargo bench -p cit-plan --bench plan`), on a 2-thread pool with
//! the shipped settings (1,000 virtual patients). `bench/plan` also times the CLI.

#[path = "../tests/common/mod.rs"]
mod common;

use cit_core::params::ParameterSet;
use cit_core::scenario::{ConcernKind, StretchMarkType};
use cit_core::skin::Region;
use cit_plan::plan::Planner;
use cit_plan::profile::{Goal, PatientProfile};
use cit_plan::safety::SafetyRules;
use cit_plan::settings::PlannerSettings;

fn main() {
    divan::main();
}

fn profile(region: Region, kind: ConcernKind, severity: f64, goal: Goal) -> PatientProfile {
    common::woman_of_45(region, kind, severity, goal, 3)
}

fn run(p: &PatientProfile) -> u32 {
    let (set, settings, rules) = (
        ParameterSet::shipped(),
        PlannerSettings::shipped(),
        SafetyRules::shipped(),
    );
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("pool");
    pool.install(|| {
        Planner {
            set: &set,
            settings: &settings,
            rules: &rules,
        }
        .plan(p)
        .expect("plans")
        .recommendation
        .map_or(0, |r| r.sessions)
    })
}

/// Crow's feet, noticeable (face: few sessions, the common question).
#[divan::bench(sample_count = 5)]
fn crows_feet_noticeable() -> u32 {
    run(&profile(
        Region::Periorbital,
        ConcernKind::Wrinkles,
        3.0,
        Goal::Noticeable,
    ))
}

/// Stretch marks on the abdomen, optimal (every setting runs until it flattens).
#[divan::bench(sample_count = 5)]
fn stretch_marks_optimal() -> u32 {
    run(&profile(
        Region::Abdomen,
        ConcernKind::StretchMarks(StretchMarkType::Alba),
        3.0,
        Goal::Optimal,
    ))
}

/// Body wrinkles, optimal.
#[divan::bench(sample_count = 5)]
fn upper_arm_wrinkles_optimal() -> u32 {
    run(&profile(Region::UpperArm, ConcernKind::Wrinkles, 4.0, Goal::Optimal))
}
