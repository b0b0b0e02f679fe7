//! Renderings of results: JSON (the stable contract of `product.md`), CSV time series, text.

use cit_core::cohort::{CohortResult, Stats};
use cit_core::scenario::Scenario;
use cit_core::simulate::{SimulationResult, Summary};
use serde_json::{json, Map, Value};

/// Version of the JSON result layout; bumped when a key is renamed or removed.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// Summary fields in contract order: (JSON key, accessor, unit, label for text).
type Field = (&'static str, fn(&Summary) -> f64, &'static str, &'static str);
pub const SUMMARY_FIELDS: [Field; 10] = [
    (
        "collagen_change_pct",
        |s| s.collagen_change_pct,
        "%",
        "dermal collagen (I + III)",
    ),
    ("collagen_i_change_pct", |s| s.collagen_i_change_pct, "%", "collagen I"),
    (
        "collagen_iii_change_pct",
        |s| s.collagen_iii_change_pct,
        "%",
        "collagen III",
    ),
    ("elastin_change_pct", |s| s.elastin_change_pct, "%", "elastin (total)"),
    (
        "epidermis_thickness_change_pct",
        |s| s.epidermis_thickness_change_pct,
        "%",
        "epidermal thickness",
    ),
    (
        "dermis_thickness_change_pct",
        |s| s.dermis_thickness_change_pct,
        "%",
        "dermal thickness",
    ),
    ("firmness_change_pct", |s| s.firmness_change_pct, "%", "firmness"),
    (
        "redness_days",
        |s| s.redness_days,
        "days",
        "redness lasts (longest session)",
    ),
    (
        "dryness_days",
        |s| s.dryness_days,
        "days",
        "dryness lasts (longest session)",
    ),
    (
        "pih_probability",
        |s| s.pih_probability,
        "",
        "PIH probability over the course",
    ),
];

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

fn concern_names(s: &Scenario, i: usize) -> (&'static str, &'static str) {
    let k = s.concerns[i].kind;
    (k.name(), k.subtype_name().unwrap_or(""))
}

fn header(s: &Scenario, model: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("format_version".into(), json!(JSON_FORMAT_VERSION));
    m.insert("scenario".into(), json!(s.name));
    m.insert("seed".into(), json!(s.seed));
    m.insert("model".into(), json!(model));
    m
}

/// JSON of one simulated person.
pub fn result_json(s: &Scenario, r: &SimulationResult) -> Value {
    let mut root = header(s, "column");
    let mut summary = Map::new();
    for (key, get, _, _) in SUMMARY_FIELDS {
        summary.insert(key.into(), json!(round(get(&r.summary), 4)));
    }
    let concerns: Vec<Value> = r
        .summary
        .concerns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (kind, subtype) = concern_names(s, i);
            json!({"kind": kind, "subtype": subtype, "scale": c.scale, "before": round(c.before, 3),
                   "after": round(c.after, 3), "improvement_pct": round(c.improvement_pct, 2)})
        })
        .collect();
    summary.insert("concerns".into(), Value::Array(concerns));
    root.insert("summary".into(), Value::Object(summary));
    root.insert(
        "device".into(),
        json!({"effective_depth_um": round(r.effective_depth_um, 1), "holes_per_cm2": round(r.holes_per_cm2, 1)}),
    );
    root.insert(
        "sessions".into(),
        Value::Array(
            r.sessions
                .iter()
                .map(|x| json!({"day": x.day, "redness_days": round(x.redness_days, 3), "dryness_days": round(x.dryness_days, 3), "melanin_rise": round(x.melanin_rise, 5)}))
                .collect(),
        ),
    );
    root.insert("timeseries".into(), timeseries_json(s, r));
    root.insert(
        "depth_profile".into(),
        json!({
            "depth_um": r.depth_profile.depth_um.iter().map(|v| round(*v, 1)).collect::<Vec<_>>(),
            "collagen_before": r.depth_profile.collagen_before.iter().map(|v| round(*v, 5)).collect::<Vec<_>>(),
            "collagen_after": r.depth_profile.collagen_after.iter().map(|v| round(*v, 5)).collect::<Vec<_>>(),
        }),
    );
    Value::Object(root)
}

