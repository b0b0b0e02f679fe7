//! Clinic-level behaviour the model must show (model.md §6, product.md), obtained by simulating
//! scenarios — nothing here special-cases the model.

use cit_core::device::Device;
use cit_core::params::Params;
use cit_core::scenario::*;
use cit_core::simulate::{simulate, Options, SimulationResult};
use cit_core::skin::{Region, Sex};

fn scenario(
    region: Region,
    concern: ConcernKind,
    severity: f64,
    device: &str,
    needle_mm: f64,
    sessions: u32,
) -> Scenario {
    Scenario {
        name: "behaviour".into(),
        seed: 1,
        patch: None,
        patient: Patient {
            age_years: 40.0,
            sex: Sex::Female,
            skin_type: 3,
            photoaging: 2,
        },
        region,
        concerns: vec![Concern {
            kind: concern,
            severity,
        }],
        device: Device::typical(device, needle_mm, 3).unwrap(),
        protocol: Protocol {
            sessions,
            interval_days: 30.0,
            follow_up_days: 90.0,
            adjunct: None,
        },
    }
}

fn run(s: &Scenario) -> SimulationResult {
    simulate(s, &Params::shipped(), Options::default())
}

fn improvement(s: &Scenario) -> f64 {
    run(s).summary.concerns[0].improvement_pct
}

#[test]
fn redness_fades_within_a_week_at_usual_settings_and_lasts_longer_when_deeper() {
    for (device, mm) in [
        ("pen", 0.5),
        ("pen", 1.0),
        ("pen", 1.5),
        ("roller", 1.0),
        ("roller", 1.5),
        ("stamp", 1.5),
    ] {
        let r = run(&scenario(Region::Cheek, ConcernKind::Texture, 2.0, device, mm, 3));
        assert!(
            r.summary.redness_days < 7.0,
            "{device} {mm} mm: redness {} days",
            r.summary.redness_days
        );
    }
    let shallow = run(&scenario(Region::Cheek, ConcernKind::Texture, 2.0, "pen", 1.0, 1))
        .summary
        .redness_days;
    let deep = run(&scenario(Region::Back, ConcernKind::Texture, 2.0, "pen", 2.5, 1))
        .summary
        .redness_days;
    assert!(deep > shallow, "deep {deep} <= shallow {shallow}");
}

#[test]
fn dryness_recovers_within_about_three_days_at_shallow_settings_and_later_when_deeper() {
    for (device, mm) in [("pen", 0.25), ("pen", 0.5), ("roller", 0.5)] {
        let r = run(&scenario(Region::Cheek, ConcernKind::Texture, 2.0, device, mm, 1));
        assert!(
            r.summary.dryness_days <= 3.0,
            "{device} {mm} mm: dryness {} days",
            r.summary.dryness_days
        );
    }
    let a = run(&scenario(Region::Cheek, ConcernKind::Texture, 2.0, "pen", 0.5, 1))
        .summary
        .dryness_days;
    let b = run(&scenario(Region::Cheek, ConcernKind::Texture, 2.0, "pen", 1.5, 1))
        .summary
        .dryness_days;
    assert!(b > a, "1.5 mm {b} <= 0.5 mm {a}");
}

#[test]
fn collagen_iii_peaks_before_collagen_i() {
    let mut s = scenario(Region::Cheek, ConcernKind::Texture, 2.0, "pen", 1.0, 1);
    s.protocol.follow_up_days = 365.0;
    let r = run(&s);
    let argmax = |f: fn(&cit_core::column::Snapshot) -> f64| {
        r.timeseries
            .samples
            .iter()
            .max_by(|a, b| f(a).total_cmp(&f(b)))
            .unwrap()
            .day
    };
    let peak_iii = argmax(|x| x.collagen_iii);
    let peak_i = argmax(|x| x.collagen_i);
    assert!(peak_iii < peak_i, "III peaks on day {peak_iii}, I on day {peak_i}");
}

#[test]
fn collagen_rises_for_months_after_a_course_then_declines_with_age() {
    let mut s = scenario(Region::Cheek, ConcernKind::Texture, 2.0, "pen", 1.0, 3);
    s.protocol.follow_up_days = 4.0 * 365.0;
    let r = run(&s);
    let at = |day: f64| {
        r.timeseries
            .samples
            .iter()
            .min_by(|a, b| (a.day - day).abs().total_cmp(&(b.day - day).abs()))
            .unwrap()
            .collagen
    };
    let before = at(0.0);
    let last_session = 60.0;
    assert!(
        at(last_session + 90.0) > at(last_session + 14.0),
        "collagen still rising after the course"
    );
    assert!(at(last_session + 90.0) > before);
    let peak = r.timeseries.samples.iter().map(|x| x.collagen).fold(0.0, f64::max);
    assert!(
        at(last_session + 4.0 * 365.0) < peak,
        "collagen declines again with age"
    );
}

#[test]
fn more_sessions_help_with_diminishing_returns() {
    let imp = |n| {
        improvement(&scenario(
            Region::Abdomen,
            ConcernKind::StretchMarks(StretchMarkType::Rubra),
            3.0,
            "pen",
            1.5,
            n,
        ))
    };
    let v: Vec<f64> = [1, 2, 4, 8].iter().map(|&n| imp(n)).collect();
    assert!(v.windows(2).all(|w| w[1] > w[0]), "{v:?}");
    // Gain per added session falls: 1->2 gives more per session than 4->8.
    assert!(v[1] - v[0] > (v[3] - v[2]) / 4.0, "{v:?}");
}

