//! Global sensitivity by Morris elementary effects (Morris 1991, Technometrics 33:161; the μ*
//! of Campolongo, Cariboni & Saltelli 2007).
//!
//! Every parameter with literature bounds is uncertain over its bounds (log scale when they span
//! a factor of three or more). Each of `r` trajectories starts at a random point of a 4-level grid
//! and moves one parameter at a time by Δ = 2/3 of its range; the change of each outcome is that
//! parameter's elementary effect. μ* (mean |effect|) ranks influence; σ (spread of the effects)
//! flags interactions and non-linearity. Effects are in the outcome's own unit per 2/3 of the
//! parameter's range.
//!
//! The outcomes are those a clinic and a researcher ask about, on three reference courses:
//! collagen change, concern improvement (acne scars, wrinkles, stretch marks), redness days and
//! PIH probability.

use crate::calibrate::Coordinate;
use cit_core::params::ParameterSet;
use cit_core::scenario::Scenario;
use cit_core::simulate::{simulate, Options, SimulationResult};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

const LEVELS: f64 = 4.0;
/// Δ = p / (2 (p − 1)) for p = 4 levels.
const DELTA: f64 = LEVELS / (2.0 * (LEVELS - 1.0));

/// The reference courses the outcomes are measured on.
const REFERENCE_COURSES: [(&str, &str); 3] = [
    (
        "acne",
        r#"name = "Rolling acne scars, cheek, FST IV, roller 1.5 mm, 3 sessions every 28 days"
seed = 1
patient = { age = 30, sex = "female", skin_type = 4, photoaging = 1 }
site = { region = "cheek" }
concern = [{ kind = "acne-scar", subtype = "rolling", severity = 3 }]
device = { kind = "roller", needle_length_mm = 1.5, passes = 4 }
protocol = { sessions = 3, interval_days = 28, follow_up_days = 90 }
"#,
    ),
    (
        "wrinkles",
        r#"name = "Forehead wrinkles, 55 years, pen 1.0 mm, 4 sessions every 30 days"
seed = 1
patient = { age = 55, sex = "female", skin_type = 2, photoaging = 3 }
site = { region = "forehead" }
concern = [{ kind = "wrinkles", severity = 3 }]
device = { kind = "pen", needle_length_mm = 1.0, passes = 3 }
protocol = { sessions = 4, interval_days = 30, follow_up_days = 90 }
"#,
    ),
    (
        "stretch",
        r#"name = "Stretch marks alba, abdomen, roller 2.0 mm, 5 sessions every 30 days"
seed = 1
patient = { age = 30, sex = "female", skin_type = 3, photoaging = 1 }
site = { region = "abdomen" }
concern = [{ kind = "stretch-marks", subtype = "alba", severity = 3 }]
device = { kind = "roller", needle_length_mm = 2.0, passes = 4 }
protocol = { sessions = 5, interval_days = 30, follow_up_days = 90 }
"#,
    ),
];

/// The outcomes: name and how to read it from the three reference results.
pub const OUTCOMES: [&str; 6] = [
    "collagen change % (acne course)",
    "acne scar improvement %",
    "wrinkle improvement %",
    "stretch mark improvement %",
    "redness days (acne course)",
    "PIH probability % (FST IV)",
];

fn outcomes_of(r: &[SimulationResult; 3]) -> [f64; 6] {
    let improvement = |x: &SimulationResult| x.summary.concerns.first().map_or(0.0, |c| c.improvement_pct);
    [
        r[0].summary.collagen_change_pct,
        improvement(&r[0]),
        improvement(&r[1]),
        improvement(&r[2]),
        r[0].summary.redness_days,
        100.0 * r[0].summary.pih_probability,
    ]
}

/// One parameter's effects on every outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterEffect {
    pub name: String,
    pub calibrated: bool,
    /// μ* per outcome: mean absolute elementary effect.
    pub mu_star: [f64; 6],
    /// σ per outcome: standard deviation of the elementary effects.
    pub sigma: [f64; 6],
}

/// The result of a sensitivity run.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    pub trajectories: usize,
    pub seed: u64,
    pub runs: usize,
    pub effects: Vec<ParameterEffect>,
}

/// The uncertain parameters: every parameter with bounds.
pub fn uncertain(set: &ParameterSet) -> Vec<Coordinate> {
    set.entries
        .iter()
        .filter_map(|(name, p)| {
            let [lo, hi] = p.bounds?;
            (hi > lo).then(|| Coordinate {
                name: name.clone(),
                lo,
                hi,
                log_scale: lo > 0.0 && hi / lo >= 3.0,
                prior: p.value,
            })
        })
        .collect()
}

fn reference_scenarios() -> Vec<Scenario> {
    REFERENCE_COURSES
        .iter()
        .map(|(name, text)| {
            cit_io::scenario_file::parse_scenario(text, name).expect("the reference courses are valid (tested)")
        })
        .collect()
}

