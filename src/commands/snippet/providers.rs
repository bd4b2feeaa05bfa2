//! Which providers a snippet is written for, and what the catalog knows about
//! each: the secrets file names them (the default one in `[auth]`, named ones
//! in `[auth.NAME]`) unless `--provider` does; the preset matched from the
//! provider's `server_metadata_url` says which claim holds groups, whether
//! there is a `picture`, and what logout does.

use std::path::PathBuf;

use serde::Serialize;

use crate::catalog::{self, Preset};
use crate::cli::SnippetArgs;
use crate::diagnosis::dev_provider::is_dev_entry;
use crate::error::{Error, Result};
use crate::streamlit::schema::{self, ProviderSlot};
use crate::streamlit::SecretsFile;

/// Where the provider list came from.
#[derive(Debug)]
pub enum Source {
    /// `--provider` flags.
    Flags,
    /// The providers configured in the secrets file.
    File,
    /// No secrets file: the default provider is assumed.
    NoFile(PathBuf),
    /// A secrets file without providers: the default provider is assumed.
    NoProviders(PathBuf),
}

#[derive(Debug)]
pub struct Resolved {
    pub providers: Vec<Provider>,
    pub source: Source,
    pub secrets_path: PathBuf,
    /// `--provider` names the secrets file does not configure.
    pub not_in_file: Vec<Provider>,
}

/// One provider as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct Provider {
    /// None for the default provider in `[auth]`.
    pub name: Option<String>,
    /// `auth` or `auth.NAME`.
    pub section: String,
    /// What `st.user.provider` holds after a login with it.
    pub user_provider: String,
    /// `st.login()` or `st.login("NAME")`.
    pub login_call: String,
    /// The product's name ("Google"), when known.
    pub title: Option<String>,
    /// The login button's label, unique among the providers.
    pub button: String,
    /// The matched catalog preset.
    pub preset: Option<&'static str>,
    /// The ID token claim that holds groups, when the preset says.
    pub groups_claim: Option<&'static str>,
    /// The ID token claim that holds app roles, when the preset says
    /// (dotted: nested, `realm_access.roles`).
    pub roles_claim: Option<&'static str>,
    /// Whether the groups claim holds object IDs rather than names (Microsoft).
    pub groups_are_ids: bool,
    /// Whether the ID token has `picture` (None: unknown).
    pub has_picture: Option<bool>,
    /// What `st.logout()` does at the provider: `provider` (ends its
    /// session), `local` (no logout endpoint), `broken` (Cognito) or `unknown`.
    pub logout: &'static str,
    /// Where the post-logout redirect URI is registered, for `provider`.
    pub logout_register: Option<&'static str>,
}

/// Presets whose `groups` claim holds object IDs (GUIDs), not group names;
/// their app roles arrive in `roles`.
const GROUPS_ARE_IDS: &[&str] = &["microsoft", "entra-external-id"];

pub fn resolve(args: &SnippetArgs) -> Result<Resolved> {
    let secrets_path = args
        .secrets_file
        .clone()
        .unwrap_or_else(|| crate::streamlit::app::secrets_file_in(&args.app_dir));
    let file = SecretsFile::load(&secrets_path)?;
    let in_file = |slot: &ProviderSlot| match slot {
        ProviderSlot::Default => file.has_default_provider(),
        ProviderSlot::Named(n) => file.named_providers().iter().any(|f| f == n),
    };

    let mut slots: Vec<ProviderSlot> = Vec::new();
    let source;
    if !args.providers.is_empty() {
        source = Source::Flags;
        for name in &args.providers {
            let slot = parse_slot(name)?;
            if !slots.contains(&slot) {
                slots.push(slot);
            }
        }
    } else {
        if file.has_default_provider() {
            slots.push(ProviderSlot::Default);
        }
        for name in file.named_providers() {
            // Streamlit refuses such names at st.login(); say so rather than write code that fails.
            slots.push(
                ProviderSlot::named(&name).map_err(|reason| Error::BadSecretsLayout {
                    path: secrets_path.clone(),
                    message: format!(
                        "[auth.{name}] cannot be used with st.login(\"{name}\"): {reason}"
                    ),
                })?,
            );
        }
        source = if !slots.is_empty() {
            Source::File
        } else if file.exists() {
            Source::NoProviders(secrets_path.clone())
        } else {
            Source::NoFile(secrets_path.clone())
        };
        if slots.is_empty() {
            slots.push(ProviderSlot::Default);
        }
    }

    let mut providers: Vec<Provider> = slots
        .iter()
        .map(|slot| {
            let url = file.provider_str(slot, schema::SERVER_METADATA_URL);
            let client_id = file.provider_str(slot, schema::CLIENT_ID);
            let on_dev = url.is_some_and(|u| is_dev_entry(u, client_id));
            // The dev provider imitates the preset its URL names
            // (`/like/<preset>`); its root issuer is a provider of its own.
            match url
                .filter(|_| on_dev)
                .and_then(|u| crate::dev_provider::points_at(u, None))
            {
                Some(None) => dev_provider_root(slot),
                Some(Some(like)) => provider(slot, catalog::preset(&like)),
                None => provider(
                    slot,
                    url.and_then(catalog::preset_for_metadata_url)
                        .filter(|p| p.name != "generic"),
                ),
            }
        })
        .collect();
    make_buttons_unique(&mut providers);

    let not_in_file = match source {
        Source::Flags if file.exists() => slots
            .iter()
            .zip(&providers)
            .filter(|(slot, _)| !in_file(slot))
            .map(|(_, p)| p.clone())
            .collect(),
        _ => Vec::new(),
    };
    Ok(Resolved {
        providers,
        source,
        secrets_path,
        not_in_file,
    })
}

