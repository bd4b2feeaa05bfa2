//! The HTTP clients every provider call uses, bounded reads of provider
//! responses, and transport errors turned into reasons a user can act on.
//!
//! A provider is outside text: it may redirect a request that carries a
//! secret to another origin, or answer with an endless body. So the token
//! request follows no redirect, other requests follow them only within the
//! origin they started at, every body is read up to
//! [`limits::RESPONSE_BYTES`], and the whole call (body included) ends at
//! [`limits::PROVIDER_TIMEOUT`].

use std::error::Error as _;
use std::io::{self, Read};
use std::sync::mpsc;
use std::time::Instant;

use url::Url;

use crate::error::Kind;
use crate::fsutil::read::read_capped;
use crate::limits::{self, human_size};
use crate::untrusted::Untrusted;

/// Redirects followed within one origin before stauth gives up.
pub const MAX_REDIRECTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("cannot resolve the host name '{}' (from {})", Untrusted(.host), Untrusted(.url))]
    Dns { url: String, host: String },
    #[error("TLS handshake with {} failed: {}", Untrusted(.url), Untrusted(.detail))]
    Tls { url: String, detail: String },
    #[error("connection refused by {} (from {})", Untrusted(.host_port), Untrusted(.url))]
    Refused { url: String, host_port: String },
    #[error("{} did not answer within {secs} s", Untrusted(.url))]
    Timeout { url: String, secs: u64 },
    #[error("cannot connect to {}: {}", Untrusted(.url), Untrusted(.detail))]
    Connect { url: String, detail: String },
    #[error("{what} ({}) sent more than {}, stauth's limit for a provider response; stauth stopped reading", Untrusted(.url), human_size(*.cap))]
    TooLarge { what: String, url: String, cap: u64 },
    /// A redirect stauth refused to follow (boxed: it is large, and every
    /// error type of the crate carries a `NetError`).
    #[error("{0}")]
    Redirect(Box<RefusedRedirect>),
}

impl NetError {
    pub fn kind(&self) -> Kind {
        match self {
            NetError::Timeout { .. } => Kind::Timeout,
            _ => Kind::Provider,
        }
    }

    pub fn hint(&self) -> String {
        match self {
            NetError::Dns { .. } => "Check the host name for typos (tenant, region, domain); `stauth providers NAME` shows the expected form.".into(),
            NetError::Tls { .. } => "The server's certificate is not trusted or the server does not speak TLS. Check the URL (https vs http) and the system's CA certificates.".into(),
            NetError::Refused { .. } => "Nothing is listening there. Start the provider (or check the port).".into(),
            NetError::Timeout { .. } => "The provider is slow or unreachable from this machine (proxy, firewall, VPN?). Try again.".into(),
            NetError::Connect { .. } => "Check the URL and your network connection.".into(),
            NetError::TooLarge { .. } => format!("A provider's discovery document, keys and token responses are a few KiB. This address serves something else (a download, an endless stream): check the URL, e.g. open it with `curl --max-filesize {} URL`.", limits::RESPONSE_BYTES),
            NetError::Redirect(r) if r.what == "the token endpoint" => "The token endpoint must answer the token request itself. If the provider moved or sits behind a proxy, fix its public URL so that its discovery document names the final token_endpoint, then run the same command again.".into(),
            NetError::Redirect(_) => "If you trust the address it redirects to, use that address directly (server_metadata_url in secrets.toml, or the provider's public URL so its discovery document names it), then run the same command again.".into(),
        }
    }
}

/// What the app's own HTTP client does when a GET for a document (discovery,
/// JWKS, userinfo) is answered with a redirect, as one sentence for the
/// error. The Streamlit contract knows it per release; the OIDC client only
/// reports it.
pub trait DocumentRedirects {
    fn explain(&self, status: u16, from: &Url, to: Option<&Url>) -> String;
}

/// A redirect stauth did not follow; `why` and `streamlit` are full
/// sentences (the latter from a [`DocumentRedirects`] or
/// [`super::token::TokenRedirects`]).
#[derive(Debug, thiserror::Error)]
#[error("{what} ({}) answered {status} with Location: {}\n  stauth did not follow it: {why}\n  {streamlit}", Untrusted(.url), snippet(.location, 300))]
pub struct RefusedRedirect {
    pub what: String,
    pub url: String,
    /// "307 Temporary Redirect".
    pub status: String,
    /// The Location header as sent (outside text).
    pub location: String,
    pub why: String,
    pub streamlit: String,
}

/// Which redirects a request may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirects {
    /// None at all: the token request carries the code, the PKCE verifier
    /// and often the client secret.
    Never,
    /// Within the origin (scheme, host, port) of the first URL, at most
    /// [`MAX_REDIRECTS`] of them: discovery, JWKS, userinfo.
    SameOrigin,
}

