//! `stauth dev-provider -- COMMAND`: COMMAND (e.g. `streamlit run app.py`)
//! gets an `[auth]` for the dev provider in a private temporary secrets file
//! listed last in `STREAMLIT_SECRETS_FILES` (Streamlit merges files
//! shallowly, so this `[auth]` replaces the project's whole): a client made
//! now for the root issuer, and one per `[auth.NAME]` the app has, shaped
//! like that provider's preset, so `st.login("NAME")` works too. The
//! project's secrets.toml is never written.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value};
use toml_edit::{value, Item, Table};

use crate::dev_provider::clients::{self, Client};
use crate::dev_provider::server::Running;
use crate::dev_provider::{metadata_url, points_at};

use super::{banner, POLL};
use crate::catalog::{self, Preset};
use crate::commands::common::child;
use crate::commands::common::{new_dev_client_id, new_secret};
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::output::Output;
use crate::streamlit::auth_config::{self, LoginConfig};
use crate::streamlit::schema::{self, ProviderSlot};
use crate::streamlit::AppContext;

/// The private secrets file's text and the clients it names.
pub struct Made {
    pub document: String,
    pub clients: Vec<Client>,
}

/// An `[auth]` for the dev provider on `port`, for the app's providers.
pub fn secrets(app: &AppContext, port: u16) -> Result<Made> {
    let merged = auth_config::merged_secrets(
        &app.secrets_files(),
        app.fallback(),
        Path::new("secrets.toml"),
    )?;
    let app_auth: Option<Item> = merged
        .file
        .items()
        .into_iter()
        .find(|(k, _)| k == schema::AUTH)
        .map(|(_, item)| item);
    let app_auth = app_auth.as_ref().and_then(Item::as_table_like);
    let redirect_uri = app.server.local_redirect_uri();

    let mut auth = Table::new();
    auth.insert(schema::REDIRECT_URI, value(&redirect_uri));
    let cookie_secret = new_secret()?;
    auth.insert(schema::COOKIE_SECRET, value(cookie_secret.expose()));
    if let Some(tokens) = app_auth.and_then(|a| a.get(schema::EXPOSE_TOKENS)) {
        auth.insert(schema::EXPOSE_TOKENS, tokens.clone());
    }

    let mut slots = vec![(ProviderSlot::Default, None)];
    for name in merged.file.named_providers() {
        let url = merged.file.provider_str(
            &ProviderSlot::Named(name.clone()),
            schema::SERVER_METADATA_URL,
        );
        slots.push((ProviderSlot::Named(name), Some(shape_of(url))));
    }

    let mut made = Vec::new();
    for (slot, like) in slots {
        let like: Option<&'static Preset> = like.flatten();
        let client_id = new_dev_client_id()?;
        let client_secret = new_secret()?;
        let url = metadata_url(port, like.map(|p| p.name));
        let app_section = match &slot {
            ProviderSlot::Default => app_auth,
            ProviderSlot::Named(n) => app_auth
                .and_then(|a| a.get(n))
                .and_then(Item::as_table_like),
        };
        let kwargs = app_section.and_then(|s| s.get(CLIENT_KWARGS)).cloned();
        let target: &mut Table = match &slot {
            ProviderSlot::Default => &mut auth,
            ProviderSlot::Named(n) => {
                let mut t = Table::new();
                t.set_implicit(false);
                auth.insert(n, Item::Table(t));
                auth[n.as_str()]
                    .as_table_mut()
                    .expect("inserted as a table just now")
            }
        };
        target.insert(schema::CLIENT_ID, value(&client_id));
        target.insert(schema::CLIENT_SECRET, value(client_secret.expose()));
        target.insert(schema::SERVER_METADATA_URL, value(&url));
        if let Some(k) = &kwargs {
            target.insert(CLIENT_KWARGS, k.clone());
        }
        let config = LoginConfig {
            slot: slot.clone(),
            source: PathBuf::from("(stauth dev-provider's private secrets file)"),
            redirect_uri: redirect_uri.clone(),
            cookie_secret: cookie_secret.clone(),
            client_id,
            client_secret,
            server_metadata_url: url,
            client_kwargs: kwargs.as_ref().map(string_kwargs).unwrap_or_default(),
            authorize_params: Map::new(),
            expose_tokens: Vec::new(),
        };
        let mut client = Client::from_login(config, like);
        client.section = format!("{} for the command", client.section);
        made.push(client);
    }

    let mut doc = toml_edit::DocumentMut::new();
    doc.insert(schema::AUTH, Item::Table(auth));
    Ok(Made {
        document: format!(
            "# Written by `stauth dev-provider` for the command it runs; removed when the command exits.\n{doc}"
        ),
        clients: made,
    })
}

/// The preset a provider's dev twin imitates: the one its own dev URL names,
/// else the catalog's match for its real URL (none for a generic provider).
fn shape_of(url: Option<&str>) -> Option<&'static Preset> {
    let url = url?;
    match points_at(url, None) {
        Some(like) => like.and_then(|name| clients::known_preset(&name)),
        None => catalog::preset_for_metadata_url(url).filter(|p| p.name != "generic"),
    }
}

/// The string values of `client_kwargs` (scope, prompt...), as the request
/// checks compare them.
fn string_kwargs(item: &Item) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(t) = item.as_table_like() {
        for (k, v) in t.iter() {
            if let Some(s) = v.as_str() {
                out.insert(k.to_string(), Value::String(s.to_string()));
            }
        }
    }
    out
}

/// The `client_kwargs` key of a provider entry.
const CLIENT_KWARGS: &str = "client_kwargs";

/// Runs COMMAND with the private secrets while the provider logs its
/// requests; COMMAND's exit status is passed on.
pub fn run(
    running: &Running,
    argv: &[OsString],
    app: &AppContext,
    made: Made,
    out: &Output,
) -> Result<ExitCode> {
    let (program, rest) = argv.split_first().ok_or_else(|| Error::MissingInputs {
        missing: vec!["COMMAND (e.g. stauth dev-provider -- streamlit run app.py)".into()],
    })?;
    let mut command = Command::new(program);
    command.args(rest);
    // With --json, stdout carries only the provider's JSON lines: COMMAND's
    // own output (Streamlit's banner) goes to stderr with the human text.
    #[cfg(unix)]
    if out.json_mode() {
        use std::os::fd::AsFd;
        if let Ok(stderr) = std::io::stderr().as_fd().try_clone_to_owned() {
            command.stdout(std::process::Stdio::from(stderr));
        }
    }
    let files: Vec<PathBuf> = app
        .secrets_files()
        .into_iter()
        .map(|f| std::path::absolute(&f).unwrap_or(f))
        .collect();
    let done = AtomicBool::new(false);
    let code = std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                if let Some(event) = running.next_event(POLL) {
                    banner::event(out, &event);
                }
            }
        });
        let code = child::run_with_secrets(
            command,
            Path::new(program),
            &files,
            Some(&made.document),
            out,
        );
        done.store(true, Ordering::Relaxed);
        code
    })?;
    Ok(ExitCode::Child(code))
}
