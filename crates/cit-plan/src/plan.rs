//! A plan for one person: safety first, then the search, then the figures of the recommended
//! course on the full virtual cohort.

use crate::calendar::Date;
use crate::profile::{Goal, PatientProfile};
use crate::safety::{Action, DepthRange, SafetyRules, Warning};
use crate::search::{self, Cohort, Screened, Setting, Subject};
use crate::settings::PlannerSettings;
use cit_core::cohort::Stats;
use cit_core::outcome;
use cit_core::params::ParameterSet;
use cit_core::scenario::{Adjunct, ConcernKind};

/// Why no plan could be computed at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("the patient has no concern to plan for")]
    NoConcern,
    #[error("{what}: {value} is outside {allowed}")]
    OutOfRange {
        what: String,
        value: String,
        allowed: String,
    },
}

/// One dated session of the schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledSession {
    pub number: u32,
    /// Days after the first session.
    pub day: f64,
    pub date: Option<Date>,
}

/// Predicted grade of one concern over the course, over the virtual cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub kind: ConcernKind,
    pub scale: &'static str,
    pub before: f64,
    /// Grade one interval after each session (just before the next would be): (day, stats).
    pub after_session: Vec<(f64, Stats)>,
    /// Grade at the end of the follow-up after the last session: (day, stats).
    pub end_of_follow_up: (f64, Stats),
}

/// Another way the course could go, with its probability of reaching the goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub description: String,
    pub setting: Setting,
    /// Sessions that reach the goal; `None` when none of those simulated does.
    pub sessions: Option<u32>,
    /// Sessions of the longest course simulated with this setting: when `sessions` is `None`,
    /// `probability_of_goal` is that course's.
    pub sessions_simulated: u32,
    pub probability_of_goal: Option<f64>,
    /// Virtual patients the probability comes from.
    pub cohort_size: usize,
}

/// The recommended course and what the simulations predict for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    pub setting: Setting,
    pub sessions: u32,
    pub probability_of_goal: f64,
    pub schedule: Vec<ScheduledSession>,
    /// The primary concern first, then the others.
    pub predicted: Vec<Prediction>,
    pub redness_days: Stats,
    pub dryness_days: Stats,
    /// Share of virtual patients whose redness / dryness were gone within 7 days after every session.
    pub redness_gone_in_7_days_share: f64,
    pub dryness_gone_in_7_days_share: f64,
    pub pih_probability: f64,
    /// Median over the maintenance patients of the days after the last session until half the
    /// benefit has faded; `None` when most had not faded within the horizon.
    pub maintenance_after_days: Option<f64>,
    pub follow_up_days: f64,
    /// The recommended setting's dose-response on the screening patients: primary-concern grade
    /// at follow-up after 1, 2, ... sessions.
    pub dose_response: Vec<Stats>,
}

/// What `cit plan` answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub goal: Goal,
    /// The most restrictive safety action, if any rule fired.
    pub verdict: Option<Action>,
    pub warnings: Vec<Warning>,
    pub depth_range: DepthRange,
    pub recommendation: Option<Recommendation>,
    /// Why there is no recommendation.
    pub not_planned: Option<String>,
    pub alternatives: Vec<Alternative>,
    pub cohort_size: usize,
    pub screening_size: usize,
    pub seed: u64,
    pub candidates: usize,
}

/// The planner's inputs besides the person: parameter set, settings, rules.
pub struct Planner<'a> {
    pub set: &'a ParameterSet,
    pub settings: &'a PlannerSettings,
    pub rules: &'a SafetyRules,
}

