//! `stauth init` checking a real OpenID Connect provider (npm `oidc-provider`,
//! started on 127.0.0.1 by each test) against what Streamlit will do.

use crate::common;

use common::idp::{free_port, Idp};
use common::snapshot::{filters, Rules};
use common::{assert_no_secret, fingerprint, run, Sandbox, SECRET};
use insta::assert_snapshot;
use serde_json::json;

fn init_generic(sb: &Sandbox, issuer_or_url: (&str, &str)) -> assert_cmd::Command {
    let mut cmd = sb.cmd();
    cmd.args([
        "init",
        "--streamlit-version",
        "1.67",
        issuer_or_url.0,
        issuer_or_url.1,
        "--client-id",
        "stauth-test",
    ])
    .env("STAUTH_CLIENT_SECRET", SECRET);
    cmd
}

#[test]
fn a_healthy_provider_is_checked_and_prompt_is_adjusted() {
    let idp = Idp::start(json!({}));
    let sb = Sandbox::new();
    let (code, out, err) = run(&mut init_generic(&sb, ("--issuer", &idp.issuer)));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert_no_secret(&[&out, &err]);
    let _f = filters(&[], &[Rules::Secrets]);
    assert_snapshot!("healthy_stderr", err);
    // oidc-provider does not support prompt=select_account, Streamlit's default.
    assert_snapshot!("healthy_contents", sb.secrets());
}

#[test]
fn healthy_provider_json_lists_discovery_findings() {
    let idp = Idp::start(json!({}));
    let sb = Sandbox::new();
    let (code, out, err) = run(init_generic(&sb, ("--issuer", &idp.issuer)).arg("--json"));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v["discovery"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "discovery.issuer",
            "discovery.pkce",
            "discovery.prompt",
            "discovery.signing",
            "discovery.logout"
        ]
    );
    assert_no_secret(&[&out]);
}

#[test]
fn issuer_that_differs_from_the_url_is_flagged() {
    let idp = Idp::start(json!({"issuer": "http://localhost:{port}/other"}));
    let sb = Sandbox::new();
    let (code, _, err) = run(&mut init_generic(
        &sb,
        ("--metadata-url", &idp.discovery_url()),
    ));
    assert_eq!(code, 0, "{err}");
    let _f = filters(&[(&idp.port.to_string(), "[PORT]")], &[Rules::Secrets]);
    assert_snapshot!(err);
}

#[test]
fn hs256_only_provider_is_flagged() {
    let idp = Idp::start(json!({"idTokenSigningAlgs": ["HS256"]}));
    let sb = Sandbox::new();
    let (code, _, err) = run(&mut init_generic(&sb, ("--issuer", &idp.issuer)));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("ID tokens are signed only with HS256 (the client secret)"),
        "{err}"
    );
    assert!(err.contains("keys from jwks_uri only"), "{err}");
}

#[test]
fn provider_without_logout_endpoint() {
    let idp = Idp::start(json!({"endSession": false}));
    let sb = Sandbox::new();
    let (code, _, err) = run(&mut init_generic(&sb, ("--issuer", &idp.issuer)));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("st.logout() only clears the app's cookies"),
        "{err}"
    );
    assert!(
        !err.contains("post-logout redirect URI (st.logout()"),
        "{err}"
    );
}

/// Each broken discovery URL: exit code and message, and nothing written.
#[test]
fn broken_discovery_documents() {
    let idp = Idp::start(json!({}));
    let sb = Sandbox::new();
    let cases = [
        ("/nope/.well-known/openid-configuration", 3, "not_found"),
        ("/not-json/.well-known/openid-configuration", 3, "not_json"),
        (
            "/missing-fields/.well-known/openid-configuration",
            3,
            "missing_fields",
        ),
    ];
    for (path, expected, name) in cases {
        let url = format!("{}{path}", idp.base);
        let (code, out, err) = run(&mut init_generic(&sb, ("--metadata-url", &url)));
        assert_eq!(code, expected, "{name}: {err}");
        assert_eq!(out, "");
        let _f = filters(&[], &[Rules::Secrets]);
        assert_snapshot!(name, err);
        assert!(
            !sb.file(".streamlit").exists(),
            "{name}: nothing may be written"
        );
    }
}

#[test]
fn nothing_listening_is_a_provider_error() {
    let port = free_port();
    let sb = Sandbox::new();
    sb.write(".streamlit/secrets.toml", "# mine\n[db]\nurl = \"x\"\n");
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));
    let issuer = format!("http://127.0.0.1:{port}");
    let (code, _, err) = run(&mut init_generic(&sb, ("--issuer", &issuer)));
    assert_eq!(code, 3, "{err}");
    let _f = filters(&[], &[Rules::Secrets]);
    assert_snapshot!(err);
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);
}

#[test]
fn unresolvable_host_is_named() {
    let sb = Sandbox::new();
    let (code, _, err) = run(&mut init_generic(
        &sb,
        ("--issuer", "https://no-such-host.invalid"),
    ));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("cannot resolve the host name 'no-such-host.invalid'"),
        "{err}"
    );
}

#[test]
fn slow_provider_times_out() {
    let idp = Idp::start(json!({}));
    let sb = Sandbox::new();
    let url = format!("{}/slow/.well-known/openid-configuration", idp.base);
    let (code, _, err) = run(&mut init_generic(&sb, ("--metadata-url", &url)));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("did not answer within 10 s"), "{err}");
}

#[test]
fn offline_skips_the_provider() {
    let port = free_port();
    let sb = Sandbox::new();
    let issuer = format!("http://127.0.0.1:{port}");
    let (code, _, err) = run(init_generic(&sb, ("--issuer", &issuer)).arg("--offline"));
    assert_eq!(code, 0, "{err}");
    assert!(sb.secrets().contains(&format!(
        "server_metadata_url = \"{issuer}/.well-known/openid-configuration\""
    )));
}
