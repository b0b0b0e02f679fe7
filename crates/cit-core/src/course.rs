//! A course of treatment as a stepwise state: the person's skin columns (surrounding skin and one
//! lesion column per local concern), advanced in time, needled session by session, graded at any
//! instant.
//!
//! [`crate::simulate::simulate`] runs a whole [`crate::scenario::Scenario`] through it. The planner
//! drives it directly: one course per virtual patient and candidate setting, reading each
//! concern's grade before every next session, and cloning the state to project the follow-up
//! after any number of sessions without re-running the sessions before it.

use crate::ageing;
use crate::column::{Column, ColumnSetup, SessionEffects, Snapshot, StepControl};
use crate::device::{Device, PunctureField};
use crate::lesion::{lesion_tissue, LesionTissue};
use crate::outcome::{self, GradeInputs};
use crate::params::Params;
use crate::scenario::{Concern, Patient};
use crate::skin::{Region, Sex, Skin};

/// The skin of one person at one site, with its concerns, from the first session on.
#[derive(Debug, Clone)]
pub struct Course {
    /// Column 0 is the surrounding (normal) skin; each concern with a local lesion adds its own.
    pub(crate) columns: Vec<Column>,
    /// `column_of[c]`: the column concern `c` is graded on (0 for whole-area concerns).
    pub(crate) column_of: Vec<usize>,
    /// Every column at day 0, before the first session.
    pub(crate) before: Vec<Snapshot>,
    concerns: Vec<Concern>,
    age_years: f64,
    fat_before: f64,
    face: bool,
    mimic_folds: bool,
}

impl Course {
    /// The person's skin at the start of treatment (day 0), nothing needled yet.
    pub fn new(patient: &Patient, region: Region, concerns: &[Concern], p: &Params, control: StepControl) -> Course {
        let skin = Skin::new(region, patient.sex, p);
        let age_matrix = ageing::matrix_at_age(patient.age_years, patient.photoaging, p);
        let new_column = |tissue: LesionTissue| {
            let setup = ColumnSetup {
                skin: skin.clone(),
                age_years: patient.age_years,
                male: patient.sex == Sex::Male,
                photoaging: patient.photoaging,
                skin_type: patient.skin_type,
                tissue,
            };
            let mut col = Column::with_age_matrix(setup, p, age_matrix);
            col.control = control;
            col
        };
        let mut columns = vec![new_column(LesionTissue::NORMAL)];
        let dermis_now_um = columns[0].snapshot().dermis_um;
        let mut column_of = Vec::with_capacity(concerns.len());
        for c in concerns {
            let tissue = lesion_tissue(c.kind, c.severity, dermis_now_um, skin.face, p);
            if tissue.is_normal() {
                column_of.push(0);
            } else {
                columns.push(new_column(tissue));
                column_of.push(columns.len() - 1);
            }
        }
        let before = columns.iter().map(Column::snapshot).collect();
        Course {
            columns,
            column_of,
            before,
            concerns: concerns.to_vec(),
            age_years: patient.age_years,
            fat_before: ageing::fat_volume_factor(patient.age_years, p),
            face: skin.face,
            mimic_folds: skin.mimic_folds,
        }
    }

    /// Days since the first session.
    pub fn day(&self) -> f64 {
        self.columns[0].day
    }

    /// Whether the site is on the face (which scale some concerns use).
    pub fn face(&self) -> bool {
        self.face
    }

    /// Advances every column to `day` (no recording).
    pub fn advance(&mut self, day: f64) {
        for col in &mut self.columns {
            col.advance_quietly(day);
        }
    }

    /// Needles the site now with `device`. The channels' depth is capped by the surrounding skin's
    /// thickness today; every column receives the same field.
    pub fn apply_session(&mut self, device: &Device, adjunct: bool, p: &Params) -> PunctureField {
        let now = self.columns[0].snapshot();
        let field = device.puncture_field(now.epidermis_um + now.dermis_um, p);
        if let Some((surroundings, lesions)) = self.columns.split_first_mut() {
            for lesion in lesions {
                lesion.follow_surroundings(surroundings);
            }
        }
        for col in &mut self.columns {
            col.apply_session(&field, adjunct);
        }
        field
    }

    /// What each session did so far (surrounding skin: redness, dryness, melanin rise).
    pub fn sessions(&self) -> &[SessionEffects] {
        self.columns[0].sessions()
    }

    /// Grade of concern `c` on its scale, given the surrounding and lesion tissue at one instant.
    pub fn grade_of(&self, c: usize, normal: &Snapshot, lesion: &Snapshot, p: &Params) -> f64 {
        let concern = &self.concerns[c];
        let age = self.age_years + ageing::days_to_years(normal.day);
        let inputs = GradeInputs {
            normal,
            lesion,
            normal_before: &self.before[0],
            lesion_before: &self.before[self.column_of[c]],
            fat_volume: ageing::fat_volume_factor(age, p),
            fat_volume_before: self.fat_before,
            mimic_folds: self.mimic_folds,
        };
        outcome::grade(concern.kind, concern.severity, &inputs, p)
    }

    /// Grade of every concern now, on its scale.
    pub fn grades(&self, p: &Params) -> Vec<f64> {
        let normal = self.columns[0].snapshot();
        (0..self.concerns.len())
            .map(|c| self.grade_of(c, &normal, &self.columns[self.column_of[c]].snapshot(), p))
            .collect()
    }

    /// The surrounding skin now.
    pub fn snapshot(&self) -> Snapshot {
        self.columns[0].snapshot()
    }
}
