//! The login configuration as Streamlit resolves it when `st.login()` runs:
//! secrets files merged shallowly in order, then `validate_auth_credentials`'s
//! checks in its order, with Streamlit's own wording.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::schema::{self, AuthSecret, ProviderSlot};
use super::secrets_file::SecretsFile;
use crate::error::{Error, Result, Setup};
use crate::secret::Secret;

/// Everything Streamlit uses to log in with one provider.
#[derive(Debug, Clone)]
pub struct LoginConfig {
    pub slot: ProviderSlot,
    /// The file whose `[auth]` Streamlit uses (the last one that has it).
    pub source: PathBuf,
    /// `redirect_uri` with `{port}` filled in.
    pub redirect_uri: String,
    pub cookie_secret: Secret,
    pub client_id: String,
    pub client_secret: Secret,
    pub server_metadata_url: String,
    pub client_kwargs: Map<String, Value>,
    pub authorize_params: Map<String, Value>,
    pub expose_tokens: Vec<String>,
}

impl LoginConfig {
    /// A `client_kwargs` string value.
    pub(crate) fn kwarg(&self, key: &str) -> Option<&str> {
        self.client_kwargs.get(key).and_then(Value::as_str)
    }
}

/// Secrets kept outside the secrets files (stauth's keychain store), asked
/// for only when the files lack them: a file's value always wins. This
/// module never reaches the keychain itself; the caller passes one in.
pub trait SecretFallback {
    /// Where the values come from, for messages.
    fn describe(&self) -> String;
    /// The value, or None when the fallback has none either.
    fn get(&self, which: &AuthSecret) -> Result<Option<Secret>>;
}

/// The secrets files alone, as Streamlit reads them.
pub(crate) struct FilesOnly;

impl SecretFallback for FilesOnly {
    fn describe(&self) -> String {
        "nowhere else".into()
    }

    fn get(&self, _which: &AuthSecret) -> Result<Option<Secret>> {
        Ok(None)
    }
}

fn needs_setup(message: impl Into<String>, setup: Setup) -> Error {
    Error::NeedsSetup {
        message: message.into(),
        setup,
    }
}

fn config_error(message: impl Into<String>, fix: impl Into<String>) -> Error {
    Error::LoginConfig {
        message: message.into(),
        fix: fix.into(),
    }
}

/// Reads `files` in order (missing ones are skipped, as Streamlit does) and
/// resolves `provider` (`None`: the default provider, `st.login()`).
/// `[auth]` as Streamlit sees it: from the last of `files` that has one.
fn load_auth(files: &[PathBuf]) -> Result<(PathBuf, Map<String, Value>)> {
    let mut auth: Option<(PathBuf, Value)> = None;
    let mut found_any = false;
    for path in files {
        if !path.exists() {
            continue;
        }
        found_any = true;
        let file = SecretsFile::load(path)?;
        if let Some(data) = file.auth_data() {
            // Streamlit merges files shallowly: a later [auth] replaces an earlier one whole.
            auth = Some((path.clone(), data));
        }
    }
    let looked_in = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if !found_any {
        return Err(needs_setup(
            format!("no secrets file found (looked in {looked_in})"),
            Setup::SecretsFile,
        ));
    }
    let Some((source, auth)) = auth else {
        return Err(needs_setup(
            format!("To use authentication features you need to configure credentials for at least one authentication provider in `.streamlit/secrets.toml` (no [auth] table in {looked_in})"),
            Setup::AuthTable,
        ));
    };
    let Value::Object(auth) = auth else {
        return Err(needs_setup(
            format!("{}: [auth] must be a table", source.display()),
            Setup::AuthNotTable,
        ));
    };
    Ok((source, auth))
}

fn cookie_from(source: PathBuf, auth: &Map<String, Value>) -> Result<(Secret, PathBuf)> {
    match auth.get(schema::COOKIE_SECRET).and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Ok((Secret::new(s), source)),
        _ => Err(needs_setup(
            format!(
                "Authentication credentials in `{}` are missing the \"cookie_secret\" key",
                source.display()
            ),
            Setup::CookieSecret,
        )),
    }
}

