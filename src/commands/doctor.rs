//! `stauth doctor`: every known st.login misconfiguration, grouped by area,
//! errors first, each with why it matters and the fix.

use serde_json::json;

use super::common::resolve_release;
use crate::cli::DoctorArgs;
use crate::diagnosis::{self, config, python, toml_package, Area, Diagnosis};
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::finding::Severity;
use crate::output::{untrusted, Output};
use crate::secret_store;
use crate::streamlit::release::SecretsParser;
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
    // Loaded before Python is asked, so a broken config.toml stops at once.
    let app = AppContext::load(&args.app_dir)?
        .with_script(args.script.clone())
        .with_fallback(secret_store::KeychainFallback::new(&args.app_dir));
    let (ctx, env) = resolve_release(app, &args.release, true)?;
    if let Some(warning) = ctx.release.newer_warning() {
        out.warning(warning);
    }
    let env = env.expect("doctor always inspects the interpreter");
    let release = *ctx.release();

    let mut all: Vec<Diagnosis> = Vec::new();
    python::check(&env, &release, &mut all);
    let code = python::check_code(&args.app_dir, &release, &mut all);

    let (offline, auth) = diagnosis::offline(&ctx, ctx.fallback());
    all.extend(offline);
    python::secrets_from_code(&code, &release, &mut all);
    config::check(&ctx, &mut all);
    let toml_check = toml_package::check(&ctx, &env, &mut all);
    if !args.offline {
        if let Some(auth) = &auth {
            all.extend(diagnosis::providers(auth));
        }
    }
    let all = diagnosis::sorted(all);
    let errors = diagnosis::count(&all, Severity::Error);
    let warnings = diagnosis::count(&all, Severity::Warning);
    let passed = diagnosis::count(&all, Severity::Ok);

    // Paths are shown escaped here; JSON keeps them exact.
    out.heading(format!(
        "stauth doctor: {} (checked against {}, {})",
        untrusted(&args.app_dir.display().to_string()),
        release.describe(),
        untrusted(&ctx.release.reason())
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
        let mut streamlit = ctx.release.to_json();
        let installed = match &env.packages {
            Some(Ok(p)) => p.streamlit.clone(),
            _ => None,
        };
        streamlit["interpreter"] = json!(env.interpreter.as_ref().map(|(p, _)| p));
        streamlit["installed"] = json!(installed);
        streamlit["secrets_parser"] = json!(match release.secrets_parser() {
            SecretsParser::TomlPackage => "toml",
            SecretsParser::Tomllib => "tomllib",
        });
        streamlit["secrets_parser_check"] = json!(toml_check);
        streamlit["app_secrets_in_code"] = json!(code.app_secrets);
        out.json(&json!({
            "app_dir": args.app_dir,
            "streamlit_version": release.version.to_string(),
            "streamlit": streamlit,
            "summary": {"errors": errors, "warnings": warnings, "passed": passed},
            "checks": all,
        }));
    }
    Ok(ExitCode::of_checks(errors > 0))
}
