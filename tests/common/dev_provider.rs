//! `stauth dev-provider` started on loopback for the integration tests: the
//! real binary with `--json`, a free port and a throwaway keys folder, and
//! the app secrets that point at it.
//!
//! ```ignore
//! let sb = Sandbox::new();
//! let port = free_port();
//! sb.write(".streamlit/secrets.toml", &dev_secrets(port, None, &client, &redirect));
//! let dp = DevProvider::start(&sb, port, &["--auto-login", "alice"]);
//! // dp.issuer, dp.events(); stopped (SIGTERM, then SIGKILL) on drop.
//! ```
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use super::Sandbox;

/// How long `DevProvider::start` waits for the ready line.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// How long `stop` waits after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// A client of the dev provider, as the app's `[auth]` names it.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub secret: String,
}

impl Client {
    /// A client with a random ID and secret (each run differs, so nothing
    /// can depend on a fixed value).
    pub fn random() -> Client {
        Client {
            id: format!("dev-{}", random_hex(8)),
            secret: random_hex(24),
        }
    }
}

/// `bytes` random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("getrandom");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// An `[auth]` (or `[auth.NAME]` when `name` is given) for the dev provider
/// on `port` (`like`: its `/like/<preset>` issuer), with a cookie secret in
/// `[auth]`. No `client_kwargs`: the provider-side session decides whether
/// the login page shows, as at a real provider.
pub fn auth_block(
    port: u16,
    name: Option<&str>,
    like: Option<&str>,
    client: &Client,
    redirect_uri: &str,
) -> String {
    let metadata = stauth::dev_provider::metadata_url(port, like);
    let provider = format!(
        "client_id = \"{}\"\nclient_secret = \"{}\"\nserver_metadata_url = \"{metadata}\"\n",
        client.id, client.secret
    );
    match name {
        None => format!(
            "[auth]\nredirect_uri = \"{redirect_uri}\"\ncookie_secret = \"{}\"\n{provider}",
            random_hex(32)
        ),
        Some(name) => format!("[auth.{name}]\n{provider}"),
    }
}

/// A whole secrets.toml with one `[auth]` for the root issuer on `port`.
pub fn dev_secrets(port: u16, like: Option<&str>, client: &Client, redirect_uri: &str) -> String {
    auth_block(port, None, like, client, redirect_uri)
}

/// A running `stauth dev-provider --json`, in its own process group.
pub struct DevProvider {
    pub port: u16,
    /// `http://localhost:PORT`.
    pub issuer: String,
    /// The ready line.
    pub ready: serde_json::Value,
    child: Child,
    /// Every JSON line after the ready line (one per request).
    events: Arc<Mutex<Vec<serde_json::Value>>>,
    /// Its stderr, for panic messages.
    stderr: Arc<Mutex<Vec<String>>>,
    _keys: tempfile::TempDir,
    stopped: Option<ExitStatus>,
}

/// `stauth` (the binary under test).
pub fn stauth_bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("stauth")
}

impl DevProvider {
    /// `stauth dev-provider --app-dir APP --port PORT --keys-dir TMP --json
    /// EXTRA...` with the sandbox's environment; waits for the ready line.
    pub fn start(sb: &Sandbox, port: u16, extra: &[&str]) -> DevProvider {
        DevProvider::start_in(sb.path(), sb.home(), port, extra, &[])
    }

