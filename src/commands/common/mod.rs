//! What more than one command needs and no core module should hold: the
//! clock a command checks tokens and cookies against, and the advice that
//! follows a failed ID token signature (it names stauth's flags).

pub mod child;

use std::time::{SystemTime, UNIX_EPOCH};

use crate::cli::ReleaseArgs;
use crate::error::{Error, Result};
use crate::fsutil::read::read_stdin_capped;
use crate::limits::human_size;
use crate::oidc::id_token::TokenError;
use crate::output::{untrusted, Output};
use crate::python_env::{choose_release, Environment};
use crate::streamlit::{AppContext, StreamlitVersion};

/// `what` from stdin, at most `cap` bytes: an endless pipe (`< /dev/zero`)
/// ends in a clear input error (exit 2) naming the input and the cap.
/// `hint` gets the cap as text ("64 KiB") to say what to pipe instead.
pub fn stdin_input(what: &str, cap: u64, hint: impl FnOnce(&str) -> String) -> Result<String> {
    read_stdin_capped(cap, what).map_err(|e| Error::Input {
        message: if e.kind() == std::io::ErrorKind::InvalidData {
            e.to_string()
        } else {
            format!("cannot read {what} from stdin: {e}")
        },
        hint: hint(&human_size(cap)),
    })
}

/// The release `args` name, checked (exit 2 on a bad value).
pub fn release_flag(args: &ReleaseArgs) -> Result<Option<StreamlitVersion>> {
    args.streamlit_version
        .as_deref()
        .map(|v| {
            v.parse().map_err(|reason| Error::InvalidValue {
                what: "--streamlit-version".into(),
                value: v.to_string(),
                reason,
            })
        })
        .transpose()
}

/// Sets the Streamlit release `app` runs: `--streamlit-version`, else the
/// one installed for the app's Python (`--python`, the active venv,
/// `<app>/.venv`, `python3`), else the newest stauth knows; with the
/// server that `server.useStarlette` picks. The Python is asked only when
/// no version is given, or when `inspect_always` (doctor reports on it).
/// Says on stderr which release is checked and why.
pub fn with_release(
    app: AppContext,
    args: &ReleaseArgs,
    inspect_always: bool,
    out: &Output,
) -> Result<(AppContext, Option<Environment>)> {
    let (app, env) = resolve_release(app, args, inspect_always)?;
    let choice = &app.release;
    if let Some(warning) = choice.newer_warning() {
        out.warning(warning);
    }
    out.line(out.dim(format!(
        "Checking against {} ({}).",
        choice.release.describe(),
        untrusted(&choice.reason())
    )));
    Ok((app, env))
}

/// [`with_release`] without the line on stderr, for a command that names
/// the release in its own heading (doctor); the warning for a release newer
/// than stauth knows is the caller's to print.
pub fn resolve_release(
    app: AppContext,
    args: &ReleaseArgs,
    inspect_always: bool,
) -> Result<(AppContext, Option<Environment>)> {
    let flag = release_flag(args)?;
    let env = (flag.is_none() || inspect_always)
        .then(|| Environment::inspect(args.python.as_deref(), &app.app_dir));
    let (version, source) = choose_release(env.as_ref(), flag);
    let app = app.with_release(version, source)?;
    Ok((app, env))
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Where the keys an ID token was checked against came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// The provider's `jwks_uri`, fetched again on an unknown `kid`, as
    /// Streamlit (Authlib) does at login.
    Login,
    /// The `jwks_uri` of a discovery document.
    Discovery,
    /// Keys or a secret the user gave.
    Given,
}

/// What to do about a token whose signature did not verify.
pub fn signature_hint(e: &TokenError, keys: Keys) -> String {
    let from_provider = keys != Keys::Given;
    match e {
        TokenError::Unsigned => "An unsigned token proves nothing; never accept it.".into(),
        TokenError::UnsupportedHeader(_) => "Streamlit refuses such a token before it looks at the signature. The provider (or whoever made the token) must sign ID tokens without unknown critical header extensions (crit).".into(),
        TokenError::KeyTypeMismatch { .. } => "The key does not fit the token's algorithm. Refusing prevents algorithm-confusion attacks (an RS256 public key used as an HS256 secret).".into(),
        TokenError::UnknownKid { .. } if keys == Keys::Login => "The key that signed the token is not in the provider's jwks_uri, even after fetching it again. Check the provider's signing key configuration.".into(),
        TokenError::UnknownKid { .. } => "The key set has no key with this kid: the token comes from another provider, or the provider rotated its keys.".into(),
        TokenError::NoMatchingKey { alg } if alg.starts_with("HS") && from_provider => "Configure the provider to sign ID tokens with an asymmetric key (RS256 or ES256); Authentik: pick a Signing Key; Auth0: keep RS256.".into(),
        TokenError::NoMatchingKey { .. } if from_provider => "None of the provider's published keys fits this token's algorithm.".into(),
        TokenError::NoMatchingKey { .. } => "None of the keys given fits this token's algorithm.".into(),
        TokenError::AlgorithmNotAllowed { alg, .. } if alg.starts_with("HS") && !from_provider => "HS* tokens are signed with a shared secret (often the client secret), not a public key: pipe it with --secret-stdin.".into(),
        TokenError::AlgorithmNotAllowed { .. } if from_provider => "The provider does not list this algorithm in id_token_signing_alg_values_supported (Authlib refuses it); an attacker may have changed the header.".into(),
        TokenError::AlgorithmNotAllowed { .. } => "stauth verifies only these algorithms with public keys; an attacker may have changed the header.".into(),
        _ => "The token was changed after signing, or it was signed with another key.".into(),
    }
}

/// The catalog preset `--like NAME` asks the dev provider to imitate; an
/// unknown name lists the presets, a refused provider says why it cannot work.
pub fn like_preset(name: &str) -> Result<&'static crate::catalog::Preset> {
    if let Some(r) = crate::catalog::refusal(name) {
        return Err(Error::RefusedProvider {
            title: r.title.into(),
            reason: r.reason.into(),
            way_out: r.way_out.into(),
        });
    }
    crate::catalog::preset(name).ok_or_else(|| Error::InvalidValue {
        what: "--like".into(),
        value: name.into(),
        reason: format!(
            "no such preset (the presets: {})",
            crate::catalog::PRESETS
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// A random secret (64 hex digits): a dev provider client's secret, a cookie secret.
pub fn new_secret() -> Result<crate::secret::Secret> {
    crate::secret::Secret::random_hex32().map_err(|e| {
        Error::Prompt(format!(
            "the operating system's random number generator failed: {e}"
        ))
    })
}

/// `stauth-dev-` and 12 random hex digits: recognisable in the log, and
/// unique per app so two apps on one dev provider do not share a client.
pub fn new_dev_client_id() -> Result<String> {
    let random = new_secret()?;
    Ok(format!(
        "{}{}",
        crate::diagnosis::dev_provider::DEV_CLIENT_PREFIX,
        &random.expose()[..12]
    ))
}
