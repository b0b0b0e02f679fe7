//! Lesions: each concern is a local defect or excess of the same tissue.
//!
//! A lesion is simulated as its own column with the same kinetics as the surrounding skin, but a
//! different starting tissue and local properties: a matrix deficit (wrinkle groove, scar crater,
//! stretch-mark band), a matrix excess (keloid), hypo- or hyper-responsive fibroblasts, a pit that
//! needles reach only partly, a melanin excess. The grade before and after treatment is then
//! computed from the lesion column against the surrounding (normal) column in [`crate::outcome`].

use crate::outcome::scale;
use crate::params::Params;
use crate::scenario::{AcneScarType, ConcernKind, PigmentType, RaisedScarType, StretchMarkType};

/// How a lesion's tissue differs from the surrounding skin. `LesionTissue::NORMAL` is no lesion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LesionTissue {
    /// Collagen content of the affected layers relative to the surrounding skin (below 1 a
    /// deficit, above 1 an excess). The lesion's own baseline synthesis is scaled alike, so an untreated lesion
    /// is stable rather than healing by itself.
    pub matrix_factor: f64,
    /// Functional elastin relative to the surrounding skin in the affected layers.
    pub elastin_factor: f64,
    /// Share of the dermis, from its top, that the lesion affects.
    pub affected_depth_fraction: f64,
    /// Multiplier of the fibroblast response (keloid > 1).
    pub responsiveness: f64,
    /// Share of the matrix-deficit feedback the lesion's fibroblasts keep (striae alba < 1).
    pub deficit_feedback: f64,
    /// Whether matrix above the lesion's own level is always removed as excess (a scar's or a
    /// stria's tissue holds its own level), or a session lifts that level to the surrounding
    /// skin's and it relaxes back (a wrinkle's groove: skin thinned under a fold, which goes on
    /// thinning it; `collagen.groove_set_point_half_life_days`, docs/model.md).
    pub own_matrix_set_point: bool,
    /// Share of the punctures' injury and stimulation that reaches the lesion's tissue (a narrow
    /// deep pit is missed by most needles).
    pub accessibility: f64,
    /// Melanin production excess of a pigment lesion (0 for none).
    pub melanin_excess: f64,
    /// If set, the melanin production excess fades by itself with this half-life (PIH).
    pub melanin_excess_half_life_days: Option<f64>,
    /// Degradation of excess (scar) matrix per unit inflammation.
    pub remodelling_by_inflammation: f64,
}

impl LesionTissue {
    pub const NORMAL: LesionTissue = LesionTissue {
        matrix_factor: 1.0,
        elastin_factor: 1.0,
        affected_depth_fraction: 0.0,
        responsiveness: 1.0,
        deficit_feedback: 1.0,
        own_matrix_set_point: true,
        accessibility: 1.0,
        melanin_excess: 0.0,
        melanin_excess_half_life_days: None,
        remodelling_by_inflammation: 0.0,
    };
}

/// Acne-scar crater geometry: width, depth at Goodman & Baron grade 4, share of the depth held by
/// fibrous tethers, and the share of the dermis the crater's deficit occupies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CraterShape {
    pub width_um: f64,
    pub depth_at_grade4_um: f64,
    pub tethered_share: f64,
    pub affected_depth_fraction: f64,
}

/// Crater shapes (Jacob 2001 classification: ice-pick < 2 mm wide and deep; boxcar 1.5-4 mm wide,
/// flat floor; rolling 4-5 mm wide, shallow, tethered to deeper tissue); values in the parameter set.
pub fn crater_shape(t: AcneScarType, p: &Params) -> CraterShape {
    match t {
        AcneScarType::Icepick => CraterShape {
            width_um: p.outcome_icepick_width_um,
            depth_at_grade4_um: p.outcome_icepick_depth_at_grade4_um,
            tethered_share: 0.0,
            affected_depth_fraction: p.outcome_icepick_dermis_share,
        },
        AcneScarType::Boxcar => CraterShape {
            width_um: p.outcome_boxcar_width_um,
            depth_at_grade4_um: p.outcome_boxcar_depth_at_grade4_um,
            tethered_share: 0.0,
            affected_depth_fraction: p.outcome_boxcar_dermis_share,
        },
        AcneScarType::Rolling => CraterShape {
            width_um: p.outcome_rolling_width_um,
            depth_at_grade4_um: p.outcome_rolling_depth_at_grade4_um,
            tethered_share: p.outcome_rolling_tethered_share,
            affected_depth_fraction: p.outcome_rolling_dermis_share,
        },
    }
}