#[test]
fn icepick_scars_respond_least() {
    let imp = |t| {
        improvement(&scenario(
            Region::Cheek,
            ConcernKind::AcneScar(t),
            3.0,
            "roller",
            1.5,
            3,
        ))
    };
    let (ice, boxcar, rolling) = (
        imp(AcneScarType::Icepick),
        imp(AcneScarType::Boxcar),
        imp(AcneScarType::Rolling),
    );
    assert!(
        ice < boxcar && ice < rolling,
        "icepick {ice}, boxcar {boxcar}, rolling {rolling}"
    );
}

#[test]
fn rubra_stretch_marks_respond_better_than_alba() {
    let imp = |t| {
        improvement(&scenario(
            Region::Abdomen,
            ConcernKind::StretchMarks(t),
            3.0,
            "roller",
            2.0,
            5,
        ))
    };
    assert!(imp(StretchMarkType::Rubra) > imp(StretchMarkType::Alba));
}

#[test]
fn older_skin_responds_less() {
    let at_age = |age| {
        let mut s = scenario(Region::Cheek, ConcernKind::Wrinkles, 3.0, "pen", 1.0, 4);
        s.patient.age_years = age;
        let r = run(&s);
        (r.summary.collagen_change_pct, r.summary.concerns[0].improvement_pct)
    };
    let (young_c, young_w) = at_age(30.0);
    let (old_c, old_w) = at_age(70.0);
    assert!(old_c < young_c, "collagen change: 70 y {old_c} vs 30 y {young_c}");
    assert!(old_w < young_w, "wrinkle improvement: 70 y {old_w} vs 30 y {young_w}");
}

#[test]
fn pih_risk_rises_with_darker_skin_and_deeper_needling() {
    let pih = |skin_type, mm| {
        let mut s = scenario(
            Region::Cheek,
            ConcernKind::AcneScar(AcneScarType::Rolling),
            3.0,
            "pen",
            mm,
            3,
        );
        s.patient.skin_type = skin_type;
        run(&s).summary.pih_probability
    };
    for mm in [1.0, 2.0] {
        assert!(pih(6, mm) > pih(1, mm), "{mm} mm");
        assert!(pih(5, mm) > pih(2, mm), "{mm} mm");
    }
    assert!(pih(5, 2.0) > pih(5, 0.5));
    assert!(
        pih(1, 1.0) < 0.02,
        "near zero in fair skin at standard settings: {}",
        pih(1, 1.0)
    );
}

#[test]
fn sessions_too_close_together_are_not_better() {
    // Repeated injury before the previous one has matured destroys immature matrix: a 7-day
    // interval must not beat a 28-day interval for the same number of sessions.
    let imp = |interval| {
        let mut s = scenario(
            Region::Cheek,
            ConcernKind::AcneScar(AcneScarType::Rolling),
            3.0,
            "pen",
            1.5,
            4,
        );
        s.protocol.interval_days = interval;
        s.protocol.follow_up_days = 180.0;
        improvement(&s)
    };
    let (weekly, monthly) = (imp(7.0), imp(28.0));
    assert!(weekly <= monthly, "weekly {weekly} > monthly {monthly}");
}

#[test]
fn untreated_concerns_worsen_or_stay_with_age_and_treated_results_fade() {
    let mut s = scenario(Region::Cheek, ConcernKind::Laxity, 2.0, "pen", 1.0, 3);
    s.protocol.follow_up_days = 3.0 * 365.0;
    let r = run(&s);
    let grades = &r.timeseries.grades[0];
    let best = grades.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(best < 2.0, "treatment improves laxity");
    assert!(*grades.last().unwrap() > best, "the benefit fades over three years");
}

#[test]
fn needling_flattens_hypertrophic_scars_and_can_provoke_keloids() {
    let vss = |t| {
        let mut s = scenario(Region::Back, ConcernKind::Keloid(t), 7.0, "roller", 2.5, 1);
        s.patient.age_years = 35.0;
        run(&s).summary.concerns[0].after
    };
    let hypertrophic = vss(RaisedScarType::Hypertrophic);
    let keloid = vss(RaisedScarType::Keloid);
    assert!(hypertrophic < 7.0, "hypertrophic scar flattens: {hypertrophic}");
    assert!(
        keloid > hypertrophic,
        "keloid-prone skin responds worse: {keloid} vs {hypertrophic}"
    );
}

#[test]
fn tranexamic_acid_through_the_channels_helps_melasma() {
    let mmasi = |adjunct| {
        let mut s = scenario(
            Region::Cheek,
            ConcernKind::Hyperpigmentation(PigmentType::Melasma),
            12.0,
            "roller",
            0.5,
            3,
        );
        s.patient.skin_type = 4;
        s.protocol.interval_days = 28.0;
        s.protocol.follow_up_days = 28.0;
        s.protocol.adjunct = adjunct;
        run(&s).summary.concerns[0].after
    };
    let with = mmasi(Some(Adjunct::TranexamicAcid));
    let without = mmasi(None);
    assert!(with < without && with < 12.0, "with TXA {with}, without {without}");
}
