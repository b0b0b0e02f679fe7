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
    pub wound_elastin: f64,
    pub elastin_degradation: f64,
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
            wound_elastin: p.elastin_wound_synthesis_per_day * p.fibroblast_responsiveness,
            elastin_degradation: ageing::elastin_degradation_per_day(p),
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

/// What a layer's surroundings tell its kinetics at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerEnv {
    /// Column-averaged growth signal in the layer.
    pub signal: f64,
    /// Share of the layer the signal reaches (around the channels); the response is computed at
    /// the local concentration signal / stimulated and weighted by the stimulated share.
    pub stimulated: f64,
    /// Baseline collagen synthesis (per day) into I; III gets `collagen_iii_share` of it.
    pub collagen_synthesis: f64,
    /// Baseline functional-elastin synthesis per day.
    pub elastin_synthesis: f64,
    /// Synthesis capacity of the person's age (1 at 25).
    pub synthesis_factor: f64,
    /// Total collagen above which matrix is removed (the tissue's homeostatic set point).
    pub removal_set_point: f64,
    /// Total collagen of normal skin at this depth and age (below it the tissue is in deficit).
    pub normal_collagen: f64,
    /// Lesion multiplier of the fibroblast response (1 for normal skin).
    pub responsiveness: f64,
    /// Extra degradation of excess (scar) matrix per unit inflammation (raised scars only).
    pub remodelling_by_i: f64,
}

/// Growth response at the local signal concentration, weighted by the stimulated share (0..1).
pub fn growth_response(signal: f64, stimulated: f64, half_saturation: f64) -> f64 {
    if stimulated <= 1e-12 || signal <= 0.0 {
        return 0.0;
    }
    let local = signal / stimulated;
    stimulated * local / (half_saturation + local)
}

