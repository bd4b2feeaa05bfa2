//! `stauth test-login` against the real test identity provider (npm
//! `oidc-provider` on 127.0.0.1), with a scripted browser (tests/idp/login.mjs
//! as `--browser-command`): exit codes, what it prints, what it reports.

use crate::common;

use common::idp::{free_port, node_browser_command, Idp};
use common::{assert_no_secret, run, Sandbox};
use insta::assert_snapshot;
use serde_json::{json, Value};

const CLIENT_SECRET: &str = "client-secret-never-printed-42";

/// An app folder whose secrets.toml `stauth init` wrote for a provider with
/// this configuration, plus the redirect port.
struct Setup {
    idp: Idp,
    sb: Sandbox,
    port: u16,
}

fn setup(extra: Value) -> Setup {
    let (idp, sb, port) = common::provider_app(extra, CLIENT_SECRET);
    Setup { idp, sb, port }
}

impl Setup {
    fn test_login(&self, browser_args: &[&str], extra: &[&str]) -> (i32, String, String) {
        let mut cmd = self.sb.cmd();
        cmd.args([
            "test-login",
            "--browser-command",
            &node_browser_command(browser_args),
        ]);
        if !extra.contains(&"--timeout") {
            cmd.args(["--timeout", "30"]);
        }
        let (code, out, err) = run(cmd.args(extra));
        assert_no_secret(&[&out, &err]);
        assert!(
            !out.contains(CLIENT_SECRET) && !err.contains(CLIENT_SECRET),
            "client secret leaked"
        );
        (code, out, err)
    }

