//! End to end, for real: `stauth init` against the test identity provider
//! (npm oidc-provider on 127.0.0.1), then real Streamlit (tests/.venv) serving
//! an app with `st.login`, and a real browser (headless Chromium driven by
//! tests/browser/streamlit_login.mjs) clicking "Log in", signing in at the
//! provider and landing back on the signed-in app.
//!
//! Then the cookies Streamlit actually set are checked against
//! `stauth::streamlit::cookies::predict`, byte for byte: the identity and
//! tokens JSON are decoded from the real cookies (itsdangerous payloads), the
//! signing time and the cookie secret (from the secrets file stauth wrote) are
//! fed to `predict`, and every predicted Set-Cookie header must equal what the
//! browser received. The JSON itself is also rebuilt from the ID token with
//! `identity_json` / `tokens_json`, so nothing in the chain is taken on trust.
//!
//! Needs `bash tests/setup.sh` (venv, tests/idp and tests/browser npm
//! packages) and Debian's `chromium`.

use crate::common;

use common::idp::{free_port, Idp};
use common::st_cookies::{alice, cookie, guids, is_chunk_of, joined, jwt_claims, signed};
use common::streamlit::{browser_login, venv_python, BrowserLogin, SetCookie, StreamlitApp};
use common::{run, Sandbox, SECRET};
use serde_json::{json, Map, Value};
use stauth::streamlit::cookies::{
    identity_json, predict, tokens_json, CookieRules, Prediction, TOKENS_COOKIE, USER_COOKIE,
    WEBSOCKET_COOKIE_LIMIT, XSRF_COOKIE_BYTES,
};

/// The app: a "Log in" button until signed in, then the user's email.
const APP: &str = r#"import streamlit as st

if not st.user.is_logged_in:
    st.button("Log in", on_click=st.login)
else:
    st.markdown(f"Signed in as {st.user.email}")
"#;

/// What one end-to-end login produced.
struct Outcome {
    /// The browser's view: page text, Set-Cookie headers, navigations.
    login: BrowserLogin,
    /// The `_streamlit_user*` Set-Cookie headers of the `/oauth2callback`
    /// response, in order.
    received: Vec<SetCookie>,
    /// `predict(...)` at the identity cookie's signing time.
    prediction: Prediction,
    /// The identity JSON Streamlit signed (decoded from the cookies).
    identity: String,
    /// The ID token's claims, in the token's order.
    claims: Map<String, Value>,
}

/// One end-to-end run.
struct Scenario<'a> {
    /// Names the screenshot: with `STAUTH_E2E_SCREENSHOTS=DIR` the browser's
    /// last page is kept as `DIR/NAME.png`.
    name: &'a str,
    /// The IdP's `accounts` (`None`: its default `alice`).
    accounts: Option<Value>,
    /// Extra environment for Streamlit.
    streamlit_env: &'a [(&'a str, &'a str)],
    /// Whether the app must end up showing the signed-in user. `false`: the
    /// browser waits 10 s after the callback, and the app must *not* be signed
    /// in by then (the cookies are checked all the same).
    signed_in: bool,
}

