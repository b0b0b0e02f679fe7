//! # cit-evidence: the published evidence as runnable targets
//!
//! Every row of the evidence base is a file in `data/evidence/` (format: `docs/evidence.md`):
//! the study's protocol as one or more scenarios, the observable its measure maps to, the
//! published value with a tolerance and its reason, the citation, and a kind (quantitative,
//! direction, range, practice). This crate
//!
//! - reads and checks those files ([`target`]),
//! - computes the model's observables from simulated courses and untreated skin ([`observable`]),
//! - runs all targets at once, virtual cohorts where the measure is a population figure
//!   ([`run`]) — `cit validate`,
//! - fits the calibrated parameters to all targets at once ([`calibrate`], with the
//!   [`nelder_mead`] optimiser) — `cit calibrate`,
//! - measures global sensitivity by Morris elementary effects ([`sensitivity`]) — `cit sensitivity`,
//! - and formats the tables ([`report`]).

pub mod calibrate;
pub mod nelder_mead;
pub mod observable;
pub mod report;
pub mod run;
pub mod sensitivity;
pub mod starts;
pub mod target;
