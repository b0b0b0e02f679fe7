//! The local healing kinetics: one implementation, called by every fidelity.
//!
//! Each state variable's right-hand side is split into a production `P >= 0` and a first-order
//! loss coefficient `L >= 0` (dx/dt = P - L x). The stepper advances it with the linearly implicit
//! exponential Euler step (P and L frozen over the step, the linear ODE solved exactly):
//! x' = x e^{-L dt} + (P / L)(1 - e^{-L dt}). It keeps every concentration non-negative at any
//! step size and is exact for the stiff pure decays (inflammation, barrier); the column stepper
//! uses it as predictor and corrector of a second-order (exponential trapezoidal) step.
//!
//! Layer state (model.md §3): damage `d`, inflammation `i`, activated fibroblasts `f` (1 = resting
//! density), collagen III `c3`, collagen I `c1`, functional elastin `e`, elastotic elastin `ed`.
//! The growth signal `g` is quasi-steady (its decay, ~15/day, is far faster than anything it
//! drives) and comes in from the column's diffusion solve. Surface state (epidermis): barrier
//! `b`, melanin `m`, epidermal thickness `h`, adjunct level `a`.

use crate::params::Params;

/// Number of layer state variables.
pub const LAYER_VARS: usize = 7;
/// Indices into a layer's state.
pub const D: usize = 0;
pub const I: usize = 1;
pub const F: usize = 2;
pub const C3: usize = 3;
pub const C1: usize = 4;
pub const E: usize = 5;
pub const ED: usize = 6;
pub const LAYER_NAMES: [&str; LAYER_VARS] = [
    "damage",
    "inflammation",
    "fibroblasts",
    "collagen_iii",
    "collagen_i",
    "elastin",
    "elastotic",
];

/// Rate constants of one person, derived once from the parameters and the patient.
#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    pub debris_clearance: f64,
    pub debris_clearance_by_i: f64,
    pub inflammation_induction: f64,
    pub inflammation_amplification: f64,
    pub inflammation_resolution: f64,
    pub signal_half_saturation: f64,
    pub fibroblast_proliferation: f64,
    pub fibroblast_capacity: f64,
    pub fibroblast_rest: f64,
    pub wound_collagen: f64,
    pub collagen_iii_share: f64,
    pub maturation: f64,
    pub immature_degradation: f64,
    pub immature_degradation_by_i: f64,
    pub deficit_feedback: f64,
    /// Baseline collagen degradation (ageing turnover), per day.
    pub collagen_degradation: f64,
    /// Removal of matrix above the set point (tensional homeostasis), per day.
    pub homeostatic_removal: f64,
    /// Return of a wrinkle groove's lifted set point to the groove's own level, per day.
    pub groove_set_point_relaxation: f64,
    pub wound_elastin: f64,
    pub elastin_degradation: f64,
    /// Removal of functional elastin above the tissue's set point, per day.
    pub elastin_excess_removal: f64,
    pub elastosis: f64,
    pub elastotic_degradation: f64,
    pub elastotic_clearance_by_i: f64,
    pub epidermis_activation: f64,
    pub epidermis_relaxation: f64,
    pub melanin_turnover: f64,
    pub renewal_boost: f64,
    pub melanin_induction: f64,
    pub adjunct_reduction: f64,
    pub adjunct_clearance: f64,
}

impl Rates {
    /// Rates of a person with Glogau grade `photo` and phototype `skin_type`, whose fibroblasts
    /// proliferate at `proliferation_factor` and synthesise at `synthesis_factor` of a 25-year-old's.
    pub fn new(p: &Params, photo: u8, skin_type: u8, proliferation_factor: f64) -> Rates {
        use crate::ageing;
        Rates {
            debris_clearance: p.inflammation_debris_clearance_per_day,
            debris_clearance_by_i: p.inflammation_debris_clearance_by_inflammation,
            inflammation_induction: p.inflammation_induction_per_day,
            inflammation_amplification: p.inflammation_amplification,
            inflammation_resolution: p.inflammation_resolution_per_day,
            signal_half_saturation: p.signal_half_saturation,
            fibroblast_proliferation: p.fibroblast_proliferation_per_day
                * proliferation_factor
                * p.fibroblast_responsiveness,
            fibroblast_capacity: p.fibroblast_carrying_capacity,
            fibroblast_rest: p.fibroblast_return_to_rest_per_day,
            wound_collagen: p.collagen_wound_synthesis_per_day * p.fibroblast_responsiveness,
            collagen_iii_share: p.ageing_collagen_iii_share,
            maturation: p.collagen_maturation_per_day,
            immature_degradation: p.collagen_immature_degradation_per_day,
            immature_degradation_by_i: p.collagen_immature_degradation_by_inflammation,
            deficit_feedback: p.collagen_deficit_feedback,
            collagen_degradation: ageing::collagen_degradation_per_day(photo, p),
            homeostatic_removal: std::f64::consts::LN_2 / p.ageing_homeostatic_excess_half_life_days,
            groove_set_point_relaxation: std::f64::consts::LN_2 / p.collagen_groove_set_point_half_life_days,
            wound_elastin: p.elastin_wound_synthesis_per_day * p.fibroblast_responsiveness,
            elastin_degradation: ageing::elastin_degradation_per_day(p),
            elastin_excess_removal: std::f64::consts::LN_2 / p.elastin_excess_half_life_days,
            elastosis: ageing::elastosis_per_day(photo, p),
            elastotic_degradation: ageing::elastotic_degradation_per_day(p),
            elastotic_clearance_by_i: p.elastin_elastotic_clearance_by_inflammation,
            epidermis_activation: p.epidermis_activation_per_day,
            epidermis_relaxation: p.epidermis_relaxation_per_day,
            melanin_turnover: p.pigment_melanin_turnover_per_day,
            renewal_boost: p.pigment_renewal_boost,
            melanin_induction: p.pigment_inflammation_induction
                * p.phototype_reactivity(skin_type)
                * p.pigment_reactivity,
            adjunct_reduction: p.pigment_tranexamic_acid_reduction,
            adjunct_clearance: p.pigment_tranexamic_acid_clearance_per_day,
        }
    }
}

