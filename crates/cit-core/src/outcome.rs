//! Clinical scales of each concern, computed from simulated tissue.
//!
//! Every grade is a function of the lesion column and the surrounding (normal) column at the
//! same instant, scaled so that the grade before treatment equals the severity the clinician
//! recorded. Each function says which tissue quantity carries the grade.

use crate::column::Snapshot;
use crate::lesion::{crater_depth_um, crater_shape};
use crate::params::Params;
use crate::scenario::ConcernKind;

/// A concern's clinical scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub name: &'static str,
    pub min: f64,
    pub max: f64,
    /// The grade that means "no concern left" (improvement is measured towards it).
    pub best: f64,
}

/// The scale a concern is graded on, on the face or elsewhere.
pub fn scale(kind: ConcernKind, face: bool) -> Scale {
    match kind {
        ConcernKind::FineLines | ConcernKind::Wrinkles => Scale {
            name: "Lemperle 0-5",
            min: 0.0,
            max: 5.0,
            best: 0.0,
        },
        ConcernKind::AcneScar(_) => Scale {
            name: "Goodman-Baron qualitative 1-4",
            min: 1.0,
            max: 4.0,
            best: 1.0,
        },
        ConcernKind::Keloid(_) => Scale {
            name: "Vancouver Scar Scale 0-13",
            min: 0.0,
            max: 13.0,
            best: 0.0,
        },
        ConcernKind::StretchMarks(_) => Scale {
            name: "stretch-mark severity 1-4",
            min: 0.0,
            max: 4.0,
            best: 0.0,
        },
        ConcernKind::Hyperpigmentation(_) if face => Scale {
            name: "mMASI 0-24",
            min: 0.0,
            max: 24.0,
            best: 0.0,
        },
        ConcernKind::Hyperpigmentation(_) => Scale {
            name: "pigment index 0-10",
            min: 0.0,
            max: 10.0,
            best: 0.0,
        },
        ConcernKind::Texture => Scale {
            name: "texture grade 0-4",
            min: 0.0,
            max: 4.0,
            best: 0.0,
        },
        ConcernKind::Laxity => Scale {
            name: "laxity grade 0-4",
            min: 0.0,
            max: 4.0,
            best: 0.0,
        },
    }
}

/// The severities a clinician may record on the concern's scale (stretch marks and acne scars
/// start at grade 1; the others at 0).
pub fn severity_range(kind: ConcernKind, face: bool) -> (f64, f64) {
    let s = scale(kind, face);
    match kind {
        ConcernKind::StretchMarks(_) | ConcernKind::AcneScar(_) => (1.0, s.max),
        _ => (s.min, s.max),
    }
}

/// The state a grade is computed from: the lesion and its surroundings, now and before treatment.
#[derive(Debug, Clone, Copy)]
pub struct GradeInputs<'a> {
    pub normal: &'a Snapshot,
    pub lesion: &'a Snapshot,
    pub normal_before: &'a Snapshot,
    pub lesion_before: &'a Snapshot,
    /// Subcutaneous volume relative to age 25, now and before.
    pub fat_volume: f64,
    pub fat_volume_before: f64,
    /// Whether a wrinkle's fold at the site is drawn by a muscle of facial expression (the face,
    /// and the neck's platysma; data/sites.toml `mimic_folds`).
    pub mimic_folds: bool,
}