/// Crater depth (µm) of an acne scar of continuous grade `grade` (1 = macular, flat).
pub fn crater_depth_um(t: AcneScarType, grade: f64, p: &Params) -> f64 {
    crater_shape(t, p).depth_at_grade4_um * ((grade - 1.0) / 3.0).max(0.0)
}

/// Share of a pit's floor the needles reach: W² / (W² + (k D)²).
pub fn pit_accessibility(width_um: f64, depth_um: f64, k: f64) -> f64 {
    let w2 = width_um * width_um;
    let kd = k * depth_um;
    w2 / (w2 + kd * kd)
}

/// Matrix factor of the affected layers that makes the dermis `deficit_um` thinner over the top
/// `fraction` of a dermis `dermis_um` thick (thickness follows matrix with share `phi`).
fn thinning_to_matrix_factor(deficit_um: f64, fraction: f64, dermis_um: f64, phi: f64) -> f64 {
    if fraction <= 0.0 {
        return 1.0;
    }
    (1.0 - deficit_um / (fraction * dermis_um * phi)).max(0.05)
}

/// The lesion tissue of a concern of `severity` in skin whose dermis is `dermis_um` thick, on the
/// face or not. Concerns that are a property of the whole area (texture, laxity) have no lesion.
pub fn lesion_tissue(kind: ConcernKind, severity: f64, dermis_um: f64, face: bool, p: &Params) -> LesionTissue {
    let n = LesionTissue::NORMAL;
    match kind {
        // Wrinkle groove: dermal atrophy under the line, deeper and wider for wrinkles than for
        // fine lines (fine lines: papillary dermis; wrinkles: into the reticular dermis).
        ConcernKind::FineLines | ConcernKind::Wrinkles => {
            let fraction = if kind == ConcernKind::FineLines {
                p.outcome_fine_lines_dermis_share
            } else {
                p.outcome_wrinkles_dermis_share
            };
            let deficit = p.outcome_wrinkle_deficit_per_grade * severity;
            LesionTissue {
                matrix_factor: 1.0 - deficit / fraction,
                elastin_factor: 1.0 - deficit / fraction,
                affected_depth_fraction: fraction,
                own_matrix_set_point: false,
                ..n
            }
            .clamped()
        }
        ConcernKind::AcneScar(t) => {
            let shape = crater_shape(t, p);
            let depth = crater_depth_um(t, severity, p);
            let factor = thinning_to_matrix_factor(
                depth,
                shape.affected_depth_fraction,
                dermis_um,
                p.anatomy_matrix_thickness_share,
            );
            LesionTissue {
                matrix_factor: factor,
                elastin_factor: factor,
                affected_depth_fraction: shape.affected_depth_fraction,
                accessibility: pit_accessibility(shape.width_um, depth, p.outcome_scar_accessibility_depth_factor),
                ..n
            }
        }
        ConcernKind::Keloid(t) => {
            let excess = p.outcome_raised_scar_excess_max * severity / scale(kind, face).max;
            LesionTissue {
                matrix_factor: 1.0 + excess,
                elastin_factor: 1.0 / (1.0 + excess),
                affected_depth_fraction: 1.0,
                responsiveness: match t {
                    RaisedScarType::Keloid => p.outcome_keloid_responsiveness,
                    RaisedScarType::Hypertrophic => p.outcome_hypertrophic_responsiveness,
                },
                remodelling_by_inflammation: p.outcome_raised_scar_remodelling_by_inflammation,
                ..n
            }
        }
        ConcernKind::StretchMarks(t) => {
            let deficit = p.outcome_stretch_deficit_max * severity / scale(kind, face).max;
            LesionTissue {
                matrix_factor: 1.0 - deficit,
                elastin_factor: 1.0 - deficit,
                affected_depth_fraction: 1.0,
                // An alba band's fibroblasts follow the needling like the skin around, but sense
                // the band's deficit less (old, hypocellular scar with parallel fibres), so alba
                // fills more slowly than rubra without ever falling behind its surroundings.
                deficit_feedback: match t {
                    StretchMarkType::Rubra => 1.0,
                    StretchMarkType::Alba => p.outcome_stretch_alba_feedback_share,
                },
                ..n
            }
            .clamped()
        }
        ConcernKind::Hyperpigmentation(t) => LesionTissue {
            melanin_excess: p.outcome_melanin_excess_per_mmasi * severity * pigment_points_per_unit(face),
            melanin_excess_half_life_days: match t {
                PigmentType::Melasma => None,
                PigmentType::Pih => Some(p.pigment_pih_fade_half_life_days),
            },
            ..n
        },
        ConcernKind::Texture | ConcernKind::Laxity => n,
    }
}

