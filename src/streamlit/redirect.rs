//! `redirect_uri` as Streamlit uses it: the callback route, the cookie origin,
//! and the `{port}` placeholder.

use url::Url;

use super::app_config::ServerSettings;
use super::schema::{CALLBACK_PATH, PORT_PLACEHOLDER};
use crate::finding::Finding;
use crate::oidc::url_policy::is_loopback_host;
use crate::untrusted::escape;

/// Parses a redirect URI, accepting Streamlit's literal `{port}` placeholder.
pub fn parse_redirect_uri(uri: &str, port: u16) -> Result<Url, String> {
    let concrete = uri.replace(PORT_PLACEHOLDER, &port.to_string());
    let url = Url::parse(&concrete).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme must be http or https, not '{}'",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    if url.fragment().is_some() {
        return Err("a redirect URI cannot have a #fragment".into());
    }
    Ok(url)
}

/// What Streamlit will make of this redirect URI for an app configured with
/// `server`. Returns warnings and notes; hard errors come from
/// [`parse_redirect_uri`].
pub fn check_redirect_uri(uri: &str, server: &ServerSettings) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Ok(url) = parse_redirect_uri(uri, server.port) else {
        return findings;
    };
    let host = url.host_str().unwrap_or_default().to_string();
    let loopback = is_loopback_host(&host);
    if !url.path().ends_with(CALLBACK_PATH) {
        findings.push(
            Finding::warning(
                "redirect.path",
                format!("redirect_uri does not end with {CALLBACK_PATH}"),
            )
            .why("Streamlit receives the login only at <app URL>/oauth2callback, and without that ending st.logout() stays local.")
            .fix(format!("use {}", escape(&server.local_redirect_uri()))),
        );
    } else if loopback && url.path() != server.callback_path() {
        findings.push(
            Finding::warning(
                "redirect.base_path",
                // server.baseUrlPath comes from config.toml as written.
                format!(
                    "redirect_uri path {} does not match server.baseUrlPath (Streamlit serves the callback at {})",
                    escape(url.path()),
                    escape(&server.callback_path())
                ),
            )
            .fix(format!("use {}", escape(&server.local_redirect_uri()))),
        );
    }
    if url.scheme() == "http" && !loopback {
        findings.push(
            Finding::warning(
                "redirect.http",
                format!("redirect_uri uses plain http on {host}"),
            )
            .why("Providers accept http only for localhost, and the login cookie would travel unencrypted.")
            .fix("serve the deployed app over https and use https:// in redirect_uri"),
        );
    }
    let port_differs = loopback
        && !uri.contains(PORT_PLACEHOLDER)
        && url.port_or_known_default() != Some(server.port);
    if port_differs {
        findings.push(
            Finding::warning(
                "redirect.port",
                format!(
                    "redirect_uri uses port {} but the app runs on port {} ({})",
                    url.port_or_known_default().unwrap_or_default(),
                    server.port,
                    server.port_source
                ),
            )
            .why("The provider sends the browser back to the redirect_uri's port; nothing is listening there.")
            .fix(format!("use {}", escape(&server.local_redirect_uri()))),
        );
    }
    if loopback && !port_differs {
        findings.push(Finding::info(
            "redirect.origin",
            format!(
                "open the app at {}://{}:{}/ exactly (localhost and 127.0.0.1 are different origins for the login cookie)",
                url.scheme(),
                url.host_str().unwrap_or_default(),
                url.port_or_known_default().unwrap_or_default()
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> ServerSettings {
        ServerSettings {
            port: 8501,
            base_url_path: String::new(),
            port_source: "default".into(),
            secrets_files: None,
            use_starlette: None,
            trusted_user_headers: None,
            config_files: Vec::new(),
        }
    }

    fn ids(uri: &str) -> Vec<&'static str> {
        check_redirect_uri(uri, &server())
            .iter()
            .map(|f| f.id)
            .collect()
    }

    #[test]
    fn parses_placeholder() {
        assert!(parse_redirect_uri("http://localhost:{port}/oauth2callback", 8501).is_ok());
        assert!(parse_redirect_uri("localhost:8501", 8501).is_err());
        assert!(parse_redirect_uri("ftp://x/oauth2callback", 8501).is_err());
    }

    #[test]
    fn findings() {
        assert_eq!(
            ids("http://localhost:8501/oauth2callback"),
            vec!["redirect.origin"]
        );
        assert_eq!(
            ids("http://localhost:{port}/oauth2callback"),
            vec!["redirect.origin"]
        );
        assert!(ids("http://localhost:8502/oauth2callback").contains(&"redirect.port"));
        assert!(ids("http://localhost:8501/callback").contains(&"redirect.path"));
        assert_eq!(
            ids("http://app.example.com/oauth2callback"),
            vec!["redirect.http"]
        );
        assert!(ids("https://app.example.com/oauth2callback").is_empty());
    }
}