/// Runs `trajectories` Morris trajectories over the uncertain parameters of `set`.
pub fn morris(set: &ParameterSet, trajectories: usize, seed: u64) -> Sensitivity {
    let coords = uncertain(set);
    let k = coords.len();
    let scenarios = reference_scenarios();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    // Design: per trajectory k + 1 points in unit coordinates, and which parameter each step moved.
    let mut points: Vec<Vec<f64>> = Vec::with_capacity(trajectories * (k + 1));
    let mut moved: Vec<(usize, f64)> = Vec::with_capacity(trajectories * k);
    for _ in 0..trajectories {
        let mut x: Vec<f64> = (0..k)
            .map(|_| rng.random_range(0..(LEVELS as usize)) as f64 / (LEVELS - 1.0))
            .collect();
        let mut order: Vec<usize> = (0..k).collect();
        order.shuffle(&mut rng);
        points.push(x.clone());
        for &i in &order {
            // Step up when there is room, down otherwise.
            let step = if x[i] + DELTA <= 1.0 + 1e-12 { DELTA } else { -DELTA };
            x[i] += step;
            moved.push((i, step));
            points.push(x.clone());
        }
    }

    let outputs: Vec<[f64; 6]> = points
        .par_iter()
        .map(|u| {
            let mut trial = set.clone();
            for (c, &ui) in coords.iter().zip(u) {
                if let Some(p) = trial.entries.get_mut(&c.name) {
                    p.value = c.value(ui);
                }
            }
            let params = trial.params();
            let options = Options {
                record: false,
                ..Options::default()
            };
            let r: [SimulationResult; 3] = [
                simulate(&scenarios[0], &params, options),
                simulate(&scenarios[1], &params, options),
                simulate(&scenarios[2], &params, options),
            ];
            outcomes_of(&r)
        })
        .collect();

    let mut effects: Vec<Vec<[f64; 6]>> = vec![Vec::new(); k];
    for t in 0..trajectories {
        for s in 0..k {
            let (i, step) = moved[t * k + s];
            let (a, b) = (outputs[t * (k + 1) + s], outputs[t * (k + 1) + s + 1]);
            let mut e = [0.0; 6];
            for o in 0..6 {
                // Effect of moving the parameter up by Δ (a step down is read backwards).
                e[o] = if step > 0.0 { b[o] - a[o] } else { a[o] - b[o] };
            }
            effects[i].push(e);
        }
    }
    let effects = coords
        .iter()
        .zip(effects)
        .map(|(c, es)| {
            let n = es.len().max(1) as f64;
            let mut mu_star = [0.0; 6];
            let mut sigma = [0.0; 6];
            for o in 0..6 {
                let mean = es.iter().map(|e| e[o]).sum::<f64>() / n;
                mu_star[o] = es.iter().map(|e| e[o].abs()).sum::<f64>() / n;
                sigma[o] = if es.len() > 1 {
                    (es.iter().map(|e| (e[o] - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
                } else {
                    0.0
                };
            }
            ParameterEffect {
                name: c.name.clone(),
                calibrated: set.entries.get(&c.name).is_some_and(|p| p.calibrated),
                mu_star,
                sigma,
            }
        })
        .collect();
    Sensitivity {
        trajectories,
        seed,
        runs: points.len() * scenarios.len(),
        effects,
    }
}

impl Sensitivity {
    /// The largest μ* of each outcome over all parameters (never 0, so it can divide).
    fn largest_mu_star(&self) -> [f64; 6] {
        let mut max = [1e-300_f64; 6];
        for e in &self.effects {
            for (m, v) in max.iter_mut().zip(e.mu_star) {
                *m = f64::max(*m, v);
            }
        }
        max
    }

    /// Parameters ordered by their largest μ* relative to the outcome's largest μ* (most
    /// influential first).
    pub fn ranked(&self) -> Vec<(&ParameterEffect, f64)> {
        let max = self.largest_mu_star();
        let mut v: Vec<(&ParameterEffect, f64)> = self
            .effects
            .iter()
            .map(|e| (e, (0..6).map(|o| e.mu_star[o] / max[o]).fold(0.0, f64::max)))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
        v
    }

    /// μ* of each parameter relative to the largest μ* of the outcome (0..1): the chart's matrix.
    pub fn normalised(&self) -> Vec<[f64; 6]> {
        let max = self.largest_mu_star();
        self.effects
            .iter()
            .map(|e| {
                let mut r = [0.0; 6];
                for o in 0..6 {
                    r[o] = e.mu_star[o] / max[o];
                }
                r
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_courses_parse() {
        assert_eq!(reference_scenarios().len(), 3);
    }

    #[test]
    fn morris_finds_the_parameter_that_drives_redness_and_ignores_one_that_cannot() {
        // Two trajectories keep it quick; the ranking of a dominant parameter is robust.
        let set = ParameterSet::shipped();
        let s = morris(&set, 2, 7);
        assert_eq!(s.runs, 2 * (uncertain(&set).len() + 1) * 3);
        let redness = OUTCOMES.iter().position(|o| o.starts_with("redness")).unwrap();
        let of = |name: &str| s.effects.iter().find(|e| e.name == name).unwrap();
        // The visibility threshold of redness decides redness days directly ...
        assert!(of("inflammation.redness_threshold").mu_star[redness] > 0.0);
        // ... while the men's dermis factor cannot matter for courses of women.
        assert_eq!(of("anatomy.male_dermis_factor").mu_star.iter().sum::<f64>(), 0.0);
        // Same seed, same design and result.
        assert_eq!(morris(&set, 2, 7), s);
    }
}
