//! `stauth decode --cookie / --cookie-header`: Streamlit's login cookies,
//! verified with the app's cookie secret and decoded.

use serde_json::{json, Map, Value};

use super::{read_stdin, read_stdin_secret, view};
use crate::cli::DecodeArgs;
use crate::commands::common::{unix_now, with_release};
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::oidc::id_token;
use crate::output::{untrusted, Output};
use crate::secret::Secret;
use crate::streamlit::cookie_reader::{self, CookieError, CookieFormat, MAX_AGE_SECS};
use crate::streamlit::cookies::{TOKENS_COOKIE, USER_COOKIE};
use crate::streamlit::release::Release;
use crate::streamlit::AppContext;

pub fn run(args: &DecodeArgs, out: &Output) -> Result<ExitCode> {
    let from_stdin =
        args.cookie.as_deref() == Some("-") || args.cookie_header.as_deref() == Some("-");
    if from_stdin && args.secret_stdin {
        return Err(Error::InvalidValue {
            what: "--secret-stdin".into(),
            value: String::new(),
            reason: "stdin already carries the cookie; let stauth read cookie_secret from the app's secrets file (--app-dir, --secrets-file)".into(),
        });
    }
    let pairs = match (&args.cookie, &args.cookie_header) {
        (Some(value), _) => {
            let value = if value == "-" {
                read_stdin("the cookie")?
            } else {
                value.clone()
            };
            let value = value.trim();
            // A pasted `name=value` pair works too.
            let value = value
                .strip_prefix(&format!("{USER_COOKIE}="))
                .unwrap_or(value);
            vec![(
                USER_COOKIE.to_string(),
                cookie_reader::parse_cookie_header(&format!("x={value}"))[0]
                    .1
                    .clone(),
            )]
        }
        (None, Some(header)) => {
            let header = if header == "-" {
                read_stdin("the Cookie header")?
            } else {
                header.clone()
            };
            cookie_reader::parse_cookie_header(&header)
        }
        (None, None) => unreachable!("run is only called with a cookie option"),
    };
    // The OS keychain when the files lack cookie_secret (stauth init --store keychain).
    let app = crate::streamlit::AppContext::load(&args.app_dir)?
        .with_secrets_files(&args.secrets_files)
        .with_fallback(crate::secret_store::KeychainFallback::new(&args.app_dir));
    let (app, _) = with_release(app, &args.release, false, out)?;
    let (secret, secret_source) = cookie_secret(args, &app)?;
    let now = unix_now();
    let identity = cookie_reader::read(&pairs, USER_COOKIE, secret.expose(), now)
        .map_err(|e| cookie_error(e, &secret_source))?
        .ok_or_else(|| Error::InvalidValue {
            what: "cookies".into(),
            value: String::new(),
            reason: format!("there is no {USER_COOKIE} cookie in what was given: copy the Cookie header of a request to the app (browser dev tools → Network → a request → Request Headers → Cookie)"),
        })?;
    let identity_map: Map<String, Value> =
        serde_json::from_str(&identity.value).map_err(|_| Error::Verification {
            message: format!(
                "{USER_COOKIE} is signed correctly but does not hold Streamlit's identity JSON"
            ),
            hint: String::new(),
        })?;
    let tokens = cookie_reader::read(&pairs, TOKENS_COOKIE, secret.expose(), now)
        .map_err(|e| cookie_error(e, &secret_source))?;
    let tokens_map: Option<Map<String, Value>> = tokens
        .as_ref()
        .and_then(|t| serde_json::from_str(&t.value).ok());

    let format = match identity.format {
        CookieFormat::Itsdangerous => "itsdangerous (Starlette server, Streamlit 1.53+)",
        CookieFormat::Tornado => "Tornado signed value v2 (Tornado server, Streamlit up to 1.56)",
    };
    let expires_at = identity.signed_at + MAX_AGE_SECS;
    let (signed_utc, signed_local, signed_rel) =
        view::time_words("signed", identity.signed_at as i64, now as i64);
    let (exp_utc, _, exp_rel) = view::time_words("exp", expires_at as i64, now as i64);
    let id_token = tokens_map
        .as_ref()
        .and_then(|m| m.get("id_token"))
        .and_then(Value::as_str)
        .and_then(|t| id_token::parse(t).ok());
    let access = tokens_map
        .as_ref()
        .and_then(|m| m.get("access_token"))
        .and_then(Value::as_str);

    let release = *app.release();
    let notes = release_notes(&release, identity.format, identity.chunks);
    if out.json_mode() {
        out.json(&json!({
            "streamlit": app.release.to_json(),
            "release_notes": notes,
            "format": identity.format,
            "signed_at": identity.signed_at,
            "expires_at": expires_at,
            "chunks": identity.chunks,
            "secret_from": secret_source,
            "identity": identity_map,
            "tokens": tokens.as_ref().map(|t| json!({
                "chunks": t.chunks,
                "id_token": id_token.as_ref().map(|j| json!({"header": j.header, "claims": j.claims})),
                "access_token": access.map(|a| match id_token::parse(a) {
                    Ok(j) => json!({"jwt": true, "claims": j.claims}),
                    Err(_) => json!({"jwt": false, "length": a.len()}),
                }),
            })),
        }));
        return Ok(ExitCode::Success);
    }
    let mut text = String::new();
    text.push_str(&format!(
        "{USER_COOKIE}: signature valid ({format}, cookie_secret from {})\n",
        untrusted(&secret_source)
    ));
    if identity.chunks > 0 {
        text.push_str(&format!("  reassembled from {} chunks\n", identity.chunks));
    }
    text.push_str(&format!(
        "  signed {signed_utc} · {signed_local} local · {signed_rel}\n"
    ));
    text.push_str(&format!(
        "  Streamlit accepts it until {exp_utc} ({})\n\n",
        exp_rel.replace("expires", "that is")
    ));
    text.push_str(&view::fields(
        "st.user (identity cookie)",
        &identity_map,
        now as i64,
    ));
    match (&tokens, &id_token) {
        (None, _) => text.push_str(&format!(
            "\nNo {TOKENS_COOKIE} cookie (Streamlit before 1.53 does not set it).\n"
        )),
        (Some(t), Some(jwt)) => {
            text.push('\n');
            let title = format!(
                "{TOKENS_COOKIE}: id_token{} (signature not checked here)",
                if t.chunks > 0 {
                    format!(", from {} chunks", t.chunks)
                } else {
                    String::new()
                }
            );
            text.push_str(&view::fields(&title, &jwt.claims, now as i64));
        }
        (Some(_), None) => text.push_str(&format!("\n{TOKENS_COOKIE}: no id_token inside\n")),
    }
    if let Some(a) = access {
        text.push_str(&format!(
            "  access_token: {}\n",
            if id_token::parse(a).is_ok() {
                "a JWT (decode it with stauth decode)".to_string()
            } else {
                format!("opaque, {} characters", a.len())
            }
        ));
    }
    out.data(text);
    for note in notes {
        out.warning(note);
    }
    Ok(ExitCode::Success)
}

