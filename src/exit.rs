//! Exit codes, and the hints that name commands and flags: the one place an
//! error's kind becomes a process exit code.

use crate::error::{Error, Kind, Setup};

/// Process exit codes, the same for every command (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything worked.
    Success,
    /// A check or a verification failed.
    CheckFailed,
    /// Bad flag, missing input, malformed file or other configuration error.
    Usage,
    /// The provider or the network failed.
    Provider,
    /// Waited too long.
    Timeout,
    /// The status of the command `stauth run` started, passed on as is.
    Child(i32),
}

impl ExitCode {
    /// A report's exit code: [`ExitCode::CheckFailed`] when a check failed.
    pub fn of_checks(failed: bool) -> ExitCode {
        if failed {
            ExitCode::CheckFailed
        } else {
            ExitCode::Success
        }
    }

    pub fn code(self) -> i32 {
        match self {
            ExitCode::Success => 0,
            ExitCode::CheckFailed => 1,
            ExitCode::Usage => 2,
            ExitCode::Provider => 3,
            ExitCode::Timeout => 4,
            ExitCode::Child(code) => code,
        }
    }
}

impl From<Kind> for ExitCode {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Check => ExitCode::CheckFailed,
            Kind::Usage => ExitCode::Usage,
            Kind::Provider => ExitCode::Provider,
            Kind::Timeout => ExitCode::Timeout,
        }
    }
}

pub fn exit_code(err: &Error) -> ExitCode {
    err.kind().into()
}

/// The error's message, with what only the command line can add to it.
pub fn message(err: &Error) -> String {
    with_flags(err, err.to_string())
}

fn with_flags(err: &Error, message: String) -> String {
    match err {
        Error::WouldOverwrite { .. } => format!("{message}, and --force was not given"),
        _ => message,
    }
}

/// `{"ok": false, "error": {...}}`: the failure for `--json` readers, on
/// stdout, with the same message and hint as on stderr.
pub fn to_json(err: &Error, hint: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "ok": false,
        "error": {
            "message": with_flags(err, err.exact_message()),
            "hint": hint,
            "exit_code": exit_code(err).code(),
        },
    })
}

/// What to do next, as one or more lines, when there is something useful to
/// say; `writes`: the command writes files, so "nothing was written" is news
/// when the error stopped it first.
pub fn hint_for(err: &Error, writes: bool) -> Option<String> {
    let nothing_written = if writes { "Nothing was written. " } else { "" };
    match err {
        Error::MalformedToml { .. } => Some(format!(
            "{}Fix the TOML at that position, then run the same command again.",
            if writes { "The file was not changed. " } else { "" }
        )),
        Error::ReadFile { .. } => Some(format!(
            "Check the path and its permissions{}.",
            if writes { "; nothing was written" } else { "" }
        )),
        Error::WriteFile { .. } => Some(
            "Nothing was changed: stauth writes to a temporary file and renames it only on success. Check the folder's permissions and free space."
                .into(),
        ),
        Error::BadSecretsLayout { .. } => Some(format!(
            "{}Streamlit expects [auth] to be a table; fix it by hand, then run the same command again.",
            if writes { "The file was not changed. " } else { "" }
        )),
        Error::MissingInputs { .. } => Some(
            "Pass the missing flags (see `stauth init --help`), or run the command in a terminal to be asked."
                .into(),
        ),
        Error::UnknownPreset { .. } => Some(
            "Run `stauth providers` for the list, or use `--issuer URL` for any other OpenID Connect provider."
                .into(),
        ),
        Error::InvalidProviderName { .. } => Some(
            "Provider names are used as `st.login(\"NAME\")` and `[auth.NAME]`: use letters, digits and '-', e.g. --name google."
                .into(),
        ),
        Error::WouldOverwrite { changes, .. } => Some(format!(
            "{}\nRun the same command with --force to apply, or --dry-run to preview.",
            changes.join("\n")
        )),
        Error::DefaultProviderTaken { .. } => Some(
            "Add this provider next to it with --name NAME (the app then calls st.login(\"NAME\")), or replace the default provider with --force."
                .into(),
        ),
        Error::InvalidValue { .. } => Some(format!(
            "{nothing_written}Correct the value and run the command again."
        )),
        Error::Cancelled => writes.then(|| "Nothing was written.".into()),
        Error::NeedsSetup { setup, .. } => Some(setup_hint(setup)),
        Error::Prompt(_) => {
            Some("Pass every input as a flag instead (see `stauth init --help`).".into())
        }
        other => other.hint(),
    }
}

/// How the command line adds what an app's secrets lack.
fn setup_hint(setup: &Setup) -> String {
    match setup {
        Setup::SecretsFile => {
            "Create one with `stauth init`, or point to it with --secrets-file PATH.".into()
        }
        Setup::AuthTable => "Run `stauth init` to write one.".into(),
        Setup::AuthNotTable => {
            "Fix the file by hand, or move it aside and run `stauth init`.".into()
        }
        Setup::CookieSecret => {
            "Run `stauth init` to add it, or pipe the secret with --secret-stdin.".into()
        }
        Setup::AuthKey => "Run `stauth init` to add it.".into(),
        Setup::ProviderKeys => "Run `stauth init` for this provider to fill them in.".into(),
        Setup::Provider { named, default_too } => {
            let mut names: Vec<String> = named.iter().map(|n| format!("--provider {n}")).collect();
            if *default_too {
                names.insert(0, "(no --provider: the default provider)".into());
            }
            if names.is_empty() {
                "Run `stauth init` (add --name NAME for a named provider).".into()
            } else {
                format!("Test a provider this file has: {}", names.join(", "))
            }
        }
    }
}