/// The whole flow, all checks included.
fn login_end_to_end(scenario: Scenario) -> Outcome {
    let Scenario {
        name,
        accounts,
        streamlit_env,
        signed_in,
    } = scenario;
    let port = free_port();
    let redirect_uri = format!("http://localhost:{port}/oauth2callback");
    let mut config = json!({
        "clients": [{
            "client_id": "stauth-test",
            "client_secret": SECRET,
            "redirect_uris": [redirect_uri],
            "post_logout_redirect_uris": [redirect_uri],
        }]
    });
    if let Some(accounts) = accounts {
        config["accounts"] = accounts;
    }
    let idp = Idp::start(config);

    // stauth init against the provider's discovery, as a user would run it.
    let sb = Sandbox::new();
    let (code, _, err) = run(&mut sb.init_test_idp(&idp.issuer, &redirect_uri, SECRET, &[]));
    assert_eq!(code, 0, "stauth init failed:\n{err}");
    let secrets = sb.secrets();
    // oidc-provider rejects Streamlit's default prompt=select_account.
    assert!(
        secrets.contains(r#"client_kwargs = { prompt = "login" }"#),
        "{secrets}"
    );
    let cookie_secret = cookie_secret(&secrets);
    sb.write("app.py", APP);

    // Real Streamlit in the app folder (so .streamlit/secrets.toml is read),
    // and a real browser opening it at the redirect_uri's origin.
    let app = StreamlitApp::start(sb.path(), "app.py", port, streamlit_env);
    let screenshot = match std::env::var_os("STAUTH_E2E_SCREENSHOTS") {
        Some(dir) => std::path::PathBuf::from(dir).join(format!("{name}.png")),
        None => sb.home().join("after-login.png"),
    };
    let mut args = vec![
        "--login",
        "alice",
        "--screenshot",
        screenshot.to_str().unwrap(),
    ];
    if !signed_in {
        // Back on the app from /oauth2callback, give it 10 s to sign in.
        args.extend(["--settle", "10"]);
    }
    let login = browser_login(&app.url(), &args);
    let streamlit_log = app.log();

    if signed_in {
        assert!(
            login.signed_in && login.text.contains("Signed in as alice@example.com"),
            "the app does not show the signed-in user: {:?}\n--- Streamlit ---\n{streamlit_log}",
            login.text
        );
    } else {
        assert!(
            !login.signed_in && !login.text.contains("Signed in as"),
            "the app signed in: {:?}",
            login.text
        );
    }
    assert_eq!(login.url, app.url());
    assert_login_route(&login, port, &idp.base);

    // The cookies /oauth2callback set. Nothing else in a fresh browser may
    // touch them (no deletions: there is nothing stale to clear).
    let received: Vec<SetCookie> = login
        .set_cookies_from("/oauth2callback")
        .into_iter()
        .filter(|c| c.name.starts_with(USER_COOKIE))
        .cloned()
        .collect();
    let names: Vec<&str> = received.iter().map(|c| c.name.as_str()).collect();
    assert!(
        names.contains(&USER_COOKIE),
        "no {USER_COOKIE} cookie: {names:?}"
    );
    assert!(
        names.contains(&TOKENS_COOKIE),
        "no {TOKENS_COOKIE} cookie: {names:?}"
    );
    let elsewhere: Vec<&SetCookie> = login
        .set_cookies
        .iter()
        .filter(|c| c.name.starts_with(USER_COOKIE))
        .filter(|c| !received.contains(c))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "login cookies set outside /oauth2callback: {elsewhere:?}"
    );

    // Decode what Streamlit signed.
    let identity = joined(&received, USER_COOKIE);
    let tokens = joined(&received, TOKENS_COOKIE);
    let ts = signed(&cookie(&received, USER_COOKIE).value).ts;

    // The tokens JSON is {"id_token", "access_token"}, and the identity JSON
    // is the ID token's claims + origin, is_logged_in, provider: rebuilt here
    // with the library from the ID token alone, they must be the same bytes.
    let tokens_value: Map<String, Value> = serde_json::from_str(&tokens)
        .unwrap_or_else(|e| panic!("the tokens cookie is not a JSON object ({e}): {tokens}"));
    let id_token = tokens_value["id_token"]
        .as_str()
        .expect("id_token in the tokens cookie");
    let access_token = tokens_value["access_token"]
        .as_str()
        .expect("access_token in the tokens cookie");
    assert_eq!(tokens_json(Some(id_token), Some(access_token)), tokens);
    let claims = jwt_claims(id_token);
    assert_eq!(claims["email"], "alice@example.com");
    let origin = format!("http://localhost:{port}");
    assert_eq!(
        identity_json(&claims, &origin, Some("default")),
        identity,
        "identity_json(ID token claims) differs from the identity Streamlit signed"
    );

    // The prediction: every cookie, byte for byte. Each cookie is compared
    // with the prediction at its own signing time (Streamlit signs them one by
    // one and may cross a second boundary in between).
    let release = stauth::streamlit::Release::new(streamlit_version(), false);
    let rules = CookieRules::for_release(&release, "");
    let predict_at = |ts: u64| -> Prediction {
        predict(&rules, &cookie_secret, &identity, Some(&tokens), ts)
            .unwrap_or_else(|e| panic!("predict failed: {e}"))
    };
    let prediction = predict_at(ts);
    let predicted_names: Vec<&str> = prediction.cookies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(predicted_names, names, "cookie names and order");
    for (i, got) in received.iter().enumerate() {
        let at = signed(&got.value).ts;
        let p = if at == ts {
            prediction.clone()
        } else {
            predict_at(at)
        };
        let want = &p.cookies[i];
        assert_eq!(want.name, got.name);
        assert_eq!(want.value, got.value, "value of {}", got.name);
        assert_eq!(
            want.set_cookie, got.header,
            "Set-Cookie header of {}",
            got.name
        );
        assert_eq!(want.value_len, got.value.len());
        assert_eq!(want.header_len, got.name.len() + 1 + got.value.len());
    }
    let identity_chunks = names.iter().filter(|n| is_chunk_of(n, USER_COOKIE)).count();
    let tokens_chunks = names
        .iter()
        .filter(|n| is_chunk_of(n, TOKENS_COOKIE))
        .count();
    assert_eq!(
        (prediction.identity_chunks, prediction.tokens_chunks),
        (identity_chunks, tokens_chunks)
    );

    // Shown by `cargo test` when a test fails, or with --nocapture.
    eprintln!(
        "login cookies: {}; the browser's Cookie header: {} bytes; websockets: {}",
        received
            .iter()
            .map(|c| format!("{} ({} bytes)", c.name, c.name.len() + 1 + c.value.len()))
            .collect::<Vec<_>>()
            .join(", "),
        login.cookie_header_len,
        login.json["websockets"]
    );

    // `stauth test-login` against the same provider, with real headless
    // Chromium as its browser: what it predicts must be what Streamlit did.
    // The two logins differ only in random values of equal length (nonce,
    // sid, at_hash) and times, so names, chunk counts and email are equal,
    // and sizes agree to within what zlib makes of different random text;
    // the byte-for-byte proof for identical claims is above.
    drop(app); // test-login listens on the app's port for its own callback
    let browser = format!(
        "node {}",
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/browser/idp_login.mjs")
            .display()
    );
    let (code, out, err) = run(sb.cmd().args([
        "test-login",
        "--json",
        "--timeout",
        "90",
        "--browser-command",
        &browser,
    ]));
    let report: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("test-login printed no JSON ({e}): {out}\n{err}"));
    let header_too_big = prediction.cookie_header_len + XSRF_COOKIE_BYTES > WEBSOCKET_COOKIE_LIMIT;
    assert_eq!(
        code,
        if header_too_big { 1 } else { 0 },
        "test-login: {err}"
    );
    assert_eq!(report["st_user"]["email"], claims["email"], "st.user.email");
    let predicted: Vec<(String, u64)> = report["cookies"]["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["set_cookie_bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    let actual: Vec<(String, u64)> = received
        .iter()
        .map(|c| (c.name.clone(), c.header.len() as u64))
        .collect();
    assert_eq!(
        predicted.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        actual.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "cookie names"
    );
    for ((name, want), (_, got)) in predicted.iter().zip(&actual) {
        assert!(
            want.abs_diff(*got) <= 24,
            "{name}: test-login predicted {want} bytes, Streamlit sent {got}"
        );
    }
    assert_eq!(
        report["cookies"]["identity_chunks"].as_u64(),
        Some(prediction.identity_chunks as u64)
    );
    assert_eq!(
        report["cookies"]["tokens_chunks"].as_u64(),
        Some(prediction.tokens_chunks as u64)
    );
    let flagged = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "cookies.header_too_big");
    assert_eq!(
        flagged, header_too_big,
        "test-login's Cookie header verdict"
    );

    // `stauth decode` reads the very cookies Streamlit set, with the app's
    // cookie_secret from its secrets file, chunks reassembled.
    let header = received
        .iter()
        .map(|c| format!("{}={}", c.name, c.value))
        .collect::<Vec<_>>()
        .join("; ");
    let (code, out, err) = run(sb
        .cmd()
        .args(["decode", "--json", "--cookie-header", &header]));
    assert_eq!(code, 0, "decode: {err}");
    let decoded: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(decoded["format"], "itsdangerous");
    assert_eq!(decoded["identity"]["email"], claims["email"]);
    assert_eq!(decoded["identity"]["origin"], origin.as_str());
    assert_eq!(
        decoded["chunks"].as_u64(),
        Some(prediction.identity_chunks as u64)
    );
    assert_eq!(
        decoded["tokens"]["id_token"]["claims"]["email"],
        claims["email"]
    );

    Outcome {
        login,
        received,
        prediction,
        identity,
        claims,
    }
}

