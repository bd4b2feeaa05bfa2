//! The OS keychain store (issue 6) against a real Secret Service:
//! gnome-keyring on a private D-Bus session bus (tests/common/keyring.rs).
//! `stauth secrets`, `stauth init --store keychain|file` and switching
//! between them, `stauth run` with real Streamlit (AppTest, and `streamlit run`
//! logging in for real), test-login and decode reading the keychain, signals,
//! and the errors without a keychain. Secret values are checked to appear
//! nowhere but where --reveal asks for them.

use crate::common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use common::idp::{free_port, node_browser_command, Idp};
use common::keyring::SecretService;
use common::{assert_no_secret, fingerprint, run, Sandbox, SECRET};
use serde_json::{json, Value};

/// A stauth command in the sandbox, connected to the Secret Service.
fn kc(sb: &Sandbox, ss: &SecretService) -> assert_cmd::Command {
    let mut cmd = sb.cmd();
    ss.connect(&mut cmd);
    cmd
}

/// A secret's value, read back with --reveal.
fn reveal(sb: &Sandbox, ss: &SecretService, name: &str) -> String {
    let (code, out, err) = run(kc(sb, ss).args(["secrets", "get", name, "--reveal"]));
    assert_eq!(code, 0, "secrets get {name} --reveal failed: {err}");
    out.trim_end_matches('\n').to_string()
}

/// Asserts none of `secrets` appears in any of `outputs`.
fn assert_hidden(secrets: &[&str], outputs: &[&str]) {
    for s in secrets {
        for o in outputs {
            assert!(!o.contains(s), "a secret value leaked into output:\n{o}");
        }
    }
}

