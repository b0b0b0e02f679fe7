//! Patient files for `cit plan`: TOML in, validated [`PatientProfile`] out.
//!
//! The `[patient]`, `[site]` and `[[concern]]` sections are the scenario file's (same keys, same
//! checks, same messages: [`crate::scenario_file`]); a patient file adds what a plan needs:
//!
//! ```toml
//! goal = "noticeable"          # noticeable | optimal | target (then target_grade = 1.5)
//!
//! [constraints]                # all optional
//! max_sessions = 6             # 1..10
//! max_downtime_days = 5        # longest acceptable redness/dryness after a session, days
//! device = "pen"               # roller | pen | stamp
//! start_date = "2025-03-03"    # date of the first session, YYYY-MM-DD
//!
//! [contraindications]          # answers; all default to false
//! active_infection = false
//! ...
//! ```
//!
//! The same profile can come from command-line flags ([`profile_from_flags`]): the flags are put
//! into the same raw structure and checked by the same code, so both paths accept and refuse the
//! same values.

use crate::scenario_file::{num, toml_error, Ctx, RawConcern, RawPatient, RawSite, ScenarioError};
use cit_plan::calendar::Date;
use cit_plan::profile::{Answers, Constraints, Goal, PatientProfile};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Value;

/// Why a patient file (or the flags) was refused. Every message is one line naming the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatientFileError {
    #[error("{file}: cannot read the patient file: {message}")]
    Io { file: String, message: String },
    #[error("{file}: the patient file is empty; it needs [patient], [site], [[concern]] and goal")]
    Empty { file: String },
    /// Syntax, unknown keys, missing keys and bad values (the scenario reader's errors).
    #[error(transparent)]
    Invalid(#[from] ScenarioError),
}

impl PatientFileError {
    /// The key path the error is about, if any.
    pub fn key(&self) -> Option<&str> {
        match self {
            PatientFileError::Invalid(e) => e.key(),
            _ => None,
        }
    }
}

/// Reads and validates the patient file at `path`.
pub fn load_patient(path: &Path) -> Result<PatientProfile, PatientFileError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| PatientFileError::Io {
        file: file.clone(),
        message: e.to_string(),
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => parse_patient(&text, &file),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(ScenarioError::Syntax {
                file,
                line: u32::try_from(line).ok(),
                column: None,
                key: None,
                message: format!(
                    "the file is not UTF-8 text (byte {at} is not valid UTF-8); a patient file is a TOML text file"
                ),
            }
            .into())
        }
    }
}

/// Parses and validates patient TOML `text`; `file` names it in messages.
pub fn parse_patient(text: &str, file: &str) -> Result<PatientProfile, PatientFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: RawPatientFile = toml::from_str(text).map_err(|e| toml_error(text, file, &e))?;
    raw.validate(&Ctx { file })
}

/// The same profile from command-line flags (`None` for a flag not given). Messages name the
/// source as "command line" and the key as the patient file would (`patient.age`), since every
/// flag is the key of the same name.
#[derive(Debug, Clone, Default)]
pub struct PatientFlags {
    pub age: Option<f64>,
    pub sex: Option<String>,
    pub skin_type: Option<i64>,
    pub photoaging: Option<i64>,
    pub site: Option<String>,
    pub concern: Option<String>,
    pub subtype: Option<String>,
    pub severity: Option<f64>,
    pub goal: Option<String>,
    pub target_grade: Option<f64>,
    pub max_sessions: Option<i64>,
    pub max_downtime_days: Option<f64>,
    pub device: Option<String>,
    pub start_date: Option<String>,
    /// Contraindication answers given as "yes" (by question key).
    pub yes: Vec<String>,
}

pub fn profile_from_flags(f: &PatientFlags) -> Result<PatientProfile, PatientFileError> {
    let cx = Ctx { file: "command line" };
    let raw = RawPatientFile {
        patient: Some(RawPatient::from_values(
            f.age.map(Value::Float),
            f.sex.clone().map(Value::String),
            f.skin_type.map(Value::Integer),
            f.photoaging.map(Value::Integer),
        )),
        site: Some(RawSite::from_value(f.site.clone().map(Value::String))),
        concern: Some(vec![RawConcern::from_values(
            f.concern.clone().map(Value::String),
            f.subtype.clone().map(Value::String),
            f.severity.map(Value::Float),
        )]),
        goal: f.goal.clone().map(Value::String),
        target_grade: f.target_grade.map(Value::Float),
        constraints: Some(RawConstraints {
            max_sessions: f.max_sessions.map(Value::Integer),
            max_downtime_days: f.max_downtime_days.map(Value::Float),
            device: f.device.clone().map(Value::String),
            start_date: f.start_date.clone().map(Value::String),
        }),
        contraindications: Some(f.yes.iter().map(|k| (k.clone(), Value::Boolean(true))).collect()),
    };
    raw.validate(&cx)
}

