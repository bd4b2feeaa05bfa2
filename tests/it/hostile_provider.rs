//! A hostile provider (tests/common/hostile_server.rs, a small server on
//! 127.0.0.1 written here, since the real test IdP cannot misbehave this
//! way) against the real `stauth` binary: redirects that would carry the
//! code, the PKCE verifier or the client secret to another origin, endless
//! and dripping response bodies, silence, and ID tokens whose `crit` header
//! Streamlit's token library refuses. Each test asserts the exit code, what
//! stderr says, and that the second server (the "thief") received nothing.

use crate::common;

use std::path::PathBuf;
use std::process::Command as StdCommand;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::hostile_server::{run_stauth_measured, Reply, Request, Server};
use common::{assert_no_secret, run, Sandbox, SECRET};
use insta::assert_snapshot;
use insta::internals::SettingsBindDropGuard;
use serde_json::{json, Value};

/// Peak memory allowed to a run fed an endless body (KiB).
const MAX_RSS_KIB: u64 = 100 * 1024;
/// The client the app's secrets name.
const CLIENT_ID: &str = "stauth-test";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A discovery document naming endpoints on `base`.
fn discovery(base: &str) -> Value {
    json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })
}

/// A token signed by tests/tokens/mint.mjs (node:crypto), and its JWKS.
fn mint(spec: Value) -> (String, Value) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tokens/mint.mjs");
    let out = StdCommand::new("node")
        .arg(script)
        .arg(spec.to_string())
        .output()
        .expect("node is needed for tests/tokens/mint.mjs");
    assert!(
        out.status.success(),
        "mint.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (v["token"].as_str().unwrap().to_owned(), v["jwks"].clone())
}

/// An app folder whose `[auth]` points at `base` with this redirect port;
/// `kwargs` is the client_kwargs inline table (empty: none).
fn app(base: &str, port: u16, kwargs: &str) -> Sandbox {
    let sb = Sandbox::new();
    let mut secrets = format!(
        "[auth]\nredirect_uri = \"http://localhost:{port}/oauth2callback\"\ncookie_secret = \"a-cookie-secret-of-32-characters\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{SECRET}\"\nserver_metadata_url = \"{base}/.well-known/openid-configuration\"\n"
    );
    if !kwargs.is_empty() {
        secrets.push_str(&format!("client_kwargs = {{ {kwargs} }}\n"));
    }
    sb.write(".streamlit/secrets.toml", &secrets);
    sb
}

/// `stauth test-login` with curl as the browser: it follows the provider's
/// /authorize redirect to the callback, as a browser would.
fn test_login(sb: &Sandbox, extra: &[&str]) -> (i32, String, String) {
    let (code, out, err) = run(sb
        .cmd()
        .args([
            "test-login",
            "--browser-command",
            "curl -s -L -o /dev/null",
            "--timeout",
            "30",
        ])
        .args(extra));
    assert_no_secret(&[&out, &err]);
    (code, out, err)
}

/// The usual answers of a provider at `base`: discovery, and an /authorize
/// that sends the browser straight back with a code (remembering the nonce).
fn provider(req: &Request, base: &str, nonce: &Mutex<Option<String>>) -> Option<Reply> {
    match req.path() {
        "/.well-known/openid-configuration" => Some(Reply::Json(discovery(base))),
        "/authorize" => {
            *nonce.lock().unwrap() = req.query("nonce");
            Some(Reply::Redirect {
                status: 302,
                location: format!(
                    "{}?code=the-code&state={}",
                    req.query("redirect_uri").unwrap(),
                    req.query("state").unwrap()
                ),
            })
        }
        _ => None,
    }
}

/// The error part of stderr (from `error:` on).
fn error_part(err: &str) -> String {
    let start = err
        .find("error:")
        .unwrap_or_else(|| panic!("no error in:\n{err}"));
    err[start..].to_string()
}

