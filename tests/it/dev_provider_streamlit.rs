//! Real Streamlit in headless Chromium against `stauth dev-provider`, with no
//! account anywhere:
//!
//! - an app made by `stauth snippet pages`, on Streamlit 1.67 and on the
//!   oldest release the tests install (1.42.2): alice (admin) and bob log in
//!   at the dev provider's login page and each sees the pages their role
//!   allows; st.logout ends the provider session where stauth says the
//!   release logs out at the provider (the next login shows the page again),
//!   and where it says logout is local only, the provider session goes on
//!   (the next login skips the page);
//! - dave (300 groups): the cookies Streamlit 1.67 set equal
//!   `cookies::predict`'s, byte for byte, and `stauth test-login --login-as
//!   dave` predicts the same cookies;
//! - `stauth dev-provider -- streamlit run app.py`: the same login, the
//!   production secrets.toml unchanged on disk, and SIGTERM to stauth stops
//!   both.
//!
//! Needs `bash tests/setup.sh` (venvs, tests/browser) and Debian's chromium.

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::dev_provider::{
    dev_browser, init_dev, listening, write_pages_app, Client, DevProvider,
};
use common::idp::free_port;
use common::releases;
use common::st_cookies::{cookie, guids, is_chunk_of, joined, jwt_claims, signed};
use common::streamlit::{venv_python, SetCookie, StreamlitApp};
use common::{fingerprint, run, Sandbox};
use serde_json::{Map, Value};
use stauth::streamlit::cookies::{
    identity_json, predict, tokens_json, CookieRules, TOKENS_COOKIE, USER_COOKIE,
};
use stauth::streamlit::logout::{plan, LogoutPlan};
use stauth::streamlit::release::{Release, StreamlitVersion};

/// The oldest release the tests install (tests/common/releases.rs).
const OLDEST: &str = "1.42.2";

/// An app folder whose `[auth]` `stauth init --provider dev` wrote, its
/// app.py from `stauth snippet pages`, the dev provider (with `users` as its
/// users file, else the sample users) and Streamlit of `python`.
struct PagesApp {
    sb: Sandbox,
    release: Release,
    client: Client,
    redirect_uri: String,
    cookie_secret: String,
    dp: DevProvider,
    app: StreamlitApp,
}

fn pages_app(python: &Path, version: &str, users: Option<&str>) -> PagesApp {
    let sb = Sandbox::new();
    let st_port = free_port();
    let dp_port = free_port();
    let redirect_uri = format!("http://localhost:{st_port}/oauth2callback");
    init_dev(&sb, dp_port, &redirect_uri, version);
    let secrets = sb.secrets();
    let doc: toml_edit::DocumentMut = secrets.parse().unwrap();
    let auth_str = |key: &str| doc["auth"][key].as_str().unwrap().to_owned();
    assert_eq!(
        auth_str("server_metadata_url"),
        stauth::dev_provider::metadata_url(dp_port, None)
    );
    let client = Client {
        id: auth_str("client_id"),
        secret: auth_str("client_secret"),
    };
    write_pages_app(&sb, version);
    let release = Release::new(version.parse::<StreamlitVersion>().unwrap(), false);
    if let Some(users) = users {
        sb.write(".streamlit/dev-users.toml", users);
    }
    let dp = DevProvider::start(&sb, dp_port, &[]);
    // The websockets package behind the Starlette server reads header lines of
    // at most 8192 bytes; dave's chunked cookies pass that (a known limit
    // test-login reports), so it is lifted to see his login sign in.
    let app = StreamlitApp::start_with(
        python,
        sb.path(),
        "app.py",
        st_port,
        &[("WEBSOCKETS_MAX_LINE_LENGTH", "65536")],
    );
    let cookie_secret = auth_str("cookie_secret");
    PagesApp {
        sb,
        release,
        client,
        redirect_uri,
        cookie_secret,
        dp,
        app,
    }
}

impl PagesApp {
    /// Whether stauth says st.logout of this release logs out at the dev
    /// provider.
    fn logs_out_at_provider(&self) -> bool {
        let end_session = format!("{}/logout", self.dp.issuer);
        let plan = plan(
            &self.release,
            Some(&end_session),
            &self.client.id,
            &self.redirect_uri,
            &self.redirect_uri,
            Some("id-token"),
        );
        matches!(plan, LogoutPlan::Provider { .. })
    }
}

