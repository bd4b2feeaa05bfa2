//! The release matrix, proven against each real release (issue #12): for
//! every venv of `tests/common/releases.rs` (and 1.53.1 / 1.56.0 once more
//! with `server.useStarlette = true`), real `streamlit run` of that release,
//! the real test provider (tests/idp) and headless Chromium
//! (tests/browser/streamlit_login.mjs) log in and out, and what happened is
//! compared with what stauth predicts for that release:
//!
//! 1. the authorization request that reached the provider has the parameters
//!    `login_request::build` predicts (PKCE or not, prompt, scope, nonce);
//! 2. every Set-Cookie of /oauth2callback is `cookies::predict`'s, byte for
//!    byte, for a small identity and for one in 300 groups (chunked from
//!    1.53; before that one oversized cookie the browser drops, so the login
//!    loops, as `stauth test-login` says);
//! 3. `st.logout()` goes where `logout::plan` says;
//! 4. `stauth decode --streamlit-version` reads that release's cookies;
//! 5. `stauth doctor --python` finds no Python problem in a working venv, and
//!    names the one of a broken venv (1.52.1 with the newest Authlib,
//!    1.57.0 without httpx), whose real login fails as the user sees it.
//!
//! Needs `bash tests/setup.sh` (the venvs, tests/idp and tests/browser npm
//! packages) and Debian's `chromium`; a missing venv fails the test.

use crate::common;

use std::sync::{Condvar, Mutex};

use common::idp::{free_port, Idp};
use common::releases;
use common::st_cookies::{alice, cookie, guids, is_chunk_of, joined, jwt_claims, signed};
use common::streamlit::{browser_login, run_browser, BrowserLogin, SetCookie, StreamlitApp};
use common::{run, Sandbox, SECRET};
use serde_json::{json, Map, Value};
use stauth::oidc::Discovery;
use stauth::secret::Secret;
use stauth::streamlit::auth_config::LoginConfig;
use stauth::streamlit::cookies::{
    identity_json, predict, tokens_json, Prediction, MAX_COOKIE_BYTES, TOKENS_COOKIE, USER_COOKIE,
};
use stauth::streamlit::login_request;
use stauth::streamlit::logout::{plan, LogoutPlan};
use stauth::streamlit::release::{Release, Server, StreamlitVersion};
use stauth::streamlit::schema::ProviderSlot;

/// Log in, then the user's email and a "Log out" button. USER is the
/// release's `st.user` (1.42-1.44 have only `st.experimental_user`), as its
/// users write it (doctor flags `st.experimental_user` where it is gone).
const APP: &str = r#"import streamlit as st

user = USER
if not user.is_logged_in:
    st.button("Log in", on_click=st.login)
else:
    st.markdown(f"Signed in as {user.email}")
    st.button("Log out", on_click=st.logout)
"#;

/// The IdP account that is alice in 300 groups (an ID token of ~16 kB).
const BIG: &str = "bob";
const GROUPS: usize = 300;

/// At most this many Streamlit + Chromium pairs at once (the CI machine has
/// two cores; more only makes every login slower).
const PARALLEL: usize = 2;
static RUNNING: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

struct Slot;

fn slot() -> Slot {
    let (lock, cv) = &RUNNING;
    let mut n = lock.lock().unwrap_or_else(|p| p.into_inner());
    while *n >= PARALLEL {
        n = cv.wait(n).unwrap_or_else(|p| p.into_inner());
    }
    *n += 1;
    Slot
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (lock, cv) = &RUNNING;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
        cv.notify_one();
    }
}

/// One matrix entry set up: provider, app folder, its release.
struct Setup {
    name: &'static str,
    release: Release,
    /// Kept running for the test.
    _idp: Idp,
    sb: Sandbox,
    port: u16,
    redirect_uri: String,
    secrets: toml_edit::DocumentMut,
    /// `--streamlit-version` for stauth: the venv's exact release.
    version: &'static str,
}

