//! The cookies Streamlit sets after a login, predicted byte for byte.
//!
//! After `/oauth2callback` Streamlit stores the ID token's claims in the signed
//! `_streamlit_user` cookie and (1.53+) the raw tokens in
//! `_streamlit_user_tokens`, splitting either into `NAME_1..NAME_N` when it
//! would pass 4096 bytes. Their sizes decide whether a login works: before
//! 1.53 an oversized cookie is dropped by the browser and login loops; since
//! 1.53 the chunks can push the `Cookie` header past a proxy's 8 KB limit.
//! This module reproduces Streamlit's serialisation, signing and chunking
//! exactly (docs/streamlit-contract.md, "Cookies"), so the sizes are known
//! from the ID token alone. tests/it/streamlit_cookies.rs checks it against
//! Streamlit's own code (tests/py/cookie_oracle.py).
//!
//! Sources, Streamlit 1.67.0: `auth_util.py` (`set_cookie_with_chunks`,
//! `_set_split_cookie`, `MAX_COOKIE_BYTES`, `SIGNING_OVERHEAD_SAFETY_BUFFER`),
//! `web/server/starlette/starlette_auth_routes.py` (`_auth_callback`,
//! `_set_auth_cookie`, `_get_auth_cookie_attribute_size`, `_set_single_cookie`),
//! `web/server/starlette/starlette_app_utils.py` (`create_signed_value`);
//! itsdangerous 2.2 (`URLSafeTimedSerializer`); Tornado 6
//! (`create_signed_value`, `RequestHandler.set_cookie`) for 1.42-1.56.
//!
//! One job per module: `python_format` writes bytes as CPython does,
//! `signing` signs them as itsdangerous and Tornado do, `chunking` splits
//! them as Streamlit does; this file holds the per-release rules. Pure
//! functions: no I/O, no clock (the signing time is a parameter).

use serde_json::{Map, Value};

use super::release::{Release, Server, StreamlitVersion};

mod chunking;
pub mod python_format;
mod signing;

pub use chunking::{predict, CookieSize, Prediction};
use python_format::{http_date, python_json_dumps};
pub(in crate::streamlit) use signing::{itsdangerous_mac, tornado_mac_hex};
pub use signing::{sign_itsdangerous, sign_tornado_v2};

/// The identity cookie.
pub const USER_COOKIE: &str = "_streamlit_user";
/// The tokens cookie (1.53+).
pub const TOKENS_COOKIE: &str = "_streamlit_user_tokens";
/// Streamlit's per-cookie budget (`auth_util.MAX_COOKIE_BYTES`).
pub const MAX_COOKIE_BYTES: usize = 4096;
/// The Starlette server's WebSocket library accepts header lines of at most
/// 8192 bytes ("Cookie: " included): a longer Cookie header makes the
/// /_stcore/stream handshake hang, so the app never loads (seen with 1.67).
pub const WEBSOCKET_COOKIE_LIMIT: usize = 8182;
/// `; _streamlit_xsrf=...`, which the app sets besides the login cookies.
pub const XSRF_COOKIE_BYTES: usize = 72;
/// Cookie lifetime: Tornado's `expires_days=30`, Starlette's Max-Age (1.58+).
const COOKIE_LIFETIME_SECS: u64 = 30 * 24 * 60 * 60;

/// Which server signs the cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// Tornado `set_signed_cookie` (signed value version 2): 1.42-1.56.
    Tornado,
    /// itsdangerous `URLSafeTimedSerializer`: 1.57+ (1.53-1.56 only with
    /// `server.useStarlette`).
    Starlette,
}

/// How a Streamlit release writes its login cookies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieRules {
    /// The release these rules describe.
    pub release: Release,
    /// The signing scheme.
    pub server: ServerKind,
    /// The attribute suffix Streamlit counts in its chunking length test
    /// (`len(name) + 1 + len(signed) + len(attributes) > 4096`).
    pub attributes: String,
    /// The cookie path (`/` + `server.baseUrlPath` stripped of slashes, or
    /// `/`); Tornado always uses `/`.
    pub cookie_path: String,
    /// The cookies carry Max-Age (Starlette 1.58+; a session cookie before, #15193).
    max_age: bool,
}

impl CookieRules {
    /// The rules of `release` for an app served under `base_url_path`
    /// (`server.baseUrlPath`, `""` for none).
    pub fn for_release(release: &Release, base_url_path: &str) -> CookieRules {
        let starlette_path = match base_url_path.trim_matches('/') {
            "" => "/".to_owned(),
            p => format!("/{p}"),
        };
        let max_age = release.server == Server::Starlette
            && release.version >= StreamlitVersion::new(1, 58, 0);
        let (server, cookie_path) = if release.server.is_starlette() {
            (ServerKind::Starlette, starlette_path)
        } else {
            (ServerKind::Tornado, "/".to_owned())
        };
        let attributes = if max_age {
            format!("; Path={cookie_path}; HttpOnly; SameSite=lax; Max-Age={COOKIE_LIFETIME_SECS}")
        } else {
            // auth_util.COOKIE_ATTRIBUTES up to 1.57, whatever the real path.
            "; Path=/; HttpOnly".to_owned()
        };
        CookieRules {
            release: *release,
            server,
            attributes,
            cookie_path,
            max_age,
        }
    }

