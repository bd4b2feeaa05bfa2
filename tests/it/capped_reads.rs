//! Issue #10 item 4: no input can make stauth read without end or block.
//! Devices (`/dev/zero`), FIFOs and oversized files given as `--file`,
//! `--key`, `--jwks`, endless stdin for every secret and token, hostile
//! `secrets.toml` / `config.toml` in the app and in sibling apps doctor looks
//! at, big `.py` files and a zlib bomb in a cookie.
//!
//! Every run is the real binary under `ulimit -v` (a runaway read fails hard
//! instead of eating the machine) and a wall-clock deadline (a read blocked on
//! a FIFO is killed and fails the test); each asserts the exit code, the
//! message and the child's own peak memory (from `wait4`).

use crate::common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::keyring::SecretService;
use common::Sandbox;
use serde_json::Value;

/// Address-space limit for the child: a few times what stauth needs, far
/// below what an unbounded read of /dev/zero grows to.
const VMEM_KIB: u64 = 1_000_000;
/// Peak resident memory a capped run may use. The caps are at most 2 MiB, so
/// anything near this means a read was not capped.
const MAX_RSS_KIB: i64 = 96 * 1024;
/// Generous for a loaded machine; a read blocked on a FIFO never finishes.
const DEADLINE: Duration = Duration::from_secs(40);

/// An HS256 token (`{"alg":"HS256","typ":"JWT"}.{"sub":"x"}`), so stauth gets
/// as far as reading the key it is asked to verify with.
const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

const HEALTHY: &str = "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"0123456789abcdef0123456789abcdef0123456789abcdef\"\nclient_id = \"app\"\nclient_secret = \"s3cret\"\nserver_metadata_url = \"https://accounts.google.com/.well-known/openid-configuration\"\n";

enum Input {
    Null,
    DevZero,
    Text(String),
}

struct Outcome {
    /// None when killed by a signal (e.g. SIGABRT after a failed allocation).
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    max_rss_kib: i64,
}

impl Outcome {
    fn describe(&self) -> String {
        format!(
            "exit {:?} signal {:?}, peak RSS {} KiB\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.signal, self.max_rss_kib, self.stdout, self.stderr
        )
    }

    /// Finished on its own with `code`, within the memory bound.
    fn assert_exit(&self, code: i32) {
        assert_eq!(self.code, Some(code), "{}", self.describe());
        assert!(
            self.max_rss_kib < MAX_RSS_KIB,
            "peak memory too high: {}",
            self.describe()
        );
    }
}

/// Runs `stauth args` in the sandbox's app folder (clean environment, as
/// `Sandbox::cmd`) under `ulimit -v` and `DEADLINE`.
fn run_capped(sb: &Sandbox, args: &[&str], input: Input, env: &[(&str, &str)]) -> Outcome {
    let bin = assert_cmd::cargo::cargo_bin("stauth");
    let io = tempfile::tempdir().unwrap();
    let stdin = match input {
        Input::Null => Stdio::null(),
        Input::DevZero => Stdio::from(File::open("/dev/zero").unwrap()),
        Input::Text(text) => {
            let p = io.path().join("stdin");
            std::fs::write(&p, text).unwrap();
            Stdio::from(File::open(p).unwrap())
        }
    };
    let (out_path, err_path) = (io.path().join("stdout"), io.path().join("stderr"));
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {VMEM_KIB} && exec \"$0\" \"$@\""))
        .arg(&bin)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sb.home())
        .env("XDG_CONFIG_HOME", sb.home().join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .envs(env.iter().copied())
        .current_dir(sb.path())
        .stdin(stdin)
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap());
    // Reaped with wait4 below (not Child::wait), which also gives the child's
    // own peak memory.
    #[allow(clippy::zombie_processes)]
    let pid = cmd.spawn().unwrap().id() as libc::pid_t;
    let started = Instant::now();
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for this one child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(r >= 0, "wait4: {}", std::io::Error::last_os_error());
        if r == pid {
            break;
        }
        if started.elapsed() > DEADLINE {
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut usage);
            }
            panic!(
                "stauth {args:?} did not finish within {DEADLINE:?} (blocked on a FIFO or reading without end); stderr:\n{}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let exited = libc::WIFEXITED(status);
    Outcome {
        code: exited.then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        stdout: std::fs::read_to_string(&out_path).unwrap(),
        stderr: std::fs::read_to_string(&err_path).unwrap(),
        max_rss_kib: usage.ru_maxrss,
    }
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

fn link_to_dev_zero(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/dev/zero", path).unwrap();
}

fn venv_python() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/.venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run bash tests/setup.sh first",
        p.display()
    );
    p
}