/// Production and loss coefficient of every layer variable (dx/dt = P - L x).
pub fn layer_terms(x: &[f64; LAYER_VARS], env: &LayerEnv, r: &Rates) -> ([f64; LAYER_VARS], [f64; LAYER_VARS]) {
    let (d, i, f, c3, c1, e, ed) = (x[D], x[I], x[F], x[C3], x[C1], x[E], x[ED]);
    let mut prod = [0.0; LAYER_VARS];
    let mut loss = [0.0; LAYER_VARS];

    // Damage: debris cleared steadily and faster by phagocytes.
    loss[D] = r.debris_clearance + r.debris_clearance_by_i * i;

    // Inflammation: induced by damage, self-amplifying only while there is damage (so a sterile
    // micro-injury gives a transient pulse), resolved by macrophage removal.
    prod[I] = r.inflammation_induction * d * (1.0 + r.inflammation_amplification * i / (1.0 + i));
    loss[I] = r.inflammation_resolution;

    // Fibroblasts: logistic proliferation driven by the growth response, return to resting density.
    let response = growth_response(env.signal, env.stimulated, r.signal_half_saturation) * env.responsiveness;
    let room = (1.0 - f / r.fibroblast_capacity).max(0.0);
    prod[F] = r.fibroblast_proliferation * response * f * room + r.fibroblast_rest;
    loss[F] = r.fibroblast_rest;

    // Collagen. New (wound) collagen is laid down as type III; III above its homeostatic share of
    // I matures into I or is degraded (faster while inflamed). Fibroblasts in matrix-deficient
    // tissue synthesise more (deficit feedback); matrix above the set point is removed.
    let total = c1 + c3;
    let deficit = (1.0 - total / env.normal_collagen.max(1e-12)).max(0.0);
    // Matrix above the tissue's own set point is removed slowly (homeostasis); the disorganised
    // excess of a raised scar over normal skin is also degraded by inflammation (MMPs).
    let excess = (total - env.removal_set_point).max(0.0);
    let scar_excess = (total - env.normal_collagen).max(0.0);
    let excess_loss = if total > 1e-12 {
        (r.homeostatic_removal * excess + env.remodelling_by_i * i * scar_excess) / total
    } else {
        0.0
    };
    let immature = (c3 - r.collagen_iii_share * c1).max(0.0);
    let wound = r.wound_collagen * env.synthesis_factor * response * f * (1.0 + r.deficit_feedback * deficit);
    let immature_rate = if c3 > 1e-12 {
        (r.maturation + r.immature_degradation + r.immature_degradation_by_i * i) * immature / c3
    } else {
        0.0
    };
    prod[C3] = r.collagen_iii_share * env.collagen_synthesis + wound;
    loss[C3] = r.collagen_degradation + excess_loss + immature_rate;
    prod[C1] = env.collagen_synthesis + r.maturation * immature;
    loss[C1] = r.collagen_degradation + excess_loss;

    // Elastin: new elastin from activated fibroblasts; photoageing converts functional elastin to
    // elastotic material, which inflammation helps clear (El-Domyati 2015).
    prod[E] = env.elastin_synthesis + r.wound_elastin * env.synthesis_factor * response * f;
    loss[E] = r.elastin_degradation + r.elastosis;
    prod[ED] = r.elastosis * e;
    loss[ED] = r.elastotic_degradation + r.elastotic_clearance_by_i * i;
    let _ = ed;
    (prod, loss)
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
#[inline]
pub fn exponential_step(x: f64, prod: f64, loss: f64, dt: f64) -> f64 {
    let phi_dt = dt * relaxation_phi(loss * dt);
    x - x * loss * phi_dt + prod * phi_dt
}

/// φ(y) = (1 - e^{-y}) / y for y >= 0 (φ(0) = 1), to a relative error below 1e-9: a 5-term
/// Taylor series for y < 0.02 (the slow matrix variables, nearly always), 8 terms below 0.25,
/// `exp_m1` above. No library call and few operations in the common case: this function is the
/// innermost operation of the stepper.
#[inline]
pub fn relaxation_phi(y: f64) -> f64 {
    if y < 0.02 {
        1.0 - y * (0.5 - y * (1.0 / 6.0 - y * (1.0 / 24.0 - y * (1.0 / 120.0))))
    } else if y < 0.25 {
        1.0 - y
            * (0.5
                - y * (1.0 / 6.0
                    - y * (1.0 / 24.0 - y * (1.0 / 120.0 - y * (1.0 / 720.0 - y * (1.0 / 5040.0 - y / 40320.0))))))
    } else {
        -(-y).exp_m1() / y
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

    #[test]
    fn resting_skin_is_a_steady_state() {
        let p = Params::shipped();
        let r = Rates::new(&p, 1, 3, 1.0);
        let c1 = 0.8;
        let x = [0.0, 0.0, 1.0, r.collagen_iii_share * c1, c1, 1.0, 0.0];
        let env = LayerEnv {
            signal: 0.0,
            stimulated: 0.0,
            collagen_synthesis: r.collagen_degradation * c1,
            elastin_synthesis: r.elastin_degradation,
            synthesis_factor: 1.0,
            removal_set_point: 1.0,
            normal_collagen: 1.0,
            responsiveness: 1.0,
            remodelling_by_i: 0.0,
        };
        let (prod, loss) = layer_terms(&x, &env, &r);
        for k in 0..LAYER_VARS {
            assert!(
                (prod[k] - loss[k] * x[k]).abs() < 1e-15,
                "{} not steady",
                LAYER_NAMES[k]
            );
        }
    }

    #[test]
    fn series_matches_exp_m1_on_both_sides_of_the_switch() {
        assert_eq!(relaxation_phi(0.0), 1.0);
        for k in 1..=2000 {
            let y = k as f64 * 5e-4;
            let exact = -(-y).exp_m1() / y;
            assert_relative_eq!(relaxation_phi(y), exact, max_relative = 1e-9);
        }
    }

    #[test]
    fn growth_response_saturates_and_vanishes_without_signal() {
        assert_eq!(growth_response(0.0, 0.5, 1.0), 0.0);
        assert!(growth_response(1e9, 0.3, 1.0) <= 0.3 + 1e-12);
    }
}
