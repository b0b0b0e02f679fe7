pub mod calibrate;
pub mod evidence;
pub mod examples;
pub mod parameters;
pub mod patch;
pub mod plan;
pub mod sensitivity;
pub mod simulate;
pub mod validate;

use crate::Failure;
use std::path::Path;

/// Creates the `--out` directory before any computation, so a directory that cannot be written
/// is reported at once, not after a long run whose results would then be lost.
pub(crate) fn create_out_dir(dir: Option<&Path>) -> Result<(), Failure> {
    match dir {
        Some(d) => std::fs::create_dir_all(d)
            .map_err(|e| Failure::Input(format!("--out {}: cannot create the directory: {e}", d.display()))),
        None => Ok(()),
    }
}
