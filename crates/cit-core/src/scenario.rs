//! The validated description of one course of treatment: who, where, what concern, which device,
//! which protocol. These are the "high-level" types the simulator accepts; parsing and checking
//! of user files happens in `cit-io`, which builds these only from values it has validated.

use crate::device::Device;
use crate::skin::{Region, Sex};

/// A person, as the clinic describes them.
#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    pub age_years: f64,
    pub sex: Sex,
    /// Fitzpatrick phototype 1..=6.
    pub skin_type: u8,
    /// Glogau photoageing grade 1..=4.
    pub photoaging: u8,
}

/// A concern to be treated, with its subtype and its severity on the concern's own clinical scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Concern {
    pub kind: ConcernKind,
    pub severity: f64,
}

/// Concern kinds and their subtypes. The subtype lives inside the kind so an impossible pairing
/// (an ice-pick stretch mark) cannot be represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConcernKind {
    FineLines,
    Wrinkles,
    AcneScar(AcneScarType),
    Keloid(RaisedScarType),
    StretchMarks(StretchMarkType),
    Hyperpigmentation(PigmentType),
    Texture,
    Laxity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcneScarType {
    Icepick,
    Boxcar,
    Rolling,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RaisedScarType {
    Keloid,
    Hypertrophic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StretchMarkType {
    Rubra,
    Alba,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PigmentType {
    Melasma,
    Pih,
}

impl ConcernKind {
    /// Every kind with every subtype.
    pub const ALL: [ConcernKind; 13] = [
        ConcernKind::FineLines,
        ConcernKind::Wrinkles,
        ConcernKind::AcneScar(AcneScarType::Icepick),
        ConcernKind::AcneScar(AcneScarType::Boxcar),
        ConcernKind::AcneScar(AcneScarType::Rolling),
        ConcernKind::Keloid(RaisedScarType::Keloid),
        ConcernKind::Keloid(RaisedScarType::Hypertrophic),
        ConcernKind::StretchMarks(StretchMarkType::Rubra),
        ConcernKind::StretchMarks(StretchMarkType::Alba),
        ConcernKind::Hyperpigmentation(PigmentType::Melasma),
        ConcernKind::Hyperpigmentation(PigmentType::Pih),
        ConcernKind::Texture,
        ConcernKind::Laxity,
    ];

    /// The name used in scenario files and reports.
    pub fn name(self) -> &'static str {
        match self {
            ConcernKind::FineLines => "fine-lines",
            ConcernKind::Wrinkles => "wrinkles",
            ConcernKind::AcneScar(_) => "acne-scar",
            ConcernKind::Keloid(_) => "keloid",
            ConcernKind::StretchMarks(_) => "stretch-marks",
            ConcernKind::Hyperpigmentation(_) => "hyperpigmentation",
            ConcernKind::Texture => "texture",
            ConcernKind::Laxity => "laxity",
        }
    }

    /// The subtype's name, if the kind has subtypes.
    pub fn subtype_name(self) -> Option<&'static str> {
        Some(match self {
            ConcernKind::AcneScar(AcneScarType::Icepick) => "icepick",
            ConcernKind::AcneScar(AcneScarType::Boxcar) => "boxcar",
            ConcernKind::AcneScar(AcneScarType::Rolling) => "rolling",
            ConcernKind::Keloid(RaisedScarType::Keloid) => "keloid",
            ConcernKind::Keloid(RaisedScarType::Hypertrophic) => "hypertrophic",
            ConcernKind::StretchMarks(StretchMarkType::Rubra) => "rubra",
            ConcernKind::StretchMarks(StretchMarkType::Alba) => "alba",
            ConcernKind::Hyperpigmentation(PigmentType::Melasma) => "melasma",
            ConcernKind::Hyperpigmentation(PigmentType::Pih) => "pih",
            _ => return None,
        })
    }
}

/// A topical applied through the open channels right after a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjunct {
    /// Tranexamic acid: lowers melanin production (plasmin/prostaglandin pathway in melanocytes).
    TranexamicAcid,
}

impl Adjunct {
    pub fn name(self) -> &'static str {
        match self {
            Adjunct::TranexamicAcid => "tranexamic-acid",
        }
    }
}

/// When the sessions happen and how long the result is followed.
#[derive(Debug, Clone, PartialEq)]
pub struct Protocol {
    pub sessions: u32,
    pub interval_days: f64,
    pub follow_up_days: f64,
    pub adjunct: Option<Adjunct>,
}

impl Protocol {
    /// Day of each session, the first at day 0.
    pub fn session_days(&self) -> Vec<f64> {
        (0..self.sessions).map(|k| k as f64 * self.interval_days).collect()
    }

    /// Day at which results are reported: the follow-up after the last session.
    pub fn end_day(&self) -> f64 {
        self.sessions.saturating_sub(1) as f64 * self.interval_days + self.follow_up_days
    }
}

/// Everything one simulation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub seed: u64,
    pub patient: Patient,
    pub region: Region,
    pub concerns: Vec<Concern>,
    pub device: Device,
    pub protocol: Protocol,
    /// The `[patch]` section: how the 3-D patch model lays out its voxel block (only read by
    /// `--model patch`; `None` when the file has no such section).
    pub patch: Option<PatchSettings>,
}

/// Layout of the 3-D patch model: a block of skin `size_mm` across, cubic voxels of
/// `resolution_um`, through the whole dermis under an epidermis sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchSettings {
    /// Width (x) and length (y) of the patch, millimetres.
    pub size_mm: [f64; 2],
    /// Voxel edge, micrometres.
    pub resolution_um: f64,
    /// Centre of the lesion in the patch (x, y from the patch's corner), millimetres.
    pub lesion_at_mm: [f64; 2],
    /// Days (from the first session) at which the 3-D fields are written.
    pub output_days: Vec<f64>,
    /// Also write the fields as NumPy `.npy` arrays.
    pub npy: bool,
}

impl PatchSettings {
    /// Allowed patch size, millimetres (the memory of a 10 x 10 mm block at 10 µm is ~15 GiB).
    pub const SIZE_RANGE_MM: (f64, f64) = (0.2, 10.0);
    /// Allowed voxel edge, micrometres (finer than 5 µm is below a cell; coarser than 100 µm no
    /// longer resolves a needle channel).
    pub const RESOLUTION_RANGE_UM: (f64, f64) = (5.0, 100.0);

    /// Most output days a scenario may ask for.
    pub const MAX_OUTPUT_DAYS: usize = 50;

    /// The default layout: a 2 x 2 mm patch at 20 µm, lesion in the middle, fields written at
    /// [`PatchSettings::default_output_days`].
    pub fn new_default(protocol: &Protocol) -> PatchSettings {
        PatchSettings {
            size_mm: [2.0, 2.0],
            resolution_um: 20.0,
            lesion_at_mm: [1.0, 1.0],
            output_days: PatchSettings::default_output_days(protocol),
            npy: false,
        }
    }

    /// One day after each session (inflammation at its height) and the end of follow-up.
    pub fn default_output_days(protocol: &Protocol) -> Vec<f64> {
        let end = protocol.end_day();
        let mut days: Vec<f64> = protocol.session_days().iter().map(|d| (d + 1.0).min(end)).collect();
        days.push(end);
        days.sort_by(f64::total_cmp);
        days.dedup();
        days
    }
}
