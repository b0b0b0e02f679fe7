//! The patch: a voxel block of one person's dermis under an epidermis sheet, with the state of
//! every voxel, and the stepper that advances it.
//!
//! Each voxel carries the column model's layer state (damage, inflammation, fibroblasts,
//! collagen III and I, elastin, elastotic elastin); each surface pixel the column's surface state
//! (barrier, melanin, epidermis, adjunct). The local reactions are the column model's code:
//! a pixel's depth column of voxels is handed to [`kinetics::column_layer_terms`] exactly as the
//! column model hands it its layers, and the surface to [`kinetics::surface_terms`]. What the
//! patch adds is space: each voxel sees its own growth signal from the 3-D quasi-steady solve,
//! inflammation and activated fibroblasts spread between voxels laterally as well as in depth,
//! and the needles injure the voxels they actually pass through.
//!
//! Time stepping (multirate): one step advances the reactions of every voxel with the column
//! model's exponential trapezoidal predictor-corrector and the same error control (step sizes of
//! minutes right after a session, up to a week during remodelling); the fast signal is solved
//! quasi-steadily at the start of each step; the slow spread of inflammation and fibroblasts
//! follows as an implicit (LOD) diffusion step over the same interval (operator splitting).
//! State is stored in `f32` (memory: a 5 × 5 mm patch at 10 µm is 45 million voxels); each
//! pixel's column is widened to `f64` for its reaction step.

use crate::diffusion::{implicit_diffusion_step, FieldLayout, QuasiSteady};
use crate::geometry::PlacedLesion;
use crate::grid::Grid;
use crate::punctures::Puncture;
use cit_core::ageing;
use cit_core::column::{Snapshot, StepControl};
use cit_core::device::PunctureField;
use cit_core::kinetics::{
    self, ColumnEnv, Rates, Surface, SurfaceEnv, C1, C3, D, E, ED, F, I, LAYER_VARS, SURFACE_VARS,
};
use cit_core::params::Params;
use cit_core::skin::Skin;
use rayon::prelude::*;

/// Floors of the step-size control (relative error only above them): the column model's values.
const LAYER_FLOOR: [f64; LAYER_VARS] = [0.05, 0.05, 0.2, 0.1, 0.1, 0.1, 0.1];
const SURFACE_FLOOR: [f64; SURFACE_VARS] = [0.05, 0.1, 0.1, 0.1];
/// Sub-samples per voxel edge when deciding which share of a voxel a needle channel covers.
const SUBSAMPLES: usize = 4;
/// Relative residual at which the quasi-steady signal solve stops, and its iteration cap.
const SIGNAL_TOLERANCE: f64 = 1e-2;
const SIGNAL_MAX_ITERATIONS: usize = 16;

/// Who the patch belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchSetup {
    pub skin: Skin,
    pub age_years: f64,
    pub male: bool,
    pub photoaging: u8,
    pub skin_type: u8,
    pub lesion: Option<PlacedLesion>,
}

/// Which pixels a summary covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// Every pixel.
    All,
    /// Pixels outside any lesion (weight 0).
    Surrounding,
    /// The lesion's core (weight at least 1/2).
    Lesion,
}

/// Counters of the work done (for the benchmarks and the report).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WorkCounters {
    pub steps: usize,
    pub rejected_steps: usize,
    pub signal_iterations: usize,
    pub diffusion_steps: usize,
}

/// Per-thread scratch of one pixel column's reaction step.
#[derive(Debug, Clone, Default)]
struct ColumnScratch {
    start: Vec<f64>,
    predicted: Vec<f64>,
    corrected: Vec<f64>,
    prod0: Vec<f64>,
    loss0: Vec<f64>,
    prod1: Vec<f64>,
    loss1: Vec<f64>,
    phi_dt: Vec<f64>,
    signal: Vec<f64>,
    matrix_factor: Vec<f64>,
    elastin_factor: Vec<f64>,
    /// The deficit feedback's reference: the patch's lesions sit among normal voxels that the
    /// lateral transport couples directly, so each voxel measures its matrix against normal
    /// skin of its age (gain 1).
    surroundings_gain: Vec<f64>,
}

impl ColumnScratch {
    fn new(nz: usize) -> ColumnScratch {
        let v = vec![0.0; LAYER_VARS * nz];
        ColumnScratch {
            start: v.clone(),
            predicted: v.clone(),
            corrected: v.clone(),
            prod0: v.clone(),
            loss0: v.clone(),
            prod1: v.clone(),
            loss1: v,
            phi_dt: vec![0.0; nz],
            signal: vec![0.0; nz],
            matrix_factor: vec![0.0; nz],
            elastin_factor: vec![0.0; nz],
            surroundings_gain: vec![1.0; nz],
        }
    }
}

/// Everything the step of one instant shares across the patch.
#[derive(Debug, Clone, Copy)]
struct Instant {
    synthesis: f64,
    proliferation: f64,
    normal_collagen: f64,
    melanin_excess_fade: f64,
    /// How far the last session has lifted a wrinkle groove's set points (see `kinetics`).
    set_point_lift: f64,
}

