//! The real test identity provider (`tests/idp/server.mjs`, built on the
//! OpenID Certified `oidc-provider` npm package), started on loopback for the
//! integration tests. Needs Node.js and `npm ci --prefix tests/idp`.
//!
//! ```ignore
//! let idp = common::idp::Idp::start(serde_json::json!({ "endSession": false }));
//! let url = idp.discovery_url();
//! // ... run stauth against it; the IdP stops when `idp` is dropped.
//! ```
//!
//! The configuration keys are documented in `tests/idp/README.md`.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, ErrorKind};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// How long `Idp::start` waits for the ready line.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// Configurations longer than this go through a temporary file (`@FILE`),
/// since one command-line argument is limited to 128 KiB on Linux.
const MAX_ARG_CONFIG: usize = 64 * 1024;
/// How many of the IdP's last stderr lines a start-up panic message shows.
const KEPT_STDERR_LINES: usize = 40;

/// A running test IdP. Stopped (killed and reaped) on drop; it also exits by
/// itself when its stdin closes, so a crashed test never leaves it running.
pub struct Idp {
    /// The loopback port it listens on (127.0.0.1 only).
    pub port: u16,
    /// `http://127.0.0.1:PORT`: the provider is served at the root of this.
    pub base: String,
    /// The issuer it puts in discovery and tokens (the config's `issuer`,
    /// default `http://127.0.0.1:PORT`).
    pub issuer: String,
    child: Child,
    /// Held open for the IdP's lifetime: closing it makes the IdP exit.
    stdin: Option<ChildStdin>,
    /// A temporary config file (`@FILE` form), removed on stop.
    config_file: Option<PathBuf>,
}

/// `tests/idp`, absolute.
pub fn idp_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("idp")
}

/// Path to `tests/idp/login.mjs` (absolute): the scripted browser that
/// performs a login at the test IdP (`node login.mjs [--login NAME] [--deny]
/// [--expect-error] [--stray-first] [--delay-ms N] [--never] URL`).
pub fn login_script() -> PathBuf {
    idp_dir().join("login.mjs")
}

/// The values of the IdP's `tamper` configuration key: how it rewrites the
/// `id_token` of its token endpoint's response (see `tests/idp/README.md`).
pub const TAMPER_MODES: &[&str] = &[
    "signature",
    "aud",
    "iss",
    "expired",
    "alg_none",
    "unknown_kid",
    "nonce",
];

