//! The voxel grid of a patch: `nx` × `ny` pixels of `dx_um` across the surface, `nz` voxels of
//! `dz_um` down through the dermis.
//!
//! Every 3-D field is one `Vec<f32>` in pixel-major order: voxel `(ix, iy, iz)` at
//! `(iy * nx + ix) * nz + iz`. A pixel's depth column is contiguous (the kinetics of a column of
//! voxels run on it as one column of layers), and a line along x or y is a run of depth columns,
//! so the implicit line solves sweep whole depth columns at a time (vectorised over depth).

/// Shape and spacing of a patch's voxel block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    pub nx: usize,
    pub ny: usize,
    pub nz: usize,
    /// Lateral voxel edge, micrometres.
    pub dx_um: f64,
    /// Vertical voxel edge (at the reference matrix content), micrometres.
    pub dz_um: f64,
}

impl Grid {
    /// A grid of cubic voxels of `resolution_um` covering `size_um` laterally and `depth_um` down
    /// (each rounded to a whole number of voxels, at least 1; the vertical edge is adjusted so
    /// that the voxels fill `depth_um` exactly).
    pub fn new(size_um: [f64; 2], depth_um: f64, resolution_um: f64) -> Grid {
        let count = |len: f64| ((len / resolution_um).round() as usize).max(1);
        let nz = count(depth_um);
        Grid {
            nx: count(size_um[0]),
            ny: count(size_um[1]),
            nz,
            dx_um: resolution_um,
            dz_um: depth_um / nz as f64,
        }
    }

    pub fn pixels(&self) -> usize {
        self.nx * self.ny
    }

    pub fn voxels(&self) -> usize {
        self.nx * self.ny * self.nz
    }

    /// Index of voxel `(ix, iy, iz)` in a field.
    #[inline]
    pub fn at(&self, ix: usize, iy: usize, iz: usize) -> usize {
        (iy * self.nx + ix) * self.nz + iz
    }

    /// Centre of pixel `(ix, iy)`, micrometres from the patch's corner.
    pub fn pixel_centre_um(&self, ix: usize, iy: usize) -> (f64, f64) {
        ((ix as f64 + 0.5) * self.dx_um, (iy as f64 + 0.5) * self.dx_um)
    }

    /// Lateral extent, micrometres.
    pub fn size_um(&self) -> (f64, f64) {
        (self.nx as f64 * self.dx_um, self.ny as f64 * self.dx_um)
    }

    /// A field of zeros.
    pub fn field(&self) -> Vec<f32> {
        vec![0.0; self.voxels()]
    }
}
