//! One scenario end to end: build the person's skin columns (surrounding skin and one lesion
//! column per concern), run the sessions and the follow-up, and summarise.

use crate::column::{Column, SessionEffects, Snapshot, StepControl};
use crate::course::Course;
use crate::outcome;
use crate::params::Params;
use crate::scenario::{ConcernKind, Scenario};

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Keep a time series (cohorts switch it off).
    pub record: bool,
    pub control: StepControl,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            record: true,
            control: StepControl::default(),
        }
    }
}

/// One concern before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcernOutcome {
    pub kind: ConcernKind,
    pub scale: &'static str,
    pub before: f64,
    pub after: f64,
    pub improvement_pct: f64,
}

/// The numbers of `product.md` "JSON result".
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub collagen_change_pct: f64,
    pub collagen_i_change_pct: f64,
    pub collagen_iii_change_pct: f64,
    pub elastin_change_pct: f64,
    pub epidermis_thickness_change_pct: f64,
    pub dermis_thickness_change_pct: f64,
    pub firmness_change_pct: f64,
    pub redness_days: f64,
    pub dryness_days: f64,
    pub pih_probability: f64,
    pub concerns: Vec<ConcernOutcome>,
}

impl Summary {
    /// The summary of a course from the surrounding skin before and after, the sessions' side
    /// effects and the concerns' outcomes (shared by the column and the patch model).
    pub fn of_skin(
        before: &Snapshot,
        after: &Snapshot,
        sessions: &[SessionEffects],
        concerns: Vec<ConcernOutcome>,
        p: &Params,
    ) -> Summary {
        let pct = |a: f64, b: f64| if b.abs() > 1e-300 { 100.0 * (a / b - 1.0) } else { 0.0 };
        Summary {
            collagen_change_pct: pct(after.collagen, before.collagen),
            collagen_i_change_pct: pct(after.collagen_i, before.collagen_i),
            collagen_iii_change_pct: pct(after.collagen_iii, before.collagen_iii),
            elastin_change_pct: pct(after.elastin(), before.elastin()),
            epidermis_thickness_change_pct: pct(after.epidermis_um, before.epidermis_um),
            dermis_thickness_change_pct: pct(after.dermis_um, before.dermis_um),
            firmness_change_pct: pct(after.stiffness, before.stiffness),
            redness_days: sessions.iter().map(|s| s.redness_days).fold(0.0, f64::max),
            dryness_days: sessions.iter().map(|s| s.dryness_days).fold(0.0, f64::max),
            pih_probability: pih_probability(sessions, p),
            concerns,
        }
    }
}

/// Samples over the course (surrounding skin), with each concern's grade.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimeSeries {
    pub samples: Vec<Snapshot>,
    /// grades[c][k]: grade of concern c at sample k.
    pub grades: Vec<Vec<f64>>,
}

