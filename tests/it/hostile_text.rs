//! Issue #10 item 2: outside text (token claims and headers, cookies, what a
//! provider answers, discovery documents, config files, names given on the
//! command line) can neither drive the terminal nor forge a report line.
//!
//! One table of hostile payloads goes through every command that shows
//! outside text: decode (unverified, verified, Streamlit's cookies),
//! test-login against the real test provider, init and doctor against a
//! provider whose discovery issuer is hostile, a hostile server.baseUrlPath,
//! and errors that echo names. Each run asserts that stdout and stderr hold
//! no raw control, bidi or invisible character, that every payload is shown
//! in its escaped form, and that `--json` carries the exact value.

use crate::common;

use std::path::PathBuf;
use std::process::Command as StdCommand;

use common::hostile_server::{Reply, Server};
use common::idp::node_browser_command;
use common::{run, Sandbox};
use regex::Regex;
use serde_json::{json, Value};

/// (payload, what a user must see instead). The first is the issue's own:
/// it clears the screen, retitles the window and prints a fake verdict.
const PAYLOADS: &[(&str, &str)] = &[
    (
        "\x1b[2J\x1b]0;pwned\x07\x1b[31mFAKE: Signature verified",
        r"\x1b[2J\x1b]0;pwned\x07\x1b[31mFAKE: Signature verified",
    ),
    // OSC window title, ended by ST (ESC \).
    ("\x1b]0;owned\x1b\\title", r"\x1b]0;owned\x1b\title"),
    // The one-character CSI (U+009B).
    ("\u{9b}31mcsi", r"\u{9b}31mcsi"),
    ("ding\x07dong", r"ding\x07dong"),
    ("abc\x08\x08\x08xyz", r"abc\x08\x08\x08xyz"),
    ("ok\rFAKE: verified", r"ok\rFAKE: verified"),
    // A line of its own that looks like stauth's verdict.
    ("x\n✓ Signature verified", r"x\n✓ Signature verified"),
    ("admin\u{202e}nimda", r"admin\u{202e}nimda"),
    ("\u{2066}isolate\u{2069}", r"\u{2066}isolate\u{2069}"),
    ("pay\u{200b}pal", r"pay\u{200b}pal"),
];

/// A claim name holding ESC.
const HOSTILE_NAME: &str = "nick\x1b[31mname";
const HOSTILE_NAME_SHOWN: &str = r"nick\x1b[31mname";

const CLIENT_SECRET: &str = "client-secret-never-printed-42";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A character that must never reach a terminal from outside text.
fn dangerous(c: char) -> bool {
    matches!(c,
        '\0'..='\x08' | '\x0b'..='\x1f' | '\x7f'..='\u{9f}'
        | '\u{ad}' | '\u{61c}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

/// No raw control, bidi or invisible character, and no forged verdict line.
fn assert_safe(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| dangerous(*c)) {
        panic!(
            "{what}: raw {c:?} reaches the terminal:\n{}",
            text.escape_debug()
        );
    }
    for line in text.lines() {
        let l = line.trim_start();
        assert!(
            !l.starts_with("FAKE") && !l.starts_with("✓ Signature verified"),
            "{what}: a payload forged the line {line:?}:\n{text}"
        );
    }
}

/// Every payload of `PAYLOADS` shown escaped in `text`.
fn assert_all_shown(what: &str, text: &str) {
    for (_, shown) in PAYLOADS {
        assert!(
            text.contains(shown),
            "{what}: {shown} is not shown in:\n{text}"
        );
    }
}

/// The claims every token and account of these tests carries: `name` is the
/// issue's payload, `p1`... the others, and one claim name holds ESC.
fn hostile_claims() -> serde_json::Map<String, Value> {
    let mut claims = serde_json::Map::new();
    claims.insert("name".into(), json!(PAYLOADS[0].0));
    for (i, (payload, _)) in PAYLOADS.iter().enumerate().skip(1) {
        claims.insert(format!("p{i}"), json!(payload));
    }
    claims.insert(HOSTILE_NAME.into(), json!("v"));
    claims
}

/// The exact values survive `--json`.
fn assert_claims_exact(what: &str, claims: &Value) {
    for (k, v) in hostile_claims() {
        assert_eq!(claims[&k], v, "{what}: claim {k:?} in JSON");
    }
}

fn json_out(what: &str, out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}):\n{out}"))
}

