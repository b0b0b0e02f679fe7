//! PNG charts of one simulation result.
//!
//! [`write_plots`] writes up to three charts into a directory:
//!
//! - `collagen.png`: collagen I, collagen III and total elastin (relative to a 25-year-old = 1)
//!   over the whole course, with dashed vertical lines at the session days;
//! - `side_effects.png`: redness index and dryness over the 14 days after each session,
//!   overlaid (one line per session), in two panels side by side;
//! - `depth_profile.png`: collagen by depth before treatment and at the end.
//!
//! The first two need the recorded time series; when the result has none (simulated with
//! `record = false`) they are skipped. Text is drawn with the DejaVu Sans font embedded in the
//! crate (`assets/DejaVuSans.ttf`, licence in `assets/DejaVu-LICENSE`), so no system font library
//! is needed.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cit_core::column::Snapshot;
use cit_core::simulate::SimulationResult;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// An error while writing a chart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlotError {
    /// The embedded font could not be registered.
    #[error("cannot load the embedded plot font: {0}")]
    Font(String),
    /// A file or directory could not be created or written.
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    /// Drawing or encoding a chart failed.
    #[error("{}: cannot draw chart: {message}", path.display())]
    Draw { path: PathBuf, message: String },
}

/// DejaVu Sans, embedded so text renders without a system font library.
static FONT_TTF: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
/// The family name the charts ask for (plotters' `FontFamily::SansSerif`).
pub(crate) const FONT: &str = "sans-serif";

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 600;
/// Length of the side-effect window after each session, days.
const SIDE_EFFECT_DAYS: f64 = 14.0;

/// Series colours (Tableau 10), colour-blind friendlier than the primaries.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
const GREY: RGBColor = RGBColor(110, 110, 110);

type DrawResult = Result<(), Box<dyn Error>>;

/// Registers the embedded font with plotters, once per process.
pub(crate) fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FONT, FontStyle::Normal, FONT_TTF)
                .map_err(|_| "DejaVuSans.ttf is not a valid font".to_string())
        })
        .clone()
        .map_err(PlotError::Font)
}

/// Writes the PNG charts of one result into `dir` and returns the paths written.
///
/// `dir` is created if missing. Charts whose data is missing (no recorded time series, empty
/// depth profile) are skipped, so the returned list may be shorter than three.
pub fn write_plots(result: &SimulationResult, title: &str, dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    ensure_font()?;
    std::fs::create_dir_all(dir).map_err(|e| PlotError::Io {
        path: dir.to_path_buf(),
        message: format!("cannot create directory: {e}"),
    })?;

    let mut written = Vec::new();
    let mut write = |name: &str, draw: &dyn Fn(&Path) -> DrawResult| -> Result<(), PlotError> {
        let path = dir.join(name);
        draw(&path).map_err(|e| PlotError::Draw {
            path: path.clone(),
            message: e.to_string(),
        })?;
        // plotters reports some encoder failures only by not writing the file.
        if !path.is_file() {
            return Err(PlotError::Io {
                path,
                message: "file was not written".to_string(),
            });
        }
        written.push(path);
        Ok(())
    };

    let samples = &result.timeseries.samples;
    let session_days: Vec<f64> = result
        .sessions
        .iter()
        .map(|s| s.day)
        .filter(|d| d.is_finite())
        .collect();
    if !samples.is_empty() {
        write("collagen.png", &|p| draw_collagen(p, title, samples, &session_days))?;
        write("side_effects.png", &|p| {
            draw_side_effects(p, title, samples, &session_days)
        })?;
    }
    let profile = &result.depth_profile;
    if !profile.depth_um.is_empty() {
        write("depth_profile.png", &|p| {
            draw_depth_profile(
                p,
                title,
                &profile.depth_um,
                &profile.collagen_before,
                &profile.collagen_after,
            )
        })?;
    }
    Ok(written)
}

/// Smallest and largest finite value, or `None`.
fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// An axis range around `range` (default `fallback`) with a non-zero span, padded by `below` and
/// `above` times the span.
fn axis(range: Option<(f64, f64)>, fallback: (f64, f64), below: f64, above: f64) -> std::ops::Range<f64> {
    let (mut lo, mut hi) = range.unwrap_or(fallback);
    if hi - lo <= 1e-9 * lo.abs().max(hi.abs()).max(1e-12) {
        let half = 0.1 * lo.abs().max(1.0);
        lo -= half;
        hi += half;
    }
    let span = hi - lo;
    (lo - below * span)..(hi + above * span)
}

