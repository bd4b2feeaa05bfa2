//! The provider's clients are the app's own: each `[auth]` / `[auth.NAME]`
//! whose `server_metadata_url` points at this provider, with its client ID,
//! secret and redirect URI. Nothing is registered twice.

use std::path::Path;

use crate::catalog::{Preset, PRESETS};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::streamlit::auth_config::{merged_secrets, LoginConfig};
use crate::streamlit::schema::{ProviderSlot, CALLBACK_PATH, SERVER_METADATA_URL};
use crate::streamlit::AppContext;
use crate::untrusted::Untrusted;

#[derive(Debug, Clone)]
pub struct Client {
    /// `[auth]` or `[auth.NAME]`, for the log.
    pub section: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// The one redirect URI (`{port}` filled in as the app's config says).
    pub redirect_uri: String,
    /// Where logout may return: the redirect URI (1.53+) and the app root
    /// (1.48.0: the redirect URI without `oauth2callback`).
    pub post_logout_redirect_uris: Vec<String>,
    /// The preset path its `server_metadata_url` asks for (`/like/<preset>`).
    pub like: Option<&'static Preset>,
    /// The app's login configuration, to compare what a request asks with
    /// what Streamlit would send (None: a client made by hand).
    pub login: Option<LoginConfig>,
}

impl Client {
    /// A client from the app's login configuration for `slot`.
    pub fn from_login(config: LoginConfig, like: Option<&'static Preset>) -> Client {
        let redirect_uri = config.redirect_uri.clone();
        Client {
            section: format!("[{}]", config.slot.section()),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            post_logout_redirect_uris: post_logout_uris(&redirect_uri),
            redirect_uri,
            like,
            login: Some(config),
        }
    }

    /// `[auth.NAME] (client ID)`, for pages and the log.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.section, self.client_id)
    }
}

/// The redirect URI, and the app root that 1.48.0 sends instead.
pub fn post_logout_uris(redirect_uri: &str) -> Vec<String> {
    let mut uris = vec![redirect_uri.to_string()];
    if let Some(root) = redirect_uri.strip_suffix(&CALLBACK_PATH[1..]) {
        uris.push(root.to_string());
    }
    uris
}

/// Every `[auth]` / `[auth.NAME]` of the app whose `server_metadata_url`
/// points at a dev provider on `port`, read the way every command reads the
/// app's login configuration (keychain fallback and `{port}` included).
pub fn from_app(app: &AppContext, port: u16) -> Result<Vec<Client>> {
    let merged = merged_secrets(
        &app.secrets_files(),
        app.fallback(),
        Path::new("secrets.toml"),
    )?;
    let mut clients = Vec::new();
    for slot in merged.file.provider_slots() {
        let Some(url) = merged.file.provider_str(&slot, SERVER_METADATA_URL) else {
            continue;
        };
        let Some(like_path) = super::points_at(url, Some(port)) else {
            continue;
        };
        let like = match like_path {
            None => None,
            Some(name) => Some(known_preset(&name).ok_or_else(|| unknown_like(&slot, &name))?),
        };
        let name = match &slot {
            ProviderSlot::Default => None,
            ProviderSlot::Named(n) => Some(n.as_str()),
        };
        clients.push(Client::from_login(app.login_config(name)?, like));
    }
    Ok(clients)
}

/// The preset a `/like/<name>` path names, spelled exactly as the catalog does.
pub fn known_preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// The catalog's preset names, for messages.
pub fn preset_names() -> String {
    PRESETS
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn unknown_like(slot: &ProviderSlot, name: &str) -> Error {
    Error::Input {
        message: format!(
            "[{}] points at the dev provider's /like/{} issuer, but there is no preset '{}' (known: {})",
            slot.section(),
            Untrusted(name),
            Untrusted(name),
            preset_names()
        ),
        hint: format!(
            "change server_metadata_url in [{}] to http://localhost:PORT/like/PRESET/.well-known/openid-configuration with a preset from `stauth providers`",
            slot.section()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logout_may_return_to_the_callback_or_the_app_root() {
        assert_eq!(
            post_logout_uris("http://localhost:8501/oauth2callback"),
            vec![
                "http://localhost:8501/oauth2callback".to_string(),
                "http://localhost:8501/".to_string()
            ]
        );
        assert_eq!(
            post_logout_uris("http://localhost:8501/cb"),
            vec!["http://localhost:8501/cb".to_string()]
        );
    }

    #[test]
    fn like_paths_use_the_catalog_spelling() {
        assert!(known_preset("microsoft").is_some());
        assert!(known_preset("Microsoft").is_none());
        assert!(preset_names().contains("keycloak"));
    }
}
