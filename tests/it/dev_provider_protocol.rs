//! The dev provider's protocol through the library API: a real server on a
//! free loopback port, real keys in a temporary folder, real HTTP (reqwest,
//! redirects off). One test per strictness rule, each asserting what a
//! client sees: the status, the JSON error, the Location or the page.

use std::collections::HashMap;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::blocking::{Client as Http, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};
use stauth::dev_provider::clients::Client;
use stauth::dev_provider::keys::{Algorithm, KeyRing};
use stauth::dev_provider::server::{self, Options, Running};
use stauth::dev_provider::users;
use stauth::secret::Secret;

const REDIRECT: &str = "http://localhost:8501/oauth2callback";
const CLIENT_ID: &str = "app";
const SECRET: &str = "s3cret-value";
const ENTRA_ID: &str = "entra-app";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-0123456789";

struct Provider {
    running: Running,
    http: Http,
    _keys: tempfile::TempDir,
}

fn client(id: &str, like: Option<&str>) -> Client {
    Client {
        section: format!("[auth.{id}]"),
        client_id: id.into(),
        client_secret: Secret::new(SECRET),
        redirect_uri: REDIRECT.into(),
        post_logout_redirect_uris: vec![REDIRECT.into(), "http://localhost:8501/".into()],
        like: like.map(|l| stauth::catalog::preset(l).expect("a catalog preset")),
        login: None,
    }
}

fn start_with(configure: impl FnOnce(&mut Options)) -> Provider {
    let keys = tempfile::tempdir().unwrap();
    let (ring, _) = KeyRing::load_or_create(keys.path(), Algorithm::Rs256).unwrap();
    let clients = vec![
        client(CLIENT_ID, None),
        client(ENTRA_ID, Some("microsoft")),
        client("hydra-app", Some("hydra")),
        client("linkedin-app", Some("linkedin")),
    ];
    let mut options = Options::new(0, clients, users::samples(), ring);
    configure(&mut options);
    let running = server::start(options).unwrap();
    let http = Http::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    Provider {
        running,
        http,
        _keys: keys,
    }
}

fn start() -> Provider {
    start_with(|_| {})
}

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A browser of one: keeps cookies by name (one host, paths ignored).
#[derive(Default)]
struct Jar(HashMap<String, String>);

impl Jar {
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, response: &Response) {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.0.remove(name);
            } else {
                self.0.insert(name.into(), value.into());
            }
        }
    }
}

impl Provider {
    fn issuer(&self) -> String {
        self.running.issuer()
    }

    fn get(&self, url: &str, jar: &mut Jar) -> Response {
        let response = self
            .http
            .get(url)
            .header("Cookie", jar.header())
            .send()
            .unwrap();
        jar.keep(&response);
        response
    }

    fn authorize_url(&self, issuer: &str, client_id: &str, extra: &[(&str, &str)]) -> String {
        let mut url = url::Url::parse(&format!("{issuer}/authorize")).unwrap();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("scope", "openid email profile")
            .append_pair("state", "st4te")
            .append_pair("nonce", "n0nce");
        for (k, v) in extra {
            url.query_pairs_mut().append_pair(k, v);
        }
        url.to_string()
    }