/// Production and loss coefficient of every variable of layer `k` of a column (dx/dt = P - L x),
/// `x` being that layer's state: the one-layer case of [`column_layer_terms`], which holds the
/// biology.
pub fn layer_terms(
    x: &[f64; LAYER_VARS],
    env: &ColumnEnv,
    k: usize,
    r: &Rates,
) -> ([f64; LAYER_VARS], [f64; LAYER_VARS]) {
    let input = [
        [x[D]],
        [x[I]],
        [x[F]],
        [x[C3]],
        [x[C1]],
        [x[E]],
        [env.signal[k]],
        [env.matrix_factor[k]],
        [env.elastin_factor[k]],
        [env.surroundings_gain[k]],
    ];
    let (p, l) = layer_terms_lanes::<1, true>(&input, env, r);
    (std::array::from_fn(|v| p[v][0]), std::array::from_fn(|v| l[v][0]))
}

/// What the surroundings of every layer of a column tell its kinetics at one instant: the
/// per-layer values as slices (top layer first) and the values every layer shares.
#[derive(Debug, Clone, Copy)]
pub struct ColumnEnv<'a> {
    /// Column-averaged growth signal per layer.
    pub signal: &'a [f64],
    /// Lesion factor of each layer's matrix (1 outside the lesion): scales its collagen synthesis
    /// and its removal set point; above 1 (raised scar) inflammation remodels its excess.
    pub matrix_factor: &'a [f64],
    /// Lesion factor of each layer's elastin synthesis.
    pub elastin_factor: &'a [f64],
    /// Baseline collagen synthesis of a layer of matrix factor 1 (per day, into I).
    pub collagen_synthesis: f64,
    /// Baseline functional-elastin synthesis of a layer of elastin factor 1 (per day).
    pub elastin_synthesis: f64,
    pub synthesis_factor: f64,
    /// Total collagen of normal skin at this age; times the matrix factor, the removal set point.
    pub normal_collagen: f64,
    /// Functional elastin of this person's normal skin when treatment began; times the elastin
    /// factor, the set point above which new elastin is removed.
    pub normal_elastin: f64,
    /// Collagen of the surrounding skin in each layer relative to `normal_collagen` (1 for the
    /// surrounding skin itself): a lesion's deficit feedback measures its matrix against it, so a
    /// groove keeps filling while the needled skin around it thickens.
    pub surroundings_gain: &'a [f64],
    pub responsiveness: f64,
    /// Share of the deficit feedback the tissue's fibroblasts keep (1 but in striae alba).
    pub deficit_feedback: f64,
    /// How far a session has lifted a wrinkle groove's collagen and elastin set points from its
    /// own level (`matrix_factor`, `elastin_factor` times normal) toward the surrounding skin's: 1
    /// right after a session, relaxing to 0; always 0 in tissue that holds its own level (a scar,
    /// a stria) ([`set_point_lift`]).
    pub set_point_lift: f64,
    /// Remodelling of excess matrix by inflammation in the layers of matrix factor above 1.
    pub remodelling_by_i: f64,
}

/// The rows of a structure-of-arrays column buffer: variable `v` of layer `k` at `v * n + k`.
#[inline(always)] // compiled into each instruction-set variant of the column stepper
pub fn rows(buf: &[f64], n: usize) -> [&[f64]; LAYER_VARS] {
    assert_eq!(buf.len(), LAYER_VARS * n);
    // Filled by a plain loop, like `rows_mut`: `array::from_fn` stays a call here. Split off one
    // row after the other: `chunks_exact` divides the length by `n`, and the stepper asks for
    // rows about twenty times a step.
    let mut rows: [&[f64]; LAYER_VARS] = Default::default();
    let mut rest = buf;
    for row in &mut rows {
        (*row, rest) = rest.split_at(n);
    }
    rows
}

/// Row `v` of a structure-of-arrays column buffer (see [`rows`]), for a caller that reads only
/// one or two of them.
#[inline(always)] // compiled into each instruction-set variant of the column stepper
pub fn row(buf: &[f64], n: usize, v: usize) -> &[f64] {
    &buf[v * n..(v + 1) * n]
}

/// The rows of a structure-of-arrays column buffer, mutable (see [`rows`]).
#[inline(always)] // compiled into each instruction-set variant of the column stepper
pub fn rows_mut(buf: &mut [f64], n: usize) -> [&mut [f64]; LAYER_VARS] {
    assert_eq!(buf.len(), LAYER_VARS * n);
    // Filled by a plain loop: `array::from_fn` stays a call here (the inliner gives up on it).
    // One row split off after the other, as in `rows`.
    let mut rows: [&mut [f64]; LAYER_VARS] = Default::default();
    let mut rest = buf;
    for row in &mut rows {
        (*row, rest) = std::mem::take(&mut rest).split_at_mut(n);
    }
    rows
}

/// [`layer_terms`] of every layer of a column at once, on structure-of-arrays buffers (variable
/// `v` of layer `k` at `v * n + k`, `n` the length of `env.signal`): the same operations in the
/// same order, branch-free and a few layers at a time, so that they vectorise.
#[inline(always)] // compiled into each instruction-set variant of the column stepper
pub fn column_layer_terms(x: &[f64], env: &ColumnEnv, r: &Rates, prod: &mut [f64], loss: &mut [f64]) {
    column_layer_terms_of::<true>(x, env, r, prod, loss);
}

/// [`column_layer_terms`] of every variable but damage and inflammation (rows `D` and `I` of
/// `prod` and `loss` are left as they are), for a stepper that integrates that pair on its own
/// (the other variables' terms do not depend on the pair's).
#[inline(always)] // compiled into each instruction-set variant of the column stepper
pub fn column_layer_terms_without_pair(x: &[f64], env: &ColumnEnv, r: &Rates, prod: &mut [f64], loss: &mut [f64]) {
    column_layer_terms_of::<false>(x, env, r, prod, loss);
}

