//! test-login's callback listener under hostile local traffic, against the
//! real binary and the real test provider (tests/idp): a flood of idle
//! half-sent connections under a 256 file descriptor limit, a forged `Host`,
//! a connection that sends nothing, a request for another path, and a
//! provider error carrying terminal escapes.
//!
//! The scripted browser (tests/idp/login.mjs) is held behind a gate file, so
//! each test does its hostile part while stauth waits, then lets the real
//! login happen.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::idp::{login_script, Idp};
use common::Sandbox;

const CLIENT_SECRET: &str = "client-secret-never-printed-42";
/// How long the listener gives a connection for its request head
/// (limits::CALLBACK_HEAD_TIMEOUT), with room for a busy machine.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
const SLACK: Duration = Duration::from_secs(3);

/// `stauth test-login` waiting for the callback, its browser held at a gate.
struct Waiting {
    // Kept alive: the provider and the app folder.
    _idp: Idp,
    _sb: Sandbox,
    port: u16,
    child: Option<Child>,
    gate: PathBuf,
    stderr: Arc<Mutex<String>>,
    stderr_done: mpsc::Receiver<()>,
    /// The `state` of the authorization URL stauth printed.
    state: String,
}

impl Waiting {
    /// Starts test-login (through `sh -c 'ulimit -n N; exec ...'` when a
    /// descriptor limit is given) and returns once it listens.
    fn start(fd_limit: Option<u32>) -> Waiting {
        let (idp, sb, port) = common::provider_app(serde_json::json!({}), CLIENT_SECRET);
        let gate = sb.home().join("browser-gate");
        // The browser waits for the gate file; non-empty means "do not log in".
        // The wait is bounded (90 s, and it ends when the sandbox is gone) so
        // a test that fails early never leaves it polling.
        let script = format!(
            "i=0; while [ ! -e {g} ] && [ -d {d} ] && [ $i -lt 1800 ]; do sleep 0.05; i=$((i+1)); done; if [ ! -e {g} ] || [ -s {g} ]; then exit 0; fi; exec node {s} \"$0\"",
            g = shell_words::quote(gate.to_str().unwrap()),
            d = shell_words::quote(sb.home().to_str().unwrap()),
            s = shell_words::quote(login_script().to_str().unwrap()),
        );
        let browser = shell_words::join(["sh", "-c", script.as_str()]);
        let stauth = assert_cmd::cargo::cargo_bin("stauth");
        let mut cmd = match fd_limit {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(&stauth);
                c
            }
            None => Command::new(&stauth),
        };
        cmd.args([
            "test-login",
            "--timeout",
            "90",
            "--browser-command",
            &browser,
        ])
        .current_dir(sb.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", sb.home())
        .env("XDG_CONFIG_HOME", sb.home().join(".config"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();

        let stderr = Arc::new(Mutex::new(String::new()));
        let (line_tx, line_rx) = mpsc::channel::<String>();
        let (done_tx, stderr_done) = mpsc::channel();
        let pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(pipe);
            let mut raw = Vec::new();
            while reader.read_until(b'\n', &mut raw).unwrap_or(0) > 0 {
                let line = String::from_utf8_lossy(&raw).into_owned();
                sink.lock().unwrap().push_str(&line);
                let _ = line_tx.send(line);
                raw.clear();
            }
            let _ = done_tx.send(());
        });

        let mut state = None;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = line_rx.recv_timeout(left) else {
                let _ = child.kill();
                panic!(
                    "test-login never listened; stderr:\n{}",
                    stderr.lock().unwrap()
                );
            };
            if let Some(i) = line.find("&state=") {
                let s: String = line[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                state = Some(s);
            }
            if line.contains("Listening on") {
                break;
            }
        }
        Waiting {
            _idp: idp,
            _sb: sb,
            port,
            child: Some(child),
            gate,
            stderr,
            stderr_done,
            state: state.expect("the authorization URL with its state is printed"),
        }
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Lets the browser do the real login.
    fn release_browser(&self) {
        std::fs::write(&self.gate, "").unwrap();
    }

    fn stderr_so_far(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits for stauth to exit: (exit code, or minus the signal; stdout; stderr).
    fn finish(mut self) -> (i32, String, String) {
        let mut child = self.child.take().unwrap();
        let deadline = Instant::now() + Duration::from_secs(90);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "test-login did not finish; stderr:\n{}",
                    self.stderr_so_far()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let _ = self.stderr_done.recv_timeout(Duration::from_secs(10));
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let code = {
            use std::os::unix::process::ExitStatusExt;
            status
                .code()
                .unwrap_or_else(|| -status.signal().unwrap_or(0))
        };
        let err = self.stderr_so_far();
        assert!(
            !out.contains(CLIENT_SECRET) && !err.contains(CLIENT_SECRET),
            "client secret leaked"
        );
        (code, out, err)
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        // Never leave the gated browser polling, nor stauth running.
        if !self.gate.exists() {
            let _ = std::fs::write(&self.gate, "stop");
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One request on its own connection; the whole answer.
fn send(addr: SocketAddr, request: &str) -> String {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn assert_login_reported(code: i32, err: &str) {
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("✓ Callback received on"), "{err}");
    assert!(err.contains("st.user will hold:"), "{err}");
    assert!(err.contains("alice@example.com"), "{err}");
}

/// Issue #10 item 3: 250 half-sent requests while stauth may hold only 256
/// descriptors. It used to abort (SIGABRT) or refuse the real callback; now
/// it holds a bounded number, closes the rest, and the login completes.
#[test]
fn a_flood_of_idle_connections_under_256_descriptors_does_not_stop_the_login() {
    let w = Waiting::start(Some(256));
    let addr = w.addr();
    let half_sent = format!(
        "GET /oauth2callback?state=AAAA HTTP/1.1\r\nHost: localhost:{}\r\n",
        w.port
    );
    let mut flood = Vec::new();
    for _ in 0..250 {
        // A connection stauth already closed may refuse the write: that is
        // the listener shedding load, which is what this test wants.
        if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(3)) {
            let _ = s.write_all(half_sent.as_bytes());
            flood.push(s);
        }
    }
    assert!(
        flood.len() >= 200,
        "only {} connections opened",
        flood.len()
    );
    w.release_browser();
    let (code, out, err) = w.finish();
    drop(flood);
    assert_login_reported(code, &err);
    assert_eq!(out, "");
    // Idle connections are not requests: nothing to warn about.
    assert!(!err.contains("warning:"), "{err}");
}

/// A callback with this login's state sent to `Host: evil.example` (a page
/// elsewhere steering the browser here) is refused, and the wait goes on.
#[test]
fn a_callback_for_another_host_is_refused_and_the_login_continues() {
    let w = Waiting::start(None);
    let answer = send(
        w.addr(),
        &format!(
            "GET /oauth2callback?code=forged&state={} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
            w.state
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(
        answer.contains("Not the login stauth is waiting for"),
        "{answer}"
    );
    w.release_browser();
    let (code, _, err) = w.finish();
    assert_login_reported(code, &err);
    assert!(
        err.contains("warning: ignored a request addressed to host evil.example instead of this machine's loopback address and port (answered 400; still waiting)"),
        "{err}"
    );
}

/// A connection that never sends a byte is closed within the head deadline.
#[test]
fn a_silent_connection_is_closed_within_the_deadline() {
    let w = Waiting::start(None);
    let mut idle = TcpStream::connect(w.addr()).unwrap();
    idle.set_read_timeout(Some(HEAD_TIMEOUT * 4)).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let read = idle.read(&mut buf);
    let waited = started.elapsed();
    assert!(
        matches!(read, Ok(0)),
        "expected the listener to close the connection, got {read:?} after {waited:?}"
    );
    assert!(
        waited < HEAD_TIMEOUT + SLACK,
        "closed only after {waited:?}"
    );
    w.release_browser();
    let (code, _, err) = w.finish();
    assert_login_reported(code, &err);
}

/// A request for another path is answered 404, and the warning says so.
#[test]
fn the_warning_names_the_status_that_was_sent() {
    let w = Waiting::start(None);
    let answer = send(
        w.addr(),
        &format!(
            "GET /favicon.ico HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
            w.port
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 404 "), "{answer}");
    w.release_browser();
    let (code, _, err) = w.finish();
    assert_login_reported(code, &err);
    assert!(
        err.contains(
            "warning: ignored a request for /favicon.ico, not the callback path (answered 404; still waiting)"
        ),
        "{err}"
    );
    assert!(!err.contains("answered 400"), "{err}");
}

/// The provider's `error` and `error_description` come from a URL anyone can
/// craft: the terminal sees escapes, never the control characters.
#[test]
fn a_provider_error_cannot_drive_the_terminal() {
    let w = Waiting::start(None);
    // \x1b[2J (clear), \x1b]0;pwned\x07 (window title), a newline forging a
    // line, and U+202E (right-to-left override), percent-encoded.
    let description = "%1B%5B2J%1B%5D0%3Bpwned%07%0A%E2%9C%93%20Signature%20verified%E2%80%AE";
    let answer = send(
        w.addr(),
        &format!(
            "GET /oauth2callback?error=access_denied%1B%5B31m&error_description={description}&state={} HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
            w.state, w.port
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    let (code, _, err) = w.finish();
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(
            "the provider refused the login: access_denied\\x1b[31m (\\x1b[2J\\x1b]0;pwned\\x07\\n✓ Signature verified\\u{202e})"
        ),
        "{err}"
    );
    for raw in ['\x1b', '\x07', '\u{202e}'] {
        assert!(
            !err.contains(raw),
            "raw {raw:?} reached the terminal:\n{err}"
        );
    }
    assert!(!err.contains("\n✓ Signature verified"), "{err}");
}

/// What a terminal shows for `raw`: `\r` returns to the start of the line,
/// `ESC [ K` erases to its end, other escape sequences draw nothing.
fn screen(raw: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line: Vec<char> = Vec::new();
    let mut col = 0;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                lines.push(line.iter().collect());
                line.clear();
                col = 0;
            }
            '\x1b' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    last = c;
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
                if last == 'K' {
                    line.truncate(col);
                }
            }
            c => {
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line.iter().collect());
    }
    lines
}

/// On a terminal, a token exchange the provider refuses: the step's line is
/// ended before the error, which starts a line of its own.
#[test]
fn a_failed_token_exchange_on_a_terminal_prints_the_error_on_its_own_line() {
    let (_idp, sb, _port) = common::provider_app(serde_json::json!({}), CLIENT_SECRET);
    let secrets = sb
        .secrets()
        .replace(CLIENT_SECRET, "wrong-secret-for-this-test");
    sb.write(".streamlit/secrets.toml", &secrets);
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("stty rows 50 cols 400 && \"$0\" \"$@\"; echo \"exit status $?\"")
        .arg(assert_cmd::cargo::cargo_bin("stauth"))
        .args([
            "test-login",
            "--timeout",
            "60",
            "--browser-command",
            &common::idp::node_browser_command(&[]),
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", sb.home())
        .env("XDG_CONFIG_HOME", sb.home().join(".config"))
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .current_dir(sb.path());
    let mut p = rexpect::session::spawn_command(cmd, Some(60_000)).expect("spawn in a pty");
    let raw = p.exp_eof().expect("test-login ends by itself");
    assert!(raw.contains("exit status 3"), "{raw}");
    assert!(!raw.contains("wrong-secret-for-this-test"), "{raw}");
    let lines = screen(&raw);
    let errors: Vec<&String> = lines.iter().filter(|l| l.contains("error:")).collect();
    assert_eq!(errors.len(), 1, "{lines:#?}");
    assert!(
        errors[0].starts_with("error: ") && errors[0].contains("invalid_client"),
        "{lines:#?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("Token exchange")),
        "a refused exchange is not reported as a step done: {lines:#?}"
    );
}
