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
//! - [`simulate`]: one scenario end to end; [`cohort`]: virtual patients in parallel;
//! - [`params`]: the one documented parameter set.

pub mod ageing;
pub mod column;
pub mod device;
pub mod kinetics;
pub mod lesion;
pub mod params;
pub mod scenario;
pub mod skin;
pub mod outcome;
pub mod simulate;
pub mod cohort;
