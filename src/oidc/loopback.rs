//! The loopback listener that receives the provider's redirect: bound to
//! loopback addresses only, on exactly the host, port and path of the
//! redirect URI. Requests that do not carry this login's state, or that are
//! not addressed to this machine (`Host`), get a 400 page and the listener
//! keeps waiting. The callback's own request is held open ([`Pending`]), so
//! the browser ends on the page of the login's outcome.
//!
//! It is a small HTTP/1.1 reader of its own rather than a general server, so
//! that what any local process can send is bounded: one thread, non-blocking
//! sockets, at most `CALLBACK_CONNECTIONS` held at once (the oldest is closed
//! for a new one), `CALLBACK_HEAD_BYTES` and `CALLBACK_HEAD_TIMEOUT` per
//! request head, and running out of file descriptors only slows accepting.

use std::collections::VecDeque;
use std::fmt;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use url::Url;

use super::id_token::constant_time_eq;
use super::url_policy::is_loopback_host;
use crate::limits::{CALLBACK_CONNECTIONS, CALLBACK_HEAD_BYTES, CALLBACK_HEAD_TIMEOUT};
use crate::pages::{self, Notice, Tone};
use crate::untrusted::Untrusted;

/// What came back from the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    Code(String),
    ProviderError {
        error: String,
        description: Option<String>,
        /// The provider left `state` out (some do on errors). Streamlit
        /// reads `error` before `state`, so it reports such an error too.
        state_missing: bool,
    },
}

/// Why a request was not the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stray {
    WrongPath(String),
    /// A `Host` header that is not this machine's loopback name and port
    /// (a page elsewhere steering a browser here, e.g. DNS rebinding).
    WrongHost(Option<String>),
    /// Not a readable HTTP/1.x request head.
    Malformed(HeadError),
    NoState,
    WrongState,
    NoCode,
}

impl Stray {
    /// The text quotes request data, made safe for a terminal.
    pub fn explain(&self) -> String {
        match self {
            Stray::WrongPath(p) => {
                format!("a request for {}, not the callback path", Untrusted(p))
            }
            Stray::WrongHost(Some(h)) => format!(
                "a request addressed to host {} instead of this machine's loopback address and port",
                Untrusted(h)
            ),
            Stray::WrongHost(None) => "a request without a Host header".into(),
            Stray::Malformed(e) => format!("a request that is not valid HTTP ({e})"),
            Stray::NoState => "a callback without state".into(),
            Stray::WrongState => {
                "a callback whose state does not match this login (forged or from an older attempt)"
                    .into()
            }
            Stray::NoCode => "a callback without code or error".into(),
        }
    }

    /// The HTTP status the listener answered it with.
    pub fn status(&self) -> u16 {
        match self {
            Stray::WrongPath(_) => 404,
            _ => 400,
        }
    }
}

/// Judges one callback request (`path?query`) against the login's state,
/// comparing the state in constant time.
pub fn classify(path_and_query: &str, expected_path: &str, state: &str) -> Result<Callback, Stray> {
    let url = Url::parse(&format!("http://loopback{path_and_query}"))
        .map_err(|_| Stray::WrongPath(path_and_query.into()))?;
    // `//evil.example/cb` would otherwise parse as another host with path /cb.
    if url.host_str() != Some("loopback") || url.port().is_some() {
        return Err(Stray::WrongPath(path_and_query.into()));
    }
    if url.path() != expected_path {
        return Err(Stray::WrongPath(url.path().into()));
    }
    let get = |k: &str| {
        url.query_pairs()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.into_owned())
    };
    let Some(got_state) = get("state") else {
        // An error without state ends the wait as Streamlit ends the login;
        // a wrong state below stays a stray, so a forged page cannot.
        return match get("error") {
            Some(error) => Ok(Callback::ProviderError {
                error,
                description: get("error_description"),
                state_missing: true,
            }),
            None => Err(Stray::NoState),
        };
    };
    if !constant_time_eq(got_state.as_bytes(), state.as_bytes()) {
        return Err(Stray::WrongState);
    }
    if let Some(error) = get("error") {
        return Ok(Callback::ProviderError {
            error,
            description: get("error_description"),
            state_missing: false,
        });
    }
    get("code").map(Callback::Code).ok_or(Stray::NoCode)
}

