//! The HTTP client every provider call uses, and transport errors turned
//! into reasons a user can act on.

use std::error::Error as _;
use std::time::Duration;

use url::Url;

use crate::error::ExitCode;

/// Per-request limit for provider calls.
pub const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum NetError {
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
}

impl NetError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            NetError::Timeout { .. } => ExitCode::Timeout,
            _ => ExitCode::Provider,
        }
    }

    pub fn hint(&self) -> String {
        match self {
            NetError::Dns { .. } => "Check the host name for typos (tenant, region, domain); `stauth providers NAME` shows the expected form.".into(),
            NetError::Tls { .. } => "The server's certificate is not trusted or the server does not speak TLS. Check the URL (https vs http) and the system's CA certificates.".into(),
            NetError::Refused { .. } => "Nothing is listening there. Start the provider (or check the port).".into(),
            NetError::Timeout { .. } => "The provider is slow or unreachable from this machine (proxy, firewall, VPN?). Try again.".into(),
            NetError::Connect { .. } => "Check the URL and your network connection.".into(),
        }
    }
}

/// A blocking client with stauth's timeouts and user agent; redirects are
/// followed (discovery documents are sometimes served behind one). One client
/// serves every call of a run: each new one starts its own runtime thread.
pub fn client() -> Result<reqwest::blocking::Client, reqwest::Error> {
    static CLIENT: std::sync::OnceLock<reqwest::blocking::Client> = std::sync::OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c.clone());
    }
    let built = reqwest::blocking::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .user_agent(concat!("stauth/", env!("CARGO_PKG_VERSION")))
        .build()?;
    Ok(CLIENT.get_or_init(|| built).clone())
}

/// Turn a transport error into the specific reason a user can act on.
pub fn classify(url: &str, parsed: &Url, err: reqwest::Error) -> NetError {
    let host = parsed.host_str().unwrap_or_default().to_string();
    if err.is_timeout() {
        return NetError::Timeout {
            url: url.into(),
            secs: TIMEOUT.as_secs(),
        };
    }
    let mut chain = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let innermost = chain.last().cloned().unwrap_or_default();
    let lower = chain.join(": ").to_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        NetError::Dns {
            url: url.into(),
            host,
        }
    } else if lower.contains("connection refused") {
        NetError::Refused {
            url: url.into(),
            host_port: format!(
                "{host}:{}",
                parsed.port_or_known_default().unwrap_or_default()
            ),
        }
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        NetError::Tls {
            url: url.into(),
            detail: innermost,
        }
    } else {
        NetError::Connect {
            url: url.into(),
            detail: innermost,
        }
    }
}