/// [`column_layer_terms`], with the damage–inflammation pair's terms if `PAIR`.
#[inline(always)]
fn column_layer_terms_of<const PAIR: bool>(x: &[f64], env: &ColumnEnv, r: &Rates, prod: &mut [f64], loss: &mut [f64]) {
    const LANES: usize = 4;
    let first = if PAIR { D } else { F };
    let n = env.signal.len();
    let xr = rows(x, n);
    let inputs = [
        xr[D],
        xr[I],
        xr[F],
        xr[C3],
        xr[C1],
        xr[E],
        // Sliced to `n` up front so that the chunks below need fewer bounds checks.
        &env.signal[..n],
        &env.matrix_factor[..n],
        &env.elastin_factor[..n],
        &env.surroundings_gain[..n],
    ];
    let mut pr = rows_mut(prod, n);
    let mut lr = rows_mut(loss, n);
    let full = n - n % LANES;
    // Every row as chunks of `LANES` layers, each row cut to the same number of chunks, so that
    // reading and writing a chunk is one vector load or store without a bounds check (with
    // sub-slices per chunk, the checks and copies cost as much as the kinetics).
    let chunks = full / LANES;
    let mut in4: [&[[f64; LANES]]; TERM_INPUTS] = [&[]; TERM_INPUTS];
    for (c4, row) in in4.iter_mut().zip(inputs) {
        *c4 = &row.as_chunks::<LANES>().0[..chunks];
    }
    let mut p4: [&mut [[f64; LANES]]; LAYER_VARS] = Default::default();
    let mut l4: [&mut [[f64; LANES]]; LAYER_VARS] = Default::default();
    for (c4, row) in p4.iter_mut().zip(pr.iter_mut()) {
        *c4 = &mut row.as_chunks_mut::<LANES>().0[..chunks];
    }
    for (c4, row) in l4.iter_mut().zip(lr.iter_mut()) {
        *c4 = &mut row.as_chunks_mut::<LANES>().0[..chunks];
    }
    for c in 0..chunks {
        // Filled by a plain loop: `array::from_fn` or `map` here stay calls (the inliner gives up
        // on them) that build the inputs in memory and copy them, a tenth of a course's cost.
        let mut input = [[0.0; LANES]; TERM_INPUTS];
        for (lanes, row) in input.iter_mut().zip(in4) {
            *lanes = row[c];
        }
        let (p, l) = layer_terms_lanes::<LANES, PAIR>(&input, env, r);
        for v in first..LAYER_VARS {
            p4[v][c] = p[v];
            l4[v][c] = l[v];
        }
    }
    for k in full..n {
        let input: [[f64; 1]; TERM_INPUTS] = std::array::from_fn(|q| [inputs[q][k]]);
        let (p, l) = layer_terms_lanes::<1, PAIR>(&input, env, r);
        for v in first..LAYER_VARS {
            pr[v][k] = p[v][0];
            lr[v][k] = l[v][0];
        }
    }
}

/// The kinetics of the damage–inflammation pair, which depends only on itself: the loss
/// coefficient of damage and the production of inflammation at damage `d` and inflammation `i`
/// (damage has no production; inflammation's loss coefficient is `r.inflammation_resolution`).
/// Part of the layer biology of [`layer_terms_lanes`], which calls it; the column stepper also
/// calls it (through [`damage_inflammation_rows`]) to integrate the fast pair on its own.
#[inline(always)]
pub fn damage_inflammation_terms(d: f64, i: f64, r: &Rates) -> (f64, f64) {
    // Damage: debris cleared steadily and faster by phagocytes.
    let damage_loss = r.debris_clearance + r.debris_clearance_by_i * i;
    // Inflammation: induced by damage, self-amplifying only while there is damage (so a sterile
    // micro-injury gives a transient pulse), resolved by macrophage removal.
    let inflammation_prod = r.inflammation_induction * d * (1.0 + r.inflammation_amplification * i / (1.0 + i));
    (damage_loss, inflammation_prod)
}

/// [`damage_inflammation_terms`] of every layer: damage loss and inflammation production from
/// the damage and inflammation rows.
#[inline(always)] // compiled into each instruction-set variant of the column stepper
pub fn damage_inflammation_rows(
    d: &[f64],
    i: &[f64],
    r: &Rates,
    damage_loss: &mut [f64],
    inflammation_prod: &mut [f64],
) {
    let n = d.len();
    let (i, damage_loss, inflammation_prod) = (&i[..n], &mut damage_loss[..n], &mut inflammation_prod[..n]);
    for k in 0..n {
        (damage_loss[k], inflammation_prod[k]) = damage_inflammation_terms(d[k], i[k], r);
    }
}

/// Inputs of [`layer_terms_lanes`]: d, i, f, c3, c1, e, signal, matrix factor,
/// elastin factor, surroundings' collagen gain.
const TERM_INPUTS: usize = 10;

