//! The app's Python environment: installed versions read from package
//! metadata (Streamlit is never imported), and code that uses APIs the
//! installed Streamlit no longer has.

use std::path::Path;

use super::{push, shown, Area, Diagnosis};
use crate::finding::Finding;
use crate::fsutil::read::{open_regular, read_capped};
use crate::limits::{self, human_size};
use crate::python_env::Environment;
use crate::streamlit::release::{Release, UserApi};
use crate::streamlit::requirements;

/// Findings for the app's Python environment, judged for `release`.
pub fn check(env: &Environment, release: &Release, out: &mut Vec<Diagnosis>) {
    let Some((python, _)) = &env.interpreter else {
        push(
            out,
            Area::Python,
            Finding::warning(
                "python.interpreter",
                "no Python interpreter found (no --python, no active venv, no .venv in the app folder, no python3 on PATH)",
            )
            .fix("stauth doctor --python path/to/venv/bin/python"),
        );
        return;
    };
    match env.packages.as_ref() {
        Some(Ok(p)) => {
            for f in requirements::check(p, release) {
                push(out, Area::Python, f);
            }
        }
        Some(Err(e)) => push(
            out,
            Area::Python,
            Finding::warning("python.interpreter", e.clone())
                .fix("stauth doctor --python path/to/venv/bin/python"),
        ),
        None => push(
            out,
            Area::Python,
            Finding::warning(
                "python.interpreter",
                format!("{} was not asked", python.display()),
            ),
        ),
    }
}

/// What the scan of the app's code found that other checks need.
#[derive(Debug, Default)]
pub struct CodeFacts {
    /// `App(...)` calls with `secrets=`, as `file:line`.
    pub app_secrets: Vec<String>,
}

/// `st.experimental_user` (removed in Streamlit 1.54) and `st.App(secrets=...)`
/// (1.57+) in the app's code.
pub fn check_code(app_dir: &Path, release: &Release, out: &mut Vec<Diagnosis>) -> CodeFacts {
    let mut uses = Vec::new();
    // Files that test for st.user first use st.experimental_user only as a
    // fallback for releases that lack st.user (1.42-1.44).
    let mut guarded = Vec::new();
    let mut app_secrets = Vec::new();
    let mut too_big = Vec::new();
    let complete = super::files::walk(app_dir, 8, &mut |p| {
        if p.extension().is_some_and(|e| e == "py") {
            match read_source(p) {
                Source::Text(text) => {
                    if let Some(line) = text.lines().position(|l| l.contains("experimental_user")) {
                        let place = format!("{}:{}", shown(p, app_dir), line + 1);
                        if guards_user(&text) {
                            guarded.push(place);
                        } else {
                            uses.push(place);
                        }
                    }
                    if let Some(line) = app_call_with_secrets(&text) {
                        app_secrets.push(format!("{}:{line}", shown(p, app_dir)));
                    }
                }
                Source::TooBig => too_big.push(shown(p, app_dir)),
                Source::Unreadable => {}
            }
        }
    });
    app_secrets.sort();
    let facts = CodeFacts { app_secrets };
    if !complete {
        push(
            out,
            Area::Python,
            super::files::scan_limit_note(
                "code.scan_limit",
                "st.experimental_user and st.App(secrets=...) in .py files",
            ),
        );
    }
    if !too_big.is_empty() {
        too_big.sort();
        push(
            out,
            Area::Python,
            Finding::info(
                "code.skipped",
                format!(
                    "not scanned, larger than {}: {}",
                    human_size(limits::SOURCE_FILE_BYTES),
                    too_big.join(", ")
                ),
            )
            .why("doctor reads at most that much of a Python file, so a generated or vendored file cannot stall it."),
        );
    }
    if !facts.app_secrets.is_empty() && !release.app_secrets_in_code() {
        push(
            out,
            Area::Python,
            Finding::error(
                "code.app_secrets",
                format!("st.App(secrets=...) is used in {}", facts.app_secrets.join(", ")),
            )
            .why(format!(
                "Streamlit {} has no st.App (it arrives in 1.57): the app fails with AttributeError, and streamlit.starlette.App (1.53-1.56) takes no secrets (TypeError).",
                release.version
            ))
            .fix("keep the secrets in .streamlit/secrets.toml, or upgrade Streamlit to 1.57 or later"),
        );
    }
    if uses.is_empty() {
        let message = if guarded.is_empty() {
            "the app's code does not use st.experimental_user".to_string()
        } else {
            guarded.sort();
            format!(
                "st.experimental_user appears only as a fallback after a check for st.user, in {}",
                guarded.join(", ")
            )
        };
        push(
            out,
            Area::Python,
            Finding::ok("code.experimental_user", message),
        );
        return facts;
    }
    uses.sort();
    let message = format!("st.experimental_user is used in {}", uses.join(", "));
    let version = release.version;
    let finding = match release.user_api() {
        // 1.42-1.44: the only name there is; nothing to change.
        UserApi::ExperimentalOnly => Finding::ok("code.experimental_user", format!("{message} (the only name Streamlit {version} has; st.user arrives in 1.45)")),
        UserApi::Both => Finding::warning("code.experimental_user", message)
            .why("It is deprecated and removed in Streamlit 1.54.")
            .fix("use st.user instead"),
        UserApi::UserOnly => Finding::error("code.experimental_user", message)
            .why(format!(
                "Streamlit {version} has no st.experimental_user: the app fails with AttributeError."
            ))
            .fix("use st.user instead"),
    };
    push(out, Area::Python, finding);
    facts
}