/// The state of one patch and what it needs to step itself.
#[derive(Debug, Clone)]
pub struct Patch {
    pub grid: Grid,
    setup: PatchSetup,
    rates: Rates,
    /// Layer state: pixel `p`'s variable `v` at depth `k` at `p * 7 nz + v * nz + k`.
    state: Vec<f32>,
    /// The proposed state of the step being tried.
    next: Vec<f32>,
    /// Quasi-steady growth signal, `(p * nz + k)`.
    pub signal: Vec<f32>,
    source: Vec<f32>,
    signal_solver: QuasiSteady,
    matrix_factor: Vec<f32>,
    elastin_factor: Vec<f32>,
    /// Collagen (I + III) of every voxel before treatment (for the change fields).
    collagen_before: Vec<f32>,
    /// Lesion weight of every pixel.
    pub lesion_weight: Vec<f32>,
    responsiveness: Vec<f64>,
    deficit_feedback: Vec<f64>,
    /// Whether the lesion's matrix is held at its own level (see `LesionTissue`); pixels outside
    /// it have the surroundings' matrix, where both readings agree.
    own_matrix_set_point: bool,
    /// Day of the latest session (for a wrinkle groove's lifted set point).
    last_session_day: Option<f64>,
    remodelling_by_i: Vec<f64>,
    melanin_excess: Vec<f64>,
    surface: Vec<Surface>,
    surface_next: Vec<Surface>,
    normal_collagen: f64,
    /// Functional elastin of the person's normal skin when treatment began (the elastin set point).
    normal_elastin: f64,
    /// Days since the first session.
    pub day: f64,
    barrier_recovery: f64,
    deep_hole_dose: [f64; 3],
    papillary_layers: usize,
    redness_weights: Vec<f64>,
    redness_threshold: f64,
    matrix_thickness_share: f64,
    stiffness_exponents: (f64, f64),
    synthesis_decline: f64,
    proliferation_decline: f64,
    epidermis_ref_um: f64,
    epidermis_loss_per_decade: f64,
    signal_from_inflammation: f64,
    signal_autocrine: f64,
    inflammation_diffusivity: f64,
    fibroblast_motility: f64,
    barrier_recovery_rate: f64,
    barrier_depth_scale_um: f64,
    barrier_disruption: f64,
    matrix_destroyed: f64,
    melanin_excess_half_life: Option<f64>,
    base_collagen_synthesis: f64,
    base_elastin_synthesis: f64,
    pub control: StepControl,
    pub work: WorkCounters,
    next_dt: Option<f64>,
}

