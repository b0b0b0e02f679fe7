//! `cit plan` through the real binary: output contract, inputs, exit codes. Small cohorts keep
//! these fast; the planner's logic is tested in cit-plan.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

fn cit() -> Command {
    Command::cargo_bin("cit").expect("the cit binary is built")
}

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/patients")
        .join(name)
}

fn plan_json(args: &[&str]) -> Value {
    let out = cit()
        .arg("plan")
        .args(args)
        .args(["--format", "json", "--cohort", "40"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn json_has_every_key_the_issue_lists() {
    let j = plan_json(&["--patient", example("crows-feet.toml").to_str().unwrap()]);
    for key in [
        "sessions",
        "interval_days",
        "needle_length_mm",
        "device",
        "passes",
        "probability_of_goal",
        "schedule",
        "predicted",
        "redness_days_p90",
        "dryness_days_p90",
        "pih_probability",
        "maintenance_after_days",
        "warnings",
        "alternatives",
    ] {
        assert!(j.get(key).is_some(), "missing {key}");
    }
    let n = j["sessions"].as_u64().unwrap() as usize;
    let schedule = j["schedule"].as_array().unwrap();
    assert_eq!(schedule.len(), n);
    assert_eq!(schedule[0]["date"], "2025-03-03");
    let predicted = &j["predicted"];
    assert_eq!(predicted["after_session"].as_array().unwrap().len(), n);
    for k in ["p10", "p50", "p90"] {
        assert!(predicted["end_of_follow_up"][k].is_number());
    }
    let w = &j["warnings"][0];
    for k in ["action", "reason", "citation"] {
        assert!(w[k].is_string(), "warning lacks {k}");
    }
    assert_eq!(w["id"], "hsv-history");
}

#[test]
fn flags_give_the_same_plan_as_the_patient_file() {
    let file = plan_json(&["--patient", example("crows-feet.toml").to_str().unwrap()]);
    let flags = plan_json(&[
        "--age",
        "48",
        "--sex",
        "female",
        "--skin-type",
        "2",
        "--photoaging",
        "2",
        "--site",
        "periorbital",
        "--concern",
        "wrinkles",
        "--severity",
        "3",
        "--goal",
        "noticeable",
        "--max-downtime-days",
        "5",
        "--start-date",
        "2025-03-03",
        "--yes",
        "hsv_history",
    ]);
    assert_eq!(file, flags);
}

#[test]
fn a_keloid_is_not_planned_and_names_the_route() {
    let j = plan_json(&[
        "--age",
        "30",
        "--sex",
        "male",
        "--skin-type",
        "5",
        "--site",
        "back",
        "--concern",
        "keloid",
        "--subtype",
        "keloid",
        "--severity",
        "6",
    ]);
    assert_eq!(j["verdict"], "do-not-treat");
    assert!(j["sessions"].is_null());
    assert!(j["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["route"] == "drug delivery"));
}

#[test]
fn bad_input_exits_2_with_a_message_naming_the_key() {
    let bad = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cit-io/tests/data/bad-patient/unknown_goal.toml");
    let out = cit()
        .args(["plan", "--patient", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("goal = \"perfect\" is unknown") && !err.contains("panicked"),
        "{err}"
    );

    let err = texture_plan_with("--skin-type", "9");
    assert!(
        err.contains("patient.skin_type = 9") && err.contains("--skin-type"),
        "{err}"
    );

    let out = cit()
        .args(["plan", "--patient", "x.toml", "--age", "40"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a patient file and flags together");
    let out = cit()
        .args(["plan", "--patient", "/nonexistent/p.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    // Negative numbers reach the checks, which name the key and the flag.
    for (flag, key) in [("--age", "patient.age = -5"), ("--severity", "severity = -5")] {
        let err = texture_plan_with(flag, "-5");
        assert!(err.contains(key) && err.contains(flag), "{err}");
    }
}

/// `cit plan` by flags for cheek texture with `flag` set to `value`, expected to exit 2: its
/// stderr.
fn texture_plan_with(flag: &str, value: &str) -> String {
    let mut args = vec![
        "plan",
        "--age",
        "40",
        "--sex",
        "female",
        "--skin-type",
        "2",
        "--site",
        "cheek",
        "--concern",
        "texture",
        "--severity",
        "2",
    ];
    let i = args
        .iter()
        .position(|a| *a == flag)
        .expect("a flag of the base command");
    args[i + 1] = value;
    let out = cit().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "cit {args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_out_dir_that_cannot_be_created_fails_before_planning() {
    let file = std::env::temp_dir().join(format!("cit-plan-out-blocker-{}", std::process::id()));
    std::fs::write(&file, "a file, not a directory").unwrap();
    let out = cit()
        .args(["plan", "--cohort", "30", "--patient"])
        .arg(example("crows-feet.toml"))
        .arg("--out")
        .arg(file.join("results"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"));
    assert!(out.stdout.is_empty(), "no plan is printed before the failure");
    let _ = std::fs::remove_file(&file);
}

#[test]
fn out_writes_the_trajectory_png_and_the_json() {
    let dir = std::env::temp_dir().join(format!("cit-plan-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    cit()
        .args([
            "plan",
            "--cohort",
            "30",
            "--patient",
            example("crows-feet.toml").to_str().unwrap(),
            "--out",
        ])
        .arg(&dir)
        .assert()
        .success();
    let png = std::fs::read(dir.join("trajectory.png")).expect("trajectory.png written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let j: Value = serde_json::from_slice(&std::fs::read(dir.join("plan.json")).unwrap()).unwrap();
    assert!(j["sessions"].is_number());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn text_output_names_the_course_the_range_and_the_sources() {
    let out = cit()
        .args([
            "plan",
            "--cohort",
            "30",
            "--patient",
            example("acne-scars-cheek.toml").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "Recommended:",
        "Schedule:",
        "end of follow-up",
        "Spring et al. 2017",
        "PIH probability",
    ] {
        assert!(text.contains(needle), "text lacks {needle:?}:\n{text}");
    }
}

/// Grade-2 forehead lines with at most 2 sessions: no setting reaches `noticeable` (docs/planner.md,
/// search step 6), so the next-best settings say how far they were simulated.
const FOREHEAD_IN_2: &str = "--age 45 --sex female --skin-type 2 --photoaging 2 --site forehead \
    --concern wrinkles --severity 2 --goal noticeable --max-sessions 2";

#[test]
fn an_alternative_that_never_reaches_the_goal_says_how_many_sessions_were_simulated() {
    let args: Vec<&str> = FOREHEAD_IN_2.split_whitespace().collect();
    let j = plan_json(&args);
    let alternatives = j["alternatives"].as_array().unwrap();
    assert!(
        alternatives.iter().any(|a| a["sessions"].is_null()),
        "{alternatives:#?}"
    );
    for a in &alternatives[..] {
        let simulated = a["sessions_simulated"].as_u64().unwrap();
        assert!((1..=2).contains(&simulated), "{a}");
        if let Some(n) = a["sessions"].as_u64() {
            assert!(n <= simulated, "{a}");
        }
    }
    let out = cit().arg("plan").args(&args).args(["--cohort", "40"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("goal not reached within 2 sessions"), "{text}");
    assert!(text.contains("one session fewer: 1 session,"), "{text}");
    assert!(!text.contains("- sessions") && !text.contains(" 1 sessions"), "{text}");
}

/// The fit reads the clinics' body session counts the way `cit plan` reads `optimal`
/// (data/evidence/clinic_body_sessions.toml): each check's offset is the planner's plateau step,
/// so changing the step in data/planner.toml without the evidence file fails here.
#[test]
fn the_body_session_evidence_uses_the_planners_plateau_step() {
    use cit_evidence::target::{shipped, Criterion};
    let step = cit_plan::settings::PlannerSettings::shipped().plateau_step;
    let targets = shipped().expect("the shipped evidence loads");
    let body = targets
        .iter()
        .find(|t| t.id == "clinic_body_sessions")
        .expect("clinic_body_sessions");
    assert!(!body.checks.is_empty());
    for c in &body.checks {
        match &c.criterion {
            Criterion::Compare { offset, .. } => assert_eq!(*offset, -step, "{}", c.label),
            other => panic!("{}: {other:?}", c.label),
        }
    }
}

#[test]
fn a_parameter_file_drives_the_plan_and_a_bad_one_exits_2() {
    let patient = example("crows-feet.toml");
    let patient = patient.to_str().unwrap();
    let shipped = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/parameters.toml");
    let text = std::fs::read_to_string(&shipped).unwrap();
    // The shipped file given explicitly plans exactly as the default.
    let default = plan_json(&["--patient", patient]);
    let explicit = plan_json(&["--patient", patient, "--params", shipped.to_str().unwrap()]);
    assert_eq!(default, explicit);
    // Halving wound collagen synthesis in the file changes the answer: the file is used.
    let section = text.find("[collagen.wound_synthesis_per_day]").unwrap();
    let line = section + text[section..].find("value = ").unwrap();
    let end = line + text[line..].find('\n').unwrap();
    let value: f64 = text[line + "value = ".len()..end].trim().parse().unwrap();
    let halved = format!("{}value = {}{}", &text[..line], value / 2.0, &text[end..]);
    let dir = std::env::temp_dir().join(format!("cit-plan-params-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("halved.toml");
    std::fs::write(&file, halved).unwrap();
    let slower = plan_json(&["--patient", patient, "--params", file.to_str().unwrap()]);
    assert_ne!(default["predicted"], slower["predicted"]);
    // Not a parameter file: exit 2, the file named.
    let out = cit()
        .args(["plan", "--patient", patient, "--params"])
        .arg(patient.replace("crows-feet.toml", "acne-scars-cheek.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("acne-scars-cheek.toml"));
    std::fs::remove_dir_all(&dir).ok();
}
