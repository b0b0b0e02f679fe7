//! `cit examples`: the bundled scenarios.

use crate::examples::EXAMPLES;
use crate::Failure;

pub fn run() -> Result<(), Failure> {
    println!("Bundled scenarios (run one with `cit simulate examples/<file>`):\n");
    for e in EXAMPLES {
        let name = cit_io::scenario_file::parse_scenario(e.text, e.file)
            .map(|s| s.name)
            .map_err(|err| Failure::Run(format!("bundled example is invalid: {err}")))?;
        println!("  examples/{:<36} {}", e.file, name);
    }
    Ok(())
}
