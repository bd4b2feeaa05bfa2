//! `stauth decode`: read an ID token (and verify it when asked), or read
//! Streamlit's own login cookies with the app's cookie secret.

mod cookies;
mod view;

use std::io::IsTerminal;
use std::path::Path;

use colored::Colorize;
use serde_json::{json, Value};

use super::common::{signature_hint, stdin_input, unix_now, Keys};
use crate::cli::DecodeArgs;
use crate::error::{Error, Kind, Result};
use crate::exit::ExitCode;
use crate::fsutil::read::{open_regular, read_capped};
use crate::limits::{self, human_size};
use crate::oidc::id_token::{self, Check, Expectations, Jwt, TokenError, VerifiedBy};
use crate::oidc::token as fetch;
use crate::oidc::{self, Discovery};
use crate::output::Output;
use crate::secret::Secret;
use crate::streamlit::discovery_rules::{discovery_url_for_issuer, WELL_KNOWN};
use crate::streamlit::http_client::AnyRelease;
use crate::untrusted::Untrusted;

pub fn run(args: &DecodeArgs, out: &Output) -> Result<ExitCode> {
    if args.cookie.is_some() || args.cookie_header.is_some() {
        return cookies::run(args, out);
    }
    let explicit_keys = [args.jwks.is_some(), args.key.is_some(), args.secret_stdin]
        .iter()
        .filter(|b| **b)
        .count();
    if explicit_keys > 1 {
        return Err(usage(
            "key options",
            "choose one of --jwks, --key and --secret-stdin",
        ));
    }
    let raw = read_token(args)?;
    if raw.trim().is_empty() {
        return Err(Error::Input {
            message: "the token is empty".into(),
            hint: "Pass it as an argument, pipe it on stdin (or -), or use --file PATH.".into(),
        });
    }
    let jwt = id_token::parse(&raw).map_err(|e| Error::Input {
        message: format!("cannot decode '{}': {e}", Untrusted(&shorten(&raw))),
        hint: match e {
            TokenError::Opaque => "Opaque tokens (e.g. many access tokens) can only be checked by the provider (token introspection). ID tokens are JWTs: three base64url parts separated by dots.".into(),
            TokenError::Encrypted => "Decrypt it first, or ask the provider for signed (not encrypted) ID tokens.".into(),
            _ => "Copy the whole token: three base64url parts separated by dots.".into(),
        },
    })?;
    let now = unix_now();
    let wants_verify =
        args.verify || explicit_keys > 0 || args.issuer.is_some() || args.provider.is_some();
    let verification = if wants_verify {
        Some(verify(args, &jwt, now)?)
    } else {
        None
    };

    let mut text = view::fields("Header", &jwt.header, now as i64);
    text.push('\n');
    text.push_str(&view::fields("Claims", &jwt.claims, now as i64));
    text.push('\n');
    let (signature_json, failure) = match &verification {
        None => {
            let unsigned = jwt.alg().is_some_and(|a| a.eq_ignore_ascii_case("none"));
            text.push_str(&format!(
                "{} {}\n",
                "Signature NOT verified:".yellow().bold(),
                if unsigned {
                    "the token is unsigned (alg \"none\"): nothing proves who made it, and every verifier must refuse it"
                } else {
                    "pass --provider, --issuer, --jwks, --key or --secret-stdin to verify it"
                }
            ));
            // Verification would refuse these before the signature; say so even
            // when only displaying, so a token Streamlit rejects never looks fine.
            let problems = id_token::header_problems(&jwt.header);
            for p in &problems {
                text.push_str(&format!(
                    "{} {}\n",
                    "Streamlit would refuse this token:".red().bold(),
                    p
                ));
            }
            (
                json!({"verified": false, "alg": jwt.alg(), "kid": jwt.kid(), "note": "signature NOT verified", "header_problems": problems}),
                None,
            )
        }
        Some(v) => {
            match &v.result {
                Ok(by) => text.push_str(&format!(
                    "{} {}{} ({})\n",
                    "Signature verified:".green().bold(),
                    by.alg,
                    by.kid
                        .as_deref()
                        .map(|k| format!(", key {}", Untrusted(k)))
                        .unwrap_or_default(),
                    Untrusted(&v.source)
                )),
                Err(e) => text.push_str(&format!(
                    "{} {}\n",
                    "Signature NOT valid:".red().bold(),
                    Untrusted(&e.to_string())
                )),
            }
            text.push_str(&view::checks(&v.checks));
            let failure = v.failure();
            (
                json!({
                    "verified": v.result.is_ok() && failure.is_none(),
                    "alg": jwt.alg(),
                    "kid": jwt.kid(),
                    "source": v.source,
                    "error": v.result.as_ref().err().map(ToString::to_string),
                }),
                failure,
            )
        }
    };
    if out.json_mode() {
        out.json(&json!({
            "header": jwt.header,
            "claims": jwt.claims,
            "times": view::times_json(&jwt.claims, now as i64),
            "signature": signature_json,
            "checks": verification.as_ref().map(|v| v.checks.clone()).unwrap_or_default(),
        }));
    } else {
        out.data(text);
    }
    match failure {
        Some((message, hint)) => Err(Error::Verification { message, hint }),
        None => Ok(ExitCode::Success),
    }
}

