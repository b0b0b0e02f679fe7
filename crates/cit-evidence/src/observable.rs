//! What a published measure maps onto: a quantity computed from a simulated course (at the time
//! of measurement, i.e. the end of the scenario's follow-up) or from a person's untreated skin.

use crate::target::Person;
use cit_core::column::{Column, ColumnSetup, Snapshot};
use cit_core::lesion::LesionTissue;
use cit_core::params::Params;
use cit_core::scenario::Scenario;
use cit_core::simulate::SimulationResult;
use cit_core::skin::{Sex, Skin};

/// A model quantity a measure is compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observable {
    // Course, surrounding skin, end of follow-up vs before the first session (percent).
    CollagenChangePct,
    CollagenIChangePct,
    CollagenIiiChangePct,
    ElastinChangePct,
    ElastinFunctionalChangePct,
    ElastoticChangePct,
    PapillaryCollagenChangePct,
    EpidermisThicknessChangePct,
    DermisThicknessChangePct,
    FirmnessChangePct,
    // Course, side effects and device.
    RednessDays,
    DrynessDays,
    PihProbabilityPct,
    EffectiveDepthUm,
    DepthRatio,
    // Course, one concern (index into the scenario's concerns).
    GradeAfter {
        concern: usize,
    },
    GradeChange {
        concern: usize,
    },
    ImprovementPct {
        concern: usize,
    },
    /// 100 if the concern improved by at least one grade, else 0 (a cohort mean is a percentage).
    ImprovedOneGradePct {
        concern: usize,
    },
    /// 100 if the concern's grade after is at or below `grade` + 0.5 (rounds to it), else 0.
    ReachedGradePct {
        concern: usize,
        grade: f64,
    },
    // Course, time course after the first session (needs the recorded time series).
    RednessPeakDay,
    FibroblastPeakDay,
    CollagenIiiPeakDay,
    DrynessHalfLifeHours,
    /// Collagen III at the end relative to its highest level during the course (percent).
    CollagenIiiFromPeakPct,
    // Untreated person.
    EpidermisUm,
    DermisUm,
    SkinMm,
    EpidermisChangePerDecadePct,
    DermisChangePerDecadePct,
    CollagenChangeBetweenAgesPct,
}

/// Name, what it is, and the extra keys it takes: the catalogue shown in errors and docs.
pub const CATALOGUE: &[(&str, &str)] = &[
    ("collagen_change_pct", "dermal collagen (I + III), end vs before, %"),
    ("collagen_i_change_pct", "collagen I, end vs before, %"),
    ("collagen_iii_change_pct", "collagen III, end vs before, %"),
    (
        "elastin_change_pct",
        "total elastin (functional + elastotic), end vs before, %",
    ),
    (
        "elastin_functional_change_pct",
        "functional (new and intact) elastin, end vs before, %",
    ),
    (
        "elastotic_change_pct",
        "elastotic (degraded) material, end vs before, %",
    ),
    (
        "papillary_collagen_change_pct",
        "collagen of the papillary dermis, end vs before, %",
    ),
    (
        "epidermis_thickness_change_pct",
        "epidermal thickness, end vs before, %",
    ),
    ("dermis_thickness_change_pct", "dermal thickness, end vs before, %"),
    ("firmness_change_pct", "stiffness, end vs before, %"),
    ("redness_days", "longest visible redness after a session, days"),
    (
        "dryness_days",
        "longest barrier loss above the dryness threshold after a session, days",
    ),
    (
        "pih_probability_pct",
        "probability of visible post-inflammatory hyperpigmentation over the course, %",
    ),
    ("effective_depth_um", "depth the channels reach in the skin, µm"),
    ("depth_ratio", "effective depth / needle length"),
    ("grade_after", "concern grade at the end (key `concern`)"),
    (
        "grade_change",
        "concern grade end − before (negative = better; key `concern`)",
    ),
    (
        "improvement_pct",
        "concern improvement, % of the way to clear (key `concern`)",
    ),
    (
        "improved_one_grade_pct",
        "100 if ≥ 1 grade better, else 0; cohort mean = responders % (key `concern`)",
    ),
    (
        "reached_grade_pct",
        "100 if the end grade rounds to `grade` or better, else 0 (keys `concern`, `grade`)",
    ),
    (
        "redness_peak_day",
        "day of peak inflammation (redness) after the first session",
    ),
    (
        "fibroblast_peak_day",
        "day of peak activated-fibroblast density after the first session",
    ),
    (
        "collagen_iii_peak_day",
        "day of peak collagen III after the first session",
    ),
    (
        "dryness_half_life_hours",
        "hours from peak barrier loss to half of it after the first session",
    ),
    (
        "collagen_iii_from_peak_pct",
        "collagen III at the end vs its highest level, %",
    ),
    ("epidermis_um", "epidermal thickness of the person's untreated skin, µm"),
    ("dermis_um", "dermal thickness of the person's untreated skin, µm"),
    ("skin_mm", "epidermis + dermis of the person's untreated skin, mm"),
    (
        "epidermis_change_per_decade_pct",
        "epidermal thickness change per decade between `age` and `age_to`, %",
    ),
    (
        "dermis_change_per_decade_pct",
        "dermal thickness change per decade between `age` and `age_to`, %",
    ),
    (
        "collagen_change_between_ages_pct",
        "dermal collagen at `age_to` vs at `age`, %",
    ),
];

