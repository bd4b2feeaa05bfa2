//! `stauth doctor`: one fixture app per check that triggers it, and a healthy
//! app that triggers none; Python environments are real venvs; provider checks
//! run against the real test identity provider.

use crate::common;

use std::path::{Path, PathBuf};

use common::idp::{free_port, Idp};
use common::{run, Sandbox};
use insta::assert_snapshot;
use serde_json::{json, Value};

const HEALTHY: &str = "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"0123456789abcdef0123456789abcdef0123456789abcdef\"\nclient_id = \"app\"\nclient_secret = \"s3cret\"\nserver_metadata_url = \"https://accounts.google.com/.well-known/openid-configuration\"\n";

fn venv_python() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/.venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run bash tests/setup.sh first",
        p.display()
    );
    p
}

/// An app folder with a private secrets file (unless `secrets` is None).
fn app(secrets: Option<&str>) -> Sandbox {
    let sb = Sandbox::new();
    if let Some(text) = secrets {
        sb.write(".streamlit/secrets.toml", text);
        chmod(&sb.file(".streamlit/secrets.toml"), 0o600);
    }
    sb.write("app.py", "import streamlit as st\nst.write(st.user)\n");
    sb
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `stauth doctor --offline --json` with the test venv (`--online` in `extra`
/// keeps the provider checks); returns the exit code, the checks and stderr.
fn doctor(sb: &Sandbox, extra: &[&str]) -> (i32, Vec<Value>, String) {
    let args: Vec<&str> = extra.iter().copied().filter(|a| *a != "--online").collect();
    let mut cmd = sb.cmd();
    cmd.args(["doctor", "--json", "--python"])
        .arg(venv_python())
        .args(&args);
    if !extra.contains(&"--online") {
        cmd.arg("--offline");
    }
    let (code, out, err) = run(&mut cmd);
    let v: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("no JSON ({e}): {out}\n{err}"));
    (code, v["checks"].as_array().unwrap().clone(), err)
}

fn with_id<'a>(checks: &'a [Value], id: &str) -> Vec<&'a Value> {
    checks.iter().filter(|c| c["id"] == id).collect()
}

/// The severity of the first check with `id` that is not "ok".
fn flagged(checks: &[Value], id: &str) -> Option<String> {
    with_id(checks, id)
        .into_iter()
        .find(|c| c["severity"] != "ok")
        .map(|c| c["severity"].as_str().unwrap().to_string())
}

/// Snapshot filters for this checkout's and this sandbox's paths.
fn filters(sb: &Sandbox) -> insta::internals::SettingsBindDropGuard {
    common::snapshot::filters(
        &[
            (env!("CARGO_MANIFEST_DIR"), "[REPO]"),
            (&sb.path().display().to_string(), "[APP]"),
            (&sb.home().display().to_string(), "[HOME]"),
        ],
        &[],
    )
}

#[test]
fn a_healthy_app_passes_every_check() {
    let sb = app(Some(HEALTHY));
    sb.git_init();
    sb.write(".gitignore", ".streamlit/secrets.toml\n");
    let (code, checks, err) = doctor(&sb, &[]);
    assert_eq!(code, 0, "{err}");
    let bad: Vec<&Value> = checks
        .iter()
        .filter(|c| c["severity"] == "error" || c["severity"] == "warning")
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(
        checks.iter().any(|c| c["severity"] == "ok"),
        "passed checks are listed too"
    );
    // The JSON report, every check with its area and severity.
    let (_, out, _) = run(sb
        .cmd()
        .args(["doctor", "--offline", "--json", "--python"])
        .arg(venv_python()));
    let _f = filters(&sb);
    assert_snapshot!("healthy_json", out);
    // The human report, as a user sees it.
    let (code, _, err) = run(sb
        .cmd()
        .args(["doctor", "--offline", "--python"])
        .arg(venv_python()));
    assert_eq!(code, 0);
    assert_snapshot!(err);
}

