//! `{issuer}/logout` (RP-initiated logout): ends the provider session and
//! returns only to a registered `post_logout_redirect_uri`.

use serde_json::Value;

use super::http::Request;
use super::http::Response;
use super::{error_page, page_csp, with_query, ClientLookup, Issuer, Shared};
use crate::dev_provider::clients::Client;
use crate::dev_provider::log::RequestLog;
use crate::oidc::id_token;

pub(super) fn logout(
    shared: &Shared,
    issuer: &Issuer,
    request: &Request,
    event: &mut RequestLog,
) -> Response {
    let params = request.params();
    let return_to = params.non_empty("post_logout_redirect_uri");
    event.asked = format!(
        "logout post_logout_redirect_uri={} id_token_hint={}",
        return_to.unwrap_or("(none)"),
        if params.non_empty("id_token_hint").is_some() {
            "yes"
        } else {
            "no"
        }
    );
    let hinted = match params.non_empty("id_token_hint") {
        None => None,
        Some(hint) => match audience_of_hint(shared, issuer, hint) {
            Ok(aud) => Some(aud),
            Err(why) => {
                return error_page(
                    400,
                    "The id_token_hint is not valid",
                    &format!(
                    "The ID token sent as id_token_hint was not issued by this provider: {why}."
                ),
                    vec![("issuer".into(), issuer.url.clone())],
                )
            }
        },
    };
    let named = params.non_empty("client_id");
    if let (Some(named), Some(hinted)) = (named, &hinted) {
        if named != hinted {
            return error_page(
                400,
                "client_id and id_token_hint disagree",
                "The id_token_hint was issued to another client than client_id names.",
                vec![
                    ("client_id".into(), named.to_string()),
                    ("id_token_hint aud".into(), hinted.clone()),
                ],
            );
        }
    }
    let client_id = named.map(str::to_string).or(hinted);
    let client: Option<Box<Client>> = match client_id
        .as_deref()
        .map(|id| (id, shared.client(issuer, id)))
    {
        None => None,
        Some((_, ClientLookup::Found(client))) => Some(client),
        Some((id, _)) => {
            return error_page(
                400,
                "Unknown client",
                "The logout request names a client that is not registered at this issuer.",
                vec![
                    ("client_id".into(), id.to_string()),
                    ("issuer".into(), issuer.url.clone()),
                ],
            )
        }
    };
    let client = client.as_deref();
    if let Some(client) = client {
        event.client = Some(client.describe());
    }
    if let Some(uri) = return_to {
        let registered =
            client.is_some_and(|c| c.post_logout_redirect_uris.iter().any(|r| r == uri));
        if !registered {
            let mut details = vec![("post_logout_redirect_uri".to_string(), uri.to_string())];
            match client {
                Some(c) => {
                    details.push(("registered".into(), c.post_logout_redirect_uris.join(", ")))
                }
                None => details.push((
                    "client".into(),
                    "(none: send client_id or id_token_hint)".into(),
                )),
            }
            return error_page(
                400,
                "post_logout_redirect_uri is not registered",
                "Logout may only return to a registered address: the client's redirect_uri or the app root. The provider does not redirect anywhere else.",
                details,
            );
        }
    }
    let ended = end_session(shared, issuer, request);
    let clear = issuer.session_cookies("");
    let result = match &ended {
        Some(sub) => format!("session of {sub} ended"),
        None => "no session to end".into(),
    };
    match return_to {
        Some(uri) => {
            let mut query = Vec::new();
            if let Some(state) = params.get("state") {
                query.push(("state", state));
            }
            let location = if query.is_empty() {
                uri.to_string()
            } else {
                with_query(uri, &query)
            };
            Response::redirect(&location).cookies(clear).result(result)
        }
        None => {
            let notice = crate::pages::Notice {
                title: "Logged out".into(),
                message: match &ended {
                    Some(sub) => format!("{sub} is logged out of the dev provider. The next login shows the login page again."),
                    None => "There was no session at the dev provider; nothing to end.".into(),
                },
                details: vec![("issuer".into(), issuer.url.clone())],
            };
            Response::html(
                200,
                crate::pages::dev_logged_out(&notice, None),
                &page_csp("'none'"),
            )
            .cookies(clear)
            .result(result)
        }
    }
}

/// The `aud` of an ID token this issuer signed (expired is fine: that is
/// the usual case at logout).
fn audience_of_hint(shared: &Shared, issuer: &Issuer, hint: &str) -> Result<String, String> {
    let jwt = id_token::parse(hint).map_err(|e| e.to_string())?;
    let jwks = shared.options.keys.jwks();
    // Every published key's algorithm: a token from before a rotation to
    // another algorithm is still ours.
    let mut algs: Vec<&str> = jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k.get("alg").and_then(Value::as_str))
        .collect();
    algs.push(shared.options.keys.algorithm().name());
    id_token::verify_with_jwks(&jwt, &jwks, &algs).map_err(|e| e.to_string())?;
    let iss = jwt
        .claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if iss != issuer.url {
        return Err(format!("its iss is '{iss}', not {}", issuer.url));
    }
    match jwt.claims.get("aud") {
        Some(Value::String(aud)) => Ok(aud.clone()),
        Some(Value::Array(auds)) => auds
            .first()
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| "it has no aud".to_string()),
        _ => Err("it has no aud".into()),
    }
}

/// Forgets the browser's session at this issuer; the user it was for.
fn end_session(shared: &Shared, issuer: &Issuer, request: &Request) -> Option<String> {
    let id = request.cookie(&issuer.session_cookie())?;
    let mut store = shared.store();
    let session = store
        .sessions
        .get(id)
        .filter(|s| s.base == issuer.base)?
        .clone();
    store.sessions.remove(id);
    Some(session.user.sub)
}