/// The app's cookie_secret: from stdin, or from `[auth]` in its secrets files.
fn cookie_secret(args: &DecodeArgs, app: &AppContext) -> Result<(Secret, String)> {
    if args.secret_stdin {
        return Ok((read_stdin_secret()?, "stdin".into()));
    }
    app.cookie_secret()
}

/// What the app's release makes of a cookie in `format` with `chunks`:
/// a server that signs the other way does not read it (the user logs in
/// again), and a release before 1.53 never reads chunks.
fn release_notes(release: &Release, format: CookieFormat, chunks: usize) -> Vec<String> {
    let mut notes = Vec::new();
    let reads = match format {
        CookieFormat::Tornado => !release.server.is_starlette(),
        CookieFormat::Itsdangerous => release.server.is_starlette(),
    };
    if !reads {
        notes.push(format!(
            "{} signs its cookies differently and will not read this one: the user is logged out and logs in again.",
            release.describe()
        ));
    }
    if chunks > 0 && !release.chunks_cookies() {
        notes.push(format!(
            "Streamlit {} does not read chunked cookies (they arrived in 1.53).",
            release.version
        ));
    }
    notes
}

fn cookie_error(e: CookieError, secret_source: &str) -> Error {
    let hint = match &e {
        CookieError::BadSignature { .. } => format!(
            "Use the cookie_secret of the app that set the cookie (stauth used the one from {}; pass another app with --app-dir or pipe the secret with --secret-stdin). After cookie_secret is rotated, every old cookie is refused like this.",
            untrusted(secret_source)
        ),
        CookieError::Expired { .. } => "Log in again: Streamlit will refuse this cookie too.".into(),
        CookieError::MissingChunk { .. } => "Copy the whole Cookie header (it holds every _streamlit_user_N chunk) and use --cookie-header.".into(),
        CookieError::Format { .. } | CookieError::Payload { .. } => "Copy the cookie value exactly, without surrounding text.".into(),
        CookieError::Future { .. } => "Check the clocks of this machine and of the app's server.".into(),
    };
    Error::Verification {
        message: e.to_string(),
        hint,
    }
}