/// The route the browser took: the app, Streamlit's `/auth/login?provider=`,
/// the provider, `/oauth2callback` (302) and the app's root again (200).
fn assert_login_route(login: &BrowserLogin, port: u16, idp_base: &str) {
    let app = format!("http://localhost:{port}");
    let route: Vec<String> = login
        .navigations
        .iter()
        .map(|(status, url)| format!("{status} {url}"))
        .collect();
    let position = |pred: &dyn Fn(&(u16, String)) -> bool| login.navigations.iter().position(pred);
    let auth_login =
        position(&|(s, u)| *s == 302 && u.starts_with(&format!("{app}/auth/login?provider=")));
    let at_idp = position(&|(_, u)| u.starts_with(idp_base));
    let callback =
        position(&|(s, u)| *s == 302 && u.starts_with(&format!("{app}/oauth2callback?code=")));
    let back = login.navigations.last().cloned();
    assert!(
        matches!((auth_login, at_idp, callback), (Some(a), Some(b), Some(c)) if a < b && b < c),
        "unexpected route:\n{}",
        route.join("\n")
    );
    assert_eq!(
        back,
        Some((200, format!("{app}/"))),
        "route:\n{}",
        route.join("\n")
    );
}

/// `[auth] cookie_secret` of the secrets file.
fn cookie_secret(secrets: &str) -> String {
    let doc: toml_edit::DocumentMut = secrets.parse().expect("secrets.toml parses");
    doc["auth"]["cookie_secret"]
        .as_str()
        .expect("[auth] cookie_secret is a string")
        .to_owned()
}

