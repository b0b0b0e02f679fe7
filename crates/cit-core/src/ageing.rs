//! Ageing as turnover.
//!
//! Collagen and elastin are made by fibroblasts whose synthesis declines with age, and degraded at
//! a slow first-order rate (collagen half-life ~15 years), faster in photoaged skin. The state of
//! a patient's skin before treatment is the trajectory of this turnover from age 25 (peak
//! collagen) to the patient's age; the same turnover keeps running during and after treatment,
//! which is why results fade and total collagen declines again with age.

use crate::params::Params;

const DAYS_PER_YEAR: f64 = 365.25;
/// Peak collagen is reached in the mid-twenties (Sibilla et al.; Reilly & Lozano 2021).
pub const PEAK_AGE_YEARS: f64 = 25.0;

/// Relative synthesis capacity at `age` (1 at 25 and below).
pub fn synthesis_factor(age_years: f64, p: &Params) -> f64 {
    (-p.ageing_synthesis_decline_per_year * (age_years - PEAK_AGE_YEARS).max(0.0)).exp()
}

/// Relative fibroblast proliferation capacity at `age`.
pub fn proliferation_factor(age_years: f64, p: &Params) -> f64 {
    (-p.fibroblast_proliferation_decline_per_year * (age_years - PEAK_AGE_YEARS).max(0.0)).exp()
}

/// Collagen degradation rate per day for Glogau grade `photo` (1..=4), individual multiplier included.
pub fn collagen_degradation_per_day(photo: u8, p: &Params) -> f64 {
    let base = std::f64::consts::LN_2 / (p.ageing_collagen_half_life_years * DAYS_PER_YEAR);
    base * p.collagen_turnover_multiplier * photo_factor(photo, p)
}

fn photo_factor(photo: u8, p: &Params) -> f64 {
    1.0 + p.ageing_photo_degradation_per_grade * (photo.max(1) - 1) as f64
}

pub fn elastin_degradation_per_day(p: &Params) -> f64 {
    std::f64::consts::LN_2 / (p.ageing_elastin_half_life_years * DAYS_PER_YEAR)
}

pub fn elastotic_degradation_per_day(p: &Params) -> f64 {
    std::f64::consts::LN_2 / (p.ageing_elastotic_half_life_years * DAYS_PER_YEAR)
}

/// Conversion of functional into elastotic elastin per day (photoageing).
pub fn elastosis_per_day(photo: u8, p: &Params) -> f64 {
    p.ageing_elastosis_per_grade_per_year * (photo.max(1) - 1) as f64 / DAYS_PER_YEAR
}

/// Matrix content of normal skin over a lifetime, relative to age 25 (= 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatrixAtAge {
    /// Total collagen (I + III).
    pub collagen: f64,
    /// Functional elastin.
    pub elastin: f64,
    /// Elastotic (degraded) elastin.
    pub elastotic: f64,
}

/// Integrates the turnover ODEs of normal skin from age 25 (collagen and elastin at 1, no
/// elastotic material) to `age_years`:
///   dC/dt = delta_c * S(a) - delta_c(photo) * C        (synthesis balances degradation at 25)
///   dE/dt = delta_e * S(a) - (delta_e + k_el(photo)) E
///   dEd/dt = k_el(photo) E - delta_ed Ed
/// with S(a) the synthesis factor. Exact exponential steps of one month (S is piecewise constant).
pub fn matrix_at_age(age_years: f64, photo: u8, p: &Params) -> MatrixAtAge {
    let mut m = MatrixAtAge {
        collagen: 1.0,
        elastin: 1.0,
        elastotic: 0.0,
    };
    let years = (age_years - PEAK_AGE_YEARS).max(0.0);
    let steps = (years * 12.0).ceil() as usize;
    if steps == 0 {
        return m;
    }
    let h = years * DAYS_PER_YEAR / steps as f64;
    let dc0 = collagen_degradation_per_day(1, p);
    let dc = collagen_degradation_per_day(photo, p);
    let de = elastin_degradation_per_day(p);
    let kel = elastosis_per_day(photo, p);
    let ded = elastotic_degradation_per_day(p);
    for k in 0..steps {
        let age_mid = PEAK_AGE_YEARS + (k as f64 + 0.5) * h / DAYS_PER_YEAR;
        let s = synthesis_factor(age_mid, p);
        m.collagen = relax(m.collagen, dc0 * s / dc, dc, h);
        let e_old = m.elastin;
        m.elastin = relax(m.elastin, de * s / (de + kel), de + kel, h);
        // Elastotic material gains what photoageing converts (midpoint rule) and decays.
        let converted = kel * 0.5 * (e_old + m.elastin);
        m.elastotic = relax(m.elastotic, converted / ded, ded, h);
    }
    m
}

