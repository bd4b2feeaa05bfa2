//! `stauth run -- COMMAND...`: starts COMMAND (e.g. `streamlit run app.py`)
//! with the app's secrets from the OS keychain, without ever putting them in
//! the project, in COMMAND's arguments or environment, or in stauth's output.
//!
//! The secrets files Streamlit would read are merged as Streamlit merges them
//! (shallowly), `[auth]` is completed from the keychain, and that complete
//! `[auth]` is written to `secrets.toml` (mode 0600) in a private temporary
//! folder (mode 0700; under `$XDG_RUNTIME_DIR`, which is in memory, when
//! there is one). COMMAND gets `STREAMLIT_SECRETS_FILES` listing the project's
//! own secrets files and that file last, so its `[auth]` wins. The folder is
//! removed when COMMAND exits, and at once when stauth is interrupted
//! (`commands::common::child`, shared with `stauth dev-provider -- COMMAND`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::RunArgs;
use crate::commands::common::child;
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::output::Output;
use crate::secret_store::KeychainFallback;
use crate::streamlit::auth_config;
use crate::streamlit::schema::{self, AuthSecret};
use crate::streamlit::SecretsFile;

/// COMMAND's exit status, passed on; the secrets folder is gone by the time
/// this returns, on every path.
pub fn run(args: &RunArgs, out: &Output) -> Result<ExitCode> {
    run_command(args, out).map(ExitCode::Child)
}

fn run_command(args: &RunArgs, out: &Output) -> Result<i32> {
    if !args.app_dir.is_dir() {
        return Err(Error::InvalidValue {
            what: "--app-dir".into(),
            value: args.app_dir.display().to_string(),
            reason: "no such folder".into(),
        });
    }
    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| Error::MissingInputs {
            missing: vec!["COMMAND (e.g. stauth run -- streamlit run app.py)".into()],
        })?;

    // COMMAND runs here, so its script is taken from here (Streamlit 1.46+
    // reads the secrets next to it, and the list below replaces its own).
    let script = crate::streamlit::app::script_in_command(&args.command)
        .map(|s| std::path::absolute(&s).unwrap_or(s));
    let app = crate::streamlit::AppContext::load(&args.app_dir)?
        .with_script(script)
        .with_fallback(KeychainFallback::new(&args.app_dir));
    // Which files Streamlit reads depends on its release (the script's
    // folder from 1.46), so the list below follows the app's release.
    let (app, _) = crate::commands::common::with_release(app, &args.release, false, out)?;
    let files: Vec<PathBuf> = app
        .secrets_files()
        .into_iter()
        .map(|f| std::path::absolute(&f).unwrap_or(f))
        .collect();
    let merged = auth_config::merged_secrets(&files, app.fallback(), Path::new("secrets.toml"))?;
    if !files.iter().any(|f| f.exists()) {
        out.warning(format!(
            "no secrets file found (looked in {}): the command runs without secrets",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for m in &merged.missing {
        out.warning(format!(
            "{m} is in neither the secrets files nor the OS keychain: st.login will fail (`stauth secrets set {m}` stores it)"
        ));
    }

    let mut command = Command::new(program);
    command.args(rest);
    // Nothing to add: Streamlit reads the files as usual.
    let private = (!merged.filled.is_empty()).then(|| auth_document(&merged.file, &merged.filled));
    child::run_with_secrets(command, Path::new(program), &files, private.as_deref(), out)
}

/// A document holding only `[auth]`: the merged one, completed from the keychain.
fn auth_document(merged: &SecretsFile, filled: &[AuthSecret]) -> String {
    let auth: Vec<_> = merged
        .items()
        .into_iter()
        .filter(|(k, _)| k == schema::AUTH)
        .map(|(k, mut item)| {
            // The project file's comments stay in the project file.
            if let Some(t) = item.as_table_mut() {
                t.decor_mut().clear();
            }
            (k, item)
        })
        .collect();
    let only = SecretsFile::from_items(Path::new("secrets.toml"), auth);
    let names: Vec<String> = filled.iter().map(AuthSecret::path).collect();
    format!(
        "# Written by `stauth run` ({} from the OS keychain); removed when the command exits.\n{}",
        names.join(", "),
        only.render()
    )
}