/// Grade of `kind` (severity `before` at the start) given the simulated tissue.
pub fn grade(kind: ConcernKind, before: f64, g: &GradeInputs, p: &Params) -> f64 {
    let s = scale(kind, true);
    let raw = match kind {
        // Wrinkle depth has a static part, the groove's dermal deficit against its surroundings,
        // which new matrix fills, and a dynamic part, the fold that mimic muscles (face and neck)
        // or gravity and movement (the other body sites) pull into the skin, which it does not.
        // The fold is a buckle: under the same pull a stiffer layer buckles into a shallower
        // fold, so the fold falls with the stiffness of the skin; the groove is missing matrix,
        // which stiffness does not change. The fold's share grows with the grade: Lemperle's
        // grade 1 is a just perceptible line, 2 shallow, 3 moderately deep, 4 deep with
        // well-defined edges, 5 a very deep wrinkle with a redundant fold. It is taken as the
        // share of grade 5 times grade / 5.
        ConcernKind::FineLines | ConcernKind::Wrinkles => {
            let deficit = |n: &Snapshot, l: &Snapshot| (1.0 - l.dermis_um / n.dermis_um).max(0.0);
            let d0 = deficit(g.normal_before, g.lesion_before);
            let d = deficit(g.normal, g.lesion);
            let stiff = (g.lesion_before.stiffness / g.lesion.stiffness).powf(p.outcome_wrinkle_stiffness_exponent);
            let filled = if d0 > 0.0 { d / d0 } else { 1.0 };
            let fold_at_grade5 = if g.mimic_folds {
                p.outcome_wrinkle_dynamic_share
            } else {
                p.outcome_body_wrinkle_fold_share
            };
            let dynamic = fold_at_grade5 * (before / s.max).clamp(0.0, 1.0);
            before * (dynamic * stiff + (1.0 - dynamic) * filled)
        }
        // Acne scar: crater depth = surrounding dermis minus the scar's, less what the release of
        // fibrous tethers lifts (rolling scars); the continuous Goodman-Baron score is linear in depth.
        ConcernKind::AcneScar(t) => {
            let shape = crater_shape(t, p);
            let d0 = crater_depth_um(t, before, p);
            let gap0 = g.normal_before.dermis_um - g.lesion_before.dermis_um;
            let gap = g.normal.dermis_um - g.lesion.dermis_um;
            let depth = if gap0 > 0.0 { d0 * gap / gap0 } else { 0.0 };
            let release = 1.0 - (-g.lesion.deep_hole_dose / p.outcome_scar_tether_release_dose).exp();
            let depth = depth * (1.0 - shape.tethered_share * release);
            1.0 + 3.0 * depth.max(0.0) / shape.depth_at_grade4_um
        }
        // Raised scar: height, pliability and vascularity all follow the excess matrix.
        ConcernKind::Keloid(_) => {
            let excess = |n: &Snapshot, l: &Snapshot| (l.collagen / n.collagen - 1.0).max(0.0);
            let x0 = excess(g.normal_before, g.lesion_before);
            if x0 > 0.0 {
                before * excess(g.normal, g.lesion) / x0
            } else {
                before
            }
        }
        // Stretch mark: the band's collagen and elastin deficit against the surrounding skin,
        // the part of it above what the eye cannot tell from normal skin (a band whose deficit
        // falls to that much has gone). So filling removes a larger share of a faint band's grade
        // than of a deep one's. The invisible part stays below half the band's deficit (the
        // faintest band, grade 1, is visible).
        ConcernKind::StretchMarks(_) => {
            let deficit = |n: &Snapshot, l: &Snapshot| {
                0.5 * (1.0 - l.collagen / n.collagen).max(0.0)
                    + 0.5 * (1.0 - l.elastin_functional / n.elastin_functional).max(0.0)
            };
            let d0 = deficit(g.normal_before, g.lesion_before);
            let invisible = p.outcome_stretch_invisible_deficit.min(0.5 * d0);
            if d0 > 0.0 {
                before * (deficit(g.normal, g.lesion) - invisible).max(0.0) / (d0 - invisible)
            } else {
                before
            }
        }
        // Pigment: melanin excess of the patch over its surroundings.
        ConcernKind::Hyperpigmentation(_) => {
            let x0 = g.lesion_before.melanin - g.normal_before.melanin;
            if x0 > 0.0 {
                before * (g.lesion.melanin - g.normal.melanin).max(0.0) / x0
            } else {
                before
            }
        }
        // Texture: roughness falls as the papillary matrix fills and the epidermis thickens.
        ConcernKind::Texture => {
            let pap = (g.normal_before.papillary_collagen / g.normal.papillary_collagen)
                .powf(p.outcome_texture_papillary_exponent);
            let epi = (g.normal_before.epidermis_um / g.normal.epidermis_um).powf(p.outcome_texture_epidermis_exponent);
            before * pap * epi
        }
        // Laxity: sag = load / stiffness, load growing with lost subcutaneous volume.
        ConcernKind::Laxity => {
            let load = |v: f64| 1.0 + p.outcome_laxity_volume_load * (1.0 - v);
            before * load(g.fat_volume) / load(g.fat_volume_before) * g.normal_before.stiffness / g.normal.stiffness
        }
    };
    raw.clamp(s.min, s.max)
}

/// Improvement in percent of the distance from the grade before to the best grade.
pub fn improvement_pct(kind: ConcernKind, before: f64, after: f64) -> f64 {
    let best = scale(kind, true).best;
    if before - best <= 0.0 {
        return 0.0;
    }
    100.0 * (before - after) / (before - best)
}