/// The local healing kinetics of `L` layers (element-wise over fixed-size arrays, branch-free so
/// that it vectorises): production and loss of every layer variable. The one implementation of
/// the layer biology; [`layer_terms`] and [`column_layer_terms`] call it.
#[inline(always)]
#[allow(clippy::needless_range_loop)]
fn layer_terms_lanes<const L: usize, const PAIR: bool>(
    input: &[[f64; L]; TERM_INPUTS],
    env: &ColumnEnv,
    r: &Rates,
) -> ([[f64; L]; LAYER_VARS], [[f64; L]; LAYER_VARS]) {
    let [xd, xi, xf, xc3, xc1, xe, signal, mfs, efs, gains] = input;
    let mut prod = [[0.0; L]; LAYER_VARS];
    let mut loss = [[0.0; L]; LAYER_VARS];
    let normal = env.normal_collagen.max(1e-12);
    for k in 0..L {
        let (d, i, f, c3, c1, e) = (xd[k], xi[k], xf[k], xc3[k], xc1[k], xe[k]);
        let mf = mfs[k];
        let collagen_synthesis = env.collagen_synthesis * mf;
        let elastin_synthesis = env.elastin_synthesis * efs[k];
        // A lesion's own level, lifted toward the skin around (factor 1) by a recent session.
        let lifted = |factor: f64| factor + (1.0 - factor).max(0.0) * env.set_point_lift;
        let removal_set_point = env.normal_collagen * lifted(mf);
        let remodelling_by_i = if mf > 1.0 { env.remodelling_by_i } else { 0.0 };

        // Damage and inflammation (a pair that depends on nothing else in the layer; without
        // `PAIR`, zero).
        if PAIR {
            let (damage_loss, inflammation_prod) = damage_inflammation_terms(d, i, r);
            loss[D][k] = damage_loss;
            prod[I][k] = inflammation_prod;
            loss[I][k] = r.inflammation_resolution;
        }

        // Fibroblasts: logistic proliferation driven by the growth response to the layer's signal
        // (Michaelis-Menten), and return to resting density.
        let g = signal[k].max(0.0);
        let growth = g / (r.signal_half_saturation + g);
        let response = growth * env.responsiveness;
        let room = (1.0 - f / r.fibroblast_capacity).max(0.0);
        prod[F][k] = r.fibroblast_proliferation * response * f * room + r.fibroblast_rest;
        loss[F][k] = r.fibroblast_rest;

        // Collagen. New (wound) collagen is laid down as type III; III above its homeostatic
        // share of I matures into I or is degraded (faster while inflamed). Fibroblasts in
        // matrix-deficient tissue synthesise more (deficit feedback), the deficit measured
        // against the surrounding skin as it is now. Matrix above the tissue's own set point is
        // removed slowly (homeostasis); the disorganised excess of a raised scar over normal skin
        // is also degraded by inflammation (MMPs).
        let total = c1 + c3;
        let deficit = (1.0 - total / (normal * gains[k])).max(0.0);
        let excess = (total - removal_set_point).max(0.0);
        let scar_excess = (total - env.normal_collagen).max(0.0);
        let excess_loss = (r.homeostatic_removal * excess + remodelling_by_i * i * scar_excess) / total;
        let excess_loss = if total > 1e-12 { excess_loss } else { 0.0 };
        let immature = (c3 - r.collagen_iii_share * c1).max(0.0);
        let wound = r.wound_collagen
            * env.synthesis_factor
            * response
            * f
            * (1.0 + r.deficit_feedback * env.deficit_feedback * deficit);
        let immature_rate = (r.maturation + r.immature_degradation + r.immature_degradation_by_i * i) * immature / c3;
        let immature_rate = if c3 > 1e-12 { immature_rate } else { 0.0 };
        prod[C3][k] = r.collagen_iii_share * collagen_synthesis + wound;
        loss[C3][k] = r.collagen_degradation + excess_loss + immature_rate;
        prod[C1][k] = collagen_synthesis + r.maturation * immature;
        loss[C1][k] = r.collagen_degradation + excess_loss;

        // Elastin: new elastin from activated fibroblasts; photoageing converts functional elastin
        // to elastotic material, which inflammation helps clear (El-Domyati 2015). Like collagen,
        // elastin above the tissue's own set point (the person's elastin when treatment began,
        // times the lesion's factor) is removed: a wound's new fibres are laid down loosely and
        // only part of them is kept, so a course's elastin gain fades instead of adding up for
        // good with every session.
        let elastin_excess = (e - env.normal_elastin * lifted(efs[k])).max(0.0);
        let elastin_excess_loss = if e > 1e-12 {
            r.elastin_excess_removal * elastin_excess / e
        } else {
            0.0
        };
        prod[E][k] = elastin_synthesis + r.wound_elastin * env.synthesis_factor * response * f;
        loss[E][k] = r.elastin_degradation + r.elastosis + elastin_excess_loss;
        prod[ED][k] = r.elastosis * e;
        loss[ED][k] = r.elastotic_degradation + r.elastotic_clearance_by_i * i;
    }
    (prod, loss)
}

/// How far the last session has lifted a wrinkle groove's set points toward the surrounding
/// skin's at `day`: 1 at the session, halving every `collagen.groove_set_point_half_life_days`
/// (the fold that made the groove goes on thinning it); 0 before any session, and always 0 in
/// tissue that holds its own level (`own_matrix_set_point`: scars, striae, normal skin).
#[inline(always)]
pub fn set_point_lift(own_matrix_set_point: bool, last_session_day: Option<f64>, day: f64, r: &Rates) -> f64 {
    match last_session_day {
        Some(t0) if !own_matrix_set_point => exp_non_positive(-(day - t0).max(0.0) * r.groove_set_point_relaxation),
        _ => 0.0,
    }
}

/// Surface (epidermal) state of a column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Surface {
    /// Barrier integrity of the stratum corneum (1 intact).
    pub barrier: f64,
    /// Epidermal melanin relative to the person's constitutive level.
    pub melanin: f64,
    /// Epidermal thickness relative to resting.
    pub epidermis: f64,
    /// Level of a channel-delivered adjunct (1 right after a session).
    pub adjunct: f64,
}

/// What drives the surface at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurfaceEnv {
    /// Barrier recovery rate after the latest session (slower after deeper needling), per day.
    pub barrier_recovery: f64,
    /// Mean inflammation of the papillary dermis (under the epidermis).
    pub papillary_inflammation: f64,
    /// Mean activated-fibroblast excess (f - 1) of the papillary dermis.
    pub papillary_activation: f64,
    /// Melanin production relative to constitutive (above 1 in a pigment lesion).
    pub melanin_production: f64,
    /// Fibroblast proliferation capacity of the person's age.
    pub proliferation_factor: f64,
}

pub const SURFACE_VARS: usize = 4;

impl Surface {
    pub fn as_array(&self) -> [f64; SURFACE_VARS] {
        [self.barrier, self.melanin, self.epidermis, self.adjunct]
    }

    pub fn from_array(v: [f64; SURFACE_VARS]) -> Surface {
        Surface {
            barrier: v[0].min(1.0),
            melanin: v[1],
            epidermis: v[2],
            adjunct: v[3],
        }
    }
}

/// Production and loss of barrier, melanin, epidermis, adjunct.
#[inline(always)] // compiled into each instruction-set variant of the column stepper
pub fn surface_terms(s: &Surface, env: &SurfaceEnv, r: &Rates) -> ([f64; SURFACE_VARS], [f64; SURFACE_VARS]) {
    let mut prod = [0.0; SURFACE_VARS];
    let mut loss = [0.0; SURFACE_VARS];
    // Barrier: db/dt = k (1 - b).
    prod[0] = env.barrier_recovery;
    loss[0] = env.barrier_recovery;
    // Melanin: production raised by inflammation (phototype-dependent: PIH), lowered by the
    // adjunct; cleared by epidermal renewal, faster while the epidermis is activated.
    let induced = 1.0 + r.melanin_induction * env.papillary_inflammation;
    let adjunct = 1.0 - r.adjunct_reduction * s.adjunct.clamp(0.0, 1.0);
    prod[1] = r.melanin_turnover * env.melanin_production * induced * adjunct;
    loss[1] = r.melanin_turnover * (1.0 + r.renewal_boost * (s.epidermis - 1.0).max(0.0));
    // Epidermis: keratinocyte growth driven by papillary fibroblasts (KGF), relaxing back to rest.
    prod[2] =
        r.epidermis_relaxation + r.epidermis_activation * env.proliferation_factor * env.papillary_activation.max(0.0);
    loss[2] = r.epidermis_relaxation;
    // Adjunct: cleared from the tissue.
    loss[3] = r.adjunct_clearance;
    (prod, loss)
}

