//! The app's Python environment: installed versions read from package
//! metadata (Streamlit is never imported), and code that uses APIs the
//! installed Streamlit no longer has.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{push, shown, Area, Diagnosis};
use crate::finding::Finding;
use crate::fsutil::read::{open_regular, read_capped};
use crate::limits::{self, human_size};
use crate::streamlit::requirements::{self, Packages};
use crate::streamlit::version::StreamlitVersion;

/// Asks the interpreter only for its search path: package versions are then
/// read from the `*.dist-info` folders there, as importlib.metadata does,
/// without importing anything (and much faster than importlib.metadata).
const PROBE: &str = r#"
import json, sys
print(json.dumps({"python": sys.version.split()[0], "executable": sys.executable, "path": sys.path}))
"#;

#[derive(serde::Deserialize)]
struct Probe {
    python: String,
    executable: String,
    path: Vec<String>,
}

/// The version of distribution `name` in the first folder of `path` that has
/// it (`streamlit-1.67.0.dist-info`, `Authlib-1.6.5.dist-info`, eggs too).
fn installed_version(path: &[String], name: &str) -> Option<String> {
    let normalise = |s: &str| s.to_ascii_lowercase().replace(['-', '.'], "_");
    let wanted = normalise(name);
    for dir in path.iter().filter(|d| !d.is_empty()) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            let Some(stem) = file
                .strip_suffix(".dist-info")
                .or_else(|| file.strip_suffix(".egg-info"))
            else {
                continue;
            };
            let Some((dist, rest)) = stem.split_once('-') else {
                continue;
            };
            if normalise(dist) == wanted {
                let version = rest.split("-py").next().unwrap_or(rest);
                return Some(version.to_string());
            }
        }
    }
    None
}

/// The interpreter to inspect: `--python`, else the active venv, else
/// `python3` on PATH.
pub fn find(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV") {
        let p = PathBuf::from(venv).join("bin").join("python");
        if p.exists() {
            return Some(p);
        }
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("python3"))
            .find(|p| p.is_file())
    })
}

/// Installed versions, or why they could not be read.
pub fn packages(python: &Path) -> Result<Packages, String> {
    let out = Command::new(python)
        .args(["-I", "-c", PROBE])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        ));
    }
    let probe: Probe = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("unexpected answer from {}: {e}", python.display()))?;
    Ok(Packages {
        streamlit: installed_version(&probe.path, "streamlit"),
        authlib: installed_version(&probe.path, "Authlib"),
        httpx: installed_version(&probe.path, "httpx"),
        python: probe.python,
        executable: probe.executable,
    })
}

/// Findings for the environment; returns the installed Streamlit version.
pub fn check(python: Option<&Path>, out: &mut Vec<Diagnosis>) -> Option<StreamlitVersion> {
    let Some(python) = python else {
        push(
            out,
            Area::Python,
            Finding::warning(
                "python.interpreter",
                "no Python interpreter found (no --python, no active venv, no python3 on PATH)",
            )
            .fix("stauth doctor --python path/to/venv/bin/python"),
        );
        return None;
    };
    match packages(python) {
        Err(e) => {
            push(
                out,
                Area::Python,
                Finding::warning("python.interpreter", e)
                    .fix("stauth doctor --python path/to/venv/bin/python"),
            );
            None
        }
        Ok(p) => {
            for f in requirements::check(&p) {
                push(out, Area::Python, f);
            }
            requirements::streamlit_version(&p)
        }
    }
}

/// `st.experimental_user` in the app's code (removed in Streamlit 1.54).
pub fn check_code(app_dir: &Path, version: StreamlitVersion, out: &mut Vec<Diagnosis>) {
    let mut uses = Vec::new();
    let mut too_big = Vec::new();
    let complete = super::files::walk(app_dir, 8, &mut |p| {
        if p.extension().is_some_and(|e| e == "py") {
            match read_source(p) {
                Source::Text(text) => {
                    if let Some(line) = text.lines().position(|l| l.contains("experimental_user")) {
                        uses.push(format!("{}:{}", shown(p, app_dir), line + 1));
                    }
                }
                Source::TooBig => too_big.push(shown(p, app_dir)),
                Source::Unreadable => {}
            }
        }
    });
    if !complete {
        push(
            out,
            Area::Python,
            super::files::scan_limit_note("code.scan_limit", "st.experimental_user in .py files"),
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
    if uses.is_empty() {
        push(
            out,
            Area::Python,
            Finding::ok(
                "code.experimental_user",
                "the app's code does not use st.experimental_user",
            ),
        );
        return;
    }
    uses.sort();
    let message = format!("st.experimental_user is used in {}", uses.join(", "));
    let finding = if version.has_experimental_user() {
        Finding::warning("code.experimental_user", message)
            .why("It is deprecated and removed in Streamlit 1.54.")
    } else {
        Finding::error("code.experimental_user", message).why(format!(
            "Streamlit {version} has no st.experimental_user: the app fails with AttributeError."
        ))
    };
    push(out, Area::Python, finding.fix("use st.user instead"));
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