/// `stauth init` for Google, offline, with the test secret on stdin.
fn init_google(sb: &Sandbox, ss: &SecretService, store: &str) -> (i32, String, String) {
    let mut cmd = sb.init_google(&["--offline", "--store", store]);
    ss.connect(&mut cmd);
    run(&mut cmd)
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn secrets_set_get_list_rm_and_export() {
    let ss = SecretService::start();
    let sb = Sandbox::new();
    sb.write(
        ".streamlit/secrets.toml",
        "[db]\npassword = \"db-pw\"\n\n[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\nclient_id = \"cid\"\nserver_metadata_url = \"https://accounts.google.com/.well-known/openid-configuration\"\n\n[auth.okta]\nclient_id = \"okta-id\"\nserver_metadata_url = \"https://acme.okta.com/.well-known/openid-configuration\"\n",
    );
    // Longer than a part (1024 bytes), with multi-byte characters across the cuts.
    let long: String = "é-long-secret-".repeat(200);

    let (code, out, err) = run(kc(&sb, &ss)
        .args(["secrets", "set", "auth.client_secret"])
        .write_stdin(format!("{SECRET}\n")));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Stored auth.client_secret of "), "{err}");
    assert!(out.is_empty());
    let (code, _, err) = run(kc(&sb, &ss)
        .args(["secrets", "set", "okta.client_secret"])
        .write_stdin(long.clone()));
    assert_eq!(code, 0, "{err}");

    // get: the value only with --reveal, and then only on stdout.
    let (code, out, err) = run(kc(&sb, &ss).args(["secrets", "get", "auth.client_secret"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains(&format!("({} characters). Add --reveal", SECRET.len())),
        "{err}"
    );
    assert_no_secret(&[&out, &err]);
    assert_eq!(reveal(&sb, &ss, "auth.client_secret"), SECRET);
    assert_eq!(reveal(&sb, &ss, "auth.okta.client_secret"), long);

    // list: names only, on stdout; the parts of the long value are not entries.
    let (code, out, err) = run(kc(&sb, &ss).args(["secrets", "list"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "auth.client_secret\nauth.okta.client_secret\n");
    assert!(err.contains("values are never shown"), "{err}");
    let (code, out, _) = run(kc(&sb, &ss).args(["secrets", "list", "--json"]));
    assert_eq!(code, 0);
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed["service"], "stauth");
    assert_eq!(listed["secrets"].as_array().unwrap().len(), 2);
    assert_hidden(&[SECRET, &long], &[&out]);

    // export: refused without --reveal; with it, a complete secrets.toml.
    let (code, out, err) = run(kc(&sb, &ss).args(["secrets", "export"]));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("--reveal"), "{err}");
    assert_hidden(&[SECRET, &long], &[&err]);
    let (code, out, err) = run(kc(&sb, &ss).args(["secrets", "export", "--reveal"]));
    assert_eq!(code, 0, "{err}");
    let doc: toml_edit::DocumentMut = out.parse().expect("export prints valid TOML");
    assert_eq!(doc["db"]["password"].as_str(), Some("db-pw"));
    assert_eq!(doc["auth"]["client_id"].as_str(), Some("cid"));
    assert_eq!(doc["auth"]["client_secret"].as_str(), Some(SECRET));
    assert_eq!(
        doc["auth"]["okta"]["client_secret"].as_str(),
        Some(long.as_str())
    );
    assert!(err.contains("plain text"), "{err}");
    assert!(
        err.contains("auth.cookie_secret is in neither the secrets files nor the OS keychain"),
        "{err}"
    );
    assert!(
        err.contains("redirect_uri is http://localhost:8501/oauth2callback"),
        "{err}"
    );
    assert_hidden(&[SECRET, &long], &[&err]);

    // rm, then it is gone.
    let (code, _, err) = run(kc(&sb, &ss).args(["secrets", "rm", "auth.okta.client_secret"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("st.login will fail until it is stored again"),
        "{err}"
    );
    let (code, out, _) = run(kc(&sb, &ss).args(["secrets", "list"]));
    assert_eq!(code, 0);
    assert_eq!(out, "auth.client_secret\n");
    let (code, out, err) =
        run(kc(&sb, &ss).args(["secrets", "get", "auth.okta.client_secret", "--reveal"]));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("is not in the OS keychain"), "{err}");
    let (code, _, _) = run(kc(&sb, &ss).args(["secrets", "rm", "auth.okta.client_secret"]));
    assert_eq!(code, 2);

    // Names that are not stauth's secrets are refused.
    let (code, _, err) = run(kc(&sb, &ss).args(["secrets", "get", "db.password"]));
    assert_eq!(code, 2);
    assert!(err.contains("auth.NAME.client_secret"), "{err}");

    // Without a terminal and without a value on stdin: exit 2, nothing stored.
    let (code, _, err) = run(kc(&sb, &ss).args(["secrets", "set", "auth.cookie_secret"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing input"), "{err}");
}

#[test]
fn init_store_keychain_keeps_the_secrets_out_of_the_file() {
    let ss = SecretService::start();
    let sb = Sandbox::new();
    sb.write("app.py", "import streamlit as st\n");
    let (code, out, err) = init_google(&sb, &ss, "keychain");
    assert_eq!(code, 0, "{err}");
    assert_no_secret(&[&out, &err]);
    assert!(
        err.contains("Changes to the OS keychain (Secret Service (D-Bus), service \"stauth\"):"),
        "{err}"
    );
    assert!(
        err.contains("+ auth.cookie_secret  (32 random bytes)"),
        "{err}"
    );
    assert!(err.contains("+ auth.client_secret\n"), "{err}");
    assert!(
        err.contains("Start the app with `stauth run -- streamlit run app.py`"),
        "{err}"
    );

    let text = sb.secrets();
    assert_eq!(mode(&sb.file(".streamlit/secrets.toml")), 0o600);
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains("client_secret ="), "{text}");
    assert!(!text.contains("cookie_secret ="), "{text}");
    assert!(
        text.contains("client_id = \"app.apps.googleusercontent.com\""),
        "{text}"
    );
    assert!(
        text.contains("# client_secret and cookie_secret are not in this file: stauth keeps them in the OS keychain (service \"stauth\").\n# Start the app with: stauth run -- streamlit run app.py"),
        "{text}"
    );
    assert_eq!(reveal(&sb, &ss, "auth.client_secret"), SECRET);
    let cookie = reveal(&sb, &ss, "auth.cookie_secret");
    assert_eq!(cookie.len(), 64);
    assert_hidden(&[&cookie], &[&out, &err, &text]);

    // The same again: the app stays on the keychain, and nothing changes.
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));
    let (code, _, err) = run(&mut {
        let mut c = sb.init_google(&["--offline"]);
        ss.connect(&mut c);
        c
    });
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("already up to date"), "{err}");
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);
    assert_eq!(reveal(&sb, &ss, "auth.cookie_secret"), cookie);

    // A new client secret still needs --force, and then replaces the keychain's.
    let (code, _, err) = run(kc(&sb, &ss)
        .args([
            "init",
            "--provider",
            "google",
            "--client-id",
            "app.apps.googleusercontent.com",
            "--client-secret-stdin",
            "--offline",
        ])
        .write_stdin("another-secret\n"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(reveal(&sb, &ss, "auth.client_secret"), SECRET);
    let (code, _, err) = run(kc(&sb, &ss)
        .args([
            "init",
            "--provider",
            "google",
            "--client-id",
            "app.apps.googleusercontent.com",
            "--client-secret-stdin",
            "--offline",
            "--force",
        ])
        .write_stdin("another-secret\n"));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("~ auth.client_secret (replaced)"), "{err}");
    assert!(!err.contains("another-secret"));
    assert_eq!(reveal(&sb, &ss, "auth.client_secret"), "another-secret");

    // --json says where the secrets are.
    let (code, out, err) = run(kc(&sb, &ss).args([
        "init",
        "--provider",
        "google",
        "--offline",
        "--json",
        "--dry-run",
    ]));
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["store"]["kind"], "keychain");
    assert_eq!(report["store"]["keychain"]["service"], "stauth");
    assert_hidden(&[SECRET, &cookie, "another-secret"], &[&out]);
}

#[test]
fn switching_stores_moves_the_values_and_never_loses_them() {
    let ss = SecretService::start();
    let sb = Sandbox::new();
    let cookie_of = |text: &str| -> String {
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        doc["auth"]["cookie_secret"].as_str().unwrap().to_string()
    };

    // File store first (the default without a terminal).
    let (code, _, err) = init_google(&sb, &ss, "file");
    assert_eq!(code, 0, "{err}");
    let cookie = cookie_of(&sb.secrets());
    assert!(sb.secrets().contains(SECRET));

    // File → keychain: the same values move, the file loses them.
    let (code, out, err) = run(kc(&sb, &ss).args([
        "init",
        "--provider",
        "google",
        "--offline",
        "--store",
        "keychain",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("+ auth.client_secret (moved here from .streamlit/secrets.toml)"),
        "{err}"
    );
    assert!(
        err.contains("- [auth] client_secret (moved to the OS keychain)"),
        "{err}"
    );
    assert_hidden(&[SECRET, &cookie], &[&out, &err]);
    let text = sb.secrets();
    assert!(!text.contains(SECRET) && !text.contains(&cookie), "{text}");
    assert_eq!(reveal(&sb, &ss, "auth.client_secret"), SECRET);
    assert_eq!(reveal(&sb, &ss, "auth.cookie_secret"), cookie);

    // Keychain → file: back in the file, gone from the keychain.
    let (code, out, err) = run(kc(&sb, &ss).args([
        "init",
        "--provider",
        "google",
        "--offline",
        "--store",
        "file",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("+ [auth] client_secret = \"********\" (moved here from the OS keychain)"),
        "{err}"
    );
    assert!(
        err.contains("Removed auth.client_secret from the OS keychain"),
        "{err}"
    );
    assert_hidden(&[SECRET, &cookie], &[&out, &err]);
    let text = sb.secrets();
    assert!(
        text.contains(&format!("client_secret = \"{SECRET}\"")),
        "{text}"
    );
    assert_eq!(cookie_of(&text), cookie);
    assert!(
        !text.contains("OS keychain"),
        "the keychain note stayed:\n{text}"
    );
    let (code, out, _) = run(kc(&sb, &ss).args(["secrets", "list"]));
    assert_eq!(code, 0);
    assert!(out.is_empty(), "{out}");
}

/// The app the Streamlit tests run: it shows which `[auth]` keys
/// st.secrets has and how long they are, never a value.
const APP: &str = r#"import streamlit as st

auth = st.secrets["auth"]
for key in sorted(auth.keys()):
    value = auth[key]
    st.markdown(f"{key}: {len(value) if isinstance(value, str) else 'table'}")
"#;

/// Runs app.py with Streamlit's AppTest, reading the secrets files the way
/// `streamlit run` does: its CLI splits STREAMLIT_SECRETS_FILES on
/// whitespace into the `secrets.files` option.
const APPTEST: &str = r#"import json, os, sys
from streamlit import config
config.set_option("secrets.files", os.environ["STREAMLIT_SECRETS_FILES"].split())
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(os.path.abspath("app.py")).run(timeout=30)
print(json.dumps({
    "files": os.environ["STREAMLIT_SECRETS_FILES"].split(),
    "shown": [m.value for m in at.markdown],
    "exceptions": [e.value for e in at.exception],
    "cmdline": open("/proc/self/cmdline", "rb").read().decode(errors="replace"),
}))
"#;

fn venv_python() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/.venv/bin/python")
}

fn venv_streamlit() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/.venv/bin/streamlit")
}

fn require_venv() {
    assert!(
        venv_python().is_file(),
        "{} is missing: run `bash tests/setup.sh` first",
        venv_python().display()
    );
}

#[test]
fn run_gives_streamlit_the_keychain_secrets_and_removes_the_file() {
    require_venv();
    let ss = SecretService::start();
    let sb = Sandbox::new();
    sb.write("app.py", APP);
    sb.write("apptest.py", APPTEST);
    let (code, _, err) = init_google(&sb, &ss, "keychain");
    assert_eq!(code, 0, "{err}");
    let cookie = reveal(&sb, &ss, "auth.cookie_secret");

    let (code, out, err) = run(kc(&sb, &ss)
        .args(["run", "--"])
        .arg(venv_python())
        .arg("apptest.py")
        .timeout(Duration::from_secs(120)));
    assert_eq!(code, 0, "{out}\n{err}");
    assert_hidden(&[SECRET, &cookie], &[&out, &err]);
    let report: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(report["exceptions"], json!([]), "{report}");
    assert_eq!(
        report["shown"],
        json!([
            format!("client_id: {}", "app.apps.googleusercontent.com".len()),
            format!("client_secret: {}", SECRET.len()),
            "cookie_secret: 64",
            "redirect_uri: 36",
            "server_metadata_url: 60",
        ]),
        "{report}"
    );
    let files: Vec<PathBuf> = serde_json::from_value::<Vec<String>>(report["files"].clone())
        .unwrap()
        .into_iter()
        .map(PathBuf::from)
        .collect();
    assert_eq!(
        files.len(),
        2,
        "the app's secrets file, then stauth's: {files:?}"
    );
    assert_eq!(
        files[0],
        sb.file(".streamlit/secrets.toml").canonicalize().unwrap()
    );
    let temp = files.last().unwrap();
    assert!(
        !temp.exists(),
        "{} is still there after the command exited",
        temp.display()
    );
    assert!(
        !temp.parent().unwrap().exists(),
        "the private folder is still there"
    );
    assert_hidden(&[SECRET, &cookie], &[report["cmdline"].as_str().unwrap()]);

    // The real `streamlit` command line parses the list the same way.
    let (code, out, err) = run(kc(&sb, &ss)
        .args(["run", "--"])
        .arg(venv_streamlit())
        .args(["config", "show"])
        .timeout(Duration::from_secs(120)));
    assert_eq!(code, 0, "{err}");
    let start = out
        .find("\nfiles = [")
        .unwrap_or_else(|| panic!("no secrets.files in `streamlit config show`:\n{out}"));
    let files_line = &out[start..start + out[start..].find(']').unwrap()];
    assert!(
        files_line.contains(".streamlit/secrets.toml"),
        "{files_line}"
    );
    assert!(files_line.contains("stauth-run-"), "{files_line}");
    assert_hidden(&[SECRET, &cookie], &[&out, &err]);

    // COMMAND's exit code is stauth's; an unknown command is 127.
    let (code, _, _) = run(kc(&sb, &ss).args(["run", "--", "sh", "-c", "exit 7"]));
    assert_eq!(code, 7);
    let (code, _, err) = run(kc(&sb, &ss).args(["run", "--", "no-such-command-xyz"]));
    assert_eq!(code, 127, "{err}");
    assert!(err.contains("cannot start no-such-command-xyz"), "{err}");
}

/// `stauth run -- sh -c SCRIPT` started in the background; returns the child
/// and the first line the script printed.
fn spawn_run(sb: &Sandbox, ss: &SecretService, script: &str) -> (Child, String) {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("stauth"));
    cmd.args(["run", "--", "sh", "-c", script])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sb.home())
        .current_dir(sb.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    ss.connect_std(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_string())
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("stauth run did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, sig: libc::c_int) {
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

#[test]
fn signals_are_passed_on_and_the_file_goes_at_once() {
    let ss = SecretService::start();
    let sb = Sandbox::new();
    let (code, _, err) = init_google(&sb, &ss, "keychain");
    assert_eq!(code, 0, "{err}");
    let cookie = reveal(&sb, &ss, "auth.cookie_secret");

    for (sig, expected) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let (mut child, line) = spawn_run(
            &sb,
            &ss,
            "echo \"$$ $STREAMLIT_SECRETS_FILES\"; exec sleep 60",
        );
        let mut words = line.split(' ');
        let pid: u32 = words.next().unwrap().parse().unwrap();
        let temp = PathBuf::from(words.next_back().unwrap());
        assert!(temp.is_file(), "{line}");
        assert_eq!(mode(&temp), 0o600);
        assert_eq!(mode(temp.parent().unwrap()), 0o700);
        // The child's command line and environment hold no secret.
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
        assert_hidden(
            &[SECRET, &cookie],
            &[
                &String::from_utf8_lossy(&cmdline),
                &String::from_utf8_lossy(&environ),
            ],
        );
        signal(&child, sig);
        let status = wait_with_timeout(&mut child, Duration::from_secs(10));
        assert_eq!(status.code(), Some(expected), "signal {sig}");
        assert!(
            !temp.exists() && !temp.parent().unwrap().exists(),
            "signal {sig}: the file stayed"
        );
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_hidden(&[SECRET, &cookie], &[&err]);
    }

    // A command that ignores Ctrl-C keeps running, but the file goes at once.
    let (mut child, line) = spawn_run(
        &sb,
        &ss,
        "trap '' INT; echo \"$STREAMLIT_SECRETS_FILES\"; sleep 3; exit 5",
    );
    let temp = PathBuf::from(line.split(' ').next_back().unwrap());
    assert!(temp.is_file());
    signal(&child, libc::SIGINT);
    let started = Instant::now();
    while temp.exists() && started.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        !temp.exists(),
        "the file stayed after stauth was interrupted"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "the command should still run"
    );
    let status = wait_with_timeout(&mut child, Duration::from_secs(10));
    assert_eq!(status.code(), Some(5));
}

#[test]
fn without_a_secret_service_it_fails_clearly_and_changes_nothing() {
    let sb = Sandbox::new();
    let nowhere = format!("unix:path={}/no-bus", sb.home().display());
    let no_bus = |cmd: &mut assert_cmd::Command| {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &nowhere);
    };
    let check = |code: i32, out: &str, err: &str| {
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("error: the OS keychain is not reachable: Secret Service (D-Bus)"),
            "{err}"
        );
        assert!(err.contains("--store file"), "{err}");
        assert!(err.contains("dbus-run-session"), "{err}");
        assert!(err.contains("gnome-keyring-daemon --unlock"), "{err}");
        assert_no_secret(&[out, err]);
    };

    // A new app: nothing is created.
    let mut cmd = sb.init_google(&["--offline", "--store", "keychain"]);
    no_bus(&mut cmd);
    let (code, out, err) = run(&mut cmd);
    check(code, &out, &err);
    assert!(!sb.file(".streamlit").exists());

    // An app with its secrets in the file: moving them is refused, the file stays.
    let (code, _, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 0, "{err}");
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));
    let mut cmd = sb.cmd();
    cmd.args([
        "init",
        "--provider",
        "google",
        "--offline",
        "--store",
        "keychain",
    ]);
    no_bus(&mut cmd);
    let (code, out, err) = run(&mut cmd);
    check(code, &out, &err);
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);

    // Commands that need the keychain say the same.
    for args in [
        &["secrets", "list"][..],
        &["secrets", "get", "auth.client_secret"],
        &["secrets", "rm", "auth.client_secret"],
    ] {
        let mut cmd = sb.cmd();
        cmd.args(args);
        no_bus(&mut cmd);
        let (code, out, err) = run(&mut cmd);
        check(code, &out, &err);
    }
    let mut cmd = sb.cmd();
    cmd.args(["secrets", "set", "auth.client_secret"])
        .write_stdin("x\n");
    no_bus(&mut cmd);
    let (code, out, err) = run(&mut cmd);
    check(code, &out, &err);

    // An app whose secrets are all in its file runs without a keychain:
    // no temporary file, STREAMLIT_SECRETS_FILES untouched.
    let mut cmd = sb.cmd();
    cmd.args([
        "run",
        "--",
        "sh",
        "-c",
        "echo \"[${STREAMLIT_SECRETS_FILES:-unset}]\"",
    ]);
    no_bus(&mut cmd);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "[unset]\n");
}