/// Streamlit's version in the test venv.
fn streamlit_version() -> stauth::streamlit::StreamlitVersion {
    let out = std::process::Command::new(venv_python())
        .args(["-c", "import streamlit; print(streamlit.__version__)"])
        .output()
        .expect("the test venv's python runs (bash tests/setup.sh)");
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    version
        .parse()
        .unwrap_or_else(|e| panic!("cannot read Streamlit's version {version:?}: {e}"))
}

/// IdP accounts with alice in 300 groups (GUIDs, as Entra ID sends them):
/// an ID token of about 16 kB, so both login cookies are split.
fn alice_in_300_groups() -> (Value, Vec<String>) {
    let groups = guids(300);
    let mut account = alice();
    account.insert("groups".to_owned(), json!(groups));
    (json!({ "alice": account }), groups)
}

/// The checks of a login whose cookies Streamlit split.
fn assert_chunked(out: &Outcome, groups: &[String]) {
    assert_eq!(out.claims["groups"], json!(groups));
    assert!(
        out.prediction.identity_chunks >= 2,
        "identity cookie not split: {} chunks, identity JSON {} bytes",
        out.prediction.identity_chunks,
        out.identity.len()
    );
    // The main cookie holds "chunks-N"; the pieces follow it in order.
    let main = cookie(&out.received, USER_COOKIE);
    assert_eq!(
        signed(&main.value).payload,
        format!("chunks-{}", out.prediction.identity_chunks)
    );
    for c in &out.received {
        let len = c.name.len() + 1 + c.value.len();
        assert!(len <= 4096, "{} is {len} bytes", c.name);
    }
    // The browser ends up holding exactly these cookies plus Streamlit's
    // `_streamlit_xsrf` (`2|8 hex|32 hex|10 digits`), so its Cookie header is
    // the predicted length + "; " + that one.
    let xsrf = "_streamlit_xsrf=2|xxxxxxxx|xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx|0000000000".len();
    assert_eq!(
        out.login.cookie_header_len,
        out.prediction.cookie_header_len + 2 + xsrf,
        "the browser's Cookie header vs the prediction; the browser's cookies: {}",
        out.login.json["cookie_jar"]
    );
}

