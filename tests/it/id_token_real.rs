//! `stauth::oidc::id_token` against real ID tokens from the test identity
//! provider (npm `oidc-provider`), one login per signing algorithm.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use common::idp::{free_port, login_script, Idp};
use serde_json::{json, Value};
use stauth::oidc::id_token::{self, Expectations, TokenError, AUTHLIB_LEEWAY};

struct Login {
    id_token: String,
    access_token: String,
    jwks: Value,
    issuer: String,
}

/// Logs alice in through the scripted browser and exchanges the code, as
/// Streamlit would (client_secret_basic).
fn login(alg: &str) -> Login {
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/oauth2callback");
    let idp = Idp::start(json!({
        "idTokenSigningAlgs": [alg],
        "clients": [{
            "client_id": "app",
            "client_secret": "app-secret-0123456789",
            "redirect_uris": [redirect],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }],
    }));
    let http = reqwest::blocking::Client::new();
    let discovery: Value = serde_json::from_str(
        &http
            .get(idp.discovery_url())
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();

    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let callback = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line).unwrap();
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
            .unwrap();
        line.split_whitespace().nth(1).unwrap().to_string()
    });

    let auth = url::Url::parse_with_params(
        discovery["authorization_endpoint"].as_str().unwrap(),
        &[
            ("response_type", "code"),
            ("client_id", "app"),
            ("redirect_uri", &redirect),
            ("scope", "openid email profile"),
            ("state", "state-123"),
            ("nonce", "nonce-456"),
            ("prompt", "login"),
        ],
    )
    .unwrap();
    let out = std::process::Command::new("node")
        .arg(login_script())
        .arg(auth.as_str())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "login.mjs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = callback.join().unwrap();
    let cb = url::Url::parse(&format!("http://127.0.0.1{path}")).unwrap();
    let code = cb
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {cb}"));

    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", &code)
        .append_pair("redirect_uri", &redirect)
        .finish();
    let tokens: Value = serde_json::from_str(
        &http
            .post(discovery["token_endpoint"].as_str().unwrap())
            .basic_auth("app", Some("app-secret-0123456789"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    let jwks: Value = serde_json::from_str(
        &http
            .get(discovery["jwks_uri"].as_str().unwrap())
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    Login {
        id_token: tokens["id_token"]
            .as_str()
            .expect("an id_token")
            .to_string(),
        access_token: tokens["access_token"].as_str().unwrap().to_string(),
        jwks,
        issuer: discovery["issuer"].as_str().unwrap().to_string(),
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn real_tokens_verify_for_every_asymmetric_algorithm() {
    for alg in ["RS256", "PS256", "ES256", "EdDSA"] {
        let l = login(alg);
        let jwt = id_token::parse(&l.id_token).unwrap();
        assert_eq!(jwt.alg(), Some(alg));
        let by = id_token::verify_with_jwks(&jwt, &l.jwks, &[alg]).unwrap();
        assert_eq!(by.alg, alg);
        let checks = id_token::check_claims(
            &jwt,
            &Expectations {
                issuer: Some(l.issuer.clone()),
                audience: Some("app".into()),
                nonce: Some("nonce-456".into()),
                access_token: Some(l.access_token.clone()),
                leeway: AUTHLIB_LEEWAY,
                now: now(),
            },
        );
        assert!(checks.iter().all(|c| c.ok), "{alg}: {checks:?}");
        let names: Vec<&str> = checks.iter().map(|c| c.name).collect();
        assert!(
            names.contains(&"nonce") && names.contains(&"iss"),
            "{names:?}"
        );
        assert_eq!(jwt.claims["email"], "alice@example.com", "{alg}");
    }
}

#[test]
fn real_token_refusals() {
    let l = login("RS256");
    let jwt = id_token::parse(&l.id_token).unwrap();

    // Tampered payload.
    let mut parts: Vec<String> = l.id_token.split('.').map(str::to_string).collect();
    parts[1] = parts[1].chars().rev().collect();
    let tampered = id_token::parse(&parts.join("."));
    match tampered {
        Ok(t) => assert_eq!(
            id_token::verify_with_jwks(&t, &l.jwks, &["RS256"]).unwrap_err(),
            TokenError::BadSignature
        ),
        Err(e) => assert!(matches!(e, TokenError::Malformed(_)), "{e:?}"),
    }
    let mut sig_flipped = l.id_token.clone();
    let last = sig_flipped.pop().unwrap();
    sig_flipped.push(if last == 'A' { 'B' } else { 'A' });
    let t = id_token::parse(&sig_flipped).unwrap();
    assert_eq!(
        id_token::verify_with_jwks(&t, &l.jwks, &["RS256"]).unwrap_err(),
        TokenError::BadSignature
    );

    // Unknown kid: the provider rotated its keys.
    let mut rotated = l.jwks.clone();
    for k in rotated["keys"].as_array_mut().unwrap() {
        k["kid"] = json!("rotated");
    }
    assert!(matches!(
        id_token::verify_with_jwks(&jwt, &rotated, &["RS256"]),
        Err(TokenError::UnknownKid { .. })
    ));

    // An algorithm the provider does not advertise.
    assert!(matches!(
        id_token::verify_with_jwks(&jwt, &l.jwks, &["ES256"]),
        Err(TokenError::AlgorithmNotAllowed { .. })
    ));

    // Wrong issuer, audience, nonce; expired by the clock.
    let checks = id_token::check_claims(
        &jwt,
        &Expectations {
            issuer: Some(format!("{}/", l.issuer)),
            audience: Some("someone-else".into()),
            nonce: Some("other".into()),
            access_token: Some("not-the-access-token".into()),
            leeway: AUTHLIB_LEEWAY,
            now: now() + 24 * 3600,
        },
    );
    let failed: Vec<&str> = checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
    for name in ["iss", "aud", "exp", "nonce"] {
        assert!(failed.contains(&name), "{name} should fail: {checks:?}");
    }
    if jwt.claims.contains_key("at_hash") {
        assert!(failed.contains(&"at_hash"), "{checks:?}");
    }
    let iss = checks.iter().find(|c| c.name == "iss").unwrap();
    assert!(
        iss.detail.contains("differs from discovery issuer"),
        "{}",
        iss.detail
    );
}
