//! PNG of a plan's predicted trajectory: the primary concern's grade before treatment, one
//! interval after each session and at the end of the follow-up, as the median with its 10-90 %
//! band over the virtual cohort, and the session dates as dashed lines.

use crate::plot::{
    axis, dashed_key, ensure_font, finite_range, label_style, legend, solid_key, tick, titled_root, DrawResult,
    PlotError, GREY, HEIGHT, PALETTE, WIDTH,
};
use cit_plan::plan::{Plan, Recommendation};
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Writes `trajectory.png` into `dir` (created if missing); `None` when the plan has no
/// recommendation to draw.
pub fn write_trajectory(plan: &Plan, title: &str, dir: &Path) -> Result<Option<PathBuf>, PlotError> {
    let Some(rec) = &plan.recommendation else {
        return Ok(None);
    };
    ensure_font()?;
    std::fs::create_dir_all(dir).map_err(|e| PlotError::Io {
        path: dir.to_path_buf(),
        message: format!("cannot create directory: {e}"),
    })?;
    let path = dir.join("trajectory.png");
    draw(&path, title, rec).map_err(|e| PlotError::Draw {
        path: path.clone(),
        message: e.to_string(),
    })?;
    if !path.is_file() {
        return Err(PlotError::Io {
            path,
            message: "file was not written".to_string(),
        });
    }
    Ok(Some(path))
}

/// (day, p10, p50, p90) points of the primary concern, before treatment first.
fn points(rec: &Recommendation) -> Vec<(f64, f64, f64, f64)> {
    let pred = &rec.predicted[0];
    let mut pts = vec![(0.0, pred.before, pred.before, pred.before)];
    pts.extend(pred.after_session.iter().map(|(d, s)| (*d, s.p10, s.p50, s.p90)));
    let (d, s) = pred.end_of_follow_up;
    pts.push((d, s.p10, s.p50, s.p90));
    // One interval after the last session can come after the end of a short follow-up.
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts
}

fn draw(path: &Path, title: &str, rec: &Recommendation) -> DrawResult {
    let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    let pred = &rec.predicted[0];
    let area = titled_root(&root, title, "predicted grade over the course (median, 10-90 % band)")?;
    let pts = points(rec);
    let x_range = axis(finite_range(pts.iter().map(|p| p.0)), (0.0, 1.0), 0.02, 0.02);
    let y_range = axis(
        finite_range(pts.iter().flat_map(|p| [p.1, p.3])),
        (0.0, 1.0),
        0.08,
        0.45,
    );
    let mut chart = ChartBuilder::on(&area)
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(x_range.clone(), y_range.clone())?;
    chart
        .configure_mesh()
        .x_desc("Day after the first session")
        .y_desc(format!("Grade ({}; lower is better)", pred.scale))
        .axis_desc_style(label_style(17.0))
        .label_style(label_style(14.0))
        .light_line_style(RGBColor(242, 242, 242))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()?;

    let color = PALETTE[0];
    let band: Vec<(f64, f64)> = pts
        .iter()
        .map(|p| (p.0, p.3))
        .chain(pts.iter().rev().map(|p| (p.0, p.1)))
        .collect();
    chart
        .draw_series(std::iter::once(Polygon::new(band, color.mix(0.2).filled())))?
        .label("10-90 % of virtual patients")
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 24, y + 5)], color.mix(0.2).filled()));
    chart
        .draw_series(LineSeries::new(pts.iter().map(|p| (p.0, p.2)), color.stroke_width(2)).point_size(3))?
        .label("median")
        .legend(solid_key(color));
    for (k, s) in rec.schedule.iter().enumerate() {
        let line = DashedLineSeries::new(
            vec![(s.day, y_range.start), (s.day, y_range.end)],
            8,
            6,
            GREY.stroke_width(1),
        );
        let drawn = chart.draw_series(line)?;
        if k == 0 {
            drawn.label("session").legend(dashed_key(GREY));
        }
        let label = match s.date {
            Some(d) => d.to_string(),
            None => format!("day {}", tick(s.day)),
        };
        let top = y_range.end - 0.04 * (y_range.end - y_range.start) * (1 + k % 2) as f64;
        chart.draw_series(std::iter::once(Text::new(label, (s.day, top), label_style(12.0))))?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}