    /// `stauth test-login ARGS` started in the app folder with a clean
    /// environment, stdout and stderr piped, stdin as given.
    fn spawn(&self, args: &[&str], stdin: std::process::Stdio) -> std::process::Child {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("stauth"))
            .arg("test-login")
            .args(args)
            .current_dir(self.sb.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .env("HOME", self.sb.home())
            .stdin(stdin)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Snapshot filters for this run's ports and a login's random values,
    /// token times and timings.
    fn filters(&self) -> insta::internals::SettingsBindDropGuard {
        common::snapshot::filters(
            &[
                (&self.idp.port.to_string(), "[IDP_PORT]"),
                (&self.port.to_string(), "[APP_PORT]"),
            ],
            &[common::snapshot::Rules::Login],
        )
    }
}

#[test]
fn a_working_login_reports_what_st_user_will_hold() {
    let s = setup(json!({}));
    let (code, out, err) = s.test_login(&[], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "", "without --json, stdout stays empty");
    let _f = s.filters();
    assert_snapshot!(err);
}

#[test]
fn json_report() {
    let s = setup(json!({}));
    let (code, out, err) = s.test_login(&[], &["--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("one JSON document on stdout");
    assert_eq!(v["ok"], true);
    assert_eq!(v["st_user"]["email"], "alice@example.com");
    assert_eq!(v["st_user"]["is_logged_in"], true);
    assert_eq!(v["st_user"]["provider"], "default");
    assert_eq!(v["verification"]["verified"], true);
    assert_eq!(v["verification"]["alg"], "RS256");
    assert_eq!(v["request"]["pkce"], true);
    assert_eq!(v["request"]["prompt"], "login");
    assert_eq!(
        v["request"]["token_endpoint_auth_method"],
        "client_secret_basic"
    );
    assert_eq!(v["cookies"]["identity_chunks"], 0);
    assert_eq!(v["logout"]["provider_logout"], true);
    assert!(v["tokens"].is_null(), "tokens only with --show-tokens");
    for key in [
        "discovery",
        "waiting_for_user",
        "token_exchange",
        "keys",
        "verify",
        "userinfo",
        "stauth_own",
    ] {
        assert!(v["timings_ms"][key].is_u64(), "{key}");
    }
    let checks: Vec<&str> = v["verification"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        checks.contains(&"iss") && checks.contains(&"aud") && checks.contains(&"nonce"),
        "{checks:?}"
    );
}

#[test]
fn show_tokens_prints_them() {
    let s = setup(json!({}));
    let (code, out, err) = s.test_login(&[], &["--show-tokens", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let id = v["tokens"]["id_token"].as_str().unwrap();
    assert_eq!(id.split('.').count(), 3);
    assert!(err.contains(id));
}

#[test]
fn wrong_client_secret_is_a_provider_error() {
    let s = setup(json!({}));
    let secrets = s.sb.secrets().replace(CLIENT_SECRET, "wrong-secret");
    s.sb.write(".streamlit/secrets.toml", &secrets);
    let (code, _, err) = s.test_login(&[], &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("invalid_client"), "{err}");
    assert!(err.contains("Check client_id and client_secret"), "{err}");
    assert!(!err.contains("wrong-secret"));
}

#[test]
fn user_denies() {
    let s = setup(json!({}));
    let (code, _, err) = s.test_login(&["--deny"], &[]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("the provider refused the login: access_denied"),
        "{err}"
    );
    assert!(err.contains("The login was declined"), "{err}");
}

#[test]
fn provider_rejects_select_account() {
    let s = setup(json!({}));
    // Undo what init did for this provider: Streamlit's default prompt.
    let secrets =
        s.sb.secrets()
            .replace("client_kwargs = { prompt = \"login\" }\n", "");
    assert!(!secrets.contains("prompt"));
    s.sb.write(".streamlit/secrets.toml", &secrets);
    let (code, _, err) = s.test_login(&[], &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("unsupported prompt value requested"), "{err}");
    assert!(
        err.contains("client_kwargs = { prompt = \"login\" }"),
        "{err}"
    );
}

#[test]
fn unregistered_redirect_uri_times_out_with_the_reason() {
    let s = setup(json!({}));
    let other = free_port();
    let (code, _, err) = s.test_login(
        &[],
        &[
            "--redirect-uri",
            &format!("http://localhost:{other}/oauth2callback"),
            "--timeout",
            "5",
        ],
    );
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("no login came back within 5 s"), "{err}");
    assert!(
        err.contains("The browser command exited with exit status: 3"),
        "{err}"
    );
    assert!(
        err.contains("is not registered exactly as a redirect URI"),
        "{err}"
    );
}

#[test]
fn claims_only_in_userinfo_are_called_out() {
    let s = setup(json!({"conformIdTokenClaims": true}));
    let (code, out, err) = s.test_login(&[], &["--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["st_user"].get("email").is_none());
    assert_eq!(v["userinfo_only"]["email"], "alice@example.com");
    assert!(err.contains("Streamlit will not see"), "{err}");
    assert!(err.contains("st.user.email will be missing"), "{err}");
}

fn big_groups() -> Value {
    // Random-looking group IDs (as Entra sends them) compress poorly.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let groups: Vec<String> = (0..300)
        .map(|_| {
            let (a, b) = (next(), next());
            format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                a >> 32,
                a & 0xffff,
                (a >> 16) & 0xffff,
                b >> 48,
                b & 0xffff_ffff_ffff
            )
        })
        .collect();
    json!({"accounts": {"alice": {
        "sub": "alice", "email": "alice@example.com", "email_verified": true,
        "name": "Alice Example", "groups": groups
    }}})
}

#[test]
fn a_large_groups_claim_is_sized_and_flagged() {
    let s = setup(big_groups());
    // Streamlit 1.67 splits the cookies, but its WebSocket server refuses the
    // Cookie header the browser then sends: the app never loads (exit 1).
    let (code, out, err) = s.test_login(&[], &["--json"]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], false);
    assert!(
        v["cookies"]["identity_chunks"].as_u64().unwrap() >= 2,
        "{}",
        v["cookies"]
    );
    assert!(v["cookies"]["cookie_header_bytes"].as_u64().unwrap() > 8192);
    let too_big: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "cookies.header_too_big")
        .collect();
    assert_eq!(too_big.len(), 1);
    assert_eq!(too_big[0]["severity"], "error");
    assert!(err.contains("The largest claim is groups"), "{err}");
    assert!(err.contains("the app never loads"), "{err}");
    assert!(
        err.contains("leaves the extra chunk cookies in the browser"),
        "{err}"
    );
    assert!(!err.contains("cannot read the old cookie"), "{err}");

    // On the Tornado server (1.53-1.56) only nginx's limit applies: a warning.
    let (code, out, err) = s.test_login(&[], &["--json", "--streamlit-version", "1.56"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], true);
    assert!(err.contains("nginx's default limit is 8192"), "{err}");
    // Chunks a later, smaller login leaves behind; 1.56 also keeps them after
    // a cookie_secret change (1.59 clears those).
    assert!(
        err.contains("leaves the extra chunk cookies in the browser"),
        "{err}"
    );
    assert!(
        err.contains("Streamlit 1.56.0 cannot read the old cookie"),
        "{err}"
    );

    // Before 1.53 Streamlit did not split cookies: the login loops.
    let (code, out, err) = s.test_login(&[], &["--json", "--streamlit-version", "1.52"]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], false);
    assert!(
        err.contains("browsers drop cookies over 4096 bytes"),
        "{err}"
    );
    assert_eq!(v["logout"]["provider_logout"], false);
}

#[test]
fn stray_and_forged_requests_do_not_end_the_test() {
    let s = setup(json!({}));
    let (code, _, err) = s.test_login(&["--stray-first"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("ignored a callback without state"), "{err}");
    assert!(
        err.contains("ignored a callback whose state does not match"),
        "{err}"
    );
}

#[test]
fn port_in_use_is_explained_at_once() {
    let s = setup(json!({}));
    let _app = std::net::TcpListener::bind(("127.0.0.1", s.port)).unwrap();
    let (code, _, err) = s.test_login(&[], &[]);
    assert_eq!(code, 2, "{err}");
    let _f = s.filters();
    assert_snapshot!(err);
}

#[test]
fn a_browser_that_never_comes_back_times_out() {
    let s = setup(json!({}));
    let (code, _, err) = s.test_login(&["--never"], &["--timeout", "2"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("no login came back within 2 s"), "{err}");
}

#[test]
fn no_browser_prints_the_url() {
    let s = setup(json!({}));
    let (code, _, err) = run(s
        .sb
        .cmd()
        .args(["test-login", "--no-browser", "--timeout", "1"]));
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("Open this URL in a browser to log in:"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}/auth?response_type=code&client_id=stauth-test",
            s.idp.issuer
        )),
        "{err}"
    );
}

#[test]
fn provider_stopped_mid_flow() {
    let s = setup(json!({"stopAfterAuthorize": true}));
    let (code, _, err) = s.test_login(&[], &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("connection refused"), "{err}");
}

#[test]
fn non_loopback_redirect_uri_needs_manual_or_a_local_uri() {
    let s = setup(json!({}));
    let (code, _, err) = s.test_login(
        &[],
        &["--redirect-uri", "https://app.example.com/oauth2callback"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("points to app.example.com, not to this machine"),
        "{err}"
    );
    assert!(err.contains("--manual"), "{err}");
}

#[test]
fn configuration_errors_are_streamlits_own() {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb.cmd().args(["test-login"]));
    assert_eq!(code, 2);
    assert!(err.contains("no secrets file found"), "{err}");
    assert!(err.contains("stauth init"), "{err}");

    sb.write(".streamlit/secrets.toml", "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"x\"\n[auth.okta]\nclient_id = \"a\"\nclient_secret = \"b\"\nserver_metadata_url = \"https://example.com/.well-known/openid-configuration\"\n");
    let (code, _, err) = run(sb.cmd().args(["test-login"]));
    assert_eq!(code, 2);
    assert_snapshot!("no_default_provider", err);
    let (code, _, err) = run(sb.cmd().args(["test-login", "--provider", "my_okta"]));
    assert_eq!(code, 2);
    assert!(err.contains("contains an underscore"), "{err}");
    let (code, _, err) = run(sb.cmd().args(["test-login", "--streamlit-version", "1.30"]));
    assert_eq!(code, 2);
    assert!(err.contains("has no st.login"), "{err}");
}

#[test]
fn manual_mode_takes_the_pasted_url() {
    use std::io::{BufRead, BufReader, Write};
    let s = setup(json!({}));
    let mut child = s.spawn(&["--manual", "--json"], std::process::Stdio::piped());
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut url = None;
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        if let Some(u) = line.trim().strip_prefix("http://127.0.0.1") {
            url = Some(format!("http://127.0.0.1{u}"));
        }
        if line.contains("Paste the whole URL") {
            break;
        }
        line.clear();
    }
    let url = url.expect("the login URL is printed");
    // The scripted browser logs in; nothing listens on the redirect URI, so
    // it reports the callback URL it ended on, as a user would copy it.
    let out = std::process::Command::new("node")
        .arg(common::idp::login_script())
        .arg(&url)
        .output()
        .unwrap();
    let landed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let callback = landed["callback"].as_str().unwrap().to_string();
    writeln!(child.stdin.take().unwrap(), "{callback}").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(v["st_user"]["email"], "alice@example.com");
}

