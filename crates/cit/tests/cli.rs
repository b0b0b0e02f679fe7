//! Integration tests of the `cit` binary: the command-line contract (arguments, exit codes,
//! output formats, files written) exercised through the real executable.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// The summary numbers every result carries (JSON contract).
const SUMMARY_KEYS: [&str; 10] = [
    "collagen_change_pct",
    "collagen_i_change_pct",
    "collagen_iii_change_pct",
    "elastin_change_pct",
    "epidermis_thickness_change_pct",
    "dermis_thickness_change_pct",
    "firmness_change_pct",
    "redness_days",
    "dryness_days",
    "pih_probability",
];

/// Time-series columns that must be present (and of equal length) in the JSON.
const TIMESERIES_KEYS: [&str; 6] = ["day", "collagen_i", "collagen_iii", "elastin", "redness", "dryness"];

fn cit() -> Command {
    Command::cargo_bin("cit").expect("the cit binary is built")
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn repo_root() -> PathBuf {
    manifest_dir().join("../..")
}

fn examples_dir() -> PathBuf {
    repo_root().join("examples")
}

/// File names of every `.toml` in the repository's examples/ directory, sorted.
fn example_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("examples/ is readable")
        .map(|e| e.expect("directory entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "examples/ holds at least one scenario");
    names
}

fn example(name: &str) -> PathBuf {
    examples_dir().join(name)
}

/// A small, quick example used by the tests that need just one scenario.
fn quick_example() -> PathBuf {
    example("texture-cheek-pen.toml")
}

/// A fresh, unique, empty directory under the system temp dir; removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("cit-cli-test-{}-{tag}-{n}-{nanos}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Output {
    let out = cit().args(args).output().expect("run cit");
    Output {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn run_ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.code,
        Some(0),
        "cit {args:?} should succeed; stderr:\n{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("panicked"),
        "cit {args:?} panicked:\n{}",
        out.stderr
    );
    out.stdout
}

fn json_of(stdout: &str, what: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}):\n{stdout}"))
}

fn finite(v: &Value, what: &str) -> f64 {
    let x = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what} should be a number, got {v}"));
    assert!(x.is_finite(), "{what} should be finite, got {x}");
    x
}

/// Asserts the run failed with exit 2, a message on stderr and no panic; returns stderr.
fn assert_bad_input(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.code,
        Some(2),
        "cit {args:?} should exit 2; stdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    assert!(!out.stderr.trim().is_empty(), "cit {args:?} should explain on stderr");
    assert!(
        !out.stderr.contains("panicked"),
        "cit {args:?} panicked:\n{}",
        out.stderr
    );
    out.stderr
}

/// Writes `text` as `name` into `dir` and returns the path as a string.
fn write_file(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p.to_str().expect("UTF-8 temp path").to_string()
}

/// The quick example with one line replaced (the line must exist).
fn quick_example_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(quick_example()).expect("read example");
    assert!(text.contains(from), "fixture line `{from}` not found in the example");
    text.replacen(from, to, 1)
}

/// Replaces the temp directory in a message by a fixed token (both separators, for Windows).
fn redact(msg: &str, dir: &Path) -> String {
    let d = dir.to_string_lossy().into_owned();
    msg.replace(&d, "[TMP]").replace("[TMP]\\", "[TMP]/")
}

// ------------------------------------------------------------------------------------------
// 1. `cit examples` matches the examples/ directory
// ------------------------------------------------------------------------------------------

#[test]
fn examples_lists_every_example_file_and_only_existing_ones() {
    let out = run_ok(&["examples"]);
    let listed: BTreeSet<String> = out
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("examples/"))
        .filter(|w| w.ends_with(".toml"))
        .map(str::to_string)
        .collect();
    let on_disk: BTreeSet<String> = example_files().into_iter().collect();
    let missing: Vec<_> = on_disk.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "examples/ files not listed by `cit examples`: {missing:?}\n{out}"
    );
    for name in &listed {
        assert!(
            example(name).is_file(),
            "`cit examples` lists examples/{name}, which does not exist"
        );
    }
    assert_eq!(listed, on_disk);
}

// ------------------------------------------------------------------------------------------
// 2. Every example runs; the JSON has the contract keys
// ------------------------------------------------------------------------------------------