/// An app folder with a private secrets file and an app script.
fn app(secrets: &str) -> Sandbox {
    let sb = Sandbox::new();
    sb.write(".streamlit/secrets.toml", secrets);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        sb.file(".streamlit/secrets.toml"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    sb.write("app.py", "import streamlit as st\nst.write(st.user)\n");
    sb
}

/// `doctor --json --offline` with the test venv, capped; the checks by id.
fn doctor(sb: &Sandbox) -> (Outcome, Vec<Value>) {
    let python = venv_python();
    let o = run_capped(
        sb,
        &[
            "doctor",
            "--json",
            "--offline",
            "--python",
            python.to_str().unwrap(),
        ],
        Input::Null,
        &[],
    );
    let v: Value = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", o.describe()));
    let checks = v["checks"].as_array().cloned().unwrap_or_default();
    (o, checks)
}

/// (id, severity, message) of every check that is not "ok", sorted.
fn not_ok(checks: &[Value]) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = checks
        .iter()
        .filter(|c| c["severity"] != "ok")
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                c["severity"].as_str().unwrap_or_default().to_string(),
                c["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn devices_as_token_key_and_jwks_files_are_refused_at_once() {
    let sb = Sandbox::new();
    for args in [
        vec!["decode", "--file", "/dev/zero"],
        vec!["decode", "--key", "/dev/zero", TOKEN],
        vec!["decode", "--jwks", "/dev/zero", TOKEN],
    ] {
        let o = run_capped(&sb, &args, Input::Null, &[]);
        o.assert_exit(2);
        let flag = args[1];
        assert!(
            o.stderr.contains(&format!(
                "{flag} /dev/zero: it is a character device, not a regular file; stauth reads only regular files"
            )),
            "{args:?}: {}",
            o.describe()
        );
        assert!(o.stdout.is_empty(), "{}", o.describe());
    }
}

#[test]
fn fifos_as_token_key_and_jwks_files_do_not_block() {
    let sb = Sandbox::new();
    let fifo = sb.file("pipe");
    mkfifo(&fifo);
    let fifo = fifo.to_str().unwrap();
    for args in [
        vec!["decode", "--file", fifo],
        vec!["decode", "--key", fifo, TOKEN],
        vec!["decode", "--jwks", fifo, TOKEN],
    ] {
        let o = run_capped(&sb, &args, Input::Null, &[]);
        o.assert_exit(2);
        assert!(
            o.stderr.contains(&format!(
                "{} {fifo}: it is a FIFO (named pipe), not a regular file",
                args[1]
            )),
            "{args:?}: {}",
            o.describe()
        );
    }
}

#[test]
fn a_token_file_past_the_cap_is_refused_with_the_cap() {
    let sb = Sandbox::new();
    sb.write("big.jwt", &"a".repeat(2 << 20));
    let o = run_capped(&sb, &["decode", "--file", "big.jwt"], Input::Null, &[]);
    o.assert_exit(2);
    assert!(
        o.stderr
            .contains("--file big.jwt: the token file is larger than stauth's 1 MiB limit for it"),
        "{}",
        o.describe()
    );
    // A key file past its cap the same way.
    sb.write("big.pem", &"a".repeat(2 << 20));
    let o = run_capped(
        &sb,
        &["decode", "--key", "big.pem", TOKEN],
        Input::Null,
        &[],
    );
    o.assert_exit(2);
    assert!(
        o.stderr
            .contains("--key big.pem: the key file is larger than stauth's 1 MiB limit for it"),
        "{}",
        o.describe()
    );
}

#[test]
fn an_endless_token_on_stdin_stops_at_the_cap() {
    let sb = Sandbox::new();
    let o = run_capped(&sb, &["decode", "-"], Input::DevZero, &[]);
    o.assert_exit(2);
    assert!(
        o.stderr
            .contains("the token on stdin is larger than stauth's 1 MiB limit for it"),
        "{}",
        o.describe()
    );
}

#[test]
fn an_endless_hmac_secret_on_stdin_stops_at_the_cap() {
    let sb = Sandbox::new();
    let o = run_capped(
        &sb,
        &["decode", "--secret-stdin", TOKEN],
        Input::DevZero,
        &[],
    );
    o.assert_exit(2);
    assert!(
        o.stderr
            .contains("the secret on stdin is larger than stauth's 64 KiB limit for it"),
        "{}",
        o.describe()
    );
    // Just under the cap is read (and is simply the wrong secret).
    let o = run_capped(
        &sb,
        &["decode", "--secret-stdin", TOKEN],
        Input::Text("k".repeat(64 * 1024)),
        &[],
    );
    o.assert_exit(1);
}

#[test]
fn an_endless_client_secret_on_stdin_writes_nothing() {
    let sb = Sandbox::new();
    let o = run_capped(
        &sb,
        &[
            "init",
            "--provider",
            "google",
            "--client-id",
            "app.apps.googleusercontent.com",
            "--client-secret-stdin",
            "--offline",
        ],
        Input::DevZero,
        &[],
    );
    o.assert_exit(2);
    assert!(
        o.stderr
            .contains("the client secret on stdin is larger than stauth's 64 KiB limit for it"),
        "{}",
        o.describe()
    );
    assert!(o.stderr.contains("Nothing was written"), "{}", o.describe());
    assert!(
        !sb.file(".streamlit").exists(),
        "init wrote something: {:?}",
        std::fs::read_dir(sb.path()).unwrap().collect::<Vec<_>>()
    );
}

#[test]
fn an_endless_value_for_secrets_set_stores_nothing() {
    let ss = SecretService::start();
    let sb = Sandbox::new();
    let bus = [("DBUS_SESSION_BUS_ADDRESS", ss.address())];
    let o = run_capped(
        &sb,
        &["secrets", "set", "auth.cookie_secret"],
        Input::DevZero,
        &bus,
    );
    o.assert_exit(2);
    assert!(
        o.stderr.contains(
            "the value of auth.cookie_secret on stdin is larger than stauth's 64 KiB limit for it"
        ),
        "{}",
        o.describe()
    );
    let o = run_capped(&sb, &["secrets", "list", "--json"], Input::Null, &bus);
    assert_eq!(o.code, Some(0), "{}", o.describe());
    assert!(
        !o.stdout.contains("auth.cookie_secret"),
        "a value was stored: {}",
        o.describe()
    );
}

#[test]
fn the_apps_config_toml_as_a_fifo_or_device_fails_doctor_and_init_at_once() {
    for hostile in ["fifo", "dev-zero"] {
        let sb = app(HEALTHY);
        let config = sb.file(".streamlit/config.toml");
        let kind = if hostile == "fifo" {
            mkfifo(&config);
            "a FIFO (named pipe)"
        } else {
            link_to_dev_zero(&config);
            "a character device"
        };
        let python = venv_python();
        let o = run_capped(
            &sb,
            &["doctor", "--offline", "--python", python.to_str().unwrap()],
            Input::Null,
            &[],
        );
        o.assert_exit(2);
        assert!(
            o.stderr.contains(&format!(
                ".streamlit/config.toml: it is {kind}, not a regular file"
            )),
            "{}",
            o.describe()
        );
        // init stops at the same point, before writing anything.
        let before = common::fingerprint(&sb.file(".streamlit/secrets.toml"));
        let o = run_capped(
            &sb,
            &[
                "init",
                "--provider",
                "google",
                "--name",
                "extra",
                "--client-id",
                "app.apps.googleusercontent.com",
                "--client-secret-stdin",
                "--offline",
            ],
            Input::Text("s3cret\n".into()),
            &[],
        );
        o.assert_exit(2);
        assert!(
            o.stderr.contains(&format!(
                ".streamlit/config.toml: it is {kind}, not a regular file"
            )),
            "{}",
            o.describe()
        );
        assert_eq!(
            common::fingerprint(&sb.file(".streamlit/secrets.toml")),
            before
        );
    }
}

#[test]
fn the_apps_secrets_toml_as_a_fifo_or_device_does_not_hang_doctor() {
    for hostile in ["fifo", "dev-zero"] {
        let sb = Sandbox::new();
        sb.write("app.py", "import streamlit as st\nst.login()\n");
        let secrets = sb.file(".streamlit/secrets.toml");
        if hostile == "fifo" {
            mkfifo(&secrets);
        } else {
            link_to_dev_zero(&secrets);
        }
        let (o, checks) = doctor(&sb);
        assert!(o.max_rss_kib < MAX_RSS_KIB, "{}", o.describe());
        // The file is reported as unloadable, with the reason.
        let problem = checks
            .iter()
            .find(|c| c["id"] == "secrets.toml")
            .unwrap_or_else(|| panic!("no secrets.toml finding: {}", o.describe()));
        assert_eq!(problem["severity"], "error", "{}", o.describe());
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("not a regular file"),
            "{problem}"
        );
        assert_eq!(o.code, Some(1), "{}", o.describe());
    }
}