/// mMASI points per unit of the scale in use: mMASI 0-24 on the face; on the body the pigment
/// index 0-10 spans the same melanin range (one index point = 2.4 mMASI points).
pub fn pigment_points_per_unit(face: bool) -> f64 {
    let kind = ConcernKind::Hyperpigmentation(PigmentType::Melasma);
    scale(kind, true).max / scale(kind, face).max
}

impl LesionTissue {
    fn clamped(mut self) -> Self {
        self.matrix_factor = self.matrix_factor.max(0.05);
        self.elastin_factor = self.elastin_factor.max(0.05);
        self
    }

    pub fn is_normal(&self) -> bool {
        *self == LesionTissue::NORMAL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icepick_pits_are_least_accessible() {
        let p = Params::shipped();
        let acc = |t| lesion_tissue(ConcernKind::AcneScar(t), 3.0, 1700.0, true, &p).accessibility;
        assert!(acc(AcneScarType::Icepick) < 0.5 * acc(AcneScarType::Boxcar));
        assert!(acc(AcneScarType::Rolling) > 0.9);
    }

    #[test]
    fn more_severe_lesions_have_larger_defects() {
        let p = Params::shipped();
        for kind in [
            ConcernKind::Wrinkles,
            ConcernKind::StretchMarks(StretchMarkType::Alba),
            ConcernKind::AcneScar(AcneScarType::Boxcar),
        ] {
            let a = lesion_tissue(kind, 2.0, 1700.0, true, &p).matrix_factor;
            let b = lesion_tissue(kind, 4.0, 1700.0, true, &p).matrix_factor;
            assert!(b < a && a < 1.0, "{kind:?}");
        }
        let k = lesion_tissue(ConcernKind::Keloid(RaisedScarType::Keloid), 10.0, 1700.0, false, &p);
        assert!(k.matrix_factor > 1.0);
    }

    #[test]
    fn only_wrinkle_grooves_have_a_set_point_a_session_lifts() {
        let p = Params::shipped();
        let own = |kind| lesion_tissue(kind, 3.0, 1700.0, true, &p).own_matrix_set_point;
        assert!(!own(ConcernKind::Wrinkles) && !own(ConcernKind::FineLines));
        for kind in [
            ConcernKind::StretchMarks(StretchMarkType::Alba),
            ConcernKind::StretchMarks(StretchMarkType::Rubra),
            ConcernKind::AcneScar(AcneScarType::Rolling),
            ConcernKind::Keloid(RaisedScarType::Keloid),
        ] {
            assert!(own(kind), "{kind:?}");
        }
    }
}