/// Tick label: up to 4 decimals, without trailing zeros.
fn tick(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn label_style(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

/// White root area with the chart title on top; returns the area below the title.
fn titled_root<'a>(
    root: &DrawingArea<BitMapBackend<'a>, Shift>,
    title: &str,
    chart: &str,
) -> Result<DrawingArea<BitMapBackend<'a>, Shift>, Box<dyn Error>> {
    root.fill(&WHITE)?;
    let mut chart_name = chart.to_string();
    if let Some(first) = chart_name.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let area = root.titled(&chart_name, label_style(24.0))?;
    let title = title.trim();
    if title.is_empty() {
        return Ok(area);
    }
    // The scenario's name goes on a smaller second line, shortened to fit the width.
    const MAX_CHARS: usize = 110;
    let subtitle = if title.chars().count() > MAX_CHARS {
        format!("{}…", title.chars().take(MAX_CHARS - 1).collect::<String>())
    } else {
        title.to_string()
    };
    Ok(area.titled(&subtitle, label_style(16.0))?)
}

/// Draws the legend box of `chart` at `pos`.
fn legend<'a, 'b: 'a, X, Y>(
    chart: &mut ChartContext<'a, BitMapBackend<'b>, Cartesian2d<X, Y>>,
    pos: SeriesLabelPosition,
) -> DrawResult
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
{
    chart
        .configure_series_labels()
        .position(pos)
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .label_font(label_style(15.0))
        .draw()?;
    Ok(())
}

fn solid_key(color: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
}

fn dashed_key(color: RGBColor) -> impl Fn((i32, i32)) -> DashedPathElement<std::vec::IntoIter<(i32, i32)>, i32> {
    move |(x, y)| DashedPathElement::new(vec![(x, y), (x + 24, y)], 6, 4, color.stroke_width(2))
}

/// Chart 1: collagen I, collagen III and total elastin over the course.
fn draw_collagen(path: &Path, title: &str, samples: &[Snapshot], session_days: &[f64]) -> DrawResult {
    let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    let area = titled_root(&root, title, "collagen and elastin over the course")?;

    let series: [(&str, Vec<(f64, f64)>); 3] = [
        ("Collagen I", samples.iter().map(|s| (s.day, s.collagen_i)).collect()),
        (
            "Collagen III",
            samples.iter().map(|s| (s.day, s.collagen_iii)).collect(),
        ),
        (
            "Elastin (functional + elastotic)",
            samples.iter().map(|s| (s.day, s.elastin())).collect(),
        ),
    ];
    let finite = |&(x, y): &(f64, f64)| x.is_finite() && y.is_finite();
    let x_range = axis(
        finite_range(samples.iter().map(|s| s.day).chain(session_days.iter().copied())),
        (0.0, 1.0),
        0.01,
        0.0,
    );
    // Head-room above the data keeps the legend (upper right) off the lines.
    let y_range = axis(
        finite_range(series.iter().flat_map(|(_, v)| v.iter().map(|p| p.1))),
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
        .x_desc("Day")
        .y_desc("Content relative to a 25-year-old (= 1)")
        .axis_desc_style(label_style(17.0))
        .label_style(label_style(14.0))
        .light_line_style(RGBColor(242, 242, 242))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()?;

    for (k, &day) in session_days.iter().enumerate() {
        let line = DashedLineSeries::new(
            vec![(day, y_range.start), (day, y_range.end)],
            8,
            6,
            GREY.stroke_width(1),
        );
        let drawn = chart.draw_series(line)?;
        if k == 0 {
            drawn.label("Session").legend(dashed_key(GREY));
        }
    }
    for (k, (name, points)) in series.iter().enumerate() {
        let color = PALETTE[k];
        chart
            .draw_series(
                LineSeries::new(points.iter().copied().filter(finite), color.stroke_width(2))
                    // A lone sample would draw nothing as a line.
                    .point_size(if points.len() < 2 { 3 } else { 0 }),
            )?
            .label(*name)
            .legend(solid_key(color));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}

/// The samples of session `k`'s window, as (days since session, snapshot): from the session
/// to 14 days later or to the next session, whichever comes first.
fn session_window<'s>(samples: &'s [Snapshot], session_days: &[f64], k: usize) -> Vec<(f64, &'s Snapshot)> {
    let start = session_days[k];
    let mut end = start + SIDE_EFFECT_DAYS;
    if let Some(&next) = session_days.get(k + 1) {
        if next > start {
            end = end.min(next);
        }
    }
    samples
        .iter()
        .filter(|s| s.day >= start - 1e-9 && s.day <= end + 1e-9)
        .map(|s| (s.day - start, s))
        .collect()
}

fn session_label(k: usize, day: f64) -> String {
    format!("Session {} (day {})", k + 1, format_day(day))
}

fn format_day(day: f64) -> String {
    if (day - day.round()).abs() < 1e-6 {
        format!("{}", day.round())
    } else {
        format!("{day:.1}")
    }
}

/// Chart 2: redness and dryness after each session, overlaid, in two panels.
fn draw_side_effects(path: &Path, title: &str, samples: &[Snapshot], session_days: &[f64]) -> DrawResult {
    let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    let area = titled_root(&root, title, "side effects in the 14 days after each session")?;
    let (left, right) = area.split_horizontally(WIDTH / 2);

    // Without session records, treat the start of the course as the only "session".
    let fallback = [samples.first().map_or(0.0, |s| s.day)];
    let days: &[f64] = if session_days.is_empty() {
        &fallback
    } else {
        session_days
    };
    let windows: Vec<Vec<(f64, &Snapshot)>> = (0..days.len()).map(|k| session_window(samples, days, k)).collect();
    let x_range = 0.0..SIDE_EFFECT_DAYS;
    let finite = |&(x, y): &(f64, f64)| x.is_finite() && y.is_finite();

    /// (area, caption, y-axis description, value, threshold line)
    type Panel<'p, 'b> = (
        &'p DrawingArea<BitMapBackend<'b>, Shift>,
        &'static str,
        &'static str,
        fn(&Snapshot) -> f64,
        Option<f64>,
    );
    let panels: [Panel; 2] = [
        (
            &left,
            "Redness",
            "Redness index (1 = visible)",
            |s| s.redness,
            Some(1.0),
        ),
        (
            &right,
            "Dryness",
            "Barrier loss (0 = intact, 1 = lost)",
            |s| s.dryness,
            None,
        ),
    ];
    for (panel, caption, y_desc, get, threshold) in panels {
        let values = windows.iter().flatten().map(|(_, s)| get(s)).chain(threshold);
        let data = finite_range(values.chain(std::iter::once(0.0)));
        let mut y_range = axis(data, (0.0, 1.0), 0.03, 0.4);
        if data.is_some_and(|(lo, _)| lo >= 0.0) {
            y_range.start = 0.0;
        }

        let mut chart = ChartBuilder::on(panel)
            .caption(caption, label_style(19.0))
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(65)
            .build_cartesian_2d(x_range.clone(), y_range)?;
        chart
            .configure_mesh()
            .x_desc("Days since session")
            .y_desc(y_desc)
            .axis_desc_style(label_style(16.0))
            .label_style(label_style(13.0))
            .light_line_style(RGBColor(242, 242, 242))
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .draw()?;
        if let Some(t) = threshold {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.0, t), (SIDE_EFFECT_DAYS, t)],
                    8,
                    6,
                    BLACK.stroke_width(1),
                ))?
                .label("Visible threshold")
                .legend(dashed_key(BLACK));
        }
        for (k, window) in windows.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            // Sessions often give near-identical curves: earlier ones are drawn wider, so
            // each stays visible under the later ones.
            let width = 2 + 2 * (windows.len() - 1 - k).min(3) as u32;
            let points = window.iter().map(|&(x, s)| (x, get(s))).filter(finite);
            let marker = if window.len() < 2 { 3 } else { 0 };
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(width)).point_size(marker))?
                .label(session_label(k, days[k]))
                .legend(solid_key(color));
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    root.present()?;
    Ok(())
}

