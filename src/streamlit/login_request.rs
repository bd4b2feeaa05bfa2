//! The requests Streamlit (through Authlib) makes for a login: the
//! authorization URL with its exact parameters and how the client
//! authenticates at the token endpoint.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::Digest;
use url::Url;

use super::auth_config::LoginConfig;
use super::release::Release;
use super::schema::{DEFAULT_PROMPT, DEFAULT_SCOPE};
pub use crate::oidc::token::TokenAuth;
use crate::oidc::Discovery;

/// Authlib's `generate_token` lengths.
const STATE_LEN: usize = 30;
const NONCE_LEN: usize = 20;
const CODE_VERIFIER_LEN: usize = 48;

/// `client_kwargs` that Authlib copies into the authorization URL.
const EXTRA_AUTHORIZE_PARAMS: &[&str] = &["response_mode", "login_hint"];

#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub authorization_url: String,
    pub redirect_uri: String,
    pub state: String,
    pub nonce: String,
    /// Present when Streamlit would use PKCE.
    pub code_verifier: Option<String>,
    pub scope: String,
    pub prompt: String,
    pub token_auth: TokenAuth,
}

/// Why Streamlit would answer the login with an error instead of a redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Something in `[auth]` (client_kwargs).
    Config(String),
    /// Something in the provider's discovery document.
    Provider(String),
}

impl Refusal {
    pub fn message(&self) -> &str {
        match self {
            Refusal::Config(m) | Refusal::Provider(m) => m,
        }
    }
}

/// Builds the login request `release` sends for `config`, or says why that
/// release answers the login with an error instead.
pub fn build(
    config: &LoginConfig,
    discovery: &Discovery,
    release: &Release,
    redirect_uri: &str,
) -> Result<LoginRequest, Refusal> {
    let endpoint = discovery.str("authorization_endpoint").ok_or_else(|| {
        Refusal::Provider("the discovery document has no authorization_endpoint".into())
    })?;
    let mut url = Url::parse(endpoint).map_err(|e| {
        Refusal::Provider(format!(
            "authorization_endpoint '{endpoint}' is not a URL: {e}"
        ))
    })?;
    let scope = config.kwarg("scope").unwrap_or(DEFAULT_SCOPE).to_string();
    let prompt = config.kwarg("prompt").unwrap_or(DEFAULT_PROMPT).to_string();
    let methods = discovery.raw("code_challenge_methods_supported");
    if release.null_pkce_methods_fail() && methods.is_some_and(serde_json::Value::is_null) {
        return Err(Refusal::Provider(format!(
            "the discovery document has \"code_challenge_methods_supported\": null, and {} answers every login with 400 (\"argument of type 'NoneType' is not iterable\"): it checks the field as a list",
            release.describe()
        )));
    }
    let advertised = discovery
        .list("code_challenge_methods_supported")
        .is_some_and(|m| m.contains(&"S256"));
    let pkce = config.kwarg("code_challenge_method") == Some("S256")
        || (advertised && release.pkce_when_advertised());
    let state = generate_token(STATE_LEN);
    let nonce = config
        .kwarg("nonce")
        .map(str::to_string)
        .unwrap_or_else(|| generate_token(NONCE_LEN));
    let code_verifier = pkce.then(|| generate_token(CODE_VERIFIER_LEN));
    let response_type = config.kwarg("response_type").unwrap_or("code").to_string();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", &response_type)
            .append_pair("client_id", &config.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &scope)
            .append_pair("state", &state);
        for (k, v) in &config.authorize_params {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            q.append_pair(k, &v);
        }
        if scope.split_whitespace().any(|s| s == "openid") {
            q.append_pair("nonce", &nonce);
        }
        if let Some(verifier) = &code_verifier {
            q.append_pair("code_challenge", &s256_challenge(verifier))
                .append_pair("code_challenge_method", "S256");
        }
        q.append_pair("prompt", &prompt);
        for key in EXTRA_AUTHORIZE_PARAMS {
            if let Some(v) = config.kwarg(key) {
                q.append_pair(key, v);
            }
        }
    }
    let token_auth = match config.kwarg("token_endpoint_auth_method") {
        Some("client_secret_post") => TokenAuth::ClientSecretPost,
        Some("none") => TokenAuth::None,
        Some("client_secret_basic") => TokenAuth::ClientSecretBasic,
        Some(other) => {
            return Err(Refusal::Config(format!(
                "token_endpoint_auth_method '{other}' is not one stauth can emulate (client_secret_basic, client_secret_post, none)"
            )))
        }
        None if config.client_secret.is_empty() => TokenAuth::None,
        None => TokenAuth::ClientSecretBasic,
    };
    Ok(LoginRequest {
        authorization_url: url.to_string(),
        redirect_uri: redirect_uri.to_string(),
        state,
        nonce,
        code_verifier,
        scope,
        prompt,
        token_auth,
    })
}

/// Authlib's `generate_token`: letters and digits from the OS CSPRNG.
pub(crate) fn generate_token(len: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).expect("the OS random number generator is available");
        // 248 = 4 * 62: rejecting larger bytes keeps every character equally likely.
        for b in buf.iter().filter(|b| **b < 248) {
            if out.len() == len {
                break;
            }
            out.push(CHARS[(*b % 62) as usize] as char);
        }
    }
    out
}

