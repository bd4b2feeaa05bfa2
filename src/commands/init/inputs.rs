//! Gathering `stauth init`'s inputs from flags, the environment, the existing
//! secrets file and (on a terminal) the wizard. Without a terminal nothing is
//! asked: every missing input is listed at once and the command exits 2.

use crate::catalog::{self, InputProblem, Preset};
use crate::cli::InitArgs;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::secret::Secret;
use crate::streamlit::app_config::ServerSettings;
use crate::streamlit::redirect::parse_redirect_uri;
use crate::streamlit::schema::{self, ProviderSlot};
use crate::streamlit::SecretsFile;

use super::dev::{self, DevTarget};
use super::wizard::Wizard;

/// Env var that may hold the client secret.
pub const CLIENT_SECRET_ENV: &str = "STAUTH_CLIENT_SECRET";

#[derive(Debug)]
pub struct Resolved {
    pub preset: &'static Preset,
    /// Preset inputs as given or asked (for the commands shown to the user).
    pub preset_inputs: Vec<(&'static str, String)>,
    pub metadata_url: String,
    pub slot: ProviderSlot,
    /// None: keep the client id already in the file.
    pub client_id: Option<String>,
    /// None: keep the client secret already in the file.
    pub client_secret: Option<Secret>,
    pub redirect_uri: String,
    /// `--provider dev`: stauth's own dev provider.
    pub dev: Option<DevTarget>,
}

pub fn resolve(
    args: &InitArgs,
    file: &SecretsFile,
    server: &ServerSettings,
    wizard: Option<&Wizard>,
) -> Result<Resolved> {
    let mut missing: Vec<String> = Vec::new();

    let mut dev = dev::target(args)?;
    let preset = match &dev {
        Some(target) => Some(target.preset()),
        None => match pick_preset(args, wizard)? {
            Picked::Preset(p) => Some(p),
            Picked::Dev => {
                let target = dev::picked_in_wizard(args);
                dev = Some(target);
                Some(target.preset())
            }
            Picked::Nothing => None,
        },
    };
    if preset.is_none() {
        missing.push("--provider PRESET (or --issuer URL, or --metadata-url URL)".into());
    }

    let mut preset_inputs: Vec<(&'static str, String)> = crate::cli::ALL_INPUT_IDS
        .iter()
        .filter_map(|id| args.inputs.get(id).map(|v| (*id, v.to_string())))
        .collect();
    let mut metadata_url = None;
    if let Some(target) = &dev {
        metadata_url = Some(target.metadata_url());
        preset_inputs.clear();
    } else if let Some(p) = preset {
        if let Some(url) = &args.metadata_url {
            metadata_url = Some(check_metadata_url(url)?);
        } else {
            if let Some(w) = wizard {
                for input in p.inputs.iter().filter(|i| i.default.is_none()) {
                    if !preset_inputs.iter().any(|(id, _)| *id == input.id) {
                        preset_inputs.push((input.id, w.ask_input(p, input)?));
                    }
                }
            }
            let value_of = |id: &str| {
                preset_inputs
                    .iter()
                    .find(|(k, _)| *k == id)
                    .map(|(_, v)| v.clone())
            };
            if let Some(r) = catalog::refusal_for_inputs(p, |id| {
                preset_inputs
                    .iter()
                    .find(|(k, _)| *k == id)
                    .map(|(_, v)| v.as_str())
            }) {
                return Err(refused(r));
            }
            match catalog::discovery_url(p, value_of) {
                Ok(url) => metadata_url = Some(url),
                Err(InputProblem::Missing(ids)) => {
                    missing.extend(ids.iter().map(|id| format!("--{id}")))
                }
                Err(InputProblem::Invalid { id, value, reason }) => {
                    return Err(Error::InvalidValue {
                        what: format!("--{id}"),
                        value,
                        reason,
                    })
                }
            }
        }
        preset_inputs.retain(|(id, _)| p.inputs.iter().any(|i| i.id == *id));
    }

    let mut slot = match &args.name {
        Some(name) => ProviderSlot::named(name).map_err(|reason| Error::InvalidProviderName {
            name: name.clone(),
            reason,
        })?,
        None => ProviderSlot::Default,
    };
    let mut replaces_default = false;
    if let (ProviderSlot::Default, Some(url)) = (&slot, &metadata_url) {
        // A default provider without server_metadata_url is half written:
        // completing it is not a replacement.
        if let Some(existing) = file
            .provider_str(&ProviderSlot::Default, schema::SERVER_METADATA_URL)
            .filter(|existing| *existing != url.as_str())
        {
            let existing = existing.to_string();
            if args.force {
                replaces_default = true;
            } else if let Some(w) = wizard {
                let name = w.ask_provider_name(
                    &format!("[auth] already holds a default provider ({existing}). Name for this one, used as st.login(\"NAME\")"),
                    preset.map_or("sso", |p| p.name),
                )?;
                slot = ProviderSlot::Named(name);
            } else {
                return Err(Error::DefaultProviderTaken { existing });
            }
        }
    }

    let mut client_id = args.client_id.clone().filter(|s| !s.trim().is_empty());
    let has_existing = |key| !replaces_default && file.provider_str(&slot, key).is_some();
    let mut client_secret = read_secret(args)?;
    if dev.is_some() {
        // The client made for the dev provider before stays; any other
        // provider's credentials are replaced (with --force, as usual).
        let on_dev = !replaces_default
            && file
                .provider_str(&slot, schema::SERVER_METADATA_URL)
                .is_some_and(|url| {
                    crate::diagnosis::dev_provider::is_dev_entry(
                        url,
                        file.provider_str(&slot, schema::CLIENT_ID),
                    )
                });
        if client_id.is_none() && !(on_dev && has_existing(schema::CLIENT_ID)) {
            client_id = Some(crate::commands::common::new_dev_client_id()?);
        }
        if client_secret.is_none() && !(on_dev && has_existing(schema::CLIENT_SECRET)) {
            client_secret = Some(crate::commands::common::new_secret()?);
        }
    }
    if wizard.is_none() {
        if client_id.is_none() && !has_existing(schema::CLIENT_ID) {
            missing.push("--client-id".into());
        }
        if client_secret.is_none() && !has_existing(schema::CLIENT_SECRET) {
            missing.push(format!(
                "the client secret (--client-secret-stdin, or {CLIENT_SECRET_ENV})"
            ));
        }
    }
    if !missing.is_empty() {
        return Err(Error::MissingInputs { missing });
    }
    if let Some(secret) = &client_secret {
        check_secret(secret, &slot)?;
    }

    let redirect_uri = match (&args.redirect_uri, file.auth_str(schema::REDIRECT_URI)) {
        (Some(given), _) => given.trim().to_string(),
        (None, Some(existing)) => existing.to_string(),
        // The dev provider runs on this machine, so the app's local URL it is.
        (None, None) => match wizard.filter(|_| dev.is_none()) {
            Some(w) => w.ask_redirect_uri(&server.local_redirect_uri(), server.port)?,
            None => server.local_redirect_uri(),
        },
    };
    parse_redirect_uri(&redirect_uri, server.port).map_err(|reason| Error::InvalidValue {
        what: "redirect_uri".into(),
        value: redirect_uri.clone(),
        reason,
    })?;

    Ok(Resolved {
        preset: preset.expect("a missing preset was reported above"),
        preset_inputs,
        metadata_url: metadata_url.expect("a missing URL was reported above"),
        slot,
        client_id,
        client_secret,
        redirect_uri,
        dev,
    })
}

/// On a terminal, asks for the client id and secret the flags did not give.
pub fn ask_credentials(w: &Wizard, r: &mut Resolved, file: &SecretsFile) -> Result<()> {
    if r.client_id.is_none() && file.provider_str(&r.slot, schema::CLIENT_ID).is_none() {
        r.client_id = Some(w.ask_text("Client ID", None)?);
    }
    if r.client_secret.is_none() && file.provider_str(&r.slot, schema::CLIENT_SECRET).is_none() {
        let secret = w.ask_secret("Client secret (input hidden)")?;
        check_secret(&secret, &r.slot)?;
        r.client_secret = Some(secret);
    }
    Ok(())
}

/// Preset notes worth a warning.
pub fn preset_findings(r: &Resolved) -> Vec<Finding> {
    // The --like preset's warnings are about its console, not the dev provider.
    let warnings = if r.dev.is_some() {
        &[][..]
    } else {
        r.preset.init_warnings
    };
    let mut findings: Vec<Finding> = warnings
        .iter()
        .map(|w| Finding::warning("preset.note", *w))
        .collect();
    if r.client_secret.as_ref().is_some_and(Secret::is_empty) {
        findings.push(
            Finding::warning(
                "secret.empty",
                format!("{} has an empty client_secret: Authlib treats it as a public client (token auth method none)", r.slot),
            )
            .why("Most providers reject a token request without client authentication for a web application."),
        );
    }
    findings
}

/// What the flags or the wizard chose.
enum Picked {
    Preset(&'static Preset),
    /// The wizard's `dev` entry.
    Dev,
    /// Nothing (no flag, no terminal).
    Nothing,
}

fn pick_preset(args: &InitArgs, wizard: Option<&Wizard>) -> Result<Picked> {
    if let Some(name) = &args.provider {
        if let Some(r) = catalog::refusal(name) {
            return Err(refused(r));
        }
        return catalog::preset(name)
            .map(Picked::Preset)
            .ok_or_else(|| Error::UnknownPreset { name: name.clone() });
    }
    if args.inputs.issuer.is_some() || args.metadata_url.is_some() {
        return Ok(catalog::preset("generic").map_or(Picked::Nothing, Picked::Preset));
    }
    match wizard {
        Some(w) => Ok(w.pick_preset()?.map_or(Picked::Dev, Picked::Preset)),
        None => Ok(Picked::Nothing),
    }
}

fn refused(r: &catalog::Refusal) -> Error {
    Error::RefusedProvider {
        title: r.title.into(),
        reason: r.reason.into(),
        way_out: r.way_out.into(),
    }
}

fn check_metadata_url(url: &str) -> Result<String> {
    let invalid = |reason: String| Error::InvalidValue {
        what: "--metadata-url".into(),
        value: url.into(),
        reason,
    };
    let parsed = url::Url::parse(url.trim()).map_err(|e| invalid(e.to_string()))?;
    if let Some(reason) = crate::oidc::url_policy::provider_url_problem(&parsed) {
        return Err(invalid(reason));
    }
    Ok(url.trim().to_string())
}

/// The secret from stdin (`--client-secret-stdin`) or the environment.
fn read_secret(args: &InitArgs) -> Result<Option<Secret>> {
    if args.client_secret_stdin {
        // Capped, so `< /dev/zero` or an endless pipe fails before anything is written.
        let text = crate::commands::common::stdin_input(
            "the client secret",
            crate::limits::STDIN_SECRET_BYTES,
            |cap| {
                format!("Pipe only the client secret (at most {cap}), e.g. `printf %s \"$SECRET\" | stauth init ... --client-secret-stdin`, or set {CLIENT_SECRET_ENV}. Nothing was written.")
            },
        )?;
        return Ok(Some(Secret::new(text.trim())));
    }
    match std::env::var(CLIENT_SECRET_ENV) {
        Ok(v) if !v.trim().is_empty() => Ok(Some(Secret::new(v.trim()))),
        _ => Ok(None),
    }
}

/// Streamlit drops empty values from `[auth]`, so the default provider needs a secret.
fn check_secret(secret: &Secret, slot: &ProviderSlot) -> Result<()> {
    if secret.is_empty() && *slot == ProviderSlot::Default {
        return Err(Error::InvalidValue {
            what: "client secret".into(),
            value: String::new(),
            reason: "it is empty; Streamlit drops empty values in [auth], so the default provider would fail (a public client needs a named provider: --name NAME)".into(),
        });
    }
    Ok(())
}
