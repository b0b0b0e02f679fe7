//! The one documented parameter set.
//!
//! `data/parameters.toml` holds every parameter with its unit, value, source and whether it is
//! calibrated. It is embedded in the binary; [`ParameterSet`] keeps the documentation, and
//! [`Params`] is the typed view the model reads (one `f64` field per parameter, so a typo is a
//! compile error and the hot loops never look up strings).

use serde::Deserialize;
use std::collections::BTreeMap;

/// The parameter file shipped with cit.
pub const DEFAULT_PARAMETERS_TOML: &str = include_str!("../../../data/parameters.toml");

/// One documented parameter.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub value: f64,
    pub unit: String,
    pub source: String,
    pub calibrated: bool,
    #[serde(default)]
    pub bounds: Option<[f64; 2]>,
    /// Between-person spread (standard deviation of the log) for virtual cohorts.
    #[serde(default)]
    pub sd_log: Option<f64>,
    /// For calibrated parameters: the starting value of the fit (a judgement from the
    /// literature). `cit calibrate` always starts here, so a re-run with the recorded seed
    /// reproduces `value`.
    #[serde(default)]
    pub prior: Option<f64>,
}

/// All parameters by dotted name (`section.name`), with their documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterSet {
    pub entries: BTreeMap<String, Parameter>,
}

/// What can be wrong with a parameter file.
#[derive(Debug, thiserror::Error)]
pub enum ParamError {
    #[error("parameter file is not valid TOML: {0}")]
    Syntax(String),
    #[error("parameter `{name}` is missing")]
    Missing { name: String },
    #[error("parameter `{name}` is unknown to this version of cit")]
    Unknown { name: String },
    #[error("parameter `{name}` = {value} is outside its bounds [{lo}, {hi}]")]
    OutOfBounds { name: String, value: f64, lo: f64, hi: f64 },
    #[error("parameter `{name}` = {value} is not a finite number")]
    NotFinite { name: String, value: f64 },
    #[error(
        "calibrated parameter `{name}` needs `bounds` and a `prior` inside them (the fit's range and starting point)"
    )]
    CalibrationRange { name: String },
}

impl ParameterSet {
    /// Parses a parameter file (the shipped one or one written by `cit calibrate`).
    pub fn from_toml(text: &str) -> Result<Self, ParamError> {
        let raw: BTreeMap<String, BTreeMap<String, Parameter>> =
            toml::from_str(text).map_err(|e| ParamError::Syntax(e.to_string()))?;
        let mut entries = BTreeMap::new();
        for (section, params) in raw {
            for (name, p) in params {
                entries.insert(format!("{section}.{name}"), p);
            }
        }
        let set = ParameterSet { entries };
        set.check()?;
        Ok(set)
    }

    /// The shipped parameter set.
    pub fn shipped() -> Self {
        Self::from_toml(DEFAULT_PARAMETERS_TOML).expect("the shipped parameter file is valid (tested)")
    }

    fn check(&self) -> Result<(), ParamError> {
        for name in Params::NAMES {
            if !self.entries.contains_key(*name) {
                return Err(ParamError::Missing { name: name.to_string() });
            }
        }
        for (name, p) in &self.entries {
            if !Params::NAMES.contains(&name.as_str()) {
                return Err(ParamError::Unknown { name: name.clone() });
            }
            if !p.value.is_finite() {
                return Err(ParamError::NotFinite {
                    name: name.clone(),
                    value: p.value,
                });
            }
            if p.calibrated {
                let prior_inside =
                    matches!((p.prior, p.bounds), (Some(x), Some([lo, hi])) if lo < hi && (lo..=hi).contains(&x));
                if !prior_inside {
                    return Err(ParamError::CalibrationRange { name: name.clone() });
                }
            }
            if let Some([lo, hi]) = p.bounds {
                if p.value < lo || p.value > hi {
                    return Err(ParamError::OutOfBounds {
                        name: name.clone(),
                        value: p.value,
                        lo,
                        hi,
                    });
                }
            }
        }
        Ok(())
    }