/// The exponential Euler step for dx/dt = P - L x with P, L frozen over `dt`:
/// x' = x e^{-L dt} + (P / L)(1 - e^{-L dt}), written as x - x·L·dt·φ + P·dt·φ with
/// φ(y) = (1 - e^{-y}) / y, so that the usual case needs no division (divisions dominated the
/// cost of a step).
#[inline(always)]
pub fn exponential_step(x: f64, prod: f64, loss: f64, dt: f64) -> f64 {
    step_with_factor(x, prod, loss, dt * relaxation_phi(loss * dt))
}

/// [`exponential_step`] with its relaxation factor `phi_dt = dt·φ(L dt)` already known: the one
/// update formula every form of the step shares, so that they agree to the bit.
#[inline(always)]
fn step_with_factor(x: f64, prod: f64, loss: f64, phi_dt: f64) -> f64 {
    x - x * loss * phi_dt + prod * phi_dt
}

/// The relaxation factor `dt * relaxation_phi(loss * dt)` of the latest loss and step asked, kept
/// so that asking again for the same two numbers (compared as bits) costs a comparison: a rate
/// constant gets the same factor in the predictor and the corrector of a step (their average of
/// two equal losses is that loss), and in every step of the same length (the longest steps
/// follow one another). The factor of a large `loss * dt` costs an exponential.
#[derive(Debug, Clone, Copy)]
pub struct RelaxationMemo {
    loss: u64,
    dt: u64,
    phi_dt: f64,
}

impl Default for RelaxationMemo {
    fn default() -> Self {
        // The factor of a NaN loss is NaN, so an input with these bits finds the right answer.
        RelaxationMemo {
            loss: f64::NAN.to_bits(),
            dt: f64::NAN.to_bits(),
            phi_dt: f64::NAN,
        }
    }
}

impl RelaxationMemo {
    /// `dt * relaxation_phi(loss * dt)`, to the bit.
    #[inline(always)]
    pub fn phi_dt(&mut self, loss: f64, dt: f64) -> f64 {
        if loss.to_bits() != self.loss || dt.to_bits() != self.dt {
            *self = RelaxationMemo {
                loss: loss.to_bits(),
                dt: dt.to_bits(),
                phi_dt: dt * relaxation_phi(loss * dt),
            };
        }
        self.phi_dt
    }

    /// [`exponential_step`], to the bit, with the relaxation factor from the memo.
    #[inline(always)]
    pub fn exponential_step(&mut self, x: f64, prod: f64, loss: f64, dt: f64) -> f64 {
        step_with_factor(x, prod, loss, self.phi_dt(loss, dt))
    }
}

/// Rows of the layer state whose loss coefficient is a rate constant, the same in every layer
/// and at every state (fibroblasts' return to rest): a stepper may take such a row's loss as
/// uniform without comparing its elements. Functional elastin is not one: its removal above the
/// set point depends on the layer's elastin.
pub const CONSTANT_LOSS: [bool; LAYER_VARS] = {
    let mut constant = [false; LAYER_VARS];
    constant[F] = true;
    constant
};

/// [`exponential_step`] of every element: `out[k] = exponential_step(x[k], prod[k], loss[k], dt)`,
/// to the bit. A loss that is the same for every element (a rate constant) gets one relaxation
/// factor; otherwise the factors come from [`relaxation_factors`] into the scratch `phi_dt`.
#[inline(always)] // compiled into each instruction-set variant of the column stepper
pub fn exponential_steps(x: &[f64], prod: &[f64], loss: &[f64], dt: f64, out: &mut [f64], phi_dt: &mut [f64]) {
    exponential_steps_with(x, prod, loss, dt, out, phi_dt, false, &mut RelaxationMemo::default());
}

/// [`exponential_steps`] with a row's memo of its uniform loss's relaxation factor; a row whose
/// loss is known to be uniform (`constant_loss`, see [`CONSTANT_LOSS`]) skips the comparison of
/// its elements.
#[allow(clippy::too_many_arguments)]
#[inline(always)] // compiled into each instruction-set variant of the column stepper
pub fn exponential_steps_with(
    x: &[f64],
    prod: &[f64],
    loss: &[f64],
    dt: f64,
    out: &mut [f64],
    phi_dt: &mut [f64],
    constant_loss: bool,
    memo: &mut RelaxationMemo,
) {
    let n = x.len();
    let (prod, loss, out, phi_dt) = (&prod[..n], &loss[..n], &mut out[..n], &mut phi_dt[..n]);
    let Some(&l0) = loss.first() else { return };
    // Compared as bits. A loss that varies over the layers nearly always differs between the
    // first two, so those are compared first; a row whose first two agree is nearly always
    // uniform, and the rest of it is compared by a fold without early exit, which vectorises (a
    // fold over every row cost more than a scan that stops at the first difference, and the scan
    // cost more on the uniform rows). A loss that differs only in the sign of zero takes the
    // general path, to the same result.
    let uniform = constant_loss
        || loss.get(1).is_none_or(|l1| l1.to_bits() == l0.to_bits())
            && loss.iter().fold(0, |differ, &l| differ | (l.to_bits() ^ l0.to_bits())) == 0;
    if uniform {
        let phi = memo.phi_dt(l0, dt);
        for k in 0..n {
            out[k] = step_with_factor(x[k], prod[k], l0, phi);
        }
        return;
    }
    relaxation_factors(loss, dt, phi_dt);
    for k in 0..n {
        out[k] = step_with_factor(x[k], prod[k], loss[k], phi_dt[k]);
    }
}

