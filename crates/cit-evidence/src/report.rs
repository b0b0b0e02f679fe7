//! The validation table as text (terminal), JSON (scripts) and Markdown (`docs/validation.md`).

use crate::run::{CheckOutcome, Prediction, TargetOutcome};
use crate::target::{Check, Criterion, Kind, Target};
use serde_json::{json, Value};

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Miss,
    /// A miss documented in the evidence file (`known_miss`) with its reason.
    KnownMiss,
    /// A practice target: reported, never a miss.
    Info,
}

impl Verdict {
    pub fn of(target: &Target, check: &Check, outcome: &CheckOutcome) -> Verdict {
        match (target.kind, outcome.pass, &check.known_miss) {
            (Kind::Practice, _, _) => Verdict::Info,
            (_, true, _) => Verdict::Pass,
            (_, false, Some(_)) => Verdict::KnownMiss,
            (_, false, None) => Verdict::Miss,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Miss => "MISS",
            Verdict::KnownMiss => "known miss",
            Verdict::Info => "info",
        }
    }
}

/// Counts over all checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub pass: usize,
    pub miss: usize,
    pub known_miss: usize,
    pub info: usize,
}

impl Tally {
    pub fn of(targets: &[Target], outcomes: &[TargetOutcome]) -> Tally {
        let mut t = Tally::default();
        for (target, o) in targets.iter().zip(outcomes) {
            for (c, co) in target.checks.iter().zip(&o.checks) {
                match Verdict::of(target, c, co) {
                    Verdict::Pass => t.pass += 1,
                    Verdict::Miss => t.miss += 1,
                    Verdict::KnownMiss => t.known_miss += 1,
                    Verdict::Info => t.info += 1,
                }
            }
        }
        t
    }

    pub fn line(&self) -> String {
        format!(
            "{} checks: {} pass, {} miss, {} known miss (documented), {} practice (reported only)",
            self.pass + self.miss + self.known_miss + self.info,
            self.pass,
            self.miss,
            self.known_miss,
            self.info
        )
    }
}

/// The evidence side of a check, as a short text.
pub fn expected(check: &Check) -> String {
    match &check.criterion {
        Criterion::Near { value } => format!("{} ± {}", num(*value), num(check.tolerance)),
        Criterion::Within { min, max } => match (min, max) {
            (Some(a), Some(b)) => format!("{} – {}", num(*a), num(*b)),
            (Some(a), None) => format!("≥ {}", num(*a)),
            (None, Some(b)) => format!("≤ {}", num(*b)),
            (None, None) => "any".into(),
        },
        Criterion::Compare {
            greater,
            than,
            factor,
            offset,
        } => {
            let op = if *greater { ">" } else { "<" };
            let other = match &**than {
                crate::target::Quantity::Fixed(v) => num(*v),
                crate::target::Quantity::Simulated { .. } => "reference".into(),
            };
            let scaled = if (*factor - 1.0).abs() > 1e-12 {
                format!("{} × {other}", num(*factor))
            } else {
                other
            };
            match *offset {
                o if o > 0.0 => format!("{op} {scaled} + {}", num(o)),
                o if o < 0.0 => format!("{op} {scaled} − {}", num(-o)),
                _ => format!("{op} {scaled}"),
            }
        }
    }
}

/// The model side of a check, as a short text (with p10–p90 for cohorts and the reference of a
/// comparison).
pub fn predicted(outcome: &CheckOutcome) -> String {
    let mut s = prediction(&outcome.predicted);
    if let Some(r) = &outcome.reference {
        s.push_str(&format!(" vs {}", prediction(r)));
    }
    s
}

fn prediction(p: &Prediction) -> String {
    match p.spread {
        Some((lo, hi)) => format!("{} ({}–{}, n={})", num(p.value), num(lo), num(hi), p.patients),
        None => num(p.value),
    }
}

/// A number with 3 significant digits, no exponent for the ranges that occur here.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    let digits = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    let s = format!("{x:.digits$}");
    if s == "-0" || s.starts_with("-0.") && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// The terminal report: per target its id, kind, measure and citation, then one row per check
