//! `stauth decode` as a user runs it: tokens signed here (tests/tokens/mint.mjs,
//! node:crypto), real ID tokens from the test identity provider, and
//! Streamlit's own login cookies made by real Streamlit code
//! (tests/py/cookie_oracle.py in tests/.venv). Every test asserts the exit
//! code and what is printed.

use crate::common;

use std::path::PathBuf;
use std::process::Command as StdCommand;
use std::time::{SystemTime, UNIX_EPOCH};

use common::idp::{node_browser_command, Idp};
use common::snapshot::{filters, Rules};
use common::{run, Sandbox};
use insta::assert_snapshot;
use regex::Regex;
use serde_json::{json, Value};

/// A fixed local time zone (POSIX form, no tzdata needed): UTC+05:30, so the
/// local column differs from the UTC one.
const TZ: &str = "IST-5:30";
const FAR_FUTURE: u64 = 4_102_444_800; // 2100-01-01 00:00:00 UTC
const ISSUED: u64 = 1_700_000_000; // 2023-11-14 22:13:20 UTC
const COOKIE_SECRET: &str = "a-cookie-secret-of-32-characters";
const CLIENT_SECRET: &str = "client-secret-never-printed-42";
const DAY: u64 = 86_400;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------- helpers

/// A token minted by tests/tokens/mint.mjs, with its key material.
struct Minted {
    token: String,
    jwks: Value,
    jwk: Value,
    public_pem: Option<String>,
}

fn mint(spec: Value) -> Minted {
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
    let v: Value = serde_json::from_slice(&out.stdout).expect("mint.mjs prints JSON");
    Minted {
        token: v["token"].as_str().unwrap().to_owned(),
        jwks: v["jwks"].clone(),
        jwk: v["jwk"].clone(),
        public_pem: v["public_pem"].as_str().map(str::to_owned),
    }
}