impl Planner<'_> {
    /// Plans a course for `profile`.
    pub fn plan(&self, profile: &PatientProfile) -> Result<Plan, PlanError> {
        let s = self.settings;
        let primary = *profile.concerns.first().ok_or(PlanError::NoConcern)?;
        let face = profile.region.is_face();
        let scale = outcome::scale(primary.kind, face);
        if let Goal::TargetGrade(t) = profile.goal {
            // Lower is better on every scale: a target at or above today's grade asks for nothing
            // (the patient file refuses it too, with the key; this guards library callers).
            if !(scale.min..=scale.max).contains(&t) || t >= primary.severity {
                return Err(PlanError::OutOfRange {
                    what: "target grade".into(),
                    value: t.to_string(),
                    allowed: format!(
                        "{} to below the grade before treatment, {} ({})",
                        scale.min, primary.severity, scale.name
                    ),
                });
            }
        }
        let max_sessions = profile
            .constraints
            .max_sessions
            .unwrap_or(s.max_sessions)
            .min(s.max_sessions);
        if max_sessions == 0 {
            return Err(PlanError::OutOfRange {
                what: "maximum sessions".into(),
                value: "0".into(),
                allowed: format!("1 to {}", s.max_sessions),
            });
        }
        let device = profile.constraints.device.unwrap_or(match s.default_device.as_str() {
            "roller" => "roller",
            "stamp" => "stamp",
            _ => "pen",
        });
        let assessment = self.rules.assess(profile, device);
        let verdict = assessment.verdict();
        let mut plan = Plan {
            goal: profile.goal,
            verdict,
            warnings: assessment.warnings.clone(),
            depth_range: assessment.depth.clone(),
            recommendation: None,
            not_planned: None,
            alternatives: Vec::new(),
            cohort_size: s.cohort_size,
            screening_size: s.screening_size.min(s.cohort_size),
            seed: s.seed,
            candidates: 0,
        };
        if verdict == Some(Action::DoNotTreat) {
            plan.not_planned = Some(
                "micro-needling is not offered for this person and concern (see warnings for the route instead)".into(),
            );
            return Ok(plan);
        }
        if let Goal::Noticeable = profile.goal {
            if primary.severity - scale.best < s.noticeable_improvement {
                plan.not_planned = Some(format!(
                    "a grade of {} on the {} scale cannot improve by {} grade; choose goal `optimal` or a target grade",
                    primary.severity, scale.name, s.noticeable_improvement
                ));
                return Ok(plan);
            }
        }

        let candidates = candidate_settings(profile, device, &assessment.depth, s);
        plan.candidates = candidates.len();
        let subject = Subject {
            patient: &profile.patient,
            region: profile.region,
            concerns: &profile.concerns,
        };
        let cohort = Cohort::draw(self.set, s.seed, s.cohort_size.max(1));
        let screened = search::screen(
            &subject,
            &candidates,
            &cohort,
            profile.goal,
            max_sessions,
            profile.constraints.max_downtime_days,
            s,
        );
        let finalists = search::finalists(&screened, profile.goal, s);
        let Some(best) = finalists.first().cloned() else {
            plan.not_planned = Some(match profile.constraints.max_downtime_days {
                Some(d) => format!("every setting in the safe depth range keeps redness or dryness longer than the {d} days allowed (p90 of the screening patients)"),
                None => "no setting could be simulated".into(),
            });
            return Ok(plan);
        };
        // A setting that screened a little below the required probability may reach it with one
        // session fewer than the screened best on more patients, and so may the same settings
        // with more passes per session. Denser needling is worth its extra injury only if it
        // saves a session the standard passes cannot, so the standard settings are checked
        // first, and the denser ones are screened (up to one session fewer than the best) and
        // checked only when none of them does. `optimal` has no count to beat before every
        // setting has flattened: no check.
        let to_beat = best.sessions.filter(|&k| k >= 2 && profile.goal != Goal::Optimal);
        let check = to_beat.and_then(|k| {
            let goal = profile.goal;
            if let Some((i, fin)) = search::fewer_sessions(&subject, &finalists, k, &cohort, goal, s) {
                return Some((finalists[i].clone(), fin));
            }
            let denser = denser_settings(&candidates, s);
            plan.candidates += denser.len();
            let max_downtime = profile.constraints.max_downtime_days;
            let denser = search::screen(&subject, &denser, &cohort, goal, k - 1, max_downtime, s);
            let mut contenders = search::finalists(&denser, goal, s);
            let (i, fin) = search::fewer_sessions(&subject, &contenders, k, &cohort, goal, s)?;
            Some((contenders.swap_remove(i), fin))
        });
        let (best, fin) = match check {
            Some(found) => found,
            None => {
                let start = best.sessions.unwrap_or(max_sessions).min(max_sessions);
                let fin = search::finalise(&subject, &best.setting, &cohort, profile.goal, start, max_sessions, s);
                (best, fin)
            }
        };
        let n = fin.sessions;
        let figures = search::figures(&fin.trials, &cohort, profile.goal, primary.severity, n, s);
        let interval = best.setting.interval_days;
        let schedule = (1..=n)
            .map(|k| {
                let day = f64::from(k - 1) * interval;
                ScheduledSession {
                    number: k,
                    day,
                    date: profile.constraints.start_date.map(|d| d.plus_days(day.round() as i64)),
                }
            })
            .collect();
        let last_day = f64::from(n - 1) * interval;
        let predicted: Vec<Prediction> = profile
            .concerns
            .iter()
            .enumerate()
            .map(|(c, concern)| Prediction {
                kind: concern.kind,
                scale: outcome::scale(concern.kind, face).name,
                before: concern.severity,
                after_session: (1..=n)
                    .map(|k| {
                        let g: Vec<f64> = fin.trials.iter().map(|t| t.after[k as usize - 1][c]).collect();
                        (f64::from(k) * interval, Stats::of(&g))
                    })
                    .collect(),
                end_of_follow_up: (
                    last_day + s.follow_up_days,
                    Stats::of(
                        &fin.trials
                            .iter()
                            .filter_map(|t| t.projected[n as usize - 1].as_ref().map(|g| g[c]))
                            .collect::<Vec<_>>(),
                    ),
                ),
            })
            .collect();
        let share_within = |f: &dyn Fn(&search::Trial) -> f64| {
            fin.trials.iter().filter(|t| f(t) <= 7.0).count() as f64 / fin.trials.len().max(1) as f64
        };
        let maintenance_after_days = search::maintenance_after_days(&subject, &best.setting, &cohort, n, s);
        let probability = fin.probability_by_sessions[n as usize - 1].unwrap_or(0.0);
        // The goal's concern, its median improvement at the end of follow-up.
        let first = &predicted[0];
        let (first_name, first_scale) = (first.kind.name(), first.scale);
        let median_benefit = first.before - first.end_of_follow_up.1.p50;
        plan.recommendation = Some(Recommendation {
            setting: best.setting,
            sessions: n,
            probability_of_goal: probability,
            schedule,
            predicted,
            redness_days: figures.redness_days,
            dryness_days: figures.dryness_days,
            redness_gone_in_7_days_share: share_within(&|t| t.downtime(n).0),
            dryness_gone_in_7_days_share: share_within(&|t| t.downtime(n).1),
            pih_probability: figures.pih_probability,
            maintenance_after_days,
            follow_up_days: s.follow_up_days,
            dose_response: best.dose_response.clone(),
        });

        // Warnings the simulation raises.
        if probability < s.probability_goal {
            plan.warnings.push(simulated_warning(
                "goal-unlikely",
                format!(
                    "no setting in the safe range reaches the goal ({}) in {} of virtual patients within {max_sessions} sessions; the most likely course reaches it in {:.0} %",
                    profile.goal.name(),
                    pct(s.probability_goal),
                    100.0 * probability
                ),
                "discuss expectations; consider another goal or treatment".into(),
                s.cohort_size,
            ));
        }
        // A goal other than `noticeable` can be met by a course that does little (the best a
        // setting reaches is itself small): say so, so that the plan is not read as a promise.
        if profile.goal != Goal::Noticeable && median_benefit < s.noticeable_improvement {
            plan.warnings.push(simulated_warning(
                "simulated-small-benefit",
                format!(
                    "the recommended course improves the {} by a median of {:.2} on its scale ({}) at the end of follow-up, less than the {} of a noticeable change",
                    first_name, median_benefit, first_scale,
                    s.noticeable_improvement
                ),
                "discuss expectations; a setting that reaches deeper (a pen reaches about the set depth, a roller a fraction of it) or another treatment may do more".into(),
                s.cohort_size,
            ));
        }
        if figures.pih_probability >= s.pih_warning_probability {
            plan.warnings.push(simulated_warning(
                "simulated-pih",
                format!(
                    "simulated probability of post-inflammatory hyperpigmentation over the course: {:.0} %",
                    100.0 * figures.pih_probability
                ),
                "sun protection, a test spot, and a tranexamic-acid or other depigmenting adjunct".into(),
                s.cohort_size,
            ));
        }
        if figures.redness_days.p90.max(figures.dryness_days.p90) > s.downtime_warning_days {
            plan.warnings.push(simulated_warning(
                "simulated-downtime",
                format!(
                    "redness or dryness may last longer than {} days after a session (p90: redness {:.1} days, dryness {:.1} days)",
                    s.downtime_warning_days, figures.redness_days.p90, figures.dryness_days.p90
                ),
                "plan for longer downtime or a shallower setting".into(),
                s.cohort_size,
            ));
        }
        plan.verdict = plan.warnings.iter().map(|w| w.action).max();

        // Alternatives: one session fewer (and more, where simulated) on the full cohort, then
        // the next-best settings of the screening.
        for k in [n.wrapping_sub(1), n + 1] {
            if k >= 1 && (k as usize) <= fin.probability_by_sessions.len() {
                if let Some(p) = fin.probability_by_sessions[k as usize - 1] {
                    let what = if k < n { "one session fewer" } else { "one session more" };
                    plan.alternatives.push(Alternative {
                        description: what.into(),
                        setting: best.setting,
                        sessions: Some(k),
                        sessions_simulated: k,
                        probability_of_goal: Some(p),
                        cohort_size: s.cohort_size,
                    });
                }
            }
        }
        for other in finalists.iter().filter(|f| f.setting != best.setting).take(2) {
            plan.alternatives.push(screened_alternative(other, s));
        }
        Ok(plan)
    }
}

