//! The column model: the skin at one site as a stack of dermal layers under an epidermis, with
//! the puncture field averaged over the surface.
//!
//! State is plain data ([`Column`]); [`Column::advance`] steps it with adaptive time steps
//! (minutes right after a session, up to days during remodelling) using the shared local
//! kinetics of [`crate::kinetics`], and solves the quasi-steady growth signal with vertical
//! diffusion between layers (tridiagonal, no-flux boundaries) at every step.

use crate::ageing;
use crate::device::PunctureField;
use crate::kinetics::{
    self, ColumnEnv, Rates, RelaxationMemo, Surface, SurfaceEnv, C1, C3, CONSTANT_LOSS, D, E, ED, F, I, LAYER_VARS,
    SURFACE_VARS,
};
use crate::lesion::LesionTissue;
use crate::params::Params;
use crate::skin::Skin;

/// Numerical controls of the stepper.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepControl {
    /// Largest accepted local error estimate of a step (relative, above the floors): the
    /// distance between the first-order predictor and the second-order corrector.
    pub tolerance: f64,
    /// Relative change of the fastest variable allowed in the first step after a session.
    pub first_step_change: f64,
    /// Shortest step, days (≈ 9 s).
    pub min_step_days: f64,
    /// Longest step, days.
    pub max_step_days: f64,
}

impl Default for StepControl {
    fn default() -> Self {
        StepControl {
            tolerance: 3e-2,
            first_step_change: 0.02,
            min_step_days: 1e-4,
            max_step_days: 7.0,
        }
    }
}

impl StepControl {
    /// The same control with every tolerance divided by `factor` (for convergence studies).
    pub fn tightened(self, factor: f64) -> StepControl {
        StepControl {
            tolerance: self.tolerance / factor,
            first_step_change: self.first_step_change / factor,
            max_step_days: self.max_step_days / factor,
            ..self
        }
    }
}

/// Absolute floors that make the step-size control relative only above them.
const LAYER_FLOOR: [f64; LAYER_VARS] = [0.05, 0.05, 0.2, 0.1, 0.1, 0.1, 0.1];
const SURFACE_FLOOR: [f64; SURFACE_VARS] = [0.05, 0.1, 0.1, 0.1];

/// Buffers of one step, kept between steps so the hot loop never allocates. The layer buffers are
/// structure-of-arrays (variable `v` of layer `k` at `v * n + k`, see [`kinetics::rows`]) so
/// that the loops over layers vectorise.
#[derive(Debug, Clone, Default)]
struct StepScratch {
    /// Layer state at the start of the step.
    start: Vec<f64>,
    /// Predicted layer state (exponential Euler).
    predicted: Vec<f64>,
    /// Corrected layer state (exponential trapezoidal).
    corrected: Vec<f64>,
    prod0: Vec<f64>,
    loss0: Vec<f64>,
    /// Production and loss at the predicted state, then averaged with the start's in place.
    prod1: Vec<f64>,
    loss1: Vec<f64>,
    /// Relaxation factors of one variable (one per layer).
    phi_dt: Vec<f64>,
    /// The relaxation factor of each row's uniform loss, of each surface variable and of the
    /// normal-skin collagen, kept between the predictor and the corrector and between steps.
    row_memo: [RelaxationMemo; LAYER_VARS],
    surface_memo: [RelaxationMemo; SURFACE_VARS],
    normal_memo: RelaxationMemo,
    /// The damage–inflammation pair, integrated on its own within each step.
    pair: PairScratch,
}

/// Buffers of the damage–inflammation sub-steps (one value per layer each).
#[derive(Debug, Clone, Default)]
struct PairScratch {
    /// Damage and inflammation now (at the end of the step once integrated).
    d: Vec<f64>,
    i: Vec<f64>,
    /// Corrected damage and inflammation of a sub-step.
    d_corr: Vec<f64>,
    i_corr: Vec<f64>,
    /// Damage loss and inflammation production at the start of a sub-step.
    damage_loss0: Vec<f64>,
    inflammation_prod0: Vec<f64>,
    /// Inflammation's relaxation factor (its loss is a rate constant; sub-steps often repeat).
    inflammation_memo: RelaxationMemo,
}

impl PairScratch {
    fn resize(&mut self, n: usize) {
        for b in [
            &mut self.d,
            &mut self.i,
            &mut self.d_corr,
            &mut self.i_corr,
            &mut self.damage_loss0,
            &mut self.inflammation_prod0,
        ] {
            b.resize(n, 0.0);
        }
    }
}

/// Redness relative to its visibility threshold, from the redness weights and the inflammation
/// `i` of every layer (as [`Column::snapshot`] computes it).
#[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
fn redness_of(weights: &[f64], threshold: f64, i: &[f64]) -> f64 {
    let mut redness = 0.0;
    for (w, i) in weights.iter().zip(i) {
        redness += w * i;
    }
    redness / threshold
}

/// One exponential trapezoidal sub-step of length `h` of the damage–inflammation pair of `L`
/// layers (damage `d`, inflammation `i`, with damage loss `dl0` and inflammation production `ip0`
/// at the start; `phi_i` the inflammation's relaxation factor times `h`), into `d_out`, `i_out`;
/// each layer's largest relative distance between prediction and correction (above the floors)
/// is folded into `largest`. Predictor: exponential Euler from the start's terms (damage has no
/// production: its step is the decay `d e^{-L h}`); corrector: the terms averaged between the
/// start and the prediction.
#[allow(clippy::too_many_arguments)]
#[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
fn pair_substep<const L: usize>(
    d: &[f64; L],
    i: &[f64; L],
    dl0: &[f64; L],
    ip0: &[f64; L],
    h: f64,
    phi_i: f64,
    r: &Rates,
    d_out: &mut [f64; L],
    i_out: &mut [f64; L],
    largest: &mut [f64; L],
    redness_weights: &[f64; L],
    weighted: &mut f64,
) {
    let resolution = r.inflammation_resolution;
    for j in 0..L {
        let d_pred = d[j] * kinetics::exp_non_positive(-dl0[j] * h);
        let resolved = i[j] - i[j] * resolution * phi_i;
        let i_pred = resolved + ip0[j] * phi_i;
        let (dl1, ip1) = kinetics::damage_inflammation_terms(d_pred, i_pred, r);
        d_out[j] = d[j] * kinetics::exp_non_positive(-0.5 * (dl0[j] + dl1) * h);
        i_out[j] = resolved + 0.5 * (ip0[j] + ip1) * phi_i;
        for (a, b, floor) in [(d_out[j], d_pred, LAYER_FLOOR[D]), (i_out[j], i_pred, LAYER_FLOOR[I])] {
            let e = (a - b).abs() / (a + floor);
            largest[j] = if e > largest[j] { e } else { largest[j] };
        }
    }
    // In layer order, as `redness_of` sums.
    for j in 0..L {
        *weighted += redness_weights[j] * i_out[j];
    }
}

