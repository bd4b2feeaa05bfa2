//! `--like`: one `stauth dev-provider` serves a provider-shaped issuer per
//! catalog preset (`/like/<preset>`). For each preset, a plain code flow over
//! loopback gets alice's tokens, and they have the claims the catalog says
//! (`stauth providers NAME --json`: groups_claim, roles_claim, userinfo_only);
//! then the `roles` snippet, in real Streamlit with one [auth.NAME] per
//! preset that has groups or roles on one dev provider, admits alice and
//! refuses bob.
//!
//! The Streamlit part needs `bash tests/setup.sh` and Debian's chromium.

use crate::common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::dev_provider::{auth_block, dev_browser, http, random_hex, Client, DevProvider};
use common::idp::free_port;
use common::st_cookies::jwt_claims;
use common::streamlit::StreamlitApp;
use common::{run, Sandbox};
use serde_json::{Map, Value};

const PRESETS: &[&str] = &[
    "microsoft",
    "keycloak",
    "cognito",
    "auth0",
    "okta",
    "google",
    "gitlab",
];

/// What the catalog says about a preset's claims.
struct Catalog {
    groups_claim: Option<String>,
    roles_claim: Option<String>,
    userinfo_only: Vec<String>,
}

fn catalog(sb: &Sandbox, name: &str) -> Catalog {
    let (code, out, err) = run(sb.cmd().args(["providers", name, "--json"]));
    assert_eq!(code, 0, "stauth providers {name}: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let p = &v["preset"];
    Catalog {
        groups_claim: p["groups_claim"].as_str().map(str::to_owned),
        roles_claim: p["roles_claim"].as_str().map(str::to_owned),
        userinfo_only: p["userinfo_only"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect(),
    }
}

/// A claim by a dotted path (`realm_access.roles`), or a top-level claim
/// whose name holds dots.
fn claim<'a>(claims: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if let Some(v) = claims.get(path) {
        return Some(v);
    }
    let mut parts = path.split('.');
    let mut v = claims.get(parts.next()?)?;
    for part in parts {
        v = v.get(part)?;
    }
    Some(v)
}

fn values(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
            .collect(),
        Some(Value::String(s)) => s
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// alice's ID token claims and userinfo from `issuer`, through a plain
/// authorization code flow (the provider runs with `--auto-login alice`).
fn code_flow(
    issuer: &str,
    client: &Client,
    redirect_uri: &str,
) -> (Map<String, Value>, Map<String, Value>) {
    let http = http();
    let discovery: Value = http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .and_then(|r| r.text())
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(discovery["issuer"], issuer, "{discovery}");
    let state = random_hex(12);
    let nonce = random_hex(12);
    let authorize = http
        .get(discovery["authorization_endpoint"].as_str().unwrap())
        .query(&[
            ("response_type", "code"),
            ("client_id", &client.id),
            ("redirect_uri", redirect_uri),
            ("scope", "openid email profile"),
            ("state", &state),
            ("nonce", &nonce),
        ])
        .send()
        .unwrap();
    let status = authorize.status().as_u16();
    let location = authorize
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        (300..400).contains(&status) && location.starts_with(redirect_uri),
        "{issuer}/authorize answered {status} to {location:?}: {}",
        authorize.text().unwrap_or_default()
    );
    let callback = url::Url::parse(&location).unwrap();
    let query: Map<String, Value> = callback
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    assert_eq!(query["state"], state.as_str(), "{location}");
    let code = query["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code: {location}"));

    let methods = values(discovery.get("token_endpoint_auth_methods_supported"));
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    let request = http.post(discovery["token_endpoint"].as_str().unwrap());
    let request = if methods.is_empty() || methods.iter().any(|m| m == "client_secret_basic") {
        request
            .basic_auth(&client.id, Some(&client.secret))
            .form(&form)
    } else {
        let mut form: Vec<(&str, &str)> = form.to_vec();
        form.extend([
            ("client_id", client.id.as_str()),
            ("client_secret", client.secret.as_str()),
        ]);
        request.form(&form)
    };
    let token = request.send().unwrap();
    let status = token.status().as_u16();
    let body: Value = serde_json::from_str(&token.text().unwrap()).unwrap();
    assert_eq!(status, 200, "{issuer}/token: {body}");
    let id_token = body["id_token"].as_str().unwrap();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(id_token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(header["kid"].is_string(), "{header}");
    let claims = jwt_claims(id_token);
    assert_eq!(claims["iss"], issuer);
    assert_eq!(claims["aud"], client.id.as_str());
    assert_eq!(claims["nonce"], nonce.as_str());

    let userinfo = http
        .get(discovery["userinfo_endpoint"].as_str().unwrap())
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .unwrap();
    assert_eq!(userinfo.status().as_u16(), 200, "{issuer}/userinfo");
    let userinfo: Map<String, Value> = serde_json::from_str(&userinfo.text().unwrap()).unwrap();
    (claims, userinfo)
}

