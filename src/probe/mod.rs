//! `stauth probe`: the running app seen from outside. Is a Streamlit app at
//! the URL, under which base path; is `redirect_uri` that URL's callback;
//! does the proxy forward the login routes; how large a `Cookie` header
//! gets through the stack, to plain requests and to the WebSocket
//! handshake, compared with what a login needs; and signs of replicas
//! without session affinity.
//!
//! Every request carries only a filler cookie (`stauth_probe=aaa...`):
//! never a real cookie, token or secret. Requests are capped in number
//! ([`Options::max_requests`]) and each has a deadline. Never prints.

mod client;
mod cookie_check;
pub mod last_login;
mod limit;
mod need;
mod replicas;
mod routes;
mod session;
mod stack;
mod websocket;

use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use url::Url;

use crate::error::{Failure, Kind};
use crate::finding::{Finding, Severity};
use crate::oidc::http::NetError;
use crate::oidc::url_policy::is_loopback_host;
use crate::streamlit::release::Release;
use crate::streamlit::schema::{CALLBACK_PATH, HEALTH_PATH, LOGIN_PATH};

use client::Client;
use limit::{CookieLimit, MAX_BYTES};
pub use need::{claims_with_groups, set_cookie_lines, Need};
use replicas::Replicas;
use routes::RouteCheck;
use session::Session;
use stack::Stack;
use websocket::WebSocketCheck;

/// What to probe, and what to compare with.
pub struct Options {
    pub url: Url,
    /// Deadline of each request.
    pub timeout: Duration,
    pub max_requests: usize,
    /// The release the deployed app runs (cookie sizes, WebSocket limit, replica advice).
    pub release: Release,
    /// `server.baseUrlPath` from the app's config ("" for none): one of the
    /// base paths tried.
    pub base_url_path: String,
    /// `[auth] redirect_uri` and the file it is in.
    pub redirect_uri: Option<(String, String)>,
    pub need: NeedInput,
}

/// Where the size a login needs comes from.
pub enum NeedInput {
    /// Known sizes (a test-login report or record).
    Known(Need),
    /// ID token claims to estimate from, and their source.
    Claims(Map<String, Value>, String),
    None,
}

/// The app could not be reached at all.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unreachable(pub NetError);

impl Failure for Unreachable {
    fn kind(&self) -> Kind {
        self.0.kind()
    }
    fn hint(&self) -> String {
        "Check the URL, and that the app (and its proxy) is running and reachable from this machine.".into()
    }
}

/// What the probe found.
pub struct Report {
    url: String,
    origin: String,
    /// The base path the app answers under ("" for the root), when found.
    base_path: Option<String>,
    /// The front server's `Server` header.
    server: Option<String>,
    stack: Stack,
    redirect_uri: Option<(String, String, String)>,
    routes: Vec<RouteCheck>,
    cookie_limit: Option<CookieLimit>,
    need: Option<Need>,
    websocket: Option<WebSocketCheck>,
    replicas: Replicas,
    pub findings: Vec<Finding>,
    pub requests: usize,
    elapsed: Duration,
    release: Release,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    pub fn to_json(&self) -> Value {
        let limit = self.cookie_limit.as_ref().map(|l| {
            json!({
                "accepted_bytes": l.accepted,
                "refused_bytes": l.refused.as_ref().map(|r| r.0),
                "refused_with": l.refused.as_ref().map(|r| &r.1.what),
                "refused_by": l.refused.as_ref().map(|r| r.1.stack.id()),
                "max_tried_bytes": MAX_BYTES,
                "unfinished": l.unfinished,
            })
        });
        json!({
            "ok": !self.has_errors(),
            "url": self.url,
            "origin": self.origin,
            "base_path": self.base_path,
            "server": self.server,
            "stack": self.stack.id(),
            "streamlit": {
                "version": self.release.version.to_string(),
                "server": self.release.server.id(),
            },
            "redirect_uri": self.redirect_uri.as_ref().map(|(configured, source, expected)| json!({
                "configured": configured,
                "source": source,
                "expected": expected,
                "matches": configured == expected,
            })),
            "routes": self.routes.iter().map(|r| json!({
                "path": r.path,
                "answer": r.answer,
                "reaches_streamlit": r.reaches_streamlit,
            })).collect::<Vec<_>>(),
            "cookie_limit": limit,
            "need": self.need.as_ref().map(|n| json!({
                "cookie_header_bytes": n.cookie_header,
                "source": n.source,
                "estimated": n.estimated,
            })),
            "websocket": self.websocket.as_ref().map(|w| w.tries.iter().map(|(bytes, ok, answer)| json!({
                "cookie_header_bytes": bytes,
                "opened": ok,
                "answer": answer,
            })).collect::<Vec<_>>()),
            "replicas": {
                "answers": self.replicas.answers,
                "affinity_cookies": self.replicas.affinity_cookies,
                "backend_header": self.replicas.backends.as_ref().map(|b| &b.0),
                "backends": self.replicas.backends.as_ref().map(|b| &b.1),
            },
            "findings": self.findings,
            "requests": self.requests,
            "elapsed_ms": self.elapsed.as_millis() as u64,
        })
    }
}

