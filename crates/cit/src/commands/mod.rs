pub mod calibrate;
pub mod evidence;
pub mod examples;
pub mod parameters;
pub mod plan;
pub mod sensitivity;
pub mod simulate;
pub mod validate;
