//! `cit sensitivity`: Morris elementary effects of the outcomes to every uncertain parameter,
//! as a table (or JSON) and, with `--out`, a heat-map PNG and the JSON file.

use crate::cli::{ReportFormat, SensitivityArgs};
use crate::commands::evidence::{load_params, with_threads};
use crate::{emit, Failure};
use cit_evidence::report::num;
use cit_evidence::sensitivity::{morris, Sensitivity, OUTCOMES};
use serde_json::json;

/// Rows in the chart and the text table (the most influential parameters).
const SHOWN: usize = 30;

pub fn run(args: SensitivityArgs) -> Result<(), Failure> {
    if args.trajectories == 0 || args.trajectories > 1000 {
        return Err(Failure::Input(format!(
            "--trajectories {}: allowed 1..=1000",
            args.trajectories
        )));
    }
    let set = load_params(args.params.as_deref())?;
    super::create_out_dir(args.out.as_deref())?;
    let s = with_threads(args.threads, || morris(&set, args.trajectories, args.seed))?;
    let doc = to_json(&s);
    match args.format {
        ReportFormat::Text => emit(&table(&s, false))?,
        ReportFormat::Markdown => emit(&table(&s, true))?,
        ReportFormat::Json => emit(&format!("{}\n", pretty(&doc)?))?,
    }
    if let Some(dir) = &args.out {
        let ranked = s.ranked();
        let shown: Vec<_> = ranked.iter().take(SHOWN).collect();
        let names: Vec<String> = shown.iter().map(|(e, _)| e.name.clone()).collect();
        let norm = s.normalised();
        let rows: Vec<Vec<f64>> = shown
            .iter()
            .map(|(e, _)| {
                let i = s.effects.iter().position(|x| x.name == e.name).unwrap_or(0);
                norm[i].to_vec()
            })
            .collect();
        let chart = dir.join("sensitivity.png");
        cit_io::sensitivity_plot::write_sensitivity_chart(
            &chart,
            &format!(
                "Sensitivity of cit's outcomes ({} trajectories, seed {})",
                s.trajectories, s.seed
            ),
            &names,
            &OUTCOMES,
            &rows,
        )
        .map_err(|e| Failure::Run(e.to_string()))?;
        std::fs::write(dir.join("sensitivity.json"), pretty(&doc)?)
            .map_err(|e| Failure::Input(format!("{}: cannot write: {e}", dir.display())))?;
    }
    Ok(())
}

fn pretty(v: &serde_json::Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(v).map_err(|e| Failure::Run(e.to_string()))
}

fn to_json(s: &Sensitivity) -> serde_json::Value {
    json!({
        "method": "Morris elementary effects, 4 levels, delta 2/3 of each parameter's bounds",
        "trajectories": s.trajectories,
        "seed": s.seed,
        "runs": s.runs,
        "outcomes": OUTCOMES,
        "parameters": s.ranked().iter().map(|(e, rel)| json!({
            "name": e.name,
            "calibrated": e.calibrated,
            "relative_influence": rel,
            "mu_star": e.mu_star,
            "sigma": e.sigma,
        })).collect::<Vec<_>>(),
    })
}

/// μ* per outcome (σ in brackets), the most influential parameters first.
fn table(s: &Sensitivity, markdown: bool) -> String {
    let mut out = String::new();
    let header: Vec<String> = std::iter::once("parameter".to_string())
        .chain(std::iter::once("calibrated".to_string()))
        .chain(OUTCOMES.iter().map(|o| o.to_string()))
        .collect();
    let mut rows = vec![header];
    for (e, _) in s.ranked().iter().take(SHOWN) {
        let mut r = vec![e.name.clone(), if e.calibrated { "yes".into() } else { "no".into() }];
        for o in 0..OUTCOMES.len() {
            r.push(format!("{} ({})", num(e.mu_star[o]), num(e.sigma[o])));
        }
        rows.push(r);
    }
    if markdown {
        for (k, r) in rows.iter().enumerate() {
            out.push_str(&format!("| {} |\n", r.join(" | ")));
            if k == 0 {
                out.push_str(&format!("|{}\n", "---|".repeat(r.len())));
            }
        }
    } else {
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for r in &rows {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "\nMorris μ* (σ) in each outcome's unit per 2/3 of the parameter's bounds; {} trajectories, seed {}, {} simulations; the {} most influential of {} uncertain parameters.\n",
        s.trajectories,
        s.seed,
        s.runs,
        SHOWN.min(s.effects.len()),
        s.effects.len()
    ));
    out
}