// ---------------------------------------------------------------------------------------------
// Low level: the file as written
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a patient table")]
struct RawPatientFile {
    patient: Option<RawPatient>,
    site: Option<RawSite>,
    concern: Option<Vec<RawConcern>>,
    goal: Option<Value>,
    target_grade: Option<Value>,
    constraints: Option<RawConstraints>,
    /// Checked key by key against [`Answers::KEYS`] so the message can list them.
    contraindications: Option<BTreeMap<String, Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table [constraints]")]
struct RawConstraints {
    max_sessions: Option<Value>,
    max_downtime_days: Option<Value>,
    device: Option<Value>,
    start_date: Option<Value>,
}

const GOALS: [&str; 3] = ["noticeable", "optimal", "target"];
const A_GOAL: &str = "noticeable, optimal, target (with target_grade)";
const A_MAX_SESSIONS: &str = "a whole number from 1 to 10";
const A_DOWNTIME: &str = "a number of days from 0.5 to 30";
const A_DATE: &str = "a date in quotes, YYYY-MM-DD, e.g. start_date = \"2025-03-03\"";
const A_ANSWER: &str = "true or false";
const DEVICES: [&str; 3] = ["roller", "pen", "stamp"];

impl RawPatientFile {
    fn validate(self, cx: &Ctx<'_>) -> Result<PatientProfile, PatientFileError> {
        if self.patient.is_none()
            && self.site.is_none()
            && self.concern.is_none()
            && self.goal.is_none()
            && self.target_grade.is_none()
            && self.constraints.is_none()
            && self.contraindications.is_none()
        {
            return Err(PatientFileError::Empty {
                file: cx.file.to_string(),
            });
        }
        let patient = cx
            .required("patient", self.patient, "age, sex, skin_type, photoaging")?
            .validate(cx)?;
        let region = cx.required("site", self.site, "region")?.validate(cx)?;
        let raw_concerns = cx.required("concern", self.concern, "kind, subtype, severity")?;
        if raw_concerns.is_empty() {
            return Err(cx
                .invalid(
                    "concern",
                    &Value::Array(Vec::new()),
                    "is empty",
                    "one or more [[concern]] tables with kind, subtype, severity",
                )
                .into());
        }
        let concerns = raw_concerns
            .into_iter()
            .enumerate()
            .map(|(i, c)| c.validate(cx, i, region))
            .collect::<Result<Vec<_>, _>>()?;

        let goals = GOALS.map(|g| (g, g));
        let goal_name = cx.required("goal", cx.choice("goal", self.goal.as_ref(), &goals)?, A_GOAL)?;
        let scale = cit_core::outcome::scale(concerns[0].kind, region.is_face());
        let a_target = format!(
            "a number from {} to {} ({}, the first concern's scale), with goal = \"target\"",
            num(scale.min),
            num(scale.max),
            scale.name
        );
        let target = cx.number(
            "target_grade",
            self.target_grade.as_ref(),
            scale.min,
            scale.max,
            &a_target,
        )?;
        let before = concerns[0].severity;
        let goal = match (goal_name, target) {
            // Every scale is "lower is better": a target at or above today's grade asks for nothing.
            ("target", Some(t)) if t >= before => {
                return Err(cx
                    .invalid(
                        "target_grade",
                        &Value::Float(t),
                        format!(
                            "is not below the first concern's grade before treatment ({})",
                            num(before)
                        ),
                        format!(
                            "a grade below {} on the {} scale (lower is better)",
                            num(before),
                            scale.name
                        ),
                    )
                    .into())
            }
            ("target", Some(t)) => Goal::TargetGrade(t),
            ("target", None) => return Err(cx.missing("target_grade", a_target).into()),
            (_, Some(t)) => {
                return Err(cx
                    .invalid(
                        "target_grade",
                        &Value::Float(t),
                        format!("is not used with goal = \"{goal_name}\""),
                        "leave it out, or set goal = \"target\"",
                    )
                    .into())
            }
            ("optimal", None) => Goal::Optimal,
            _ => Goal::Noticeable,
        };

        let mut constraints = Constraints::default();
        if let Some(c) = self.constraints {
            constraints.max_sessions = cx
                .integer(
                    "constraints.max_sessions",
                    c.max_sessions.as_ref(),
                    1,
                    10,
                    A_MAX_SESSIONS,
                )?
                .map(|n| n as u32);
            constraints.max_downtime_days = cx.number(
                "constraints.max_downtime_days",
                c.max_downtime_days.as_ref(),
                0.5,
                30.0,
                A_DOWNTIME,
            )?;
            let devices = DEVICES.map(|d| (d, d));
            constraints.device = cx.choice("constraints.device", c.device.as_ref(), &devices)?;
            if let Some(text) = cx.text("constraints.start_date", c.start_date.as_ref(), A_DATE)? {
                let date = Date::parse(text).ok_or_else(|| {
                    cx.invalid(
                        "constraints.start_date",
                        &Value::String(text.to_string()),
                        "is not a calendar date",
                        A_DATE,
                    )
                })?;
                constraints.start_date = Some(date);
            }
        }

        let mut answers = Answers::default();
        for (key, v) in self.contraindications.unwrap_or_default() {
            let path = format!("contraindications.{key}");
            let Value::Boolean(b) = v else {
                if Answers::KEYS.contains(&key.as_str()) {
                    return Err(cx.invalid(&path, &v, "is not true or false", A_ANSWER).into());
                }
                return Err(unknown_answer(cx, &key, &path).into());
            };
            if !answers.set(&key, b) {
                return Err(unknown_answer(cx, &key, &path).into());
            }
        }
        Ok(PatientProfile {
            patient,
            region,
            concerns,
            goal,
            constraints,
            answers,
        })
    }
}

fn unknown_answer(cx: &Ctx<'_>, key: &str, path: &str) -> ScenarioError {
    ScenarioError::UnknownKey {
        file: cx.file.to_string(),
        key: path.to_string(),
        name: key.to_string(),
        allowed: Answers::KEYS.join(", "),
        line: None,
        column: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cit_core::scenario::ConcernKind;
    use cit_core::skin::Region;

    const GOOD: &str = r#"
goal = "optimal"
[patient]
age = 52
sex = "female"
skin_type = 5
[site]
region = "abdomen"
[[concern]]
kind = "stretch-marks"
subtype = "alba"
severity = 3
[constraints]
max_sessions = 8
max_downtime_days = 4
device = "roller"
start_date = "2025-03-03"
[contraindications]
hsv_history = true
pregnant = false
"#;

    #[test]
    fn a_complete_file_reads_into_the_profile() {
        let p = parse_patient(GOOD, "p.toml").unwrap();
        assert_eq!(p.region, Region::Abdomen);
        assert!(matches!(p.concerns[0].kind, ConcernKind::StretchMarks(_)));
        assert_eq!(p.goal, Goal::Optimal);
        assert_eq!(p.constraints.max_sessions, Some(8));
        assert_eq!(p.constraints.device, Some("roller"));
        assert_eq!(
            p.constraints.start_date.map(|d| d.to_string()).as_deref(),
            Some("2025-03-03")
        );
        assert!(p.answers.hsv_history && !p.answers.pregnant);
        assert_eq!(p.patient.photoaging, 1, "photoaging defaults to 1");
    }

    #[test]
    fn flags_and_file_give_the_same_profile() {
        let flags = PatientFlags {
            age: Some(52.0),
            sex: Some("female".into()),
            skin_type: Some(5),
            site: Some("abdomen".into()),
            concern: Some("stretch-marks".into()),
            subtype: Some("alba".into()),
            severity: Some(3.0),
            goal: Some("optimal".into()),
            max_sessions: Some(8),
            max_downtime_days: Some(4.0),
            device: Some("roller".into()),
            start_date: Some("2025-03-03".into()),
            yes: vec!["hsv_history".into()],
            ..PatientFlags::default()
        };
        assert_eq!(
            profile_from_flags(&flags).unwrap(),
            parse_patient(GOOD, "p.toml").unwrap()
        );
        let bad = PatientFlags {
            age: Some(130.0),
            ..flags
        };
        let e = profile_from_flags(&bad).unwrap_err().to_string();
        assert!(
            e.starts_with("command line: patient.age = 130.0 is out of range"),
            "{e}"
        );
    }
}
