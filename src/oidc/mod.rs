//! Talking to OpenID Connect providers: URL policy and discovery.

mod discovery;
pub mod id_token;
pub mod url_policy;

pub use discovery::{fetch_discovery, Discovery, DiscoveryError, DISCOVERY_TIMEOUT};