    /// Everything after `name=value` in the Set-Cookie header, as the server
    /// writes it for a cookie signed at `ts`.
    fn set_cookie_suffix(&self, ts: u64) -> String {
        match self.server {
            // Tornado: expires = now + 30 days; Python's Morsel sorts attributes.
            ServerKind::Tornado => format!(
                "; expires={}; HttpOnly; Path=/",
                http_date(ts + COOKIE_LIFETIME_SECS)
            ),
            ServerKind::Starlette if self.max_age => format!(
                "; HttpOnly; Max-Age={COOKIE_LIFETIME_SECS}; Path={}; SameSite=lax",
                self.cookie_path
            ),
            // 1.53-1.57: no Max-Age (a session cookie).
            ServerKind::Starlette => format!("; HttpOnly; Path={}; SameSite=lax", self.cookie_path),
        }
    }

    /// The signed cookie value the server computes for `value`.
    fn sign(&self, secret: &str, name: &str, value: &str, ts: u64) -> String {
        match self.server {
            ServerKind::Tornado => sign_tornado_v2(secret, name, value, ts),
            ServerKind::Starlette => sign_itsdangerous(secret, name, value, ts),
        }
    }
}

/// The identity JSON Streamlit signs into `_streamlit_user`:
/// `json.dumps(dict(claims, origin=origin, is_logged_in=True, provider=provider))`.
/// Pass `provider: None` for releases without it
/// ([`Release::provider_in_identity`]). As with Python's `dict(...)`, a
/// claim already named `origin`, `is_logged_in` or `provider` keeps its
/// position and takes the new value.
pub fn identity_json(claims: &Map<String, Value>, origin: &str, provider: Option<&str>) -> String {
    let mut m = claims.clone();
    m.insert("origin".to_owned(), Value::String(origin.to_owned()));
    m.insert("is_logged_in".to_owned(), Value::Bool(true));
    if let Some(p) = provider {
        m.insert("provider".to_owned(), Value::String(p.to_owned()));
    }
    python_json_dumps(&Value::Object(m))
}

/// The tokens JSON Streamlit signs into `_streamlit_user_tokens` (1.53+):
/// `{"id_token": ..., "access_token": ...}`, each only when the token
/// response had it (an empty response gives `{}`).
pub fn tokens_json(id_token: Option<&str>, access_token: Option<&str>) -> String {
    let mut m = Map::new();
    if let Some(t) = id_token {
        m.insert("id_token".to_owned(), Value::String(t.to_owned()));
    }
    if let Some(t) = access_token {
        m.insert("access_token".to_owned(), Value::String(t.to_owned()));
    }
    python_json_dumps(&Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identity_json_keeps_claim_order_and_overrides_in_place() {
        let claims = json!({"sub": "1", "provider": "evil", "email": "a@b"});
        let got = identity_json(
            claims.as_object().unwrap(),
            "http://localhost:8501",
            Some("default"),
        );
        assert_eq!(
            got,
            r#"{"sub": "1", "provider": "default", "email": "a@b", "origin": "http://localhost:8501", "is_logged_in": true}"#
        );
        let without = identity_json(&Map::new(), "https://x.io", None);
        assert_eq!(
            without,
            r#"{"origin": "https://x.io", "is_logged_in": true}"#
        );
        assert_eq!(tokens_json(None, None), "{}");
        assert_eq!(
            tokens_json(Some("i"), Some("a")),
            r#"{"id_token": "i", "access_token": "a"}"#
        );
    }

    fn rules(version: &str, opt_in: bool, base: &str) -> CookieRules {
        Release::new(version.parse().unwrap(), opt_in).cookie_rules(base)
    }

    #[test]
    fn rules_by_release() {
        let r = rules("1.42.0", false, "app");
        assert_eq!(
            (
                r.server,
                r.release.chunks_cookies(),
                r.release.exposes_tokens(),
                r.release.provider_in_identity()
            ),
            (ServerKind::Tornado, false, false, false)
        );
        assert_eq!(r.cookie_path, "/");
        assert!(rules("1.48.0", false, "").release.provider_in_identity());
        assert!(!rules("1.48.1", false, "").release.provider_in_identity());
        assert!(!rules("1.49", false, "").release.provider_in_identity());
        let r = rules("1.56", false, "");
        assert_eq!(
            (
                r.server,
                r.release.chunks_cookies(),
                r.release.exposes_tokens()
            ),
            (ServerKind::Tornado, true, true)
        );
        let r = rules("1.56", true, "/app/");
        assert_eq!(
            (r.server, r.attributes.as_str(), r.cookie_path.as_str()),
            (ServerKind::Starlette, "; Path=/; HttpOnly", "/app")
        );
        let r = rules("1.57", false, "/app/");
        assert_eq!(
            (r.server, r.attributes.as_str(), r.cookie_path.as_str()),
            (ServerKind::Starlette, "; Path=/; HttpOnly", "/app")
        );
        let r = rules("1.67", false, "/app/");
        assert_eq!(
            r.attributes,
            "; Path=/app; HttpOnly; SameSite=lax; Max-Age=2592000"
        );
        assert_eq!(
            rules("2.0.0", false, "/").attributes,
            "; Path=/; HttpOnly; SameSite=lax; Max-Age=2592000"
        );
    }
}
