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
    let text = |k: &str| auth.get(k).and_then(Value::as_str);

    // Shared keys, in Streamlit's validation order.
    match text(REDIRECT_URI) {
        None => push(out, Area::Schema, missing_key(REDIRECT_URI, &source)),
        Some(uri) => {
            push(
                out,
                Area::Schema,
                Finding::ok("schema.redirect_uri", format!("redirect_uri = {uri}")),
            );
            check_redirect(ctx, uri, out);
        }
    }
    match text(COOKIE_SECRET) {
        None => push(out, Area::Schema, missing_key(COOKIE_SECRET, &source)),
        Some(s) if s.len() < 32 => push(
            out,
            Area::Schema,
            Finding::warning("schema.cookie_secret", format!("cookie_secret is only {} characters long", s.len()))
                .why("It signs the login cookies; a short secret can be guessed and cookies forged (Streamlit 1.58+ warns under 14 bytes).")
                .fix("stauth init --rotate-cookie-secret (this logs every user out)"),
        ),
        Some(_) => push(out, Area::Schema, Finding::ok("schema.cookie_secret", "cookie_secret is long enough")),
    }
    if let Some(v) = auth.get(EXPOSE_TOKENS) {
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
        .filter(|(k, v)| v.is_object() && k.as_str() != CLIENT_KWARGS)
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
    // Streamlit drops empty values of the default provider (generate_default_provider_section).
    let present = |k: &str| match section.get(k) {
        Some(Value::String(s)) => !default || !s.is_empty(),
        Some(_) => true,
        None => false,
    };
    let missing: Vec<&str> = PROVIDER_KEYS.into_iter().filter(|k| !present(k)).collect();
    if missing.is_empty() {
        push(
            out,
            Area::Schema,
            Finding::ok(
                "schema.provider",
                format!("{label} has client_id, client_secret and server_metadata_url"),
            ),
        );
    } else {
        let empty_secret =
            default && section.get(CLIENT_SECRET).and_then(Value::as_str) == Some("");
        push(
            out,
            Area::Schema,
            Finding::error("schema.provider", format!("{label} is missing {}", missing.join(", ")))
                .why(if empty_secret {
                    "Streamlit drops empty values from [auth], so an empty client_secret counts as missing for the default provider.".to_string()
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
    if let Some(Value::Object(kwargs)) = section.get(CLIENT_KWARGS) {
        let dropped: Vec<&str> = kwargs
            .keys()
            .map(String::as_str)
            .filter(|k| !CLIENT_KWARGS_USED.contains(k))
            .collect();
        if !dropped.is_empty() {
            let params = dropped
                .iter()
                .map(|k| format!("{k} = {}", kwargs[*k]))
                .collect::<Vec<_>>()
                .join(", ");
            push(
                out,
                Area::Schema,
                Finding::warning("schema.client_kwargs", format!("{label}: Streamlit silently drops client_kwargs {}", dropped.join(", ")))
                    .why("Only scope, prompt, response_type, response_mode, nonce, login_hint, code_challenge_method, token_endpoint_auth_method and httpx options take effect (streamlit#10707).")
                    .fix(format!("move them to authorize_params = {{ {params} }} in {label}")),
            );
        }
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
    if uri.contains(PORT_PLACEHOLDER) && !ctx.version.port_placeholder() {
        push(
            out,
            Area::Redirect,
            Finding::error("redirect.port_placeholder", format!("redirect_uri uses {{port}}, which Streamlit {} sends literally", ctx.version))
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
        let path = dir.join(".streamlit").join("secrets.toml");
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
            let other_port = ServerSettings::load(&dir, ctx.home.as_deref())
                .map(|s| s.port)
                .unwrap_or_default();
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
