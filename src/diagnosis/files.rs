//! Which secrets files Streamlit will read, whether they parse, who can read
//! them, whether git would commit them, and secrets files Streamlit ignores.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{push, shown, Area, Context, Diagnosis, EffectiveAuth};
use crate::finding::Finding;
use crate::fsutil::{self, git};
use crate::streamlit::auth_config::SecretFallback;
use crate::streamlit::schema::{self, AuthSecret, ProviderSlot};
use crate::streamlit::SecretsFile;

/// The files Streamlit reads for this app, in order, and why.
pub fn sources(ctx: &Context) -> (Vec<PathBuf>, String) {
    if let (Some(files), Some((_, origin))) = (
        ctx.server.secrets_files_in(&ctx.app_dir),
        &ctx.server.secrets_files,
    ) {
        return (files, origin.clone());
    }
    let mut files =
        crate::streamlit::app_config::default_secrets_files(&ctx.app_dir, ctx.home.as_deref());
    if let Some(dir) = script_secrets(ctx).filter(|_| ctx.version.reads_script_dir_secrets()) {
        if !files.contains(&dir) {
            files.push(dir);
        }
    }
    (files, "Streamlit's default locations".into())
}

fn script_secrets(ctx: &Context) -> Option<PathBuf> {
    let script = ctx.script.as_ref()?;
    let dir = script.parent().filter(|d| !d.as_os_str().is_empty())?;
    let dir = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        ctx.app_dir.join(dir)
    };
    Some(fsutil::join_clean(&dir, ".streamlit/secrets.toml"))
}

pub fn check(ctx: &Context, out: &mut Vec<Diagnosis>) -> Option<EffectiveAuth> {
    let (files, origin) = sources(ctx);
    let mut effective: Option<EffectiveAuth> = None;
    let mut listing = Vec::new();
    for path in &files {
        let name = shown(path, &ctx.app_dir);
        if !path.exists() {
            listing.push(format!("{name} (absent)"));
            continue;
        }
        match SecretsFile::load(path) {
            Err(e) => {
                listing.push(format!("{name} (unreadable)"));
                push(
                    out,
                    Area::Files,
                    Finding::error("secrets.toml", e.to_string())
                        .why("Streamlit cannot load any secrets from a file it cannot parse.")
                        .fix("fix the TOML at that position"),
                );
            }
            Ok(file) => {
                match file.auth_data() {
                    Some(Value::Object(auth)) => {
                        listing.push(format!("{name} (has [auth])"));
                        effective = Some(EffectiveAuth {
                            source: path.clone(),
                            auth,
                        });
                    }
                    _ => listing.push(format!("{name} (no [auth])")),
                }
                permissions(path, &name, out);
                git_status(path, &name, out);
            }
        }
    }
    push(
        out,
        Area::Files,
        Finding::info(
            "secrets.sources",
            format!(
                "Streamlit reads, in order ({origin}): {}",
                listing.join(", ")
            ),
        )
        .why("A later file's [auth] replaces an earlier one whole."),
    );
    stray_files(ctx, &files, out);
    match &effective {
        Some(e) => push(
            out,
            Area::Files,
            Finding::ok("secrets.auth", format!("[auth] comes from {}", shown(&e.source, &ctx.app_dir))),
        ),
        None => push(
            out,
            Area::Files,
            Finding::error("secrets.auth", "no secrets file Streamlit reads has an [auth] table")
                .why("st.login() raises \"To use authentication features you need to configure credentials...\".")
                .fix("stauth init"),
        ),
    }
    effective
}