/// Whether the code checks for `st.user` before it falls back to
/// `st.experimental_user` (`hasattr(st, "user")`, `getattr(st, "user", ...)`).
fn guards_user(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    [
        "hasattr(st,\"user\")",
        "hasattr(st,'user')",
        "getattr(st,\"user\",",
        "getattr(st,'user',",
    ]
    .iter()
    .any(|g| compact.contains(g))
}

/// On 1.57+, secrets given in code are merged over the files' at the top
/// level, so a missing `[auth]` in the files may be no mistake: doctor cannot
/// see what the code passes, and says so instead of failing.
pub fn secrets_from_code(facts: &CodeFacts, release: &Release, all: &mut Vec<Diagnosis>) {
    if facts.app_secrets.is_empty() || !release.app_secrets_in_code() {
        return;
    }
    let places = facts.app_secrets.join(", ");
    let mut auth_missing = false;
    for d in all.iter_mut() {
        if d.finding.id == "secrets.auth" && d.finding.severity == crate::finding::Severity::Error {
            auth_missing = true;
            d.finding = Finding::info(
                "secrets.auth",
                format!("no secrets file Streamlit reads has an [auth] table; it may come from st.App(secrets=...) in {places}, which doctor cannot see"),
            )
            .why("Streamlit 1.57+ merges secrets given in code over the files' secrets; doctor checks [auth] only in the files.")
            .fix("keep [auth] in .streamlit/secrets.toml so stauth can check it, or make sure the secrets= mapping has an \"auth\" key");
        }
    }
    let note = if auth_missing {
        format!("st.App(secrets=...) in {places}: [auth] must come from there")
    } else {
        format!("st.App(secrets=...) in {places}: an \"auth\" key there replaces the files' [auth] whole, unchecked by doctor")
    };
    push(
        all,
        Area::Python,
        Finding::info("code.app_secrets", note).why(
            "Secrets from code are merged over the files' at the top level: whole top-level keys are replaced, not single keys inside them.",
        ),
    );
}

/// The line of the first `App(...)` call (`st.App`, `streamlit.starlette.App`,
/// or `App` imported) with a `secrets=` argument. A text scan, not a parse:
/// parentheses inside strings may hide or invent a call, which is fine for a
/// note that names the line.
fn app_call_with_secrets(text: &str) -> Option<usize> {
    // A call's arguments are short; the bound keeps a huge file linear.
    const MAX_CALL: usize = 4096;
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(at) = text[from..].find("App(") {
        let start = from + at;
        from = start + 4;
        if start > 0 && ident(bytes[start - 1]) {
            continue;
        }
        let mut depth = 0usize;
        let mut end = None;
        for (i, &b) in bytes[start + 3..].iter().enumerate().take(MAX_CALL) {
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(start + 3 + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let mut end = end.unwrap_or((start + 3 + MAX_CALL).min(text.len()));
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let args = &text[start + 4..end];
        if has_keyword(args, "secrets") {
            return Some(text[..start].matches('\n').count() + 1);
        }
    }
    None
}

/// Whether `args` passes keyword `name` (`name=`, `name =`, not `name ==`).
fn has_keyword(args: &str, name: &str) -> bool {
    let bytes = args.as_bytes();
    args.match_indices(name).any(|(i, _)| {
        let before_ok = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b'.');
        let rest = args[i + name.len()..].trim_start();
        before_ok && rest.starts_with('=') && !rest.starts_with("==")
    })
}

enum Source {
    Text(String),
    /// Past `limits::SOURCE_FILE_BYTES`: skipped with a note.
    TooBig,
    /// Gone, not UTF-8, or no longer a regular file: skipped silently.
    Unreadable,
}

/// A Python file's text, at most `limits::SOURCE_FILE_BYTES`. `open_regular`
/// refuses a file swapped for a FIFO or device since the walk saw it.
fn read_source(path: &Path) -> Source {
    let Ok(file) = open_regular(path) else {
        return Source::Unreadable;
    };
    match read_capped(file, limits::SOURCE_FILE_BYTES, "the Python file") {
        Ok(bytes) => String::from_utf8(bytes).map_or(Source::Unreadable, Source::Text),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Source::TooBig,
        Err(_) => Source::Unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_calls_with_secrets() {
        assert_eq!(
            app_call_with_secrets(
                "import streamlit as st\napp = st.App(\"main.py\", secrets={\"auth\": {}})\n"
            ),
            Some(2)
        );
        assert_eq!(
            app_call_with_secrets("app = App(\n    \"main.py\",\n    secrets = load(),\n)\n"),
            Some(1)
        );
        assert_eq!(
            app_call_with_secrets("app = st.App(\"main.py\")\nx = dict(secrets={})\n"),
            None
        );
        assert_eq!(app_call_with_secrets("app = MyApp(secrets={})\n"), None);
        assert_eq!(
            app_call_with_secrets("app = st.App(f(x), my_secrets={})\n"),
            None
        );
        assert_eq!(
            app_call_with_secrets("ok = st.App(x, debug=secrets == 1)\n"),
            None
        );
        assert_eq!(app_call_with_secrets("st.App(("), None);
    }
}
