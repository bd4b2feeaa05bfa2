//! `stauth init` as a user runs it, offline: exit codes, what it prints and
//! the files it writes, byte for byte.

use crate::common;

use common::snapshot::{filters, Rules};
use common::{assert_no_secret, fingerprint, run, Sandbox, SECRET};
use insta::assert_snapshot;

/// `stauth init --provider google ... --offline`, pinned to Streamlit 1.67 so
/// no interpreter on the machine changes what init says.
fn offline_google(sb: &Sandbox) -> assert_cmd::Command {
    sb.init_google(&["--offline", "--streamlit-version", "1.67"])
}

#[test]
fn without_a_terminal_missing_inputs_exit_2_at_once() {
    let sb = Sandbox::new();
    let (code, out, err) = run(sb.cmd().args(["init", "--streamlit-version", "1.67"]));
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_snapshot!(err);
    assert!(!sb.file(".streamlit").exists(), "nothing may be written");

    let (code, _, err) = run(sb.cmd().args([
        "init",
        "--streamlit-version",
        "1.67",
        "--provider",
        "microsoft",
    ]));
    assert_eq!(code, 2);
    assert_snapshot!("missing_preset_input", err);
}

#[test]
fn writes_a_new_secrets_file() {
    let sb = Sandbox::new();
    sb.git_init();
    let (code, out, err) = run(&mut offline_google(&sb));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "", "human output goes to stderr");
    assert_no_secret(&[&out, &err]);
    assert_snapshot!("new_file_stderr", err);

    let written = sb.secrets();
    assert!(written.contains(&format!("client_secret = \"{SECRET}\"")));
    let _f = filters(&[], &[Rules::Secrets]);
    assert_snapshot!("new_file_contents", written);
    assert_eq!(
        sb.read(".gitignore"),
        "# Streamlit secrets (added by stauth)\n/.streamlit/secrets.toml\n/.streamlit/.stauth-*\n"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sb.file(".streamlit/secrets.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // git now ignores it.
    let ignored = std::process::Command::new("git")
        .args(["check-ignore", "-q", ".streamlit/secrets.toml"])
        .current_dir(sb.path())
        .status()
        .unwrap();
    assert!(ignored.success());
}

#[test]
fn json_report_masks_secrets() {
    let sb = Sandbox::new();
    let (code, out, err) =
        run(&mut sb.init_google(&["--offline", "--streamlit-version", "1.67", "--json"]));
    assert_eq!(code, 0, "{err}");
    assert_no_secret(&[&out, &err]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("stdout is one JSON document");
    assert_eq!(v["written"], true);
    assert_eq!(v["provider"]["section"], "auth");
    assert_eq!(v["provider"]["login_call"], "st.login()");
    let _f = filters(&[], &[Rules::Secrets]);
    assert_snapshot!(out);
}

#[test]
fn same_inputs_again_write_nothing() {
    let sb = Sandbox::new();
    assert_eq!(run(&mut offline_google(&sb)).0, 0);
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));
    let (code, _, err) = run(&mut offline_google(&sb));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("already up to date"), "{err}");
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);
}

#[test]
fn changing_credentials_needs_force_and_masks_the_secret() {
    let sb = Sandbox::new();
    assert_eq!(run(&mut offline_google(&sb)).0, 0);
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));

    let mut cmd = sb.cmd();
    cmd.args([
        "init",
        "--streamlit-version",
        "1.67",
        "--provider",
        "google",
        "--client-id",
        "other-id",
        "--offline",
    ])
    .env("STAUTH_CLIENT_SECRET", "new-secret-value");
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 2);
    assert!(!err.contains("new-secret-value"));
    assert_no_secret(&[&out, &err]);
    assert_snapshot!("overwrite_refused", err);
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);

    let (code, _, err) = run(cmd.arg("--force"));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("new-secret-value"));
    let written = sb.secrets();
    assert!(written.contains("client_id = \"other-id\""));
    assert!(written.contains("client_secret = \"new-secret-value\""));
}

