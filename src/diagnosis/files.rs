//! Which secrets files Streamlit will read, whether they parse, who can read
//! them, whether git would commit them, and secrets files Streamlit ignores.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{push, shown, Area, Context, Diagnosis, EffectiveAuth};
use crate::finding::Finding;
use crate::fsutil::git;
use crate::limits;
use crate::streamlit::auth_config::SecretFallback;
use crate::streamlit::schema::{self, AuthSecret, ProviderSlot};
use crate::streamlit::SecretsFile;

pub fn check(ctx: &Context, out: &mut Vec<Diagnosis>) -> Option<EffectiveAuth> {
    let crate::streamlit::app::SecretsSources { files, origin } = ctx.secrets_sources();
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
                push(out, Area::Files, unloadable_finding(&e));
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

/// Why a secrets file could not be loaded, and the fix that fits: a TOML error
/// has a position to fix; a file that is not a regular file, too large or not
/// UTF-8 has to be replaced.
fn unloadable_finding(e: &crate::error::Error) -> Finding {
    let finding = Finding::error("secrets.toml", e.to_string());
    match e {
        crate::error::Error::MalformedToml { .. } => finding
            .why("Streamlit cannot load any secrets from a file it cannot parse.")
            .fix("fix the TOML at that position"),
        _ => finding
            .why("Streamlit cannot load secrets from it either (or stauth will not read it: it reads only regular text files, up to its size limit).")
            .fix("make it a regular UTF-8 text file holding the app's secrets (a link to one is fine)"),
    }
}

/// Puts secrets kept outside the files (stauth's keychain store) into the
/// effective `[auth]`, so the schema checks see what `stauth run` gives
/// Streamlit. Values are never shown, only that they were found.
pub(crate) fn fill_from_fallback(
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
            if schema::is_provider_name(name) && !section.contains_key(schema::CLIENT_SECRET) {
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
    let complete = walk(&ctx.app_dir, 3, &mut |p| {
        if p.file_name().is_some_and(|n| n == "secrets.toml") && !read.contains(&abs(p)) {
            found.push(p.to_path_buf());
        }
    });
    if !complete {
        push(
            out,
            Area::Files,
            scan_limit_note("secrets.scan_limit", "stray secrets.toml files"),
        );
    }
    for path in found {
        let name = shown(&path, &ctx.app_dir);
        let why = if ctx
            .script_secrets_file()
            .is_some_and(|s| abs(&s) == abs(&path))
        {
            format!(
                "Streamlit {} reads secrets next to the script only from 1.46 on.",
                ctx.release().version
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

/// Visits regular files up to `depth` folders deep, skipping environments and
/// caches. Links are not followed and FIFOs, devices and sockets are never
/// visited, so a scan can neither block nor wander into /dev. Returns false
/// when it stopped early, after `limits::WALK_ENTRIES` entries.
pub(super) fn walk(dir: &Path, depth: usize, visit: &mut dyn FnMut(&Path)) -> bool {
    let mut budget = limits::WALK_ENTRIES;
    walk_within(dir, depth, &mut budget, visit)
}

fn walk_within(dir: &Path, depth: usize, budget: &mut usize, visit: &mut dyn FnMut(&Path)) -> bool {
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
        return true;
    };
    for entry in entries {
        // Counted before looking at it, so even unreadable entries end the scan.
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let Ok(entry) = entry else {
            continue;
        };
        // The entry's own type (lstat): a link is neither a folder nor a file here.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if depth > 0
                && !SKIP.contains(&name.as_ref())
                && !walk_within(&entry.path(), depth - 1, budget, visit)
            {
                return false;
            }
        } else if kind.is_file() {
            visit(&entry.path());
        }
    }
    true
}

/// The note when a scan of the app folder stopped at its limit.
pub(super) fn scan_limit_note(id: &'static str, looked_for: &str) -> Finding {
    Finding::info(
        id,
        format!(
            "stopped looking for {looked_for} after {} files and folders",
            limits::WALK_ENTRIES
        ),
    )
    .why("doctor bounds its scans of the app folder so a huge tree cannot stall it; files past the limit were not checked.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visited(dir: &Path, budget: usize) -> (Vec<String>, bool) {
        let mut budget = budget;
        let mut seen = Vec::new();
        let complete = walk_within(dir, 3, &mut budget, &mut |p| {
            seen.push(p.strip_prefix(dir).unwrap().display().to_string())
        });
        seen.sort();
        (seen, complete)
    }

    #[cfg(unix)]
    #[test]
    fn walk_visits_only_regular_files_and_never_follows_links() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("sub/.venv")).unwrap();
        std::fs::write(d.join("a.py"), "").unwrap();
        std::fs::write(d.join("sub/b.py"), "").unwrap();
        std::fs::write(d.join("sub/.venv/c.py"), "").unwrap();
        std::os::unix::fs::symlink("/dev/zero", d.join("zero.py")).unwrap();
        std::os::unix::fs::symlink("/dev", d.join("devdir")).unwrap();
        let fifo = std::ffi::CString::new(d.join("pipe.py").to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        assert_eq!(
            visited(d, 100),
            (vec!["a.py".to_string(), "sub/b.py".to_string()], true)
        );
    }

    #[test]
    fn walk_stops_at_its_entry_budget() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..10 {
            std::fs::write(dir.path().join(format!("{i}.py")), "").unwrap();
        }
        let (seen, complete) = visited(dir.path(), 4);
        assert_eq!((seen.len(), complete), (4, false));
        assert_eq!(visited(dir.path(), 10), (visited(dir.path(), 11).0, true));
    }
}
