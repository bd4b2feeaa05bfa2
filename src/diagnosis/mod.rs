//! The checkup behind `stauth doctor` (and the offline part `stauth init`
//! runs on what it wrote): every known st.login misconfiguration, found from
//! the app's files, its Python environment and its providers.

pub mod config;
pub mod dev_provider;
mod files;
mod provider;
pub mod python;
mod schema;
pub mod toml_package;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::finding::{Finding, Severity};
use crate::streamlit::auth_config::SecretFallback;

/// Where a finding belongs in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Files,
    Schema,
    Redirect,
    Config,
    Python,
    Provider,
}

impl Area {
    pub fn title(self) -> &'static str {
        match self {
            Area::Files => "Secrets files",
            Area::Schema => "[auth] as Streamlit validates it",
            Area::Redirect => "redirect_uri and the app",
            Area::Config => "config.toml options",
            Area::Python => "Python environment",
            Area::Provider => "Providers",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub area: Area,
    #[serde(flatten)]
    pub finding: Finding,
}

/// What the checks look at: the app, as every command loads it.
pub use crate::streamlit::app::AppContext as Context;

/// `[auth]` as Streamlit will see it, and the file it comes from.
#[derive(Debug, Clone)]
pub struct EffectiveAuth {
    pub source: PathBuf,
    pub auth: Map<String, Value>,
}

/// The checks that need neither network nor Python: secrets files, the
/// `[auth]` schema and redirect_uri against the app's settings.
/// Secrets missing from the files are looked up in `fallback` (the keychain
/// of an app whose secrets stauth keeps there).
pub fn offline(
    ctx: &Context,
    fallback: &dyn SecretFallback,
) -> (Vec<Diagnosis>, Option<EffectiveAuth>) {
    let mut out = Vec::new();
    let mut auth = files::check(ctx, &mut out);
    if let Some(effective) = &mut auth {
        files::fill_from_fallback(effective, fallback, &mut out);
    }
    if let Some(effective) = &auth {
        schema::check(ctx, effective, &mut out);
        dev_provider::check(effective, &mut out);
    }
    (out, auth)
}

/// The provider checks (network): discovery of every configured provider.
pub fn providers(auth: &EffectiveAuth) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    provider::check(auth, &mut out);
    out
}

pub(crate) fn push(out: &mut Vec<Diagnosis>, area: Area, finding: Finding) {
    out.push(Diagnosis { area, finding });
}

/// Sorted for the report: by area, then errors first.
pub fn sorted(mut all: Vec<Diagnosis>) -> Vec<Diagnosis> {
    all.sort_by_key(|d| (d.area, d.finding.severity));
    all
}

pub fn count(all: &[Diagnosis], severity: Severity) -> usize {
    all.iter()
        .filter(|d| d.finding.severity == severity)
        .count()
}

/// `path` shown relative to `base` when it lies inside it.
pub(crate) fn shown(path: &Path, base: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (p, b) = (abs(path), abs(base));
    match p.strip_prefix(&b) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => path.display().to_string(),
    }
}