    /// [`DevProvider::start`] with an app folder, a HOME and more
    /// environment of the caller's choosing.
    pub fn start_in(
        app_dir: &Path,
        home: &Path,
        port: u16,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> DevProvider {
        let keys = tempfile::Builder::new()
            .prefix("stauth-dev-keys-")
            .tempdir()
            .unwrap();
        let mut cmd = Command::new(stauth_bin());
        cmd.args(["dev-provider", "--json", "--port", &port.to_string()])
            .arg("--app-dir")
            .arg(app_dir)
            .arg("--keys-dir")
            .arg(keys.path())
            .args(extra)
            .current_dir(app_dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("LANG", "C.UTF-8")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = cmd.spawn().expect("cannot start stauth dev-provider");

        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(err) = child.stderr.take() {
            let stderr = Arc::clone(&stderr);
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    eprintln!("[dev-provider] {line}");
                    stderr.lock().unwrap_or_else(|p| p.into_inner()).push(line);
                }
            });
        }
        let events = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            let events = Arc::clone(&events);
            std::thread::spawn(move || {
                let mut tx = Some(tx);
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    eprintln!("[dev-provider stdout] {line}");
                    let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
                        continue;
                    };
                    if value["event"] == "ready" {
                        if let Some(tx) = tx.take() {
                            let _ = tx.send(value);
                            continue;
                        }
                    }
                    events.lock().unwrap_or_else(|p| p.into_inner()).push(value);
                }
            });
        }

        let mut dp = DevProvider {
            port,
            issuer: stauth::dev_provider::issuer(port, None),
            ready: serde_json::Value::Null,
            child,
            events,
            stderr,
            _keys: keys,
            stopped: None,
        };
        match rx.recv_timeout(READY_TIMEOUT) {
            Ok(ready) => dp.ready = ready,
            Err(e) => {
                dp.stop();
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "stauth dev-provider printed no ready line ({e}; exit {:?})\n--- stderr ---\n{}",
                    dp.stopped,
                    dp.stderr()
                );
            }
        }
        dp
    }

    /// `{issuer}/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    /// The process ID (its process group's too).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The request events so far.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Its stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .join("\n")
    }

    /// Whether it has exited (reaping it when it has).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        if self.stopped.is_none() {
            self.stopped = self.child.try_wait().ok().flatten();
        }
        self.stopped
    }

    /// SIGTERM to stauth alone (what a user's Ctrl-C or a service manager
    /// does), then waits up to `within` for it to exit.
    pub fn terminate(&mut self, within: Duration) -> Option<ExitStatus> {
        // SAFETY: kill(2) on the child we spawned and have not reaped.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.exited() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Stops it and whatever it started (its process group). Idempotent.
    pub fn stop(&mut self) {
        if self.exited().is_none() {
            self.terminate(STOP_GRACE);
        }
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: the process group we made for this child (pgid = its pid).
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        if self.stopped.is_none() {
            self.stopped = self.child.wait().ok();
        }
    }
}

impl Drop for DevProvider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether something accepts connections on 127.0.0.1:`port`.
pub fn listening(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    )
    .is_ok()
}

/// A blocking HTTP client that never follows redirects (the tests look at
/// each Location) and never waits long.
pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// `node tests/browser/dev_login.mjs --app APP_URL --steps STEPS` (see the
/// script's header): its `steps` records, or a panic with its stderr. With
/// `STAUTH_E2E_SCREENSHOTS=DIR` each step's page is kept in DIR/NAME/.
pub fn dev_browser(app_url: &str, steps: &[&str], name: &str) -> Vec<serde_json::Value> {
    super::streamlit::require_browser();
    let browser_dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let mut cmd = Command::new("node");
    // The script's whole-run deadline grows with its steps: a login takes a
    // few seconds, more on a loaded CI machine (24 logins passed 120 s there).
    let timeout = (60 + 15 * steps.len()).max(120).to_string();
    cmd.arg(browser_dir.join("dev_login.mjs"))
        .args(["--app", app_url, "--steps", &steps.join(",")])
        .args(["--timeout", &timeout])
        .current_dir(&browser_dir)
        .stdin(Stdio::null())
        .process_group(0);
    if let Some(dir) = std::env::var_os("STAUTH_E2E_SCREENSHOTS") {
        let dir = std::path::PathBuf::from(dir).join(name);
        std::fs::create_dir_all(&dir).unwrap();
        cmd.arg("--screenshots").arg(dir);
    }
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run node");
    let pgid = child.id() as libc::pid_t;
    // The script stops itself after its --timeout; the output wait returns
    // then at the latest.
    let out = child.wait_with_output().expect("waiting for dev_login.mjs");
    // SAFETY: the process group made for this child (Chromium's helpers may
    // outlive node for a moment); ESRCH when already gone.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the browser ({}) failed at {app_url} ({}):\n{stderr}",
        steps.join(","),
        out.status
    );
    let json: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("dev_login.mjs printed no JSON ({e}): {stdout}\n{stderr}"));
    json["steps"].as_array().cloned().unwrap_or_default()
}

/// `stauth init --provider dev` in `sb`: an `[auth]` for the dev provider on
/// `dp_port` with `redirect_uri`, checked against Streamlit `version`. The
/// client ID and secret it makes are the dev provider's client too.
pub fn init_dev(sb: &super::Sandbox, dp_port: u16, redirect_uri: &str, version: &str) {
    let (code, _, err) = super::run(sb.cmd().args([
        "init",
        "--provider",
        "dev",
        "--dev-port",
        &dp_port.to_string(),
        "--redirect-uri",
        redirect_uri,
        "--streamlit-version",
        version,
        "--yes",
    ]));
    assert_eq!(code, 0, "stauth init --provider dev failed:\n{err}");
}

/// `stauth snippet pages --out app.py` in `sb` for Streamlit `version`: an
/// app with a login button, role pages and a logout button.
pub fn write_pages_app(sb: &super::Sandbox, version: &str) {
    let (code, _, err) = super::run(sb.cmd().args([
        "snippet",
        "pages",
        "--out",
        "app.py",
        "--streamlit-version",
        version,
    ]));
    assert_eq!(code, 0, "stauth snippet pages failed:\n{err}");
}
