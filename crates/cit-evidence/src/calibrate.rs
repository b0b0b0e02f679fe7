//! Fitting the calibrated parameters to all evidence targets at once (`cit calibrate`).
//!
//! The objective (documented in `docs/calibration.md`):
//!
//! ```text
//! J(θ) = Σ_targets w_t · mean_checks(r_c²)  +  λ · Σ_params (u_i − u_i,prior)²
//! ```
//!
//! where `r_c` is a check's residual in units of its tolerance (0 when a range or ordering
//! holds), `w_t` the target's evidence-quality weight, and `u_i ∈ [0, 1]` a parameter's position
//! in its literature bounds (on a log scale when the bounds span a factor of three or more). The
//! small prior term keeps parameters the evidence does not constrain at their literature value.
//!
//! The search runs in unbounded coordinates `y = logit(u)`, so every trial point lies inside the
//! bounds; the optimiser is [`crate::nelder_mead`]. It searches from the priors of the parameter
//! file and from each documented start ([`crate::starts`]) and keeps the lowest end; every start
//! is a fixed point, so a re-run with the same seed and settings reproduces the fit exactly.

use crate::nelder_mead::{self, Settings};
use crate::run::{run_targets, RunSettings, TargetOutcome};
use crate::starts::{Start, PRIORS};
use crate::target::Target;
use cit_core::params::ParameterSet;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Weight of the prior term (λ): moving one parameter across its whole range costs as much as
/// missing one full-weight target by 0.7 tolerance.
pub const PRIOR_WEIGHT: f64 = 0.5;

/// Settings of a fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitSettings {
    pub seed: u64,
    pub max_evaluations: usize,
    /// Virtual patients per cohort target during the fit (the same patients at every trial
    /// point: common random numbers keep the objective smooth).
    pub cohort: usize,
}

/// One calibrated parameter's search coordinate.
#[derive(Debug, Clone, PartialEq)]
pub struct Coordinate {
    pub name: String,
    pub lo: f64,
    pub hi: f64,
    pub log_scale: bool,
    pub prior: f64,
}

impl Coordinate {
    /// Position in the bounds, 0..1.
    pub fn unit(&self, value: f64) -> f64 {
        let u = if self.log_scale {
            (value.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (value - self.lo) / (self.hi - self.lo)
        };
        u.clamp(0.0, 1.0)
    }

    pub fn value(&self, unit: f64) -> f64 {
        let u = unit.clamp(0.0, 1.0);
        if self.log_scale {
            (self.lo.ln() + u * (self.hi.ln() - self.lo.ln())).exp()
        } else {
            self.lo + u * (self.hi - self.lo)
        }
    }
}

/// The coordinates of every parameter marked calibrated, in name order.
pub fn coordinates(set: &ParameterSet) -> Vec<Coordinate> {
    set.entries
        .iter()
        .filter(|(_, p)| p.calibrated)
        .filter_map(|(name, p)| {
            let [lo, hi] = p.bounds?;
            let prior = p.prior?;
            Some(Coordinate {
                name: name.clone(),
                lo,
                hi,
                log_scale: lo > 0.0 && hi / lo >= 3.0,
                prior,
            })
        })
        .collect()
}

/// A target's share of the objective: weight × mean squared residual. Practice targets count with
/// their weight too (0 for depth charts and protocols; the clinic-level facts cit must reproduce
/// carry a small one), though they never fail validation.
pub fn target_cost(target: &Target, outcome: &TargetOutcome) -> f64 {
    if outcome.checks.is_empty() {
        return 0.0;
    }
    let mean_sq = outcome.checks.iter().map(|c| c.residual * c.residual).sum::<f64>() / outcome.checks.len() as f64;
    target.weight * mean_sq
}

/// The evidence part of the objective.
pub fn evidence_cost(targets: &[Target], outcomes: &[TargetOutcome]) -> f64 {
    targets.iter().zip(outcomes).map(|(t, o)| target_cost(t, o)).sum()
}

/// The parameter set with the calibrated parameters at `values` (same order as `coords`).
pub fn with_values(set: &ParameterSet, coords: &[Coordinate], values: &[f64]) -> ParameterSet {
    let mut s = set.clone();
    for (c, v) in coords.iter().zip(values) {
        if let Some(p) = s.entries.get_mut(&c.name) {
            p.value = *v;
        }
    }
    s
}

/// Rounds to 4 significant digits: the precision written to the parameter file.
pub fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 3 - x.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

/// The prior term λ Σ (u_i − u_i,prior)² at `values` (same order as `coords`).
pub fn prior_term(coords: &[Coordinate], values: &[f64]) -> f64 {
    PRIOR_WEIGHT
        * coords
            .iter()
            .zip(values)
            .map(|(c, v)| (c.unit(*v) - c.unit(c.prior)).powi(2))
            .sum::<f64>()
}

/// The objective at the values of `set` itself, with `cohort` virtual patients per cohort
/// target: what `cit calibrate` reports as the fitted objective when `set` is its output.
pub fn objective_of(targets: &[Target], set: &ParameterSet, cohort: usize) -> f64 {
    let coords = coordinates(set);
    let values: Vec<f64> = coords
        .iter()
        .map(|c| set.entries.get(&c.name).map_or(c.prior, |p| p.value))
        .collect();
    let outcomes = run_targets(
        targets,
        set,
        RunSettings {
            cohort_cap: Some(cohort.max(1)),
        },
    );
    evidence_cost(targets, &outcomes) + prior_term(&coords, &values)
}

/// Where a fit ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub coordinates: Vec<Coordinate>,
    /// Fitted values (rounded as written), same order as `coordinates`.
    pub values: Vec<f64>,
    pub settings: FitSettings,
    /// Objective (evidence + prior term) at the priors and at the fit.
    pub objective_prior: f64,
    pub objective_fitted: f64,
    /// Objective evaluations of all searches together.
    pub evaluations: usize,
    /// Best objective after each iteration of the search kept.
    pub history: Vec<f64>,
    /// Per target: cost at the priors and at the fit.
    pub target_costs: Vec<(f64, f64)>,
    pub outcomes_prior: Vec<TargetOutcome>,
    pub outcomes_fitted: Vec<TargetOutcome>,
    /// Every search, in the order of the starts, and the start of the one kept.
    pub searches: Vec<Search>,
    pub winner: String,
}