/// Advances the damage–inflammation pair of every layer from `d0`, `i0` by `dt` days into
/// `s.d`, `s.i`: the pair depends on nothing else in the layer, so it takes its own
/// error-controlled exponential trapezoidal sub-steps (the same scheme, tolerance and floors as
/// the column's step), and the step of the rest of the layer can be as long as the slower
/// variables allow. `next_h` carries the sub-step size from one call to the next (`None` after a
/// session: the first sub-step then comes from the pair's fastest relative rate of change).
///
/// Returns the last instant within the step (days from its start) at which redness (see
/// [`redness_of`], with `redness_weights` and `redness_threshold`; `redness0` at the start, which
/// the caller has already computed) was visible: the end of the
/// last sub-step it was visible at, or its crossing of the threshold interpolated linearly within
/// a sub-step. Redness is visibility-weighted inflammation, so its duration is resolved as finely
/// as inflammation is, however long the step.
#[allow(clippy::too_many_arguments)]
#[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
fn integrate_pair(
    s: &mut PairScratch,
    r: &Rates,
    d0: &[f64],
    i0: &[f64],
    dt: f64,
    c: &StepControl,
    next_h: &mut Option<f64>,
    redness_weights: &[f64],
    redness_threshold: f64,
    redness0: f64,
) -> Option<f64> {
    let n = d0.len();
    s.d[..n].copy_from_slice(d0);
    s.i[..n].copy_from_slice(&i0[..n]);
    let mut last_visible = None;
    let mut redness_before = redness0;
    let resolution = r.inflammation_resolution;
    let (floor_d, floor_i) = (LAYER_FLOOR[D], LAYER_FLOOR[I]);
    let mut t = 0.0;
    while t < dt {
        kinetics::damage_inflammation_rows(&s.d, &s.i, r, &mut s.damage_loss0, &mut s.inflammation_prod0);
        let proposed = next_h.unwrap_or_else(|| {
            let mut fastest: f64 = 0.0;
            for k in 0..n {
                fastest = fastest.max(s.damage_loss0[k] * s.d[k] / (s.d[k] + floor_d));
                fastest = fastest.max((s.inflammation_prod0[k] - resolution * s.i[k]).abs() / (s.i[k] + floor_i));
            }
            if fastest > 0.0 {
                c.first_step_change / fastest
            } else {
                c.max_step_days
            }
        });
        let proposed = proposed.clamp(c.min_step_days, c.max_step_days);
        let remaining = dt - t;
        let mut h = proposed.min(remaining);
        let mut rejected = false;
        let (error, redness_after) = loop {
            let phi_i = s.inflammation_memo.phi_dt(resolution, h);
            // One pass over the layers does the whole sub-step of each (the pair couples nothing
            // across layers), so the prediction and its terms stay in registers.
            let (d, i) = (&s.d[..n], &s.i[..n]);
            let (dl0, ip0) = (&s.damage_loss0[..n], &s.inflammation_prod0[..n]);
            let (d_out, i_out) = (&mut s.d_corr[..n], &mut s.i_corr[..n]);
            let mut largest = [0.0_f64; 4];
            let (d4, d_rest) = d.as_chunks::<4>();
            let (i4, i_rest) = i.as_chunks::<4>();
            let (dl4, dl_rest) = dl0.as_chunks::<4>();
            let (ip4, ip_rest) = ip0.as_chunks::<4>();
            let (do4, do_rest) = d_out.as_chunks_mut::<4>();
            let (io4, io_rest) = i_out.as_chunks_mut::<4>();
            let (w4, w_rest) = redness_weights[..n].as_chunks::<4>();
            // The corrected inflammation's redness (as `redness_of`), summed as it is computed.
            let mut weighted = 0.0;
            for ((((((d, i), dl), ip), d_out), i_out), w) in
                d4.iter().zip(i4).zip(dl4).zip(ip4).zip(do4).zip(io4).zip(w4)
            {
                pair_substep(d, i, dl, ip, h, phi_i, r, d_out, i_out, &mut largest, w, &mut weighted);
            }
            let mut largest_rest = [0.0_f64; 1];
            for k in 0..d_rest.len() {
                let (d, i, dl, ip, w) = ([d_rest[k]], [i_rest[k]], [dl_rest[k]], [ip_rest[k]], [w_rest[k]]);
                let (mut d_out, mut i_out) = ([0.0], [0.0]);
                pair_substep(
                    &d,
                    &i,
                    &dl,
                    &ip,
                    h,
                    phi_i,
                    r,
                    &mut d_out,
                    &mut i_out,
                    &mut largest_rest,
                    &w,
                    &mut weighted,
                );
                (do_rest[k], io_rest[k]) = (d_out[0], i_out[0]);
            }
            let error = largest
                .iter()
                .chain(&largest_rest)
                .fold(0.0_f64, |e, &lane| e.max(lane));
            if error <= c.tolerance || h <= c.min_step_days {
                break (error, weighted / redness_threshold);
            }
            rejected = true;
            h = (h * (0.9 * (c.tolerance / error).sqrt()).max(0.2)).max(c.min_step_days);
        };
        std::mem::swap(&mut s.d, &mut s.d_corr);
        std::mem::swap(&mut s.i, &mut s.i_corr);
        if redness_after > 1.0 {
            last_visible = Some(t + h);
        } else if redness_before > 1.0 {
            last_visible = Some(t + (redness_before - 1.0) / (redness_before - redness_after) * h);
        }
        redness_before = redness_after;
        let grown = h * (0.9 * (c.tolerance / error.max(1e-12)).sqrt()).min(4.0);
        // A sub-step cut short by the end of the step says nothing against the proposed size.
        *next_h = Some(if rejected { grown } else { grown.max(proposed) });
        if h >= remaining {
            break;
        }
        t += h;
    }
    last_visible
}

impl StepScratch {
    fn resize(&mut self, n: usize) {
        for b in [
            &mut self.start,
            &mut self.predicted,
            &mut self.corrected,
            &mut self.prod0,
            &mut self.loss0,
            &mut self.prod1,
            &mut self.loss1,
        ] {
            b.resize(LAYER_VARS * n, 0.0);
        }
        self.phi_dt.resize(n, 0.0);
        self.pair.resize(n);
    }
}

/// Copies array-of-structures layer state into a structure-of-arrays buffer.
fn to_rows(x: &[[f64; LAYER_VARS]], buf: &mut [f64]) {
    let n = x.len();
    for (v, row) in kinetics::rows_mut(buf, n).into_iter().enumerate() {
        for (r, xk) in row.iter_mut().zip(x) {
            *r = xk[v];
        }
    }
}

/// Copies a structure-of-arrays buffer into array-of-structures layer state.
fn from_rows(buf: &[f64], x: &mut [[f64; LAYER_VARS]]) {
    let n = x.len();
    for (v, row) in kinetics::rows(buf, n).into_iter().enumerate() {
        for (xk, r) in x.iter_mut().zip(row) {
            xk[v] = *r;
        }
    }
}

/// The largest |a - b| / (a + floor) of rows `a` and `b`, folded into `acc`: four independent
/// lanes on fixed-size chunks, so that the loop is one vector division and maximum per four
/// layers. (Comparing the fractions by cross-multiplication instead, to avoid the division, cost
/// eight times the instructions: the selects of numerator and denominator did not vectorise.)
#[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
fn fold_error(a: &[f64], b: &[f64], floor: f64, acc: &mut [f64; 4]) {
    let b = &b[..a.len()];
    let (a4, a_rest) = a.as_chunks::<4>();
    let (b4, b_rest) = b.as_chunks::<4>();
    let mut largest = *acc;
    for (ca, cb) in a4.iter().zip(b4) {
        for j in 0..4 {
            let e = (ca[j] - cb[j]).abs() / (ca[j] + floor);
            largest[j] = if e > largest[j] { e } else { largest[j] };
        }
    }
    for (&ca, &cb) in a_rest.iter().zip(b_rest) {
        let e = (ca - cb).abs() / (ca + floor);
        largest[0] = if e > largest[0] { e } else { largest[0] };
    }
    *acc = largest;
}

/// Surface terms and the step-size signal of one evaluation.
struct Terms {
    surface_prod: [f64; SURFACE_VARS],
    surface_loss: [f64; SURFACE_VARS],
    /// Production and loss of the normal-skin collagen trajectory.
    normal: (f64, f64),
    fastest: f64,
}

