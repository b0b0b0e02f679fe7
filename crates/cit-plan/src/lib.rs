//! # cit-plan: the treatment planner of cit
//!
//! For one person, one site and one or more concerns, how many sessions, at what needle depth and
//! interval, and what result and downtime to expect, with ranges. Pure library: no files, no
//! terminal (the `cit plan` command and the patient-file reader live in `cit` and `cit-io`).
//!
//! - [`profile`]: the person, site, concerns, goal, constraints and contraindication answers;
//! - [`safety`]: contraindication and caution rules with actions and citations
//!   (`data/safety.toml`), and the safe needle-depth range by site, concern and skin type;
//! - [`goal`]: when a virtual patient has reached `noticeable`, `optimal` or a target grade;
//! - [`search`]: the simulation-driven search (virtual cohort, candidate settings, screening,
//!   then the full cohort on the best setting);
//! - [`plan`]: puts them together into a [`plan::Plan`];
//! - [`settings`]: the planner's definitions and budgets (`data/planner.toml`);
//! - [`calendar`]: dates for the schedule.
//!
//! ```no_run
//! use cit_core::params::ParameterSet;
//! use cit_plan::{plan::Planner, safety::SafetyRules, settings::PlannerSettings};
//! # fn profile() -> cit_plan::profile::PatientProfile { unimplemented!() }
//! let (set, settings, rules) = (ParameterSet::shipped(), PlannerSettings::shipped(), SafetyRules::shipped());
//! let plan = Planner { set: &set, settings: &settings, rules: &rules }.plan(&profile());
//! ```
//!
//! The method, the goal definitions and the safety table with its citations are in
//! `docs/planner.md`.

pub mod calendar;
pub mod goal;
pub mod plan;
pub mod profile;
pub mod safety;
pub mod search;
pub mod settings;