impl Fit {
    /// Parameters within 1 % of the width of their bounds from a bound.
    pub fn at_bounds(&self) -> Vec<(&Coordinate, f64)> {
        self.coordinates
            .iter()
            .zip(&self.values)
            .filter(|(c, v)| {
                let u = c.unit(**v);
                !(0.01..=0.99).contains(&u)
            })
            .map(|(c, v)| (c, *v))
            .collect()
    }
}

/// One search of a fit: from which start, where it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    /// The start's name (`priors` or one of `data/calibration-starts.toml`) and why it is there.
    pub start: String,
    pub reason: String,
    /// Objective at the start and at the search's end (rounded values, as they would be written).
    pub objective_start: f64,
    pub objective_end: f64,
    pub evaluations: usize,
}

/// Fits the calibrated parameters of `set` to `targets`: one Nelder–Mead search from each of
/// `starts` (the priors first, see [`crate::starts`]), each with the whole budget and the same
/// seed, keeping the search that ends lowest (the earlier one on a tie).
pub fn fit(targets: &[Target], set: &ParameterSet, settings: FitSettings, starts: &[Start]) -> Fit {
    let coords = coordinates(set);
    let run = RunSettings {
        cohort_cap: Some(settings.cohort.max(1)),
    };
    // Search coordinates: logit of the unit position, kept off the bounds so the start is finite.
    let logit = |u: f64| {
        let u = u.clamp(0.02, 0.98);
        (u / (1.0 - u)).ln()
    };
    let logistic = |y: f64| 1.0 / (1.0 + (-y).exp());
    let to_values = |y: &[f64]| -> Vec<f64> { coords.iter().zip(y).map(|(c, &yi)| c.value(logistic(yi))).collect() };
    let prior_cost = |values: &[f64]| prior_term(&coords, values);
    let objective = |values: &[f64]| -> f64 {
        let trial = with_values(set, &coords, values);
        let outcomes = run_targets(targets, &trial, run);
        evidence_cost(targets, &outcomes) + prior_cost(values)
    };
    let rounded = |values: Vec<f64>| -> Vec<f64> {
        values
            .into_iter()
            .zip(&coords)
            .map(|(v, c)| round_sig(v).clamp(c.lo, c.hi))
            .collect()
    };

    // The seed orients the first simplex: each edge steps up or down its axis.
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let initial_step: Vec<f64> = coords
        .iter()
        .map(|_| if rng.random::<bool>() { 0.8 } else { -0.8 })
        .collect();
    let nm = Settings {
        initial_step,
        max_evaluations: settings.max_evaluations,
        f_tolerance: 1e-3,
        restarts: 3,
    };

    let mut searches = Vec::new();
    // (objective, values, history, start) of the lowest end so far.
    let mut best: Option<(f64, Vec<f64>, Vec<f64>, String)> = None;
    for start in starts {
        let y0: Vec<f64> = start
            .point(&coords)
            .iter()
            .zip(&coords)
            .map(|(v, c)| logit(c.unit(*v)))
            .collect();
        let mut f = |y: &[f64]| objective(&to_values(y));
        let min = nelder_mead::minimise(&mut f, &y0, &nm);
        let values = rounded(to_values(&min.x));
        let end = objective(&values);
        searches.push(Search {
            start: start.name.clone(),
            reason: start.reason.clone(),
            objective_start: min.history.first().copied().unwrap_or(f64::INFINITY),
            objective_end: end,
            evaluations: min.evaluations,
        });
        if best.as_ref().is_none_or(|(b, ..)| end < *b) {
            best = Some((end, values, min.history, start.name.clone()));
        }
    }
    let priors: Vec<f64> = coords.iter().map(|c| c.prior).collect();
    let (_, values, history, winner) =
        best.unwrap_or_else(|| (f64::INFINITY, priors.clone(), Vec::new(), PRIORS.into()));

    let outcomes_prior = run_targets(targets, &with_values(set, &coords, &priors), run);
    let outcomes_fitted = run_targets(targets, &with_values(set, &coords, &values), run);
    let target_costs = targets
        .iter()
        .zip(outcomes_prior.iter().zip(&outcomes_fitted))
        .map(|(t, (a, b))| (target_cost(t, a), target_cost(t, b)))
        .collect();
    Fit {
        objective_prior: evidence_cost(targets, &outcomes_prior) + prior_cost(&priors),
        objective_fitted: evidence_cost(targets, &outcomes_fitted) + prior_cost(&values),
        coordinates: coords,
        values,
        settings,
        evaluations: searches.iter().map(|s| s.evaluations).sum(),
        history,
        target_costs,
        outcomes_prior,
        outcomes_fitted,
        winner,
        searches,
    }
}

