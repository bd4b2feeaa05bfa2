//! `stauth test-login`: the real login, in a browser, with the request
//! Streamlit sends; then the ID token verified as Authlib does, and a report
//! of what `st.user` will hold, the cookie sizes, and what logout will do.

mod browser;
mod explain;
mod login_as;
mod report;
mod wait;

use std::time::Instant;

use serde_json::{Map, Value};

use super::common::{signature_hint, unix_now, with_release, Keys};
use crate::cli::TestLoginArgs;
use crate::error::{Error, Kind, Result};
use crate::exit::ExitCode;
use crate::oidc::id_token::{self, Expectations, TokenError, AUTHLIB_LEEWAY};
use crate::oidc::loopback::{Callback, ListenError, Listener};
use crate::oidc::token::{self, CodeExchange, ExchangeError};
use crate::oidc::{self, Discovery};
use crate::output::{untrusted, Output};
use crate::streamlit::auth_config::LoginConfig;
use crate::streamlit::http_client::AnyRelease;
use crate::streamlit::login_request::{self, LoginRequest, Refusal};
use crate::streamlit::redirect::parse_redirect_uri;
use crate::streamlit::AppContext;

use report::{Report, Timings};
use wait::{wait_for_paste, wait_in_browser, wait_login_as};

pub fn run(args: &TestLoginArgs, out: &Output) -> Result<ExitCode> {
    // Before the listener binds: Ctrl-C at any point exits 130 cleanly.
    crate::interrupt::restore_terminal_on_interrupt();
    let started = Instant::now();
    let mut timings = Timings::default();
    // Secrets the files lack come from the OS keychain (stauth init --store keychain).
    let app = AppContext::load(&args.app_dir)?
        .with_secrets_files(&args.secrets_files)
        .with_fallback(crate::secret_store::KeychainFallback::new(&args.app_dir));
    let (app, _) = with_release(app, &args.release, false, out)?;
    let release = *app.release();
    let server = &app.server;
    let config = app.login_config(args.provider.as_deref())?;
    let redirect_text = args
        .redirect_uri
        .clone()
        .unwrap_or_else(|| config.redirect_uri.clone());
    let redirect =
        parse_redirect_uri(&redirect_text, server.port).map_err(|reason| Error::InvalidValue {
            what: "redirect_uri".into(),
            value: redirect_text.clone(),
            reason,
        })?;

    // Bind before anything slow, so a busy port is reported at once.
    let listener = if args.manual {
        None
    } else {
        Some(Listener::bind(&redirect).map_err(|e| listen_error(e, &redirect_text))?)
    };
    // Kept until the end of the run: a dev provider started here stops with it.
    let dev_login = match &args.login_as {
        Some(sub) => Some(login_as::prepare(sub, &app, &config, &redirect, out)?),
        None => None,
    };

    let t = Instant::now();
    let discovery = oidc::fetch_discovery(&config.server_metadata_url, &release)?;
    timings.discovery = t.elapsed();

    let request = login_request::build(&config, &discovery, &release, &redirect_text).map_err(
        |refusal| match refusal {
            Refusal::Config(message) => Error::LoginConfig {
                message,
                fix: "Fix client_kwargs in secrets.toml.".into(),
            },
            Refusal::Provider(message) => Error::ProviderFailed {
                message: untrusted(&message).into_owned(),
                hint: "Ask the provider's admin to list the methods or leave the field out (\"code_challenge_methods_supported\": [\"S256\"]), or run Streamlit 1.57 or later, which reads null as none.".into(),
            },
        },
    )?;

    // Paths and values from the secrets file are shown escaped: the file
    // may come from someone else (a shared folder, a repository).
    out.heading(format!(
        "Testing {} of {} with Streamlit {}'s login request",
        config.slot,
        untrusted(&config.source.display().to_string()),
        release.version
    ));
    out.detail(format!(
        "provider {}\nscope \"{}\", prompt \"{}\", PKCE {}, token auth {}",
        untrusted(&config.server_metadata_url),
        untrusted(&request.scope),
        untrusted(&request.prompt),
        if request.code_verifier.is_some() {
            "S256"
        } else {
            "off"
        },
        request.token_auth.name()
    ));

    let t = Instant::now();
    let (callback, pending) = match &listener {
        Some(listener) => {
            let (callback, pending) = match &dev_login {
                Some(dev) => wait_login_as(args, out, listener, &request, dev)?,
                None => wait_in_browser(args, out, listener, &request)?,
            };
            (callback, Some(pending))
        }
        None => (wait_for_paste(out, &request, &redirect)?, None),
    };
    timings.waiting = t.elapsed();
    let code_received = matches!(callback, Callback::Code(_));

    let outcome = finish(
        &Login {
            args,
            out,
            app: &app,
            config: &config,
            discovery: &discovery,
            request: &request,
            redirect_text: &redirect_text,
            dev_login: dev_login.as_ref(),
            started,
        },
        callback,
        timings,
    );

    if let Some(pending) = pending {
        let page = match &outcome {
            Ok(report) => report.page(),
            Err(e) => report::failure_page(
                code_received,
                &crate::exit::message(e),
                &crate::exit::hint_for(e, false).unwrap_or_default(),
            ),
        };
        pending.answer(200, &crate::pages::test_login_report(&page));
    }
    let report = outcome?;
    report.print(out);
    // For `stauth probe`; a cache that cannot be written does not fail the login.
    if let Some(record) = report.last_login(super::common::unix_now()) {
        let _ = crate::probe::last_login::save(&args.app_dir, &record);
    }
    if out.json_mode() {
        out.json(&report.to_json());
    }
    Ok(ExitCode::of_checks(report.has_errors()))
}