/// The URL a user gives, checked: http(s), a host, no credentials. A path
/// ending in Streamlit's callback or health route is cut back to the base.
pub fn parse_url(text: &str) -> Result<Url, String> {
    let text = text.trim();
    // `localhost:8501` parses as a URL with the scheme "localhost".
    if !text.contains("://") {
        return Err(format!(
            "it has no scheme; give the whole URL, e.g. http://{}/",
            text.trim_end_matches('/')
        ));
    }
    let mut url = Url::parse(text).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("only http and https URLs can be probed".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL holds a user name or password; leave them out".into());
    }
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().trim_end_matches('/').to_string();
    let base = [CALLBACK_PATH, HEALTH_PATH, LOGIN_PATH]
        .iter()
        .find_map(|suffix| path.strip_suffix(suffix))
        .unwrap_or(&path)
        .to_string();
    url.set_path(&format!("{base}/"));
    Ok(url)
}

/// The probe, within `options`' budget. `progress` hears what it is doing.
pub fn run(options: &Options, progress: &dyn Fn(&str)) -> Result<Report, Unreachable> {
    let started = Instant::now();
    let url = &options.url;
    let client = Client::new(
        url.clone(),
        options.timeout,
        options.max_requests,
        crate::limits::PROBE_TOTAL,
    )
    .map_err(Unreachable)?;
    let origin = url.origin().ascii_serialization();
    let mut session = Session {
        client,
        replicas: Replicas::default(),
    };
    let mut findings = Vec::new();
    findings.extend(plain_http_finding(url));

    progress("looking for the app (/_stcore/health)");
    let found = routes::find_app(&mut session, options)?;
    let mut report = Report {
        url: url.to_string(),
        origin: origin.clone(),
        base_path: None,
        server: None,
        stack: Stack::Unknown,
        redirect_uri: None,
        routes: Vec::new(),
        cookie_limit: None,
        need: None,
        websocket: None,
        replicas: Replicas::default(),
        findings: Vec::new(),
        requests: 0,
        elapsed: Duration::ZERO,
        release: options.release,
    };
    let (base, front) = match found {
        routes::Found::App { base, answer } => (base, answer),
        routes::Found::Nothing(health) => {
            findings.push(
            Finding::error(
                "probe.health",
                format!("no Streamlit app answers at {url}: {health}"),
            )
            .why("Streamlit answers GET <base path>/_stcore/health with \"ok\"; stauth tried the URL's path, the app's server.baseUrlPath and the path of redirect_uri.")
            .fix("check the URL (with the base path the app is served under) and that the proxy forwards every path under it to Streamlit"),
        );
            return Ok(finish(report, session, findings, started));
        }
    };

    report.base_path = Some(base.clone());
    report.server = front.header("server").map(str::to_string);
    report.stack = Stack::recognise(&front);
    findings.push(Finding::ok(
        "probe.health",
        format!(
            "a Streamlit app answers at {origin}{base}/ (base path {}){}",
            if base.is_empty() { "/" } else { &base },
            report
                .server
                .as_deref()
                .map(|s| format!(", Server: {s}"))
                .unwrap_or_default()
        ),
    ));

    if let Some(f) = release_mismatch(report.stack, &options.release) {
        findings.push(f);
    }

    let expected = format!("{origin}{base}{CALLBACK_PATH}");
    if let Some((configured, source)) = &options.redirect_uri {
        findings.push(routes::redirect_uri_finding(configured, source, &expected));
        report.redirect_uri = Some((configured.clone(), source.clone(), expected.clone()));
    } else {
        findings.push(
            Finding::info(
                "probe.redirect_uri",
                format!("no [auth] redirect_uri in the app's secrets to compare: the deployed app needs redirect_uri = \"{expected}\""),
            )
            .fix("pass the deployed app's secrets with --secrets-file, or --app-dir"),
        );
    }

    progress("checking that the proxy forwards the login routes");
    for path in [CALLBACK_PATH, LOGIN_PATH] {
        let check = routes::route_check(&mut session, &format!("{base}{path}"), &front)?;
        findings.push(routes::route_finding(&check, report.stack));
        report.routes.push(check);
    }

    progress("measuring the largest Cookie header the stack accepts");
    let need = match &options.need {
        NeedInput::Known(n) => Some(n.clone()),
        NeedInput::Claims(claims, source) => {
            Need::from_claims(claims, &options.release, &origin, &base, source.clone())
        }
        NeedInput::None => None,
    };
    let limit = cookie_check::measure(&mut session, &base, need.as_ref())?;
    findings.extend(cookie_check::findings(
        &limit,
        need.as_ref(),
        report.stack,
        &options.release,
    ));
    if let Some(f) = need
        .as_ref()
        .and_then(|n| cookie_check::response_finding(n, report.stack, &base))
    {
        findings.push(f);
    }

    progress("opening the app's WebSocket (/_stcore/stream)");
    let ws = websocket::check(&mut session, &base, need.as_ref(), &limit)?;
    findings.extend(websocket::findings(
        &ws,
        need.as_ref(),
        &limit,
        report.stack,
        &options.release,
    ));

    report.cookie_limit = Some(limit);
    report.need = need;
    report.websocket = Some(ws);
    findings.extend(replicas::findings(
        &session.replicas,
        report.stack,
        &options.release,
    ));
    Ok(finish(report, session, findings, started))
}