struct Verification {
    source: String,
    /// The issuer the keys belong to (from --issuer or --provider), and the
    /// token's own `iss`.
    issuer: Option<String>,
    token_iss: Option<String>,
    /// Whether the allowed algorithms come from the provider's discovery.
    from_discovery: bool,
    result: std::result::Result<VerifiedBy, TokenError>,
    checks: Vec<Check>,
}

impl Verification {
    /// The message and hint for exit 1, if anything failed.
    fn failure(&self) -> Option<(String, String)> {
        if let Err(e) = &self.result {
            // Keys of one provider cannot verify another's token: say so
            // rather than only "bad signature" or "unknown kid".
            if let (Some(expected), false) = (
                &self.issuer,
                self.token_iss.as_deref() == self.issuer.as_deref(),
            ) {
                if matches!(
                    e,
                    TokenError::BadSignature
                        | TokenError::UnknownKid { .. }
                        | TokenError::NoMatchingKey { .. }
                ) {
                    let got = self.token_iss.as_deref().map_or_else(
                        || "no iss claim".to_string(),
                        |i| format!("\"{}\"", Untrusted(i)),
                    );
                    return Some((
                        format!("verification failed: the token's issuer is {got}, not {}, whose keys were used ({})", Untrusted(expected), Untrusted(&e.to_string())),
                        "Verify it with the keys of the provider that issued it (--issuer with the token's iss), or check that the app is configured for the provider the token comes from.".into(),
                    ));
                }
            }
            return Some((
                format!("verification failed: {e}"),
                signature_hint(
                    e,
                    if self.from_discovery {
                        Keys::Discovery
                    } else {
                        Keys::Given
                    },
                ),
            ));
        }
        let failed: Vec<&Check> = self.checks.iter().filter(|c| !c.ok).collect();
        (!failed.is_empty()).then(|| {
            (
                format!(
                    "verification failed: {}",
                    failed
                        .iter()
                        .map(|c| format!("{} ({})", c.name, Untrusted(&c.detail)))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                "The signature is valid, but a claim is not what was expected.".to_string(),
            )
        })
    }
}

/// Resolves the key source and expectations, then verifies.
fn verify(args: &DecodeArgs, jwt: &Jwt, now: u64) -> Result<Verification> {
    let mut issuer = None;
    let mut audience = args.audience.clone();
    let mut discovery: Option<Discovery> = None;
    if let Some(name) = &args.provider {
        let app = crate::streamlit::AppContext::load(&args.app_dir)?
            .with_secrets_files(&args.secrets_files)
            .with_fallback(crate::secret_store::KeychainFallback::new(&args.app_dir));
        let provider = (name != "default").then_some(name.as_str());
        let config = app.login_config(provider)?;
        audience = audience.or(Some(config.client_id.clone()));
        discovery = Some(oidc::fetch_discovery(
            &config.server_metadata_url,
            &AnyRelease,
        )?);
    } else if let Some(iss) = &args.issuer {
        let url = if iss.ends_with(WELL_KNOWN) {
            iss.clone()
        } else {
            discovery_url_for_issuer(iss)
        };
        discovery = Some(oidc::fetch_discovery(&url, &AnyRelease)?);
    }
    if let Some(d) = &discovery {
        issuer = Some(d.issuer().to_string());
    }
    let allowed: Vec<String> = discovery
        .as_ref()
        .and_then(|d| d.list("id_token_signing_alg_values_supported"))
        .map(|l| l.iter().map(|s| s.to_string()).collect())
        .unwrap_or_else(|| {
            id_token::ASYMMETRIC_ALGS
                .iter()
                .map(|s| s.to_string())
                .collect()
        });
    let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();

    let (source, result) = if args.secret_stdin {
        let secret = read_stdin_secret()?;
        (
            "shared secret from stdin".to_string(),
            id_token::verify_with_secret(jwt, secret.expose().as_bytes()),
        )
    } else if let Some(path) = &args.key {
        let bytes = read_flag_file(path, "--key", "the key", limits::KEY_FILE_BYTES)?;
        let source = format!("key {}", path.display());
        let result = if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            let mut jwk: Value =
                serde_json::from_slice(&bytes).map_err(|e| Error::InvalidValue {
                    what: "--key".into(),
                    value: path.display().to_string(),
                    reason: format!("not a JWK: {e}"),
                })?;
            // One explicit key: it is the key, whatever kid the token names.
            if let Some(obj) = jwk.as_object_mut() {
                match jwt.kid() {
                    Some(kid) => obj.insert("kid".into(), Value::String(kid.into())),
                    None => obj.remove("kid"),
                };
            }
            let kty = jwk
                .get("kty")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            id_token::verify_with_jwks(jwt, &json!({"keys": [jwk]}), id_token::ASYMMETRIC_ALGS)
                .map_err(|e| match e {
                    // An HS* token against a public key: algorithm confusion,
                    // named as with a PEM key.
                    TokenError::AlgorithmNotAllowed { alg, .. } => {
                        TokenError::KeyTypeMismatch { alg, kty }
                    }
                    other => other,
                })
        } else {
            id_token::verify_with_pem(jwt, &bytes)
        };
        (source, result)
    } else {
        let (jwks, source) = match (&args.jwks, &discovery) {
            (Some(j), _) => (load_jwks(j)?, format!("keys from {j}")),
            (None, Some(d)) => {
                let uri = d.str("jwks_uri").unwrap_or_default().to_string();
                let doc = fetch::get_json(&uri, "the JWKS endpoint", None, &AnyRelease)
                    .map_err(net_error)?;
                (Value::Object(doc), format!("keys from {uri}"))
            }
            (None, None) => {
                return Err(usage(
                    "--verify",
                    "say which key to verify with: --provider [NAME], --issuer URL, --jwks URL|FILE, --key FILE or --secret-stdin",
                ))
            }
        };
        (source, id_token::verify_with_jwks(jwt, &jwks, &allowed))
    };
    let expected_issuer = issuer.clone();
    let checks = if result.is_ok() {
        id_token::check_claims(
            jwt,
            &Expectations {
                issuer,
                audience,
                nonce: None,
                access_token: None,
                leeway: args.leeway,
                now,
            },
        )
    } else {
        Vec::new()
    };
    Ok(Verification {
        source,
        token_iss: jwt
            .claims
            .get("iss")
            .and_then(Value::as_str)
            .map(str::to_string),
        from_discovery: discovery
            .as_ref()
            .is_some_and(|d| d.list("id_token_signing_alg_values_supported").is_some()),
        issuer: expected_issuer,
        result,
        checks,
    })
}

