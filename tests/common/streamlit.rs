//! Real Streamlit (from the test venv `tests/.venv`, made by
//! `bash tests/setup.sh`) run on loopback for end-to-end tests, and the real
//! browser that logs in to it (`tests/browser/streamlit_login.mjs`: headless
//! Chromium driven by playwright-core; needs `npm ci --prefix tests/browser`
//! and Debian's `chromium` package).
//!
//! ```ignore
//! let port = common::idp::free_port();
//! let app = StreamlitApp::start(app_dir, "app.py", port, &[]);
//! let login = browser_login(&app.url(), &[]);   // parsed JSON line
//! // Streamlit and its children stop when `app` is dropped.
//! ```
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long `StreamlitApp::start` waits for `/_stcore/health`.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `browser_login` lets the browser script run (it stops itself
/// after its own `--timeout`, 60 s by default).
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);
/// How many of Streamlit's last output lines are kept for panic messages.
const KEPT_LINES: usize = 60;

/// The repository's `tests` folder, absolute.
fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// `tests/.venv/bin/python`: the venv with real Streamlit, Authlib and httpx.
pub fn venv_python() -> PathBuf {
    tests_dir().join(".venv").join("bin").join("python")
}

/// `tests/.venv/bin/streamlit`.
pub fn venv_streamlit() -> PathBuf {
    tests_dir().join(".venv").join("bin").join("streamlit")
}

/// `tests/browser/streamlit_login.mjs` (absolute): logs in to a Streamlit app
/// with headless Chromium, see the script's header.
pub fn browser_script() -> PathBuf {
    tests_dir().join("browser").join("streamlit_login.mjs")
}