/// (check, published, predicted with the cohort's p10–p90, result), and the counts at the end.
pub fn text(targets: &[Target], outcomes: &[TargetOutcome]) -> String {
    let mut rows: Vec<[String; 4]> = Vec::new();
    for (t, o) in targets.iter().zip(outcomes) {
        for (c, co) in t.checks.iter().zip(&o.checks) {
            rows.push([
                c.label.clone(),
                expected(c),
                predicted(co),
                Verdict::of(t, c, co).name().into(),
            ]);
        }
    }
    let header = [
        "check".to_string(),
        "published".into(),
        "predicted".into(),
        "result".into(),
    ];
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .chain(std::iter::once(&header))
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |r: &[String; 4]| {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell}{}", " ".repeat(w - cell.chars().count())))
            .collect();
        format!("    {}\n", cells.join("  ").trim_end())
    };
    let mut out = line(&header);
    let mut k = 0;
    for (t, o) in targets.iter().zip(outcomes) {
        out.push_str(&format!(
            "\n{}  [{}]  {}\n    {}\n",
            t.id,
            t.kind.name(),
            t.measure,
            t.citation
        ));
        for _ in &o.checks {
            out.push_str(&line(&rows[k]));
            k += 1;
        }
    }
    out.push('\n');
    out.push_str(&Tally::of(targets, outcomes).line());
    out.push('\n');
    out
}

/// The JSON document of `cit validate --format json`.
pub fn json(targets: &[Target], outcomes: &[TargetOutcome]) -> Value {
    let tally = Tally::of(targets, outcomes);
    let items: Vec<Value> = targets
        .iter()
        .zip(outcomes)
        .map(|(t, o)| {
            let checks: Vec<Value> = t
                .checks
                .iter()
                .zip(&o.checks)
                .map(|(c, co)| {
                    json!({
                        "label": c.label,
                        "expected": expected(c),
                        "tolerance": c.tolerance,
                        "predicted": co.predicted.value,
                        "p10": co.predicted.spread.map(|s| s.0),
                        "p90": co.predicted.spread.map(|s| s.1),
                        "patients": co.predicted.patients,
                        "reference": co.reference.map(|r| r.value),
                        "residual": co.residual,
                        "result": Verdict::of(t, c, co).name(),
                        "known_miss": c.known_miss,
                    })
                })
                .collect();
            json!({
                "id": t.id,
                "kind": t.kind.name(),
                "measure": t.measure,
                "published": t.published,
                "mapping": t.mapping,
                "citation": t.citation,
                "checks": checks,
            })
        })
        .collect();
    json!({
        "format_version": 1,
        "summary": {
            "pass": tally.pass,
            "miss": tally.miss,
            "known_miss": tally.known_miss,
            "practice": tally.info,
        },
        "targets": items,
    })
}

/// The table of `docs/validation.md` (the file adds its own introduction around it).
pub fn markdown(targets: &[Target], outcomes: &[TargetOutcome]) -> String {
    let cell = |s: &str| s.replace('|', "/").replace('\n', " ");
    let mut out = String::from(
        "| target | check | kind | published | predicted (p10–p90) | result |\n|---|---|---|---|---|---|\n",
    );
    for (t, o) in targets.iter().zip(outcomes) {
        for (c, co) in t.checks.iter().zip(&o.checks) {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                t.id,
                cell(&c.label),
                t.kind.name(),
                cell(&expected(c)),
                cell(&predicted(co)),
                Verdict::of(t, c, co).name()
            ));
        }
    }
    out.push_str(&format!("\n{}\n", Tally::of(targets, outcomes).line()));
    let known: Vec<String> = targets
        .iter()
        .flat_map(|t| {
            t.checks.iter().filter_map(move |c| {
                c.known_miss
                    .as_ref()
                    .map(|why| format!("- `{}` — {}: {}", t.id, c.label, cell(why)))
            })
        })
        .collect();
    if !known.is_empty() {
        out.push_str("\n### Documented disagreements\n\n");
        out.push_str(&known.join("\n"));
        out.push('\n');
    }
    out.push_str("\n### Targets\n\n| target | measure | published | how it maps onto the model | protocol details filled in | weight | citation |\n|---|---|---|---|---|---|---|\n");
    for t in targets {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n",
            t.id,
            cell(&t.measure),
            cell(&t.published),
            cell(&t.mapping),
            cell(&t.note),
            t.weight,
            cell(&t.citation)
        ));
    }
    out
}

