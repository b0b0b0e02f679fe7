//! The simulation-driven search for a course: which setting (device, needle length, interval,
//! adjunct) and how many sessions.
//!
//! Nothing here is looked up: every number comes from simulating virtual patients.
//!
//! - A [`Trial`] is one setting on one virtual patient: a [`Course`] needled session by session.
//!   After each session it reads the grades one interval later (just before the next session
//!   would be) and, when asked, projects the follow-up by cloning the state and letting it heal
//!   without further sessions. One simulation per patient and setting therefore answers "what
//!   after 1, 2, 3, ... sessions" without re-running the earlier sessions.
//! - **Screening**: every candidate setting on the first `screening_size` virtual patients,
//!   round by round (round n = everyone's n-th session). For `noticeable` and a target grade the
//!   search stops at the first round in which some setting reaches the goal with the required
//!   probability: no setting can need fewer sessions. For `optimal` every setting runs until its
//!   dose-response has flattened, because which settings reach the best result is only known then.
//! - **Final**: the best-ranked setting on the full cohort (`cohort_size` patients, the screening
//!   patients among them), projecting only around the screened session count and moving it up
//!   or down until it is the smallest count with the required probability.

use crate::goal;
use crate::profile::Goal;
use crate::settings::PlannerSettings;
use cit_core::cohort::{PatientDraws, Stats};
use cit_core::column::StepControl;
use cit_core::course::Course;
use cit_core::device::Device;
use cit_core::params::{ParameterSet, Params};
use cit_core::scenario::{Adjunct, Concern, Patient};
use cit_core::simulate::pih_probability;
use cit_core::skin::Region;
use rayon::prelude::*;

/// One candidate setting of a course (everything but the number of sessions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    pub device: &'static str,
    pub needle_length_mm: f64,
    pub passes: u32,
    pub interval_days: f64,
    pub adjunct: Option<Adjunct>,
}

impl Setting {
    pub fn device(&self) -> Device {
        // `device` is one of roller, pen, stamp (candidates are built from that list).
        Device::typical(self.device, self.needle_length_mm, self.passes)
            .unwrap_or_else(|| unreachable!("device kind {} is known", self.device))
    }
}

/// The person, the site and the concerns, as the simulations need them.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    pub patient: &'a Patient,
    pub region: Region,
    pub concerns: &'a [Concern],
}

/// The virtual patients of a run: per-patient parameters drawn around the shipped (or given)
/// parameter set, each from its own random stream.
pub struct Cohort {
    pub params: Vec<Params>,
}

impl Cohort {
    pub fn draw(set: &ParameterSet, seed: u64, n: usize) -> Cohort {
        let draws = PatientDraws::new(set);
        let params = (0..n as u64)
            .into_par_iter()
            .map(|k| draws.patient(seed, k).0)
            .collect();
        Cohort { params }
    }
}

/// What [`Trial::next_session`] does about the follow-up after the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// No follow-up grades for this session count.
    Skip,
    /// Project the follow-up now.
    Now,
    /// Keep a copy of the course one interval after the session, and project it only if
    /// [`Trial::project_parked`] is called (the grades are needed in some searches only).
    Park,
}

/// One setting on one virtual patient.
#[derive(Clone)]
pub struct Trial {
    pub patient: usize,
    course: Course,
    /// Sessions applied so far.
    pub done: u32,
    /// Grades of every concern one interval after each session (index n - 1).
    pub after: Vec<Vec<f64>>,
    /// Grades of every concern at follow-up after n sessions (index n - 1), where projected.
    pub projected: Vec<Option<Vec<f64>>>,
    /// A parked projection: the session count, the course one interval after that session and
    /// the follow-up day.
    parked: Option<(u32, Course, f64)>,
}

impl Trial {
    pub fn new(subject: &Subject<'_>, patient: usize, p: &Params) -> Trial {
        Trial {
            patient,
            course: Course::new(
                subject.patient,
                subject.region,
                subject.concerns,
                p,
                StepControl::default(),
            ),
            done: 0,
            after: Vec::new(),
            projected: Vec::new(),
            parked: None,
        }
    }

