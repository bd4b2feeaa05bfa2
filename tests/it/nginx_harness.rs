//! The nginx harness (tests/common/nginx.rs) the `stauth probe` tests stand
//! on: real nginx in front of a tiny backend proxies (headers included),
//! refuses a Cookie header past its default 8 KB buffer as users see it, shows
//! which upstream answered, and is gone once dropped.

use crate::common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use common::nginx::{self, Nginx};

/// A backend on a free loopback port that answers every request with its
/// own name and the request head it received (what nginx forwarded).
fn backend(name: &'static str) -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let head = read_head(&mut stream);
            let body = format!("{name}\n{head}");
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// The request head, up to the blank line (capped: the tests send < 16 KB).
fn read_head(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = Vec::new();
    let mut buf = [0; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A raw `GET path` to `port` with `headers` (each "Name: value"), so each
/// header line is exactly what the test says; the whole response.
fn get(port: u16, path: &str, headers: &[String]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    for h in headers {
        request.push_str(&format!("{h}\r\n"));
    }
    request.push_str("Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn status_line(response: &str) -> &str {
    response.lines().next().unwrap_or_default()
}

#[test]
fn proxies_with_the_forwarded_headers() {
    let st = backend("app");
    let ngx = Nginx::start(
        nginx::upgrade_map(),
        &format!("location /base/ {{ {} }}", nginx::proxy_to(st)),
    );
    let port = ngx.port;
    assert_eq!(ngx.url(), format!("http://127.0.0.1:{port}"));
    let response = get(port, "/base/_stcore/health", &[]);
    let context = format!(
        "{response}\n--- log\n{}\n--- config\n{}",
        ngx.log(),
        ngx.config()
    );
    assert_eq!(status_line(&response), "HTTP/1.1 200 OK", "{context}");
    assert!(response.contains("\r\nServer: nginx/"), "{context}");
    let (_, body) = response.split_once("\r\n\r\n").unwrap();
    // The path unchanged (Streamlit serves the base path itself), the
    // browser's Host with its port, and a plain request's Connection: close.
    assert!(
        body.starts_with("app\nGET /base/_stcore/health HTTP/1.1\r\n"),
        "{context}"
    );
    for header in [
        format!("Host: 127.0.0.1:{port}"),
        format!("X-Forwarded-Host: 127.0.0.1:{port}"),
        "X-Forwarded-For: 127.0.0.1".into(),
        "X-Forwarded-Proto: http".into(),
        "Connection: close".into(),
    ] {
        assert!(
            body.contains(&format!("\r\n{header}\r\n")),
            "{header}: {context}"
        );
    }
    // Outside the location nginx answers itself.
    let response = get(port, "/elsewhere", &[]);
    assert_eq!(
        status_line(&response),
        "HTTP/1.1 404 Not Found",
        "{response}"
    );

    // A WebSocket handshake goes through as an upgrade.
    let response = get(
        port,
        "/base/_stcore/stream",
        &[
            "Upgrade: websocket".into(),
            "Sec-WebSocket-Version: 13".into(),
        ],
    );
    let (_, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(body.contains("\r\nUpgrade: websocket\r\n"), "{response}");
    assert!(body.contains("\r\nConnection: upgrade\r\n"), "{response}");
}

/// With nginx's default `large_client_header_buffers 4 8k`, a header line
/// must fit in 8192 bytes with its CRLF: `Cookie: x=` and 8180 bytes pass,
/// 8183 get nginx's own 400 (the page users of big-cookie logins report).
#[test]
fn the_default_buffers_refuse_a_cookie_past_8_kb() {
    let st = backend("app");
    let ngx = Nginx::start(
        nginx::upgrade_map(),
        &format!("location / {{ {} }}", nginx::proxy_to(st)),
    );
    let cookie = |n: usize| format!("Cookie: x={}", "a".repeat(n));
    let passes = get(ngx.port, "/", &[cookie(8180)]);
    assert_eq!(status_line(&passes), "HTTP/1.1 200 OK", "{}", ngx.log());
    let refused = get(ngx.port, "/", &[cookie(8183)]);
    assert_eq!(
        status_line(&refused),
        "HTTP/1.1 400 Bad Request",
        "{refused}"
    );
    assert!(refused.contains("\r\nServer: nginx/"), "{refused}");
    assert!(
        refused.contains("<title>400 Request Header Or Cookie Too Large</title>"),
        "{refused}"
    );
    // The fix probe names lets it through.
    let fixed = Nginx::start(
        &format!(
            "{}large_client_header_buffers 4 32k;\n",
            nginx::upgrade_map()
        ),
        &format!("location / {{ {} }}", nginx::proxy_to(st)),
    );
    let passes = get(fixed.port, "/", &[cookie(8183)]);
    assert_eq!(status_line(&passes), "HTTP/1.1 200 OK", "{}", fixed.log());
}

/// Two replicas behind an `upstream`: round robin alternates, and
/// `$upstream_addr` in a response header says which one answered.
#[test]
fn an_upstream_header_names_the_replica() {
    let (a, b) = (backend("a"), backend("b"));
    let ngx = Nginx::start(
        &format!(
            "{}upstream app {{\n server 127.0.0.1:{a};\n server 127.0.0.1:{b};\n}}\n",
            nginx::upgrade_map()
        ),
        "location / { proxy_pass http://app; add_header X-Upstream $upstream_addr always; }",
    );
    let mut seen: Vec<String> = (0..2)
        .map(|_| {
            let response = get(ngx.port, "/", &[]);
            let upstream = response
                .lines()
                .find_map(|l| l.strip_prefix("X-Upstream: "))
                .unwrap_or_else(|| panic!("no X-Upstream: {response}"));
            let (_, body) = response.split_once("\r\n\r\n").unwrap();
            let name = body.lines().next().unwrap();
            format!("{name} {upstream}")
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [format!("a 127.0.0.1:{a}"), format!("b 127.0.0.1:{b}")]
    );
}

#[test]
fn drop_stops_nginx() {
    let ngx = Nginx::start("", "location / { return 200 \"ok\\n\"; }");
    let port = ngx.port;
    let response = get(port, "/", &[]);
    assert!(response.ends_with("\r\n\r\nok\n"), "{response}");
    drop(ngx);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "127.0.0.1:{port} still accepts after the drop"
    );
}

/// A config nginx rejects fails the test with nginx's own words and the config.
#[test]
#[should_panic(expected = "unknown directive \"no_such_directive\"")]
fn a_bad_config_panics_with_nginx_s_message() {
    Nginx::start("", "no_such_directive on;");
}
