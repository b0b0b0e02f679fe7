//! Every file in `tests/data/bad` must be refused with a message holding every line of its
//! `.expected` file; every file in `tests/data/good` must be accepted (and survive the round trip
//! through `scenario_to_toml`). See `tests/data/bad/README.md`.

use cit_io::scenario_file::{load_scenario, parse_scenario, scenario_to_toml};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn data_dir(which: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(which)
}

/// Files in `dir` ending in `.ext`, sorted.
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
fn every_bad_file_has_an_expected_file_and_vice_versa() {
    let dir = data_dir("bad");
    let stems = |ext| -> BTreeSet<String> {
        files_with_ext(&dir, ext)
            .iter()
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    let tomls = stems("toml");
    let expected = stems("expected");
    let untested: Vec<_> = tomls.difference(&expected).collect();
    let orphans: Vec<_> = expected.difference(&tomls).collect();
    assert!(untested.is_empty(), "bad files without a .expected file: {untested:?}");
    assert!(orphans.is_empty(), ".expected files without a .toml file: {orphans:?}");
    assert!(tomls.len() >= 34, "only {} bad cases", tomls.len());
}

#[test]
fn every_bad_file_is_refused_with_the_expected_message() {
    let dir = data_dir("bad");
    let mut failures = Vec::new();
    for path in files_with_ext(&dir, "toml") {
        let expected_path = path.with_extension("expected");
        let Ok(expected) = std::fs::read_to_string(&expected_path) else {
            failures.push(format!("{}: no .expected file", path.display()));
            continue;
        };
        let result = std::panic::catch_unwind(|| load_scenario(&path));
        let message = match result {
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
        println!("{message}");
        if message.contains('\n') {
            failures.push(format!("{}: message is not one line: {message:?}", path.display()));
        }
        let file_name = path.file_name().unwrap().to_string_lossy();
        if !message.contains(&*file_name) {
            failures.push(format!("{}: message does not name the file: {message}", path.display()));
        }
        let wanted: Vec<&str> = expected.lines().map(str::trim_end).filter(|l| !l.is_empty()).collect();
        if wanted.is_empty() {
            failures.push(format!("{}: empty .expected file", path.display()));
        }
        for w in wanted {
            if !message.contains(w) {
                failures.push(format!("{}: message lacks {w:?}:\n    {message}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_good_file_is_accepted_and_round_trips() {
    let files = files_with_ext(&data_dir("good"), "toml");
    assert!(!files.is_empty());
    for path in files {
        let s = load_scenario(&path).unwrap_or_else(|e| panic!("{e}"));
        let written = scenario_to_toml(&s);
        let back = parse_scenario(&written, "resolved.toml").unwrap_or_else(|e| panic!("{e}\n{written}"));
        assert_eq!(back, s, "{}:\n{written}", path.display());
    }
}

#[test]
fn missing_file_is_an_io_error_naming_the_file() {
    let path = data_dir("no-such-file.toml");
    let e = load_scenario(&path).unwrap_err();
    assert!(e.to_string().starts_with(&path.display().to_string()), "{e}");
    assert!(e.to_string().contains("cannot read"), "{e}");
    assert_eq!(e.key(), None);
}
