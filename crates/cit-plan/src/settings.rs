//! The planner's own settings (`data/planner.toml`): the questions it answers and how it searches.
//! These are definitions and search budgets, not biology; the model's parameters live in
//! `data/parameters.toml`.

use serde::Deserialize;

/// The settings file shipped with cit.
pub const PLANNER_TOML: &str = include_str!("../../../data/planner.toml");

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannerSettings {
    pub cohort_size: usize,
    pub screening_size: usize,
    pub seed: u64,
    pub probability_goal: f64,
    pub max_sessions: u32,
    pub intervals_days: Vec<f64>,
    pub depth_values: usize,
    pub depth_step_mm: f64,
    pub follow_up_days: f64,
    pub noticeable_improvement: f64,
    pub plateau_step: f64,
    pub verification_sizes: Vec<usize>,
    pub verification_contenders: Vec<usize>,
    pub verification_full_runs: usize,
    pub verification_z: f64,
    pub maintenance_horizon_days: f64,
    pub maintenance_patients: usize,
    pub maintenance_sample_days: f64,
    pub pih_warning_probability: f64,
    pub downtime_warning_days: f64,
    pub default_device: String,
    /// Passes per session of each device in every screened setting.
    pub passes: ByDevice<u32>,
    /// More passes per session, tried only where they could save a session (docs/planner.md,
    /// search step 7).
    pub denser_passes: ByDevice<Vec<u32>>,
}

/// One value for each device kind.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByDevice<T> {
    pub roller: T,
    pub pen: T,
    pub stamp: T,
}

impl<T> ByDevice<T> {
    /// The value of device `kind` (roller, pen or stamp; anything else is the pen).
    pub fn of(&self, kind: &str) -> &T {
        match kind {
            "roller" => &self.roller,
            "stamp" => &self.stamp,
            _ => &self.pen,
        }
    }
}

impl PlannerSettings {
    /// The shipped settings.
    pub fn shipped() -> PlannerSettings {
        toml::from_str(PLANNER_TOML).expect("data/planner.toml is valid (tested)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_settings_are_consistent_with_the_product_ranges() {
        let s = PlannerSettings::shipped();
        assert!(s.cohort_size >= 1000, "the product asks for >= 1,000 virtual patients");
        assert!(s.screening_size >= 4 && s.screening_size <= s.cohort_size);
        assert!((0.0..=1.0).contains(&s.probability_goal));
        assert!((1..=10).contains(&s.max_sessions));
        assert!(s.intervals_days.iter().all(|i| (14.0..=56.0).contains(i)));
        assert!(s.depth_values >= 1 && s.depth_step_mm > 0.0);
        assert!(s.maintenance_patients <= s.cohort_size);
        assert!(s.maintenance_sample_days > 0.0 && s.maintenance_sample_days < s.maintenance_horizon_days);
        assert!(s.plateau_step > 0.0 && s.plateau_step < s.noticeable_improvement);
        assert!(["roller", "pen", "stamp"].contains(&s.default_device.as_str()));
        assert!(s.verification_sizes.windows(2).all(|w| w[0] < w[1]));
        assert!(s
            .verification_sizes
            .iter()
            .all(|&m| m > s.screening_size && m < s.cohort_size));
        assert!(s.verification_z > 0.0);
        assert_eq!(s.verification_contenders.len(), s.verification_sizes.len());
        assert!(s
            .verification_contenders
            .iter()
            .all(|&c| c >= s.verification_full_runs.max(1)));
        // Denser needling means more passes than the screened settings have, within the range a
        // scenario file accepts (1-20).
        for kind in ["roller", "pen", "stamp"] {
            let (standard, denser) = (*s.passes.of(kind), s.denser_passes.of(kind));
            assert!((1..=20).contains(&standard));
            assert!(denser.iter().all(|&p| p > standard && p <= 20), "{kind}: {denser:?}");
        }
    }
}