/// The parts of a request head the listener uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    pub method: String,
    /// The request target, origin-form (`/path?query`).
    pub target: String,
    /// The `Host` header, when there is exactly one.
    pub host: Option<String>,
    /// Bytes of `buf` the head took, blank line included.
    pub len: usize,
}

/// Why bytes are not (yet) a request head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadError {
    /// No blank line yet: more bytes may complete it.
    Incomplete,
    /// No blank line within `CALLBACK_HEAD_BYTES`.
    TooLarge,
    BadRequestLine,
    BadVersion,
    BadTarget,
    BadHeader,
    DuplicateHost,
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            HeadError::Incomplete => "the request head is incomplete",
            HeadError::TooLarge => {
                return write!(
                    f,
                    "the request head is larger than {}",
                    crate::limits::human_size(CALLBACK_HEAD_BYTES)
                )
            }
            HeadError::BadRequestLine => "malformed request line",
            HeadError::BadVersion => "not HTTP/1.0 or HTTP/1.1",
            HeadError::BadTarget => "the request target is not a path",
            HeadError::BadHeader => "malformed header line",
            HeadError::DuplicateHost => "more than one Host header",
        };
        f.write_str(text)
    }
}

/// `tchar` of RFC 9110: the characters of a method or header name.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Parses the request head at the start of `buf` (what has arrived on a
/// connection so far): request line, then headers up to the blank line.
/// Lines end in CRLF or LF. Never reads past `CALLBACK_HEAD_BYTES`; any input
/// gives a result, never a panic.
pub fn parse_request_head(buf: &[u8]) -> Result<RequestHead, HeadError> {
    let cap = usize::try_from(CALLBACK_HEAD_BYTES).unwrap_or(usize::MAX);
    let window = &buf[..buf.len().min(cap)];
    // The head ends at the first empty line (LF, optionally preceded by CR).
    let mut lines = Vec::new();
    let mut start = 0;
    let mut end = None;
    while let Some(i) = window[start..].iter().position(|&b| b == b'\n') {
        let line = &window[start..start + i];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        start += i + 1;
        if line.is_empty() {
            end = Some(start);
            break;
        }
        lines.push(line);
    }
    let Some(len) = end else {
        return Err(if buf.len() >= cap {
            HeadError::TooLarge
        } else {
            HeadError::Incomplete
        });
    };
    let (request_line, headers) = lines.split_first().ok_or(HeadError::BadRequestLine)?;
    let mut parts = request_line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::BadRequestLine);
    };
    if method.is_empty() || !method.iter().all(|&b| is_token_byte(b)) {
        return Err(HeadError::BadRequestLine);
    }
    if version != b"HTTP/1.1" && version != b"HTTP/1.0" {
        return Err(HeadError::BadVersion);
    }
    // Origin-form only, visible ASCII only: a browser percent-encodes the rest.
    if target.first() != Some(&b'/') || !target.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(HeadError::BadTarget);
    }
    let mut host = None;
    for line in headers {
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or(HeadError::BadHeader)?;
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        // An empty name, or whitespace before the colon or at the start of
        // the line (obsolete line folding), is refused as RFC 9112 asks.
        if name.is_empty() || !name.iter().all(|&b| is_token_byte(b)) {
            return Err(HeadError::BadHeader);
        }
        if value
            .iter()
            .any(|&b| b == 0 || b == b'\r' || b == 0x7f || (b < 0x20 && b != b'\t'))
        {
            return Err(HeadError::BadHeader);
        }
        if name.eq_ignore_ascii_case(b"host") {
            if host.is_some() {
                return Err(HeadError::DuplicateHost);
            }
            let value = value.trim_ascii();
            host = Some(String::from_utf8_lossy(value).into_owned());
        }
    }
    Ok(RequestHead {
        method: String::from_utf8_lossy(method).into_owned(),
        target: String::from_utf8_lossy(target).into_owned(),
        host,
        len,
    })
}