/// A blocking client with stauth's timeouts, user agent and redirect rule.
/// One client per rule serves every call of a run: each new one starts its
/// own runtime thread.
pub fn client(redirects: Redirects) -> Result<reqwest::blocking::Client, reqwest::Error> {
    use std::sync::OnceLock;
    static NEVER: OnceLock<reqwest::blocking::Client> = OnceLock::new();
    static SAME_ORIGIN: OnceLock<reqwest::blocking::Client> = OnceLock::new();
    let (cell, policy) = match redirects {
        Redirects::Never => (&NEVER, reqwest::redirect::Policy::none()),
        Redirects::SameOrigin => (
            &SAME_ORIGIN,
            reqwest::redirect::Policy::custom(|attempt| {
                let allowed = attempt.previous().len() <= MAX_REDIRECTS
                    && attempt
                        .previous()
                        .first()
                        .is_some_and(|first| same_origin(first, attempt.url()));
                // Stopping hands the 3xx back to `fetch`, which says why.
                if allowed {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }),
        ),
    };
    if let Some(c) = cell.get() {
        return Ok(c.clone());
    }
    let built = reqwest::blocking::Client::builder()
        .timeout(limits::PROVIDER_TIMEOUT)
        .connect_timeout(limits::PROVIDER_TIMEOUT)
        .redirect(policy)
        .user_agent(concat!("stauth/", env!("CARGO_PKG_VERSION")))
        .build()?;
    Ok(cell.get_or_init(|| built).clone())
}

/// Same scheme, host and port (default ports made explicit).
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// `scheme://host:port` of a URL, for messages.
pub(crate) fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// A provider response read in full (within the cap and the deadline).
#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Fetched {
    /// The body as text (invalid UTF-8 replaced), for JSON parsing and snippets.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A redirect the client did not follow, for the caller to explain.
#[derive(Debug, Clone)]
pub struct Redirected {
    /// "307 Temporary Redirect".
    pub status: String,
    pub status_code: u16,
    /// The Location header as sent (outside text).
    pub location: String,
    /// Location resolved against the URL that answered, when it parses.
    pub target: Option<Url>,
    /// The URL that answered with the redirect.
    pub from: Url,
}

/// What one call produced: a response, or a redirect it did not follow.
#[derive(Debug)]
pub enum Outcome {
    Response(Fetched),
    Redirect(Redirected),
}

/// Sends `request` and reads its body, at most [`limits::RESPONSE_BYTES`]
/// of it, all within [`limits::PROVIDER_TIMEOUT`]. `what` names the endpoint in messages
/// ("the JWKS endpoint"); `url_text` and `parsed` are the requested URL.
pub fn fetch(
    request: reqwest::blocking::RequestBuilder,
    what: &str,
    url_text: &str,
    parsed: &Url,
) -> Result<Outcome, NetError> {
    let deadline = Instant::now() + limits::PROVIDER_TIMEOUT;
    let (tx, rx) = mpsc::channel();
    // reqwest's blocking timeout applies to each read, not to the whole
    // body: a provider dripping one byte a second would never end. The call
    // runs on its own thread so this one can stop waiting at the deadline;
    // the worker stops too (its reader checks the same deadline).
    std::thread::spawn(move || {
        let _ = tx.send(send_and_read(request, deadline));
    });
    let timeout = || NetError::Timeout {
        url: url_text.into(),
        secs: limits::PROVIDER_TIMEOUT.as_secs(),
    };
    let result = match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(result) => result,
        Err(_) => return Err(timeout()),
    };
    match result {
        Ok(outcome) => Ok(outcome),
        Err(Failure::Request(e)) => Err(classify(url_text, parsed, e)),
        Err(Failure::TooLarge) => Err(NetError::TooLarge {
            what: what.into(),
            url: url_text.into(),
            cap: limits::RESPONSE_BYTES,
        }),
        Err(Failure::Deadline) => Err(timeout()),
        Err(Failure::Read(e)) => Err(NetError::Connect {
            url: url_text.into(),
            detail: format!("the response broke off: {e}"),
        }),
    }
}

enum Failure {
    Request(reqwest::Error),
    TooLarge,
    Deadline,
    Read(io::Error),
}

fn send_and_read(
    request: reqwest::blocking::RequestBuilder,
    deadline: Instant,
) -> Result<Outcome, Failure> {
    let response = request.send().map_err(Failure::Request)?;
    let status = response.status();
    let headers = response.headers().clone();
    let header = |name: reqwest::header::HeaderName| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    if status.is_redirection() {
        if let Some(location) = header(reqwest::header::LOCATION) {
            let from = response.url().clone();
            return Ok(Outcome::Redirect(Redirected {
                status: status_text(status),
                status_code: status.as_u16(),
                target: from.join(location.trim()).ok(),
                location,
                from,
            }));
        }
    }
    let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
    let reader = DeadlineReader {
        inner: response,
        deadline,
    };
    let body = read_capped(reader, limits::RESPONSE_BYTES, "the response").map_err(|e| {
        if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<reqwest::Error>()) {
            return if inner.is_timeout() {
                Failure::Deadline
            } else {
                Failure::Read(e)
            };
        }
        match e.kind() {
            io::ErrorKind::TimedOut => Failure::Deadline,
            // read_capped's own "larger than the cap" error.
            io::ErrorKind::InvalidData => Failure::TooLarge,
            _ => Failure::Read(e),
        }
    })?;
    Ok(Outcome::Response(Fetched {
        status: status.as_u16(),
        content_type,
        body,
    }))
}