/// Everything the column reports at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Snapshot {
    pub day: f64,
    /// Mean collagen I relative to a 25-year-old's (= 1).
    pub collagen_i: f64,
    /// Mean collagen III relative to a 25-year-old's (= 1).
    pub collagen_iii: f64,
    /// Dermal collagen content (I + III), relative to a 25-year-old's (= 1).
    pub collagen: f64,
    /// Collagen content of the papillary dermis, relative.
    pub papillary_collagen: f64,
    /// Functional elastin, relative.
    pub elastin_functional: f64,
    /// Elastotic (degraded) elastin, relative to a 25-year-old's functional elastin.
    pub elastotic: f64,
    /// Mean activated-fibroblast density (1 = resting).
    pub fibroblasts: f64,
    /// Visibility-weighted inflammation divided by the visible-redness threshold (1 = just visible).
    pub redness: f64,
    /// Barrier loss (1 - barrier integrity): TEWL excess proxy.
    pub dryness: f64,
    /// Epidermal melanin relative to the person's constitutive level.
    pub melanin: f64,
    pub epidermis_um: f64,
    pub dermis_um: f64,
    /// Stiffness relative to a 25-year-old's skin.
    pub stiffness: f64,
    /// Cumulative channels per cm² that reached the reticular dermis (tether release dose).
    pub deep_hole_dose: f64,
}

impl Snapshot {
    /// The state a fraction `w` of the way from `a` to `b` (samples between two steps).
    pub fn lerp(a: &Snapshot, b: &Snapshot, w: f64) -> Snapshot {
        let mut s = *a;
        let fields: [(&mut f64, f64, f64); 15] = [
            (&mut s.day, a.day, b.day),
            (&mut s.collagen_i, a.collagen_i, b.collagen_i),
            (&mut s.collagen_iii, a.collagen_iii, b.collagen_iii),
            (&mut s.collagen, a.collagen, b.collagen),
            (&mut s.papillary_collagen, a.papillary_collagen, b.papillary_collagen),
            (&mut s.elastin_functional, a.elastin_functional, b.elastin_functional),
            (&mut s.elastotic, a.elastotic, b.elastotic),
            (&mut s.fibroblasts, a.fibroblasts, b.fibroblasts),
            (&mut s.redness, a.redness, b.redness),
            (&mut s.dryness, a.dryness, b.dryness),
            (&mut s.melanin, a.melanin, b.melanin),
            (&mut s.epidermis_um, a.epidermis_um, b.epidermis_um),
            (&mut s.dermis_um, a.dermis_um, b.dermis_um),
            (&mut s.stiffness, a.stiffness, b.stiffness),
            (&mut s.deep_hole_dose, a.deep_hole_dose, b.deep_hole_dose),
        ];
        for (dst, x, y) in fields {
            *dst = x + (y - x) * w;
        }
        s
    }

    /// Total elastin (functional + elastotic).
    pub fn elastin(&self) -> f64 {
        self.elastin_functional + self.elastotic
    }
}

/// What [`Column::advance`] calls with the snapshots before and after every step.
pub type StepObserver<'a> = dyn FnMut(&Snapshot, &Snapshot) + 'a;

/// The part of a [`Snapshot`] that side-effect tracking reads (computed at every step).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventValues {
    pub day: f64,
    pub redness: f64,
    pub dryness: f64,
    pub melanin: f64,
}

impl From<&Snapshot> for EventValues {
    fn from(s: &Snapshot) -> Self {
        EventValues {
            day: s.day,
            redness: s.redness,
            dryness: s.dryness,
            melanin: s.melanin,
        }
    }
}

impl SessionEffects {
    /// Extends the session's redness and dryness durations and melanin rise over one step from
    /// `a` to `b` (a threshold crossed inside the step is placed by linear interpolation).
    pub fn track_step(&mut self, a: &EventValues, b: &EventValues, dryness_threshold: f64, melanin_at_session: f64) {
        let since = |t: f64| t - self.day;
        let crossing = |va: f64, vb: f64, thr: f64| -> Option<f64> {
            if vb > thr {
                Some(b.day)
            } else if va > thr {
                Some(a.day + (va - thr) / (va - vb) * (b.day - a.day))
            } else {
                None
            }
        };
        if let Some(t) = crossing(a.redness, b.redness, 1.0) {
            self.redness_days = self.redness_days.max(since(t));
        }
        if let Some(t) = crossing(a.dryness, b.dryness, dryness_threshold) {
            self.dryness_days = self.dryness_days.max(since(t));
        }
        self.melanin_rise = self.melanin_rise.max(b.melanin - melanin_at_session);
    }
}

/// What one session did, measured as the simulation ran.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionEffects {
    pub day: f64,
    /// Days until redness was no longer visible.
    pub redness_days: f64,
    /// Days until barrier loss fell back below the dryness threshold.
    pub dryness_days: f64,
    /// Largest rise of epidermal melanin above its level at the session.
    pub melanin_rise: f64,
    pub depth_um: f64,
    pub holes_per_cm2: f64,
}

/// Who the column belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSetup {
    pub skin: Skin,
    pub age_years: f64,
    pub male: bool,
    pub photoaging: u8,
    pub skin_type: u8,
    pub tissue: LesionTissue,
}

/// The state of one column and what it needs to step itself.
#[derive(Debug, Clone)]
pub struct Column {
    setup: ColumnSetup,
    rates: Rates,
    /// Layer thickness at the reference content (age 25), µm.
    dz_ref_um: f64,
    papillary_layers: usize,
    /// Layer state, top (papillary) first.
    pub x: Vec<[f64; LAYER_VARS]>,
    /// Quasi-steady growth signal per layer.
    pub signal: Vec<f64>,
    /// Lesion factor of each layer's matrix (1 outside the lesion).
    matrix_factor: Vec<f64>,
    elastin_factor: Vec<f64>,
    pub surface: Surface,
    /// Collagen content of normal skin of this person at the current age (ageing trajectory).
    normal_collagen: f64,
    /// Functional elastin of this person's normal skin when treatment began: the elastin set
    /// point (times the lesion's elastin factor).
    normal_elastin: f64,
    /// Day of the latest session (for a wrinkle groove's lifted set point).
    last_session_day: Option<f64>,
    /// Fibroblast response of this column's tissue: the lesion's, times the site's (body skin
    /// answers the same injury less than facial skin).
    responsiveness: f64,
    /// Collagen of the surrounding skin per layer relative to `normal_collagen`, as of the latest
    /// session (1 for the surrounding skin's own column): what a lesion's deficit feedback
    /// measures its matrix against (see [`Column::follow_surroundings`]).
    surroundings_gain: Vec<f64>,
    /// Days since the first session.
    pub day: f64,
    barrier_recovery: f64,
    deep_hole_dose: f64,
    sessions: Vec<SessionEffects>,
    // Event tracking of the latest session.
    melanin_at_session: f64,
    redness_threshold: f64,
    dryness_threshold: f64,
    redness_weights: Vec<f64>,
    matrix_thickness_share: f64,
    stiffness_exponents: (f64, f64),
    synthesis_decline: f64,
    proliferation_decline: f64,
    /// The latest [`Column::age_factors`]: day, synthesis, proliferation (day NaN: none yet).
    age_factors_at: (f64, f64, f64),
    epidermis_ref_um: f64,
    epidermis_loss_per_decade: f64,
    // Scratch for the stepper and the tridiagonal solve (no allocation while stepping).
    scratch: StepScratch,
    scratch_d: Vec<f64>,
    /// The signal solve's forward-sweep factors (they depend only on the layers and the rates).
    signal_sweep: NoFluxSweep,
    /// Spread in depth of the inflammatory infiltrate and of activated fibroblasts: diffusivity
    /// over the squared reference layer thickness, per day (the patch model's random motility,
    /// here along the column's one dimension).
    inflammation_spread_per_day: f64,
    fibroblast_spread_per_day: f64,
    signal_from_inflammation: f64,
    signal_autocrine: f64,
    barrier_recovery_rate: f64,
    barrier_depth_scale_um: f64,
    barrier_disruption: f64,
    matrix_destroyed: f64,
    melanin_excess_half_life: Option<f64>,
    pub control: StepControl,
    /// Baseline collagen synthesis at age 25 (per day, into I).
    base_collagen_synthesis: f64,
    base_elastin_synthesis: f64,
}

