//! The app's Python: which interpreter runs it, and the Streamlit, Authlib
//! and httpx installed for it, read from package metadata (nothing is
//! imported). Every command that depends on the Streamlit release finds it
//! here, the same way.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::limits;
use crate::streamlit::release::{ReleaseSource, StreamlitVersion, FIRST_WITH_LOGIN, LATEST};
pub use crate::streamlit::requirements::Packages;

/// Asks the interpreter only for its search path: package versions are then
/// read from the `*.dist-info` folders there, as importlib.metadata does,
/// without importing anything (and much faster than importlib.metadata).
const PROBE: &str = r#"
import json, sys
print(json.dumps({"python": sys.version.split()[0], "executable": sys.executable, "path": sys.path}))
"#;

/// How long the interpreter may take to answer (a cold start on a slow disk
/// is well under a second).
const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(serde::Deserialize)]
struct Probe {
    python: String,
    executable: String,
    path: Vec<String>,
}

/// Where the interpreter was found, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// `--python`.
    Given,
    /// `$VIRTUAL_ENV`.
    ActiveVenv,
    /// `<app>/.venv`.
    AppVenv,
    /// `python3` on PATH.
    Path,
}

/// The interpreter to inspect: the one given, else the active venv, else a
/// `.venv` in the app folder, else `python3` on PATH.
pub fn find(explicit: Option<&Path>, app_dir: &Path) -> Option<(PathBuf, Found)> {
    if let Some(p) = explicit {
        return Some((p.to_path_buf(), Found::Given));
    }
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        let p = PathBuf::from(venv).join("bin").join("python");
        if p.is_file() {
            return Some((p, Found::ActiveVenv));
        }
    }
    let app_venv = app_dir.join(".venv").join("bin").join("python");
    if app_venv.is_file() {
        return Some((app_venv, Found::AppVenv));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("python3"))
            .find(|p| p.is_file())
            .map(|p| (p, Found::Path))
    })
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
        for entry in entries.flatten().take(limits::WALK_ENTRIES) {
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

/// What a Python script printed, or why it did not run to the end.
pub struct ScriptOutput {
    pub stdout: Vec<u8>,
    /// The last line of its stderr, for messages.
    pub last_error_line: String,
    pub success: bool,
}

/// Runs `script` in `python -I` (isolated: the app's folder and user site
/// are not on the path) with `args`, stdin closed, waiting at most
/// `timeout`; stdout is capped at 1 MiB and stderr at 64 KiB.
pub fn run_script(
    python: &Path,
    script: &str,
    args: &[PathBuf],
    timeout: Duration,
) -> Result<ScriptOutput, String> {
    let mut child = Command::new(python)
        .args(["-I", "-c", script])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let out = drain(child.stdout.take(), limits::RESPONSE_BYTES);
    let err = drain(child.stderr.take(), 64 * 1024);
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{} did not answer within {} s",
                    python.display(),
                    timeout.as_secs()
                ));
            }
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Ok(ScriptOutput {
        stdout,
        last_error_line: String::from_utf8_lossy(&stderr)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string(),
        success: status.success(),
    })
}

/// Reads at most `cap` bytes of a child's pipe on a thread (so a full pipe
/// never blocks the child); the rest is left unread.
fn drain<R: std::io::Read + Send + 'static>(
    pipe: Option<R>,
    cap: u64,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(pipe) = pipe {
            let _ = pipe.take(cap).read_to_end(&mut buf);
        }
        buf
    })
}

/// Installed versions, or why they could not be read.
pub fn packages(python: &Path) -> Result<Packages, String> {
    let out = run_script(python, PROBE, &[], PROBE_TIMEOUT)?;
    if !out.success {
        return Err(format!(
            "{} failed: {}",
            python.display(),
            out.last_error_line
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

/// What was found about the app's Python.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The interpreter and how it was found; None when there is none.
    pub interpreter: Option<(PathBuf, Found)>,
    /// Its packages, or why they could not be read.
    pub packages: Option<Result<Packages, String>>,
}

impl Environment {
    /// Finds the interpreter for the app in `app_dir` and reads its packages.
    pub fn inspect(explicit: Option<&Path>, app_dir: &Path) -> Environment {
        let interpreter = find(explicit, app_dir);
        let packages = interpreter.as_ref().map(|(p, _)| packages(p));
        Environment {
            interpreter,
            packages,
        }
    }

    /// The installed Streamlit's version, when there is one with st.login.
    pub fn streamlit(&self) -> Option<StreamlitVersion> {
        let p = self.packages.as_ref()?.as_ref().ok()?;
        StreamlitVersion::parse_loose(p.streamlit.as_deref()?).map(|(v, _)| v)
    }
}

/// The release to emulate and why: `flag` when given, else the Streamlit
/// installed in `env` (when it was inspected), else the newest stauth knows.
pub fn choose_release(
    env: Option<&Environment>,
    flag: Option<StreamlitVersion>,
) -> (StreamlitVersion, ReleaseSource) {
    if let Some(v) = flag {
        return (v, ReleaseSource::Flag);
    }
    let installed = env.and_then(|e| Some((e.streamlit()?, e.interpreter.as_ref()?)));
    match installed {
        Some((v, (python, _))) if v >= FIRST_WITH_LOGIN => (
            v,
            ReleaseSource::Detected {
                python: python.clone(),
            },
        ),
        _ => (LATEST, ReleaseSource::NewestKnown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dist_info_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("streamlit-1.48.0.dist-info")).unwrap();
        std::fs::create_dir(dir.path().join("Authlib-1.6.5.dist-info")).unwrap();
        let path = vec![dir.path().display().to_string()];
        assert_eq!(
            installed_version(&path, "streamlit").as_deref(),
            Some("1.48.0")
        );
        assert_eq!(
            installed_version(&path, "authlib").as_deref(),
            Some("1.6.5")
        );
        assert_eq!(installed_version(&path, "httpx"), None);
    }

    #[test]
    fn an_app_venv_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join(".venv").join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("python"), "").unwrap();
        let given = Path::new("/x/python");
        assert_eq!(find(Some(given), dir.path()).unwrap().1, Found::Given);
        if std::env::var_os("VIRTUAL_ENV").is_none() {
            assert_eq!(
                find(None, dir.path()),
                Some((bin.join("python"), Found::AppVenv))
            );
        }
    }
}
