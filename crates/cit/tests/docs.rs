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