impl Observable {
    /// Parses an observable name with its optional keys (`concern`, `grade`).
    pub fn parse(name: &str, concern: Option<usize>, grade: Option<f64>) -> Result<Observable, String> {
        use Observable as O;
        let needs_concern = |make: fn(usize) -> Observable| {
            concern.map(make).ok_or_else(|| {
                format!("`{name}` needs the key `concern` (the concern's index in the scenario, from 0)")
            })
        };
        let o = match name {
            "collagen_change_pct" => O::CollagenChangePct,
            "collagen_i_change_pct" => O::CollagenIChangePct,
            "collagen_iii_change_pct" => O::CollagenIiiChangePct,
            "elastin_change_pct" => O::ElastinChangePct,
            "elastin_functional_change_pct" => O::ElastinFunctionalChangePct,
            "elastotic_change_pct" => O::ElastoticChangePct,
            "papillary_collagen_change_pct" => O::PapillaryCollagenChangePct,
            "epidermis_thickness_change_pct" => O::EpidermisThicknessChangePct,
            "dermis_thickness_change_pct" => O::DermisThicknessChangePct,
            "firmness_change_pct" => O::FirmnessChangePct,
            "redness_days" => O::RednessDays,
            "dryness_days" => O::DrynessDays,
            "pih_probability_pct" => O::PihProbabilityPct,
            "effective_depth_um" => O::EffectiveDepthUm,
            "depth_ratio" => O::DepthRatio,
            "grade_after" => needs_concern(|concern| O::GradeAfter { concern })?,
            "grade_change" => needs_concern(|concern| O::GradeChange { concern })?,
            "improvement_pct" => needs_concern(|concern| O::ImprovementPct { concern })?,
            "improved_one_grade_pct" => needs_concern(|concern| O::ImprovedOneGradePct { concern })?,
            "reached_grade_pct" => match (concern, grade) {
                (Some(concern), Some(grade)) if grade.is_finite() => O::ReachedGradePct { concern, grade },
                _ => return Err(format!("`{name}` needs the keys `concern` and `grade`")),
            },
            "redness_peak_day" => O::RednessPeakDay,
            "fibroblast_peak_day" => O::FibroblastPeakDay,
            "collagen_iii_peak_day" => O::CollagenIiiPeakDay,
            "dryness_half_life_hours" => O::DrynessHalfLifeHours,
            "collagen_iii_from_peak_pct" => O::CollagenIiiFromPeakPct,
            "epidermis_um" => O::EpidermisUm,
            "dermis_um" => O::DermisUm,
            "skin_mm" => O::SkinMm,
            "epidermis_change_per_decade_pct" => O::EpidermisChangePerDecadePct,
            "dermis_change_per_decade_pct" => O::DermisChangePerDecadePct,
            "collagen_change_between_ages_pct" => O::CollagenChangeBetweenAgesPct,
            _ => {
                let names: Vec<&str> = CATALOGUE.iter().map(|(n, _)| *n).collect();
                return Err(format!("`{name}` is not an observable; allowed: {}", names.join(", ")));
            }
        };
        if concern.is_some() && o.concern().is_none() {
            return Err(format!("`{name}` does not take the key `concern`"));
        }
        if grade.is_some() && !matches!(o, O::ReachedGradePct { .. }) {
            return Err(format!("`{name}` does not take the key `grade`"));
        }
        Ok(o)
    }

    pub fn concern(self) -> Option<usize> {
        use Observable as O;
        match self {
            O::GradeAfter { concern }
            | O::GradeChange { concern }
            | O::ImprovementPct { concern }
            | O::ImprovedOneGradePct { concern }
            | O::ReachedGradePct { concern, .. } => Some(concern),
            _ => None,
        }
    }