/// What the steps after the callback use.
struct Login<'a> {
    args: &'a TestLoginArgs,
    out: &'a Output,
    app: &'a AppContext,
    config: &'a LoginConfig,
    discovery: &'a Discovery,
    request: &'a LoginRequest,
    redirect_text: &'a str,
    dev_login: Option<&'a login_as::DevLogin>,
    started: Instant,
}

/// Everything from the callback to the report, in one place so that the
/// browser's held callback request is answered with the outcome, errors
/// included.
fn finish(login: &Login<'_>, callback: Callback, mut timings: Timings) -> Result<Report> {
    let Login {
        args,
        out,
        app,
        config,
        discovery,
        request,
        redirect_text,
        dev_login,
        started,
    } = *login;
    let release = *app.release();
    let server = &app.server;
    let code = match callback {
        Callback::Code(code) => code,
        Callback::ProviderError {
            error,
            description,
            state_missing,
        } => {
            return Err(Error::ProviderFailed {
                // Both are the provider's text, carried in a URL anyone can craft.
                message: format!(
                    "the provider refused the login: {}{}{}",
                    untrusted(&error),
                    description
                        .as_deref()
                        .map(|d| format!(" ({})", untrusted(d)))
                        .unwrap_or_default(),
                    if state_missing {
                        "; its answer has no state parameter (Streamlit reports the error all the same: it reads error before state)"
                    } else {
                        ""
                    }
                ),
                hint: explain::callback_error(&error, description.as_deref(), redirect_text),
            });
        }
    };
    out.success(format!("Callback received on {}", untrusted(redirect_text)));

    let t = Instant::now();
    // On a terminal the step shows while the provider answers (up to its
    // deadline); the line is ended before the outcome, an error included, so
    // "error:" never lands on the end of it.
    let tty = out.stderr_is_terminal();
    if tty {
        out.progress(format!("Token exchange ({})...", request.token_auth.name()));
    }
    let exchanged = token::exchange_code(&CodeExchange {
        token_endpoint: discovery.str("token_endpoint").unwrap_or_default(),
        code: &code,
        redirect_uri: redirect_text,
        client_id: &config.client_id,
        client_secret: &config.client_secret,
        auth: &request.token_auth,
        code_verifier: request.code_verifier.as_deref(),
        streamlit: &release,
    });
    if tty {
        out.end_progress();
    }
    let tokens = exchanged.map_err(|e| exchange_failed(e, request.token_auth.name()))?;
    timings.token = t.elapsed();
    let Some(raw_id_token) = tokens.id_token.clone() else {
        return Err(Error::ProviderFailed {
        message: "the token response has no id_token".into(),
        hint: format!(
            "Streamlit needs an ID token: the scope (\"{}\") must include openid, and the client must be an OpenID Connect client.",
            request.scope
        ),
    });
    };
    out.success(format!("Token exchange ({})", request.token_auth.name()));

    let (verified_by, jwt, checks) = verify(
        discovery,
        config,
        request,
        &tokens,
        &raw_id_token,
        &mut timings,
    )?;
    out.success(format!(
        "ID token signature: {}{}",
        verified_by.alg,
        verified_by
            .kid
            .as_deref()
            .map(|k| format!(" (key {k})"))
            .unwrap_or_default()
    ));

    let t = Instant::now();
    let userinfo = match (
        discovery.str("userinfo_endpoint"),
        tokens.access_token.as_deref(),
    ) {
        (Some(endpoint), Some(access)) => Some(
            token::get_json(endpoint, "the userinfo endpoint", Some(access), &release)
                .map_err(|e| e.to_string()),
        ),
        _ => None,
    };
    timings.userinfo = t.elapsed();
    timings.total = started.elapsed();

    let report = Report::build(report::Inputs {
        config,
        discovery,
        release: &app.release,
        server,
        request,
        redirect_uri: redirect_text,
        jwt: &jwt,
        verified_by: &verified_by,
        checks: &checks,
        id_token: &raw_id_token,
        access_token: tokens.access_token.as_deref(),
        userinfo,
        timings,
        now: unix_now(),
        show_tokens: args.show_tokens,
    });
    if let Some(dev) = &dev_login {
        dev.check_sub(jwt.claims.get("sub").and_then(Value::as_str))?;
    }
    Ok(report)
}

type Verified = (id_token::VerifiedBy, id_token::Jwt, Vec<id_token::Check>);