/// The line recording a fit in the parameter file's header.
pub const RECORD_PREFIX: &str = "# calibration: ";

/// The parameter file `original` with the fitted values written in and the fit recorded in its
/// header; everything else (comments, sources, order) is kept.
pub fn write_parameter_file(original: &str, fit: &Fit, command: &str) -> String {
    let mut out = String::new();
    let searches: Vec<String> = fit
        .searches
        .iter()
        .map(|s| format!("from {} -> {:.3}", s.start, s.objective_end))
        .collect();
    let record = format!(
        "{RECORD_PREFIX}`{command}` (seed {}, {} evaluations in {} searches: {}; kept {}; cohort {}): objective {:.3} at the priors -> {:.3}",
        fit.settings.seed,
        fit.evaluations,
        fit.searches.len(),
        searches.join(", "),
        fit.winner,
        fit.settings.cohort,
        fit.objective_prior,
        fit.objective_fitted
    );
    let mut section = String::new();
    let mut recorded = false;
    for line in original.lines() {
        if line.starts_with(RECORD_PREFIX) {
            continue;
        }
        let trimmed = line.trim();
        if !recorded && !trimmed.starts_with('#') {
            out.push_str(&record);
            out.push('\n');
            recorded = true;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            section = trimmed.trim_matches(|c| c == '[' || c == ']').to_string();
        }
        if let Some(rest) = trimmed.strip_prefix("value") {
            if rest.trim_start().starts_with('=') {
                if let Some(i) = fit.coordinates.iter().position(|c| c.name == section) {
                    out.push_str(&format!("value = {}\n", fit.values[i]));
                    continue;
                }
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    if !recorded {
        out.push_str(&record);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_map_the_bounds_both_ways() {
        let c = Coordinate {
            name: "x".into(),
            lo: 0.01,
            hi: 1.0,
            log_scale: true,
            prior: 0.1,
        };
        assert!((c.unit(0.1) - 0.5).abs() < 1e-12);
        for u in [0.0, 0.3, 1.0] {
            assert!((c.unit(c.value(u)) - u).abs() < 1e-12);
        }
        assert_eq!(c.unit(5.0), 1.0);
    }

    #[test]
    fn rounding_keeps_four_significant_digits() {
        assert_eq!(round_sig(0.0123456), 0.01235);
        assert_eq!(round_sig(1234.56), 1235.0);
        assert_eq!(round_sig(-3.45678), -3.457);
    }

    #[test]
    fn every_calibrated_shipped_parameter_has_a_coordinate() {
        let set = ParameterSet::shipped();
        let n = set.entries.values().filter(|p| p.calibrated).count();
        assert_eq!(coordinates(&set).len(), n);
        assert!(n > 0);
    }

    #[test]
    fn writing_a_fit_changes_only_the_fitted_values_and_the_record() {
        let original = "# head\n\n[a.x]\nvalue = 1.0\nprior = 1.0\n\n[a.y]\nvalue = 2.0\n";
        let coords = vec![Coordinate {
            name: "a.x".into(),
            lo: 0.5,
            hi: 2.0,
            log_scale: false,
            prior: 1.0,
        }];
        let fit = Fit {
            coordinates: coords,
            values: vec![1.5],
            settings: FitSettings {
                seed: 3,
                max_evaluations: 10,
                cohort: 2,
            },
            objective_prior: 2.0,
            objective_fitted: 1.0,
            evaluations: 10,
            history: vec![],
            target_costs: vec![],
            outcomes_prior: vec![],
            outcomes_fitted: vec![],
            searches: vec![Search {
                start: PRIORS.into(),
                reason: "r".into(),
                objective_start: 2.0,
                objective_end: 1.0,
                evaluations: 10,
            }],
            winner: PRIORS.into(),
        };
        let once = write_parameter_file(original, &fit, "cit calibrate");
        assert!(once.contains("[a.x]\nvalue = 1.5\nprior = 1.0"), "{once}");
        assert!(once.contains("[a.y]\nvalue = 2.0"), "{once}");
        assert_eq!(once.matches(RECORD_PREFIX).count(), 1);
        // Writing again replaces the record instead of adding one.
        let twice = write_parameter_file(&once, &fit, "cit calibrate");
        assert_eq!(once, twice);
    }
}