impl Column {
    /// A column of this person's skin at the start of treatment: the ageing trajectory from 25
    /// to their age, with the lesion's tissue in its affected layers.
    pub fn new(setup: ColumnSetup, p: &Params) -> Column {
        let age_matrix = ageing::matrix_at_age(setup.age_years, setup.photoaging, p);
        Column::with_age_matrix(setup, p, age_matrix)
    }

    /// [`Column::new`] with the person's `ageing::matrix_at_age` already computed (the columns of
    /// one person share it).
    pub(crate) fn with_age_matrix(setup: ColumnSetup, p: &Params, age_matrix: ageing::MatrixAtAge) -> Column {
        let n = (p.anatomy_layers.round() as usize).max(4);
        let dz_ref_um = setup.skin.dermis_um / n as f64;
        let papillary_layers = (0..n)
            .filter(|&k| (k as f64 + 0.5) * dz_ref_um < setup.skin.papillary_um)
            .count()
            .max(1);
        let rates = Rates::new(
            p,
            setup.photoaging,
            setup.skin_type,
            ageing::proliferation_factor(setup.age_years, p),
        );
        let iii = p.ageing_collagen_iii_share;
        let t = setup.tissue;
        let affected = (t.affected_depth_fraction * n as f64).round() as usize;
        let matrix_factor: Vec<f64> = (0..n)
            .map(|k| if k < affected { t.matrix_factor } else { 1.0 })
            .collect();
        let elastin_factor: Vec<f64> = (0..n)
            .map(|k| if k < affected { t.elastin_factor } else { 1.0 })
            .collect();
        let x = (0..n)
            .map(|k| {
                let total = age_matrix.collagen * matrix_factor[k];
                let c1 = total / (1.0 + iii);
                [
                    0.0,
                    0.0,
                    1.0,
                    iii * c1,
                    c1,
                    age_matrix.elastin * elastin_factor[k],
                    age_matrix.elastotic * elastin_factor[k],
                ]
            })
            .collect();
        let z_vis = p.inflammation_redness_visibility_depth_um;
        let redness_weights = (0..n)
            .map(|k| (-(setup.skin.epidermis_um + (k as f64 + 0.5) * dz_ref_um) / z_vis).exp())
            .collect::<Vec<_>>();
        let wsum: f64 = redness_weights.iter().sum();
        let redness_weights = redness_weights.iter().map(|w| w / wsum).collect();
        let base_degradation = ageing::collagen_degradation_per_day(1, p);
        Column {
            rates,
            dz_ref_um,
            papillary_layers,
            x,
            signal: vec![0.0; n],
            matrix_factor,
            elastin_factor,
            surface: Surface {
                barrier: 1.0,
                melanin: 1.0 + t.melanin_excess,
                epidermis: 1.0,
                adjunct: 0.0,
            },
            normal_collagen: age_matrix.collagen,
            normal_elastin: age_matrix.elastin,
            last_session_day: None,
            responsiveness: t.responsiveness * setup.skin.wound_response(p),
            surroundings_gain: vec![1.0; n],
            day: 0.0,
            barrier_recovery: p.barrier_recovery_per_day,
            deep_hole_dose: 0.0,
            sessions: Vec::new(),
            melanin_at_session: 1.0,
            redness_threshold: p.inflammation_redness_threshold,
            dryness_threshold: p.barrier_dryness_threshold,
            redness_weights,
            matrix_thickness_share: p.anatomy_matrix_thickness_share,
            stiffness_exponents: (
                p.outcome_stiffness_collagen_exponent,
                p.outcome_stiffness_elastin_exponent,
            ),
            synthesis_decline: p.ageing_synthesis_decline_per_year,
            proliferation_decline: p.fibroblast_proliferation_decline_per_year,
            age_factors_at: (f64::NAN, 0.0, 0.0),
            epidermis_ref_um: setup.skin.epidermis_um,
            epidermis_loss_per_decade: if setup.male {
                p.anatomy_epidermis_loss_per_decade_male
            } else {
                p.anatomy_epidermis_loss_per_decade_female
            },
            scratch: StepScratch::default(),
            // Twice the layers: the two rows of the spread in depth share it.
            scratch_d: vec![0.0; 2 * n],
            signal_sweep: NoFluxSweep::new(
                p.signal_diffusivity_um2_per_day / (dz_ref_um * dz_ref_um),
                p.signal_decay_per_day,
                n,
            ),
            inflammation_spread_per_day: p.inflammation_diffusivity_um2_per_day / (dz_ref_um * dz_ref_um),
            fibroblast_spread_per_day: p.fibroblast_motility_um2_per_day / (dz_ref_um * dz_ref_um),
            signal_from_inflammation: p.signal_production_by_inflammation,
            signal_autocrine: p.signal_autocrine_production,
            barrier_recovery_rate: p.barrier_recovery_per_day,
            barrier_depth_scale_um: p.barrier_recovery_depth_scale_um,
            barrier_disruption: p.device_barrier_disruption_per_area,
            matrix_destroyed: p.device_matrix_destroyed_fraction,
            melanin_excess_half_life: t.melanin_excess_half_life_days,
            control: StepControl::default(),
            base_collagen_synthesis: base_degradation / (1.0 + iii),
            base_elastin_synthesis: ageing::elastin_degradation_per_day(p),
            setup,
        }
    }

    pub fn layers(&self) -> usize {
        self.x.len()
    }

    pub fn sessions(&self) -> &[SessionEffects] {
        &self.sessions
    }

    fn age_years(&self) -> f64 {
        self.setup.age_years + ageing::days_to_years(self.day)
    }

    /// Thickness of layer `k` now: the matrix share follows its collagen content.
    fn layer_thickness_um(&self, k: usize) -> f64 {
        let c = self.x[k][C1] + self.x[k][C3];
        self.dz_ref_um * (self.matrix_thickness_share * c + 1.0 - self.matrix_thickness_share)
    }

    fn epidermis_um(&self) -> f64 {
        let decades = (self.age_years() - ageing::PEAK_AGE_YEARS).max(0.0) / 10.0;
        self.epidermis_ref_um * (1.0 - self.epidermis_loss_per_decade).powf(decades) * self.surface.epidermis
    }

    /// Depth of each layer's middle below the skin surface, µm.
    pub fn layer_depths_um(&self) -> Vec<f64> {
        let mut z = self.epidermis_um();
        (0..self.layers())
            .map(|k| {
                let t = self.layer_thickness_um(k);
                let mid = z + 0.5 * t;
                z += t;
                mid
            })
            .collect()
    }

    /// Total collagen (I + III) per layer, relative to a 25-year-old's.
    pub fn collagen_profile(&self) -> Vec<f64> {
        self.x.iter().map(|x| x[C1] + x[C3]).collect()
    }

    /// Takes the surrounding skin's collagen, layer by layer, as the reference of this (lesion)
    /// column's deficit feedback until the next call. A course calls it at every session, so the
    /// fibroblasts of a groove, crater or band answer each session's injury by filling toward the
    /// surroundings as they are then; within an interval the reference stays put (the needled
    /// surroundings' own gain of that interval counts from the next session on).
    pub fn follow_surroundings(&mut self, surroundings: &Column) {
        let normal = surroundings.normal_collagen.max(1e-12);
        for (gain, layer) in self.surroundings_gain.iter_mut().zip(&surroundings.x) {
            *gain = (layer[C1] + layer[C3]) / normal;
        }
    }