#[test]
fn a_second_provider_is_added_as_a_named_one() {
    let sb = Sandbox::new();
    assert_eq!(run(&mut offline_google(&sb)).0, 0);
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));

    let okta = [
        "init",
        "--streamlit-version",
        "1.67",
        "--provider",
        "okta",
        "--domain",
        "dev-1.okta.com",
        "--client-id",
        "okta-id",
        "--offline",
    ];
    let (code, _, err) = run(sb
        .cmd()
        .args(okta)
        .env("STAUTH_CLIENT_SECRET", "okta-secret"));
    assert_eq!(code, 2, "the default provider is taken");
    assert_snapshot!("default_taken", err);
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);

    let (code, _, err) = run(sb
        .cmd()
        .args(okta)
        .args(["--name", "okta"])
        .env("STAUTH_CLIENT_SECRET", "okta-secret"));
    assert_eq!(code, 0, "{err}");
    assert_snapshot!("named_added_stderr", err);
    let _f = filters(&[], &[Rules::Secrets]);
    assert_snapshot!("named_added_contents", sb.secrets());
}

#[test]
fn refused_providers_explain_the_way_out() {
    let sb = Sandbox::new();
    for (args, name) in [
        (vec!["--provider", "github"], "refused_github"),
        (vec!["--provider", "apple"], "refused_apple"),
        (
            vec!["--provider", "microsoft", "--tenant", "common"],
            "refused_microsoft_common",
        ),
    ] {
        let (code, out, err) = run(sb
            .cmd()
            .args(["init", "--streamlit-version", "1.67"])
            .args(args)
            .args(["--client-id", "x"]));
        assert_eq!(code, 2);
        assert_eq!(out, "");
        assert_snapshot!(name, err);
    }
    assert!(!sb.file(".streamlit").exists());
}

#[test]
fn bad_values_are_usage_errors() {
    let sb = Sandbox::new();
    let cases: &[(&[&str], &str)] = &[
        (&["--provider", "nosuch"], "unknown_preset"),
        (
            &["--provider", "google", "--name", "my_google"],
            "underscore_name",
        ),
        (&["--issuer", "http://idp.example.com"], "plain_http_issuer"),
        (
            &["--provider", "google", "--redirect-uri", "localhost:8501"],
            "bad_redirect_uri",
        ),
        (
            &["--provider", "google", "--expose-tokens", "refresh"],
            "bad_expose_tokens",
        ),
        (
            &["--provider", "google", "--app-dir", "no/such/dir"],
            "missing_app_dir",
        ),
    ];
    for (args, name) in cases {
        let (code, out, err) = run(sb
            .cmd()
            .args(["init", "--streamlit-version", "1.67"])
            .args(*args)
            .args(["--client-id", "x", "--offline"])
            .env("STAUTH_CLIENT_SECRET", SECRET));
        assert_eq!(code, 2, "{name}: {err}");
        assert_eq!(out, "");
        assert_no_secret(&[&err]);
        assert_snapshot!(*name, err);
    }
    assert!(!sb.file(".streamlit").exists());
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb.cmd().args([
        "init",
        "--streamlit-version",
        "1.67",
        "--client-secret",
        "x",
    ]));
    assert_eq!(code, 2);
    assert!(
        err.contains("unexpected argument '--client-secret'"),
        "{err}"
    );
}

#[test]
fn malformed_toml_is_reported_and_left_alone() {
    let sb = Sandbox::new();
    sb.write(
        ".streamlit/secrets.toml",
        "[db]\nuser = \"x\"\npassword = \n",
    );
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));
    let (code, out, err) = run(&mut offline_google(&sb));
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_snapshot!(err);
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);
}

#[test]
fn auth_that_is_not_a_table_is_reported_and_left_alone() {
    let sb = Sandbox::new();
    sb.write(".streamlit/secrets.toml", "auth = \"google\"\n");
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));
    let (code, _, err) = run(&mut offline_google(&sb));
    assert_eq!(code, 2);
    assert!(err.contains("'auth' must be a table"), "{err}");
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);
}