impl Patch {
    /// A patch of this person's skin `size_um` across at `resolution_um`, at the start of
    /// treatment: every voxel on the ageing trajectory to their age (the column model's starting
    /// state), with the lesion's tissue where its footprint lies.
    pub fn new(setup: PatchSetup, size_um: (f64, f64), resolution_um: f64, p: &Params) -> Patch {
        let grid = Grid::new([size_um.0, size_um.1], setup.skin.dermis_um, resolution_um);
        let (nz, npix) = (grid.nz, grid.pixels());
        let papillary_layers = (0..nz)
            .filter(|&k| (k as f64 + 0.5) * grid.dz_um < setup.skin.papillary_um)
            .count()
            .max(1);
        let age_matrix = ageing::matrix_at_age(setup.age_years, setup.photoaging, p);
        let rates = Rates::new(
            p,
            setup.photoaging,
            setup.skin_type,
            ageing::proliferation_factor(setup.age_years, p),
        );
        let iii = p.ageing_collagen_iii_share;
        let mut lesion_weight = vec![0.0f32; npix];
        let mut matrix_factor = vec![1.0f32; grid.voxels()];
        let mut elastin_factor = vec![1.0f32; grid.voxels()];
        let site_response = setup.skin.wound_response(p);
        let mut responsiveness = vec![site_response; npix];
        let mut deficit_feedback = vec![1.0; npix];
        let mut remodelling_by_i = vec![0.0; npix];
        let mut melanin_excess = vec![0.0; npix];
        if let Some(lesion) = &setup.lesion {
            let t = lesion.tissue;
            let affected = (t.affected_depth_fraction * nz as f64).round() as usize;
            for iy in 0..grid.ny {
                for ix in 0..grid.nx {
                    let (x, y) = grid.pixel_centre_um(ix, iy);
                    let w = lesion.weight(x, y);
                    let pix = iy * grid.nx + ix;
                    lesion_weight[pix] = w as f32;
                    if w <= 0.0 {
                        continue;
                    }
                    responsiveness[pix] = site_response * (1.0 + (t.responsiveness - 1.0) * w);
                    deficit_feedback[pix] = 1.0 + (t.deficit_feedback - 1.0) * w;
                    remodelling_by_i[pix] = t.remodelling_by_inflammation;
                    melanin_excess[pix] = t.melanin_excess * w;
                    for k in 0..affected.min(nz) {
                        matrix_factor[pix * nz + k] = (1.0 + (t.matrix_factor - 1.0) * w) as f32;
                        elastin_factor[pix * nz + k] = (1.0 + (t.elastin_factor - 1.0) * w) as f32;
                    }
                }
            }
        }
        let mut state = vec![0.0f32; LAYER_VARS * grid.voxels()];
        let mut collagen_before = grid.field();
        for pix in 0..npix {
            for k in 0..nz {
                let mf = matrix_factor[pix * nz + k] as f64;
                let ef = elastin_factor[pix * nz + k] as f64;
                let total = age_matrix.collagen * mf;
                let c1 = total / (1.0 + iii);
                let x = [
                    0.0,
                    0.0,
                    1.0,
                    iii * c1,
                    c1,
                    age_matrix.elastin * ef,
                    age_matrix.elastotic * ef,
                ];
                for v in 0..LAYER_VARS {
                    state[pix * LAYER_VARS * nz + v * nz + k] = x[v] as f32;
                }
                collagen_before[pix * nz + k] = (x[C1] as f32) + (x[C3] as f32);
            }
        }
        let z_vis = p.inflammation_redness_visibility_depth_um;
        let redness_weights: Vec<f64> = (0..nz)
            .map(|k| (-(setup.skin.epidermis_um + (k as f64 + 0.5) * grid.dz_um) / z_vis).exp())
            .collect();
        let wsum: f64 = redness_weights.iter().sum();
        let redness_weights = redness_weights.iter().map(|w| w / wsum).collect();
        let surface = Surface {
            barrier: 1.0,
            melanin: 1.0,
            epidermis: 1.0,
            adjunct: 0.0,
        };
        let surfaces: Vec<Surface> = melanin_excess
            .iter()
            .map(|&m| Surface {
                melanin: 1.0 + m,
                ..surface
            })
            .collect();
        let base_degradation = ageing::collagen_degradation_per_day(1, p);
        Patch {
            grid,
            rates,
            next: state.clone(),
            state,
            signal: grid.field(),
            source: grid.field(),
            signal_solver: QuasiSteady::new(grid, p.signal_diffusivity_um2_per_day, p.signal_decay_per_day),
            matrix_factor,
            elastin_factor,
            collagen_before,
            lesion_weight,
            responsiveness,
            deficit_feedback,
            own_matrix_set_point: setup.lesion.as_ref().is_none_or(|l| l.tissue.own_matrix_set_point),
            last_session_day: None,
            remodelling_by_i,
            melanin_excess,
            surface_next: surfaces.clone(),
            surface: surfaces,
            normal_collagen: age_matrix.collagen,
            normal_elastin: age_matrix.elastin,
            day: 0.0,
            barrier_recovery: p.barrier_recovery_per_day,
            deep_hole_dose: [0.0; 3],
            papillary_layers,
            redness_weights,
            redness_threshold: p.inflammation_redness_threshold,
            matrix_thickness_share: p.anatomy_matrix_thickness_share,
            stiffness_exponents: (
                p.outcome_stiffness_collagen_exponent,
                p.outcome_stiffness_elastin_exponent,
            ),
            synthesis_decline: p.ageing_synthesis_decline_per_year,
            proliferation_decline: p.fibroblast_proliferation_decline_per_year,
            epidermis_ref_um: setup.skin.epidermis_um,
            epidermis_loss_per_decade: if setup.male {
                p.anatomy_epidermis_loss_per_decade_male
            } else {
                p.anatomy_epidermis_loss_per_decade_female
            },
            signal_from_inflammation: p.signal_production_by_inflammation,
            signal_autocrine: p.signal_autocrine_production,
            inflammation_diffusivity: p.inflammation_diffusivity_um2_per_day,
            fibroblast_motility: p.fibroblast_motility_um2_per_day,
            barrier_recovery_rate: p.barrier_recovery_per_day,
            barrier_depth_scale_um: p.barrier_recovery_depth_scale_um,
            barrier_disruption: p.device_barrier_disruption_per_area,
            matrix_destroyed: p.device_matrix_destroyed_fraction,
            melanin_excess_half_life: setup.lesion.and_then(|l| l.tissue.melanin_excess_half_life_days),
            base_collagen_synthesis: base_degradation / (1.0 + iii),
            base_elastin_synthesis: ageing::elastin_degradation_per_day(p),
            control: StepControl::default(),
            work: WorkCounters::default(),
            next_dt: None,
            setup,
        }
    }

    /// Bytes held per voxel by the patch's buffers (state twice, signal, source, solver
    /// scratch, lesion factors, collagen before treatment).
    pub fn bytes_per_voxel() -> usize {
        4 * (2 * LAYER_VARS + 3 + 2 + 1)
    }

    pub fn papillary_layers(&self) -> usize {
        self.papillary_layers
    }

    fn age_years(&self, day: f64) -> f64 {
        self.setup.age_years + ageing::days_to_years(day)
    }

    fn instant(&self, day: f64, normal_collagen: f64) -> Instant {
        let above_peak = (self.age_years(day) - ageing::PEAK_AGE_YEARS).max(0.0);
        Instant {
            synthesis: (-self.synthesis_decline * above_peak).exp(),
            proliferation: (-self.proliferation_decline * above_peak).exp(),
            normal_collagen,
            melanin_excess_fade: match self.melanin_excess_half_life {
                Some(h) => (-std::f64::consts::LN_2 * day / h).exp(),
                None => 1.0,
            },
            set_point_lift: kinetics::set_point_lift(
                self.own_matrix_set_point,
                self.last_session_day,
                day,
                &self.rates,
            ),
        }
    }

    /// Normal-skin collagen production and loss at `synthesis` (the column model's ageing
    /// trajectory).
    fn normal_terms(&self, synthesis: f64) -> (f64, f64) {
        (
            self.base_collagen_synthesis * (1.0 + self.rates.collagen_iii_share) * synthesis,
            self.rates.collagen_degradation,
        )
    }

    /// Value of variable `v` at voxel `(pixel, k)`.
    pub fn value(&self, v: usize, pixel: usize, k: usize) -> f32 {
        let nz = self.grid.nz;
        self.state[pixel * LAYER_VARS * nz + v * nz + k]
    }

    /// One variable as a plain field (`(p * nz + k)`).
    pub fn variable(&self, v: usize) -> Vec<f32> {
        let nz = self.grid.nz;
        self.state
            .par_chunks(LAYER_VARS * nz)
            .flat_map_iter(|c| c[v * nz..(v + 1) * nz].iter().copied())
            .collect()
    }

