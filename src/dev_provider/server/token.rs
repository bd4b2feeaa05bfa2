//! `{issuer}/token`: client authentication, the authorization code grant
//! (single use, short-lived, PKCE) and refresh token rotation.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::http::{self, Params, Request, Response};
use super::store::{self, Grant, Pkce};
use super::{notes, ClientLookup, Issuer, Shared};
use crate::dev_provider::clients::Client;
use crate::dev_provider::log::RequestLog;
use crate::dev_provider::shape;

pub(super) fn token(
    shared: &Shared,
    issuer: &Issuer,
    request: &Request,
    event: &mut RequestLog,
) -> Response {
    let form = request.form();
    let grant_type = form.get("grant_type").unwrap_or_default();
    event.asked = format!(
        "token grant={}",
        if grant_type.is_empty() {
            "(none)"
        } else {
            grant_type
        }
    );
    let (client, method) = match authenticate(shared, issuer, request, &form) {
        Ok(found) => found,
        Err(response) => return response,
    };
    event.client = Some(client.describe());
    event.asked.push_str(&format!(" auth={method}"));
    if let Some(note) = notes::token_auth(shared, issuer, &client, method) {
        event.streamlit_notes.push(note);
    }
    if let Some(name) = form.repeated() {
        return invalid(
            "invalid_request",
            &format!("parameter '{name}' is given more than once"),
        );
    }
    let issued = match grant_type {
        "authorization_code" => code_grant(shared, &client, &form),
        "refresh_token" => refresh_grant(shared, issuer, &client, &form),
        "" => Err(invalid("invalid_request", "grant_type is missing")),
        _ => Err(invalid(
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        )),
    };
    match issued {
        Ok(Issue { grant, nonce }) => {
            event.asked.push_str(&format!(" user={}", grant.user.sub));
            tokens(shared, issuer, &grant, nonce.as_deref())
        }
        Err(response) => response,
    }
}

/// What a grant gives tokens for.
struct Issue {
    grant: Grant,
    nonce: Option<String>,
}

fn invalid(error: &str, description: &str) -> Response {
    Response::oauth_error(400, error, description)
}

/// The client and how it authenticated, or `401 invalid_client`.
fn authenticate(
    shared: &Shared,
    issuer: &Issuer,
    request: &Request,
    form: &Params,
) -> Result<(Box<Client>, &'static str), Response> {
    let basic = request.header("authorization").map(http::basic_credentials);
    let refuse = |description: &str, basic_used: bool| {
        let response = Response::oauth_error(401, "invalid_client", description);
        if basic_used {
            response.header("WWW-Authenticate", "Basic realm=\"stauth dev provider\"")
        } else {
            response
        }
    };
    let (client_id, secret, method) = match (basic, form.get("client_secret")) {
        (Some(None), _) => {
            return Err(refuse(
                "the Authorization header is not valid Basic credentials",
                true,
            ))
        }
        (Some(Some(_)), Some(_)) => {
            return Err(refuse(
                "use one client authentication method, not Basic and client_secret both",
                true,
            ))
        }
        (Some(Some((id, secret))), None) => {
            if form.get("client_id").is_some_and(|c| c != id) {
                return Err(refuse(
                    "client_id in the body differs from the Basic credentials",
                    true,
                ));
            }
            (id, Some(secret), "client_secret_basic")
        }
        (None, Some(secret)) => (
            form.get("client_id").unwrap_or_default().to_string(),
            Some(secret.to_string()),
            "client_secret_post",
        ),
        (None, None) => (
            form.get("client_id").unwrap_or_default().to_string(),
            None,
            "none",
        ),
    };
    let basic_used = method == "client_secret_basic";
    if client_id.is_empty() {
        return Err(refuse(
            "no client authentication (send client_secret_basic or client_secret_post)",
            true,
        ));
    }
    let client = match shared.client(issuer, &client_id) {
        ClientLookup::Found(client) => client,
        ClientLookup::OtherIssuer(other) => {
            return Err(refuse(
                &format!("client '{client_id}' belongs to issuer {other}"),
                basic_used,
            ))
        }
        ClientLookup::Unknown => {
            return Err(refuse(
                &format!(
                    "unknown client '{client_id}': no [auth] entry with it points at this provider"
                ),
                basic_used,
            ))
        }
    };
    let expected = client.client_secret.expose();
    match secret {
        None if expected.is_empty() => return Ok((client, "none")),
        None => {
            return Err(refuse(
                "the client sent no secret (send client_secret_basic or client_secret_post)",
                true,
            ))
        }
        Some(given) => {
            // Digests first: equal lengths, so the comparison says nothing about the length.
            let same = Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes()));
            if !bool::from(same) {
                return Err(refuse("wrong client secret", basic_used));
            }
        }
    }
    if let Some(allowed) = shape::token_auth_methods(issuer.like) {
        if !allowed.contains(&method) {
            let like = issuer.like.map_or("this provider", |p| p.title);
            return Err(refuse(
                &format!(
                    "{like} accepts only {} at the token endpoint",
                    allowed.join(", ")
                ),
                basic_used,
            ));
        }
    }
    Ok((client, method))
}