/// A token endpoint that hands back an altered ID token: every kind of
/// tampering is refused with its own message and exit 1.
#[test]
fn tampered_id_tokens_are_refused() {
    let cases = [
        ("signature", "bad signature"),
        (
            "aud",
            "aud: token aud \"someone-else\" does not include client_id stauth-test",
        ),
        ("iss", "differs from discovery issuer"),
        ("expired", "exp: expired 1 h ago (leeway 120 s)"),
        ("alg_none", "the token is unsigned (alg \"none\"): refused"),
        ("unknown_kid", "no key with kid \"not-in-jwks\""),
        ("nonce", "nonce: differs from the nonce sent"),
    ];
    for (mode, expected) in cases {
        let s = setup(json!({"tamper": mode}));
        let (code, out, err) = s.test_login(&[], &["--json"]);
        assert_eq!(code, 1, "{mode}: {err}");
        // No report for a rejected login: only the error object (issue #10).
        let v: Value = serde_json::from_str(&out).expect("JSON on stdout");
        assert_eq!(v["ok"], false, "{mode}");
        assert_eq!(v["error"]["exit_code"], 1, "{mode}");
        assert!(v.get("st_user").is_none(), "{mode}: {out}");
        assert!(
            err.contains("ID token verification failed"),
            "{mode}: {err}"
        );
        assert!(
            err.contains(expected),
            "{mode}: expected {expected:?} in\n{err}"
        );
    }
}

