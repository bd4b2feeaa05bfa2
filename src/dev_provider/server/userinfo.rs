//! `{issuer}/userinfo`: the user's claims for a Bearer access token.

use serde_json::{json, Map, Value};

use super::http::{self, Request, Response};
use super::token::fill_issuer;
use super::{ClientLookup, Issuer, Shared};
use crate::dev_provider::log::RequestLog;
use crate::dev_provider::shape;

pub(super) fn userinfo(
    shared: &Shared,
    issuer: &Issuer,
    request: &Request,
    event: &mut RequestLog,
) -> Response {
    event.asked = "userinfo".into();
    let Some(token) = request.header("authorization").and_then(http::bearer_token) else {
        // RFC 6750 3.1: no credentials, no error code.
        return Response::json(401, &json!({"error": "invalid_request", "error_description": "send the access token as Authorization: Bearer TOKEN"}))
            .header("WWW-Authenticate", "Bearer realm=\"stauth dev provider\"")
            .result("no access token");
    };
    let grant = shared
        .store()
        .access
        .get(token)
        .filter(|g| g.base == issuer.base)
        .cloned();
    let Some(grant) = grant else {
        return Response::oauth_error(401, "invalid_token", "unknown or expired access token")
            .header(
                "WWW-Authenticate",
                "Bearer realm=\"stauth dev provider\", error=\"invalid_token\", error_description=\"unknown or expired access token\"",
            );
    };
    if let ClientLookup::Found(client) = shared.client(issuer, &grant.client_id) {
        event.client = Some(client.describe());
    }
    event.asked = format!("userinfo user={}", grant.user.sub);
    let mut claims = Map::new();
    claims.insert("sub".into(), Value::String(grant.user.sub.clone()));
    for (name, value) in shape::shape(&grant.user, issuer.like).userinfo {
        claims.entry(name).or_insert(value);
    }
    fill_issuer(&mut claims, &issuer.url);
    Response::json(200, &Value::Object(claims))
}
