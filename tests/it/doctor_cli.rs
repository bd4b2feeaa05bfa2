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
    // 1.42-1.44 have no st.user: st.experimental_user is right there.
    let (code, checks, err) = doctor_any_release(&sb, &["--streamlit-version", "1.44"]);
    assert_eq!(code, 0, "{err}");
    let c = with_id(&checks, "code.experimental_user");
    assert_eq!(c[0]["severity"], "ok", "{c:?}");
    assert!(
        c[0]["message"]
            .as_str()
            .unwrap()
            .contains("the only name Streamlit 1.44.1 has"),
        "{c:?}"
    );
    // Code that checks for st.user first uses experimental_user only as a
    // fallback: no error on a release without it.
    sb.write(
        "pages/admin.py",
        "import streamlit as st\n\nuser = st.user if hasattr(st, \"user\") else st.experimental_user\n",
    );
    let (code, checks, _) = doctor(&sb, &[]);
    assert_eq!(code, 0);
    let c = with_id(&checks, "code.experimental_user");
    assert_eq!(c[0]["severity"], "ok", "{c:?}");
    assert!(
        c[0]["message"]
            .as_str()
            .unwrap()
            .contains("only as a fallback after a check for st.user, in pages/admin.py:3"),
        "{c:?}"
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
            &["streamlit==1.52.1", "authlib==1.6.6", "httpx==0.28.1"],
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

/// A stand-in interpreter: it answers stauth's probe with a search path that
/// holds only `<dist>.dist-info` folders (e.g. `streamlit-1.56.0`), so any
/// release can be "installed" without installing it; every other question
/// goes to the test venv's real Python.
fn fake_python(dir: &Path, dists: &[&str]) -> PathBuf {
    let site = dir.join("site-packages");
    for d in dists {
        std::fs::create_dir_all(site.join(format!("{d}.dist-info"))).unwrap();
    }
    let real = venv_python();
    let python = dir.join("python");
    std::fs::write(
        &python,
        format!(
            "#!{real}\nimport json, os, sys\nargs = sys.argv[1:]\ncode = args[args.index('-c') + 1] if '-c' in args else ''\nif '\"path\": sys.path' in code:\n    print(json.dumps({{'python': '3.11.2', 'executable': sys.argv[0], 'path': [{site:?}]}}))\nelse:\n    os.execv({real:?}, [{real:?}] + args)\n",
            real = real.display().to_string(),
            site = site.display().to_string(),
        ),
    )
    .unwrap();
    chmod(&python, 0o755);
    python
}

/// `stauth doctor --offline --json --python <python>`: exit code, report, stderr.
fn doctor_with(sb: &Sandbox, python: &Path, extra: &[&str]) -> (i32, Value, String) {
    let (code, out, err) = run(sb
        .cmd()
        .args(["doctor", "--offline", "--json", "--python"])
        .arg(python)
        .args(extra));
    let v: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("no JSON ({e}): {out}\n{err}"));
    (code, v, err)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

/// `doctor` with a stand-in Python whose packages suit every release
/// (Authlib before 1.6.6, httpx), so only the check under test can fail.
fn doctor_any_release(sb: &Sandbox, extra: &[&str]) -> (i32, Vec<Value>, String) {
    let dir = tempfile::tempdir().unwrap();
    let python = fake_python(
        dir.path(),
        &["streamlit-1.67.0", "Authlib-1.6.5", "httpx-0.28.1"],
    );
    let (code, report, err) = doctor_with(sb, &python, extra);
    (code, report["checks"].as_array().unwrap().clone(), err)
}

#[test]
fn authlib_and_httpx_by_release_and_server() {
    let dirs = tempfile::tempdir().unwrap();
    let sb = app(Some(HEALTHY));
    // Authlib 1.6.6+ writes into the session=None Streamlit hands it before 1.52.2.
    for (streamlit, broken) in [
        ("1.42.2", true),
        ("1.51.0", true),
        ("1.52.1", true),
        ("1.52.2", false),
    ] {
        for authlib in ["1.6.6", "1.9.10"] {
            let python = fake_python(
                &dirs.path().join(format!("{streamlit}-{authlib}")),
                &[
                    &format!("streamlit-{streamlit}"),
                    &format!("Authlib-{authlib}"),
                ],
            );
            let (code, report, err) = doctor_with(&sb, &python, &[]);
            let c = check(&report, "python.authlib");
            let case = format!("{streamlit} + Authlib {authlib}: {c}\n{err}");
            assert_eq!(c["severity"], if broken { "error" } else { "ok" }, "{case}");
            assert_eq!(code, if broken { 1 } else { 0 }, "{case}");
            assert_eq!(report["streamlit"]["version"], streamlit, "{case}");
            assert_eq!(report["streamlit"]["installed"], streamlit, "{case}");
        }
    }

    // httpx missing: (release, config.toml, severity, what the user will read, server).
    let cases: &[(&str, Option<&str>, &str, &str, &str)] = &[
        ("1.56.0", None, "ok", "httpx is not needed", "tornado"),
        (
            "1.56.0",
            Some("[server]\nuseStarlette = true\n"),
            "error",
            "misleading \"requires Authlib>=1.3.2\"",
            "starlette-opt-in",
        ),
        (
            "1.57.0",
            None,
            "error",
            "misleading \"requires Authlib>=1.3.2\"",
            "starlette",
        ),
        (
            "1.59.0",
            None,
            "error",
            "misleading \"requires Authlib>=1.3.2\"",
            "starlette",
        ),
        (
            "1.59.1",
            None,
            "error",
            "ModuleNotFoundError: No module named 'httpx'",
            "starlette",
        ),
        (
            "1.67.0",
            None,
            "error",
            "ModuleNotFoundError: No module named 'httpx'",
            "starlette",
        ),
    ];
    for (streamlit, config, severity, says, server) in cases {
        let sb = app(Some(HEALTHY));
        if let Some(c) = config {
            sb.write(".streamlit/config.toml", c);
        }
        let python = fake_python(
            &dirs
                .path()
                .join(format!("{streamlit}-{}", config.is_some())),
            &[&format!("streamlit-{streamlit}"), "Authlib-1.6.5"],
        );
        let (code, report, err) = doctor_with(&sb, &python, &[]);
        let c = check(&report, "python.httpx");
        let case = format!("{streamlit} {config:?}: {c}\n{err}");
        assert_eq!(c["severity"], *severity, "{case}");
        assert!(c["message"].as_str().unwrap().contains(says), "{case}");
        assert_eq!(code, if *severity == "error" { 1 } else { 0 }, "{case}");
        assert_eq!(report["streamlit"]["server"], *server, "{case}");
        // The heading says which release, which server and why.
        let server_label = match *server {
            "tornado" => "Tornado",
            "starlette-opt-in" => "Starlette (server.useStarlette)",
            _ => "Starlette",
        };
        let heading = format!(
            "(checked against Streamlit {streamlit} on {server_label}, installed for {}",
            python.display()
        );
        assert!(err.contains(&heading), "{heading}\n{case}");
        if config.is_some() {
            assert!(
                err.contains("; server.useStarlette from ")
                    && err.contains(".streamlit/config.toml)"),
                "{case}"
            );
        }
    }

    // A release named on the command line wins over the installed one.
    let python = fake_python(
        &dirs.path().join("flag"),
        &["streamlit-1.67.0", "Authlib-1.6.5"],
    );
    let (code, report, err) = doctor_with(&sb, &python, &["--streamlit-version", "1.56"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(check(&report, "python.httpx")["severity"], "ok");
    assert_eq!(report["streamlit"]["source"], "flag");
    assert_eq!(report["streamlit"]["installed"], "1.67.0");
    assert!(
        err.contains("(checked against Streamlit 1.56.0 on Tornado, --streamlit-version)"),
        "{err}"
    );

    // As the user reads it: the opt-in server's misleading message.
    let sb = app(Some(HEALTHY));
    sb.write(".streamlit/config.toml", "[server]\nuseStarlette = true\n");
    let python = fake_python(
        &dirs.path().join("human"),
        &["streamlit-1.55.0", "Authlib-1.6.5"],
    );
    let (code, _, err) = run(sb
        .cmd()
        .args(["doctor", "--offline", "--python"])
        .arg(&python));
    assert_eq!(code, 1);
    let _f = common::snapshot::filters(
        &[
            (&dirs.path().display().to_string(), "[FAKE]"),
            (&sb.path().display().to_string(), "[APP]"),
            (&sb.home().display().to_string(), "[HOME]"),
            (env!("CARGO_MANIFEST_DIR"), "[REPO]"),
        ],
        &[],
    );
    assert_snapshot!("httpx_missing_on_the_starlette_opt_in", err);
}

#[test]
fn secrets_given_in_code_with_st_app() {
    let code = "import streamlit as st\n\napp = st.App(\n    \"main.py\",\n    secrets={\"auth\": load_auth()},\n)\n";
    // No [auth] in any file: on 1.57+ it may come from the code.
    let sb = app(None);
    sb.write("serve.py", code);
    for version in ["1.57", "1.67"] {
        let (code, checks, err) = doctor_any_release(&sb, &["--streamlit-version", version]);
        assert_eq!(code, 0, "{version}: {checks:#?}\n{err}");
        let auth = with_id(&checks, "secrets.auth");
        assert_eq!(auth[0]["severity"], "info", "{version}: {auth:?}");
        assert!(
            auth[0]["message"].as_str().unwrap().contains("serve.py:3"),
            "{auth:?}"
        );
        assert_eq!(
            flagged(&checks, "code.app_secrets").as_deref(),
            Some("info")
        );
    }
    // Before 1.57 there is no st.App to take them.
    for version in ["1.56", "1.52"] {
        let (code, checks, _) = doctor_any_release(&sb, &["--streamlit-version", version]);
        assert_eq!(code, 1, "{version}");
        assert_eq!(
            flagged(&checks, "code.app_secrets").as_deref(),
            Some("error"),
            "{version}"
        );
        assert_eq!(flagged(&checks, "secrets.auth").as_deref(), Some("error"));
    }
    // With [auth] in the files too, a note that the code may replace it.
    let sb = app(Some(HEALTHY));
    sb.write("serve.py", code);
    let (code, checks, _) = doctor(&sb, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        flagged(&checks, "code.app_secrets").as_deref(),
        Some("info")
    );
    assert_eq!(with_id(&checks, "secrets.auth")[0]["severity"], "ok");
    // Without st.App(secrets=...), a missing [auth] is an error on 1.67 too.
    let sb = app(None);
    sb.write(
        "serve.py",
        "import streamlit as st\napp = st.App(\"main.py\")\n",
    );
    let (code, checks, _) = doctor(&sb, &[]);
    assert_eq!(code, 1);
    assert_eq!(flagged(&checks, "secrets.auth").as_deref(), Some("error"));
    assert_eq!(with_id(&checks, "code.app_secrets").len(), 0);
}

#[test]
fn options_a_release_does_not_have() {
    // expose_tokens before 1.53: ignored, even when its value is invalid.
    for value in ["\"id\"", "\"refresh\""] {
        let sb = app(Some(&format!("{HEALTHY}expose_tokens = {value}\n")));
        let (code, checks, _) = doctor_any_release(&sb, &["--streamlit-version", "1.52"]);
        assert_eq!(code, 0, "{value}");
        let c = with_id(&checks, "schema.expose_tokens");
        assert_eq!(c[0]["severity"], "warning", "{value}: {c:?}");
        assert!(c[0]["message"]
            .as_str()
            .unwrap()
            .contains("Streamlit 1.52.2 ignores it"));
    }
    let sb = app(Some(&format!("{HEALTHY}expose_tokens = \"id\"\n")));
    let (_, checks, _) = doctor_any_release(&sb, &["--streamlit-version", "1.53"]);
    assert_eq!(flagged(&checks, "schema.expose_tokens"), None);
    // From 1.53 a value that is neither a string nor a list is ignored too
    // (st.user.tokens stays empty), while a bad string or list item raises.
    for (value, severity) in [
        ("1", "warning"),
        ("true", "warning"),
        ("[\"id\", 1]", "error"),
    ] {
        let sb = app(Some(&format!("{HEALTHY}expose_tokens = {value}\n")));
        let (code, checks, _) = doctor_any_release(&sb, &["--streamlit-version", "1.67"]);
        assert_eq!(
            flagged(&checks, "schema.expose_tokens").as_deref(),
            Some(severity),
            "{value}"
        );
        assert_eq!(code, if severity == "error" { 1 } else { 0 }, "{value}");
    }

    // (config.toml, release, warned)
    let headers = "[server]\ntrustedUserHeaders = { \"X-Email\" = \"email\" }\n";
    let starlette = "[server]\nuseStarlette = true\n";
    let cases = [
        (headers, "1.48.1", true),
        (headers, "1.49.0", false),
        (starlette, "1.52.2", true),
        (starlette, "1.53.0", false),
        (starlette, "1.56.0", false),
        (starlette, "1.57.0", true),
    ];
    for (config, version, warned) in cases {
        let sb = app(Some(HEALTHY));
        sb.write(".streamlit/config.toml", config);
        let (code, checks, err) = doctor_any_release(&sb, &["--streamlit-version", version]);
        let c = with_id(&checks, "config.unknown_option");
        assert_eq!(
            c.len(),
            usize::from(warned),
            "{version} {config}: {c:?}\n{err}"
        );
        if warned {
            assert_eq!(c[0]["severity"], "warning");
            let option = if config == headers {
                "server.trustedUserHeaders"
            } else {
                "server.useStarlette"
            };
            let m = c[0]["message"].as_str().unwrap();
            assert!(m.starts_with(option) && m.contains(version), "{m}");
            assert!(m.contains(".streamlit/config.toml"), "{m}");
        }
        // The opt-in server needs httpx, which the test venv has.
        assert_eq!(code, 0, "{version} {config}: {err}");
    }
}

/// The keys of `st.secrets["auth"]` as real Streamlit loads them in the
/// app folder (JSON), or the name of the error it raises.
fn streamlit_reads_auth(python: &Path, sb: &Sandbox) -> String {
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import json, streamlit as st\ntry:\n    print(json.dumps(sorted(st.secrets['auth'].keys())))\nexcept Exception as e:\n    print(type(e).__name__)\n",
        ])
        .current_dir(sb.path())
        .env("HOME", sb.home())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The 1.48.0 release venv (Streamlit 1.48.0 and its `toml` 0.10.2).
fn release_python(version: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/.venvs")
        .join(version)
        .join("bin/python");
    assert!(
        p.exists(),
        "{} is missing: run bash tests/setup.sh first",
        p.display()
    );
    p
}

#[test]
fn secrets_as_the_toml_package_reads_them() {
    let python = release_python("1.48.0");
    // (secrets, severity of secrets.toml_package): valid TOML 1.0 all.
    let cases: &[(String, &str)] = &[
        (HEALTHY.to_string(), "ok"),
        // toml 0.10 refuses arrays that mix types, anywhere in the file.
        (format!("{HEALTHY}\n[limits]\nsizes = [1, \"large\"]\n"), "error"),
        // ...and a multi-line string that ends with a quote.
        (
            HEALTHY.replace("client_secret = \"s3cret\"", "client_secret = \"\"\"s3cr\"et\"\"\"\""),
            "error",
        ),
        // It keeps \u escapes in quoted keys as typed: another provider name.
        (
            format!("{HEALTHY}\n[auth.\"caf\\u00e9\"]\nclient_id = \"a\"\nclient_secret = \"b\"\nserver_metadata_url = \"https://x/.well-known/openid-configuration\"\n"),
            "warning",
        ),
    ];
    for (secrets, severity) in cases {
        let sb = app(Some(secrets));
        let (code, report, err) = doctor_with(&sb, &python, &[]);
        let c = check(&report, "secrets.toml_package");
        // What real Streamlit 1.48.0 makes of the same file.
        let real = streamlit_reads_auth(&python, &sb);
        match *severity {
            "error" => assert!(real.starts_with("StreamlitSecretNotFoundError"), "{real}"),
            "warning" => assert!(real.contains(r#""caf\\u00e9""#), "{real}"),
            _ => assert!(real.starts_with("[\"client_id\""), "{real}"),
        }
        assert_eq!(c["severity"], *severity, "{secrets}\n{c}\n{err}");
        assert_eq!(
            code,
            if *severity == "error" { 1 } else { 0 },
            "{secrets}\n{report:#}"
        );
        assert!(report["streamlit"]["secrets_parser_check"]
            .as_str()
            .unwrap()
            .starts_with("toml 0.10"));
        // The file's values never appear, only where it went wrong.
        assert!(!c.to_string().contains("s3cr"), "{c}");
        if *severity == "warning" {
            assert!(
                c["message"].as_str().unwrap().contains("auth.\"café\""),
                "{c}"
            );
        }
        // From 1.66 Streamlit reads with tomllib, as stauth does: nothing to ask.
        let (_, report, _) = doctor_with(&sb, &python, &["--streamlit-version", "1.66"]);
        assert!(with_id(report["checks"].as_array().unwrap(), "secrets.toml_package").is_empty());
        assert_eq!(report["streamlit"]["secrets_parser"], "tomllib");
    }
    // No interpreter to ask: the check says it was skipped.
    let sb = app(Some(HEALTHY));
    let (_, report, _) = doctor_with(
        &sb,
        Path::new("/nonexistent/python"),
        &["--streamlit-version", "1.48.0"],
    );
    let c = check(&report, "secrets.toml_package");
    assert_eq!(c["severity"], "info");
    assert!(
        c["message"].as_str().unwrap().starts_with("not checked"),
        "{c}"
    );
    assert_eq!(report["streamlit"]["secrets_parser_check"], "skipped");
}

/// Streamlit up to 1.65 reads config.toml with `toml` 0.10 too, and ignores
/// a file it refuses whole: the port in it does not apply.
#[test]
fn config_toml_as_the_toml_package_reads_it() {
    let python = release_python("1.48.0");
    let sb = app(Some(HEALTHY));
    let port_of_real_streamlit = || {
        let out = std::process::Command::new(&python)
            .args([
                "-c",
                "from streamlit import config\nconfig.get_config_options(force_reparse=True)\nprint(config.get_option('server.port'))",
            ])
            .current_dir(sb.path())
            .env("HOME", sb.home())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    sb.write(".streamlit/config.toml", "[server]\nport = 8502\n");
    let (_, report, _) = doctor_with(&sb, &python, &[]);
    assert_eq!(check(&report, "config.toml_package")["severity"], "ok");
    assert_eq!(port_of_real_streamlit(), "8502");

    // Valid TOML 1.0 that toml 0.10 refuses: Streamlit runs on 8501.
    sb.write(
        ".streamlit/config.toml",
        "[server]\nport = 8502\n\n[theme]\nfonts = [1, \"serif\"]\n",
    );
    let (code, report, err) = doctor_with(&sb, &python, &[]);
    assert_eq!(code, 1, "{err}");
    let c = check(&report, "config.toml_package");
    assert_eq!(c["severity"], "error", "{c}");
    assert!(
        c["message"].as_str().unwrap().contains(
            ".streamlit/config.toml: the `toml` package 0.10.2 that Streamlit 1.48.0 reads config.toml with rejects it at line 5"
        ),
        "{c}"
    );
    assert!(
        c["why"]
            .as_str()
            .unwrap()
            .contains("ignores the whole file"),
        "{c}"
    );
    assert_eq!(port_of_real_streamlit(), "8501");
    // tomllib (1.66+) reads it: nothing to ask.
    let (_, report, _) = doctor_with(&sb, &python, &["--streamlit-version", "1.66"]);
    assert!(with_id(report["checks"].as_array().unwrap(), "config.toml_package").is_empty());
}

/// An app on stauth's dev provider: for this machine only. A redirect_uri
/// elsewhere is a deployment mistake (a warning); a provider that is not
/// running is a warning, not an error; a running one passes.
#[test]
fn an_app_on_the_dev_provider() {
    use common::dev_provider::DevProvider;

    let port = free_port();
    let secrets = format!(
        "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"0123456789abcdef0123456789abcdef0123456789abcdef\"\nclient_id = \"stauth-dev-0123456789ab\"\nclient_secret = \"s3cret\"\nserver_metadata_url = \"{}\"\n\n[auth.entra]\nclient_id = \"stauth-dev-ba9876543210\"\nclient_secret = \"s3cret\"\nserver_metadata_url = \"{}\"\n",
        stauth::dev_provider::metadata_url(port, None),
        stauth::dev_provider::metadata_url(port, Some("microsoft")),
    );
    let sb = app(Some(&secrets));
    let (_, checks, err) = doctor(&sb, &["--online"]);
    let local = with_id(&checks, "dev_provider.local");
    assert_eq!(local.len(), 2, "{err}");
    assert!(local.iter().all(|c| c["severity"] == "info"));
    let down = with_id(&checks, "dev_provider.not_running");
    assert_eq!(down.len(), 2, "{err}");
    assert!(down.iter().all(|c| c["severity"] == "warning"));
    assert!(with_id(&checks, "provider.discovery").is_empty(), "{err}");
    assert!(err.contains("stauth dev-provider"), "{err}");
    assert!(flagged(&checks, "dev_provider.deployed").is_none());

    // Running: its discovery document passes like any provider's.
    let dp = DevProvider::start(&sb, port, &[]);
    let (_, checks, err) = doctor(&sb, &["--online"]);
    assert!(
        with_id(&checks, "dev_provider.not_running").is_empty(),
        "{err}"
    );
    let found = with_id(&checks, "provider.discovery");
    assert_eq!(found.len(), 2, "{err}");
    assert!(found.iter().all(|c| c["severity"] == "ok"), "{err}");
    drop(dp);

    // Deployed with the dev provider: a warning for each provider on it.
    let deployed = secrets.replace(
        "http://localhost:8501/oauth2callback",
        "https://app.example.com/oauth2callback",
    );
    sb.write(".streamlit/secrets.toml", &deployed);
    chmod(&sb.file(".streamlit/secrets.toml"), 0o600);
    let (_, checks, err) = doctor(&sb, &[]);
    let warned = with_id(&checks, "dev_provider.deployed");
    assert_eq!(warned.len(), 2, "{err}");
    assert!(warned.iter().all(|c| c["severity"] == "warning"));
    assert!(
        err.contains("stauth init --provider PRESET --force"),
        "{err}"
    );

    // A provider of its own on loopback is not taken for the dev provider.
    let other = format!(
        "[auth]\nredirect_uri = \"https://app.example.com/oauth2callback\"\ncookie_secret = \"0123456789abcdef0123456789abcdef0123456789abcdef\"\nclient_id = \"app\"\nclient_secret = \"s3cret\"\nserver_metadata_url = \"http://127.0.0.1:{port}/.well-known/openid-configuration\"\n"
    );
    sb.write(".streamlit/secrets.toml", &other);
    let (_, checks, _) = doctor(&sb, &[]);
    assert!(with_id(&checks, "dev_provider.deployed").is_empty());
}
