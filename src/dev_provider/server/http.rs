//! A small, strict HTTP/1.1 reader and writer: the head and the body are
//! capped, every read has a deadline, one request per connection. Written
//! here rather than taken from a crate so that a slow or endless client
//! cannot hold a worker or grow memory.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The request line and headers (a browser's are well under 8 KiB).
pub(super) const HEAD_BYTES: usize = 16 * 1024;
/// A request body: forms and token requests are small.
pub(super) const BODY_BYTES: usize = 64 * 1024;
/// The whole request must arrive within this.
pub(super) const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// One read or write may wait this long.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a new connection may stay silent: clients send at once, and an
/// idle one (a browser's spare connection) must not hold a worker long.
const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub(super) struct Request {
    pub method: String,
    /// The path without the query.
    pub path: String,
    pub query: String,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A cookie's value (the first of that name).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The query's parameters, then the form body's (POST).
    pub fn params(&self) -> Params {
        let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .collect();
        if self.method == "POST" {
            pairs.extend(url::form_urlencoded::parse(&self.body).into_owned());
        }
        Params(pairs)
    }

    /// The form body alone.
    pub fn form(&self) -> Params {
        Params(
            url::form_urlencoded::parse(&self.body)
                .into_owned()
                .collect(),
        )
    }
}

/// Request parameters; the first of a repeated name counts.
#[derive(Debug, Default)]
pub(super) struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A parameter, with an empty value taken as absent.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Whether `name` is given more than once (OAuth forbids that).
    pub fn repeated(&self) -> Option<&str> {
        self.0.iter().enumerate().find_map(|(i, (k, _))| {
            self.0[..i]
                .iter()
                .any(|(seen, _)| seen == k)
                .then_some(k.as_str())
        })
    }
}

#[derive(Debug)]
pub(super) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// What the log says about the result (empty: from the status).
    pub result: String,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![
                ("Content-Type".into(), content_type.into()),
                ("X-Content-Type-Options".into(), "nosniff".into()),
            ],
            body: body.into(),
            result: String::new(),
        }
    }

    /// JSON, never cached (it may carry tokens).
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, "application/json", value.to_string())
            .header("Cache-Control", "no-store")
            .header("Pragma", "no-cache")
    }

    /// An OAuth error body (RFC 6749 5.2).
    pub fn oauth_error(status: u16, error: &str, description: &str) -> Response {
        Response::json(
            status,
            &serde_json::json!({"error": error, "error_description": description}),
        )
        .result(format!("{error}: {description}"))
    }

    /// A page, with `csp` as its Content-Security-Policy.
    pub fn html(status: u16, page: String, csp: &str) -> Response {
        Response::new(status, "text/html; charset=utf-8", page)
            .header("Content-Security-Policy", csp)
            .header("X-Frame-Options", "DENY")
            .header("Referrer-Policy", "no-referrer")
            .header("Cache-Control", "no-store")
    }

    pub fn redirect(location: &str) -> Response {
        Response::new(302, "text/plain; charset=utf-8", "")
            .header("Location", location)
            .header("Cache-Control", "no-store")
            .header("Referrer-Policy", "no-referrer")
    }

    pub fn text(status: u16, text: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", text.to_string())
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn cookies(mut self, values: Vec<String>) -> Response {
        for value in values {
            self.headers.push(("Set-Cookie".into(), value));
        }
        self
    }

    pub fn result(mut self, result: impl Into<String>) -> Response {
        self.result = result.into();
        self
    }
}

