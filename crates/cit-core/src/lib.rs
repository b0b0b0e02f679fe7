//! # cit-core: the simulation core of cit
//!
//! Pure library (no file, terminal or network I/O) that simulates micro-needling (collagen
//! induction therapy) on human skin.
//!
//! - [`skin`]: site anatomy; [`ageing`]: collagen/elastin turnover over a lifetime;
//! - [`device`]: rollers, pens, stamps and the puncture field they leave;
//! - [`kinetics`]: the local healing reactions (one implementation for every fidelity);
//! - [`column`]: the depth-resolved column model and its adaptive stepper;
//! - [`lesion`] and [`outcome`]: concerns as local tissue defects and their clinical scales;
//! - [`course`]: a course as a stepwise state (session by session, gradable at any instant);
//! - [`simulate`]: one scenario end to end; [`cohort`]: virtual patients in parallel;
//! - [`params`]: the one documented parameter set.

// Index loops over layers and state variables read like the equations they implement.
#![allow(clippy::needless_range_loop)]

pub mod ageing;
pub mod cohort;
pub mod column;
pub mod course;
pub mod device;
pub mod kinetics;
pub mod lesion;
pub mod outcome;
pub mod params;
pub mod scenario;
pub mod simulate;
pub mod skin;
