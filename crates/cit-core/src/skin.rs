//! Site anatomy: the layers of the skin at each body region, adjusted for sex.
//!
//! Reference thicknesses (a 25-year-old woman) are in `data/sites.toml` with their sources.
//! Age enters through the turnover model of [`crate::ageing`], not through this table.

use crate::params::Params;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The site table shipped with cit.
pub const SITES_TOML: &str = include_str!("../../../data/sites.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub const ALL: [Sex; 2] = [Sex::Female, Sex::Male];
    pub fn name(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
    pub fn from_name(s: &str) -> Option<Sex> {
        Sex::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// Body regions a scenario may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    Forehead,
    Periorbital,
    Cheek,
    Perioral,
    Nose,
    Chin,
    Neck,
    Decolletage,
    Abdomen,
    Thigh,
    Buttock,
    UpperArm,
    Back,
    Hand,
}

impl Region {
    pub const ALL: [Region; 14] = [
        Region::Forehead,
        Region::Periorbital,
        Region::Cheek,
        Region::Perioral,
        Region::Nose,
        Region::Chin,
        Region::Neck,
        Region::Decolletage,
        Region::Abdomen,
        Region::Thigh,
        Region::Buttock,
        Region::UpperArm,
        Region::Back,
        Region::Hand,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Region::Forehead => "forehead",
            Region::Periorbital => "periorbital",
            Region::Cheek => "cheek",
            Region::Perioral => "perioral",
            Region::Nose => "nose",
            Region::Chin => "chin",
            Region::Neck => "neck",
            Region::Decolletage => "decolletage",
            Region::Abdomen => "abdomen",
            Region::Thigh => "thigh",
            Region::Buttock => "buttock",
            Region::UpperArm => "upper-arm",
            Region::Back => "back",
            Region::Hand => "hand",
        }
    }

    pub fn from_name(s: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.name() == s)
    }

    /// Reference anatomy of this region (25-year-old woman).
    pub fn anatomy(self) -> SiteAnatomy {
        site_table()[self.name()].clone()
    }

    pub fn is_face(self) -> bool {
        self.anatomy().face
    }
}

/// Reference layer thicknesses of one region (a 25-year-old woman), micrometres.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteAnatomy {
    pub face: bool,
    /// A wrinkle's fold here is drawn by a muscle of facial expression (the face, and the neck's
    /// platysma), not by gravity and the movement of limbs and trunk.
    pub mimic_folds: bool,
    pub epidermis_um: f64,
    pub papillary_um: f64,
    pub dermis_um: f64,
    pub fat_um: f64,
}

fn site_table() -> &'static BTreeMap<String, SiteAnatomy> {
    use std::sync::OnceLock;
    static TABLE: OnceLock<BTreeMap<String, SiteAnatomy>> = OnceLock::new();
    TABLE.get_or_init(|| toml::from_str(SITES_TOML).expect("data/sites.toml is valid (tested)"))
}

/// The skin of one person at one site, at the reference age of 25 (ageing scales it later).
#[derive(Debug, Clone, PartialEq)]
pub struct Skin {
    pub region: Region,
    pub face: bool,
    pub mimic_folds: bool,
    pub epidermis_um: f64,
    pub papillary_um: f64,
    pub dermis_um: f64,
    pub fat_um: f64,
}

impl Skin {
    /// Layers of `region` for a person of `sex` (thicknesses at age 25).
    pub fn new(region: Region, sex: Sex, p: &Params) -> Skin {
        let a = region.anatomy();
        let (fd, fe) = match sex {
            Sex::Female => (1.0, 1.0),
            Sex::Male => (p.anatomy_male_dermis_factor, p.anatomy_male_epidermis_factor),
        };
        Skin {
            region,
            face: a.face,
            mimic_folds: a.mimic_folds,
            epidermis_um: a.epidermis_um * fe,
            papillary_um: a.papillary_um * fd,
            dermis_um: a.dermis_um * fd,
            fat_um: a.fat_um,
        }
    }

    /// Fibroblast response of this site's skin to an injury, relative to the face's: facial skin,
    /// richer in vessels and adnexal stem-cell reservoirs, heals faster and better.
    pub fn wound_response(&self, p: &Params) -> f64 {
        if self.face {
            1.0
        } else {
            p.fibroblast_body_site_response
        }
    }

    /// Epidermis plus dermis: where a needle can go before it reaches fat.
    pub fn total_um(&self) -> f64 {
        self.epidermis_um + self.dermis_um
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_anatomy_inside_the_published_ranges() {
        assert_eq!(site_table().len(), Region::ALL.len());
        for r in Region::ALL {
            let a = r.anatomy();
            // model.md: epidermis 30-120 um; dermis 0.47-2.0 mm over face and body (Chopra 2015, Lee & Hwang 2002).
            assert!((29.0..=120.0).contains(&a.epidermis_um), "{r:?}");
            assert!((469.0..=1970.0).contains(&a.dermis_um), "{r:?}");
            assert!((100.0..=300.0).contains(&a.papillary_um), "{r:?}");
            assert_eq!(Region::from_name(r.name()), Some(r));
        }
    }

    #[test]
    fn men_have_thicker_skin() {
        let p = Params::shipped();
        let f = Skin::new(Region::Cheek, Sex::Female, &p);
        let m = Skin::new(Region::Cheek, Sex::Male, &p);
        assert!(m.dermis_um > f.dermis_um && m.epidermis_um >= f.epidermis_um);
    }

    #[test]
    fn eyelid_is_thinnest_face_site_and_back_thickest_body_site() {
        // Within the face (the periorbital, forehead and cheek values are in vivo ultrasound, the
        // body's are histology: cross-source comparisons would compare methods, not skin).
        let d = |r: Region| r.anatomy().dermis_um;
        let face = Region::ALL.iter().filter(|r| r.is_face());
        assert!(face.clone().all(|&r| d(Region::Periorbital) <= d(r)));
        assert!(Region::ALL.iter().all(|&r| d(Region::Back) >= d(r)));
    }
}
