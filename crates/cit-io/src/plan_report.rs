//! Renderings of a plan: JSON (stable keys, documented in docs/planner.md) and text.

use cit_core::cohort::Stats;
use cit_plan::plan::{Plan, Prediction};
use cit_plan::profile::{Goal, PatientProfile};
use cit_plan::safety::Warning;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Version of the plan JSON layout; bumped when a key is renamed or removed.
pub const PLAN_JSON_VERSION: u32 = 1;

fn stats(s: &Stats) -> Value {
    json!({"p10": s.p10, "p50": s.p50, "p90": s.p90})
}

fn prediction(p: &Prediction) -> Value {
    json!({
        "kind": p.kind.name(),
        "subtype": p.kind.subtype_name(),
        "scale": p.scale,
        "before": p.before,
        "after_session": p.after_session.iter().enumerate().map(|(k, (day, s))| {
            json!({"session": k + 1, "day": day, "p10": s.p10, "p50": s.p50, "p90": s.p90})
        }).collect::<Vec<_>>(),
        "end_of_follow_up": {"day": p.end_of_follow_up.0, "p10": p.end_of_follow_up.1.p10,
                             "p50": p.end_of_follow_up.1.p50, "p90": p.end_of_follow_up.1.p90},
    })
}

fn warning(w: &Warning) -> Value {
    json!({"id": w.id, "action": w.action.name(), "reason": w.reason, "advice": w.advice,
           "route": w.route, "citation": w.citation})
}

fn goal_name(g: Goal) -> &'static str {
    match g {
        Goal::Noticeable => "noticeable",
        Goal::Optimal => "optimal",
        Goal::TargetGrade(_) => "target",
    }
}

fn verdict(plan: &Plan) -> &'static str {
    plan.verdict.map_or("treat", |a| a.name())
}

/// The plan as JSON. Without a recommendation the course keys are present and `null`.
pub fn plan_json(profile: &PatientProfile, plan: &Plan) -> Value {
    let p = &profile.patient;
    let rec = plan.recommendation.as_ref();
    let r = |f: &dyn Fn(&cit_plan::plan::Recommendation) -> Value| rec.map_or(Value::Null, f);
    json!({
        "format_version": PLAN_JSON_VERSION,
        "patient": {"age": p.age_years, "sex": p.sex.name(), "skin_type": p.skin_type, "photoaging": p.photoaging},
        "site": profile.region.name(),
        "concerns": profile.concerns.iter().map(|c| json!({"kind": c.kind.name(), "subtype": c.kind.subtype_name(), "severity": c.severity})).collect::<Vec<_>>(),
        "goal": goal_name(plan.goal),
        "target_grade": match plan.goal { Goal::TargetGrade(t) => json!(t), _ => Value::Null },
        "verdict": verdict(plan),
        "not_planned": plan.not_planned,
        "sessions": r(&|r| json!(r.sessions)),
        "interval_days": r(&|r| json!(r.setting.interval_days)),
        "needle_length_mm": r(&|r| json!(r.setting.needle_length_mm)),
        "device": r(&|r| json!(r.setting.device)),
        "passes": r(&|r| json!(r.setting.passes)),
        "adjunct": r(&|r| json!(r.setting.adjunct.map(|a| a.name()))),
        "probability_of_goal": r(&|r| json!(r.probability_of_goal)),
        "schedule": r(&|r| json!(r.schedule.iter().map(|s| json!({"session": s.number, "day": s.day, "date": s.date.map(|d| d.to_string())})).collect::<Vec<_>>())),
        "predicted": r(&|r| prediction(&r.predicted[0])),
        "predicted_other_concerns": r(&|r| json!(r.predicted.iter().skip(1).map(prediction).collect::<Vec<_>>())),
        "follow_up_days": r(&|r| json!(r.follow_up_days)),
        "redness_days_p90": r(&|r| json!(r.redness_days.p90)),
        "dryness_days_p90": r(&|r| json!(r.dryness_days.p90)),
        "redness_days": r(&|r| stats(&r.redness_days)),
        "dryness_days": r(&|r| stats(&r.dryness_days)),
        "redness_gone_within_7_days_pct": r(&|r| json!(100.0 * r.redness_gone_in_7_days_share)),
        "dryness_gone_within_7_days_pct": r(&|r| json!(100.0 * r.dryness_gone_in_7_days_share)),
        "pih_probability": r(&|r| json!(r.pih_probability)),
        "maintenance_after_days": r(&|r| json!(r.maintenance_after_days)),
        "dose_response": r(&|r| json!(r.dose_response.iter().enumerate().map(|(k, s)| json!({"sessions": k + 1, "p10": s.p10, "p50": s.p50, "p90": s.p90})).collect::<Vec<_>>())),
        "warnings": plan.warnings.iter().map(warning).collect::<Vec<_>>(),
        "alternatives": plan.alternatives.iter().map(|a| json!({
            "description": a.description, "sessions": a.sessions, "sessions_simulated": a.sessions_simulated,
            "interval_days": a.setting.interval_days,
            "needle_length_mm": a.setting.needle_length_mm, "device": a.setting.device,
            "passes": a.setting.passes, "adjunct": a.setting.adjunct.map(|x| x.name()),
            "probability_of_goal": a.probability_of_goal, "virtual_patients": a.cohort_size,
        })).collect::<Vec<_>>(),
        "depth_range_mm": {"min": plan.depth_range.min_mm, "max": plan.depth_range.max_mm, "basis": plan.depth_range.basis},
        "method": {"virtual_patients": plan.cohort_size, "screening_patients": plan.screening_size,
                   "seed": plan.seed, "candidate_settings": plan.candidates},
    })
}

