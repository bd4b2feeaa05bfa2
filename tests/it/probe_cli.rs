//! `stauth probe URL` against stand-ins a test controls (tests/common/
//! hostile_server.rs): a fake Streamlit behind a fake Caddy that refuses
//! Cookie headers over 5,000 bytes, one that alternates backends, silent and
//! endless servers, and the command line's refusals. Every request the
//! probe sends is recorded: none carries a secret or a real cookie. The real
//! stack (nginx, Streamlit, Chromium) is in probe_nginx.rs.

use crate::common;

use common::hostile_server::{Reply, Request, Server};
use common::probe::finding;
use common::{redact, run, Sandbox, SECRET};
use insta::assert_snapshot;
use serde_json::Value;

/// The largest Cookie header the fake stack lets through.
const LIMIT: usize = 5000;

fn raw(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
    Reply::Raw {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.to_string(),
    }
}

/// Streamlit's answers to the routes the probe asks for (Streamlit 1.67:
/// health "ok", its login routes redirect to the app, the WebSocket
/// handshake is accepted), behind a Caddy that answers 431 past [`LIMIT`].
/// `backend` names the answering backend in X-Upstream.
fn fake_streamlit(req: &Request, backend: &str) -> Reply {
    let cookie = req.header("cookie").map_or(0, str::len);
    let server = ("server", "Caddy");
    let upstream = ("x-upstream", backend);
    if cookie > LIMIT {
        return raw(431, &[server], "");
    }
    match req.path() {
        "/_stcore/health" => raw(200, &[server, upstream], "ok"),
        "/oauth2callback" | "/auth/login" => raw(302, &[server, upstream, ("location", "/")], ""),
        "/_stcore/stream" => raw(
            101,
            &[
                server,
                ("upgrade", "websocket"),
                ("connection", "Upgrade"),
                ("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            ],
            "",
        ),
        _ => raw(404, &[server], "not found"),
    }
}

/// An app folder whose secrets hold a client secret and a cookie secret,
/// with `redirect_uri` at `base`.
fn app_for(base: &str) -> Sandbox {
    let sb = Sandbox::new();
    sb.write(
        ".streamlit/secrets.toml",
        &format!(
            "[auth]\nredirect_uri = \"{base}/oauth2callback\"\ncookie_secret = \"cookie-{SECRET}\"\nclient_id = \"app\"\nclient_secret = \"{SECRET}\"\nserver_metadata_url = \"https://sso.example.com/.well-known/openid-configuration\"\n"
        ),
    );
    sb
}

/// Probes `url` as Streamlit 1.67's app, 2 s a request unless `extra` says.
fn probe(sb: &Sandbox, url: &str, extra: &[&str]) -> (i32, Value, String) {
    let args: Vec<&str> = ["--streamlit-version", "1.67"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    common::probe::probe(sb, url, 2, &args)
}

/// No request carries a secret of the app, and the only cookie sent is the filler.
fn assert_only_filler_cookies(server: &Server) {
    let requests = server.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        let text = format!("{} {:?}", r.target, r.headers);
        assert!(!text.contains(SECRET), "a secret in {text}");
        if let Some(cookie) = r.header("cookie") {
            assert!(
                cookie.starts_with("stauth_probe=") && !cookie.contains(';'),
                "not the filler cookie: {}",
                &cookie[..cookie.len().min(80)]
            );
        }
    }
}

#[test]
fn finds_the_limit_names_the_stack_and_says_a_300_group_login_fails() {
    let server = Server::start(|req, _| fake_streamlit(req, "10.0.0.1:8501"));
    let sb = app_for(&server.base);
    let (code, json, stderr) = probe(&sb, &server.base, &["--groups", "300"]);
    assert_eq!(code, 1, "{stderr}");
    let limit = &json["cookie_limit"];
    let accepted = limit["accepted_bytes"].as_u64().unwrap() as usize;
    let refused = limit["refused_bytes"].as_u64().unwrap() as usize;
    assert!(accepted <= LIMIT && LIMIT - accepted <= 8, "{limit}");
    assert!(refused > LIMIT && refused - accepted <= 8, "{limit}");
    assert_eq!(limit["refused_by"], "caddy");
    assert_eq!(json["stack"], "caddy");
    assert_eq!(json["base_path"], "");
    assert_eq!(json["redirect_uri"]["matches"], true);
    let need = json["need"]["cookie_header_bytes"].as_u64().unwrap();
    assert!(need > 16 * 1024, "{need}");
    let f = finding(&json, "probe.cookie_limit");
    assert_eq!(f["severity"], "error");
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("servers { max_header_size 32KB }"),
        "{f}"
    );
    // The WebSocket is tried with the largest header that passed.
    assert_eq!(json["websocket"][1]["cookie_header_bytes"], accepted as u64);
    assert_eq!(json["websocket"][1]["opened"], true);
    assert!(json["requests"].as_u64().unwrap() <= 40);
    assert_eq!(
        json["requests"].as_u64().unwrap() as usize,
        server.requests().len()
    );
    assert_only_filler_cookies(&server);
    assert_snapshot!(
        "fake_caddy_stderr",
        redact(&stderr).replace(&need.to_string(), "[NEED]")
    );
}

#[test]
fn a_login_that_fits_passes_and_the_exit_code_is_0() {
    let server = Server::start(|req, _| fake_streamlit(req, "10.0.0.1:8501"));
    let sb = app_for(&server.base);
    let (code, json, stderr) = probe(
        &sb,
        &format!("{}/oauth2callback", server.base),
        &["--groups", "0"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["ok"], true);
    assert_eq!(finding(&json, "probe.cookie_limit")["severity"], "ok");
    assert_eq!(finding(&json, "probe.replicas")["severity"], "ok");
    assert_only_filler_cookies(&server);
}

#[test]
fn alternating_backends_without_affinity_are_a_warning() {
    let n = std::sync::atomic::AtomicUsize::new(0);
    let server = Server::start(move |req, _| {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        fake_streamlit(
            req,
            if i.is_multiple_of(2) {
                "10.0.0.1:8501"
            } else {
                "10.0.0.2:8501"
            },
        )
    });
    let sb = app_for(&server.base);
    let (code, json, stderr) = probe(&sb, &server.base, &[]);
    assert_eq!(code, 0, "a warning is not an error:\n{stderr}");
    let f = finding(&json, "probe.replicas");
    assert_eq!(f["severity"], "warning", "{f}");
    assert_eq!(
        json["replicas"]["backends"],
        serde_json::json!(["10.0.0.1:8501", "10.0.0.2:8501"])
    );
    assert!(
        f["fix"].as_str().unwrap().contains("lb_policy cookie"),
        "{f}"
    );
    // Streamlit 1.67 keeps the login state in a signed cookie; the session is per replica.
    assert!(
        f["why"].as_str().unwrap().contains("st.session_state"),
        "{f}"
    );
    // Without a login to compare with, the limit is information.
    assert_eq!(finding(&json, "probe.cookie_limit")["severity"], "info");
}

#[test]
fn a_redirect_uri_for_another_url_is_an_error_with_the_right_value() {
    let server = Server::start(|req, _| fake_streamlit(req, "a"));
    let sb = app_for("http://localhost:8501");
    let (code, json, stderr) = probe(&sb, &server.base, &[]);
    assert_eq!(code, 1, "{stderr}");
    let f = finding(&json, "probe.redirect_uri");
    assert_eq!(f["severity"], "error");
    assert_eq!(
        json["redirect_uri"]["expected"],
        format!("{}/oauth2callback", server.base)
    );
    assert!(f["fix"].as_str().unwrap().contains(&format!(
        "redirect_uri = \"{}/oauth2callback\"",
        server.base
    )));
}

#[test]
fn a_proxy_that_does_not_forward_the_callback_is_named() {
    let server = Server::start(|req, _| {
        if req.path() == "/oauth2callback" {
            raw(404, &[("server", "Caddy")], "")
        } else {
            fake_streamlit(req, "a")
        }
    });
    let sb = app_for(&server.base);
    let (code, json, _) = probe(&sb, &server.base, &[]);
    assert_eq!(code, 1);
    let f = finding(&json, "probe.routes");
    assert_eq!(f["severity"], "error");
    assert!(
        f["message"].as_str().unwrap().starts_with(
            "/oauth2callback does not reach Streamlit: GET /oauth2callback answered 404 from Caddy"
        ),
        "{f}"
    );
    assert_eq!(
        json["routes"][1]["reaches_streamlit"], true,
        "/auth/login still does"
    );
}

#[test]
fn no_streamlit_silence_and_endless_bodies_end_within_the_budget() {
    for (name, reply) in [("404", 0), ("endless", 1), ("silent", 2)] {
        let server = Server::start(move |_, _| match reply {
            0 => raw(
                404,
                &[("server", "nginx")],
                "<html><head><title>404 Not Found</title></head></html>",
            ),
            1 => Reply::Endless,
            _ => Reply::Silent,
        });
        let sb = app_for(&server.base);
        let (code, json, stderr) =
            probe(&sb, &format!("{}/tools/", server.base), &["--timeout", "1"]);
        // The URL's path, then the root: two requests, nothing else.
        assert_eq!(server.requests().len(), 2, "{name}: {json:#}");
        if name == "silent" {
            // Nothing answered: a timeout, exit 4.
            assert_eq!(code, 4, "{name}: {stderr}");
            assert_eq!(json["ok"], false);
            assert!(stderr.contains("did not answer within 1 s"), "{stderr}");
            continue;
        }
        assert_eq!(code, 1, "{name}: {stderr}");
        let f = finding(&json, "probe.health");
        assert_eq!(f["severity"], "error", "{name}: {f}");
        assert_eq!(json["requests"], 2, "{name}: {json:#}");
        if name == "404" {
            assert_snapshot!("no_streamlit_stderr", redact(&stderr));
        }
    }
}

#[test]
fn refusals_of_the_command_line() {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb.cmd().args(["probe", "ftp://example.com/"]));
    assert_eq!(code, 2);
    assert_snapshot!("bad_url", err);
    let (code, _, err) = run(sb.cmd().args([
        "probe",
        "http://127.0.0.1:9/",
        "--groups",
        "5",
        "--claims",
        "c.json",
    ]));
    assert_eq!(code, 2, "{err}");
    sb.write("report.json", "{\"ok\": true}");
    let (code, _, err) =
        run(sb
            .cmd()
            .args(["probe", "http://127.0.0.1:9/", "--report", "report.json"]));
    assert_eq!(code, 2);
    assert_snapshot!("not_a_report", err);
    // Nothing listens on port 9 (discard): the network error's exit code.
    let (code, _, err) = run(sb.cmd().args([
        "probe",
        "http://127.0.0.1:9/",
        "--streamlit-version",
        "1.67",
    ]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("connection refused"), "{err}");
}

#[test]
fn a_test_login_report_or_claims_file_is_the_login_compared_with() {
    let server = Server::start(|req, _| fake_streamlit(req, "a"));
    let sb = app_for(&server.base);
    // The parts of a `stauth test-login --json` report probe reads.
    sb.write(
        "login.json",
        r#"{"ok": true, "cookies": {"cookie_header_bytes": 6000, "cookies": [
            {"name": "_streamlit_user", "set_cookie_bytes": 3100},
            {"name": "_streamlit_user_tokens", "set_cookie_bytes": 3000}]}}"#,
    );
    let (code, json, stderr) = probe(&sb, &server.base, &["--report", "login.json"]);
    assert_eq!(
        code, 1,
        "6,072 bytes pass the fake stack's 5,000:\n{stderr}"
    );
    // The app's _streamlit_xsrf cookie comes on top of the login's cookies.
    assert_eq!(json["need"]["cookie_header_bytes"], 6072);
    assert_eq!(json["need"]["estimated"], false);
    assert_eq!(json["need"]["source"], "the test-login report login.json");

    // `stauth decode --json` output: the claims under "claims".
    sb.write(
        "claims.json",
        r#"{"claims": {"sub": "u1", "email": "u1@example.com", "groups": ["a", "b"]}}"#,
    );
    let (code, json, stderr) = probe(&sb, &server.base, &["--claims", "claims.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["need"]["estimated"], true);
    let need = json["need"]["cookie_header_bytes"].as_u64().unwrap();
    assert!((1000..5000).contains(&need), "{need}");
}

#[test]
fn an_app_server_of_another_release_is_a_warning() {
    // Streamlit's Tornado server (before 1.57) with nothing in front.
    let server = Server::start(|req, _| match req.path() {
        "/_stcore/health" => raw(200, &[("server", "TornadoServer/6.4.2")], "ok"),
        _ => fake_streamlit(req, "a"),
    });
    let sb = app_for(&server.base);
    let (code, json, stderr) = probe(&sb, &server.base, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["stack"], "streamlit-tornado");
    let f = finding(&json, "probe.release");
    assert_eq!(f["severity"], "warning");
    assert!(
        f["fix"].as_str().unwrap().contains("--streamlit-version"),
        "{f}"
    );
    let (_, json, _) = common::probe::probe(&sb, &server.base, 2, &["--streamlit-version", "1.56"]);
    assert!(
        !json["findings"].to_string().contains("probe.release"),
        "{json:#}"
    );
}

#[test]
fn a_url_without_a_scheme_is_refused_with_the_whole_url_to_give() {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb.cmd().args(["probe", "localhost:8501"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("it has no scheme; give the whole URL, e.g. http://localhost:8501/"),
        "{err}"
    );
}
