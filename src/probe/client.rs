//! The probe's HTTP requests: one fresh connection each (so a load balancer
//! sees independent clients and a proxy that closes after an error cannot
//! spoil the next one), no redirect followed, a deadline per request, bodies
//! read up to [`limits::PROBE_BODY_BYTES`], and a fixed budget of requests per run.

use std::cell::Cell;
use std::io::Read;
use std::time::{Duration, Instant};

use url::Url;

use crate::limits;
use crate::oidc::http::{classify, NetError};

/// The name of the filler cookie the probe sends: never a real cookie.
pub const FILLER_COOKIE: &str = "stauth_probe";

/// What one request came back with.
#[derive(Debug, Clone)]
pub enum Outcome {
    Answer(Answer),
    /// The connection closed (or was reset) before an answer came.
    Closed(String),
    /// No answer within the deadline.
    TimedOut,
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// Header names lowercased, values as sent (lossy UTF-8), at most 100.
    pub headers: Vec<(String, String)>,
    /// The start of the body (lossy UTF-8).
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The names of the cookies this answer sets.
    pub fn set_cookie_names(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .filter_map(|(_, v)| v.split('=').next())
            .map(|n| n.trim().to_string())
            .collect()
    }

    /// The `<title>` of an HTML body, if it has one.
    pub fn title(&self) -> Option<String> {
        let lower = self.body.to_ascii_lowercase();
        let start = lower.find("<title>")? + "<title>".len();
        let end = start + lower[start..].find("</title>")?;
        Some(self.body[start..end].trim().chars().take(120).collect())
    }
}

/// A request the probe sends.
pub struct Request<'a> {
    pub path: &'a str,
    /// Bytes of the filler `Cookie` header value (`stauth_probe=aaa...`); 0: none.
    pub cookie_bytes: usize,
    /// Ask to open a WebSocket (the handshake only).
    pub websocket: bool,
}

pub struct Client {
    http: reqwest::blocking::Client,
    origin: Url,
    timeout: Duration,
    budget: usize,
    used: Cell<usize>,
    /// No request starts after it, and none runs past it.
    deadline: Instant,
}

impl Client {
    /// A client for `origin`: `timeout` per request, at most `budget`
    /// requests, none after `total` from now.
    pub fn new(
        origin: Url,
        timeout: Duration,
        budget: usize,
        total: Duration,
    ) -> Result<Client, NetError> {
        let http = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .http1_only()
            .user_agent(concat!("stauth/", env!("CARGO_PKG_VERSION"), " (probe)"))
            .build()
            .map_err(|e| NetError::Connect {
                url: origin.to_string(),
                detail: e.to_string(),
            })?;
        Ok(Client {
            http,
            origin,
            timeout,
            budget,
            used: Cell::new(0),
            deadline: Instant::now() + total,
        })
    }

    pub fn used(&self) -> usize {
        self.used.get()
    }

    /// Requests that may still be sent (0 once the deadline passed).
    pub fn left(&self) -> usize {
        if Instant::now() >= self.deadline {
            return 0;
        }
        self.budget.saturating_sub(self.used.get())
    }

    /// The URL of `path` (which starts with `/`) at the probed origin.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.origin.origin().ascii_serialization(), path)
    }

    /// Sends `req`. `Ok(None)`: the budget or the time is spent. An error only when the
    /// origin cannot be reached at all (name, refused connection, TLS).
    pub fn send(&self, req: &Request<'_>) -> Result<Option<Outcome>, NetError> {
        if self.left() == 0 {
            return Ok(None);
        }
        self.used.set(self.used.get() + 1);
        let url = self.url(req.path);
        let parsed = Url::parse(&url).map_err(|e| NetError::Connect {
            url: url.clone(),
            detail: e.to_string(),
        })?;
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let mut builder = self
            .http
            .get(parsed.clone())
            .timeout(self.timeout.min(remaining));
        if req.cookie_bytes > 0 {
            builder = builder.header("cookie", filler_cookie(req.cookie_bytes));
        }
        if req.websocket {
            builder = builder
                .header("connection", "Upgrade")
                .header("upgrade", "websocket")
                .header("sec-websocket-version", "13")
                .header("sec-websocket-key", websocket_key())
                .header("origin", self.origin.origin().ascii_serialization());
        }
        let response = match builder.send() {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Ok(Some(Outcome::TimedOut)),
            Err(e) => {
                return match classify(&url, &parsed, e) {
                    NetError::Connect { detail, .. } => Ok(Some(Outcome::Closed(detail))),
                    NetError::Timeout { .. } => Ok(Some(Outcome::TimedOut)),
                    other => Err(other),
                };
            }
        };
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .take(100)
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        // A 101 has no body: the connection now belongs to the WebSocket.
        let body = if status == 101 {
            Vec::new()
        } else {
            let mut buf = Vec::new();
            // A body cut short or too slow still leaves what came.
            let _ = response
                .take(limits::PROBE_BODY_BYTES)
                .read_to_end(&mut buf);
            buf
        };
        Ok(Some(Outcome::Answer(Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        })))
    }
}

/// `stauth_probe=aaaa...`, exactly `bytes` long (at least the name and `=`).
pub fn filler_cookie(bytes: usize) -> String {
    let prefix = format!("{FILLER_COOKIE}=");
    let fill = bytes.saturating_sub(prefix.len());
    format!("{prefix}{}", "a".repeat(fill))
}

/// A fresh `Sec-WebSocket-Key`: 16 random bytes, base64.
fn websocket_key() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 16];
    // Any value works for a handshake; a failing RNG leaves zeros.
    let _ = getrandom::fill(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filler_is_exactly_as_long_as_asked() {
        assert_eq!(filler_cookie(8192).len(), 8192);
        assert!(filler_cookie(20).starts_with("stauth_probe=a"));
    }

    #[test]
    fn titles_and_cookie_names() {
        let a = Answer {
            status: 400,
            headers: vec![
                ("set-cookie".into(), "INGRESSCOOKIE=abc; Path=/".into()),
                ("server".into(), "nginx".into()),
            ],
            body: "<html><head><title>400 Request Header Or Cookie Too Large</title></head>".into(),
        };
        assert_eq!(
            a.title().as_deref(),
            Some("400 Request Header Or Cookie Too Large")
        );
        assert_eq!(a.set_cookie_names(), ["INGRESSCOOKIE"]);
        assert_eq!(a.header("server"), Some("nginx"));
    }
}