#[test]
fn each_files_problem_is_found() {
    // Malformed TOML: file:line:col.
    let sb = app(Some("[auth\nredirect_uri = 1\n"));
    let (code, checks, _) = doctor(&sb, &[]);
    assert_eq!(code, 1);
    let e = with_id(&checks, "secrets.toml");
    assert!(
        e[0]["message"]
            .as_str()
            .unwrap()
            .contains(".streamlit/secrets.toml:1:"),
        "{e:?}"
    );

    // Readable by others.
    let sb = app(Some(HEALTHY));
    chmod(&sb.file(".streamlit/secrets.toml"), 0o644);
    let (_, checks, _) = doctor(&sb, &[]);
    assert_eq!(
        flagged(&checks, "secrets.permissions").as_deref(),
        Some("warning")
    );

    // Not ignored, then tracked by git.
    let sb = app(Some(HEALTHY));
    sb.git_init();
    let (_, checks, _) = doctor(&sb, &[]);
    assert_eq!(flagged(&checks, "secrets.git").as_deref(), Some("warning"));
    sb.git(&["add", "-f", ".streamlit/secrets.toml"]);
    sb.git(&["commit", "-q", "-m", "oops"]);
    let (code, checks, _) = doctor(&sb, &[]);
    assert_eq!(code, 1);
    assert_eq!(flagged(&checks, "secrets.git").as_deref(), Some("error"));

    // A secrets file where Streamlit never looks, and no [auth] where it does.
    let sb = app(None);
    sb.write("secrets.toml", HEALTHY);
    let (code, checks, _) = doctor(&sb, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        flagged(&checks, "secrets.location").as_deref(),
        Some("warning")
    );
    assert_eq!(flagged(&checks, "secrets.auth").as_deref(), Some("error"));

    // Next to the script: read from 1.46 only.
    let sb = app(None);
    sb.write("pages/.streamlit/secrets.toml", HEALTHY);
    sb.write("pages/app.py", "import streamlit as st\n");
    let (_, checks, _) = doctor(
        &sb,
        &["--script", "pages/app.py", "--streamlit-version", "1.45"],
    );
    assert_eq!(
        flagged(&checks, "secrets.location").as_deref(),
        Some("warning")
    );
    let (code, checks, _) = doctor(&sb, &["--script", "pages/app.py"]);
    assert_eq!(flagged(&checks, "secrets.location"), None);
    assert_eq!(code, 0, "{checks:#?}");
}

#[test]
fn each_schema_problem_is_found() {
    let cases: &[(&str, &str, &str)] = &[
        ("[auth]\ncookie_secret = \"0123456789abcdef0123456789abcdef\"\nclient_id = \"a\"\nclient_secret = \"b\"\nserver_metadata_url = \"https://x/.well-known/openid-configuration\"\n", "schema.redirect_uri", "error"),
        ("[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\nclient_id = \"a\"\nclient_secret = \"b\"\nserver_metadata_url = \"https://x/.well-known/openid-configuration\"\n", "schema.cookie_secret", "error"),
        (&HEALTHY.replace("0123456789abcdef0123456789abcdef0123456789abcdef", "short"), "schema.cookie_secret", "warning"),
        (&format!("{HEALTHY}expose_tokens = \"refresh\"\n"), "schema.expose_tokens", "error"),
        (&HEALTHY.replace("client_secret = \"s3cret\"", "client_secret = \"\""), "schema.provider", "error"),
        (&format!("{HEALTHY}client_kwargs = {{ audience = \"api\", prompt = \"login\" }}\n"), "schema.client_kwargs", "warning"),
        (&format!("{HEALTHY}\n[auth.my_okta]\nclient_id = \"a\"\nclient_secret = \"b\"\nserver_metadata_url = \"https://x/.well-known/openid-configuration\"\n"), "schema.provider_name", "error"),
        (&format!("{HEALTHY}\n[auth.okta]\nclient_id = \"a\"\n"), "schema.provider", "error"),
        ("[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"0123456789abcdef0123456789abcdef\"\n", "schema.providers", "error"),
    ];
    for (secrets, id, severity) in cases {
        let sb = app(Some(secrets));
        let (code, checks, err) = doctor(&sb, &[]);
        assert_eq!(
            flagged(&checks, id).as_deref(),
            Some(*severity),
            "{id} in\n{secrets}\n{err}"
        );
        assert_eq!(
            code,
            if *severity == "error" { 1 } else { 0 },
            "{id}: {err}"
        );
    }
    // A named provider with an empty secret is a public client: a note only.
    let sb = app(Some(&format!("{HEALTHY}\n[auth.pub]\nclient_id = \"a\"\nclient_secret = \"\"\nserver_metadata_url = \"https://x/.well-known/openid-configuration\"\n")));
    let (code, checks, _) = doctor(&sb, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        flagged(&checks, "schema.public_client").as_deref(),
        Some("info")
    );
}

#[test]
fn sibling_apps_sharing_secrets_or_redirects() {
    let parent = tempfile::tempdir().unwrap();
    let write = |dir: &str, secrets: &str, port: Option<u16>| {
        let d = parent.path().join(dir);
        std::fs::create_dir_all(d.join(".streamlit")).unwrap();
        std::fs::write(d.join(".streamlit/secrets.toml"), secrets).unwrap();
        chmod(&d.join(".streamlit/secrets.toml"), 0o600);
        if let Some(p) = port {
            std::fs::write(
                d.join(".streamlit/config.toml"),
                format!("[server]\nport = {p}\n"),
            )
            .unwrap();
        }
    };
    write("one", HEALTHY, None);
    write("two", HEALTHY, Some(8502));
    let sb = Sandbox::new();
    let (code, out, err) = run(sb
        .cmd()
        .args(["doctor", "--offline", "--json", "--python"])
        .arg(venv_python())
        .arg("--app-dir")
        .arg(parent.path().join("one")));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let checks = v["checks"].as_array().unwrap();
    assert_eq!(
        flagged(checks, "schema.cookie_secret_reused").as_deref(),
        Some("warning")
    );
    assert_eq!(
        flagged(checks, "redirect.shared").as_deref(),
        Some("warning")
    );
}

