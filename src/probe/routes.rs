//! Where the app answers (its base path), whether `redirect_uri` is this
//! URL's callback, and whether the proxy forwards the login routes.

use url::Url;

use super::client::{Answer, Outcome, Request};
use super::session::{describe, Session};
use super::stack::Stack;
use super::{Options, Unreachable};
use crate::finding::Finding;
use crate::oidc::http::NetError;
use crate::streamlit::schema::{CALLBACK_PATH, HEALTH_PATH};

/// One route's check: does it reach Streamlit.
#[derive(Debug, Clone)]
pub struct RouteCheck {
    pub path: String,
    /// "302 to /", "404 from nginx", "no answer within 10 s", ...
    pub answer: String,
    pub reaches_streamlit: bool,
}

/// Where the app answered, or what the first try got.
pub(super) enum Found {
    /// The base path ("" for the root) and the health answer, whose headers
    /// are the front server's.
    App { base: String, answer: Answer },
    /// The first health request and its answer, described.
    Nothing(String),
}

pub(super) fn is_health_ok(a: &Answer) -> bool {
    a.status == 200 && a.body.trim() == "ok"
}

/// Tries the base paths in order: the URL's, `server.baseUrlPath`,
/// redirect_uri's, the root. Returns the first that answers like Streamlit.
pub(super) fn find_app(session: &mut Session, options: &Options) -> Result<Found, Unreachable> {
    let url_base = options.url.path().trim_end_matches('/').to_string();
    let mut bases = vec![url_base];
    let configured = options.base_url_path.trim_matches('/');
    if !configured.is_empty() {
        bases.push(format!("/{configured}"));
    }
    if let Some((uri, _)) = &options.redirect_uri {
        if let Ok(u) = Url::parse(uri) {
            if u.origin() == options.url.origin() {
                if let Some(b) = u.path().strip_suffix(CALLBACK_PATH) {
                    bases.push(b.trim_end_matches('/').to_string());
                }
            }
        }
    }
    bases.push(String::new());
    let mut tried: Vec<String> = Vec::new();
    let mut first: Option<String> = None;
    let mut all_timed_out = true;
    for base in bases {
        if tried.contains(&base) {
            continue;
        }
        let path = format!("{base}{HEALTH_PATH}");
        let req = Request {
            path: &path,
            cookie_bytes: 0,
            websocket: false,
        };
        let Some(outcome) = session.send(&req).map_err(Unreachable)? else {
            break;
        };
        tried.push(base.clone());
        all_timed_out &= matches!(outcome, Outcome::TimedOut);
        match outcome {
            Outcome::Answer(answer) if is_health_ok(&answer) => {
                return Ok(Found::App { base, answer });
            }
            other => {
                first.get_or_insert_with(|| format!("GET {path} {}", describe(&other)));
            }
        }
    }
    // Nothing answered at all: a timeout (exit 4), not a finding.
    if all_timed_out && !tried.is_empty() {
        return Err(Unreachable(NetError::Timeout {
            url: options.url.to_string(),
            secs: options.timeout.as_secs(),
        }));
    }
    Ok(Found::Nothing(first.unwrap_or_default()))
}

pub(super) fn redirect_uri_finding(configured: &str, source: &str, expected: &str) -> Finding {
    if configured == expected {
        return Finding::ok(
            "probe.redirect_uri",
            format!("redirect_uri is {expected}, the callback of the URL the app is served at"),
        );
    }
    let mut why = format!(
        "Streamlit sends redirect_uri ({configured}, from {source}) to the provider, which sends the browser back there after the login; the app is served at {expected}."
    );
    if configured.contains("{port}") {
        why.push_str(" {port} is Streamlit's own server port, not the public port of a proxy in front of it.");
    }
    Finding::error(
        "probe.redirect_uri",
        format!("redirect_uri is {configured}, but the app's callback at this URL is {expected}"),
    )
    .why(why)
    .fix(format!(
        "set redirect_uri = \"{expected}\" in the deployed app's [auth] secrets and register it at the provider (a provider accepts only exact matches)"
    ))
}

/// GETs `path` with no parameters: Streamlit answers its login routes with a
/// redirect (to the app, or 400 on Tornado for a callback without state);
/// a proxy that does not forward them answers itself (404, the app's page).
pub(super) fn route_check(
    session: &mut Session,
    path: &str,
    front: &Answer,
) -> Result<RouteCheck, Unreachable> {
    let req = Request {
        path,
        cookie_bytes: 0,
        websocket: false,
    };
    let outcome = session.send(&req).map_err(Unreachable)?;
    let answer = match &outcome {
        Some(o) => describe(o),
        None => "not checked: the request budget ran out".into(),
    };
    let reaches = match &outcome {
        Some(Outcome::Answer(a)) => {
            (300..400).contains(&a.status)
                || (a.status == 400
                    && a.header("server") == front.header("server")
                    && a.title().is_some_and(|t| t.starts_with("400: Bad Request")))
        }
        _ => false,
    };
    Ok(RouteCheck {
        path: path.to_string(),
        answer,
        reaches_streamlit: reaches,
    })
}

pub(super) fn route_finding(check: &RouteCheck, stack: Stack) -> Finding {
    if check.reaches_streamlit {
        return Finding::ok(
            "probe.routes",
            format!("{} reaches Streamlit ({})", check.path, check.answer),
        );
    }
    let location = if stack == Stack::Nginx {
        " (nginx: a location that covers it, e.g. location / { proxy_pass ...; } for the whole base path)"
    } else {
        ""
    };
    Finding::error(
        "probe.routes",
        format!("{} does not reach Streamlit: GET {} {}", check.path, check.path, check.answer),
    )
    .why("Streamlit answers its login routes itself (a redirect); this answer comes from something else, so the login cannot complete.")
    .fix(format!(
        "forward every path under the app's base path to Streamlit, {} included{location}",
        check.path
    ))
}
