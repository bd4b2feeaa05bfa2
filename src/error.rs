//! The library's error type and the exit codes every command uses.
//!
//! Messages are written for the user: what happened in the `Display` text,
//! and the next thing to do in [`Error::hint`].

use std::path::PathBuf;

use crate::oidc::DiscoveryError;
use crate::untrusted::Untrusted;

/// A path as shown in a message: escaped, since a file name can hold controls.
fn shown(path: &std::path::Path) -> String {
    Untrusted(&path.display().to_string()).to_string()
}

/// Process exit codes, the same for every command (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything worked.
    Success = 0,
    /// A check or a verification failed.
    CheckFailed = 1,
    /// Bad flag, missing input, malformed file or other configuration error.
    Usage = 2,
    /// The provider or the network failed.
    Provider = 3,
    /// Waited too long.
    Timeout = 4,
}

impl ExitCode {
    pub fn code(self) -> i32 {
        self as i32
    }
}

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}:{line}:{column}: malformed TOML: {}", shown(.path), Untrusted(.message))]
    MalformedToml {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("cannot read {}: {source}", shown(.path))]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot write {}: {source}", shown(.path))]
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{}: {message}", shown(.path))]
    BadSecretsLayout { path: PathBuf, message: String },

    #[error("missing input (stdin is not a terminal, so stauth will not ask): {}", .missing.join(", "))]
    MissingInputs { missing: Vec<String> },

    #[error("{title} cannot be used with st.login: {reason}")]
    RefusedProvider {
        title: String,
        reason: String,
        way_out: String,
    },

    #[error("unknown provider preset '{}'", Untrusted(.name))]
    UnknownPreset { name: String },

    #[error("invalid provider name '{}': {reason}", Untrusted(.name))]
    InvalidProviderName { name: String, reason: String },

    #[error("invalid {what} '{}': {reason}", Untrusted(.value))]
    InvalidValue {
        what: String,
        value: String,
        reason: String,
    },

    #[error("{what} would change an existing value, and --force was not given")]
    WouldOverwrite { what: String, changes: Vec<String> },

    #[error(
        "[auth] already holds a default provider ({}), and this command would replace it",
        Untrusted(.existing)
    )]
    DefaultProviderTaken { existing: String },

    #[error("{message}")]
    LoginConfig { message: String, fix: String },

    #[error(transparent)]
    Discovery(#[from] DiscoveryError),

    #[error("{0}")]
    CheckFailed(String),

    /// Input that cannot be used (exit 2), with what to do.
    #[error("{message}")]
    Input { message: String, hint: String },

    /// A verification failed (exit 1), with what to do.
    #[error("{message}")]
    Verification { message: String, hint: String },

    /// The provider refused or failed (exit 3), with what to do.
    #[error("{message}")]
    ProviderFailed { message: String, hint: String },

    /// Waited too long (exit 4), with what to check.
    #[error("{message}")]
    TimedOut { message: String, hint: String },

    #[error("cancelled")]
    Cancelled,

    #[error("cannot ask for input: {0}")]
    Prompt(String),

    /// The OS keychain cannot be used (exit 2), with the way out.
    #[error(transparent)]
    Keychain(#[from] crate::secret_store::StoreError),
}

impl Error {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Discovery(e) => e.exit_code(),
            Error::CheckFailed(_) | Error::Verification { .. } => ExitCode::CheckFailed,
            Error::ProviderFailed { .. } => ExitCode::Provider,
            Error::TimedOut { .. } => ExitCode::Timeout,
            _ => ExitCode::Usage,
        }
    }

    /// The message with outside values exactly as they were (the `Display`
    /// text escapes them for a terminal), for JSON.
    pub fn exact_message(&self) -> String {
        match self {
            Error::MalformedToml {
                path,
                line,
                column,
                message,
            } => format!("{}:{line}:{column}: malformed TOML: {message}", path.display()),
            Error::ReadFile { path, source } => format!("cannot read {}: {source}", path.display()),
            Error::WriteFile { path, source } => {
                format!("cannot write {}: {source}", path.display())
            }
            Error::BadSecretsLayout { path, message } => {
                format!("{}: {message}", path.display())
            }
            Error::UnknownPreset { name } => format!("unknown provider preset '{name}'"),
            Error::InvalidProviderName { name, reason } => {
                format!("invalid provider name '{name}': {reason}")
            }
            Error::InvalidValue {
                what,
                value,
                reason,
            } => format!("invalid {what} '{value}': {reason}"),
            Error::DefaultProviderTaken { existing } => format!(
                "[auth] already holds a default provider ({existing}), and this command would replace it"
            ),
            other => other.to_string(),
        }
    }

    /// `{"ok": false, "error": {...}}`: the failure for `--json` readers, on
    /// stdout, with the same message and hint as on stderr.
    pub fn to_json(&self, hint: Option<&str>) -> serde_json::Value {
        serde_json::json!({
            "ok": false,
            "error": {
                "message": self.exact_message(),
                "hint": hint,
                "exit_code": self.exit_code().code(),
            },
        })
    }

    /// What to do next, as one or more lines, when there is something useful
    /// to say. For a command that writes files use [`Error::hint_for`]: only
    /// there is "nothing was written" news.
    pub fn hint(&self) -> Option<String> {
        self.hint_for(false)
    }

    /// The hint, saying that nothing was written when `writes` (the command
    /// writes files, so the user may wonder) and the error stopped it first.
    pub fn hint_for(&self, writes: bool) -> Option<String> {
        let nothing_written = if writes { "Nothing was written. " } else { "" };
        match self {
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
            Error::RefusedProvider { way_out, .. } => Some(format!("Way out: {way_out}")),
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
            Error::Discovery(e) => Some(e.hint()),
            Error::LoginConfig { fix, .. } => Some(fix.clone()),
            Error::Verification { hint, .. }
            | Error::Input { hint, .. }
            | Error::ProviderFailed { hint, .. }
            | Error::TimedOut { hint, .. } => (!hint.is_empty()).then(|| hint.clone()),
            Error::InvalidValue { .. } => Some(format!(
                "{nothing_written}Correct the value and run the command again."
            )),
            Error::CheckFailed(_) => None,
            Error::Cancelled => writes.then(|| "Nothing was written.".into()),
            Error::Keychain(e) => Some(e.hint()),
            Error::Prompt(_) => Some(
                "Pass every input as a flag instead (see `stauth init --help`).".into(),
            ),
        }
    }
}