    /// Applies the next session and reads the grades an interval later; with `project`, also
    /// the grades `follow_up_days` after this session with no further sessions (now, or parked
    /// for later when the follow-up ends after the next session's day).
    pub fn next_session(&mut self, s: &Setting, p: &Params, follow_up_days: f64, project: Projection) {
        let n = self.done + 1;
        let session_day = f64::from(n - 1) * s.interval_days;
        let next_day = f64::from(n) * s.interval_days;
        let follow_up_day = session_day + follow_up_days;
        self.course.advance(session_day);
        self.course.apply_session(&s.device(), s.adjunct.is_some(), p);
        let mut projected = None;
        if project != Projection::Skip && follow_up_day <= next_day {
            self.course.advance(follow_up_day);
            projected = Some(self.course.grades(p));
        }
        self.course.advance(next_day);
        self.after.push(self.course.grades(p));
        if projected.is_none() {
            match project {
                Projection::Skip => {}
                Projection::Now => {
                    let mut healing = self.course.clone();
                    healing.advance(follow_up_day);
                    projected = Some(healing.grades(p));
                }
                Projection::Park => self.parked = Some((n, self.course.clone(), follow_up_day)),
            }
        }
        self.projected.push(projected);
        self.done = n;
    }

    /// Projects the parked follow-up, if any (the same grades [`Projection::Now`] would have
    /// given).
    pub fn project_parked(&mut self, p: &Params) {
        if let Some((n, mut healing, follow_up_day)) = self.parked.take() {
            healing.advance(follow_up_day);
            self.projected[n as usize - 1] = Some(healing.grades(p));
        }
    }

    /// Primary-concern grade at follow-up after `n` sessions, if projected.
    pub fn follow_up(&self, n: u32) -> Option<f64> {
        let i = (n as usize).checked_sub(1)?;
        self.projected.get(i)?.as_ref().map(|g| g[0])
    }

    /// Longest redness and dryness over the first `n` sessions, days.
    pub fn downtime(&self, n: u32) -> (f64, f64) {
        let s = &self.course.sessions()[..(n as usize).min(self.course.sessions().len())];
        (
            s.iter().map(|e| e.redness_days).fold(0.0, f64::max),
            s.iter().map(|e| e.dryness_days).fold(0.0, f64::max),
        )
    }

    /// Probability of visible PIH over the first `n` sessions.
    pub fn pih(&self, n: u32, p: &Params) -> f64 {
        let s = &self.course.sessions()[..(n as usize).min(self.course.sessions().len())];
        pih_probability(s, p)
    }
}

/// Runs one more session on every trial (in parallel), with the follow-up projection `project`.
fn round(trials: &mut [Trial], s: &Setting, cohort: &Cohort, settings: &PlannerSettings, project: Projection) {
    trials
        .par_iter_mut()
        .for_each(|t| t.next_session(s, &cohort.params[t.patient], settings.follow_up_days, project));
}

/// Makes every trial's parked projection (in parallel).
fn project_parked(trials: &mut [Trial], cohort: &Cohort) {
    trials
        .par_iter_mut()
        .for_each(|t| t.project_parked(&cohort.params[t.patient]));
}

/// Share of trials that reached the goal with `n` sessions (`None` if not all are decidable).
pub fn probability(trials: &[Trial], goal: Goal, before: f64, n: u32, s: &PlannerSettings) -> Option<f64> {
    let mut hits = 0usize;
    for t in trials {
        let at_n = t.follow_up(n)?;
        let next = t.follow_up(n + 1);
        if goal::reached(goal, before, at_n, next, s)? {
            hits += 1;
        }
    }
    Some(hits as f64 / trials.len().max(1) as f64)
}

/// Cohort figures of one setting with `n` sessions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub probability: f64,
    pub redness_days: Stats,
    pub dryness_days: Stats,
    /// Longer of redness and dryness, p90 over the patients.
    pub downtime_days_p90: f64,
    /// Mean over the patients of their PIH probability.
    pub pih_probability: f64,
    /// Primary-concern grade at follow-up.
    pub follow_up: Stats,
}

pub fn figures(trials: &[Trial], cohort: &Cohort, goal: Goal, before: f64, n: u32, s: &PlannerSettings) -> Figures {
    let (red, dry): (Vec<f64>, Vec<f64>) = trials.iter().map(|t| t.downtime(n)).unzip();
    let down: Vec<f64> = red.iter().zip(&dry).map(|(r, d)| r.max(*d)).collect();
    let pih = trials.iter().map(|t| t.pih(n, &cohort.params[t.patient])).sum::<f64>() / trials.len().max(1) as f64;
    let follow: Vec<f64> = trials.iter().filter_map(|t| t.follow_up(n)).collect();
    Figures {
        probability: probability(trials, goal, before, n, s).unwrap_or(0.0),
        redness_days: Stats::of(&red),
        dryness_days: Stats::of(&dry),
        downtime_days_p90: Stats::of(&down).p90,
        pih_probability: pih,
        follow_up: Stats::of(&follow),
    }
}

