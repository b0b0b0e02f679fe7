//! The shipped parameters are the output of the recorded `cit calibrate` run: recomputing the
//! objective at the shipped values gives the objective the run recorded. A fitted value edited by
//! hand, or a change to the model or the evidence without a new fit, fails here.

use cit_core::params::{ParameterSet, DEFAULT_PARAMETERS_TOML};
use cit_evidence::calibrate::{objective_of, RECORD_PREFIX};
use cit_evidence::target::shipped;

/// (cohort, fitted objective) from the `# calibration:` line.
fn recorded() -> (usize, f64) {
    let line = DEFAULT_PARAMETERS_TOML
        .lines()
        .find(|l| l.starts_with(RECORD_PREFIX))
        .expect("data/parameters.toml records its calibration run (see docs/calibration.md)");
    let cohort = line
        .rsplit("cohort ")
        .next()
        .and_then(|r| r.split(')').next())
        .and_then(|n| n.trim().parse().ok())
        .expect("the record names the cohort size");
    let fitted = line
        .rsplit("-> ")
        .next()
        .and_then(|v| v.trim().parse().ok())
        .expect("the record ends with the fitted objective");
    (cohort, fitted)
}

#[test]
fn shipped_values_reproduce_the_recorded_objective() {
    let (cohort, fitted) = recorded();
    let now = objective_of(&shipped().unwrap(), &ParameterSet::shipped(), cohort);
    assert!(
        (now - fitted).abs() < 1.5e-3,
        "objective at the shipped values is {now:.4}, the calibration recorded {fitted:.3}: \
         re-run the command recorded in data/parameters.toml (docs/calibration.md)"
    );
}
