//! Who is being planned for and what they want: the person, the site, the concerns, the goal, the
//! constraints and the answers to the contraindication questions.

use crate::calendar::Date;
use cit_core::scenario::{Concern, Patient};
use cit_core::skin::Region;

/// What the course should achieve on the first (primary) concern.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// At least one grade better on the concern's scale at follow-up.
    Noticeable,
    /// The best result a course can reach before more sessions stop paying (docs/planner.md).
    Optimal,
    /// At or below this grade on the concern's scale at follow-up.
    TargetGrade(f64),
}

impl Goal {
    pub fn name(&self) -> String {
        match self {
            Goal::Noticeable => "noticeable".into(),
            Goal::Optimal => "optimal".into(),
            Goal::TargetGrade(g) => format!("grade {g}"),
        }
    }
}

/// Limits the clinic or the person sets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Constraints {
    /// Most sessions the person will come for.
    pub max_sessions: Option<u32>,
    /// Longest acceptable redness or dryness after a session (p90 over the virtual cohort), days.
    pub max_downtime_days: Option<f64>,
    /// Device kind to use: "roller", "pen" or "stamp".
    pub device: Option<&'static str>,
    /// Date of the first session (the schedule is dated from it).
    pub start_date: Option<Date>,
}

/// Answers to the contraindication questions (all "no" unless answered "yes").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answers {
    pub active_infection: bool,
    pub active_acne: bool,
    pub isotretinoin_last_6_months: bool,
    pub keloid_history: bool,
    pub anticoagulants: bool,
    pub pregnant: bool,
    pub hsv_history: bool,
    pub eczema_psoriasis_rosacea_in_area: bool,
    pub recent_procedure_in_area: bool,
}

impl Answers {
    /// Every question, by the key used in patient files and in `data/safety.toml`.
    pub const KEYS: [&'static str; 9] = [
        "active_infection",
        "active_acne",
        "isotretinoin_last_6_months",
        "keloid_history",
        "anticoagulants",
        "pregnant",
        "hsv_history",
        "eczema_psoriasis_rosacea_in_area",
        "recent_procedure_in_area",
    ];

    /// The answer to question `key`, if there is such a question.
    pub fn get(&self, key: &str) -> Option<bool> {
        Some(match key {
            "active_infection" => self.active_infection,
            "active_acne" => self.active_acne,
            "isotretinoin_last_6_months" => self.isotretinoin_last_6_months,
            "keloid_history" => self.keloid_history,
            "anticoagulants" => self.anticoagulants,
            "pregnant" => self.pregnant,
            "hsv_history" => self.hsv_history,
            "eczema_psoriasis_rosacea_in_area" => self.eczema_psoriasis_rosacea_in_area,
            "recent_procedure_in_area" => self.recent_procedure_in_area,
            _ => return None,
        })
    }

    /// Sets question `key`; false if there is no such question.
    pub fn set(&mut self, key: &str, value: bool) -> bool {
        let slot = match key {
            "active_infection" => &mut self.active_infection,
            "active_acne" => &mut self.active_acne,
            "isotretinoin_last_6_months" => &mut self.isotretinoin_last_6_months,
            "keloid_history" => &mut self.keloid_history,
            "anticoagulants" => &mut self.anticoagulants,
            "pregnant" => &mut self.pregnant,
            "hsv_history" => &mut self.hsv_history,
            "eczema_psoriasis_rosacea_in_area" => &mut self.eczema_psoriasis_rosacea_in_area,
            "recent_procedure_in_area" => &mut self.recent_procedure_in_area,
            _ => return false,
        };
        *slot = value;
        true
    }
}

/// Everything the planner needs to know about the person.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientProfile {
    pub patient: Patient,
    pub region: Region,
    /// The first concern is the one the goal is about; the others are predicted alongside.
    pub concerns: Vec<Concern>,
    pub goal: Goal,
    pub constraints: Constraints,
    pub answers: Answers,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_key_reads_and_writes_its_own_field() {
        for key in Answers::KEYS {
            let mut a = Answers::default();
            assert_eq!(a.get(key), Some(false));
            assert!(a.set(key, true));
            assert_eq!(a.get(key), Some(true));
            let others = Answers::KEYS
                .iter()
                .filter(|k| **k != key && a.get(k) == Some(true))
                .count();
            assert_eq!(others, 0, "{key} set another field");
        }
        assert_eq!(Answers::default().get("bogus"), None);
        assert!(!Answers::default().set("bogus", true));
    }
}