/// The Chromium the browser script drives: `$STAUTH_CHROMIUM` or Debian's
/// `/usr/bin/chromium`.
pub fn chromium_path() -> PathBuf {
    std::env::var_os("STAUTH_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Panics with what to install when the browser script cannot run.
pub fn require_browser() {
    let pw = tests_dir()
        .join("browser")
        .join("node_modules")
        .join("playwright-core")
        .join("package.json");
    assert!(
        pw.is_file(),
        "{} is missing: run `npm ci --prefix tests/browser` first (or `bash tests/setup.sh`)",
        pw.display()
    );
    let chromium = chromium_path();
    assert!(
        chromium.is_file(),
        "{} is missing: install Debian's chromium package (`apt-get install chromium`) \
         or point STAUTH_CHROMIUM at a Chromium binary",
        chromium.display()
    );
}

/// A running `streamlit run`, in its own process group. Dropping it stops
/// Streamlit and everything it started (SIGTERM to the group, SIGKILL after
/// 5 s). Streamlit also exits when its stdin closes, so a test process that is
/// killed outright leaves nothing running either.
pub struct StreamlitApp {
    /// The loopback port it serves on (bound to 127.0.0.1).
    pub port: u16,
    child: Child,
    /// Held open for Streamlit's lifetime: closing it makes Streamlit exit.
    stdin: Option<ChildStdin>,
    /// Streamlit's recent stdout and stderr lines.
    recent: Arc<Mutex<VecDeque<String>>>,
    /// The HOME Streamlit runs with, so no `~/.streamlit` of the machine
    /// (config, credentials, secrets) takes part.
    _home: tempfile::TempDir,
    stopped: bool,
}

/// Runs Streamlit's CLI after arranging to exit when stdin closes: a daemon
/// thread reads stdin to EOF, then sends SIGTERM to the process and, should
/// Streamlit not be gone 5 s later, ends it outright. The CLI is the same
/// entry point as `tests/.venv/bin/streamlit` (`streamlit.web.cli:main`).
const LAUNCHER: &str = r#"
import os, signal, sys, threading, time

def _watch_stdin():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except Exception:
        pass
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
    os._exit(1)

threading.Thread(target=_watch_stdin, daemon=True).start()
from streamlit.web.cli import main
sys.argv[0] = "streamlit"
sys.exit(main())
"#;

impl StreamlitApp {
    /// `streamlit run SCRIPT --server.port PORT --server.headless true
    /// --server.address 127.0.0.1 --browser.gatherUsageStats false
    /// --server.fileWatcherType none` in `app_dir` (so its
    /// `.streamlit/secrets.toml` is read), with a clean environment (PATH, a
    /// throwaway HOME, `LANG=C.UTF-8`) plus `env`. Waits up to 60 s for
    /// `GET /_stcore/health` to answer 200. Panics with Streamlit's last output
    /// lines when it exits or does not come up, and with "run bash
    /// tests/setup.sh first" when the venv is missing.
    pub fn start(app_dir: &Path, script: &str, port: u16, env: &[(&str, &str)]) -> StreamlitApp {
        if !venv_python().is_file() || !venv_streamlit().is_file() {
            panic!(
                "{} is missing: run bash tests/setup.sh first (it makes the venv with real Streamlit)",
                venv_streamlit().display()
            );
        }
        StreamlitApp::start_with(&venv_python(), app_dir, script, port, env)
    }

    /// [`StreamlitApp::start`] with the Streamlit of another venv: `python`
    /// is its `bin/python` (e.g. `common::releases::python("1.48.0")`).
    pub fn start_with(
        python: &Path,
        app_dir: &Path,
        script: &str,
        port: u16,
        env: &[(&str, &str)],
    ) -> StreamlitApp {
        let python = python.to_path_buf();
        let home = tempfile::Builder::new()
            .prefix("stauth-streamlit-home-")
            .tempdir()
            .expect("cannot make a temporary HOME for Streamlit");

        let mut cmd = Command::new(&python);
        cmd.arg("-c")
            .arg(LAUNCHER)
            .args(["run", script])
            .args(["--server.port", &port.to_string()])
            .args(["--server.headless", "true"])
            .args(["--server.address", "127.0.0.1"])
            .args(["--browser.gatherUsageStats", "false"])
            // No file watcher: nothing to poll or to watch with inotify.
            .args(["--server.fileWatcherType", "none"])
            .current_dir(app_dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("LANG", "C.UTF-8")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so Drop can signal Streamlit and anything
            // it spawned at once.
            .process_group(0);
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) if e.kind() == ErrorKind::NotFound => panic!(
                "{} cannot be run: run bash tests/setup.sh first",
                python.display()
            ),
            Err(e) => panic!("cannot start Streamlit ({}): {e}", python.display()),
        };

        let recent = Arc::new(Mutex::new(VecDeque::new()));
        for (stream, tag) in [
            (
                child
                    .stdout
                    .take()
                    .map(|s| Box::new(s) as Box<dyn Read + Send>),
                "streamlit",
            ),
            (
                child
                    .stderr
                    .take()
                    .map(|s| Box::new(s) as Box<dyn Read + Send>),
                "streamlit",
            ),
        ] {
            let Some(stream) = stream else { continue };
            let recent = Arc::clone(&recent);
            std::thread::spawn(move || forward_lines(stream, tag, &recent));
        }

        let mut app = StreamlitApp {
            port,
            stdin: child.stdin.take(),
            child,
            recent,
            _home: home,
            stopped: false,
        };

        // A base path given in the environment moves the health route too.
        let base = env
            .iter()
            .find(|(k, _)| *k == "STREAMLIT_SERVER_BASE_URL_PATH")
            .map(|(_, v)| format!("/{}", v.trim_matches('/')))
            .unwrap_or_default();
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = app.child.try_wait() {
                // Let the reader threads collect the last lines.
                std::thread::sleep(Duration::from_millis(300));
                let log = app.log();
                app.stop();
                panic!(
                    "Streamlit exited ({status}) before answering on port {port} \
                     (app dir {}, script {script})\n--- its last output ---\n{log}",
                    app_dir.display()
                );
            }
            match health(port, &base) {
                Ok(200) => return app,
                _ if started.elapsed() > START_TIMEOUT => {
                    let log = app.log();
                    app.stop();
                    panic!(
                        "Streamlit did not answer GET http://127.0.0.1:{port}/_stcore/health \
                         with 200 within {} s (app dir {}, script {script})\n\
                         --- its last output ---\n{log}",
                        START_TIMEOUT.as_secs(),
                        app_dir.display()
                    );
                }
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// `http://localhost:PORT/`: where a browser opens the app (the origin
    /// a `http://localhost:PORT/oauth2callback` redirect_uri expects).
    pub fn url(&self) -> String {
        format!("http://localhost:{}/", self.port)
    }

    /// Streamlit's last output lines (stdout and stderr).
    pub fn log(&self) -> String {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// Stops Streamlit and its process group, and reaps it. Idempotent.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        drop(self.stdin.take());
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals the process group we
        // created for this child (process_group(0): pgid = its pid).
        unsafe {
            libc::kill(-pgid, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() >= deadline => break,
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        // Whatever is left of the group (the leader, if it ignored SIGTERM, or
        // a process it started) goes now.
        // SAFETY: as above.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

impl Drop for StreamlitApp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Copies `stream`'s lines to the test's stderr (prefixed `[tag] `, shown by
/// `cargo test` for failing tests) and keeps the last ones in `recent`.
fn forward_lines(stream: Box<dyn Read + Send>, tag: &str, recent: &Mutex<VecDeque<String>>) {
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { break };
        eprintln!("[{tag}] {line}");
        let mut recent = recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() == KEPT_LINES {
            recent.pop_front();
        }
        recent.push_back(line);
    }
}

/// The status code of `GET http://127.0.0.1:PORT/_stcore/health`, by hand
/// over HTTP/1.1.
/// `base`: `server.baseUrlPath` ("" for none), under which Streamlit serves
/// every route.
fn health(port: u16, base: &str) -> std::io::Result<u16> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {base}/_stcore/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut status_line = String::new();
    BufReader::new(stream).read_line(&mut status_line)?;
    // "HTTP/1.1 200 OK"
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidData, status_line))
}

/// One Set-Cookie header the browser received from the app's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    /// The header's whole value: `name=value; HttpOnly; ...`.
    pub header: String,
    /// The URL of the response that carried it.
    pub url: String,
}

/// What `streamlit_login.mjs` saw after a successful login.
#[derive(Debug, Clone)]
pub struct BrowserLogin {
    /// The app's visible st.markdown text (or the page's body text).
    pub text: String,
    /// Every Set-Cookie header from the app's origin, in order.
    pub set_cookies: Vec<SetCookie>,
    /// The page's final URL.
    pub url: String,
    /// The main frame's document responses, in order: (status, URL).
    pub navigations: Vec<(u16, String)>,
    /// Whether the app showed "Signed in as " (always true without
    /// `--settle`, which makes a login that is not signed in a failure).
    pub signed_in: bool,
    /// Length of the `Cookie` header the browser's cookies for the app make
    /// at the end (all of them: Streamlit's `_streamlit_xsrf` too).
    pub cookie_header_len: usize,
    /// The script's whole JSON line.
    pub json: serde_json::Value,
}

impl BrowserLogin {
    /// The Set-Cookie headers of the responses whose URL path is `path`
    /// (e.g. `/oauth2callback`).
    pub fn set_cookies_from(&self, path: &str) -> Vec<&SetCookie> {
        self.set_cookies
            .iter()
            .filter(|c| {
                url::Url::parse(&c.url)
                    .map(|u| u.path() == path)
                    .unwrap_or(false)
            })
            .collect()
    }
}

/// Logs in to the Streamlit app at `app_url` with the real browser:
/// `node tests/browser/streamlit_login.mjs --app APP_URL EXTRA_ARGS...`
/// (e.g. `&["--login", "alice", "--screenshot", "/tmp/x.png"]`; add
/// `&["--settle", "10"]` to accept a login that does not end signed in).
/// Panics with the script's stderr when the login fails (exit code not 0) or
/// the script runs for more than 90 s.
pub fn browser_login(app_url: &str, extra_args: &[&str]) -> BrowserLogin {
    let (code, stdout, stderr) = run_browser(app_url, extra_args);
    assert_eq!(
        code,
        Some(0),
        "the browser login at {app_url} failed (exit {code:?}):\n{stderr}"
    );
    let line = stdout.lines().last().unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "streamlit_login.mjs printed no JSON line ({e}):\n{stdout}\n--- stderr ---\n{stderr}"
        )
    });
    let str_of = |v: &serde_json::Value, key: &str| v[key].as_str().unwrap_or_default().to_owned();
    BrowserLogin {
        text: str_of(&json, "text"),
        url: str_of(&json, "url"),
        set_cookies: json["set_cookies"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| SetCookie {
                        name: str_of(c, "name"),
                        value: str_of(c, "value"),
                        header: str_of(c, "header"),
                        url: str_of(c, "url"),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        navigations: json["navigations"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|n| (n["status"].as_u64().unwrap_or(0) as u16, str_of(n, "url")))
                    .collect()
            })
            .unwrap_or_default(),
        signed_in: json["signed_in"].as_bool().unwrap_or(false),
        cookie_header_len: json["cookie_header_len"].as_u64().unwrap_or(0) as usize,
        json,
    }
}

/// Runs the browser script and returns (exit code, stdout, stderr); `None`
/// as exit code when it was killed after 90 s.
pub fn run_browser(app_url: &str, extra_args: &[&str]) -> (Option<i32>, String, String) {
    require_browser();
    let mut child = Command::new("node")
        .arg(browser_script())
        .args(["--app", app_url])
        .args(extra_args)
        .current_dir(tests_dir().join("browser"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node {}: {e}", browser_script().display()));
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let code = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if started.elapsed() > BROWSER_TIMEOUT => {
                // SAFETY: signals the process group made for this child
                // (node and the Chromium it launched).
                unsafe {
                    libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
                }
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("waiting for the browser script: {e}"),
        }
    };
    // Chromium's helpers may outlive node for a moment; end the group.
    // SAFETY: as above; the group is ours (ESRCH when already gone).
    unsafe {
        libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
    }
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    (code, stdout, stderr)
}
