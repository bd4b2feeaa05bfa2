//! The HTTP side: endpoints, sessions, codes and the strict rules.
//!
//! One running provider serves the root issuer (`http://localhost:PORT`,
//! shaped by `--like`) and every `/like/<preset>` issuer. Each listener has
//! an accept thread; a small pool of workers answers one request per
//! connection, with the state behind one lock.

mod authorize;
mod discovery;
mod http;
mod issuer;
mod listen;
mod logout;
mod notes;
mod routes;
mod store;
mod token;
mod userinfo;

use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use super::clients::Client;
use super::keys::KeyRing;
use super::log::RequestLog;
use super::users::Users;
use crate::catalog::Preset;
use crate::error::Result;
use crate::streamlit::Release;
use issuer::{client_base, Issuer};
use routes::{error_page, page_csp, with_query};
use store::Store;

/// Workers answering requests, shared by every listener.
const WORKERS: usize = 16;
/// Connections accepted but not yet answered; past it, accepting waits.
const CONNECTION_QUEUE: usize = 256;
/// Events kept for the reader; past it, new ones are dropped.
const EVENT_QUEUE: usize = 1024;
/// The default authorization code lifetime.
pub const DEFAULT_CODE_TTL: Duration = Duration::from_secs(60);
/// The default ID and access token lifetime.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3600);

pub struct Options {
    /// 0: any free port (the issuer uses the bound one).
    pub port: u16,
    /// Non-loopback addresses, already approved by the command.
    pub extra_addresses: Vec<IpAddr>,
    pub clients: Vec<Client>,
    pub users: Users,
    /// The shape of the root issuer (`--like`).
    pub root_like: Option<&'static Preset>,
    /// Approve every authorization as this sub, with no page.
    pub auto_login: Option<String>,
    /// ID and access token lifetime.
    pub token_ttl: Duration,
    /// Authorization code lifetime.
    pub code_ttl: Duration,
    pub keys: KeyRing,
    /// The Streamlit release to compare authorization requests with.
    pub release: Option<Release>,
}

impl Options {
    pub fn new(port: u16, clients: Vec<Client>, users: Users, keys: KeyRing) -> Self {
        Options {
            port,
            extra_addresses: Vec::new(),
            clients,
            users,
            root_like: None,
            auto_login: None,
            token_ttl: DEFAULT_TOKEN_TTL,
            code_ttl: DEFAULT_CODE_TTL,
            keys,
            release: None,
        }
    }
}

/// What every worker shares.
struct Shared {
    port: u16,
    options: Options,
    /// The clients and release: from `options` at start, replaceable while
    /// serving ([`Running::update`]), so the provider can answer before the
    /// app's Python has been asked which Streamlit it runs.
    live: RwLock<Live>,
    /// Whether to refuse a `Host` that is not a loopback name (no extra
    /// addresses: nobody reaches this provider under another name).
    loopback_only: bool,
    store: Mutex<Store>,
    events: SyncSender<RequestLog>,
}

/// What [`Running::update`] replaces.
struct Live {
    clients: Vec<Client>,
    release: Option<Release>,
}

impl Shared {
    fn live(&self) -> RwLockReadGuard<'_, Live> {
        self.live.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The Streamlit release requests are compared with.
    fn release(&self) -> Option<Release> {
        self.live().release
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A worker that panicked left the maps whole: keep serving.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The client `client_id` names at `issuer`.
    fn client(&self, issuer: &Issuer, client_id: &str) -> ClientLookup {
        let mut elsewhere = None;
        for client in &self.live().clients {
            if client.client_id != client_id {
                continue;
            }
            let base = client_base(client);
            if base == issuer.base {
                return ClientLookup::Found(Box::new(client.clone()));
            }
            elsewhere = Some(super::issuer(
                self.port,
                base.strip_prefix(super::LIKE_PREFIX),
            ));
        }
        match elsewhere {
            Some(other) => ClientLookup::OtherIssuer(other),
            None => ClientLookup::Unknown,
        }
    }
}

enum ClientLookup {
    Found(Box<Client>),
    /// Registered, but at this other issuer.
    OtherIssuer(String),
    Unknown,
}

/// A running provider; dropping it stops it.
pub struct Running {
    port: u16,
    shared: Arc<Shared>,
    addresses: Vec<SocketAddr>,
    events: Mutex<Receiver<RequestLog>>,
    stopping: Arc<AtomicBool>,
    acceptors: Vec<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
}

impl Running {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://localhost:PORT`.
    pub fn issuer(&self) -> String {
        super::issuer(self.port, None)
    }

