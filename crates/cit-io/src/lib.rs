//! # cit-io: files and formats of cit
//!
//! - [`scenario_file`]: reads scenario TOML files into validated [`cit_core::scenario::Scenario`]s,
//!   with errors that name the file, the key path, the value given and what is allowed;
//! - [`patient_file`]: reads patient files (or flags) into validated planner profiles;
//! - [`plan_report`] and [`plan_plot`]: the plan as text, JSON and a PNG trajectory;
//! - [`report`]: text, JSON and CSV renderings of results;
//! - [`plot`]: PNG charts of a result;
//! - [`vtk`]: 3-D fields as VTK ImageData (`.vti`), ParaView collections (`.pvd`) and NumPy `.npy`;
//! - [`patch_plot`]: PNG heat maps and puncture maps of the patch model's fields.

pub mod patch_plot;
pub mod patient_file;
pub mod plan_plot;
pub mod plan_report;
pub mod plot;
pub mod report;
pub mod scenario_file;
pub mod sensitivity_plot;
pub mod vtk;
