//! stauth: Streamlit's native login (st.login, st.user) set up, tested and
//! inspected from the command line.
//!
//! Layers, each depending only on the ones below it:
//! - `cli` (the clap model) and `commands` (one module per command);
//! - `output` (the only printer);
//! - core: `streamlit` (Streamlit's contract), `catalog` (provider presets),
//!   `oidc` (network), `fsutil`, `secret`, `finding`, `error`.

pub mod catalog;
pub mod cli;
pub mod commands;
pub mod diagnosis;
pub mod error;
pub mod finding;
pub mod fsutil;
pub mod interrupt;
pub mod limits;
pub mod oidc;
pub mod output;
pub mod secret;
pub mod secret_store;
pub mod streamlit;
pub mod untrusted;
