//! stauth's core: Streamlit's native login (st.login, st.user) as a library
//! the command line drives. The command line itself (the clap model, the
//! commands, the printer, exit codes) lives in the binary (`src/main.rs`),
//! so nothing here can name it: a `use crate::output` in this crate does not
//! compile.
//!
//! - `streamlit`: Streamlit's contract (secrets schema, login request,
//!   cookies); no network I/O.
//! - `oidc`: the OpenID Connect client, loopback listener and token checks.
//! - `catalog` (provider presets), `diagnosis` (doctor's checks),
//!   `secret_store` (the only keychain user), `python_env` (the app's
//!   interpreter and installed Streamlit).
//! - below them: `fsutil`, `secret`, `finding`, `limits`, `untrusted`,
//!   `error`.

pub mod catalog;
pub mod dev_provider;
pub mod diagnosis;
pub mod error;
pub mod finding;
pub mod fsutil;
pub mod limits;
pub mod oidc;
pub mod pages;
pub mod probe;
pub mod python_env;
pub mod secret;
pub mod secret_store;
pub mod streamlit;
pub mod untrusted;
