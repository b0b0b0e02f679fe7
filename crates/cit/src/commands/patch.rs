//! `cit simulate --model patch`: one person on a 3-D patch of skin. The summary is printed like
//! the column model's; with `--out` the fields of the output days go there as VTK ImageData
//! (`patch_dayN.vti`) with a ParaView collection (`patch.pvd`), optionally NumPy arrays, and PNG
//! images (puncture map of each session, depth cross-section through the lesion and en-face map
//! of collagen change at each output day).

use crate::cli::{Format, SimulateArgs};
use crate::commands::simulate::{check_finite, write_outputs};
use crate::{emit, Failure};
use cit_core::scenario::{PatchSettings, Scenario};
use cit_io::patch_plot::{self, HeatMap};
use cit_io::{report, vtk};
use cit_patch::geometry::Footprint;
use cit_patch::run::{simulate_patch, Observer, PatchOptions};
use cit_patch::Patch;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

/// Writes the fields of each output day as it is reached, and shows progress.
struct Writer<'a> {
    dir: Option<&'a Path>,
    settings: &'a PatchSettings,
    lesion_row: usize,
    bar: ProgressBar,
    pvd: Vec<(f64, String)>,
    images: usize,
    error: Option<Failure>,
}

fn day_name(day: f64) -> String {
    let s = format!("{day:.2}");
    s.trim_end_matches('0').trim_end_matches('.').replace('.', "_")
}

impl Writer<'_> {
    fn write_frame(&mut self, patch: &Patch, dir: &Path) -> Result<(), Failure> {
        let io = |e: vtk::FieldIoError| Failure::Run(e.to_string());
        let frame = patch.frame_fields();
        let name = format!("patch_day{}", day_name(frame.day));
        let mm = |um: f64| um / 1000.0;
        let grid = vtk::ImageGrid {
            cells: frame.cells,
            spacing: frame.spacing_um.map(mm),
            origin: [0.0, 0.0, -mm(frame.cells[2] as f64 * frame.spacing_um[2])],
        };
        let fields: Vec<(&str, &[f32])> = frame.fields.iter().map(|(n, v)| (*n, v.as_slice())).collect();
        vtk::write_vti(&dir.join(format!("{name}.vti")), &grid, &fields).map_err(io)?;
        self.pvd.push((frame.day, format!("{name}.vti")));
        if self.settings.npy {
            let [nx, ny, nz] = frame.cells;
            for (field, values) in &frame.fields {
                vtk::write_npy(&dir.join(format!("{name}_{field}.npy")), &[nz, ny, nx], values).map_err(io)?;
            }
        }
        let g = patch.grid;
        let change = patch.collagen_change_pct();
        let (w_mm, h_mm) = (mm(g.size_um().0), mm(g.size_um().1));
        let depth_mm = mm(g.nz as f64 * g.dz_um);
        let section = patch.cross_section(&change, self.lesion_row);
        let y_mm = mm((self.lesion_row as f64 + 0.5) * g.dx_um);
        let plot_err = |e: cit_io::plot::PlotError| Failure::Run(e.to_string());
        patch_plot::write_heat_map(
            &dir.join(format!("{name}_section.png")),
            &format!(
                "Collagen change, depth section at y = {y_mm:.2} mm, day {:.1}",
                frame.day
            ),
            &HeatMap {
                values: &section,
                cols: g.nx,
                rows: g.nz,
                x_mm: (0.0, w_mm),
                y_mm: (0.0, depth_mm),
                x_label: "x (mm)",
                y_label: "depth below the dermis top (mm)",
                value_label: "collagen I + III change (%)",
                diverging: true,
            },
        )
        .map_err(plot_err)?;
        let en_face = patch.depth_mean(&change);
        patch_plot::write_heat_map(
            &dir.join(format!("{name}_en_face.png")),
            &format!("Collagen change, mean over the dermis, day {:.1}", frame.day),
            &HeatMap {
                values: &en_face,
                cols: g.nx,
                rows: g.ny,
                x_mm: (0.0, w_mm),
                y_mm: (0.0, h_mm),
                x_label: "x (mm)",
                y_label: "y (mm)",
                value_label: "collagen I + III change (%)",
                diverging: true,
            },
        )
        .map_err(plot_err)?;
        self.images += 2;
        Ok(())
    }
}

impl Observer for Writer<'_> {
    fn progress(&mut self, day: f64, _end: f64) {
        self.bar.set_position((day * 100.0).round() as u64);
    }

    fn frame(&mut self, patch: &Patch) {
        if self.error.is_some() {
            return;
        }
        if let Some(dir) = self.dir {
            if let Err(e) = self.write_frame(patch, dir) {
                self.error = Some(e);
            }
        }
    }
}