/// Whether a `Host` header names this machine's loopback interface on
/// `port`: `localhost`, a loopback IPv4 address or `[::1]`, with the port
/// (which may be left out only when it is 80).
pub fn host_is_loopback(host: &str, port: u16) -> bool {
    let (name, port_text) = if let Some(rest) = host.strip_prefix('[') {
        let Some((inner, after)) = rest.split_once(']') else {
            return false;
        };
        if !inner.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback()) {
            return false;
        }
        let port_text = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(p) => Some(p),
                None => return false,
            },
        };
        (host, port_text)
    } else {
        match host.split_once(':') {
            Some((name, p)) => (name, Some(p)),
            None => (host, None),
        }
    };
    let name_ok = if name.starts_with('[') {
        true
    } else {
        name.eq_ignore_ascii_case("localhost")
            || name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
    };
    let port_ok = match port_text {
        None => port == 80,
        Some(p) => {
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>() == Ok(port)
        }
    };
    name_ok && port_ok
}

#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("redirect_uri host '{host}' is not on this machine, so stauth cannot receive the provider's redirect there")]
    NotLoopback { host: String },
    #[error("port {port} on {addr} is already in use")]
    InUse { addr: IpAddr, port: u16 },
    #[error("cannot listen on {addr}: {detail}")]
    Other { addr: SocketAddr, detail: String },
}

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// `strays`: how many requests were answered but were not the callback.
    #[error("no login came back within the time given")]
    TimedOut { strays: usize },
}

/// How long the loop sleeps when nothing happened (the browser's callback
/// waits at most this long before it is read).
const IDLE_SLEEP: Duration = Duration::from_millis(10);
/// After an accept error such as "too many open files": a pause, so the loop
/// does not spin while the pending connection stays in the queue.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// Connections accepted per listening socket before the held ones are read
/// again: a new connection is read before it can be pushed out by newer ones.
const ACCEPT_BURST: usize = 16;
/// A response is a few KiB and fits in the socket buffer; a peer that does
/// not read it is not waited for longer than this.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);
/// A read buffer step.
const READ_CHUNK: usize = 2048;

pub struct Listener {
    sockets: Vec<TcpListener>,
    pub addresses: Vec<SocketAddr>,
    path: String,
    port: u16,
}

/// One accepted connection whose request head is still arriving.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    deadline: Instant,
}

/// What reading a connection gave.
enum Progress {
    Waiting,
    /// Closed by the peer or timed out before a whole head: dropped quietly.
    Gone,
    Head(RequestHead),
    Bad(HeadError),
}

impl Conn {
    fn read(&mut self, now: Instant) -> Progress {
        let cap = usize::try_from(CALLBACK_HEAD_BYTES).unwrap_or(usize::MAX);
        let mut chunk = [0u8; READ_CHUNK];
        loop {
            let room = cap.saturating_sub(self.buf.len()).min(READ_CHUNK);
            if room == 0 {
                break;
            }
            match self.stream.read(&mut chunk[..room]) {
                Ok(0) => return Progress::Gone,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return Progress::Gone,
            }
        }
        match parse_request_head(&self.buf) {
            Ok(head) => Progress::Head(head),
            Err(HeadError::Incomplete) if now >= self.deadline => Progress::Gone,
            Err(HeadError::Incomplete) => Progress::Waiting,
            Err(e) => Progress::Bad(e),
        }
    }
}

/// Accept errors that mean "out of descriptors or memory for now".
fn out_of_resources(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(
            e.raw_os_error(),
            Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
        )
    }
    #[cfg(not(unix))]
    {
        e.kind() == ErrorKind::OutOfMemory
    }
}