/// Acne scars of this subtype: the qualitative Goodman-Baron grade of a continuous score.
pub fn goodman_baron_qualitative(score: f64) -> u8 {
    score.round().clamp(1.0, 4.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::StretchMarkType;
    use approx::assert_relative_eq;

    fn tissue(collagen: f64, elastin: f64, dermis_um: f64) -> Snapshot {
        Snapshot {
            collagen,
            elastin_functional: elastin,
            dermis_um,
            stiffness: 1.0,
            ..Snapshot::default()
        }
    }

    fn grade_of(
        kind: ConcernKind,
        before: f64,
        lesion_before: Snapshot,
        lesion: Snapshot,
        mimic_folds: bool,
        p: &Params,
    ) -> f64 {
        let normal = tissue(1.0, 1.0, 1500.0);
        let inputs = GradeInputs {
            normal: &normal,
            lesion: &lesion,
            normal_before: &normal,
            lesion_before: &lesion_before,
            fat_volume: 1.0,
            fat_volume_before: 1.0,
            mimic_folds,
        };
        grade(kind, before, &inputs, p)
    }

    #[test]
    fn a_stretch_mark_is_graded_on_the_visible_part_of_its_deficit() {
        let mut p = Params::shipped();
        p.outcome_stretch_invisible_deficit = 0.05;
        let alba = ConcernKind::StretchMarks(StretchMarkType::Alba);
        let band = |deficit: f64| tissue(1.0 - deficit, 1.0 - deficit, 1500.0);
        // Before treatment the grade is the severity recorded.
        assert_relative_eq!(grade_of(alba, 2.0, band(0.3), band(0.3), false, &p), 2.0);
        // A band filled down to the invisible part is gone.
        assert!(grade_of(alba, 2.0, band(0.3), band(0.05), false, &p) < 1e-12);
        assert_eq!(grade_of(alba, 2.0, band(0.3), band(0.02), false, &p), 0.0);
        // The same fill (0.05 of the matrix) removes a larger share of a faint band's grade.
        let faint = 1.0 - grade_of(alba, 1.0, band(0.15), band(0.10), false, &p) / 1.0;
        let deep = 1.0 - grade_of(alba, 4.0, band(0.6), band(0.55), false, &p) / 4.0;
        assert_relative_eq!(faint, 0.05 / 0.10, max_relative = 1e-12);
        assert_relative_eq!(deep, 0.05 / 0.55, max_relative = 1e-12);
        // Without an invisible part the grade is proportional to the deficit.
        p.outcome_stretch_invisible_deficit = 0.0;
        assert_relative_eq!(
            grade_of(alba, 2.0, band(0.3), band(0.15), false, &p),
            1.0,
            max_relative = 1e-12
        );
        // The invisible part never exceeds half a band's deficit.
        p.outcome_stretch_invisible_deficit = 0.1;
        assert_relative_eq!(
            grade_of(alba, 1.0, band(0.1), band(0.075), false, &p),
            0.5,
            max_relative = 1e-12
        );
    }

    #[test]
    fn folds_drawn_by_mimic_muscles_take_the_facial_share_elsewhere_the_body_share() {
        let mut p = Params::shipped();
        p.outcome_wrinkle_dynamic_share = 0.9;
        p.outcome_body_wrinkle_fold_share = 0.4;
        // A grade-5 wrinkle whose groove has filled completely keeps its fold.
        let groove = tissue(1.0, 1.0, 1200.0);
        let filled = tissue(1.0, 1.0, 1500.0);
        let w = ConcernKind::Wrinkles;
        assert_relative_eq!(grade_of(w, 5.0, groove, filled, true, &p), 4.5, max_relative = 1e-12);
        assert_relative_eq!(grade_of(w, 5.0, groove, filled, false, &p), 2.0, max_relative = 1e-12);
        // A stiffer skin buckles into a shallower fold; the groove, missing matrix, stays.
        p.outcome_wrinkle_stiffness_exponent = 1.0;
        let stiffer = |t: Snapshot| Snapshot { stiffness: 2.0, ..t };
        let fold_only = grade_of(w, 5.0, groove, stiffer(groove), true, &p);
        assert_relative_eq!(fold_only, 5.0 * (0.9 * 0.5 + 0.1), max_relative = 1e-12);
        let both = grade_of(w, 5.0, groove, stiffer(filled), false, &p);
        assert_relative_eq!(both, 5.0 * 0.4 * 0.5, max_relative = 1e-12);
        // Sites: the face and the neck (platysma) have mimic folds, the rest of the body not.
        use crate::skin::Region;
        for r in Region::ALL {
            let expected = r.is_face() || r == Region::Neck;
            assert_eq!(r.anatomy().mimic_folds, expected, "{r:?}");
        }
    }
}
