//! Lesion geometry: where a concern's tissue sits in the patch.
//!
//! The tissue itself (matrix and elastin factors, responsiveness, melanin excess, which share of
//! the dermis it affects) is the concern's [`LesionTissue`], the same as the column model's
//! lesion column. The patch gives it a footprint with a weight `w(x, y)` in [0, 1] (1 at the
//! lesion's core, 0 in the surrounding skin), and every voxel of the affected depth gets the
//! tissue's deviation scaled by `w`: matrix factor 1 + (m − 1) w, and so on.
//!
//! | concern | footprint | profile across it |
//! |---|---|---|
//! | ice-pick scar | disc, crater width | cone: narrow and deepest at the centre |
//! | boxcar scar | disc, crater width | flat floor, steep walls (last 20 % of the radius) |
//! | rolling scar | disc, crater width | smooth (cos²), broad and shallow |
//! | fine lines, wrinkles | groove along y, groove width | smooth (cos²) |
//! | stretch marks | band along y, band width | flat floor, steep walls |
//! | keloid / hypertrophic | nodule (disc), nodule width | smooth (cos²) dome |
//! | hyperpigmentation | pigment patch (disc), patch width | flat, soft edge |
//!
//! The crater depth of an acne scar, the groove depth of a wrinkle, the band's thinning and the
//! nodule's height are not drawn: they follow from the matrix content of the voxels (each voxel's
//! thickness follows its matrix, as in the column model), so they change as the simulation
//! fills the crater or remodels the nodule.

use cit_core::lesion::{crater_shape, lesion_tissue, LesionTissue};
use cit_core::params::Params;
use cit_core::scenario::{AcneScarType, ConcernKind, Scenario};

/// How the weight falls off from the lesion's core.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Profile {
    /// 1 − r/R.
    Cone,
    /// 1 to 0.8 R, then linear to 0 at R.
    FlatFloor,
    /// cos²(π r / 2R).
    Smooth,
}

impl Profile {
    pub fn weight(self, r: f64, radius: f64) -> f64 {
        if r >= radius || radius <= 0.0 {
            return 0.0;
        }
        let s = r / radius;
        match self {
            Profile::Cone => 1.0 - s,
            Profile::FlatFloor => ((1.0 - s) / 0.2).min(1.0),
            Profile::Smooth => (0.5 * std::f64::consts::PI * s).cos().powi(2),
        }
    }
}

/// The lesion's outline in the patch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Footprint {
    /// Round, centred at (x, y), radius, micrometres.
    Disc { x_um: f64, y_um: f64, radius_um: f64 },
    /// A band along y through x, half width, micrometres.
    Band { x_um: f64, half_width_um: f64 },
}

/// A concern's lesion placed in the patch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedLesion {
    /// Index of the concern in the scenario.
    pub concern: usize,
    pub kind: ConcernKind,
    pub tissue: LesionTissue,
    pub footprint: Footprint,
    pub profile: Profile,
}

impl PlacedLesion {
    /// Weight at (x, y), micrometres.
    pub fn weight(&self, x_um: f64, y_um: f64) -> f64 {
        match self.footprint {
            Footprint::Disc {
                x_um: cx,
                y_um: cy,
                radius_um,
            } => self
                .profile
                .weight(((x_um - cx).powi(2) + (y_um - cy).powi(2)).sqrt(), radius_um),
            Footprint::Band {
                x_um: cx,
                half_width_um,
            } => self.profile.weight((x_um - cx).abs(), half_width_um),
        }
    }

    /// Lateral extent across the footprint, micrometres (diameter or band width).
    pub fn width_um(&self) -> f64 {
        match self.footprint {
            Footprint::Disc { radius_um, .. } => 2.0 * radius_um,
            Footprint::Band { half_width_um, .. } => 2.0 * half_width_um,
        }
    }
}

/// Why a scenario's lesions cannot be laid out in its patch.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.message())]
pub enum LayoutError {
    /// More than one concern has a local lesion.
    TooManyLesions { concerns: Vec<usize> },
    /// The lesion leaves no surrounding skin in the patch.
    PatchTooSmall {
        concern: usize,
        lesion_width_um: f64,
        needed_mm: f64,
    },
    /// The voxels are too coarse to resolve the lesion's core.
    TooCoarse { concern: usize, lesion_width_um: f64 },
}

impl LayoutError {
    /// One line saying what is wrong; the caller prefixes the file name.
    pub fn message(&self) -> String {
        match self {
            LayoutError::TooManyLesions { concerns } => {
                format!(
                "the patch model places one lesion, but concerns {} each have one; allowed: one [[concern]] with a \
                 lesion (plus texture or laxity), or use --model column",
                concerns.iter().map(|c| format!("concern[{c}]")).collect::<Vec<_>>().join(", ")
            )
            }
            LayoutError::PatchTooSmall {
                concern,
                lesion_width_um,
                needed_mm,
            } => format!(
                "patch.size_mm: the lesion of concern[{concern}] is {:.2} mm wide and leaves no surrounding skin in \
                 the patch; allowed: a patch of at least {needed_mm:.1} mm across it, with the lesion inside \
                 (patch.lesion_at_mm)",
                lesion_width_um / 1000.0
            ),
            LayoutError::TooCoarse {
                concern,
                lesion_width_um,
            } => format!(
                "patch.resolution_um: voxels too coarse for the lesion of concern[{concern}] ({:.0} um wide); allowed: \
                 at most {:.0} um",
                lesion_width_um,
                lesion_width_um / 4.0
            ),
        }
    }
}