/// A candidate setting after screening.
#[derive(Debug, Clone, PartialEq)]
pub struct Screened {
    pub setting: Setting,
    /// Fewest sessions reaching the goal with the required probability (`None`: not within the
    /// sessions screened).
    pub sessions: Option<u32>,
    /// Share reaching the goal after n = 1, 2, ... sessions (where decidable).
    pub probability_by_sessions: Vec<f64>,
    /// Primary-concern grade at follow-up after n = 1, 2, ... sessions: the dose-response.
    pub dose_response: Vec<Stats>,
    /// Figures at `sessions` (or at the last round run).
    pub figures: Figures,
    /// Median improvement at follow-up at `sessions` (or the last round), on the concern's scale.
    pub result: f64,
    /// Excluded by the downtime constraint.
    pub over_downtime: bool,
}

impl Screened {
    /// Sessions to compare by: the screened count, or "more than any" when not reached.
    fn sessions_key(&self) -> u32 {
        self.sessions.unwrap_or(u32::MAX)
    }
}

/// Orders settings: fewest sessions, then least downtime (whole days, p90), then least PIH
/// risk (whole percent), then the higher probability, then the shorter interval and needle.
/// Settings that do not reach the goal within the sessions screened come last, the most likely
/// first: when none reaches it, the plan is the course most likely to (a shallow setting with
/// less downtime that rarely gets there is not the better answer).
pub fn rank(a: &Screened, b: &Screened) -> std::cmp::Ordering {
    let key = |s: &Screened| (s.sessions_key(), gentleness(&s.figures));
    let likelier_if_neither_reaches = match (a.sessions, b.sessions) {
        (None, None) => b.figures.probability.total_cmp(&a.figures.probability),
        _ => std::cmp::Ordering::Equal,
    };
    a.sessions_key()
        .cmp(&b.sessions_key())
        .then(likelier_if_neither_reaches)
        .then(key(a).cmp(&key(b)))
        .then(b.figures.probability.total_cmp(&a.figures.probability))
        .then(a.setting.interval_days.total_cmp(&b.setting.interval_days))
        .then(a.setting.needle_length_mm.total_cmp(&b.setting.needle_length_mm))
}

/// What the ranking compares after the session count: downtime (p90, whole days), then PIH risk
/// (whole percent); lower is gentler. Rounded, so that differences the screening patients cannot
/// resolve do not decide.
fn gentleness(f: &Figures) -> (i64, i64) {
    (
        f.downtime_days_p90.ceil() as i64,
        (f.pih_probability * 100.0).round() as i64,
    )
}

/// Screens every candidate on the first `settings.screening_size` patients of `cohort`.
/// `max_sessions` is the most sessions a plan may have.
pub fn screen(
    subject: &Subject<'_>,
    candidates: &[Setting],
    cohort: &Cohort,
    goal: Goal,
    max_sessions: u32,
    max_downtime_days: Option<f64>,
    settings: &PlannerSettings,
) -> Vec<Screened> {
    let size = settings.screening_size.min(cohort.params.len());
    let before = subject.concerns[0].severity;
    let mut trials: Vec<Vec<Trial>> = candidates
        .iter()
        .map(|_| (0..size).map(|k| Trial::new(subject, k, &cohort.params[k])).collect())
        .collect();
    let mut screened: Vec<Screened> = candidates
        .iter()
        .map(|&setting| Screened {
            setting,
            sessions: None,
            probability_by_sessions: Vec::new(),
            dose_response: Vec::new(),
            figures: empty_figures(),
            result: 0.0,
            over_downtime: false,
        })
        .collect();
    // `optimal` decides n with the (n + 1)-th session: one more round than the plan may have.
    let lookahead = u32::from(goal == Goal::Optimal);
    let mut active: Vec<bool> = vec![true; candidates.len()];
    for n in 1..=max_sessions + lookahead {
        // One round for every active candidate, all patients in parallel.
        trials
            .par_iter_mut()
            .zip(candidates.par_iter())
            .zip(active.par_iter())
            .filter(|(_, a)| **a)
            .for_each(|((ts, s), _)| {
                ts.par_iter_mut().for_each(|t| {
                    t.next_session(s, &cohort.params[t.patient], settings.follow_up_days, Projection::Now)
                })
            });
        let decide = n - lookahead; // the session count decidable after this round
        for (c, sc) in screened.iter_mut().enumerate() {
            if !active[c] {
                continue;
            }
            let ts = &trials[c];
            sc.dose_response
                .push(Stats::of(&ts.iter().filter_map(|t| t.follow_up(n)).collect::<Vec<_>>()));
            if n == 1 {
                if let Some(limit) = max_downtime_days {
                    let f = figures(ts, cohort, goal, before, 1, settings);
                    if f.downtime_days_p90 > limit {
                        sc.over_downtime = true;
                        sc.figures = f;
                        active[c] = false;
                        continue;
                    }
                }
            }
            if decide == 0 {
                continue;
            }
            let p = probability(ts, goal, before, decide, settings).unwrap_or(0.0);
            sc.probability_by_sessions.push(p);
            sc.figures = figures(ts, cohort, goal, before, decide, settings);
            sc.result = before - sc.figures.follow_up.p50;
            if p >= settings.probability_goal {
                sc.sessions = Some(decide);
                active[c] = false;
            }
        }
        // Fewest sessions first: once a setting reaches the goal at `decide`, no setting still
        // running can do it in fewer; `optimal` must see every setting's plateau first.
        let someone_reached = screened.iter().any(|s| s.sessions == Some(decide));
        if (goal != Goal::Optimal && someone_reached) || !active.iter().any(|a| *a) {
            break;
        }
    }
    screened
}