    /// The login page's hidden fields for an authorization at the root.
    fn login_page(&self, extra: &[(&str, &str)], jar: &mut Jar) -> (String, String) {
        let response = self.get(&self.authorize_url(&self.issuer(), CLIENT_ID, extra), jar);
        assert_eq!(response.status(), 200);
        let page = response.text().unwrap();
        let field = |name: &str| {
            let re = regex::Regex::new(&format!(r#"name="{name}" value="([^"]+)""#)).unwrap();
            re.captures(&page).expect(name)[1].to_string()
        };
        (field("request"), field("csrf"))
    }

    fn decide(&self, form: &[(&str, &str)], jar: &mut Jar) -> Response {
        let response = self
            .http
            .post(format!("{}/authorize/decision", self.issuer()))
            .header("Cookie", jar.header())
            .form(form)
            .send()
            .unwrap();
        jar.keep(&response);
        response
    }

    /// Logs in as `sub` through the page; the code.
    fn code_via_page(&self, sub: &str, extra: &[(&str, &str)], jar: &mut Jar) -> String {
        let (request, csrf) = self.login_page(extra, jar);
        let response = self.decide(
            &[
                ("request", &request),
                ("csrf", &csrf),
                ("action", "approve"),
                ("sub", sub),
            ],
            jar,
        );
        assert_eq!(response.status(), 302);
        query(&response)["code"].clone()
    }

    fn token(&self, issuer: &str, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> Response {
        let mut request = self.http.post(format!("{issuer}/token")).form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        request.send().unwrap()
    }

    fn exchange(&self, code: &str, verifier: Option<&str>) -> Response {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        self.token(&self.issuer(), &form, Some((CLIENT_ID, SECRET)))
    }
}

/// The Location's query parameters.
fn query(response: &Response) -> HashMap<String, String> {
    let location = location(response).expect("a Location");
    url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn location(response: &Response) -> Option<String> {
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
}

/// A page's text with minijinja's escapes undone, to look for values in it.
fn page_text(response: Response) -> String {
    response
        .text()
        .unwrap()
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn json(response: Response) -> Value {
    serde_json::from_str(&response.text().unwrap()).unwrap()
}

fn oauth_error(response: Response, status: u16) -> String {
    assert_eq!(response.headers()["cache-control"], "no-store");
    error_and_description(response, status).0
}

/// A refusal's `error` and `error_description`, after checking its status.
fn error_and_description(response: Response, status: u16) -> (String, String) {
    assert_eq!(response.status(), status);
    let body = json(response);
    let field = |name: &str| body[name].as_str().unwrap_or_default().to_string();
    (field("error"), field("error_description"))
}

#[test]
fn discovery_for_the_root_a_like_issuer_and_an_unknown_one() {
    let p = start();
    let issuer = p.issuer();
    let root = json(p.get(
        &format!("{issuer}/.well-known/openid-configuration"),
        &mut Jar::default(),
    ));
    assert_eq!(root["issuer"], issuer);
    assert_eq!(
        root["authorization_endpoint"],
        format!("{issuer}/authorize")
    );
    assert_eq!(root["token_endpoint"], format!("{issuer}/token"));
    assert_eq!(root["jwks_uri"], format!("{issuer}/jwks"));
    assert_eq!(root["end_session_endpoint"], format!("{issuer}/logout"));
    assert_eq!(
        root["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    assert_eq!(
        root["code_challenge_methods_supported"],
        serde_json::json!(["S256", "plain"])
    );
    assert_eq!(
        root["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post"])
    );

    // The issuer is localhost whatever address the request came to.
    let via_ip = json(p.get(
        &format!(
            "http://127.0.0.1:{}/like/microsoft/.well-known/openid-configuration",
            p.running.port()
        ),
        &mut Jar::default(),
    ));
    assert_eq!(via_ip["issuer"], format!("{issuer}/like/microsoft"));
    assert_eq!(
        via_ip["userinfo_endpoint"],
        format!("{issuer}/like/microsoft/userinfo")
    );

    let hydra = json(p.get(
        &format!("{issuer}/like/hydra/.well-known/openid-configuration"),
        &mut Jar::default(),
    ));
    let prompts = hydra["prompt_values_supported"].as_array().unwrap();
    assert!(!prompts.contains(&"select_account".into()), "{prompts:?}");

    let unknown = p.get(
        &format!("{issuer}/like/nope/.well-known/openid-configuration"),
        &mut Jar::default(),
    );
    assert_eq!(unknown.status(), 404);
    let body = json(unknown);
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.contains("no preset 'nope'") && description.contains("microsoft"),
        "{description}"
    );
}

#[test]
fn a_full_login_gives_an_id_token_that_verifies_against_the_jwks() {
    let p = start_with(|o| o.auto_login = Some("alice".into()));
    let issuer = p.issuer();
    let mut jar = Jar::default();
    let challenge = challenge(VERIFIER);
    let url = p.authorize_url(
        &issuer,
        CLIENT_ID,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let redirect = p.get(&url, &mut jar);
    assert_eq!(redirect.status(), 302);
    let location = location(&redirect).unwrap();
    assert!(
        location.starts_with(&format!("{REDIRECT}?code=")),
        "{location}"
    );
    let params = query(&redirect);
    assert_eq!(params["state"], "st4te");
    assert_eq!(params.len(), 2, "code and state only: {params:?}");

    let response = p.exchange(&params["code"], Some(VERIFIER));
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let tokens = json(response);
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert!(
        tokens.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );

    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_value(json(p.http.get(format!("{issuer}/jwks")).send().unwrap())).unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("the token's kid is published");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[CLIENT_ID]);
    validation.set_issuer(&[&issuer]);
    let claims = jsonwebtoken::decode::<Value>(
        id_token,
        &jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["nonce"], "n0nce");
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["roles"], serde_json::json!(["admin"]));
    assert_eq!(claims["picture"], format!("{issuer}/avatar/alice.svg"));
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert_eq!(exp - iat, 3600);
    assert!(claims["auth_time"].as_u64().unwrap() <= iat);

    let userinfo = p
        .http
        .get(format!("{issuer}/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .unwrap();
    assert_eq!(userinfo.status(), 200);
    let userinfo = json(userinfo);
    assert_eq!(userinfo["sub"], "alice");
    assert_eq!(userinfo["name"], "Alice Admin");

    let avatar = p
        .http
        .get(format!("{issuer}/avatar/alice.svg"))
        .send()
        .unwrap();
    assert_eq!(avatar.status(), 200);
    assert_eq!(avatar.headers()["content-type"], "image/svg+xml");
    assert!(avatar.text().unwrap().contains(">AL</text>"));

    // One event per request, without the code or tokens.
    let mut events = Vec::new();
    while let Some(e) = p.running.next_event(Duration::from_millis(500)) {
        events.push(e);
    }
    let authorize = events
        .iter()
        .find(|e| e.path == "/authorize")
        .expect("an authorize event");
    assert_eq!(authorize.client.as_deref(), Some("[auth.app] (app)"));
    assert!(
        authorize
            .asked
            .starts_with("scope=\"openid email profile\" prompt=(none sent) pkce=S256"),
        "{}",
        authorize.asked
    );
    let token = events
        .iter()
        .find(|e| e.path == "/token")
        .expect("a token event");
    assert_eq!(
        token.asked,
        "token grant=authorization_code auth=client_secret_basic user=alice"
    );
    assert_eq!((token.status, token.result.as_str()), (200, "ok"));
    let all = serde_json::to_string(&events).unwrap();
    assert!(!all.contains(&params["code"]) && !all.contains(VERIFIER) && !all.contains(SECRET));
    assert!(!all.contains(tokens["access_token"].as_str().unwrap()));
}

#[test]
fn a_wrong_redirect_uri_is_a_page_that_never_redirects() {
    let p = start_with(|o| o.auto_login = Some("alice".into()));
    let url = p
        .authorize_url(&p.issuer(), CLIENT_ID, &[])
        .replace("8501", "8502");
    let response = p.get(&url, &mut Jar::default());
    assert_eq!(response.status(), 400);
    assert!(location(&response).is_none());
    assert!(response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    let page = page_text(response);
    assert!(page.contains("redirect_uri does not match"), "{page}");
    assert!(page.contains("http://localhost:8502/oauth2callback") && page.contains(REDIRECT));
}

#[test]
fn a_reflected_redirect_uri_is_escaped() {
    let p = start();
    let url = p
        .authorize_url(&p.issuer(), CLIENT_ID, &[])
        .replace("oauth2callback", "%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    let page = p.get(&url, &mut Jar::default()).text().unwrap();
    assert!(!page.contains("<script>alert(1)"), "{page}");
    assert!(page.contains("&lt;script&gt;"), "{page}");
}

#[test]
fn an_unknown_client_is_a_page_that_never_redirects() {
    let p = start();
    let response = p.get(
        &p.authorize_url(&p.issuer(), "stranger", &[]),
        &mut Jar::default(),
    );
    assert_eq!(response.status(), 400);
    assert!(location(&response).is_none());
    let page = response.text().unwrap();
    assert!(
        page.contains("Unknown client") && page.contains("stranger"),
        "{page}"
    );

    // A client of the /like/microsoft issuer is unknown at the root.
    let response = p.get(
        &p.authorize_url(&p.issuer(), ENTRA_ID, &[]),
        &mut Jar::default(),
    );
    assert_eq!(response.status(), 400);
    assert!(page_text(response).contains("/like/microsoft"));
}

#[test]
fn a_code_works_once_and_its_reuse_revokes_the_tokens() {
    let p = start_with(|o| o.auto_login = Some("bob".into()));
    let issuer = p.issuer();
    let url = p
        .authorize_url(&issuer, CLIENT_ID, &[])
        .replace("scope=openid+email+profile", "scope=openid+offline_access");
    let code = query(&p.get(&url, &mut Jar::default()))["code"].clone();
    let first = json(p.exchange(&code, None));
    let access = first["access_token"].as_str().unwrap().to_string();
    let refresh = first["refresh_token"].as_str().unwrap();
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    let refreshed = json(p.token(&issuer, &form, Some((CLIENT_ID, SECRET))));
    let rotated = refreshed["refresh_token"].as_str().unwrap();

    let again = p.exchange(&code, None);
    assert_eq!(oauth_error(again, 400), "invalid_grant");
    for token in [&access, refreshed["access_token"].as_str().unwrap()] {
        let userinfo = p
            .http
            .get(format!("{issuer}/userinfo"))
            .bearer_auth(token)
            .send()
            .unwrap();
        assert_eq!(userinfo.status(), 401, "tokens from the code are revoked");
    }
    let form = [("grant_type", "refresh_token"), ("refresh_token", rotated)];
    assert_eq!(
        oauth_error(p.token(&issuer, &form, Some((CLIENT_ID, SECRET))), 400),
        "invalid_grant",
        "refresh tokens that descend from the code are revoked too"
    );
}

#[test]
fn an_expired_code_is_refused() {
    let p = start_with(|o| {
        o.auto_login = Some("bob".into());
        o.code_ttl = Duration::from_secs(1);
    });
    let code = query(&p.get(
        &p.authorize_url(&p.issuer(), CLIENT_ID, &[]),
        &mut Jar::default(),
    ))["code"]
        .clone();
    std::thread::sleep(Duration::from_millis(1200));
    let (error, description) = error_and_description(p.exchange(&code, None), 400);
    assert_eq!(error, "invalid_grant");
    assert!(description.contains("expired"), "{description}");
}

#[test]
fn a_wrong_code_verifier_is_refused_for_s256_and_plain() {
    let p = start_with(|o| o.auto_login = Some("bob".into()));
    for (method, challenge) in [
        ("S256", challenge(VERIFIER)),
        ("plain", VERIFIER.to_string()),
    ] {
        let url = p.authorize_url(
            &p.issuer(),
            CLIENT_ID,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", method),
            ],
        );
        let code = query(&p.get(&url, &mut Jar::default()))["code"].clone();
        let wrong = VERIFIER.replace('d', "e");
        assert_eq!(
            oauth_error(p.exchange(&code, Some(&wrong)), 400),
            "invalid_grant",
            "{method}"
        );
        // A wrong guess spends the code.
        assert_eq!(
            oauth_error(p.exchange(&code, Some(VERIFIER)), 400),
            "invalid_grant"
        );

        let code = query(&p.get(&url, &mut Jar::default()))["code"].clone();
        assert_eq!(p.exchange(&code, Some(VERIFIER)).status(), 200, "{method}");
    }
}

#[test]
fn a_missing_code_verifier_is_refused() {
    let p = start_with(|o| o.auto_login = Some("bob".into()));
    let challenge = challenge(VERIFIER);
    let url = p.authorize_url(
        &p.issuer(),
        CLIENT_ID,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let code = query(&p.get(&url, &mut Jar::default()))["code"].clone();
    let (error, description) = error_and_description(p.exchange(&code, None), 400);
    assert_eq!(error, "invalid_grant");
    assert!(
        description.contains("code_verifier is missing"),
        "{description}"
    );
}

#[test]
fn a_wrong_secret_is_401_invalid_client_with_basic_and_post() {
    let p = start_with(|o| o.auto_login = Some("bob".into()));
    let issuer = p.issuer();
    let code = query(&p.get(
        &p.authorize_url(&issuer, CLIENT_ID, &[]),
        &mut Jar::default(),
    ))["code"]
        .clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];

    let basic = p.token(&issuer, &form, Some((CLIENT_ID, "wrong")));
    assert_eq!(
        basic.headers()["www-authenticate"],
        "Basic realm=\"stauth dev provider\""
    );
    assert_eq!(oauth_error(basic, 401), "invalid_client");

    let mut post = form.to_vec();
    post.extend([("client_id", CLIENT_ID), ("client_secret", "wrong")]);
    assert_eq!(
        oauth_error(p.token(&issuer, &post, None), 401),
        "invalid_client"
    );

    let unknown = p.token(&issuer, &form, Some(("stranger", SECRET)));
    assert_eq!(oauth_error(unknown, 401), "invalid_client");

    // The code is still good: a failed client authentication spends nothing.
    post.pop();
    post.push(("client_secret", SECRET));
    assert_eq!(p.token(&issuer, &post, None).status(), 200);
}

#[test]
fn an_unregistered_post_logout_redirect_uri_is_a_page_that_never_redirects() {
    let p = start();
    let logout = |uri: &str| {
        let mut url = url::Url::parse(&format!("{}/logout", p.issuer())).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", CLIENT_ID)
            .append_pair("post_logout_redirect_uri", uri)
            .append_pair("state", "bye");
        p.get(url.as_str(), &mut Jar::default())
    };
    let refused = logout("https://evil.example/");
    assert_eq!(refused.status(), 400);
    assert!(location(&refused).is_none());
    let page = page_text(refused);
    assert!(
        page.contains("not registered") && page.contains("https://evil.example/"),
        "{page}"
    );

    let accepted = logout("http://localhost:8501/");
    assert_eq!(accepted.status(), 302);
    assert_eq!(
        location(&accepted).unwrap(),
        "http://localhost:8501/?state=bye"
    );

    let plain = p.get(&format!("{}/logout", p.issuer()), &mut Jar::default());
    assert_eq!(plain.status(), 200);
    assert!(plain.text().unwrap().contains("Logged out"));
}

#[test]
fn prompt_none_without_a_session_is_login_required_with_state() {
    let p = start();
    let response = p.get(
        &p.authorize_url(&p.issuer(), CLIENT_ID, &[("prompt", "none")]),
        &mut Jar::default(),
    );
    assert_eq!(response.status(), 302);
    let params = query(&response);
    assert_eq!(params["error"], "login_required");
    assert_eq!(params["state"], "st4te");
    assert!(location(&response).unwrap().starts_with(REDIRECT));
}

#[test]
fn deny_is_access_denied_with_state() {
    let p = start();
    let mut jar = Jar::default();
    let (request, csrf) = p.login_page(&[], &mut jar);
    let response = p.decide(
        &[("request", &request), ("csrf", &csrf), ("action", "deny")],
        &mut jar,
    );
    assert_eq!(response.status(), 302);
    let params = query(&response);
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "st4te");
}

#[test]
fn a_missing_or_wrong_csrf_token_is_400_without_a_redirect() {
    let p = start();
    let mut jar = Jar::default();
    let (request, csrf) = p.login_page(&[], &mut jar);
    for form in [
        vec![
            ("request", request.as_str()),
            ("action", "approve"),
            ("sub", "alice"),
        ],
        vec![
            ("request", request.as_str()),
            ("csrf", "forged"),
            ("action", "approve"),
            ("sub", "alice"),
        ],
    ] {
        let response = p.decide(&form, &mut jar);
        assert_eq!(response.status(), 400);
        assert!(location(&response).is_none());
        assert!(response.text().unwrap().contains("check failed"));
    }
    // The form's token without its cookie (another site's form) fails too.
    let response = p.decide(
        &[
            ("request", &request),
            ("csrf", &csrf),
            ("action", "approve"),
            ("sub", "alice"),
        ],
        &mut Jar::default(),
    );
    assert_eq!(response.status(), 400);
    // An unknown request is refused the same way.
    let response = p.decide(
        &[("request", "nope"), ("csrf", &csrf), ("action", "deny")],
        &mut jar,
    );
    assert_eq!(response.status(), 400);
    assert!(response.text().unwrap().contains("expired"));
    // And the real form still works.
    let response = p.decide(
        &[
            ("request", &request),
            ("csrf", &csrf),
            ("action", "approve"),
            ("sub", "alice"),
        ],
        &mut jar,
    );
    assert_eq!(response.status(), 302);
    assert!(query(&response).contains_key("code"));
}

#[test]
fn the_provider_session_decides_whether_the_page_shows() {
    let p = start();
    let mut jar = Jar::default();
    let code = p.code_via_page("bob", &[], &mut jar);
    assert_eq!(p.exchange(&code, None).status(), 200);
    // With a session: no prompt and prompt=none approve silently.
    for extra in [&[][..], &[("prompt", "none")][..]] {
        let response = p.get(&p.authorize_url(&p.issuer(), CLIENT_ID, extra), &mut jar);
        assert_eq!(response.status(), 302, "{extra:?}");
        assert!(query(&response).contains_key("code"));
    }
    // prompt=login and select_account show the page again.
    for prompt in ["login", "select_account", "consent"] {
        let response = p.get(
            &p.authorize_url(&p.issuer(), CLIENT_ID, &[("prompt", prompt)]),
            &mut jar,
        );
        assert_eq!(response.status(), 200, "{prompt}");
    }
    // Logout ends the session: prompt=none needs a login again.
    let response = p.get(&format!("{}/logout", p.issuer()), &mut jar);
    assert!(response.text().unwrap().contains("bob is logged out"));
    let response = p.get(
        &p.authorize_url(&p.issuer(), CLIENT_ID, &[("prompt", "none")]),
        &mut jar,
    );
    assert_eq!(query(&response)["error"], "login_required");
}

#[test]
fn a_like_shape_refuses_the_prompt_its_provider_refuses() {
    let p = start();
    let issuer = format!("{}/like/hydra", p.issuer());
    let response = p.get(
        &p.authorize_url(&issuer, "hydra-app", &[("prompt", "select_account")]),
        &mut Jar::default(),
    );
    assert_eq!(response.status(), 302);
    let params = query(&response);
    assert_eq!(params["error"], "invalid_request");
    assert_eq!(params["state"], "st4te");
}

#[test]
fn other_request_errors_redirect_with_state() {
    let p = start_with(|o| o.auto_login = Some("bob".into()));
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("response_mode", "form_post")], "invalid_request"),
        (&[("max_age", "soon")], "invalid_request"),
        (&[("code_challenge_method", "S256")], "invalid_request"),
        (
            &[("code_challenge", "x"), ("code_challenge_method", "S512")],
            "invalid_request",
        ),
        (&[("prompt", "sometimes")], "invalid_request"),
    ];
    for (extra, error) in cases {
        let response = p.get(
            &p.authorize_url(&p.issuer(), CLIENT_ID, extra),
            &mut Jar::default(),
        );
        let params = query(&response);
        assert_eq!(
            (params["error"].as_str(), params["state"].as_str()),
            (error, "st4te"),
            "{extra:?}"
        );
    }
    let no_openid = p
        .authorize_url(&p.issuer(), CLIENT_ID, &[])
        .replace("openid+", "");
    assert_eq!(
        query(&p.get(&no_openid, &mut Jar::default()))["error"],
        "invalid_scope"
    );
    let token = p
        .authorize_url(&p.issuer(), CLIENT_ID, &[])
        .replace("response_type=code", "response_type=token");
    assert_eq!(
        query(&p.get(&token, &mut Jar::default()))["error"],
        "unsupported_response_type"
    );
}

#[test]
fn refresh_tokens_rotate() {
    let p = start_with(|o| o.auto_login = Some("alice".into()));
    let issuer = p.issuer();
    let url = p.authorize_url(&issuer, CLIENT_ID, &[]).replace(
        "scope=openid+email+profile",
        "scope=openid+email+profile+offline_access",
    );
    let code = query(&p.get(&url, &mut Jar::default()))["code"].clone();
    let first = json(p.exchange(&code, None));
    let refresh = first["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_string();

    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
    ];
    let second = p.token(&issuer, &form, Some((CLIENT_ID, SECRET)));
    assert_eq!(second.status(), 200);
    let second = json(second);
    let rotated = second["refresh_token"].as_str().unwrap();
    assert_ne!(rotated, refresh);
    assert_ne!(second["access_token"], first["access_token"]);
    let claims = stauth::oidc::id_token::parse(second["id_token"].as_str().unwrap())
        .unwrap()
        .claims;
    assert_eq!(claims["sub"], "alice");
    assert!(claims.get("nonce").is_none(), "no nonce on refresh");

    assert_eq!(
        oauth_error(p.token(&issuer, &form, Some((CLIENT_ID, SECRET))), 400),
        "invalid_grant"
    );
    let other_client = [("grant_type", "refresh_token"), ("refresh_token", rotated)];
    assert_eq!(
        oauth_error(
            p.token(
                &format!("{issuer}/like/microsoft"),
                &other_client,
                Some((ENTRA_ID, SECRET))
            ),
            400
        ),
        "invalid_grant"
    );
    let unsupported = [("grant_type", "password")];
    assert_eq!(
        oauth_error(
            p.token(&issuer, &unsupported, Some((CLIENT_ID, SECRET))),
            400
        ),
        "unsupported_grant_type"
    );

    // Replaying the code revokes what its refresh gave too: the refreshed
    // access token and the rotated refresh token.
    let userinfo = format!("{issuer}/userinfo");
    let refreshed_access = second["access_token"].as_str().unwrap();
    let before = p
        .http
        .get(&userinfo)
        .bearer_auth(refreshed_access)
        .send()
        .unwrap();
    assert_eq!(before.status(), 200);
    assert_eq!(oauth_error(p.exchange(&code, None), 400), "invalid_grant");
    let after = p
        .http
        .get(&userinfo)
        .bearer_auth(refreshed_access)
        .send()
        .unwrap();
    assert_eq!(after.status(), 401);
    let again = [("grant_type", "refresh_token"), ("refresh_token", rotated)];
    assert_eq!(
        oauth_error(p.token(&issuer, &again, Some((CLIENT_ID, SECRET))), 400),
        "invalid_grant"
    );
}

#[test]
fn userinfo_needs_a_valid_bearer_token() {
    let p = start_with(|o| o.auto_login = Some("carol".into()));
    let url = format!("{}/userinfo", p.issuer());
    let missing = p.http.get(&url).send().unwrap();
    assert_eq!(missing.status(), 401);
    assert!(missing.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let bad = p.http.get(&url).bearer_auth("nope").send().unwrap();
    assert_eq!(bad.status(), 401);
    assert!(bad.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("error=\"invalid_token\""));

    let code = query(&p.get(
        &p.authorize_url(&p.issuer(), CLIENT_ID, &[]),
        &mut Jar::default(),
    ))["code"]
        .clone();
    let access = json(p.exchange(&code, None))["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let good = json(p.http.post(&url).bearer_auth(&access).send().unwrap());
    assert_eq!(good["sub"], "carol");
    assert!(good.get("email").is_none());
    // A token from the root issuer means nothing at another issuer.
    let elsewhere = p
        .http
        .get(format!("{}/like/microsoft/userinfo", p.issuer()))
        .bearer_auth(&access)
        .send()
        .unwrap();
    assert_eq!(elsewhere.status(), 401);
}

#[test]
fn serves_127_0_0_1_and_ipv6_loopback_and_refuses_a_taken_port() {
    let p = start();
    let port = p.running.port();
    let path = "/.well-known/openid-configuration";
    let v4 = p
        .http
        .get(format!("http://127.0.0.1:{port}{path}"))
        .send()
        .unwrap();
    assert_eq!(v4.status(), 200);
    if p.running.addresses().iter().any(|a| a.is_ipv6()) {
        let v6 = p
            .http
            .get(format!("http://[::1]:{port}{path}"))
            .send()
            .unwrap();
        assert_eq!(v6.status(), 200);
        assert_eq!(json(v6)["issuer"], format!("http://localhost:{port}"));
    }
    // A page that rebinds its own name to 127.0.0.1 gets nothing.
    let rebound = p
        .http
        .get(format!("http://127.0.0.1:{port}{path}"))
        .header("Host", "evil.example")
        .send()
        .unwrap();
    assert_eq!(rebound.status(), 421);

    let keys = tempfile::tempdir().unwrap();
    let (ring, _) = KeyRing::load_or_create(keys.path(), Algorithm::Rs256).unwrap();
    let taken = server::start(Options::new(port, Vec::new(), users::samples(), ring));
    let error = taken.err().expect("the port is taken").to_string();
    assert!(error.contains(&format!("port {port} is in use")), "{error}");
    assert!(error.contains("another stauth dev-provider"), "{error}");
}

#[test]
fn unknown_paths_and_methods() {
    let p = start();
    let issuer = p.issuer();
    assert_eq!(
        p.http
            .get(format!("{issuer}/nope"))
            .send()
            .unwrap()
            .status(),
        404
    );
    let wrong_method = p.http.get(format!("{issuer}/token")).send().unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(wrong_method.headers()["allow"], "POST");
    let big = p
        .http
        .post(format!("{issuer}/token"))
        .body(vec![b'a'; 100 * 1024])
        .send();
    if let Ok(big) = big {
        assert_eq!(big.status(), 413);
    }
    assert_eq!(
        p.http
            .get(format!("{issuer}/jwks"))
            .send()
            .unwrap()
            .headers()["x-content-type-options"],
        "nosniff"
    );
}

#[test]
fn clients_come_from_the_app_and_requests_are_compared_with_streamlit() {
    use stauth::dev_provider::{clients, metadata_url};
    let port = crate::common::idp::free_port();
    let (app, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let write = |secrets: &str| {
        std::fs::create_dir_all(app.path().join(".streamlit")).unwrap();
        std::fs::write(app.path().join(".streamlit/secrets.toml"), secrets).unwrap();
    };
    let auth = format!(
        "[auth]\nredirect_uri = \"{REDIRECT}\"\ncookie_secret = \"{}\"\n\
         [auth.dev]\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{SECRET}\"\nserver_metadata_url = \"{}\"\n\
         [auth.entra]\nclient_id = \"{ENTRA_ID}\"\nclient_secret = \"{SECRET}\"\nserver_metadata_url = \"{}\"\n\
         [auth.google]\nclient_id = \"g\"\nclient_secret = \"g\"\nserver_metadata_url = \"https://accounts.google.com/.well-known/openid-configuration\"\n\
         [auth.elsewhere]\nclient_id = \"e\"\nclient_secret = \"e\"\nserver_metadata_url = \"{}\"\n",
        "c".repeat(32),
        metadata_url(port, None),
        metadata_url(port, Some("microsoft")),
        metadata_url(port + 1, None),
    );
    write(&auth);
    let context =
        stauth::streamlit::AppContext::load_with_home(app.path(), Some(home.path().into()))
            .unwrap();
    let found = clients::from_app(&context, port).unwrap();
    let summary: Vec<(String, String, Option<&str>)> = found
        .iter()
        .map(|c| (c.describe(), c.redirect_uri.clone(), c.like.map(|p| p.name)))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("[auth.dev] (app)".to_string(), REDIRECT.to_string(), None),
            (
                "[auth.entra] (entra-app)".to_string(),
                REDIRECT.to_string(),
                Some("microsoft")
            ),
        ]
    );
    assert_eq!(
        found[0].post_logout_redirect_uris,
        vec![REDIRECT, "http://localhost:8501/"]
    );

    write(&auth.replace("/like/microsoft/", "/like/nope/"));
    let error = clients::from_app(&context, port).unwrap_err().to_string();
    assert!(
        error.contains("[auth.entra]")
            && error.contains("no preset 'nope'")
            && error.contains("keycloak"),
        "{error}"
    );
    write(&auth);

    let keys = tempfile::tempdir().unwrap();
    let (ring, _) = KeyRing::load_or_create(keys.path(), Algorithm::Rs256).unwrap();
    let mut options = Options::new(port, found, users::samples(), ring);
    options.release = Some(stauth::streamlit::Release::latest());
    options.auto_login = Some("alice".into());
    let running = server::start(options).unwrap();
    let http = Http::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut url = url::Url::parse(&format!("{}/authorize", running.issuer())).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", "openid email profile")
        .append_pair("prompt", "login");
    assert_eq!(http.get(url.as_str()).send().unwrap().status(), 302);
    let event = running
        .next_event(Duration::from_secs(5))
        .expect("an event");
    let notes = event.streamlit_notes.join("\n");
    assert!(
        notes.contains("sends prompt=select_account (client_kwargs has no prompt); this request has prompt=login: it was not sent by this app's st.login"),
        "{notes}"
    );
    assert!(
        !notes.contains("scope"),
        "the scope is what Streamlit sends: {notes}"
    );
    assert_eq!(event.client.as_deref(), Some("[auth.dev] (app)"));
}

#[test]
fn a_hundred_concurrent_logins_all_succeed() {
    let p = std::sync::Arc::new(start_with(|o| o.auto_login = Some("bob".into())));
    let threads: Vec<_> = (0..100)
        .map(|i| {
            let p = p.clone();
            std::thread::spawn(move || {
                let state = format!("s{i}");
                let url = p
                    .authorize_url(&p.issuer(), CLIENT_ID, &[])
                    .replace("st4te", &state);
                let redirect = p.get(&url, &mut Jar::default());
                let params = query(&redirect);
                assert_eq!(params["state"], state);
                let tokens = json(p.exchange(&params["code"], None));
                let access = tokens["access_token"].as_str().unwrap();
                let userinfo = p
                    .http
                    .get(format!("{}/userinfo", p.issuer()))
                    .bearer_auth(access)
                    .send()
                    .unwrap();
                assert_eq!(json(userinfo)["sub"], "bob");
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a login failed");
    }
}

#[test]
fn provider_cookies_stay_off_the_apps_paths_and_max_age_asks_again() {
    let p = start();
    let mut jar = Jar::default();
    let (request, csrf) = p.login_page(&[], &mut jar);
    let response = p.decide(
        &[
            ("request", &request),
            ("csrf", &csrf),
            ("action", "approve"),
            ("sub", "alice"),
        ],
        &mut jar,
    );
    let cookies: Vec<&str> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("stauth_dev_session=")
            && c.contains("Path=/authorize; HttpOnly; SameSite=Lax")),
        "{cookies:?}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("stauth_dev_session=") && c.contains("Path=/logout;")),
        "{cookies:?}"
    );
    assert!(
        cookies.iter().all(|c| !c.contains("Path=/;")),
        "{cookies:?}"
    );

    std::thread::sleep(Duration::from_millis(1100));
    let silent = p.get(
        &p.authorize_url(&p.issuer(), CLIENT_ID, &[("max_age", "3600")]),
        &mut jar,
    );
    assert_eq!(silent.status(), 302);
    let again = p.get(
        &p.authorize_url(&p.issuer(), CLIENT_ID, &[("max_age", "0")]),
        &mut jar,
    );
    assert_eq!(
        again.status(),
        200,
        "an older login than max_age shows the page"
    );
}

/// One raw request; the status line of the answer.
fn raw(port: u16, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    text.lines().next().unwrap_or_default().to_string()
}

#[test]
fn oversized_malformed_and_idle_requests_are_cut_short() {
    let p = start();
    let port = p.running.port();
    let huge_header = format!(
        "GET /jwks HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20 * 1024)
    );
    assert_eq!(
        raw(port, huge_header.as_bytes()),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    let huge_body = "POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10000000\r\n\r\n";
    assert_eq!(
        raw(port, huge_body.as_bytes()),
        "HTTP/1.1 413 Content Too Large"
    );
    let chunked =
        "POST /token HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    assert_eq!(
        raw(port, chunked.as_bytes()),
        "HTTP/1.1 411 Length Required"
    );
    assert_eq!(raw(port, b"NONSENSE\r\n\r\n"), "HTTP/1.1 400 Bad Request");
    assert_eq!(
        raw(port, b"GET /jwks HTTP/1.1\r\n\r\n"),
        "HTTP/1.1 421 Misdirected Request"
    );

    // Connections that send nothing, or stop halfway, neither stall the
    // others nor stay open for long.
    use std::io::Write;
    let mut idle: Vec<std::net::TcpStream> = (0..20)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    idle[0]
        .write_all(b"POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nabc")
        .unwrap();
    let started = std::time::Instant::now();
    let answer = p.http.get(format!("{}/jwks", p.issuer())).send().unwrap();
    assert_eq!(answer.status(), 200);
    let waited = started.elapsed();
    let half = raw_read(&mut idle[0]);
    assert!(half.starts_with("HTTP/1.1 408"), "{half}");
    assert!(
        waited < Duration::from_secs(4),
        "waited {waited:?} behind idle connections"
    );
}

fn raw_read(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_like_shape_accepts_only_its_providers_client_authentication() {
    let p = start_with(|o| o.auto_login = Some("bob".into()));
    let issuer = format!("{}/like/linkedin", p.issuer());
    let discovery = json(p.get(
        &format!("{issuer}/.well-known/openid-configuration"),
        &mut Jar::default(),
    ));
    assert_eq!(
        discovery["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_post"])
    );
    let code = |p: &Provider| {
        query(&p.get(
            &p.authorize_url(&issuer, "linkedin-app", &[]),
            &mut Jar::default(),
        ))["code"]
            .clone()
    };

    let first = code(&p);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", first.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let basic = p.token(&issuer, &form, Some(("linkedin-app", SECRET)));
    let (error, description) = error_and_description(basic, 401);
    assert_eq!(error, "invalid_client");
    assert!(
        description.contains("accepts only client_secret_post"),
        "{description}"
    );

    let mut post = form.to_vec();
    post.extend([("client_id", "linkedin-app"), ("client_secret", SECRET)]);
    assert_eq!(p.token(&issuer, &post, None).status(), 200);
}
