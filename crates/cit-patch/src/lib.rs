//! # cit-patch: the 3-D patch model of cit
//!
//! A block of one person's skin a few millimetres across at micrometre resolution, through the
//! whole dermis under an epidermis sheet: real puncture positions from the device geometry
//! ([`punctures`]), diffusion of the growth signal, inflammation and fibroblasts between the
//! punctures ([`diffusion`]), lesion geometry ([`geometry`]), and the same local reaction
//! kinetics as the column model ([`cit_core::kinetics`], called per depth column of voxels).
//! Pure simulation: no file I/O (`cit-io` writes the fields; see `docs/patch.md`).
//!
//! - [`grid`]: the voxel grid and field layout;
//! - [`patch`]: the state of a patch and its stepper;
//! - [`run`]: one scenario end to end, summarised in the column model's terms.

// Index loops over voxels and state variables read like the equations they implement.
#![allow(clippy::needless_range_loop)]

pub mod diffusion;
pub mod frame;
pub mod geometry;
pub mod grid;
pub mod patch;
pub mod punctures;
pub mod run;

pub use patch::{Patch, Region};
pub use run::{simulate_patch, Observer, PatchOptions, PatchResult, Quiet};
