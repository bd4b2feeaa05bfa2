//! The `[auth]` schema as Streamlit validates it (1.42 – 1.67).

use std::fmt;

/// The table Streamlit reads.
pub const AUTH: &str = "auth";
pub const REDIRECT_URI: &str = "redirect_uri";
pub const COOKIE_SECRET: &str = "cookie_secret";
pub const EXPOSE_TOKENS: &str = "expose_tokens";
pub const CLIENT_ID: &str = "client_id";
pub const CLIENT_SECRET: &str = "client_secret";
pub const SERVER_METADATA_URL: &str = "server_metadata_url";
pub const CLIENT_KWARGS: &str = "client_kwargs";

/// Streamlit serves its OAuth callback at `<server.baseUrlPath>/oauth2callback`.
pub const CALLBACK_PATH: &str = "/oauth2callback";
/// `redirect_uri` may hold this literal; Streamlit 1.53+ replaces it by `server.port`.
pub const PORT_PLACEHOLDER: &str = "{port}";

/// Streamlit's `client_kwargs` defaults.
pub const DEFAULT_SCOPE: &str = "openid email profile";
pub const DEFAULT_PROMPT: &str = "select_account";

/// Values `expose_tokens` accepts (1.53+).
pub const EXPOSE_TOKENS_VALUES: &[&str] = &["id", "access"];

/// `client_kwargs` keys that take effect; anything else is silently dropped.
pub const CLIENT_KWARGS_USED: &[&str] = &[
    "scope",
    "prompt",
    "response_type",
    "response_mode",
    "nonce",
    "login_hint",
    "code_challenge_method",
    "token_endpoint_auth_method",
    "timeout",
    "verify",
    "proxy",
    "headers",
];

/// The keys the app reads from a provider, and secrets among them.
pub const SECRET_KEYS: &[&str] = &[CLIENT_SECRET, COOKIE_SECRET];

/// Which provider entry: the default one in `[auth]` (`st.login()`) or a
/// named one in `[auth.NAME]` (`st.login("NAME")`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderSlot {
    Default,
    Named(String),
}

impl ProviderSlot {
    /// A named slot, validated by Streamlit's rules.
    pub fn named(name: &str) -> Result<Self, String> {
        validate_provider_name(name)?;
        Ok(ProviderSlot::Named(name.to_string()))
    }

    /// The TOML section header that holds it: `auth` or `auth.NAME`.
    pub fn section(&self) -> String {
        match self {
            ProviderSlot::Default => AUTH.to_string(),
            ProviderSlot::Named(n) => format!("{AUTH}.{}", toml_key(n)),
        }
    }

    /// The call the app makes: `st.login()` or `st.login("NAME")`.
    pub fn login_call(&self) -> String {
        match self {
            ProviderSlot::Default => "st.login()".into(),
            ProviderSlot::Named(n) => format!("st.login(\"{n}\")"),
        }
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            ProviderSlot::Default => None,
            ProviderSlot::Named(n) => Some(n),
        }
    }

    /// The value Streamlit puts in `st.user.provider`.
    pub fn streamlit_provider_value(&self) -> &str {
        match self {
            ProviderSlot::Default => "default",
            ProviderSlot::Named(n) => n,
        }
    }
}

impl fmt::Display for ProviderSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.section())
    }
}

/// A secret key of `[auth]`: the app's `cookie_secret`, or one provider's
/// `client_secret`. These are the values stauth can keep outside the
/// secrets file (in the OS keychain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthSecret {
    CookieSecret,
    ClientSecret(ProviderSlot),
}

impl AuthSecret {
    /// The dotted TOML path: `auth.cookie_secret`, `auth.client_secret`
    /// (default provider) or `auth.NAME.client_secret`.
    pub fn path(&self) -> String {
        match self {
            AuthSecret::CookieSecret => format!("{AUTH}.{COOKIE_SECRET}"),
            AuthSecret::ClientSecret(slot) => format!("{}.{CLIENT_SECRET}", slot.section()),
        }
    }