    /// Computed from an untreated person rather than a course.
    pub fn needs_person(self) -> bool {
        use Observable as O;
        matches!(
            self,
            O::EpidermisUm
                | O::DermisUm
                | O::SkinMm
                | O::EpidermisChangePerDecadePct
                | O::DermisChangePerDecadePct
                | O::CollagenChangeBetweenAgesPct
        )
    }

    pub fn needs_second_age(self) -> bool {
        use Observable as O;
        matches!(
            self,
            O::EpidermisChangePerDecadePct | O::DermisChangePerDecadePct | O::CollagenChangeBetweenAgesPct
        )
    }

    /// Needs the recorded time series of the course.
    pub fn needs_time_series(self) -> bool {
        use Observable as O;
        matches!(
            self,
            O::RednessPeakDay
                | O::FibroblastPeakDay
                | O::CollagenIiiPeakDay
                | O::DrynessHalfLifeHours
                | O::CollagenIiiFromPeakPct
        )
    }

    /// The value of a course observable for one simulated patient.
    pub fn of_course(self, r: &SimulationResult, scenario: &Scenario) -> f64 {
        use Observable as O;
        let pct = |f: fn(&Snapshot) -> f64| {
            let (b, a) = (f(&r.skin_before), f(&r.skin_after));
            if b.abs() > 1e-300 {
                100.0 * (a / b - 1.0)
            } else {
                0.0
            }
        };
        let s = &r.summary;
        let concern = |c: usize| &s.concerns[c];
        match self {
            O::CollagenChangePct => s.collagen_change_pct,
            O::CollagenIChangePct => s.collagen_i_change_pct,
            O::CollagenIiiChangePct => s.collagen_iii_change_pct,
            O::ElastinChangePct => s.elastin_change_pct,
            O::ElastinFunctionalChangePct => pct(|x| x.elastin_functional),
            O::ElastoticChangePct => pct(|x| x.elastotic),
            O::PapillaryCollagenChangePct => pct(|x| x.papillary_collagen),
            O::EpidermisThicknessChangePct => s.epidermis_thickness_change_pct,
            O::DermisThicknessChangePct => s.dermis_thickness_change_pct,
            O::FirmnessChangePct => s.firmness_change_pct,
            O::RednessDays => s.redness_days,
            O::DrynessDays => s.dryness_days,
            O::PihProbabilityPct => 100.0 * s.pih_probability,
            O::EffectiveDepthUm => r.effective_depth_um,
            O::DepthRatio => r.effective_depth_um / (1000.0 * scenario.device.needle_length_mm),
            O::GradeAfter { concern: c } => concern(c).after,
            O::GradeChange { concern: c } => concern(c).after - concern(c).before,
            O::ImprovementPct { concern: c } => concern(c).improvement_pct,
            O::ImprovedOneGradePct { concern: c } => indicator(concern(c).before - concern(c).after >= 1.0),
            O::ReachedGradePct { concern: c, grade } => indicator(concern(c).after < grade + 0.5),
            O::RednessPeakDay => peak_day(r, |x| x.redness),
            O::FibroblastPeakDay => peak_day(r, |x| x.fibroblasts),
            O::CollagenIiiPeakDay => peak_day(r, |x| x.collagen_iii),
            O::DrynessHalfLifeHours => half_life_hours(r, |x| x.dryness),
            O::CollagenIiiFromPeakPct => {
                let peak = r
                    .timeseries
                    .samples
                    .iter()
                    .map(|x| x.collagen_iii)
                    .fold(f64::MIN, f64::max);
                if peak > 0.0 {
                    100.0 * (r.skin_after.collagen_iii / peak - 1.0)
                } else {
                    0.0
                }
            }
            O::EpidermisUm
            | O::DermisUm
            | O::SkinMm
            | O::EpidermisChangePerDecadePct
            | O::DermisChangePerDecadePct
            | O::CollagenChangeBetweenAgesPct => f64::NAN,
        }
    }