fn code_grant(shared: &Shared, client: &Client, form: &Params) -> Result<Issue, Response> {
    let Some(code) = form.non_empty("code") else {
        return Err(invalid("invalid_request", "code is missing"));
    };
    let mut guard = shared.store();
    let store = &mut *guard;
    if store.codes.expired(code) {
        store.codes.remove(code);
        return Err(invalid(
            "invalid_grant",
            "the authorization code has expired",
        ));
    }
    let Some(entry) = store.codes.get_mut(code) else {
        return Err(invalid("invalid_grant", "unknown authorization code"));
    };
    if entry.used {
        // RFC 6749 4.1.2: a code used twice revokes what it gave, and
        // what the refresh tokens it gave gave in turn.
        entry.replayed = true;
        store.access.retain(|g| g.family != code);
        store.refresh.retain(|g| g.family != code);
        return Err(invalid(
            "invalid_grant",
            "the authorization code was already used (the tokens it gave are revoked)",
        ));
    }
    if entry.grant.client_id != client.client_id {
        return Err(invalid(
            "invalid_grant",
            "the authorization code was issued to another client",
        ));
    }
    let authorization = entry.authorization.clone();
    match form.get("redirect_uri") {
        Some(uri) if uri == authorization.redirect_uri => {}
        Some(_) => {
            return Err(invalid(
                "invalid_grant",
                "redirect_uri differs from the authorization request's",
            ))
        }
        None => {
            return Err(invalid(
                "invalid_request",
                "redirect_uri is missing (the authorization request had one)",
            ))
        }
    }
    let verifier = form.get("code_verifier");
    match (&authorization.pkce, verifier) {
        (None, None) => {}
        (None, Some(_)) => {
            return Err(invalid(
                "invalid_grant",
                "code_verifier sent, but the authorization request had no code_challenge",
            ))
        }
        (Some(_), None) => {
            return Err(invalid(
                "invalid_grant",
                "code_verifier is missing (the authorization request had a code_challenge)",
            ))
        }
        (Some(pkce), Some(verifier)) => {
            if !verifier_matches(pkce, verifier) {
                // One guess per code: a wrong verifier spends it.
                store.codes.remove(code);
                return Err(invalid(
                    "invalid_grant",
                    "code_verifier does not match the code_challenge",
                ));
            }
        }
    }
    entry.used = true;
    Ok(Issue {
        grant: entry.grant.clone(),
        nonce: authorization.nonce,
    })
}

fn verifier_matches(pkce: &Pkce, verifier: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    let (expected, computed) = match pkce {
        Pkce::S256(challenge) => (
            challenge,
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        ),
        Pkce::Plain(challenge) => (challenge, verifier.to_string()),
    };
    well_formed && bool::from(expected.as_bytes().ct_eq(computed.as_bytes()))
}

fn refresh_grant(
    shared: &Shared,
    issuer: &Issuer,
    client: &Client,
    form: &Params,
) -> Result<Issue, Response> {
    let Some(token) = form.non_empty("refresh_token") else {
        return Err(invalid("invalid_request", "refresh_token is missing"));
    };
    let mut store = shared.store();
    match store.refresh.get(token) {
        Some(grant) if grant.client_id == client.client_id && grant.base == issuer.base => {}
        Some(_) => {
            return Err(invalid(
                "invalid_grant",
                "the refresh token was issued to another client",
            ))
        }
        None => {
            return Err(invalid(
                "invalid_grant",
                "unknown, expired or already used refresh token",
            ))
        }
    }
    // Rotation: the old refresh token is spent.
    let grant = store.refresh.remove(token).expect("checked above");
    Ok(Issue { grant, nonce: None })
}