fn parse_slot(name: &str) -> Result<ProviderSlot> {
    if name == "default" {
        return Ok(ProviderSlot::Default);
    }
    ProviderSlot::named(name).map_err(|reason| Error::InvalidValue {
        what: "--provider".into(),
        value: name.into(),
        reason: format!("{reason} (use `default` for the provider in [auth])"),
    })
}

fn provider(slot: &ProviderSlot, preset: Option<&'static Preset>) -> Provider {
    let title = preset
        .map(short_title)
        .or_else(|| slot.name().map(capitalised));
    let button = match &title {
        Some(t) => format!("Log in with {t}"),
        None => "Log in".to_string(),
    };
    let logout = match preset {
        None => "unknown",
        Some(p) if p.name == "cognito" => "broken",
        Some(p) if p.register_logout.is_none() => "local",
        Some(_) => "provider",
    };
    Provider {
        name: slot.name().map(str::to_string),
        section: slot.section(),
        user_provider: slot.streamlit_provider_value().to_string(),
        login_call: slot.login_call(),
        title,
        button,
        preset: preset.map(|p| p.name),
        groups_claim: preset.and_then(|p| p.groups_claim),
        roles_claim: preset.and_then(|p| p.roles_claim),
        groups_are_ids: preset.is_some_and(|p| GROUPS_ARE_IDS.contains(&p.name)),
        has_picture: preset.and_then(|p| p.has_picture),
        logout,
        logout_register: preset.and_then(|p| p.register_logout),
    }
}

/// The dev provider's root issuer (`stauth dev-provider` without `--like`
/// shaping): groups in `groups`, roles in `roles`, a picture, and a logout
/// that ends its session.
fn dev_provider_root(slot: &ProviderSlot) -> Provider {
    let title = "stauth dev provider".to_string();
    Provider {
        button: format!("Log in with {title}"),
        title: Some(title),
        preset: Some("dev"),
        groups_claim: Some("groups"),
        roles_claim: Some("roles"),
        groups_are_ids: false,
        has_picture: Some(true),
        logout: "provider",
        logout_register: Some(
            "the dev provider, which registers the redirect_uri in the app's secrets itself (nothing to do)",
        ),
        ..provider(slot, None)
    }
}

/// "Microsoft Entra ID (single tenant)" → "Microsoft Entra ID".
fn short_title(preset: &Preset) -> String {
    preset
        .title
        .split(" (")
        .next()
        .unwrap_or(preset.title)
        .to_string()
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Two providers of the same kind (two Keycloak realms) would get the same
/// label; the provider's name tells them apart.
fn make_buttons_unique(providers: &mut [Provider]) {
    let labels: Vec<String> = providers.iter().map(|p| p.button.clone()).collect();
    for p in providers.iter_mut() {
        if labels.iter().filter(|l| **l == p.button).count() > 1 {
            let name = p.name.as_deref().unwrap_or("default");
            p.button = format!("{} ({name})", p.button);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let google = catalog::preset("google");
        let p = provider(&ProviderSlot::Default, google);
        assert_eq!(p.button, "Log in with Google");
        assert_eq!(p.logout, "local");
        let p = provider(&ProviderSlot::Default, None);
        assert_eq!(p.button, "Log in");
        assert_eq!(p.logout, "unknown");
        let ms = provider(
            &ProviderSlot::named("entra").unwrap(),
            catalog::preset("microsoft"),
        );
        assert_eq!(ms.button, "Log in with Microsoft Entra ID");
        assert!(ms.groups_are_ids);
        let mut two = vec![
            provider(
                &ProviderSlot::named("staff").unwrap(),
                catalog::preset("keycloak"),
            ),
            provider(
                &ProviderSlot::named("partners").unwrap(),
                catalog::preset("keycloak"),
            ),
            provider(&ProviderSlot::named("my-idp").unwrap(), None),
        ];
        make_buttons_unique(&mut two);
        let dev = dev_provider_root(&ProviderSlot::Default);
        assert_eq!(dev.groups_claim, Some("groups"));
        assert_eq!(dev.logout, "provider");
        assert_eq!(two[0].button, "Log in with Keycloak (staff)");
        assert_eq!(two[1].button, "Log in with Keycloak (partners)");
        assert_eq!(two[2].button, "Log in with My-idp");
    }
}