#[test]
fn a_keychain_app_without_a_secret_service_is_not_started() {
    let ss = SecretService::start();
    let sb = Sandbox::new();
    let (code, _, err) = init_google(&sb, &ss, "keychain");
    assert_eq!(code, 0, "{err}");
    drop(ss);
    let nowhere = format!("unix:path={}/no-bus", sb.home().display());
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));

    let (code, out, err) = run(sb
        .cmd()
        .args(["run", "--", "touch", "started"])
        .env("DBUS_SESSION_BUS_ADDRESS", &nowhere));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("the OS keychain is not reachable"), "{err}");
    assert!(
        !sb.file("started").exists(),
        "the command ran without its secrets"
    );

    // Moving back to the file needs the keychain too: refused, nothing changes.
    let (code, _, err) = run(sb
        .cmd()
        .args([
            "init",
            "--provider",
            "google",
            "--offline",
            "--store",
            "file",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", &nowhere));
    assert_eq!(code, 2, "{err}");
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);

    // test-login and decode name the keychain too.
    let (code, _, err) = run(sb
        .cmd()
        .args(["test-login", "--no-browser", "--timeout", "1"])
        .env("DBUS_SESSION_BUS_ADDRESS", &nowhere));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the OS keychain is not reachable"), "{err}");
    let (code, _, err) = run(sb
        .cmd()
        .args(["decode", "--cookie", "x.y.z"])
        .env("DBUS_SESSION_BUS_ADDRESS", &nowhere));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the OS keychain is not reachable"), "{err}");
}

/// Logs in to a running Streamlit app over plain HTTP with Python's httpx
/// (from the test venv): /auth/login → the test IdP's login form → the
/// app's /oauth2callback, where Streamlit exchanges the code with its
/// client_secret and sets the _streamlit_user cookie signed with its
/// cookie_secret. Prints {"callback_status", "user_cookie"}.
const LOGIN_DRIVER: &str = r#"import json, re, sys
import httpx

with httpx.Client(follow_redirects=False, timeout=15) as c:
    method, url, data = "GET", sys.argv[1], None
    for _ in range(40):
        r = c.request(method, url, data=data)
        method, data = "GET", None
        if r.is_redirect:
            nxt = r.url.join(r.headers["location"])
            if nxt.path.endswith("/oauth2callback"):
                cb = c.get(nxt)
                user = None
                for k, v in cb.headers.multi_items():
                    m = re.match(r"_streamlit_user=([^;]*)", v) if k.lower() == "set-cookie" else None
                    if m and m.group(1):
                        user = m.group(1)
                print(json.dumps({"callback_status": cb.status_code, "user_cookie": user}))
                sys.exit(0)
            url = str(nxt)
            continue
        form = re.search(r'<form id="login"[^>]*action="([^"]+)"', r.text)
        uid = re.search(r'name="uid" value="([^"]+)"', r.text)
        if r.status_code != 200 or not form or not uid:
            print(json.dumps({"error": f"unexpected page {r.status_code} at {r.url}"}))
            sys.exit(3)
        method, url = "POST", str(r.url.join(form.group(1)))
        data = {"uid": uid.group(1), "login": "alice", "password": "any"}
print(json.dumps({"error": "too many redirects"}))
sys.exit(3)
"#;

/// Streamlit's provider token for /auth/login: an HS256 JWT
/// {"provider": ..., "exp": now + 120} signed with cookie_secret.
fn provider_token(provider: &str, cookie_secret: &str) -> String {
    use base64::Engine as _;
    use hmac::Mac as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 120;
    let signing_input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(json!({"provider": provider, "exp": exp})
            .to_string()
            .as_bytes())
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(cookie_secret.as_bytes()).unwrap();
    mac.update(signing_input.as_bytes());
    format!("{signing_input}.{}", b64(&mac.finalize().into_bytes()))
}

/// Lines a child prints, collected by a thread; the receiver hears when the
/// stream ended (every line is in).
fn collect(stream: impl Read + Send + 'static) -> (Arc<Mutex<String>>, mpsc::Receiver<()>) {
    let text = Arc::new(Mutex::new(String::new()));
    let t = Arc::clone(&text);
    let (done, ended) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let mut t = t.lock().unwrap();
            t.push_str(&line);
            t.push('\n');
        }
        let _ = done.send(());
    });
    (text, ended)
}