/// The token response: an access token, an ID token, and a refresh token
/// when the scope has `offline_access`.
fn tokens(shared: &Shared, issuer: &Issuer, grant: &Grant, nonce: Option<&str>) -> Response {
    let id_token = match id_token(shared, issuer, grant, nonce) {
        Ok(t) => t,
        Err(e) => {
            return Response::oauth_error(
                500,
                "server_error",
                &format!("cannot sign the ID token: {e}"),
            )
        }
    };
    let ttl = shared.options.token_ttl;
    let access_token = store::random_token();
    let refresh = grant
        .scope
        .split_whitespace()
        .any(|s| s == "offline_access")
        .then(store::random_token);
    let mut store = shared.store();
    // A replay that came in while this request was signing wins.
    if store.codes.get(&grant.family).is_some_and(|c| c.replayed) {
        return invalid(
            "invalid_grant",
            "the authorization code was used twice; its tokens are revoked",
        );
    }
    store
        .access
        .insert(access_token.clone(), ttl, grant.clone());
    if let Some(refresh) = &refresh {
        store
            .refresh
            .insert(refresh.clone(), store::REFRESH_TTL, grant.clone());
    }
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl.as_secs(),
        "id_token": id_token,
        "scope": grant.scope,
    });
    if let Some(refresh) = &refresh {
        body["refresh_token"] = json!(refresh);
    }
    Response::json(200, &body)
}

/// The signed ID token: the protocol claims, then the user's claims as the
/// issuer's shape puts them.
fn id_token(
    shared: &Shared,
    issuer: &Issuer,
    grant: &Grant,
    nonce: Option<&str>,
) -> crate::error::Result<String> {
    let now = store::now_secs();
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(issuer.url));
    claims.insert("sub".into(), json!(grant.user.sub));
    claims.insert("aud".into(), json!(grant.client_id));
    claims.insert(
        "exp".into(),
        json!(now + shared.options.token_ttl.as_secs()),
    );
    claims.insert("iat".into(), json!(now));
    claims.insert("auth_time".into(), json!(grant.auth_time));
    if let Some(nonce) = nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    for (name, value) in shape::shape(&grant.user, issuer.like).id_token {
        claims.entry(name).or_insert(value);
    }
    fill_issuer(&mut claims, &issuer.url);
    shared.options.keys.sign(&claims)
}

/// Replaces `{issuer}` in every string claim (sample pictures use it).
pub(super) fn fill_issuer(claims: &mut Map<String, Value>, issuer: &str) {
    fn fill(value: &mut Value, issuer: &str) {
        match value {
            Value::String(s) if s.contains("{issuer}") => *s = s.replace("{issuer}", issuer),
            Value::Array(items) => items.iter_mut().for_each(|v| fill(v, issuer)),
            Value::Object(map) => map.values_mut().for_each(|v| fill(v, issuer)),
            _ => {}
        }
    }
    claims.values_mut().for_each(|v| fill(v, issuer));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_verifiers() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let s256 = Pkce::S256("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into());
        assert!(verifier_matches(&s256, verifier));
        assert!(!verifier_matches(&s256, &verifier.replace('d', "e")));
        let plain = Pkce::Plain(verifier.into());
        assert!(verifier_matches(&plain, verifier));
        assert!(!verifier_matches(&Pkce::Plain("short".into()), "short"));
    }

    #[test]
    fn issuer_is_filled_in_nested_strings() {
        let mut claims = json!({
            "picture": "{issuer}/avatar/alice.svg",
            "nested": {"list": ["{issuer}", 1]},
            "n": 2
        })
        .as_object()
        .cloned()
        .unwrap();
        fill_issuer(&mut claims, "http://localhost:9400");
        assert_eq!(claims["picture"], "http://localhost:9400/avatar/alice.svg");
        assert_eq!(claims["nested"]["list"][0], "http://localhost:9400");
    }
}
