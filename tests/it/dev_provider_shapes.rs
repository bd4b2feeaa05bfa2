//! The dev provider's keys, users file and token shapes through the real
//! binary: keys kept across restarts (0600, in a 0700 folder), every `--alg`
//! signing ID tokens that verify against its published JWKS, rotation and
//! `--alg` switches keeping the old key published, a users file mistake
//! stopping it with the file's line and column, and dave's 300 groups
//! turning into Entra's overage claim at `/like/microsoft`.

use crate::common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::dev_provider::{dev_secrets, http, listening, random_hex, stauth_bin, Client};
use common::idp::free_port;
use common::st_cookies::jwt_claims;
use common::{run, Sandbox};
use serde_json::{Map, Value};

/// How long a start may take before the test gives up.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// `stauth dev-provider` on `port` with the keys in `keys_dir`, until dropped.
struct Running(Child);

impl Running {
    fn start(sb: &Sandbox, port: u16, keys_dir: &Path, extra: &[&str]) -> Running {
        let child = Command::new(stauth_bin())
            .args(["dev-provider", "--json", "--port", &port.to_string()])
            .arg("--app-dir")
            .arg(sb.path())
            .arg("--keys-dir")
            .arg(keys_dir)
            .args(extra)
            .current_dir(sb.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", sb.home())
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start stauth dev-provider");
        let mut running = Running(child);
        let started = Instant::now();
        while !listening(port) {
            if let Ok(Some(status)) = running.0.try_wait() {
                panic!("stauth dev-provider exited early: {status}");
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "stauth dev-provider is not listening on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get_json(url: &str) -> Value {
    let response = http().get(url).send().unwrap();
    assert_eq!(response.status().as_u16(), 200, "{url}");
    serde_json::from_str(&response.text().unwrap()).unwrap()
}

fn discovery(issuer: &str) -> Value {
    get_json(&format!("{issuer}/.well-known/openid-configuration"))
}

/// The published keys, as (kid, alg).
fn published(issuer: &str) -> Vec<(String, String)> {
    let jwks = get_json(discovery(issuer)["jwks_uri"].as_str().unwrap());
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            assert_eq!(k["use"], "sig", "{k}");
            (
                k["kid"].as_str().unwrap().to_string(),
                k["alg"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A code flow at `issuer` (the provider runs with `--auto-login`): the
/// ID token, checked against the JWKS as a relying party would, and its claims.
fn id_token(issuer: &str, client: &Client, redirect_uri: &str) -> (String, Map<String, Value>) {
    let meta = discovery(issuer);
    let http = http();
    let state = random_hex(8);
    let authorize = http
        .get(meta["authorization_endpoint"].as_str().unwrap())
        .query(&[
            ("response_type", "code"),
            ("client_id", client.id.as_str()),
            ("redirect_uri", redirect_uri),
            ("scope", "openid email profile"),
            ("state", state.as_str()),
            ("nonce", "n-0S6_WzA2Mj"),
        ])
        .send()
        .unwrap();
    let location = authorize
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let callback = url::Url::parse(&location).unwrap_or_else(|_| {
        panic!(
            "authorize answered {} without a redirect: {}",
            authorize.status(),
            authorize.text().unwrap_or_default()
        )
    });
    let code = callback
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {location}"));
    let token = http
        .post(meta["token_endpoint"].as_str().unwrap())
        .basic_auth(&client.id, Some(&client.secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri),
        ])
        .send()
        .unwrap();
    assert_eq!(token.status().as_u16(), 200);
    let body: Value = serde_json::from_str(&token.text().unwrap()).unwrap();
    let id_token = body["id_token"].as_str().unwrap().to_string();

    let header = jsonwebtoken::decode_header(&id_token).unwrap();
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_value(get_json(meta["jwks_uri"].as_str().unwrap())).unwrap();
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("the token's kid is in the JWKS");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.set_audience(&[client.id.as_str()]);
    validation.set_issuer(&[issuer]);
    let claims = jsonwebtoken::decode::<Map<String, Value>>(&id_token, &key, &validation)
        .unwrap_or_else(|e| panic!("the ID token does not verify: {e}"))
        .claims;
    assert_eq!(claims, jwt_claims(&id_token));
    (id_token, claims)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keys_survive_restarts_and_old_keys_stay_published() {
    let sb = Sandbox::new();
    let port = free_port();
    let issuer = stauth::dev_provider::issuer(port, None);
    let keys_dir = sb.home().join("dev-keys");

    let first = {
        let _dp = Running::start(&sb, port, &keys_dir, &[]);
        published(&issuer)
    };
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].1, "RS256");
    assert_eq!(mode(&keys_dir), 0o700);
    assert_eq!(mode(&keys_dir.join("keys.json")), 0o600);

    let again = {
        let _dp = Running::start(&sb, port, &keys_dir, &[]);
        published(&issuer)
    };
    assert_eq!(again, first, "a restart keeps the key");

    // Another --alg: a new key signs; the old one stays published.
    let switched = {
        let _dp = Running::start(&sb, port, &keys_dir, &["--alg", "es256"]);
        published(&issuer)
    };
    assert_eq!(switched.len(), 2, "{switched:?}");
    assert_eq!(switched[0], first[0]);
    assert_eq!(switched[1].1, "ES256");

    let rotated = {
        let _dp = Running::start(&sb, port, &keys_dir, &["--alg", "es256", "--rotate-keys"]);
        published(&issuer)
    };
    assert_eq!(rotated.len(), 3, "{rotated:?}");
    assert_eq!(rotated[..2], switched[..]);
    assert_eq!(rotated[2].1, "ES256");
    assert_ne!(rotated[2], switched[1]);
    assert_eq!(mode(&keys_dir.join("keys.json")), 0o600);
}

/// An app whose `[auth]` is one random client of the dev provider on a free
/// port (shaped like `like`): the app, the port, the client, its
/// redirect_uri and the issuer.
fn app_with_one_client(like: Option<&str>) -> (Sandbox, u16, Client, String, String) {
    let sb = Sandbox::new();
    let port = free_port();
    let client = Client::random();
    let redirect_uri = format!("http://localhost:{}/oauth2callback", free_port());
    sb.write(
        ".streamlit/secrets.toml",
        &dev_secrets(port, like, &client, &redirect_uri),
    );
    let issuer = stauth::dev_provider::issuer(port, like);
    (sb, port, client, redirect_uri, issuer)
}

#[test]
fn every_alg_signs_id_tokens_that_verify_against_the_jwks() {
    let (sb, port, client, redirect_uri, issuer) = app_with_one_client(None);
    for (flag, alg) in [
        ("rs256", "RS256"),
        ("ps256", "PS256"),
        ("es256", "ES256"),
        ("eddsa", "EdDSA"),
    ] {
        let keys = tempfile::tempdir().unwrap();
        let _dp = Running::start(
            &sb,
            port,
            keys.path(),
            &["--alg", flag, "--auto-login", "alice"],
        );
        let (token, claims) = id_token(&issuer, &client, &redirect_uri);
        assert_eq!(
            jsonwebtoken::decode_header(&token).unwrap().alg,
            alg.parse().unwrap()
        );
        assert_eq!(claims["sub"], "alice", "{alg}");
        assert_eq!(claims["roles"], serde_json::json!(["admin"]), "{alg}");
        assert_eq!(
            claims["picture"],
            format!("{issuer}/avatar/alice.svg"),
            "{alg}: {{issuer}} is filled in"
        );
    }
}

#[test]
fn dave_gets_entras_groups_overage_and_alice_group_ids() {
    let (sb, port, client, redirect_uri, issuer) = app_with_one_client(Some("microsoft"));
    let keys = tempfile::tempdir().unwrap();

    let dave = {
        let _dp = Running::start(&sb, port, keys.path(), &["--auto-login", "dave"]);
        id_token(&issuer, &client, &redirect_uri).1
    };
    assert!(!dave.contains_key("groups"), "{dave:?}");
    assert_eq!(dave["_claim_names"], serde_json::json!({"groups": "src1"}));
    let oid = dave["oid"].as_str().unwrap();
    assert_eq!(
        dave["_claim_sources"]["src1"]["endpoint"],
        format!("https://graph.microsoft.com/v1.0/users/{oid}/getMemberObjects")
    );

    let alice = {
        let _dp = Running::start(&sb, port, keys.path(), &["--auto-login", "alice"]);
        id_token(&issuer, &client, &redirect_uri).1
    };
    assert_eq!(
        alice["groups"],
        serde_json::json!([stauth::dev_provider::shape::guid("group", "admins")])
    );
    assert_eq!(alice["roles"], serde_json::json!(["admin"]));
    assert_eq!(alice["preferred_username"], "alice@example.com");
    assert!(!alice.contains_key("picture"), "{alice:?}");
    let tid = alice["tid"].as_str().unwrap();
    assert_eq!(tid.len(), 36);
    assert_ne!(alice["oid"], dave["oid"]);
}

#[test]
fn a_users_file_mistake_stops_the_provider_at_its_line_and_column() {
    let sb = Sandbox::new();
    sb.write(
        ".streamlit/dev-users.toml",
        "[[user]]\nsub = \"erin\"\nroles = [\"admin\"]\nnonce = \"fixed\"\n",
    );
    let keys = tempfile::tempdir().unwrap();
    let port = free_port().to_string();
    let (code, out, err) = run(sb
        .cmd()
        .args(["dev-provider", "--port", &port])
        .arg("--keys-dir")
        .arg(keys.path()));
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert!(
        err.contains(
            ".streamlit/dev-users.toml:4:1: malformed TOML: 'nonce' is set by the provider itself"
        ),
        "{err}"
    );
}
