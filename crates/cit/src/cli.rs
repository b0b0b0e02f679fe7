//! Command-line surface (the contract of `product.md`). Raw arguments only: checking and
//! turning them into settings happens in the commands.

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
    /// List the bundled example scenarios.
    Examples,
    /// Print the parameter set (unit, value, source, calibrated).
    Parameters {
        #[arg(long, value_enum, default_value_t = ParamFormat::Markdown)]
        format: ParamFormat,
    },
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
    #[arg(long, value_name = "N")]
    pub cohort: Option<usize>,
    /// Seed of the virtual cohort (overrides the scenario's `seed`).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Fidelity: the depth-resolved column model, or the 3-D patch model (layout in the
    /// scenario's [patch] section; fields, images and a ParaView collection go to --out).
    #[arg(long, value_enum, default_value_t = Model::Column)]
    pub model: Model,
    /// Worker threads for cohorts (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
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
