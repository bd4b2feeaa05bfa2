//! Debian's real nginx (`/usr/sbin/nginx`, package nginx-light) as the
//! reverse proxy in front of the app, for the `stauth probe` tests: a private
//! instance on a free loopback port, its files in a temporary prefix, stopped
//! on drop.
//!
//! It runs as one foreground process (`master_process off; daemon off;`) as
//! the current user: no `user` switch (CI runs as root) and nothing written
//! outside the prefix (every temp path is set, the pid file and the error log
//! are in it).

use std::fs::File;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::idp::free_port;

const NGINX: &str = "/usr/sbin/nginx";
/// How long nginx may take to accept connections after it starts.
const READY_WITHIN: Duration = Duration::from_secs(10);
/// How long it may take to exit after SIGTERM before it is killed.
const STOP_WITHIN: Duration = Duration::from_secs(5);

/// A running nginx. Stopped (SIGTERM, then SIGKILL) and its prefix removed on drop.
pub struct Nginx {
    pub port: u16,
    child: Child,
    config: String,
    // Declared last: removed after the child is stopped.
    prefix: tempfile::TempDir,
}

impl Nginx {
    /// Starts nginx on 127.0.0.1:<free port>. `server_body` goes inside the
    /// front `server { listen ...; HERE }`, `http_extra` inside `http { HERE }`
    /// before it (upstreams, maps, extra server blocks on other ports). Waits
    /// up to 10 s for the port to accept; panics with nginx's log and the
    /// config when it does not.
    pub fn start(http_extra: &str, server_body: &str) -> Nginx {
        assert!(
            Path::new(NGINX).is_file(),
            "{NGINX} is missing: install Debian's nginx-light (bash .ci/run installs it)"
        );
        // The free port can be taken between the check and nginx's bind: then
        // nginx says so and another port is tried.
        let mut last = String::new();
        for _ in 0..3 {
            match Self::try_start(free_port(), http_extra, server_body) {
                Ok(nginx) => return nginx,
                Err((log, config)) if log.contains("Address already in use") => {
                    last = format!("{log}\n--- config\n{config}");
                }
                Err((log, config)) => {
                    panic!("nginx did not start:\n--- nginx's log\n{log}\n--- config\n{config}")
                }
            }
        }
        panic!("nginx found no free port in 3 tries:\n--- nginx's log\n{last}")
    }

    /// [`Nginx::start`] on a given port (one the app's redirect_uri names),
    /// with no retry on another port.
    pub fn start_on(port: u16, http_extra: &str, server_body: &str) -> Nginx {
        Self::try_start(port, http_extra, server_body).unwrap_or_else(|(log, config)| {
            panic!("nginx did not start:\n--- nginx's log\n{log}\n--- config\n{config}")
        })
    }

    /// One attempt; on failure nginx's log and the config.
    fn try_start(
        port: u16,
        http_extra: &str,
        server_body: &str,
    ) -> Result<Nginx, (String, String)> {
        let prefix = tempfile::Builder::new()
            .prefix("stauth-nginx-")
            .tempdir()
            .expect("cannot make nginx's prefix directory");
        let config = config(prefix.path(), port, http_extra, server_body);
        let conf_path = prefix.path().join("nginx.conf");
        std::fs::write(&conf_path, &config).unwrap();
        let log = File::create(log_path(prefix.path())).unwrap();
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(prefix.path())
            .arg("-c")
            .arg(&conf_path)
            // Messages before the config is read go to the log too, not to
            // the compiled-in /var/log/nginx/error.log.
            .args(["-e", "stderr"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {NGINX}: {e}"));
        let mut nginx = Nginx {
            port,
            child,
            config,
            prefix,
        };
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                return Err((
                    format!("{}(nginx exited: {status})", nginx.log()),
                    nginx.config.clone(),
                ));
            }
            if accepts(port) {
                return Ok(nginx);
            }
            if Instant::now() > deadline {
                return Err((
                    format!(
                        "{}(127.0.0.1:{port} did not accept within {READY_WITHIN:?})",
                        nginx.log()
                    ),
                    nginx.config.clone(),
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The config nginx runs with, for failure messages.
    pub fn config(&self) -> String {
        self.config.clone()
    }

    /// nginx's stderr so far (its error log: start-up messages, refusals,
    /// upstream errors).
    pub fn log(&self) -> String {
        std::fs::read_to_string(log_path(self.prefix.path())).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        // SIGTERM is nginx's fast shutdown: it closes the listening sockets
        // and exits without waiting for open connections (SIGQUIT would wait
        // for the WebSocket connections a test may leave open).
        // SAFETY: kill(2) on the child we spawned and have not reaped.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + STOP_WITHIN;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `location` body that proxies to Streamlit on 127.0.0.1:`st_port`,
/// WebSocket included, as nginx guides put it in front of Streamlit. Use it
/// as `location / { ... }` or `location /base/ { ... }` (the URI is passed
/// unchanged, so Streamlit's server.baseUrlPath must be `base`), with
/// [`upgrade_map`] in `http_extra`.
pub fn proxy_to(st_port: u16) -> String {
    format!(
        "proxy_pass http://127.0.0.1:{st_port};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        # $http_host keeps the port: the WebSocket's Origin check compares it.
        proxy_set_header Host $http_host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $http_host;
        # Streamlit's WebSocket stays open while the page is.
        proxy_read_timeout 86400;
"
    )
}

/// The `map` that [`proxy_to`]'s `Connection` header needs, for `http_extra`:
/// `upgrade` when the client asks for a WebSocket, `close` otherwise.
pub fn upgrade_map() -> &'static str {
    "map $http_upgrade $connection_upgrade {
        default upgrade;
        '' close;
    }
"
}

fn log_path(prefix: &Path) -> PathBuf {
    prefix.join("nginx.log")
}

fn accepts(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    )
    .is_ok()
}

/// The whole config. Every path nginx would otherwise take from its
/// compiled-in defaults (/var/lib/nginx, /run/nginx.pid) is in `prefix`.
fn config(prefix: &Path, port: u16, http_extra: &str, server_body: &str) -> String {
    let p = prefix.display();
    format!(
        "# stauth test nginx (tests/common/nginx.rs)
daemon off;
master_process off;
worker_processes 1;
pid {p}/nginx.pid;
error_log stderr notice;

events {{
    worker_connections 256;
}}

http {{
    access_log off;
    client_body_temp_path {p}/client_body;
    proxy_temp_path {p}/proxy;
    fastcgi_temp_path {p}/fastcgi;
    uwsgi_temp_path {p}/uwsgi;
    scgi_temp_path {p}/scgi;

{http_extra}
    server {{
        listen 127.0.0.1:{port};
{server_body}
    }}
}}
"
    )
}