#[test]
fn each_redirect_problem_is_found() {
    let with_uri = |uri: &str| HEALTHY.replace("http://localhost:8501/oauth2callback", uri);
    // (secrets, config.toml, extra flags, check id, severity)
    type Case<'a> = (String, Option<&'a str>, &'a [&'a str], &'a str, &'a str);
    let cases: &[Case] = &[
        (
            with_uri("localhost:8501"),
            None,
            &[],
            "redirect.invalid",
            "error",
        ),
        (
            with_uri("http://localhost:{port}/oauth2callback"),
            None,
            &["--streamlit-version", "1.52"],
            "redirect.port_placeholder",
            "error",
        ),
        (
            with_uri("http://localhost:8501/callback"),
            None,
            &[],
            "redirect.path",
            "warning",
        ),
        (
            with_uri("http://localhost:8501/oauth2callback"),
            Some("[server]\nport = 8600\n"),
            &[],
            "redirect.port",
            "warning",
        ),
        (
            with_uri("http://localhost:8501/oauth2callback"),
            Some("[server]\nbaseUrlPath = \"tools\"\n"),
            &[],
            "redirect.base_path",
            "warning",
        ),
        (
            with_uri("http://app.example.com/oauth2callback"),
            None,
            &[],
            "redirect.http",
            "warning",
        ),
    ];
    for (secrets, config, extra, id, severity) in cases {
        let sb = app(Some(secrets));
        if let Some(c) = config {
            sb.write(".streamlit/config.toml", c);
        }
        let (_, checks, err) = doctor(&sb, extra);
        assert_eq!(
            flagged(&checks, id).as_deref(),
            Some(*severity),
            "{id}: {err}\n{checks:#?}"
        );
    }
    // {port} is fine from 1.53 on.
    let sb = app(Some(&with_uri("http://localhost:{port}/oauth2callback")));
    let (code, checks, _) = doctor(&sb, &[]);
    assert_eq!(code, 0);
    assert_eq!(flagged(&checks, "redirect.port_placeholder"), None);
}

#[test]
fn experimental_user_in_the_code() {
    let sb = app(Some(HEALTHY));
    sb.write(
        "pages/admin.py",
        "import streamlit as st\n\nif st.experimental_user.email:\n    pass\n",
    );
    let (code, checks, _) = doctor(&sb, &[]);
    assert_eq!(code, 1);
    let c = with_id(&checks, "code.experimental_user");
    assert_eq!(c[0]["severity"], "error");
    assert!(
        c[0]["message"]
            .as_str()
            .unwrap()
            .contains("pages/admin.py:3"),
        "{c:?}"
    );
    let (code, checks, _) = doctor(&sb, &["--streamlit-version", "1.53"]);
    assert_eq!(code, 0);
    assert_eq!(
        flagged(&checks, "code.experimental_user").as_deref(),
        Some("warning")
    );
}

/// Real venvs with only package metadata installed (pip --no-deps): what
/// doctor reads is the metadata, never an import.
fn make_venv(dir: &Path, packages: &[&str]) -> PathBuf {
    let ok = std::process::Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(dir)
        .status()
        .unwrap()
        .success();
    assert!(ok, "python3 -m venv failed");
    let python = dir.join("bin/python");
    if !packages.is_empty() {
        let site = std::process::Command::new(&python)
            .args([
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ])
            .output()
            .unwrap();
        let site = String::from_utf8(site.stdout).unwrap();
        let ok = std::process::Command::new(venv_python())
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--target",
            ])
            .arg(site.trim())
            .args(packages)
            .status()
            .unwrap()
            .success();
        assert!(ok, "pip install {packages:?} failed");
    }
    python
}