fn empty_figures() -> Figures {
    Figures {
        probability: 0.0,
        redness_days: Stats::default(),
        dryness_days: Stats::default(),
        downtime_days_p90: 0.0,
        pih_probability: 0.0,
        follow_up: Stats::default(),
    }
}

/// The screened settings in the order they are recommended: for `optimal`, only the settings
/// whose result is within one plateau step of the best result any setting reached
/// (a setting that flattens early because it does little is not "optimal"); settings over the
/// downtime limit are dropped.
pub fn finalists(screened: &[Screened], goal: Goal, settings: &PlannerSettings) -> Vec<Screened> {
    let mut ok: Vec<Screened> = screened.iter().filter(|s| !s.over_downtime).cloned().collect();
    if goal == Goal::Optimal {
        let best = ok.iter().map(|s| s.result).fold(f64::NEG_INFINITY, f64::max);
        ok.retain(|s| s.result >= best - settings.plateau_step);
    }
    ok.sort_by(rank);
    ok
}

/// The chosen setting on the full cohort.
pub struct Final {
    pub sessions: u32,
    pub trials: Vec<Trial>,
    /// Share reaching the goal by session count, where computed (index n - 1).
    pub probability_by_sessions: Vec<Option<f64>>,
}

/// Runs `setting` on every patient of `cohort`, starting from the screened count `start`, and
/// finds the smallest count in 1..=max_sessions with the required probability (or the count
/// with the highest probability when none has it).
pub fn finalise(
    subject: &Subject<'_>,
    setting: &Setting,
    cohort: &Cohort,
    goal: Goal,
    start: u32,
    max_sessions: u32,
    settings: &PlannerSettings,
) -> Final {
    let before = subject.concerns[0].severity;
    let lookahead = u32::from(goal == Goal::Optimal);
    let mut trials: Vec<Trial> = (0..cohort.params.len())
        .into_par_iter()
        .map(|k| Trial::new(subject, k, &cohort.params[k]))
        .collect();
    // Projections only around the screened count: two below it (the count may move down, and
    // the alternative one session fewer needs its own probability) up to the look-ahead. The
    // lowest is needed only if the count moves down to one below the screened count, so it is
    // parked until then.
    let first_projected = start.saturating_sub(2).max(1);
    let parked = (first_projected + 1 < start).then_some(first_projected);
    let projection = |n: u32| {
        if n < first_projected {
            Projection::Skip
        } else if Some(n) == parked {
            Projection::Park
        } else {
            Projection::Now
        }
    };
    let mut probs: Vec<Option<f64>> = Vec::new();
    let prob_at = |trials: &[Trial], n: u32| probability(trials, goal, before, n, settings);
    let mut simulated = 0;
    let run_to = |trials: &mut Vec<Trial>, simulated: &mut u32, upto: u32| {
        while *simulated < upto {
            let n = *simulated + 1;
            round(trials, setting, cohort, settings, projection(n));
            *simulated = n;
        }
    };
    let unpark = |trials: &mut Vec<Trial>, probs: &mut Vec<Option<f64>>| {
        if let Some(k) = parked {
            project_parked(trials, cohort);
            probs[k as usize - 1] = prob_at(trials, k);
        }
    };
    run_to(&mut trials, &mut simulated, start + lookahead);
    let mut n = start;
    loop {
        while probs.len() < simulated as usize {
            let k = probs.len() as u32 + 1;
            probs.push(if k >= first_projected {
                prob_at(&trials, k)
            } else {
                None
            });
        }
        // Recompute entries that became decidable with the look-ahead session.
        for k in first_projected..=simulated {
            probs[k as usize - 1] = prob_at(&trials, k);
        }
        let p = probs[n as usize - 1].unwrap_or(0.0);
        if p >= settings.probability_goal || n >= max_sessions {
            break;
        }
        n += 1;
        run_to(&mut trials, &mut simulated, n + lookahead);
    }
    // Move down while one session fewer still has the required probability.
    while n > first_projected {
        if Some(n - 1) == parked {
            unpark(&mut trials, &mut probs);
        }
        if probs[n as usize - 2].unwrap_or(0.0) < settings.probability_goal {
            break;
        }
        n -= 1;
    }
    // No count reached the required probability: take the most likely one (fewest on ties).
    if probs[n as usize - 1].unwrap_or(0.0) < settings.probability_goal {
        unpark(&mut trials, &mut probs);
        let mut best = n;
        for k in first_projected..=n {
            if probs[k as usize - 1].unwrap_or(0.0) > probs[best as usize - 1].unwrap_or(0.0) {
                best = k;
            }
        }
        n = best;
    }
    Final {
        sessions: n,
        trials,
        probability_by_sessions: probs,
    }
}