fn load_jwks(spec: &str) -> Result<Value> {
    if spec.starts_with("https://") || spec.starts_with("http://") {
        let parsed = url::Url::parse(spec).map_err(|e| usage("--jwks", &e.to_string()))?;
        if let Some(reason) = oidc::url_policy::provider_url_problem(&parsed) {
            return Err(usage("--jwks", &reason));
        }
        return fetch::get_json(spec, "the JWKS URL", None, &AnyRelease)
            .map(Value::Object)
            .map_err(net_error);
    }
    let bytes = read_flag_file(
        Path::new(spec),
        "--jwks",
        "the JWKS",
        limits::KEY_FILE_BYTES,
    )?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| Error::InvalidValue {
        what: "--jwks".into(),
        value: spec.into(),
        reason: format!("not JSON: {e}"),
    })?;
    // A single JWK is accepted as a one-key set.
    Ok(if v.get("keys").is_some() {
        v
    } else {
        json!({"keys": [v]})
    })
}

fn net_error(e: fetch::ExchangeError) -> Error {
    let message = e.to_string();
    let hint = match &e {
        fetch::ExchangeError::Network(n) => n.hint(),
        _ => "Check the URL.".into(),
    };
    // A JWKS timeout exits 4, like a discovery timeout.
    match e.kind() {
        Kind::Timeout => Error::TimedOut { message, hint },
        _ => Error::ProviderFailed { message, hint },
    }
}

