//! Every file in `tests/data/bad-patient` must be refused with a message holding every line of its
//! `.expected` file (the first line, the file name, must start the message); the bundled example
//! patients must be accepted.

use cit_io::patient_file::load_patient;
use std::path::{Path, PathBuf};

fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

#[test]
fn every_bad_patient_file_is_refused_with_the_expected_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad-patient");
    let files = files_with_ext(&dir, "toml");
    assert!(files.len() >= 20, "only {} bad cases", files.len());
    let mut failures = Vec::new();
    for path in files {
        let expected = std::fs::read_to_string(path.with_extension("expected"))
            .unwrap_or_else(|_| panic!("{}: no .expected file", path.display()));
        let message = match std::panic::catch_unwind(|| load_patient(&path)) {
            Err(_) => {
                failures.push(format!("{}: PANICKED", path.display()));
                continue;
            }
            Ok(Ok(_)) => {
                failures.push(format!("{}: accepted, but it is a bad file", path.display()));
                continue;
            }
            Ok(Err(e)) => e.to_string(),
        };
        if message.contains('\n') {
            failures.push(format!("{}: message is not one line: {message}", path.display()));
        }
        let mut lines = expected.lines().filter(|l| !l.trim().is_empty());
        if let Some(first) = lines.next() {
            if !message.starts_with(&path.display().to_string()) || !message.contains(first.trim()) {
                failures.push(format!(
                    "{}: message does not start with the file: {message}",
                    path.display()
                ));
            }
        }
        for line in lines {
            if !message.contains(line.trim()) {
                failures.push(format!("{}: message lacks {line:?}: {message}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn bundled_example_patients_are_accepted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/patients");
    let files = files_with_ext(&dir, "toml");
    assert!(!files.is_empty());
    for path in files {
        if let Err(e) = load_patient(&path) {
            panic!("{e}");
        }
    }
}