/// Signature with a key from jwks_uri (fetched again once for an unknown
/// kid, as Authlib does), then the claim checks.
fn verify(
    discovery: &Discovery,
    config: &LoginConfig,
    request: &LoginRequest,
    tokens: &token::Tokens,
    raw: &str,
    timings: &mut Timings,
) -> Result<Verified> {
    let jwt = id_token::parse(raw).map_err(|e| Error::Verification {
        message: format!("the ID token cannot be read: {e}"),
        hint: String::new(),
    })?;
    let jwks_uri = discovery.str("jwks_uri").unwrap_or_default();
    let fetch_keys = || {
        token::get_json(jwks_uri, "the JWKS endpoint", None, &AnyRelease)
            .map(Value::Object)
            .map_err(|e| exchange_failed(e, ""))
    };
    let t = Instant::now();
    let mut jwks = fetch_keys()?;
    timings.keys = t.elapsed();
    let algs: Vec<&str> = discovery
        .list("id_token_signing_alg_values_supported")
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| vec!["RS256"]);
    let t = Instant::now();
    let mut result = id_token::verify_with_jwks(&jwt, &jwks, &algs);
    if matches!(result, Err(TokenError::UnknownKid { .. })) {
        let t2 = Instant::now();
        jwks = fetch_keys()?;
        timings.keys += t2.elapsed();
        result = id_token::verify_with_jwks(&jwt, &jwks, &algs);
    }
    let verified_by = result.map_err(|e| Error::Verification {
        message: format!("ID token verification failed: {e}"),
        hint: signature_hint(&e, Keys::Login),
    })?;
    let checks = id_token::check_claims(
        &jwt,
        &Expectations {
            issuer: Some(discovery.issuer().to_string()),
            audience: Some(config.client_id.clone()),
            nonce: Some(request.nonce.clone()),
            access_token: tokens.access_token.clone(),
            leeway: AUTHLIB_LEEWAY,
            now: unix_now(),
        },
    );
    timings.verify = t.elapsed();
    let failed: Vec<&id_token::Check> = checks.iter().filter(|c| !c.ok).collect();
    if let Some(first) = failed.first() {
        let all: Vec<String> = failed
            .iter()
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect();
        return Err(Error::Verification {
            message: format!(
                "ID token verification failed ({}): Streamlit would reject this login",
                failed.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
            ),
            hint: format!("{}\n{}", all.join("\n"), claim_hint(first.name)),
        });
    }
    Ok((verified_by, jwt, checks))
}

fn claim_hint(name: &str) -> String {
    match name {
        "iss" => "The provider issues tokens under another issuer than its discovery document says (often a proxy or a wrong public URL setting).".into(),
        "aud" | "azp" => "The token was issued for another client: check client_id.".into(),
        "exp" | "iat" | "nbf" => "Check this machine's clock (and the provider's): they must agree within 120 s.".into(),
        "nonce" => "The nonce in the token is not the one sent: a replayed or mixed-up login.".into(),
        "at_hash" => "The ID token does not belong to the access token it came with.".into(),
        _ => String::new(),
    }
}

fn listen_error(e: ListenError, redirect: &str) -> Error {
    match e {
        ListenError::InUse { addr, port } => Error::LoginConfig {
            message: format!("port {port} on {addr} is already in use, so stauth cannot receive the login at {}", untrusted(redirect)),
            fix: "This is most likely your Streamlit app (streamlit run) listening on the redirect URI's port. Stop it while testing: the provider sends the browser back to exactly this port. Or test with another redirect URI that is registered at the provider: --redirect-uri http://localhost:OTHER_PORT/oauth2callback".into(),
        },
        ListenError::NotLoopback { host } => Error::LoginConfig {
            message: format!("redirect_uri points to {host}, not to this machine, so stauth cannot receive the provider's redirect there"),
            fix: "Register a local redirect URI too and test with it (--redirect-uri http://localhost:8501/oauth2callback), or log in and paste the final URL with --manual.".into(),
        },
        ListenError::Other { addr, detail } => Error::LoginConfig {
            message: format!("cannot listen on {addr}: {detail}"),
            fix: "Use another redirect URI (--redirect-uri) or --manual.".into(),
        },
    }
}

fn exchange_failed(e: ExchangeError, auth_method: &str) -> Error {
    let hint = match e.oauth_error() {
        Some(code) => explain::token_error(code, auth_method),
        None => match &e {
            ExchangeError::Network(n) => n.hint(),
            _ => "The provider answered something unexpected; check its logs.".into(),
        },
    };
    let message = e.to_string();
    match e.kind() {
        Kind::Timeout => Error::TimedOut { message, hint },
        _ => Error::ProviderFailed { message, hint },
    }
}

/// Claims the userinfo endpoint has and the ID token lacks.
pub fn userinfo_only(
    claims: &Map<String, Value>,
    userinfo: &Map<String, Value>,
) -> Map<String, Value> {
    userinfo
        .iter()
        .filter(|(k, _)| !claims.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