/// Puts secrets kept outside the files (stauth's keychain store) into the
/// effective `[auth]`, so the schema checks see what `stauth run` gives
/// Streamlit. Values are never shown, only that they were found.
pub fn fill_from_fallback(
    e: &mut EffectiveAuth,
    fallback: &dyn SecretFallback,
    out: &mut Vec<Diagnosis>,
) {
    let mut wanted: Vec<(AuthSecret, Option<String>)> = Vec::new();
    if !e.auth.contains_key(schema::COOKIE_SECRET) {
        wanted.push((AuthSecret::CookieSecret, None));
    }
    let has_default = [schema::CLIENT_ID, schema::SERVER_METADATA_URL]
        .iter()
        .any(|k| e.auth.contains_key(*k));
    if has_default && !e.auth.contains_key(schema::CLIENT_SECRET) {
        wanted.push((AuthSecret::ClientSecret(ProviderSlot::Default), None));
    }
    for (name, v) in &e.auth {
        if let Value::Object(section) = v {
            if name != schema::CLIENT_KWARGS && !section.contains_key(schema::CLIENT_SECRET) {
                wanted.push((
                    AuthSecret::ClientSecret(ProviderSlot::Named(name.clone())),
                    Some(name.clone()),
                ));
            }
        }
    }
    let mut found = Vec::new();
    for (which, named) in wanted {
        match fallback.get(&which) {
            Ok(Some(secret)) => {
                let value = Value::String(secret.expose().to_string());
                match (&which, named) {
                    (AuthSecret::CookieSecret, _) => {
                        e.auth.insert(schema::COOKIE_SECRET.into(), value);
                    }
                    (_, Some(name)) => {
                        if let Some(Value::Object(section)) = e.auth.get_mut(&name) {
                            section.insert(schema::CLIENT_SECRET.into(), value);
                        }
                    }
                    (_, None) => {
                        e.auth.insert(schema::CLIENT_SECRET.into(), value);
                    }
                }
                found.push(which.path());
            }
            Ok(None) => {}
            Err(err) => {
                push(
                    out,
                    Area::Files,
                    Finding::error(
                        "secrets.keychain",
                        format!(
                            "{} cannot be read from {}: {err}",
                            which.path(),
                            fallback.describe()
                        ),
                    )
                    .fix(err.hint().unwrap_or_else(|| "stauth secrets list".into())),
                );
                return;
            }
        }
    }
    if !found.is_empty() {
        push(
            out,
            Area::Files,
            Finding::info(
                "secrets.keychain",
                format!(
                    "{} come from {}: start the app with `stauth run -- streamlit run app.py`",
                    found.join(", "),
                    fallback.describe()
                ),
            ),
        );
    }
}

fn permissions(path: &Path, name: &str, out: &mut Vec<Diagnosis>) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            push(
                out,
                Area::Files,
                Finding::warning(
                    "secrets.permissions",
                    format!("{name} can be read by other users (mode {mode:o})"),
                )
                .fix(format!("chmod 600 {}", path.display())),
            );
        } else {
            push(
                out,
                Area::Files,
                Finding::ok(
                    "secrets.permissions",
                    format!("{name} is private (mode {mode:o})"),
                ),
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, name, out);
}

fn git_status(path: &Path, name: &str, out: &mut Vec<Diagnosis>) {
    match git::status(path) {
        git::GitStatus::Tracked { .. } => push(
            out,
            Area::Files,
            Finding::error("secrets.git", format!("{name} is tracked by git: its secrets are in the repository history"))
                .fix(format!("git rm --cached {}, add it to .gitignore, and rotate the client secret and cookie_secret", path.display())),
        ),
        git::GitStatus::NotIgnored { .. } => push(
            out,
            Area::Files,
            Finding::warning("secrets.git", format!("{name} is not ignored by git: the next `git add .` commits it"))
                .fix(format!("echo '{}' >> .gitignore", path.file_name().map(|_| "/.streamlit/secrets.toml").unwrap_or(""))),
        ),
        git::GitStatus::Ignored => push(out, Area::Files, Finding::ok("secrets.git", format!("{name} is ignored by git"))),
        git::GitStatus::NotARepo => {}
    }
}

/// secrets.toml files near the app that Streamlit never reads.
fn stray_files(ctx: &Context, read: &[PathBuf], out: &mut Vec<Diagnosis>) {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let read: Vec<PathBuf> = read.iter().map(|p| abs(p)).collect();
    let mut found = Vec::new();
    walk(&ctx.app_dir, 3, &mut |p| {
        if p.file_name().is_some_and(|n| n == "secrets.toml") && !read.contains(&abs(p)) {
            found.push(p.to_path_buf());
        }
    });
    for path in found {
        let name = shown(&path, &ctx.app_dir);
        let why = if script_secrets(ctx).is_some_and(|s| abs(&s) == abs(&path)) {
            format!(
                "Streamlit {} reads secrets next to the script only from 1.46 on.",
                ctx.version
            )
        } else {
            "Streamlit reads ~/.streamlit/secrets.toml and .streamlit/secrets.toml in the folder the app is started from (streamlit#12193).".to_string()
        };
        push(
            out,
            Area::Files,
            Finding::warning("secrets.location", format!("{name} is a secrets file Streamlit will not read"))
                .why(why)
                .fix("move it to .streamlit/secrets.toml in the folder you run `streamlit run` from, or list it in [secrets] files in .streamlit/config.toml"),
        );
    }
}

/// Visits files up to `depth` folders deep, skipping environments and caches.
pub(super) fn walk(dir: &Path, depth: usize, visit: &mut dyn FnMut(&Path)) {
    const SKIP: &[&str] = &[
        ".git",
        ".venv",
        "venv",
        "env",
        ".env",
        "node_modules",
        "__pycache__",
        "site-packages",
        "target",
        ".tox",
        ".mypy_cache",
    ];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if depth > 0 && !SKIP.contains(&name.as_ref()) {
                walk(&path, depth - 1, visit);
            }
        } else if kind.is_file() {
            visit(&path);
        }
    }
}