/// Snapshot filters that name the ports.
fn name_ports(ports: &[(u16, &str)]) -> SettingsBindDropGuard {
    let named: Vec<(String, String)> = ports
        .iter()
        .map(|(port, name)| (format!(":{port}"), format!(":[{name}]")))
        .collect();
    let values: Vec<(&str, &str)> = named
        .iter()
        .map(|(p, n)| (p.as_str(), n.as_str()))
        .collect();
    common::snapshot::filters(&values, &[])
}

/// A hostile provider whose token endpoint answers `status` with a
/// Location on the thief; returns (provider, thief).
fn token_redirecting_provider(status: u16, same_origin: bool) -> (Server, Server) {
    let thief = Server::thief();
    let thief_base = thief.base.clone();
    let nonce = Arc::new(Mutex::new(None));
    let server = Server::start(move |req, base| {
        if let Some(reply) = provider(req, base, &nonce) {
            return reply;
        }
        match req.path() {
            "/token" => Reply::Redirect {
                status,
                location: if same_origin {
                    format!("{base}/token-again")
                } else {
                    format!("{thief_base}/steal")
                },
            },
            _ => Reply::Json(json!({})),
        }
    });
    (server, thief)
}

#[test]
fn token_redirect_with_client_secret_post_is_not_followed() {
    let (idp, thief) = token_redirecting_provider(307, false);
    let port = common::idp::free_port();
    let sb = app(
        &idp.base,
        port,
        "token_endpoint_auth_method = \"client_secret_post\"",
    );
    let (code, _, err) = test_login(&sb, &[]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        thief.connections(),
        0,
        "the thief was contacted: {:?}",
        thief.requests()
    );
    // The request did reach the token endpoint, with the secret in its body.
    let token: Vec<Request> = idp
        .requests()
        .into_iter()
        .filter(|r| r.path() == "/token")
        .collect();
    assert_eq!(token.len(), 1, "{token:?}");
    assert!(String::from_utf8_lossy(&token[0].body).contains("client_secret="));
    let ports = [(idp.port, "IDP_PORT"), (thief.port, "THIEF_PORT")];
    let _f = name_ports(&ports);
    assert_snapshot!(error_part(&err));

    // Streamlit 1.56 (Tornado, requests) would have sent it all to the thief.
    let (code, _, err) = test_login(&sb, &["--streamlit-version", "1.56"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("stauth did not follow it: the token request carries the authorization code, the PKCE code_verifier and the client secret (client_secret_post), and stauth never resends it to an address a redirect names, here to another origin (http://127.0.0.1:"), "{err}");
    assert!(err.contains("Streamlit 1.56.0 (Tornado server, Authlib on requests) would follow it: requests sends the POST again, body included (the code, the code_verifier and the client_secret), to the new address."), "{err}");
    assert_eq!(thief.connections(), 0);
}

#[test]
fn token_redirect_with_client_secret_basic_is_not_followed() {
    let (idp, thief) = token_redirecting_provider(308, false);
    let port = common::idp::free_port();
    let sb = app(&idp.base, port, "");
    let (code, _, err) = test_login(&sb, &["--streamlit-version", "1.56"]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(thief.connections(), 0, "{:?}", thief.requests());
    let ports = [(idp.port, "IDP_PORT"), (thief.port, "THIEF_PORT")];
    let _f = name_ports(&ports);
    assert_snapshot!(error_part(&err));

    // Not even within the provider's own origin.
    let (idp, thief) = token_redirecting_provider(307, true);
    let sb = app(&idp.base, port, "");
    let (code, _, err) = test_login(&sb, &[]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("answered 307 Temporary Redirect with Location: http://127.0.0.1:"),
        "{err}"
    );
    assert!(
        !idp.requests().iter().any(|r| r.path() == "/token-again"),
        "the token request was sent again: {:?}",
        idp.requests()
    );
    assert_eq!(thief.connections(), 0);
}

/// `stauth decode TOKEN --jwks URL` / `--issuer URL` runs.
fn decode(sb: &Sandbox, args: &[&str]) -> (i32, String, String) {
    run(sb.cmd().arg("decode").args(args))
}

#[test]
fn discovery_and_jwks_redirects_stay_within_the_origin() {
    let n = now();
    let (token, jwks) = mint(json!({
        "claims": {"iss": "https://idp.example", "sub": "alice", "aud": "app", "exp": n + 3000, "iat": n - 10},
    }));
    let thief = Server::thief();
    let thief_base = thief.base.clone();
    let server = Server::start(move |req, base| match req.path() {
        "/jwks" => Reply::Json(jwks.clone()),
        "/moved/jwks" => Reply::Redirect {
            status: 302,
            location: "/jwks".into(),
        },
        "/away/jwks" => Reply::Redirect {
            status: 307,
            location: format!("{thief_base}/jwks"),
        },
        "/away/.well-known/openid-configuration" => Reply::Redirect {
            status: 301,
            location: format!("{thief_base}/.well-known/openid-configuration"),
        },
        "/loop" => Reply::Redirect {
            status: 302,
            location: format!("{base}/loop"),
        },
        _ => Reply::Raw {
            status: 404,
            headers: vec![],
            body: String::new(),
        },
    });
    let sb = Sandbox::new();
    let base = server.base.clone();

    // Same origin: followed.
    let (code, out, err) = decode(&sb, &[&token, "--jwks", &format!("{base}/moved/jwks")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Signature verified: RS256, key k1"), "{out}");

    // Another origin: refused, for JWKS and discovery.
    let (code, _, err) = decode(&sb, &[&token, "--jwks", &format!("{base}/away/jwks")]);
    assert_eq!(code, 3, "{err}");
    let ports = [(server.port, "IDP_PORT"), (thief.port, "THIEF_PORT")];
    let _f = name_ports(&ports);
    assert_snapshot!("jwks_redirect", error_part(&err));
    let (code, _, err) = decode(&sb, &[&token, "--issuer", &format!("{base}/away")]);
    assert_eq!(code, 3, "{err}");
    assert_snapshot!("discovery_redirect", error_part(&err));
    assert_eq!(thief.connections(), 0, "{:?}", thief.requests());

    // Within the origin, but endless: stopped after 5.
    let (code, _, err) = decode(&sb, &[&token, "--jwks", &format!("{base}/loop")]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(
            "stauth did not follow it: stauth follows at most 5 redirects within http://127.0.0.1:"
        ),
        "{err}"
    );
    let loops = server
        .requests()
        .iter()
        .filter(|r| r.path() == "/loop")
        .count();
    assert_eq!(loops, 6, "the first request and 5 redirects");
}

#[test]
fn endless_discovery_and_jwks_bodies_stop_at_the_cap() {
    let server = Server::start(|req, _| match req.path() {
        "/endless/.well-known/openid-configuration" | "/endless-jwks" => Reply::Endless,
        _ => Reply::Json(json!({})),
    });
    let sb = Sandbox::new();
    let (token, _) = mint(json!({"claims": {"sub": "alice"}}));
    let base = &server.base;
    for (args, what) in [
        (
            vec![
                "decode".to_string(),
                token.clone(),
                "--jwks".into(),
                format!("{base}/endless-jwks"),
            ],
            "the JWKS URL",
        ),
        (
            vec![
                "decode".to_string(),
                token.clone(),
                "--issuer".into(),
                format!("{base}/endless"),
            ],
            "the discovery document",
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let m = run_stauth_measured(sb.path(), sb.home(), &args);
        assert_eq!(m.code, 3, "{args:?}: {}", m.stderr);
        assert!(
            m.stderr.contains(&format!(
                "error: {what} (http://127.0.0.1:{}/endless",
                server.port
            )) && m.stderr.contains(
                ") sent more than 1 MiB, stauth's limit for a provider response; stauth stopped reading"
            ),
            "{}",
            m.stderr
        );
        assert!(
            m.max_rss_kib < MAX_RSS_KIB,
            "{args:?}: peak memory {} KiB",
            m.max_rss_kib
        );
        assert!(m.elapsed < Duration::from_secs(10), "{:?}", m.elapsed);
    }
}

#[test]
fn a_dripping_or_silent_jwks_ends_at_the_deadline_with_exit_4() {
    let server = Server::start(|req, _| match req.path() {
        "/drip" => Reply::Drip,
        _ => Reply::Silent,
    });
    let (token, _) = mint(json!({"claims": {"sub": "alice"}}));
    let runs: Vec<_> = ["drip", "silent"]
        .into_iter()
        .map(|path| {
            let url = format!("{}/{path}", server.base);
            let token = token.clone();
            std::thread::spawn(move || {
                let sb = Sandbox::new();
                let m =
                    run_stauth_measured(sb.path(), sb.home(), &["decode", &token, "--jwks", &url]);
                (url, m)
            })
        })
        .collect();
    for handle in runs {
        let (url, m) = handle.join().unwrap();
        assert_eq!(m.code, 4, "{url}: {}", m.stderr);
        assert!(
            m.stderr
                .contains(&format!("error: {url} did not answer within 10 s")),
            "{}",
            m.stderr
        );
        // The deadline covers the body: a byte every 200 ms does not extend it.
        assert!(
            m.elapsed >= Duration::from_secs(9) && m.elapsed < Duration::from_secs(15),
            "{url}: {:?}",
            m.elapsed
        );
    }
}

#[test]
fn crit_headers_are_refused_by_decode() {
    let n = now();
    let claims = json!({"iss": "https://idp.example", "sub": "alice", "aud": "app", "exp": n + 3000, "iat": n - 10});
    let sb = Sandbox::new();
    for (header, reason) in [
        (
            json!({"crit": ["zzz"], "zzz": "whatever"}),
            "the token's header lists critical extensions (crit) that stauth and Streamlit don't understand: \"zzz\"; Streamlit's token library (joserfc) refuses such a token",
        ),
        (
            json!({"crit": "zzz"}),
            "the token's header has a crit that is not a list of header names: \"zzz\"; Streamlit's token library (joserfc) refuses such a token",
        ),
    ] {
        let (token, jwks) = mint(json!({"claims": claims, "header": header}));
        sb.write("jwks.json", &jwks.to_string());
        let (code, out, err) = decode(&sb, &[&token, "--jwks", "jwks.json"]);
        assert_eq!(code, 1, "{header}: {out}\n{err}");
        assert!(
            err.contains(&format!("verification failed: {reason}")),
            "{header}:\n{err}"
        );
        assert!(!out.contains("Signature verified"), "{out}");
        // Shown without verification, the token still says Streamlit refuses it.
        let (code, out, err) = decode(&sb, &[&token]);
        assert_eq!(code, 0, "{header}: {out}\n{err}");
        assert!(
            out.contains(&format!("Streamlit would refuse this token: {reason}")),
            "{header}:\n{out}"
        );
        let (_, json_out, _) = decode(&sb, &[&token, "--json"]);
        let doc: serde_json::Value = serde_json::from_str(&json_out).unwrap();
        assert_eq!(doc["signature"]["header_problems"][0], reason, "{json_out}");
    }
    // A crit naming a header field joserfc knows is accepted, as by Streamlit.
    let (token, jwks) = mint(json!({"claims": claims, "header": {"crit": ["kid"]}}));
    sb.write("jwks.json", &jwks.to_string());
    let (code, out, err) = decode(&sb, &[&token, "--jwks", "jwks.json"]);
    assert_eq!(code, 0, "{out}\n{err}");
}

#[test]
fn test_login_refuses_an_id_token_with_crit() {
    let nonce = Arc::new(Mutex::new(None::<String>));
    let jwks = Arc::new(Mutex::new(json!({"keys": []})));
    let server = {
        let (nonce, jwks) = (Arc::clone(&nonce), Arc::clone(&jwks));
        Server::start(move |req, base| {
            if let Some(reply) = provider(req, base, &nonce) {
                return reply;
            }
            match req.path() {
                "/token" => {
                    let n = now();
                    let (id_token, keys) = mint(json!({
                        "claims": {
                            "iss": base, "sub": "alice", "aud": CLIENT_ID, "exp": n + 600,
                            "iat": n, "nonce": nonce.lock().unwrap().clone(),
                            "email": "alice@example.com",
                        },
                        "header": {"crit": ["zzz"], "zzz": true},
                    }));
                    *jwks.lock().unwrap() = keys;
                    Reply::Json(json!({
                        "access_token": "an-access-token",
                        "token_type": "Bearer",
                        "expires_in": 600,
                        "id_token": id_token,
                    }))
                }
                "/jwks" => Reply::Json(jwks.lock().unwrap().clone()),
                "/userinfo" => Reply::Json(json!({"sub": "alice"})),
                _ => Reply::Raw {
                    status: 404,
                    headers: vec![],
                    body: String::new(),
                },
            }
        })
    };
    let sb = app(&server.base, common::idp::free_port(), "");
    let (code, _, err) = test_login(&sb, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("ID token verification failed: the token's header lists critical extensions (crit) that stauth and Streamlit don't understand: \"zzz\"; Streamlit's token library (joserfc) refuses such a token"),
        "{err}"
    );
    assert!(!err.contains("The login works"), "{err}");
}

#[test]
fn test_login_stops_reading_an_endless_token_response() {
    let nonce = Arc::new(Mutex::new(None));
    let server = Server::start(move |req, base| {
        if let Some(reply) = provider(req, base, &nonce) {
            return reply;
        }
        Reply::Endless
    });
    let sb = app(&server.base, common::idp::free_port(), "");
    let m = run_stauth_measured(
        sb.path(),
        sb.home(),
        &[
            "test-login",
            "--browser-command",
            "curl -s -L -o /dev/null",
            "--timeout",
            "30",
        ],
    );
    assert_eq!(m.code, 3, "{}", m.stderr);
    assert!(
        m.stderr.contains(&format!(
            "error: the token endpoint (http://127.0.0.1:{}/token) sent more than 1 MiB, stauth's limit for a provider response; stauth stopped reading",
            server.port
        )),
        "{}",
        m.stderr
    );
    assert!(
        m.max_rss_kib < MAX_RSS_KIB,
        "peak memory {} KiB",
        m.max_rss_kib
    );
    assert_no_secret(&[&m.stdout, &m.stderr]);
}

#[test]
fn provider_text_in_errors_is_shown_escaped() {
    // An OAuth error whose description would clear the screen, retitle the
    // window and forge a verdict line.
    let nonce = Arc::new(Mutex::new(None));
    let server = Server::start(move |req, base| {
        if let Some(reply) = provider(req, base, &nonce) {
            return reply;
        }
        match req.path() {
            "/token" => Reply::Raw {
                status: 400,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: json!({
                    "error": "invalid_grant",
                    "error_description": "\u{1b}[2J\u{1b}]0;pwned\u{7}\nThe login works",
                })
                .to_string(),
            },
            // A Location with a right-to-left override (bytes a header may hold).
            "/jwks" => Reply::Redirect {
                status: 302,
                location: "http://127.0.0.1:9/\u{202e}gpj.exe".into(),
            },
            _ => Reply::Json(json!({})),
        }
    });
    let sb = app(&server.base, common::idp::free_port(), "");
    let (code, _, err) = test_login(&sb, &[]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("the token endpoint refused the request (HTTP 400): invalid_grant: \\x1b[2J\\x1b]0;pwned\\x07\\nThe login works"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(
        !err.lines().any(|l| l.starts_with("The login works")),
        "{err}"
    );

    let (token, _) = mint(json!({"claims": {"sub": "alice"}}));
    let (code, _, err) = decode(&sb, &[&token, "--jwks", &format!("{}/jwks", server.base)]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("with Location: http://127.0.0.1:9/\\u{202e}gpj.exe"),
        "{err}"
    );
    assert!(!err.contains('\u{202e}'), "{err:?}");
}
