//! `[auth]` checked by Streamlit's rules, and redirect_uri against the app's
//! own settings and its sibling apps.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{push, shown, Area, Context, Diagnosis, EffectiveAuth};
use crate::finding::Finding;
use crate::streamlit::app_config::ServerSettings;
use crate::streamlit::redirect;
use crate::streamlit::schema::{
    self, validate_expose_tokens, CLIENT_ID, CLIENT_KWARGS, CLIENT_KWARGS_USED, CLIENT_SECRET,
    COOKIE_SECRET, EXPOSE_TOKENS, PORT_PLACEHOLDER, REDIRECT_URI, SERVER_METADATA_URL,
};
use crate::streamlit::SecretsFile;

const PROVIDER_KEYS: [&str; 3] = [CLIENT_ID, CLIENT_SECRET, SERVER_METADATA_URL];

pub fn check(ctx: &Context, e: &EffectiveAuth, out: &mut Vec<Diagnosis>) {
    let auth = &e.auth;
    let source = shown(&e.source, &ctx.app_dir);

    // Shared keys, in Streamlit's validation order.
    match auth.get(REDIRECT_URI) {
        None => push(out, Area::Schema, missing_key(REDIRECT_URI, &source)),
        Some(Value::String(uri)) => {
            push(
                out,
                Area::Schema,
                Finding::ok("schema.redirect_uri", format!("redirect_uri = {uri}")),
            );
            check_redirect(ctx, uri, out);
        }
        Some(other) => push(
            out,
            Area::Schema,
            wrong_type_finding("schema.redirect_uri", "[auth]", REDIRECT_URI, other),
        ),
    }
    match auth.get(COOKIE_SECRET) {
        None => push(out, Area::Schema, missing_key(COOKIE_SECRET, &source)),
        Some(Value::String(s)) if s.len() < 32 => push(
            out,
            Area::Schema,
            Finding::warning("schema.cookie_secret", format!("cookie_secret is only {} characters long", s.len()))
                .why("It signs the login cookies; a short secret can be guessed and cookies forged (Streamlit 1.58+ warns under 14 bytes).")
                .fix("stauth init --rotate-cookie-secret (this logs every user out)"),
        ),
        Some(Value::String(_)) => push(out, Area::Schema, Finding::ok("schema.cookie_secret", "cookie_secret is long enough")),
        Some(other) => push(out, Area::Schema, wrong_type_finding("schema.cookie_secret", "[auth]", COOKIE_SECRET, other)),
    }
    if auth.contains_key(EXPOSE_TOKENS) && !ctx.release().exposes_tokens() {
        // Read only from 1.53: before, any value (even an invalid one) is ignored.
        push(
            out,
            Area::Schema,
            Finding::warning(
                "schema.expose_tokens",
                format!("expose_tokens is set, but Streamlit {} ignores it", ctx.release().version),
            )
            .why("expose_tokens and st.user.tokens arrive in Streamlit 1.53: the app has no tokens to read.")
            .fix("remove expose_tokens, or upgrade Streamlit to 1.53 or later"),
        );
    } else if let Some(v @ (Value::Number(_) | Value::Bool(_) | Value::Object(_))) =
        auth.get(EXPOSE_TOKENS)
    {
        // Streamlit reads only a string or a list; anything else means no tokens.
        let kind = match v {
            Value::Number(_) => "a number",
            Value::Bool(_) => "true or false",
            _ => "a table",
        };
        push(
            out,
            Area::Schema,
            Finding::warning(
                "schema.expose_tokens",
                format!("expose_tokens is {kind}, which Streamlit ignores"),
            )
            .why("Streamlit reads expose_tokens only as a string or a list: st.user.tokens stays empty.")
            .fix("expose_tokens = [\"id\", \"access\"] (or just the one the app needs)"),
        );
    } else if let Some(v) = auth.get(EXPOSE_TOKENS) {
        let values: Vec<String> = match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                .collect(),
            other => vec![other.to_string()],
        };
        if let Err(reason) = validate_expose_tokens(&values) {
            push(
                out,
                Area::Schema,
                Finding::error("schema.expose_tokens", format!("expose_tokens is invalid: {reason}"))
                    .why("Streamlit raises \"Invalid expose_tokens configuration\" when the app reads st.user."),
            );
        }
    }

    // Providers: the default one in [auth] and every [auth.NAME].
    let mut providers = 0;
    if PROVIDER_KEYS.iter().any(|k| auth.contains_key(*k)) {
        providers += 1;
        check_provider("default", "[auth]", auth, true, out);
    }
    for (name, section) in auth
        .iter()
        .filter(|(k, v)| v.is_object() && schema::is_provider_name(k))
    {
        providers += 1;
        let label = format!("[auth.{name}]");
        if name.contains('_') {
            push(
                out,
                Area::Schema,
                Finding::error("schema.provider_name", format!("{label}: provider names may not contain '_' (Streamlit 1.43+ refuses them)"))
                    .fix(format!("rename it, e.g. [auth.{}], and the st.login(\"...\") call", name.replace('_', "-"))),
            );
        }
        if let Value::Object(section) = section {
            check_provider(name, &label, section, false, out);
        }
    }
    if providers == 0 {
        push(
            out,
            Area::Schema,
            Finding::error(
                "schema.providers",
                "[auth] holds no provider (no client_id / server_metadata_url, no [auth.NAME])",
            )
            .fix("stauth init --provider PRESET (or --issuer URL)"),
        );
    }
    reused_secrets(ctx, auth, out);
}

