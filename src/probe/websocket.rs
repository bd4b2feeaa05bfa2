//! The app's WebSocket (`/_stcore/stream`): does the handshake complete
//! through the stack, and with how large a Cookie header.

use super::client::{Outcome, Request};
use super::limit::CookieLimit;
use super::need::Need;
use super::session::{describe, Session};
use super::stack::Stack;
use super::Unreachable;
use crate::finding::{Finding, Severity};
use crate::streamlit::cookies::WEBSOCKET_COOKIE_LIMIT;
use crate::streamlit::release::Release;
use crate::streamlit::schema::STREAM_PATH;

/// A Cookie header every stack takes, to see whether the WebSocket opens at all.
const SMALL_COOKIE_BYTES: usize = 64;
/// Just under Streamlit 1.57+'s WebSocket limit, to tell it from the proxy's.
const UNDER_WEBSOCKET_LIMIT: usize = WEBSOCKET_COOKIE_LIMIT - 82;

#[derive(Debug, Clone)]
pub struct WebSocketCheck {
    /// Cookie header sizes tried, and whether the handshake completed.
    pub tries: Vec<(usize, bool, String)>,
}

impl WebSocketCheck {
    fn largest_open(&self) -> Option<usize> {
        self.tries.iter().filter(|t| t.1).map(|t| t.0).max()
    }
    fn smallest_failed(&self) -> Option<(usize, &str)> {
        self.tries
            .iter()
            .filter(|t| !t.1)
            .min_by_key(|t| t.0)
            .map(|t| (t.0, t.2.as_str()))
    }
}

/// Opens the WebSocket with a small Cookie header, then with the size that
/// matters (the login's, or the largest plain requests take); when only the
/// small one opens, once more just under Streamlit's own limit, to tell a
/// proxy's refusal from Streamlit's.
pub(super) fn check(
    session: &mut Session,
    base: &str,
    need: Option<&Need>,
    limit: &CookieLimit,
) -> Result<WebSocketCheck, Unreachable> {
    let stream_path = format!("{base}{STREAM_PATH}");
    let target = need.map_or(limit.accepted, |n| n.cookie_header.min(limit.accepted));
    let mut ws = WebSocketCheck { tries: Vec::new() };
    let mut sizes = vec![SMALL_COOKIE_BYTES];
    if target > SMALL_COOKIE_BYTES {
        sizes.push(target);
    }
    for bytes in sizes {
        if !try_websocket(session, &stream_path, bytes, &mut ws)? {
            break;
        }
    }
    if let Some((failed, _)) = ws.smallest_failed() {
        if failed > WEBSOCKET_COOKIE_LIMIT && ws.largest_open() == Some(SMALL_COOKIE_BYTES) {
            try_websocket(session, &stream_path, UNDER_WEBSOCKET_LIMIT, &mut ws)?;
        }
    }
    Ok(ws)
}

/// Opens the WebSocket with a `bytes`-byte Cookie header; records the try.
/// Returns whether it opened.
fn try_websocket(
    session: &mut Session,
    path: &str,
    bytes: usize,
    ws: &mut WebSocketCheck,
) -> Result<bool, Unreachable> {
    let req = Request {
        path,
        cookie_bytes: bytes,
        websocket: true,
    };
    let Some(outcome) = session.send(&req).map_err(Unreachable)? else {
        return Ok(false);
    };
    let opened = matches!(&outcome, Outcome::Answer(a) if a.status == 101);
    let answer = if opened {
        "101 Switching Protocols".to_string()
    } else {
        describe(&outcome)
    };
    ws.tries.push((bytes, opened, answer));
    Ok(opened)
}

pub(super) fn findings(
    ws: &WebSocketCheck,
    need: Option<&Need>,
    limit: &CookieLimit,
    front: Stack,
    release: &Release,
) -> Vec<Finding> {
    let Some((failed, answer)) = ws.smallest_failed() else {
        let largest = ws.largest_open().unwrap_or(0);
        return vec![Finding::ok(
            "probe.websocket",
            format!(
                "the app's WebSocket ({STREAM_PATH}) opens with a Cookie header of {largest} bytes"
            ),
        )];
    };
    if failed == SMALL_COOKIE_BYTES {
        return vec![Finding::error(
            "probe.websocket",
            format!("the app's WebSocket ({STREAM_PATH}) does not open: the handshake {answer}"),
        )
        .why("Streamlit runs the app over a WebSocket; without it the page stays blank, logged in or not.")
        .fix(match front {
            Stack::Nginx => "nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; in the app's location (and a long proxy_read_timeout)".to_string(),
            _ => "let the proxy forward WebSocket upgrades (Upgrade and Connection headers) to Streamlit".to_string(),
        })];
    }
    let open = ws.largest_open().unwrap_or(SMALL_COOKIE_BYTES);
    let streamlit_limit = release.websocket_cookie_limit().is_some()
        && open >= UNDER_WEBSOCKET_LIMIT
        && failed > WEBSOCKET_COOKIE_LIMIT;
    let message = format!(
        "the app's WebSocket ({STREAM_PATH}) opens with a Cookie header of {open} bytes, not with {failed} (the handshake {answer}), while plain requests take {} bytes",
        limit.accepted
    );
    let severity = match need {
        Some(n) if n.cookie_header >= failed => Severity::Error,
        _ => Severity::Warning,
    };
    let needed = need.map_or(failed, |n| n.cookie_header.max(failed));
    let fix = if streamlit_limit {
        Stack::StreamlitStarlette.header_fix(needed, None)
    } else {
        front.header_fix(needed, None)
    };
    let why = if streamlit_limit {
        format!("{} serves the WebSocket with the websockets package, which reads header lines of at most 8192 bytes and then waits: after a login with larger cookies the app stays a grey page.", release.describe())
    } else {
        "Something between the browser and Streamlit refuses large WebSocket handshakes: after a login with larger cookies the app stays a grey page.".to_string()
    };
    vec![Finding::new("probe.websocket", severity, message)
        .why(why)
        .fix(fix)]
}
