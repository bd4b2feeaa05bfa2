//! A hostile provider for tests: a tiny HTTP/1.1 server on 127.0.0.1 (std
//! `TcpListener`, a thread per connection) whose answers the test chooses per
//! request, including what a real provider never sends: redirects to another
//! origin, endless bodies, a body dripping a byte at a time, silence. Every
//! request it receives is recorded, so a test can prove that a second server
//! (the "thief") received nothing. Plus a way to run `stauth` and measure
//! its peak memory.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// A query parameter, percent-decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        let query = self.target.split_once('?')?.1;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How the server answers one request.
pub enum Reply {
    /// 200 with a JSON body.
    Json(serde_json::Value),
    /// Any status, extra headers and body.
    Raw {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// A redirect (`status` 301/302/303/307/308) to `location`.
    Redirect { status: u16, location: String },
    /// 200, JSON content type, no length, and bytes as fast as the client
    /// takes them, forever.
    Endless,
    /// 200, JSON content type, one byte every 200 ms, forever.
    Drip,
    /// Reads the request and never answers.
    Silent,
}

type Route = dyn Fn(&Request, &str) -> Reply + Send + Sync;

/// A running hostile server; stopped when dropped.
pub struct Server {
    pub port: u16,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    requests: Arc<Mutex<Vec<Request>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Starts a server answering each request with `route(request, base)`.
    pub fn start(route: impl Fn(&Request, &str) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let route: Arc<Route> = Arc::new(route);
        {
            let (requests, connections, stop, base) = (
                Arc::clone(&requests),
                Arc::clone(&connections),
                Arc::clone(&stop),
                base.clone(),
            );
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (requests, stop, route, base) = (
                        Arc::clone(&requests),
                        Arc::clone(&stop),
                        Arc::clone(&route),
                        base.clone(),
                    );
                    std::thread::spawn(move || serve(stream, &requests, &stop, &*route, &base));
                }
            });
        }
        Server {
            port,
            base,
            requests,
            connections,
            stop,
        }
    }

    /// A server that records everything and answers `{}`: where a redirect
    /// would carry a secret.
    pub fn thief() -> Server {
        Server::start(|_, _| Reply::Json(serde_json::json!({})))
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// TCP connections accepted so far (a request may never have been sent).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(
    stream: TcpStream,
    requests: &Mutex<Vec<Request>>,
    stop: &AtomicBool,
    route: &Route,
    base: &str,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let Some(request) = read_request(&mut reader) else {
            return;
        };
        requests.lock().unwrap().push(request.clone());
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let keep_going = answer(&mut writer, route(&request, base), stop);
        if !keep_going {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
    }
}

fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

/// Writes the reply; false when the connection must end.
fn answer(w: &mut TcpStream, reply: Reply, stop: &AtomicBool) -> bool {
    let head =
        |status: u16, extra: &str| format!("HTTP/1.1 {status} {}\r\n{extra}", reason(status));
    match reply {
        Reply::Json(v) => {
            let body = v.to_string();
            let text = head(
                200,
                &format!(
                    "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                ),
            );
            w.write_all(text.as_bytes()).is_ok()
        }
        Reply::Raw {
            status,
            headers,
            body,
        } => {
            let mut extra: String = headers
                .iter()
                .map(|(k, v)| format!("{k}: {v}\r\n"))
                .collect();
            extra.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
            w.write_all(head(status, &extra).as_bytes()).is_ok()
        }
        Reply::Redirect { status, location } => {
            let text = head(
                status,
                &format!("Location: {location}\r\nContent-Length: 0\r\n\r\n"),
            );
            w.write_all(text.as_bytes()).is_ok()
        }
        Reply::Endless => {
            let start = head(
                200,
                "Content-Type: application/json\r\nConnection: close\r\n\r\n{\"keys\": [",
            );
            if w.write_all(start.as_bytes()).is_err() {
                return false;
            }
            let chunk = vec![b' '; 64 * 1024];
            while !stop.load(Ordering::SeqCst) && w.write_all(&chunk).is_ok() {}
            false
        }
        Reply::Drip => {
            let start = head(
                200,
                "Content-Type: application/json\r\nConnection: close\r\n\r\n{",
            );
            if w.write_all(start.as_bytes()).is_err() {
                return false;
            }
            while !stop.load(Ordering::SeqCst) && w.write_all(b" ").is_ok() {
                std::thread::sleep(Duration::from_millis(200));
            }
            false
        }
        Reply::Silent => {
            // Hold the connection open (up to a minute) without a byte.
            for _ in 0..600 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            false
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Whatever",
    }
}

/// What a finished process did, with its peak memory.
pub struct Measured {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Peak resident memory of stauth, in KiB (GNU time's `%M`).
    pub max_rss_kib: u64,
    pub elapsed: Duration,
}

/// `stauth ARGS` in `app_dir` with a clean environment (PATH and `home`)
/// and no stdin, killed after 90 s, its peak memory measured by
/// `/usr/bin/time`. A small process in between matters: Linux counts the
/// parent's memory at fork time in a direct child's `ru_maxrss`, and this
/// test process is large.
pub fn run_stauth_measured(app_dir: &Path, home: &Path, args: &[&str]) -> Measured {
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .args(["timeout", "-s", "KILL", "90"])
        .arg(env!("CARGO_BIN_EXE_stauth"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .current_dir(app_dir)
        .stdin(Stdio::null());
    let started = std::time::Instant::now();
    let out = cmd
        .output()
        .expect("/usr/bin/time (GNU time) is needed to measure peak memory");
    let elapsed = started.elapsed();
    let text = std::fs::read_to_string(report.path()).unwrap();
    // GNU time writes "Command exited with non-zero status N" first.
    let max_rss_kib = text
        .lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .next_back()
        .unwrap_or_else(|| panic!("no peak memory in time's report: {text:?}"));
    Measured {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        max_rss_kib,
        elapsed,
    }
}