    /// Collagen (I + III) of every voxel.
    pub fn collagen(&self) -> Vec<f32> {
        let nz = self.grid.nz;
        self.state
            .par_chunks(LAYER_VARS * nz)
            .flat_map_iter(|c| (0..nz).map(move |k| c[C1 * nz + k] + c[C3 * nz + k]))
            .collect()
    }

    pub fn collagen_before(&self) -> &[f32] {
        &self.collagen_before
    }

    pub fn matrix_factor(&self) -> &[f32] {
        &self.matrix_factor
    }

    pub fn surfaces(&self) -> &[Surface] {
        &self.surface
    }

    /// Dermal thickness under each pixel now, micrometres (each voxel's matrix share follows its
    /// collagen, as the column model's layers do).
    pub fn dermis_thickness_um(&self) -> Vec<f64> {
        let (nz, phi, dz) = (self.grid.nz, self.matrix_thickness_share, self.grid.dz_um);
        self.state
            .par_chunks(LAYER_VARS * nz)
            .map(|c| {
                (0..nz)
                    .map(|k| dz * (phi * (c[C1 * nz + k] + c[C3 * nz + k]) as f64 + 1.0 - phi))
                    .sum()
            })
            .collect()
    }

    /// Epidermal thickness of pixel `p` now, micrometres.
    pub fn epidermis_um(&self, pixel: usize) -> f64 {
        let decades = (self.age_years(self.day) - ageing::PEAK_AGE_YEARS).max(0.0) / 10.0;
        self.epidermis_ref_um * (1.0 - self.epidermis_loss_per_decade).powf(decades) * self.surface[pixel].epidermis
    }

    /// Which region each pixel belongs to.
    pub fn in_region(&self, region: Region, pixel: usize) -> bool {
        let w = self.lesion_weight[pixel];
        match region {
            Region::All => true,
            Region::Surrounding => w <= 0.0,
            Region::Lesion => w >= 0.5,
        }
    }

    /// Pixels of `region`.
    pub fn region_pixels(&self, region: Region) -> usize {
        (0..self.grid.pixels()).filter(|&p| self.in_region(region, p)).count()
    }

    // ----------------------------------------------------------------------------------------
    // Sessions
    // ----------------------------------------------------------------------------------------