    /// The value of a person observable.
    pub fn of_person(self, person: &Person, p: &Params) -> f64 {
        use Observable as O;
        let at = |age: f64| untreated_skin(person, age, p);
        let now = at(person.age_years);
        let then = || at(person.age_to_years.unwrap_or(person.age_years));
        let per_decade = |a: f64, b: f64| {
            let years = person.age_to_years.unwrap_or(person.age_years) - person.age_years;
            if years.abs() < 1e-9 || a <= 0.0 {
                0.0
            } else {
                100.0 * ((b / a).powf(10.0 / years) - 1.0)
            }
        };
        match self {
            O::EpidermisUm => now.epidermis_um,
            O::DermisUm => now.dermis_um,
            O::SkinMm => (now.epidermis_um + now.dermis_um) / 1000.0,
            O::EpidermisChangePerDecadePct => per_decade(now.epidermis_um, then().epidermis_um),
            O::DermisChangePerDecadePct => per_decade(now.dermis_um, then().dermis_um),
            O::CollagenChangeBetweenAgesPct => 100.0 * (then().collagen / now.collagen - 1.0),
            _ => f64::NAN,
        }
    }
}

fn indicator(b: bool) -> f64 {
    if b {
        100.0
    } else {
        0.0
    }
}

/// The person's untreated skin at `age`, as the model builds it for a course.
fn untreated_skin(person: &Person, age: f64, p: &Params) -> Snapshot {
    Column::new(
        ColumnSetup {
            skin: Skin::new(person.region, person.sex, p),
            age_years: age,
            male: person.sex == Sex::Male,
            photoaging: person.photoaging,
            skin_type: 3,
            tissue: LesionTissue::NORMAL,
        },
        p,
    )
    .snapshot()
}

/// Samples between the first session (day 0) and the second one (or the end).
fn first_session_window(r: &SimulationResult) -> &[Snapshot] {
    let second = r.sessions.get(1).map_or(f64::INFINITY, |s| s.day);
    let samples = &r.timeseries.samples;
    let end = samples.iter().position(|x| x.day >= second).unwrap_or(samples.len());
    &samples[..end]
}

/// Day of the highest value after the first session, refined by a parabola through the
/// neighbouring samples (the series is sampled every 6 hours after a session).
fn peak_day(r: &SimulationResult, f: fn(&Snapshot) -> f64) -> f64 {
    let w = first_session_window(r);
    let Some((k, _)) = w.iter().enumerate().max_by(|a, b| f(a.1).total_cmp(&f(b.1))) else {
        return f64::NAN;
    };
    if k == 0 || k + 1 >= w.len() {
        return w[k].day;
    }
    let (t0, t1, t2) = (w[k - 1].day, w[k].day, w[k + 1].day);
    let (y0, y1, y2) = (f(&w[k - 1]), f(&w[k]), f(&w[k + 1]));
    // Vertex of the parabola through three (possibly unevenly spaced) points.
    let d0 = (y1 - y0) / (t1 - t0);
    let d1 = (y2 - y1) / (t2 - t1);
    let curvature = (d1 - d0) / (t2 - t0);
    if curvature >= 0.0 {
        return t1;
    }
    let vertex = 0.5 * (t0 + t1) - d0 / (2.0 * curvature);
    vertex.clamp(t0, t2)
}

/// Hours from the highest value after the first session to the first time it falls to half.
fn half_life_hours(r: &SimulationResult, f: fn(&Snapshot) -> f64) -> f64 {
    let w = first_session_window(r);
    let Some((k, peak)) = w
        .iter()
        .enumerate()
        .map(|(i, x)| (i, f(x)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
    else {
        return f64::NAN;
    };
    let half = 0.5 * peak;
    for i in k + 1..w.len() {
        let (a, b) = (f(&w[i - 1]), f(&w[i]));
        if b <= half {
            let frac = if a > b { (a - half) / (a - b) } else { 1.0 };
            let t = w[i - 1].day + frac * (w[i].day - w[i - 1].day);
            return 24.0 * (t - w[k].day);
        }
    }
    f64::NAN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogued_name_parses_with_its_keys() {
        for (name, _) in CATALOGUE {
            let o = Observable::parse(name, Some(0), Some(2.0))
                .or_else(|_| Observable::parse(name, Some(0), None))
                .or_else(|_| Observable::parse(name, None, None));
            assert!(o.is_ok(), "{name}");
        }
    }

    #[test]
    fn unknown_names_and_missing_keys_are_explained() {
        let e = Observable::parse("collagen", None, None).unwrap_err();
        assert!(e.contains("allowed") && e.contains("collagen_change_pct"), "{e}");
        let e = Observable::parse("grade_after", None, None).unwrap_err();
        assert!(e.contains("`concern`"), "{e}");
        let e = Observable::parse("redness_days", Some(1), None).unwrap_err();
        assert!(e.contains("does not take"), "{e}");
    }
}
