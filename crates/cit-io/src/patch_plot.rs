//! PNG images of the patch model's fields: heat maps (en-face and depth cross-sections) with a
//! colour bar and axes in millimetres, and en-face puncture maps.
//!
//! Like [`crate::vtk`], these draw plain arrays; the caller chooses the slice and the labels.

use crate::plot::{ensure_font, PlotError, FONT};
use plotters::prelude::*;
use std::error::Error;
use std::path::Path;

const WIDTH: u32 = 900;
const HEIGHT: u32 = 760;

/// A 2-D map to draw: `values[row * cols + col]`, row 0 at the top of the image, covering
/// `x_mm` across and `y_mm` down (`y_mm.0` at the top).
#[derive(Debug, Clone, Copy)]
pub struct HeatMap<'a> {
    pub values: &'a [f32],
    pub cols: usize,
    pub rows: usize,
    pub x_mm: (f64, f64),
    pub y_mm: (f64, f64),
    pub x_label: &'a str,
    pub y_label: &'a str,
    /// Colour-bar label (the quantity and its unit).
    pub value_label: &'a str,
    /// Blue-white-red symmetric about zero (for changes); otherwise a sequential map.
    pub diverging: bool,
}

fn draw_err(path: &Path, e: Box<dyn Error>) -> PlotError {
    PlotError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Sequential colour map (dark blue → teal → yellow), `t` in [0, 1].
fn sequential(t: f64) -> RGBColor {
    let stops = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = t.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
    let i = (t.floor() as usize).min(stops.len() - 2);
    let f = t - i as f64;
    let (a, b) = (stops[i], stops[i + 1]);
    let l = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(l(a.0, b.0), l(a.1, b.1), l(a.2, b.2))
}

/// Diverging colour map (blue ← white → red), `t` in [−1, 1].
fn diverging(t: f64) -> RGBColor {
    let t = t.clamp(-1.0, 1.0);
    let (r, g, b) = if t < 0.0 {
        let f = -t;
        (255.0 - 196.0 * f, 255.0 - 180.0 * f, 255.0 - 75.0 * f)
    } else {
        (255.0 - 75.0 * t, 255.0 - 210.0 * t, 255.0 - 215.0 * t)
    };
    RGBColor(r.round() as u8, g.round() as u8, b.round() as u8)
}

/// Value range of the colour bar: symmetric about zero for diverging maps.
fn range(m: &HeatMap) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in m.values {
        if v.is_finite() {
            lo = lo.min(v as f64);
            hi = hi.max(v as f64);
        }
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if m.diverging {
        let a = lo.abs().max(hi.abs()).max(1e-9);
        (-a, a)
    } else if hi - lo < 1e-12 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

fn colour(m: &HeatMap, v: f64, lo: f64, hi: f64) -> RGBColor {
    if m.diverging {
        diverging(v / hi)
    } else {
        sequential((v - lo) / (hi - lo))
    }
}

/// Writes a heat map with a colour bar.
pub fn write_heat_map(path: &Path, title: &str, m: &HeatMap) -> Result<(), PlotError> {
    ensure_font()?;
    draw_heat_map(path, title, m).map_err(|e| draw_err(path, e))
}

fn draw_heat_map(path: &Path, title: &str, m: &HeatMap) -> Result<(), Box<dyn Error>> {
    let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let (main, bar) = root.split_horizontally(WIDTH - 150);
    let (lo, hi) = range(m);
    let mut chart = ChartBuilder::on(&main)
        .caption(title, (FONT, 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(m.x_mm.0..m.x_mm.1, m.y_mm.1..m.y_mm.0)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(m.x_label)
        .y_desc(m.y_label)
        .label_style((FONT, 15))
        .draw()?;
    let (dx, dy) = (
        (m.x_mm.1 - m.x_mm.0) / m.cols as f64,
        (m.y_mm.1 - m.y_mm.0) / m.rows as f64,
    );
    chart.draw_series((0..m.rows).flat_map(|r| {
        (0..m.cols).map(move |c| {
            let v = m.values[r * m.cols + c] as f64;
            let (x0, y0) = (m.x_mm.0 + c as f64 * dx, m.y_mm.0 + r as f64 * dy);
            Rectangle::new([(x0, y0), (x0 + dx, y0 + dy)], colour(m, v, lo, hi).filled())
        })
    }))?;
    let mut cb = ChartBuilder::on(&bar)
        .margin_top(50)
        .margin_bottom(60)
        .margin_right(70)
        .y_label_area_size(0)
        .right_y_label_area_size(60)
        .build_cartesian_2d(0.0..1.0, lo..hi)?
        .set_secondary_coord(0.0..1.0, lo..hi);
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .disable_y_axis()
        .draw()?;
    cb.configure_secondary_axes()
        .y_desc(m.value_label)
        .label_style((FONT, 14))
        .draw()?;
    let steps = 100;
    cb.draw_series((0..steps).map(|k| {
        let a = lo + (hi - lo) * k as f64 / steps as f64;
        let b = lo + (hi - lo) * (k + 1) as f64 / steps as f64;
        Rectangle::new([(0.0, a), (1.0, b)], colour(m, 0.5 * (a + b), lo, hi).filled())
    }))?;
    root.present()?;
    Ok(())
}

/// Writes an en-face map of punctures (centres in mm) drawn as discs of the needle radius,
/// on a patch `size_mm` across.
pub fn write_puncture_map(
    path: &Path,
    title: &str,
    size_mm: (f64, f64),
    punctures_mm: &[(f64, f64)],
    radius_mm: f64,
) -> Result<(), PlotError> {
    ensure_font()?;
    draw_punctures(path, title, size_mm, punctures_mm, radius_mm).map_err(|e| draw_err(path, e))
}

fn draw_punctures(
    path: &Path,
    title: &str,
    size_mm: (f64, f64),
    pts: &[(f64, f64)],
    radius_mm: f64,
) -> Result<(), Box<dyn Error>> {
    let side = 760u32;
    let root = BitMapBackend::new(path, (side, side)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT, 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..size_mm.0, size_mm.1..0.0)?;
    chart
        .configure_mesh()
        .x_desc("x (mm)")
        .y_desc("y (mm)")
        .label_style((FONT, 15))
        .draw()?;
    let plot_px = (side as f64 - 85.0) / size_mm.0.max(size_mm.1);
    let r_px = ((radius_mm * plot_px).round() as i32).max(2);
    let inside: Vec<_> = pts
        .iter()
        .filter(|(x, y)| *x >= 0.0 && *y >= 0.0 && *x <= size_mm.0 && *y <= size_mm.1)
        .collect();
    chart.draw_series(
        inside
            .iter()
            .map(|&&(x, y)| Circle::new((x, y), r_px, RGBColor(200, 40, 40).mix(0.7).filled())),
    )?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_map_and_puncture_map_are_written() {
        let dir = std::env::temp_dir().join(format!("cit-patch-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let values: Vec<f32> = (0..30).map(|k| k as f32 - 10.0).collect();
        let m = HeatMap {
            values: &values,
            cols: 6,
            rows: 5,
            x_mm: (0.0, 1.2),
            y_mm: (0.0, 1.0),
            x_label: "x (mm)",
            y_label: "depth (mm)",
            value_label: "collagen change (%)",
            diverging: true,
        };
        let p = dir.join("map.png");
        write_heat_map(&p, "test", &m).unwrap();
        assert!(std::fs::metadata(&p).unwrap().len() > 1000);
        let q = dir.join("punctures.png");
        write_puncture_map(&q, "test", (1.0, 1.0), &[(0.2, 0.3), (0.7, 0.9)], 0.06).unwrap();
        assert!(q.is_file());
        std::fs::remove_dir_all(&dir).ok();
    }
}