    /// Needling: opens a channel at every puncture. Each channel is the column model's
    /// cone-tipped cylinder plus damage halo ([`PunctureField::channel_radius_um`]), measured from
    /// the skin surface at the puncture; a needle landing in a depression (crater floor, groove)
    /// starts that much lower, because the device rests on the surrounding skin, and so reaches
    /// that much less deep into the tissue below. Each voxel gets the share of it the channels
    /// cover (sub-sampled), and then exactly the column model's injury: damage, matrix destroyed,
    /// barrier opened.
    pub fn apply_session(&mut self, field: &PunctureField, punctures: &[Puncture], adjunct: bool) {
        self.last_session_day = Some(self.day);
        let grid = self.grid;
        let (nx, ny, nz) = (grid.nx, grid.ny, grid.nz);
        let thickness = self.dermis_thickness_um();
        let surrounding: Vec<usize> = (0..grid.pixels())
            .filter(|&p| self.in_region(Region::Surrounding, p))
            .collect();
        let reference_um = if surrounding.is_empty() {
            thickness.iter().cloned().fold(0.0, f64::max)
        } else {
            surrounding.iter().map(|&p| thickness[p]).sum::<f64>() / surrounding.len() as f64
        };
        let depression = |p: usize| (reference_um - thickness[p]).max(0.0);
        // Voxel mid-depths below the local skin surface, per pixel (current thicknesses).
        let (phi, dz) = (self.matrix_thickness_share, grid.dz_um);
        let nsub = SUBSAMPLES * SUBSAMPLES;
        let mut covered = vec![0u16; grid.voxels()];
        let mut opened = vec![0u16; grid.pixels()];
        let reach = field.needle_radius_um + field.halo_um;
        let reticular_top = self.epidermis_um(0) + self.setup.skin.papillary_um;
        let mut deep = [0usize; 3];
        let mut depths = vec![0.0f64; nz];
        for pu in punctures {
            let cx = ((pu.x_um / grid.dx_um).floor() as i64).clamp(0, nx as i64 - 1) as usize;
            let cy = ((pu.y_um / grid.dx_um).floor() as i64).clamp(0, ny as i64 - 1) as usize;
            let centre = cy * nx + cx;
            let depth_um = (field.depth_um - depression(centre)).max(0.0);
            let channel = PunctureField { depth_um, ..*field };
            let inside = pu.x_um >= 0.0
                && pu.y_um >= 0.0
                && pu.x_um < nx as f64 * grid.dx_um
                && pu.y_um < ny as f64 * grid.dx_um;
            if inside && depth_um > reticular_top {
                for (r, region) in [Region::All, Region::Surrounding, Region::Lesion]
                    .into_iter()
                    .enumerate()
                {
                    if self.in_region(region, centre) {
                        deep[r] += 1;
                    }
                }
            }
            let lo = |c: f64| (((c - reach) / grid.dx_um).floor().max(0.0)) as usize;
            let hi = |c: f64, n: usize| ((((c + reach) / grid.dx_um).ceil()).max(0.0) as usize).min(n);
            for iy in lo(pu.y_um)..hi(pu.y_um, ny) {
                for ix in lo(pu.x_um)..hi(pu.x_um, nx) {
                    let pix = iy * nx + ix;
                    // Sub-sample distances to the channel axis.
                    let mut dist = [0.0f64; SUBSAMPLES * SUBSAMPLES];
                    for sy in 0..SUBSAMPLES {
                        for sx in 0..SUBSAMPLES {
                            let x = (ix as f64 + (sx as f64 + 0.5) / SUBSAMPLES as f64) * grid.dx_um;
                            let y = (iy as f64 + (sy as f64 + 0.5) / SUBSAMPLES as f64) * grid.dx_um;
                            dist[sy * SUBSAMPLES + sx] = ((x - pu.x_um).powi(2) + (y - pu.y_um).powi(2)).sqrt();
                        }
                    }
                    let r0 = channel.channel_radius_um(0.0);
                    for (s, d) in dist.iter().enumerate() {
                        if r0 > 0.0 && *d <= r0 {
                            opened[pix] |= 1 << s;
                        }
                    }
                    let base = pix * LAYER_VARS * nz;
                    let epi = self.epidermis_um(pix);
                    let mut z = epi;
                    for k in 0..nz {
                        let c = (self.state[base + C1 * nz + k] + self.state[base + C3 * nz + k]) as f64;
                        let t = dz * (phi * c + 1.0 - phi);
                        depths[k] = z + 0.5 * t;
                        z += t;
                    }
                    for k in 0..nz {
                        let r = channel.channel_radius_um(depths[k]);
                        if r <= 0.0 {
                            break;
                        }
                        let rr = r + field.halo_um;
                        let mut bits = 0u16;
                        for (s, d) in dist.iter().enumerate() {
                            if *d <= rr {
                                bits |= 1 << s;
                            }
                        }
                        covered[pix * nz + k] |= bits;
                    }
                }
            }
        }
        // The column model's injury, voxel by voxel.
        let destroyed = self.matrix_destroyed;
        self.state
            .par_chunks_mut(LAYER_VARS * nz)
            .zip(covered.par_chunks(nz))
            .for_each(|(c, cov)| {
                for k in 0..nz {
                    let injured = cov[k].count_ones() as f64 / nsub as f64;
                    if injured <= 0.0 {
                        continue;
                    }
                    let d = c[D * nz + k] as f64;
                    c[D * nz + k] = (1.0 - (1.0 - d) * (1.0 - injured)) as f32;
                    let keep = (1.0 - injured * destroyed) as f32;
                    for v in [C3, C1, E, ED] {
                        c[v * nz + k] *= keep;
                    }
                }
            });
        for (s, o) in self.surface.iter_mut().zip(&opened) {
            let open = (self.barrier_disruption * o.count_ones() as f64 / nsub as f64).min(0.95);
            s.barrier *= 1.0 - open;
            if adjunct {
                s.adjunct = 1.0;
            }
        }
        self.barrier_recovery = self.barrier_recovery_rate / (1.0 + field.depth_um / self.barrier_depth_scale_um);
        for (r, region) in [Region::All, Region::Surrounding, Region::Lesion]
            .into_iter()
            .enumerate()
        {
            let a = self.region_pixels(region) as f64 * grid.dx_um * grid.dx_um * 1e-8;
            if a > 0.0 {
                self.deep_hole_dose[r] += deep[r] as f64 / a;
            }
        }
        self.next_dt = None;
    }

    // ----------------------------------------------------------------------------------------
    // Stepping
    // ----------------------------------------------------------------------------------------

    /// Solves the quasi-steady signal from the current inflammation and fibroblasts:
    /// −D ∇²g + μ g = p_i i + p_a (f − 1)⁺ (the column model's sources), no flux through the
    /// block's faces (the column's top and bottom, and mirror-symmetric neighbours laterally).
    pub fn solve_signal(&mut self) {
        let nz = self.grid.nz;
        let (pi, pa) = (self.signal_from_inflammation as f32, self.signal_autocrine as f32);
        self.source
            .par_chunks_mut(nz)
            .zip(self.state.par_chunks(LAYER_VARS * nz))
            .for_each(|(s, c)| {
                for k in 0..nz {
                    s[k] = pi * c[I * nz + k] + pa * (c[F * nz + k] - 1.0).max(0.0);
                }
            });
        let rep = self
            .signal_solver
            .solve(&mut self.signal, &self.source, SIGNAL_TOLERANCE, SIGNAL_MAX_ITERATIONS);
        self.work.signal_iterations += rep.iterations;
    }

