//! When a virtual patient has reached the goal, from their simulated grades.
//!
//! Every scale of [`cit_core::outcome`] is "lower is better", so improvement is `before - grade`.
//! The goal is about the first (primary) concern.

use crate::profile::Goal;
use crate::settings::PlannerSettings;

/// Whether one virtual patient reached `goal` with `n` sessions.
///
/// `before` is the primary concern's grade before treatment, `at_n` its grade at follow-up after
/// `n` sessions and `at_next` after `n + 1` (needed by `optimal` only; `None` if not simulated).
/// Gives `None` when the answer needs `at_next` and it is missing.
pub fn reached(goal: Goal, before: f64, at_n: f64, at_next: Option<f64>, s: &PlannerSettings) -> Option<bool> {
    match goal {
        Goal::Noticeable => Some(before - at_n >= s.noticeable_improvement - 1e-9),
        Goal::TargetGrade(target) => Some(at_n <= target + 1e-9),
        // The course has reached its best when one more session would add less than the plateau
        // step at follow-up: the dose-response has flattened for this person.
        Goal::Optimal => at_next.map(|next| at_n - next < s.plateau_step),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_read_the_grades_the_documented_way() {
        let s = PlannerSettings::shipped();
        assert_eq!(reached(Goal::Noticeable, 3.0, 2.0, None, &s), Some(true));
        assert_eq!(reached(Goal::Noticeable, 3.0, 2.1, None, &s), Some(false));
        assert_eq!(reached(Goal::TargetGrade(1.5), 3.0, 1.5, None, &s), Some(true));
        assert_eq!(reached(Goal::TargetGrade(1.5), 3.0, 1.6, None, &s), Some(false));
        assert_eq!(reached(Goal::Optimal, 3.0, 2.0, None, &s), None);
        // Another session still buys more than the plateau step: not there yet. Buys less: there.
        let step = s.plateau_step;
        assert_eq!(
            reached(Goal::Optimal, 3.0, 2.0, Some(2.0 - 1.5 * step), &s),
            Some(false)
        );
        assert_eq!(reached(Goal::Optimal, 3.0, 2.0, Some(2.0 - 0.5 * step), &s), Some(true));
        // A session that makes things worse does not pay either.
        assert_eq!(reached(Goal::Optimal, 3.0, 2.0, Some(2.2), &s), Some(true));
    }
}
