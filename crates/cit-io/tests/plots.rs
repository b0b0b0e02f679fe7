//! The PNG charts of `cit_io::plot::write_plots` on real simulation results.
//!
//! Set `CIT_KEEP_PLOTS=1` to keep the written images (their directory is printed).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use cit_core::device::Device;
use cit_core::params::Params;
use cit_core::scenario::{AcneScarType, Concern, ConcernKind, Patient, Protocol, Scenario};
use cit_core::simulate::{simulate, Options, SimulationResult};
use cit_core::skin::{Region, Sex};
use cit_io::plot::write_plots;

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

fn scenario(sessions: u32) -> Scenario {
    Scenario {
        name: "plot-test".to_string(),
        seed: 1,
        patch: None,
        patient: Patient {
            age_years: 40.0,
            sex: Sex::Female,
            skin_type: 3,
            photoaging: 2,
        },
        region: Region::Cheek,
        concerns: vec![Concern {
            kind: ConcernKind::AcneScar(AcneScarType::Rolling),
            severity: 3.0,
        }],
        device: Device::typical("pen", 1.0, 3).unwrap(),
        protocol: Protocol {
            sessions,
            interval_days: 28.0,
            follow_up_days: 30.0,
            adjunct: None,
        },
    }
}

fn run(sessions: u32, record: bool) -> SimulationResult {
    simulate(
        &scenario(sessions),
        &Params::shipped(),
        Options {
            record,
            ..Options::default()
        },
    )
}

/// A fresh directory under the system temp dir, removed on drop unless `CIT_KEEP_PLOTS` is set.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!("cit-plots-{tag}-{}-{nanos}-{n}", std::process::id()));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("CIT_KEEP_PLOTS").is_some() {
            eprintln!("plots kept in {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn names(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn check_png(path: &Path, min_bytes: usize) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.starts_with(&PNG_SIGNATURE), "{} is not a PNG", path.display());
    assert!(
        bytes.len() > min_bytes,
        "{} has only {} bytes",
        path.display(),
        bytes.len()
    );
}

#[test]
fn writes_three_charts() {
    let result = run(2, true);
    let dir = TempDir::new("full");
    let paths = write_plots(&result, "Rolling acne scars, cheek", &dir.0).unwrap();
    assert_eq!(names(&paths), ["collagen.png", "side_effects.png", "depth_profile.png"]);
    for p in &paths {
        assert!(p.starts_with(&dir.0));
        check_png(p, 5_000);
    }
}

#[test]
fn without_time_series_writes_only_depth_profile() {
    let result = run(2, false);
    assert!(result.timeseries.samples.is_empty());
    let dir = TempDir::new("norecord");
    let paths = write_plots(&result, "no time series", &dir.0).unwrap();
    assert_eq!(names(&paths), ["depth_profile.png"]);
    check_png(&paths[0], 5_000);
}

#[test]
fn single_session() {
    let result = run(1, true);
    let dir = TempDir::new("single");
    let paths = write_plots(&result, "one session", &dir.0).unwrap();
    assert_eq!(paths.len(), 3);
    for p in &paths {
        check_png(p, 5_000);
    }
}

#[test]
fn constant_and_degenerate_data_do_not_panic() {
    let mut result = run(1, true);
    for s in &mut result.timeseries.samples {
        s.collagen_i = 1.0;
        s.collagen_iii = 1.0;
        s.elastin_functional = 1.0;
        s.elastotic = 0.0;
        s.redness = 0.0;
        s.dryness = 0.0;
    }
    result.timeseries.samples.truncate(1);
    let n = result.depth_profile.depth_um.len();
    result.depth_profile.collagen_before = vec![0.8; n];
    result.depth_profile.collagen_after = vec![0.8; n];
    result.sessions.clear();
    let dir = TempDir::new("constant");
    let paths = write_plots(&result, "", &dir.0).unwrap();
    assert_eq!(paths.len(), 3);
    for p in &paths {
        check_png(p, 1_000);
    }

    // Nothing to plot at all: nothing written, no error.
    result.timeseries.samples.clear();
    result.depth_profile.depth_um.clear();
    result.depth_profile.collagen_before.clear();
    result.depth_profile.collagen_after.clear();
    let paths = write_plots(&result, "empty", &dir.0.join("empty")).unwrap();
    assert!(paths.is_empty());
}

#[test]
fn unwritable_directory_is_an_error() {
    let dir = TempDir::new("blocked");
    std::fs::create_dir_all(&dir.0).unwrap();
    let file = dir.0.join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let err = write_plots(&run(1, false), "x", &file.join("sub")).unwrap_err();
    assert!(err.to_string().contains("not-a-dir"), "{err}");
}