fn missing_key(key: &str, source: &str) -> Finding {
    Finding::error(
        if key == REDIRECT_URI {
            "schema.redirect_uri"
        } else {
            "schema.cookie_secret"
        },
        format!("{source}: [auth] has no {key}"),
    )
    .why(format!(
        "st.login() raises \"Authentication credentials ... are missing the \\\"{key}\\\" key\"."
    ))
    .fix("stauth init")
}

fn check_provider(
    name: &str,
    label: &str,
    section: &Map<String, Value>,
    default: bool,
    out: &mut Vec<Diagnosis>,
) {
    // Streamlit keeps only truthy values of the default provider
    // (generate_default_provider_section): "", 0, false, [] count as missing.
    let present = |k: &str| match section.get(k) {
        Some(v) => !default || schema::python_truthy(v),
        None => false,
    };
    let missing: Vec<&str> = PROVIDER_KEYS.into_iter().filter(|k| !present(k)).collect();
    let mut fatal = false;
    for key in PROVIDER_KEYS.into_iter().filter(|k| present(k)) {
        if let Some(wrong) = schema::wrong_type(key, &section[key]) {
            fatal |= wrong.fatal;
            push(
                out,
                Area::Schema,
                wrong_type_finding("schema.provider_type", label, key, &section[key]),
            );
        }
    }
    if missing.is_empty() && !fatal {
        push(
            out,
            Area::Schema,
            Finding::ok(
                "schema.provider",
                format!("{label} has client_id, client_secret and server_metadata_url"),
            ),
        );
    } else if !missing.is_empty() {
        let falsy_secret = default
            && section
                .get(CLIENT_SECRET)
                .is_some_and(|v| !schema::python_truthy(v));
        push(
            out,
            Area::Schema,
            Finding::error("schema.provider", format!("{label} is missing {}", missing.join(", ")))
                .why(if falsy_secret {
                    "Streamlit drops empty values from [auth] (\"\", false, 0, [] and {} alike), so such a client_secret counts as missing for the default provider.".to_string()
                } else {
                    format!("st.login({}) raises \"... are missing the following keys\".", if default { String::new() } else { format!("\"{name}\"") })
                })
                .fix(if default { "stauth init".to_string() } else { format!("stauth init --name {name}") }),
        );
    }
    if !default && section.get(CLIENT_SECRET).and_then(Value::as_str) == Some("") {
        push(
            out,
            Area::Schema,
            Finding::info("schema.public_client", format!("{label} has an empty client_secret: Authlib logs in as a public client (token auth method none)")),
        );
    }
    if default && section.contains_key(schema::AUTHORIZE_PARAMS) {
        push(
            out,
            Area::Schema,
            Finding::warning("schema.authorize_params", "[auth]: Streamlit ignores authorize_params of the default provider")
                .why("For st.login() Streamlit builds the provider from client_id, client_secret, server_metadata_url and client_kwargs only (generate_default_provider_section), so these parameters never reach the login URL.")
                .fix("move the provider to a named table [auth.NAME] and call st.login(\"NAME\"): there authorize_params take effect"),
        );
    }
    match section.get(CLIENT_KWARGS) {
        Some(Value::Object(kwargs)) => check_client_kwargs(label, kwargs, default, out),
        Some(other) if !default || schema::python_truthy(other) => push(
            out,
            Area::Schema,
            wrong_type_finding("schema.client_kwargs", label, CLIENT_KWARGS, other),
        ),
        _ => {}
    }
}