impl Setup {
    fn new(name: &'static str, starlette: bool) -> Setup {
        let entry = releases::entry(name);
        // Fails with "run bash tests/setup.sh" when the venv is missing.
        releases::python(name);
        let version: StreamlitVersion = entry.streamlit.parse().unwrap();
        let release = Release::new(version, starlette);
        assert_eq!(release.version, version, "stauth knows {version}");
        if starlette {
            assert_eq!(release.server, Server::StarletteOptIn);
        }
        let port = free_port();
        let redirect_uri = format!("http://localhost:{port}/oauth2callback");
        let root = format!("http://localhost:{port}/");
        let mut big = alice();
        big.insert("sub".into(), json!(BIG));
        big.insert("groups".into(), json!(guids(GROUPS)));
        let idp = Idp::start(json!({
            "clients": [{
                "client_id": "stauth-test",
                "client_secret": SECRET,
                "redirect_uris": [redirect_uri],
                // 1.48.0 sends the app's root, later releases the redirect_uri.
                "post_logout_redirect_uris": [redirect_uri, root],
            }],
            "accounts": { "alice": alice(), BIG: big },
            // An endpoint with a query of its own: 1.53 appends a second "?",
            // 1.54+ merge (logout::plan says which).
            "endSessionQuery": "ui_locales=en",
        }));
        let sb = Sandbox::new();
        if starlette {
            sb.write(".streamlit/config.toml", "[server]\nuseStarlette = true\n");
        }
        let (code, _, err) = run(&mut sb.init_test_idp(
            &idp.issuer,
            &redirect_uri,
            SECRET,
            &["--streamlit-version", entry.streamlit],
        ));
        assert_eq!(code, 0, "stauth init failed:\n{err}");
        let secrets: toml_edit::DocumentMut = sb.secrets().parse().expect("secrets.toml parses");
        sb.write("app.py", &APP.replace("USER", release.user_object()));
        Setup {
            name,
            release,
            _idp: idp,
            sb,
            port,
            redirect_uri,
            secrets,
            version: entry.streamlit,
        }
    }

    fn origin(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    fn auth_str(&self, key: &str) -> String {
        self.secrets["auth"][key]
            .as_str()
            .unwrap_or_else(|| panic!("[auth] {key} is a string"))
            .to_owned()
    }

    /// Streamlit of this entry's venv in the app folder. The websockets
    /// package behind the Starlette server reads header lines of at most
    /// 8192 bytes by default, which the chunked 300-group cookies pass; this
    /// lifts it so the big login can be seen signing in (Tornado has no such
    /// limit).
    fn streamlit(&self) -> StreamlitApp {
        StreamlitApp::start_with(
            &releases::python(self.name),
            self.sb.path(),
            "app.py",
            self.port,
            &[("WEBSOCKETS_MAX_LINE_LENGTH", "65536")],
        )
    }

    /// `stauth doctor --offline --json --python VENV`: (exit code, checks of
    /// the Python area).
    fn doctor(&self) -> (i32, Vec<Value>) {
        let python = releases::python(self.name);
        let (code, out, err) = run(self.sb.cmd().args([
            "doctor",
            "--offline",
            "--json",
            "--app-dir",
            self.sb.path().to_str().unwrap(),
            "--python",
            python.to_str().unwrap(),
        ]));
        let report: Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("doctor printed no JSON ({e}): {out}\n{err}"));
        // The venv's own release, found through --python, on its server.
        assert_eq!(
            report["streamlit"]["installed"], self.version,
            "doctor did not read the venv's release: {}\n{err}",
            report["streamlit"]
        );
        assert_eq!(report["streamlit"]["server"], self.release.server.id());
        let checks = report["checks"]
            .as_array()
            .expect("doctor's checks")
            .iter()
            .filter(|c| c["area"] == "python")
            .cloned()
            .collect();
        (code, checks)
    }

    /// The provider's discovery document, as Streamlit fetches it.
    fn discovery(&self) -> Discovery {
        let url = self.auth_str("server_metadata_url");
        let body = reqwest::blocking::get(&url)
            .and_then(|r| r.text())
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let document: Map<String, Value> =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url}: {e}: {body}"));
        Discovery { url, document }
    }
}