/// Time-series columns: (name, accessor). Relative quantities: 1 = a 25-year-old's skin.
type Column = (&'static str, fn(&cit_core::column::Snapshot) -> f64);
pub const TIMESERIES_COLUMNS: [Column; 15] = [
    ("day", |x| x.day),
    ("collagen_i", |x| x.collagen_i),
    ("collagen_iii", |x| x.collagen_iii),
    ("collagen", |x| x.collagen),
    ("elastin", |x| x.elastin()),
    ("elastin_functional", |x| x.elastin_functional),
    ("elastotic", |x| x.elastotic),
    ("fibroblasts", |x| x.fibroblasts),
    ("redness", |x| x.redness),
    ("dryness", |x| x.dryness),
    ("melanin", |x| x.melanin),
    ("epidermis_um", |x| x.epidermis_um),
    ("dermis_um", |x| x.dermis_um),
    ("firmness", |x| x.stiffness),
    ("papillary_collagen", |x| x.papillary_collagen),
];

fn grade_key(s: &Scenario, i: usize) -> String {
    let (kind, sub) = concern_names(s, i);
    if sub.is_empty() {
        format!("grade_{kind}")
    } else {
        format!("grade_{kind}_{sub}")
    }
}

fn timeseries_json(s: &Scenario, r: &SimulationResult) -> Value {
    let mut m = Map::new();
    for (name, get) in TIMESERIES_COLUMNS {
        let digits = if name == "day" { 3 } else { 5 };
        m.insert(
            name.into(),
            json!(r
                .timeseries
                .samples
                .iter()
                .map(|x| round(get(x), digits))
                .collect::<Vec<_>>()),
        );
    }
    for (i, g) in r.timeseries.grades.iter().enumerate() {
        m.insert(
            grade_key(s, i),
            json!(g.iter().map(|v| round(*v, 4)).collect::<Vec<_>>()),
        );
    }
    Value::Object(m)
}

/// The time series as CSV (header line, then one row per sample).
pub fn timeseries_csv(s: &Scenario, r: &SimulationResult) -> String {
    let mut names: Vec<String> = TIMESERIES_COLUMNS.iter().map(|(n, _)| n.to_string()).collect();
    names.extend((0..r.timeseries.grades.len()).map(|i| grade_key(s, i)));
    let mut out = names.join(",");
    out.push('\n');
    for (k, x) in r.timeseries.samples.iter().enumerate() {
        let mut row: Vec<String> = TIMESERIES_COLUMNS
            .iter()
            .map(|(_, get)| format!("{:.6}", get(x)))
            .collect();
        row.extend(r.timeseries.grades.iter().map(|g| format!("{:.4}", g[k])));
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

fn stats_json(st: Stats, digits: i32) -> Value {
    json!({"mean": round(st.mean, digits), "p10": round(st.p10, digits), "p50": round(st.p50, digits), "p90": round(st.p90, digits)})
}

/// JSON of a cohort: each summary number becomes {mean, p10, p50, p90}; `timeseries` is the
/// typical patient's (shipped parameters).
pub fn cohort_json(s: &Scenario, c: &CohortResult, typical: &SimulationResult) -> Value {
    let mut root = header(s, "column");
    root.insert("cohort_size".into(), json!(c.patients.len()));
    let mut summary = Map::new();
    for (key, get, _, _) in SUMMARY_FIELDS {
        let v: Vec<f64> = c.patients.iter().map(|p| get(&p.summary)).collect();
        summary.insert(key.into(), stats_json(Stats::of(&v), 4));
    }
    let concerns: Vec<Value> = (0..s.concerns.len())
        .map(|i| {
            let (kind, subtype) = concern_names(s, i);
            let pick = |f: fn(&cit_core::simulate::ConcernOutcome) -> f64| {
                Stats::of(&c.patients.iter().map(|p| f(&p.summary.concerns[i])).collect::<Vec<_>>())
            };
            json!({"kind": kind, "subtype": subtype, "scale": typical.summary.concerns[i].scale,
                   "before": round(s.concerns[i].severity, 3),
                   "after": stats_json(pick(|x| x.after), 3),
                   "improvement_pct": stats_json(pick(|x| x.improvement_pct), 2)})
        })
        .collect();
    summary.insert("concerns".into(), Value::Array(concerns));
    summary.insert(
        "responders".into(),
        json!({"improved_one_grade_pct": round(c.responders.improved_one_grade_pct, 2),
               "improved_over_50pct_pct": round(c.responders.improved_over_50pct_pct, 2),
               "pih_pct": round(c.responders.pih_pct, 2)}),
    );
    root.insert("summary".into(), Value::Object(summary));
    root.insert("timeseries".into(), timeseries_json(s, typical));
    Value::Object(root)
}

fn describe(s: &Scenario) -> String {
    let p = &s.patient;
    let concerns: Vec<String> = s
        .concerns
        .iter()
        .map(|c| match c.kind.subtype_name() {
            Some(sub) => format!("{} ({sub}) severity {}", c.kind.name(), c.severity),
            None => format!("{} severity {}", c.kind.name(), c.severity),
        })
        .collect();
    format!(
        "{}\n  patient: {} y, {}, Fitzpatrick {}, Glogau {}; site: {}\n  concerns: {}\n  device: {} {:.2} mm x {} passes; {} sessions every {} days, follow-up {} days{}\n",
        s.name,
        p.age_years,
        p.sex.name(),
        p.skin_type,
        p.photoaging,
        s.region.name(),
        concerns.join("; "),
        s.device.kind_name(),
        s.device.needle_length_mm,
        s.device.passes,
        s.protocol.sessions,
        s.protocol.interval_days,
        s.protocol.follow_up_days,
        s.protocol.adjunct.map(|a| format!(", adjunct {}", a.name())).unwrap_or_default()
    )
}

/// Human-readable report of one simulated person.
pub fn result_text(s: &Scenario, r: &SimulationResult) -> String {
    let mut out = describe(s);
    out.push_str(&format!(
        "  channels: {:.0} per cm² per session, {:.0} µm deep\n\nAt the end of follow-up (day {}):\n",
        r.holes_per_cm2,
        r.effective_depth_um,
        s.protocol.end_day()
    ));
    for (_, get, unit, label) in SUMMARY_FIELDS {
        let v = get(&r.summary);
        match unit {
            "%" => out.push_str(&format!("  {label:<34} {v:+8.1} %\n")),
            "days" => out.push_str(&format!("  {label:<34} {v:8.1} days\n")),
            _ => out.push_str(&format!("  {label:<34} {:8.1} %\n", 100.0 * v)),
        }
    }
    out.push_str("\nConcerns:\n");
    for (i, c) in r.summary.concerns.iter().enumerate() {
        let (kind, sub) = concern_names(s, i);
        let name = if sub.is_empty() {
            kind.to_string()
        } else {
            format!("{kind} ({sub})")
        };
        out.push_str(&format!(
            "  {name:<30} {:<30} {:5.2} -> {:5.2}  ({:+.0} % improvement)\n",
            c.scale, c.before, c.after, c.improvement_pct
        ));
    }
    out
}

/// Human-readable report of a cohort.
pub fn cohort_text(s: &Scenario, c: &CohortResult) -> String {
    let mut out = describe(s);
    out.push_str(&format!(
        "\nVirtual cohort of {} people (mean, 10th / 50th / 90th percentile):\n",
        c.patients.len()
    ));
    for (_, get, unit, label) in SUMMARY_FIELDS {
        let scale = if unit.is_empty() { 100.0 } else { 1.0 };
        let st = Stats::of(&c.patients.iter().map(|p| scale * get(&p.summary)).collect::<Vec<_>>());
        let unit = if unit.is_empty() { "%" } else { unit };
        out.push_str(&format!(
            "  {label:<34} {:8.1}  ({:.1} / {:.1} / {:.1}) {unit}\n",
            st.mean, st.p10, st.p50, st.p90
        ));
    }
    out.push_str("\nConcerns (grade after):\n");
    for i in 0..s.concerns.len() {
        let (kind, sub) = concern_names(s, i);
        let st = Stats::of(
            &c.patients
                .iter()
                .map(|p| p.summary.concerns[i].after)
                .collect::<Vec<_>>(),
        );
        out.push_str(&format!(
            "  {kind} {sub}: {:.2} -> {:.2}  ({:.2} / {:.2} / {:.2})\n",
            s.concerns[i].severity, st.mean, st.p10, st.p50, st.p90
        ));
    }
    let r = c.responders;
    out.push_str(&format!(
        "\nResponders: {:.0} % improved by at least one grade, {:.0} % by more than half; PIH in {:.1} %\n",
        r.improved_one_grade_pct, r.improved_over_50pct_pct, r.pih_pct
    ));
    out
}