#[test]
fn python_environments_are_read_from_package_metadata() {
    let dirs = tempfile::tempdir().unwrap();
    // (venv name, packages, expected (check id, severity))
    type Case<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);
    let cases: &[Case] = &[
        (
            "full",
            &["streamlit==1.67.0", "authlib==1.6.5", "httpx==0.28.1"],
            &[
                ("python.streamlit", "ok"),
                ("python.authlib", "ok"),
                ("python.httpx", "ok"),
            ],
        ),
        (
            "no-authlib",
            &["streamlit==1.67.0", "httpx==0.28.1"],
            &[("python.authlib", "error")],
        ),
        (
            "no-httpx",
            &["streamlit==1.59.0", "authlib==1.6.5"],
            &[("python.httpx", "error")],
        ),
        (
            "bad-combo",
            &["streamlit==1.52.2", "authlib==1.6.6", "httpx==0.28.1"],
            &[("python.authlib", "error"), ("version.cookies", "warning")],
        ),
        ("empty", &[], &[("python.streamlit", "error")]),
    ];
    let sb = app(Some(HEALTHY));
    for (name, packages, expected) in cases {
        let python = make_venv(&dirs.path().join(name), packages);
        let (code, out, err) = run(sb
            .cmd()
            .args(["doctor", "--offline", "--json", "--python"])
            .arg(&python));
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
        let checks = v["checks"].as_array().unwrap();
        for (id, severity) in *expected {
            let c = with_id(checks, id);
            assert!(!c.is_empty(), "{name}: no {id}");
            assert_eq!(c[0]["severity"], *severity, "{name}: {id}: {c:?}");
        }
        let wants_error = expected.iter().any(|(_, s)| *s == "error");
        assert_eq!(code, if wants_error { 1 } else { 0 }, "{name}: {err}");
        if let Some(v) = packages.iter().find_map(|p| p.strip_prefix("streamlit==")) {
            let st = with_id(checks, "python.streamlit");
            assert!(
                st.iter()
                    .any(|c| c["message"].as_str().unwrap().contains(v)),
                "{name}: {st:?}"
            );
        }
    }
}

#[test]
fn provider_checks_against_the_real_provider() {
    let port = free_port();
    let healthy = Idp::start(json!({}));
    let mismatch = Idp::start(json!({"issuer": "http://localhost:{port}/other"}));
    let hs_only = Idp::start(json!({"idTokenSigningAlgs": ["HS256"]}));
    let url = |idp: &Idp| idp.discovery_url();
    let secrets = format!(
        "{}\n[auth.healthy]\nclient_id = \"a\"\nclient_secret = \"b\"\nserver_metadata_url = \"{}\"\nclient_kwargs = {{ prompt = \"login\" }}\n\n[auth.mismatch]\nclient_id = \"a\"\nclient_secret = \"b\"\nserver_metadata_url = \"{}\"\nclient_kwargs = {{ prompt = \"login\" }}\n\n[auth.hs]\nclient_id = \"a\"\nclient_secret = \"b\"\nserver_metadata_url = \"{}\"\nclient_kwargs = {{ prompt = \"login\" }}\n\n[auth.noprompt]\nclient_id = \"a\"\nclient_secret = \"b\"\nserver_metadata_url = \"{}\"\n\n[auth.down]\nclient_id = \"a\"\nclient_secret = \"b\"\nserver_metadata_url = \"http://127.0.0.1:{port}/.well-known/openid-configuration\"\n",
        "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"0123456789abcdef0123456789abcdef\"",
        url(&healthy),
        url(&mismatch),
        url(&hs_only),
        url(&healthy),
    );
    let sb = app(Some(&secrets));
    let (code, checks, err) = doctor(&sb, &["--online"]);
    assert_eq!(code, 1, "{err}");
    let find = |label: &str, id: &str| -> Option<String> {
        checks
            .iter()
            .find(|c| c["id"] == id && c["message"].as_str().unwrap().starts_with(label))
            .map(|c| c["severity"].as_str().unwrap().to_string())
    };
    assert_eq!(
        find("[auth.healthy]", "discovery.issuer").as_deref(),
        Some("ok")
    );
    assert_eq!(
        find("[auth.mismatch]", "discovery.issuer_mismatch").as_deref(),
        Some("warning")
    );
    assert_eq!(
        find("[auth.hs]", "discovery.signing_hs_only").as_deref(),
        Some("warning")
    );
    assert_eq!(
        find("[auth.noprompt]", "discovery.prompt").as_deref(),
        Some("error")
    );
    assert_eq!(
        find("[auth.down]", "provider.discovery").as_deref(),
        Some("error")
    );
    let down = checks
        .iter()
        .find(|c| {
            c["id"] == "provider.discovery"
                && c["message"].as_str().unwrap().starts_with("[auth.down]")
        })
        .unwrap();
    assert!(
        down["message"]
            .as_str()
            .unwrap()
            .contains("connection refused"),
        "{down}"
    );
}

#[test]
fn doctor_itself_failing_exits_2() {
    let sb = Sandbox::new();
    let (code, out, err) = run(sb.cmd().args(["doctor", "--app-dir", "no/such/dir"]));
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("not a readable folder"), "{err}");
}
