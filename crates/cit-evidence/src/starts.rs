//! Where `cit calibrate` starts its searches (`data/calibration-starts.toml`).
//!
//! Nelder–Mead is a local method: from one start it finds the bottom of the valley it starts in.
//! The objective over 40-odd parameters has more than one valley (docs/calibration.md, "Why the
//! body counts come out as they do": a fit started from slower removal of new collagen ended
//! lower than every fit from the priors). So the fit runs one search from the priors and one from
//! each documented start, with the same budget and seed each, and keeps the lowest objective.
//! Every start is a fixed point, so the whole fit stays reproducible.

use crate::calibrate::Coordinate;
use crate::target::EvidenceError;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The starts shipped with cit.
pub const SHIPPED_STARTS_TOML: &str = include_str!("../../../data/calibration-starts.toml");

/// Name of the search that starts from the priors (always run first).
pub const PRIORS: &str = "priors";

/// One documented start: the calibrated parameters it moves away from their priors (the rest
/// start at their priors).
#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    pub name: String,
    pub reason: String,
    pub values: BTreeMap<String, f64>,
}

impl Start {
    /// The search from the priors.
    pub fn priors() -> Start {
        Start {
            name: PRIORS.into(),
            reason: "the priors of the parameter file".into(),
            values: BTreeMap::new(),
        }
    }

    /// The start's value of every coordinate (same order as `coords`).
    pub fn point(&self, coords: &[Coordinate]) -> Vec<f64> {
        coords
            .iter()
            .map(|c| self.values.get(&c.name).copied().unwrap_or(c.prior))
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartsFile {
    #[serde(default)]
    start: Vec<StartEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartEntry {
    name: String,
    reason: String,
    values: BTreeMap<String, f64>,
}

/// The searches of a fit: the priors first, then every start of `text` (read from `file`), each
/// checked against the calibrated parameters `coords`: known names, values inside the bounds.
pub fn parse(text: &str, file: &str, coords: &[Coordinate]) -> Result<Vec<Start>, EvidenceError> {
    let err = |key: String, message: String| EvidenceError {
        file: file.to_string(),
        key,
        message,
    };
    let parsed: StartsFile = toml::from_str(text).map_err(|e| err("-".into(), e.message().to_string()))?;
    let mut starts = vec![Start::priors()];
    let mut names = BTreeSet::from([PRIORS.to_string()]);
    for (i, entry) in parsed.start.into_iter().enumerate() {
        let key = |k: &str| format!("start[{i}].{k}");
        let name = entry.name.trim().to_string();
        if name.is_empty() || !names.insert(name.clone()) {
            return Err(err(
                key("name"),
                format!("`{name}`: allowed a non-empty name not used before (and not `{PRIORS}`)"),
            ));
        }
        if entry.reason.trim().is_empty() {
            return Err(err(key("reason"), "empty: say why the fit starts here".into()));
        }
        if entry.values.is_empty() {
            return Err(err(key("values"), "empty: a start moves at least one parameter".into()));
        }
        for (param, &v) in &entry.values {
            let Some(c) = coords.iter().find(|c| &c.name == param) else {
                let allowed: Vec<&str> = coords.iter().map(|c| c.name.as_str()).collect();
                return Err(err(
                    key(&format!("values.{param}")),
                    format!("not a calibrated parameter; allowed: {}", allowed.join(", ")),
                ));
            };
            if !v.is_finite() || v < c.lo || v > c.hi {
                return Err(err(
                    key(&format!("values.{param}")),
                    format!("{v}: allowed {} to {} (the parameter's bounds)", c.lo, c.hi),
                ));
            }
        }
        starts.push(Start {
            name,
            reason: entry.reason.trim().to_string(),
            values: entry.values,
        });
    }
    Ok(starts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cit_core::params::ParameterSet;

    fn coords() -> Vec<Coordinate> {
        crate::calibrate::coordinates(&ParameterSet::shipped())
    }

    #[test]
    fn the_shipped_starts_parse_and_follow_the_priors() {
        let starts = parse(SHIPPED_STARTS_TOML, "data/calibration-starts.toml", &coords()).expect("valid");
        assert_eq!(starts[0].name, PRIORS);
        assert!(starts.len() >= 2, "at least one documented start besides the priors");
    }

    #[test]
    fn a_start_moves_only_its_own_parameters() {
        let c = coords();
        let text =
            "[[start]]\nname = \"x\"\nreason = \"r\"\nvalues = { \"collagen.wound_synthesis_per_day\" = 0.05 }\n";
        let starts = parse(text, "f.toml", &c).unwrap();
        let point = starts[1].point(&c);
        for (coord, v) in c.iter().zip(&point) {
            if coord.name == "collagen.wound_synthesis_per_day" {
                assert_eq!(*v, 0.05);
            } else {
                assert_eq!(*v, coord.prior, "{}", coord.name);
            }
        }
    }

    #[test]
    fn bad_starts_name_the_file_the_key_and_what_is_allowed() {
        let c = coords();
        let cases = [
            (
                "[[start]]\nname = \"x\"\nreason = \"r\"\nvalues = { \"no.such\" = 1.0 }\n",
                "start[0].values.no.such",
                "allowed: ",
            ),
            (
                "[[start]]\nname = \"x\"\nreason = \"r\"\nvalues = { \"collagen.wound_synthesis_per_day\" = 9.0 }\n",
                "start[0].values.collagen.wound_synthesis_per_day",
                "allowed 0.001 to 0.3",
            ),
            (
                "[[start]]\nname = \"priors\"\nreason = \"r\"\nvalues = { \"collagen.wound_synthesis_per_day\" = 0.05 }\n",
                "start[0].name",
                "not used before",
            ),
            ("[[start]]\nname = \"x\"\nreason = \" \"\nvalues = {}\n", "start[0].reason", "empty"),
            ("[[start]]\nname = \"x\"\nreason = \"r\"\nvalues = {}\n", "start[0].values", "empty"),
            ("[[start]]\nnam = \"x\"\n", "-", "unknown field"),
        ];
        for (text, key, message) in cases {
            let e = parse(text, "starts.toml", &c).unwrap_err();
            assert_eq!(e.file, "starts.toml");
            assert_eq!(e.key, key, "{e}");
            assert!(e.message.contains(message), "{e}");
        }
    }

    #[test]
    fn a_file_without_starts_leaves_the_priors_alone() {
        let starts = parse("", "f.toml", &coords()).unwrap();
        assert_eq!(starts, vec![Start::priors()]);
    }
}
