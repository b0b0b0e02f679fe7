//! Running targets: simulate every scenario (a virtual cohort where the measure is a population
//! figure), compute the observables, compare with the evidence.
//!
//! All simulations of all targets go into one flat parallel job list; results are gathered in
//! job order, so the outcome does not depend on the number of threads.

use crate::observable::Observable;
use crate::target::{Check, Criterion, Quantity, Source, Statistic, Target};
use cit_core::cohort::{patient_params, Stats};
use cit_core::params::ParameterSet;
use cit_core::simulate::{simulate, Options};
use rayon::prelude::*;

/// How to run the targets.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RunSettings {
    /// Upper limit on each cohort's size (calibration uses a small common cohort for speed;
    /// `None` runs the cohort sizes the evidence files ask for).
    pub cohort_cap: Option<usize>,
}

/// One simulated number, with its cohort spread where it came from a cohort.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    pub value: f64,
    /// 10th and 90th percentile over the virtual patients (cohorts only).
    pub spread: Option<(f64, f64)>,
    pub patients: usize,
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    pub predicted: Prediction,
    /// The other side of a comparison, when it is simulated.
    pub reference: Option<Prediction>,
    pub pass: bool,
    /// Signed distance from the evidence in tolerances (0 when a range or comparison holds).
    pub residual: f64,
}

/// One target's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetOutcome {
    pub checks: Vec<CheckOutcome>,
}

impl TargetOutcome {
    pub fn pass(&self) -> bool {
        self.checks.iter().all(|c| c.pass)
    }
}

/// Values of one source's observables: `values[o][patient]`.
struct SourceValues {
    observables: Vec<Observable>,
    values: Vec<Vec<f64>>,
}

/// Runs every target with the parameters of `set`.
pub fn run_targets(targets: &[Target], set: &ParameterSet, settings: RunSettings) -> Vec<TargetOutcome> {
    // Which observables each (target, source) must produce.
    let wanted: Vec<Vec<Vec<Observable>>> = targets
        .iter()
        .map(|t| {
            let mut per_source: Vec<Vec<Observable>> = vec![Vec::new(); t.sources.len()];
            for c in &t.checks {
                for q in quantities(c) {
                    if let Quantity::Simulated { source, observable, .. } = q {
                        if !per_source[*source].contains(observable) {
                            per_source[*source].push(*observable);
                        }
                    }
                }
            }
            per_source
        })
        .collect();

    // One job per simulated patient (or per person probe).
    let mut jobs: Vec<(usize, usize, usize)> = Vec::new();
    for (ti, t) in targets.iter().enumerate() {
        for (si, s) in t.sources.iter().enumerate() {
            if wanted[ti][si].is_empty() {
                continue;
            }
            for k in 0..patients_of(s, settings) {
                jobs.push((ti, si, k));
            }
        }
    }
    let typical = set.params();
    let results: Vec<Vec<f64>> = jobs
        .par_iter()
        .map(|&(ti, si, k)| {
            let observables = &wanted[ti][si];
            match &targets[ti].sources[si] {
                Source::Person { person, .. } => observables.iter().map(|o| o.of_person(person, &typical)).collect(),
                Source::Course { scenario, .. } => {
                    let cohort = patients_of(&targets[ti].sources[si], settings) > 1;
                    let params = if cohort {
                        patient_params(set, scenario.seed, k as u64).0
                    } else {
                        typical.clone()
                    };
                    let options = Options {
                        record: observables.iter().any(|o| o.needs_time_series()),
                        ..Options::default()
                    };
                    let r = simulate(scenario, &params, options);
                    observables.iter().map(|o| o.of_course(&r, scenario)).collect()
                }
            }
        })
        .collect();

    // Gather per (target, source).
    let mut gathered: Vec<Vec<SourceValues>> = wanted
        .iter()
        .map(|per_source| {
            per_source
                .iter()
                .map(|obs| SourceValues {
                    observables: obs.clone(),
                    values: vec![Vec::new(); obs.len()],
                })
                .collect()
        })
        .collect();
    for (&(ti, si, _), vals) in jobs.iter().zip(results) {
        for (o, v) in vals.into_iter().enumerate() {
            gathered[ti][si].values[o].push(v);
        }
    }

    targets
        .iter()
        .zip(&gathered)
        .map(|(t, g)| TargetOutcome {
            checks: t.checks.iter().map(|c| judge(c, g)).collect(),
        })
        .collect()
}

