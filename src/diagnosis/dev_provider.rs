//! Providers that point at stauth's dev provider: fine on this machine, a
//! deployment mistake anywhere else.

use serde_json::{Map, Value};

use super::{push, Area, Diagnosis, EffectiveAuth};
use crate::dev_provider;
use crate::finding::Finding;
use crate::streamlit::schema::{CLIENT_ID, CLIENT_KWARGS, REDIRECT_URI, SERVER_METADATA_URL};

/// `[auth]` and each `[auth.NAME]` with a `server_metadata_url`, labelled.
pub(super) fn sections(auth: &Map<String, Value>) -> Vec<(String, &Map<String, Value>)> {
    let mut providers: Vec<(String, &Map<String, Value>)> = Vec::new();
    if auth.contains_key(SERVER_METADATA_URL) {
        providers.push(("[auth]".into(), auth));
    }
    for (name, v) in auth {
        if let (Value::Object(section), true) = (v, name != CLIENT_KWARGS) {
            providers.push((format!("[auth.{name}]"), section));
        }
    }
    providers
}

/// The sections on the dev provider, with their discovery URL.
fn on_dev_provider(auth: &Map<String, Value>) -> Vec<(String, String)> {
    sections(auth)
        .into_iter()
        .filter_map(|(label, section)| {
            let url = section.get(SERVER_METADATA_URL)?.as_str()?;
            let client_id = section.get(CLIENT_ID).and_then(Value::as_str);
            is_dev_entry(url, client_id).then(|| (label, url.to_string()))
        })
        .collect()
}

/// A warning for each provider on the dev provider when the app's
/// `redirect_uri` is not on this machine: the deployed app would send its
/// users to a localhost that is theirs, not the app's.
pub fn check(e: &EffectiveAuth, out: &mut Vec<Diagnosis>) {
    let on_dev = on_dev_provider(&e.auth);
    if on_dev.is_empty() {
        return;
    }
    let redirect = e.auth.get(REDIRECT_URI).and_then(Value::as_str);
    let local = redirect.is_none_or(is_local_url);
    for (label, url) in on_dev {
        let finding = if local {
            Finding::info(
                "dev_provider.local",
                format!("{label} uses stauth's dev provider ({url}): for this machine only"),
            )
            .fix("stauth dev-provider starts it (or: stauth dev-provider -- streamlit run app.py)")
        } else {
            Finding::warning(
                "dev_provider.deployed",
                format!(
                    "{label} uses stauth's dev provider ({url}), but redirect_uri {} is not on this machine",
                    redirect.unwrap_or_default()
                ),
            )
            .why("The dev provider runs on localhost for development: a deployed app sends its users' browsers to their own localhost, where no provider runs, so nobody can log in.")
            .fix("Point the deployed app at a real provider: stauth init --provider PRESET --force (stauth providers lists them)")
        };
        push(out, Area::Redirect, finding);
    }
}

/// Whether a provider entry is on stauth's dev provider. Any provider on
/// loopback has a discovery URL of the dev provider's form, so it also takes
/// one of its marks: a `/like/` issuer, the default port, or a client ID
/// that `stauth init --provider dev` made.
pub fn is_dev_entry(url: &str, client_id: Option<&str>) -> bool {
    let Some(like) = dev_provider::points_at(url, None) else {
        return false;
    };
    like.is_some()
        || dev_provider::points_at(url, Some(dev_provider::DEFAULT_PORT)).is_some()
        || client_id.is_some_and(|id| id.starts_with(DEV_CLIENT_PREFIX))
}

/// The start of the client IDs `stauth init --provider dev` makes.
pub const DEV_CLIENT_PREFIX: &str = "stauth-dev-";

/// A redirect URI on localhost, 127.0.0.1 or [::1].
fn is_local_url(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri.trim()) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_urls() {
        assert!(is_local_url("http://localhost:8501/oauth2callback"));
        assert!(is_local_url("http://127.0.0.1:8501/oauth2callback"));
        assert!(is_local_url("http://[::1]:8501/oauth2callback"));
        assert!(!is_local_url("https://app.example.com/oauth2callback"));
        assert!(!is_local_url("not a url"));
    }

    #[test]
    fn dev_entries_carry_a_mark() {
        let root = |port: u16| format!("http://localhost:{port}/.well-known/openid-configuration");
        assert!(is_dev_entry(&root(9400), None));
        assert!(!is_dev_entry(&root(3000), Some("my-app")));
        assert!(is_dev_entry(&root(3000), Some("stauth-dev-0123456789ab")));
        assert!(is_dev_entry(
            "http://127.0.0.1:3000/like/okta/.well-known/openid-configuration",
            None
        ));
        assert!(!is_dev_entry(
            "https://accounts.google.com/.well-known/openid-configuration",
            Some("stauth-dev-x")
        ));
    }
}
