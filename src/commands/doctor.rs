//! `stauth doctor`: every known st.login misconfiguration, grouped by area,
//! errors first, each with why it matters and the fix.

use serde_json::json;

use crate::cli::DoctorArgs;
use crate::diagnosis::{self, python, Area, Diagnosis};
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::finding::Severity;
use crate::output::{untrusted, Output};
use crate::secret_store;
use crate::streamlit::version::{self, StreamlitVersion};
use crate::streamlit::AppContext;

pub fn run(args: &DoctorArgs, out: &Output) -> Result<ExitCode> {
    if !args.app_dir.is_dir() || std::fs::read_dir(&args.app_dir).is_err() {
        return Err(Error::Input {
            message: format!(
                "invalid --app-dir '{}': not a readable folder",
                untrusted(&args.app_dir.display().to_string())
            ),
            hint: "Point --app-dir to the folder you run `streamlit run` from.".into(),
        });
    }
    let assumed: Option<StreamlitVersion> = match &args.streamlit_version {
        Some(v) => Some(v.parse().map_err(|reason| Error::InvalidValue {
            what: "--streamlit-version".into(),
            value: v.clone(),
            reason,
        })?),
        None => None,
    };
    // Loaded before Python is asked, so a broken config.toml stops at once.
    let app = AppContext::load(&args.app_dir)?
        .with_script(args.script.clone())
        .with_fallback(secret_store::KeychainFallback::new(&args.app_dir));

    let mut all: Vec<Diagnosis> = Vec::new();
    let interpreter = python::find(args.python.as_deref());
    let installed = python::check(interpreter.as_deref(), &mut all);
    let version = assumed.or(installed).unwrap_or(version::LATEST);
    python::check_code(&args.app_dir, version, &mut all);

    let ctx = app.with_version(version);
    let (offline, auth) = diagnosis::offline(&ctx, ctx.fallback());
    all.extend(offline);
    if !args.offline {
        if let Some(auth) = &auth {
            all.extend(diagnosis::providers(auth));
        }
    }
    let all = diagnosis::sorted(all);
    let errors = diagnosis::count(&all, Severity::Error);
    let warnings = diagnosis::count(&all, Severity::Warning);
    let passed = diagnosis::count(&all, Severity::Ok);

    let source = match (assumed, installed) {
        (Some(_), _) => "--streamlit-version".to_string(),
        (None, Some(_)) => format!(
            "installed in {}",
            interpreter
                .as_deref()
                .unwrap_or(std::path::Path::new("?"))
                .display()
        ),
        (None, None) => "the latest stauth knows".to_string(),
    };
    // Paths are shown escaped here; JSON keeps them exact.
    out.heading(format!(
        "stauth doctor: {} (checked against Streamlit {version}, {})",
        untrusted(&args.app_dir.display().to_string()),
        untrusted(&source)
    ));
    let mut area: Option<Area> = None;
    for d in &all {
        if area != Some(d.area) {
            out.blank();
            out.heading(d.area.title());
            area = Some(d.area);
        }
        out.finding(&d.finding);
    }
    out.blank();
    let summary = format!("{errors} error(s), {warnings} warning(s), {passed} passed");
    if errors > 0 {
        out.error(summary);
    } else {
        out.success(summary);
    }
    if args.offline {
        out.line("Provider checks skipped (--offline).");
    }
    if out.json_mode() {
        out.json(&json!({
            "app_dir": args.app_dir,
            "streamlit_version": version.to_string(),
            "streamlit_version_source": source,
            "summary": {"errors": errors, "warnings": warnings, "passed": passed},
            "checks": all,
        }));
    }
    Ok(if errors > 0 {
        ExitCode::CheckFailed
    } else {
        ExitCode::Success
    })
}