#[test]
fn hs256_signed_id_tokens_fail_as_in_streamlit() {
    let s = setup(json!({"idTokenSigningAlgs": ["HS256"]}));
    let (code, _, err) = s.test_login(&[], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("no key in the key set can verify HS256"),
        "{err}"
    );
    assert!(
        err.contains("Streamlit only uses keys from jwks_uri"),
        "{err}"
    );
}

#[test]
fn other_algorithms_verify() {
    for alg in ["ES256", "PS256", "EdDSA"] {
        let s = setup(json!({"idTokenSigningAlgs": [alg]}));
        let (code, out, err) = s.test_login(&[], &["--json"]);
        assert_eq!(code, 0, "{alg}: {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["verification"]["alg"], alg);
    }
}

#[test]
fn ctrl_c_while_waiting_exits_130_and_frees_the_port() {
    let s = setup(json!({}));
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("stauth"))
        .args(["test-login", "--no-browser", "--timeout", "60"])
        .current_dir(s.sb.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", s.sb.home())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it listens.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", s.port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "test-login never listened"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cancelled"));
    std::net::TcpListener::bind(("127.0.0.1", s.port)).expect("the port is free again");
}

/// Streamlit reads a provider's `error` before `state`; some providers leave
/// `state` out of an error. test-login ends the wait at once and reports the
/// provider's error (before, it waited for the timeout and blamed the
/// redirect URI).
#[test]
fn an_error_callback_without_state_ends_the_wait() {
    use std::io::{BufRead, BufReader, Read, Write};
    let s = setup(json!({}));
    let started = std::time::Instant::now();
    let mut child = s.spawn(
        &["--no-browser", "--timeout", "60"],
        std::process::Stdio::null(),
    );
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        seen.push_str(&line);
        if line.contains("Open this URL in a browser") {
            break;
        }
        line.clear();
    }
    assert!(seen.contains("Open this URL"), "{seen}");
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    write!(
        conn,
        "GET /oauth2callback?error=unauthorized_client&error_description=client%20disabled HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
        s.port
    )
    .unwrap();
    let mut page = String::new();
    conn.read_to_string(&mut page).unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3), "{seen}{rest}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "the wait did not end at the error"
    );
    assert!(
        rest.contains("the provider refused the login: unauthorized_client (client disabled); its answer has no state parameter"),
        "{rest}"
    );
    assert!(!rest.contains("no login came back"), "{rest}");
}

