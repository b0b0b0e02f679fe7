//! `cit calibrate`: fit the calibrated parameters to every evidence target at once, write the
//! fitted parameter file and a fit report. Searches from the priors recorded in the parameter file
//! and from each documented start (data/calibration-starts.toml, or --starts), so the same
//! command and seed reproduce the same file.

use crate::cli::CalibrateArgs;
use crate::commands::evidence::{load_params, load_targets, with_threads};
use crate::Failure;
use cit_core::params::{ParameterSet, DEFAULT_PARAMETERS_TOML};
use cit_evidence::calibrate::{fit, write_parameter_file, FitSettings};
use cit_evidence::report;
use cit_evidence::starts::{self, Start};

pub fn run(args: CalibrateArgs) -> Result<(), Failure> {
    let data = args.data_dir.as_deref().or(args.evidence.data.as_deref());
    let targets = load_targets(data)?;
    let set = load_params(args.evidence.params.as_deref())?;
    let original = match &args.evidence.params {
        Some(f) => std::fs::read_to_string(f).map_err(|e| Failure::Input(format!("{}: {e}", f.display())))?,
        None => DEFAULT_PARAMETERS_TOML.to_string(),
    };
    if args.max_evaluations == 0 {
        return Err(Failure::Input("--max-evaluations 0: allowed 1 or more".into()));
    }
    if args.cohort == 0 || args.cohort > 10_000 {
        return Err(Failure::Input(format!("--cohort {}: allowed 1..=10000", args.cohort)));
    }
    let starts = load_starts(args.starts.as_deref(), &set)?;
    let report_path = args
        .report
        .clone()
        .unwrap_or_else(|| args.out.with_extension("report.md"));
    // A fit takes minutes: find out now, not after it, that a result cannot be written.
    check_writable(&args.out)?;
    check_writable(&report_path)?;
    let settings = FitSettings {
        seed: args.seed,
        max_evaluations: args.max_evaluations,
        cohort: args.cohort,
    };
    let command = format!(
        "cit calibrate{} --seed {} --max-evaluations {} --cohort {}{}",
        data.map(|d| format!(" --data {}", d.display())).unwrap_or_default(),
        args.seed,
        args.max_evaluations,
        args.cohort,
        args.starts
            .as_ref()
            .map(|f| format!(" --starts {}", f.display()))
            .unwrap_or_default()
    );
    let names: Vec<&str> = starts.iter().map(|s| s.name.as_str()).collect();
    eprintln!(
        "fitting {} calibrated parameters to {} targets: {} searches (from {}), up to {} evaluations each ...",
        cit_evidence::calibrate::coordinates(&set).len(),
        targets.len(),
        starts.len(),
        names.join(", "),
        args.max_evaluations
    );
    let result = with_threads(args.evidence.threads, || fit(&targets, &set, settings, &starts))?;

    let fitted = write_parameter_file(&original, &result, &command);
    // The file must read back as a valid parameter set before it replaces anything.
    ParameterSet::from_toml(&fitted).map_err(|e| Failure::Run(format!("the fitted parameter file is invalid: {e}")))?;
    write_atomically(&args.out, &fitted)?;
    write_atomically(&report_path, &report::fit_markdown(&targets, &result, &command))?;
    for s in &result.searches {
        eprintln!(
            "search from {}: objective {:.3} -> {:.3} ({} evaluations)",
            s.start, s.objective_start, s.objective_end, s.evaluations
        );
    }
    eprintln!(
        "objective {:.3} at the priors -> {:.3} (search from {} kept); wrote {} and {}",
        result.objective_prior,
        result.objective_fitted,
        result.winner,
        args.out.display(),
        report_path.display()
    );
    Ok(())
}

/// The searches' starts: the priors, then those of `file` (default: the shipped starts).
fn load_starts(file: Option<&std::path::Path>, set: &ParameterSet) -> Result<Vec<Start>, Failure> {
    let coords = cit_evidence::calibrate::coordinates(set);
    let (text, shown) = match file {
        None => (
            starts::SHIPPED_STARTS_TOML.to_string(),
            "data/calibration-starts.toml".to_string(),
        ),
        Some(f) => (
            std::fs::read_to_string(f)
                .map_err(|e| Failure::Input(format!("{}: cannot read the starts file: {e}", f.display())))?,
            f.display().to_string(),
        ),
    };
    starts::parse(&text, &shown, &coords).map_err(|e| {
        Failure::Input(format!("{e}\nhint: docs/calibration.md describes the starts file; --starts with an empty file searches from the priors only"))
    })
}

/// Whether `path` can be written: not a directory, and its temporary file (the one
/// [`write_atomically`] writes through) can be created; the probe is removed again.
fn check_writable(path: &std::path::Path) -> Result<(), Failure> {
    let fail = |why: String| Failure::Input(format!("{}: cannot write: {why}", path.display()));
    if path.is_dir() {
        return Err(fail("it is a directory".into()));
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, "").map_err(|e| fail(e.to_string()))?;
    let _ = std::fs::remove_file(&tmp);
    Ok(())
}

/// Writes through a temporary file and a rename, so an interrupted run never leaves a
/// half-written parameter file behind.
fn write_atomically(path: &std::path::Path, text: &str) -> Result<(), Failure> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| Failure::Input(format!("{}: cannot write: {e}", path.display())))
}
