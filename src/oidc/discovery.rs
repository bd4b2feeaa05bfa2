//! Fetching an OpenID Connect discovery document (`server_metadata_url`),
//! with one distinct, explained error per way it can fail.

use std::time::Duration;

use serde_json::{Map, Value};
use url::Url;

use super::http::{self, DocumentRedirects, NetError, Outcome, Redirects};
use super::url_policy::provider_url_problem;
use crate::error::{Error, Failure, Kind};
use crate::limits;
use crate::untrusted::Untrusted;

pub const DISCOVERY_TIMEOUT: Duration = limits::PROVIDER_TIMEOUT;

/// The fields Streamlit (through Authlib) cannot do without.
const REQUIRED_FIELDS: &[&str] = &[
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
];

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("invalid discovery URL '{}': {reason}", Untrusted(.url))]
    InvalidUrl { url: String, reason: String },
    #[error(transparent)]
    Network(#[from] NetError),
    #[error("{} answered 404 Not Found: there is no discovery document at that address", Untrusted(.url))]
    NotFound { url: String },
    #[error("{} answered HTTP {status}", Untrusted(.url))]
    HttpStatus { url: String, status: u16 },
    /// `snippet` is kept as sent; it is shown cut and escaped.
    #[error(
        "{} did not return JSON (content type '{}', body starts with \"{}\")",
        Untrusted(.url),
        http::snippet(.content_type, 80),
        http::snippet(.snippet, 40)
    )]
    NotJson {
        url: String,
        content_type: String,
        snippet: String,
    },
    #[error("the discovery document at {} lacks {}", Untrusted(.url), .fields.join(", "))]
    MissingFields { url: String, fields: Vec<String> },
}

impl DiscoveryError {
    pub fn kind(&self) -> Kind {
        match self {
            DiscoveryError::InvalidUrl { .. } => Kind::Usage,
            DiscoveryError::Network(e) => e.kind(),
            _ => Kind::Provider,
        }
    }

    pub fn hint(&self) -> String {
        match self {
            DiscoveryError::InvalidUrl { .. } => {
                "Give the provider's issuer (https://...) or its full discovery URL ending in /.well-known/openid-configuration.".into()
            }
            DiscoveryError::Network(e) => e.hint(),
            DiscoveryError::NotFound { .. } => {
                "The discovery URL is wrong: check the issuer, tenant, realm or slug. It must end in /.well-known/openid-configuration.".into()
            }
            DiscoveryError::HttpStatus { .. } => {
                "The provider refused the request; check the URL in a browser.".into()
            }
            DiscoveryError::NotJson { .. } => {
                "That address serves a web page, not an OpenID Connect discovery document: use the issuer URL or the URL ending in /.well-known/openid-configuration.".into()
            }
            DiscoveryError::MissingFields { .. } => {
                "This is not a complete OpenID Connect provider: Streamlit needs issuer, authorization_endpoint, token_endpoint and jwks_uri. Check that the provider supports OpenID Connect (not only OAuth 2.0).".into()
            }
        }
    }
}

impl Failure for DiscoveryError {
    fn kind(&self) -> Kind {
        DiscoveryError::kind(self)
    }
    fn hint(&self) -> String {
        DiscoveryError::hint(self)
    }
}

impl From<DiscoveryError> for Error {
    fn from(e: DiscoveryError) -> Self {
        Error::Upstream(Box::new(e))
    }
}

/// A fetched discovery document.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub url: String,
    pub document: Map<String, Value>,
}

impl Discovery {
    /// Wraps an already-parsed document, checking the required fields.
    pub(crate) fn from_document(
        url: &str,
        document: Map<String, Value>,
    ) -> Result<Self, DiscoveryError> {
        let missing: Vec<String> = REQUIRED_FIELDS
            .iter()
            .filter(|f| {
                document
                    .get(**f)
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
            })
            .map(|f| f.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(DiscoveryError::MissingFields {
                url: url.to_string(),
                fields: missing,
            });
        }
        Ok(Discovery {
            url: url.to_string(),
            document,
        })
    }

    /// A string field, if present.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.document.get(key).and_then(Value::as_str)
    }

    /// A field as the document has it (a JSON `null` included).
    pub fn raw(&self, key: &str) -> Option<&Value> {
        self.document.get(key)
    }

    /// A list-of-strings field; `None` when absent (which often means "default").
    pub fn list(&self, key: &str) -> Option<Vec<&str>> {
        self.document
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
    }

    pub fn issuer(&self) -> &str {
        self.str("issuer").unwrap_or_default()
    }
}

/// Fetch and validate the discovery document at `url`; `streamlit` says
/// what the app would do with a redirect stauth refuses.
pub fn fetch_discovery(
    url: &str,
    streamlit: &dyn DocumentRedirects,
) -> Result<Discovery, DiscoveryError> {
    let parsed = Url::parse(url).map_err(|e| DiscoveryError::InvalidUrl {
        url: url.into(),
        reason: e.to_string(),
    })?;
    if let Some(reason) = provider_url_problem(&parsed) {
        return Err(DiscoveryError::InvalidUrl {
            url: url.into(),
            reason,
        });
    }
    let client =
        http::client(Redirects::SameOrigin).map_err(|e| http::classify(url, &parsed, e))?;
    let request = client
        .get(parsed.clone())
        .header("Accept", "application/json");
    let fetched = match http::fetch(request, "the discovery document", url, &parsed)? {
        Outcome::Response(f) => f,
        Outcome::Redirect(r) => {
            return Err(http::document_redirect_error(
                "the discovery document",
                url,
                &parsed,
                r,
                streamlit,
            )
            .into())
        }
    };
    if fetched.status == 404 {
        return Err(DiscoveryError::NotFound { url: url.into() });
    }
    if !(200..300).contains(&fetched.status) {
        return Err(DiscoveryError::HttpStatus {
            url: url.into(),
            status: fetched.status,
        });
    }
    let body = fetched.text();
    match serde_json::from_str::<Value>(&body) {
        Ok(Value::Object(document)) => Discovery::from_document(url, document),
        _ => Err(DiscoveryError::NotJson {
            url: url.into(),
            content_type: fetched.content_type.clone(),
            snippet: body.trim_start().chars().take(40).collect(),
        }),
    }
}
