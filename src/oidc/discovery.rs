//! Fetching an OpenID Connect discovery document (`server_metadata_url`),
//! with one distinct, explained error per way it can fail.

use std::error::Error as _;
use std::time::Duration;

use serde_json::{Map, Value};
use url::Url;

use super::url_policy::provider_url_problem;
use crate::error::ExitCode;

pub const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// The fields Streamlit (through Authlib) cannot do without.
const REQUIRED_FIELDS: &[&str] = &[
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
];

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("invalid discovery URL '{url}': {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("cannot resolve the host name '{host}' (from {url})")]
    Dns { url: String, host: String },
    #[error("TLS handshake with {url} failed: {detail}")]
    Tls { url: String, detail: String },
    #[error("connection refused by {host_port} (from {url})")]
    Refused { url: String, host_port: String },
    #[error("{url} did not answer within {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error("cannot connect to {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("{url} answered 404 Not Found: there is no discovery document at that address")]
    NotFound { url: String },
    #[error("{url} answered HTTP {status}")]
    HttpStatus { url: String, status: u16 },
    #[error(
        "{url} did not return JSON (content type '{content_type}', body starts with {snippet:?})"
    )]
    NotJson {
        url: String,
        content_type: String,
        snippet: String,
    },
    #[error("the discovery document at {url} lacks {}", .fields.join(", "))]
    MissingFields { url: String, fields: Vec<String> },
}

impl DiscoveryError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            DiscoveryError::InvalidUrl { .. } => ExitCode::Usage,
            DiscoveryError::Timeout { .. } => ExitCode::Timeout,
            _ => ExitCode::Provider,
        }
    }

    pub fn hint(&self) -> String {
        match self {
            DiscoveryError::InvalidUrl { .. } => {
                "Give the provider's issuer (https://...) or its full discovery URL ending in /.well-known/openid-configuration.".into()
            }
            DiscoveryError::Dns { .. } => {
                "Check the host name for typos (tenant, region, domain); `stauth providers NAME` shows the expected form. Use --offline to write the configuration without checking.".into()
            }
            DiscoveryError::Tls { .. } => {
                "The server's certificate is not trusted or the server does not speak TLS. Check the URL (https vs http) and the system's CA certificates.".into()
            }
            DiscoveryError::Refused { .. } => {
                "Nothing is listening there. Start the provider (or check the port), or use --offline to write the configuration without checking.".into()
            }
            DiscoveryError::Timeout { .. } => {
                "The provider is slow or unreachable from this machine (proxy, firewall, VPN?). Try again, or use --offline.".into()
            }
            DiscoveryError::Connect { .. } => {
                "Check the URL and your network connection, or use --offline.".into()
            }
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

/// A fetched discovery document.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub url: String,
    pub document: Map<String, Value>,
}

impl Discovery {
    /// Wraps an already-parsed document, checking the required fields.
    pub fn from_document(url: &str, document: Map<String, Value>) -> Result<Self, DiscoveryError> {
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

/// Fetch and validate the discovery document at `url`.
pub fn fetch_discovery(url: &str) -> Result<Discovery, DiscoveryError> {
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
    let client = reqwest::blocking::Client::builder()
        .timeout(DISCOVERY_TIMEOUT)
        .connect_timeout(DISCOVERY_TIMEOUT)
        .user_agent(concat!("stauth/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| DiscoveryError::Connect {
            url: url.into(),
            detail: e.to_string(),
        })?;
    let response = client
        .get(parsed.clone())
        .header("Accept", "application/json")
        .send()
        .map_err(|e| classify(url, &parsed, e))?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Err(DiscoveryError::NotFound { url: url.into() });
    }
    if !status.is_success() {
        return Err(DiscoveryError::HttpStatus {
            url: url.into(),
            status: status.as_u16(),
        });
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = response.text().map_err(|e| classify(url, &parsed, e))?;
    let not_json = || DiscoveryError::NotJson {
        url: url.into(),
        content_type: content_type.clone(),
        snippet: body.trim_start().chars().take(40).collect(),
    };
    match serde_json::from_str::<Value>(&body) {
        Ok(Value::Object(document)) => Discovery::from_document(url, document),
        _ => Err(not_json()),
    }
}

/// Turn a transport error into the specific reason a user can act on.
fn classify(url: &str, parsed: &Url, err: reqwest::Error) -> DiscoveryError {
    let host = parsed.host_str().unwrap_or_default().to_string();
    if err.is_timeout() {
        return DiscoveryError::Timeout {
            url: url.into(),
            secs: DISCOVERY_TIMEOUT.as_secs(),
        };
    }
    let chain = error_chain(&err);
    let lower = chain.to_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        DiscoveryError::Dns {
            url: url.into(),
            host,
        }
    } else if lower.contains("connection refused") {
        DiscoveryError::Refused {
            url: url.into(),
            host_port: format!(
                "{host}:{}",
                parsed.port_or_known_default().unwrap_or_default()
            ),
        }
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        DiscoveryError::Tls {
            url: url.into(),
            detail: innermost(&err),
        }
    } else {
        DiscoveryError::Connect {
            url: url.into(),
            detail: innermost(&err),
        }
    }
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

fn innermost(err: &reqwest::Error) -> String {
    let mut last = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}