    /// The key's name inside its table.
    pub fn key(&self) -> &'static str {
        match self {
            AuthSecret::CookieSecret => COOKIE_SECRET,
            AuthSecret::ClientSecret(_) => CLIENT_SECRET,
        }
    }

    /// Parses a path as [`AuthSecret::path`] writes it; the `auth.` prefix may
    /// be left out (`cookie_secret`, `client_secret`, `NAME.client_secret`).
    pub fn parse(name: &str) -> Result<Self, String> {
        let name = name.trim();
        let rest = name.strip_prefix("auth.").unwrap_or(name);
        match rest.rsplit_once('.') {
            None if rest == COOKIE_SECRET => Ok(AuthSecret::CookieSecret),
            None if rest == CLIENT_SECRET => Ok(AuthSecret::ClientSecret(ProviderSlot::Default)),
            Some((provider, CLIENT_SECRET)) => ProviderSlot::named(provider)
                .map(AuthSecret::ClientSecret)
                .map_err(|reason| format!("invalid provider name '{provider}': {reason}")),
            _ => Err(format!(
                "'{name}' is not a secret stauth keeps: use auth.cookie_secret, auth.client_secret (default provider) or auth.NAME.client_secret"
            )),
        }
    }
}

impl fmt::Display for AuthSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// Streamlit (1.43+) rejects `_` in provider names; stauth also keeps names to
/// characters that need no quoting in TOML or Python, and refuses names that
/// collide with `[auth]`'s own keys.
pub fn validate_provider_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name.contains('_') {
        return Err("Streamlit (1.43+) rejects provider names that contain '_'".into());
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err("use only letters, digits and '-'".into());
    }
    if [
        REDIRECT_URI,
        COOKIE_SECRET,
        EXPOSE_TOKENS,
        CLIENT_ID,
        CLIENT_SECRET,
        SERVER_METADATA_URL,
        CLIENT_KWARGS,
    ]
    .contains(&name)
        || name == "default"
    {
        return Err(format!("'{name}' is reserved by Streamlit's [auth] table"));
    }
    Ok(())
}

/// Validates `expose_tokens` values (Streamlit raises on anything else).
pub fn validate_expose_tokens(values: &[String]) -> Result<(), String> {
    match values
        .iter()
        .find(|v| !EXPOSE_TOKENS_VALUES.contains(&v.as_str()))
    {
        Some(bad) => Err(format!(
            "'{bad}' is not a token Streamlit can expose; use id, access or id,access"
        )),
        None => Ok(()),
    }
}

fn toml_key(name: &str) -> String {
    // Validated names are bare keys; anything else is shown quoted.
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names() {
        assert!(validate_provider_name("google").is_ok());
        assert!(validate_provider_name("my-idp2").is_ok());
        assert!(validate_provider_name("my_idp")
            .unwrap_err()
            .contains("'_'"));
        assert!(validate_provider_name("a b").is_err());
        assert!(validate_provider_name("").is_err());
        assert!(validate_provider_name("client_id").is_err());
        assert!(validate_provider_name("cookie-secret").is_ok());
    }

    #[test]
    fn slots() {
        assert_eq!(ProviderSlot::Default.section(), "auth");
        assert_eq!(ProviderSlot::named("okta").unwrap().section(), "auth.okta");
        assert_eq!(
            ProviderSlot::named("okta").unwrap().login_call(),
            "st.login(\"okta\")"
        );
    }

    #[test]
    fn auth_secret_paths() {
        for (text, path) in [
            ("cookie_secret", "auth.cookie_secret"),
            ("auth.cookie_secret", "auth.cookie_secret"),
            ("client_secret", "auth.client_secret"),
            ("auth.okta.client_secret", "auth.okta.client_secret"),
            ("okta.client_secret", "auth.okta.client_secret"),
        ] {
            assert_eq!(AuthSecret::parse(text).unwrap().path(), path);
        }
        assert!(AuthSecret::parse("auth.client_id").is_err());
        assert!(AuthSecret::parse("auth.my_idp.client_secret").is_err());
        assert!(AuthSecret::parse("db.password").is_err());
    }

    #[test]
    fn expose_tokens() {
        assert!(validate_expose_tokens(&["id".into(), "access".into()]).is_ok());
        assert!(validate_expose_tokens(&["refresh".into()]).is_err());
    }
}