fn nav(step: &Value) -> Vec<String> {
    step["nav"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn has_entry(step: &Value, entry: &str) -> bool {
    nav(step).iter().any(|n| n.contains(entry))
}

/// alice and bob through the login page, the Admin page, logout.
fn pages_by_role(python: &Path, version: &str) {
    let p = pages_app(python, version, None);
    let at_provider = p.logs_out_at_provider();
    let steps = dev_browser(
        &p.app.url(),
        &[
            "login:alice",
            "page:Admin",
            "session",
            "logout",
            // Whether the provider still knows alice: not after a logout at
            // the provider, still after a local one.
            "session",
            // Streamlit sends prompt=select_account: the page shows either way.
            "login:bob",
            "logout",
            "fresh",
            "login:bob",
        ],
        &format!("pages-{version}"),
    );
    let log = p.app.log();
    for s in &steps {
        eprintln!(
            "{version} {}: title {} nav {} login page {} signed in {} provider logout {} session {}",
            s["step"],
            s["title"],
            s["nav"],
            s["login_page_shown"],
            s["signed_in"],
            s["provider_logout"],
            s["session_alive"]
        );
    }
    let [alice, admin, before, logout, after, again, _, _, bob] = &steps[..] else {
        panic!("unexpected steps: {steps:?}");
    };

    assert_eq!(alice["login_page_shown"], true, "{alice}");
    let users: Vec<&str> = alice["login_page_users"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for sample in ["alice", "bob", "carol", "dave"] {
        assert!(users.contains(&sample), "login page users: {users:?}");
    }
    assert_eq!(
        alice["signed_in"], true,
        "alice is not signed in: {alice}\n{log}"
    );
    assert!(
        alice["title"].as_str().unwrap().starts_with("Hello, "),
        "{alice}"
    );
    for entry in ["Home", "Profile", "Admin", "About"] {
        assert!(
            has_entry(alice, entry),
            "alice's menu lacks {entry}: {:?}",
            nav(alice)
        );
    }
    assert_eq!(admin["title"], "Admin", "{admin}");
    assert!(
        admin["text"]
            .as_str()
            .unwrap()
            .contains("This page is listed only for admins."),
        "{admin}"
    );

    assert_eq!(
        before["session_alive"], true,
        "no provider session: {before}"
    );
    assert_eq!(logout["signed_in"], false, "{logout}");
    assert_eq!(
        logout["provider_logout"],
        at_provider,
        "stauth says st.logout of {version} {} at the provider; the browser: {logout}",
        if at_provider {
            "logs out"
        } else {
            "does not log out"
        }
    );
    assert_eq!(
        after["session_alive"], !at_provider,
        "the provider session after st.logout of {version}: {after}"
    );
    assert_eq!(again["login_page_shown"], true, "{again}");
    assert_eq!(again["signed_in"], true, "{again}");
    assert!(
        !has_entry(again, "Admin"),
        "bob sees Admin: {:?}",
        nav(again)
    );

    assert_eq!(bob["login_page_shown"], true, "{bob}");
    assert_eq!(bob["signed_in"], true, "bob is not signed in: {bob}\n{log}");
    for entry in ["Home", "Profile", "About"] {
        assert!(
            has_entry(bob, entry),
            "bob's menu lacks {entry}: {:?}",
            nav(bob)
        );
    }
    assert!(!has_entry(bob, "Admin"), "bob sees Admin: {:?}", nav(bob));
}

#[test]
fn pages_by_role_streamlit_newest() {
    pages_by_role(&venv_python(), releases::NEWEST);
}

#[test]
fn pages_by_role_streamlit_oldest() {
    pages_by_role(&releases::python(OLDEST), OLDEST);
}

fn set_cookies(step: &Value) -> Vec<SetCookie> {
    step["set_cookies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| SetCookie {
            name: c["name"].as_str().unwrap().to_owned(),
            value: c["value"].as_str().unwrap().to_owned(),
            header: c["header"].as_str().unwrap().to_owned(),
            url: c["url"].as_str().unwrap().to_owned(),
        })
        .filter(|c| {
            c.name.starts_with(USER_COOKIE)
                && url::Url::parse(&c.url).is_ok_and(|u| u.path() == "/oauth2callback")
        })
        .collect()
}

/// `sub` (in 300 groups) logs in to Streamlit 1.67 through the login page;
/// the cookies Streamlit set equal `cookies::predict`'s byte for byte, and
/// `stauth test-login --login-as SUB` predicts the same ones. `users`: a
/// users file for the dev provider (None: the sample users). Returns
/// (identity chunks, tokens chunks).
fn cookies_equal_the_prediction(sub: &str, users: Option<&str>) -> (usize, usize) {
    let p = pages_app(&venv_python(), releases::NEWEST, users);
    let steps = dev_browser(&p.app.url(), &[&format!("login:{sub}")], sub);
    let dave = &steps[0];
    assert_eq!(dave["signed_in"], true, "{dave}\n{}", p.app.log());
    let received = set_cookies(dave);
    let names: Vec<&str> = received.iter().map(|c| c.name.as_str()).collect();

    let identity = joined(&received, USER_COOKIE);
    let tokens = joined(&received, TOKENS_COOKIE);
    let tokens_value: Map<String, Value> = serde_json::from_str(&tokens).unwrap();
    let id_token = tokens_value["id_token"].as_str().unwrap();
    let access_token = tokens_value["access_token"].as_str().unwrap();
    assert_eq!(tokens_json(Some(id_token), Some(access_token)), tokens);
    let claims = jwt_claims(id_token);
    assert_eq!(claims["sub"], sub);
    assert_eq!(
        claims["groups"].as_array().map(Vec::len),
        Some(300),
        "{sub}'s groups"
    );
    let origin = format!("http://localhost:{}", p.app.port);
    assert_eq!(identity_json(&claims, &origin, Some("default")), identity);

    let rules = CookieRules::for_release(&p.release, "");
    let predict_at = |ts: u64| {
        predict(&rules, &p.cookie_secret, &identity, Some(&tokens), ts)
            .unwrap_or_else(|e| panic!("predict failed: {e}"))
    };
    let prediction = predict_at(signed(&cookie(&received, USER_COOKIE).value).ts);
    let predicted: Vec<&str> = prediction.cookies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(predicted, names, "cookie names and order");
    eprintln!(
        "{sub}'s cookies: {names:?}; identity in {} chunks, tokens in {}; Cookie header {} bytes",
        prediction.identity_chunks, prediction.tokens_chunks, prediction.cookie_header_len
    );
    for (i, got) in received.iter().enumerate() {
        let want = &predict_at(signed(&got.value).ts).cookies[i];
        assert_eq!(want.set_cookie, got.header, "Set-Cookie of {}", got.name);
    }
    let chunks = |name: &str| names.iter().filter(|n| is_chunk_of(n, name)).count();
    assert_eq!(
        (prediction.identity_chunks, prediction.tokens_chunks),
        (chunks(USER_COOKIE), chunks(TOKENS_COOKIE))
    );

    // `stauth test-login --login-as SUB`, headless, with a dev provider it
    // starts itself on the same port (one started without --auto-login
    // cannot approve for it), predicts the same cookies (names and chunk
    // counts; sizes within what zlib makes of different random nonces and
    // times).
    let PagesApp { sb, dp, app, .. } = p;
    let (st_port, dp_port) = (app.port, dp.port);
    drop(app);
    drop(dp);
    assert!(!listening(st_port) && !listening(dp_port));
    let (code, out, err) = run(sb.cmd().args([
        "test-login",
        "--login-as",
        sub,
        "--json",
        "--timeout",
        "60",
        "--streamlit-version",
        releases::NEWEST,
    ]));
    let report: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("test-login printed no JSON ({e}, exit {code}): {out}\n{err}"));
    let reported: Vec<(String, u64)> = report["cookies"]["cookies"]
        .as_array()
        .unwrap_or_else(|| panic!("no cookies in {report}"))
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["set_cookie_bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reported.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        names,
        "test-login --login-as {sub} predicts other cookies"
    );
    for ((name, want), got) in reported.iter().zip(&received) {
        assert!(
            want.abs_diff(got.header.len() as u64) <= 24,
            "{name}: test-login predicted {want} bytes, Streamlit sent {}",
            got.header.len()
        );
    }
    assert_eq!(report["st_user"]["sub"], sub, "{}", report["st_user"]);
    (prediction.identity_chunks, prediction.tokens_chunks)
}

#[test]
fn dave_300_groups_cookies_equal_the_prediction() {
    let (identity_chunks, tokens_chunks) = cookies_equal_the_prediction("dave", None);
    // The sample user is there to reproduce the cookie-size failures: 300
    // groups make cookies past 4 KB, which Streamlit splits.
    assert!(
        identity_chunks + tokens_chunks > 0,
        "the sample dave's cookies are not chunked: his 300 groups compress below 4 KB"
    );
}

/// A user in 300 GUID groups (as Entra sends them), from a users file: the
/// chunked cookies equal the prediction too.
#[test]
fn guid_groups_chunked_cookies_equal_the_prediction() {
    let groups: Vec<String> = guids(300).iter().map(|g| format!("\"{g}\"")).collect();
    let users = format!(
        "[[user]]\nsub = \"erin\"\nemail = \"erin@example.com\"\nname = \"Erin Groups\"\n\
         groups = [{}]\n",
        groups.join(", ")
    );
    let (identity_chunks, tokens_chunks) = cookies_equal_the_prediction("erin", Some(&users));
    assert!(
        identity_chunks > 0 && tokens_chunks > 0,
        "not chunked: identity {identity_chunks}, tokens {tokens_chunks}"
    );
}

/// Log in, then the user's email and a "Log out" button.
const SIGNED_IN_APP: &str = r#"import streamlit as st

if not st.user.is_logged_in:
    st.button("Log in", on_click=st.login)
else:
    st.title(f"Signed in as {st.user.email}")
    st.button("Log out", on_click=st.logout)
"#;

/// Processes whose working directory is `dir`.
fn processes_in(dir: &Path) -> Vec<String> {
    let dir = std::fs::canonicalize(dir).unwrap();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cwd) = std::fs::read_link(entry.path().join("cwd")) else {
            continue;
        };
        if cwd == dir {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            found.push(format!(
                "{} {}",
                entry.file_name().to_string_lossy(),
                String::from_utf8_lossy(&cmdline).replace('\0', " ")
            ));
        }
    }
    found
}

