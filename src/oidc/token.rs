//! The calls after the browser comes back: the token request (client
//! authentication as Authlib sends it), the JWKS and the userinfo endpoint.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};
use url::Url;

use super::http::{self, NetError};
use crate::error::ExitCode;
use crate::secret::Secret;
use crate::streamlit::login_request::TokenAuth;

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Network(#[from] NetError),
    #[error("{what} refused the request (HTTP {status}): {error}{}", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth {
        what: &'static str,
        status: u16,
        error: String,
        description: Option<String>,
    },
    #[error("{what} answered HTTP {status}: {snippet}")]
    Http {
        what: &'static str,
        status: u16,
        snippet: String,
    },
    #[error("{what} did not return a JSON object (body starts with {snippet:?})")]
    NotJson { what: &'static str, snippet: String },
    #[error("invalid URL '{url}' for {what}")]
    BadUrl { what: &'static str, url: String },
}

impl ExchangeError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            ExchangeError::Network(e) => e.exit_code(),
            _ => ExitCode::Provider,
        }
    }

    /// The OAuth error code, when the provider sent one.
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            ExchangeError::OAuth { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// What the token endpoint returned.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub id_token: Option<String>,
    pub access_token: Option<String>,
    pub raw: Map<String, Value>,
}

pub struct CodeExchange<'a> {
    pub token_endpoint: &'a str,
    pub code: &'a str,
    pub redirect_uri: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a Secret,
    pub auth: &'a TokenAuth,
    pub code_verifier: Option<&'a str>,
}

/// Exchanges the authorization code for tokens.
pub fn exchange_code(x: &CodeExchange<'_>) -> Result<Tokens, ExchangeError> {
    const WHAT: &str = "the token endpoint";
    let url = parse(x.token_endpoint, WHAT)?;
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "authorization_code")
        .append_pair("code", x.code)
        .append_pair("redirect_uri", x.redirect_uri);
    if let Some(v) = x.code_verifier {
        form.append_pair("code_verifier", v);
    }
    let client = http::client().map_err(|e| http::classify(x.token_endpoint, &url, e))?;
    let mut request = client
        .post(url.clone())
        .header("Accept", "application/json")
        .header("Content-Type", "application/x-www-form-urlencoded");
    match x.auth {
        TokenAuth::ClientSecretBasic => {
            request = request.header("Authorization", basic_auth(x.client_id, x.client_secret));
        }
        TokenAuth::ClientSecretPost => {
            form.append_pair("client_id", x.client_id)
                .append_pair("client_secret", x.client_secret.expose());
        }
        TokenAuth::None => {
            form.append_pair("client_id", x.client_id);
        }
    }
    let response = request
        .body(form.finish())
        .send()
        .map_err(|e| http::classify(x.token_endpoint, &url, e))?;
    let raw = json_body(response, WHAT, x.token_endpoint, &url)?;
    Ok(Tokens {
        id_token: raw
            .get("id_token")
            .and_then(Value::as_str)
            .map(str::to_string),
        access_token: raw
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::to_string),
        raw,
    })
}

/// GETs a JSON document (JWKS, userinfo), with a bearer token if given.
pub fn get_json(
    url_text: &str,
    what: &'static str,
    bearer: Option<&str>,
) -> Result<Map<String, Value>, ExchangeError> {
    let url = parse(url_text, what)?;
    let client = http::client().map_err(|e| http::classify(url_text, &url, e))?;
    let mut request = client.get(url.clone()).header("Accept", "application/json");
    if let Some(token) = bearer {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let response = request
        .send()
        .map_err(|e| http::classify(url_text, &url, e))?;
    json_body(response, what, url_text, &url)
}

fn parse(url: &str, what: &'static str) -> Result<Url, ExchangeError> {
    Url::parse(url).map_err(|_| ExchangeError::BadUrl {
        what,
        url: url.into(),
    })
}

fn json_body(
    response: reqwest::blocking::Response,
    what: &'static str,
    url_text: &str,
    url: &Url,
) -> Result<Map<String, Value>, ExchangeError> {
    let status = response.status().as_u16();
    let body = response
        .text()
        .map_err(|e| http::classify(url_text, url, e))?;
    let parsed = serde_json::from_str::<Value>(&body).ok();
    if !(200..300).contains(&status) {
        if let Some(error) = parsed
            .as_ref()
            .and_then(|v| v.get("error"))
            .and_then(Value::as_str)
        {
            return Err(ExchangeError::OAuth {
                what,
                status,
                error: error.to_string(),
                description: parsed
                    .as_ref()
                    .and_then(|v| v.get("error_description"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
            });
        }
        return Err(ExchangeError::Http {
            what,
            status,
            snippet: body.trim().chars().take(80).collect(),
        });
    }
    match parsed {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(ExchangeError::NotJson {
            what,
            snippet: body.trim().chars().take(40).collect(),
        }),
    }
}

/// Authlib's `client_secret_basic`: each part percent-encoded like Python's
/// `urllib.parse.quote` (which keeps `/`), then base64.
fn basic_auth(client_id: &str, secret: &Secret) -> String {
    let text = format!(
        "{}:{}",
        python_quote(client_id),
        python_quote(secret.expose())
    );
    format!("Basic {}", STANDARD.encode(text))
}

fn python_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_quotes_like_python() {
        assert_eq!(python_quote("a b:c/d~é"), "a%20b%3Ac/d~%C3%A9");
        assert_eq!(
            basic_auth("app", &Secret::new("s3cr3t")),
            format!("Basic {}", STANDARD.encode("app:s3cr3t"))
        );
    }
}