impl Listener {
    /// Listens on the redirect URI's loopback host and port. `localhost` gets
    /// both 127.0.0.1 and ::1 (where the machine has IPv6).
    pub fn bind(redirect: &Url) -> Result<Listener, ListenError> {
        let host = redirect.host_str().unwrap_or_default().to_string();
        if !is_loopback_host(&host) {
            return Err(ListenError::NotLoopback { host });
        }
        let port = redirect.port_or_known_default().unwrap_or(80);
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<(IpAddr, bool)> = if bare.eq_ignore_ascii_case("localhost") {
            vec![
                (IpAddr::V4(Ipv4Addr::LOCALHOST), true),
                (IpAddr::V6(Ipv6Addr::LOCALHOST), false),
            ]
        } else {
            let ip = bare
                .parse::<IpAddr>()
                .map_err(|_| ListenError::NotLoopback { host: host.clone() })?;
            vec![(ip, true)]
        };
        let mut sockets = Vec::new();
        let mut addresses = Vec::new();
        for (ip, required) in addrs {
            let addr = SocketAddr::new(ip, port);
            match TcpListener::bind(addr) {
                Ok(listener) => {
                    listener
                        .set_nonblocking(true)
                        .map_err(|e| ListenError::Other {
                            addr,
                            detail: e.to_string(),
                        })?;
                    sockets.push(listener);
                    addresses.push(addr);
                }
                Err(e) if e.kind() == ErrorKind::AddrInUse => {
                    return Err(ListenError::InUse { addr: ip, port })
                }
                // No IPv6 on this machine: 127.0.0.1 alone will do for localhost.
                Err(_) if !required => {}
                Err(e) => {
                    return Err(ListenError::Other {
                        addr,
                        detail: e.to_string(),
                    })
                }
            }
        }
        Ok(Listener {
            sockets,
            addresses,
            path: redirect.path().to_string(),
            port,
        })
    }

    /// Waits for this login's callback until `deadline`, calling `tick` with
    /// the time left about once a second. Stray requests are answered (404
    /// for another path, 400 otherwise) and reported through `on_stray`.
    /// The callback's own connection is left open, for the caller to answer
    /// with the outcome of the login ([`Pending`]).
    pub fn wait(
        &self,
        state: &str,
        deadline: Instant,
        mut tick: impl FnMut(Duration),
        mut on_stray: impl FnMut(&Stray),
    ) -> Result<(Callback, Pending), WaitError> {
        let mut strays = 0usize;
        // Oldest first, so the one to close for a newcomer is at the front.
        let mut conns: VecDeque<Conn> = VecDeque::new();
        let mut next_tick = Instant::now();
        loop {
            let now = Instant::now();
            let left = deadline.saturating_duration_since(now);
            if left.is_zero() {
                return Err(WaitError::TimedOut { strays });
            }
            if now >= next_tick {
                tick(left);
                next_tick = now + Duration::from_secs(1);
            }

            let mut busy = false;
            let mut backoff = false;
            for socket in &self.sockets {
                for _ in 0..ACCEPT_BURST {
                    match socket.accept() {
                        Ok((stream, _)) => {
                            busy = true;
                            if stream.set_nonblocking(true).is_err() {
                                continue;
                            }
                            if conns.len() >= CALLBACK_CONNECTIONS {
                                conns.pop_front();
                            }
                            conns.push_back(Conn {
                                stream,
                                buf: Vec::new(),
                                deadline: now + CALLBACK_HEAD_TIMEOUT,
                            });
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) => {
                            // Out of descriptors: give one back (the oldest
                            // idle connection) and retry shortly. Other errors
                            // (a peer that gave up) concern one connection only.
                            if out_of_resources(&e) {
                                conns.pop_front();
                                backoff = true;
                            }
                            break;
                        }
                    }
                }
            }

            let mut i = 0;
            while i < conns.len() {
                let progress = conns[i].read(now);
                if matches!(progress, Progress::Waiting) {
                    i += 1;
                    continue;
                }
                busy = true;
                let Some(conn) = conns.remove(i) else { break };
                let result = match progress {
                    Progress::Waiting | Progress::Gone => continue,
                    Progress::Bad(e) => Err(Stray::Malformed(e)),
                    Progress::Head(head) => self.judge(&head, state),
                };
                match result {
                    Ok(callback) => {
                        let pending = Pending::hold(conn.stream, &callback, ANSWER_WITHIN);
                        return Ok((callback, pending));
                    }
                    Err(stray) => {
                        let page = pages::test_login_notice(
                            &Notice::new(
                                "Not the login stauth is waiting for",
                                format!(
                                    "stauth ignored {} and keeps waiting for the real callback.",
                                    stray.explain()
                                ),
                            ),
                            Tone::Error,
                        );
                        respond(conn.stream, stray.status(), &page);
                        on_stray(&stray);
                        strays += 1;
                    }
                }
            }

            if backoff {
                std::thread::sleep(ACCEPT_BACKOFF);
            } else if !busy {
                std::thread::sleep(IDLE_SLEEP.min(left));
            }
        }
    }

