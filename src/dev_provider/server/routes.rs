//! One connection: read the request, route it to its issuer's endpoint,
//! answer, and send its event; and what several endpoints answer with.

use std::net::TcpStream;

use super::http::{self, Request, Response};
use super::issuer::issuer_of;
use super::{authorize, discovery, logout, token, userinfo, Shared};
use crate::dev_provider::log::RequestLog;

pub(super) fn serve(shared: &Shared, stream: &mut TcpStream) {
    let request = match http::read_request(stream) {
        Ok(r) => r,
        Err(http::ReadFailure::Gone) => return,
        Err(http::ReadFailure::Answer(status, why)) => {
            http::write_response(stream, &Response::text(status, why));
            return;
        }
    };
    let mut event = RequestLog {
        method: request.method.clone(),
        path: request.path.clone(),
        client: None,
        asked: String::new(),
        status: 0,
        result: String::new(),
        streamlit_notes: Vec::new(),
    };
    let response = if shared.loopback_only && !http::loopback_host(request.header("host")) {
        Response::text(
            421,
            "this dev provider answers only to localhost, 127.0.0.1 and [::1]",
        )
        .result("refused: the Host header is not a loopback name")
    } else {
        route(shared, &request, &mut event)
    };
    event.status = response.status;
    event.result = if response.result.is_empty() {
        if response.status < 400 {
            "ok".into()
        } else {
            format!("HTTP {}", response.status)
        }
    } else {
        response.result.clone()
    };
    http::write_response(stream, &response);
    // Nobody reading: drop the event rather than block a worker.
    let _ = shared.events.try_send(event);
}

fn route(shared: &Shared, request: &Request, event: &mut RequestLog) -> Response {
    let (issuer, endpoint) = match issuer_of(shared, &request.path) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let method = request.method.as_str();
    let allowed = |methods: &[&str]| methods.contains(&method);
    match endpoint {
        "/.well-known/openid-configuration" if allowed(&["GET"]) => {
            event.asked = "discovery".into();
            Response::json(
                200,
                &serde_json::Value::Object(discovery::document(shared, &issuer)),
            )
        }
        "/jwks" if allowed(&["GET"]) => {
            event.asked = "jwks".into();
            Response::json(200, &shared.options.keys.jwks())
        }
        "/authorize" if allowed(&["GET", "POST"]) => {
            authorize::authorize(shared, &issuer, request, event)
        }
        "/authorize/decision" if allowed(&["POST"]) => {
            authorize::decision(shared, &issuer, request, event)
        }
        "/token" if allowed(&["POST"]) => token::token(shared, &issuer, request, event),
        "/userinfo" if allowed(&["GET", "POST"]) => {
            userinfo::userinfo(shared, &issuer, request, event)
        }
        "/logout" if allowed(&["GET", "POST"]) => logout::logout(shared, &issuer, request, event),
        avatar if avatar.starts_with("/avatar/") && allowed(&["GET"]) => {
            match discovery::avatar(avatar) {
                Some(svg) => Response::new(200, "image/svg+xml", svg)
                    .header(
                        "Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'",
                    )
                    .header("Cache-Control", "max-age=3600"),
                None => not_found(),
            }
        }
        "/.well-known/openid-configuration"
        | "/jwks"
        | "/authorize"
        | "/authorize/decision"
        | "/token"
        | "/userinfo"
        | "/logout" => {
            Response::text(405, "method not allowed").header("Allow", allowed_methods(endpoint))
        }
        _ => not_found(),
    }
}

fn allowed_methods(endpoint: &str) -> &'static str {
    match endpoint {
        "/authorize" | "/userinfo" | "/logout" => "GET, POST",
        "/authorize/decision" | "/token" => "POST",
        _ => "GET",
    }
}

fn not_found() -> Response {
    Response::json(404, &serde_json::json!({"error": "not_found"})).result("not found")
}

/// A page's Content-Security-Policy: the pages' own (nothing runs, nothing
/// is fetched) plus where its forms, and the redirects after them, may go.
pub(super) fn page_csp(form_targets: &str) -> String {
    format!(
        "{}; form-action {form_targets}",
        crate::pages::content_security_policy()
    )
}

/// An error page: shown instead of redirecting when the redirect URI cannot
/// be trusted (OIDC Core 3.1.2.6), or the request cannot go on.
pub(super) fn error_page(
    status: u16,
    title: &str,
    message: &str,
    details: Vec<(String, String)>,
) -> Response {
    let notice = crate::pages::Notice {
        title: title.to_string(),
        message: message.to_string(),
        details,
    };
    Response::html(
        status,
        crate::pages::dev_error(&notice),
        &page_csp("'none'"),
    )
    .result(format!("error page: {title}"))
}

/// `url` with `params` added to its query.
pub(super) fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            parsed.query_pairs_mut().extend_pairs(params);
            parsed.to_string()
        }
        Err(_) => {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params)
                .finish();
            let joiner = if url.contains('?') { '&' } else { '?' };
            format!("{url}{joiner}{query}")
        }
    }
}
