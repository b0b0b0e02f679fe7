pub mod examples;
pub mod parameters;
pub mod simulate;
