//! The bundled example scenarios, embedded so `cit examples` works from any directory.

pub struct Example {
    pub file: &'static str,
    pub text: &'static str,
}

macro_rules! examples {
    ($($file:literal),* $(,)?) => {
        pub const EXAMPLES: &[Example] = &[ $( Example { file: $file, text: include_str!(concat!("../../../examples/", $file)) }, )* ];
    };
}

examples! {
    "acne-boxcar-chin-stamp.toml",
    "acne-icepick-cheek-pen.toml",
    "acne-rolling-cheek-roller.toml",
    "body-wrinkles-upper-arm-pen.toml",
    "crows-feet-periorbital-pen.toml",
    "fade-two-years-cheek.toml",
    "forehead-wrinkles-pen.toml",
    "hypertrophic-scar-back-roller.toml",
    "laxity-neck-pen.toml",
    "melasma-cheek-tranexamic.toml",
    "patch-icepick-cheek-pen.toml",
    "stretch-marks-alba-thigh-pen.toml",
    "stretch-marks-rubra-abdomen-roller.toml",
    "texture-cheek-pen.toml",
}