/// A browser command for `stauth test-login --browser-command CMD` that runs
/// the scripted browser: `node /abs/path/tests/idp/login.mjs EXTRA_ARGS...`.
/// test-login splits CMD shell-words style (no shell runs it) and appends the
/// authorization URL as the last argument, which is where login.mjs expects
/// it. `extra_args` are login.mjs flags, e.g. `&["--login", "bob"]`,
/// `&["--deny"]`, `&["--stray-first"]`, `&["--delay-ms", "3000"]`,
/// `&["--never"]` (see `tests/idp/README.md`). Words holding whitespace or
/// quotes are single-quoted (`'it'\''s'`), which shell-words undoes.
pub fn node_browser_command(extra_args: &[&str]) -> String {
    let script = login_script();
    let script = script
        .to_str()
        .expect("tests/idp/login.mjs path is not UTF-8");
    std::iter::once("node")
        .chain(std::iter::once(script))
        .chain(extra_args.iter().copied())
        .map(shell_word)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` quoted for a shell-words split when it needs it.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '/' | '.' | '-' | '_' | '=' | ':' | ',' | '+' | '@' | '%')
        });
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// A free loopback port (bind 127.0.0.1:0, read the port, release it).
pub fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("cannot bind a loopback port")
        .port()
}

fn setup_hint() -> &'static str {
    "the test identity provider needs Node.js (>= 20) on PATH and its npm packages: \
     run `npm ci --prefix tests/idp` first"
}

impl Idp {
    /// Starts `tests/idp/server.mjs` with `config` (a JSON object; see
    /// `tests/idp/README.md`) and waits up to 20 s for its ready line.
    /// Panics with a clear message when node or `tests/idp/node_modules` is
    /// missing, or when the IdP fails to start.
    pub fn start(config: serde_json::Value) -> Idp {
        let dir = idp_dir();
        if !dir
            .join("node_modules")
            .join("oidc-provider")
            .join("package.json")
            .is_file()
        {
            panic!(
                "{} is missing: {}",
                dir.join("node_modules").join("oidc-provider").display(),
                setup_hint()
            );
        }

        let text = config.to_string();
        let (arg, config_file) = if text.len() > MAX_ARG_CONFIG {
            let path = std::env::temp_dir().join(format!(
                "stauth-idp-config-{}-{}.json",
                std::process::id(),
                free_port()
            ));
            std::fs::write(&path, &text)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            (format!("@{}", path.display()), Some(path))
        } else {
            (text, None)
        };

        let mut child = match Command::new("node")
            .arg(dir.join("server.mjs"))
            .arg(&arg)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                panic!("`node` was not found on PATH: {}", setup_hint())
            }
            Err(e) => panic!("cannot start node for the test IdP: {e}: {}", setup_hint()),
        };
        let stdin = child.stdin.take();

        // stderr: forwarded line by line (shown by the test harness when a
        // test fails) and the last lines kept for start-up panic messages.
        let recent = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(stderr) = child.stderr.take() {
            let recent = Arc::clone(&recent);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    eprintln!("[idp] {line}");
                    let mut recent = recent.lock().unwrap_or_else(|p| p.into_inner());
                    if recent.len() == KEPT_STDERR_LINES {
                        recent.pop_front();
                    }
                    recent.push_back(line);
                }
            });
        }

        // stdout: the first JSON line with "ready": true; anything else is
        // forwarded like stderr. Keeps draining until the IdP exits.
        let (tx, rx) = mpsc::channel::<serde_json::Value>();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                let mut tx = Some(tx);
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    match serde_json::from_str::<serde_json::Value>(&line) {
                        Ok(v) if v.get("ready") == Some(&serde_json::Value::Bool(true)) => {
                            if let Some(tx) = tx.take() {
                                let _ = tx.send(v);
                            }
                        }
                        _ => eprintln!("[idp stdout] {line}"),
                    }
                }
            });
        }

        let mut idp = Idp {
            port: 0,
            base: String::new(),
            issuer: String::new(),
            child,
            stdin,
            config_file,
        };

        let ready = match rx.recv_timeout(READY_TIMEOUT) {
            Ok(ready) => ready,
            Err(err) => {
                let status = match err {
                    mpsc::RecvTimeoutError::Timeout => {
                        idp.stop();
                        format!("was not ready within {} s", READY_TIMEOUT.as_secs())
                    }
                    mpsc::RecvTimeoutError::Disconnected => {
                        let status = idp.child.wait();
                        idp.stop();
                        match status {
                            Ok(s) => format!("exited ({s}) before it was ready"),
                            Err(e) => format!("failed before it was ready ({e})"),
                        }
                    }
                };
                // Give the stderr thread a moment to collect the last lines.
                std::thread::sleep(Duration::from_millis(200));
                let lines: Vec<String> = recent
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter()
                    .cloned()
                    .collect();
                panic!(
                    "the test IdP (tests/idp/server.mjs) {status}; config: {config}\n\
                     --- its stderr ---\n{}",
                    lines.join("\n")
                );
            }
        };

        idp.port = ready["port"]
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or_else(|| panic!("bad ready line from the test IdP: {ready}"));
        idp.base = ready["base"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("http://127.0.0.1:{}", idp.port));
        idp.issuer = ready["issuer"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| idp.base.clone());
        idp
    }

    /// `{base}/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.base)
    }

    /// Stops the IdP: closes its stdin, kills it and reaps it. Idempotent.
    pub fn stop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(path) = self.config_file.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Default for Idp {
    /// `Idp::start(json!({}))`: the default client `stauth-test` (secret
    /// `test-secret-1234567890`, redirect URI
    /// `http://localhost:8501/oauth2callback`) and the account `alice`.
    fn default() -> Idp {
        Idp::start(serde_json::json!({}))
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        self.stop();
    }
}