/// The app's `cookie_secret`, taken from `fallback` when the files lack it,
/// and where it came from (a path, or the fallback).
pub(crate) fn cookie_secret_with(
    files: &[PathBuf],
    fallback: &dyn SecretFallback,
) -> Result<(Secret, String)> {
    let (source, auth) = load_auth(files)?;
    if !auth.contains_key(schema::COOKIE_SECRET) {
        if let Some(secret) = fallback.get(&AuthSecret::CookieSecret)? {
            return Ok((secret, fallback.describe()));
        }
    }
    cookie_from(source, &auth).map(|(secret, path)| (secret, path.display().to_string()))
}

/// The login configuration for `provider` from the secrets `files`, taking
/// `cookie_secret` and the provider's `client_secret` from `fallback` when
/// the files lack them (Streamlit then gets them from `stauth run`).
pub(crate) fn resolve_with(
    files: &[PathBuf],
    provider: Option<&str>,
    port: u16,
    fallback: &dyn SecretFallback,
) -> Result<LoginConfig> {
    let (source, mut auth) = load_auth(files)?;
    fill_from(&mut auth, provider, fallback)?;
    for key in [schema::REDIRECT_URI, schema::COOKIE_SECRET] {
        if !auth.contains_key(key) {
            return Err(needs_setup(
                format!(
                    "Authentication credentials in `{}` are missing the \"{key}\" key",
                    source.display()
                ),
                Setup::AuthKey,
            ));
        }
    }
    let name = provider.unwrap_or("default");
    if name.contains('_') {
        return Err(config_error(
            format!("Auth provider name \"{name}\" contains an underscore. Please use a provider name without underscores."),
            "Rename the [auth.NAME] table and the st.login(\"NAME\") call.",
        ));
    }
    let named: Vec<String> = auth
        .iter()
        .filter(|(k, v)| v.is_object() && schema::is_provider_name(k))
        .map(|(k, _)| k.clone())
        .collect();
    let section: Map<String, Value> = match auth.get(name) {
        Some(Value::Object(section)) => section.clone(),
        Some(_) => {
            return Err(config_error(
                format!("Authentication credentials in `{}` for the authentication provider \"{name}\" must be valid TOML", source.display()),
                format!("Make [auth.{name}] a table."),
            ))
        }
        None if name == "default" => default_section(&auth),
        None => {
            return Err(needs_setup(
                format!("Authentication credentials in `{}` are missing for the authentication provider \"{name}\"", source.display()),
                providers_setup(&named, &auth),
            ))
        }
    };
    let required = [
        schema::CLIENT_ID,
        schema::CLIENT_SECRET,
        schema::SERVER_METADATA_URL,
    ];
    let missing: Vec<&str> = required
        .into_iter()
        .filter(|k| !section.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        let who = if name == "default" {
            "the default authentication provider".to_string()
        } else {
            format!("the authentication provider \"{name}\"")
        };
        let setup = if name == "default" && section.is_empty() && !named.is_empty() {
            providers_setup(&named, &auth)
        } else {
            Setup::ProviderKeys
        };
        return Err(needs_setup(
            format!(
                "Authentication credentials in `{}` for {who} are missing the following keys: {}",
                source.display(),
                python_list(&missing)
            ),
            setup,
        ));
    }
    // Types, as Streamlit's login code needs them (values are never shown).
    for (map, key) in [
        (&auth, schema::REDIRECT_URI),
        (&auth, schema::COOKIE_SECRET),
        (&section, schema::CLIENT_ID),
        (&section, schema::CLIENT_SECRET),
        (&section, schema::SERVER_METADATA_URL),
        (&section, schema::CLIENT_KWARGS),
    ] {
        let Some(value) = map.get(key) else { continue };
        if let Some(wrong) = schema::wrong_type(key, value).filter(|w| w.fatal) {
            return Err(config_error(
                format!(
                    "{key} in `{}` is {}, not a string: {}",
                    source.display(),
                    schema::python_type(value),
                    wrong.consequence
                ),
                format!("Write the value in quotes: {key} = \"...\" (see `stauth doctor`)."),
            ));
        }
    }
    let text = |map: &Map<String, Value>, key: &str| -> String {
        match map.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    };
    let expose_tokens = match auth.get(schema::EXPOSE_TOKENS) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    schema::validate_expose_tokens(&expose_tokens).map_err(|reason| {
        config_error(
            format!("Invalid expose_tokens configuration: {reason}"),
            "Use expose_tokens = \"id\", \"access\" or [\"id\", \"access\"].",
        )
    })?;
    let object = |key: &str| match section.get(key) {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    Ok(LoginConfig {
        slot: if name == "default" {
            ProviderSlot::Default
        } else {
            ProviderSlot::Named(name.to_string())
        },
        redirect_uri: text(&auth, schema::REDIRECT_URI)
            .replace(schema::PORT_PLACEHOLDER, &port.to_string()),
        cookie_secret: Secret::new(text(&auth, schema::COOKIE_SECRET)),
        client_id: text(&section, schema::CLIENT_ID),
        client_secret: Secret::new(text(&section, schema::CLIENT_SECRET)),
        server_metadata_url: text(&section, schema::SERVER_METADATA_URL),
        client_kwargs: object(schema::CLIENT_KWARGS),
        authorize_params: object(schema::AUTHORIZE_PARAMS),
        expose_tokens,
        source,
    })
}

/// Puts the fallback's secrets into `auth` where it lacks them: cookie_secret,
/// and the client_secret of `provider` when its section exists.
fn fill_from(
    auth: &mut Map<String, Value>,
    provider: Option<&str>,
    fallback: &dyn SecretFallback,
) -> Result<()> {
    if !auth.contains_key(schema::COOKIE_SECRET) {
        if let Some(s) = fallback.get(&AuthSecret::CookieSecret)? {
            auth.insert(
                schema::COOKIE_SECRET.into(),
                Value::String(s.expose().into()),
            );
        }
    }
    let name = provider.unwrap_or("default");
    if name == "default" {
        let has_default = [schema::CLIENT_ID, schema::SERVER_METADATA_URL]
            .iter()
            .any(|k| auth.contains_key(*k));
        if has_default && !auth.contains_key(schema::CLIENT_SECRET) {
            if let Some(s) = fallback.get(&AuthSecret::ClientSecret(ProviderSlot::Default))? {
                auth.insert(
                    schema::CLIENT_SECRET.into(),
                    Value::String(s.expose().into()),
                );
            }
        }
    } else if let Some(Value::Object(section)) = auth.get_mut(name) {
        if !section.contains_key(schema::CLIENT_SECRET) {
            if let Ok(slot) = ProviderSlot::named(name) {
                if let Some(s) = fallback.get(&AuthSecret::ClientSecret(slot))? {
                    section.insert(
                        schema::CLIENT_SECRET.into(),
                        Value::String(s.expose().into()),
                    );
                }
            }
        }
    }
    Ok(())
}

/// The secrets Streamlit reads from `files`, merged as it merges them
/// (shallowly: a later file's top-level table replaces an earlier one whole),
/// with the secrets `[auth]` lacks taken from `fallback`.
pub struct Merged {
    /// The merged secrets; `[auth]` is complete as far as the fallback could
    /// complete it.
    pub file: SecretsFile,
    /// The file `[auth]` comes from (None: no file has `[auth]`).
    pub auth_source: Option<PathBuf>,
    /// The secrets taken from the fallback.
    pub filled: Vec<AuthSecret>,
    /// Secrets `[auth]` needs that neither the files nor the fallback have.
    pub missing: Vec<AuthSecret>,
}

/// Merges `files` (missing ones are skipped) and completes `[auth]` from
/// `fallback`. `path` names the result (it is not read or written).
pub fn merged_secrets(
    files: &[PathBuf],
    fallback: &dyn SecretFallback,
    path: &Path,
) -> Result<Merged> {
    let mut items: Vec<(String, toml_edit::Item)> = Vec::new();
    let mut auth_source = None;
    let mut single: Option<SecretsFile> = None;
    let mut found = 0;
    for file in files {
        if !file.exists() {
            continue;
        }
        found += 1;
        let loaded = SecretsFile::load(file)?;
        for (key, item) in loaded.items() {
            if key == schema::AUTH {
                auth_source = Some(file.clone());
            }
            match items.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = item,
                None => items.push((key, item)),
            }
        }
        single = Some(loaded);
    }
    // One file: keep it whole, comments and all.
    let mut merged = match (found, single) {
        (1, Some(only)) => only,
        _ => SecretsFile::from_items(path, items),
    };
    merged.remove_keychain_note();
    let mut filled = Vec::new();
    let mut missing = Vec::new();
    for which in merged.secrets_missing() {
        match fallback.get(&which)? {
            Some(value) => {
                merged.set_secret(&which, value.expose());
                filled.push(which);
            }
            None => missing.push(which),
        }
    }
    Ok(Merged {
        file: merged,
        auth_source,
        filled,
        missing,
    })
}