fn screened_alternative(sc: &Screened, s: &PlannerSettings) -> Alternative {
    Alternative {
        description: "next-best setting (screening patients)".into(),
        setting: sc.setting,
        sessions: sc.sessions,
        sessions_simulated: sc.probability_by_sessions.len() as u32,
        probability_of_goal: sc.probability_by_sessions.last().copied(),
        cohort_size: s.screening_size,
    }
}

fn pct(x: f64) -> String {
    format!("{:.0} %", 100.0 * x)
}

fn simulated_warning(id: &str, reason: String, advice: String, cohort: usize) -> Warning {
    Warning {
        id: id.into(),
        action: Action::Caution,
        reason,
        advice,
        route: None,
        citation: format!("simulation: {cohort} virtual patients, parameters of data/parameters.toml"),
    }
}

/// The settings of `candidates` again with each of the device's denser passes
/// (`denser_passes` of data/planner.toml, all above the standard passes).
pub fn denser_settings(candidates: &[Setting], s: &PlannerSettings) -> Vec<Setting> {
    candidates
        .iter()
        .flat_map(|c| {
            s.denser_passes
                .of(c.device)
                .iter()
                .filter(move |&&p| p > c.passes)
                .map(move |&passes| Setting { passes, ..*c })
        })
        .collect()
}

