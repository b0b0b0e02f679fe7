//! Scenario files: TOML in, validated [`Scenario`] out.
//!
//! Reading happens in two steps, "low-level arguments to high-level arguments" (the ripgrep way):
//!
//! 1. the text is deserialized into `Raw*` structs that mirror the file. They reject unknown keys
//!    (`deny_unknown_fields`) but accept any TOML value for every leaf, so that
//! 2. validation can check every value itself and say, in one line, which file, which key path
//!    (`concern[0].subtype`), which value and what is allowed.
//!
//! Errors the TOML layer finds (syntax, duplicate keys, unknown keys, a section of the wrong
//! shape) keep the toml crate's message and get a line, a column and, where it can be found, the
//! key path. Nothing a user writes may panic.
//!
//! [`scenario_to_toml`] writes a resolved scenario back with every key explicit, so that
//! `parse_scenario(&scenario_to_toml(&s), ..) == Ok(s)` for every scenario this module produces.

use cit_core::device::{Device, DeviceKind, NEEDLE_DIAMETER_RANGE_MM, NEEDLE_LENGTH_RANGE_MM};
use cit_core::scenario::{Adjunct, Concern, ConcernKind, PatchSettings, Patient, Protocol, RaisedScarType, Scenario};
use cit_core::skin::{Region, Sex};
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::Path;
use toml::Value;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why a scenario file was refused. Every message is one line and starts with the file name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read at all.
    #[error("{file}: cannot read the scenario file: {message}")]
    Io { file: String, message: String },
    /// Not TOML: not UTF-8 text, or a TOML syntax error (including duplicate keys).
    #[error("{file}: {}invalid TOML{}: {message}", location(*.line, *.column), at_key(.key))]
    Syntax {
        file: String,
        line: Option<u32>,
        column: Option<u32>,
        key: Option<String>,
        message: String,
    },
    /// Valid TOML, but a section or list has the wrong shape (e.g. `patient = 5`, or `[concern]`
    /// instead of `[[concern]]`), or a number does not fit in 64 bits.
    #[error("{file}: {}{}{message}", location(*.line, *.column), key_prefix(.key))]
    Structure {
        file: String,
        line: Option<u32>,
        column: Option<u32>,
        key: Option<String>,
        message: String,
    },
    /// A key the format does not have. `key` is the full path (`patient.bogus`), `name` the key
    /// as written (`bogus`), `allowed` the keys of that section.
    #[error(
        "{file}: unknown key `{name}` {}{}; allowed: {allowed}{}",
        section_of(.key, .name),
        path_note(.key, .name),
        line_suffix(*.line, *.column)
    )]
    UnknownKey {
        file: String,
        key: String,
        name: String,
        allowed: String,
        line: Option<u32>,
        column: Option<u32>,
    },
    /// The file holds no keys at all.
    #[error(
        "{file}: the scenario file is empty; it needs name, [patient], [site], [[concern]], [device] and [protocol]"
    )]
    Empty { file: String },
    /// A required key or section is absent.
    #[error("{file}: missing {}; allowed: {allowed}", missing_what(.key))]
    Missing { file: String, key: String, allowed: String },
    /// A value of the wrong type, out of range, or not among the allowed names.
    #[error("{file}: {key} = {value} {problem}; allowed: {allowed}")]
    Invalid {
        file: String,
        key: String,
        value: String,
        problem: String,
        allowed: String,
    },
}

impl ScenarioError {
    /// The key path the error is about (`device.needle_length_mm`, `concern[0].subtype`), if any.
    pub fn key(&self) -> Option<&str> {
        match self {
            ScenarioError::Io { .. } | ScenarioError::Empty { .. } => None,
            ScenarioError::Syntax { key, .. } | ScenarioError::Structure { key, .. } => key.as_deref(),
            ScenarioError::UnknownKey { key, .. }
            | ScenarioError::Missing { key, .. }
            | ScenarioError::Invalid { key, .. } => Some(key),
        }
    }

    /// The file name the error names.
    pub fn file(&self) -> &str {
        match self {
            ScenarioError::Io { file, .. }
            | ScenarioError::Syntax { file, .. }
            | ScenarioError::Structure { file, .. }
            | ScenarioError::UnknownKey { file, .. }
            | ScenarioError::Empty { file }
            | ScenarioError::Missing { file, .. }
            | ScenarioError::Invalid { file, .. } => file,
        }
    }
}

fn location(line: Option<u32>, column: Option<u32>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("line {l}, column {c}: "),
        (Some(l), None) => format!("line {l}: "),
        _ => String::new(),
    }
}

fn line_suffix(line: Option<u32>, column: Option<u32>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
        (Some(l), None) => format!(" (line {l})"),
        _ => String::new(),
    }
}

fn path_note(key: &str, name: &str) -> String {
    if key == name {
        String::new()
    } else {
        format!(" ({key})")
    }
}

fn at_key(key: &Option<String>) -> String {
    key.as_ref().map(|k| format!(" at {k}")).unwrap_or_default()
}

fn key_prefix(key: &Option<String>) -> String {
    key.as_ref().map(|k| format!("{k}: ")).unwrap_or_default()
}

fn missing_what(key: &str) -> String {
    if SECTIONS.contains(&key) {
        if key == "concern" {
            "section [[concern]] (at least one concern)".to_string()
        } else {
            format!("section [{key}]")
        }
    } else {
        format!("key {key}")
    }
}

const SECTIONS: [&str; 5] = ["patient", "site", "concern", "device", "protocol"];

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// Reads and validates the scenario file at `path`. Messages name the file as `path.display()`.
pub fn load_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ScenarioError::Io {
        file: file.clone(),
        message: e.to_string(),
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => parse_scenario(&text, &file),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(ScenarioError::Syntax {
                file,
                line: u32::try_from(line).ok(),
                column: None,
                key: None,
                message: format!(
                    "the file is not UTF-8 text (byte {at} is not valid UTF-8); a scenario is a TOML text file"
                ),
            })
        }
    }
}

/// Parses and validates scenario TOML `text`; `file` is the name used in messages.
pub fn parse_scenario(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: RawScenario = toml::from_str(text).map_err(|e| toml_error(text, file, &e))?;
    raw.validate(&Ctx { file })
}

