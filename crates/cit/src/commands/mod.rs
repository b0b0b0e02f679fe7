pub mod examples;
pub mod parameters;
pub mod patch;
pub mod simulate;
