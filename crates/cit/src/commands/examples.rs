//! `cit examples`: the bundled scenarios.

use crate::examples::EXAMPLES;
use crate::{emit, Failure};

pub fn run() -> Result<(), Failure> {
    let mut out = String::from("Bundled scenarios (run one with `cit simulate examples/<file>`):\n\n");
    for e in EXAMPLES {
        let name = cit_io::scenario_file::parse_scenario(e.text, e.file)
            .map(|s| s.name)
            .map_err(|err| Failure::Run(format!("bundled example is invalid: {err}")))?;
        out.push_str(&format!("  examples/{:<40} {}\n", e.file, name));
    }
    emit(&out)
}