/// Exact solution of dx/dt = rate * (target - x) over `h`.
fn relax(x: f64, target: f64, rate: f64, h: f64) -> f64 {
    target + (x - target) * (-rate * h).exp()
}

/// Epidermal thickness relative to age 25 (Branchet 1990: a fixed loss per decade, by sex).
pub fn epidermis_factor(age_years: f64, male: bool, p: &Params) -> f64 {
    let per_decade = if male {
        p.anatomy_epidermis_loss_per_decade_male
    } else {
        p.anatomy_epidermis_loss_per_decade_female
    };
    (1.0 - per_decade).powf((age_years - PEAK_AGE_YEARS).max(0.0) / 10.0)
}

/// Subcutaneous volume relative to age 25.
pub fn fat_volume_factor(age_years: f64, p: &Params) -> f64 {
    (1.0 - p.ageing_fat_loss_per_decade).powf((age_years - PEAK_AGE_YEARS).max(0.0) / 10.0)
}

/// Dermal thickness relative to age 25 for a relative matrix content (collagen share of thickness).
pub fn dermis_thickness_factor(collagen: f64, p: &Params) -> f64 {
    p.anatomy_matrix_thickness_share * collagen + (1.0 - p.anatomy_matrix_thickness_share)
}

pub fn years_to_days(years: f64) -> f64 {
    years * DAYS_PER_YEAR
}

pub fn days_to_years(days: f64) -> f64 {
    days / DAYS_PER_YEAR
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn no_ageing_before_peak() {
        let p = Params::shipped();
        let m = matrix_at_age(20.0, 1, &p);
        assert_eq!(m.collagen, 1.0);
        assert_eq!(m.elastotic, 0.0);
    }

    #[test]
    fn without_synthesis_decline_collagen_stays_at_steady_state() {
        // Analytic steady state: synthesis equals degradation at every age.
        let mut p = Params::shipped();
        p.ageing_synthesis_decline_per_year = 0.0;
        let m = matrix_at_age(70.0, 1, &p);
        assert_relative_eq!(m.collagen, 1.0, epsilon = 1e-12);
    }

    #[test]
    fn constant_synthesis_drop_relaxes_with_the_collagen_half_life() {
        // With photoageing the degradation rate doubles: C relaxes from 1 to 1/2 with rate 2*delta.
        let mut p = Params::shipped();
        p.ageing_synthesis_decline_per_year = 0.0;
        p.ageing_photo_degradation_per_grade = 1.0 / 3.0; // grade 4 -> factor 2
        let years = 30.0;
        let m = matrix_at_age(25.0 + years, 4, &p);
        let rate = 2.0 * collagen_degradation_per_day(1, &p);
        let exact = 0.5 + 0.5 * (-rate * years_to_days(years)).exp();
        assert_relative_eq!(m.collagen, exact, epsilon = 1e-9);
    }

    #[test]
    fn collagen_falls_with_age_and_with_photoageing() {
        let p = Params::shipped();
        let c = |a, g| matrix_at_age(a, g, &p).collagen;
        assert!(c(70.0, 1) < c(45.0, 1) && c(45.0, 1) < c(30.0, 1));
        assert!(c(60.0, 3) < c(60.0, 1));
        assert!(matrix_at_age(60.0, 3, &p).elastotic > 0.0);
    }
}