/// Why a request could not be read: the status to answer with, if any.
#[derive(Debug)]
pub(super) enum ReadFailure {
    /// The client went away or sent nothing: close without an answer.
    Gone,
    Answer(u16, &'static str),
}

/// Reads one request from `stream`, within the caps and the deadline.
pub(super) fn read_request(stream: &mut TcpStream) -> Result<Request, ReadFailure> {
    let started = Instant::now();
    let _ = stream.set_read_timeout(Some(FIRST_BYTE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = find_head_end(&buf) {
            break at;
        }
        if buf.len() > HEAD_BYTES {
            return Err(ReadFailure::Answer(431, "request head too large"));
        }
        let n = read_some(stream, &mut chunk, started, buf.is_empty())?;
        if buf.is_empty() {
            let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end])
        .map_err(|_| ReadFailure::Answer(400, "request head is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadFailure::Answer(400, "malformed request line"));
    };
    if !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return Err(ReadFailure::Answer(400, "malformed request line"));
    }
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadFailure::Answer(400, "malformed header"));
        };
        if name.is_empty() || name.contains(|c: char| c.is_whitespace()) {
            return Err(ReadFailure::Answer(400, "malformed header"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v);
    if header("transfer-encoding").is_some() {
        return Err(ReadFailure::Answer(
            411,
            "send the body with a Content-Length",
        ));
    }
    let length = match header("content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| ReadFailure::Answer(400, "malformed Content-Length"))?,
    };
    if length > BODY_BYTES {
        return Err(ReadFailure::Answer(413, "request body too large"));
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = read_some(stream, &mut chunk, started, false)?;
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Ok(Request {
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body,
    })
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

fn read_some(
    stream: &mut TcpStream,
    chunk: &mut [u8],
    started: Instant,
    nothing_yet: bool,
) -> Result<usize, ReadFailure> {
    if started.elapsed() > REQUEST_DEADLINE {
        return Err(ReadFailure::Answer(408, "request took too long"));
    }
    match stream.read(chunk) {
        Ok(0) => Err(ReadFailure::Gone),
        Ok(n) => Ok(n),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            if nothing_yet {
                Err(ReadFailure::Gone)
            } else {
                Err(ReadFailure::Answer(408, "request took too long"))
            }
        }
        Err(_) => Err(ReadFailure::Gone),
    }
}

/// Writes `response` and closes the connection.
pub(super) fn write_response(stream: &mut TcpStream, response: &Response) {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.body.len()
    );
    for (name, value) in &response.headers {
        // Header values are built here, but a reflected value must never
        // split the head.
        let value: String = value.chars().filter(|c| !c.is_control()).collect();
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&response.body);
    let _ = stream.write_all(&out);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // Read what the client may still send, briefly, so that closing does not
    // reset the connection before it has read the answer.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut sink = [0u8; 1024];
    for _ in 0..16 {
        match stream.read(&mut sink) {
            Ok(n) if n > 0 => continue,
            _ => break,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "",
    }
}

/// `Authorization: Basic`'s client ID and secret: base64 of `id:secret`,
/// each form-urlencoded first (RFC 6749 2.3.1).
pub(super) fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((form_decode(id), form_decode(secret)))
}

/// `Authorization: Bearer TOKEN`'s token.
pub(super) fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn form_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("v={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Whether the peer sent a `Host` this provider answers to (loopback names):
/// a web page that rebinds its own name to 127.0.0.1 gets nothing.
pub(super) fn loopback_host(host: Option<&str>) -> bool {
    let Some(host) = host else { return false };
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" || name == "::1"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = format!("Basic {}", STANDARD.encode("my%20app:s%3Ac+r%2Bt"));
        assert_eq!(
            basic_credentials(&header),
            Some(("my app".to_string(), "s:c r+t".to_string()))
        );
        let colon = format!("basic {}", STANDARD.encode("id:a:b"));
        assert_eq!(
            basic_credentials(&colon),
            Some(("id".to_string(), "a:b".to_string()))
        );
        assert_eq!(basic_credentials("Bearer abc"), None);
        assert_eq!(basic_credentials("Basic !!!"), None);
        assert_eq!(
            basic_credentials(&format!("Basic {}", STANDARD.encode("nocolon"))),
            None
        );
    }

    #[test]
    fn bearer_tokens() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
    }

    #[test]
    fn hosts() {
        assert!(loopback_host(Some("localhost:9400")));
        assert!(loopback_host(Some("127.0.0.1:9400")));
        assert!(loopback_host(Some("[::1]:9400")));
        assert!(loopback_host(Some("LOCALHOST")));
        assert!(!loopback_host(Some("evil.example:9400")));
        assert!(!loopback_host(Some("[::2]:9400")));
        assert!(!loopback_host(None));
    }

    #[test]
    fn params_keep_the_first_and_see_repeats() {
        let p = Params(vec![
            ("a".into(), "1".into()),
            ("b".into(), "".into()),
            ("a".into(), "2".into()),
        ]);
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.non_empty("b"), None);
        assert_eq!(p.repeated(), Some("a"));
    }

    #[test]
    fn cookies() {
        let r = Request {
            method: "GET".into(),
            path: "/".into(),
            query: String::new(),
            headers: vec![("cookie".into(), "a=1; stauth_dev=xyz; b=2".into())],
            body: Vec::new(),
        };
        assert_eq!(r.cookie("stauth_dev"), Some("xyz"));
        assert_eq!(r.cookie("c"), None);
    }
}
