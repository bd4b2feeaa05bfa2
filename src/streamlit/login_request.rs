//! The requests Streamlit (through Authlib) makes for a login: the
//! authorization URL with its exact parameters, how the client authenticates
//! at the token endpoint, and the logout URL of Streamlit 1.53+.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::Digest;
use url::Url;

use super::auth_config::LoginConfig;
use super::schema::{DEFAULT_PROMPT, DEFAULT_SCOPE};
use super::version::StreamlitVersion;
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

/// Builds the login request Streamlit `version` sends for `config`.
pub fn build(
    config: &LoginConfig,
    discovery: &Discovery,
    version: StreamlitVersion,
    redirect_uri: &str,
) -> Result<LoginRequest, String> {
    let endpoint = discovery
        .str("authorization_endpoint")
        .ok_or("the discovery document has no authorization_endpoint")?;
    let mut url = Url::parse(endpoint)
        .map_err(|e| format!("authorization_endpoint '{endpoint}' is not a URL: {e}"))?;
    let scope = config.kwarg("scope").unwrap_or(DEFAULT_SCOPE).to_string();
    let prompt = config.kwarg("prompt").unwrap_or(DEFAULT_PROMPT).to_string();
    let advertised = discovery
        .list("code_challenge_methods_supported")
        .is_some_and(|m| m.contains(&"S256"));
    let pkce = config.kwarg("code_challenge_method") == Some("S256")
        || (advertised && version.pkce_when_advertised());
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
            return Err(format!(
                "token_endpoint_auth_method '{other}' is not one stauth can emulate (client_secret_basic, client_secret_post, none)"
            ))
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

/// The URL `st.logout()` sends the browser to (Streamlit 1.53+), merged with
/// any query the endpoint already has.
pub fn logout_url(
    end_session_endpoint: &str,
    client_id: &str,
    redirect_uri: &str,
    id_token: Option<&str>,
) -> Option<String> {
    let mut url = Url::parse(end_session_endpoint).ok()?;
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "client_id" | "post_logout_redirect_uri" | "id_token_hint"
            )
        })
        .collect();
    params.push(("client_id".into(), client_id.into()));
    params.push(("post_logout_redirect_uri".into(), redirect_uri.into()));
    if let Some(t) = id_token {
        params.push(("id_token_hint".into(), t.into()));
    }
    url.set_query(None);
    url.query_pairs_mut().extend_pairs(params);
    Some(url.to_string())
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
            crate::streamlit::version::LATEST,
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
        let v157 = StreamlitVersion::new(1, 57);
        assert!(build(&config(json!({})), &discovery(true), v157, "x")
            .unwrap()
            .code_verifier
            .is_none());
        assert!(build(
            &config(json!({})),
            &discovery(false),
            crate::streamlit::version::LATEST,
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
    fn kwargs_and_token_auth() {
        let c = config(
            json!({"prompt": "login", "scope": "openid email", "token_endpoint_auth_method": "client_secret_post", "login_hint": "a@b"}),
        );
        let r = build(
            &c,
            &discovery(false),
            crate::streamlit::version::LATEST,
            "x",
        )
        .unwrap();
        assert_eq!(r.prompt, "login");
        assert_eq!(r.token_auth, TokenAuth::ClientSecretPost);
        assert!(params(&r).contains(&("login_hint".into(), "a@b".into())));
        let mut public = config(json!({}));
        public.client_secret = Secret::new("");
        assert_eq!(
            build(
                &public,
                &discovery(false),
                crate::streamlit::version::LATEST,
                "x"
            )
            .unwrap()
            .token_auth,
            TokenAuth::None
        );
    }

    #[test]
    fn logout_merges_existing_query() {
        let u = logout_url(
            "https://idp/logout?x=1&client_id=old",
            "app",
            "http://localhost:8501/oauth2callback",
            Some("tok"),
        )
        .unwrap();
        assert_eq!(u, "https://idp/logout?x=1&client_id=app&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A8501%2Foauth2callback&id_token_hint=tok");
    }

    #[test]
    fn tokens_are_alphanumeric() {
        let t = generate_token(200);
        assert_eq!(t.len(), 200);
        assert!(t.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
