//! Safety rules: contraindications and cautions with their action, reason and citation, and the
//! needle-depth range the search may use for this person, site and concern.
//!
//! The rules are data (`data/safety.toml`); this module only evaluates them. A rule fires on one
//! condition: an answer to a contraindication question, an age limit, the concern being treated,
//! or the skin type.

use crate::profile::{Answers, PatientProfile};
use cit_core::device::max_needle_length_mm;
use cit_core::skin::Region;
use serde::Deserialize;
use std::fmt;

/// The rule file shipped with cit.
pub const SAFETY_TOML: &str = include_str!("../../../data/safety.toml");

/// What a rule asks the clinic to do, from least to most restrictive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Treat, with the precaution given.
    Caution,
    /// A physician's assessment first.
    Refer,
    /// Not now; treat once the condition has resolved.
    Defer,
    /// Micro-needling is not offered (another route may be).
    DoNotTreat,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Caution => "caution",
            Action::Refer => "refer",
            Action::Defer => "defer",
            Action::DoNotTreat => "do-not-treat",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One rule of `data/safety.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    #[serde(default)]
    pub answer: Option<String>,
    #[serde(default)]
    pub age_under_years: Option<f64>,
    #[serde(default)]
    pub concern: Option<String>,
    #[serde(default)]
    pub skin_type_min: Option<u8>,
    pub action: Action,
    pub reason: String,
    pub advice: String,
    #[serde(default)]
    pub route: Option<String>,
    pub citation: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteDepth {
    pub regions: Vec<String>,
    pub min_mm: f64,
    pub max_mm: f64,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcernDepth {
    pub concern: String,
    /// On the face (true) or elsewhere (false).
    pub face: bool,
    pub min_mm: f64,
    pub max_mm: f64,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkinTypeDepth {
    pub skin_type_min: u8,
    pub max_mm: f64,
    pub source: String,
}

/// The whole rule set.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyRules {
    pub rule: Vec<Rule>,
    pub depth_site: Vec<SiteDepth>,
    pub depth_concern: Vec<ConcernDepth>,
    pub depth_skin_type: Vec<SkinTypeDepth>,
}

/// A rule that fired (or a warning the simulation raised), as the plan reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub id: String,
    pub action: Action,
    pub reason: String,
    pub advice: String,
    pub route: Option<String>,
    pub citation: String,
}

/// The needle lengths the search may use, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct DepthRange {
    pub min_mm: f64,
    pub max_mm: f64,
    /// The sources of the limits that shaped the range, in the order applied.
    pub basis: Vec<String>,
}

/// The safety verdict for one person.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub warnings: Vec<Warning>,
    pub depth: DepthRange,
}

impl Assessment {
    /// The most restrictive action among the warnings (`None`: nothing fired).
    pub fn verdict(&self) -> Option<Action> {
        self.warnings.iter().map(|w| w.action).max()
    }
}

impl SafetyRules {
    /// The shipped rules.
    pub fn shipped() -> SafetyRules {
        toml::from_str(SAFETY_TOML).expect("data/safety.toml is valid (tested)")
    }

    /// Rules that fire for `profile`, and the depth range for it with a device of kind `device`.
    pub fn assess(&self, profile: &PatientProfile, device: &str) -> Assessment {
        let warnings = self
            .rule
            .iter()
            .filter(|r| fires(r, profile))
            .map(|r| Warning {
                id: r.id.clone(),
                action: r.action,
                reason: r.reason.clone(),
                advice: r.advice.clone(),
                route: r.route.clone(),
                citation: r.citation.clone(),
            })
            .collect();
        Assessment {
            warnings,
            depth: self.depth_range(profile, device),
        }
    }

    /// Site range, narrowed by the primary concern's range where they overlap, capped for the skin
    /// type and by the longest needle the device takes.
    pub fn depth_range(&self, profile: &PatientProfile, device: &str) -> DepthRange {
        let region = profile.region;
        let mut basis = Vec::new();
        let (mut lo, mut hi) = match self
            .depth_site
            .iter()
            .find(|d| d.regions.iter().any(|r| r == region.name()))
        {
            Some(d) => {
                basis.push(format!(
                    "{}: {}-{} mm ({})",
                    region.name(),
                    d.min_mm,
                    d.max_mm,
                    d.source
                ));
                (d.min_mm, d.max_mm)
            }
            // Unreachable with the shipped file (tested: every region has a range).
            None => (0.25, 0.5),
        };
        if let Some(c) = profile.concerns.first() {
            let face = region.is_face();
            if let Some(d) = self
                .depth_concern
                .iter()
                .find(|d| d.concern == c.kind.name() && d.face == face)
            {
                let (nlo, nhi) = (lo.max(d.min_mm), hi.min(d.max_mm));
                if nlo <= nhi {
                    basis.push(format!("{}: {}-{} mm ({})", d.concern, d.min_mm, d.max_mm, d.source));
                    (lo, hi) = (nlo, nhi);
                } else {
                    basis.push(format!(
                        "{}: {}-{} mm does not overlap the site's range; the site's range is kept ({})",
                        d.concern, d.min_mm, d.max_mm, d.source
                    ));
                }
            }
        }
        for d in &self.depth_skin_type {
            if profile.patient.skin_type >= d.skin_type_min && d.max_mm < hi {
                basis.push(format!(
                    "skin type {} or darker: at most {} mm ({})",
                    d.skin_type_min, d.max_mm, d.source
                ));
                hi = d.max_mm;
                lo = lo.min(hi);
            }
        }
        let device_max = max_needle_length_mm(device);
        if device_max < hi {
            basis.push(format!("a {device} takes needles up to {device_max} mm"));
            hi = device_max;
            lo = lo.min(hi);
        }
        DepthRange {
            min_mm: lo,
            max_mm: hi,
            basis,
        }
    }

    /// Problems in the rule set itself (unknown answer keys, regions, concern names, conditions).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.rule {
            let conditions = usize::from(r.answer.is_some())
                + usize::from(r.age_under_years.is_some())
                + usize::from(r.concern.is_some())
                + usize::from(r.skin_type_min.is_some());
            if conditions != 1 {
                out.push(format!("rule {}: {conditions} conditions, exactly one allowed", r.id));
            }
            if let Some(a) = &r.answer {
                if Answers::default().get(a).is_none() {
                    out.push(format!("rule {}: unknown answer `{a}`", r.id));
                }
            }
            if let Some(c) = &r.concern {
                let known = cit_core::scenario::ConcernKind::ALL
                    .iter()
                    .any(|k| concern_id(*k) == *c);
                if !known {
                    out.push(format!("rule {}: unknown concern `{c}`", r.id));
                }
            }
            if r.citation.trim().is_empty() || r.reason.trim().is_empty() {
                out.push(format!("rule {}: reason and citation are required", r.id));
            }
        }
        for region in Region::ALL {
            let n = self
                .depth_site
                .iter()
                .filter(|d| d.regions.iter().any(|r| r == region.name()))
                .count();
            if n != 1 {
                out.push(format!(
                    "region {}: {n} depth ranges, exactly one needed",
                    region.name()
                ));
            }
        }
        for d in &self.depth_site {
            for r in &d.regions {
                if Region::from_name(r).is_none() {
                    out.push(format!("depth_site: unknown region `{r}`"));
                }
            }
            if !(0.1..=3.0).contains(&d.min_mm) || d.min_mm > d.max_mm || d.max_mm > 3.0 {
                out.push(format!("depth_site {:?}: bad range", d.regions));
            }
        }
        out
    }
}

/// `kind/subtype` (or `kind` for kinds without subtypes), as rules name concerns.
pub fn concern_id(kind: cit_core::scenario::ConcernKind) -> String {
    match kind.subtype_name() {
        Some(s) => format!("{}/{s}", kind.name()),
        None => kind.name().to_string(),
    }
}

fn fires(r: &Rule, p: &PatientProfile) -> bool {
    if let Some(a) = &r.answer {
        return p.answers.get(a).unwrap_or(false);
    }
    if let Some(age) = r.age_under_years {
        return p.patient.age_years < age;
    }
    if let Some(c) = &r.concern {
        return p.concerns.iter().any(|k| concern_id(k.kind) == *c);
    }
    if let Some(t) = r.skin_type_min {
        return p.patient.skin_type >= t;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Constraints, Goal};
    use cit_core::scenario::{Concern, ConcernKind, Patient, RaisedScarType};
    use cit_core::skin::Sex;

    fn profile(region: Region, kind: ConcernKind, skin_type: u8, age: f64) -> PatientProfile {
        PatientProfile {
            patient: Patient {
                age_years: age,
                sex: Sex::Female,
                skin_type,
                photoaging: 2,
            },
            region,
            concerns: vec![Concern { kind, severity: 2.0 }],
            goal: Goal::Noticeable,
            constraints: Constraints::default(),
            answers: Answers::default(),
        }
    }

    #[test]
    fn shipped_rules_are_well_formed() {
        let rules = SafetyRules::shipped();
        assert_eq!(rules.problems(), Vec::<String>::new());
        // Each question of the patient file has a rule.
        for key in Answers::KEYS {
            assert!(rules.rule.iter().any(|r| r.answer.as_deref() == Some(key)), "{key}");
        }
    }

    #[test]
    fn each_answer_fires_its_rule_with_the_documented_action() {
        let rules = SafetyRules::shipped();
        let expected = [
            ("active_infection", Action::Defer),
            ("active_acne", Action::Defer),
            ("isotretinoin_last_6_months", Action::Caution),
            ("keloid_history", Action::Caution),
            ("anticoagulants", Action::Refer),
            ("pregnant", Action::Defer),
            ("hsv_history", Action::Caution),
            ("eczema_psoriasis_rosacea_in_area", Action::Defer),
            ("recent_procedure_in_area", Action::Defer),
        ];
        for (key, action) in expected {
            let mut p = profile(Region::Cheek, ConcernKind::Texture, 2, 40.0);
            assert_eq!(rules.assess(&p, "pen").verdict(), None, "nothing fires without answers");
            p.answers.set(key, true);
            let a = rules.assess(&p, "pen");
            assert_eq!(a.warnings.len(), 1, "{key}");
            assert_eq!(a.verdict(), Some(action), "{key}");
            assert!(!a.warnings[0].citation.is_empty());
        }
    }

    #[test]
    fn isotretinoin_is_a_caution_citing_the_consensus_not_a_deferral() {
        let rules = SafetyRules::shipped();
        let mut p = profile(Region::Cheek, ConcernKind::Texture, 2, 30.0);
        p.answers.isotretinoin_last_6_months = true;
        let w = &rules.assess(&p, "pen").warnings[0];
        assert_eq!(w.action, Action::Caution);
        assert!(w.citation.contains("Spring") && w.citation.contains("JAMA Dermatol"));
        assert!(w.advice.contains("insufficient evidence to delay"));
    }

    #[test]
    fn a_keloid_is_not_needled_and_is_routed_to_drug_delivery() {
        let rules = SafetyRules::shipped();
        let p = profile(Region::Back, ConcernKind::Keloid(RaisedScarType::Keloid), 3, 30.0);
        let a = rules.assess(&p, "pen");
        assert_eq!(a.verdict(), Some(Action::DoNotTreat));
        assert_eq!(a.warnings[0].route.as_deref(), Some("drug delivery"));
        // A hypertrophic scar is not a keloid.
        let p = profile(Region::Back, ConcernKind::Keloid(RaisedScarType::Hypertrophic), 3, 30.0);
        assert_eq!(rules.assess(&p, "pen").verdict(), None);
    }

    #[test]
    fn minors_are_referred_and_darker_skin_gets_a_pih_caution() {
        let rules = SafetyRules::shipped();
        let a = rules.assess(&profile(Region::Cheek, ConcernKind::Texture, 2, 16.0), "pen");
        assert_eq!(a.verdict(), Some(Action::Refer));
        let a = rules.assess(&profile(Region::Cheek, ConcernKind::Texture, 5, 30.0), "pen");
        assert_eq!(a.verdict(), Some(Action::Caution));
        assert_eq!(a.warnings[0].id, "darker-skin-pih");
    }

    #[test]
    fn depth_caps_follow_site_concern_skin_type_and_device() {
        let rules = SafetyRules::shipped();
        let range = |r, k, t, dev| {
            let d = rules.depth_range(&profile(r, k, t, 40.0), dev);
            (d.min_mm, d.max_mm)
        };
        use cit_core::scenario::{AcneScarType, StretchMarkType};
        assert_eq!(range(Region::Periorbital, ConcernKind::FineLines, 2, "pen"), (0.2, 0.5));
        assert_eq!(range(Region::Forehead, ConcernKind::Wrinkles, 2, "pen"), (0.25, 0.75));
        let scar = ConcernKind::AcneScar(AcneScarType::Rolling);
        assert_eq!(range(Region::Cheek, scar, 2, "roller"), (1.0, 2.0));
        // Skin type V: capped at 1.5 mm.
        assert_eq!(range(Region::Cheek, scar, 5, "roller"), (1.0, 1.5));
        let striae = ConcernKind::StretchMarks(StretchMarkType::Alba);
        assert_eq!(range(Region::Abdomen, striae, 2, "roller"), (1.5, 2.5));
        // A stamp takes needles up to 2 mm.
        assert_eq!(range(Region::Abdomen, striae, 2, "stamp"), (1.5, 2.0));
        // Periorbital scars: the scar range does not overlap; the site's range wins.
        assert_eq!(range(Region::Periorbital, scar, 2, "pen"), (0.2, 0.5));
        // Body shallower than face? Periorbital and forehead are the shallowest sites.
        let (_, body_hi) = range(Region::Thigh, ConcernKind::Wrinkles, 2, "roller");
        let (_, eye_hi) = range(Region::Periorbital, ConcernKind::Wrinkles, 2, "roller");
        assert!(body_hi > eye_hi);
    }
}
