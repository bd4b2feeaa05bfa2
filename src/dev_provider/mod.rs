//! stauth's built-in OpenID Connect provider for development: serves
//! discovery, JWKS, an HTML login page, token, userinfo and logout on
//! loopback, for the clients the app's own secrets name, with users from a
//! file (or samples) and tokens shaped like a catalog provider's.
//!
//! - `keys`: signing keys on disk (0600), rotation, JWKS, signing.
//! - `users`: the users file (`.streamlit/dev-users.toml`) and the samples.
//! - `shape`: a user's claims as a catalog provider would put them in the
//!   ID token and userinfo (`--like`).
//! - `clients`: the app's `[auth]` entries that point at this provider.
//! - `server`: the HTTP endpoints, sessions, codes and their strict rules.
//! - `log`: one event per request, for the command to print.
//!
//! Nothing here prints: the command reads [`server::Running`]'s events.

pub mod clients;
pub mod keys;
pub mod log;
pub mod server;
pub mod shape;
pub mod users;

/// The fixed default port, so an app's secrets stay valid across restarts.
pub const DEFAULT_PORT: u16 = 9400;

/// Path prefix of a shaped issuer: `http://localhost:PORT/like/<preset>`.
pub const LIKE_PREFIX: &str = "/like/";

/// The issuer for `port` and an optional `--like` preset path.
pub fn issuer(port: u16, like: Option<&str>) -> String {
    match like {
        Some(preset) => format!("http://localhost:{port}{LIKE_PREFIX}{preset}"),
        None => format!("http://localhost:{port}"),
    }
}

/// The discovery URL (`server_metadata_url`) for `port` and a preset path.
pub fn metadata_url(port: u16, like: Option<&str>) -> String {
    format!("{}/.well-known/openid-configuration", issuer(port, like))
}

/// Whether `server_metadata_url` points at a dev provider on `port`
/// (`None`: any port), and which preset path it asks for: `Some(None)` for
/// the root issuer, `Some(Some(preset))` for `/like/<preset>`.
pub fn points_at(server_metadata_url: &str, port: Option<u16>) -> Option<Option<String>> {
    let url = url::Url::parse(server_metadata_url.trim()).ok()?;
    if url.scheme() != "http" {
        return None;
    }
    let loopback = match url.host()? {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(a) => a.is_loopback(),
        url::Host::Ipv6(a) => a.is_loopback(),
    };
    if !loopback || port.is_some_and(|p| url.port_or_known_default() != Some(p)) {
        return None;
    }
    let path = url
        .path()
        .strip_suffix("/.well-known/openid-configuration")?;
    if path.is_empty() {
        return Some(None);
    }
    let preset = path.strip_prefix(LIKE_PREFIX)?;
    (!preset.is_empty() && !preset.contains('/')).then(|| Some(preset.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_round_trip() {
        assert_eq!(
            metadata_url(9400, None),
            "http://localhost:9400/.well-known/openid-configuration"
        );
        assert_eq!(points_at(&metadata_url(9400, None), Some(9400)), Some(None));
        assert_eq!(
            points_at(&metadata_url(9400, Some("microsoft")), None),
            Some(Some("microsoft".into()))
        );
        assert_eq!(points_at(&metadata_url(9400, None), Some(9401)), None);
        assert_eq!(
            points_at(
                "https://localhost:9400/.well-known/openid-configuration",
                None
            ),
            None
        );
        assert_eq!(
            points_at(
                "http://example.com:9400/.well-known/openid-configuration",
                None
            ),
            None
        );
        assert_eq!(
            points_at(
                "http://127.0.0.1:9400/other/.well-known/openid-configuration",
                None
            ),
            None
        );
    }
}
