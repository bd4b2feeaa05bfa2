//! The Streamlit contract: how Streamlit reads `[auth]` from secrets.toml,
//! what it does with a provider's discovery document, and the app settings
//! that shape `redirect_uri`. Everything here mirrors Streamlit's own code
//! (see shared/streamlit-auth.md), so a Streamlit change is an edit here.
//! This module reads files but never touches the network.

pub mod app_config;
pub mod auth_config;
pub mod cookie_reader;
pub mod cookies;
pub mod discovery_rules;
pub mod login_request;
pub mod redirect;
pub mod requirements;
pub mod schema;
pub mod secrets_file;
pub mod version;

pub use schema::ProviderSlot;
pub use secrets_file::SecretsFile;
