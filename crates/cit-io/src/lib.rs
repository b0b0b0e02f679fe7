//! # cit-io: files and formats of cit
//!
//! - [`scenario_file`]: reads scenario TOML files into validated [`cit_core::scenario::Scenario`]s,
//!   with errors that name the file, the key path, the value given and what is allowed;
//! - [`report`]: text, JSON and CSV renderings of results;
//! - [`plot`]: PNG charts of a result.

pub mod plot;
pub mod report;
pub mod scenario_file;
pub mod sensitivity_plot;
