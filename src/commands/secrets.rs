//! `stauth secrets`: the app's secrets in the OS keychain. Values are never
//! printed, except by `get --reveal` and `export --reveal`.

use std::io::IsTerminal;
use std::path::Path;

use clap::ValueEnum as _;
use serde_json::json;

use crate::cli::{
    ExportFormat, SecretsAction, SecretsArgs, SecretsExportArgs, SecretsGetArgs, SecretsListArgs,
    SecretsNameArgs,
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
    // Compose's fragment only names the file the toml goes to: it holds no secret.
    if !args.reveal && args.format != ExportFormat::Compose {
        return Err(Error::Input {
            message: "`stauth secrets export` prints every secret in plain text, and --reveal was not given".into(),
            hint: format!(
                "Run `stauth secrets export --reveal{}` (e.g. piped to the clipboard) to paste it into a hosting platform's secrets page; `stauth secrets list` shows the names only.",
                match args.format {
                    ExportFormat::Toml => String::new(),
                    other => other
                        .to_possible_value()
                        .map(|v| format!(" --format {}", v.get_name()))
                        .unwrap_or_default(),
                }
            ),
        });
    }
    // It goes into YAML: one line, absolute, as a container path must be.
    if !args.mount_path.starts_with('/') || args.mount_path.chars().any(char::is_control) {
        return Err(Error::InvalidValue {
            what: "--mount-path".into(),
            value: args.mount_path.clone(),
            reason: "give the absolute path of secrets.toml inside the container, e.g. /app/.streamlit/secrets.toml".into(),
        });
    }
    let name = if matches!(
        args.format,
        ExportFormat::Kubernetes | ExportFormat::Compose
    ) {
        Some(resource_name(args, out)?)
    } else {
        None
    };
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
    let toml = merged.file.render();
    let name = name.as_deref().unwrap_or_default();
    match args.format {
        ExportFormat::Toml => {
            out.data(toml);
            out.warning("the output above holds secrets in plain text: paste it into the platform's secrets page, then clear it; never save it in the project");
        }
        ExportFormat::Kubernetes => {
            out.data(kubernetes_manifest(&toml, name, &args.mount_path));
            out.warning("the output above holds secrets in plain text: apply it (`stauth secrets export --reveal --format kubernetes | kubectl apply -f -`) rather than saving it, and never commit it");
            out.detail(format!(
                "Secret {name} holds secrets.toml; the commented part after `---` mounts it at {} in the app's Deployment.",
                args.mount_path
            ));
        }
        ExportFormat::Compose => {
            let file = compose_secrets_file(name);
            out.data(compose_fragment(name, &file, &args.mount_path));
            let app_dir = if args.app_dir == Path::new(".") {
                String::new()
            } else {
                format!(" --app-dir {}", args.app_dir.display())
            };
            out.line(format!(
                "Save the secrets next to compose.yaml with `stauth secrets export --reveal{app_dir} > {file}`, add {file} to .gitignore, and merge the fragment above into compose.yaml (rename the service `app` to yours)."
            ));
        }
        ExportFormat::Env => {
            out.data(format!("{ENV_VAR}={}\n", shell_quote(&toml)));
            out.warning("the output above holds secrets in plain text: set it in the host's environment settings, never in the project");
            out.detail(format!(
                "{ENV_VAR} holds the whole secrets.toml. The app reads it with st.App(secrets=...) (Streamlit 1.57+): `stauth snippet app-secrets` writes that code. In a shell: `set -a; . ./FILE; set +a`."
            ));
            let dated = datetime_paths(&merged.file.items());
            if !dated.is_empty() {
                let (is, them) = if dated.len() == 1 {
                    ("is a TOML date or time", "it")
                } else {
                    ("are TOML dates or times", "them")
                };
                out.warning(format!(
                    "{} {is}: st.App(secrets=...) takes only strings, numbers, booleans, lists and tables, so the app stops at start with a TypeError. Quote {them} in secrets.toml (day = \"2024-05-01\", not day = 2024-05-01) and parse {them} in the app",
                    dated.join(", "),
                ));
            }
        }
    }
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

/// The variable `--format env` sets and `stauth snippet app-secrets` reads.
const ENV_VAR: &str = "STAUTH_SECRETS_TOML";

/// Where the secrets hold TOML dates and times, named as Streamlit names them
/// (`table.key`, `list[0]`). tomllib reads them as datetime objects, and
/// st.App(secrets=...) accepts only str, int, float, bool, lists and dicts
/// (`_validate_secrets_value` in Streamlit's runtime/secrets.py), while a
/// secrets.toml file gives them to st.secrets as they are.
fn datetime_paths(items: &[(String, toml_edit::Item)]) -> Vec<String> {
    fn item(path: String, it: &toml_edit::Item, found: &mut Vec<String>) {
        match it {
            toml_edit::Item::Value(v) => value(path, v, found),
            toml_edit::Item::Table(t) => {
                for (k, v) in t.iter() {
                    item(format!("{path}.{k}"), v, found);
                }
            }
            toml_edit::Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    for (k, v) in t.iter() {
                        item(format!("{path}[{i}].{k}"), v, found);
                    }
                }
            }
            toml_edit::Item::None => {}
        }
    }
    fn value(path: String, v: &toml_edit::Value, found: &mut Vec<String>) {
        match v {
            toml_edit::Value::Datetime(_) => found.push(path),
            toml_edit::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    value(format!("{path}[{i}]"), v, found);
                }
            }
            toml_edit::Value::InlineTable(t) => {
                for (k, v) in t.iter() {
                    value(format!("{path}.{k}"), v, found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for (key, it) in items {
        item(key.clone(), it, &mut found);
    }
    found
}

/// The Secret's (Kubernetes) or secret's (Compose) name: `--name`, or the app
/// folder's name + `-streamlit-secrets`, made a DNS-1123 label.
fn resource_name(args: &SecretsExportArgs, out: &Output) -> Result<String> {
    let wanted = match &args.name {
        Some(n) => n.clone(),
        None => {
            let dir = std::fs::canonicalize(&args.app_dir).unwrap_or_else(|_| args.app_dir.clone());
            let base = dir
                .file_name()
                .map(|b| b.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{base}-streamlit-secrets")
        }
    };
    let name = dns1123_label(&wanted);
    if name.is_empty() {
        return Err(Error::InvalidValue {
            what: "--name".into(),
            value: wanted,
            reason: "it has no letter or digit; Kubernetes and Compose names are lowercase letters, digits and '-'".into(),
        });
    }
    if args.name.is_some() && name != wanted {
        out.line(format!(
            "note: --name {wanted:?} is not a DNS-1123 name (lowercase letters, digits, '-', at most 63): using {name}"
        ));
    }
    Ok(name)
}

/// Lowercase letters, digits and single '-', starting and ending with an
/// alphanumeric, at most 63 characters: valid for a Secret and a Compose key.
fn dns1123_label(text: &str) -> String {
    let mut label = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            label.push(c);
        } else if !label.is_empty() && !label.ends_with('-') {
            label.push('-');
        }
    }
    label.truncate(63);
    label.trim_end_matches('-').to_string()
}

/// A Secret with secrets.toml in `stringData`, and the mount as comments
/// after a document separator (the Deployment is the user's, not ours).
fn kubernetes_manifest(toml: &str, name: &str, mount_path: &str) -> String {
    // An explicit indentation indicator keeps a first line that starts with
    // spaces part of the text instead of setting the block's indentation.
    let mut body = String::new();
    for line in toml.lines() {
        if line.is_empty() {
            body.push('\n');
        } else {
            body.push_str(&format!("    {line}\n"));
        }
    }
    // `|2+` keeps every trailing newline, so the toml comes back byte for byte.
    format!(
        "# The app's secrets.toml as a Kubernetes Secret (stauth secrets export --format kubernetes).\n\
apiVersion: v1\n\
kind: Secret\n\
metadata:\n  name: {name}\n\
type: Opaque\n\
stringData:\n  secrets.toml: |2+\n{body}\
---\n\
# Mount it where Streamlit reads secrets.toml, in the app's Deployment:\n\
# spec:\n\
#   template:\n\
#     spec:\n\
#       containers:\n\
#         - name: app\n\
#           volumeMounts:\n\
#             - name: streamlit-secrets\n\
#               mountPath: {mount_path}\n\
#               subPath: secrets.toml\n\
#               readOnly: true\n\
#       volumes:\n\
#         - name: streamlit-secrets\n\
#           secret:\n\
#             secretName: {name}\n"
    )
}

/// The file the Compose fragment reads the secrets from, next to compose.yaml.
fn compose_secrets_file(name: &str) -> String {
    format!("{name}.toml")
}

/// A top-level `secrets:` entry and the service's mount, for compose.yaml.
fn compose_fragment(name: &str, file: &str, mount_path: &str) -> String {
    format!(
        "# Merge into compose.yaml; {file} holds the app's secrets.toml (never commit it).\n\
secrets:\n  {name}:\n    file: ./{file}\n\
services:\n  app:\n    secrets:\n      - source: {name}\n        target: {}\n",
        yaml_str(mount_path)
    )
}

/// A YAML double-quoted scalar (JSON strings are valid YAML).
fn yaml_str(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// A POSIX shell single-quoted word: every byte literal, `'` closed and reopened.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
