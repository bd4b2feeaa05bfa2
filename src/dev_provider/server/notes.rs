//! Where a request differs from what the app's Streamlit would send, and
//! why it matters: best effort, never an error.

use super::http::Params;
use super::{discovery, Issuer, Shared};
use crate::dev_provider::clients::Client;
use crate::oidc::Discovery;
use crate::streamlit::auth_config::LoginConfig;
use crate::streamlit::login_request::{self, LoginRequest};

/// Notes on an authorization request.
pub(super) fn authorize(
    shared: &Shared,
    issuer: &Issuer,
    client: &Client,
    params: &Params,
) -> Vec<String> {
    let Some((login, expected, release)) = expected_request(shared, issuer, client) else {
        return Vec::new();
    };
    let sent: Vec<(String, String)> = url::Url::parse(&expected.authorization_url)
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();
    let sends = |name: &str| {
        sent.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let from_kwargs = |key: &str| {
        if login.kwarg(key).is_some() {
            format!("(client_kwargs {key})")
        } else {
            format!("(client_kwargs has no {key})")
        }
    };
    let not_this_app = "it was not sent by this app's st.login";
    let mut notes = Vec::new();
    let mut compare = |name: &str, why: &str| {
        let (want, got) = (sends(name), params.get(name));
        if want != got {
            let shown =
                |v: Option<&str>| v.map_or_else(|| format!("no {name}"), |v| format!("{name}={v}"));
            notes.push(format!(
                "{release} sends {} {why}; this request has {}: {not_this_app}",
                shown(want),
                shown(got)
            ));
        }
    };
    compare("response_type", &from_kwargs("response_type"));
    compare("scope", &from_kwargs("scope"));
    compare("prompt", &from_kwargs("prompt"));
    compare("redirect_uri", "(the app's [auth] redirect_uri)");
    compare(
        "code_challenge_method",
        "(PKCE follows the release and the provider's code_challenge_methods_supported)",
    );
    notes
}

/// A note when the client authenticates otherwise than Streamlit would.
pub(super) fn token_auth(
    shared: &Shared,
    issuer: &Issuer,
    client: &Client,
    method: &str,
) -> Option<String> {
    let (_, expected, release) = expected_request(shared, issuer, client)?;
    let want = expected.token_auth.name();
    (want != method).then(|| {
        format!(
            "{release} authenticates with {want} (client_kwargs token_endpoint_auth_method); this request used {method}: it was not sent by this app's Streamlit"
        )
    })
}

/// What the app's release would send to this issuer.
fn expected_request<'a>(
    shared: &Shared,
    issuer: &Issuer,
    client: &'a Client,
) -> Option<(&'a LoginConfig, LoginRequest, String)> {
    let release = shared.release()?;
    let login = client.login.as_ref()?;
    let document = discovery::document(shared, issuer);
    let discovery = Discovery::from_document(
        &issuer.endpoint("/.well-known/openid-configuration"),
        document,
    )
    .ok()?;
    let expected = login_request::build(login, &discovery, &release, &login.redirect_uri).ok()?;
    Some((login, expected, release.describe()))
}
