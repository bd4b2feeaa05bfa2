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
pub(crate) const CLIENT_KWARGS: &str = "client_kwargs";
/// Extra parameters for the login URL (used for named providers only).
pub(crate) const AUTHORIZE_PARAMS: &str = "authorize_params";

/// Whether a table under `[auth]` is a provider entry `[auth.NAME]`: the
/// default provider's own tables (`client_kwargs`, `authorize_params`) are not.
pub(crate) fn is_provider_name(key: &str) -> bool {
    key != CLIENT_KWARGS && key != AUTHORIZE_PARAMS
}

/// Streamlit serves its OAuth callback at `<server.baseUrlPath>/oauth2callback`.
pub const CALLBACK_PATH: &str = "/oauth2callback";
/// The route `st.login()` sends the browser to (`?provider=NAME`); without a
/// provider every release redirects to the app (1.42-1.67).
pub const LOGIN_PATH: &str = "/auth/login";
/// Answers `ok` when the app runs (every release, under `server.baseUrlPath`).
pub const HEALTH_PATH: &str = "/_stcore/health";
/// The WebSocket the app's page runs over.
pub const STREAM_PATH: &str = "/_stcore/stream";
/// `redirect_uri` may hold this literal; Streamlit 1.53+ replaces it by `server.port`.
pub(crate) const PORT_PLACEHOLDER: &str = "{port}";

/// Streamlit's `client_kwargs` defaults.
pub(crate) const DEFAULT_SCOPE: &str = "openid email profile";
pub(crate) const DEFAULT_PROMPT: &str = "select_account";

/// Values `expose_tokens` accepts (1.53+).
pub(crate) const EXPOSE_TOKENS_VALUES: &[&str] = &["id", "access"];

/// `client_kwargs` keys that take effect; anything else is silently dropped.
pub(crate) const CLIENT_KWARGS_USED: &[&str] = &[
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
pub(crate) const SECRET_KEYS: &[&str] = &[CLIENT_SECRET, COOKIE_SECRET];

/// `client_kwargs` keys that Streamlit passes to Authlib's client next to
/// the provider's own `client_id` / `client_secret`: the login then fails with
/// "got multiple values for keyword argument" (Streamlit 1.67, Authlib 1.x).
pub(crate) const CLIENT_KWARGS_COLLIDING: &[&str] = &[CLIENT_ID, CLIENT_SECRET];

/// Whether a key's value is to be treated as a secret wherever it appears
/// (`client_secret`, `private_key`, `api_token`, `password`...): stauth never
/// prints such a value, and never suggests putting it into a URL.
pub(crate) fn looks_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "key", "token", "password", "passwd"]
        .iter()
        .any(|word| key.contains(word))
}

/// What a value read from secrets.toml is in Python (what Streamlit gets
/// from its TOML reader), for messages: "a string", "a list"...
pub(crate) fn python_type(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::String(_) => "a string",
        Value::Bool(_) => "true/false (bool)",
        // An integer beyond 64 bits arrives as a whole f64 (see secrets_file).
        Value::Number(n)
            if n.is_f64()
                && n.as_f64()
                    .is_some_and(|f| f.fract() != 0.0 || f.abs() < 9.2e18) =>
        {
            "a number (float)"
        }
        Value::Number(_) => "a number (int)",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table (dict)",
        Value::Null => "empty",
    }
}

/// A key Streamlit reads as text holds another type. `fatal`: the login
/// cannot work; otherwise it works only by luck (a number sent as its digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WrongType {
    pub fatal: bool,
    /// What Streamlit (1.67, with Authlib) then does, in one sentence.
    pub consequence: String,
}

/// Checks the type of one `[auth]` / provider key as Streamlit uses it
/// (None: the type is fine, or Streamlit does not read the key). Found by
/// running Streamlit 1.67's own login code on each type (tests/py/auth_config_oracle.py).
pub(crate) fn wrong_type(key: &str, value: &serde_json::Value) -> Option<WrongType> {
    use serde_json::Value;
    let kind = python_type(value);
    let fatal = |consequence: String| {
        Some(WrongType {
            fatal: true,
            consequence,
        })
    };
    match (key, value) {
        (CLIENT_KWARGS, Value::Object(_)) => None,
        (CLIENT_KWARGS, _) => fatal(format!(
            "Streamlit reads client_kwargs as a table, so st.login() fails with an AttributeError or TypeError on {kind}."
        )),
        (_, Value::String(_)) => None,
        (REDIRECT_URI, _) => fatal(format!(
            "Streamlit reads redirect_uri as text (it looks for \"{{port}}\" in it, then parses it as a URL), so st.login() fails with a TypeError or AttributeError on {kind}."
        )),
        (COOKIE_SECRET, _) => fatal(format!(
            "Streamlit signs its login cookies with cookie_secret as text, so st.login() fails with a TypeError on {kind}."
        )),
        (CLIENT_ID, _) => fatal(format!(
            "Authlib sends Python's text for {kind} as the client ID, and the ID token's audience (a string) never equals it: the login fails after the provider's page (Authlib's ID token check)."
        )),
        (CLIENT_SECRET, Value::Number(_)) => Some(WrongType {
            fatal: false,
            consequence: "Authlib sends the number as Python prints it, which matches the provider's secret only if that secret is exactly those characters.".into(),
        }),
        (CLIENT_SECRET, _) => fatal(format!(
            "Authlib sends Python's text for {kind} (e.g. ['…']), not a secret the provider issued: the token request fails with invalid_client."
        )),
        (SERVER_METADATA_URL, _) => fatal(format!(
            "Authlib hands it to the HTTP client, which refuses {kind} (\"Invalid type for url\"), so the login fails before reaching the provider (Streamlit 1.67's login page answers 400 \"Authentication error\")."
        )),
        _ => None,
    }
}

/// Python's truthiness, which Streamlit applies to the default provider's
/// keys (`generate_default_provider_section` keeps only truthy values).
pub(crate) fn python_truthy(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => !s.is_empty(),
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
    }
}

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
        AUTHORIZE_PARAMS,
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
    fn secret_looking_keys() {
        for k in [
            "client_secret",
            "private_key",
            "API_KEY",
            "refresh_token",
            "Password",
        ] {
            assert!(looks_secret(k), "{k}");
        }
        for k in ["scope", "prompt", "audience", "login_hint"] {
            assert!(!looks_secret(k), "{k}");
        }
    }

    #[test]
    fn truthiness_is_pythons() {
        use serde_json::json;
        for v in [
            json!(""),
            json!(0),
            json!(0.0),
            json!(false),
            json!([]),
            json!({}),
        ] {
            assert!(!python_truthy(&v), "{v}");
        }
        for v in [
            json!("x"),
            json!(1),
            json!(-0.5),
            json!(true),
            json!([0]),
            json!({"a": 1}),
        ] {
            assert!(python_truthy(&v), "{v}");
        }
    }

    #[test]
    fn expose_tokens() {
        assert!(validate_expose_tokens(&["id".into(), "access".into()]).is_ok());
        assert!(validate_expose_tokens(&["refresh".into()]).is_err());
    }
}
