//! `cit validate`: every evidence target, predicted vs published, pass or miss.
//! Exit code 1 when a quantitative, directional or range check misses (documented known misses
//! and practice targets are reported but do not fail).

use crate::cli::{ReportFormat, ValidateArgs};
use crate::commands::evidence::{load, with_threads};
use crate::{emit, Failure};
use cit_evidence::report::{self, Tally};
use cit_evidence::run::{run_targets, RunSettings};

pub fn run(args: ValidateArgs) -> Result<(), Failure> {
    let (targets, set) = load(&args.evidence)?;
    let outcomes = with_threads(args.evidence.threads, || {
        run_targets(&targets, &set, RunSettings::default())
    })?;
    match args.format {
        ReportFormat::Text => emit(&report::text(&targets, &outcomes))?,
        ReportFormat::Markdown => emit(&report::markdown(&targets, &outcomes))?,
        ReportFormat::Json => {
            let doc = report::json(&targets, &outcomes);
            let text = serde_json::to_string_pretty(&doc).map_err(|e| Failure::Run(e.to_string()))?;
            emit(&format!("{text}\n"))?
        }
    }
    let tally = Tally::of(&targets, &outcomes);
    if tally.miss > 0 {
        return Err(Failure::Run(format!(
            "{} evidence check(s) missed; {}",
            tally.miss,
            tally.line()
        )));
    }
    Ok(())
}
