//! `stauth secrets`: the app's secrets in the OS keychain. Values are never
//! printed, except by `get --reveal` and `export --reveal`.

use std::io::IsTerminal;
use std::path::Path;

use serde_json::json;

use crate::cli::{
    SecretsAction, SecretsArgs, SecretsExportArgs, SecretsGetArgs, SecretsListArgs, SecretsNameArgs,
};
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::output::Output;
use crate::secret::Secret;
use crate::secret_store::{self, AppId, KeychainFallback, SecretStore, SERVICE};
use crate::streamlit::auth_config;
use crate::streamlit::schema::{self, AuthSecret, ProviderSlot};
use crate::streamlit::SecretsFile;

pub fn run(args: &SecretsArgs, out: &Output) -> Result<ExitCode> {
    match &args.action {
        SecretsAction::List(a) => list(a, out),
        SecretsAction::Get(a) => get(a, out),
        SecretsAction::Set(a) => set(a, out),
        SecretsAction::Rm(a) => rm(a, out),
        SecretsAction::Export(a) => export(a, out),
    }
}

fn parse_name(name: &str) -> Result<AuthSecret> {
    AuthSecret::parse(name).map_err(|reason| Error::InvalidValue {
        what: "secret name".into(),
        value: name.into(),
        reason,
    })
}

fn app_dir_checked(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        Ok(())
    } else {
        Err(Error::InvalidValue {
            what: "--app-dir".into(),
            value: dir.display().to_string(),
            reason: "no such folder".into(),
        })
    }
}

/// The app's own secrets file (missing: an empty one).
fn app_secrets_file(app_dir: &Path) -> Result<SecretsFile> {
    SecretsFile::load(&crate::streamlit::app::secrets_file_in(app_dir))
}

fn keychain_label(store: &SecretStore) -> String {
    format!("the OS keychain ({}, service \"{SERVICE}\")", store.name())
}

fn list(args: &SecretsListArgs, out: &Output) -> Result<ExitCode> {
    app_dir_checked(&args.app_dir)?;
    let app = AppId::for_dir(&args.app_dir)?;
    let file = app_secrets_file(&args.app_dir)?;
    let mut candidates = vec![AuthSecret::CookieSecret];
    candidates.extend(
        std::iter::once(ProviderSlot::Default)
            .chain(file.named_providers().into_iter().map(ProviderSlot::Named))
            .map(AuthSecret::ClientSecret),
    );
    let store = SecretStore::open()?;
    let listed = store.list((!args.all).then_some(&app), &candidates)?;

    let shadowed =
        |l: &secret_store::Listed| l.app == app && file.secret_value(&l.secret).is_some();
    if out.json_mode() {
        out.json(&json!({
            "backend": store.name(),
            "service": SERVICE,
            "app_dir": (!args.all).then(|| app.as_str()),
            "secrets": listed.iter().map(|l| json!({
                "name": l.secret.path(),
                "app_dir": l.app.as_str(),
                "account": secret_store::account(&l.app, &l.secret),
                "also_in_secrets_file": shadowed(l),
            })).collect::<Vec<_>>(),
        }));
        return Ok(ExitCode::Success);
    }
    let whose = if args.all {
        "every app".to_string()
    } else {
        app.as_str().to_string()
    };
    if listed.is_empty() {
        out.line(format!(
            "No secrets of {whose} in {}.",
            keychain_label(&store)
        ));
        if !args.all {
            out.detail("Store them with `stauth init --store keychain`, or one by one with `stauth secrets set NAME`.");
        }
        return Ok(ExitCode::Success);
    }
    out.heading(format!(
        "Secrets of {whose} in {} (values are never shown):",
        keychain_label(&store)
    ));
    let mut text = String::new();
    for l in &listed {
        if args.all {
            text.push_str(&format!("{}\t{}\n", l.app.as_str(), l.secret.path()));
        } else {
            text.push_str(&format!("{}\n", l.secret.path()));
        }
    }
    out.data(text);
    for l in listed.iter().filter(|l| shadowed(l)) {
        out.warning(format!(
            "{} is also in {}: Streamlit and stauth use the file's value",
            l.secret.path(),
            file.path().display()
        ));
    }
    Ok(ExitCode::Success)
}

fn not_found(which: &AuthSecret, app: &AppId) -> Error {
    Error::Input {
        message: format!("{which} of {} is not in the OS keychain", app.as_str()),
        hint: format!(
            "`stauth secrets list` shows what is there (check --app-dir); `stauth secrets set {which}` stores it."
        ),
    }
}

fn get(args: &SecretsGetArgs, out: &Output) -> Result<ExitCode> {
    let which = parse_name(&args.name)?;
    app_dir_checked(&args.app_dir)?;
    let app = AppId::for_dir(&args.app_dir)?;
    let store = SecretStore::open()?;
    let value = store
        .get(&app, &which)?
        .ok_or_else(|| not_found(&which, &app))?;
    if args.reveal {
        out.data(value.expose());
    } else {
        out.line(format!(
            "{which} is in {} ({} characters). Add --reveal to print it on stdout.",
            keychain_label(&store),
            value.expose().chars().count()
        ));
    }
    Ok(ExitCode::Success)
}

