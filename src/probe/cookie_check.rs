//! The largest Cookie header the stack lets through, against what a login
//! needs, and the callback answer's Set-Cookie lines a proxy must buffer.

use super::client::Request;
use super::limit::{self, CookieLimit, Verdict};
use super::need::Need;
use super::routes::is_health_ok;
use super::session::{verdict, Session};
use super::stack::{self, Stack};
use super::Unreachable;
use crate::finding::Finding;
use crate::streamlit::release::Release;
use crate::streamlit::schema::{CALLBACK_PATH, HEALTH_PATH};

/// Grows filler Cookie headers on the health route until the stack refuses
/// one, then bisects ([`limit::search`]); a login's exact size is tried
/// when it falls within the search's last gap.
pub(super) fn measure(
    session: &mut Session,
    base: &str,
    need: Option<&Need>,
) -> Result<CookieLimit, Unreachable> {
    let health_path = format!("{base}{HEALTH_PATH}");
    let mut unreachable = None;
    let mut limit = limit::search(|bytes| {
        let req = Request {
            path: &health_path,
            cookie_bytes: bytes,
            websocket: false,
        };
        match session.send(&req) {
            Ok(Some(outcome)) => Some(verdict(&outcome, is_health_ok)),
            Ok(None) => None,
            Err(e) => {
                unreachable = Some(e);
                None
            }
        }
    });
    if let Some(e) = unreachable {
        return Err(Unreachable(e));
    }
    if let (Some(n), Some((refused_at, _))) = (need, &limit.refused) {
        if n.cookie_header > limit.accepted && n.cookie_header < *refused_at {
            let req = Request {
                path: &health_path,
                cookie_bytes: n.cookie_header,
                websocket: false,
            };
            if let Some(outcome) = session.send(&req).map_err(Unreachable)? {
                match verdict(&outcome, is_health_ok) {
                    Verdict::Pass => limit.accepted = n.cookie_header,
                    Verdict::Refused(r) => limit.refused = Some((n.cookie_header, r)),
                }
            }
        }
    }
    Ok(limit)
}

pub(super) fn findings(
    limit: &CookieLimit,
    need: Option<&Need>,
    front: Stack,
    release: &Release,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let refuser = limit
        .refused
        .as_ref()
        .map(|(_, r)| r.stack)
        .filter(|s| *s != Stack::Unknown)
        .unwrap_or(front);
    let limit_text = match &limit.refused {
        Some((at, r)) => format!(
            "the largest Cookie header that reaches the app is {} bytes ({} bytes: {} from {})",
            limit.accepted,
            at,
            r.what,
            r.stack.name()
        ),
        None if limit.unfinished => format!("Cookie headers of {} bytes reach the app (the request budget ran out before the limit was found)", limit.accepted),
        None => format!("Cookie headers of up to {} bytes (all sizes tried) reach the app", limit.accepted),
    };
    match need {
        Some(n) if !limit.passes(n.cookie_header) => {
            // Behind the proxy's lower limit Streamlit's own cannot be seen
            // yet; the release says it is there.
            let streamlit = (release
                .websocket_cookie_limit()
                .is_some_and(|ws| n.cookie_header > ws)
                && refuser != Stack::StreamlitStarlette)
                .then(|| format!(
                    "and Streamlit's own WebSocket server ({}) reads header lines of at most 8 KiB: start Streamlit with WEBSOCKETS_MAX_LINE_LENGTH={} in its environment",
                    release.describe(),
                    stack::header_line_bytes(n.cookie_header)
                ));
            let fix = refuser.header_fix(n.cookie_header, streamlit);
            out.push(
                Finding::error(
                    "probe.cookie_limit",
                    format!("{limit_text}; a login needs {} bytes ({}), so it will fail here", n.cookie_header, n.source),
                )
                .why("After the login the browser sends Streamlit's login cookies (split into 4 KiB chunks) in one Cookie header; a stack that refuses it answers 400 or never loads the app (streamlit#14960).")
                .fix(fix),
            );
        }
        Some(n) => out.push(Finding::ok(
            "probe.cookie_limit",
            format!("{limit_text}; a login needs {} bytes ({})", n.cookie_header, n.source),
        )),
        None => out.push(
            Finding::info("probe.cookie_limit", limit_text)
                .why("stauth has no login to compare with: a login fits when its cookies stay under this size.")
                .fix("run `stauth test-login` for the app first (probe reads its record), or pass --report FILE, --claims FILE or --groups N"),
        ),
    }
    out
}

/// The callback's answer sets every login cookie at once: nginx must buffer
/// all those Set-Cookie lines, which its default cannot hold for a large
/// login. Not visible from outside, so a warning with the prediction.
pub(super) fn response_finding(need: &Need, front: Stack, base: &str) -> Option<Finding> {
    let fix = front.response_fix(need.set_cookie_bytes)?;
    Some(
        Finding::warning(
            "probe.response_headers",
            format!(
                "the login's answer (GET {base}{CALLBACK_PATH}) sets about {} bytes of cookies: past nginx's default proxy_buffer_size (4k or 8k) nginx answers 502 Bad Gateway (\"upstream sent too big header\") instead of logging in",
                need.set_cookie_bytes
            ),
        )
        .why("nginx's buffer for an upstream answer's headers cannot be seen from outside: stauth cannot tell whether it is already raised.")
        .fix(fix),
    )
}
