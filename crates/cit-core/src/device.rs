//! Devices and the puncture field they leave.
//!
//! A device sets how many channels open per cm² and how deep they reach. Rollers push a fraction
//! of the needle into the skin (the drum rolls, the skin yields), pens reach about the set depth,
//! stamps are in between; the efficiency is an uncertain parameter. Depth is capped by the skin
//! thickness of the site. Each channel is a narrow cone-tipped cylinder of destroyed tissue with a
//! damage halo. (The growth signal, inflammation and fibroblasts then spread from the injured
//! tissue: in depth in the column model, in three dimensions in the patch model.)

use crate::params::Params;

/// Allowed needle length, millimetres (model.md §2).
pub const NEEDLE_LENGTH_RANGE_MM: (f64, f64) = (0.1, 3.0);
/// Allowed needle diameter, millimetres.
pub const NEEDLE_DIAMETER_RANGE_MM: (f64, f64) = (0.05, 0.3);

/// Longest needle a device of this kind takes, millimetres (rollers up to 3 mm; pen cartridges
/// and stamps are made shorter: model.md §2 and manufacturers' ranges).
pub fn max_needle_length_mm(kind: &str) -> f64 {
    match kind {
        "pen" => 2.5,
        "stamp" => 2.0,
        _ => NEEDLE_LENGTH_RANGE_MM.1,
    }
}

