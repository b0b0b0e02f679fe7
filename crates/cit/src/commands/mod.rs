pub mod examples;
pub mod parameters;
pub mod plan;
pub mod simulate;
