//! The integration tests, in one binary so a change links one executable,
//! not one per area. Run one area with `cargo test --test it decode_cli::`.

#[path = "../common/mod.rs"]
mod common;

mod callback_listener;
mod capped_reads;
mod completions_and_help;
mod decode_cli;
mod decode_never_panics;
mod dev_provider_cli;
mod dev_provider_like;
mod dev_provider_protocol;
mod dev_provider_rp;
mod dev_provider_shapes;
mod dev_provider_streamlit;
mod doctor_cli;
mod files_hostile;
mod hostile_provider;
mod hostile_schema;
mod hostile_text;
mod id_token_real;
mod init_cli;
mod init_dev;
mod init_discovery;
mod init_merge;
mod init_wizard;
mod keychain;
mod nginx_harness;
mod pages_browser;
mod probe_cli;
mod probe_nginx;
mod providers_cli;
mod release_matrix;
mod release_venvs;
mod run_release;
mod secrets_export_formats;
mod snippet_cli;
mod streamlit_cookies;
mod streamlit_login_e2e;
mod test_login;
mod test_login_dev;
mod wheel;