/// Needles a device of this kind carries (roller 192-540 typical, model.md §2; pen cartridges
/// 9-36; stamps up to 140), with some margin.
pub fn needle_count_range(kind: &str) -> (u32, u32) {
    match kind {
        "pen" => (3, 42),
        "stamp" => (4, 140),
        _ => (24, 1080),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DeviceKind {
    /// Drum of needles rolled over the skin; `passes` per direction.
    Roller { drum_diameter_mm: f64, drum_width_mm: f64 },
    /// Motorised pen stamping while it glides; `passes` over the area.
    Pen {
        frequency_hz: f64,
        glide_speed_mm_s: f64,
        swath_mm: f64,
    },
    /// Pressed once per spot; `passes` presses per spot.
    Stamp { head_area_mm2: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Device {
    pub kind: DeviceKind,
    pub needle_length_mm: f64,
    pub needle_diameter_mm: f64,
    pub needle_count: u32,
    pub passes: u32,
}

impl Device {
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            DeviceKind::Roller { .. } => "roller",
            DeviceKind::Pen { .. } => "pen",
            DeviceKind::Stamp { .. } => "stamp",
        }
    }

    /// Typical device of each kind, with the given needle length and passes.
    pub fn typical(kind: &str, needle_length_mm: f64, passes: u32) -> Option<Device> {
        let (kind, needles, diameter) = match kind {
            // Roller: 2 cm drum, 192 needles of 0.25 mm (model.md §2; Silva 2020).
            "roller" => (
                DeviceKind::Roller {
                    drum_diameter_mm: 20.0,
                    drum_width_mm: 20.0,
                },
                192,
                0.25,
            ),
            // Pen: 12-needle cartridge, 100 Hz, glide 30 mm/s over a 6 mm swath.
            "pen" => (
                DeviceKind::Pen {
                    frequency_hz: 100.0,
                    glide_speed_mm_s: 30.0,
                    swath_mm: 6.0,
                },
                12,
                0.12,
            ),
            // Stamp: 35 needles on an 8 mm round head.
            "stamp" => (DeviceKind::Stamp { head_area_mm2: 50.3 }, 35, 0.2),
            _ => return None,
        };
        Some(Device {
            kind,
            needle_length_mm,
            needle_diameter_mm: diameter,
            needle_count: needles,
            passes,
        })
    }

    /// Channels per cm² left by one session.
    ///
    /// Roller: needles / (drum circumference × width) per pass, times passes per direction times
    /// the number of directions (≈15 passes → ≈250 holes/cm², model.md §2).
    /// Pen: needles × frequency / (glide speed × swath) per pass.
    /// Stamp: needles / head area per press.
    pub fn holes_per_cm2(&self, p: &Params) -> f64 {
        let n = self.needle_count as f64;
        let passes = self.passes as f64;
        let per_mm2 = match self.kind {
            DeviceKind::Roller {
                drum_diameter_mm,
                drum_width_mm,
            } => n / (std::f64::consts::PI * drum_diameter_mm * drum_width_mm) * passes * p.device_roller_directions,
            DeviceKind::Pen {
                frequency_hz,
                glide_speed_mm_s,
                swath_mm,
            } => n * frequency_hz / (glide_speed_mm_s * swath_mm) * passes,
            DeviceKind::Stamp { head_area_mm2 } => n / head_area_mm2 * passes,
        };
        per_mm2 * 100.0
    }

    /// Fraction of the needle length that enters the skin.
    pub fn efficiency(&self, p: &Params) -> f64 {
        match self.kind {
            DeviceKind::Roller { .. } => p.device_roller_efficiency,
            DeviceKind::Pen { .. } => p.device_pen_efficiency,
            DeviceKind::Stamp { .. } => p.device_stamp_efficiency,
        }
        .clamp(0.0, 1.0)
    }

    /// Channel depth from the skin surface, micrometres, capped by the skin's thickness.
    pub fn effective_depth_um(&self, skin_total_um: f64, p: &Params) -> f64 {
        (self.needle_length_mm * 1000.0 * self.efficiency(p)).min(skin_total_um)
    }

    /// The puncture field of one session in a skin `skin_total_um` thick.
    pub fn puncture_field(&self, skin_total_um: f64, p: &Params) -> PunctureField {
        PunctureField {
            holes_per_cm2: self.holes_per_cm2(p),
            depth_um: self.effective_depth_um(skin_total_um, p),
            needle_radius_um: self.needle_diameter_mm * 500.0,
            tip_length_um: p.device_needle_tip_length_um,
            halo_um: p.device_damage_halo_um,
        }
    }
}

/// Channels of one session, as the column model sees them (averaged over the surface).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PunctureField {
    pub holes_per_cm2: f64,
    pub depth_um: f64,
    pub needle_radius_um: f64,
    pub tip_length_um: f64,
    pub halo_um: f64,
}

impl PunctureField {
    /// Channel radius at depth `z_um`: full radius above the conical tip, tapering to 0 at the bottom.
    pub fn channel_radius_um(&self, z_um: f64) -> f64 {
        if z_um >= self.depth_um {
            return 0.0;
        }
        self.needle_radius_um * ((self.depth_um - z_um) / self.tip_length_um).min(1.0)
    }

    /// Share of the area covered by discs of radius `r_um` around randomly placed channels
    /// (Poisson coverage: overlapping channels do not count twice).
    fn coverage(&self, r_um: f64) -> f64 {
        let per_um2 = self.holes_per_cm2 * 1e-8;
        1.0 - (-per_um2 * std::f64::consts::PI * r_um * r_um).exp()
    }

    /// Injured fraction of tissue at depth `z_um` (channel plus damage halo).
    pub fn injured_fraction(&self, z_um: f64) -> f64 {
        let r = self.channel_radius_um(z_um);
        if r <= 0.0 {
            0.0
        } else {
            self.coverage(r + self.halo_um)
        }
    }

    /// Share of the skin surface opened by channels (stratum corneum breached).
    pub fn surface_open_fraction(&self) -> f64 {
        let r = self.channel_radius_um(0.0);
        if r <= 0.0 {
            0.0
        } else {
            self.coverage(r)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn roller_density_matches_the_rule_of_thumb() {
        // model.md §2: ~15 passes give ~250 holes/cm²; 4 passes per direction x 4 directions = 16.
        let p = Params::shipped();
        let d = Device::typical("roller", 1.5, 4).unwrap();
        let h = d.holes_per_cm2(&p);
        assert!((200.0..=300.0).contains(&h), "{h}");
    }

    #[test]
    fn rat_roller_channel_matches_kalluri_2011() {
        // 0.77 mm DermaRoller in rat skin: 152.5 um deep, 70.7 um wide at efficiency ~0.2.
        let mut p = Params::shipped();
        p.device_roller_efficiency = 0.2;
        let mut d = Device::typical("roller", 0.77, 1).unwrap();
        d.needle_diameter_mm = 0.25;
        let f = d.puncture_field(2000.0, &p);
        assert_relative_eq!(f.depth_um, 154.0, epsilon = 1.0);
        let width = 2.0 * f.channel_radius_um(0.0);
        assert!((60.0..=85.0).contains(&width), "{width}");
    }

    #[test]
    fn depth_is_capped_by_skin_thickness() {
        let p = Params::shipped();
        let d = Device::typical("pen", 3.0, 1).unwrap();
        assert_eq!(d.effective_depth_um(900.0, &p), 900.0);
    }

    #[test]
    fn injured_area_stays_a_fraction_and_ends_at_the_channel_bottom() {
        let p = Params::shipped();
        let f = Device::typical("pen", 1.0, 3).unwrap().puncture_field(2000.0, &p);
        for z in [0.0, 100.0, 400.0, 899.0, 1200.0] {
            let inj = f.injured_fraction(z);
            assert!((0.0..=1.0).contains(&inj), "z={z}: {inj}");
        }
        assert_eq!(f.injured_fraction(f.depth_um + 1.0), 0.0);
    }
}
