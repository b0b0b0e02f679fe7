//! `cit validate`, `cit calibrate` and `cit sensitivity` through the real binary.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

fn cit() -> Command {
    Command::cargo_bin("cit").expect("the cit binary is built")
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cit-evidence-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn validate_json_lists_every_shipped_target_with_its_checks() {
    let out = cit().args(["validate", "--format", "json"]).output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let targets = doc["targets"].as_array().unwrap();
    let shipped = std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/evidence"))
        .unwrap()
        .count();
    assert_eq!(targets.len(), shipped);
    for t in targets {
        for key in ["id", "kind", "measure", "published", "citation"] {
            assert!(t[key].is_string(), "{key} in {t}");
        }
        for c in t["checks"].as_array().unwrap() {
            assert!(c["predicted"].is_number(), "{c}");
            assert!(["pass", "MISS", "known miss", "info"].contains(&c["result"].as_str().unwrap()));
        }
    }
    let s = &doc["summary"];
    assert_eq!(out.status.code(), Some(if s["miss"] == 0 { 0 } else { 1 }));
}

#[test]
fn validate_exits_1_when_a_target_misses_and_2_on_a_bad_evidence_file() {
    // The clinic's file expects 1.5 days; with a redness threshold at its upper bound the
    // redness is shorter or longer, so point the check at an impossible value instead.
    let dir = scratch("miss");
    let text = std::fs::read_to_string(data("evidence-small/small_redness.toml"))
        .unwrap()
        .replace("value = 1.5", "value = 30.0");
    std::fs::write(dir.join("small_redness.toml"), text).unwrap();
    let out = cit().args(["validate", "--data"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("MISS"));

    let out = cit()
        .args(["validate", "--data"])
        .arg(data("evidence-bad"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown_observable.toml") && err.contains("check[0].observable") && err.contains("allowed"),
        "{err}"
    );
}

#[test]
fn calibrate_fits_a_clinics_own_data_reproducibly() {
    let dir = scratch("calibrate");
    let run = |name: &str| {
        let out = cit()
            .args([
                "calibrate",
                "--max-evaluations",
                "12",
                "--cohort",
                "2",
                "--seed",
                "5",
                "--out",
            ])
            .arg(dir.join(name))
            .arg(data("evidence-small"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        std::fs::read_to_string(dir.join(name)).unwrap()
    };
    let a = run("a.toml");
    let b = run("b.toml");
    assert_eq!(a, b, "same seed, same fitted file");
    assert!(a.contains("# calibration: `cit calibrate --data"), "{}", &a[..400]);
    // The fitted file is a valid parameter file that cit accepts.
    let out = cit()
        .args(["validate", "--data"])
        .arg(data("evidence-small"))
        .arg("--params")
        .arg(dir.join("a.toml"))
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    // ... and that `cit simulate` runs with.
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/texture-cheek-pen.toml");
    let out = cit()
        .args(["simulate", "--format", "json", "--params"])
        .arg(dir.join("a.toml"))
        .arg(&example)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cit()
        .args(["simulate", "--params"])
        .arg(dir.join("a.report.md"))
        .arg(&example)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a.report.md"));
    let report = std::fs::read_to_string(dir.join("a.report.md")).unwrap();
    assert!(
        report.contains("objective") && report.contains("small_redness"),
        "{report}"
    );
}

#[test]
fn calibrate_searches_from_every_start_and_keeps_the_lowest_end() {
    let dir = scratch("starts");
    std::fs::write(
        dir.join("starts.toml"),
        "[[start]]\nname = \"low-threshold\"\nreason = \"test\"\nvalues = { \"inflammation.redness_threshold\" = 0.02 }\n\n\
         [[start]]\nname = \"high-threshold\"\nreason = \"test\"\nvalues = { \"inflammation.redness_threshold\" = 0.45 }\n",
    )
    .unwrap();
    let out = cit()
        .args(["calibrate", "--max-evaluations", "8", "--cohort", "2", "--starts"])
        .arg(dir.join("starts.toml"))
        .arg("--out")
        .arg(dir.join("p.toml"))
        .arg(data("evidence-small"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = std::fs::read_to_string(dir.join("p.report.md")).unwrap();
    // | start | objective at the start | objective at the end | evaluations | kept |
    let rows: Vec<Vec<String>> = report
        .lines()
        .filter(|l| {
            ["| priors |", "| low-threshold |", "| high-threshold |"]
                .iter()
                .any(|s| l.starts_with(s))
        })
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 3, "one row per search: {report}");
    assert!(
        report.contains("- low-threshold: test\n"),
        "each start's reason: {report}"
    );
    let end = |r: &Vec<String>| r[3].parse::<f64>().unwrap();
    let lowest = rows.iter().map(end).fold(f64::INFINITY, f64::min);
    let kept: Vec<&Vec<String>> = rows.iter().filter(|r| r[5] == "**yes**").collect();
    assert_eq!(kept.len(), 1, "{report}");
    assert_eq!(end(kept[0]), lowest, "{report}");
    let fitted = std::fs::read_to_string(dir.join("p.toml")).unwrap();
    let record = fitted.lines().find(|l| l.starts_with("# calibration: ")).unwrap();
    assert!(
        record.contains("--starts") && record.contains("in 3 searches"),
        "{record}"
    );
    assert!(record.contains(&format!("kept {}", kept[0][1])), "{record}");
    assert!(record.ends_with(&format!("-> {lowest:.3}")), "{record}");
}

#[test]
fn calibrate_rejects_a_bad_starts_file_before_fitting() {
    let dir = scratch("badstarts");
    std::fs::write(
        dir.join("starts.toml"),
        "[[start]]\nname = \"x\"\nreason = \"r\"\nvalues = { \"inflammation.redness_threshold\" = 7.0 }\n",
    )
    .unwrap();
    let out = cit()
        .args(["calibrate", "--max-evaluations", "2", "--starts"])
        .arg(dir.join("starts.toml"))
        .arg("--out")
        .arg(dir.join("out.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("starts.toml")
            && err.contains("start[0].values.inflammation.redness_threshold")
            && err.contains("allowed 0.01 to 0.5")
            && !err.contains("fitting"),
        "{err}"
    );
    assert!(!dir.join("out.toml").exists());
}

#[test]
fn calibrate_rejects_a_bad_parameter_file_without_writing() {
    let dir = scratch("badparams");
    std::fs::write(dir.join("p.toml"), "[device.roller_efficiency]\nvalue = 0.4\n").unwrap();
    let out = cit()
        .args(["calibrate", "--max-evaluations", "2", "--params"])
        .arg(dir.join("p.toml"))
        .arg("--out")
        .arg(dir.join("out.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("p.toml"));
    assert!(!dir.join("out.toml").exists());
}

#[test]
fn calibrate_refuses_an_unwritable_out_before_fitting() {
    let dir = scratch("unwritable");
    for out_path in [dir.join("missing").join("p.toml"), dir.clone()] {
        let out = cit()
            .args(["calibrate", "--max-evaluations", "2", "--out"])
            .arg(&out_path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot write") && !err.contains("fitting"), "{err}");
    }
}

#[test]
fn sensitivity_writes_its_chart_and_ranks_parameters() {
    let dir = scratch("sensitivity");
    let out = cit()
        .args(["sensitivity", "--trajectories", "1", "--format", "json", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let params = doc["parameters"].as_array().unwrap();
    assert!(params.len() > 20);
    let rel: Vec<f64> = params
        .iter()
        .map(|p| p["relative_influence"].as_f64().unwrap())
        .collect();
    assert!(rel.windows(2).all(|w| w[0] >= w[1]), "ranked by influence");
    let png = std::fs::read(dir.join("sensitivity.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let out = cit().args(["sensitivity", "--trajectories", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