pub fn run(args: &SimulateArgs, scenario: &Scenario) -> Result<(), Failure> {
    if args.cohort.is_some() {
        return Err(Failure::Input(
            "--cohort with --model patch: a cohort runs on the column model; allowed: --model column with --cohort, \
             or --model patch without it"
                .into(),
        ));
    }
    if args.threads == Some(0) {
        return Err(Failure::Input("--threads 0: allowed 1 or more".into()));
    }
    let file = args.scenario.display().to_string();
    let settings = scenario
        .patch
        .clone()
        .unwrap_or_else(|| PatchSettings::new_default(&scenario.protocol));
    let set = crate::commands::evidence::load_params(args.params.as_deref())?;
    let params = set.params();
    // Lay the lesion out first: a patch that cannot hold it is bad input.
    let layout = cit_patch::run::build_patch(scenario, &settings, &params)
        .map_err(|e| Failure::Input(format!("{file}: {e}")))?;
    let lesion_row = match layout.grid.ny {
        0 => 0,
        ny => {
            let y_um = settings.lesion_at_mm[1] * 1000.0;
            ((y_um / layout.grid.dx_um) as usize).min(ny - 1)
        }
    };
    let voxels = layout.grid.voxels();
    drop(layout);
    super::create_out_dir(args.out.as_deref())?;
    let end = scenario.protocol.end_day();
    let bar = ProgressBar::new((end * 100.0).round() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} patch of {msg} voxels: day {pos}/100 [{bar:30}] {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(voxels.to_string());
    let mut writer = Writer {
        dir: args.out.as_deref(),
        settings: &settings,
        lesion_row,
        bar,
        pvd: Vec::new(),
        images: 0,
        error: None,
    };
    let run = |w: &mut Writer| simulate_patch(scenario, &settings, &params, PatchOptions::default(), w);
    let outcome = match args.threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map_err(|e| Failure::Run(format!("cannot start {t} threads: {e}")))?
            .install(|| run(&mut writer)),
        None => run(&mut writer),
    };
    writer.bar.finish_and_clear();
    let result = outcome.map_err(|e| Failure::Input(format!("{file}: {e}")))?;
    if let Some(e) = writer.error.take() {
        return Err(e);
    }
    check_finite(&result.result)?;
    let r = &result.result;
    let mut json = report::result_json(scenario, r);
    let g = result.grid;
    json["model"] = serde_json::json!("patch");
    json["patch"] = serde_json::json!({
        "size_mm": [g.size_um().0 / 1000.0, g.size_um().1 / 1000.0],
        "resolution_um": g.dx_um,
        "voxels": [g.nx, g.ny, g.nz],
        "dermis_voxel_um": g.dz_um,
        "punctures_per_session": result.sessions.iter().map(|s| s.punctures.len()).collect::<Vec<_>>(),
        "steps": result.work.steps,
        "lesion": result.lesion.map(|l| match l.footprint {
            Footprint::Disc { x_um, y_um, radius_um } => serde_json::json!({
                "concern": l.concern, "shape": "disc", "centre_mm": [x_um / 1000.0, y_um / 1000.0],
                "width_mm": 2.0 * radius_um / 1000.0 }),
            Footprint::Band { x_um, half_width_um } => serde_json::json!({
                "concern": l.concern, "shape": "band", "centre_x_mm": x_um / 1000.0,
                "width_mm": 2.0 * half_width_um / 1000.0 }),
        }),
    });
    let json_text = serde_json::to_string_pretty(&json).map_err(|e| Failure::Run(e.to_string()))?;
    match args.format {
        Format::Text => {
            let mut text = report::result_text(scenario, r);
            text.push_str(&format!(
                "\nPatch model: {:.2} x {:.2} mm at {} um ({} x {} x {} voxels), {} steps; grades from the patch's \
                 own geometry.\n",
                g.size_um().0 / 1000.0,
                g.size_um().1 / 1000.0,
                g.dx_um,
                g.nx,
                g.ny,
                g.nz,
                result.work.steps
            ));
            emit(&text)?
        }
        Format::Json => emit(&format!("{json_text}\n"))?,
        Format::Csv => emit(&report::timeseries_csv(scenario, r))?,
    }
    if let Some(dir) = &args.out {
        write_outputs(dir, scenario, r, &json_text)?;
        let io = |e: vtk::FieldIoError| Failure::Run(e.to_string());
        vtk::write_pvd(&dir.join("patch.pvd"), &writer.pvd).map_err(io)?;
        let (w_mm, h_mm) = (g.size_um().0 / 1000.0, g.size_um().1 / 1000.0);
        let mut maps: Vec<PathBuf> = Vec::new();
        for (k, s) in result.sessions.iter().enumerate() {
            let pts: Vec<(f64, f64)> = s.punctures.iter().map(|q| (q.x_um / 1000.0, q.y_um / 1000.0)).collect();
            let path = dir.join(format!("punctures_session{}.png", k + 1));
            patch_plot::write_puncture_map(
                &path,
                &format!(
                    "Session {} (day {:.0}): {} punctures, {:.0} um deep",
                    k + 1,
                    s.day,
                    pts.len(),
                    s.depth_um
                ),
                (w_mm, h_mm),
                &pts,
                s.needle_radius_um / 1000.0,
            )
            .map_err(|e| Failure::Run(e.to_string()))?;
            maps.push(path);
        }
        eprintln!(
            "wrote patch.pvd with {} VTK frames, {} field images and {} puncture maps to {}",
            writer.pvd.len(),
            writer.images,
            maps.len(),
            dir.display()
        );
    }
    Ok(())
}
