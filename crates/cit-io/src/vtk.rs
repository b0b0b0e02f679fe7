//! VTK ImageData (`.vti`, raw binary appended data) and ParaView time collections (`.pvd`),
//! and NumPy `.npy` arrays, for 3-D fields on a regular grid.
//!
//! Fields are cell data, `f32`, with x varying fastest, then y, then z (VTK's order; the same
//! order a C-ordered NumPy array of shape (nz, ny, nx) has). The writer knows nothing about the
//! model: callers hand it named arrays.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// An error while writing a field file.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct FieldIoError {
    pub path: PathBuf,
    pub message: String,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> FieldIoError {
    FieldIoError {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// A regular grid of cells: `cells` per axis, `spacing` and `origin` (same unit, e.g. mm).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageGrid {
    pub cells: [usize; 3],
    pub spacing: [f64; 3],
    pub origin: [f64; 3],
}

impl ImageGrid {
    pub fn cell_count(&self) -> usize {
        self.cells.iter().product()
    }
}

/// Writes `fields` (name, values in x-fastest order) as a `.vti` file with raw binary appended
/// data (UInt64 headers). Every field must hold one value per cell.
pub fn write_vti(path: &Path, grid: &ImageGrid, fields: &[(&str, &[f32])]) -> Result<(), FieldIoError> {
    let n = grid.cell_count();
    if let Some((name, f)) = fields.iter().find(|(_, f)| f.len() != n) {
        return Err(io_err(
            path,
            format!("field {name} has {} values for {n} cells", f.len()),
        ));
    }
    let [cx, cy, cz] = grid.cells;
    let mut xml = String::new();
    let _ = writeln!(xml, "<?xml version=\"1.0\"?>");
    let _ = writeln!(
        xml,
        "<VTKFile type=\"ImageData\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">"
    );
    let extent = format!("0 {cx} 0 {cy} 0 {cz}");
    let _ = writeln!(
        xml,
        "  <ImageData WholeExtent=\"{extent}\" Origin=\"{} {} {}\" Spacing=\"{} {} {}\">",
        grid.origin[0], grid.origin[1], grid.origin[2], grid.spacing[0], grid.spacing[1], grid.spacing[2]
    );
    let _ = writeln!(xml, "    <Piece Extent=\"{extent}\">");
    let _ = writeln!(
        xml,
        "      <CellData Scalars=\"{}\">",
        fields.first().map(|f| f.0).unwrap_or("")
    );
    let mut offset = 0u64;
    for (name, _) in fields {
        let _ = writeln!(
            xml,
            "        <DataArray type=\"Float32\" Name=\"{name}\" format=\"appended\" offset=\"{offset}\"/>"
        );
        offset += 8 + 4 * n as u64;
    }
    let _ = writeln!(xml, "      </CellData>");
    let _ = writeln!(xml, "    </Piece>");
    let _ = writeln!(xml, "  </ImageData>");
    let _ = write!(xml, "  <AppendedData encoding=\"raw\">\n   _");
    let file = std::fs::File::create(path).map_err(|e| io_err(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    let mut put = |b: &[u8]| w.write_all(b).map_err(|e| io_err(path, e));
    put(xml.as_bytes())?;
    for (_, f) in fields {
        put(&(4 * n as u64).to_le_bytes())?;
        let mut bytes = Vec::with_capacity(4 * n);
        for v in *f {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        put(&bytes)?;
    }
    put(b"\n  </AppendedData>\n</VTKFile>\n")?;
    w.flush().map_err(|e| io_err(path, e))
}

/// Writes a ParaView collection of `(time, file name)` entries (file names relative to the
/// collection's directory).
pub fn write_pvd(path: &Path, entries: &[(f64, String)]) -> Result<(), FieldIoError> {
    let mut xml = String::new();
    let _ = writeln!(xml, "<?xml version=\"1.0\"?>");
    let _ = writeln!(
        xml,
        "<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">"
    );
    let _ = writeln!(xml, "  <Collection>");
    for (t, file) in entries {
        let _ = writeln!(
            xml,
            "    <DataSet timestep=\"{t}\" group=\"\" part=\"0\" file=\"{file}\"/>"
        );
    }
    let _ = writeln!(xml, "  </Collection>");
    let _ = writeln!(xml, "</VTKFile>");
    std::fs::write(path, xml).map_err(|e| io_err(path, e))
}

/// Writes `values` as a little-endian float32 NumPy array of `shape` (C order).
pub fn write_npy(path: &Path, shape: &[usize], values: &[f32]) -> Result<(), FieldIoError> {
    let n: usize = shape.iter().product();
    if n != values.len() {
        return Err(io_err(path, format!("{} values for shape {shape:?}", values.len())));
    }
    let dims = shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
    let trailing = if shape.len() == 1 { "," } else { "" };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}{trailing}), }}");
    // Magic (6) + version (2) + header length (2) + header + newline, padded to 64 bytes.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut bytes = Vec::with_capacity(10 + header.len() + 4 * n);
    bytes.extend_from_slice(b"\x93NUMPY\x01\x00");
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, bytes).map_err(|e| io_err(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vti_has_the_declared_array_sizes_and_npy_header_is_aligned() {
        let dir = std::env::temp_dir().join(format!("cit-vtk-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let grid = ImageGrid {
            cells: [3, 2, 2],
            spacing: [0.02, 0.02, 0.02],
            origin: [0.0, 0.0, -0.04],
        };
        let a: Vec<f32> = (0..12).map(|k| k as f32).collect();
        let path = dir.join("f.vti");
        write_vti(&path, &grid, &[("a", &a), ("b", &a)]).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let marker = b"<AppendedData encoding=\"raw\">\n   _";
        let start = bytes.windows(marker.len()).position(|w| w == marker).unwrap() + marker.len();
        let len = u64::from_le_bytes(bytes[start..start + 8].try_into().unwrap());
        assert_eq!(len, 48);
        let first = f32::from_le_bytes(bytes[start + 8 + 4..start + 12 + 4].try_into().unwrap());
        assert_eq!(first, 1.0);
        assert!(write_vti(&path, &grid, &[("short", &a[..5])]).is_err());
        let npy = dir.join("f.npy");
        write_npy(&npy, &[2, 2, 3], &a).unwrap();
        let b = std::fs::read(&npy).unwrap();
        let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
        assert_eq!((10 + hlen) % 64, 0);
        assert_eq!(b.len(), 10 + hlen + 48);
        std::fs::remove_dir_all(&dir).ok();
    }
}
