//! The library's error type. Messages are written for the user: what happened
//! in the `Display` text; each error says what [`Kind`] of failure it is, and
//! the command line turns that into an exit code and the next thing to do.

use std::path::PathBuf;

use crate::untrusted::Untrusted;

/// A path as shown in a message: escaped, since a file name can hold controls.
fn shown(path: &std::path::Path) -> String {
    Untrusted(&path.display().to_string()).to_string()
}

/// What kind of failure an error is: the command line maps each kind to its
/// exit code, so the core never needs to know the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A check or a verification failed.
    Check,
    /// Bad input, a malformed file or another configuration problem.
    Usage,
    /// The provider or the network failed.
    Provider,
    /// Waited too long.
    Timeout,
}

/// What an app's secrets lack for st.login, when stauth itself can add it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setup {
    /// No secrets file at all.
    SecretsFile,
    /// A secrets file without `[auth]`.
    AuthTable,
    /// `[auth]` is not a table.
    AuthNotTable,
    /// `[auth]` lacks `cookie_secret`.
    CookieSecret,
    /// `[auth]` lacks a key every provider shares (`redirect_uri`, ...).
    AuthKey,
    /// The provider's table lacks keys.
    ProviderKeys,
    /// The default provider is asked for but not there; `named` are the
    /// named providers the file has, `default_too` whether `[auth]` has a
    /// default provider's keys after all.
    Provider {
        named: Vec<String>,
        default_too: bool,
    },
}

/// An error from a module that sits above this one (the OIDC client, the
/// secret store), kept whole: boxing it here keeps `error` at the bottom of
/// the core, so those modules can return [`Error`] without a circle.
pub trait Failure: std::error::Error + Send + Sync + 'static {
    fn kind(&self) -> Kind;
    /// What to do next.
    fn hint(&self) -> String;
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

    /// The command line adds how to go ahead anyway.
    #[error("{what} would change an existing value")]
    WouldOverwrite { what: String, changes: Vec<String> },

    #[error(
        "[auth] already holds a default provider ({}), and this command would replace it",
        Untrusted(.existing)
    )]
    DefaultProviderTaken { existing: String },

    #[error("{message}")]
    LoginConfig { message: String, fix: String },

    /// The app's login configuration lacks something stauth can write;
    /// `setup` says what, and the command line says how.
    #[error("{message}")]
    NeedsSetup { message: String, setup: Setup },

    /// The provider's discovery document or the OS keychain failed; the
    /// failing module's own error, with its kind and hint.
    #[error("{0}")]
    Upstream(Box<dyn Failure>),

    #[error("{0}")]
    CheckFailed(String),

    /// Input that cannot be used ([`Kind::Usage`]), with what to do.
    #[error("{message}")]
    Input { message: String, hint: String },

    /// A verification failed ([`Kind::Check`]), with what to do.
    #[error("{message}")]
    Verification { message: String, hint: String },

    /// The provider refused or failed ([`Kind::Provider`]), with what to do.
    #[error("{message}")]
    ProviderFailed { message: String, hint: String },

    /// Waited too long ([`Kind::Timeout`]), with what to check.
    #[error("{message}")]
    TimedOut { message: String, hint: String },

    #[error("cancelled")]
    Cancelled,

    #[error("cannot ask for input: {0}")]
    Prompt(String),
}

impl Error {
    pub fn kind(&self) -> Kind {
        match self {
            Error::Upstream(e) => e.kind(),
            Error::CheckFailed(_) | Error::Verification { .. } => Kind::Check,
            Error::ProviderFailed { .. } => Kind::Provider,
            Error::TimedOut { .. } => Kind::Timeout,
            _ => Kind::Usage,
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

    /// The next thing to do, when the error carries it. Hints that name a
    /// command or a flag are added by the command line.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Upstream(e) => Some(e.hint()),
            Error::RefusedProvider { way_out, .. } => Some(format!("Way out: {way_out}")),
            Error::LoginConfig { fix, .. } => Some(fix.clone()),
            Error::Verification { hint, .. }
            | Error::Input { hint, .. }
            | Error::ProviderFailed { hint, .. }
            | Error::TimedOut { hint, .. } => (!hint.is_empty()).then(|| hint.clone()),
            _ => None,
        }
    }
}