#[test]
fn real_streamlit_login_sets_the_predicted_cookies() {
    let out = login_end_to_end(Scenario {
        name: "small",
        accounts: None,
        streamlit_env: &[],
        signed_in: true,
    });
    for (key, value) in alice() {
        assert_eq!(out.claims.get(&key), Some(&value), "claim {key}");
    }
    // A small login: one cookie each, not split.
    let names: Vec<&str> = out.received.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, [USER_COOKIE, TOKENS_COOKIE]);
    assert_eq!(
        (out.prediction.identity_chunks, out.prediction.tokens_chunks),
        (0, 0)
    );
    assert!(out
        .identity
        .ends_with(r#", "is_logged_in": true, "provider": "default"}"#));
}

/// 300 groups: Streamlit splits both cookies into chunks, exactly as
/// predicted, and the app signs in, once Streamlit's WebSocket accepts a
/// Cookie header that long (see the next test for what happens otherwise).
#[test]
fn real_streamlit_login_with_300_groups_splits_the_cookies() {
    let (accounts, groups) = alice_in_300_groups();
    let out = login_end_to_end(Scenario {
        name: "groups-300-signed-in",
        accounts: Some(accounts),
        // The websockets package (Streamlit's WebSocket server under uvicorn)
        // reads header lines of at most 8192 bytes unless told otherwise.
        streamlit_env: &[("WEBSOCKETS_MAX_LINE_LENGTH", "65536")],
        signed_in: true,
    });
    assert_chunked(&out, &groups);
    assert!(out.login.cookie_header_len > 8192);
}

/// The same login with Streamlit 1.67 as installed: the chunked cookies are
/// set (as predicted) and the browser is back on the app, but its Cookie
/// header is over 8 KB, and the WebSocket handshake at /_stcore/stream never
/// completes (the websockets package's 8192-byte header-line limit: the
/// connection stalls and nothing is logged), so the app never renders. A
/// login whose Cookie header passes 8 KB is broken even without a proxy.
#[test]
fn real_streamlit_login_with_300_groups_never_loads_the_app() {
    let (accounts, groups) = alice_in_300_groups();
    let out = login_end_to_end(Scenario {
        name: "groups-300-stalled",
        accounts: Some(accounts),
        streamlit_env: &[],
        signed_in: false,
    });
    assert_chunked(&out, &groups);
    assert!(
        out.login.cookie_header_len > 8182,
        "Cookie header of {} bytes",
        out.login.cookie_header_len
    );
    let sockets: Vec<Value> = out.login.json["websockets"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|w| w["after_callback"] == true)
        .collect();
    assert!(
        sockets
            .iter()
            .any(|w| w["url"].as_str().unwrap_or("").ends_with("/_stcore/stream")),
        "the app did not try its WebSocket after the login: {sockets:?}"
    );
    assert!(
        sockets.iter().all(|w| w["frames_received"] == 0),
        "the app's WebSocket got an answer: {sockets:?}"
    );
}