/// `phi_dt[k] = dt * relaxation_phi(loss[k] * dt)` for every element, to the bit: the short
/// series (the slow matrix variables, nearly always) in a branch-free loop that vectorises, then
/// [`relaxation_phi`] only for the elements beyond its range.
#[inline(always)] // compiled into each instruction-set variant of the column stepper
pub fn relaxation_factors(loss: &[f64], dt: f64, phi_dt: &mut [f64]) {
    let phi_dt = &mut phi_dt[..loss.len()];
    let mut beyond_short = 0usize;
    for (o, &l) in phi_dt.iter_mut().zip(loss) {
        let y = l * dt;
        *o = dt * phi_short_series(y);
        let in_short_range = y < PHI_SHORT_SERIES_END; // false for NaN, as in relaxation_phi
        beyond_short += usize::from(!in_short_range);
    }
    if beyond_short > 0 {
        // The long series, also branch-free over the whole row, kept where the short one does
        // not apply; the exponential only where some element is beyond both.
        for (o, &l) in phi_dt.iter_mut().zip(loss) {
            let y = l * dt;
            let long = dt * phi_long_series(y);
            *o = if y < PHI_SHORT_SERIES_END { *o } else { long };
        }
        // Counted in a loop of its own: in the loop above, the count kept it from vectorising.
        let mut beyond_series = 0usize;
        for &l in loss {
            let in_series_range = l * dt < PHI_SERIES_END; // false for NaN, as in relaxation_phi
            beyond_series += usize::from(!in_series_range);
        }
        if beyond_series > 0 {
            // Branch-free too, as the long series.
            for (o, &l) in phi_dt.iter_mut().zip(loss) {
                let y = l * dt;
                let exact = dt * phi_exact(y);
                *o = if y < PHI_SERIES_END { *o } else { exact };
            }
        }
    }
}

const PHI_SHORT_SERIES_END: f64 = 0.02;
const PHI_SERIES_END: f64 = 0.25;

#[inline(always)]
fn phi_short_series(y: f64) -> f64 {
    1.0 - y * (0.5 - y * (1.0 / 6.0 - y * (1.0 / 24.0 - y * (1.0 / 120.0))))
}

#[inline(always)]
fn phi_long_series(y: f64) -> f64 {
    1.0 - y
        * (0.5
            - y * (1.0 / 6.0
                - y * (1.0 / 24.0 - y * (1.0 / 120.0 - y * (1.0 / 720.0 - y * (1.0 / 5040.0 - y / 40320.0))))))
}

/// e^x for x <= 0, branch-free so that a loop over layers vectorises (the library `exp` is a
/// call per element): x = k ln 2 + r with |r| <= ln 2 / 2, e^r by its Taylor series to r^12
/// (relative error below 1e-14), 2^k put into the exponent bits. Below -700 it returns
/// e^-700 ≈ 1e-304 (0 for the decays it serves).
#[inline(always)] // compiled into each instruction-set variant of the column stepper
pub fn exp_non_positive(x: f64) -> f64 {
    // Adding and subtracting 1.5 * 2^52 rounds to the nearest integer, which it leaves in the low
    // bits of the sum.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    const LN2_HI: f64 = 0.693_147_180_369_123_8;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    let x = x.max(-700.0);
    let shifted = x * std::f64::consts::LOG2_E + ROUND;
    let k = shifted - ROUND;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // The Taylor series of e^r to r^12 by Estrin's scheme: the powers r², r⁴, r⁸ and the pairs
    // of terms are independent, so the dependent chain is five multiply-adds deep instead of the
    // twelve of Horner's rule (this function is the stepper's most frequent operation, and its
    // latency, not its operation count, is what a step waits for).
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let pair = |even: f64, odd: f64| even + odd * r;
    let low = pair(1.0, 1.0) + pair(1.0 / 2.0, 1.0 / 6.0) * r2;
    let mid = pair(1.0 / 24.0, 1.0 / 120.0) + pair(1.0 / 720.0, 1.0 / 5_040.0) * r2;
    let high = pair(1.0 / 40_320.0, 1.0 / 362_880.0) + pair(1.0 / 3_628_800.0, 1.0 / 39_916_800.0) * r2;
    let p = (low + mid * r4) + (high + (1.0 / 479_001_600.0) * r4) * r8;
    let scale = f64::from_bits(shifted.to_bits().wrapping_add(1023) << 52);
    p * scale
}

/// φ beyond the series, where 1 - e^{-y} loses at most two bits to cancellation (y >= 0.25):
/// from [`exp_non_positive`], so that a row's loop over its elements vectorises (the library
/// `exp_m1` is a call per element).
#[inline(always)]
fn phi_exact(y: f64) -> f64 {
    (1.0 - exp_non_positive(-y)) / y
}