#[test]
fn hostile_sibling_apps_leave_doctors_verdict_unchanged() {
    let sb = app(HEALTHY);
    let (baseline, base_checks) = doctor(&sb);
    assert!(baseline.code.is_some(), "{}", baseline.describe());

    let parent = sb.path().parent().unwrap().to_path_buf();
    // A sibling whose secrets.toml links to /dev/zero (the 16 GB run), one
    // whose secrets.toml is a FIFO, and one that shares the redirect URI
    // (so doctor reads its config.toml for the port) with a FIFO config.toml.
    link_to_dev_zero(&parent.join("zero/.streamlit/secrets.toml"));
    mkfifo(&parent.join("pipe/.streamlit/secrets.toml"));
    let shared = parent.join("shared/.streamlit");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::write(
        shared.join("secrets.toml"),
        HEALTHY.replace("0123456789abcdef", "fedcba9876543210"),
    )
    .unwrap();
    mkfifo(&shared.join("config.toml"));
    // And in the app itself: a .py link to /dev/zero and a .py FIFO, which
    // the code scan must neither follow nor open.
    link_to_dev_zero(&sb.file("evil.py"));
    mkfifo(&sb.file("pipe.py"));

    let (o, checks) = doctor(&sb);
    assert_eq!(o.code, baseline.code, "{}", o.describe());
    assert!(o.max_rss_kib < MAX_RSS_KIB, "{}", o.describe());
    // The same findings: nothing about the unreadable siblings (no "port 0"
    // for ../shared, whose port cannot be known) and no error.
    assert_eq!(not_ok(&checks), not_ok(&base_checks), "{}", o.describe());
}

