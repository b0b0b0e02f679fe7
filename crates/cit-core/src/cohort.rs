//! Virtual cohorts: many people who differ in the uncertain parameters (model.md §5).
//!
//! Each virtual patient multiplies every parameter that has a between-person spread (`sd_log`
//! in `data/parameters.toml`: device efficiency, fibroblast responsiveness, inflammation
//! strength, pigment reactivity, collagen turnover, ...) by exp(sd_log · z), z ~ N(0, 1). The
//! draws of patient k come from their own random stream (ChaCha8, stream k of the run's seed), so
//! results do not depend on the order patients are simulated in, nor on the thread count.

use crate::params::{ParameterSet, Params};
use crate::scenario::Scenario;
use crate::simulate::{simulate, Options, Summary};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

/// Mean and 10/50/90 percentiles of one quantity over a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Stats {
    pub mean: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

impl Stats {
    /// Statistics of `values` (percentiles by linear interpolation between order statistics).
    pub fn of(values: &[f64]) -> Stats {
        if values.is_empty() {
            return Stats::default();
        }
        let mut v = values.to_vec();
        v.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| {
            let pos = p * (v.len() - 1) as f64;
            let lo = pos.floor() as usize;
            let hi = pos.ceil() as usize;
            v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
        };
        Stats {
            mean: v.iter().sum::<f64>() / v.len() as f64,
            p10: q(0.1),
            p50: q(0.5),
            p90: q(0.9),
        }
    }
}

/// Share of the cohort that responded, percent.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Responders {
    /// At least one grade better on the first concern's scale.
    pub improved_one_grade_pct: f64,
    /// More than 50 % improvement of the first concern.
    pub improved_over_50pct_pct: f64,
    /// Developed visible post-inflammatory hyperpigmentation.
    pub pih_pct: f64,
}

/// One virtual patient's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientOutcome {
    pub summary: Summary,
    pub pih_occurred: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CohortResult {
    pub patients: Vec<PatientOutcome>,
    pub responders: Responders,
}

/// What the virtual patients of a cohort are drawn from: the parameter set's values, and the
/// parameters that vary between people with their spread (`sd_log`), in the order their draws
/// are taken. Built once per cohort, so that a patient's draw does not look the parameters up by
/// name again.
#[derive(Debug, Clone)]
pub struct PatientDraws {
    base: Params,
    spreads: Vec<(&'static str, f64)>,
}

impl PatientDraws {
    pub fn new(set: &ParameterSet) -> PatientDraws {
        let spreads = Params::NAMES
            .iter()
            .filter_map(|name| set.entries[*name].sd_log.map(|sd| (*name, sd)))
            .collect();
        PatientDraws {
            base: set.params(),
            spreads,
        }
    }

    /// The parameters of virtual patient `index` of a cohort seeded with `seed`, and the uniform
    /// draw that decides whether this person's PIH risk materialises.
    pub fn patient(&self, seed: u64, index: u64) -> (Params, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(index);
        let mut params = self.base.clone();
        for &(name, sd) in &self.spreads {
            let z: f64 = rng.sample(StandardNormal);
            if let Some(v) = params.get_mut(name) {
                *v *= (sd * z).exp();
            }
        }
        let u: f64 = rng.random();
        (params, u)
    }
}

/// The parameters of virtual patient `index` of a cohort seeded with `seed` (see
/// [`PatientDraws::patient`]; for many patients, build the [`PatientDraws`] once).
pub fn patient_params(set: &ParameterSet, seed: u64, index: u64) -> (Params, f64) {
    PatientDraws::new(set).patient(seed, index)
}

/// Simulates `n` virtual patients around the scenario's person, in parallel.
/// `progress` is called once per finished patient (from any thread).
pub fn run_cohort(scenario: &Scenario, set: &ParameterSet, n: usize, progress: &(dyn Fn() + Sync)) -> CohortResult {
    let options = Options {
        record: false,
        ..Options::default()
    };
    let draws = PatientDraws::new(set);
    let patients: Vec<PatientOutcome> = (0..n as u64)
        .into_par_iter()
        .map(|k| {
            let (params, u) = draws.patient(scenario.seed, k);
            let summary = simulate(scenario, &params, options).summary;
            progress();
            let pih_occurred = u < summary.pih_probability;
            PatientOutcome { summary, pih_occurred }
        })
        .collect();
    let count = patients.len().max(1) as f64;
    let share = |f: &dyn Fn(&PatientOutcome) -> bool| 100.0 * patients.iter().filter(|p| f(p)).count() as f64 / count;
    let first = |p: &PatientOutcome| {
        p.summary
            .concerns
            .first()
            .map(|c| (c.before - c.after, c.improvement_pct))
    };
    let responders = Responders {
        improved_one_grade_pct: share(&|p| first(p).is_some_and(|(d, _)| d >= 1.0)),
        improved_over_50pct_pct: share(&|p| first(p).is_some_and(|(_, pct)| pct > 50.0)),
        pih_pct: share(&|p| p.pih_occurred),
    };
    CohortResult { patients, responders }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_of_a_known_sample() {
        let v: Vec<f64> = (0..=10).map(|k| k as f64).collect();
        let s = Stats::of(&v);
        assert_eq!((s.mean, s.p10, s.p50, s.p90), (5.0, 1.0, 5.0, 9.0));
    }

    #[test]
    fn patient_draws_depend_only_on_seed_and_index() {
        let set = ParameterSet::shipped();
        let a = patient_params(&set, 7, 3);
        let b = patient_params(&set, 7, 3);
        let c = patient_params(&set, 7, 4);
        assert_eq!(a, b);
        assert_ne!(a.0, c.0);
        // Parameters without a spread are untouched.
        assert_eq!(a.0.signal_decay_per_day, set.params().signal_decay_per_day);
    }
}