/// The fit report of `cit calibrate` (Markdown): objective before and after, every target's
/// cost and residuals, the parameters prior → fitted, and those that ended at a bound.
pub fn fit_markdown(targets: &[Target], fit: &crate::calibrate::Fit, command: &str) -> String {
    let cell = |s: &str| s.replace('|', "/");
    let mut o = String::from("# Calibration fit report\n\n");
    o.push_str(&format!(
        "Command: `{command}`  \nSeed {}, {} objective evaluations in {} searches (budget {} each), {} virtual patients per cohort target.\n\n",
        fit.settings.seed, fit.evaluations, fit.searches.len(), fit.settings.max_evaluations, fit.settings.cohort
    ));
    o.push_str(&format!(
        "| | objective |\n|---|---|\n| at the priors | {:.3} |\n| fitted | {:.3} |\n\n",
        fit.objective_prior, fit.objective_fitted
    ));
    o.push_str(&format!(
        "Searches (one per start, {} evaluations each at most; the lowest end is kept):\n\n| start | objective at the start | objective at the end | evaluations | kept |\n|---|---|---|---|---|\n",
        fit.settings.max_evaluations
    ));
    for s in &fit.searches {
        o.push_str(&format!(
            "| {} | {:.3} | {:.3} | {} | {} |\n",
            s.start,
            s.objective_start,
            s.objective_end,
            s.evaluations,
            if s.start == fit.winner { "**yes**" } else { "" }
        ));
    }
    o.push_str("\nWhy each start:\n\n");
    for s in &fit.searches {
        let reason = s.reason.split_whitespace().collect::<Vec<_>>().join(" ");
        o.push_str(&format!("- {}: {}\n", s.start, cell(&reason)));
    }
    o.push('\n');
    let every = (fit.history.len() / 10).max(1);
    let trace: Vec<String> = fit.history.iter().step_by(every).map(|v| format!("{v:.3}")).collect();
    o.push_str(&format!(
        "Best objective along the search kept (every {every} iterations): {}. The fitted objective \
         above is computed again at the values as the parameter file writes them (four significant \
         digits), so it can differ a little from the search's own best.\n\n",
        trace.join(" → ")
    ));

    o.push_str(
        "## Parameters\n\n| parameter | prior | fitted | bounds | scale | at a bound |\n|---|---|---|---|---|---|\n",
    );
    let at: Vec<&str> = fit.at_bounds().iter().map(|(c, _)| c.name.as_str()).collect();
    for (c, v) in fit.coordinates.iter().zip(&fit.values) {
        o.push_str(&format!(
            "| `{}` | {} | {} | {} – {} | {} | {} |\n",
            c.name,
            c.prior,
            v,
            c.lo,
            c.hi,
            if c.log_scale { "log" } else { "linear" },
            if at.contains(&c.name.as_str()) { "**yes**" } else { "" }
        ));
    }
    if !at.is_empty() {
        o.push_str(&format!(
            "\nAt a bound: {}. The evidence pushes these to the edge of the range the literature allows; \
             the bound, not the data, sets their value.\n",
            at.join(", ")
        ));
    }

    o.push_str("\n## Targets\n\n| target | weight | cost at priors | cost fitted | check | residual at priors | residual fitted |\n|---|---|---|---|---|---|---|\n");
    for (i, t) in targets.iter().enumerate() {
        let (a, b) = fit.target_costs[i];
        for (k, c) in t.checks.iter().enumerate() {
            let (ra, rb) = (
                fit.outcomes_prior[i].checks[k].residual,
                fit.outcomes_fitted[i].checks[k].residual,
            );
            if k == 0 {
                o.push_str(&format!(
                    "| `{}` | {} | {:.3} | {:.3} | {} | {:+.2} | {:+.2} |\n",
                    t.id,
                    t.weight,
                    a,
                    b,
                    cell(&c.label),
                    ra,
                    rb
                ));
            } else {
                o.push_str(&format!("| | | | | {} | {:+.2} | {:+.2} |\n", cell(&c.label), ra, rb));
            }
        }
    }
    o.push_str("\nResiduals are in tolerances (|r| ≤ 1 is within tolerance; 0 when a range or ordering holds).\n");
    o
}
