//! Command-line surface (the contract of `product.md`). Raw arguments only: checking and
//! turning them into settings happens in the commands. Numeric flags accept a leading minus
//! (`allow_negative_numbers`), so `--age -5` reaches the checks and gets their message (key,
//! value, allowed range) instead of clap's "unexpected argument".

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "cit",
    version,
    about = "Simulate micro-needling (collagen induction therapy) on human skin"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a course of treatment described by a scenario file.
    Simulate(SimulateArgs),
    /// Plan a course for a person: sessions, needle length, interval, expected result, safety.
    Plan(Box<PlanArgs>),
    /// List the bundled example scenarios.
    Examples,
    /// Print the parameter set (unit, value, source, calibrated).
    Parameters {
        #[arg(long, value_enum, default_value_t = ParamFormat::Markdown)]
        format: ParamFormat,
    },
    /// Run every published evidence target: predicted vs measured, pass or miss.
    Validate(ValidateArgs),
    /// Fit the calibrated parameters to all evidence targets at once.
    Calibrate(CalibrateArgs),
    /// Global sensitivity (Morris elementary effects) of the outcomes to the uncertain parameters.
    Sensitivity(SensitivityArgs),
}

/// Where the evidence and the parameters come from (shared by validate, calibrate, sensitivity).
#[derive(Debug, clap::Args)]
pub struct EvidenceArgs {
    /// Directory of evidence files (default: the evidence shipped with cit); docs/evidence.md
    /// describes the format.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Parameter file (default: the shipped parameters).
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub threads: Option<usize>,
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// Directory of evidence files to fit (same as --data).
    #[arg(value_name = "DATA", conflicts_with = "data")]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    /// Where to write the fitted parameter file.
    #[arg(long, value_name = "PARAMS.toml", default_value = "calibrated-parameters.toml")]
    pub out: PathBuf,
    /// Where to write the fit report (Markdown; default: next to --out, `.report.md`).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Seed of the optimiser's start.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub seed: u64,
    /// Largest number of objective evaluations of each search (one per start).
    #[arg(long, value_name = "N", default_value_t = 1500, allow_negative_numbers = true)]
    pub max_evaluations: usize,
    /// Virtual patients per cohort target during the fit (common to all evaluations).
    #[arg(long, value_name = "N", default_value_t = 80, allow_negative_numbers = true)]
    pub cohort: usize,
    /// Where the searches start besides the priors (default: the shipped
    /// data/calibration-starts.toml; docs/calibration.md). Each start gets the whole budget.
    #[arg(long, value_name = "FILE")]
    pub starts: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// Parameter file (default: the shipped parameters).
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Morris trajectories (each costs one run per parameter plus one).
    #[arg(long, value_name = "R", default_value_t = 12, allow_negative_numbers = true)]
    pub trajectories: usize,
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub seed: u64,
    /// Also write the chart `sensitivity.png` and `sensitivity.json` here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Scenario file (TOML), see `cit examples`.
    pub scenario: PathBuf,
    /// Also write summary.json, timeseries.csv, the resolved scenario and PNG plots here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Simulate N virtual patients drawn around the scenario's person.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub cohort: Option<usize>,
    /// Seed of the virtual cohort (overrides the scenario's `seed`).
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Fidelity: the depth-resolved column model, or the 3-D patch model (layout in the
    /// scenario's [patch] section; fields, images and a ParaView collection go to --out).
    #[arg(long, value_enum, default_value_t = Model::Column)]
    pub model: Model,
    /// Worker threads for cohorts (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Parameter file, e.g. one written by `cit calibrate` (default: the shipped parameters).
    #[arg(long, value_name = "FILE")]
    pub params: Option<std::path::PathBuf>,
}

/// `cit plan`: a patient file, or the same as flags.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Patient file (TOML), see examples/patients/ and docs/planner.md.
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "age", "sex", "skin_type", "photoaging", "site", "concern", "subtype", "severity", "goal",
        "target_grade", "max_sessions", "max_downtime_days", "device", "start_date", "yes"])]
    pub patient: Option<PathBuf>,
    /// Age, years.
    #[arg(long, allow_negative_numbers = true)]
    pub age: Option<f64>,
    /// female | male
    #[arg(long)]
    pub sex: Option<String>,
    /// Fitzpatrick skin type 1..6.
    #[arg(long, allow_negative_numbers = true)]
    pub skin_type: Option<i64>,
    /// Glogau photoageing grade 1..4 (default 1).
    #[arg(long, allow_negative_numbers = true)]
    pub photoaging: Option<i64>,
    /// Body region (forehead, periorbital, cheek, ..., see `cit plan --help`).
    #[arg(long)]
    pub site: Option<String>,
    /// Concern kind: fine-lines, wrinkles, acne-scar, keloid, stretch-marks, hyperpigmentation, texture, laxity.
    #[arg(long)]
    pub concern: Option<String>,
    /// Concern subtype (acne-scar: icepick|boxcar|rolling; stretch-marks: rubra|alba; ...).
    #[arg(long)]
    pub subtype: Option<String>,
    /// Severity on the concern's clinical scale.
    #[arg(long, allow_negative_numbers = true)]
    pub severity: Option<f64>,
    /// noticeable | optimal | target (with --target-grade); default noticeable.
    #[arg(long)]
    pub goal: Option<String>,
    /// Grade to reach on the concern's scale (with --goal target).
    #[arg(long, allow_negative_numbers = true)]
    pub target_grade: Option<f64>,
    /// Most sessions acceptable (1..10).
    #[arg(long, allow_negative_numbers = true)]
    pub max_sessions: Option<i64>,
    /// Longest acceptable redness or dryness after a session, days.
    #[arg(long, allow_negative_numbers = true)]
    pub max_downtime_days: Option<f64>,
    /// roller | pen | stamp (default: pen).
    #[arg(long)]
    pub device: Option<String>,
    /// Date of the first session, YYYY-MM-DD (the schedule is dated from it).
    #[arg(long)]
    pub start_date: Option<String>,
    /// A contraindication answered "yes" (repeatable), e.g. --yes hsv_history.
    #[arg(long, value_name = "QUESTION")]
    pub yes: Vec<String>,
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Also write plan.json and trajectory.png (predicted grade with its 10-90 % band) here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Virtual patients (default 1000 from data/planner.toml).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub cohort: Option<usize>,
    /// Seed of the virtual cohort.
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Parameter file, e.g. one written by `cit calibrate` for a clinic's own patients (default:
    /// the shipped parameters).
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub threads: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Model {
    /// Depth-resolved column of the site, the puncture field averaged over the surface.
    Column,
    /// 3-D voxel block of skin with real puncture positions and diffusion between them.
    Patch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParamFormat {
    Markdown,
    Toml,
}