/// φ(y) = (1 - e^{-y}) / y for y >= 0 (φ(0) = 1), to a relative error below 1e-9: a 5-term
/// Taylor series for y < 0.02 (the slow matrix variables, nearly always), 8 terms below 0.25,
/// [`exp_non_positive`] above. No library call, and few operations in the common case: this
/// function is the innermost operation of the stepper.
#[inline(always)]
pub fn relaxation_phi(y: f64) -> f64 {
    if y < PHI_SHORT_SERIES_END {
        phi_short_series(y)
    } else if y < PHI_SERIES_END {
        phi_long_series(y)
    } else {
        phi_exact(y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn exponential_step_is_exact_for_linear_relaxation() {
        // dx/dt = P - k x, x(0) = 0: exact P/k (1 - e^{-k t}) whatever the step.
        let (p, k) = (3.0, 2.0);
        for n in [1, 7, 100] {
            let dt = 1.0 / n as f64;
            let mut x = 0.0;
            for _ in 0..n {
                x = exponential_step(x, p, k, dt);
            }
            assert_relative_eq!(x, p / k * (1.0 - (-k).exp()), max_relative = 1e-9);
        }
    }

    #[test]
    fn exponential_step_is_first_order_for_coupled_decay() {
        // x' = -y x, y' = -y (y(0) = 1): x(t) = exp(-(1 - e^{-t})). Error halves with the step.
        let err = |n: usize| {
            let dt = 1.0 / n as f64;
            let (mut x, mut y) = (1.0, 1.0);
            for _ in 0..n {
                let xn = exponential_step(x, 0.0, y, dt);
                y = exponential_step(y, 0.0, 1.0, dt);
                x = xn;
            }
            (x - (-(1.0 - (-1.0f64).exp())).exp()).abs()
        };
        let order = (err(200) / err(400)).log2();
        assert_relative_eq!(order, 1.0, epsilon = 0.05);
    }

    /// One layer of normal skin at rest: no signal, no synthesis, normal matrix (each test sets
    /// what it is about).
    fn one_normal_layer() -> ColumnEnv<'static> {
        ColumnEnv {
            signal: &[0.0],
            matrix_factor: &[1.0],
            elastin_factor: &[1.0],
            collagen_synthesis: 0.0,
            elastin_synthesis: 0.0,
            synthesis_factor: 1.0,
            normal_collagen: 1.0,
            normal_elastin: 1.0,
            surroundings_gain: &[1.0],
            responsiveness: 1.0,
            deficit_feedback: 1.0,
            set_point_lift: 0.0,
            remodelling_by_i: 0.0,
        }
    }

    #[test]
    fn resting_skin_is_a_steady_state() {
        let p = Params::shipped();
        let r = Rates::new(&p, 1, 3, 1.0);
        let c1 = 0.8;
        let x = [0.0, 0.0, 1.0, r.collagen_iii_share * c1, c1, 1.0, 0.0];
        let env = ColumnEnv {
            collagen_synthesis: r.collagen_degradation * c1,
            elastin_synthesis: r.elastin_degradation,
            ..one_normal_layer()
        };
        let (prod, loss) = layer_terms(&x, &env, 0, &r);
        for k in 0..LAYER_VARS {
            assert!(
                (prod[k] - loss[k] * x[k]).abs() < 1e-15,
                "{} not steady",
                LAYER_NAMES[k]
            );
        }
    }

    #[test]
    fn elastin_above_its_set_point_is_removed_and_below_it_is_not() {
        let p = Params::shipped();
        let r = Rates::new(&p, 1, 3, 1.0);
        let env = |elastin_factor: &'static [f64]| ColumnEnv {
            elastin_factor,
            normal_elastin: 0.8,
            ..one_normal_layer()
        };
        let turnover = r.elastin_degradation + r.elastosis;
        let elastin_loss = |e: f64, factor: &'static [f64]| {
            let x = [0.0, 0.0, 1.0, 0.1, 0.8, e, 0.0];
            layer_terms(&x, &env(factor), 0, &r).1[E]
        };
        // Set point 0.8 × 1: elastin at 1.0 loses its excess 0.2 at the excess rate on top of
        // turnover; at or below the set point only turnover.
        assert_relative_eq!(
            elastin_loss(1.0, &[1.0]),
            turnover + r.elastin_excess_removal * 0.2,
            max_relative = 1e-12
        );
        assert_relative_eq!(elastin_loss(0.8, &[1.0]), turnover, max_relative = 1e-12);
        assert_relative_eq!(elastin_loss(0.5, &[1.0]), turnover, max_relative = 1e-12);
        // A lesion's set point is its own (deficient) elastin: a band at 0.5 of its surroundings
        // (set point 0.4) loses what it gained above 0.4.
        assert_relative_eq!(
            elastin_loss(0.5, &[0.5]) * 0.5,
            turnover * 0.5 + r.elastin_excess_removal * 0.1,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            r.elastin_excess_removal,
            std::f64::consts::LN_2 / p.elastin_excess_half_life_days,
            max_relative = 1e-15
        );
    }

    #[test]
    fn a_lifted_groove_keeps_new_matrix_up_to_the_skin_around_and_unlifted_only_up_to_its_own_level() {
        let p = Params::shipped();
        let r = Rates::new(&p, 1, 3, 1.0);
        // A lesion layer at half the matrix of the skin around, refilled to `level` (collagen I
        // and elastin alike; no immature III).
        let losses = |level: f64, set_point_lift: f64| {
            let env = ColumnEnv {
                matrix_factor: &[0.5],
                elastin_factor: &[0.5],
                set_point_lift,
                ..one_normal_layer()
            };
            let x = [0.0, 0.0, 1.0, 0.0, level, level, 0.0];
            let loss = layer_terms(&x, &env, 0, &r).1;
            (loss[C1], loss[E])
        };
        let elastin_turnover = r.elastin_degradation + r.elastosis;
        let collagen = |excess: f64, level: f64| r.collagen_degradation + r.homeostatic_removal * excess / level;
        let elastin = |excess: f64, level: f64| elastin_turnover + r.elastin_excess_removal * excess / level;
        // Unlifted (a scar, a stria, a groove long after its last session): what lies above its
        // own level, 0.5, is removed as excess.
        let (c1, e) = losses(0.8, 0.0);
        assert_relative_eq!(c1, collagen(0.3, 0.8), max_relative = 1e-12);
        assert_relative_eq!(e, elastin(0.3, 0.8), max_relative = 1e-12);
        // A wrinkle's groove right after a session answers to the skin around: up to 1 only
        // turnover, above it excess.
        let (c1, e) = losses(0.8, 1.0);
        assert_relative_eq!(c1, r.collagen_degradation, max_relative = 1e-12);
        assert_relative_eq!(e, elastin_turnover, max_relative = 1e-12);
        let (c1, _) = losses(1.2, 1.0);
        assert_relative_eq!(c1, collagen(0.2, 1.2), max_relative = 1e-12);
        // Half relaxed, its set point is half-way back (0.75): 0.05 of excess at 0.8.
        let (c1, e) = losses(0.8, 0.5);
        assert_relative_eq!(c1, collagen(0.05, 0.8), max_relative = 1e-12);
        assert_relative_eq!(e, elastin(0.05, 0.8), max_relative = 1e-12);
    }

    #[test]
    fn a_sessions_lift_of_the_groove_set_point_halves_every_half_life() {
        let mut p = Params::shipped();
        p.collagen_groove_set_point_half_life_days = 90.0;
        let r = Rates::new(&p, 1, 3, 1.0);
        assert_eq!(set_point_lift(false, None, 100.0, &r), 0.0);
        assert_relative_eq!(set_point_lift(false, Some(10.0), 10.0, &r), 1.0);
        assert_relative_eq!(set_point_lift(false, Some(10.0), 100.0, &r), 0.5, max_relative = 1e-12);
        assert_relative_eq!(set_point_lift(false, Some(10.0), 190.0, &r), 0.25, max_relative = 1e-12);
        // Tissue that holds its own level (a scar, a stria) is never lifted.
        assert_eq!(set_point_lift(true, Some(10.0), 10.0, &r), 0.0);
    }

    #[test]
    fn the_branch_free_exponential_matches_the_library_one() {
        for k in 0..=100_000 {
            let x = -(k as f64) * 7.1e-3;
            assert_relative_eq!(exp_non_positive(x), x.exp(), max_relative = 1e-14);
        }
        assert_eq!(exp_non_positive(0.0), 1.0);
        assert!(exp_non_positive(-1e6) < 1e-300);
    }

    #[test]
    fn series_matches_exp_m1_on_both_sides_of_the_switch() {
        assert_eq!(relaxation_phi(0.0), 1.0);
        for k in 1..=2000 {
            let y = k as f64 * 5e-4;
            let exact = -(-y).exp_m1() / y;
            assert_relative_eq!(relaxation_phi(y), exact, max_relative = 1e-9);
        }
        // Beyond the series, to the exponential's accuracy.
        for k in 0..=10_000 {
            let y = PHI_SERIES_END + k as f64 * 0.01;
            let exact = -(-y).exp_m1() / y;
            assert_relative_eq!(relaxation_phi(y), exact, max_relative = 1e-14);
        }
        assert_eq!(relaxation_phi(f64::INFINITY), 0.0);
        assert!(relaxation_phi(f64::NAN).is_nan());
    }

    #[test]
    fn column_layer_terms_match_layer_terms_to_the_bit() {
        let p = Params::shipped();
        let r = Rates::new(&p, 2, 3, 0.8);
        let n = 7; // a chunk of four layers and a remainder
        let layer = |k: usize| {
            let s = k as f64;
            [0.1 * s, 0.3 * s, 1.0 + 0.2 * s, 0.05 * s, 0.6 + 0.1 * s, 0.9, 0.1]
        };
        let mut x = vec![0.0; LAYER_VARS * n];
        for k in 0..n {
            for v in 0..LAYER_VARS {
                x[v * n + k] = layer(k)[v];
            }
        }
        let signal: Vec<f64> = (0..n).map(|k| [0.0, 0.4, 1.2, 0.0, 2.0, 0.3, 0.1][k]).collect();
        let matrix_factor: Vec<f64> = (0..n).map(|k| if k < 3 { 1.4 } else { 1.0 }).collect();
        let elastin_factor: Vec<f64> = (0..n).map(|k| if k < 3 { 0.7 } else { 1.0 }).collect();
        let surroundings_gain: Vec<f64> = (0..n).map(|k| 1.0 + 0.05 * k as f64).collect();
        let env = ColumnEnv {
            signal: &signal,
            matrix_factor: &matrix_factor,
            elastin_factor: &elastin_factor,
            collagen_synthesis: 0.01,
            elastin_synthesis: 0.002,
            synthesis_factor: 0.8,
            normal_collagen: 0.8,
            normal_elastin: 1.0,
            surroundings_gain: &surroundings_gain,
            responsiveness: 1.3,
            deficit_feedback: 0.6,
            set_point_lift: 0.4,
            remodelling_by_i: 0.2,
        };
        let (mut prod, mut loss) = (vec![0.0; LAYER_VARS * n], vec![0.0; LAYER_VARS * n]);
        column_layer_terms(&x, &env, &r, &mut prod, &mut loss);
        let (mut prod_rest, mut loss_rest) = (vec![0.0; LAYER_VARS * n], vec![0.0; LAYER_VARS * n]);
        column_layer_terms_without_pair(&x, &env, &r, &mut prod_rest, &mut loss_rest);
        for k in 0..n {
            let (pk, lk) = layer_terms(&layer(k), &env, k, &r);
            for v in 0..LAYER_VARS {
                assert_eq!(prod[v * n + k].to_bits(), pk[v].to_bits(), "production {k} {v}");
                assert_eq!(loss[v * n + k].to_bits(), lk[v].to_bits(), "loss {k} {v}");
            }
            for v in F..LAYER_VARS {
                assert_eq!(prod_rest[v * n + k].to_bits(), pk[v].to_bits(), "production {k} {v}");
                assert_eq!(loss_rest[v * n + k].to_bits(), lk[v].to_bits(), "loss {k} {v}");
            }
            // The rows said to have a constant loss have it in every layer, whatever the state.
            for v in (0..LAYER_VARS).filter(|&v| CONSTANT_LOSS[v]) {
                assert_eq!(
                    loss[v * n + k].to_bits(),
                    loss[v * n].to_bits(),
                    "constant loss {k} {v}"
                );
            }
        }
    }

    #[test]
    fn exponential_steps_match_exponential_step_to_the_bit() {
        let x: Vec<f64> = (0..9).map(|k| 0.3 + 0.1 * k as f64).collect();
        let prod: Vec<f64> = (0..9).map(|k| 0.05 * k as f64).collect();
        let mixed: Vec<f64> = [0.0, 1e-4, 0.01, 0.3, 1.0, 4.0, 20.0, 1e3, 0.05].to_vec();
        let uniform = vec![0.6; 9];
        let mut out = vec![0.0; 9];
        let mut phi = vec![0.0; 9];
        for loss in [&mixed, &uniform] {
            for dt in [1e-4, 0.05, 0.7, 7.0] {
                exponential_steps(&x, &prod, loss, dt, &mut out, &mut phi);
                for k in 0..9 {
                    let one = exponential_step(x[k], prod[k], loss[k], dt);
                    assert_eq!(out[k].to_bits(), one.to_bits(), "element {k}, dt {dt}");
                }
                // Through a memo that has seen other losses and steps, and with the uniform loss
                // declared rather than found.
                let mut memo = RelaxationMemo::default();
                let constant = std::ptr::eq(loss, &uniform);
                for _ in 0..2 {
                    exponential_steps_with(&x, &prod, loss, dt, &mut out, &mut phi, constant, &mut memo);
                    for k in 0..9 {
                        let one = exponential_step(x[k], prod[k], loss[k], dt);
                        assert_eq!(out[k].to_bits(), one.to_bits(), "memo, element {k}, dt {dt}");
                        assert_eq!(
                            memo.exponential_step(x[k], prod[k], loss[k], dt).to_bits(),
                            one.to_bits()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn fibroblast_growth_vanishes_without_signal_and_saturates_with_it() {
        let p = Params::shipped();
        let r = Rates::new(&p, 1, 3, 1.0);
        let x = [0.0, 0.0, 1.0, 0.2, 0.8, 1.0, 0.0];
        let growth = |signal: f64| {
            let env = ColumnEnv {
                signal: &[signal],
                ..one_normal_layer()
            };
            layer_terms(&x, &env, 0, &r).0[F] - r.fibroblast_rest
        };
        assert_eq!(growth(0.0), 0.0);
        // At most the full proliferation rate, approached as the signal saturates.
        let room = 1.0 - 1.0 / r.fibroblast_capacity;
        assert!(growth(1e9) <= r.fibroblast_proliferation * room + 1e-12);
        assert!(growth(1e9) > 0.99 * r.fibroblast_proliferation * room);
        assert!(growth(1e9) > growth(0.5));
    }
}