    /// The request's Host first (a page elsewhere must not deliver a login
    /// here), then path and state.
    fn judge(&self, head: &RequestHead, state: &str) -> Result<Callback, Stray> {
        match head.host.as_deref() {
            Some(h) if host_is_loopback(h, self.port) => {}
            other => return Err(Stray::WrongHost(other.map(str::to_string))),
        }
        classify(&head.target, &self.path, state)
    }
}

/// The browser's callback request, held open until the login's outcome is
/// known. Whatever happens, the browser gets an answer: the caller's page
/// ([`Pending::answer`]); a "see the terminal" page when that takes longer
/// than the deadline given to [`Pending::hold`]; the same page when the
/// `Pending` is dropped unanswered (an early return, a panic).
pub struct Pending {
    stream: Arc<Mutex<Option<TcpStream>>>,
    fallback: String,
    /// Dropping it wakes the deadline thread, which then ends.
    _wake: mpsc::Sender<()>,
}

/// How long a held callback waits for its page before it gets the fallback.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(20);

impl Pending {
    fn hold(stream: TcpStream, callback: &Callback, within: Duration) -> Pending {
        let stream = Arc::new(Mutex::new(Some(stream)));
        let fallback = waiting_page(callback);
        let (wake, woken) = mpsc::channel::<()>();
        let slot = Arc::clone(&stream);
        let late = fallback.clone();
        std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = woken.recv_timeout(within) {
                if let Some(s) = take(&slot) {
                    respond(s, 200, &late);
                }
            }
        });
        Pending {
            stream,
            fallback,
            _wake: wake,
        }
    }

    /// Answers the browser with `body` (an HTML page), unless the deadline
    /// already answered it. Whether this page was the one sent.
    pub fn answer(self, status: u16, body: &str) -> bool {
        match take(&self.stream) {
            Some(s) => {
                respond(s, status, body);
                true
            }
            None => false,
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(s) = take(&self.stream) {
            respond(s, 200, &self.fallback);
        }
    }
}

fn take(slot: &Mutex<Option<TcpStream>>) -> Option<TcpStream> {
    match slot.lock() {
        Ok(mut guard) => guard.take(),
        Err(poisoned) => poisoned.into_inner().take(),
    }
}

/// The page for a callback whose report is not (yet) there.
fn waiting_page(callback: &Callback) -> String {
    let notice = match callback {
        Callback::Code(_) => Notice::new(
            "Login received",
            "stauth received the login and is checking it: the terminal shows the report. You can close this tab.",
        ),
        Callback::ProviderError {
            error, description, ..
        } => Notice::new(
            "The provider reported an error",
            format!(
                "{}{}. Go back to the terminal for what it means and how to fix it.",
                Untrusted(error),
                description
                    .as_deref()
                    .map(|d| format!(": {}", Untrusted(d)))
                    .unwrap_or_default()
            ),
        ),
    };
    let tone = match callback {
        Callback::Code(_) => Tone::Info,
        Callback::ProviderError { .. } => Tone::Error,
    };
    pages::test_login_notice(&notice, tone)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    }
}