/// A key of the wrong type: what Streamlit does with it, never its value
/// (it may be a secret).
fn wrong_type_finding(id: &'static str, label: &str, key: &str, value: &Value) -> Finding {
    let wrong = schema::wrong_type(key, value).unwrap_or(schema::WrongType {
        fatal: true,
        consequence: format!("Streamlit reads {key} as text."),
    });
    let wanted = if key == CLIENT_KWARGS {
        "a table"
    } else {
        "a string"
    };
    let message = format!(
        "{label}: {key} is {}, not {wanted}",
        schema::python_type(value)
    );
    let finding = if wrong.fatal {
        Finding::error(id, message)
    } else {
        Finding::warning(id, message)
    };
    let fix = if key == CLIENT_KWARGS {
        format!("make it a table in {label}, e.g. client_kwargs = {{ prompt = \"login\" }}, or remove it")
    } else if schema::looks_secret(key) {
        format!("write the value in quotes in {label}: {key} = \"…\"")
    } else {
        format!("write the value in quotes in {label}: {key} = \"...\" (one string)")
    };
    finding.why(wrong.consequence).fix(fix)
}

/// `client_kwargs`: keys that break the login, secrets that do not belong
/// there, and keys Streamlit drops. Values of secret-looking keys are never
/// shown, and never suggested for `authorize_params` (those end up in the
/// login URL, in the browser's history and the provider's logs).
fn check_client_kwargs(
    label: &str,
    kwargs: &Map<String, Value>,
    default: bool,
    out: &mut Vec<Diagnosis>,
) {
    let colliding: Vec<&str> = kwargs
        .keys()
        .map(String::as_str)
        .filter(|k| schema::CLIENT_KWARGS_COLLIDING.contains(k))
        .collect();
    if !colliding.is_empty() {
        let keys = colliding.join(", ");
        push(
            out,
            Area::Schema,
            Finding::error("schema.client_kwargs", format!("{label}: client_kwargs holds {keys}"))
                .why(format!("Streamlit passes client_kwargs to Authlib's client next to the provider's own client_id and client_secret, so the login fails with TypeError \"got multiple values for keyword argument '{}'\" (Streamlit 1.67's login page answers 400 \"Authentication error\").", colliding[0]))
                .fix(format!("remove {keys} from client_kwargs; the provider's own values go at the top level of {label} (client_id = \"...\", client_secret = \"…\")")),
        );
    }
    let dropped: Vec<&str> = kwargs
        .keys()
        .map(String::as_str)
        .filter(|k| !CLIENT_KWARGS_USED.contains(k) && !schema::CLIENT_KWARGS_COLLIDING.contains(k))
        .collect();
    let (secret, plain): (Vec<&str>, Vec<&str>) =
        dropped.into_iter().partition(|k| schema::looks_secret(k));
    if !secret.is_empty() {
        let keys = secret.join(", ");
        push(
            out,
            Area::Schema,
            Finding::warning("schema.client_kwargs_secret", format!("{label}: Streamlit ignores the secret-looking client_kwargs {keys}"))
                .why("Streamlit drops client_kwargs it does not know and logs in with the provider's client secret alone: it cannot use a private key (no private-key JWT client authentication) or other credentials. Do not move them to authorize_params either: those go into the login URL the browser shows.")
                .fix(format!("remove {keys} from client_kwargs in {label}; the provider's client secret goes at the top level of {label} as client_secret = \"…\"")),
        );
    }
    if !plain.is_empty() {
        let params = plain
            .iter()
            .map(|k| format!("{k} = {}", masked(&kwargs[*k])))
            .collect::<Vec<_>>()
            .join(", ");
        push(
            out,
            Area::Schema,
            Finding::warning("schema.client_kwargs", format!("{label}: Streamlit silently drops client_kwargs {}", plain.join(", ")))
                .why("Only scope, prompt, response_type, response_mode, nonce, login_hint, code_challenge_method, token_endpoint_auth_method and httpx options take effect (streamlit#10707).")
                .fix(if default {
                    format!("Streamlit sends authorize_params only for a named provider: move this provider to [auth.NAME] (st.login(\"NAME\")) and add authorize_params = {{ {params} }} there")
                } else {
                    format!("move them to authorize_params = {{ {params} }} in {label}")
                }),
        );
    }
}

