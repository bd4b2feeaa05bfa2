//! The loopback listener that receives the provider's redirect: bound to
//! loopback addresses only, on exactly the host, port and path of the
//! redirect URI. Requests that do not carry this login's state get a 400 page
//! and the listener keeps waiting.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use url::Url;

use super::id_token::constant_time_eq;
use super::url_policy::is_loopback_host;

/// What came back from the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    Code(String),
    ProviderError {
        error: String,
        description: Option<String>,
    },
}

/// Why a request was not the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stray {
    WrongPath(String),
    NoState,
    WrongState,
    NoCode,
}

impl Stray {
    pub fn explain(&self) -> String {
        match self {
            Stray::WrongPath(p) => format!("a request for {p}, not the callback path"),
            Stray::NoState => "a callback without state".into(),
            Stray::WrongState => {
                "a callback whose state does not match this login (forged or from an older attempt)"
                    .into()
            }
            Stray::NoCode => "a callback without code or error".into(),
        }
    }
}

/// Judges one callback request (`path?query`) against the login's state,
/// comparing the state in constant time.
pub fn classify(path_and_query: &str, expected_path: &str, state: &str) -> Result<Callback, Stray> {
    let url = Url::parse(&format!("http://loopback{path_and_query}"))
        .map_err(|_| Stray::WrongPath(path_and_query.into()))?;
    if url.path() != expected_path {
        return Err(Stray::WrongPath(url.path().into()));
    }
    let get = |k: &str| {
        url.query_pairs()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.into_owned())
    };
    let Some(got_state) = get("state") else {
        return Err(Stray::NoState);
    };
    if !constant_time_eq(got_state.as_bytes(), state.as_bytes()) {
        return Err(Stray::WrongState);
    }
    if let Some(error) = get("error") {
        return Ok(Callback::ProviderError {
            error,
            description: get("error_description"),
        });
    }
    get("code").map(Callback::Code).ok_or(Stray::NoCode)
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
    #[error("no login came back within {secs} s")]
    TimedOut { secs: u64, strays: Vec<Stray> },
}

pub struct Listener {
    servers: Vec<Arc<tiny_http::Server>>,
    requests: Receiver<tiny_http::Request>,
    pub addresses: Vec<SocketAddr>,
    path: String,
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
        let (tx, requests) = mpsc::channel();
        let mut servers = Vec::new();
        let mut addresses = Vec::new();
        for (ip, required) in addrs {
            let addr = SocketAddr::new(ip, port);
            match std::net::TcpListener::bind(addr) {
                Ok(listener) => {
                    let server = tiny_http::Server::from_listener(listener, None).map_err(|e| {
                        ListenError::Other {
                            addr,
                            detail: e.to_string(),
                        }
                    })?;
                    let server = Arc::new(server);
                    let (s, tx) = (Arc::clone(&server), tx.clone());
                    std::thread::spawn(move || {
                        while let Ok(request) = s.recv() {
                            if tx.send(request).is_err() {
                                break;
                            }
                        }
                    });
                    servers.push(server);
                    addresses.push(addr);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
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
            servers,
            requests,
            addresses,
            path: redirect.path().to_string(),
        })
    }

    /// Waits for this login's callback until `deadline`, calling `tick` with
    /// the time left about once a second. Stray requests are answered with 400
    /// and reported through `on_stray`.
    pub fn wait(
        &self,
        state: &str,
        deadline: Instant,
        mut tick: impl FnMut(Duration),
        mut on_stray: impl FnMut(&Stray),
    ) -> Result<Callback, WaitError> {
        let mut strays = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(WaitError::TimedOut { secs: 0, strays });
            }
            tick(left);
            let request = match self.requests.recv_timeout(left.min(Duration::from_secs(1))) {
                Ok(r) => r,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(WaitError::TimedOut { secs: 0, strays })
                }
            };
            match classify(request.url(), &self.path, state) {
                Ok(callback) => {
                    let page = match &callback {
                        Callback::Code(_) => page(
                            "Login received",
                            "stauth received the login. You can close this tab and go back to the terminal.",
                        ),
                        Callback::ProviderError { error, description } => page(
                            "The provider reported an error",
                            &format!(
                                "{error}{}. Go back to the terminal for what it means and how to fix it.",
                                description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
                            ),
                        ),
                    };
                    respond(request, 200, page);
                    return Ok(callback);
                }
                Err(stray) => {
                    respond(
                        request,
                        if matches!(stray, Stray::WrongPath(_)) {
                            404
                        } else {
                            400
                        },
                        page(
                            "Not the login stauth is waiting for",
                            &format!(
                                "stauth ignored {} and keeps waiting for the real callback.",
                                stray.explain()
                            ),
                        ),
                    );
                    on_stray(&stray);
                    strays.push(stray);
                }
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        for s in &self.servers {
            s.unblock();
        }
    }
}

fn respond(request: tiny_http::Request, status: u16, body: String) {
    let headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "no-referrer"),
        (
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ),
    ];
    let mut response = tiny_http::Response::from_string(body).with_status_code(status);
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

/// A small page; every reflected text is escaped.
fn page(title: &str, message: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>stauth: {t}</title></head>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\"><h1>{t}</h1><p>{m}</p></body></html>",
        t = escape_html(title),
        m = escape_html(message)
    )
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
                error: "access_denied".into(),
                description: Some("no".into())
            })
        );
        // An error with a wrong state is a stray, not the provider's answer.
        assert_eq!(
            classify("/oauth2callback?error=x&state=bad", p, "s1"),
            Err(Stray::WrongState)
        );
    }

    #[test]
    fn pages_escape_reflected_text() {
        let html = page("t", "<script>alert('x')</script> & \"q\"");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
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

    #[test]
    fn receives_a_callback_after_a_stray_request() {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = probe.local_addr().unwrap().port();
        drop(probe);
        let url = Url::parse(&format!("http://localhost:{port}/cb")).unwrap();
        let listener = Listener::bind(&url).unwrap();
        assert!(listener.addresses.iter().all(|a| a.ip().is_loopback()));
        let t = std::thread::spawn(move || {
            let get = |q: &str| {
                use std::io::{Read, Write};
                let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
                write!(
                    s,
                    "GET {q} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut out = String::new();
                s.read_to_string(&mut out).unwrap();
                out
            };
            let stray = get("/cb?code=x&state=forged");
            let real = get("/cb?code=real&state=s1");
            (stray, real)
        });
        let mut seen = Vec::new();
        let got = listener
            .wait(
                "s1",
                Instant::now() + Duration::from_secs(10),
                |_| {},
                |s| seen.push(s.clone()),
            )
            .unwrap();
        let (stray, real) = t.join().unwrap();
        assert_eq!(got, Callback::Code("real".into()));
        assert_eq!(seen, vec![Stray::WrongState]);
        assert!(stray.starts_with("HTTP/1.1 400"), "{stray}");
        assert!(real.starts_with("HTTP/1.1 200"), "{real}");
    }
}