fn usage(what: &str, reason: &str) -> Error {
    Error::Input {
        message: format!("{what}: {reason}"),
        hint: "See `stauth decode --help`.".into(),
    }
}

/// The token from the argument, `--file`, or stdin (`-`, or piped).
fn read_token(args: &DecodeArgs) -> Result<String> {
    if let Some(path) = &args.file {
        let bytes = read_flag_file(path, "--file", "the token", limits::TOKEN_BYTES)?;
        return String::from_utf8(bytes).map_err(|_| Error::Input {
            message: format!(
                "--file {}: the file is not UTF-8 text",
                Untrusted(&path.to_string_lossy())
            ),
            hint: "A token is ASCII text: three base64url parts separated by dots. Pass the file that holds only the token.".into(),
        });
    }
    match args.token.as_deref() {
        Some("-") | None => {
            if args.secret_stdin {
                return Err(usage(
                    "token",
                    "stdin carries the secret (--secret-stdin): give the token as an argument or with --file",
                ));
            }
            if args.token.is_none() && std::io::stdin().is_terminal() {
                return Err(Error::MissingInputs {
                    missing: vec!["TOKEN (an argument, - for stdin, or --file PATH)".into()],
                });
            }
            read_stdin("the token")
        }
        Some(t) => Ok(t.to_string()),
    }
}

/// A token or cookie (`what`) from stdin, at most `limits::TOKEN_BYTES`.
pub(super) fn read_stdin(what: &str) -> Result<String> {
    read_stdin_within(what, limits::TOKEN_BYTES)
}

/// The HMAC or cookie secret from stdin, at most `limits::STDIN_SECRET_BYTES`.
pub(super) fn read_stdin_secret() -> Result<Secret> {
    Ok(Secret::new(
        read_stdin_within("the secret", limits::STDIN_SECRET_BYTES)?.trim(),
    ))
}

/// Stdin, capped (see `common::stdin_input`).
fn read_stdin_within(what: &str, cap: u64) -> Result<String> {
    stdin_input(what, cap, |cap| {
        format!("Pipe only {what}: stauth reads at most {cap} of it.")
    })
}

/// The file given with `flag` (`--file`, `--key`, `--jwks`): read only if it
/// is a regular file, and at most `cap` bytes, so a device (`/dev/zero`), a
/// FIFO or a huge file fails at once with the reason instead of hanging or
/// filling memory.
fn read_flag_file(path: &Path, flag: &str, what: &str, cap: u64) -> Result<Vec<u8>> {
    let shown = path.to_string_lossy();
    let refused = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput => Error::Input {
            message: format!("{flag} {}: {e}", Untrusted(&shown)),
            hint: format!(
                "Pass a regular file of at most {} holding only {what}.",
                human_size(cap),
            ),
        },
        _ => Error::ReadFile {
            path: path.to_path_buf(),
            source: e,
        },
    };
    let file = open_regular(path).map_err(refused)?;
    read_capped(file, cap, &format!("{what} file")).map_err(refused)
}

fn shorten(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 24 {
        format!("{}…", s.chars().take(23).collect::<String>())
    } else {
        s.to_string()
    }
}
