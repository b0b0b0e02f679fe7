//! Generated documentation must match the code it documents.

use assert_cmd::Command;

#[test]
fn docs_parameters_md_is_the_output_of_cit_parameters() {
    let generated = Command::cargo_bin("cit").unwrap().arg("parameters").output().unwrap();
    assert!(generated.status.success());
    let table = String::from_utf8(generated.stdout).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/parameters.md");
    let doc = std::fs::read_to_string(path).unwrap();
    assert!(
        doc.ends_with(&table),
        "docs/parameters.md is stale: regenerate it (see its first lines) with `cit parameters`"
    );
}

/// `cit validate` passes with the shipped parameters (exit 0), and `docs/validation.md` ends with
/// its Markdown table: the published validation cannot drift from the model.
#[test]
fn shipped_parameters_validate_and_docs_validation_md_is_current() {
    let run = Command::cargo_bin("cit")
        .unwrap()
        .args(["validate", "--format", "markdown"])
        .output()
        .unwrap();
    let table = String::from_utf8(run.stdout).unwrap();
    assert!(
        run.status.success(),
        "cit validate fails with the shipped parameters:\n{}\n{table}",
        String::from_utf8_lossy(&run.stderr)
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/validation.md");
    let doc = std::fs::read_to_string(path).unwrap();
    assert!(
        doc.ends_with(&table),
        "docs/validation.md is stale: run scripts/regenerate-docs"
    );
}