/// A value as shown in advice, with the values of secret-looking keys
/// inside it (at any depth) replaced by "…".
fn masked(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if schema::looks_secret(k) {
                        Value::String("…".into())
                    } else {
                        masked(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

fn check_redirect(ctx: &Context, uri: &str, out: &mut Vec<Diagnosis>) {
    if let Err(reason) = redirect::parse_redirect_uri(uri, ctx.server.port) {
        push(
            out,
            Area::Redirect,
            Finding::error(
                "redirect.invalid",
                format!("redirect_uri {uri} is not usable: {reason}"),
            ),
        );
        return;
    }
    if uri.contains(PORT_PLACEHOLDER) && !ctx.release().port_placeholder() {
        push(
            out,
            Area::Redirect,
            Finding::error("redirect.port_placeholder", format!("redirect_uri uses {{port}}, which Streamlit {} sends literally", ctx.release().version))
                .why("The {port} placeholder arrived in Streamlit 1.53; before that the provider receives \"{port}\" and refuses the redirect URI.")
                .fix("upgrade to Streamlit 1.53+ or write the port number"),
        );
    }
    let findings = redirect::check_redirect_uri(uri, &ctx.server);
    if findings
        .iter()
        .all(|f| f.severity != crate::finding::Severity::Warning)
    {
        push(
            out,
            Area::Redirect,
            Finding::ok(
                "redirect.app",
                format!(
                    "redirect_uri matches the app (port {}, path {})",
                    ctx.server.port,
                    ctx.server.callback_path()
                ),
            ),
        );
    }
    for f in findings {
        push(out, Area::Redirect, f);
    }
}

/// Apps in sibling folders: the same cookie_secret, or one fixed redirect URI
/// shared by apps on different ports.
fn reused_secrets(ctx: &Context, auth: &Map<String, Value>, out: &mut Vec<Diagnosis>) {
    let Some(parent) = std::path::absolute(&ctx.app_dir)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    else {
        return;
    };
    let me = std::path::absolute(&ctx.app_dir).unwrap_or_default();
    let my_secret = auth.get(COOKIE_SECRET).and_then(Value::as_str);
    let my_uri = auth.get(REDIRECT_URI).and_then(Value::as_str);
    let Ok(entries) = std::fs::read_dir(&parent) else {
        return;
    };
    let siblings: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && *p != me)
        .take(200)
        .collect();
    for dir in siblings {
        let path = crate::streamlit::app::secrets_file_in(&dir);
        let Ok(file) = SecretsFile::load(&path) else {
            continue;
        };
        let Some(Value::Object(other)) = file.auth_data() else {
            continue;
        };
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if my_secret.is_some() && other.get(COOKIE_SECRET).and_then(Value::as_str) == my_secret {
            push(
                out,
                Area::Schema,
                Finding::warning("schema.cookie_secret_reused", format!("the app in ../{name} uses the same cookie_secret"))
                    .why("A login cookie of one app is then valid in the other (same host and path), and rotating it logs out both.")
                    .fix("stauth init --rotate-cookie-secret in one of them"),
            );
        }
        if my_uri.is_some()
            && !my_uri.is_some_and(|u| u.contains(PORT_PLACEHOLDER))
            && other.get(REDIRECT_URI).and_then(Value::as_str) == my_uri
        {
            // A sibling whose config.toml cannot be read (a FIFO, a link to a
            // device, too big, malformed) has no known port: skip it rather
            // than report "port 0".
            let Ok(other_settings) = ServerSettings::load(&dir, ctx.home.as_deref()) else {
                continue;
            };
            let other_port = other_settings.port;
            if other_port != ctx.server.port {
                push(
                    out,
                    Area::Redirect,
                    Finding::warning("redirect.shared", format!("the app in ../{name} runs on port {other_port} but uses the same redirect_uri"))
                        .why("The provider sends both apps' logins to one port, so one of them never receives its login (streamlit#12249).")
                        .fix(format!("use redirect_uri = \"http://localhost:{{port}}{}\" (Streamlit 1.53+) and register each port", schema::CALLBACK_PATH)),
                );
            }
        }
    }
}
