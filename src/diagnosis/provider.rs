//! Every configured provider's discovery document, judged by what Streamlit
//! will do with it.

use serde_json::{Map, Value};

use super::{push, Area, Diagnosis, EffectiveAuth};
use crate::catalog;
use crate::finding::Finding;
use crate::oidc;
use crate::streamlit::discovery_rules::{self, RequestSettings};
use crate::streamlit::http_client::AnyRelease;
use crate::streamlit::schema::{CLIENT_KWARGS, SERVER_METADATA_URL};

pub fn check(e: &EffectiveAuth, out: &mut Vec<Diagnosis>) {
    let mut providers: Vec<(String, &Map<String, Value>)> = Vec::new();
    if e.auth.contains_key(SERVER_METADATA_URL) {
        providers.push(("[auth]".into(), &e.auth));
    }
    for (name, v) in &e.auth {
        if let (Value::Object(section), true) = (v, name != CLIENT_KWARGS) {
            providers.push((format!("[auth.{name}]"), section));
        }
    }
    for (label, section) in providers {
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
        let preset = catalog::preset_for_metadata_url(url);
        let discovery = match oidc::fetch_discovery(url, &AnyRelease) {
            Ok(d) => d,
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
        if let Some(p) = preset {
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