/// The same login, emulated as different releases: PKCE, `provider` in
/// st.user and the logout URL follow the release model, patch by patch.
#[test]
fn the_report_follows_the_release() {
    let s = setup(json!({}));
    let report = |release: &str| -> Value {
        let (code, out, err) = s.test_login(&[], &["--json", "--streamlit-version", release]);
        assert_eq!(code, 0, "{release}: {err}");
        assert!(
            err.contains(&format!("Checking against Streamlit {release} on ")),
            "{err}"
        );
        serde_json::from_str(&out).unwrap()
    };
    let redirect = format!("http://localhost:{}/oauth2callback", s.port);
    let enc = |u: &str| u.replace(':', "%3A").replace('/', "%2F");
    let end = |v: &Value| {
        v["logout"]["end_session_endpoint"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let v = report("1.48.0");
    assert_eq!(v["streamlit"]["version"], "1.48.0");
    assert_eq!(v["streamlit"]["server"], "tornado");
    assert_eq!(v["st_user"]["provider"], "default");
    assert_eq!(
        v["logout"]["logout_url"],
        format!(
            "{}?post_logout_redirect_uri={}",
            end(&v),
            enc(&format!("http://localhost:{}/", s.port))
        )
    );
    assert_eq!(
        v["logout"]["post_logout_redirect_uri"],
        format!("http://localhost:{}/", s.port)
    );

    let v = report("1.48.1");
    assert!(v["st_user"].get("provider").is_none(), "{}", v["st_user"]);
    assert_eq!(v["logout"]["provider_logout"], false);
    assert_eq!(v["request"]["pkce"], true);

    let v = report("1.53.1");
    assert_eq!(
        v["logout"]["logout_url"],
        format!(
            "{}?client_id=stauth-test&post_logout_redirect_uri={}&id_token_hint=<the ID token>",
            end(&v),
            enc(&redirect)
        )
    );

    let v = report("1.57.0");
    assert_eq!(v["streamlit"]["server"], "starlette");
    assert_eq!(
        v["request"]["pkce"], false,
        "1.57's Starlette server sends no PKCE"
    );
    let v = report("1.58.0");
    assert_eq!(v["request"]["pkce"], true);
}

/// A discovery document with `"code_challenge_methods_supported": null`
/// breaks every login on the Tornado server (1.42-1.56) with a 400; the
/// Starlette server reads it as "none".
#[test]
fn null_pkce_methods_fail_on_tornado_only() {
    let s = setup(json!({"pkceMethodsNull": true}));
    let (code, _, err) = s.test_login(&[], &["--streamlit-version", "1.56"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("\"code_challenge_methods_supported\": null, and Streamlit 1.56.0 on Tornado answers every login with 400"),
        "{err}"
    );
    let (code, out, err) = s.test_login(&[], &["--json", "--streamlit-version", "1.67"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["request"]["pkce"], false);
}