fn wait_healthy(port: u16, child: &mut Child, output: &Arc<Mutex<String>>) {
    let started = Instant::now();
    let url = format!("http://127.0.0.1:{port}/_stcore/health");
    loop {
        if let Ok(r) = reqwest::blocking::get(&url) {
            if r.status().is_success() {
                return;
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("stauth run exited ({status}):\n{}", output.lock().unwrap());
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("Streamlit did not come up:\n{}", output.lock().unwrap());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The first child process of `pid`.
fn first_child(pid: u32) -> u32 {
    let started = Instant::now();
    loop {
        let list =
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        if let Some(c) = list.split_whitespace().next() {
            return c.parse().unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no child of {pid}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn real_streamlit_under_stauth_run_logs_in_with_the_keychain_secrets() {
    require_venv();
    const IDP_SECRET: &str = "idp-client-secret-kept-in-the-keychain-77";
    let ss = SecretService::start();
    let port = free_port();
    let redirect = format!("http://localhost:{port}/oauth2callback");
    let idp = Idp::start(json!({
        "clients": [{
            "client_id": "stauth-test",
            "client_secret": IDP_SECRET,
            "redirect_uris": [redirect],
            "post_logout_redirect_uris": [redirect],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }],
    }));
    let sb = Sandbox::new();
    sb.write("app.py", APP);
    let mut init = sb.init_test_idp(&idp.issuer, &redirect, IDP_SECRET, &["--store", "keychain"]);
    ss.connect(&mut init);
    let (code, out, err) = run(&mut init);
    assert_eq!(code, 0, "{err}");
    assert!(!sb.secrets().contains(IDP_SECRET));
    let cookie_secret = reveal(&sb, &ss, "auth.cookie_secret");
    let secrets = [IDP_SECRET, cookie_secret.as_str()];
    assert_hidden(&secrets, &[&out, &err]);

    // test-login takes the client secret from the keychain: a real token exchange.
    let (code, out, err) = run(kc(&sb, &ss).args([
        "test-login",
        "--browser-command",
        &node_browser_command(&[]),
        "--timeout",
        "30",
    ]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("The login works"), "{err}");
    assert_hidden(&secrets, &[&out, &err]);

    // The real app, started by stauth run.
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("stauth"));
    cmd.args(["run", "--"])
        .arg(venv_streamlit())
        .args([
            "run",
            "app.py",
            "--server.port",
            &port.to_string(),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sb.home())
        .current_dir(sb.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    ss.connect_std(&mut cmd);
    let mut stauth = cmd.spawn().unwrap();
    let (stdout, stdout_ended) = collect(stauth.stdout.take().unwrap());
    let (stderr, stderr_ended) = collect(stauth.stderr.take().unwrap());
    wait_healthy(port, &mut stauth, &stderr);

    // Streamlit's process: the secrets file is listed, the secrets are not in
    // its command line or environment.
    let streamlit = first_child(stauth.id());
    let environ =
        String::from_utf8_lossy(&std::fs::read(format!("/proc/{streamlit}/environ")).unwrap())
            .into_owned();
    let cmdline =
        String::from_utf8_lossy(&std::fs::read(format!("/proc/{streamlit}/cmdline")).unwrap())
            .into_owned();
    assert_hidden(&secrets, &[&environ, &cmdline]);
    let files = environ
        .split('\0')
        .find_map(|v| v.strip_prefix("STREAMLIT_SECRETS_FILES="))
        .expect("STREAMLIT_SECRETS_FILES is set")
        .to_string();
    let temp = PathBuf::from(files.split(' ').next_back().unwrap());
    assert!(temp.is_file(), "{files}");

    // A whole login: Streamlit uses the keychain's client_secret for the
    // token exchange and signs the cookie with the keychain's cookie_secret.
    let token = provider_token("default", &cookie_secret);
    let login = Command::new(venv_python())
        .arg("-c")
        .arg(LOGIN_DRIVER)
        .arg(format!(
            "http://localhost:{port}/auth/login?provider={token}"
        ))
        .output()
        .unwrap();
    let login_out = String::from_utf8_lossy(&login.stdout).into_owned();
    assert!(
        login.status.success(),
        "{login_out}\n{}",
        String::from_utf8_lossy(&login.stderr)
    );
    let result: Value = serde_json::from_str(login_out.trim()).unwrap();
    let user_cookie = result["user_cookie"]
        .as_str()
        .unwrap_or_else(|| panic!("no login cookie: {result}\n{}", stderr.lock().unwrap()))
        .to_string();

    // decode verifies that cookie with the cookie_secret from the keychain.
    let (code, out, err) = run(kc(&sb, &ss).args(["decode", "--cookie", &user_cookie]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("signature valid"), "{out}");
    assert!(out.contains("cookie_secret from the OS keychain"), "{out}");
    assert!(out.contains("alice@example.com"), "{out}");
    assert_hidden(&secrets, &[&out, &err]);

    // Ctrl-C (from a process, as `kill -INT` does): Streamlit stops, the file goes.
    signal(&stauth, libc::SIGINT);
    let status = wait_with_timeout(&mut stauth, Duration::from_secs(30));
    assert!(
        status.code().is_some(),
        "stauth itself was killed: {status}"
    );
    assert!(
        !temp.exists() && !temp.parent().unwrap().exists(),
        "the secrets file stayed"
    );
    // Streamlit may still hold the pipes a moment after stauth exits.
    for ended in [&stdout_ended, &stderr_ended] {
        let _ = ended.recv_timeout(Duration::from_secs(10));
    }
    let all = format!("{}\n{}", stdout.lock().unwrap(), stderr.lock().unwrap());
    assert!(all.contains("You can now view your Streamlit app"), "{all}");
    assert!(!all.contains("OAuth token exchange failed"), "{all}");
    assert_hidden(&secrets, &[&all]);
}

#[test]
fn the_wizard_offers_the_keychain_first() {
    use rexpect::session::spawn_command;
    let ss = SecretService::start();
    let sb = Sandbox::new();
    // A pty with a real size, as a terminal window has.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("stty rows 50 cols 200 && exec \"$0\" init \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("stauth"))
        .args(["--offline", "--provider", "google", "--client-id", "c"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sb.home())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("DBUS_SESSION_BUS_ADDRESS", ss.address())
        .current_dir(sb.path());
    let mut p = spawn_command(cmd, Some(20_000)).expect("spawn stauth in a pty");
    p.exp_string("Redirect URI").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Where should stauth keep the client secret and the cookie secret?")
        .unwrap();
    p.exp_string("the OS keychain (Secret Service (D-Bus))")
        .unwrap();
    common::pty::wait_for_key_reader(&p);
    p.send("\r").unwrap(); // the first choice: the keychain
    p.flush().unwrap();
    p.exp_string("Client secret (input hidden)").unwrap();
    p.send_line(SECRET).unwrap();
    p.exp_string("+ auth.client_secret").unwrap();
    p.exp_string("Write .streamlit/secrets.toml? [Y/n]")
        .unwrap();
    p.send_line("y").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(
        rest.contains("Stored auth.cookie_secret, auth.client_secret"),
        "{rest}"
    );
    assert!(!rest.contains(SECRET), "the hidden secret was echoed");
    assert!(!sb.secrets().contains(SECRET));
    assert_eq!(reveal(&sb, &ss, "auth.client_secret"), SECRET);
}

/// Streamlit 1.46+ also reads `<script dir>/.streamlit/secrets.toml`. The
/// list `stauth run` hands over replaces Streamlit's own, so it must name
/// that file too, in Streamlit's order (after the app folder's).
#[test]
fn run_lists_the_secrets_next_to_the_script() {
    let ss = SecretService::start();
    let sb = Sandbox::new();
    let (code, _, err) = init_google(&sb, &ss, "keychain");
    assert_eq!(code, 0, "{err}");
    sb.write("pages/.streamlit/secrets.toml", "[db]\nuser = \"pages\"\n");
    // A stand-in `streamlit` that prints the list it was given.
    sb.write_executable(
        "bin/streamlit",
        "#!/bin/sh\necho \"$STREAMLIT_SECRETS_FILES\"\n",
    );
    let listed = |script: &str| -> Vec<PathBuf> {
        let (code, out, err) =
            run(kc(&sb, &ss).args(["run", "--", "./bin/streamlit", "run", script]));
        assert_eq!(code, 0, "{err}");
        out.split_whitespace().map(PathBuf::from).collect()
    };
    let canonical = |p: &Path| p.canonicalize().unwrap();

    let files = listed("pages/app.py");
    assert_eq!(files.len(), 3, "app, script folder, stauth's: {files:?}");
    assert_eq!(
        canonical(&files[0]),
        canonical(&sb.file(".streamlit/secrets.toml"))
    );
    assert_eq!(
        canonical(&files[1]),
        canonical(&sb.file("pages/.streamlit/secrets.toml"))
    );
    // A script in the app folder: its secrets file is the app folder's, once.
    assert_eq!(listed("app.py").len(), 2);
}