/// Streamlit's `generate_default_provider_section`: only non-empty values,
/// and only these keys (`authorize_params` of the default provider never
/// reach the login URL; 1.42-1.67 alike).
fn default_section(auth: &Map<String, Value>) -> Map<String, Value> {
    [
        schema::CLIENT_ID,
        schema::CLIENT_SECRET,
        schema::SERVER_METADATA_URL,
        schema::CLIENT_KWARGS,
    ]
    .into_iter()
    .filter_map(|k| {
        auth.get(k)
            .filter(|v| schema::python_truthy(v))
            .map(|v| (k.to_string(), v.clone()))
    })
    .collect()
}

fn providers_setup(named: &[String], auth: &Map<String, Value>) -> Setup {
    Setup::Provider {
        named: named.to_vec(),
        default_too: auth.contains_key(schema::CLIENT_ID),
    }
}

fn python_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("'{i}'")).collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(files: &[PathBuf], provider: Option<&str>, port: u16) -> Result<LoginConfig> {
        resolve_with(files, provider, port, &FilesOnly)
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn err(files: &[PathBuf], provider: Option<&str>) -> String {
        match resolve(files, provider, 8501) {
            Err(Error::LoginConfig { message, .. } | Error::NeedsSetup { message, .. }) => message,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    const FULL: &str = "[auth]\nredirect_uri = \"http://localhost:{port}/oauth2callback\"\ncookie_secret = \"c\"\nclient_id = \"id\"\nclient_secret = \"s\"\nserver_metadata_url = \"https://idp/.well-known/openid-configuration\"\nclient_kwargs = { prompt = \"login\" }\n";

    #[test]
    fn default_provider_resolves() {
        let d = tempfile::tempdir().unwrap();
        let f = write(d.path(), "s.toml", FULL);
        let c = resolve(&[f], None, 8600).unwrap();
        assert_eq!(c.redirect_uri, "http://localhost:8600/oauth2callback");
        assert_eq!(c.client_id, "id");
        assert_eq!(c.kwarg("prompt"), Some("login"));
        assert_eq!(c.slot, ProviderSlot::Default);
    }

    #[test]
    fn later_auth_replaces_earlier_whole() {
        let d = tempfile::tempdir().unwrap();
        let a = write(d.path(), "a.toml", FULL);
        let b = write(
            d.path(),
            "b.toml",
            "[auth]\nredirect_uri = \"x\"\ncookie_secret = \"c\"\n",
        );
        assert!(err(&[a.clone(), b.clone()], None).contains(
            "missing the following keys: ['client_id', 'client_secret', 'server_metadata_url']"
        ));
        assert!(resolve(&[b, a], None, 1).is_ok());
    }

    #[test]
    fn streamlit_validation_order() {
        let d = tempfile::tempdir().unwrap();
        let none = d.path().join("nope.toml");
        assert!(err(std::slice::from_ref(&none), None).starts_with("no secrets file found"));
        let no_auth = write(d.path(), "n.toml", "[db]\nx = 1\n");
        assert!(err(&[no_auth], None).contains("configure credentials"));
        let no_redirect = write(d.path(), "r.toml", "[auth]\ncookie_secret = \"c\"\n");
        assert!(err(&[no_redirect], None).contains("\"redirect_uri\""));
        let f = write(d.path(), "f.toml", FULL);
        assert!(err(std::slice::from_ref(&f), Some("my_idp")).contains("underscore"));
        assert!(
            err(&[f], Some("okta")).contains("missing for the authentication provider \"okta\"")
        );
        let empty_secret = write(
            d.path(),
            "e.toml",
            &FULL.replace("client_secret = \"s\"", "client_secret = \"\""),
        );
        assert!(err(&[empty_secret], None).contains("['client_secret']"));
    }

    #[test]
    fn named_provider_with_empty_secret_is_a_public_client() {
        let d = tempfile::tempdir().unwrap();
        let f = write(d.path(), "s.toml", "[auth]\nredirect_uri = \"x\"\ncookie_secret = \"c\"\n[auth.pub]\nclient_id = \"i\"\nclient_secret = \"\"\nserver_metadata_url = \"u\"\n");
        let c = resolve(&[f], Some("pub"), 1).unwrap();
        assert!(c.client_secret.is_empty());
        assert_eq!(c.slot, ProviderSlot::Named("pub".into()));
    }

    /// A fallback holding fixed values, counting how often it is asked.
    struct Fixed(Vec<(AuthSecret, &'static str)>, std::cell::Cell<usize>);

    impl SecretFallback for Fixed {
        fn describe(&self) -> String {
            "the test fallback".into()
        }
        fn get(&self, which: &AuthSecret) -> Result<Option<Secret>> {
            self.1.set(self.1.get() + 1);
            Ok(self
                .0
                .iter()
                .find(|(w, _)| w == which)
                .map(|(_, v)| Secret::new(*v)))
        }
    }

    const NO_SECRETS: &str = "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\nclient_id = \"id\"\nserver_metadata_url = \"u\"\n[auth.okta]\nclient_id = \"o\"\nserver_metadata_url = \"v\"\n";

    fn fixed() -> Fixed {
        Fixed(
            vec![
                (AuthSecret::CookieSecret, "kc-cookie"),
                (
                    AuthSecret::ClientSecret(ProviderSlot::Default),
                    "kc-default",
                ),
                (
                    AuthSecret::ClientSecret(ProviderSlot::Named("okta".into())),
                    "kc-okta",
                ),
            ],
            std::cell::Cell::new(0),
        )
    }

    #[test]
    fn the_fallback_fills_what_the_files_lack_and_the_file_wins() {
        let d = tempfile::tempdir().unwrap();
        let f = write(d.path(), "s.toml", NO_SECRETS);
        let c = resolve_with(std::slice::from_ref(&f), None, 1, &fixed()).unwrap();
        assert_eq!(
            (c.cookie_secret.expose(), c.client_secret.expose()),
            ("kc-cookie", "kc-default")
        );
        let c = resolve_with(std::slice::from_ref(&f), Some("okta"), 1, &fixed()).unwrap();
        assert_eq!(c.client_secret.expose(), "kc-okta");
        assert_eq!(
            cookie_secret_with(std::slice::from_ref(&f), &fixed())
                .unwrap()
                .1,
            "the test fallback"
        );
        // Values in the file win, and the fallback is not even asked.
        let full = write(d.path(), "full.toml", FULL);
        let fb = fixed();
        let c = resolve_with(&[full], None, 1, &fb).unwrap();
        assert_eq!(
            (c.cookie_secret.expose(), c.client_secret.expose()),
            ("c", "s")
        );
        assert_eq!(fb.1.get(), 0);
        // Without one: Streamlit's own error.
        assert!(err(&[f], None).contains("\"cookie_secret\""));
    }

    #[test]
    fn merged_secrets_merge_shallowly_and_complete_auth() {
        let d = tempfile::tempdir().unwrap();
        let home = write(
            d.path(),
            "home.toml",
            "[db]\nuser = \"home\"\n[auth]\nredirect_uri = \"x\"\n",
        );
        let app = write(
            d.path(),
            "app.toml",
            &format!("[db]\nuser = \"app\"\n{NO_SECRETS}"),
        );
        let m = merged_secrets(
            &[home, app.clone(), d.path().join("missing.toml")],
            &fixed(),
            Path::new("m.toml"),
        )
        .unwrap();
        assert_eq!(m.auth_source, Some(app));
        assert_eq!(m.filled.len(), 3);
        assert!(m.missing.is_empty());
        let doc: toml_edit::DocumentMut = m.file.render().parse().unwrap();
        assert_eq!(doc["db"]["user"].as_str(), Some("app"));
        assert_eq!(doc["auth"]["client_id"].as_str(), Some("id"));
        assert_eq!(doc["auth"]["cookie_secret"].as_str(), Some("kc-cookie"));
        assert_eq!(
            doc["auth"]["okta"]["client_secret"].as_str(),
            Some("kc-okta")
        );
        let none = merged_secrets(
            &[d.path().join("app.toml")],
            &FilesOnly,
            Path::new("m.toml"),
        )
        .unwrap();
        assert_eq!(none.missing.len(), 3);
    }
}