/// Writes the whole response and closes the connection.
fn respond(mut stream: TcpStream, status: u16, body: &str) {
    let head = format!(
        "HTTP/1.1 {status} {}\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Cache-Control: no-store\r\n\
         Referrer-Policy: no-referrer\r\n\
         Content-Security-Policy: {}\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Connection: close\r\n\r\n",
        reason(status),
        body.len(),
        pages::content_security_policy()
    );
    if stream.set_nonblocking(false).is_err()
        || stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err()
    {
        return;
    }
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .and_then(|()| stream.flush());
    let _ = stream.shutdown(Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn classifies_callbacks() {
        let p = "/oauth2callback";
        assert_eq!(
            classify("/oauth2callback?code=c&state=s1", p, "s1"),
            Ok(Callback::Code("c".into()))
        );
        assert_eq!(
            classify("/oauth2callback?code=c", p, "s1"),
            Err(Stray::NoState)
        );
        assert_eq!(
            classify("/oauth2callback?code=c&state=s2", p, "s1"),
            Err(Stray::WrongState)
        );
        assert_eq!(
            classify("/favicon.ico", p, "s1"),
            Err(Stray::WrongPath("/favicon.ico".into()))
        );
        assert_eq!(
            classify(
                "/oauth2callback?error=access_denied&error_description=no&state=s1",
                p,
                "s1"
            ),
            Ok(Callback::ProviderError {
                state_missing: false,
                error: "access_denied".into(),
                description: Some("no".into())
            })
        );
        // Some providers leave state out of an error: it still ends the wait.
        assert_eq!(
            classify("/oauth2callback?error=invalid_request", p, "s1"),
            Ok(Callback::ProviderError {
                state_missing: true,
                error: "invalid_request".into(),
                description: None
            })
        );
        assert_eq!(
            classify("/oauth2callback?code=c", p, "s1"),
            Err(Stray::NoState)
        );
        // An error with a wrong state is a stray, not the provider's answer.
        assert_eq!(
            classify("/oauth2callback?error=x&state=bad", p, "s1"),
            Err(Stray::WrongState)
        );
        // A target that the URL parser would read as another host.
        assert!(matches!(
            classify("//evil.example/oauth2callback?code=c&state=s1", p, "s1"),
            Err(Stray::WrongPath(_))
        ));
    }

    #[test]
    fn explanations_escape_request_data() {
        let s = Stray::WrongHost(Some("evil\x1b[2J\u{202e}".into()));
        let text = s.explain();
        assert!(
            !text.contains('\x1b') && !text.contains('\u{202e}'),
            "{text}"
        );
        assert!(text.contains("evil\\x1b[2J\\u{202e}"), "{text}");
        assert_eq!(Stray::WrongPath("/x".into()).status(), 404);
        assert_eq!(Stray::WrongState.status(), 400);
    }

    #[test]
    fn parses_request_heads() {
        let buf =
            b"GET /cb?code=c&state=s HTTP/1.1\r\nHost: localhost:8501\r\nUser-Agent: x\r\n\r\nrest";
        let head = parse_request_head(buf).unwrap();
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/cb?code=c&state=s");
        assert_eq!(head.host.as_deref(), Some("localhost:8501"));
        assert_eq!(&buf[head.len..], b"rest");
        // Bare LF line ends, no Host.
        let head = parse_request_head(b"GET / HTTP/1.0\n\n").unwrap();
        assert_eq!(head.host, None);

        let err = |b: &[u8]| parse_request_head(b).unwrap_err();
        assert_eq!(err(b""), HeadError::Incomplete);
        assert_eq!(
            err(b"GET /oauth2callback?state=AAAA HTTP/1.1\r\nHost: localhost\r\n"),
            HeadError::Incomplete
        );
        assert_eq!(err(b"\r\n"), HeadError::BadRequestLine);
        assert_eq!(err(b"GET /\r\n\r\n"), HeadError::BadRequestLine);
        assert_eq!(err(b"GET  / HTTP/1.1\r\n\r\n"), HeadError::BadRequestLine);
        assert_eq!(err(b"GET / HTTP/2.0\r\n\r\n"), HeadError::BadVersion);
        assert_eq!(
            err(b"GET http://evil/cb HTTP/1.1\r\n\r\n"),
            HeadError::BadTarget
        );
        assert_eq!(err(b"GET /a\x1bb HTTP/1.1\r\n\r\n"), HeadError::BadTarget);
        assert_eq!(
            err(b"GET / HTTP/1.1\r\n folded\r\n\r\n"),
            HeadError::BadHeader
        );
        assert_eq!(
            err(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
            HeadError::BadHeader
        );
        assert_eq!(
            err(b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"),
            HeadError::DuplicateHost
        );
        let mut big = b"GET / HTTP/1.1\r\nX: ".to_vec();
        big.resize(CALLBACK_HEAD_BYTES as usize + 10, b'a');
        assert_eq!(err(&big), HeadError::TooLarge);
    }

    #[test]
    fn only_loopback_hosts_with_the_port() {
        for ok in [
            "localhost:8501",
            "LOCALHOST:8501",
            "127.0.0.1:8501",
            "127.0.0.2:8501",
            "[::1]:8501",
        ] {
            assert!(host_is_loopback(ok, 8501), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8501",
            "localhost",
            "localhost:8502",
            "localhost:",
            "localhost:+8501",
            "localhost.evil.example:8501",
            "10.0.0.1:8501",
            "[::2]:8501",
            "[::1]",
            "[::1]x8501",
            "::1:8501",
            "",
        ] {
            assert!(!host_is_loopback(bad, 8501), "{bad}");
        }
        assert!(host_is_loopback("localhost", 80));
        assert!(host_is_loopback("[::1]", 80));
    }

    proptest! {
        #[test]
        fn the_request_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse_request_head(&bytes);
        }

        #[test]
        fn heads_that_look_like_http_never_panic(
            line in "[A-Z]{0,7} [ -~]{0,40} HTTP/1\\.[0-2]",
            headers in proptest::collection::vec("[ -~\t\r]{0,30}", 0..6),
            host in "[ -~]{0,30}",
        ) {
            let mut text = line;
            for h in &headers {
                text.push_str("\r\n");
                text.push_str(h);
            }
            text.push_str("\r\n\r\n");
            let bytes = text.as_bytes();
            if let Ok(head) = parse_request_head(bytes) {
                // Until its last byte has arrived, a head is incomplete.
                prop_assert!(head.len <= bytes.len());
                prop_assert_eq!(
                    parse_request_head(&bytes[..head.len - 1]),
                    Err(HeadError::Incomplete)
                );
            }
            let _ = host_is_loopback(&host, 8501);
        }
    }

    #[test]
    fn pages_escape_reflected_text() {
        let html = pages::test_login_notice(
            &Notice::new("t", "<script>alert('x')</script> & \"q\""),
            Tone::Error,
        );
        assert!(
            html.contains(
                "&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; &amp; &quot;q&quot;"
            ),
            "{html}"
        );
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn refuses_non_loopback_and_reports_port_in_use() {
        let remote = Url::parse("https://app.example.com/oauth2callback").unwrap();
        assert!(matches!(
            Listener::bind(&remote),
            Err(ListenError::NotLoopback { .. })
        ));
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let url = Url::parse(&format!("http://127.0.0.1:{port}/oauth2callback")).unwrap();
        assert!(
            matches!(Listener::bind(&url), Err(ListenError::InUse { port: p, .. }) if p == port)
        );
    }

    fn listen() -> (Listener, u16) {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = probe.local_addr().unwrap().port();
        drop(probe);
        let url = Url::parse(&format!("http://localhost:{port}/cb")).unwrap();
        let listener = Listener::bind(&url).unwrap();
        assert!(listener.addresses.iter().all(|a| a.ip().is_loopback()));
        (listener, port)
    }

    fn get(port: u16, target: &str, host: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn receives_a_callback_after_stray_requests() {
        let (listener, port) = listen();
        let t = std::thread::spawn(move || {
            let here = format!("localhost:{port}");
            let stray = get(port, "/cb?code=x&state=forged", &here);
            let other = get(port, "/favicon.ico", &here);
            let evil = get(port, "/cb?code=x&state=s1", "evil.example");
            let real = get(port, "/cb?code=real&state=s1", &here);
            (stray, other, evil, real)
        });
        let mut seen = Vec::new();
        let got = listener
            .wait(
                "s1",
                Instant::now() + Duration::from_secs(10),
                |_| {},
                |s| seen.push(s.clone()),
            )
            .map(|(callback, _answered_on_drop)| callback)
            .unwrap();
        let (stray, other, evil, real) = t.join().unwrap();
        assert_eq!(got, Callback::Code("real".into()));
        assert_eq!(
            seen,
            vec![
                Stray::WrongState,
                Stray::WrongPath("/favicon.ico".into()),
                Stray::WrongHost(Some("evil.example".into()))
            ]
        );
        assert!(stray.starts_with("HTTP/1.1 400"), "{stray}");
        assert!(other.starts_with("HTTP/1.1 404"), "{other}");
        assert!(evil.starts_with("HTTP/1.1 400"), "{evil}");
        assert!(evil.contains("evil.example"), "{evil}");
        assert!(real.starts_with("HTTP/1.1 200"), "{real}");
    }

    /// More idle half-sent connections than the listener holds: the oldest
    /// are closed, and the real callback still gets through.
    #[test]
    fn a_flood_of_idle_connections_does_not_block_the_callback() {
        let (listener, port) = listen();
        let t = std::thread::spawn(move || {
            let flood: Vec<TcpStream> = (0..CALLBACK_CONNECTIONS * 3)
                .map(|_| {
                    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                    s.write_all(b"GET /cb?state=AAAA HTTP/1.1\r\n").unwrap();
                    s
                })
                .collect();
            let real = get(port, "/cb?code=real&state=s1", &format!("localhost:{port}"));
            (flood, real)
        });
        let got = listener
            .wait(
                "s1",
                Instant::now() + Duration::from_secs(20),
                |_| {},
                |_| {},
            )
            .map(|(callback, _answered_on_drop)| callback)
            .unwrap();
        let (_flood, real) = t.join().unwrap();
        assert_eq!(got, Callback::Code("real".into()));
        assert!(real.starts_with("HTTP/1.1 200"), "{real}");
    }

    /// A connection that never sends its request is closed after the deadline.
    #[test]
    fn an_idle_connection_is_closed_after_the_deadline() {
        let (listener, port) = listen();
        let t = std::thread::spawn(move || {
            let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
            idle.set_read_timeout(Some(CALLBACK_HEAD_TIMEOUT * 3))
                .unwrap();
            let start = Instant::now();
            let mut buf = [0u8; 16];
            let n = idle.read(&mut buf);
            let waited = start.elapsed();
            let real = get(port, "/cb?code=real&state=s1", &format!("localhost:{port}"));
            (n.ok(), waited, real)
        });
        let got = listener
            .wait(
                "s1",
                Instant::now() + Duration::from_secs(30),
                |_| {},
                |_| {},
            )
            .map(|(callback, _answered_on_drop)| callback)
            .unwrap();
        let (n, waited, real) = t.join().unwrap();
        assert_eq!(n, Some(0), "closed, nothing sent");
        assert!(
            waited >= CALLBACK_HEAD_TIMEOUT - Duration::from_millis(100)
                && waited < CALLBACK_HEAD_TIMEOUT + Duration::from_secs(2),
            "{waited:?}"
        );
        assert_eq!(got, Callback::Code("real".into()));
        assert!(real.starts_with("HTTP/1.1 200"), "{real}");
    }

    /// A connected pair: (the client's end, the listener's end).
    fn pair() -> (TcpStream, TcpStream) {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (server, _) = l.accept().unwrap();
        (client, server)
    }

    fn read_all(mut s: TcpStream) -> String {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn a_held_callback_gets_the_callers_page() {
        let (client, server) = pair();
        let pending = Pending::hold(server, &Callback::Code("c".into()), ANSWER_WITHIN);
        assert!(pending.answer(200, "<p>the report</p>"));
        let got = read_all(client);
        assert!(got.starts_with("HTTP/1.1 200 OK"), "{got}");
        assert!(got.ends_with("\r\n\r\n<p>the report</p>"), "{got}");
        assert!(got.contains(pages::content_security_policy()), "{got}");
    }

    #[test]
    fn a_slow_report_gets_the_waiting_page_at_the_deadline() {
        let (client, server) = pair();
        let start = Instant::now();
        let pending = Pending::hold(
            server,
            &Callback::Code("c".into()),
            Duration::from_millis(200),
        );
        let got = read_all(client);
        assert!(start.elapsed() >= Duration::from_millis(200));
        assert!(got.contains("Login received"), "{got}");
        assert!(got.contains("the terminal shows the report"), "{got}");
        assert!(!pending.answer(200, "late"));
    }

    #[test]
    fn an_unanswered_callback_is_answered_when_dropped() {
        let (client, server) = pair();
        let error = Callback::ProviderError {
            error: "access_denied<b>".into(),
            description: Some("\x1b[2J".into()),
            state_missing: false,
        };
        drop(Pending::hold(server, &error, ANSWER_WITHIN));
        let got = read_all(client);
        assert!(got.contains("The provider reported an error"), "{got}");
        assert!(got.contains("access_denied&lt;b&gt;: \\x1b[2J"), "{got}");
    }
}
