//! stauth's browser pages in real Chromium (tests/browser/pages.mjs): the
//! pages rendered with hostile text and served with their
//! Content-Security-Policy, the dev provider's own login, error and
//! logged-out pages, and test-login's final page at the end of a real login
//! clicked through the dev provider's page. Each check asserts what a user
//! sees (hostile text shown literally, no script run, the stylesheet applied,
//! the data-testids) and keeps screenshots in target/test-artifacts/pages/.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common;
use common::idp::free_port;
use common::{run, Sandbox};
use stauth::dev_provider::{clients, keys, server, users};
use stauth::pages::{
    self, ClaimRow, DevLoginPage, DevLoginUser, Failure, Notice, PageFinding, ReportPage, SizeBar,
    Tone,
};

/// Text that would run a script, break out of an attribute or show as
/// markup if a page did not escape it.
const HOSTILE: &str = "<script>window.pwned=1</script> & \"q\" 'x' <b>bold</b>";
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);
const CLIENT_SECRET: &str = "pages-browser-client-secret-3";

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn artifacts(sub: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-artifacts/pages")
        .join(sub);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `node tests/browser/pages.mjs ARGS` in its own process group, killed
/// (with its Chromium) after BROWSER_TIMEOUT: (exit code, stderr).
fn node(args: &[&str]) -> (Option<i32>, String) {
    common::streamlit::require_browser();
    let mut child = Command::new("node")
        .arg(browser_dir().join("pages.mjs"))
        .args(args)
        .current_dir(browser_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("cannot run node");
    let mut pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = pipe.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let code = loop {
        match child.try_wait().unwrap() {
            Some(status) => break status.code(),
            None if started.elapsed() > BROWSER_TIMEOUT => break None,
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    // SAFETY: signals the process group made for this child (node and its
    // Chromium); ESRCH when it is already gone.
    unsafe {
        libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
    }
    let _ = child.wait();
    (code, reader.join().unwrap())
}

/// Checks pages in Chromium as `specs` say (see pages.mjs), with screenshots
/// in `dir`; panics with what is wrong.
fn check_in_browser(specs: &Value, dir: &Path) {
    let spec_file = dir.join("spec.json");
    std::fs::write(&spec_file, specs.to_string()).unwrap();
    let (code, err) = node(&["check", spec_file.to_str().unwrap(), dir.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    for spec in specs.as_array().unwrap() {
        let name = spec["name"].as_str().unwrap();
        for file in [format!("{name}.png"), format!("{name}-dark.png")] {
            let path = dir.join(file);
            assert!(path.is_file(), "no screenshot {}", path.display());
            println!("screenshot: {}", path.display());
        }
    }
}

/// A loopback server for fixed pages, each served with the pages'
/// Content-Security-Policy. Serves until the test process ends.
fn serve(pages: Vec<(String, String)>) -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer(stream, &pages);
        }
    });
    port
}

fn answer(mut stream: TcpStream, pages: &[(String, String)]) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split(' ').nth(1).unwrap_or("/");
    let (status, body) = match pages.iter().find(|(p, _)| p == path) {
        Some((_, body)) => ("200 OK", body.as_str()),
        None => ("404 Not Found", "not found"),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Content-Security-Policy: {}\r\nConnection: close\r\n\r\n{body}",
        body.len(),
        pages::content_security_policy()
    );
}

fn hostile_report() -> ReportPage {
    ReportPage {
        ok: false,
        kicker: "Login received".into(),
        headline: HOSTILE.into(),
        failure: Some(Failure::new(HOSTILE, &format!("{HOSTILE}\nsecond line"))),
        about: vec![("Issuer".into(), HOSTILE.into())],
        claims: vec![
            ClaimRow {
                name: "email".into(),
                value: "alice@example.com".into(),
                note: "st.user.email".into(),
            },
            ClaimRow {
                name: HOSTILE.into(),
                value: HOSTILE.into(),
                note: String::new(),
            },
        ],
        userinfo_only: vec![ClaimRow {
            name: "nickname".into(),
            value: HOSTILE.into(),
            note: String::new(),
        }],
        userinfo_error: None,
        cookies_heading: "Cookies Streamlit 1.67.0 will set".into(),
        bars: vec![
            SizeBar::new(
                "_streamlit_user",
                5000,
                4096,
                "4096, the browser's limit per cookie",
            ),
            SizeBar::new(
                "Cookie header sent back",
                3000,
                8192,
                "8192, the usual request header limit",
            ),
        ],
        logout: vec![HOSTILE.into()],
        findings: vec![PageFinding {
            severity: "error",
            message: HOSTILE.into(),
            fix: Some(HOSTILE.into()),
        }],
    }
}

/// Every page kind, rendered with hostile text in every reflected field.
#[test]
fn rendered_pages_show_hostile_text_literally_and_run_nothing() {
    let hostile_sub = "x\"><script>window.pwned=1</script>";
    let login = pages::dev_login(&DevLoginPage {
        issuer: format!("http://localhost:9400/{HOSTILE}"),
        client: HOSTILE.into(),
        redirect_uri: HOSTILE.into(),
        scope: HOSTILE.into(),
        prompt: Some(HOSTILE.into()),
        like_title: Some(HOSTILE.into()),
        users: vec![
            DevLoginUser {
                sub: "alice".into(),
                title: "Alice Admin".into(),
                detail: "alice@example.com, roles admin".into(),
            },
            DevLoginUser {
                sub: hostile_sub.into(),
                title: HOSTILE.into(),
                detail: HOSTILE.into(),
            },
        ],
        request_id: HOSTILE.into(),
        csrf: HOSTILE.into(),
        form_action: "/authorize/decide".into(),
    });
    let mut notice = Notice::new(HOSTILE, HOSTILE);
    notice.details.push((HOSTILE.into(), HOSTILE.into()));
    let ok_report = ReportPage {
        ok: true,
        headline: "The login works: Streamlit will accept it.".into(),
        failure: None,
        findings: vec![],
        ..hostile_report()
    };
    let served = vec![
        ("/dev_login".to_string(), login),
        ("/dev_error".to_string(), pages::dev_error(&notice)),
        (
            "/dev_logged_out".to_string(),
            pages::dev_logged_out(&notice, Some("http://localhost:8501/")),
        ),
        (
            "/callback_notice".to_string(),
            pages::test_login_notice(&notice, Tone::Error),
        ),
        (
            "/test_login_failed".to_string(),
            pages::test_login_report(&hostile_report()),
        ),
        (
            "/test_login_report".to_string(),
            pages::test_login_report(&ok_report),
        ),
    ];
    let port = serve(served);
    let url = |p: &str| format!("http://127.0.0.1:{port}/{p}");
    let specs = json!([
        {
            "name": "dev_login_rendered", "url": url("dev_login"),
            "texts": [HOSTILE, "stauth dev provider", "Alice Admin", "Log in as"],
            "testids": ["dev-login-user-alice", format!("dev-login-user-{hostile_sub}"),
                        "dev-login-deny", "dev-login-custom-sub", "dev-login-custom-claims",
                        "dev-login-custom-submit"],
        },
        {"name": "dev_error", "url": url("dev_error"), "texts": [HOSTILE, "stauth dev provider"]},
        {
            "name": "dev_logged_out", "url": url("dev_logged_out"),
            "texts": [HOSTILE, "Continue to http://localhost:8501/"],
            "testids": ["notice-continue"],
        },
        {"name": "callback_notice", "url": url("callback_notice"), "texts": [HOSTILE, "stauth test-login"]},
        {
            "name": "test_login_failed", "url": url("test_login_failed"),
            "texts": [HOSTILE, "Login received", "second line", "5000 bytes", "st.user will hold"],
            "testids": ["report-failure", "report-claims", "report-cookies", "report-logout"],
        },
        {
            "name": "test_login_report_rendered", "url": url("test_login_report"),
            "texts": ["The login works: Streamlit will accept it.", "st.user.email", "3000 bytes"],
        },
    ]);
    check_in_browser(&specs, &artifacts("rendered"));
}

/// An app whose `[auth]` points at a dev provider on `dev_port`, with users
/// (one with a hostile name) in its users file.
fn dev_app(dev_port: u16, app_port: u16) -> Sandbox {
    let sb = Sandbox::new();
    let dir = sb.path().join(".streamlit");
    std::fs::create_dir_all(&dir).unwrap();
    write_secrets(&sb, dev_port, app_port, CLIENT_SECRET);
    let users = format!(
        "[[user]]\nsub = \"alice\"\nemail = \"alice@example.com\"\nname = \"Alice Admin\"\nroles = [\"admin\"]\n\n\
         [[user]]\nsub = \"mallory\"\nemail = \"mallory@example.com\"\nname = {}\nnickname = {}\n",
        toml_string(HOSTILE),
        toml_string(HOSTILE)
    );
    std::fs::write(dir.join("dev-users.toml"), users).unwrap();
    sb
}

fn write_secrets(sb: &Sandbox, dev_port: u16, app_port: u16, client_secret: &str) {
    std::fs::write(
        sb.path().join(".streamlit/secrets.toml"),
        format!(
            "[auth]\n\
             redirect_uri = \"http://localhost:{app_port}/oauth2callback\"\n\
             cookie_secret = \"a-cookie-secret-only-for-this-test-0123456789\"\n\
             client_id = \"stauth-dev-app\"\n\
             client_secret = \"{client_secret}\"\n\
             server_metadata_url = \"{}\"\n",
            stauth::dev_provider::metadata_url(dev_port, None)
        ),
    )
    .unwrap();
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// The dev provider for `sb`'s app, in this process.
fn start_dev_provider(sb: &Sandbox, dev_port: u16) -> server::Running {
    let ctx =
        stauth::streamlit::AppContext::load_with_home(sb.path(), Some(sb.home().to_path_buf()))
            .unwrap();
    let clients = clients::from_app(&ctx, dev_port).unwrap();
    let users = users::load(&users::default_path(sb.path())).unwrap();
    let (keys, _) =
        keys::KeyRing::load_or_create(&sb.home().join("keys"), keys::Algorithm::Rs256).unwrap();
    server::start(server::Options::new(dev_port, clients, users, keys)).unwrap()
}

/// The dev provider's own pages, as it serves them.
#[test]
fn the_dev_providers_pages_in_a_browser() {
    let (dev_port, app_port) = (free_port(), free_port());
    let sb = dev_app(dev_port, app_port);
    let _running = start_dev_provider(&sb, dev_port);
    let authorize = |redirect: &str| {
        let mut url = url::Url::parse(&format!("http://localhost:{dev_port}/authorize")).unwrap();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", "stauth-dev-app")
            .append_pair("redirect_uri", redirect)
            .append_pair("scope", "openid email profile")
            .append_pair("state", "state-1")
            .append_pair("nonce", "nonce-1")
            .append_pair(
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            )
            .append_pair("code_challenge_method", "S256")
            .append_pair("prompt", "select_account");
        url.to_string()
    };
    let redirect = format!("http://localhost:{app_port}/oauth2callback");
    let specs = json!([
        {
            "name": "dev_login", "url": authorize(&redirect), "status": 200,
            "texts": [HOSTILE, "Alice Admin", "stauth dev provider", redirect, "select_account"],
            "testids": ["dev-login-user-alice", "dev-login-user-mallory", "dev-login-deny",
                        "dev-login-custom-sub", "dev-login-custom-claims", "dev-login-custom-submit"],
        },
        {
            "name": "dev_error_redirect_uri", "url": authorize("http://evil.example/<script>"), "status": 400,
            "texts": ["stauth dev provider", "redirect_uri does not match", "http://evil.example/<script>"],
        },
        {
            "name": "dev_logged_out", "url": format!("http://localhost:{dev_port}/logout"),
            "texts": ["stauth dev provider"],
        },
    ]);
    check_in_browser(&specs, &artifacts("dev_provider"));
}

/// `stauth test-login` in `sb` with pages.mjs as its browser, logging in
/// as `user` on the dev provider's page: test-login's (exit code, stderr)
/// and what the browser saw (pages.mjs's login.json), screenshots in `dir`.
fn test_login_in_browser(sb: &Sandbox, user: &str, dir: &Path) -> (i32, String, Value) {
    let result = dir.join("login.json");
    let _ = std::fs::remove_file(&result);
    let command = format!(
        "node {} login --out {} --user {user} --timeout 60",
        browser_dir().join("pages.mjs").display(),
        dir.display()
    );
    common::streamlit::require_browser();
    let (code, out, err) = run(sb.cmd().args([
        "test-login",
        "--streamlit-version",
        "1.67",
        "--timeout",
        "90",
        "--browser-command",
        &command,
    ]));
    assert!(!err.contains(CLIENT_SECRET) && !out.contains(CLIENT_SECRET));
    // test-login answers the browser before it prints the report; the
    // script screenshots and writes its result just after.
    let started = Instant::now();
    let seen = loop {
        if let Ok(text) = std::fs::read_to_string(&result) {
            if let Ok(v) = serde_json::from_str(&text) {
                break v;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "pages.mjs wrote no result:\n{err}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    for file in ["dev_login_live.png", "test_login_report.png"] {
        let path = dir.join(file);
        assert!(path.is_file(), "no screenshot {}", path.display());
        println!("screenshot: {}", path.display());
    }
    (code, err, seen)
}

/// test-login against the dev provider, its page clicked through in
/// Chromium: the browser ends on test-login's report, which shows the
/// user's hostile claims literally.
#[test]
fn test_logins_final_page_in_a_browser() {
    let (dev_port, app_port) = (free_port(), free_port());
    let sb = dev_app(dev_port, app_port);
    let _running = start_dev_provider(&sb, dev_port);
    let (code, err, seen) = test_login_in_browser(&sb, "mallory", &artifacts("test_login"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(seen["ok"], true, "{seen}");
    assert_eq!(seen["problems"], json!([]), "{seen}");
    let text = seen["text"].as_str().unwrap();
    for want in [
        "Login received",
        "The login works: Streamlit will accept it.",
        "st.user will hold",
        "mallory@example.com",
        HOSTILE,
        "Cookies Streamlit 1.67.0 will set",
        "Cookie header sent back",
        "Logout",
    ] {
        assert!(text.contains(want), "the page lacks {want:?}:\n{text}");
    }
}

/// A login that fails after the callback (the app's client secret is not
/// the one the dev provider knows): the browser ends on the same error as
/// the terminal.
#[test]
fn a_failed_login_ends_on_the_error_in_the_browser() {
    let (dev_port, app_port) = (free_port(), free_port());
    let sb = dev_app(dev_port, app_port);
    let _running = start_dev_provider(&sb, dev_port);
    write_secrets(&sb, dev_port, app_port, "not-the-secret-the-provider-knows");
    let (code, err, seen) = test_login_in_browser(&sb, "alice", &artifacts("test_login_failed"));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("invalid_client"), "{err}");
    assert_eq!(seen["ok"], true, "{seen}");
    let text = seen["text"].as_str().unwrap();
    for want in ["Login received", "The login failed", "invalid_client"] {
        assert!(text.contains(want), "the page lacks {want:?}:\n{text}");
    }
    assert!(!text.contains("not-the-secret"), "{text}");
}