/// A token signed by tests/tokens/mint.mjs: (token, JWKS).
fn mint(spec: Value) -> (String, Value) {
    let out = StdCommand::new("node")
        .arg(root().join("tests/tokens/mint.mjs"))
        .arg(spec.to_string())
        .output()
        .expect("node is needed for tests/tokens/mint.mjs");
    assert!(
        out.status.success(),
        "mint.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (v["token"].as_str().unwrap().to_owned(), v["jwks"].clone())
}

fn hostile_token() -> (String, Value) {
    let mut claims = hostile_claims();
    claims.insert("sub".into(), json!("alice"));
    claims.insert("exp".into(), json!(4_102_444_800u64));
    claims.insert("iat".into(), json!(1_700_000_000u64));
    mint(json!({
        "claims": claims,
        "header": {"x-note": PAYLOADS[0].0, HOSTILE_NAME: "h"},
    }))
}

fn stauth(sb: &Sandbox, args: &[&str]) -> (i32, String, String) {
    run(sb.cmd().env("TZ", "UTC").args(args))
}

// ------------------------------------------------------------------ decode

#[test]
fn decode_shows_hostile_claims_and_headers_escaped() {
    let sb = Sandbox::new();
    let (token, jwks) = hostile_token();
    std::fs::write(sb.file("jwks.json"), jwks.to_string()).unwrap();

    for (what, extra) in [
        ("decode", vec![]),
        ("decode --jwks", vec!["--jwks", "jwks.json"]),
    ] {
        let mut args = vec!["decode", token.as_str()];
        args.extend(extra.iter().copied());
        let (code, out, err) = stauth(&sb, &args);
        assert_eq!(code, 0, "{what}: {err}");
        let all = format!("{out}{err}");
        assert_safe(what, &all);
        assert_all_shown(what, &out);
        assert!(out.contains(HOSTILE_NAME_SHOWN), "{what}: {out}");
        // The header's hostile value, as its own field.
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with("x-note") && l.ends_with(PAYLOADS[0].1)),
            "{what}: {out}"
        );
        if what == "decode --jwks" {
            assert!(out.contains("Signature verified: RS256"), "{out}");
        } else {
            assert!(out.contains("Signature NOT verified"), "{out}");
        }

        args.push("--json");
        let (code, out, err) = stauth(&sb, &args);
        assert_eq!(code, 0, "{what} --json: {err}");
        let v = json_out(what, &out);
        assert_claims_exact(what, &v["claims"]);
        assert_eq!(v["header"]["x-note"], PAYLOADS[0].0);
        assert_eq!(v["header"][HOSTILE_NAME], "h");
    }
}

#[test]
fn decode_shows_a_hostile_kid_and_token_text_escaped() {
    let sb = Sandbox::new();
    let kid: String = PAYLOADS.iter().map(|(p, _)| *p).collect();
    let (token, jwks) = mint(json!({
        "kid": kid,
        "claims": {"sub": "a", "exp": 4_102_444_800u64, "iat": 1_700_000_000u64},
    }));
    std::fs::write(sb.file("jwks.json"), jwks.to_string()).unwrap();
    let (code, out, err) = stauth(&sb, &["decode", &token, "--jwks", "jwks.json"]);
    assert_eq!(code, 0, "{err}");
    assert_safe("decode --jwks (kid)", &format!("{out}{err}"));
    let shown: String = PAYLOADS.iter().map(|(_, s)| *s).collect();
    assert!(
        out.contains(&format!("Signature verified: RS256, key {shown} (")),
        "{out}"
    );

    // Text that is not a token is quoted in the error, escaped.
    for (payload, _) in PAYLOADS {
        let (code, out, err) = stauth(&sb, &["decode", &format!("x{payload}")]);
        assert_eq!(code, 2, "{err}");
        assert_eq!(out, "");
        assert_safe("decode (not a token)", &err);
        assert!(err.starts_with("error: cannot decode 'x"), "{err}");
    }
}

