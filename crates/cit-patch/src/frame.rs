//! The fields of a patch at one instant, arranged for output (no I/O here): a block of cells
//! through the whole skin (the epidermis rows on top of the dermal voxels), x varying fastest,
//! then y, then z from the deepest row up; and 2-D slices for images.

use crate::patch::Patch;
use cit_core::kinetics::{C1, C3, D, E, F, I};

/// Named cell fields of a block `cells` = [nx, ny, nz_total] with cubic-ish cells of
/// `spacing_um` = [dx, dy, dz].
#[derive(Debug, Clone, PartialEq)]
pub struct FrameFields {
    pub day: f64,
    pub cells: [usize; 3],
    pub spacing_um: [f64; 3],
    /// Epidermis rows on top of the dermis.
    pub epidermis_rows: usize,
    pub fields: Vec<(&'static str, Vec<f32>)>,
}

/// Tissue labels of the `tissue` field.
pub const TISSUE_EPIDERMIS: f32 = 0.0;
pub const TISSUE_PAPILLARY: f32 = 1.0;
pub const TISSUE_RETICULAR: f32 = 2.0;
pub const TISSUE_LESION: f32 = 3.0;

/// Collagen change in percent of the value before treatment.
fn change_pct(now: &[f32], before: &[f32]) -> Vec<f32> {
    now.iter()
        .zip(before)
        .map(|(a, b)| if *b > 0.0 { 100.0 * (a / b - 1.0) } else { 0.0 })
        .collect()
}

impl Patch {
    /// Collagen change of every voxel in percent (`(p * nz + k)` order).
    pub fn collagen_change_pct(&self) -> Vec<f32> {
        change_pct(&self.collagen(), self.collagen_before())
    }

    /// The output block of the patch now.
    pub fn frame_fields(&self) -> FrameFields {
        let g = self.grid;
        let (nx, ny, nz) = (g.nx, g.ny, g.nz);
        let epi_um = (0..g.pixels()).map(|p| self.epidermis_um(p)).sum::<f64>() / g.pixels() as f64;
        let ne = ((epi_um / g.dz_um).round() as usize).max(1);
        let nt = nz + ne;
        let cells = nx * ny * nt;
        // Cell (ix, iy, kz) with kz = 0 the deepest: dermal voxel k = nt - 1 - kz (if < nz).
        let to_image = |plain: &[f32]| -> Vec<f32> {
            let mut out = vec![0.0f32; cells];
            for kz in 0..nz {
                let k = nz - 1 - kz;
                for iy in 0..ny {
                    for ix in 0..nx {
                        out[(kz * ny + iy) * nx + ix] = plain[(iy * nx + ix) * nz + k];
                    }
                }
            }
            out
        };
        let surface = |get: &dyn Fn(usize) -> f32| -> Vec<f32> {
            let mut out = vec![0.0f32; cells];
            for kz in nz..nt {
                for pix in 0..g.pixels() {
                    out[kz * nx * ny + pix] = get(pix);
                }
            }
            out
        };
        let mut tissue = vec![TISSUE_EPIDERMIS; cells];
        let mf = self.matrix_factor();
        let np = self.papillary_layers();
        for kz in 0..nz {
            let k = nz - 1 - kz;
            for pix in 0..g.pixels() {
                tissue[kz * nx * ny + pix] = if (mf[pix * nz + k] - 1.0).abs() > 1e-6 {
                    TISSUE_LESION
                } else if k < np {
                    TISSUE_PAPILLARY
                } else {
                    TISSUE_RETICULAR
                };
            }
        }
        let s = self.surfaces();
        let fields = vec![
            ("tissue", tissue),
            ("collagen_change_pct", to_image(&self.collagen_change_pct())),
            ("collagen", to_image(&self.collagen())),
            ("collagen_i", to_image(&self.variable(C1))),
            ("collagen_iii", to_image(&self.variable(C3))),
            ("elastin", to_image(&self.variable(E))),
            ("fibroblasts", to_image(&self.variable(F))),
            ("inflammation", to_image(&self.variable(I))),
            ("damage", to_image(&self.variable(D))),
            ("signal", to_image(&self.signal)),
            ("barrier", surface(&|p| s[p].barrier as f32)),
            ("melanin", surface(&|p| s[p].melanin as f32)),
        ];
        FrameFields {
            day: self.day,
            cells: [nx, ny, nt],
            spacing_um: [g.dx_um, g.dx_um, g.dz_um],
            epidermis_rows: ne,
            fields,
        }
    }

    /// A depth cross-section (x across, depth down; row 0 the top of the dermis) of a plain
    /// field through row `iy`: `values[k * nx + ix]`.
    pub fn cross_section(&self, plain: &[f32], iy: usize) -> Vec<f32> {
        let g = self.grid;
        let iy = iy.min(g.ny - 1);
        let mut out = vec![0.0f32; g.nx * g.nz];
        for k in 0..g.nz {
            for ix in 0..g.nx {
                out[k * g.nx + ix] = plain[(iy * g.nx + ix) * g.nz + k];
            }
        }
        out
    }

    /// The mean over depth of a plain field under every pixel: `values[iy * nx + ix]`.
    pub fn depth_mean(&self, plain: &[f32]) -> Vec<f32> {
        let nz = self.grid.nz;
        plain
            .chunks(nz)
            .map(|c| c.iter().map(|&v| v as f64).sum::<f64>() as f32 / nz as f32)
            .collect()
    }
}