/// Collagen by depth before treatment and at the end.
#[derive(Debug, Clone, PartialEq)]
pub struct DepthProfile {
    pub depth_um: Vec<f64>,
    pub collagen_before: Vec<f64>,
    pub collagen_after: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimulationResult {
    pub summary: Summary,
    pub sessions: Vec<SessionEffects>,
    pub timeseries: TimeSeries,
    pub depth_profile: DepthProfile,
    pub effective_depth_um: f64,
    pub holes_per_cm2: f64,
    /// The surrounding skin before the first session and at the end of follow-up (the time of
    /// measurement), for observables the summary does not carry (papillary collagen, elastin kinds).
    pub skin_before: Snapshot,
    pub skin_after: Snapshot,
}

/// Sample times: every 6 h for the 14 days after each session, daily otherwise.
pub fn sample_days(scenario: &Scenario) -> Vec<f64> {
    let end = scenario.protocol.end_day();
    let sessions = scenario.protocol.session_days();
    let mut days = Vec::new();
    let mut t: f64 = 0.0;
    while t <= end + 1e-9 {
        days.push(t);
        let fine = sessions.iter().any(|&s| t >= s - 1e-9 && t < s + 14.0 - 1e-9);
        t = if fine {
            (t * 4.0).round() / 4.0 + 0.25
        } else {
            t.floor() + 1.0
        };
    }
    days
}

/// Runs `scenario` with parameters `p`.
pub fn simulate(scenario: &Scenario, p: &Params, options: Options) -> SimulationResult {
    let patient = &scenario.patient;
    let mut course = Course::new(patient, scenario.region, &scenario.concerns, p, options.control);
    let before_profile = course.columns[0].collagen_profile();

    let samples = if options.record {
        sample_days(scenario)
    } else {
        Vec::new()
    };
    let mut recorded: Vec<Vec<Snapshot>> = vec![Vec::with_capacity(samples.len()); course.columns.len()];

    let session_days = scenario.protocol.session_days();
    let adjunct = scenario.protocol.adjunct.is_some();
    let end = scenario.protocol.end_day();
    let mut field_info = (0.0, 0.0);
    let mut next_sample = 0;
    for (s_idx, &day) in session_days
        .iter()
        .enumerate()
        .chain(std::iter::once((session_days.len(), &end)))
    {
        // Advance every column to `day`, recording the samples on the way.
        let first_sample = next_sample;
        for (col, rec) in course.columns.iter_mut().zip(&mut recorded) {
            let mut k = first_sample;
            if !options.record {
                col.advance_quietly(day);
                continue;
            }
            if k < samples.len() && samples[k] <= col.day + 1e-12 {
                rec.push(col.snapshot());
                k += 1;
            }
            col.advance(day, &mut |a, b| {
                while k < samples.len() && samples[k] <= b.day + 1e-12 {
                    let w = if b.day > a.day {
                        ((samples[k] - a.day) / (b.day - a.day)).clamp(0.0, 1.0)
                    } else {
                        1.0
                    };
                    rec.push(Snapshot::lerp(a, b, w));
                    k += 1;
                }
            });
            next_sample = k;
        }
        if s_idx < session_days.len() {
            let field = course.apply_session(&scenario.device, adjunct, p);
            field_info = (field.depth_um, field.holes_per_cm2);
        }
    }

    let after: Vec<Snapshot> = course.columns.iter().map(Column::snapshot).collect();
    let column_of = &course.column_of;
    let concerns: Vec<ConcernOutcome> = scenario
        .concerns
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let after = course.grade_of(ci, &after[0], &after[column_of[ci]], p);
            ConcernOutcome {
                kind: c.kind,
                scale: outcome::scale(c.kind, course.face()).name,
                before: c.severity,
                after,
                improvement_pct: outcome::improvement_pct(c.kind, c.severity, after),
            }
        })
        .collect();

    let grades = (0..scenario.concerns.len())
        .map(|ci| {
            recorded[0]
                .iter()
                .zip(&recorded[column_of[ci]])
                .map(|(n, l)| course.grade_of(ci, n, l, p))
                .collect()
        })
        .collect();
    let normal = &course.columns[0];
    let (normal_before, normal_after) = (&course.before[0], &after[0]);
    let timeseries = TimeSeries {
        samples: std::mem::take(&mut recorded[0]),
        grades,
    };

    let sessions = normal.sessions().to_vec();
    let summary = Summary::of_skin(normal_before, normal_after, &sessions, concerns, p);
    SimulationResult {
        summary,
        sessions,
        timeseries,
        depth_profile: DepthProfile {
            depth_um: normal.layer_depths_um(),
            collagen_before: before_profile,
            collagen_after: normal.collagen_profile(),
        },
        effective_depth_um: field_info.0,
        holes_per_cm2: field_info.1,
        skin_before: *normal_before,
        skin_after: *normal_after,
    }
}

/// Probability of visible PIH over the course: each session's melanin rise is compared with a
/// visibility threshold that varies log-normally between people; sessions are independent chances.
pub fn pih_probability(sessions: &[SessionEffects], p: &Params) -> f64 {
    let mut none = 1.0;
    for s in sessions {
        if s.melanin_rise > 0.0 {
            let z = (s.melanin_rise / p.pigment_pih_threshold).ln() / p.pigment_pih_threshold_spread;
            none *= 1.0 - normal_cdf(z);
        }
    }
    1.0 - none
}

/// Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7).
pub fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.3275911 * x);
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}