    /// Needling: open the channels of `field` now.
    pub fn apply_session(&mut self, field: &PunctureField, adjunct: bool) {
        self.last_session_day = Some(self.day);
        let access = self.setup.tissue.accessibility;
        let depths = self.layer_depths_um();
        let keep_matrix = |inj: f64| 1.0 - inj * self.matrix_destroyed;
        for (k, z) in depths.iter().enumerate() {
            let injured = field.injured_fraction(*z) * access;
            let x = &mut self.x[k];
            x[D] = 1.0 - (1.0 - x[D]) * (1.0 - injured);
            let keep = keep_matrix(injured);
            for v in [C3, C1, E, ED] {
                x[v] *= keep;
            }
        }
        let open = (self.barrier_disruption * field.surface_open_fraction() * access).min(0.95);
        self.surface.barrier *= 1.0 - open;
        self.barrier_recovery = self.barrier_recovery_rate / (1.0 + field.depth_um / self.barrier_depth_scale_um);
        if adjunct {
            self.surface.adjunct = 1.0;
        }
        let reticular_top = self.epidermis_um() + self.setup.skin.papillary_um;
        if field.depth_um > reticular_top {
            self.deep_hole_dose += field.holes_per_cm2 * access;
        }
        self.melanin_at_session = self.surface.melanin;
        self.sessions.push(SessionEffects {
            day: self.day,
            redness_days: 0.0,
            dryness_days: 0.0,
            melanin_rise: 0.0,
            depth_um: field.depth_um,
            holes_per_cm2: field.holes_per_cm2,
        });
        self.track_events(None, None);
    }

    /// Solves the quasi-steady growth signal: -D g'' + decay g = production, no-flux at the top
    /// and bottom of the dermis (tridiagonal, Thomas algorithm).
    /// `x` is the layer state as structure-of-arrays.
    #[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
    fn solve_signal(&mut self, x: &[f64]) {
        let n = self.layers();
        let (xi, xf) = (kinetics::row(x, n, I), kinetics::row(x, n, F));
        let (by_inflammation, autocrine) = (self.signal_from_inflammation, self.signal_autocrine);
        // Zipped rather than indexed, so that the loop has no bounds checks and vectorises.
        for ((d, &i), &f) in self.scratch_d[..n].iter_mut().zip(xi).zip(xf) {
            *d = by_inflammation * i + autocrine * (f - 1.0).max(0.0);
        }
        self.signal_sweep.solve(&mut self.scratch_d, &mut self.signal);
    }