fn b64url(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// The token with its payload replaced and the old signature kept.
fn forge_payload(token: &str, claims: &Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    format!(
        "{}.{}.{}",
        parts[0],
        b64url(claims.to_string().as_bytes()),
        parts[2]
    )
}

/// `stauth decode ARGS` in the sandbox, with a fixed time zone.
fn decode(sb: &Sandbox, args: &[&str]) -> (i32, String, String) {
    run(sb.cmd().env("TZ", TZ).arg("decode").args(args))
}

/// The same with `stdin` on standard input.
fn decode_stdin(sb: &Sandbox, args: &[&str], stdin: &str) -> (i32, String, String) {
    run(sb
        .cmd()
        .env("TZ", TZ)
        .arg("decode")
        .args(args)
        .write_stdin(stdin.to_owned()))
}

fn json_out(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{out}"))
}

fn assert_exit(got: (i32, String, String), code: i32, stderr_has: &str) -> (String, String) {
    let (c, out, err) = got;
    assert_eq!(c, code, "exit code; stdout:\n{out}\nstderr:\n{err}");
    assert!(
        err.contains(stderr_has),
        "stderr lacks {stderr_has:?}:\n{err}"
    );
    (out, err)
}

/// Claims covering every kind of line the display has (fixed, so the
/// snapshot is stable apart from relative words).
fn display_claims() -> Value {
    json!({
        "iss": "https://login.example.com/tenant-1/v2.0",
        "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
        "aud": ["stauth-test", "api://other"],
        "azp": "stauth-test",
        "exp": FAR_FUTURE,
        "iat": ISSUED,
        "nbf": ISSUED - 60,
        "auth_time": ISSUED - 100,
        "nonce": "n-0S6_WzA2Mj",
        "at_hash": "77QmUPtjPfzWtF2AnpK9RQ",
        "amr": ["pwd", "mfa"],
        "acr": "urn:mace:incommon:iap:silver",
        "sid": "08a5019c-17e1-4977-8f42-65a12843ea02",
        "tid": "9188040d-6c67-4c5b-b112-36a304b66dad",
        "oid": "00000000-0000-0000-66f3-3332eca7ea81",
        "email": "alice@example.com",
        "email_verified": true,
        "name": "Alice Example",
        "preferred_username": "alice@example.com",
        "groups": ["admins", "staff"],
        "roles": ["reader"],
        "cognito:groups": ["eu-users"],
        "hd": "example.com",
        "picture": "https://example.com/alice.png",
        "updated_at": ISSUED - 86_400,
        "department": {"name": "Research", "floors": [3, 4]}
    })
}

fn display_token() -> String {
    mint(json!({"alg": "RS256", "claims": display_claims()})).token
}

// ---------------------------------------------------------------- display

#[test]
fn display_shows_header_claims_meanings_and_times() {
    let sb = Sandbox::new();
    let (code, out, err) = decode(&sb, &[&display_token()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "", "nothing on stderr without verification");
    // Times: UTC, local (UTC+05:30 here) and relative words.
    assert!(
        out.contains("2100-01-01 00:00:00 UTC · 2100-01-01 05:30:00 +05:30 local · expires in "),
        "{out}"
    );
    assert!(
        out.contains("2023-11-14 22:13:20 UTC · 2023-11-15 03:43:20 +05:30 local · "),
        "{out}"
    );
    assert!(out.contains("Signature NOT verified"), "{out}");
    assert!(
        out.lines().all(|l| l == l.trim_end()),
        "no trailing spaces:\n{out}"
    );
    let _f = filters(&[], &[Rules::Durations]);
    assert_snapshot!("display", out);
}

#[test]
fn relative_words_follow_the_clock() {
    let sb = Sandbox::new();
    let n = now();
    let t =
        mint(json!({"claims": {"sub": "x", "exp": n + 54 * 60 + 30, "iat": n - 3 * 3600 - 30}}));
    let (code, out, _) = decode(&sb, &[&t.token]);
    assert_eq!(code, 0);
    assert!(out.contains("· expires in 54 min"), "{out}");
    assert!(out.contains("· 3 h ago"), "{out}");
    let t = mint(json!({"claims": {"sub": "x", "exp": n - 3 * 3600 - 30}}));
    let (code, out, _) = decode(&sb, &[&t.token]);
    assert_eq!(
        code, 0,
        "without verification an expired token is shown, exit 0"
    );
    assert!(out.contains("· expired 3 h ago"), "{out}");
}

#[test]
fn json_has_header_claims_signature_and_checks() {
    let sb = Sandbox::new();
    let (code, out, err) = decode(&sb, &[&display_token(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v = json_out(&out);
    assert_eq!(
        v["header"],
        json!({"alg": "RS256", "typ": "JWT", "kid": "k1"})
    );
    assert_eq!(v["claims"], display_claims());
    // Claim order is the token's.
    let keys: Vec<&str> = v["claims"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys[..3], ["iss", "sub", "aud"]);
    assert_eq!(
        v["signature"],
        json!({"verified": false, "alg": "RS256", "kid": "k1", "note": "signature NOT verified", "header_problems": []})
    );
    assert_eq!(v["checks"], json!([]));
    assert_eq!(v["times"]["exp"]["utc"], "2100-01-01 00:00:00 UTC");
    assert_eq!(v["times"]["exp"]["local"], "2100-01-01 05:30:00 +05:30");
    assert!(v["times"]["exp"]["relative"]
        .as_str()
        .unwrap()
        .starts_with("expires in "));
    assert_eq!(v["times"]["auth_time"]["utc"], "2023-11-14 22:11:40 UTC");
    assert_eq!(v["times"]["updated_at"]["utc"], "2023-11-13 22:13:20 UTC");
    assert!(v["times"].get("sub").is_none());
}

#[test]
fn stdin_dash_piped_and_file_read_the_same_token() {
    let sb = Sandbox::new();
    let token = display_token();
    let (code, want, _) = decode(&sb, &[&token]);
    assert_eq!(code, 0);
    assert!(want.contains("alice@example.com"));

    let (code, out, err) = decode_stdin(&sb, &["-"], &format!("{token}\n"));
    assert_eq!((code, out.as_str()), (0, want.as_str()), "`-`: {err}");
    let (code, out, err) = decode_stdin(&sb, &[], &format!("{token}\n"));
    assert_eq!((code, out.as_str()), (0, want.as_str()), "piped: {err}");

    sb.write("token.txt", &format!("{token}\n"));
    let (code, out, err) = decode(&sb, &["--file", "token.txt"]);
    assert_eq!((code, out.as_str()), (0, want.as_str()), "--file: {err}");

    let (out, _) = assert_exit(
        decode(&sb, &["--file", "missing.txt"]),
        2,
        "cannot read missing.txt",
    );
    assert_eq!(out, "");
}

#[test]
fn whitespace_quotes_and_bearer_are_tolerated() {
    let sb = Sandbox::new();
    let token = display_token();
    let (_, want, _) = decode(&sb, &[&token]);
    for wrapped in [
        format!("  {token}\n"),
        format!("\"{token}\""),
        format!("'{token}'"),
        format!("Bearer {token}"),
        format!("\n\t\"Bearer {token}\" \r\n"),
        format!("bearer {token}"),
    ] {
        let (code, out, err) = decode(&sb, &[&wrapped]);
        assert_eq!(
            (code, out.as_str()),
            (0, want.as_str()),
            "{wrapped:?}: {err}"
        );
        let (code, out, err) = decode_stdin(&sb, &[], &wrapped);
        assert_eq!(
            (code, out.as_str()),
            (0, want.as_str()),
            "stdin {wrapped:?}: {err}"
        );
    }
}

#[test]
fn encrypted_opaque_malformed_and_empty_inputs_exit_2() {
    let sb = Sandbox::new();
    let jwe = format!(
        "{}.{}.{}.{}.{}",
        b64url(br#"{"alg":"RSA-OAEP","enc":"A256GCM","kid":"enc-1"}"#),
        b64url(&[7u8; 256]),
        b64url(&[1u8; 12]),
        b64url(b"ciphertext of the claims"),
        b64url(&[2u8; 16])
    );
    for args in [vec![jwe.as_str()], vec![jwe.as_str(), "--json"]] {
        let (out, err) = assert_exit(
            decode(&sb, &args),
            2,
            "this is an encrypted token (JWE, 5 parts): it cannot be read without the recipient's private key",
        );
        if args.contains(&"--json") {
            // With --json the failure is reported on stdout too (issue #10).
            assert_eq!(json_out(&out)["ok"], false, "{out}");
        } else {
            assert_eq!(out, "");
        }
        assert!(err.contains("Decrypt it first"), "{err}");
    }
    for opaque in [
        "ya29.a0AfH6SMC3-opaque-access-token",
        "2YotnFZFEjr1zCsicMWpAA",
    ] {
        let (out, err) = assert_exit(
            decode(&sb, &[opaque]),
            2,
            "this is not a JWT: it looks like an opaque token, which only the provider can read",
        );
        assert_eq!(out, "");
        assert!(err.contains("token introspection"), "{err}");
    }
    let not_json = format!("{}.{}.sig", b64url(b"not json"), b64url(b"{}"));
    assert_exit(
        decode(&sb, &[&not_json]),
        2,
        "malformed JWT: the header is not a JSON object",
    );
    assert_exit(
        decode(&sb, &["e30.!!!.sig"]),
        2,
        "malformed JWT: the payload is not base64url",
    );
    assert_exit(decode_stdin(&sb, &["-"], "  \n"), 2, "the token is empty");
    assert_exit(decode_stdin(&sb, &[], ""), 2, "the token is empty");
}

#[test]
fn absurd_time_claims_are_shown_not_a_crash() {
    let sb = Sandbox::new();
    let header = b64url(br#"{"alg":"RS256","kid":"k1"}"#);
    let body = b64url(
        br#"{"exp":-9223372036854775808,"iat":9223372036854775807,"nbf":1e300,"auth_time":-1}"#,
    );
    let token = format!("{header}.{body}.c2ln");
    let (code, out, err) = decode(&sb, &[&token]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("out of range"), "{out}");
    assert!(out.contains("1969-12-31 23:59:59 UTC"), "{out}");
    // Validly signed, so the claim checks run on them too.
    let m = mint(
        json!({"claims": {"exp": -9_223_372_036_854_775_808i64, "iat": 9_223_372_036_854_775_807i64, "nbf": 1e300}}),
    );
    write_keys(&sb, &m);
    let (code, out, err) = decode(&sb, &[&m.token, "--jwks", "jwks.json"]);
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.contains("Signature verified: RS256"), "{out}");
    assert!(err.contains("verification failed: exp (expired "), "{err}");
}

#[test]
fn piped_output_and_no_color_have_no_ansi_escapes() {
    let sb = Sandbox::new();
    let t = mint(json!({"claims": {"sub": "x", "exp": FAR_FUTURE, "iat": ISSUED}}));
    sb.write("jwks.json", &t.jwks.to_string());
    let bad = mint(json!({"claims": {"sub": "x", "exp": FAR_FUTURE, "iat": ISSUED}, "flip": true}));
    for args in [
        vec![t.token.as_str()],
        vec![t.token.as_str(), "--jwks", "jwks.json"],
        vec![bad.token.as_str(), "--jwks", "jwks.json"],
    ] {
        for no_color in [false, true] {
            let mut cmd = sb.cmd();
            cmd.env("TZ", TZ).arg("decode").args(&args);
            if no_color {
                cmd.env("NO_COLOR", "1");
            }
            let (_, out, err) = run(&mut cmd);
            assert!(!out.contains('\x1b') && !err.contains('\x1b'), "{out}{err}");
        }
    }
    // The same output does carry colour when asked for.
    let (code, out, _) = decode(&sb, &[&t.token, "--color", "always"]);
    assert_eq!(code, 0);
    assert!(out.contains("\x1b["), "{out}");
}

/// `stauth decode` on a terminal (a pty), with or without NO_COLOR.
fn on_a_terminal(sb: &Sandbox, token: &str, no_color: bool) -> String {
    let mut cmd = StdCommand::new("sh");
    cmd.arg("-c")
        .arg("stty rows 50 cols 200 && exec \"$0\" decode \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("stauth"))
        .arg(token)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sb.home())
        .env("TERM", "xterm")
        .env("TZ", TZ)
        .current_dir(sb.path());
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawn in a pty");
    p.exp_eof().expect("stauth decode ends by itself")
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let sb = Sandbox::new();
    let token = display_token();
    let coloured = on_a_terminal(&sb, &token, false);
    assert!(coloured.contains("alice@example.com"), "{coloured}");
    assert!(
        coloured.contains("\x1b["),
        "a terminal gets colour:\n{coloured}"
    );
    let plain = on_a_terminal(&sb, &token, true);
    assert!(plain.contains("alice@example.com"), "{plain}");
    assert!(!plain.contains('\x1b'), "NO_COLOR:\n{plain}");
}

// ----------------------------------------------------------- verification

/// Writes the key material of `m` to jwks.json, key.pem and key.jwk.
fn write_keys(sb: &Sandbox, m: &Minted) {
    sb.write("jwks.json", &m.jwks.to_string());
    sb.write("key.jwk", &m.jwk.to_string());
    if let Some(pem) = &m.public_pem {
        sb.write("key.pem", pem);
    }
}

fn valid_claims(n: u64) -> Value {
    json!({"iss": "https://idp.example", "sub": "alice", "aud": "app", "exp": n + 3000, "iat": n - 10})
}

#[test]
fn rs256_es256_ps256_eddsa_verify_with_jwks_pem_and_jwk() {
    for alg in ["RS256", "ES256", "PS256", "EdDSA"] {
        let sb = Sandbox::new();
        let n = now();
        let m = mint(json!({"alg": alg, "claims": valid_claims(n)}));
        write_keys(&sb, &m);
        let forged = forge_payload(
            &m.token,
            &json!({"iss": "https://idp.example", "sub": "admin", "aud": "app", "exp": n + 3000, "iat": n - 10}),
        );
        for (flag, file, source) in [
            ("--jwks", "jwks.json", "keys from jwks.json"),
            ("--key", "key.pem", "key key.pem"),
            ("--key", "key.jwk", "key key.jwk"),
        ] {
            let (code, out, err) = decode(&sb, &[&m.token, flag, file]);
            assert_eq!(code, 0, "{alg} {flag} {file}: {err}");
            assert!(
                out.contains(&format!("Signature verified: {alg}, key k1 ({source})")),
                "{alg} {flag} {file}:\n{out}"
            );
            assert!(out.contains("✓ exp: expires in"), "{out}");
            assert!(out.contains("✓ iat: issued"), "{out}");
            assert!(!out.contains("NOT"), "{out}");

            let (code, out, _) = decode(&sb, &[&m.token, flag, file, "--json"]);
            assert_eq!(code, 0);
            let v = json_out(&out);
            assert_eq!(v["signature"]["verified"], true, "{alg} {file}");
            assert_eq!(v["signature"]["alg"], alg);
            assert_eq!(v["signature"]["kid"], "k1");
            assert_eq!(v["signature"]["source"], source);
            let names: Vec<&str> = v["checks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["exp", "iat"], "{alg}");

            // The same key refuses the token with a changed payload.
            let (_, err) = assert_exit(
                decode(&sb, &[&forged, flag, file]),
                1,
                "verification failed: bad signature: the token was changed after signing, or signed with another key",
            );
            assert!(!err.contains("panicked"));
        }
    }
}

#[test]
fn hs256_verifies_with_secret_stdin() {
    let sb = Sandbox::new();
    let secret = "a-shared-hmac-secret-of-some-length";
    let m = mint(json!({"alg": "HS256", "secret": secret, "claims": valid_claims(now())}));
    let (code, out, err) = decode_stdin(&sb, &[&m.token, "--secret-stdin"], &format!("{secret}\n"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Signature verified: HS256, key k1 (shared secret from stdin)"),
        "{out}"
    );
    let (code, out, _) = decode_stdin(&sb, &[&m.token, "--secret-stdin", "--json"], secret);
    assert_eq!(code, 0);
    assert_eq!(json_out(&out)["signature"]["verified"], true);

    assert_exit(
        decode_stdin(&sb, &[&m.token, "--secret-stdin"], "another-secret"),
        1,
        "verification failed: bad signature",
    );
    // stdin cannot carry both the token and the secret.
    assert_exit(
        decode_stdin(&sb, &["-", "--secret-stdin"], secret),
        2,
        "stdin carries the secret (--secret-stdin)",
    );
}

// ---------------------------------------------------------------- refusals

#[test]
fn alg_none_is_refused() {
    let sb = Sandbox::new();
    let n = now();
    let keys = mint(json!({"alg": "RS256"}));
    write_keys(&sb, &keys);
    for none in ["none", "None", "NONE"] {
        let m = mint(json!({"alg": "none", "header": {"alg": none}, "claims": valid_claims(n)}));
        assert!(
            m.token.ends_with('.'),
            "an unsigned token has an empty signature"
        );
        for args in [
            vec![m.token.as_str(), "--jwks", "jwks.json"],
            vec![m.token.as_str(), "--key", "key.pem"],
            vec![m.token.as_str(), "--key", "key.jwk"],
        ] {
            let (out, err) = assert_exit(
                decode(&sb, &args),
                1,
                "verification failed: the token is unsigned (alg \"none\"): refused",
            );
            assert!(err.contains("An unsigned token proves nothing"), "{err}");
            assert!(out.contains("Signature NOT valid"), "{out}");
        }
        // Without verification: shown (exit 0), and said to be unsigned.
        let (code, out, err) = decode(&sb, &[&m.token]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("Signature NOT verified: the token is unsigned (alg \"none\")"),
            "{out}"
        );
        let (out, err) = assert_exit(
            decode_stdin(&sb, &[&m.token, "--secret-stdin", "--json"], "secret"),
            1,
            "the token is unsigned",
        );
        assert_eq!(json_out(&out)["signature"]["verified"], false, "{err}");
    }
}

#[test]
fn rs256_token_with_a_shared_secret_is_refused() {
    // Algorithm confusion: an RS256 token "verified" as HMAC with the public key.
    let sb = Sandbox::new();
    let m = mint(json!({"alg": "RS256", "claims": valid_claims(now())}));
    let pem = m.public_pem.unwrap();
    let (_, err) = assert_exit(
        decode_stdin(&sb, &[&m.token, "--secret-stdin"], &pem),
        1,
        "verification failed: algorithm RS256 does not fit the key (key type oct (a shared secret)): refused to avoid algorithm confusion",
    );
    assert!(err.contains("algorithm-confusion"), "{err}");
}

#[test]
fn hs256_token_with_a_public_key_is_refused() {
    // The classic attack: an HS256 token whose HMAC key is the provider's
    // public key (PEM text), which a naive verifier would accept.
    let sb = Sandbox::new();
    let rsa = mint(json!({"alg": "RS256"}));
    write_keys(&sb, &rsa);
    let pem = rsa.public_pem.clone().unwrap();
    let attack = mint(json!({
        "alg": "HS256",
        "secret": pem.trim(),
        "claims": {"sub": "admin", "aud": "app", "exp": FAR_FUTURE, "iat": now()}
    }));
    // The forgery is a valid HMAC under the PEM text...
    let (code, _, err) = decode_stdin(&sb, &[&attack.token, "--secret-stdin"], &pem);
    assert_eq!(
        code, 0,
        "the attack token must be a real HMAC of the PEM: {err}"
    );
    // ...and stauth refuses it with the public key, however it is given.
    assert_exit(
        decode(&sb, &[&attack.token, "--key", "key.pem"]),
        1,
        "verification failed: algorithm HS256 does not fit the key (key type a public key (PEM)): refused to avoid algorithm confusion",
    );
    assert_exit(
        decode(&sb, &[&attack.token, "--key", "key.jwk"]),
        1,
        "verification failed: algorithm HS256 does not fit the key (key type RSA): refused to avoid algorithm confusion",
    );
    let (_, err) = assert_exit(
        decode(&sb, &[&attack.token, "--jwks", "jwks.json"]),
        1,
        "verification failed: algorithm HS256 is not accepted here (accepted: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA)",
    );
    assert!(err.contains("--secret-stdin"), "{err}");
}

#[test]
fn unknown_kid_is_refused() {
    let sb = Sandbox::new();
    let m = mint(
        json!({"kid": "k1", "header": {"kid": "rotated-away"}, "claims": valid_claims(now())}),
    );
    write_keys(&sb, &m);
    let (_, err) = assert_exit(
        decode(&sb, &[&m.token, "--jwks", "jwks.json"]),
        1,
        "verification failed: no key with kid \"rotated-away\" in the provider's key set",
    );
    assert!(err.contains("rotated its keys"), "{err}");
}

#[test]
fn bad_signature_is_refused() {
    let sb = Sandbox::new();
    let m = mint(json!({"flip": true, "claims": valid_claims(now())}));
    write_keys(&sb, &m);
    for args in [["--jwks", "jwks.json"], ["--key", "key.pem"]] {
        let (out, _) = assert_exit(
            decode(&sb, &[&m.token, args[0], args[1]]),
            1,
            "verification failed: bad signature: the token was changed after signing, or signed with another key",
        );
        assert!(out.contains("Signature NOT valid: bad signature"), "{out}");
    }
    let (out, _) = assert_exit(
        decode(&sb, &[&m.token, "--jwks", "jwks.json", "--json"]),
        1,
        "bad signature",
    );
    let v = json_out(&out);
    assert_eq!(v["signature"]["verified"], false);
    assert_eq!(
        v["signature"]["error"],
        "bad signature: the token was changed after signing, or signed with another key"
    );
}

#[test]
fn a_broken_ed25519_key_is_refused_not_a_crash() {
    // jsonwebtoken 12.0 slices Ed25519 keys with [..32]: a short `x` in a
    // JWKS (broken or hostile provider) must not crash stauth.
    let sb = Sandbox::new();
    let m = mint(json!({"alg": "EdDSA", "claims": valid_claims(now())}));
    let mut short = m.jwk.clone();
    short["x"] = json!("AA");
    sb.write("short.jwk", &short.to_string());
    sb.write("short.json", &json!({"keys": [short]}).to_string());
    // SPKI for Ed25519 holding a 1-byte key.
    sb.write(
        "short.pem",
        "-----BEGIN PUBLIC KEY-----\nMAswBQYDK2VwAwIAQQ==\n-----END PUBLIC KEY-----\n",
    );
    for (flag, file, message) in [
        ("--jwks", "short.json", "verification failed: bad signature"),
        ("--key", "short.jwk", "verification failed: bad signature"),
        (
            "--key",
            "short.pem",
            "verification failed: algorithm EdDSA does not fit the key (key type a PEM key of another type (or not a public key))",
        ),
    ] {
        let (_, err) = assert_exit(decode(&sb, &[&m.token, flag, file]), 1, message);
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn expired_token_is_refused_and_leeway_applies() {
    let sb = Sandbox::new();
    let n = now();
    let m = mint(json!({"claims": {"sub": "x", "aud": "app", "exp": n - 300, "iat": n - 4000}}));
    write_keys(&sb, &m);
    let (out, _) = assert_exit(
        decode(&sb, &[&m.token, "--jwks", "jwks.json"]),
        1,
        "verification failed: exp (expired 5 min ago (leeway 120 s))",
    );
    assert!(out.contains("Signature verified: RS256"), "{out}");
    assert!(
        out.contains("✗ exp: expired 5 min ago (leeway 120 s)"),
        "{out}"
    );

    let (code, out, err) = decode(&sb, &[&m.token, "--jwks", "jwks.json", "--leeway", "600"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("✓ exp: expired 5 min ago, accepted within the leeway of 600 s"),
        "{out}"
    );

    // The default leeway is Authlib's 120 s: a token expired a minute ago passes.
    let m = mint(json!({"claims": {"sub": "x", "exp": n - 60, "iat": n - 4000}}));
    write_keys(&sb, &m);
    let (code, _, err) = decode(&sb, &[&m.token, "--jwks", "jwks.json"]);
    assert_eq!(code, 0, "{err}");
    assert_exit(
        decode(&sb, &[&m.token, "--jwks", "jwks.json", "--leeway", "0"]),
        1,
        "verification failed: exp (expired 1 min ago (leeway 0 s))",
    );
}

#[test]
fn not_yet_valid_and_missing_exp_are_refused() {
    let sb = Sandbox::new();
    let n = now();
    let m = mint(json!({"claims": {"sub": "x", "exp": n + 3600, "iat": n, "nbf": n + 1830}}));
    write_keys(&sb, &m);
    assert_exit(
        decode(&sb, &[&m.token, "--jwks", "jwks.json"]),
        1,
        "verification failed: nbf (not valid for another 30 min (leeway 120 s))",
    );
    let m = mint(json!({"claims": {"sub": "x", "iat": n}}));
    write_keys(&sb, &m);
    assert_exit(
        decode(&sb, &[&m.token, "--jwks", "jwks.json"]),
        1,
        "verification failed: exp (the token has no exp claim)",
    );
}

#[test]
fn wrong_audience_is_refused() {
    let sb = Sandbox::new();
    let m = mint(json!({"claims": valid_claims(now())}));
    write_keys(&sb, &m);
    let (code, out, err) = decode(&sb, &[&m.token, "--jwks", "jwks.json", "--audience", "app"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("✓ aud: token aud \"app\" includes client_id app"),
        "{out}"
    );
    let (out, err) = assert_exit(
        decode(
            &sb,
            &[&m.token, "--jwks", "jwks.json", "--audience", "other-app"],
        ),
        1,
        "verification failed: aud (token aud \"app\" does not include client_id other-app)",
    );
    assert!(err.contains("The signature is valid, but a claim is not what was expected"));
    assert!(out.contains("✗ aud:"), "{out}");
}

#[test]
fn verify_without_a_key_source_is_a_usage_error() {
    let sb = Sandbox::new();
    let m = mint(json!({"claims": valid_claims(now())}));
    write_keys(&sb, &m);
    let (out, _) = assert_exit(
        decode(&sb, &[&m.token, "--verify"]),
        2,
        "--verify: say which key to verify with: --provider [NAME], --issuer URL, --jwks URL|FILE, --key FILE or --secret-stdin",
    );
    assert_eq!(out, "");
    assert_exit(
        decode(&sb, &[&m.token, "--jwks", "jwks.json", "--key", "key.pem"]),
        2,
        "choose one of --jwks, --key and --secret-stdin",
    );
    assert_exit(
        decode(&sb, &[&m.token, "--jwks", "nope.json"]),
        2,
        "cannot read nope.json",
    );
}

// ------------------------------------------------- the test identity provider

/// A real login at the test IdP; the app folder `stauth init` wrote.
struct RealLogin {
    idp: Idp,
    sb: Sandbox,
    id_token: String,
}

fn real_login(extra: Value) -> RealLogin {
    let (idp, sb, _) = common::provider_app(extra, CLIENT_SECRET);
    let (code, out, err) = run(sb.cmd().args([
        "test-login",
        "--browser-command",
        &node_browser_command(&[]),
        "--timeout",
        "30",
        "--show-tokens",
        "--json",
    ]));
    assert_eq!(code, 0, "test-login failed: {err}");
    let id_token = json_out(&out)["tokens"]["id_token"]
        .as_str()
        .unwrap()
        .to_owned();
    RealLogin { idp, sb, id_token }
}

#[test]
fn real_id_token_verifies_with_provider_issuer_and_jwks_url() {
    let l = real_login(json!({}));
    let iss = &l.idp.issuer;
    let jwks_uri = format!("{}/jwks", l.idp.base);
    let signed = format!("Signature verified: RS256, key rsa-1 (keys from {jwks_uri})");
    let iss_ok = format!("✓ iss: token iss \"{iss}\" equals discovery issuer {iss}");
    let aud_ok = "✓ aud: token aud \"stauth-test\" includes client_id stauth-test";

    // --provider: discovery URL and client id from the app's secrets file.
    let (code, out, err) = decode(&l.sb, &[&l.id_token, "--provider"]);
    assert_eq!(code, 0, "{err}");
    for line in [signed.as_str(), &iss_ok, aud_ok, "✓ exp: expires in"] {
        assert!(out.contains(line), "--provider lacks {line:?}:\n{out}");
    }
    assert!(out.contains("alice@example.com"), "{out}");

    let (code, out, err) = decode(
        &l.sb,
        &[&l.id_token, "--issuer", iss, "--audience", "stauth-test"],
    );
    assert_eq!(code, 0, "{err}");
    for line in [signed.as_str(), &iss_ok, aud_ok] {
        assert!(out.contains(line), "--issuer lacks {line:?}:\n{out}");
    }
    let (code, out, _) = decode(
        &l.sb,
        &[
            &l.id_token,
            "--issuer",
            iss,
            "--audience",
            "stauth-test",
            "--json",
        ],
    );
    assert_eq!(code, 0);
    let v = json_out(&out);
    assert_eq!(v["signature"]["verified"], true);
    assert_eq!(v["signature"]["kid"], "rsa-1");
    assert_eq!(v["signature"]["source"], format!("keys from {jwks_uri}"));
    assert_eq!(v["claims"]["iss"], iss.as_str());
    let checks: Vec<(&str, bool)> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["ok"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        checks,
        [("iss", true), ("aud", true), ("exp", true), ("iat", true)]
    );

    // --jwks URL: the provider's jwks_uri.
    let (code, out, err) = decode(&l.sb, &[&l.id_token, "--jwks", &jwks_uri]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&signed), "{out}");

    // Wrong audience on a real token.
    assert_exit(
        decode(&l.sb, &[&l.id_token, "--issuer", iss, "--audience", "someone-else"]),
        1,
        "verification failed: aud (token aud \"stauth-test\" does not include client_id someone-else)",
    );
    // The secrets file is never printed.
    let (_, out, err) = decode(&l.sb, &[&l.id_token, "--provider", "--json"]);
    assert!(!out.contains(CLIENT_SECRET) && !err.contains(CLIENT_SECRET));
}

#[test]
fn real_token_checked_against_another_issuer_is_refused() {
    let l = real_login(json!({}));
    let other = Idp::start(json!({}));
    assert_ne!(other.issuer, l.idp.issuer);
    let (out, err) = assert_exit(
        decode(
            &l.sb,
            &[
                &l.id_token,
                "--issuer",
                &other.issuer,
                "--audience",
                "stauth-test",
            ],
        ),
        1,
        &format!(
            "verification failed: the token's issuer is \"{}\", not {}, whose keys were used",
            l.idp.issuer, other.issuer
        ),
    );
    assert!(err.contains("--issuer with the token's iss"), "{err}");
    assert!(out.contains("Signature NOT valid"), "{out}");
}

#[test]
fn real_es256_and_eddsa_tokens_verify_with_provider() {
    for (alg, kid) in [("ES256", "ec-1"), ("EdDSA", "ed-1")] {
        let l = real_login(json!({"idTokenSigningAlgs": [alg]}));
        let (code, out, err) = decode(&l.sb, &[&l.id_token, "--provider"]);
        assert_eq!(code, 0, "{alg}: {err}");
        assert!(
            out.contains(&format!("Signature verified: {alg}, key {kid} (keys from")),
            "{alg}:\n{out}"
        );
        // An RS256 key set from elsewhere cannot verify it.
        let rsa = mint(json!({"kid": kid}));
        l.sb.write("other.json", &rsa.jwks.to_string());
        assert_exit(
            decode(&l.sb, &[&l.id_token, "--jwks", "other.json"]),
            1,
            &format!("verification failed: algorithm {alg} does not fit the key (key type RSA)"),
        );
    }
}

// ------------------------------------------------------------------ cookies

/// The cookie oracle, with Tornado (for the old format) required.
fn oracle(case: &Value) -> Value {
    let v = common::oracle::oracle(case);
    assert!(
        !v["tornado"].is_null(),
        "tornado is not in tests/.venv: run bash tests/setup.sh"
    );
    v
}

/// The cookies a browser sends back: (name, value) of every Set-Cookie that
/// stores one (not the Max-Age=0 deletions).
fn stored(set_cookie: &Value) -> Vec<(String, String)> {
    set_cookie
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| !h["header"].as_str().unwrap().contains("Max-Age=0"))
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn header(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn value_of<'a>(pairs: &'a mut [(String, String)], name: &str) -> &'a mut String {
    &mut pairs
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} cookie"))
        .1
}

fn chunk_count(pairs: &[(String, String)], name: &str) -> usize {
    pairs
        .iter()
        .filter(|(n, _)| {
            n.strip_prefix(name)
                .and_then(|r| r.strip_prefix('_'))
                .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
        })
        .count()
}

/// Pseudo-random GUIDs (xorshift seeded from the clock): they do not
/// compress, so 300 of them force chunking.
fn guids(count: usize) -> Vec<String> {
    let mut s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    (0..count)
        .map(|_| {
            let (a, b) = (next(), next());
            format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xffff,
                b >> 48,
                b & 0xffff_ffff_ffff
            )
        })
        .collect()
}

/// One login's cookies, made by real Streamlit.
struct Cookies {
    identity: Value,
    id_token_claims: Value,
    access_token: String,
    ts: u64,
    oracle: Value,
}

impl Cookies {
    fn starlette(&self) -> Vec<(String, String)> {
        stored(&self.oracle["set_cookie"])
    }

    fn tornado(&self) -> Vec<(String, String)> {
        stored(&self.oracle["tornado"]["set_cookie"])
    }

    /// What `st.user` holds: the claims, then origin, is_logged_in, provider.
    fn st_user(&self) -> Value {
        let mut v = self.identity.clone();
        v["origin"] = json!("http://localhost:8501");
        v["is_logged_in"] = json!(true);
        v["provider"] = json!("default");
        v
    }
}

fn login_cookies(secret: &str, groups: usize, ts: u64) -> Cookies {
    let mut identity = json!({
        "iss": "https://idp.example",
        "sub": "alice",
        "aud": "stauth-test",
        "email": "alice@example.com",
        "email_verified": true,
        "name": "Alice Example",
        "exp": ts + 3600,
        "iat": ts,
    });
    if groups > 0 {
        identity["groups"] = json!(guids(groups));
    }
    let id_token = mint(json!({"claims": identity})).token;
    let access_token = "opaque-access-token-0123456789".to_string();
    let oracle = oracle(&json!({
        "secret": secret,
        "identity": identity,
        "origin": "http://localhost:8501",
        "provider": "default",
        "tokens": {"id_token": id_token, "access_token": access_token},
        "ts": ts,
        "tornado_sign": [{"name": "_streamlit_user", "value": "{\"email\": \"old@example.com\"}"}],
    }));
    Cookies {
        id_token_claims: identity.clone(),
        identity,
        access_token,
        ts,
        oracle,
    }
}

/// An app folder whose secrets.toml `stauth init` wrote, and its cookie_secret.
fn app_with_secrets() -> (Sandbox, String) {
    let sb = Sandbox::new();
    let (code, _, err) = run(&mut sb.init_google(&["--offline"]));
    assert_eq!(code, 0, "init: {err}");
    let secrets = sb.secrets();
    let secret = Regex::new(r#"cookie_secret = "([^"]+)""#)
        .unwrap()
        .captures(&secrets)
        .unwrap_or_else(|| panic!("no cookie_secret in:\n{secrets}"))[1]
        .to_owned();
    (sb, secret)
}

fn assert_cookie_json(out: &str, c: &Cookies, format: &str, chunks: usize, tokens_chunks: usize) {
    let v = json_out(out);
    assert_eq!(v["format"], format);
    assert_eq!(v["signed_at"], c.ts);
    assert_eq!(v["expires_at"], c.ts + 31 * DAY);
    assert_eq!(v["chunks"], chunks);
    assert_eq!(v["identity"], c.st_user());
    assert_eq!(v["tokens"]["chunks"], tokens_chunks);
    assert_eq!(v["tokens"]["id_token"]["claims"], c.id_token_claims);
    assert_eq!(v["tokens"]["id_token"]["header"]["alg"], "RS256");
    assert_eq!(
        v["tokens"]["access_token"],
        json!({"jwt": false, "length": c.access_token.len()})
    );
}

#[test]
fn small_identity_with_the_apps_cookie_secret() {
    let (sb, secret) = app_with_secrets();
    let c = login_cookies(&secret, 0, now() - 60);
    let pairs = c.starlette();
    assert_eq!(
        pairs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["_streamlit_user", "_streamlit_user_tokens"]
    );
    let h = header(&pairs);
    let (code, out, err) = decode(&sb, &["--cookie-header", &h]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("_streamlit_user: signature valid (itsdangerous (Starlette server, Streamlit 1.53+), cookie_secret from "), "{out}");
    assert!(out.contains(".streamlit/secrets.toml)"), "{out}");
    assert!(!out.contains(&secret), "the cookie secret is never printed");
    assert!(out.contains("· 1 min ago"), "{out}");
    assert!(out.contains("Streamlit accepts it until"), "{out}");
    assert!(!out.contains("chunks"), "{out}");
    {
        let _f = filters(&[], &[Rules::Times, Rules::Durations]);
        assert_snapshot!("cookie_small", out);
    }

    let (code, out, err) = decode(&sb, &["--cookie-header", &format!("Cookie: {h}"), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_cookie_json(&out, &c, "itsdangerous", 0, 0);
    assert!(!out.contains(&secret));

    // The header on stdin, the secret from the file.
    let (code, out2, err) = decode_stdin(&sb, &["--cookie-header", "-", "--json"], &h);
    assert_eq!((code, out2.as_str()), (0, out.as_str()), "{err}");
}

#[test]
fn chunked_identity_with_secret_stdin() {
    let sb = Sandbox::new();
    let c = login_cookies(COOKIE_SECRET, 300, now() - 60);
    let pairs = c.starlette();
    let chunks = chunk_count(&pairs, "_streamlit_user");
    let tokens_chunks = chunk_count(&pairs, "_streamlit_user_tokens");
    assert!(
        chunks >= 2 && tokens_chunks >= 2,
        "{chunks} {tokens_chunks}"
    );
    let h = header(&pairs);
    assert!(h.len() > 8192, "a header nginx would refuse: {}", h.len());

    let (code, out, err) = decode_stdin(
        &sb,
        &["--cookie-header", &h, "--secret-stdin"],
        COOKIE_SECRET,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("cookie_secret from stdin"), "{out}");
    assert!(
        out.contains(&format!("  reassembled from {chunks} chunks")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "_streamlit_user_tokens: id_token, from {tokens_chunks} chunks (signature not checked here)"
        )),
        "{out}"
    );
    assert!(out.contains("alice@example.com"), "{out}");
    assert!(out.contains("access_token: opaque, 30 characters"), "{out}");

    let (code, out, err) = decode_stdin(
        &sb,
        &["--cookie-header", &h, "--secret-stdin", "--json"],
        COOKIE_SECRET,
    );
    assert_eq!(code, 0, "{err}");
    assert_cookie_json(&out, &c, "itsdangerous", chunks, tokens_chunks);
    assert_eq!(
        json_out(&out)["identity"]["groups"]
            .as_array()
            .unwrap()
            .len(),
        300
    );
}

#[test]
fn tornado_cookies_of_streamlit_1_53_to_1_56() {
    let sb = Sandbox::new();
    let c = login_cookies(COOKIE_SECRET, 0, now() - 60);
    let pairs = c.tornado();
    // Tornado quotes the value (Python's http.cookies); browsers send it back
    // quoted.
    assert!(pairs[0].1.starts_with("\"2|1:0|"), "{pairs:?}");
    let h = header(&pairs);
    let (code, out, err) = decode_stdin(
        &sb,
        &["--cookie-header", &h, "--secret-stdin"],
        COOKIE_SECRET,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "signature valid (Tornado signed value v2 (Tornado server, Streamlit up to 1.56)"
        ),
        "{out}"
    );
    let (code, out, err) = decode_stdin(
        &sb,
        &["--cookie-header", &h, "--secret-stdin", "--json"],
        COOKIE_SECRET,
    );
    assert_eq!(code, 0, "{err}");
    assert_cookie_json(&out, &c, "tornado", 0, 0);

    // A value from tornado.web.create_signed_value (1.42-1.52 login cookie).
    let signed = c.oracle["tornado"]["signed"][0].as_str().unwrap();
    let (code, out, err) =
        decode_stdin(&sb, &["--cookie", signed, "--secret-stdin"], COOKIE_SECRET);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("old@example.com"), "{out}");
    assert!(
        out.contains("No _streamlit_user_tokens cookie (Streamlit before 1.53 does not set it)"),
        "{out}"
    );

    // Tampered: the timestamp moved by one second.
    let tampered = pairs[0]
        .1
        .replacen(&format!("10:{}", c.ts), &format!("10:{}", c.ts + 1), 1);
    assert_ne!(tampered, pairs[0].1);
    assert_exit(
        decode_stdin(
            &sb,
            &["--cookie", &tampered, "--secret-stdin"],
            COOKIE_SECRET,
        ),
        1,
        "_streamlit_user: bad signature",
    );
}

/// Which release the app runs decides whether it reads a cookie: a Tornado
/// cookie means nothing to the Starlette server (1.57+, or the 1.53-1.56
/// opt-in), and chunks mean nothing before 1.53.
#[test]
fn cookies_are_judged_for_the_apps_release() {
    let sb = Sandbox::new();
    let c = login_cookies(COOKIE_SECRET, 0, now() - 60);
    let tornado = header(&c.tornado());
    let decode_as = |h: &str, release: &[&str]| {
        let mut args = vec!["--cookie-header", h, "--secret-stdin"];
        args.extend_from_slice(release);
        decode_stdin(&sb, &args, COOKIE_SECRET)
    };
    let (code, _, err) = decode_as(&tornado, &["--streamlit-version", "1.67"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Checking against Streamlit 1.67.0 on Starlette (--streamlit-version)."),
        "{err}"
    );
    assert!(
        err.contains("Streamlit 1.67.0 on Starlette signs its cookies differently and will not read this one"),
        "{err}"
    );
    let (code, _, err) = decode_as(&tornado, &["--streamlit-version", "1.56.0"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("will not read"), "{err}");
    // The same release with server.useStarlette: the Starlette opt-in.
    sb.write(".streamlit/config.toml", "[server]\nuseStarlette = true\n");
    let (code, _, err) = decode_as(&tornado, &["--streamlit-version", "1.56"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Checking against Streamlit 1.56.0 on Starlette (server.useStarlette) (--streamlit-version; server.useStarlette from"),
        "{err}"
    );
    assert!(err.contains("will not read this one"), "{err}");
    let (code, out, _) = decode_stdin(
        &sb,
        &[
            "--cookie-header",
            &tornado,
            "--secret-stdin",
            "--json",
            "--streamlit-version",
            "1.56",
        ],
        COOKIE_SECRET,
    );
    assert_eq!(code, 0);
    let v = json_out(&out);
    assert_eq!(v["streamlit"]["server"], "starlette-opt-in");
    assert_eq!(v["streamlit"]["source"], "flag");
    assert_eq!(v["release_notes"].as_array().unwrap().len(), 1);
    // Unpublished patches and releases without st.login are refused.
    let (code, _, err) = decode_as(&tornado, &["--streamlit-version", "1.50.3"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("Streamlit 1.50.3 was never released (the 1.50 releases are 1.50.0)"),
        "{err}"
    );
    // A typo is not read as another release ("1.5x" is not 1.5).
    let (code, _, err) = decode_as(&tornado, &["--streamlit-version", "1.5x"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("'1.5x' is not a version like 1.67.0 or 1.67"),
        "{err}"
    );
    // Newer than stauth knows: checked as the newest it knows, with a warning.
    let (code, _, err) = decode_as(&tornado, &["--streamlit-version", "1.80.2"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Streamlit 1.80.2 is newer than stauth knows: checking as 1.67.0"),
        "{err}"
    );
}

#[test]
fn single_cookie_value() {
    let (sb, secret) = app_with_secrets();
    let c = login_cookies(&secret, 0, now() - 60);
    let value = c.starlette()[0].1.clone();
    for given in [
        value.clone(),
        format!("_streamlit_user={value}"),
        format!("  {value}\n"),
    ] {
        let (code, out, err) = decode(&sb, &["--cookie", &given, "--json"]);
        assert_eq!(code, 0, "{given:?}: {err}");
        let v = json_out(&out);
        assert_eq!(v["identity"], c.st_user());
        assert_eq!(v["tokens"], Value::Null);
    }
    let (code, out, err) = decode_stdin(&sb, &["--cookie", "-"], &value);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("alice@example.com"), "{out}");
    assert!(out.contains("No _streamlit_user_tokens cookie"), "{out}");
}

#[test]
fn cookie_refusals() {
    let sb = Sandbox::new();
    let c = login_cookies(COOKIE_SECRET, 300, now() - 60);
    let pairs = c.starlette();
    let h = header(&pairs);

    // Wrong secret.
    let (out, err) = assert_exit(
        decode_stdin(&sb, &["--cookie-header", &h, "--secret-stdin"], "not-the-cookie-secret"),
        1,
        "_streamlit_user: bad signature: the cookie secret is not the one that signed it, or the cookie was changed",
    );
    assert_eq!(out, "");
    assert!(err.contains("stauth used the one from stdin"), "{err}");

    // Tampered: another identity in the payload, timestamp and signature kept.
    let small = login_cookies(COOKIE_SECRET, 0, now() - 60).starlette()[0]
        .1
        .clone();
    let mut parts = small.rsplitn(3, '.');
    let (sig, ts) = (parts.next().unwrap(), parts.next().unwrap());
    let payload = b64url(br#""{\"email\": \"admin@example.com\", \"is_logged_in\": true}""#);
    let forged = format!("{payload}.{ts}.{sig}");
    assert_exit(
        decode_stdin(&sb, &["--cookie", &forged, "--secret-stdin"], COOKIE_SECRET),
        1,
        "_streamlit_user: bad signature",
    );
    // Tampered: one character of a chunk changed.
    let mut tampered = pairs.clone();
    let v = value_of(&mut tampered, "_streamlit_user_2");
    let i = v.len() / 2;
    let ch = if &v[i..=i] == "A" { "B" } else { "A" };
    v.replace_range(i..=i, ch);
    assert_exit(
        decode_stdin(
            &sb,
            &["--cookie-header", &header(&tampered), "--secret-stdin"],
            COOKIE_SECRET,
        ),
        1,
        "_streamlit_user_2: bad signature",
    );
    // Chunks swapped: each is signed with its own name.
    let mut swapped = pairs.clone();
    let one = value_of(&mut swapped, "_streamlit_user_1").clone();
    let two = std::mem::replace(value_of(&mut swapped, "_streamlit_user_2"), one);
    *value_of(&mut swapped, "_streamlit_user_1") = two;
    assert_exit(
        decode_stdin(
            &sb,
            &["--cookie-header", &header(&swapped), "--secret-stdin"],
            COOKIE_SECRET,
        ),
        1,
        "_streamlit_user_1: bad signature",
    );

    // A missing chunk.
    let chunks = chunk_count(&pairs, "_streamlit_user");
    let without: Vec<(String, String)> = pairs
        .iter()
        .filter(|(n, _)| n != "_streamlit_user_2")
        .cloned()
        .collect();
    let (_, err) = assert_exit(
        decode_stdin(&sb, &["--cookie-header", &header(&without), "--secret-stdin"], COOKIE_SECRET),
        1,
        &format!("_streamlit_user was split into {chunks} chunks but _streamlit_user_2 is missing: pass the whole Cookie header"),
    );
    assert!(err.contains("Copy the whole Cookie header"), "{err}");
    // --cookie with only the main cookie of a chunked identity.
    assert_exit(
        decode_stdin(
            &sb,
            &["--cookie", &pairs[0].1, "--secret-stdin"],
            COOKIE_SECRET,
        ),
        1,
        "_streamlit_user_1 is missing",
    );

    // Expired: signed 40 days ago. 30 days ago still works.
    let old = login_cookies(COOKIE_SECRET, 0, now() - 40 * DAY);
    let (_, err) = assert_exit(
        decode_stdin(&sb, &["--cookie-header", &header(&old.starlette()), "--secret-stdin"], COOKIE_SECRET),
        1,
        "_streamlit_user: signed 40 days ago; Streamlit accepts login cookies for 31 days, so the user must log in again",
    );
    assert!(err.contains("Log in again"), "{err}");
    let old_tornado = header(&old.tornado());
    assert_exit(
        decode_stdin(
            &sb,
            &["--cookie-header", &old_tornado, "--secret-stdin"],
            COOKIE_SECRET,
        ),
        1,
        "_streamlit_user: signed 40 days ago",
    );
    let month = login_cookies(COOKIE_SECRET, 0, now() - 30 * DAY);
    let (code, out, err) = decode_stdin(
        &sb,
        &[
            "--cookie-header",
            &header(&month.starlette()),
            "--secret-stdin",
        ],
        COOKIE_SECRET,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("· 30 d 0 h ago"), "{out}");

    // No login cookie at all.
    assert_exit(
        decode_stdin(
            &sb,
            &["--cookie-header", "a=1; b=2", "--secret-stdin"],
            COOKIE_SECRET,
        ),
        2,
        "there is no _streamlit_user cookie in what was given",
    );
}

/// A config.toml Streamlit cannot parse stops the command with its position,
/// as Streamlit stops; it is not skipped.
#[test]
fn a_malformed_config_toml_is_reported_with_its_position() {
    let (sb, secret) = app_with_secrets();
    sb.write(
        ".streamlit/config.toml",
        "[server]\nport = 8502\n[secrets\n",
    );
    let c = login_cookies(&secret, 0, now() - 60);
    let (code, out, err) = decode(&sb, &["--cookie-header", &header(&c.starlette())]);
    assert_ne!(code, 0, "{out}");
    assert!(
        err.contains(".streamlit/config.toml:3:9: malformed TOML"),
        "{err}"
    );
}

/// `decode --provider` against stauth's dev provider verifies its ID token
/// like any provider's: discovery, its JWKS, iss and aud.
#[test]
fn provider_verification_against_the_dev_provider() {
    use common::dev_provider::{dev_secrets, http, Client, DevProvider};

    let sb = Sandbox::new();
    let port = common::idp::free_port();
    let client = Client::random();
    let redirect = "http://localhost:8501/oauth2callback";
    sb.write(
        ".streamlit/secrets.toml",
        &dev_secrets(port, None, &client, redirect),
    );
    let dp = DevProvider::start(&sb, port, &["--auto-login", "alice"]);

    let authorize = format!(
        "{}/authorize?client_id={}&redirect_uri={}&response_type=code&scope=openid%20email%20profile&state=st&nonce=nn",
        dp.issuer, client.id, "http%3A%2F%2Flocalhost%3A8501%2Foauth2callback"
    );
    let answer = http().get(authorize).send().unwrap();
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {location}"));
    let tokens = http()
        .post(format!("{}/token", dp.issuer))
        .basic_auth(&client.id, Some(&client.secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
        ])
        .send()
        .unwrap()
        .text()
        .unwrap();
    let tokens: Value = serde_json::from_str(&tokens).unwrap();
    let id_token = tokens["id_token"].as_str().expect("an ID token");

    let (code, out, err) = run(sb.cmd().args([
        "decode",
        id_token,
        "--provider",
        "--streamlit-version",
        "1.67",
    ]));
    assert_eq!(code, 0, "{out}\n{err}");
    let all = format!("{out}\n{err}");
    assert!(all.contains("Signature verified: RS256"), "{all}");
    assert!(
        all.contains(&format!("keys from http://localhost:{port}/jwks")),
        "{all}"
    );
    assert!(all.contains("alice@example.com"), "{all}");
}