/// The error for a redirect a GET (discovery, JWKS, userinfo) was not
/// allowed to follow: to another origin, or past [`MAX_REDIRECTS`].
/// `streamlit`: what the app would have done with it.
pub(crate) fn document_redirect_error(
    what: &str,
    url_text: &str,
    parsed: &Url,
    r: Redirected,
    streamlit: &dyn DocumentRedirects,
) -> NetError {
    let why = match &r.target {
        None => "the Location is not a valid URL".to_string(),
        Some(to) if parsed.scheme() == "https" && to.scheme() != "https" => format!(
            "it leads from https to {}, and stauth never leaves https for a provider",
            origin_of(to)
        ),
        Some(to) if !same_origin(parsed, to) => format!(
            "it leads to another origin ({}), and stauth follows a provider's redirects only within {}",
            origin_of(to),
            origin_of(parsed)
        ),
        Some(_) => format!(
            "stauth follows at most {MAX_REDIRECTS} redirects within {}",
            origin_of(parsed)
        ),
    };
    NetError::Redirect(Box::new(RefusedRedirect {
        what: what.into(),
        url: url_text.into(),
        status: r.status,
        streamlit: streamlit.explain(r.status_code, &r.from, r.target.as_ref()),
        location: r.location,
        why,
    }))
}

/// "307 Temporary Redirect" (or just the number for an unknown status).
pub(crate) fn status_text(status: reqwest::StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// A response body that fails with `TimedOut` once the deadline has passed.
struct DeadlineReader<R> {
    inner: R,
    deadline: Instant,
}

impl<R: Read> Read for DeadlineReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if Instant::now() >= self.deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the provider's deadline passed",
            ));
        }
        self.inner.read(buf)
    }
}

/// Turn a transport error into the specific reason a user can act on.
pub fn classify(url: &str, parsed: &Url, err: reqwest::Error) -> NetError {
    let host = parsed.host_str().unwrap_or_default().to_string();
    if err.is_timeout() {
        return NetError::Timeout {
            url: url.into(),
            secs: limits::PROVIDER_TIMEOUT.as_secs(),
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

/// The first `max` characters of a provider's body, trimmed, for a message;
/// shown escaped (it is outside text) and marked when cut.
pub fn snippet(body: &str, max: usize) -> String {
    let trimmed = body.trim();
    let mut out: String = trimmed.chars().take(max).collect();
    if trimmed.chars().nth(max).is_some() {
        out.push('…');
    }
    Untrusted(&out).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(same_origin(
            &u("https://a.example/x"),
            &u("https://a.example:443/y")
        ));
        assert!(!same_origin(
            &u("https://a.example/x"),
            &u("http://a.example/x")
        ));
        assert!(!same_origin(
            &u("http://127.0.0.1:1/x"),
            &u("http://127.0.0.1:2/x")
        ));
        assert!(!same_origin(
            &u("https://a.example/x"),
            &u("https://b.example/x")
        ));
        assert_eq!(
            origin_of(&u("http://127.0.0.1:9/steal")),
            "http://127.0.0.1:9"
        );
    }

    #[test]
    fn refused_document_redirects_say_why() {
        struct AnyApp;
        impl DocumentRedirects for AnyApp {
            fn explain(&self, _: u16, _: &Url, _: Option<&Url>) -> String {
                "The app would not follow it.".into()
            }
        }
        let from = Url::parse("https://idp.example/jwks").unwrap();
        let redirect = |location: &str| Redirected {
            status: "302 Found".into(),
            status_code: 302,
            location: location.into(),
            target: from.join(location).ok(),
            from: from.clone(),
        };
        let text = |location: &str| {
            document_redirect_error(
                "the JWKS endpoint",
                from.as_str(),
                &from,
                redirect(location),
                &AnyApp,
            )
            .to_string()
        };
        assert!(text("http://idp.example/jwks").contains(
            "stauth did not follow it: it leads from https to http://idp.example, and stauth never leaves https for a provider"
        ));
        assert!(text("https://evil.example/jwks\u{1b}[2J").contains(
            "with Location: https://evil.example/jwks\\x1b[2J\n  stauth did not follow it: it leads to another origin (https://evil.example), and stauth follows a provider's redirects only within https://idp.example"
        ));
    }

    #[test]
    fn snippets_are_cut_and_escaped() {
        assert_eq!(snippet("  abc  ", 10), "abc");
        assert_eq!(snippet("abcdef", 3), "abc…");
        assert_eq!(snippet("\x1b[2Jx", 10), "\\x1b[2Jx");
    }
}