/// Upper end of the Wilson score interval (with `z`, e.g. 1.96 for 95 %) of a share `p`
/// observed on `n` patients: the largest true share still compatible with what was seen.
pub fn wilson_upper(p: f64, n: usize, z: f64) -> f64 {
    let n = n.max(1) as f64;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre + half) / (1.0 + z2 / n)).min(1.0)
}

/// The fewer-sessions check of `noticeable` and target-grade plans. Screening on a few patients
/// picks the best setting and its count `best_sessions`, but 16 patients cannot tell a setting
/// that reaches the goal in 75 % with one session fewer from one that reaches it in 80 %. So
/// every one of `contenders` (one round's settings: the screened ones, or the same with more
/// passes when none of those saves the session; see `Planner::plan`) whose
/// screening share at `best_sessions - 1` is still compatible with the required probability
/// (upper Wilson bound at or above it; a contender that reached the goal with fewer sessions in
/// screening counts as compatible) is run with `best_sessions - 1` sessions on the first
/// `settings.verification_sizes` patients in turn, dropped when its bound falls below (each stage
/// keeps those that reach the goal on its patients first, then the gentlest). Of those left, the
/// gentlest by the ranking's keys (downtime, PIH risk), then the fewest passes, then those that
/// reached the goal on the last stage's patients, then the most likely, are run on the full
/// cohort in turn, at most `settings.verification_full_runs` of them. The first whose full-cohort
/// count (at most `best_sessions - 1`) reaches the required probability is returned with its
/// index in `contenders` and its full-cohort run; `None` keeps the screened best.
///
/// `optimal` is not checked (`None`): its count is where a person's dose-response flattens, which
/// needs every setting run one session further, and the long body plans have no time left for it
/// (docs/planner.md, "Limits").
pub fn fewer_sessions(
    subject: &Subject<'_>,
    contenders: &[Screened],
    best_sessions: u32,
    cohort: &Cohort,
    goal: Goal,
    settings: &PlannerSettings,
) -> Option<(usize, Final)> {
    if goal == Goal::Optimal {
        return None;
    }
    let k = best_sessions.checked_sub(1).filter(|&k| k >= 1)?;
    let before = subject.concerns[0].severity;
    let everyone = cohort.params.len();
    let screening = settings.screening_size.min(everyone);
    let plausible = |p: f64, m: usize| wilson_upper(p, m, settings.verification_z) >= settings.probability_goal;
    // A contender's patients are the first of the cohort; each stage adds patients to the ones
    // it already has (every patient's course is independent of the others').
    struct Contender {
        index: usize,
        trials: Vec<Trial>,
        probability: f64,
        /// Reaches the goal on the patients run so far (`false` first), downtime (whole days,
        /// p90) and PIH risk (whole percent) on them: the order contenders are kept in.
        key: (bool, (i64, i64)),
    }
    let key = |probability: f64, f: &Figures| (probability < settings.probability_goal, gentleness(f));
    let extend = |c: &mut Contender, upto: usize| {
        let setting = &contenders[c.index].setting;
        let mut more: Vec<Trial> = (c.trials.len()..upto)
            .into_par_iter()
            .map(|j| Trial::new(subject, j, &cohort.params[j]))
            .collect();
        for n in 1..=k {
            // The follow-up after k sessions decides; after k - 1 it is parked, needed only by a
            // contender that reaches the goal (to try one session fewer still).
            let project = match k - n {
                0 => Projection::Now,
                1 => Projection::Park,
                _ => Projection::Skip,
            };
            round(&mut more, setting, cohort, settings, project);
        }
        c.trials.extend(more);
        let f = figures(&c.trials, cohort, goal, before, k, settings);
        c.probability = f.probability;
        c.key = key(f.probability, &f);
    };
    // The screening share with k sessions; a contender that reached the goal with fewer (the
    // screening stops at the first round some setting reaches it) has no share at k, and counts
    // with the share it reached the goal with. Its screening figures (at the last round it ran)
    // give its first place in the order.
    let screened_share = |sc: &Screened| {
        let at_k = sc.probability_by_sessions.get(k as usize - 1).copied();
        at_k.or_else(|| {
            sc.sessions
                .filter(|&j| j < k)
                .and(sc.probability_by_sessions.last().copied())
        })
    };
    let mut left: Vec<Contender> = contenders
        .iter()
        .enumerate()
        .filter_map(|(i, sc)| screened_share(sc).map(|p| (i, p, key(p, &sc.figures))))
        .filter(|&(_, p, _)| plausible(p, screening))
        .map(|(index, probability, key)| Contender {
            index,
            trials: Vec::new(),
            probability,
            key,
        })
        .collect();
    // Those reaching the goal first, then the gentlest, then the most likely; on ties the
    // contenders' order (the sort is stable). Each stage runs only the first few.
    let order = |left: &mut Vec<Contender>| {
        left.sort_by(|a, b| a.key.cmp(&b.key).then(b.probability.total_cmp(&a.probability)))
    };
    let stages = settings
        .verification_sizes
        .iter()
        .zip(&settings.verification_contenders);
    for (&m, &most) in stages.filter(|(&m, _)| m < everyone) {
        order(&mut left);
        left.truncate(most);
        left.par_iter_mut().for_each(|c| extend(c, m));
        left.retain(|c| plausible(c.probability, m));
    }
    // The full cohort decides, so it runs the gentlest first: the least downtime and PIH risk,
    // then the fewest passes (more passes only add injury at the same count), and only then the
    // ones that reached the goal on the stage's patients. A contender a little short of the goal
    // on 256 patients may reach it on everyone; run after a denser one that reached it, it would
    // never be tried, and the plan would needle harder than it needs to.
    left.sort_by(|a, b| {
        let passes = |c: &Contender| contenders[c.index].setting.passes;
        (a.key.1, passes(a), a.key.0)
            .cmp(&(b.key.1, passes(b), b.key.0))
            .then(b.probability.total_cmp(&a.probability))
    });
    for mut c in left.into_iter().take(settings.verification_full_runs) {
        extend(&mut c, everyone);
        if c.probability < settings.probability_goal {
            continue;
        }
        let mut probs = vec![None; k as usize];
        probs[k as usize - 1] = Some(c.probability);
        let mut sessions = k;
        if k >= 2 {
            project_parked(&mut c.trials, cohort);
            probs[k as usize - 2] = probability(&c.trials, goal, before, k - 1, settings);
            if probs[k as usize - 2].unwrap_or(0.0) >= settings.probability_goal {
                sessions = k - 1;
            }
        }
        let fin = Final {
            sessions,
            trials: c.trials,
            probability_by_sessions: probs,
        };
        return Some((c.index, fin));
    }
    None
}