#[test]
fn dev_provider_runs_streamlit_and_leaves_secrets_alone() {
    let sb = Sandbox::new();
    // A production-like [auth] for Google, which must not change.
    let (code, _, err) = run(&mut sb.init_google(&[
        "--offline",
        "--no-gitignore",
        "--redirect-uri",
        "https://app.example.com/oauth2callback",
    ]));
    assert_eq!(code, 0, "init google: {err}");
    let secrets = sb.file(".streamlit/secrets.toml");
    let before = fingerprint(&secrets);
    sb.write("app.py", SIGNED_IN_APP);

    let st_port = free_port();
    let dp_port = free_port();
    let python = venv_python();
    let st_port_text = st_port.to_string();
    // The app's port as Streamlit and stauth both read it from the
    // environment (stauth makes the [auth] for the command with it).
    let mut dp = DevProvider::start_in(
        sb.path(),
        sb.home(),
        dp_port,
        &[
            "--",
            python.to_str().unwrap(),
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        &[("STREAMLIT_SERVER_PORT", &st_port_text)],
    );
    let started = std::time::Instant::now();
    while !listening(st_port) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "Streamlit did not come up on port {st_port} under stauth dev-provider:\n{}",
            dp.stderr()
        );
        assert!(dp.exited().is_none(), "stauth exited:\n{}", dp.stderr());
        std::thread::sleep(Duration::from_millis(200));
    }

    let url = format!("http://localhost:{st_port}/");
    let steps = dev_browser(&url, &["login:alice"], "dev-provider-run");
    let alice = &steps[0];
    assert_eq!(alice["login_page_shown"], true, "{alice}");
    assert_eq!(alice["signed_in"], true, "{alice}\n{}", dp.stderr());
    assert!(
        alice["title"]
            .as_str()
            .unwrap()
            .contains("Signed in as alice@example.com"),
        "{alice}"
    );
    assert_eq!(fingerprint(&secrets), before, "secrets.toml changed");

    let status = dp
        .terminate(Duration::from_secs(15))
        .expect("stauth dev-provider did not exit within 15 s of SIGTERM");
    // The signal passes through to Streamlit, which stops cleanly (exit 0)
    // on SIGTERM; stauth exits with the command's status.
    assert!(
        matches!(status.code(), Some(0 | 143)),
        "stauth's exit: {status}"
    );
    assert!(!listening(st_port), "Streamlit still listens on {st_port}");
    assert!(
        !listening(dp_port),
        "the dev provider still listens on {dp_port}"
    );
    let left = processes_in(sb.path());
    assert!(left.is_empty(), "processes left running: {left:?}");
    assert_eq!(fingerprint(&secrets), before, "secrets.toml changed");
}
