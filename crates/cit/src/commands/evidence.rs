//! What `validate`, `calibrate` and `sensitivity` share: reading the evidence and the parameter
//! file, and running work on the requested number of threads.

use crate::cli::EvidenceArgs;
use crate::Failure;
use cit_core::params::ParameterSet;
use cit_evidence::target::{self, Target};
use std::path::Path;

/// The evidence targets: the shipped ones, or those of `dir`.
pub fn load_targets(dir: Option<&Path>) -> Result<Vec<Target>, Failure> {
    let targets = match dir {
        Some(d) => target::load_dir(d),
        None => target::shipped(),
    };
    targets.map_err(|e| {
        Failure::Input(format!(
            "{e}\nhint: docs/evidence.md describes the evidence file format"
        ))
    })
}

/// The parameter set: the shipped one, or the file given.
pub fn load_params(file: Option<&Path>) -> Result<ParameterSet, Failure> {
    match file {
        None => Ok(ParameterSet::shipped()),
        Some(f) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| Failure::Input(format!("{}: cannot read the parameter file: {e}", f.display())))?;
            ParameterSet::from_toml(&text).map_err(|e| Failure::Input(format!("{}: {e}", f.display())))
        }
    }
}

/// Runs `work` on `threads` worker threads (default: rayon's global pool, all cores).
pub fn with_threads<T: Send>(threads: Option<usize>, work: impl FnOnce() -> T + Send) -> Result<T, Failure> {
    match threads {
        Some(0) => Err(Failure::Input("--threads 0: allowed 1 or more".into())),
        Some(t) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map_err(|e| Failure::Run(format!("cannot start {t} threads: {e}")))?
            .install(work)),
        None => Ok(work()),
    }
}

/// Both sources at once, from the shared arguments.
pub fn load(args: &EvidenceArgs) -> Result<(Vec<Target>, ParameterSet), Failure> {
    Ok((
        load_targets(args.data.as_deref())?,
        load_params(args.params.as_deref())?,
    ))
}