    #[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
    fn column_env(&self, day: f64, synthesis_factor: f64) -> ColumnEnv<'_> {
        ColumnEnv {
            signal: &self.signal,
            matrix_factor: &self.matrix_factor,
            elastin_factor: &self.elastin_factor,
            collagen_synthesis: self.base_collagen_synthesis * synthesis_factor,
            elastin_synthesis: self.base_elastin_synthesis * synthesis_factor,
            synthesis_factor,
            normal_collagen: self.normal_collagen,
            normal_elastin: self.normal_elastin,
            surroundings_gain: &self.surroundings_gain,
            responsiveness: self.responsiveness,
            deficit_feedback: self.setup.tissue.deficit_feedback,
            set_point_lift: kinetics::set_point_lift(
                self.setup.tissue.own_matrix_set_point,
                self.last_session_day,
                day,
                &self.rates,
            ),
            remodelling_by_i: self.setup.tissue.remodelling_by_inflammation,
        }
    }

    #[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
    fn surface_env(&self, x: &[f64], proliferation_factor: f64) -> SurfaceEnv {
        let np = self.papillary_layers;
        let n = self.layers();
        let pap_i = kinetics::row(x, n, I)[..np].iter().sum::<f64>() / np as f64;
        let pap_f = kinetics::row(x, n, F)[..np].iter().map(|f| f - 1.0).sum::<f64>() / np as f64;
        let excess = self.setup.tissue.melanin_excess
            * match self.melanin_excess_half_life {
                Some(h) => (-std::f64::consts::LN_2 * self.day / h).exp(),
                None => 1.0,
            };
        SurfaceEnv {
            barrier_recovery: self.barrier_recovery,
            papillary_inflammation: pap_i,
            papillary_activation: pap_f,
            melanin_production: 1.0 + excess,
            proliferation_factor,
        }
    }

    /// Collagen synthesis and fibroblast proliferation of the person's age at `day`, relative to
    /// a 25-year-old's. Kept for the latest day asked: the end of an accepted step (where the
    /// corrector evaluates the terms) is the same number as the start of the next, so each step
    /// computes the two exponentials once instead of twice. The declines are not negative, so the
    /// exponentials are [`kinetics::exp_non_positive`] (no library call).
    #[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
    fn age_factors(&mut self, day: f64) -> (f64, f64) {
        let (at, synthesis, proliferation) = self.age_factors_at;
        if at.to_bits() == day.to_bits() {
            return (synthesis, proliferation);
        }
        let age = self.setup.age_years + ageing::days_to_years(day);
        let above_peak = (age - ageing::PEAK_AGE_YEARS).max(0.0);
        let synthesis = kinetics::exp_non_positive(-self.synthesis_decline * above_peak);
        let proliferation = kinetics::exp_non_positive(-self.proliferation_decline * above_peak);
        self.age_factors_at = (day, synthesis, proliferation);
        (synthesis, proliferation)
    }

    /// Production and loss of every layer (structure-of-arrays, like the layer state `x`; all
    /// variables but damage and inflammation, whose rows are left as they are) and of the surface
    /// at the state `x`, `self.surface`, and the fastest relative rate of change (for the step
    /// size).
    #[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
    fn terms(&mut self, day: f64, x: &[f64], prod: &mut [f64], loss: &mut [f64], want_rate: bool) -> Terms {
        self.solve_signal(x);
        let (synthesis, proliferation) = self.age_factors(day);
        let mut fastest: f64 = 0.0;
        kinetics::column_layer_terms_without_pair(x, &self.column_env(day, synthesis), &self.rates, prod, loss);
        if want_rate {
            let n = self.layers();
            let (xr, pr, lr) = (kinetics::rows(x, n), kinetics::rows(prod, n), kinetics::rows(loss, n));
            // The damage–inflammation pair takes its own sub-steps (`integrate_pair`).
            for v in F..LAYER_VARS {
                for k in 0..n {
                    fastest = fastest.max((pr[v][k] - lr[v][k] * xr[v][k]).abs() / (xr[v][k] + LAYER_FLOOR[v]));
                }
            }
        }
        let senv = self.surface_env(x, proliferation);
        let (sp, sl) = kinetics::surface_terms(&self.surface, &senv, &self.rates);
        let sv = self.surface.as_array();
        if want_rate {
            for v in 0..SURFACE_VARS {
                fastest = fastest.max((sp[v] - sl[v] * sv[v]).abs() / (sv[v] + SURFACE_FLOOR[v]));
            }
        }
        let normal = (
            self.base_collagen_synthesis * (1.0 + self.rates.collagen_iii_share) * synthesis,
            self.rates.collagen_degradation,
        );
        Terms {
            surface_prod: sp,
            surface_loss: sl,
            normal,
            fastest,
        }
    }

    /// Advances the state to `until_day`, calling `on_step(previous, current)` with the snapshot
    /// before and after every step (for recording).
    ///
    /// Each step is an exponential trapezoidal (Heun) step: an exponential Euler predictor, then
    /// the step repeated from the start with production and loss averaged between the start and
    /// the predicted end. Second order, non-negative, exact for pure decays.
    pub fn advance(&mut self, until_day: f64, on_step: &mut dyn FnMut(&Snapshot, &Snapshot)) {
        self.advance_with(until_day, Some(on_step));
    }

    /// [`Column::advance`] without the per-step snapshots: the same steps and the same side-effect
    /// tracking (which needs only redness, dryness and melanin), for runs that record nothing.
    pub fn advance_quietly(&mut self, until_day: f64) {
        self.advance_with(until_day, None);
    }

    /// [`Column::terms`] as a function of its own for the baseline stepper (see `terms_avx2`).
    #[inline(never)]
    fn terms_baseline(&mut self, day: f64, x: &[f64], prod: &mut [f64], loss: &mut [f64], want_rate: bool) -> Terms {
        self.terms(day, x, prod, loss, want_rate)
    }

    /// [`Column::terms`] compiled for AVX2, as a function of its own: inlined into the stepper
    /// (twice: start and prediction) it cost 3 % more instructions per course (register
    /// pressure in one very large function).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[inline(never)]
    fn terms_avx2(&mut self, day: f64, x: &[f64], prod: &mut [f64], loss: &mut [f64], want_rate: bool) -> Terms {
        self.terms(day, x, prod, loss, want_rate)
    }

    /// The stepper, compiled twice on x86-64: for the baseline instruction set and for AVX2 (twice
    /// the vector width), chosen at run time by what the processor supports. Both variants do the
    /// same IEEE operations in the same order (Rust never fuses or reorders floating-point
    /// arithmetic), so they give results identical to the bit.
    fn advance_with(&mut self, until_day: f64, on_step: Option<&mut StepObserver>) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor supports AVX2, checked just above.
            unsafe { self.advance_avx2(until_day, on_step) };
            return;
        }
        self.advance_steps(until_day, on_step, Column::terms_baseline);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn advance_avx2(&mut self, until_day: f64, on_step: Option<&mut StepObserver>) {
        // The closure inherits AVX2 from this function, so it may call `terms_avx2`.
        let terms = |col: &mut Column, day: f64, x: &[f64], prod: &mut [f64], loss: &mut [f64], want_rate: bool| {
            col.terms_avx2(day, x, prod, loss, want_rate)
        };
        self.advance_steps(until_day, on_step, terms);
    }

    /// The stepper's loop; `terms` is [`Column::terms`] compiled for the variant's instruction set.
    #[inline(always)]
    fn advance_steps(
        &mut self,
        until_day: f64,
        mut on_step: Option<&mut StepObserver>,
        mut terms: impl FnMut(&mut Column, f64, &[f64], &mut [f64], &mut [f64], bool) -> Terms,
    ) {
        let n = self.layers();
        let mut prev = on_step.as_ref().map(|_| self.snapshot());
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.resize(n);
        let c = self.control;
        // After a session (or at the start) the first step is guessed from the fastest relative
        // rate of change; later steps come from the error estimate of the previous one.
        let mut next_dt: Option<f64> = None;
        let mut pair_next_h: Option<f64> = None;
        to_rows(&self.x, &mut scratch.start);
        let mut prev_events = self.event_values(kinetics::row(&scratch.start, n, I));
        while self.day < until_day - 1e-12 {
            let t0 = terms(
                self,
                self.day,
                &scratch.start,
                &mut scratch.prod0,
                &mut scratch.loss0,
                next_dt.is_none(),
            );
            let mut dt = next_dt.unwrap_or(if t0.fastest > 0.0 {
                c.first_step_change / t0.fastest
            } else {
                c.max_step_days
            });
            dt = dt.clamp(c.min_step_days, c.max_step_days).min(until_day - self.day);
            let surface0 = self.surface.as_array();
            let normal0 = self.normal_collagen;
            let pair_h0 = pair_next_h;
            let mut redness_visible;
            let error = loop {
                // The damage–inflammation pair over the whole step, in its own sub-steps; the
                // predictor and the corrector of the other variables both see its result.
                pair_next_h = pair_h0;
                {
                    let s = &mut scratch;
                    redness_visible = integrate_pair(
                        &mut s.pair,
                        &self.rates,
                        kinetics::row(&s.start, n, D),
                        kinetics::row(&s.start, n, I),
                        dt,
                        &c,
                        &mut pair_next_h,
                        &self.redness_weights,
                        self.redness_threshold,
                        prev_events.redness,
                    )
                    .map(|t| self.day + t);
                }
                // Predictor: exponential Euler with the start's production and loss.
                {
                    let s = &mut scratch;
                    let rows = kinetics::rows_mut(&mut s.predicted, n);
                    let (x0, p0, l0) = (
                        kinetics::rows(&s.start, n),
                        kinetics::rows(&s.prod0, n),
                        kinetics::rows(&s.loss0, n),
                    );
                    for (v, out) in rows.into_iter().enumerate() {
                        match v {
                            D => out.copy_from_slice(&s.pair.d),
                            I => out.copy_from_slice(&s.pair.i),
                            _ => kinetics::exponential_steps_with(
                                x0[v],
                                p0[v],
                                l0[v],
                                dt,
                                out,
                                &mut s.phi_dt,
                                CONSTANT_LOSS[v],
                                &mut s.row_memo[v],
                            ),
                        }
                    }
                }
                let mut sv = surface0;
                for v in 0..SURFACE_VARS {
                    sv[v] = scratch.surface_memo[v].exponential_step(sv[v], t0.surface_prod[v], t0.surface_loss[v], dt);
                }
                self.surface = Surface::from_array(sv);
                self.normal_collagen = scratch
                    .normal_memo
                    .exponential_step(normal0, t0.normal.0, t0.normal.1, dt);
                // Corrector: production and loss averaged over the step, from the start state.
                // Its distance from the predictor estimates the predictor's local error.
                let t1 = terms(
                    self,
                    self.day + dt,
                    &scratch.predicted,
                    &mut scratch.prod1,
                    &mut scratch.loss1,
                    false,
                );
                // Rows F onwards: damage and inflammation (rows D and I) were integrated on their own.
                for (a, b) in scratch.prod1[F * n..].iter_mut().zip(&scratch.prod0[F * n..]) {
                    *a = 0.5 * (b + *a);
                }
                for (a, b) in scratch.loss1[F * n..].iter_mut().zip(&scratch.loss0[F * n..]) {
                    *a = 0.5 * (b + *a);
                }
                // The largest |corrected - predicted| / (corrected + floor), in four lanes.
                let mut acc = [0.0_f64; 4];
                {
                    let s = &mut scratch;
                    let rows = kinetics::rows_mut(&mut s.corrected, n);
                    let (x0, p, l, pred) = (
                        kinetics::rows(&s.start, n),
                        kinetics::rows(&s.prod1, n),
                        kinetics::rows(&s.loss1, n),
                        kinetics::rows(&s.predicted, n),
                    );
                    for (v, out) in rows.into_iter().enumerate() {
                        match v {
                            // Integrated accurately on its own: no predictor error to estimate.
                            D | I => out.copy_from_slice(pred[v]),
                            _ => {
                                kinetics::exponential_steps_with(
                                    x0[v],
                                    p[v],
                                    l[v],
                                    dt,
                                    out,
                                    &mut s.phi_dt,
                                    CONSTANT_LOSS[v],
                                    &mut s.row_memo[v],
                                );
                                fold_error(out, pred[v], LAYER_FLOOR[v], &mut acc);
                            }
                        }
                    }
                }
                let mut error = acc.iter().fold(0.0_f64, |e, &lane| if lane > e { lane } else { e });
                let predicted = self.surface.as_array();
                let mut sv = surface0;
                for v in 0..SURFACE_VARS {
                    let p = 0.5 * (t0.surface_prod[v] + t1.surface_prod[v]);
                    let l = 0.5 * (t0.surface_loss[v] + t1.surface_loss[v]);
                    sv[v] = scratch.surface_memo[v].exponential_step(sv[v], p, l, dt);
                    error = error.max((sv[v] - predicted[v]).abs() / (sv[v] + SURFACE_FLOOR[v]));
                }
                self.surface = Surface::from_array(sv);
                self.normal_collagen = scratch.normal_memo.exponential_step(
                    normal0,
                    0.5 * (t0.normal.0 + t1.normal.0),
                    0.5 * (t0.normal.1 + t1.normal.1),
                    dt,
                );
                if error <= c.tolerance || dt <= c.min_step_days {
                    break error;
                }
                // Rejected: retry from the start with a shorter step.
                dt = (dt * (0.9 * (c.tolerance / error).sqrt()).max(0.2)).max(c.min_step_days);
            };
            std::mem::swap(&mut scratch.start, &mut scratch.corrected);
            self.day += dt;
            // The slow spread in depth follows the step (operator splitting, as in the patch).
            {
                let [_, i, f, ..] = kinetics::rows_mut(&mut scratch.start, n);
                spread_no_flux_both(
                    [
                        self.inflammation_spread_per_day * dt,
                        self.fibroblast_spread_per_day * dt,
                    ],
                    [i, f],
                    &mut self.scratch_d,
                );
            }
            next_dt = Some(dt * (0.9 * (c.tolerance / error.max(1e-12)).sqrt()).min(4.0));
            let events = self.event_values(kinetics::row(&scratch.start, n, I));
            self.track_events(Some((&prev_events, &events)), redness_visible);
            prev_events = events;
            if let (Some(f), Some(p)) = (on_step.as_mut(), prev.as_mut()) {
                // The layer state lives in `scratch.start` while stepping; `self.x` is brought up
                // to date only for the snapshot (and once at the end).
                from_rows(&scratch.start, &mut self.x);
                let now = self.snapshot();
                f(p, &now);
                *p = now;
            }
        }
        from_rows(&scratch.start, &mut self.x);
        self.scratch = scratch;
    }

    /// The values side-effect tracking reads, from the inflammation of every layer (`xi`) and the
    /// surface now: computed as [`Column::snapshot`] computes them.
    #[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
    fn event_values(&self, xi: &[f64]) -> EventValues {
        EventValues {
            day: self.day,
            redness: redness_of(&self.redness_weights, self.redness_threshold, xi),
            dryness: 1.0 - self.surface.barrier,
            melanin: self.surface.melanin,
        }
    }

    /// Updates the latest session's redness/dryness durations and melanin rise.
    /// `redness_visible` is the last day within the step at which redness was visible, followed at
    /// the damage–inflammation sub-steps (finer than the step's ends in `step`).
    fn track_events(&mut self, step: Option<(&EventValues, &EventValues)>, redness_visible: Option<f64>) {
        let Some(last) = self.sessions.last_mut() else { return };
        let Some((a, b)) = step else { return };
        // Dryness and melanin from the step's ends; redness from the sub-steps.
        let (a, b) = (EventValues { redness: 0.0, ..*a }, EventValues { redness: 0.0, ..*b });
        last.track_step(&a, &b, self.dryness_threshold, self.melanin_at_session);
        if let Some(t) = redness_visible {
            last.redness_days = last.redness_days.max(t - last.day);
        }
    }

    /// What the column reports now.
    pub fn snapshot(&self) -> Snapshot {
        let n = self.layers() as f64;
        let iii = self.rates.collagen_iii_share;
        let mut s = Snapshot {
            day: self.day,
            ..Default::default()
        };
        let mut dermis = 0.0;
        let mut redness = 0.0;
        for (k, x) in self.x.iter().enumerate() {
            s.collagen_i += x[C1];
            s.collagen_iii += x[C3];
            s.elastin_functional += x[E];
            s.elastotic += x[ED];
            s.fibroblasts += x[F];
            dermis += self.layer_thickness_um(k);
            redness += self.redness_weights[k] * x[I];
            if k < self.papillary_layers {
                s.papillary_collagen += x[C1] + x[C3];
            }
        }
        s.collagen = (s.collagen_i + s.collagen_iii) / n;
        s.collagen_i *= (1.0 + iii) / n;
        s.collagen_iii *= (1.0 + iii) / (iii * n);
        s.elastin_functional /= n;
        s.elastotic /= n;
        s.fibroblasts /= n;
        s.papillary_collagen /= self.papillary_layers as f64;
        s.redness = redness / self.redness_threshold;
        s.dryness = 1.0 - self.surface.barrier;
        s.melanin = self.surface.melanin;
        s.epidermis_um = self.epidermis_um();
        s.dermis_um = dermis;
        let (ac, ae) = self.stiffness_exponents;
        s.stiffness = s.collagen_i.max(0.0).powf(ac) * s.elastin_functional.max(0.0).powf(ae);
        s.deep_hole_dose = self.deep_hole_dose;
        s
    }
}

