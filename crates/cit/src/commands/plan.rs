//! `cit plan`: a course for one person, by simulation, with its safety warnings.

use crate::cli::{PlanArgs, PlanFormat};
use crate::{emit, Failure};
use cit_io::patient_file::{self, PatientFlags};
use cit_io::{plan_plot, plan_report};
use cit_plan::plan::Planner;
use cit_plan::safety::SafetyRules;
use cit_plan::settings::PlannerSettings;
use std::path::Path;

/// Largest cohort accepted (a plan is interactive).
const MAX_COHORT: usize = 100_000;

pub fn run(args: PlanArgs) -> Result<(), Failure> {
    let profile = match &args.patient {
        Some(path) => patient_file::load_patient(path).map_err(|e| Failure::Input(e.to_string()))?,
        None => patient_file::profile_from_flags(&PatientFlags {
            age: args.age,
            sex: args.sex.clone(),
            skin_type: args.skin_type,
            photoaging: args.photoaging,
            site: args.site.clone(),
            concern: args.concern.clone(),
            subtype: args.subtype.clone(),
            severity: args.severity,
            goal: Some(args.goal.clone().unwrap_or_else(|| "noticeable".into())),
            target_grade: args.target_grade,
            max_sessions: args.max_sessions,
            max_downtime_days: args.max_downtime_days,
            device: args.device.clone(),
            start_date: args.start_date.clone(),
            yes: args.yes.clone(),
        })
        .map_err(|e| {
            // The flags are the patient file's keys: say which flag the key path comes from.
            let hint = e
                .key()
                .map(|k| format!("\nhint: {k} is set by --{}", flag_of(k)))
                .unwrap_or_default();
            Failure::Input(format!("{e}{hint}"))
        })?,
    };
    let mut settings = PlannerSettings::shipped();
    if let Some(n) = args.cohort {
        if n == 0 || n > MAX_COHORT {
            return Err(Failure::Input(format!("--cohort {n}: allowed 1..={MAX_COHORT}")));
        }
        settings.cohort_size = n;
        settings.screening_size = settings.screening_size.min(n);
        settings.maintenance_patients = settings.maintenance_patients.min(n);
    }
    if let Some(seed) = args.seed {
        settings.seed = seed;
    }
    if args.threads == Some(0) {
        return Err(Failure::Input("--threads 0: allowed 1 or more".into()));
    }
    let set = super::evidence::load_params(args.params.as_deref())?;
    super::create_out_dir(args.out.as_deref())?;
    let rules = SafetyRules::shipped();
    let planner = Planner {
        set: &set,
        settings: &settings,
        rules: &rules,
    };
    let plan = match args.threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map_err(|e| Failure::Run(format!("cannot start {t} threads: {e}")))?
            .install(|| planner.plan(&profile)),
        None => planner.plan(&profile),
    }
    .map_err(|e| Failure::Input(e.to_string()))?;

    let json = plan_report::plan_json(&profile, &plan);
    let json_text = serde_json::to_string_pretty(&json).map_err(|e| Failure::Run(e.to_string()))?;
    match args.format {
        PlanFormat::Text => emit(&plan_report::plan_text(&profile, &plan))?,
        PlanFormat::Json => emit(&format!("{json_text}\n"))?,
    }
    if let Some(dir) = &args.out {
        write_outputs(dir, &plan, &json_text)?;
    }
    Ok(())
}

/// The flag that sets a patient-file key path.
fn flag_of(key: &str) -> String {
    let last = key.rsplit('.').next().unwrap_or(key);
    match last {
        "region" => "site".into(),
        "kind" => "concern".into(),
        k if key.starts_with("contraindications") => format!("yes {k}"),
        k => k.replace('_', "-"),
    }
}

fn write_outputs(dir: &Path, plan: &cit_plan::plan::Plan, json: &str) -> Result<(), Failure> {
    let io =
        |what: &str, e: std::io::Error| Failure::Input(format!("--out {}: cannot write {what}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(|e| io("the directory", e))?;
    let tmp = dir.join(".plan.json.tmp");
    std::fs::write(&tmp, format!("{json}\n")).map_err(|e| io("plan.json", e))?;
    std::fs::rename(&tmp, dir.join("plan.json")).map_err(|e| io("plan.json", e))?;
    let png = plan_plot::write_trajectory(plan, "cit plan", dir).map_err(|e| Failure::Run(e.to_string()))?;
    match png {
        Some(_) => eprintln!("wrote plan.json and trajectory.png to {}", dir.display()),
        None => eprintln!("wrote plan.json to {} (no course to plot)", dir.display()),
    }
    Ok(())
}
