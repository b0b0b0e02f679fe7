//! `cit simulate`: one person, or a virtual cohort around them.

use crate::cli::{Format, Model, SimulateArgs};
use crate::{emit, Failure};
use cit_core::cohort::run_cohort;
use cit_core::simulate::{simulate, Options, SimulationResult};
use cit_io::{plot, report, scenario_file};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

/// Largest cohort accepted (keeps a typo from running for hours).
const MAX_COHORT: usize = 1_000_000;

pub fn run(args: SimulateArgs) -> Result<(), Failure> {
    let mut scenario = scenario_file::load_scenario(&args.scenario).map_err(|e| Failure::Input(e.to_string()))?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    if args.model == Model::Patch {
        return super::patch::run(&args, &scenario);
    }
    if let Some(n) = args.cohort {
        if n == 0 || n > MAX_COHORT {
            return Err(Failure::Input(format!("--cohort {n}: allowed 1..={MAX_COHORT}")));
        }
    }
    if args.threads == Some(0) {
        return Err(Failure::Input("--threads 0: allowed 1 or more".into()));
    }
    let set = crate::commands::evidence::load_params(args.params.as_deref())?;
    super::create_out_dir(args.out.as_deref())?;
    let params = set.params();
    let typical = simulate(&scenario, &params, Options::default());
    check_finite(&typical)?;

    let (text, json) = match args.cohort {
        None => (
            report::result_text(&scenario, &typical),
            report::result_json(&scenario, &typical),
        ),
        Some(n) => {
            let bar = ProgressBar::new(n as u64);
            bar.set_style(
                ProgressStyle::with_template("{spinner} virtual patients {pos}/{len} [{bar:30}] {eta} left")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let tick = || bar.inc(1);
            let cohort = match args.threads {
                Some(t) => rayon::ThreadPoolBuilder::new()
                    .num_threads(t)
                    .build()
                    .map_err(|e| Failure::Run(format!("cannot start {t} threads: {e}")))?
                    .install(|| run_cohort(&scenario, &set, n, &tick)),
                None => run_cohort(&scenario, &set, n, &tick),
            };
            bar.finish_and_clear();
            (
                report::cohort_text(&scenario, &cohort),
                report::cohort_json(&scenario, &cohort, &typical),
            )
        }
    };
    let json_text = serde_json::to_string_pretty(&json).map_err(|e| Failure::Run(e.to_string()))?;
    match args.format {
        Format::Text => emit(&text)?,
        Format::Json => emit(&format!("{json_text}\n"))?,
        Format::Csv => emit(&report::timeseries_csv(&scenario, &typical))?,
    }
    if let Some(dir) = &args.out {
        write_outputs(dir, &scenario, &typical, &json_text)?;
    }
    Ok(())
}

pub(crate) fn check_finite(r: &SimulationResult) -> Result<(), Failure> {
    let s = &r.summary;
    let ok = report::SUMMARY_FIELDS.iter().all(|(_, get, _, _)| get(s).is_finite())
        && s.concerns.iter().all(|c| c.after.is_finite());
    if ok {
        Ok(())
    } else {
        Err(Failure::Run(
            "the simulation produced a non-finite value (please report this scenario)".into(),
        ))
    }
}

pub(crate) fn write_outputs(
    dir: &Path,
    scenario: &cit_core::scenario::Scenario,
    r: &SimulationResult,
    json: &str,
) -> Result<(), Failure> {
    let io =
        |what: &str, e: std::io::Error| Failure::Input(format!("--out {}: cannot write {what}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(|e| io("the directory", e))?;
    // Write each file to a temporary name first, then rename: an interrupted run never leaves a
    // half-written result behind.
    let write = |name: &str, contents: &str| -> Result<(), Failure> {
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, contents).map_err(|e| io(name, e))?;
        std::fs::rename(&tmp, dir.join(name)).map_err(|e| io(name, e))
    };
    write("summary.json", &format!("{json}\n"))?;
    write("timeseries.csv", &report::timeseries_csv(scenario, r))?;
    write("scenario.toml", &scenario_file::scenario_to_toml(scenario))?;
    let written = plot::write_plots(r, &scenario.name, dir).map_err(|e| Failure::Run(e.to_string()))?;
    eprintln!(
        "wrote summary.json, timeseries.csv, scenario.toml and {} plots to {}",
        written.len(),
        dir.display()
    );
    Ok(())
}