/// Everything about one working release: both logins, logout, decode and
/// doctor.
fn prove(name: &'static str, starlette: bool) {
    let _slot = slot();
    let started = std::time::Instant::now();
    let s = Setup::new(name, starlette);

    let (_, python_checks) = s.doctor();
    let errors: Vec<&Value> = python_checks
        .iter()
        .filter(|c| c["severity"] == "error")
        .collect();
    assert!(
        errors.is_empty(),
        "doctor finds a Python problem in a working venv: {errors:?}"
    );

    let app = s.streamlit();
    let small = browser_login(&app.url(), &["--login", "alice", "--logout"]);
    assert!(
        small.signed_in && small.text.contains("Signed in as alice@example.com"),
        "{}: the app does not show the signed-in user: {:?}\n--- Streamlit ---\n{}",
        s.release.describe(),
        small.text,
        app.log()
    );
    check_authorize(&s, &small);
    let got = check_cookies(&s, &small);
    assert_eq!(
        got.received
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        if s.release.exposes_tokens() {
            vec![USER_COOKIE, TOKENS_COOKIE]
        } else {
            vec![USER_COOKIE]
        },
        "a small login sets one cookie each"
    );
    check_logout(&s, &small, &got);
    check_decode(&s, &got);

    // Alice in 300 groups.
    let chunks = s.release.chunks_cookies();
    let big = if chunks {
        browser_login(&app.url(), &["--login", BIG])
    } else {
        // The browser drops the oversized cookie: back on the app, give it
        // 5 s to sign in (it must not).
        browser_login(&app.url(), &["--login", BIG, "--settle", "5"])
    };
    let got = check_cookies(&s, &big);
    if chunks {
        assert!(
            big.signed_in,
            "{}: the 300-group login",
            s.release.describe()
        );
        assert!(got.prediction.identity_chunks >= 2, "identity not split");
        assert!(got.prediction.tokens_chunks >= 2, "tokens not split");
        assert_eq!(
            signed(&cookie(&got.received, USER_COOKIE).value).payload,
            format!("chunks-{}", got.prediction.identity_chunks)
        );
        for c in &got.received {
            let len = c.name.len() + 1 + c.value.len();
            assert!(len <= MAX_COOKIE_BYTES, "{} is {len} bytes", c.name);
        }
        check_decode(&s, &got);
        drop(app);
    } else {
        // One cookie, too big for any browser: dropped, so no login.
        assert_eq!(got.prediction.identity_chunks, 0);
        assert!(got.prediction.cookies[0].header_len > MAX_COOKIE_BYTES);
        let names: Vec<&str> = got.received.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, [USER_COOKIE]);
        let c = &got.received[0];
        assert!(
            c.name.len() + 1 + c.value.len() > MAX_COOKIE_BYTES,
            "the 300-group cookie is only {} bytes",
            c.value.len()
        );
        assert!(
            !big.signed_in && !big.text.contains("Signed in as"),
            "{}: the app signed in with an oversized cookie: {:?}",
            s.release.describe(),
            big.text
        );
        let jar = big.json["cookie_jar"].as_array().unwrap();
        assert!(
            !jar.iter().any(|c| c["name"] == USER_COOKIE),
            "the browser kept the oversized cookie: {jar:?}"
        );
        // test-login says so, for this release: it listens on the app's
        // port for its own callback, so Streamlit stops first.
        drop(app);
        test_login_flags_too_big(&s);
    }
    eprintln!(
        "release_matrix {name}{}: {:.1} s",
        if starlette { " (useStarlette)" } else { "" },
        started.elapsed().as_secs_f64()
    );
}