    pub fn value(&self, name: &str) -> Option<f64> {
        self.entries.get(name).map(|p| p.value)
    }

    /// The typed values the model reads.
    pub fn params(&self) -> Params {
        Params::from_set(self)
    }
}

macro_rules! parameters {
    ($( $field:ident = $name:literal ),* $(,)?) => {
        /// Typed parameter values; field `section_name` holds parameter `section.name`.
        /// See `data/parameters.toml` for units and sources.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Params { $( pub $field: f64, )* }

        impl Params {
            /// Dotted names of all parameters, in declaration order.
            pub const NAMES: &'static [&'static str] = &[ $( $name, )* ];

            fn from_set(set: &ParameterSet) -> Params {
                // `ParameterSet::check` has made sure every name is present.
                Params { $( $field: set.entries[$name].value, )* }
            }

            /// Mutable access by dotted name (used by cohorts, calibration and sensitivity).
            pub fn get_mut(&mut self, name: &str) -> Option<&mut f64> {
                match name {
                    $( $name => Some(&mut self.$field), )*
                    _ => None,
                }
            }

            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $( $name => Some(self.$field), )*
                    _ => None,
                }
            }
        }
    };
}

parameters! {
    anatomy_male_dermis_factor = "anatomy.male_dermis_factor",
    anatomy_male_epidermis_factor = "anatomy.male_epidermis_factor",
    anatomy_epidermis_loss_per_decade_female = "anatomy.epidermis_loss_per_decade_female",
    anatomy_epidermis_loss_per_decade_male = "anatomy.epidermis_loss_per_decade_male",
    anatomy_matrix_thickness_share = "anatomy.matrix_thickness_share",
    anatomy_layers = "anatomy.layers",
    ageing_collagen_half_life_years = "ageing.collagen_half_life_years",
    ageing_synthesis_decline_per_year = "ageing.synthesis_decline_per_year",
    ageing_photo_degradation_per_grade = "ageing.photo_degradation_per_grade",
    ageing_elastin_half_life_years = "ageing.elastin_half_life_years",
    ageing_elastosis_per_grade_per_year = "ageing.elastosis_per_grade_per_year",
    ageing_elastotic_half_life_years = "ageing.elastotic_half_life_years",
    ageing_fat_loss_per_decade = "ageing.fat_loss_per_decade",
    ageing_homeostatic_excess_half_life_days = "ageing.homeostatic_excess_half_life_days",
    ageing_collagen_iii_share = "ageing.collagen_iii_share",
    device_roller_efficiency = "device.roller_efficiency",
    device_pen_efficiency = "device.pen_efficiency",
    device_stamp_efficiency = "device.stamp_efficiency",
    device_roller_directions = "device.roller_directions",
    device_needle_tip_length_um = "device.needle_tip_length_um",
    device_damage_halo_um = "device.damage_halo_um",
    device_matrix_destroyed_fraction = "device.matrix_destroyed_fraction",
    device_barrier_disruption_per_area = "device.barrier_disruption_per_area",
    inflammation_debris_clearance_per_day = "inflammation.debris_clearance_per_day",
    inflammation_debris_clearance_by_inflammation = "inflammation.debris_clearance_by_inflammation",
    inflammation_induction_per_day = "inflammation.induction_per_day",
    inflammation_amplification = "inflammation.amplification",
    inflammation_resolution_per_day = "inflammation.resolution_per_day",
    inflammation_redness_visibility_depth_um = "inflammation.redness_visibility_depth_um",
    inflammation_redness_threshold = "inflammation.redness_threshold",
    inflammation_diffusivity_um2_per_day = "inflammation.diffusivity_um2_per_day",
    signal_diffusivity_um2_per_day = "signal.diffusivity_um2_per_day",
    signal_decay_per_day = "signal.decay_per_day",
    signal_production_by_inflammation = "signal.production_by_inflammation",
    signal_autocrine_production = "signal.autocrine_production",
    signal_half_saturation = "signal.half_saturation",
    fibroblast_proliferation_per_day = "fibroblast.proliferation_per_day",
    fibroblast_carrying_capacity = "fibroblast.carrying_capacity",
    fibroblast_return_to_rest_per_day = "fibroblast.return_to_rest_per_day",
    fibroblast_proliferation_decline_per_year = "fibroblast.proliferation_decline_per_year",
    fibroblast_responsiveness = "fibroblast.responsiveness",
    fibroblast_body_site_response = "fibroblast.body_site_response",
    fibroblast_motility_um2_per_day = "fibroblast.motility_um2_per_day",
    collagen_wound_synthesis_per_day = "collagen.wound_synthesis_per_day",
    collagen_maturation_per_day = "collagen.maturation_per_day",
    collagen_immature_degradation_per_day = "collagen.immature_degradation_per_day",
    collagen_immature_degradation_by_inflammation = "collagen.immature_degradation_by_inflammation",
    collagen_deficit_feedback = "collagen.deficit_feedback",
    collagen_groove_set_point_half_life_days = "collagen.groove_set_point_half_life_days",
    collagen_turnover_multiplier = "collagen.turnover_multiplier",
    elastin_wound_synthesis_per_day = "elastin.wound_synthesis_per_day",
    elastin_elastotic_clearance_by_inflammation = "elastin.elastotic_clearance_by_inflammation",
    elastin_excess_half_life_days = "elastin.excess_half_life_days",
    barrier_recovery_per_day = "barrier.recovery_per_day",
    barrier_recovery_depth_scale_um = "barrier.recovery_depth_scale_um",
    barrier_dryness_threshold = "barrier.dryness_threshold",
    epidermis_activation_per_day = "epidermis.activation_per_day",
    epidermis_relaxation_per_day = "epidermis.relaxation_per_day",
    pigment_melanin_turnover_per_day = "pigment.melanin_turnover_per_day",
    pigment_renewal_boost = "pigment.renewal_boost",
    pigment_inflammation_induction = "pigment.inflammation_induction",
    pigment_reactivity = "pigment.reactivity",
    pigment_phototype_1 = "pigment.phototype_1",
    pigment_phototype_2 = "pigment.phototype_2",
    pigment_phototype_3 = "pigment.phototype_3",
    pigment_phototype_4 = "pigment.phototype_4",
    pigment_phototype_5 = "pigment.phototype_5",
    pigment_phototype_6 = "pigment.phototype_6",
    pigment_pih_threshold = "pigment.pih_threshold",
    pigment_pih_threshold_spread = "pigment.pih_threshold_spread",
    pigment_tranexamic_acid_reduction = "pigment.tranexamic_acid_reduction",
    pigment_tranexamic_acid_clearance_per_day = "pigment.tranexamic_acid_clearance_per_day",
    pigment_pih_fade_half_life_days = "pigment.pih_fade_half_life_days",
    outcome_icepick_width_um = "outcome.icepick_width_um",
    outcome_icepick_depth_at_grade4_um = "outcome.icepick_depth_at_grade4_um",
    outcome_icepick_dermis_share = "outcome.icepick_dermis_share",
    outcome_boxcar_width_um = "outcome.boxcar_width_um",
    outcome_boxcar_depth_at_grade4_um = "outcome.boxcar_depth_at_grade4_um",
    outcome_boxcar_dermis_share = "outcome.boxcar_dermis_share",
    outcome_rolling_width_um = "outcome.rolling_width_um",
    outcome_rolling_depth_at_grade4_um = "outcome.rolling_depth_at_grade4_um",
    outcome_rolling_dermis_share = "outcome.rolling_dermis_share",
    outcome_rolling_tethered_share = "outcome.rolling_tethered_share",
    outcome_fine_lines_dermis_share = "outcome.fine_lines_dermis_share",
    outcome_wrinkles_dermis_share = "outcome.wrinkles_dermis_share",
    outcome_stiffness_collagen_exponent = "outcome.stiffness_collagen_exponent",
    outcome_stiffness_elastin_exponent = "outcome.stiffness_elastin_exponent",
    outcome_wrinkle_deficit_per_grade = "outcome.wrinkle_deficit_per_grade",
    outcome_wrinkle_stiffness_exponent = "outcome.wrinkle_stiffness_exponent",
    outcome_wrinkle_dynamic_share = "outcome.wrinkle_dynamic_share",
    outcome_body_wrinkle_fold_share = "outcome.body_wrinkle_fold_share",
    outcome_scar_accessibility_depth_factor = "outcome.scar_accessibility_depth_factor",
    outcome_scar_tether_release_dose = "outcome.scar_tether_release_dose",
    outcome_stretch_deficit_max = "outcome.stretch_deficit_max",
    outcome_stretch_invisible_deficit = "outcome.stretch_invisible_deficit",
    outcome_stretch_alba_feedback_share = "outcome.stretch_alba_feedback_share",
    outcome_keloid_responsiveness = "outcome.keloid_responsiveness",
    outcome_hypertrophic_responsiveness = "outcome.hypertrophic_responsiveness",
    outcome_raised_scar_excess_max = "outcome.raised_scar_excess_max",
    outcome_raised_scar_remodelling_by_inflammation = "outcome.raised_scar_remodelling_by_inflammation",
    outcome_melanin_excess_per_mmasi = "outcome.melanin_excess_per_mmasi",
    outcome_texture_papillary_exponent = "outcome.texture_papillary_exponent",
    outcome_texture_epidermis_exponent = "outcome.texture_epidermis_exponent",
    outcome_laxity_volume_load = "outcome.laxity_volume_load",
    outcome_fine_line_groove_width_um = "outcome.fine_line_groove_width_um",
    outcome_wrinkle_groove_width_um = "outcome.wrinkle_groove_width_um",
    outcome_stretch_band_width_um = "outcome.stretch_band_width_um",
    outcome_raised_scar_nodule_width_um = "outcome.raised_scar_nodule_width_um",
    outcome_pigment_patch_width_um = "outcome.pigment_patch_width_um",
}