#[test]
fn a_python_file_past_the_cap_is_skipped_with_a_note() {
    let sb = app(HEALTHY);
    let mut big = String::from("import streamlit as st\nst.experimental_user\n");
    while big.len() <= 2 << 20 {
        big.push_str("# padding padding padding padding padding padding padding\n");
    }
    sb.write("big.py", &big);
    let (o, checks) = doctor(&sb);
    assert!(o.max_rss_kib < MAX_RSS_KIB, "{}", o.describe());
    let note = checks
        .iter()
        .find(|c| c["id"] == "code.skipped")
        .unwrap_or_else(|| panic!("no note: {}", o.describe()));
    assert_eq!(note["severity"], "info");
    assert_eq!(
        note["message"], "not scanned, larger than 2 MiB: big.py",
        "{note}"
    );
    // Skipped, so its st.experimental_user is not reported.
    assert!(
        checks
            .iter()
            .any(|c| c["id"] == "code.experimental_user" && c["severity"] == "ok"),
        "{}",
        o.describe()
    );
}

#[test]
fn a_zlib_bomb_in_a_cookie_stops_at_the_cap() {
    let sb = Sandbox::new();
    let secret = "0123456789abcdef0123456789abcdef0123456789abcdef";
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // 8 MiB of one byte: itsdangerous compresses it (as Streamlit's cookie
    // signer would) to a few KiB.
    let bomb = stauth::streamlit::cookies::sign_itsdangerous(
        secret,
        "_streamlit_user",
        &"x".repeat(8 << 20),
        now,
    );
    assert!(bomb.starts_with('.'), "not compressed");
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    let o = run_capped(
        &sb,
        &["decode", "--cookie", &bomb, "--secret-stdin"],
        Input::Text(secret.into()),
        &[],
    );
    o.assert_exit(1);
    assert!(
        o.stderr.contains(
            "_streamlit_user: the signed payload is not readable (it decompresses to more than stauth's 1 MiB limit)"
        ),
        "{}",
        o.describe()
    );
}
