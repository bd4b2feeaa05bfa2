//! The Streamlit contract: how Streamlit reads `[auth]` from secrets.toml,
//! what it does with a provider's discovery document, and the app settings
//! that shape `redirect_uri`. Everything here mirrors Streamlit's own code
//! (docs/streamlit-contract.md states it per release, with evidence), so a
//! Streamlit change is an edit here.
//! This module reads files but never touches the network.

pub mod app;
pub mod app_config;
pub mod auth_config;
pub mod cookie_reader;
pub mod cookies;
pub mod discovery_rules;
pub mod http_client;
pub mod login_request;
pub mod logout;
pub mod redirect;
pub mod release;
pub mod requirements;
pub mod schema;
pub mod secrets_file;

pub use app::AppContext;
pub use release::{Release, ReleaseChoice, StreamlitVersion};
pub use schema::ProviderSlot;
pub use secrets_file::SecretsFile;

/// `text` as one word for a POSIX shell, for commands stauth suggests
/// (`STREAMLIT_SECRETS_FILES=... streamlit run app.py`): left bare when it
/// holds only safe characters, else in single quotes.
pub(crate) fn shell_quote(text: &str) -> std::borrow::Cow<'_, str> {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+:,@%=".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        return text.into();
    }
    format!("'{}'", text.replace('\'', r"'\''")).into()
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn shell_words() {
        assert_eq!(
            shell_quote("/srv/app/.streamlit/s.toml"),
            "/srv/app/.streamlit/s.toml"
        );
        assert_eq!(shell_quote("/my apps/s.toml"), "'/my apps/s.toml'");
        assert_eq!(shell_quote("a'b;$(x)"), r"'a'\''b;$(x)'");
        assert_eq!(shell_quote(""), "''");
    }
}