/// Chart 3: collagen by depth, before treatment and at the end; depth increases downward.
fn draw_depth_profile(path: &Path, title: &str, depth_um: &[f64], before: &[f64], after: &[f64]) -> DrawResult {
    let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    let area = titled_root(&root, title, "collagen by depth")?;

    // Plotted as (collagen, -depth) so the skin surface is at the top.
    let points = |values: &[f64]| -> Vec<(f64, f64)> {
        depth_um
            .iter()
            .zip(values)
            .filter(|(d, v)| d.is_finite() && v.is_finite())
            .map(|(&d, &v)| (v, -d))
            .collect()
    };
    let series = [
        ("Before treatment", points(before)),
        ("End of follow-up", points(after)),
    ];
    let all = || series.iter().flat_map(|(_, v)| v.iter().copied());
    let x_data = finite_range(all().map(|p| p.0));
    // Room on the right for the legend (lower right).
    let x_range = axis(x_data, (0.0, 1.0), 0.15, 0.6);
    let d_data = finite_range(depth_um.iter().copied());
    let depth_max = d_data.map_or(1.0, |(_, hi)| hi.max(0.0));
    let y_range = axis(
        Some((-depth_max, d_data.map_or(0.0, |(lo, _)| -lo.min(0.0)))),
        (-1.0, 0.0),
        0.03,
        0.0,
    );

    let mut chart = ChartBuilder::on(&area)
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(75)
        .build_cartesian_2d(x_range, y_range)?;
    chart
        .configure_mesh()
        .x_desc("Collagen relative to a 25-year-old (= 1)")
        .y_desc("Depth below skin surface (µm)")
        .axis_desc_style(label_style(17.0))
        .label_style(label_style(14.0))
        .light_line_style(RGBColor(242, 242, 242))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| format!("{:.0}", v.abs()))
        .draw()?;
    for (k, (name, pts)) in series.iter().enumerate() {
        let color = [GREY, PALETTE[0]][k];
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(3)).point_size(3))?
            .label(*name)
            .legend(solid_key(color));
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    root.present()?;
    Ok(())
}
