//! Binding the loopback addresses (and any extra ones the command approved),
//! and saying clearly when the port is taken.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use crate::error::{Error, Result};

/// Attempts at finding a port free on both loopback addresses (port 0).
const ANY_PORT_ATTEMPTS: usize = 8;

/// Listeners on 127.0.0.1 and ::1 (when the host has IPv6) and `extra`,
/// all on one port: `port`, or a free one when it is 0.
pub(super) fn bind_all(port: u16, extra: &[IpAddr]) -> Result<Vec<TcpListener>> {
    let mut attempts = 0;
    let mut listeners = loop {
        attempts += 1;
        let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .map_err(|e| bind_error(SocketAddr::from((Ipv4Addr::LOCALHOST, port)), e))?;
        let bound = v4.local_addr().map_or(port, |a| a.port());
        match TcpListener::bind((Ipv6Addr::LOCALHOST, bound)) {
            Ok(v6) => break vec![v4, v6],
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                if port == 0 && attempts < ANY_PORT_ATTEMPTS {
                    continue;
                }
                return Err(bind_error(
                    SocketAddr::from((Ipv6Addr::LOCALHOST, bound)),
                    e,
                ));
            }
            // No IPv6 on this host: 127.0.0.1 alone serves `localhost`.
            Err(_) => break vec![v4],
        }
    };
    let bound = listeners[0].local_addr().map_or(port, |a| a.port());
    for ip in extra {
        let addr = SocketAddr::new(*ip, bound);
        listeners.push(TcpListener::bind(addr).map_err(|e| bind_error(addr, e))?);
    }
    Ok(listeners)
}

fn bind_error(addr: SocketAddr, e: std::io::Error) -> Error {
    let port = addr.port();
    if e.kind() == std::io::ErrorKind::AddrInUse {
        let user = if another_dev_provider(port) {
            "another stauth dev-provider is already running on it"
        } else {
            "another program is listening on it"
        };
        return Error::Input {
            message: format!("cannot serve the dev provider on {addr}: port {port} is in use ({user})"),
            hint: format!(
                "stop what uses port {port}, or pick another port with --port N (the app's server_metadata_url must name the same port)"
            ),
        };
    }
    Error::Input {
        message: format!("cannot serve the dev provider on {addr}: {e}"),
        hint: "check the address and port, or pick another port with --port N".into(),
    }
}

/// Whether what listens on `port` answers like a dev provider (best effort).
fn another_dev_provider(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(300)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = stream.set_write_timeout(Some(Duration::from_millis(500)));
    let asked = stream.write_all(
        b"GET /.well-known/openid-configuration HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    if asked.is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.take(64 * 1024).read_to_end(&mut answer);
    let expected = format!("\"issuer\":\"http://localhost:{port}\"");
    String::from_utf8_lossy(&answer).contains(&expected)
}

/// An address that reaches `listening` from this host, to wake its accept.
pub(super) fn wake_address(listening: SocketAddr) -> SocketAddr {
    match listening.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, listening.port()))
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv6Addr::LOCALHOST, listening.port()))
        }
        _ => listening,
    }
}