/// Solves (-a (g[k+1] - 2 g[k] + g[k-1]) + decay g[k]) = rhs[k] with no-flux ends (ghost cells
/// equal to the boundary cell). `rhs` is overwritten; `c` is scratch. The discrete operator
/// conserves mass: sum(decay * g) = sum(rhs).
pub fn solve_no_flux_diffusion(a: f64, decay: f64, rhs: &mut [f64], c: &mut [f64], g: &mut [f64]) {
    let n = rhs.len();
    let sweep = NoFluxSweep::new(a, decay, n);
    c[..n].copy_from_slice(&sweep.c);
    sweep.solve(rhs, g);
}

/// One backward-Euler diffusion step with no-flux ends, in place: solves
/// u'[k] - a (u'[k+1] - 2 u'[k] + u'[k-1]) = u[k], with `a` = diffusivity × step / layer
/// thickness². The operator is an M-matrix with unit column sums, so the step keeps every value
/// non-negative and the total unchanged at any step size. `c` is scratch (at least `u.len()`).
/// The same tridiagonal system as [`NoFluxSweep`] (decay 1), factorised as it is solved: `a`
/// changes with every step, so precomputed factors would have to be rebuilt (and allocated) each
/// time.
#[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
fn spread_no_flux(a: f64, u: &mut [f64], c: &mut [f64]) {
    if u.len() < 2 || a <= 0.0 {
        return;
    }
    spread_no_flux_lanes([a], [u], c.as_chunks_mut::<1>().0);
}

/// [`spread_no_flux`] of two rows of the same length, each with its own `a`; `c` is scratch (at
/// least twice the length). Each row gets the same operations as on its own, interleaved with the
/// other's: every row of the elimination is a chain through a division, and the two chains now
/// overlap instead of following each other.
#[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
fn spread_no_flux_both(a: [f64; 2], [u0, u1]: [&mut [f64]; 2], c: &mut [f64]) {
    if u0.len() >= 2 && u1.len() == u0.len() && a[0] > 0.0 && a[1] > 0.0 {
        spread_no_flux_lanes(a, [u0, u1], c.as_chunks_mut::<2>().0);
    } else {
        spread_no_flux(a[0], u0, c);
        spread_no_flux(a[1], u1, c);
    }
}

/// The elimination of [`spread_no_flux`] for `L` rows at once (lane `j`: `a[j]`, `u[j]`, factors
/// `c[k][j]`); every `a` positive, every row of the same length, at least 2.
#[inline(always)]
fn spread_no_flux_lanes<const L: usize>(a: [f64; L], mut u: [&mut [f64]; L], c: &mut [[f64; L]]) {
    let n = u[0].len();
    let c = &mut c[..n];
    // Every row cut to `n`, so that the loops below index it without bounds checks.
    for row in &mut u {
        *row = &mut std::mem::take(row)[..n];
    }
    // Each row's previous factor and value are carried in registers (`above`, `u_above`, then
    // `u_below`), not read back from memory, so that the lanes' chains stay vector operations.
    let (mut edge, mut inner, mut above, mut u_above) = ([0.0; L], [0.0; L], [0.0; L], [0.0; L]);
    for j in 0..L {
        (edge[j], inner[j]) = (1.0 + a[j], 1.0 + 2.0 * a[j]);
        let beta = edge[j];
        above[j] = -a[j] / beta;
        u_above[j] = u[j][0] / beta;
    }
    c[0] = above;
    for j in 0..L {
        u[j][0] = u_above[j];
    }
    for k in 1..n {
        let mut uk = [0.0; L];
        for j in 0..L {
            let diag = if k == n - 1 { edge[j] } else { inner[j] };
            let beta = diag + a[j] * above[j];
            above[j] = -a[j] / beta;
            uk[j] = (u[j][k] + a[j] * u_above[j]) / beta;
        }
        c[k] = above;
        for j in 0..L {
            u[j][k] = uk[j];
        }
        u_above = uk;
    }
    let mut u_below = u_above;
    for k in (0..n - 1).rev() {
        for j in 0..L {
            u_below[j] = u[j][k] - c[k][j] * u_below[j];
            u[j][k] = u_below[j];
        }
    }
}

