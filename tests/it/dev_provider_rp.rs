//! An independent, OpenID Certified relying party (npm `openid-client` 6,
//! tests/rp/rp.mjs) against the real `stauth dev-provider`: discovery,
//! authorization code + PKCE S256, the token exchange with the library's own
//! ID token validation, a refused code replay, a refresh (offline_access),
//! userinfo and RP-initiated logout, for every signing algorithm.
//!
//! Needs `npm ci --prefix tests/rp` (or `bash tests/setup.sh`).

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use common::dev_provider::{dev_secrets, Client, DevProvider};
use common::idp::free_port;
use common::Sandbox;
use serde_json::Value;

fn rp_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/rp")
}

/// `node tests/rp/rp.mjs ...`: its JSON summary, or a panic with its stderr.
fn relying_party(
    issuer: &str,
    client: &Client,
    redirect_uri: &str,
    alg: &str,
    auth: &str,
) -> Value {
    assert!(
        rp_dir().join("node_modules/openid-client/package.json").is_file(),
        "tests/rp/node_modules/openid-client is missing: run `npm ci --prefix tests/rp` (or bash tests/setup.sh)"
    );
    let out = Command::new("node")
        .arg(rp_dir().join("rp.mjs"))
        .args(["--issuer", issuer, "--client-id", &client.id])
        .args([
            "--client-secret",
            &client.secret,
            "--redirect-uri",
            redirect_uri,
        ])
        .args(["--alg", alg, "--auth", auth])
        .current_dir(rp_dir())
        .output()
        .expect("cannot run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "openid-client failed against the dev provider ({}):\n{stderr}",
        out.status
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("rp.mjs printed no JSON ({e}): {stdout}\n{stderr}"))
}

/// One full run: an app whose `[auth]` points at a dev provider started with
/// `--alg ALG --auto-login alice` (at its `/like/<preset>` issuer with
/// `like`), and the relying party against it.
fn full_flow(
    alg_flag: &str,
    jose_alg: &str,
    auth: &str,
    localhost_redirect: bool,
    like: Option<&str>,
) {
    let sb = Sandbox::new();
    let port = free_port();
    let client = Client::random();
    let host = if localhost_redirect {
        "localhost"
    } else {
        "127.0.0.1"
    };
    let redirect_uri = format!("http://{host}:{}/cb", free_port());
    sb.write(
        ".streamlit/secrets.toml",
        &dev_secrets(port, like, &client, &redirect_uri),
    );
    let dp = DevProvider::start(&sb, port, &["--auto-login", "alice", "--alg", alg_flag]);
    assert_eq!(dp.ready["event"], "ready");
    assert_eq!(dp.ready["issuer"], dp.issuer.as_str(), "{}", dp.ready);
    let issuer = stauth::dev_provider::issuer(port, like);

    let summary = relying_party(&issuer, &client, &redirect_uri, jose_alg, auth);
    let stderr = dp.stderr();

    let d = &summary["discovery"];
    assert_eq!(d["issuer"], issuer.as_str());
    for (key, path) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/jwks"),
        ("end_session_endpoint", "/logout"),
    ] {
        assert_eq!(d[key], format!("{issuer}{path}").as_str(), "{key}: {d}");
    }
    assert!(
        d["code_challenge_methods_supported"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m == "S256")),
        "{d}"
    );

    let a = &summary["authorize"];
    assert_eq!(a["callback_origin_path"], redirect_uri.as_str(), "{a}");
    assert_eq!(a["state_echoed"], true, "{a}");

    let t = &summary["token"];
    assert_eq!(t["id_token_alg"], jose_alg, "{t}");
    assert_eq!(
        t["has_refresh_token"], true,
        "offline_access gave no refresh token: {t}"
    );
    assert!(
        t["token_type"]
            .as_str()
            .unwrap_or("")
            .eq_ignore_ascii_case("bearer"),
        "{t}"
    );

    let c = &summary["claims"];
    assert_eq!(c["iss"], issuer.as_str());
    assert_eq!(c["aud"], client.id.as_str(), "{c}");
    assert_eq!(c["sub"], "alice");
    assert_eq!(c["email"], "alice@example.com", "{c}");

    assert_eq!(
        summary["replay"]["refused"], true,
        "a used code was accepted"
    );
    assert_eq!(
        summary["replay"]["error"], "invalid_grant",
        "{}",
        summary["replay"]
    );

    // A replayed code revokes the tokens it gave (RFC 6749 section 4.1.2).
    assert_eq!(
        summary["after_replay"]["code_access_token_userinfo_status"], 401,
        "the code's access token still works after the code was replayed: {}",
        summary["after_replay"]
    );
    eprintln!(
        "after the replay: {} refresh of the rotated refresh token: {}",
        summary["after_replay"], summary["refresh_after_replay"]
    );

    let r = &summary["refresh"];
    assert_eq!(r["new_access_token"], true, "{r}");
    if r["has_id_token"] == true {
        assert_eq!(r["sub"], "alice");
    }

    assert_eq!(summary["userinfo"]["sub"], "alice");

    let e = &summary["end_session"];
    assert_eq!(e["status"], 302, "{e}");
    let location = e["location"].as_str().unwrap_or_default();
    assert!(
        location.starts_with(&redirect_uri) && location.contains("state=after-logout"),
        "end_session went to {location:?}, not the registered {redirect_uri} with the state"
    );
    // An unregistered post_logout_redirect_uri is never followed.
    let stray = &summary["end_session_unregistered"];
    assert_ne!(stray["status"], 302, "{stray}");
    assert!(stray["location"].is_null(), "{stray}");

    // The client secret never reaches the terminal.
    assert!(!stderr.contains(&client.secret), "{stderr}");
}

#[test]
fn openid_client_rs256_client_secret_basic() {
    full_flow("rs256", "RS256", "basic", true, None);
}

#[test]
fn openid_client_es256_client_secret_post() {
    full_flow("es256", "ES256", "post", false, None);
}

#[test]
fn openid_client_ps256() {
    full_flow("ps256", "PS256", "basic", true, None);
}

#[test]
fn openid_client_eddsa() {
    full_flow("eddsa", "EdDSA", "basic", false, None);
}

/// A provider-shaped issuer of the same dev provider is a whole provider too.
#[test]
fn openid_client_like_keycloak() {
    full_flow("rs256", "RS256", "basic", true, Some("keycloak"));
}
