//! One scenario end to end on a patch: lay out the lesion, place every session's punctures,
//! step through the sessions and the follow-up, and summarise in the column model's terms
//! (the same [`SimulationResult`], so reports and plots work unchanged), with the concern grades
//! computed from the patch's own geometry.

use crate::geometry::{place_lesion, LayoutError, PlacedLesion};
use crate::grid::Grid;
use crate::patch::{Patch, PatchSetup, Region, WorkCounters};
use crate::punctures::{place_punctures, session_rng, Puncture};
use cit_core::ageing;
use cit_core::column::{SessionEffects, Snapshot, StepControl};
use cit_core::outcome::{self, GradeInputs};
use cit_core::params::Params;
use cit_core::scenario::{PatchSettings, Scenario};
use cit_core::simulate::{sample_days, ConcernOutcome, DepthProfile, SimulationResult, Summary, TimeSeries};
use cit_core::skin::{Sex, Skin};

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatchOptions {
    /// Keep a time series.
    pub record: bool,
    pub control: StepControl,
}

impl Default for PatchOptions {
    fn default() -> Self {
        PatchOptions {
            record: true,
            control: StepControl::default(),
        }
    }
}

/// The punctures of one session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionPunctures {
    pub day: f64,
    pub punctures: Vec<Puncture>,
    /// Channel depth in normal skin, µm.
    pub depth_um: f64,
    pub needle_radius_um: f64,
}

/// Everything a patch run produced.
#[derive(Debug, Clone)]
pub struct PatchResult {
    /// Summary, time series (surrounding skin) and grades, in the column model's terms.
    pub result: SimulationResult,
    pub sessions: Vec<SessionPunctures>,
    pub grid: Grid,
    pub lesion: Option<PlacedLesion>,
    pub work: WorkCounters,
}