/// Writes a resolved scenario as TOML with every key explicit (defaults included), such that
/// [`parse_scenario`] gives the same scenario back.
///
/// Not written (the file format has no keys for them, parsing takes them from
/// [`Device::typical`]): roller drum size, pen swath, stamp head area. Seeds above `i64::MAX` do
/// not fit in a TOML integer and would not read back.
pub fn scenario_to_toml(s: &Scenario) -> String {
    let mut o = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(o, "# Resolved scenario: every key explicit, defaults filled in.");
    let _ = writeln!(o, "version = 1");
    let _ = writeln!(o, "name = {}", Value::String(s.name.clone()));
    let _ = writeln!(o, "seed = {}", s.seed);
    let p = &s.patient;
    let _ = writeln!(o, "\n[patient]");
    let _ = writeln!(o, "age = {}", float(p.age_years));
    let _ = writeln!(o, "sex = \"{}\"", p.sex.name());
    let _ = writeln!(o, "skin_type = {}", p.skin_type);
    let _ = writeln!(o, "photoaging = {}", p.photoaging);
    let _ = writeln!(o, "\n[site]");
    let _ = writeln!(o, "region = \"{}\"", s.region.name());
    for c in &s.concerns {
        let _ = writeln!(o, "\n[[concern]]");
        let _ = writeln!(o, "kind = \"{}\"", c.kind.name());
        if let Some(sub) = c.kind.subtype_name() {
            let _ = writeln!(o, "subtype = \"{sub}\"");
        }
        let _ = writeln!(o, "severity = {}", float(c.severity));
    }
    let d = &s.device;
    let _ = writeln!(o, "\n[device]");
    let _ = writeln!(o, "kind = \"{}\"", d.kind_name());
    let _ = writeln!(o, "needle_length_mm = {}", float(d.needle_length_mm));
    let _ = writeln!(o, "passes = {}", d.passes);
    let _ = writeln!(o, "needle_count = {}", d.needle_count);
    let _ = writeln!(o, "needle_diameter_mm = {}", float(d.needle_diameter_mm));
    if let DeviceKind::Pen {
        frequency_hz,
        glide_speed_mm_s,
        ..
    } = d.kind
    {
        let _ = writeln!(o, "frequency_hz = {}", float(frequency_hz));
        let _ = writeln!(o, "glide_speed_mm_s = {}", float(glide_speed_mm_s));
    }
    let pr = &s.protocol;
    let _ = writeln!(o, "\n[protocol]");
    let _ = writeln!(o, "sessions = {}", pr.sessions);
    if pr.sessions <= 1 {
        let _ = writeln!(o, "# one session: the interval is not used");
    }
    let _ = writeln!(o, "interval_days = {}", float(pr.interval_days));
    let _ = writeln!(o, "follow_up_days = {}", float(pr.follow_up_days));
    match pr.adjunct {
        Some(a) => {
            let _ = writeln!(o, "adjunct = \"{}\"", a.name());
        }
        None => {
            let _ = writeln!(o, "# no adjunct");
        }
    }
    if let Some(pa) = &s.patch {
        let _ = writeln!(o, "\n[patch]");
        let _ = writeln!(o, "size_mm = [{}, {}]", float(pa.size_mm[0]), float(pa.size_mm[1]));
        let _ = writeln!(o, "resolution_um = {}", float(pa.resolution_um));
        let _ = writeln!(
            o,
            "lesion_at_mm = [{}, {}]",
            float(pa.lesion_at_mm[0]),
            float(pa.lesion_at_mm[1])
        );
        let days: Vec<String> = pa.output_days.iter().map(|&d| float(d)).collect();
        let _ = writeln!(o, "output_days = [{}]", days.join(", "));
        let _ = writeln!(o, "npy = {}", pa.npy);
    }
    o
}

fn float(x: f64) -> String {
    Value::Float(x).to_string()
}