/// The value for `set`: stdin when it is not a terminal, else a hidden prompt.
fn read_value(which: &AuthSecret) -> Result<Secret> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        if !std::io::stderr().is_terminal() {
            return Err(Error::MissingInputs {
                missing: vec![format!("the value of {which} on stdin")],
            });
        }
        crate::interrupt::restore_terminal_on_interrupt();
        return dialoguer::Password::new()
            .with_prompt(format!("{which} (input hidden)"))
            .with_confirmation("Again", "the two values differ")
            .interact()
            .map(|v| Secret::new(v.trim()))
            .map_err(|e| match e {
                dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => {
                    Error::Cancelled
                }
                dialoguer::Error::IO(io) => Error::Prompt(io.to_string()),
            });
    }
    // Capped, so `< /dev/zero` or an endless pipe fails before anything is stored.
    let text = crate::commands::common::stdin_input(
        &format!("the value of {which}"),
        crate::limits::STDIN_SECRET_BYTES,
        |cap| {
            format!("Pipe only the value (at most {cap}), e.g. `stauth secrets set {which} < secret.txt`. Nothing was stored.")
        },
    )?;
    let value = Secret::new(text.trim());
    if value.is_empty() {
        return Err(Error::MissingInputs {
            missing: vec![format!(
                "the value of {which} on stdin (e.g. `stauth secrets set {which} < secret.txt`)"
            )],
        });
    }
    Ok(value)
}

fn set(args: &SecretsNameArgs, out: &Output) -> Result<ExitCode> {
    let which = parse_name(&args.name)?;
    app_dir_checked(&args.app_dir)?;
    let app = AppId::for_dir(&args.app_dir)?;
    let store = SecretStore::open()?;
    let value = read_value(&which)?;
    if value.is_empty() {
        return Err(Error::InvalidValue {
            what: which.path(),
            value: String::new(),
            reason: "it is empty".into(),
        });
    }
    store.set(&app, &which, &value)?;
    out.success(format!(
        "Stored {which} of {} in {}",
        app.as_str(),
        keychain_label(&store)
    ));
    let file = app_secrets_file(&args.app_dir)?;
    if file.secret_value(&which).is_some() {
        out.warning(format!(
            "{} also holds {which}, and its value wins: remove it from the file (or move it with `stauth init --store keychain`)",
            file.path().display()
        ));
    } else if !file.has_keychain_note() {
        out.detail(
            "Start the app with `stauth run -- streamlit run app.py` to pass it to Streamlit.",
        );
    }
    Ok(ExitCode::Success)
}

fn rm(args: &SecretsNameArgs, out: &Output) -> Result<ExitCode> {
    let which = parse_name(&args.name)?;
    app_dir_checked(&args.app_dir)?;
    let app = AppId::for_dir(&args.app_dir)?;
    let store = SecretStore::open()?;
    if !store.delete(&app, &which)? {
        return Err(not_found(&which, &app));
    }
    out.success(format!(
        "Removed {which} of {} from {}",
        app.as_str(),
        keychain_label(&store)
    ));
    let file = app_secrets_file(&args.app_dir)?;
    let needed = match &which {
        AuthSecret::CookieSecret => file.auth_str(schema::REDIRECT_URI).is_some(),
        AuthSecret::ClientSecret(slot) => file.provider_slots().contains(slot),
    };
    if needed && file.secret_value(&which).is_none() {
        out.warning(format!(
            "{} configures it but does not hold it: st.login will fail until it is stored again (`stauth secrets set {which}`)",
            file.path().display()
        ));
    }
    Ok(ExitCode::Success)
}

fn export(args: &SecretsExportArgs, out: &Output) -> Result<ExitCode> {
    app_dir_checked(&args.app_dir)?;
    if !args.reveal {
        return Err(Error::Input {
            message: "`stauth secrets export` prints every secret in plain text, and --reveal was not given".into(),
            hint: "Run `stauth secrets export --reveal` (e.g. piped to the clipboard) to paste it into a hosting platform's secrets page; `stauth secrets list` shows the names only.".into(),
        });
    }
    let app = crate::streamlit::AppContext::load(&args.app_dir)?
        .with_fallback(KeychainFallback::new(&args.app_dir));
    let files = app.secrets_files();
    let merged = auth_config::merged_secrets(&files, app.fallback(), Path::new("secrets.toml"))?;
    let read: Vec<String> = files
        .iter()
        .filter(|f| f.exists())
        .map(|f| f.display().to_string())
        .collect();
    if read.is_empty() {
        return Err(Error::LoginConfig {
            message: format!(
                "no secrets file found (looked in {})",
                files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            fix: "Run `stauth init` first, or pass the app's folder with --app-dir.".into(),
        });
    }
    out.data(merged.file.render());
    out.warning("the output above holds secrets in plain text: paste it into the platform's secrets page, then clear it; never save it in the project");
    let mut from = read.join(", ");
    if !merged.filled.is_empty() {
        let names: Vec<String> = merged.filled.iter().map(AuthSecret::path).collect();
        from.push_str(&format!(" and {} from the OS keychain", names.join(", ")));
    }
    out.detail(format!("Merged as Streamlit merges them: {from}"));
    for m in &merged.missing {
        out.warning(format!(
            "{m} is in neither the secrets files nor the OS keychain: st.login will fail"
        ));
    }
    if let Some(uri) = merged.file.auth_str(schema::REDIRECT_URI) {
        let local = url::Url::parse(uri)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .is_some_and(|h| h == "localhost" || h == "127.0.0.1" || h == "[::1]");
        if local {
            out.warning(format!(
                "redirect_uri is {uri}: on the hosting platform set it to the app's public URL + /oauth2callback, and register that URL at the provider"
            ));
        }
    }
    Ok(ExitCode::Success)
}
