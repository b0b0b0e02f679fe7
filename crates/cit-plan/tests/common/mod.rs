//! The person the planner's integration tests and benches plan for.

use cit_core::scenario::{Concern, ConcernKind, Patient};
use cit_core::skin::{Region, Sex};
use cit_plan::profile::{Answers, Constraints, Goal, PatientProfile};

/// A woman of 45 with Glogau 2 photoageing (visible lines are wrinkles in motion, Glogau's type
/// II), one concern, no constraints and no contraindications.
pub fn woman_of_45(region: Region, kind: ConcernKind, severity: f64, goal: Goal, skin_type: u8) -> PatientProfile {
    PatientProfile {
        patient: Patient {
            age_years: 45.0,
            sex: Sex::Female,
            skin_type,
            photoaging: 2,
        },
        region,
        concerns: vec![Concern { kind, severity }],
        goal,
        constraints: Constraints::default(),
        answers: Answers::default(),
    }
}