/// Lesion width of each concern kind in the patch, micrometres: acne-scar craters from the crater
/// shapes of the parameter set, the other footprints from their own parameters.
pub fn lesion_width_um(kind: ConcernKind, p: &Params) -> Option<(f64, Profile, bool)> {
    // (width, profile, is a band)
    Some(match kind {
        ConcernKind::AcneScar(t) => {
            let profile = match t {
                AcneScarType::Icepick => Profile::Cone,
                AcneScarType::Boxcar => Profile::FlatFloor,
                AcneScarType::Rolling => Profile::Smooth,
            };
            (crater_shape(t, p).width_um, profile, false)
        }
        ConcernKind::FineLines => (p.outcome_fine_line_groove_width_um, Profile::Smooth, true),
        ConcernKind::Wrinkles => (p.outcome_wrinkle_groove_width_um, Profile::Smooth, true),
        ConcernKind::StretchMarks(_) => (p.outcome_stretch_band_width_um, Profile::FlatFloor, true),
        ConcernKind::Keloid(_) => (p.outcome_raised_scar_nodule_width_um, Profile::Smooth, false),
        ConcernKind::Hyperpigmentation(_) => (p.outcome_pigment_patch_width_um, Profile::FlatFloor, false),
        ConcernKind::Texture | ConcernKind::Laxity => return None,
    })
}

/// Places the scenario's lesion (at most one) at `lesion_at_mm` in a patch `size_um` across with
/// voxels `resolution_um` wide, in skin whose dermis is `dermis_um` thick.
pub fn place_lesion(
    scenario: &Scenario,
    size_um: (f64, f64),
    lesion_at_um: (f64, f64),
    resolution_um: f64,
    dermis_um: f64,
    p: &Params,
) -> Result<Option<PlacedLesion>, LayoutError> {
    let face = scenario.region.is_face();
    let with_lesion: Vec<usize> = scenario
        .concerns
        .iter()
        .enumerate()
        .filter(|(_, c)| !lesion_tissue(c.kind, c.severity, dermis_um, face, p).is_normal())
        .map(|(i, _)| i)
        .collect();
    if with_lesion.len() > 1 {
        return Err(LayoutError::TooManyLesions { concerns: with_lesion });
    }
    let Some(&ci) = with_lesion.first() else {
        return Ok(None);
    };
    let c = scenario.concerns[ci];
    let tissue = lesion_tissue(c.kind, c.severity, dermis_um, face, p);
    let Some((width, profile, band)) = lesion_width_um(c.kind, p) else {
        return Ok(None);
    };
    let footprint = if band {
        Footprint::Band {
            x_um: lesion_at_um.0,
            half_width_um: 0.5 * width,
        }
    } else {
        Footprint::Disc {
            x_um: lesion_at_um.0,
            y_um: lesion_at_um.1,
            radius_um: 0.5 * width,
        }
    };
    let placed = PlacedLesion {
        concern: ci,
        kind: c.kind,
        tissue,
        footprint,
        profile,
    };
    // Surrounding skin must remain: some pixel of the patch must be outside the footprint by a
    // margin of a voxel.
    let margin = resolution_um;
    let corners = [
        (0.0, 0.0),
        (size_um.0, 0.0),
        (0.0, size_um.1),
        (size_um.0, size_um.1),
        (0.0, lesion_at_um.1),
        (size_um.0, lesion_at_um.1),
    ];
    let outside = corners.iter().any(|&(x, y)| {
        let (dx, dy) = ((x - lesion_at_um.0).abs(), (y - lesion_at_um.1).abs());
        match footprint {
            Footprint::Disc { radius_um, .. } => (dx * dx + dy * dy).sqrt() > radius_um + margin,
            Footprint::Band { half_width_um, .. } => dx > half_width_um + margin,
        }
    });
    if !outside {
        return Err(LayoutError::PatchTooSmall {
            concern: ci,
            lesion_width_um: width,
            needed_mm: ((width + 4.0 * margin) / 1000.0 * 10.0).ceil() / 10.0,
        });
    }
    if width < 4.0 * resolution_um {
        return Err(LayoutError::TooCoarse {
            concern: ci,
            lesion_width_um: width,
        });
    }
    Ok(Some(placed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_one_at_the_core_and_zero_outside() {
        for pr in [Profile::Cone, Profile::FlatFloor, Profile::Smooth] {
            assert_eq!(pr.weight(0.0, 100.0), 1.0);
            assert_eq!(pr.weight(100.0, 100.0), 0.0);
            assert!(pr.weight(50.0, 100.0) > 0.0 && pr.weight(50.0, 100.0) <= 1.0);
        }
        assert_eq!(Profile::FlatFloor.weight(70.0, 100.0), 1.0);
    }
}
