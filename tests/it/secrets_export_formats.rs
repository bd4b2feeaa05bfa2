//! `stauth secrets export --format toml|kubernetes|compose|env` and
//! `stauth snippet app-secrets` (issue 14): each format is parsed back by a
//! real parser (PyYAML and tomllib from tests/.venv, bash) and compared with
//! the app's merged secrets; the snippet compiles, builds st.App in real
//! Streamlit (which refuses TOML dates, as the env export warns), and serves
//! an app a real browser logs in to with only the env export's variable; the
//! human output is snapshotted.

use crate::common;

use std::process::Command;

use common::{run, Sandbox, SECRET};
use insta::assert_snapshot;
use serde_json::Value;

/// Quotes, a multi-line string with a whitespace-only line and an indented
/// first table: what breaks naive YAML block scalars and shell quoting.
const SECRETS: &str = r#"  [db]
password = "it's a \"db\" pw $HOME `x`"
note = """
  two

  
lines"""

[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "cookie-secret-value"
client_id = "cid"
client_secret = "s3cr3t-VALUE-never-printed"
server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"
"#;

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.write(".streamlit/secrets.toml", SECRETS);
    sb
}

/// The test venv's Python (tests/.venv: Python 3.11+ for tomllib, PyYAML
/// from tests/requirements.txt), never the system's, whose packages vary.
fn python_with_yaml() -> String {
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/.venv/bin/python");
    let ok = Command::new(venv)
        .args(["-c", "import yaml, tomllib"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "{venv} cannot import yaml and tomllib: run bash tests/setup.sh (it installs tests/requirements.txt)"
    );
    venv.to_string()
}

/// Runs a Python script with `input` on stdin; its stdout as JSON.
fn python_json(script: &str, input: &str) -> Value {
    use std::io::Write;
    let mut child = Command::new(python_with_yaml())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// TOML text parsed by tomllib, as JSON.
fn toml_json(text: &str) -> Value {
    python_json(
        "import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))",
        text,
    )
}

/// Every YAML document parsed by PyYAML, as a JSON list.
fn yaml_docs(text: &str) -> Value {
    python_json(
        "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin))))",
        text,
    )
}

fn export(sb: &Sandbox, args: &[&str]) -> (String, String) {
    let (code, out, err) = run(sb.cmd().args(["secrets", "export"]).args(args));
    assert_eq!(code, 0, "{err}");
    (out, err)
}

/// The app's merged secrets: today's toml export, which must match the file.
fn merged(sb: &Sandbox) -> Value {
    let (out, _) = export(sb, &["--reveal"]);
    let parsed = toml_json(&out);
    assert_eq!(parsed, toml_json(SECRETS));
    parsed
}

#[test]
fn kubernetes_secret_round_trips() {
    let sb = sandbox();
    let (out, err) = export(&sb, &["--reveal", "--format", "kubernetes"]);
    let docs = yaml_docs(&out);
    let secret = &docs[0];
    assert_eq!(secret["apiVersion"], "v1");
    assert_eq!(secret["kind"], "Secret");
    assert_eq!(secret["type"], "Opaque");
    assert_eq!(secret["metadata"]["name"], "app-streamlit-secrets");
    let toml = secret["stringData"]["secrets.toml"].as_str().unwrap();
    assert_eq!(
        toml, SECRETS,
        "the block scalar keeps the file byte for byte"
    );
    assert_eq!(toml_json(toml), merged(&sb));
    // The mount is comments only: a document that parses to nothing.
    assert_eq!(docs[1], Value::Null);
    assert!(
        out.contains("#               subPath: secrets.toml\n"),
        "{out}"
    );
    assert!(
        out.contains("#               mountPath: /app/.streamlit/secrets.toml\n"),
        "{out}"
    );
    assert!(!err.contains(SECRET), "{err}");
    assert_snapshot!("kubernetes_stderr", err);

    // --name is made a DNS-1123 name, and says so.
    let (out, err) = export(
        &sb,
        &[
            "--reveal",
            "--format",
            "kubernetes",
            "--name",
            "My_App.Prod!",
        ],
    );
    assert_eq!(yaml_docs(&out)[0]["metadata"]["name"], "my-app-prod");
    assert!(err.contains("using my-app-prod"), "{err}");
}

#[test]
fn compose_fragment_names_the_file_and_target() {
    let sb = sandbox();
    // No secret in the fragment, so no --reveal needed.
    let (out, err) = export(
        &sb,
        &[
            "--format",
            "compose",
            "--mount-path",
            "/srv/app/.streamlit/secrets.toml",
        ],
    );
    assert!(!out.contains(SECRET) && !err.contains(SECRET));
    let doc = &yaml_docs(&out)[0];
    // The schema Compose reads: secrets.NAME.file, services.S.secrets[].source/target.
    let top = doc["secrets"].as_object().unwrap();
    assert_eq!(top.len(), 1);
    let (name, entry) = top.iter().next().unwrap();
    assert_eq!(name, "app-streamlit-secrets");
    let file = entry["file"].as_str().unwrap();
    assert_eq!(file, "./app-streamlit-secrets.toml");
    let mounts = doc["services"]["app"]["secrets"].as_array().unwrap();
    assert_eq!(mounts.len(), 1);
    assert_eq!(mounts[0]["source"], name.as_str());
    assert_eq!(mounts[0]["target"], "/srv/app/.streamlit/secrets.toml");
    // The command stderr names writes the file the fragment reads.
    let save = format!("stauth secrets export --reveal > {}", &file[2..]);
    assert!(err.contains(&save), "{err}");
    let (toml, _) = export(&sb, &["--reveal"]);
    assert_eq!(toml_json(&toml), merged(&sb));
    assert_snapshot!("compose_stdout", out);
    assert_snapshot!("compose_stderr", err);
}

/// `STAUTH_SECRETS_TOML` as bash sees it after sourcing `env` (an `--format
/// env` export) saved as secrets.env in `sb`.
fn sourced_env(sb: &Sandbox, env: &str) -> String {
    sb.write("secrets.env", env);
    let sourced = Command::new("bash")
        .args([
            "-c",
            "set -a; . ./secrets.env; set +a; printf %s \"$STAUTH_SECRETS_TOML\"",
        ])
        .env_clear()
        .current_dir(sb.path())
        .output()
        .unwrap();
    assert!(sourced.status.success(), "{sourced:?}");
    String::from_utf8(sourced.stdout).unwrap()
}

#[test]
fn env_line_sources_in_bash() {
    let sb = sandbox();
    let (out, err) = export(&sb, &["--reveal", "--format", "env"]);
    let value = sourced_env(&sb, &out);
    assert_eq!(value, SECRETS);
    assert_eq!(toml_json(&value), merged(&sb));
    assert!(!err.contains(SECRET), "{err}");
    assert_snapshot!("env_stderr", err);
}

/// Builds st.App from the app-secrets snippet (asgi.py) in the test venv's
/// real Streamlit, with `STAUTH_SECRETS_TOML=value`; Python's stderr on failure.
fn st_app_with(sb: &Sandbox, value: &str) -> Result<(), String> {
    let (code, snippet, err) = run(sb.cmd().args(["snippet", "app-secrets"]));
    assert_eq!(code, 0, "{err}");
    sb.write("asgi.py", &snippet);
    sb.write(
        "streamlit_app.py",
        "import streamlit as st\nst.write(st.secrets)\n",
    );
    let out = Command::new(python_with_yaml())
        .args(["-c", "import asgi; print(type(asgi.app).__name__)"])
        .env_clear()
        .env("HOME", sb.home())
        .env("STAUTH_SECRETS_TOML", value)
        .current_dir(sb.path())
        .output()
        .unwrap();
    if out.status.success() {
        assert_eq!(String::from_utf8_lossy(&out.stdout), "App\n");
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// TOML dates and times pass through the env value unchanged, but
/// st.App(secrets=...) refuses them (a secrets.toml file would not): the
/// export names each one and says what to do.
#[test]
fn env_export_warns_of_dates_st_app_refuses() {
    let dated = format!(
        "day = 2024-05-01\n{SECRETS}\n[schedule]\nat = 07:32:00\nruns = [1979-05-27T07:32:00Z, \"later\"]\nwindow = {{ from = 1979-05-27T00:32:00.999999-07:00 }}\n\n[[jobs]]\nname = \"nightly\"\nnext = 2024-01-01T10:00:00\n"
    );
    let sb = Sandbox::new();
    sb.write(".streamlit/secrets.toml", &dated);
    let (out, err) = export(&sb, &["--reveal", "--format", "env"]);
    let value = sourced_env(&sb, &out);
    assert_eq!(value, dated, "the value is the file, dates as written");
    assert!(!err.contains(SECRET), "{err}");
    assert_snapshot!("env_dates_stderr", err);

    // What the warning predicts, in real Streamlit: st.App raises.
    let refused = st_app_with(&sb, &value).expect_err("st.App accepted a TOML date");
    assert!(
        refused.contains("TypeError: Unsupported type 'date' at 'day' in secrets."),
        "{refused}"
    );
    // The fix it names: quoted, the same secrets build the app, and no warning.
    let quoted = dated
        .replace("2024-05-01\n", "\"2024-05-01\"\n")
        .replace("07:32:00\n", "\"07:32:00\"\n")
        .replace("[1979-05-27T07:32:00Z,", "[\"1979-05-27T07:32:00Z\",")
        .replace(
            "1979-05-27T00:32:00.999999-07:00 }",
            "\"1979-05-27T00:32:00.999999-07:00\" }",
        )
        .replace("2024-01-01T10:00:00\n", "\"2024-01-01T10:00:00\"\n");
    sb.write(".streamlit/secrets.toml", &quoted);
    let (_, err) = export(&sb, &["--reveal", "--format", "env"]);
    assert!(!err.contains("TOML date"), "{err}");
    st_app_with(&sb, &quoted).unwrap();

    // The file formats keep the dates for st.secrets: no warning there.
    sb.write(".streamlit/secrets.toml", &dated);
    for format in ["toml", "kubernetes"] {
        let (_, err) = export(&sb, &["--reveal", "--format", format]);
        assert!(!err.contains("TOML date"), "{format}: {err}");
    }
}

#[test]
fn every_format_needs_reveal_but_compose() {
    let sb = sandbox();
    for format in ["toml", "kubernetes", "env"] {
        let (code, out, err) = run(sb.cmd().args(["secrets", "export", "--format", format]));
        assert_eq!(code, 2, "{format}: {err}");
        assert!(out.is_empty(), "{format}: {out}");
        assert!(err.contains("--reveal"), "{err}");
        assert!(!err.contains(SECRET) && !err.contains("cookie-secret-value"));
    }
    let (code, _, err) = run(sb.cmd().args([
        "secrets",
        "export",
        "--format",
        "compose",
        "--mount-path",
        "relative/secrets.toml",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--mount-path"), "{err}");
}

#[test]
fn app_secrets_snippet_compiles_and_reads_the_env_export() {
    let sb = sandbox();
    let (code, code_out, err) = run(sb.cmd().args(["snippet", "app-secrets"]));
    assert_eq!(code, 0, "{err}");
    sb.write("asgi.py", &code_out);
    let compiled = Command::new(python_with_yaml())
        .args(["-m", "py_compile", "asgi.py"])
        .current_dir(sb.path())
        .output()
        .unwrap();
    assert!(
        compiled.status.success(),
        "{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    assert!(
        code_out.contains("st.App(SCRIPT, secrets=secrets)"),
        "{code_out}"
    );
    assert!(code_out.contains("os.environ.get(\"STAUTH_SECRETS_TOML\")"));
    // The env export and this code agree on the variable's name.
    let (env, _) = export(&sb, &["--reveal", "--format", "env"]);
    assert!(env.starts_with("STAUTH_SECRETS_TOML='"), "{env}");
    assert_snapshot!("app_secrets_snippet", code_out);

    // Older releases have no st.App: refused, with the upgrade.
    let (code, out, err) =
        run(sb
            .cmd()
            .args(["snippet", "app-secrets", "--streamlit-version", "1.56.0"]));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("needs Streamlit 1.57 or newer"), "{err}");
}

#[test]
fn keychain_secrets_reach_every_format() {
    // A real Secret Service (tests/common/keyring.rs): the file lacks
    // client_secret, the keychain holds it, and each format carries it.
    let ss = common::keyring::SecretService::start();
    let sb = Sandbox::new();
    sb.write(
        ".streamlit/secrets.toml",
        &SECRETS.replace(&format!("client_secret = \"{SECRET}\"\n"), ""),
    );
    let mut set = sb.cmd();
    ss.connect(&mut set);
    let (code, _, err) = run(set
        .args(["secrets", "set", "auth.client_secret"])
        .write_stdin(format!("{SECRET}\n")));
    assert_eq!(code, 0, "{err}");
    let exported = |format: &str| {
        let mut cmd = sb.cmd();
        ss.connect(&mut cmd);
        let (code, out, err) = run(cmd.args(["secrets", "export", "--reveal", "--format", format]));
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("auth.client_secret from the OS keychain"),
            "{err}"
        );
        assert!(!err.contains(SECRET), "{err}");
        out
    };
    let want = toml_json(SECRETS);
    assert_eq!(toml_json(&exported("toml")), want);
    let k8s = yaml_docs(&exported("kubernetes"));
    assert_eq!(
        toml_json(k8s[0]["stringData"]["secrets.toml"].as_str().unwrap()),
        want
    );
    let env = exported("env");
    assert_eq!(toml_json(&sourced_env(&sb, &env)), want);
}

/// The whole env route, end to end: `stauth init --provider dev` writes the
/// secrets, `--format env` exports them, and an app folder with no secrets
/// file runs the app-secrets snippet under real Streamlit with only
/// STAUTH_SECRETS_TOML set; a real browser then logs in through st.login at
/// the dev provider, so `[auth]` reached Streamlit from the environment.
#[test]
fn env_export_logs_in_through_st_app() {
    use common::dev_provider::{dev_browser, init_dev, DevProvider};
    use common::idp::free_port;
    use common::streamlit::StreamlitApp;

    let sb = Sandbox::new();
    let (st_port, dp_port) = (free_port(), free_port());
    init_dev(
        &sb,
        dp_port,
        &format!("http://localhost:{st_port}/oauth2callback"),
        "1.67",
    );
    let (env, _) = export(&sb, &["--reveal", "--format", "env"]);
    let value = sourced_env(&sb, &env);
    assert!(value.contains("[auth]"), "{value}");

    // The deployed folder: the snippet as asgi.py and the app, no .streamlit/.
    let (code, snippet, err) = run(sb.cmd().args(["snippet", "app-secrets"]));
    assert_eq!(code, 0, "{err}");
    sb.write("deploy/asgi.py", &snippet);
    sb.write(
        "deploy/streamlit_app.py",
        r#"import streamlit as st

if not st.user.is_logged_in:
    st.button("Log in", on_click=st.login)
else:
    st.title(f"Signed in as {st.user.email}")
    st.button("Log out", on_click=st.logout)
"#,
    );
    assert!(!sb.file("deploy/.streamlit").exists());

    // The dev provider knows the client from the app folder's secrets.toml.
    let _dp = DevProvider::start(&sb, dp_port, &[]);
    let app = StreamlitApp::start(
        &sb.file("deploy"),
        "asgi.py",
        st_port,
        &[("STAUTH_SECRETS_TOML", &value)],
    );
    let steps = dev_browser(
        &format!("http://localhost:{st_port}/"),
        &["login:alice"],
        "env-export-st-app",
    );
    let alice = &steps[0];
    assert_eq!(alice["signed_in"], true, "{alice}\n{}", app.log());
    assert!(
        alice["title"]
            .as_str()
            .unwrap_or_default()
            .contains("Signed in as alice@example.com"),
        "{alice}"
    );
}

/// Without --reveal a format that prints secrets is refused, and the way on
/// keeps the format asked for; nothing is printed on stdout.
#[test]
fn without_reveal_the_hint_keeps_the_format() {
    let sb = sandbox();
    for (format, again) in [
        ("toml", "`stauth secrets export --reveal`"),
        (
            "kubernetes",
            "`stauth secrets export --reveal --format kubernetes`",
        ),
        ("env", "`stauth secrets export --reveal --format env`"),
    ] {
        let (code, out, err) = run(sb.cmd().args(["secrets", "export", "--format", format]));
        assert_eq!(code, 2, "{format}: {err}");
        assert_eq!(out, "", "{format}");
        assert!(err.contains(again), "{format}: {err}");
    }
}