/// The candidate settings: needle lengths spread over the safe range, every interval, the device,
/// and the tranexamic-acid adjunct as a variant for pigment concerns.
pub fn candidate_settings(
    profile: &PatientProfile,
    device: &'static str,
    depth: &DepthRange,
    s: &PlannerSettings,
) -> Vec<Setting> {
    let step = s.depth_step_mm;
    let snap = |x: f64| (x / step).round() * step;
    let count = s.depth_values.max(1);
    let mut lengths: Vec<f64> = (0..count)
        .map(|i| {
            let w = if count == 1 { 1.0 } else { i as f64 / (count - 1) as f64 };
            snap(depth.min_mm + w * (depth.max_mm - depth.min_mm)).clamp(depth.min_mm, depth.max_mm)
        })
        .collect();
    lengths.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    let pigment = profile
        .concerns
        .iter()
        .any(|c| matches!(c.kind, ConcernKind::Hyperpigmentation(_)));
    let adjuncts: &[Option<Adjunct>] = if pigment {
        &[None, Some(Adjunct::TranexamicAcid)]
    } else {
        &[None]
    };
    let mut out = Vec::new();
    for &needle_length_mm in &lengths {
        for &interval_days in &s.intervals_days {
            for &adjunct in adjuncts {
                out.push(Setting {
                    device,
                    needle_length_mm,
                    passes: *s.passes.of(device),
                    interval_days,
                    adjunct,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denser_settings_repeat_each_setting_with_more_passes_only() {
        let mut s = PlannerSettings::shipped();
        s.denser_passes = crate::settings::ByDevice {
            roller: vec![6],
            pen: vec![2, 4, 5],
            stamp: vec![],
        };
        let setting = |device, passes| Setting {
            device,
            needle_length_mm: 0.5,
            passes,
            interval_days: 28.0,
            adjunct: None,
        };
        let candidates = [setting("pen", 3), setting("stamp", 2), setting("roller", 4)];
        let denser = denser_settings(&candidates, &s);
        // Two passes are not denser than three; stamps have none; everything else is kept.
        assert_eq!(denser, vec![setting("pen", 4), setting("pen", 5), setting("roller", 6)]);
    }
}