fn check_single_json(v: &Value, what: &str) {
    assert!(
        v["scenario"].as_str().is_some_and(|s| !s.is_empty()),
        "{what}: scenario name"
    );
    assert!(
        v["seed"].as_u64().is_some(),
        "{what}: seed should be an unsigned integer, got {}",
        v["seed"]
    );
    assert_eq!(v["model"], "column", "{what}: model");

    let summary = &v["summary"];
    assert!(summary.is_object(), "{what}: summary object");
    for key in SUMMARY_KEYS {
        finite(&summary[key], &format!("{what}: summary.{key}"));
    }
    let p = summary["pih_probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p), "{what}: pih_probability {p} outside 0..=1");

    let concerns = summary["concerns"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: summary.concerns array"));
    assert!(!concerns.is_empty(), "{what}: at least one concern");
    for (i, c) in concerns.iter().enumerate() {
        let w = format!("{what}: summary.concerns[{i}]");
        assert!(c["kind"].as_str().is_some_and(|s| !s.is_empty()), "{w}.kind");
        assert!(
            c["subtype"].is_string(),
            "{w}.subtype should be a string (possibly empty)"
        );
        assert!(c["scale"].as_str().is_some_and(|s| !s.is_empty()), "{w}.scale");
        finite(&c["before"], &format!("{w}.before"));
        finite(&c["after"], &format!("{w}.after"));
        finite(&c["improvement_pct"], &format!("{w}.improvement_pct"));
    }

    check_timeseries(v, what);
}

fn check_timeseries(v: &Value, what: &str) {
    let ts = &v["timeseries"];
    let len = ts["day"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: timeseries.day array"))
        .len();
    assert!(len > 1, "{what}: timeseries has samples");
    for key in TIMESERIES_KEYS {
        let col = ts[key]
            .as_array()
            .unwrap_or_else(|| panic!("{what}: timeseries.{key} array"));
        assert_eq!(
            col.len(),
            len,
            "{what}: timeseries.{key} length differs from timeseries.day"
        );
        for (k, x) in col.iter().enumerate() {
            finite(x, &format!("{what}: timeseries.{key}[{k}]"));
        }
    }
    let days: Vec<f64> = ts["day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_f64().unwrap())
        .collect();
    assert!(
        days.windows(2).all(|w| w[0] <= w[1]),
        "{what}: timeseries.day is not sorted"
    );
}

#[test]
fn every_example_runs_with_json_output_and_has_the_contract_keys() {
    for name in example_files() {
        let path = example(&name);
        let out = run_ok(&["simulate", path.to_str().unwrap(), "--format", "json"]);
        let v = json_of(&out, &name);
        check_single_json(&v, &name);
    }
}

// ------------------------------------------------------------------------------------------
// 3. Cohort JSON
// ------------------------------------------------------------------------------------------

fn check_stats(v: &Value, what: &str) {
    let mean = finite(&v["mean"], &format!("{what}.mean"));
    let p10 = finite(&v["p10"], &format!("{what}.p10"));
    let p50 = finite(&v["p50"], &format!("{what}.p50"));
    let p90 = finite(&v["p90"], &format!("{what}.p90"));
    assert!(
        p10 <= p50 && p50 <= p90,
        "{what}: percentiles out of order: p10 {p10}, p50 {p50}, p90 {p90}"
    );
    // The mean of values bounded by the sample can't lie outside [min, max]; with 10th/90th
    // percentiles that is not guaranteed, so only check it is finite (done above).
    let _ = mean;
}

#[test]
fn cohort_json_has_stats_and_responders() {
    for name in ["texture-cheek-pen.toml", "melasma-cheek-tranexamic.toml"] {
        let path = example(name);
        let out = run_ok(&["simulate", path.to_str().unwrap(), "--cohort", "50", "--format", "json"]);
        let v = json_of(&out, name);
        assert_eq!(v["cohort_size"].as_u64(), Some(50), "{name}: cohort_size");
        assert!(
            v["scenario"].as_str().is_some_and(|s| !s.is_empty()),
            "{name}: scenario"
        );
        assert!(v["seed"].as_u64().is_some(), "{name}: seed");
        assert_eq!(v["model"], "column", "{name}: model");
        let summary = &v["summary"];
        for key in SUMMARY_KEYS {
            check_stats(&summary[key], &format!("{name}: summary.{key}"));
        }
        let concerns = summary["concerns"].as_array().expect("summary.concerns array");
        assert!(!concerns.is_empty());
        for (i, c) in concerns.iter().enumerate() {
            let w = format!("{name}: summary.concerns[{i}]");
            assert!(c["kind"].as_str().is_some_and(|s| !s.is_empty()), "{w}.kind");
            assert!(c["subtype"].is_string(), "{w}.subtype");
            assert!(c["scale"].is_string(), "{w}.scale");
            finite(&c["before"], &format!("{w}.before"));
            check_stats(&c["after"], &format!("{w}.after"));
            check_stats(&c["improvement_pct"], &format!("{w}.improvement_pct"));
        }
        let r = &summary["responders"];
        for key in ["improved_one_grade_pct", "improved_over_50pct_pct", "pih_pct"] {
            let x = finite(&r[key], &format!("{name}: summary.responders.{key}"));
            assert!(
                (0.0..=100.0).contains(&x),
                "{name}: responders.{key} = {x} outside 0..=100"
            );
        }
        check_timeseries(&v, name);
    }
}

// ------------------------------------------------------------------------------------------
// 4. Determinism
// ------------------------------------------------------------------------------------------

#[test]
fn cohort_is_deterministic_across_thread_counts_and_depends_on_seed() {
    let path = quick_example();
    let p = path.to_str().unwrap();
    let cohort = |seed: &str, threads: &str| {
        cit()
            .args([
                "simulate",
                p,
                "--cohort",
                "64",
                "--seed",
                seed,
                "--threads",
                threads,
                "--format",
                "json",
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    let one = cohort("5", "1");
    let two = cohort("5", "2");
    assert!(!one.is_empty());
    assert!(
        one == two,
        "--threads 1 and --threads 2 give different output for the same seed"
    );
    let again = cohort("5", "2");
    assert!(two == again, "two runs with the same seed and threads differ");
    let other = cohort("6", "2");
    assert!(one != other, "--seed 5 and --seed 6 give identical cohorts");
    let v = json_of(std::str::from_utf8(&other).unwrap(), "seed 6");
    assert_eq!(
        v["seed"].as_u64(),
        Some(6),
        "--seed overrides the scenario's seed in the output"
    );
}

// ------------------------------------------------------------------------------------------
// 5. CSV
// ------------------------------------------------------------------------------------------

#[test]
fn csv_output_is_rectangular_and_numeric() {
    let path = quick_example();
    let out = run_ok(&["simulate", path.to_str().unwrap(), "--format", "csv"]);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().expect("a header line").split(',').collect();
    for col in ["day", "collagen_i", "collagen_iii"] {
        assert!(header.contains(&col), "CSV header lacks `{col}`: {header:?}");
    }
    assert_eq!(header[0], "day", "first CSV column is day");
    let mut rows = 0;
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(
            cells.len(),
            header.len(),
            "CSV row {} has {} columns, header {}",
            i + 2,
            cells.len(),
            header.len()
        );
        for (c, cell) in cells.iter().enumerate() {
            let x: f64 = cell
                .parse()
                .unwrap_or_else(|e| panic!("CSV row {} column {} ({cell:?}) is not a number: {e}", i + 2, header[c]));
            assert!(x.is_finite(), "CSV row {} column {} is not finite", i + 2, header[c]);
        }
        rows += 1;
    }
    assert!(rows > 1, "CSV has data rows");
}

// ------------------------------------------------------------------------------------------
// 6. --out DIR, and the resolved scenario round-trips
// ------------------------------------------------------------------------------------------

#[test]
fn out_dir_writes_all_files_and_resolved_scenario_round_trips() {
    let tmp = TempDir::new("out");
    for name in [
        "texture-cheek-pen.toml",
        "melasma-cheek-tranexamic.toml",
        "stretch-marks-rubra-abdomen-roller.toml",
    ] {
        let dir = tmp.path().join(name.trim_end_matches(".toml")).join("nested");
        let path = example(name);
        let original = run_ok(&[
            "simulate",
            path.to_str().unwrap(),
            "--format",
            "json",
            "--out",
            dir.to_str().unwrap(),
        ]);

        for file in [
            "summary.json",
            "timeseries.csv",
            "scenario.toml",
            "collagen.png",
            "side_effects.png",
            "depth_profile.png",
        ] {
            let f = dir.join(file);
            let meta = std::fs::metadata(&f).unwrap_or_else(|e| panic!("{name}: --out should write {file}: {e}"));
            assert!(meta.len() > 0, "{name}: {file} is empty");
            if file.ends_with(".png") {
                let bytes = std::fs::read(&f).unwrap();
                assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: {file} is not a PNG");
            }
        }
        // No temporary files left behind.
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "{name}: temporary files left in --out: {leftovers:?}"
        );

        let summary = std::fs::read_to_string(dir.join("summary.json")).unwrap();
        assert_eq!(
            json_of(&summary, "summary.json"),
            json_of(&original, name),
            "{name}: summary.json differs from stdout"
        );
        let csv = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
        assert!(csv.starts_with("day,"), "{name}: timeseries.csv header");

        let resolved = dir.join("scenario.toml");
        let rerun = run_ok(&["simulate", resolved.to_str().unwrap(), "--format", "json"]);
        assert_eq!(
            rerun, original,
            "{name}: the written scenario.toml does not reproduce the run"
        );
    }
}

// ------------------------------------------------------------------------------------------
// 7. Bad input: exit 2, helpful message, no panic
// ------------------------------------------------------------------------------------------

#[test]
fn missing_scenario_file_exits_2() {
    let tmp = TempDir::new("missing");
    let missing = tmp.path().join("does-not-exist.toml");
    let err = assert_bad_input(&["simulate", missing.to_str().unwrap()]);
    assert!(
        err.contains("does-not-exist.toml"),
        "message should name the file:\n{err}"
    );
}

#[test]
fn unknown_key_exits_2_and_names_it() {
    let tmp = TempDir::new("unknown-key");
    let f = write_file(
        tmp.path(),
        "bogus.toml",
        &quick_example_with("seed = 9\n", "seed = 9\nbogus_key = 1\n"),
    );
    let err = assert_bad_input(&["simulate", &f]);
    assert!(err.contains("bogus_key"), "message should name the unknown key:\n{err}");
    assert!(err.contains("allowed"), "message should say what is allowed:\n{err}");
}

#[test]
fn unknown_region_exits_2_and_names_region() {
    let tmp = TempDir::new("unknown-region");
    let f = write_file(
        tmp.path(),
        "region.toml",
        &quick_example_with("region = \"cheek\"", "region = \"elbowpit\""),
    );
    let err = assert_bad_input(&["simulate", &f]);
    assert!(err.contains("region"), "message should name `region`:\n{err}");
    assert!(err.contains("elbowpit"), "message should repeat the bad value:\n{err}");
    assert!(err.contains("cheek"), "message should list the allowed regions:\n{err}");
}

#[test]
fn patch_model_runs_a_tiny_patch_and_writes_paraview_files() {
    let tmp = TempDir::new("patch");
    let text = quick_example_with(
        "[protocol]",
        "[patch]\nsize_mm = 0.4\nresolution_um = 50\noutput_days = [1]\nnpy = true\n\n[protocol]",
    )
    .replace("follow_up_days = 60", "follow_up_days = 3");
    let f = write_file(tmp.path(), "patch.toml", &text);
    let out_dir = tmp.path().join("out");
    let out = run(&[
        "simulate",
        &f,
        "--model",
        "patch",
        "--format",
        "json",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.code, Some(0), "stderr:\n{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(json["model"], "patch");
    for name in [
        "patch.pvd",
        "patch_day1.vti",
        "patch_day1_collagen.npy",
        "patch_day1_section.png",
        "punctures_session1.png",
    ] {
        assert!(out_dir.join(name).is_file(), "{name} not written");
    }
}

#[test]
fn patch_model_refuses_a_cohort_and_a_lesion_too_big_for_the_patch() {
    let path = quick_example();
    let err = assert_bad_input(&["simulate", path.to_str().unwrap(), "--model", "patch", "--cohort", "3"]);
    assert!(err.contains("--cohort"), "message should name --cohort:\n{err}");
    let tmp = TempDir::new("patch-small");
    let text = quick_example_with("kind = \"texture\"", "kind = \"acne-scar\"\nsubtype = \"rolling\"")
        .replace("[protocol]", "[patch]\nsize_mm = 1\n\n[protocol]");
    let f = write_file(tmp.path(), "small.toml", &text);
    let err = assert_bad_input(&["simulate", &f, "--model", "patch"]);
    assert!(
        err.contains("patch.size_mm"),
        "message should name patch.size_mm:\n{err}"
    );
}

#[test]
fn zero_cohort_exits_2() {
    let path = quick_example();
    let err = assert_bad_input(&["simulate", path.to_str().unwrap(), "--cohort", "0"]);
    assert!(err.contains("--cohort"), "message should name --cohort:\n{err}");
}

#[test]
fn zero_threads_exits_2() {
    let path = quick_example();
    let err = assert_bad_input(&["simulate", path.to_str().unwrap(), "--cohort", "4", "--threads", "0"]);
    assert!(err.contains("--threads"), "message should name --threads:\n{err}");
}

#[test]
fn unknown_subcommand_exits_2() {
    let err = assert_bad_input(&["frobnicate"]);
    assert!(err.contains("frobnicate"), "message should name the subcommand:\n{err}");
}

#[test]
fn bad_flag_values_exit_2() {
    let path = quick_example();
    let p = path.to_str().unwrap();
    assert_bad_input(&["simulate", p, "--format", "xml"]);
    assert_bad_input(&["simulate", p, "--cohort", "many"]);
    assert_bad_input(&["simulate", p, "--seed", "-1"]);
    assert_bad_input(&["simulate"]);
    // A negative number is read as a value, so the message names the flag, not "unexpected
    // argument".
    let err = assert_bad_input(&["simulate", p, "--cohort", "-3"]);
    assert!(err.contains("--cohort") && err.contains("-3"), "{err}");
}

#[test]
fn an_out_dir_that_cannot_be_created_fails_before_the_simulation() {
    let file = std::env::temp_dir().join(format!("cit-out-blocker-{}", std::process::id()));
    std::fs::write(&file, "a file, not a directory").unwrap();
    let dir = file.join("results");
    let path = quick_example();
    for extra in [&[][..], &["--cohort", "3"][..]] {
        let mut args = vec!["simulate", path.to_str().unwrap(), "--out", dir.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert_eq!(out.code, Some(2), "{}", out.stderr);
        assert!(out.stderr.contains("--out"), "{}", out.stderr);
        assert!(
            out.stdout.is_empty(),
            "nothing is simulated or printed first:\n{}",
            out.stdout
        );
    }
    let _ = std::fs::remove_file(&file);
}

// ------------------------------------------------------------------------------------------
// 8. Snapshots: help texts and error messages
// ------------------------------------------------------------------------------------------

/// Help text as a user sees it in a 100-column terminal. Help wraps to the terminal's width
/// (clap's `wrap_help`); without a terminal, as here, clap reads COLUMNS, which is pinned so the
/// snapshot does not depend on the environment the tests run in.
fn help_at_100_columns(args: &[&str]) -> String {
    let out = cit().args(args).env("COLUMNS", "100").output().expect("run cit");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

#[test]
fn snapshot_help() {
    insta::assert_snapshot!("help", help_at_100_columns(&["--help"]));
}

#[test]
fn snapshot_simulate_help() {
    insta::assert_snapshot!("simulate_help", help_at_100_columns(&["simulate", "--help"]));
}

#[test]
fn snapshot_unknown_region_error() {
    let tmp = TempDir::new("snap-region");
    let f = write_file(
        tmp.path(),
        "region.toml",
        &quick_example_with("region = \"cheek\"", "region = \"elbowpit\""),
    );
    let err = assert_bad_input(&["simulate", &f]);
    insta::assert_snapshot!("unknown_region_error", redact(&err, tmp.path()));
}

#[test]
fn snapshot_unknown_key_error() {
    let tmp = TempDir::new("snap-key");
    let f = write_file(
        tmp.path(),
        "bogus.toml",
        &quick_example_with("seed = 9\n", "seed = 9\nbogus_key = 1\n"),
    );
    let err = assert_bad_input(&["simulate", &f]);
    insta::assert_snapshot!("unknown_key_error", redact(&err, tmp.path()));
}

// ------------------------------------------------------------------------------------------
// 9. `cit parameters`
// ------------------------------------------------------------------------------------------

fn parameters_toml() -> String {
    std::fs::read_to_string(repo_root().join("data/parameters.toml")).expect("read data/parameters.toml")
}

#[test]
fn parameters_markdown_has_one_row_per_parameter() {
    let expected = parameters_toml().lines().filter(|l| l.starts_with('[')).count();
    assert!(expected > 0);
    let out = run_ok(&["parameters"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 2, "a header and a separator row:\n{out}");
    assert!(lines[0].starts_with("| parameter |"), "header row: {}", lines[0]);
    let columns = lines[0].matches('|').count();
    assert!(lines[1].starts_with("|---"), "separator row: {}", lines[1]);
    let rows = &lines[2..];
    assert_eq!(
        rows.len(),
        expected,
        "one table row per [section.name] in data/parameters.toml"
    );
    for row in rows {
        assert!(row.starts_with("| `") && row.ends_with(" |"), "table row: {row}");
        assert_eq!(
            row.matches('|').count(),
            columns,
            "row has the header's column count: {row}"
        );
    }
    // Every parameter name of the file appears in the table.
    for name in parameters_toml()
        .lines()
        .filter_map(|l| l.strip_prefix('[').and_then(|l| l.strip_suffix(']')))
    {
        assert!(
            out.contains(&format!("| `{name}` |")),
            "parameter {name} missing from the table"
        );
    }
}

#[test]
fn parameters_toml_prints_the_file_verbatim() {
    assert_eq!(run_ok(&["parameters", "--format", "toml"]), parameters_toml());
}
