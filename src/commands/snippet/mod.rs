//! `stauth snippet KIND`: app code for a common login pattern (gate the app,
//! pick a provider, roles, pages, avatar, proxy headers, tokens, cookies,
//! logout), rendered from the templates in `templates/` for the providers the
//! secrets file configures. The code goes to stdout, or atomically to `--out`.

mod providers;
mod render;

use std::path::Path;

use clap::ValueEnum;
use serde_json::json;

use crate::cli::{SnippetArgs, SnippetKind};
use crate::commands::common::with_release;
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::output::Output;

use providers::Source;

pub fn run(args: &SnippetArgs, out: &Output) -> Result<ExitCode> {
    let Some(kind) = args.kind else {
        list(out);
        return Ok(ExitCode::Success);
    };
    // Bad input is reported before anything else.
    let resolved = providers::resolve(args)?;
    // The code is written for the release the app runs (stderr says which).
    let app = crate::streamlit::AppContext::load(&args.app_dir)?;
    let (app, _) = with_release(app, &args.release, false, out)?;
    let release = *app.release();
    if kind == SnippetKind::Tokens && !release.exposes_tokens() {
        return Err(Error::Input {
            message: format!(
                "the tokens snippet needs Streamlit 1.53 or newer: {} has no expose_tokens and no st.user.tokens",
                release.describe()
            ),
            hint: "Upgrade Streamlit: pip install --upgrade \"streamlit[auth]\" (or pass --streamlit-version for the release the app will run)".into(),
        });
    }
    if kind == SnippetKind::AppSecrets && !release.app_secrets_in_code() {
        return Err(Error::Input {
            message: format!(
                "the app-secrets snippet needs Streamlit 1.57 or newer: {} has no st.App(secrets=...)",
                release.describe()
            ),
            hint: "Upgrade Streamlit: pip install --upgrade \"streamlit[auth]\" (or pass --streamlit-version for the release the app will run); until then keep the secrets in .streamlit/secrets.toml (`stauth secrets export --reveal`)".into(),
        });
    }
    // app-secrets names no provider: its secrets come from the environment,
    // so a missing local file or [auth] section is no concern of its code.
    let names_providers = kind != SnippetKind::AppSecrets;
    match &resolved.source {
        _ if !names_providers => {}
        Source::NoFile(path) => out.line(format!(
            "note: {} does not exist; writing the snippet for the default provider [auth] (st.login()). Pass --provider NAME for a named one.",
            path.display()
        )),
        Source::NoProviders(path) => out.line(format!(
            "note: {} configures no provider; writing the snippet for the default provider [auth] (st.login()). Pass --provider NAME for a named one.",
            path.display()
        )),
        Source::File | Source::Flags => {}
    }
    for missing in resolved.not_in_file.iter().filter(|_| names_providers) {
        out.warning(format!(
            "{} has no [{}]: {} fails until it is added (stauth init{})",
            resolved.secrets_path.display(),
            missing.section,
            missing.login_call,
            missing
                .name
                .as_deref()
                .map(|n| format!(" --name {n}"))
                .unwrap_or_default()
        ));
    }
    for note in render::release_notes(kind, &resolved.providers, &release) {
        out.line(format!("note: {note}"));
    }
    let code = render::render(
        kind,
        &resolved.providers,
        &release,
        &release.install_command(),
    )?;
    match &args.out {
        None => out.data(code),
        Some(path) => {
            write_out(path, &code, args.force)?;
            out.success(format!(
                "Wrote {} ({} snippet for {})",
                path.display(),
                name(kind),
                resolved
                    .providers
                    .iter()
                    .map(|p| format!("[{}]", p.section))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(ExitCode::Success)
}

/// The kind's command-line name (`login`).
pub fn name(kind: SnippetKind) -> String {
    kind.to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// The kind's one-line description: its doc comment in the clap model.
fn description(kind: SnippetKind) -> String {
    kind.to_possible_value()
        .and_then(|v| v.get_help().map(ToString::to_string))
        .unwrap_or_default()
}

fn list(out: &Output) {
    let kinds = SnippetKind::value_variants();
    if out.json_mode() {
        let items: Vec<_> = kinds
            .iter()
            .map(|k| {
                json!({
                    "kind": name(*k),
                    "description": description(*k),
                    "min_streamlit": render::min_streamlit(*k),
                })
            })
            .collect();
        out.json(&json!({ "kinds": items }));
        return;
    }
    let width = kinds.iter().map(|k| name(*k).len()).max().unwrap_or(0);
    let mut text = String::new();
    for k in kinds {
        text.push_str(&format!("{:width$}  {}\n", name(*k), description(*k)));
    }
    out.data(text);
}

fn write_out(path: &Path, code: &str, force: bool) -> Result<()> {
    if path.is_dir() {
        return Err(Error::InvalidValue {
            what: "--out".into(),
            value: path.display().to_string(),
            reason: "it is a folder; give a file name such as streamlit_app.py".into(),
        });
    }
    // A link counts as existing even when it points nowhere: writing would
    // create its target, wherever that is.
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !force && (link || path.exists()) {
        let reason = if link && !path.exists() {
            "it is a symbolic link (to a file that does not exist yet); add --force to write through it"
        } else {
            "the file already exists; add --force to replace it"
        };
        return Err(Error::InvalidValue {
            what: "--out".into(),
            value: path.display().to_string(),
            reason: reason.into(),
        });
    }
    // --force also replaces a read-only file (it stays read-only); a link is
    // written through, and the owner and mode of an existing file stay.
    let options = crate::fsutil::WriteOptions {
        new_mode: Some(0o644),
        replace_read_only: force,
    };
    crate::fsutil::replace_file(path, code.as_bytes(), &options).map(|_| ())
}
