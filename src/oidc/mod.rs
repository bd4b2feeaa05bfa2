//! Talking to OpenID Connect providers: URL policy and discovery.

pub mod claims;
mod discovery;
pub mod http;
pub mod id_token;
pub mod loopback;
pub mod token;
pub mod url_policy;

pub use discovery::{fetch_discovery, Discovery, DiscoveryError, DISCOVERY_TIMEOUT};