    /// The surroundings of pixel `p`'s column at an instant.
    fn column_env<'a>(&self, pixel: usize, s: &'a ColumnScratch, at: &Instant) -> ColumnEnv<'a> {
        ColumnEnv {
            signal: &s.signal,
            matrix_factor: &s.matrix_factor,
            elastin_factor: &s.elastin_factor,
            collagen_synthesis: self.base_collagen_synthesis * at.synthesis,
            elastin_synthesis: self.base_elastin_synthesis * at.synthesis,
            synthesis_factor: at.synthesis,
            normal_collagen: at.normal_collagen,
            normal_elastin: self.normal_elastin,
            surroundings_gain: &s.surroundings_gain,
            responsiveness: self.responsiveness[pixel],
            deficit_feedback: self.deficit_feedback[pixel],
            set_point_lift: at.set_point_lift,
            remodelling_by_i: self.remodelling_by_i[pixel],
        }
    }

    fn surface_env(&self, pixel: usize, x: &[f64], at: &Instant) -> SurfaceEnv {
        let (nz, np) = (self.grid.nz, self.papillary_layers);
        let pap_i = x[I * nz..I * nz + np].iter().sum::<f64>() / np as f64;
        let pap_f = x[F * nz..F * nz + np].iter().map(|f| f - 1.0).sum::<f64>() / np as f64;
        SurfaceEnv {
            barrier_recovery: self.barrier_recovery,
            papillary_inflammation: pap_i,
            papillary_activation: pap_f,
            melanin_production: 1.0 + self.melanin_excess[pixel] * at.melanin_excess_fade,
            proliferation_factor: at.proliferation,
        }
    }

    /// Loads pixel `p`'s column into the scratch (f64).
    fn load(&self, pixel: usize, s: &mut ColumnScratch) {
        let nz = self.grid.nz;
        let src = &self.state[pixel * LAYER_VARS * nz..(pixel + 1) * LAYER_VARS * nz];
        for (d, v) in s.start.iter_mut().zip(src) {
            *d = *v as f64;
        }
        let r = pixel * nz..(pixel + 1) * nz;
        for (d, v) in s.signal.iter_mut().zip(&self.signal[r.clone()]) {
            *d = *v as f64;
        }
        for (d, v) in s.matrix_factor.iter_mut().zip(&self.matrix_factor[r.clone()]) {
            *d = *v as f64;
        }
        for (d, v) in s.elastin_factor.iter_mut().zip(&self.elastin_factor[r]) {
            *d = *v as f64;
        }
    }

    /// The fastest relative rate of change of pixel `p` (for the first step after a session).
    fn fastest_rate(&self, pixel: usize, s: &mut ColumnScratch, at: &Instant) -> f64 {
        self.load(pixel, s);
        let nz = self.grid.nz;
        let mut prod = std::mem::take(&mut s.prod0);
        let mut loss = std::mem::take(&mut s.loss0);
        kinetics::column_layer_terms(
            &s.start,
            &self.column_env(pixel, s, at),
            &self.rates,
            &mut prod,
            &mut loss,
        );
        let mut fastest: f64 = 0.0;
        for v in 0..LAYER_VARS {
            for k in 0..nz {
                let i = v * nz + k;
                fastest = fastest.max((prod[i] - loss[i] * s.start[i]).abs() / (s.start[i] + LAYER_FLOOR[v]));
            }
        }
        let senv = self.surface_env(pixel, &s.start, at);
        let (sp, sl) = kinetics::surface_terms(&self.surface[pixel], &senv, &self.rates);
        let sv = self.surface[pixel].as_array();
        for v in 0..SURFACE_VARS {
            fastest = fastest.max((sp[v] - sl[v] * sv[v]).abs() / (sv[v] + SURFACE_FLOOR[v]));
        }
        s.prod0 = prod;
        s.loss0 = loss;
        fastest
    }

    /// The exponential trapezoidal step of pixel `p`'s column over `dt` (the column model's
    /// predictor-corrector), written into `out` / `out_surface`; returns its error estimate.
    #[allow(clippy::too_many_arguments)]
    fn step_pixel(
        &self,
        pixel: usize,
        dt: f64,
        at0: &Instant,
        at1: &Instant,
        s: &mut ColumnScratch,
        out: &mut [f32],
        out_surface: &mut Surface,
    ) -> f64 {
        let nz = self.grid.nz;
        self.load(pixel, s);
        let mut b = std::mem::take(&mut s.prod0);
        let mut l = std::mem::take(&mut s.loss0);
        kinetics::column_layer_terms(&s.start, &self.column_env(pixel, s, at0), &self.rates, &mut b, &mut l);
        for v in 0..LAYER_VARS {
            let r = v * nz..(v + 1) * nz;
            kinetics::exponential_steps(
                &s.start[r.clone()],
                &b[r.clone()],
                &l[r.clone()],
                dt,
                &mut s.predicted[r],
                &mut s.phi_dt,
            );
        }
        let surface0 = self.surface[pixel];
        let senv0 = self.surface_env(pixel, &s.start, at0);
        let (sp0, sl0) = kinetics::surface_terms(&surface0, &senv0, &self.rates);
        let mut sv = surface0.as_array();
        for v in 0..SURFACE_VARS {
            sv[v] = kinetics::exponential_step(sv[v], sp0[v], sl0[v], dt);
        }
        let surface_pred = Surface::from_array(sv);
        let mut b1 = std::mem::take(&mut s.prod1);
        let mut l1 = std::mem::take(&mut s.loss1);
        kinetics::column_layer_terms(
            &s.predicted,
            &self.column_env(pixel, s, at1),
            &self.rates,
            &mut b1,
            &mut l1,
        );
        for (a, x) in b1.iter_mut().zip(&b) {
            *a = 0.5 * (x + *a);
        }
        for (a, x) in l1.iter_mut().zip(&l) {
            *a = 0.5 * (x + *a);
        }
        let mut error: f64 = 0.0;
        for v in 0..LAYER_VARS {
            let r = v * nz..(v + 1) * nz;
            kinetics::exponential_steps(
                &s.start[r.clone()],
                &b1[r.clone()],
                &l1[r.clone()],
                dt,
                &mut s.corrected[r.clone()],
                &mut s.phi_dt,
            );
            for k in r {
                let c = s.corrected[k];
                error = error.max((c - s.predicted[k]).abs() / (c + LAYER_FLOOR[v]));
            }
        }
        let senv1 = self.surface_env(pixel, &s.predicted, at1);
        let (sp1, sl1) = kinetics::surface_terms(&surface_pred, &senv1, &self.rates);
        let mut sv = surface0.as_array();
        let pred = surface_pred.as_array();
        for v in 0..SURFACE_VARS {
            let p = 0.5 * (sp0[v] + sp1[v]);
            let q = 0.5 * (sl0[v] + sl1[v]);
            sv[v] = kinetics::exponential_step(sv[v], p, q, dt);
            error = error.max((sv[v] - pred[v]).abs() / (sv[v] + SURFACE_FLOOR[v]));
        }
        *out_surface = Surface::from_array(sv);
        for (o, c) in out.iter_mut().zip(&s.corrected) {
            *o = *c as f32;
        }
        s.prod0 = b;
        s.loss0 = l;
        s.prod1 = b1;
        s.loss1 = l1;
        error
    }

    /// Tries one step of `dt` for every pixel into the `next` buffers; returns the largest error.
    fn try_step(&mut self, dt: f64, at0: &Instant, at1: &Instant) -> f64 {
        let nz = self.grid.nz;
        let mut next = std::mem::take(&mut self.next);
        let mut surface_next = std::mem::take(&mut self.surface_next);
        let nx = self.grid.nx;
        let this = &*self;
        let error = next
            .par_chunks_mut(nx * LAYER_VARS * nz)
            .zip(surface_next.par_chunks_mut(nx))
            .enumerate()
            .map_init(
                || ColumnScratch::new(nz),
                |s, (iy, (plane, surf))| {
                    let mut worst: f64 = 0.0;
                    for (ix, (out, os)) in plane.chunks_mut(LAYER_VARS * nz).zip(surf.iter_mut()).enumerate() {
                        let e = this.step_pixel(iy * nx + ix, dt, at0, at1, s, out, os);
                        worst = worst.max(e);
                    }
                    worst
                },
            )
            .reduce(|| 0.0, f64::max);
        self.next = next;
        self.surface_next = surface_next;
        error
    }

    /// Advances the patch to `until_day`, calling `on_step(self)` after every accepted step.
    pub fn advance(&mut self, until_day: f64, on_step: &mut dyn FnMut(&Patch)) {
        let c = self.control;
        let nz = self.grid.nz;
        let nx = self.grid.nx;
        self.solve_signal();
        while self.day < until_day - 1e-12 {
            let at0 = self.instant(self.day, self.normal_collagen);
            let mut dt = match self.next_dt {
                Some(dt) => dt,
                None => {
                    let this = &*self;
                    let fastest = (0..this.grid.ny)
                        .into_par_iter()
                        .map_init(
                            || ColumnScratch::new(nz),
                            |s, iy| {
                                (0..nx)
                                    .map(|ix| this.fastest_rate(iy * nx + ix, s, &at0))
                                    .fold(0.0, f64::max)
                            },
                        )
                        .reduce(|| 0.0, f64::max);
                    if fastest > 0.0 {
                        c.first_step_change / fastest
                    } else {
                        c.max_step_days
                    }
                }
            };
            dt = dt.clamp(c.min_step_days, c.max_step_days).min(until_day - self.day);
            let (np0, nl0) = self.normal_terms(at0.synthesis);
            let (error, normal1) = loop {
                let normal_pred = kinetics::exponential_step(self.normal_collagen, np0, nl0, dt);
                let at1 = self.instant(self.day + dt, normal_pred);
                let (np1, nl1) = self.normal_terms(at1.synthesis);
                let normal1 =
                    kinetics::exponential_step(self.normal_collagen, 0.5 * (np0 + np1), 0.5 * (nl0 + nl1), dt);
                let error = self.try_step(dt, &at0, &at1);
                if error <= c.tolerance || dt <= c.min_step_days {
                    break (error, normal1);
                }
                self.work.rejected_steps += 1;
                dt = (dt * (0.9 * (c.tolerance / error).sqrt()).max(0.2)).max(c.min_step_days);
            };
            std::mem::swap(&mut self.state, &mut self.next);
            std::mem::swap(&mut self.surface, &mut self.surface_next);
            self.normal_collagen = normal1;
            self.day += dt;
            self.work.steps += 1;
            self.next_dt = Some(dt * (0.9 * (c.tolerance / error.max(1e-12)).sqrt()).min(4.0));
            // Spread of inflammation and activated fibroblasts over the step.
            let grid = self.grid;
            let field = |v: usize| FieldLayout {
                stride: LAYER_VARS * nz,
                offset: v * nz,
            };
            implicit_diffusion_step(&mut self.state, &grid, field(I), self.inflammation_diffusivity, dt);
            implicit_diffusion_step(&mut self.state, &grid, field(F), self.fibroblast_motility, dt);
            self.work.diffusion_steps += 2;
            self.solve_signal();
            on_step(self);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Summaries
    // ----------------------------------------------------------------------------------------

    /// What a region of the patch reports now, in the column model's terms (means over the
    /// region's pixels; thickness from the voxels' matrix, as in the column model).
    pub fn snapshot(&self, region: Region) -> Snapshot {
        let (nz, nx) = (self.grid.nz, self.grid.nx);
        let np = self.papillary_layers;
        let (phi, dz) = (self.matrix_thickness_share, self.grid.dz_um);
        // Per-plane partial sums, added in plane order: the same result on any thread count.
        const Q: usize = 11;
        let parts: Vec<[f64; Q]> = self
            .state
            .par_chunks(nx * LAYER_VARS * nz)
            .enumerate()
            .map(|(iy, plane)| {
                let mut acc = [0.0f64; Q];
                for (ix, c) in plane.chunks(LAYER_VARS * nz).enumerate() {
                    let pix = iy * nx + ix;
                    if !self.in_region(region, pix) {
                        continue;
                    }
                    let mut sums = [0.0f64; 8];
                    for k in 0..nz {
                        let (c1, c3) = (c[C1 * nz + k] as f64, c[C3 * nz + k] as f64);
                        sums[0] += c1;
                        sums[1] += c3;
                        sums[2] += c[E * nz + k] as f64;
                        sums[3] += c[ED * nz + k] as f64;
                        sums[4] += c[F * nz + k] as f64;
                        sums[5] += dz * (phi * (c1 + c3) + 1.0 - phi);
                        sums[6] += self.redness_weights[k] * c[I * nz + k] as f64;
                        if k < np {
                            sums[7] += c1 + c3;
                        }
                    }
                    for q in 0..8 {
                        acc[q] += sums[q];
                    }
                    let s = &self.surface[pix];
                    acc[8] += s.barrier;
                    acc[9] += s.melanin;
                    acc[10] += self.epidermis_um(pix);
                }
                acc
            })
            .collect();
        let mut t = [0.0f64; Q];
        for part in &parts {
            for q in 0..Q {
                t[q] += part[q];
            }
        }
        let npix = self.region_pixels(region).max(1) as f64;
        let n = nz as f64 * npix;
        let iii = self.rates.collagen_iii_share;
        let mut s = Snapshot {
            day: self.day,
            ..Default::default()
        };
        s.collagen = (t[0] + t[1]) / n;
        s.collagen_i = t[0] * (1.0 + iii) / n;
        s.collagen_iii = t[1] * (1.0 + iii) / (iii * n);
        s.elastin_functional = t[2] / n;
        s.elastotic = t[3] / n;
        s.fibroblasts = t[4] / n;
        s.dermis_um = t[5] / npix;
        s.redness = t[6] / npix / self.redness_threshold;
        s.papillary_collagen = t[7] / (np as f64 * npix);
        s.dryness = 1.0 - t[8] / npix;
        s.melanin = t[9] / npix;
        s.epidermis_um = t[10] / npix;
        let (ac, ae) = self.stiffness_exponents;
        s.stiffness = s.collagen_i.max(0.0).powf(ac) * s.elastin_functional.max(0.0).powf(ae);
        s.deep_hole_dose = self.deep_hole_dose[match region {
            Region::All => 0,
            Region::Surrounding => 1,
            Region::Lesion => 2,
        }];
        s
    }

    /// Mean collagen (I + III) of `region` at each depth (reference voxel depth), now.
    pub fn collagen_profile(&self, region: Region) -> Vec<f64> {
        let nz = self.grid.nz;
        let mut sum = vec![0.0f64; nz];
        let mut count = 0usize;
        for (pix, c) in self.state.chunks(LAYER_VARS * nz).enumerate() {
            if !self.in_region(region, pix) {
                continue;
            }
            count += 1;
            for k in 0..nz {
                sum[k] += (c[C1 * nz + k] + c[C3 * nz + k]) as f64;
            }
        }
        sum.iter().map(|s| s / count.max(1) as f64).collect()
    }

    /// Mean depth of each voxel layer's middle below the skin surface in `region`, µm.
    pub fn layer_depths_um(&self, region: Region) -> Vec<f64> {
        let nz = self.grid.nz;
        let (phi, dz) = (self.matrix_thickness_share, self.grid.dz_um);
        let mut sum = vec![0.0f64; nz];
        let mut count = 0usize;
        for (pix, c) in self.state.chunks(LAYER_VARS * nz).enumerate() {
            if !self.in_region(region, pix) {
                continue;
            }
            count += 1;
            let mut z = self.epidermis_um(pix);
            for k in 0..nz {
                let t = dz * (phi * (c[C1 * nz + k] + c[C3 * nz + k]) as f64 + 1.0 - phi);
                sum[k] += z + 0.5 * t;
                z += t;
            }
        }
        sum.iter().map(|s| s / count.max(1) as f64).collect()
    }

    /// Total of every layer variable over the block (for conservation checks).
    pub fn totals(&self) -> [f64; LAYER_VARS] {
        let nz = self.grid.nz;
        let mut t = [0.0; LAYER_VARS];
        for c in self.state.chunks(LAYER_VARS * nz) {
            for v in 0..LAYER_VARS {
                t[v] += c[v * nz..(v + 1) * nz].iter().map(|&x| x as f64).sum::<f64>();
            }
        }
        t
    }

    /// Whether every stored value is finite and non-negative.
    pub fn all_finite_and_non_negative(&self) -> bool {
        self.state.par_iter().all(|v| v.is_finite() && *v >= 0.0)
            && self.signal.par_iter().all(|v| v.is_finite() && *v >= 0.0)
            && self
                .surface
                .iter()
                .all(|s| s.as_array().iter().all(|v| v.is_finite() && *v >= 0.0))
    }

    /// Redness index of each pixel (visibility-weighted inflammation / visible threshold).
    pub fn redness_map(&self) -> Vec<f32> {
        let nz = self.grid.nz;
        self.state
            .par_chunks(LAYER_VARS * nz)
            .map(|c| {
                ((0..nz)
                    .map(|k| self.redness_weights[k] * c[I * nz + k] as f64)
                    .sum::<f64>()
                    / self.redness_threshold) as f32
            })
            .collect()
    }
}