impl Params {
    /// The shipped parameters.
    pub fn shipped() -> Params {
        ParameterSet::shipped().params()
    }

    /// Relative melanocyte reactivity of a Fitzpatrick phototype (1..=6).
    pub fn phototype_reactivity(&self, skin_type: u8) -> f64 {
        match skin_type {
            0 | 1 => self.pigment_phototype_1,
            2 => self.pigment_phototype_2,
            3 => self.pigment_phototype_3,
            4 => self.pigment_phototype_4,
            5 => self.pigment_phototype_5,
            _ => self.pigment_phototype_6,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_holds_exactly_the_model_parameters() {
        let set = ParameterSet::from_toml(DEFAULT_PARAMETERS_TOML).unwrap();
        assert_eq!(set.entries.len(), Params::NAMES.len());
        for p in set.entries.values() {
            assert!(!p.source.trim().is_empty());
            assert!(!p.unit.trim().is_empty());
        }
    }

    #[test]
    fn out_of_bounds_value_is_rejected() {
        let text = DEFAULT_PARAMETERS_TOML.replace("value = 0.85\n", "value = 5.0\n");
        match ParameterSet::from_toml(&text) {
            Err(ParamError::OutOfBounds { name, .. }) => assert_eq!(name, "fibroblast.proliferation_per_day"),
            other => panic!("expected out of bounds, got {other:?}"),
        }
    }

    #[test]
    fn get_mut_reaches_every_named_field() {
        let mut p = Params::shipped();
        for name in Params::NAMES {
            *p.get_mut(name).unwrap() += 1.0;
        }
        let q = Params::shipped();
        for name in Params::NAMES {
            assert_eq!(p.get(name).unwrap(), q.get(name).unwrap() + 1.0);
        }
    }
}
