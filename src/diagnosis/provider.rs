//! Every configured provider's discovery document, judged by what Streamlit
//! will do with it.

use serde_json::Value;

use super::{push, Area, Diagnosis, EffectiveAuth};
use crate::catalog;
use crate::finding::Finding;
use crate::oidc;
use crate::streamlit::discovery_rules::{self, RequestSettings};
use crate::streamlit::http_client::AnyRelease;
use crate::streamlit::schema::{CLIENT_ID, CLIENT_KWARGS, SERVER_METADATA_URL};

pub fn check(e: &EffectiveAuth, out: &mut Vec<Diagnosis>) {
    for (label, section) in super::dev_provider::sections(&e.auth) {
        let Some(url) = section.get(SERVER_METADATA_URL).and_then(Value::as_str) else {
            continue;
        };
        let kwargs = section.get(CLIENT_KWARGS).and_then(Value::as_object);
        let kwarg = |k: &str| {
            kwargs
                .and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let client_id = section.get(CLIENT_ID).and_then(Value::as_str);
        let on_dev = super::dev_provider::is_dev_entry(url, client_id);
        let preset = match dev_like(url).filter(|_| on_dev) {
            Some(like) => like,
            None => catalog::preset_for_metadata_url(url),
        };
        let discovery = match oidc::fetch_discovery(url, &AnyRelease) {
            Ok(d) => d,
            Err(err) if on_dev => {
                // Not running is the dev provider's normal state.
                push(
                    out,
                    Area::Provider,
                    Finding::warning(
                        "dev_provider.not_running",
                        format!("{label}: stauth's dev provider is not running ({err})"),
                    )
                    .fix("stauth dev-provider (or, with the app: stauth dev-provider -- streamlit run app.py)"),
                );
                continue;
            }
            Err(err) => {
                push(
                    out,
                    Area::Provider,
                    Finding::error("provider.discovery", format!("{label}: {err}")).fix(err.hint()),
                );
                continue;
            }
        };
        push(
            out,
            Area::Provider,
            Finding::ok(
                "provider.discovery",
                format!("{label}: discovery document at {url}"),
            ),
        );
        let settings = RequestSettings {
            scope: kwarg("scope"),
            prompt: kwarg("prompt"),
            issuer_may_differ: preset.is_some_and(|p| p.issuer_differs_from_url),
        };
        let assessment = discovery_rules::assess(&discovery, &settings);
        for mut f in assessment.findings {
            f.message = format!("{label}: {}", f.message);
            if f.id == "discovery.prompt" && assessment.prompt_override.is_some() {
                // Doctor only reports: the config is not changed here.
                f.severity = crate::finding::Severity::Error;
                f.message = format!(
                    "{label}: the provider does not support prompt=select_account (Streamlit's default), and client_kwargs sets no other prompt"
                );
                f.fix = Some(format!("add client_kwargs = {{ prompt = \"login\" }} to {label} (or re-run stauth init)"));
            }
            push(out, Area::Provider, f);
        }
        // The init warnings are about the real provider's console.
        if let Some(p) = preset.filter(|_| !on_dev) {
            for w in p.init_warnings {
                push(
                    out,
                    Area::Provider,
                    Finding::warning("provider.preset", format!("{label} ({}): {w}", p.title)),
                );
            }
        }
    }
}

/// The preset a dev provider URL imitates (`/like/<preset>`): Some(None) for
/// its root issuer, None when the URL is not the dev provider's.
fn dev_like(url: &str) -> Option<Option<&'static catalog::Preset>> {
    crate::dev_provider::points_at(url, None)
        .map(|like| like.and_then(|name| catalog::preset(&name)))
}