/// Check 1: the authorization request at the provider.
fn check_authorize(s: &Setup, login: &BrowserLogin) {
    let sent = login.json["authorize_url"]
        .as_str()
        .expect("the browser saw the authorization request");
    let discovery = s.discovery();
    let mut client_kwargs = Map::new();
    if let Some(table) = s.secrets["auth"]["client_kwargs"].as_inline_table() {
        for (k, v) in table.iter() {
            client_kwargs.insert(k.to_owned(), json!(v.as_str().expect("string kwargs")));
        }
    }
    let config = LoginConfig {
        slot: ProviderSlot::Default,
        source: s.sb.file(".streamlit/secrets.toml"),
        redirect_uri: s.redirect_uri.clone(),
        cookie_secret: Secret::new(s.auth_str("cookie_secret")),
        client_id: s.auth_str("client_id"),
        client_secret: Secret::new(s.auth_str("client_secret")),
        server_metadata_url: s.auth_str("server_metadata_url"),
        client_kwargs,
        authorize_params: Map::new(),
        expose_tokens: Vec::new(),
    };
    let predicted = login_request::build(&config, &discovery, &s.release, &s.redirect_uri)
        .unwrap_or_else(|r| panic!("stauth predicts a refusal: {}", r.message()));
    // The provider advertises S256: PKCE exactly where the release adds it.
    assert!(discovery
        .list("code_challenge_methods_supported")
        .is_some_and(|m| m.contains(&"S256")));
    assert_eq!(
        predicted.code_verifier.is_some(),
        s.release.pkce_when_advertised()
    );
    let params = |u: &str| -> Vec<(String, String)> {
        url::Url::parse(u)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    };
    let (got, want) = (params(sent), params(&predicted.authorization_url));
    let endpoint = |u: &str| u.split('?').next().unwrap().to_owned();
    assert_eq!(endpoint(sent), endpoint(&predicted.authorization_url));
    let names = |p: &[(String, String)]| p.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&got),
        names(&want),
        "{}: authorization parameters\n sent: {sent}\n predicted: {}",
        s.release.describe(),
        predicted.authorization_url
    );
    for ((k, v), (_, w)) in got.iter().zip(&want) {
        match k.as_str() {
            // Random per login: only their lengths are Authlib's.
            "state" | "nonce" | "code_challenge" => {
                assert_eq!(v.len(), w.len(), "length of {k}: {v}");
            }
            _ => assert_eq!(v, w, "{}: parameter {k}", s.release.describe()),
        }
    }
    let has = |k: &str| got.iter().any(|(n, _)| n == k);
    assert_eq!(has("code_challenge"), s.release.pkce_when_advertised());
    assert!(has("state") && has("nonce"));
}

/// What /oauth2callback set, checked against the prediction.
struct Cookies {
    received: Vec<SetCookie>,
    prediction: Prediction,
    id_token: Option<String>,
}

/// Check 2: every Set-Cookie of /oauth2callback, byte for byte.
fn check_cookies(s: &Setup, login: &BrowserLogin) -> Cookies {
    let release = &s.release;
    let received: Vec<SetCookie> = login
        .set_cookies_from("/oauth2callback")
        .into_iter()
        .filter(|c| c.name.starts_with(USER_COOKIE))
        .cloned()
        .collect();
    let names: Vec<&str> = received.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&USER_COOKIE), "no {USER_COOKIE}: {names:?}");
    assert_eq!(
        names.contains(&TOKENS_COOKIE),
        release.exposes_tokens(),
        "{}: {TOKENS_COOKIE} set: {names:?}",
        release.describe()
    );
    let identity = joined(&received, USER_COOKIE);
    let claims: Map<String, Value> =
        serde_json::from_str(&identity).expect("the identity cookie holds a JSON object");
    assert_eq!(
        claims.contains_key("provider"),
        release.provider_in_identity(),
        "{}: `provider` in {identity}",
        release.describe()
    );
    let provider = release.provider_in_identity().then_some("default");
    let (tokens, id_token) = if release.exposes_tokens() {
        let tokens = joined(&received, TOKENS_COOKIE);
        let value: Map<String, Value> = serde_json::from_str(&tokens).unwrap();
        let id_token = value["id_token"].as_str().unwrap().to_owned();
        let access_token = value["access_token"].as_str().unwrap();
        assert_eq!(tokens_json(Some(&id_token), Some(access_token)), tokens);
        // The identity is the ID token's claims + origin, is_logged_in
        // (+ provider): rebuilt from the token alone, the same bytes.
        assert_eq!(
            identity_json(&jwt_claims(&id_token), &s.origin(), provider),
            identity
        );
        (Some(tokens), Some(id_token))
    } else {
        let mut bare = claims.clone();
        for k in ["origin", "is_logged_in", "provider"] {
            bare.shift_remove(k);
        }
        assert_eq!(identity_json(&bare, &s.origin(), provider), identity);
        (None, None)
    };
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["origin"], s.origin().as_str());

    let rules = release.cookie_rules("");
    let secret = s.auth_str("cookie_secret");
    let predict_at = |ts: u64| -> Prediction {
        predict(&rules, &secret, &identity, tokens.as_deref(), ts)
            .unwrap_or_else(|e| panic!("predict failed: {e}"))
    };
    let prediction = predict_at(signed(&cookie(&received, USER_COOKIE).value).ts);
    let predicted: Vec<&str> = prediction.cookies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(predicted, names, "{}: cookie names", release.describe());
    // Streamlit signs them one by one, maybe across a second boundary: each
    // is compared with the prediction at its own signing time.
    for (i, got) in received.iter().enumerate() {
        let want = &predict_at(signed(&got.value).ts).cookies[i];
        assert_eq!(
            want.value,
            got.value,
            "{}: value of {}",
            release.describe(),
            got.name
        );
        assert_eq!(
            want.set_cookie,
            got.header,
            "{}: Set-Cookie of {}",
            release.describe(),
            got.name
        );
    }
    let count = |base: &str| names.iter().filter(|n| is_chunk_of(n, base)).count();
    assert_eq!(
        (prediction.identity_chunks, prediction.tokens_chunks),
        (count(USER_COOKIE), count(TOKENS_COOKIE))
    );
    Cookies {
        received,
        prediction,
        id_token,
    }
}

