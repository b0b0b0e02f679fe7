//! `cit parameters`: the parameter set, as a Markdown table (for docs/model.md) or as TOML.

use crate::cli::ParamFormat;
use crate::{emit, Failure};
use cit_core::params::{ParameterSet, DEFAULT_PARAMETERS_TOML};

pub fn run(format: ParamFormat) -> Result<(), Failure> {
    match format {
        ParamFormat::Toml => emit(DEFAULT_PARAMETERS_TOML),
        ParamFormat::Markdown => emit(&markdown(&ParameterSet::shipped())),
    }
}

/// One row per parameter: name, value, unit, calibrated, spread, bounds, source.
pub fn markdown(set: &ParameterSet) -> String {
    let mut out = String::from("| parameter | value | unit | calibrated | between-person sd(log) | bounds | source |\n|---|---|---|---|---|---|---|\n");
    for (name, p) in &set.entries {
        let bounds = p.bounds.map(|[lo, hi]| format!("{lo} – {hi}")).unwrap_or_default();
        let sd = p.sd_log.map(|s| s.to_string()).unwrap_or_default();
        let cal = match (p.calibrated, p.prior) {
            (true, Some(prior)) => format!("yes (prior {prior})"),
            (true, None) => "yes".to_string(),
            (false, _) => "no".to_string(),
        };
        out.push_str(&format!(
            "| `{name}` | {} | {} | {cal} | {sd} | {bounds} | {} |\n",
            p.value,
            p.unit,
            p.source.replace('|', "/")
        ));
    }
    out
}