#[test]
fn each_preset_shapes_alice_as_the_catalog_says() {
    let sb = Sandbox::new();
    let port = free_port();
    let redirect_uri = format!("http://localhost:{}/oauth2callback", free_port());
    let clients: Vec<(&str, Client)> = PRESETS.iter().map(|p| (*p, Client::random())).collect();
    let mut secrets = String::from("[auth]\n");
    secrets += &format!(
        "redirect_uri = \"{redirect_uri}\"\ncookie_secret = \"{}\"\n\n",
        random_hex(32)
    );
    for (preset, client) in &clients {
        secrets += &auth_block(port, Some(preset), Some(preset), client, &redirect_uri);
        secrets += "\n";
    }
    sb.write(".streamlit/secrets.toml", &secrets);
    let dp = DevProvider::start(&sb, port, &["--auto-login", "alice"]);

    let mut failures = Vec::new();
    for (preset, client) in &clients {
        let issuer = stauth::dev_provider::issuer(port, Some(preset));
        let (id, userinfo) = code_flow(&issuer, client, &redirect_uri);
        let cat = catalog(&sb, preset);
        let mut fail = |what: String| failures.push(format!("{preset}: {what}"));
        assert_eq!(userinfo["sub"], id["sub"], "{preset}");

        // Where a claim is: userinfo only when the catalog says so.
        let place = |name: &str| -> &Map<String, Value> {
            if cat.userinfo_only.iter().any(|c| c == name) {
                &userinfo
            } else {
                &id
            }
        };
        for name in &cat.userinfo_only {
            if id.contains_key(name) {
                fail(format!(
                    "{name} is in the ID token (the catalog: userinfo only)"
                ));
            }
        }
        match &cat.groups_claim {
            Some(g) => {
                if values(claim(place(g), g)).is_empty() {
                    fail(format!("no groups in {g}: id {id:?} userinfo {userinfo:?}"));
                }
            }
            None => {
                if id.contains_key("groups") || userinfo.contains_key("groups") {
                    fail("a groups claim, which the catalog says it has none".into());
                }
            }
        }
        match &cat.roles_claim {
            Some(r) => {
                if !values(claim(place(r), r)).iter().any(|v| v == "admin") {
                    fail(format!("the admin role is not in {r}: {id:?}"));
                }
            }
            None => {
                if id.contains_key("roles") {
                    fail("a roles claim, which the catalog says it has none".into());
                }
            }
        }
        // Quirks the issue names.
        let must_have: &[&str] = match *preset {
            "microsoft" => &["oid", "tid", "preferred_username"],
            "cognito" => &["cognito:username"],
            _ => &[],
        };
        for name in must_have {
            if !id.contains_key(*name) {
                fail(format!("no {name} in the ID token: {id:?}"));
            }
        }
        eprintln!("{preset}: ID token {id:?}\n{preset}: userinfo {userinfo:?}");
    }
    drop(dp);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every preset whose ID token can say who is an admin (a groups claim of
/// names, or a roles claim); the others (Google, Salesforce, LinkedIn...)
/// send neither by default, which `stauth snippet roles` says in its notes.
const ROLES_PRESETS: &[&str] = &[
    "microsoft",
    "entra-external-id",
    "auth0",
    "okta",
    "okta-custom",
    "cognito",
    "keycloak",
    "authentik",
    "gitlab",
    "zitadel",
    "pocket-id",
    "dex",
];

/// What the roles snippet shows an admin, and anyone else.
const ADMITTED: &str = "Only admins see this.";
const REFUSED: &str = "Not allowed";

/// The login buttons of a snippet: `st.button("Log in with ...", ...)`.
fn login_buttons(app_py: &str) -> Vec<String> {
    app_py
        .lines()
        .filter_map(|l| l.trim().strip_prefix("st.button(\""))
        .filter_map(|l| l.split('"').next())
        .filter(|l| l.starts_with("Log in"))
        .map(str::to_string)
        .collect()
}

#[test]
fn roles_snippet_admits_alice_and_refuses_bob_for_every_preset_with_roles() {
    let sb = Sandbox::new();
    let dp_port = free_port();
    let st_port = free_port();
    let redirect_uri = format!("http://localhost:{st_port}/oauth2callback");
    // Written as users write them, so each preset's client_kwargs come too
    // (Pocket ID needs prompt = "login": it refuses Streamlit's select_account).
    for preset in ROLES_PRESETS {
        let (code, _, err) = run(sb.cmd().args([
            "init",
            "--provider",
            "dev",
            "--like",
            preset,
            "--name",
            preset,
            "--dev-port",
            &dp_port.to_string(),
            "--redirect-uri",
            &redirect_uri,
            "--yes",
        ]));
        assert_eq!(code, 0, "stauth init --provider dev --like {preset}: {err}");
    }
    let (code, _, err) = run(sb.cmd().args(["snippet", "roles", "--out", "app.py"]));
    assert_eq!(code, 0, "stauth snippet roles: {err}");
    let app_py = std::fs::read_to_string(sb.path().join("app.py")).unwrap();
    let buttons = login_buttons(&app_py);
    assert_eq!(buttons.len(), ROLES_PRESETS.len(), "{app_py}");
    let _dp = DevProvider::start(&sb, dp_port, &[]);
    let app = StreamlitApp::start(sb.path(), "app.py", st_port, &[]);

    let mut plan: Vec<String> = Vec::new();
    for button in &buttons {
        for user in ["alice", "bob"] {
            if !plan.is_empty() {
                plan.push("fresh".into());
            }
            plan.push(format!("login:{user}@{button}"));
            plan.push(format!("text:{ADMITTED}|{REFUSED}"));
        }
    }
    let plan: Vec<&str> = plan.iter().map(String::as_str).collect();
    let steps = dev_browser(&app.url(), &plan, "like-roles");
    let log = app.log();
    // Each login, and the page once its script has finished (the step after).
    let logins: Vec<(&Value, &Value)> = steps
        .windows(2)
        .filter(|w| w[0]["step"].as_str().unwrap().starts_with("login:"))
        .map(|w| (&w[0], &w[1]))
        .collect();
    assert_eq!(logins.len(), 2 * buttons.len());
    let mut failures = Vec::new();
    for (step, after) in logins {
        let name = step["step"].as_str().unwrap();
        let text = after["text"].as_str().unwrap();
        if step["signed_in"] != true {
            failures.push(format!("{name}: not signed in: {text:?}"));
            continue;
        }
        let admitted = text.contains(ADMITTED);
        let refused = text.contains(REFUSED);
        // Admitted: the admin part shows; refused: the "Not allowed" page.
        let verdict = match (admitted, refused) {
            (true, false) => "admitted",
            (false, true) => "refused",
            _ => "neither admitted nor refused",
        };
        let want = if name.starts_with("login:alice") {
            "admitted"
        } else {
            "refused"
        };
        if verdict != want {
            failures.push(format!("{name}: {verdict}, not {want}: {text:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n--- Streamlit ---\n{log}",
        failures.join("\n")
    );
}

/// The catalog's Entra quirk: past 200 groups the ID token has no `groups`
/// but the overage claim (`_claim_names` / `_claim_sources`), so st.user
/// has no groups at all; the root issuer sends dave's 300 groups as they are.
#[test]
fn microsoft_sends_the_groups_overage_claim_past_200_groups() {
    let sb = Sandbox::new();
    let port = free_port();
    let redirect_uri = format!("http://localhost:{}/oauth2callback", free_port());
    let (root, entra) = (Client::random(), Client::random());
    let mut secrets = auth_block(port, None, None, &root, &redirect_uri);
    secrets += "\n";
    secrets += &auth_block(
        port,
        Some("microsoft"),
        Some("microsoft"),
        &entra,
        &redirect_uri,
    );
    sb.write(".streamlit/secrets.toml", &secrets);
    let _dp = DevProvider::start(&sb, port, &["--auto-login", "dave"]);

    let (plain, _) = code_flow(
        &stauth::dev_provider::issuer(port, None),
        &root,
        &redirect_uri,
    );
    assert_eq!(values(plain.get("groups")).len(), 300, "{plain:?}");

    let issuer = stauth::dev_provider::issuer(port, Some("microsoft"));
    let (id, _) = code_flow(&issuer, &entra, &redirect_uri);
    assert!(!id.contains_key("groups"), "groups past 200: {id:?}");
    assert!(
        id.get("_claim_names")
            .and_then(|n| n.get("groups"))
            .is_some(),
        "no overage claim: {id:?}"
    );
    assert!(id.contains_key("_claim_sources"), "{id:?}");
}