/// What the run reports as it goes.
pub trait Observer {
    /// The simulated day reached (called after every step).
    fn progress(&mut self, _day: f64, _end_day: f64) {}
    /// The patch at one of the output days.
    fn frame(&mut self, _patch: &Patch) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl Observer for Quiet {}

/// The person's patch for a scenario, before treatment.
pub fn build_patch(scenario: &Scenario, settings: &PatchSettings, p: &Params) -> Result<Patch, LayoutError> {
    let patient = &scenario.patient;
    let skin = Skin::new(scenario.region, patient.sex, p);
    let age_matrix = ageing::matrix_at_age(patient.age_years, patient.photoaging, p);
    let dermis_now_um = skin.dermis_um * ageing::dermis_thickness_factor(age_matrix.collagen, p);
    let size_um = (settings.size_mm[0] * 1000.0, settings.size_mm[1] * 1000.0);
    let lesion_at_um = (settings.lesion_at_mm[0] * 1000.0, settings.lesion_at_mm[1] * 1000.0);
    let lesion = place_lesion(
        scenario,
        size_um,
        lesion_at_um,
        settings.resolution_um,
        dermis_now_um,
        p,
    )?;
    let setup = PatchSetup {
        skin,
        age_years: patient.age_years,
        male: patient.sex == Sex::Male,
        photoaging: patient.photoaging,
        skin_type: patient.skin_type,
        lesion,
    };
    Ok(Patch::new(setup, size_um, settings.resolution_um, p))
}

/// Runs `scenario` on a patch laid out as `settings`.
pub fn simulate_patch(
    scenario: &Scenario,
    settings: &PatchSettings,
    p: &Params,
    options: PatchOptions,
    observer: &mut dyn Observer,
) -> Result<PatchResult, LayoutError> {
    let mut patch = build_patch(scenario, settings, p)?;
    patch.control = options.control;
    let lesion = patch_lesion(&patch, scenario, settings, p)?;
    let lesion_region = if lesion.is_some() {
        Region::Lesion
    } else {
        Region::Surrounding
    };
    let before = [patch.snapshot(Region::Surrounding), patch.snapshot(lesion_region)];
    let before_profile = patch.collagen_profile(Region::Surrounding);
    let patient = &scenario.patient;
    let fat_before = ageing::fat_volume_factor(patient.age_years, p);

    let samples = if options.record {
        sample_days(scenario)
    } else {
        Vec::new()
    };
    let mut recorded: [Vec<Snapshot>; 2] = [Vec::new(), Vec::new()];
    let session_days = scenario.protocol.session_days();
    let end = scenario.protocol.end_day();
    let mut stops: Vec<f64> = session_days
        .iter()
        .chain(&settings.output_days)
        .copied()
        .chain(std::iter::once(end))
        .filter(|d| *d <= end)
        .collect();
    stops.sort_by(f64::total_cmp);
    stops.dedup();

    let adjunct = scenario.protocol.adjunct.is_some();
    let size_um = patch.grid.size_um();
    let mut sessions_out = Vec::new();
    let mut effects: Vec<SessionEffects> = Vec::new();
    let mut melanin_at_session = 1.0;
    let mut next_sample = 0usize;
    let mut prev = before;
    if next_sample < samples.len() && samples[next_sample] <= 1e-12 {
        recorded[0].push(before[0]);
        recorded[1].push(before[1]);
        next_sample += 1;
    }
    for &stop in &stops {
        patch.advance(stop, &mut |pa: &Patch| {
            let now = [pa.snapshot(Region::Surrounding), pa.snapshot(lesion_region)];
            while next_sample < samples.len() && samples[next_sample] <= now[0].day + 1e-12 {
                let (a, b) = (prev[0].day, now[0].day);
                let w = if b > a {
                    ((samples[next_sample] - a) / (b - a)).clamp(0.0, 1.0)
                } else {
                    1.0
                };
                recorded[0].push(Snapshot::lerp(&prev[0], &now[0], w));
                recorded[1].push(Snapshot::lerp(&prev[1], &now[1], w));
                next_sample += 1;
            }
            if let Some(last) = effects.last_mut() {
                last.track_step(
                    &(&prev[0]).into(),
                    &(&now[0]).into(),
                    p.barrier_dryness_threshold,
                    melanin_at_session,
                );
            }
            prev = now;
            observer.progress(pa.day, end);
        });
        if let Some(k) = session_days.iter().position(|d| (d - stop).abs() < 1e-9) {
            let now = patch.snapshot(Region::Surrounding);
            let field = scenario.device.puncture_field(now.epidermis_um + now.dermis_um, p);
            let margin = field.needle_radius_um + field.halo_um;
            let punctures = place_punctures(&scenario.device, p, size_um, margin, &mut session_rng(scenario.seed, k));
            patch.apply_session(&field, &punctures, adjunct);
            let inside = punctures
                .iter()
                .filter(|q| q.x_um >= 0.0 && q.y_um >= 0.0 && q.x_um < size_um.0 && q.y_um < size_um.1)
                .count();
            melanin_at_session = now.melanin;
            effects.push(SessionEffects {
                day: stop,
                redness_days: 0.0,
                dryness_days: 0.0,
                melanin_rise: 0.0,
                depth_um: field.depth_um,
                holes_per_cm2: inside as f64 / (size_um.0 * size_um.1 * 1e-8),
            });
            sessions_out.push(SessionPunctures {
                day: stop,
                punctures,
                depth_um: field.depth_um,
                needle_radius_um: field.needle_radius_um,
            });
            prev = [patch.snapshot(Region::Surrounding), patch.snapshot(lesion_region)];
        }
        if settings.output_days.iter().any(|d| (d - stop).abs() < 1e-9) {
            observer.frame(&patch);
        }
    }

    let after = [patch.snapshot(Region::Surrounding), patch.snapshot(lesion_region)];
    let grade_at = |ci: usize, normal: &Snapshot, les: &Snapshot, fat_volume: f64| {
        let concern = &scenario.concerns[ci];
        let is_lesion = lesion.is_some_and(|l| l.concern == ci);
        let inputs = GradeInputs {
            normal,
            lesion: if is_lesion { les } else { normal },
            normal_before: &before[0],
            lesion_before: if is_lesion { &before[1] } else { &before[0] },
            fat_volume,
            fat_volume_before: fat_before,
            mimic_folds: scenario.region.anatomy().mimic_folds,
        };
        outcome::grade(concern.kind, concern.severity, &inputs, p)
    };
    let fat_after = ageing::fat_volume_factor(patient.age_years + ageing::days_to_years(end), p);
    let face = scenario.region.is_face();
    let concerns: Vec<ConcernOutcome> = scenario
        .concerns
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let after_grade = grade_at(ci, &after[0], &after[1], fat_after);
            ConcernOutcome {
                kind: c.kind,
                scale: outcome::scale(c.kind, face).name,
                before: c.severity,
                after: after_grade,
                improvement_pct: outcome::improvement_pct(c.kind, c.severity, after_grade),
            }
        })
        .collect();
    let grades = (0..scenario.concerns.len())
        .map(|ci| {
            recorded[0]
                .iter()
                .zip(&recorded[1])
                .map(|(n, l)| {
                    let age = patient.age_years + ageing::days_to_years(n.day);
                    grade_at(ci, n, l, ageing::fat_volume_factor(age, p))
                })
                .collect()
        })
        .collect();
    let (nb, na) = (&before[0], &after[0]);
    let summary = Summary::of_skin(nb, na, &effects, concerns, p);
    let field_info = effects
        .last()
        .map(|s| (s.depth_um, s.holes_per_cm2))
        .unwrap_or((0.0, 0.0));
    let [normal_series, _] = recorded;
    let result = SimulationResult {
        summary,
        sessions: effects,
        timeseries: TimeSeries {
            samples: normal_series,
            grades,
        },
        depth_profile: DepthProfile {
            depth_um: patch.layer_depths_um(Region::Surrounding),
            collagen_before: before_profile,
            collagen_after: patch.collagen_profile(Region::Surrounding),
        },
        effective_depth_um: field_info.0,
        holes_per_cm2: field_info.1,
        skin_before: *nb,
        skin_after: *na,
    };
    Ok(PatchResult {
        result,
        sessions: sessions_out,
        grid: patch.grid,
        lesion,
        work: patch.work,
    })
}

/// The lesion the patch was built with (re-derived from the layout, which `build_patch` checked).
fn patch_lesion(
    patch: &Patch,
    scenario: &Scenario,
    settings: &PatchSettings,
    p: &Params,
) -> Result<Option<PlacedLesion>, LayoutError> {
    if patch.region_pixels(Region::Lesion) == 0 {
        return Ok(None);
    }
    let patient = &scenario.patient;
    let skin = Skin::new(scenario.region, patient.sex, p);
    let age_matrix = ageing::matrix_at_age(patient.age_years, patient.photoaging, p);
    let dermis_now_um = skin.dermis_um * ageing::dermis_thickness_factor(age_matrix.collagen, p);
    place_lesion(
        scenario,
        (settings.size_mm[0] * 1000.0, settings.size_mm[1] * 1000.0),
        (settings.lesion_at_mm[0] * 1000.0, settings.lesion_at_mm[1] * 1000.0),
        settings.resolution_um,
        dermis_now_um,
        p,
    )
}
