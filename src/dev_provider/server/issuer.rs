//! The issuers one provider serves (the root and each `/like/<preset>`),
//! and the cookies each keeps at its own paths.

use super::http::Response;
use super::Shared;
use crate::catalog::Preset;
use crate::dev_provider::clients::{known_preset, preset_names, Client};
use crate::dev_provider::{issuer, LIKE_PREFIX};

/// One of the issuers this provider serves.
pub(super) struct Issuer {
    pub like: Option<&'static Preset>,
    /// `""` for the root, `/like/<preset>` otherwise.
    pub base: String,
    /// `http://localhost:PORT` + base, whatever `Host` the request had.
    pub url: String,
}

impl Issuer {
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    fn cookie_suffix(&self) -> String {
        self.like
            .filter(|_| !self.base.is_empty())
            .map(|p| format!("_{}", p.name))
            .unwrap_or_default()
    }

    pub fn session_cookie(&self) -> String {
        format!("stauth_dev_session{}", self.cookie_suffix())
    }

    pub fn csrf_cookie(&self) -> String {
        format!("stauth_dev_csrf{}", self.cookie_suffix())
    }

    /// `Set-Cookie` values for the CSRF cookie (empty: cleared).
    pub fn csrf_cookies(&self, value: &str) -> Vec<String> {
        vec![self.cookie(&self.csrf_cookie(), value, "/authorize")]
    }

    /// `Set-Cookie` values for the session cookie (empty: cleared).
    pub fn session_cookies(&self, value: &str) -> Vec<String> {
        ["/authorize", "/logout"]
            .iter()
            .map(|path| self.cookie(&self.session_cookie(), value, path))
            .collect()
    }

    /// Scoped to the endpoints that read it, not the issuer's whole path:
    /// cookies ignore ports, so a cookie on `/` would also go to the app on
    /// localhost and count against the header size stauth measures there.
    fn cookie(&self, name: &str, value: &str, endpoint: &str) -> String {
        let age = if value.is_empty() { "; Max-Age=0" } else { "" };
        format!(
            "{name}={value}; Path={}{endpoint}; HttpOnly; SameSite=Lax{age}",
            self.base
        )
    }
}

/// The issuer path a client's `server_metadata_url` names.
pub(super) fn client_base(client: &Client) -> String {
    client
        .like
        .map(|p| format!("{}{}", LIKE_PREFIX, p.name))
        .unwrap_or_default()
}

/// The issuer a path belongs to, and the endpoint path within it.
pub(super) fn issuer_of<'p>(
    shared: &Shared,
    path: &'p str,
) -> std::result::Result<(Issuer, &'p str), Response> {
    let Some(rest) = path.strip_prefix(LIKE_PREFIX) else {
        return Ok((
            Issuer {
                like: shared.options.root_like,
                base: String::new(),
                url: issuer(shared.port, None),
            },
            path,
        ));
    };
    let (name, endpoint) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
    let Some(preset) = known_preset(name) else {
        let description = format!(
            "no preset '{name}' to shape tokens like; the issuers here are http://localhost:{} and http://localhost:{}/like/PRESET with PRESET one of: {}",
            shared.port,
            shared.port,
            preset_names()
        );
        return Err(Response::json(
            404,
            &serde_json::json!({"error": "not_found", "error_description": description}),
        )
        .result(format!(
            "unknown preset '{}'",
            crate::untrusted::Untrusted(name)
        )));
    };
    Ok((
        Issuer {
            like: Some(preset),
            base: format!("{}{}", LIKE_PREFIX, preset.name),
            url: issuer(shared.port, Some(preset.name)),
        },
        endpoint,
    ))
}