#[test]
fn decode_view_of_the_issues_payload() {
    let sb = Sandbox::new();
    let (token, _) = mint(json!({
        "claims": {"sub": "alice", "name": PAYLOADS[0].0, HOSTILE_NAME: "v"},
    }));
    let (code, out, err) = stauth(&sb, &["decode", &token]);
    assert_eq!(code, 0, "{err}");
    assert_safe("decode", &out);
    insta::assert_snapshot!(out);
}

#[test]
fn decode_shows_a_hostile_streamlit_cookie_escaped() {
    let sb = Sandbox::new();
    let (code, _, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 0, "init: {err}");
    let secrets = sb.secrets();
    let secret = Regex::new(r#"cookie_secret = "([^"]+)""#)
        .unwrap()
        .captures(&secrets)
        .unwrap()[1]
        .to_owned();
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 60;
    let mut identity = hostile_claims();
    identity.insert("sub".into(), json!("alice"));
    identity.insert("email".into(), json!("alice@example.com"));
    let (id_token, _) = mint(json!({"claims": identity}));
    // Real Streamlit makes the cookies (tests/py/cookie_oracle.py).
    let oracle = common::oracle::oracle(&json!({
        "secret": secret,
        "identity": identity,
        "origin": "http://localhost:8501",
        "provider": "default",
        "tokens": {"id_token": id_token, "access_token": "opaque-access-token"},
        "ts": ts,
    }));
    let header = oracle["set_cookie"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| !h["header"].as_str().unwrap().contains("Max-Age=0"))
        .map(|h| {
            format!(
                "{}={}",
                h["name"].as_str().unwrap(),
                h["value"].as_str().unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");

    let (code, out, err) = stauth(&sb, &["decode", "--cookie-header", &header]);
    assert_eq!(code, 0, "{err}");
    assert_safe("decode --cookie-header", &format!("{out}{err}"));
    assert_all_shown("decode --cookie-header", &out);
    assert!(out.contains(HOSTILE_NAME_SHOWN), "{out}");

    let (code, out, err) = stauth(&sb, &["decode", "--cookie-header", &header, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v = json_out("decode --cookie-header --json", &out);
    assert_claims_exact("cookie identity", &v["identity"]);
    assert_claims_exact("cookie id_token", &v["tokens"]["id_token"]["claims"]);
}

// -------------------------------------------------------------- test-login

/// `stauth test-login` against the real test provider, whose account holds
/// the hostile claims; (exit code, stdout, stderr) of a plain and a `--json` run.
fn hostile_login(provider: Value) -> [(i32, String, String); 2] {
    let mut account = hostile_claims();
    account.insert("sub".into(), json!("alice"));
    account.insert("email".into(), json!("alice@example.com"));
    account.insert("email_verified".into(), json!(true));
    let mut config = json!({"accounts": {"alice": account}});
    for (k, v) in provider.as_object().unwrap() {
        config[k] = v.clone();
    }
    let (_idp, sb, _port) = common::provider_app(config, CLIENT_SECRET);
    let browser = node_browser_command(&[]);
    [&[][..], &["--json"][..]].map(|extra| {
        let mut args = vec![
            "test-login",
            "--browser-command",
            &browser,
            "--timeout",
            "30",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = stauth(&sb, &args);
        assert!(
            !out.contains(CLIENT_SECRET) && !err.contains(CLIENT_SECRET),
            "client secret leaked"
        );
        (code, out, err)
    })
}

#[test]
fn test_login_shows_hostile_claims_escaped() {
    let [(code, out, err), (json_code, json, json_err)] = hostile_login(json!({}));
    assert_eq!(code, 0, "{err}");
    assert_safe("test-login", &format!("{out}{err}"));
    assert_all_shown("test-login", &err);
    assert!(err.contains(HOSTILE_NAME_SHOWN), "{err}");

    assert_eq!(json_code, 0, "{json_err}");
    assert_safe("test-login --json (stderr)", &json_err);
    let v = json_out("test-login --json", &json);
    assert_claims_exact("st_user", &v["st_user"]);
}

#[test]
fn test_login_shows_hostile_userinfo_escaped() {
    // The ID token holds only sub: every claim is in userinfo alone.
    let [(_, out, err), (_, json, json_err)] = hostile_login(json!({"conformIdTokenClaims": true}));
    assert!(
        err.contains("Only in userinfo"),
        "the claims come from userinfo:\n{err}"
    );
    assert_safe("test-login (userinfo)", &format!("{out}{err}"));
    assert_all_shown("test-login (userinfo)", &err);
    assert!(err.contains(HOSTILE_NAME_SHOWN), "{err}");

    assert_safe("test-login --json (userinfo, stderr)", &json_err);
    let v = json_out("test-login --json (userinfo)", &json);
    assert_claims_exact("userinfo_only", &v["userinfo_only"]);
}

// ------------------------------------------------------- init and doctor

/// A provider whose discovery document names a hostile issuer (every
/// payload, after its real address).
fn hostile_discovery() -> (Server, String) {
    let tail: String = PAYLOADS.iter().map(|(p, _)| format!(" {p}")).collect();
    let served = tail.clone();
    let server = Server::start(move |_req, base| {
        Reply::Json(json!({
            "issuer": format!("{base}/{served}"),
            "authorization_endpoint": format!("{base}/auth"),
            "token_endpoint": format!("{base}/token"),
            "jwks_uri": format!("{base}/jwks"),
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }))
    });
    let issuer = format!("{}/{tail}", server.base);
    (server, issuer)
}

#[test]
fn init_and_doctor_show_a_hostile_discovery_issuer_escaped() {
    let (server, issuer) = hostile_discovery();
    let sb = Sandbox::new();
    let init = |extra: &[&str]| {
        let mut cmd = sb.cmd();
        cmd.args([
            "init",
            "--issuer",
            &server.base,
            "--client-id",
            "app",
            "--client-secret-stdin",
            "--force",
        ])
        .args(extra)
        .write_stdin(format!("{CLIENT_SECRET}\n"));
        run(&mut cmd)
    };
    let (code, out, err) = init(&[]);
    assert_eq!(code, 0, "{err}");
    assert_safe("init", &format!("{out}{err}"));
    assert_all_shown("init", &err);

    let (code, out, err) = init(&["--json"]);
    assert_eq!(code, 0, "{err}");
    assert_safe("init --json (stderr)", &err);
    let v = json_out("init --json", &out);
    // JSON keeps the issuer exact (serde escapes its controls itself).
    assert!(
        v["discovery"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"].as_str().unwrap_or_default().contains(&issuer)),
        "{out}"
    );

    let (code, out, err) = stauth(&sb, &["doctor", "--streamlit-version", "1.67"]);
    assert!(code == 0 || code == 1, "doctor: {code} {err}");
    assert_safe("doctor", &format!("{out}{err}"));
    assert_all_shown("doctor", &err);

    let (_, out, err) = stauth(&sb, &["doctor", "--streamlit-version", "1.67", "--json"]);
    assert_safe("doctor --json (stderr)", &err);
    let v = json_out("doctor --json", &out);
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["message"].as_str().unwrap_or_default().contains(&issuer)),
        "{out}"
    );
}

/// `server.baseUrlPath` in .streamlit/config.toml holding every payload.
fn hostile_base_url_path(sb: &Sandbox) {
    let base: String = PAYLOADS.iter().map(|(p, _)| format!("{p} ")).collect();
    // A JSON string is a valid TOML basic string for these characters.
    sb.write(
        ".streamlit/config.toml",
        &format!(
            "[server]\nbaseUrlPath = {}\n",
            serde_json::to_string(&base).unwrap()
        ),
    );
}

#[test]
fn doctor_shows_a_hostile_base_url_path_escaped() {
    let sb = Sandbox::new();
    hostile_base_url_path(&sb);
    sb.write(
        ".streamlit/secrets.toml",
        "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\n\
         cookie_secret = \"0123456789abcdef0123456789abcdef\"\n\
         client_id = \"app\"\nclient_secret = \"x-secret-value-1234\"\n\
         server_metadata_url = \"https://accounts.google.com/.well-known/openid-configuration\"\n\
         [auth.\"prov\\u001b[2Jider\\u202e\"]\nclient_id = \"other\"\n",
    );
    let (code, out, err) = stauth(&sb, &["doctor", "--offline", "--streamlit-version", "1.67"]);
    assert!(code == 0 || code == 1, "doctor: {code} {err}");
    assert_safe("doctor (baseUrlPath)", &format!("{out}{err}"));
    assert!(err.contains("baseUrlPath"), "{err}");
    assert_all_shown("doctor (baseUrlPath)", &err);
    // A provider (section) name from the file.
    assert!(err.contains(r"prov\x1b[2Jider\u{202e}"), "{err}");
}

#[test]
fn init_shows_a_hostile_base_url_path_escaped() {
    let sb = Sandbox::new();
    hostile_base_url_path(&sb);
    let (code, out, err) = run(&mut sb.init_google(&["--offline"]));
    assert_safe("init (baseUrlPath)", &format!("{out}{err}"));
    // Whether init takes such a path or refuses it, the user sees it escaped.
    assert!(code == 0 || code == 2, "init: {code} {err}");
    assert!(err.contains(PAYLOADS[0].1), "{err}");
}

// ------------------------------------------------------ errors that echo

#[test]
fn errors_echo_hostile_names_escaped_and_json_keeps_them_exact() {
    let sb = Sandbox::new();
    for (payload, shown) in PAYLOADS {
        let name = format!("x{payload}");
        let (code, out, err) = stauth(&sb, &["providers", &name]);
        assert_eq!(code, 2, "{err}");
        assert_eq!(out, "", "without --json, nothing on stdout");
        assert_safe("providers NAME", &err);
        assert!(
            err.contains(&format!("unknown provider preset 'x{shown}'")),
            "{err}"
        );

        let (code, out, err) = stauth(&sb, &["providers", &name, "--json"]);
        assert_eq!(code, 2, "{err}");
        assert_safe("providers NAME --json (stderr)", &err);
        let v = json_out("providers --json", &out);
        assert_eq!(v["ok"], false);
        assert_eq!(
            v["error"]["message"],
            format!("unknown provider preset '{name}'")
        );
        assert_eq!(v["error"]["exit_code"], 2);

        let mut cmd = sb.init_google(&["--offline", "--name", &name, "--json"]);
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 2, "{err}");
        assert_safe("init --name", &err);
        assert!(err.contains(shown), "{err}");
        let v = json_out("init --name --json", &out);
        assert_eq!(v["ok"], false);
        assert!(
            v["error"]["message"].as_str().unwrap().contains(&name),
            "{out}"
        );
        assert!(!sb.file(".streamlit/secrets.toml").exists());
    }
}

// ------------------------------------------- --json failures, read-only hints

#[test]
fn json_failures_print_the_error_object() {
    let sb = Sandbox::new();
    // test-login without a secrets file: a configuration error.
    let (code, out, err) = stauth(&sb, &["test-login", "--json", "--timeout", "5"]);
    assert_eq!(code, 2, "{err}");
    let v = json_out("test-login --json", &out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["exit_code"], 2);
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        err.contains(&format!("error: {message}")),
        "the same message on stderr:\n{err}"
    );
    if let Some(hint) = v["error"]["hint"].as_str() {
        assert!(err.contains(hint.lines().next().unwrap()), "{err}");
    }

    // A command that printed its own document before failing prints no second one.
    let (token, _) = mint(json!({"claims": {"sub": "a"}, "flip": true}));
    let other = mint(json!({})).1;
    std::fs::write(sb.file("other.json"), other.to_string()).unwrap();
    let (code, out, _) = stauth(&sb, &["decode", &token, "--jwks", "other.json", "--json"]);
    assert_eq!(code, 1);
    let v = json_out("decode --json", &out);
    assert_eq!(v["signature"]["verified"], false);
}

#[test]
fn read_only_commands_do_not_say_nothing_was_written() {
    let sb = Sandbox::new();
    let (code, _, err) = stauth(&sb, &["decode", "--file", "no-such-token.txt"]);
    assert_eq!(code, 2, "{err}");
    assert!(!err.to_lowercase().contains("nothing was written"), "{err}");

    let (code, _, err) = stauth(&sb, &["doctor", "--streamlit-version", "nope"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Correct the value"), "{err}");
    assert!(!err.to_lowercase().contains("nothing was written"), "{err}");

    // A command that writes still says so.
    let (code, _, err) = run(&mut sb.init_google(&["--offline", "--app-dir", "no/such/dir"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Nothing was written."), "{err}");
}
