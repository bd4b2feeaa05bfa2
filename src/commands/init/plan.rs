//! The edit `stauth init` makes to secrets.toml, key by key.

use crate::cli::InitArgs;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::secret::{Secret, MASK};
use crate::streamlit::discovery_rules::RequestSettings;
use crate::streamlit::schema::{self, ProviderSlot};
use crate::streamlit::secrets_file::{Action, Change, NewValue};
use crate::streamlit::SecretsFile;

use super::inputs::Resolved;

/// Keys of a provider entry that only change with `--force`.
const GUARDED_KEYS: &[&str] = &[
    schema::CLIENT_ID,
    schema::CLIENT_SECRET,
    schema::SERVER_METADATA_URL,
];

/// Applies the inputs to the in-memory file and returns every key's change.
pub fn apply(
    file: &mut SecretsFile,
    args: &InitArgs,
    r: &Resolved,
    settings: &RequestSettings,
    prompt_override: Option<String>,
) -> Result<Vec<Change>> {
    let mut changes =
        vec![file.set_auth(schema::REDIRECT_URI, NewValue::Str(r.redirect_uri.clone()))];

    let cookie_secret_exists = file.auth_str(schema::COOKIE_SECRET).is_some();
    if cookie_secret_exists && !args.rotate_cookie_secret {
        changes.push(Change {
            section: schema::AUTH.into(),
            key: schema::COOKIE_SECRET.into(),
            action: Action::Keep,
            old: Some(MASK.into()),
            new: MASK.into(),
        });
    } else {
        let fresh = Secret::random_hex32().map_err(|e| {
            Error::Prompt(format!(
                "the operating system's random number generator failed: {e}"
            ))
        })?;
        changes.push(file.set_auth(schema::COOKIE_SECRET, NewValue::Str(fresh.expose().into())));
    }

    if let Some(tokens) = &args.expose_tokens {
        let tokens: Vec<String> = tokens.iter().map(|t| t.trim().to_string()).collect();
        schema::validate_expose_tokens(&tokens).map_err(|reason| Error::InvalidValue {
            what: "--expose-tokens".into(),
            value: tokens.join(","),
            reason,
        })?;
        let value = match tokens.as_slice() {
            [one] => NewValue::Str(one.clone()),
            _ => NewValue::List(tokens),
        };
        changes.push(file.set_auth(schema::EXPOSE_TOKENS, value));
    }

    let slot: &ProviderSlot = &r.slot;
    if let Some(id) = &r.client_id {
        changes.push(file.set_provider(slot, schema::CLIENT_ID, NewValue::Str(id.clone())));
    }
    if let Some(secret) = &r.client_secret {
        changes.push(file.set_provider(
            slot,
            schema::CLIENT_SECRET,
            NewValue::Str(secret.expose().into()),
        ));
    }
    changes.push(file.set_provider(
        slot,
        schema::SERVER_METADATA_URL,
        NewValue::Str(r.metadata_url.clone()),
    ));

    if let Some(scope) = &args.scope {
        changes.push(file.set_client_kwarg(slot, "scope", scope));
    }
    // Other client_kwargs the preset needs (LinkedIn's
    // token_endpoint_auth_method); a value already in the file stays.
    for (key, value) in r.preset.client_kwargs {
        if !matches!(*key, "prompt" | "scope") && file.client_kwarg(slot, key).is_none() {
            changes.push(file.set_client_kwarg(slot, key, value));
        }
    }
    // An explicit --prompt, else a value already in the file stays, else the
    // preset's or the one the provider needs.
    let prompt = args.prompt.clone().or_else(|| {
        if file.client_kwarg(slot, "prompt").is_some() {
            None
        } else {
            settings.prompt.clone().or(prompt_override)
        }
    });
    if let Some(prompt) = prompt {
        changes.push(file.set_client_kwarg(slot, "prompt", &prompt));
    }
    Ok(changes)
}

/// Changes that replace a credential or the provider, which need `--force`.
pub fn needing_force(changes: &[Change]) -> Vec<&Change> {
    changes
        .iter()
        .filter(|c| c.action == Action::Change && GUARDED_KEYS.contains(&c.key.as_str()))
        .collect()
}

pub fn has_edits(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.action != Action::Keep)
}

/// A note when the cookie secret was rotated (a weak one is reported by the
/// checkup that follows the write).
pub fn cookie_secret_finding(rotated: bool) -> Option<Finding> {
    rotated.then(|| {
        Finding::warning(
            "cookie_secret.rotated",
            "cookie_secret was replaced: every signed-in user must log in again",
        )
    })
}