/// The forward-sweep factors of [`solve_no_flux_diffusion`] for one `a`, `decay` and size,
/// computed once (they do not depend on the right-hand side).
#[derive(Debug, Clone, PartialEq)]
struct NoFluxSweep {
    off: f64,
    /// Reciprocal pivot of each row (a multiplication in the sweep instead of a division).
    inv_beta: Vec<f64>,
    /// Upper factor of each row (`off / beta`).
    c: Vec<f64>,
}

impl NoFluxSweep {
    fn new(a: f64, decay: f64, n: usize) -> NoFluxSweep {
        let off = -a;
        let (mut beta, mut c) = (vec![0.0; n], vec![0.0; n]);
        if n == 1 {
            beta[0] = decay;
        } else if n > 1 {
            let diag = |k: usize| {
                if k == 0 || k == n - 1 {
                    a + decay
                } else {
                    2.0 * a + decay
                }
            };
            beta[0] = diag(0);
            c[0] = off / beta[0];
            for k in 1..n {
                beta[k] = diag(k) - off * c[k - 1];
                c[k] = off / beta[k];
            }
        }
        NoFluxSweep {
            off,
            inv_beta: beta.iter().map(|b| 1.0 / b).collect(),
            c,
        }
    }

    /// Solves for `g`; `rhs` is overwritten.
    #[inline(always)] // compiled into each instruction-set variant of the stepper (see `advance_with`)
    fn solve(&self, rhs: &mut [f64], g: &mut [f64]) {
        let n = self.inv_beta.len();
        if n == 0 {
            return;
        }
        let (rhs, g, inv_beta, c) = (&mut rhs[..n], &mut g[..n], &self.inv_beta[..n], &self.c[..n]);
        // Each sweep carries the previous row's value instead of indexing it (no bounds checks).
        rhs[0] *= inv_beta[0];
        let mut before = rhs[0];
        for (r, &ib) in rhs[1..].iter_mut().zip(&inv_beta[1..]) {
            *r = (*r - self.off * before) * ib;
            before = *r;
        }
        g[n - 1] = rhs[n - 1];
        let mut below = g[n - 1];
        for ((gk, &r), &ck) in g[..n - 1].iter_mut().zip(&rhs[..n - 1]).zip(&c[..n - 1]).rev() {
            *gk = r - ck * below;
            below = *gk;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Device;
    use crate::skin::{Region, Sex};
    use approx::assert_relative_eq;

    fn setup(age: f64) -> ColumnSetup {
        let p = Params::shipped();
        ColumnSetup {
            skin: Skin::new(Region::Cheek, Sex::Female, &p),
            age_years: age,
            male: false,
            photoaging: 1,
            skin_type: 3,
            tissue: LesionTissue::NORMAL,
        }
    }

    #[test]
    fn diffusion_solve_conserves_mass_with_no_flux_ends() {
        let n = 24;
        let mut rhs: Vec<f64> = (0..n).map(|k| if k == 3 { 10.0 } else { 0.1 * k as f64 }).collect();
        let total: f64 = rhs.iter().sum();
        let mut c = vec![0.0; n];
        let mut g = vec![0.0; n];
        solve_no_flux_diffusion(50.0, 15.0, &mut rhs, &mut c, &mut g);
        assert_relative_eq!(g.iter().sum::<f64>() * 15.0, total, max_relative = 1e-12);
        assert!(g.iter().all(|&v| v > 0.0));
    }

    #[test]
    fn spread_in_depth_conserves_the_total_stays_non_negative_and_evens_out() {
        let n = 20;
        let start: Vec<f64> = (0..n).map(|k| if k < 3 { 5.0 } else { 1.0 }).collect();
        let total: f64 = start.iter().sum();
        let mut c = vec![0.0; n];
        let mut previous_range = f64::INFINITY;
        // From a small step to one far longer than the column's diffusion time.
        for a in [1e-3, 0.1, 1.0, 30.0, 1e6] {
            let mut u = start.clone();
            spread_no_flux(a, &mut u, &mut c);
            assert_relative_eq!(u.iter().sum::<f64>(), total, max_relative = 1e-9);
            assert!(u.iter().all(|&v| v > 0.0));
            let range = u.iter().cloned().fold(f64::MIN, f64::max) - u.iter().cloned().fold(f64::MAX, f64::min);
            assert!(range < previous_range, "a = {a}: range {range} did not shrink");
            previous_range = range;
        }
        assert!(
            previous_range < 1e-3 * total / n as f64,
            "a very long step leaves a uniform column"
        );
    }

    #[test]
    fn diffusion_solve_matches_the_analytic_exponential_profile() {
        // Source only in the top cell of a long column: g decays as exp(-z / L), L = sqrt(D/decay).
        let n = 400;
        let dz: f64 = 2.0;
        let (diff, decay) = (288_000.0, 15.0);
        let a = diff / (dz * dz);
        let mut rhs = vec![0.0; n];
        rhs[0] = 1.0;
        let mut c = vec![0.0; n];
        let mut g = vec![0.0; n];
        solve_no_flux_diffusion(a, decay, &mut rhs, &mut c, &mut g);
        let l = (diff / decay).sqrt();
        let ratio = g[100] / g[50];
        assert_relative_eq!(ratio, (-(50.0 * dz) / l).exp(), max_relative = 0.01);
    }

    #[test]
    fn untreated_skin_stays_on_its_ageing_trajectory() {
        let p = Params::shipped();
        let mut col = Column::new(setup(45.0), &p);
        let before = col.snapshot();
        col.advance(365.0 * 5.0, &mut |_, _| {});
        let after = col.snapshot();
        let expected = ageing::matrix_at_age(50.0, 1, &p).collagen / ageing::matrix_at_age(45.0, 1, &p).collagen;
        assert_relative_eq!(after.collagen / before.collagen, expected, max_relative = 2e-3);
        assert!(after.redness == 0.0 && after.dryness == 0.0);
    }

    #[test]
    fn both_instruction_set_variants_of_the_stepper_agree_to_the_bit() {
        let p = Params::shipped();
        let field = Device::typical("pen", 1.5, 3).unwrap().puncture_field(2000.0, &p);
        let mut dispatched = Column::new(setup(45.0), &p);
        dispatched.apply_session(&field, true);
        let mut baseline = dispatched.clone();
        dispatched.advance_quietly(40.0);
        baseline.advance_steps(40.0, None, Column::terms_baseline);
        let bits = |c: &Column| c.x.iter().flatten().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&dispatched), bits(&baseline));
        assert_eq!(dispatched.snapshot(), baseline.snapshot());
        assert_eq!(dispatched.sessions(), baseline.sessions());
    }

    #[test]
    fn a_session_injures_heals_and_adds_collagen() {
        let p = Params::shipped();
        let mut col = Column::new(setup(35.0), &p);
        let before = col.snapshot();
        let field = Device::typical("pen", 1.0, 3).unwrap().puncture_field(2000.0, &p);
        col.apply_session(&field, false);
        col.advance(120.0, &mut |_, _| {});
        let after = col.snapshot();
        assert!(
            after.collagen > before.collagen,
            "{} <= {}",
            after.collagen,
            before.collagen
        );
        let s = col.sessions()[0];
        assert!(s.redness_days > 0.0 && s.redness_days < 7.0, "{s:?}");
        for x in &col.x {
            assert!(x.iter().all(|v| v.is_finite() && *v >= 0.0));
        }
    }
}