/// A plain-http URL off this machine: cookies and codes in clear.
fn plain_http_finding(url: &Url) -> Option<Finding> {
    let host = url.host_str().unwrap_or_default();
    (url.scheme() == "http" && !is_loopback_host(host)).then(|| {
        Finding::warning(
            "probe.http",
            format!("{url} is plain http: the login cookies and the provider's code travel in clear"),
        )
        .fix("serve the app over https (a TLS-terminating proxy or load balancer in front of Streamlit)")
    })
}

/// The app's own server shows through (no proxy hides its `Server`
/// header) and is not the one the release checked against runs.
fn release_mismatch(stack: Stack, release: &Release) -> Option<Finding> {
    let starlette = match stack {
        Stack::StreamlitStarlette => true,
        Stack::StreamlitTornado => false,
        _ => return None,
    };
    if starlette == release.server.is_starlette() {
        return None;
    }
    Some(
        Finding::warning(
            "probe.release",
            format!(
                "the app answers from {}, but stauth checks against {}: the deployed app runs another release",
                stack.name(),
                release.describe()
            ),
        )
        .why("Cookie sizes, the WebSocket limit and what replicas break depend on the release (Starlette from 1.57, or 1.53-1.56 with server.useStarlette).")
        .fix("pass the deployed app's release with --streamlit-version X.Y"),
    )
}

fn finish(
    mut report: Report,
    session: Session,
    findings: Vec<Finding>,
    started: Instant,
) -> Report {
    report.requests = session.client.used();
    report.replicas = session.replicas;
    report.findings = findings;
    report.elapsed = started.elapsed();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_a_warning_off_this_machine_only() {
        let f = |s: &str| plain_http_finding(&parse_url(s).unwrap()).map(|f| f.severity);
        assert_eq!(f("http://apps.example.com/"), Some(Severity::Warning));
        assert_eq!(f("https://apps.example.com/"), None);
        assert_eq!(f("http://localhost:8501/"), None);
        assert_eq!(f("http://127.0.0.1:8501/"), None);
        assert_eq!(f("http://[::1]:8501/"), None);
    }

    #[test]
    fn urls_are_cut_back_to_the_base_path() {
        let p = |s: &str| parse_url(s).map(|u| u.to_string());
        assert_eq!(
            p("https://app.example.com").unwrap(),
            "https://app.example.com/"
        );
        assert_eq!(
            p("https://app.example.com/tools/oauth2callback?x=1").unwrap(),
            "https://app.example.com/tools/"
        );
        assert_eq!(
            p("http://127.0.0.1:8501/_stcore/health").unwrap(),
            "http://127.0.0.1:8501/"
        );
        assert!(p("ftp://x").is_err());
        assert!(p("https://u:p@x.example").is_err());
        assert!(p("nonsense").is_err());
        assert_eq!(
            p("localhost:8501").unwrap_err(),
            "it has no scheme; give the whole URL, e.g. http://localhost:8501/"
        );
    }

    #[test]
    fn redirect_uri_must_be_the_served_callback() {
        let f = routes::redirect_uri_finding(
            "http://localhost:8501/oauth2callback",
            "secrets.toml",
            "https://app.example.com/oauth2callback",
        );
        assert_eq!(f.severity, Severity::Error);
        assert!(f
            .fix
            .unwrap()
            .contains("redirect_uri = \"https://app.example.com/oauth2callback\""));
        let f = routes::redirect_uri_finding(
            "https://app.example.com/oauth2callback",
            "secrets.toml",
            "https://app.example.com/oauth2callback",
        );
        assert_eq!(f.severity, Severity::Ok);
    }
}