fn g(x: f64) -> String {
    format!("{x:.2}")
}

/// The plan as text for the clinic.
pub fn plan_text(profile: &PatientProfile, plan: &Plan) -> String {
    let mut o = String::new();
    let p = &profile.patient;
    let c = &profile.concerns[0];
    let concern = match c.kind.subtype_name() {
        Some(s) => format!("{} ({s})", c.kind.name()),
        None => c.kind.name().to_string(),
    };
    let _ = writeln!(
        o,
        "Plan for a {:.0}-year-old {} (skin type {}), {}: {concern} of severity {}; goal: {}",
        p.age_years,
        p.sex.name(),
        p.skin_type,
        profile.region.name(),
        c.severity,
        plan.goal.name()
    );
    let _ = writeln!(o, "Safety verdict: {}", verdict(plan));
    match &plan.recommendation {
        None => {
            let _ = writeln!(
                o,
                "\nNo course is recommended: {}",
                plan.not_planned.as_deref().unwrap_or("see warnings")
            );
        }
        Some(r) => {
            let s = &r.setting;
            let adjunct = s.adjunct.map(|a| format!(", with {}", a.name())).unwrap_or_default();
            let _ = writeln!(
                o,
                "\nRecommended: {}, {} days apart; {} at {} mm, {} passes{adjunct}",
                count(r.sessions),
                s.interval_days,
                s.device,
                s.needle_length_mm,
                s.passes
            );
            let _ = writeln!(
                o,
                "Probability of reaching the goal: {:.0} % of {} virtual patients",
                100.0 * r.probability_of_goal,
                plan.cohort_size
            );
            let _ = writeln!(o, "\nSchedule:");
            for ss in &r.schedule {
                let when = ss
                    .date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| format!("day {}", ss.day));
                let _ = writeln!(o, "  session {:>2}  {when}", ss.number);
            }
            for pred in &r.predicted {
                let _ = writeln!(
                    o,
                    "\nPredicted {} ({}), before {}: median [10-90 %]",
                    pred.kind.name(),
                    pred.scale,
                    pred.before
                );
                for (k, (day, st)) in pred.after_session.iter().enumerate() {
                    let _ = writeln!(
                        o,
                        "  after session {:>2} (day {:>4}): {} [{} - {}]",
                        k + 1,
                        day,
                        g(st.p50),
                        g(st.p10),
                        g(st.p90)
                    );
                }
                let (day, st) = pred.end_of_follow_up;
                let _ = writeln!(
                    o,
                    "  end of follow-up (day {:>4}): {} [{} - {}]",
                    day,
                    g(st.p50),
                    g(st.p10),
                    g(st.p90)
                );
            }
            let _ = writeln!(
                o,
                "\nDowntime per session: redness {:.1} days, dryness {:.1} days (p90); gone within 7 days in {:.0} % / {:.0} %",
                r.redness_days.p90,
                r.dryness_days.p90,
                100.0 * r.redness_gone_in_7_days_share,
                100.0 * r.dryness_gone_in_7_days_share
            );
            let _ = writeln!(o, "PIH probability over the course: {:.1} %", 100.0 * r.pih_probability);
            let _ = match r.maintenance_after_days {
                Some(d) => writeln!(
                    o,
                    "Maintenance: half the benefit has faded about {d:.0} days after the last session"
                ),
                None => writeln!(
                    o,
                    "Maintenance: the benefit had not faded by half within the simulated horizon"
                ),
            };
        }
    }
    let _ = writeln!(
        o,
        "\nNeedle-length range searched: {}-{} mm",
        plan.depth_range.min_mm, plan.depth_range.max_mm
    );
    if !plan.warnings.is_empty() {
        let _ = writeln!(o, "\nWarnings:");
        for w in &plan.warnings {
            let _ = writeln!(o, "  [{}] {}", w.action, w.reason);
            let _ = writeln!(o, "      what to do: {}", w.advice);
            if let Some(route) = &w.route {
                let _ = writeln!(o, "      route: {route}");
            }
            let _ = writeln!(o, "      source: {}", w.citation);
        }
    }
    if !plan.alternatives.is_empty() {
        let _ = writeln!(o, "\nAlternatives:");
        for a in &plan.alternatives {
            // A setting that reaches the goal with none of the courses simulated says so, and
            // its probability is that of the longest course.
            let sessions = match a.sessions {
                Some(n) => count(n),
                None => format!("goal not reached within {}", count(a.sessions_simulated)),
            };
            let prob = a
                .probability_of_goal
                .map(|p| format!("{:.0} %", 100.0 * p))
                .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                o,
                "  {}: {}, {} days apart, {} mm, {} passes: probability {} ({} virtual patients)",
                a.description,
                sessions,
                a.setting.interval_days,
                a.setting.needle_length_mm,
                a.setting.passes,
                prob,
                a.cohort_size
            );
        }
    }
    o
}

/// "1 session", "3 sessions".
fn count(sessions: u32) -> String {
    if sessions == 1 {
        "1 session".into()
    } else {
        format!("{sessions} sessions")
    }
}
