//! The sensitivity chart of `cit sensitivity`: a heat map of normalised Morris μ*, parameters
//! (most influential first) down, outcomes across, with a colour bar.

use crate::plot::{ensure_font, DrawResult, PlotError, FONT};
use plotters::prelude::*;
use std::path::Path;

const LEFT_PX: i32 = 400;
const TOP_PX: i32 = 120;
const CELL_W_PX: i32 = 120;
const CELL_H_PX: i32 = 22;
const BAR_PX: i32 = 70;

/// White (no effect) to dark blue (the outcome's most influential parameter).
fn shade(v: f64) -> RGBColor {
    let v = v.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * v).round() as u8;
    RGBColor(mix(255.0, 8.0), mix(255.0, 48.0), mix(255.0, 107.0))
}

/// Writes the heat map: `rows[i][o]` is parameter `i`'s μ* for outcome `o` divided by the
/// outcome's largest μ* (0..1).
pub fn write_sensitivity_chart(
    path: &Path,
    title: &str,
    parameters: &[String],
    outcomes: &[&str],
    rows: &[Vec<f64>],
) -> Result<(), PlotError> {
    ensure_font()?;
    draw(path, title, parameters, outcomes, rows).map_err(|e| PlotError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if !path.is_file() {
        return Err(PlotError::Io {
            path: path.to_path_buf(),
            message: "file was not written".into(),
        });
    }
    Ok(())
}

fn draw(path: &Path, title: &str, parameters: &[String], outcomes: &[&str], rows: &[Vec<f64>]) -> DrawResult {
    let n = parameters.len() as i32;
    let width = (LEFT_PX + CELL_W_PX * outcomes.len() as i32 + 40) as u32;
    let height = (TOP_PX + CELL_H_PX * n + BAR_PX + 30) as u32;
    let root = BitMapBackend::new(path, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let text = |size: f64| TextStyle::from((FONT, size).into_font()).color(&BLACK);
    root.draw(&Text::new(title.to_string(), (20, 15), text(22.0)))?;
    root.draw(&Text::new(
        "Morris μ* relative to each outcome's most influential parameter".to_string(),
        (20, 45),
        text(15.0),
    ))?;
    // Outcome names, wrapped onto two lines.
    for (o, name) in outcomes.iter().enumerate() {
        let x = LEFT_PX + CELL_W_PX * o as i32 + 4;
        let words: Vec<&str> = name.split_whitespace().collect();
        let half = words.len().div_ceil(2);
        for (line, part) in [words[..half].join(" "), words[half..].join(" ")].iter().enumerate() {
            root.draw(&Text::new(
                part.clone(),
                (x, TOP_PX - 40 + 16 * line as i32),
                text(12.0),
            ))?;
        }
    }
    for (i, (name, row)) in parameters.iter().zip(rows).enumerate() {
        let y = TOP_PX + CELL_H_PX * i as i32;
        root.draw(&Text::new(name.clone(), (10, y + 4), text(13.0)))?;
        for (o, &v) in row.iter().enumerate() {
            let x = LEFT_PX + CELL_W_PX * o as i32;
            root.draw(&Rectangle::new(
                [(x, y), (x + CELL_W_PX - 2, y + CELL_H_PX - 2)],
                shade(v).filled(),
            ))?;
            if v >= 0.05 {
                let colour = if v > 0.55 { WHITE } else { BLACK };
                root.draw(&Text::new(
                    format!("{v:.2}"),
                    (x + CELL_W_PX / 2 - 14, y + 4),
                    TextStyle::from((FONT, 12.0).into_font()).color(&colour),
                ))?;
            }
        }
    }
    // Colour bar.
    let y = TOP_PX + CELL_H_PX * n + 20;
    let bar_w = CELL_W_PX * outcomes.len() as i32;
    for k in 0..bar_w {
        let v = k as f64 / (bar_w - 1).max(1) as f64;
        root.draw(&Rectangle::new(
            [(LEFT_PX + k, y), (LEFT_PX + k + 1, y + 16)],
            shade(v).filled(),
        ))?;
    }
    root.draw(&Text::new("0 (no effect)".to_string(), (LEFT_PX, y + 22), text(12.0)))?;
    root.draw(&Text::new(
        "1 (largest)".to_string(),
        (LEFT_PX + bar_w - 70, y + 22),
        text(12.0),
    ))?;
    root.draw(&Text::new(
        "relative μ*".to_string(),
        (LEFT_PX - 100, y + 2),
        text(13.0),
    ))?;
    root.present()?;
    Ok(())
}