/// PKCE S256: base64url(SHA-256(verifier)).
pub(crate) fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::streamlit::ProviderSlot;
    use serde_json::{json, Map, Value};

    fn config(kwargs: Value) -> LoginConfig {
        LoginConfig {
            slot: ProviderSlot::Default,
            source: "s.toml".into(),
            redirect_uri: "http://localhost:8501/oauth2callback".into(),
            cookie_secret: Secret::new("c"),
            client_id: "app".into(),
            client_secret: Secret::new("s"),
            server_metadata_url: "https://idp/.well-known/openid-configuration".into(),
            client_kwargs: kwargs.as_object().cloned().unwrap_or_default(),
            authorize_params: Map::new(),
            expose_tokens: vec![],
        }
    }

    fn discovery(pkce: bool) -> Discovery {
        let mut d = json!({
            "issuer": "https://idp", "authorization_endpoint": "https://idp/auth?p=b2c_1",
            "token_endpoint": "https://idp/token", "jwks_uri": "https://idp/jwks"
        });
        if pkce {
            d["code_challenge_methods_supported"] = json!(["S256"]);
        }
        Discovery::from_document(
            "https://idp/.well-known/openid-configuration",
            d.as_object().unwrap().clone(),
        )
        .unwrap()
    }

    fn params(r: &LoginRequest) -> Vec<(String, String)> {
        Url::parse(&r.authorization_url)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn streamlit_defaults() {
        let r = build(
            &config(json!({})),
            &discovery(true),
            &Release::latest(),
            "http://localhost:8501/oauth2callback",
        )
        .unwrap();
        let p = params(&r);
        let keys: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "p",
                "response_type",
                "client_id",
                "redirect_uri",
                "scope",
                "state",
                "nonce",
                "code_challenge",
                "code_challenge_method",
                "prompt"
            ]
        );
        assert_eq!(r.state.len(), 30);
        assert_eq!(r.nonce.len(), 20);
        assert_eq!(r.scope, "openid email profile");
        assert_eq!(r.prompt, "select_account");
        assert_eq!(r.token_auth, TokenAuth::ClientSecretBasic);
        let challenge = &p.iter().find(|(k, _)| k == "code_challenge").unwrap().1;
        assert_eq!(
            *challenge,
            s256_challenge(r.code_verifier.as_ref().unwrap())
        );
    }

    #[test]
    fn pkce_by_version_and_kwargs() {
        let v157 = &Release::new("1.57".parse().unwrap(), false);
        assert!(build(&config(json!({})), &discovery(true), v157, "x")
            .unwrap()
            .code_verifier
            .is_none());
        assert!(build(
            &config(json!({})),
            &discovery(false),
            &Release::latest(),
            "x"
        )
        .unwrap()
        .code_verifier
        .is_none());
        let forced = config(json!({"code_challenge_method": "S256"}));
        assert!(build(&forced, &discovery(false), v157, "x")
            .unwrap()
            .code_verifier
            .is_some());
    }

    #[test]
    fn tornado_fails_on_null_pkce_methods() {
        let mut d = json!({
            "issuer": "https://idp", "authorization_endpoint": "https://idp/auth",
            "token_endpoint": "https://idp/token", "jwks_uri": "https://idp/jwks",
            "code_challenge_methods_supported": null
        });
        let doc = |d: &Value| {
            Discovery::from_document(
                "https://idp/.well-known/openid-configuration",
                d.as_object().unwrap().clone(),
            )
            .unwrap()
        };
        let tornado = Release::new("1.56".parse().unwrap(), false);
        let err = build(&config(json!({})), &doc(&d), &tornado, "x").unwrap_err();
        assert!(err.message().contains("400"), "{err:?}");
        let r = build(&config(json!({})), &doc(&d), &Release::latest(), "x").unwrap();
        assert!(r.code_verifier.is_none());
        d["code_challenge_methods_supported"] = json!(["S256"]);
        assert!(build(&config(json!({})), &doc(&d), &tornado, "x")
            .unwrap()
            .code_verifier
            .is_some());
    }

    #[test]
    fn kwargs_and_token_auth() {
        let c = config(
            json!({"prompt": "login", "scope": "openid email", "token_endpoint_auth_method": "client_secret_post", "login_hint": "a@b"}),
        );
        let r = build(&c, &discovery(false), &Release::latest(), "x").unwrap();
        assert_eq!(r.prompt, "login");
        assert_eq!(r.token_auth, TokenAuth::ClientSecretPost);
        assert!(params(&r).contains(&("login_hint".into(), "a@b".into())));
        let mut public = config(json!({}));
        public.client_secret = Secret::new("");
        assert_eq!(
            build(&public, &discovery(false), &Release::latest(), "x")
                .unwrap()
                .token_auth,
            TokenAuth::None
        );
    }

    #[test]
    fn tokens_are_alphanumeric() {
        let t = generate_token(200);
        assert_eq!(t.len(), 200);
        assert!(t.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