/// Check 3: where `st.logout()` went.
fn check_logout(s: &Setup, login: &BrowserLogin, cookies: &Cookies) {
    let out = &login.json["logout"];
    assert!(out.is_object(), "no logout recorded: {}", login.json);
    let discovery = s.discovery();
    let end_session = discovery.str("end_session_endpoint");
    assert!(end_session.is_some(), "the test provider has end_session");
    let want = plan(
        &s.release,
        end_session,
        "stauth-test",
        &s.redirect_uri,
        &s.redirect_uri,
        cookies.id_token.as_deref(),
    );
    let route = || out["navigations"].to_string();
    match &want {
        LogoutPlan::Provider { url, .. } => {
            assert_eq!(out["kind"], "provider", "{}: {out}", s.release.describe());
            assert_eq!(
                out["url"].as_str(),
                Some(url.as_str()),
                "{}: the provider logout URL; route {}",
                s.release.describe(),
                route()
            );
            // The provider accepted it: its sign-out page, not an error.
            assert_eq!(out["status"], 200, "{}: {out}", s.release.describe());
            assert!(
                out["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("Yes, sign me out")),
                "{}: not the provider's sign-out page: {out}",
                s.release.describe()
            );
        }
        LogoutPlan::LocalOnly(_) => {
            assert_eq!(
                out["kind"],
                "local",
                "{}: {want:?}, but {out}",
                s.release.describe()
            );
            assert_eq!(out["url"], format!("{}/", s.origin()), "route {}", route());
        }
    }
    // Either way the app's identity cookie is cleared first.
    let cleared = out["set_cookies"].as_array().unwrap().iter().any(|c| {
        let h = c["header"].as_str().unwrap_or("");
        h.starts_with(&format!("{USER_COOKIE}=;")) || h.starts_with(&format!("{USER_COOKIE}=\"\";"))
    });
    assert!(
        cleared,
        "{}: {USER_COOKIE} not cleared: {out}",
        s.release.describe()
    );
}

/// Check 4: `stauth decode` reads this release's cookies.
fn check_decode(s: &Setup, cookies: &Cookies) {
    let header = cookies
        .received
        .iter()
        .map(|c| format!("{}={}", c.name, c.value))
        .collect::<Vec<_>>()
        .join("; ");
    let (code, out, err) = run(s.sb.cmd().args([
        "decode",
        "--json",
        "--cookie-header",
        &header,
        "--streamlit-version",
        s.version,
        "--app-dir",
        s.sb.path().to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{}: decode: {err}\n{out}", s.release.describe());
    let decoded: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(decoded["identity"]["email"], "alice@example.com", "{out}");
    assert_eq!(decoded["identity"]["origin"], s.origin().as_str());
    assert_eq!(
        decoded["chunks"].as_u64(),
        Some(cookies.prediction.identity_chunks as u64),
        "{out}"
    );
    if let Some(t) = &cookies.id_token {
        assert_eq!(
            decoded["tokens"]["id_token"]["claims"]["sub"],
            jwt_claims(t)["sub"]
        );
    }
}

/// `stauth test-login --streamlit-version` as alice in 300 groups, before
/// 1.53: it must say the identity cookie is too big (what the browser just
/// showed).
fn test_login_flags_too_big(s: &Setup) {
    let browser = format!(
        "node {} --login {BIG}",
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/browser/idp_login.mjs")
            .display()
    );
    let (code, out, err) = run(s
        .sb
        .cmd()
        .args([
            "test-login",
            "--json",
            "--timeout",
            "90",
            "--streamlit-version",
            s.version,
            "--browser-command",
            &browser,
        ])
        .timeout(std::time::Duration::from_secs(120)));
    let report: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("test-login printed no JSON ({e}): {out}\n{err}"));
    assert_ne!(code, 0, "test-login passed a login that loops: {out}");
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"cookies.too_big"),
        "{}: test-login findings {ids:?}",
        s.release.describe()
    );
    assert_eq!(report["cookies"]["identity_chunks"].as_u64(), Some(0));
}

/// Check 5: a broken venv. Doctor names the problem, and the real login
/// fails where the user sees it: Streamlit's /auth/login answers with an
/// error page instead of sending the browser to the provider.
fn broken(name: &'static str, check: &str, status: u16, page: &str, logged: &str) {
    let _slot = slot();
    let s = Setup::new(name, false);
    let (code, python_checks) = s.doctor();
    assert_ne!(code, 0, "doctor passes a broken venv: {python_checks:?}");
    assert!(
        python_checks
            .iter()
            .any(|c| c["id"] == check && c["severity"] == "error"),
        "doctor does not flag {check}: {python_checks:?}"
    );
    let app = s.streamlit();
    let (code, out, err) = run_browser(&app.url(), &["--login", "alice", "--timeout", "40"]);
    assert_eq!(code, Some(1), "the login did not fail: {out}\n{err}");
    eprintln!("{name}: {err}");
    let log = app.log();
    assert!(
        log.contains(logged),
        "{name}: Streamlit did not log {logged:?}:\n{log}"
    );
    let said = format!("the app answered {status} at {}/auth/login", s.origin());
    assert!(
        err.contains(&said) && err.contains(&format!("page text: {page:?}")),
        "{name}: expected {said:?} showing {page:?}, got:\n{err}\n--- Streamlit ---\n{}",
        app.log()
    );
}

macro_rules! working {
    ($($test:ident: $name:literal, $starlette:literal;)*) => {$(
        #[test]
        fn $test() {
            prove($name, $starlette);
        }
    )*};
}

working! {
    streamlit_1_42_2: "1.42.2", false;
    streamlit_1_45_1: "1.45.1", false;
    streamlit_1_48_0: "1.48.0", false;
    streamlit_1_48_1: "1.48.1", false;
    streamlit_1_52_1_authlib_1_6_5: "1.52.1-authlib-1.6.5", false;
    streamlit_1_52_2: "1.52.2", false;
    streamlit_1_53_1: "1.53.1", false;
    streamlit_1_53_1_use_starlette: "1.53.1", true;
    streamlit_1_56_0: "1.56.0", false;
    streamlit_1_56_0_use_starlette: "1.56.0", true;
    streamlit_1_57_0: "1.57.0", false;
    streamlit_1_58_0: "1.58.0", false;
    streamlit_1_59_0: "1.59.0", false;
    streamlit_1_67_0: "1.67.0", false;
}

/// Authlib 1.6.6+ writes the login state into the `session=None` Streamlit
/// 1.52.1 passes: Tornado answers /auth/login with 400.
#[test]
fn streamlit_1_52_1_with_newest_authlib_fails() {
    broken(
        "1.52.1",
        "python.authlib",
        400,
        "400: 'NoneType' object does not support item assignment",
        "",
    );
}

/// What `streamlit[auth]` 1.57.0 installs: no httpx, so the Starlette
/// route cannot build its OAuth client and /auth/login answers 500, while
/// Streamlit logs the misleading "requires Authlib" (doctor says why).
#[test]
fn streamlit_1_57_0_without_httpx_fails() {
    broken(
        "1.57.0-no-httpx",
        "python.httpx",
        500,
        "Internal Server Error",
        "Authentication requires Authlib>=1.3.2",
    );
}

/// Every matrix entry is exercised here, so a new venv cannot go unproven.
#[test]
fn every_matrix_entry_has_a_test() {
    let source = include_str!("release_matrix.rs");
    for entry in releases::MATRIX {
        assert!(
            source.contains(&format!("\"{}\"", entry.name)),
            "release matrix entry {} has no test in release_matrix.rs",
            entry.name
        );
    }
}