// ---------------------------------------------------------------------------------------------
// Low level: the file as written
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a scenario table")]
struct RawScenario {
    version: Option<Value>,
    name: Option<Value>,
    seed: Option<Value>,
    patient: Option<RawPatient>,
    site: Option<RawSite>,
    concern: Option<Vec<RawConcern>>,
    device: Option<RawDevice>,
    protocol: Option<RawProtocol>,
    patch: Option<RawPatch>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table [patch]")]
struct RawPatch {
    size_mm: Option<Value>,
    resolution_um: Option<Value>,
    lesion_at_mm: Option<Value>,
    output_days: Option<Value>,
    npy: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table [patient]")]
pub(crate) struct RawPatient {
    age: Option<Value>,
    sex: Option<Value>,
    skin_type: Option<Value>,
    photoaging: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table [site]")]
pub(crate) struct RawSite {
    region: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table [[concern]]")]
pub(crate) struct RawConcern {
    kind: Option<Value>,
    subtype: Option<Value>,
    severity: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table [device]")]
struct RawDevice {
    kind: Option<Value>,
    needle_length_mm: Option<Value>,
    passes: Option<Value>,
    needle_count: Option<Value>,
    needle_diameter_mm: Option<Value>,
    frequency_hz: Option<Value>,
    glide_speed_mm_s: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table [protocol]")]
struct RawProtocol {
    sessions: Option<Value>,
    interval_days: Option<Value>,
    follow_up_days: Option<Value>,
    adjunct: Option<Value>,
}

// ---------------------------------------------------------------------------------------------
// TOML-layer errors: line, column, key path
// ---------------------------------------------------------------------------------------------

pub(crate) fn toml_error(text: &str, file: &str, e: &toml::de::Error) -> ScenarioError {
    let file = file.to_string();
    let message = one_line(e.message());
    let start = e.span().map(|s| s.start.min(text.len()));
    let (line, column) = match start {
        Some(s) => {
            let (l, c) = line_col(text, s);
            (u32::try_from(l).ok(), u32::try_from(c).ok())
        }
        None => (None, None),
    };
    let (table, parse_errors) = toml::de::DeTable::parse_recoverable(text);
    let key = start
        .and_then(|s| path_in_table(table.get_ref(), s))
        .map(|k| one_line(&k));

    // Unknown key (serde's deny_unknown_fields): "unknown field `x`, expected one of `a`, `b`".
    if message.starts_with("unknown field `") {
        let names = backticked(&message);
        if let Some((name, allowed)) = names.split_first() {
            let key = key.unwrap_or_else(|| name.clone());
            let allowed = if allowed.is_empty() {
                "(no keys)".to_string()
            } else {
                allowed.join(", ")
            };
            return ScenarioError::UnknownKey {
                file,
                key,
                name: name.clone(),
                allowed,
                line,
                column,
            };
        }
    }

    if !parse_errors.is_empty() || message == "duplicate key" {
        // Spans in a document that does not parse are unreliable: no key path from them, but the
        // offending line is quoted.
        let mut key = None;
        let mut message = message;
        if message == "duplicate key" {
            // The span is the repeated key; name it, with its full path if it can be found.
            let name = e
                .span()
                .and_then(|s| text.get(s))
                .map(|s| one_line(s.trim().trim_matches(|c| c == '"' || c == '\'')))
                .unwrap_or_default();
            if !name.is_empty() {
                let path = find_named(table.get_ref(), &name).map_or(name, |p| one_line(&p));
                message = "duplicate key: each key may be given only once".to_string();
                key = Some(path);
            }
        }
        if let Some(src) = start.and_then(|s| source_line(text, s)) {
            message = format!("{message}; the line reads: {src}");
        }
        return ScenarioError::Syntax {
            file,
            line,
            column,
            key,
            message,
        };
    }

    let message = if message.contains(" as i128") || message.contains(" as u128") {
        format!("{message} (the number is too large: whole numbers must fit in 64 bits)")
    } else {
        message.replace("expected a sequence", "expected a list of [[concern]] tables")
    };
    ScenarioError::Structure {
        file,
        line,
        column,
        key,
        message,
    }
}

/// Where an unknown key sits: "at top level", "in [patient]", "in [[concern]] number 2".
fn section_of(key: &str, name: &str) -> String {
    let parent = key.strip_suffix(name).and_then(|p| p.strip_suffix('.')).unwrap_or("");
    if parent.is_empty() {
        return "at top level".to_string();
    }
    if let Some(rest) = parent.strip_prefix("concern[") {
        if let Some(i) = rest.strip_suffix(']').and_then(|i| i.parse::<usize>().ok()) {
            return format!("in [[concern]] number {}", i + 1);
        }
    }
    format!("in [{parent}]")
}

/// The source line holding byte `pos`, trimmed, shortened, on one line; `None` if blank.
fn source_line(text: &str, pos: usize) -> Option<String> {
    let bytes = text.as_bytes();
    let pos = pos.min(bytes.len());
    let start = bytes[..pos].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let end = bytes[pos..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| pos + i);
    let line = one_line(text.get(start..end)?);
    if line.is_empty() {
        return None;
    }
    if line.chars().count() > MAX_VALUE_CHARS {
        Some(format!("{}...", line.chars().take(MAX_VALUE_CHARS).collect::<String>()))
    } else {
        Some(line)
    }
}

/// The texts between backticks, in order.
fn backticked(s: &str) -> Vec<String> {
    s.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..pos.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = text
        .get(line_start..pos)
        .map(|s| s.chars().count())
        .unwrap_or(pos.saturating_sub(line_start))
        + 1;
    (line, column)
}

/// Key path of the deepest key or value whose span contains `pos`.
fn path_in_table(t: &toml::de::DeTable<'_>, pos: usize) -> Option<String> {
    for (k, v) in t.iter() {
        let name = k.get_ref();
        if k.span().contains(&pos) {
            return Some(name.to_string());
        }
        if let Some(sub) = path_in_value(v.get_ref(), pos) {
            return Some(format!("{name}{sub}"));
        }
        let s = v.span();
        if s.start <= pos && pos <= s.end {
            return Some(name.to_string());
        }
    }
    None
}

fn path_in_value(v: &toml::de::DeValue<'_>, pos: usize) -> Option<String> {
    match v {
        toml::de::DeValue::Table(t) => path_in_table(t, pos).map(|p| format!(".{p}")),
        toml::de::DeValue::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                if let Some(sub) = path_in_value(e.get_ref(), pos) {
                    return Some(format!("[{i}]{sub}"));
                }
                let s = e.span();
                if s.start <= pos && pos <= s.end {
                    return Some(format!("[{i}]"));
                }
            }
            None
        }
        _ => None,
    }
}

/// Path of the first key called `name`, depth first.
fn find_named(t: &toml::de::DeTable<'_>, name: &str) -> Option<String> {
    for (k, v) in t.iter() {
        let key = k.get_ref();
        if key == name {
            return Some(key.to_string());
        }
        match v.get_ref() {
            toml::de::DeValue::Table(sub) => {
                if let Some(p) = find_named(sub, name) {
                    return Some(format!("{key}.{p}"));
                }
            }
            toml::de::DeValue::Array(a) => {
                for (i, e) in a.iter().enumerate() {
                    if let toml::de::DeValue::Table(sub) = e.get_ref() {
                        if let Some(p) = find_named(sub, name) {
                            return Some(format!("{key}[{i}].{p}"));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// One line, no control characters.
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        match c {
            '\n' => out.push_str("; "),
            '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// High level: validation
// ---------------------------------------------------------------------------------------------

const MAX_VALUE_CHARS: usize = 60;

/// A value as it would be written in the file, shortened and on one line.
pub(crate) fn show(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("\"{}\"", s.escape_default()),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) if f.is_nan() => "nan".to_string(),
        Value::Float(f) if f.is_infinite() => if *f > 0.0 { "inf" } else { "-inf" }.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(show).collect::<Vec<_>>().join(", ")),
        Value::Table(_) => "{ ... } (a table)".to_string(),
    };
    if s.chars().count() > MAX_VALUE_CHARS {
        let cut: String = s.chars().take(MAX_VALUE_CHARS).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// A range bound for messages: `12`, `0.1`.
pub(crate) fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn invalid(
        &self,
        key: &str,
        v: &Value,
        problem: impl Into<String>,
        allowed: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.file.to_string(),
            key: key.to_string(),
            value: show(v),
            problem: problem.into(),
            allowed: allowed.into(),
        }
    }

    pub(crate) fn missing(&self, key: &str, allowed: impl Into<String>) -> ScenarioError {
        ScenarioError::Missing {
            file: self.file.to_string(),
            key: key.to_string(),
            allowed: allowed.into(),
        }
    }

    pub(crate) fn required<T>(&self, key: &str, v: Option<T>, allowed: &str) -> Result<T, ScenarioError> {
        v.ok_or_else(|| self.missing(key, allowed))
    }

    /// A finite number (integer or float) in `lo..=hi`.
    pub(crate) fn number(
        &self,
        key: &str,
        v: Option<&Value>,
        lo: f64,
        hi: f64,
        allowed: &str,
    ) -> Result<Option<f64>, ScenarioError> {
        let Some(v) = v else { return Ok(None) };
        let x = match v {
            Value::Integer(i) => *i as f64,
            Value::Float(f) if f.is_finite() => *f,
            Value::Float(_) => return Err(self.invalid(key, v, "is not a finite number", allowed)),
            _ => return Err(self.invalid(key, v, "is not a number", allowed)),
        };
        if !(lo..=hi).contains(&x) {
            return Err(self.invalid(key, v, "is out of range", allowed));
        }
        Ok(Some(x))
    }

    /// A whole number in `lo..=hi`.
    pub(crate) fn integer(
        &self,
        key: &str,
        v: Option<&Value>,
        lo: i64,
        hi: i64,
        allowed: &str,
    ) -> Result<Option<i64>, ScenarioError> {
        let Some(v) = v else { return Ok(None) };
        let i = match v {
            Value::Integer(i) => *i,
            Value::Float(_) => return Err(self.invalid(key, v, "is not a whole number", allowed)),
            _ => return Err(self.invalid(key, v, "is not a number", allowed)),
        };
        if !(lo..=hi).contains(&i) {
            return Err(self.invalid(key, v, "is out of range", allowed));
        }
        Ok(Some(i))
    }

    pub(crate) fn text<'v>(
        &self,
        key: &str,
        v: Option<&'v Value>,
        allowed: &str,
    ) -> Result<Option<&'v str>, ScenarioError> {
        match v {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(v) => Err(self.invalid(key, v, "is not a text in quotes", allowed)),
        }
    }

    /// One of `names` (a text); gives the matching name.
    pub(crate) fn choice<T: Copy>(
        &self,
        key: &str,
        v: Option<&Value>,
        options: &[(&str, T)],
    ) -> Result<Option<T>, ScenarioError> {
        let allowed = options.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
        let Some(v) = v else { return Ok(None) };
        let Some(s) = self.text(key, Some(v), &allowed)? else {
            return Ok(None);
        };
        match options.iter().find(|(n, _)| *n == s) {
            Some((_, t)) => Ok(Some(*t)),
            None => Err(self.invalid(key, v, "is unknown", allowed)),
        }
    }
}

// Allowed values, as the messages state them.
const A_VERSION: &str = "1 (or leave the key out)";
const A_NAME: &str = "a non-empty text in quotes, e.g. name = \"Rolling acne scars on the cheek\"";
const A_SEED: &str = "a whole number from 0 to 9223372036854775807 (default 1)";
const A_AGE: &str = "a number of years from 12 to 100";
const A_SKIN_TYPE: &str = "a whole number from 1 to 6 (Fitzpatrick skin type)";
const A_PHOTOAGING: &str = "a whole number from 1 to 4 (Glogau grade; default 1)";
const A_LENGTH: &str = "a number of millimetres from 0.1 to 3 (roller up to 3, pen up to 2.5, stamp up to 2)";
const A_PASSES: &str =
    "a whole number from 1 to 20 (roller: passes per direction; pen: passes over the area; stamp: presses per spot)";
const A_DIAMETER: &str = "a number of millimetres from 0.05 to 0.3";
const A_FREQUENCY: &str = "a number of hertz from 25 to 200 (pen only)";
const A_GLIDE: &str = "a number of millimetres per second from 5 to 100 (pen only)";
const A_SESSIONS: &str = "a whole number from 1 to 20";
const A_INTERVAL: &str = "a number of days from 7 to 365 (required when sessions > 1)";
const A_INTERVAL_ONE: &str = "a number of days from 0 to 365 (not used with one session; may be left out)";
const A_FOLLOW_UP: &str = "a number of days from 0 to 3650 (default 90)";
const A_PATCH_SIZE: &str = "a number of millimetres from 0.2 to 10, or two of them [x, y] (default 2)";
const A_PATCH_RESOLUTION: &str =
    "a number of micrometres from 5 to 100 (default 20), at least 5 voxels across the patch";
const A_PATCH_LESION_AT: &str = "two numbers [x, y] in millimetres inside the patch (default: its centre)";
const A_PATCH_NPY: &str = "true or false (default false)";

/// Every concern kind with every subtype, in the order the messages list them.
const CONCERN_VARIANTS: [ConcernKind; 13] = ConcernKind::ALL;

/// Kinds whose subtype may be left out, with the default.
const DEFAULT_SUBTYPE: [ConcernKind; 1] = [ConcernKind::Keloid(RaisedScarType::Keloid)];

const DEVICE_KINDS: [&str; 3] = ["roller", "pen", "stamp"];

/// Severity scale of a concern: (min, max, scale name), as the model defines it.
fn severity_scale(kind: ConcernKind, face: bool) -> (f64, f64, &'static str) {
    let (lo, hi) = cit_core::outcome::severity_range(kind, face);
    (lo, hi, cit_core::outcome::scale(kind, face).name)
}

/// Longest needle each device kind takes, millimetres (the device model's limits).
fn max_needle_mm(kind: &str) -> f64 {
    cit_core::device::max_needle_length_mm(kind)
}

fn needle_count_range(kind: &str) -> (i64, i64) {
    let (lo, hi) = cit_core::device::needle_count_range(kind);
    (i64::from(lo), i64::from(hi))
}

impl RawScenario {
    fn validate(self, cx: &Ctx<'_>) -> Result<Scenario, ScenarioError> {
        if self.version.is_none()
            && self.name.is_none()
            && self.seed.is_none()
            && self.patient.is_none()
            && self.site.is_none()
            && self.concern.is_none()
            && self.device.is_none()
            && self.protocol.is_none()
            && self.patch.is_none()
        {
            return Err(ScenarioError::Empty {
                file: cx.file.to_string(),
            });
        }
        cx.integer("version", self.version.as_ref(), 1, 1, A_VERSION)?;
        let name = cx.required("name", cx.text("name", self.name.as_ref(), A_NAME)?, A_NAME)?;
        if name.trim().is_empty() {
            return Err(cx.invalid("name", &Value::String(name.to_string()), "is empty", A_NAME));
        }
        let seed = cx
            .integer("seed", self.seed.as_ref(), 0, i64::MAX, A_SEED)?
            .unwrap_or(1);

        let patient = cx
            .required("patient", self.patient, "age, sex, skin_type, photoaging")?
            .validate(cx)?;
        let site = cx.required("site", self.site, "region")?;
        let region = site.validate(cx)?;

        let raw_concerns = cx.required("concern", self.concern, "kind, subtype, severity")?;
        if raw_concerns.is_empty() {
            return Err(cx.invalid(
                "concern",
                &Value::Array(Vec::new()),
                "is empty",
                "one or more [[concern]] tables with kind, subtype, severity",
            ));
        }
        let concerns = raw_concerns
            .into_iter()
            .enumerate()
            .map(|(i, c)| c.validate(cx, i, region))
            .collect::<Result<Vec<_>, _>>()?;

        let device = cx
            .required(
                "device",
                self.device,
                "kind, needle_length_mm, passes, needle_count, needle_diameter_mm, frequency_hz, glide_speed_mm_s",
            )?
            .validate(cx)?;
        let protocol = cx
            .required(
                "protocol",
                self.protocol,
                "sessions, interval_days, follow_up_days, adjunct",
            )?
            .validate(cx)?;
        let patch = self.patch.map(|p| p.validate(cx, &protocol)).transpose()?;
        Ok(Scenario {
            name: name.to_string(),
            seed: seed as u64,
            patient,
            region,
            concerns,
            device,
            protocol,
            patch,
        })
    }
}

impl RawPatient {
    /// A `[patient]` section from values given elsewhere (the planner's command-line flags).
    pub(crate) fn from_values(
        age: Option<Value>,
        sex: Option<Value>,
        skin_type: Option<Value>,
        photoaging: Option<Value>,
    ) -> Self {
        RawPatient {
            age,
            sex,
            skin_type,
            photoaging,
        }
    }

    pub(crate) fn validate(self, cx: &Ctx<'_>) -> Result<Patient, ScenarioError> {
        let age = cx.number("patient.age", self.age.as_ref(), 12.0, 100.0, A_AGE)?;
        let age_years = cx.required("patient.age", age, A_AGE)?;
        let sexes = Sex::ALL.map(|s| (s.name(), s));
        let sex_names = Sex::ALL.map(|s| s.name()).join(", ");
        let sex = cx.required(
            "patient.sex",
            cx.choice("patient.sex", self.sex.as_ref(), &sexes)?,
            &sex_names,
        )?;
        let skin_type = cx.integer("patient.skin_type", self.skin_type.as_ref(), 1, 6, A_SKIN_TYPE)?;
        let skin_type = cx.required("patient.skin_type", skin_type, A_SKIN_TYPE)?;
        let photoaging = cx
            .integer("patient.photoaging", self.photoaging.as_ref(), 1, 4, A_PHOTOAGING)?
            .unwrap_or(1);
        // In range above, so the narrowing casts are exact.
        Ok(Patient {
            age_years,
            sex,
            skin_type: skin_type as u8,
            photoaging: photoaging as u8,
        })
    }
}

impl RawSite {
    pub(crate) fn from_value(region: Option<Value>) -> Self {
        RawSite { region }
    }

    pub(crate) fn validate(self, cx: &Ctx<'_>) -> Result<Region, ScenarioError> {
        let regions = Region::ALL.map(|r| (r.name(), r));
        let names = Region::ALL.map(|r| r.name()).join(", ");
        cx.required(
            "site.region",
            cx.choice("site.region", self.region.as_ref(), &regions)?,
            &names,
        )
    }
}

impl RawConcern {
    pub(crate) fn from_values(kind: Option<Value>, subtype: Option<Value>, severity: Option<Value>) -> Self {
        RawConcern {
            kind,
            subtype,
            severity,
        }
    }

    pub(crate) fn validate(self, cx: &Ctx<'_>, i: usize, region: Region) -> Result<Concern, ScenarioError> {
        let key = |k: &str| format!("concern[{i}].{k}");
        let mut kinds: Vec<(&str, &str)> = Vec::new();
        for k in CONCERN_VARIANTS {
            if !kinds.iter().any(|(n, _)| *n == k.name()) {
                kinds.push((k.name(), k.name()));
            }
        }
        let kind_names = kinds.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
        let kind_key = key("kind");
        let kind_name = cx.required(
            &kind_key,
            cx.choice(&kind_key, self.kind.as_ref(), &kinds)?,
            &kind_names,
        )?;

        let variants: Vec<ConcernKind> = CONCERN_VARIANTS.into_iter().filter(|k| k.name() == kind_name).collect();
        let subtypes: Vec<(&str, ConcernKind)> = variants
            .iter()
            .filter_map(|&k| k.subtype_name().map(|n| (n, k)))
            .collect();
        let sub_key = key("subtype");
        let kind = if subtypes.is_empty() {
            match &self.subtype {
                Some(v) => {
                    return Err(cx.invalid(
                        &sub_key,
                        v,
                        format!("is not allowed for kind \"{kind_name}\""),
                        format!("no subtype for kind \"{kind_name}\" (leave the key out)"),
                    ))
                }
                None => variants.first().copied().unwrap_or(ConcernKind::Texture),
            }
        } else {
            let names = subtypes.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
            let default = DEFAULT_SUBTYPE.into_iter().find(|k| k.name() == kind_name);
            match self.subtype.as_ref() {
                None => match default {
                    Some(d) => d,
                    None => return Err(cx.missing(&sub_key, format!("{names} (required for kind \"{kind_name}\")"))),
                },
                Some(Value::String(s)) => match subtypes.iter().find(|(n, _)| n == s) {
                    Some((_, k)) => *k,
                    None => {
                        return Err(cx.invalid(
                            &sub_key,
                            &Value::String(s.clone()),
                            format!("is not allowed for kind \"{kind_name}\""),
                            names,
                        ))
                    }
                },
                Some(v) => return Err(cx.invalid(&sub_key, v, "is not a text in quotes", names)),
            }
        };

        let face = region.is_face();
        let (lo, hi, scale) = severity_scale(kind, face);
        let allowed = format!("a number from {} to {} ({scale})", num(lo), num(hi));
        let sev_key = key("severity");
        let severity = match cx.number(
            &sev_key,
            self.severity.as_ref(),
            f64::NEG_INFINITY,
            f64::INFINITY,
            &allowed,
        )? {
            None => return Err(cx.missing(&sev_key, allowed)),
            Some(x) => x,
        };
        if !(lo..=hi).contains(&severity) {
            let on = if matches!(kind, ConcernKind::Hyperpigmentation(_)) {
                format!(" on the {}", region.name())
            } else {
                String::new()
            };
            let fallback = Value::Float(severity);
            let v = self.severity.as_ref().unwrap_or(&fallback);
            return Err(cx.invalid(
                &sev_key,
                v,
                format!("is out of range for kind \"{kind_name}\"{on}"),
                allowed,
            ));
        }
        Ok(Concern { kind, severity })
    }
}

impl RawDevice {
    fn validate(self, cx: &Ctx<'_>) -> Result<Device, ScenarioError> {
        let kinds = DEVICE_KINDS.map(|k| (k, k));
        let kind_names = DEVICE_KINDS.join(", ");
        let kind = cx.required(
            "device.kind",
            cx.choice("device.kind", self.kind.as_ref(), &kinds)?,
            &kind_names,
        )?;

        let (lo, hi) = NEEDLE_LENGTH_RANGE_MM;
        let length = cx.number(
            "device.needle_length_mm",
            self.needle_length_mm.as_ref(),
            lo,
            hi,
            A_LENGTH,
        )?;
        let length = cx.required("device.needle_length_mm", length, A_LENGTH)?;
        let max = max_needle_mm(kind);
        if length > max {
            let fallback = Value::Float(length);
            let v = self.needle_length_mm.as_ref().unwrap_or(&fallback);
            return Err(cx.invalid(
                "device.needle_length_mm",
                v,
                format!(
                    "is a needle longer than the device allows (a {kind} takes at most {} mm)",
                    num(max)
                ),
                format!("a number of millimetres from {} to {} for a {kind}", num(lo), num(max)),
            ));
        }
        let passes = cx.integer("device.passes", self.passes.as_ref(), 1, 20, A_PASSES)?;
        let passes = cx.required("device.passes", passes, A_PASSES)? as u32;

        let Some(mut device) = Device::typical(kind, length, passes) else {
            // Unreachable: `kind` is one of DEVICE_KINDS, which Device::typical knows.
            return Err(cx.invalid(
                "device.kind",
                &Value::String(kind.to_string()),
                "is unknown",
                kind_names,
            ));
        };

        let (nlo, nhi) = needle_count_range(kind);
        let a_count = format!(
            "a whole number from {nlo} to {nhi} for a {kind} (default {})",
            device.needle_count
        );
        if let Some(n) = cx.integer("device.needle_count", self.needle_count.as_ref(), nlo, nhi, &a_count)? {
            device.needle_count = n as u32;
        }
        let (dlo, dhi) = NEEDLE_DIAMETER_RANGE_MM;
        if let Some(d) = cx.number(
            "device.needle_diameter_mm",
            self.needle_diameter_mm.as_ref(),
            dlo,
            dhi,
            A_DIAMETER,
        )? {
            device.needle_diameter_mm = d;
        }
        let pen_only = |key: &str, v: &Option<Value>, allowed: &str| -> Result<(), ScenarioError> {
            match v {
                Some(v) if kind != "pen" => Err(cx.invalid(
                    key,
                    v,
                    format!("is not allowed for kind \"{kind}\""),
                    allowed.to_string(),
                )),
                _ => Ok(()),
            }
        };
        pen_only(
            "device.frequency_hz",
            &self.frequency_hz,
            "only with kind \"pen\" (25 to 200 hertz)",
        )?;
        pen_only(
            "device.glide_speed_mm_s",
            &self.glide_speed_mm_s,
            "only with kind \"pen\" (5 to 100 mm/s)",
        )?;
        let frequency = cx.number(
            "device.frequency_hz",
            self.frequency_hz.as_ref(),
            25.0,
            200.0,
            A_FREQUENCY,
        )?;
        let glide = cx.number(
            "device.glide_speed_mm_s",
            self.glide_speed_mm_s.as_ref(),
            5.0,
            100.0,
            A_GLIDE,
        )?;
        if let DeviceKind::Pen {
            frequency_hz,
            glide_speed_mm_s,
            ..
        } = &mut device.kind
        {
            if let Some(f) = frequency {
                *frequency_hz = f;
            }
            if let Some(g) = glide {
                *glide_speed_mm_s = g;
            }
        }
        Ok(device)
    }
}

impl RawPatch {
    fn validate(self, cx: &Ctx<'_>, protocol: &Protocol) -> Result<PatchSettings, ScenarioError> {
        let mut out = PatchSettings::new_default(protocol);
        let (lo, hi) = PatchSettings::SIZE_RANGE_MM;
        if let Some(v) = &self.size_mm {
            out.size_mm = match v {
                Value::Array(a) if a.len() == 2 => {
                    let x = cx.number("patch.size_mm[0]", a.first(), lo, hi, A_PATCH_SIZE)?;
                    let y = cx.number("patch.size_mm[1]", a.get(1), lo, hi, A_PATCH_SIZE)?;
                    [x.unwrap_or(lo), y.unwrap_or(lo)]
                }
                Value::Array(_) => return Err(cx.invalid("patch.size_mm", v, "is not two numbers", A_PATCH_SIZE)),
                _ => {
                    let s = cx.number("patch.size_mm", Some(v), lo, hi, A_PATCH_SIZE)?.unwrap_or(lo);
                    [s, s]
                }
            };
        }
        let (rlo, rhi) = PatchSettings::RESOLUTION_RANGE_UM;
        if let Some(r) = cx.number(
            "patch.resolution_um",
            self.resolution_um.as_ref(),
            rlo,
            rhi,
            A_PATCH_RESOLUTION,
        )? {
            out.resolution_um = r;
        }
        let smallest_mm = out.size_mm[0].min(out.size_mm[1]);
        if smallest_mm * 1000.0 / out.resolution_um < 5.0 {
            let v = self.resolution_um.clone().unwrap_or(Value::Float(out.resolution_um));
            return Err(cx.invalid(
                "patch.resolution_um",
                &v,
                format!("is too coarse for a patch {} mm across", num(smallest_mm)),
                A_PATCH_RESOLUTION,
            ));
        }
        out.lesion_at_mm = [0.5 * out.size_mm[0], 0.5 * out.size_mm[1]];
        if let Some(v) = &self.lesion_at_mm {
            let Value::Array(a) = v else {
                return Err(cx.invalid("patch.lesion_at_mm", v, "is not two numbers", A_PATCH_LESION_AT));
            };
            if a.len() != 2 {
                return Err(cx.invalid("patch.lesion_at_mm", v, "is not two numbers", A_PATCH_LESION_AT));
            }
            for (k, axis) in ["patch.lesion_at_mm[0]", "patch.lesion_at_mm[1]"]
                .into_iter()
                .enumerate()
            {
                let x = cx.number(axis, a.get(k), 0.0, out.size_mm[k], A_PATCH_LESION_AT)?;
                out.lesion_at_mm[k] = x.unwrap_or(0.0);
            }
        }
        let end = protocol.end_day();
        let a_days = format!(
            "a list of up to {} days from 0 to {} (the end of follow-up), e.g. [1, 28, {}]",
            PatchSettings::MAX_OUTPUT_DAYS,
            num(end),
            num(end)
        );
        if let Some(v) = &self.output_days {
            let Value::Array(a) = v else {
                return Err(cx.invalid("patch.output_days", v, "is not a list of days", a_days));
            };
            if a.len() > PatchSettings::MAX_OUTPUT_DAYS {
                return Err(cx.invalid("patch.output_days", v, "has too many days", a_days));
            }
            let mut days = Vec::with_capacity(a.len());
            for (k, d) in a.iter().enumerate() {
                let key = format!("patch.output_days[{k}]");
                days.push(cx.number(&key, Some(d), 0.0, end, &a_days)?.unwrap_or(0.0));
            }
            days.sort_by(f64::total_cmp);
            days.dedup();
            out.output_days = days;
        }
        if let Some(v) = &self.npy {
            out.npy = match v {
                Value::Boolean(b) => *b,
                _ => return Err(cx.invalid("patch.npy", v, "is not true or false", A_PATCH_NPY)),
            };
        }
        Ok(out)
    }
}

impl RawProtocol {
    fn validate(self, cx: &Ctx<'_>) -> Result<Protocol, ScenarioError> {
        let sessions = cx.integer("protocol.sessions", self.sessions.as_ref(), 1, 20, A_SESSIONS)?;
        let sessions = cx.required("protocol.sessions", sessions, A_SESSIONS)? as u32;
        let interval_days = if sessions > 1 {
            let i = cx.number(
                "protocol.interval_days",
                self.interval_days.as_ref(),
                7.0,
                365.0,
                A_INTERVAL,
            )?;
            cx.required("protocol.interval_days", i, A_INTERVAL)?
        } else {
            cx.number(
                "protocol.interval_days",
                self.interval_days.as_ref(),
                0.0,
                365.0,
                A_INTERVAL_ONE,
            )?
            .unwrap_or(0.0)
        };
        let follow_up_days = cx
            .number(
                "protocol.follow_up_days",
                self.follow_up_days.as_ref(),
                0.0,
                3650.0,
                A_FOLLOW_UP,
            )?
            .unwrap_or(90.0);
        let adjuncts = [(Adjunct::TranexamicAcid.name(), Adjunct::TranexamicAcid)];
        let adjunct = cx.choice("protocol.adjunct", self.adjunct.as_ref(), &adjuncts)?;
        Ok(Protocol {
            sessions,
            interval_days,
            follow_up_days,
            adjunct,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cit_core::scenario::{AcneScarType, PigmentType};

    const FULL: &str = r#"
version = 1
name = "Rolling acne scars on the cheek, 3 sessions"
seed = 7
[patient]
age = 32
sex = "female"
skin_type = 4
photoaging = 2
[site]
region = "cheek"
[[concern]]
kind = "acne-scar"
subtype = "rolling"
severity = 3
[[concern]]
kind = "hyperpigmentation"
subtype = "melasma"
severity = 12.5
[device]
kind = "pen"
needle_length_mm = 1.5
passes = 4
needle_count = 36
needle_diameter_mm = 0.25
frequency_hz = 120
glide_speed_mm_s = 20
[protocol]
sessions = 3
interval_days = 28
follow_up_days = 180
adjunct = "tranexamic-acid"
"#;

    const MINIMAL: &str = r#"
name = "minimal"
[patient]
age = 45.5
sex = "male"
skin_type = 2
[site]
region = "abdomen"
[[concern]]
kind = "keloid"
severity = 7
[device]
kind = "roller"
needle_length_mm = 1.0
passes = 2
[protocol]
sessions = 1
"#;

    fn parse(text: &str) -> Scenario {
        match parse_scenario(text, "test.toml") {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn full_file_reads_every_key() {
        let s = parse(FULL);
        assert_eq!(s.name, "Rolling acne scars on the cheek, 3 sessions");
        assert_eq!(s.seed, 7);
        assert_eq!(
            s.patient,
            Patient {
                age_years: 32.0,
                sex: Sex::Female,
                skin_type: 4,
                photoaging: 2
            }
        );
        assert_eq!(s.region, Region::Cheek);
        assert_eq!(s.concerns.len(), 2);
        assert_eq!(
            s.concerns[0],
            Concern {
                kind: ConcernKind::AcneScar(AcneScarType::Rolling),
                severity: 3.0
            }
        );
        assert_eq!(s.concerns[1].kind, ConcernKind::Hyperpigmentation(PigmentType::Melasma));
        assert_eq!(s.device.needle_count, 36);
        assert_eq!(s.device.needle_diameter_mm, 0.25);
        assert_eq!(s.device.needle_length_mm, 1.5);
        assert_eq!(s.device.passes, 4);
        match s.device.kind {
            DeviceKind::Pen {
                frequency_hz,
                glide_speed_mm_s,
                ..
            } => {
                assert_eq!((frequency_hz, glide_speed_mm_s), (120.0, 20.0));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            s.protocol,
            Protocol {
                sessions: 3,
                interval_days: 28.0,
                follow_up_days: 180.0,
                adjunct: Some(Adjunct::TranexamicAcid)
            }
        );
    }

    #[test]
    fn defaults_are_filled_in() {
        let s = parse(MINIMAL);
        assert_eq!(s.seed, 1);
        assert_eq!(s.patient.photoaging, 1);
        assert_eq!(s.concerns[0].kind, ConcernKind::Keloid(RaisedScarType::Keloid));
        let typical = Device::typical("roller", 1.0, 2).unwrap();
        assert_eq!(s.device, typical);
        assert_eq!(s.protocol.follow_up_days, 90.0);
        assert_eq!(s.protocol.interval_days, 0.0);
        assert_eq!(s.protocol.adjunct, None);
    }

    #[test]
    fn resolved_toml_reads_back_the_same() {
        for text in [FULL, MINIMAL] {
            let s = parse(text);
            let written = scenario_to_toml(&s);
            let back = parse(&written);
            assert_eq!(back, s, "{written}");
            // Writing is stable.
            assert_eq!(scenario_to_toml(&back), written);
        }
    }

    #[test]
    fn resolved_toml_round_trips_awkward_values() {
        let mut s = parse(FULL);
        s.name = "Quotes \" and \\ backslashes\nand 'apostrophes' and tabs\t".to_string();
        s.seed = i64::MAX as u64;
        s.patient.age_years = 12.000000000000002;
        s.concerns[0].severity = 1.0 / 3.0 + 1.0;
        s.device.needle_length_mm = 0.1;
        s.protocol.interval_days = 7.25;
        s.protocol.adjunct = None;
        let back = parse(&scenario_to_toml(&s));
        assert_eq!(back, s);
        // Every device kind, every subtype.
        for kind in DEVICE_KINDS {
            let mut t = s.clone();
            t.device = Device::typical(kind, 1.0, 3).unwrap();
            for c in CONCERN_VARIANTS {
                t.concerns = vec![Concern { kind: c, severity: 1.0 }];
                assert_eq!(parse(&scenario_to_toml(&t)), t);
            }
        }
    }

    #[test]
    fn errors_name_file_key_value_and_allowed() {
        let text = FULL.replace("subtype = \"rolling\"", "subtype = \"wavy\"");
        let e = parse_scenario(&text, "scenario.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "scenario.toml: concern[0].subtype = \"wavy\" is not allowed for kind \"acne-scar\"; allowed: icepick, boxcar, rolling"
        );
        assert_eq!(e.key(), Some("concern[0].subtype"));

        let text = format!("bogus_key = 1\n{FULL}");
        let e = parse_scenario(&text, "scenario.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "scenario.toml: unknown key `bogus_key` at top level; allowed: version, name, seed, patient, site, concern, device, protocol, patch (line 1, column 1)"
        );
        assert_eq!(e.key(), Some("bogus_key"));
    }

    #[test]
    fn unknown_key_in_a_concern_names_its_path() {
        let text = FULL.replace("severity = 12.5", "severity = 12.5\ncolour = \"brown\"");
        let e = parse_scenario(&text, "s.toml").unwrap_err();
        assert_eq!(e.key(), Some("concern[1].colour"), "{e}");
        assert!(e.to_string().contains("allowed: kind, subtype, severity"), "{e}");
    }

    #[test]
    fn sessions_of_one_need_no_interval() {
        let s = parse(&MINIMAL.replace("sessions = 1", "sessions = 1\ninterval_days = 30"));
        assert_eq!(s.protocol.interval_days, 30.0);
        let e = parse_scenario(&MINIMAL.replace("sessions = 1", "sessions = 2"), "s.toml").unwrap_err();
        assert_eq!(e.key(), Some("protocol.interval_days"));
    }

    #[test]
    fn mangled_files_never_panic() {
        // Every prefix, every file without one of its lines, every line doubled: an error or a
        // scenario, never a panic.
        let mut texts: Vec<String> = Vec::new();
        for (i, _) in FULL.char_indices() {
            texts.push(FULL[..i].to_string());
        }
        let lines: Vec<&str> = FULL.lines().collect();
        for i in 0..lines.len() {
            let mut l = lines.clone();
            l.remove(i);
            texts.push(l.join("\n"));
            let mut l = lines.clone();
            l.insert(i, lines[i]);
            texts.push(l.join("\n"));
        }
        for bad in [
            "nan",
            "-inf",
            "1e308",
            "-0.0",
            "9223372036854775807",
            "-9223372036854775808",
            "\"\"",
            "[]",
            "{}",
            "true",
        ] {
            for key in [
                "age",
                "skin_type",
                "severity",
                "needle_length_mm",
                "passes",
                "sessions",
                "seed",
                "needle_count",
            ] {
                let re = lines
                    .iter()
                    .map(|l| {
                        if l.starts_with(&format!("{key} =")) {
                            format!("{key} = {bad}")
                        } else {
                            l.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                texts.push(re);
            }
        }
        texts.push(format!("x = {}1{}", "[".repeat(5000), "]".repeat(5000)));
        texts.push(format!("x = {}", "{a = ".repeat(5000)));
        texts.push("a.".repeat(5000) + "b = 1");
        for t in &texts {
            if let Err(e) = parse_scenario(t, "s.toml") {
                let m = e.to_string();
                assert!(m.starts_with("s.toml: ") && !m.contains('\n'), "{m:?}");
            }
        }
    }

    #[test]
    fn every_message_is_one_line() {
        let texts = [
            "a = \"\n",
            "\u{0}\u{1}\u{7f}",
            "[patient]\nage = 1\nage = 2",
            "x = [[[[[[1]]]]]]",
        ];
        for t in texts {
            let e = parse_scenario(t, "s.toml").unwrap_err().to_string();
            assert!(!e.contains('\n') && e.starts_with("s.toml: "), "{e:?}");
        }
    }
}
