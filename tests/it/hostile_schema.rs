//! Hostile secrets files (issue #10, items 5 and 9 and the capped read):
//! doctor and init must agree with what real Streamlit 1.67 does with the
//! same file (tests/py/auth_config_oracle.py runs Streamlit's own login code
//! against a stub provider on 127.0.0.1), never print a secret found in
//! `client_kwargs`, and fail fast on a secrets.toml that is /dev/zero or a FIFO.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::idp::free_port;
use common::snapshot::filters;
use common::{run, Sandbox, SECRET};
use insta::assert_snapshot;
use serde_json::Value;

const SECRETS: &str = ".streamlit/secrets.toml";
const COOKIE: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

/// A configuration real Streamlit logs in with (client `app` / SECRET) at the
/// stub provider on `port`.
fn healthy(port: u16) -> String {
    format!(
        "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"{COOKIE}\"\nclient_id = \"app\"\nclient_secret = \"{SECRET}\"\nserver_metadata_url = \"http://127.0.0.1:{port}/.well-known/openid-configuration\"\n"
    )
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

/// An app folder whose private secrets file holds `text`.
fn app(text: &str) -> Sandbox {
    let sb = Sandbox::new();
    sb.write(SECRETS, text);
    set_mode(&sb.file(SECRETS), 0o600);
    sb.write("app.py", "import streamlit as st\nst.login()\n");
    sb
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `stauth doctor --offline --json`: exit code, checks, stdout, stderr.
fn doctor_json(sb: &Sandbox) -> (i32, Vec<Value>, String, String) {
    let (code, out, err) = run(sb
        .cmd()
        .args(["doctor", "--offline", "--json", "--python"])
        .arg(venv_python()));
    let v: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("no JSON ({e}): {out}\n{err}"));
    (code, v["checks"].as_array().unwrap().clone(), out, err)
}

/// The schema and files checks that are not "ok"/"info", as a user reads them.
fn problems(checks: &[Value]) -> String {
    checks
        .iter()
        .filter(|c| c["severity"] == "error" || c["severity"] == "warning")
        .filter(|c| c["area"] == "schema" || c["area"] == "files")
        .map(|c| {
            let mut s = format!(
                "{} {}: {}",
                c["severity"].as_str().unwrap(),
                c["id"].as_str().unwrap(),
                c["message"].as_str().unwrap()
            );
            for k in ["why", "fix"] {
                if let Some(t) = c[k].as_str() {
                    s.push_str(&format!("\n  {k}: {t}"));
                }
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs real Streamlit's login on the app's secrets file against a stub
/// provider on `port` that knows the client `client_id` / `client_secret`.
fn streamlit_login(sb: &Sandbox, port: u16, client_id: &str, client_secret: &str) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/auth_config_oracle.py");
    let out = Command::new(venv_python())
        .arg(script)
        .arg(sb.file(SECRETS))
        .arg(port.to_string())
        .args([client_id, client_secret])
        .current_dir(sb.path())
        .env("HOME", sb.home())
        .stdin(Stdio::null())
        .output()
        .expect("run the auth config oracle");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(stdout.lines().last().unwrap_or("")).unwrap_or_else(|e| {
        panic!(
            "the oracle printed no JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        v["streamlit_version"], "1.67.0",
        "tests/.venv has another Streamlit"
    );
    v
}

/// The control: the healthy file passes doctor's schema checks, and real
/// Streamlit logs in with it, so the oracle tells a working file from a
/// broken one.
#[test]
fn a_healthy_file_passes_and_real_streamlit_logs_in() {
    let port = free_port();
    let sb = app(&healthy(port));
    let (_, checks, _, err) = doctor_json(&sb);
    assert_eq!(problems(&checks), "", "{err}");
    let login = streamlit_login(&sb, port, "app", SECRET);
    assert_eq!(login["works"], true, "{login}");
}

/// Each value of the wrong type: doctor exits 1 with what Streamlit will do,
/// never shows the value, and real Streamlit fails on the same file.
#[test]
fn wrong_types_are_errors_as_in_streamlit() {
    let url = "\"http://127.0.0.1:{port}/.well-known/openid-configuration\"";
    // (name, line to replace, its replacement, the client the file means)
    let cases: &[(&str, &str, String, &str, &str)] = &[
        (
            "server_metadata_url_list",
            "server_metadata_url = URL",
            "server_metadata_url = [URL]".into(),
            "app",
            SECRET,
        ),
        (
            "client_id_float",
            "client_id = \"app\"",
            "client_id = 1.5".into(),
            "1.5",
            SECRET,
        ),
        (
            "client_secret_list",
            "client_secret = \"SECRET\"",
            "client_secret = [\"SECRET\"]".into(),
            "app",
            SECRET,
        ),
        (
            "redirect_uri_list",
            "redirect_uri = \"http://localhost:8501/oauth2callback\"",
            "redirect_uri = [\"http://localhost:8501/oauth2callback\"]".into(),
            "app",
            SECRET,
        ),
        (
            "cookie_secret_integer",
            "cookie_secret = \"COOKIE\"",
            "cookie_secret = 1234567890123456789".into(),
            "app",
            SECRET,
        ),
        (
            "client_kwargs_string",
            "client_id = \"app\"",
            "client_id = \"app\"\nclient_kwargs = \"prompt=login\"".into(),
            "app",
            SECRET,
        ),
        (
            "client_secret_false",
            "client_secret = \"SECRET\"",
            "client_secret = false".into(),
            "app",
            SECRET,
        ),
    ];
    for (name, from, to, client_id, client_secret) in cases {
        let port = free_port();
        let fill = |s: &str| {
            s.replace("URL", &url.replace("{port}", &port.to_string()))
                .replace("SECRET", SECRET)
                .replace("COOKIE", COOKIE)
        };
        let good = healthy(port);
        let (from, to) = (fill(from), fill(to));
        assert!(good.contains(&from), "{name}: {from}");
        let sb = app(&good.replace(&from, &to));

        let (code, checks, out, err) = doctor_json(&sb);
        assert_eq!(code, 1, "{name}: {err}");
        let found = problems(&checks);
        assert!(
            !found.contains("has client_id, client_secret and server_metadata_url"),
            "{name}"
        );
        assert!(
            !out.contains(SECRET) && !err.contains(SECRET),
            "{name}: {out}"
        );
        let _f = filters(&[(&port.to_string(), "[PORT]")], &[]);
        assert_snapshot!(format!("wrong_type_{name}"), found);

        let login = streamlit_login(&sb, port, client_id, client_secret);
        assert_eq!(login["works"], false, "{name}: Streamlit logs in: {login}");

        // test-login refuses the file before reaching the provider.
        let (code, out, err) = run(sb.cmd().args(["test-login", "--no-browser"]));
        assert_eq!(code, 2, "{name}: {err}");
        assert!(
            !out.contains(SECRET) && !err.contains(SECRET),
            "{name}: {err}"
        );
    }
}

/// A UTF-8 BOM: Streamlit's reader refuses the file, so doctor and init do too.
#[test]
fn a_byte_order_mark_is_refused_as_streamlit_refuses_it() {
    let port = free_port();
    let text = format!("\u{feff}{}", healthy(port));
    let sb = app(&text);
    let (code, checks, _, err) = doctor_json(&sb);
    assert_eq!(code, 1, "{err}");
    let _f = filters(&[(&port.to_string(), "[PORT]")], &[]);
    assert_snapshot!("bom_doctor", problems(&checks));

    let login = streamlit_login(&sb, port, "app", SECRET);
    assert!(
        login["steps"]["load"]
            .as_str()
            .unwrap()
            .contains("Error parsing secrets file"),
        "{login}"
    );

    let before = std::fs::read(sb.file(SECRETS)).unwrap();
    let (code, _, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("byte-order mark"), "{err}");
    assert_eq!(std::fs::read(sb.file(SECRETS)).unwrap(), before);
}

/// An inline table over several lines (TOML 1.1, which toml_edit reads):
/// Streamlit's tomllib refuses the file, so doctor does too.
#[test]
fn toml_1_1_syntax_is_refused_as_streamlit_refuses_it() {
    let port = free_port();
    let text = format!(
        "{}client_kwargs = {{\n  prompt = \"login\",\n}}\n",
        healthy(port)
    );
    let sb = app(&text);
    let (code, checks, _, err) = doctor_json(&sb);
    assert_eq!(code, 1, "{err}");
    let _f = filters(&[(&port.to_string(), "[PORT]")], &[]);
    assert_snapshot!("toml_1_1_doctor", problems(&checks));
    let login = streamlit_login(&sb, port, "app", SECRET);
    assert!(
        login["steps"]["load"]
            .as_str()
            .unwrap()
            .contains("Error parsing secrets file"),
        "{login}"
    );
}

/// An integer beyond 64 bits: Python reads it, so the file is loadable, and
/// init keeps it byte for byte.
#[test]
fn an_integer_beyond_64_bits_loads_as_in_python() {
    let port = free_port();
    let extra =
        "\n[db]\nseed = 123456789012345678901234567890 # big\nmask = 0xffffffffffffffffffff\n";
    let sb = app(&format!("{}{extra}", healthy(port)));
    let (code, checks, _, err) = doctor_json(&sb);
    assert_eq!(problems(&checks), "", "{err}");
    assert_eq!(code, 0, "{err}");
    let login = streamlit_login(&sb, port, "app", SECRET);
    assert_eq!(login["works"], true, "{login}");

    // init adds [auth] to a file whose other table holds big integers.
    let sb = Sandbox::new();
    let before =
        "[db]\nseed = 123456789012345678901234567890 # big\nneg = [-99999999999999999999, 1]\n";
    sb.write(SECRETS, before);
    let (code, _, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 0, "{err}");
    let after = sb.secrets();
    assert!(after.starts_with(before), "{after}");
    assert!(after.contains("[auth]"), "{after}");
}

const PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----MIIEvgIBADANBg-never-printed";

/// Secrets in client_kwargs: their values never appear (text or JSON), and the
/// advice never moves them into authorize_params (the login URL).
#[test]
fn secrets_in_client_kwargs_are_never_printed_nor_moved_to_the_url() {
    let port = free_port();
    let text = format!(
        "{}client_kwargs = {{ client_secret = \"{SECRET}\", private_key = \"{PRIVATE_KEY}\", prompt = \"login\", audience = \"api\" }}\n",
        healthy(port)
    );
    let sb = app(&text);
    let (code, checks, out, err) = doctor_json(&sb);
    assert_eq!(code, 1, "{err}");
    let (_, human_out, human_err) = run(sb
        .cmd()
        .args(["doctor", "--offline", "--python"])
        .arg(venv_python()));
    for o in [&out, &err, &human_out, &human_err] {
        assert!(!o.contains(SECRET), "the client secret leaked:\n{o}");
        assert!(
            !o.contains("BEGIN PRIVATE KEY"),
            "the private key leaked:\n{o}"
        );
    }
    let found = problems(&checks);
    for line in found.lines().filter(|l| l.contains("authorize_params = {")) {
        assert!(
            !line.contains("client_secret") && !line.contains("private_key"),
            "a secret is advised into the URL: {line}"
        );
    }
    assert_snapshot!("client_kwargs_secrets", found);

    // init on the same file: its checkup shows the same advice, no secret.
    let sb2 = Sandbox::new();
    sb2.write(
        SECRETS,
        &text
            .replace(
                "client_id = \"app\"",
                "client_id = \"app.apps.googleusercontent.com\"",
            )
            .replace(
                &format!("http://127.0.0.1:{port}/.well-known/openid-configuration"),
                "https://accounts.google.com/.well-known/openid-configuration",
            )
            .replace(COOKIE, &"c".repeat(64)),
    );
    for json in [false, true] {
        let mut cmd = sb2.init_google(&["--offline"]);
        if json {
            cmd.arg("--json");
        }
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 0, "{err}");
        for o in [&out, &err] {
            assert!(!o.contains(SECRET), "the client secret leaked:\n{o}");
            assert!(
                !o.contains("BEGIN PRIVATE KEY"),
                "the private key leaked:\n{o}"
            );
            assert!(
                !o.contains("authorize_params = { client_secret"),
                "a secret is advised into the URL:\n{o}"
            );
        }
        assert!(
            out.contains("client_kwargs") || err.contains("client_kwargs"),
            "init shows the client_kwargs problem:\n{out}\n{err}"
        );
    }

    // Real Streamlit cannot log in with client_secret in client_kwargs.
    let login = streamlit_login(&sb, port, "app", SECRET);
    assert!(
        login["steps"]["login"]
            .as_str()
            .is_some_and(|s| s.contains("400")),
        "{login}"
    );
}

/// authorize_params reach the login URL only for a named provider, in
/// Streamlit as in doctor's advice.
#[test]
fn authorize_params_of_the_default_provider_are_ignored_as_in_streamlit() {
    let port = free_port();
    let sb = app(&format!(
        "{}authorize_params = {{ audience = \"api\" }}\nclient_kwargs = {{ audience = \"api\" }}\n",
        healthy(port)
    ));
    let (_, checks, _, err) = doctor_json(&sb);
    let _f = filters(&[(&port.to_string(), "[PORT]")], &[]);
    assert_snapshot!("default_authorize_params", problems(&checks));
    let login = streamlit_login(&sb, port, "app", SECRET);
    let url = login["login_url"]
        .as_str()
        .unwrap_or_else(|| panic!("{login}"));
    assert!(!url.contains("audience"), "{url}\n{err}");

    // The same provider as [auth.api]: the parameter is sent, nothing flagged.
    let port = free_port();
    let named = healthy(port).replace(
        "client_id = ",
        "\n[auth.api]\nauthorize_params = { audience = \"api\" }\nclient_id = ",
    );
    let sb = app(&named);
    let (code, checks, _, err) = doctor_json(&sb);
    assert_eq!(problems(&checks), "", "{err}");
    assert_eq!(code, 0, "{err}");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/auth_config_oracle.py");
    let out = Command::new(venv_python())
        .arg(script)
        .arg(sb.file(SECRETS))
        .arg(port.to_string())
        .args(["app", SECRET, "api"])
        .env("HOME", sb.home())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let login: Value = serde_json::from_str(stdout.lines().last().unwrap_or("")).unwrap();
    assert_eq!(login["works"], true, "{login}");
    assert!(
        login["login_url"]
            .as_str()
            .unwrap()
            .contains("audience=api"),
        "{login}"
    );
}

/// Merging into `auth = { ... } # comment` keeps the comment.
#[test]
fn an_inline_auth_table_keeps_its_comment() {
    let sb = Sandbox::new();
    let before = "# Login\nauth = { client_id = \"app.apps.googleusercontent.com\" } # keep me\n\n[db]\nuser = \"x\"\n";
    sb.write(SECRETS, before);
    let (code, _, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 0, "{err}");
    assert_snapshot!("inline_auth_comment", common::redact(&sb.secrets()));
}

/// `stauth ARGS` in `sb` with at most 1 GB of address space, killed after
/// 20 s: (exit code, stderr, how long it ran). The cap turns a runaway read
/// on old code into a failure instead of eating the machine.
fn bounded(sb: &Sandbox, args: &[&str], stdin: &str) -> (Option<i32>, String, Duration) {
    use std::io::Write;
    let bin = assert_cmd::cargo::cargo_bin("stauth");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1000000; exec \"$0\" \"$@\"")
        .arg(&bin)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sb.home())
        .env("XDG_CONFIG_HOME", sb.home().join(".config"))
        .current_dir(sb.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).ok();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child.stderr.take().unwrap().read_to_string(&mut err).ok();
            return (status.code(), err, started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().ok();
            child.wait().ok();
            panic!("stauth {args:?} still runs after 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// secrets.toml linked to /dev/zero, or a FIFO nobody writes: doctor and
/// init stop at once with the reason, and init exits 2.
#[test]
fn a_secrets_file_that_is_dev_zero_or_a_fifo_fails_fast() {
    for kind in ["dev_zero", "fifo"] {
        let sb = Sandbox::new();
        std::fs::create_dir_all(sb.file(".streamlit")).unwrap();
        let path = sb.file(SECRETS);
        let reason = match kind {
            "dev_zero" => {
                std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
                "a character device, not a regular file"
            }
            _ => {
                let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
                "a FIFO (named pipe), not a regular file"
            }
        };
        let (code, err, took) = bounded(
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
            &format!("{SECRET}\n"),
        );
        assert_eq!(code, Some(2), "{kind}: {err}");
        assert!(err.contains(reason), "{kind}: {err}");
        assert!(took < Duration::from_secs(10), "{kind}: took {took:?}");

        let (code, err, took) = bounded(&sb, &["doctor", "--offline"], "");
        assert_eq!(code, Some(1), "{kind}: {err}");
        assert!(err.contains(reason), "{kind}: {err}");
        assert!(took < Duration::from_secs(10), "{kind}: took {took:?}");
    }
}

/// The suggested `STREAMLIT_SECRETS_FILES=...` command is one shell word even
/// when the path holds spaces or quotes.
#[test]
fn the_suggested_secrets_files_command_is_shell_quoted() {
    let sb = Sandbox::new();
    let path = sb.path().join("my secrets").join("it's.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let (code, _, err) = run(sb.init_google(&["--offline", "--secrets-file"]).arg(&path));
    assert_eq!(code, 0, "{err}");
    let quoted = format!(
        "STREAMLIT_SECRETS_FILES='{}' streamlit run",
        path.display().to_string().replace('\'', r"'\''")
    );
    assert!(err.contains(&quoted), "{quoted}\n{err}");
}