#[test]
fn cookie_secret_is_kept_unless_rotated() {
    let sb = Sandbox::new();
    sb.write(
        ".streamlit/secrets.toml",
        "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"keep-me-0123456789abcdef0123456789\"\n",
    );
    assert_eq!(run(&mut offline_google(&sb)).0, 0);
    assert!(sb
        .secrets()
        .contains("cookie_secret = \"keep-me-0123456789abcdef0123456789\""));

    let (code, out, err) = run(&mut sb.init_google(&[
        "--offline",
        "--streamlit-version",
        "1.67",
        "--rotate-cookie-secret",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(!sb.secrets().contains("keep-me"));
    assert!(!err.contains("keep-me") && !out.contains("keep-me"));
    assert!(
        err.contains("every signed-in user must log in again"),
        "{err}"
    );
}

#[test]
fn short_cookie_secret_is_flagged() {
    let sb = Sandbox::new();
    sb.write(
        ".streamlit/secrets.toml",
        "[auth]\ncookie_secret = \"abc\"\n",
    );
    let (code, _, err) = run(&mut offline_google(&sb));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("cookie_secret is only 3 characters long"),
        "{err}"
    );
    assert!(!err.contains("\"abc\""));
}

#[test]
fn redirect_uri_follows_config_toml() {
    let sb = Sandbox::new();
    sb.write(
        ".streamlit/config.toml",
        "[server]\nport = 8600\nbaseUrlPath = \"/tools/\"\n",
    );
    let (code, _, err) = run(&mut offline_google(&sb));
    assert_eq!(code, 0, "{err}");
    assert!(sb
        .secrets()
        .contains("redirect_uri = \"http://localhost:8600/tools/oauth2callback\""));
}

#[test]
fn explicit_redirect_uri_is_checked_against_the_app() {
    let sb = Sandbox::new();
    let (code, _, err) = run(&mut sb.init_google(&[
        "--streamlit-version",
        "1.67",
        "--offline",
        "--redirect-uri",
        "http://localhost:9999/callback",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_snapshot!(err);
}

#[test]
fn dry_run_writes_nothing() {
    let sb = Sandbox::new();
    sb.git_init();
    let (code, out, err) =
        run(&mut sb.init_google(&["--offline", "--streamlit-version", "1.67", "--dry-run"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert_no_secret(&[&err]);
    assert_snapshot!(err);
    assert!(!sb.file(".streamlit").exists());
    assert!(!sb.file(".gitignore").exists());
}

#[test]
fn expose_tokens_and_client_kwargs() {
    let sb = Sandbox::new();
    let (code, _, err) = run(&mut sb.init_google(&[
        "--streamlit-version",
        "1.67",
        "--offline",
        "--expose-tokens",
        "id,access",
        "--scope",
        "openid email",
        "--prompt",
        "consent",
    ]));
    assert_eq!(code, 0, "{err}");
    let _f = filters(&[], &[Rules::Secrets]);
    assert_snapshot!(sb.secrets());
}

#[test]
fn logto_preset_sets_prompt_login() {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb
        .cmd()
        .args([
            "init",
            "--streamlit-version",
            "1.67",
            "--provider",
            "logto",
            "--host",
            "acme.logto.app",
            "--client-id",
            "l",
            "--offline",
        ])
        .env("STAUTH_CLIENT_SECRET", SECRET));
    assert_eq!(code, 0, "{err}");
    assert!(
        sb.secrets()
            .contains("client_kwargs = { prompt = \"login\" }"),
        "{}",
        sb.secrets()
    );
}

#[test]
fn empty_secret_for_the_default_provider_is_refused() {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb
        .cmd()
        .args([
            "init",
            "--streamlit-version",
            "1.67",
            "--provider",
            "google",
            "--client-id",
            "x",
            "--client-secret-stdin",
            "--offline",
        ])
        .write_stdin("\n"));
    assert_eq!(code, 2);
    assert!(
        err.contains("Streamlit drops empty values in [auth]"),
        "{err}"
    );
    assert!(!sb.file(".streamlit").exists());
}

#[test]
fn tracked_secrets_file_gets_a_warning() {
    let sb = Sandbox::new();
    sb.git_init();
    sb.write(".streamlit/secrets.toml", "[db]\nuser = \"x\"\n");
    sb.git(&["add", ".streamlit/secrets.toml"]);
    sb.git(&["commit", "-q", "-m", "oops"]);
    let (code, _, err) = run(&mut offline_google(&sb));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("is tracked by git"), "{err}");
    assert!(
        err.contains("git rm --cached .streamlit/secrets.toml"),
        "{err}"
    );
    assert!(
        !sb.file(".gitignore").exists(),
        "a tracked file is not silently ignored"
    );
}

#[test]
fn no_gitignore_flag_leaves_gitignore_alone() {
    let sb = Sandbox::new();
    sb.git_init();
    sb.write(".gitignore", "target/");
    let (code, _, err) =
        run(&mut sb.init_google(&["--offline", "--streamlit-version", "1.67", "--no-gitignore"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(sb.read(".gitignore"), "target/");
    assert!(err.contains("not ignored by git"), "{err}");

    // Without the flag the line is appended after the existing content.
    let sb2 = Sandbox::new();
    sb2.git_init();
    sb2.write(".gitignore", "target/");
    assert_eq!(
        run(&mut sb2.init_google(&["--offline", "--streamlit-version", "1.67"])).0,
        0
    );
    assert_eq!(
        sb2.read(".gitignore"),
        "target/\n# Streamlit secrets (added by stauth)\n/.streamlit/secrets.toml\n/.streamlit/.stauth-*\n"
    );
}

#[test]
fn secrets_file_and_app_dir_flags() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.file("app")).unwrap();
    let (code, _, err) = run(&mut sb.init_google(&[
        "--offline",
        "--streamlit-version",
        "1.67",
        "--app-dir",
        "app",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(sb.file("app/.streamlit/secrets.toml").exists());

    let (code, _, err) = run(&mut sb.init_google(&[
        "--offline",
        "--streamlit-version",
        "1.67",
        "--secrets-file",
        "elsewhere/s.toml",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(sb.file("elsewhere/s.toml").exists());
    assert!(
        err.contains("Streamlit does not read elsewhere/s.toml by default"),
        "{err}"
    );
}

/// `stauth init` for Microsoft Entra ID (which has a logout endpoint),
/// offline, for `release`: (exit code, stderr).
fn init_entra(sb: &Sandbox, release: &str, extra: &[&str]) -> (i32, String) {
    let (code, _, err) = run(sb
        .cmd()
        .args([
            "init",
            "--provider",
            "microsoft",
            "--tenant",
            "contoso.onmicrosoft.com",
            "--client-id",
            "entra-client",
            "--offline",
            "--dry-run",
            "--streamlit-version",
            release,
        ])
        .args(extra)
        .env("STAUTH_CLIENT_SECRET", SECRET));
    (code, err)
}

/// The next steps follow the release: what to install, the user object, and
/// which post-logout redirect URI to register (none before 1.53, 1.48.0
/// aside, whose logout sends users to the app's root URL).
#[test]
fn next_steps_follow_the_release() {
    let sb = Sandbox::new();
    let (code, err) = init_entra(&sb, "1.44", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with("Checking against Streamlit 1.44.1 on Tornado (--streamlit-version).\n"),
        "{err}"
    );
    assert!(
        err.contains("Install what st.login needs on Streamlit 1.44.1: pip install \"Authlib>=1.3.2,<1.6.6\""),
        "{err}"
    );
    assert!(
        err.contains("a greeting from st.experimental_user and"),
        "{err}"
    );
    assert!(
        err.contains("No post-logout redirect URI to register: st.logout() in Streamlit 1.44.1 on Tornado only clears the app's cookies"),
        "{err}"
    );

    let (_, err) = init_entra(&sb, "1.48.0", &[]);
    assert!(
        err.contains("Install what st.login needs on Streamlit 1.48.0: pip install \"streamlit[auth]\" \"Authlib<1.6.6\""),
        "{err}"
    );
    assert!(
        err.contains("Register http://localhost:8501/ as post-logout redirect URI (st.logout() in Streamlit 1.48.0 sends users there"),
        "{err}"
    );

    let (_, err) = init_entra(&sb, "1.58", &[]);
    assert!(
        err.contains("Install what st.login needs on Streamlit 1.58.0: pip install \"streamlit[auth]\" httpx"),
        "{err}"
    );
    assert!(
        err.contains(
            "Register the same URL as post-logout redirect URI (st.logout() sends users there)"
        ),
        "{err}"
    );

    let (_, err) = init_entra(&sb, "1.67", &[]);
    assert!(
        err.contains("Install Streamlit with its login extras: pip install \"streamlit[auth]\"\n"),
        "{err}"
    );
    assert!(err.contains("a greeting from st.user and"), "{err}");
    assert!(
        err.contains("Register the same URL as post-logout redirect URI"),
        "{err}"
    );
}

/// `{port}` and expose_tokens exist from 1.53: before, init refuses them
/// (exit 2, nothing written) instead of writing what Streamlit would send
/// as is or ignore.
#[test]
fn port_placeholder_and_expose_tokens_need_1_53() {
    let sb = Sandbox::new();
    let port = ["--redirect-uri", "http://localhost:{port}/oauth2callback"];
    let (code, err) = init_entra(&sb, "1.52.2", &port);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("Streamlit 1.52.2 does not replace {port} (1.53+ does): write the port, e.g. http://localhost:8501/oauth2callback"),
        "{err}"
    );
    let (code, err) = init_entra(&sb, "1.52.2", &["--expose-tokens", "id"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("Streamlit 1.52.2 ignores expose_tokens and has no st.user.tokens (1.53+)"),
        "{err}"
    );
    assert!(!sb.file(".streamlit").exists());

    // 1.53.0 takes both, and init writes them.
    let (code, _, err) = run(&mut sb.init_google(&[
        "--offline",
        "--streamlit-version",
        "1.53.0",
        "--redirect-uri",
        "http://localhost:{port}/oauth2callback",
        "--expose-tokens",
        "id",
    ]));
    assert_eq!(code, 0, "{err}");
    let secrets = sb.secrets();
    assert!(
        secrets.contains("redirect_uri = \"http://localhost:{port}/oauth2callback\""),
        "{secrets}"
    );
    assert!(secrets.contains("expose_tokens"), "{secrets}");
}

/// Without a Python that has Streamlit, init checks against the newest
/// release stauth knows, and says so.
#[test]
fn without_python_it_uses_the_newest_release() {
    let sb = Sandbox::new();
    let empty = tempfile::tempdir().unwrap();
    let git = std::process::Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap();
    let git_dir = std::path::Path::new(String::from_utf8_lossy(&git.stdout).trim())
        .parent()
        .map(|p| p.to_path_buf());
    // PATH without python3 (a folder with only a link to git, which init may use).
    if let Some(dir) = git_dir {
        std::os::unix::fs::symlink(dir.join("git"), empty.path().join("git")).unwrap();
    }
    let (code, _, err) = run(sb.init_google(&["--offline"]).env("PATH", empty.path()));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with("Checking against Streamlit 1.67.0 on Starlette (no Streamlit found, so the newest stauth knows).\n"),
        "{err}"
    );
    assert!(
        err.contains("Install Streamlit with its login extras: pip install \"streamlit[auth]\"\n"),
        "{err}"
    );
}