fn patients_of(source: &Source, settings: RunSettings) -> usize {
    match source {
        Source::Person { .. } => 1,
        Source::Course { cohort, .. } => settings.cohort_cap.map_or(*cohort, |cap| (*cohort).min(cap.max(1))),
    }
}

fn quantities(c: &Check) -> Vec<&Quantity> {
    let mut q = vec![&c.quantity];
    if let Criterion::Compare { than, .. } = &c.criterion {
        q.push(than);
    }
    q
}

fn predict(q: &Quantity, g: &[SourceValues]) -> Prediction {
    match q {
        Quantity::Fixed(v) => Prediction {
            value: *v,
            spread: None,
            patients: 0,
        },
        Quantity::Simulated {
            source,
            observable,
            statistic,
        } => {
            let sv = &g[*source];
            let o = sv
                .observables
                .iter()
                .position(|x| x == observable)
                .expect("every wanted observable was computed");
            let values = &sv.values[o];
            let stats = Stats::of(values);
            let value = match statistic {
                Statistic::Mean => stats.mean,
                Statistic::Median => stats.p50,
            };
            Prediction {
                value,
                spread: (values.len() > 1).then_some((stats.p10, stats.p90)),
                patients: values.len(),
            }
        }
    }
}

/// Compares one check's prediction with the evidence.
fn judge(c: &Check, g: &[SourceValues]) -> CheckOutcome {
    let predicted = predict(&c.quantity, g);
    let x = predicted.value;
    let tol = c.tolerance;
    let (pass, residual, reference) = match &c.criterion {
        Criterion::Near { value } => ((x - value).abs() <= tol, (x - value) / tol, None),
        Criterion::Within { min, max } => {
            let below = min.map_or(0.0, |m| (m - x).max(0.0));
            let above = max.map_or(0.0, |m| (x - m).max(0.0));
            let ok = min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m);
            (ok, (above - below) / tol, None)
        }
        Criterion::Compare {
            greater,
            than,
            factor,
            offset,
        } => {
            let other = predict(than, g);
            let bound = factor * other.value + offset;
            let (ok, miss) = if *greater {
                (x > bound, (bound - x).max(0.0))
            } else {
                (x < bound, (x - bound).max(0.0))
            };
            let reference = matches!(**than, Quantity::Simulated { .. }).then_some(other);
            (ok, miss / tol, reference)
        }
    };
    // A NaN prediction (an observable that could not be computed) is a miss, never a pass.
    let pass = pass && x.is_finite();
    let residual = if residual.is_finite() { residual } else { 10.0 };
    CheckOutcome {
        predicted,
        reference,
        pass,
        residual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Statistic;

    /// A "<" comparison of two courses' grades with an offset of −0.1: the 4th session pays only
    /// when it lowers the mean grade by more than 0.1, and a miss costs its shortfall / tolerance.
    #[test]
    fn a_comparison_with_an_offset_states_a_difference() {
        let grade = |source| Quantity::Simulated {
            source,
            observable: Observable::GradeAfter { concern: 0 },
            statistic: Statistic::Mean,
        };
        let check = Check {
            label: "4th session pays".into(),
            quantity: grade(1),
            criterion: Criterion::Compare {
                greater: false,
                than: Box::new(grade(0)),
                factor: 1.0,
                offset: -0.1,
            },
            tolerance: 0.05,
            tolerance_reason: String::new(),
            known_miss: None,
        };
        let courses = |after_3: f64, after_4: f64| {
            [after_3, after_4].map(|g| SourceValues {
                observables: vec![Observable::GradeAfter { concern: 0 }],
                values: vec![vec![g, g]],
            })
        };
        let pays = judge(&check, &courses(1.0, 0.85));
        assert!(pays.pass && pays.residual == 0.0);
        let short = judge(&check, &courses(1.0, 0.95));
        assert!(!short.pass);
        assert!((short.residual - 1.0).abs() < 1e-9, "{}", short.residual);
    }
}