    pub fn addresses(&self) -> Vec<SocketAddr> {
        self.addresses.clone()
    }

    /// Serves these clients and compares requests with this release from
    /// now on (requests in hand finish with the previous ones).
    pub fn update(&self, clients: Vec<Client>, release: Option<Release>) {
        *self.shared.live.write().unwrap_or_else(|e| e.into_inner()) = Live { clients, release };
    }

    /// The next request's event, waiting at most `timeout`.
    pub fn next_event(&self, timeout: Duration) -> Option<RequestLog> {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.recv_timeout(timeout).ok()
    }

    /// Stops accepting, finishes the requests in hand and joins the threads.
    pub fn stop(self) {
        drop(self);
    }

    fn shut_down(&mut self) {
        if self.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        for addr in &self.addresses {
            // Wake the accept so it sees the flag.
            let _ =
                TcpStream::connect_timeout(&listen::wake_address(*addr), Duration::from_secs(1));
        }
        join_within(&mut self.acceptors, Duration::from_secs(2));
        // Workers finish the request in hand; none takes longer than this.
        join_within(
            &mut self.workers,
            http::REQUEST_DEADLINE + Duration::from_secs(2),
        );
    }
}

/// Joins `threads`, leaving running any still busy after `limit` (an
/// accept that could not be woken must not hang the caller).
fn join_within(threads: &mut Vec<JoinHandle<()>>, limit: Duration) {
    let deadline = std::time::Instant::now() + limit;
    while threads.iter().any(|t| !t.is_finished()) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    for thread in threads.drain(..).filter(|t| t.is_finished()) {
        let _ = thread.join();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Binds 127.0.0.1 and ::1 (when the host has IPv6) and the extra
/// addresses, then serves until the [`Running`] is stopped or dropped.
pub fn start(mut options: Options) -> Result<Running> {
    let listeners = listen::bind_all(options.port, &options.extra_addresses)?;
    let addresses: Vec<SocketAddr> = listeners
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .collect();
    let port = addresses.first().map_or(options.port, SocketAddr::port);
    let (event_tx, event_rx) = mpsc::sync_channel(EVENT_QUEUE);
    let live = RwLock::new(Live {
        clients: std::mem::take(&mut options.clients),
        release: options.release.take(),
    });
    let shared = Arc::new(Shared {
        port,
        loopback_only: options.extra_addresses.is_empty(),
        options,
        live,
        store: Mutex::new(Store::default()),
        events: event_tx,
    });
    let stopping = Arc::new(AtomicBool::new(false));
    let (conn_tx, conn_rx) = mpsc::sync_channel::<TcpStream>(CONNECTION_QUEUE);
    let conn_rx = Arc::new(Mutex::new(conn_rx));
    let workers = (0..WORKERS)
        .map(|_| {
            let (shared, conn_rx) = (shared.clone(), conn_rx.clone());
            std::thread::spawn(move || work(&shared, &conn_rx))
        })
        .collect();
    let acceptors = listeners
        .into_iter()
        .map(|listener| {
            let (conn_tx, stopping) = (conn_tx.clone(), stopping.clone());
            std::thread::spawn(move || accept(&listener, &conn_tx, &stopping))
        })
        .collect();
    Ok(Running {
        port,
        shared,
        addresses,
        events: Mutex::new(event_rx),
        stopping,
        acceptors,
        workers,
    })
}

fn accept(listener: &TcpListener, conn_tx: &SyncSender<TcpStream>, stopping: &AtomicBool) {
    for stream in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        if conn_tx.send(stream).is_err() {
            return;
        }
    }
}

fn work(shared: &Shared, conn_rx: &Mutex<Receiver<TcpStream>>) {
    loop {
        let next = conn_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(mut stream) = next else { return };
        routes::serve(shared, &mut stream);
    }
}