/// When a course needs repeating: the median, over the first `settings.maintenance_patients`
/// patients, of the days after the last of `sessions` sessions until the primary concern's
/// benefit (grade before minus grade now) has fallen to half of the largest benefit seen since
/// the follow-up. Patients whose benefit has not halved within the horizon (or who had no benefit)
/// count as "later than any"; `None` when they are half or more of the patients.
///
/// The patients are followed in lockstep, one sample every `settings.maintenance_sample_days`,
/// and the follow-up stops as soon as more than half of them have faded: the median is then
/// among those, and nothing the others do later can change it (every one of them fades after the
/// day reached).
pub fn maintenance_after_days(
    subject: &Subject<'_>,
    setting: &Setting,
    cohort: &Cohort,
    sessions: u32,
    settings: &PlannerSettings,
) -> Option<f64> {
    let before = subject.concerns[0].severity;
    let m = settings.maintenance_patients.min(cohort.params.len());
    let last = f64::from(sessions - 1) * setting.interval_days;
    // A patient's course after its last session, the largest benefit seen so far, and the day
    // half of it had faded.
    struct Followed {
        trial: Trial,
        peak: f64,
        faded: Option<f64>,
    }
    let mut followed: Vec<Followed> = (0..m)
        .into_par_iter()
        .map(|k| {
            let p = &cohort.params[k];
            let mut trial = Trial::new(subject, k, p);
            for _ in 0..sessions {
                trial.next_session(setting, p, settings.follow_up_days, Projection::Skip);
            }
            Followed {
                trial,
                peak: 0.0,
                faded: None,
            }
        })
        .collect();
    // Every course has reached the same day (one interval after the last session).
    let mut day = followed
        .iter()
        .map(|f| f.trial.course.day())
        .fold(last + settings.follow_up_days, f64::max);
    let mut faded_count = 0;
    while day - last <= settings.maintenance_horizon_days && 2 * faded_count <= m {
        followed.par_iter_mut().filter(|f| f.faded.is_none()).for_each(|f| {
            let p = &cohort.params[f.trial.patient];
            f.trial.course.advance(day);
            let benefit = before - f.trial.course.grades(p)[0];
            f.peak = f.peak.max(benefit);
            if f.peak > 0.0 && benefit <= 0.5 * f.peak {
                f.faded = Some(day - last);
            }
        });
        faded_count = followed.iter().filter(|f| f.faded.is_some()).count();
        day += settings.maintenance_sample_days;
    }
    if 2 * faded_count <= m {
        return None;
    }
    let mut faded: Vec<f64> = followed.iter().filter_map(|f| f.faded).collect();
    faded.sort_by(f64::total_cmp);
    // The median over all m patients, those not (yet) faded counting as later than any.
    Some(faded[(m - 1) / 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use cit_core::scenario::ConcernKind;
    use cit_core::skin::Sex;

    const PATIENT: Patient = Patient {
        age_years: 45.0,
        sex: Sex::Female,
        skin_type: 2,
        photoaging: 2,
    };
    const CROWS_FEET: [Concern; 1] = [Concern {
        kind: ConcernKind::Wrinkles,
        severity: 3.0,
    }];

    fn subject() -> Subject<'static> {
        Subject {
            patient: &PATIENT,
            region: Region::Periorbital,
            concerns: &CROWS_FEET,
        }
    }

    fn setting() -> Setting {
        Setting {
            device: "pen",
            needle_length_mm: 0.5,
            passes: 3,
            interval_days: 28.0,
            adjunct: None,
        }
    }

    #[test]
    fn a_parked_projection_gives_the_grades_of_one_made_at_once() {
        let (set, settings) = (ParameterSet::shipped(), PlannerSettings::shipped());
        let cohort = Cohort::draw(&set, 3, 1);
        let p = &cohort.params[0];
        let (mut now, mut parked) = (Trial::new(&subject(), 0, p), Trial::new(&subject(), 0, p));
        now.next_session(&setting(), p, settings.follow_up_days, Projection::Now);
        parked.next_session(&setting(), p, settings.follow_up_days, Projection::Park);
        assert_eq!(parked.projected[0], None);
        for t in [&mut now, &mut parked] {
            t.next_session(&setting(), p, settings.follow_up_days, Projection::Now);
        }
        parked.project_parked(p);
        assert_eq!(parked.projected, now.projected);
        assert_eq!(parked.after, now.after);
    }

    #[test]
    fn a_count_screened_too_high_moves_down_through_the_parked_projection() {
        let (set, mut settings) = (ParameterSet::shipped(), PlannerSettings::shipped());
        settings.cohort_size = 40;
        let cohort = Cohort::draw(&set, 5, settings.cohort_size);
        let finalise_from = |start| finalise(&subject(), &setting(), &cohort, Goal::Noticeable, start, 10, &settings);
        let found = finalise_from(2);
        let n = found.sessions;
        assert!(n >= 2, "the test needs a count of at least 2 sessions, got {n}");
        // Screened two too high: the lowest projection (at n) is parked, and moving down needs it.
        let from_above = finalise_from(n + 2);
        assert_eq!(from_above.sessions, n);
        assert_eq!(
            from_above.probability_by_sessions[n as usize - 1],
            found.probability_by_sessions[n as usize - 1]
        );
    }

    #[test]
    fn the_wilson_upper_bound_covers_the_share_seen_and_narrows_with_more_patients() {
        // 10 of 16 is still compatible with 80 % at z = 1.96; 9 of 16 is not.
        assert!((wilson_upper(0.625, 16, 1.96) - 0.81519).abs() < 1e-4);
        assert!(wilson_upper(0.5625, 16, 1.96) < 0.8);
        for n in [16, 64, 256, 1000] {
            assert!(wilson_upper(0.75, n, 1.96) > 0.75);
        }
        assert!(wilson_upper(0.75, 256, 1.96) < wilson_upper(0.75, 64, 1.96));
        assert_eq!(wilson_upper(1.0, 16, 1.96), 1.0);
    }

    #[test]
    fn the_fewer_sessions_check_finds_a_setting_the_screening_ranked_lower() {
        // Grade-2 forehead lines of a woman of 50 with Glogau 1: on the 16 screening patients the
        // best setting needs n sessions; with 300 patients another setting reaches the goal with
        // n - 1.
        const LINES: [Concern; 1] = [Concern {
            kind: ConcernKind::Wrinkles,
            severity: 2.0,
        }];
        const WOMAN_OF_50: Patient = Patient {
            age_years: 50.0,
            photoaging: 1,
            ..PATIENT
        };
        let forehead = Subject {
            patient: &WOMAN_OF_50,
            region: Region::Forehead,
            concerns: &LINES,
        };
        let (set, mut settings) = (ParameterSet::shipped(), PlannerSettings::shipped());
        settings.cohort_size = 300;
        let cohort = Cohort::draw(&set, settings.seed, settings.cohort_size);
        let candidates: Vec<Setting> = [0.25, 0.5, 0.75]
            .iter()
            .flat_map(|&depth| {
                settings.intervals_days.iter().map(move |&interval| Setting {
                    needle_length_mm: depth,
                    interval_days: interval,
                    ..setting()
                })
            })
            .collect();
        let screened = screen(&forehead, &candidates, &cohort, Goal::Noticeable, 10, None, &settings);
        let finalists = finalists(&screened, Goal::Noticeable, &settings);
        let n = finalists[0].sessions.expect("the screening's best count");
        assert!(n >= 3, "{n} sessions");
        let (i, fin) = fewer_sessions(&forehead, &finalists, n, &cohort, Goal::Noticeable, &settings)
            .expect("a setting with one session fewer");
        assert!(i > 0, "not the screened best");
        assert_eq!(fin.sessions, n - 1);
        let k = n as usize - 2;
        let p = fin.probability_by_sessions[k].unwrap();
        assert!(p >= settings.probability_goal);
        // Its patients were added stage by stage; the figures are those of one run on everyone.
        let direct = finalise(
            &forehead,
            &finalists[i].setting,
            &cohort,
            Goal::Noticeable,
            n - 1,
            n - 1,
            &settings,
        );
        assert_eq!(direct.probability_by_sessions[k], Some(p));
        assert_eq!(
            direct.probability_by_sessions[k - 1],
            fin.probability_by_sessions[k - 1]
        );
        // `optimal` is not checked this way.
        assert!(fewer_sessions(&forehead, &finalists, n, &cohort, Goal::Optimal, &settings).is_none());
    }

    #[test]
    fn settings_that_never_reach_the_goal_rank_by_likelihood_before_downtime() {
        let screened = |sessions: Option<u32>, probability: f64, downtime: f64, depth: f64| Screened {
            setting: Setting {
                needle_length_mm: depth,
                ..setting()
            },
            sessions,
            probability_by_sessions: vec![probability],
            dose_response: Vec::new(),
            figures: Figures {
                probability,
                downtime_days_p90: downtime,
                ..empty_figures()
            },
            result: 0.0,
            over_downtime: false,
        };
        let (gentle_unlikely, deep_likelier) = (screened(None, 0.125, 2.0, 0.25), screened(None, 0.5, 5.0, 0.75));
        assert_eq!(rank(&deep_likelier, &gentle_unlikely), std::cmp::Ordering::Less);
        // Among settings that reach it, fewer sessions and then less downtime still come first.
        let (reaches_in_3, reaches_in_4) = (screened(Some(3), 0.8, 5.0, 0.75), screened(Some(4), 0.9, 2.0, 0.25));
        assert_eq!(rank(&reaches_in_3, &reaches_in_4), std::cmp::Ordering::Less);
        assert_eq!(rank(&reaches_in_4, &deep_likelier), std::cmp::Ordering::Less);
        let (gentle, harsh) = (screened(Some(3), 0.8, 2.0, 0.25), screened(Some(3), 0.9, 5.0, 0.75));
        assert_eq!(rank(&gentle, &harsh), std::cmp::Ordering::Less);
    }
}
