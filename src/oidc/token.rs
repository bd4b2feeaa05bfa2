//! The calls after the browser comes back: the token request (client
//! authentication as Authlib sends it), the JWKS and the userinfo endpoint.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};
use url::Url;

use super::http::{
    self, DocumentRedirects, Fetched, NetError, Outcome, Redirects, RefusedRedirect,
};
use crate::error::Kind;
use crate::secret::Secret;
use crate::untrusted::Untrusted;

/// How much of an unexpected body an error quotes.
const SNIPPET_CHARS: usize = 80;

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Network(#[from] NetError),
    #[error("{what} refused the request (HTTP {status}): {}{}", http::snippet(.error, SNIPPET_CHARS), .description.as_deref().map(|d| format!(": {}", http::snippet(d, 2 * SNIPPET_CHARS))).unwrap_or_default())]
    OAuth {
        what: &'static str,
        status: u16,
        error: String,
        description: Option<String>,
    },
    /// `snippet` is already cut and escaped ([`http::snippet`]).
    #[error("{what} answered HTTP {status}: {snippet}")]
    Http {
        what: &'static str,
        status: u16,
        snippet: String,
    },
    /// `snippet` is already cut and escaped ([`http::snippet`]).
    #[error("{what} did not return a JSON object (body starts with \"{snippet}\")")]
    NotJson { what: &'static str, snippet: String },
    #[error("invalid URL '{}' for {what}", Untrusted(.url))]
    BadUrl { what: &'static str, url: String },
}

impl ExchangeError {
    pub fn kind(&self) -> Kind {
        match self {
            ExchangeError::Network(e) => e.kind(),
            _ => Kind::Provider,
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

/// How the client proves itself at the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenAuth {
    ClientSecretBasic,
    ClientSecretPost,
    None,
}

impl TokenAuth {
    pub fn name(&self) -> &'static str {
        match self {
            TokenAuth::ClientSecretBasic => "client_secret_basic",
            TokenAuth::ClientSecretPost => "client_secret_post",
            TokenAuth::None => "none",
        }
    }
}

/// What the app's own HTTP client does when its token request is answered
/// with a redirect, as one sentence for the error. The Streamlit contract
/// knows it per release; the OIDC client only reports it.
pub trait TokenRedirects {
    /// `auth`: how the request carries the client credentials.
    fn explain(&self, auth: &TokenAuth, status: u16, from: &Url, to: Option<&Url>) -> String;
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
    /// What the app would have done with a redirect stauth refused.
    pub streamlit: &'a dyn TokenRedirects,
}

/// Exchanges the authorization code for tokens. The request follows no
/// redirect: it carries the code, the PKCE verifier and often the secret.
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
    let client =
        http::client(Redirects::Never).map_err(|e| http::classify(x.token_endpoint, &url, e))?;
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
    let fetched = match http::fetch(request.body(form.finish()), WHAT, x.token_endpoint, &url)? {
        Outcome::Response(f) => f,
        Outcome::Redirect(r) => {
            let streamlit = x
                .streamlit
                .explain(x.auth, r.status_code, &r.from, r.target.as_ref());
            return Err(NetError::Redirect(Box::new(RefusedRedirect {
                what: WHAT.into(),
                url: x.token_endpoint.into(),
                status: r.status,
                why: token_redirect_why(x, &url, r.target.as_ref()),
                location: r.location,
                streamlit,
            }))
            .into());
        }
    };
    let raw = json_body(&fetched, WHAT)?;
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

/// Why the token request's redirect was refused: what it would carry, and where.
fn token_redirect_why(x: &CodeExchange<'_>, from: &Url, to: Option<&Url>) -> String {
    let mut carried = vec!["the authorization code"];
    if x.code_verifier.is_some() {
        carried.push("the PKCE code_verifier");
    }
    match x.auth {
        TokenAuth::ClientSecretPost => carried.push("the client secret (client_secret_post)"),
        TokenAuth::ClientSecretBasic => {
            carried.push("the client secret (client_secret_basic, in the Authorization header)")
        }
        TokenAuth::None => {}
    }
    let list = match carried.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let place = match to {
        Some(to) if !http::same_origin(from, to) => {
            format!(", here to another origin ({})", http::origin_of(to))
        }
        Some(_) => String::new(),
        None => ", here to an invalid URL".into(),
    };
    format!("the token request carries {list}, and stauth never resends it to an address a redirect names{place}")
}

/// GETs a JSON document (JWKS, userinfo), with a bearer token if given.
/// Redirects are followed only within the URL's origin.
pub fn get_json(
    url_text: &str,
    what: &'static str,
    bearer: Option<&str>,
    streamlit: &dyn DocumentRedirects,
) -> Result<Map<String, Value>, ExchangeError> {
    let url = parse(url_text, what)?;
    let client =
        http::client(Redirects::SameOrigin).map_err(|e| http::classify(url_text, &url, e))?;
    let mut request = client.get(url.clone()).header("Accept", "application/json");
    if let Some(token) = bearer {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    match http::fetch(request, what, url_text, &url)? {
        Outcome::Response(fetched) => json_body(&fetched, what),
        Outcome::Redirect(r) => {
            Err(http::document_redirect_error(what, url_text, &url, r, streamlit).into())
        }
    }
}

fn parse(url: &str, what: &'static str) -> Result<Url, ExchangeError> {
    Url::parse(url).map_err(|_| ExchangeError::BadUrl {
        what,
        url: url.into(),
    })
}

fn json_body(fetched: &Fetched, what: &'static str) -> Result<Map<String, Value>, ExchangeError> {
    let status = fetched.status;
    let body = fetched.text();
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
            snippet: http::snippet(&body, SNIPPET_CHARS),
        });
    }
    match parsed {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(ExchangeError::NotJson {
            what,
            snippet: http::snippet(&body, 40),
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
