//! Secrets files as Streamlit up to 1.65 really reads them: with the `toml`
//! package (0.10), which predates TOML 1.0. It refuses some files the
//! standard allows (arrays mixing types, a multi-line string ending in a
//! quote) and reads some differently (`\u` escapes in quoted keys), while
//! stauth parses by the standard. So the app's own interpreter parses each
//! file with its `toml`, and the two readings of `[auth]` are compared.
//! config.toml goes through the same parser: a file `toml` refuses is
//! ignored whole (Streamlit logs "Error parsing config toml" and goes on
//! with the defaults), so its port, base path and options do not apply.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::{push, shown, Area, Context, Diagnosis};
use crate::finding::Finding;
use crate::python_env::{run_script, Environment};
use crate::streamlit::release::SecretsParser;
use crate::streamlit::SecretsFile;

/// Parses each file named on the command line with `toml.loads`, as
/// Streamlit does, and prints `[auth]` as JSON. With `-I` nothing is
/// imported from the app's folder. Only toml's own description and position
/// of an error are printed, never text from the file (it holds secrets).
const PARSE: &str = r#"
import json, sys
try:
    import toml
except Exception:
    print(json.dumps({"toml": None}))
    sys.exit(0)
def norm(v):
    if isinstance(v, dict):
        return {str(k): norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if v == v and abs(v) != float("inf") else None
    return {"$datetime": str(v)}
files = []
for p in sys.argv[1:]:
    try:
        with open(p, encoding="utf-8") as f:
            text = f.read()
    except Exception as e:
        files.append({"unread": type(e).__name__})
        continue
    try:
        d = toml.loads(text)
    except toml.TomlDecodeError as e:
        # Some messages quote part of the line (an escape, a key): keep
        # only toml's fixed description.
        files.append({"error": e.msg.split(": ")[0][:100], "line": e.lineno, "column": e.colno})
        continue
    except Exception as e:
        files.append({"error": type(e).__name__})
        continue
    files.append({"auth": norm(d.get("auth"))})
print(json.dumps({"toml": getattr(toml, "__version__", "?"), "files": files}))
"#;

/// A cold interpreter start plus parsing a few small files.
const TIMEOUT: Duration = Duration::from_secs(15);

#[derive(serde::Deserialize)]
struct Answer {
    toml: Option<String>,
    #[serde(default)]
    files: Vec<FileAnswer>,
}

#[derive(serde::Deserialize)]
struct FileAnswer {
    auth: Option<Value>,
    error: Option<String>,
    line: Option<u64>,
    column: Option<u64>,
    unread: Option<String>,
}

impl FileAnswer {
    /// " at line L, column C" when `toml` said where it failed.
    fn position(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
            _ => String::new(),
        }
    }
}

const ID: &str = "secrets.toml_package";
const CONFIG_ID: &str = "config.toml_package";

/// A file to parse: a secrets file with stauth's reading of `[auth]`, or a
/// config.toml (only whether `toml` accepts it matters).
enum Parsed {
    Secrets(Option<Value>),
    Config,
}

/// What the check did, for the JSON report: "toml 0.10.2", "skipped", "not needed".
pub fn check(ctx: &Context, env: &Environment, out: &mut Vec<Diagnosis>) -> String {
    let release = ctx.release();
    if release.secrets_parser() != SecretsParser::TomlPackage {
        return "not needed (tomllib)".into();
    }
    // The files stauth could load; files::check reports the others.
    let mut files: Vec<(PathBuf, Parsed)> = ctx
        .secrets_sources()
        .files
        .into_iter()
        .filter(|p| p.exists())
        .filter_map(|p| {
            SecretsFile::load(&p)
                .ok()
                .map(|f| (p, Parsed::Secrets(f.auth_data())))
        })
        .collect();
    files.extend(
        ctx.server
            .config_files
            .iter()
            .map(|p| (p.clone(), Parsed::Config)),
    );
    if files.is_empty() {
        return "no secrets file".into();
    }
    let skipped = |out: &mut Vec<Diagnosis>, why: String| {
        push(
            out,
            Area::Files,
            Finding::info(ID, format!("not checked how the `toml` package reads the secrets: {why}"))
                .why(format!("Streamlit {} parses secrets.toml with the `toml` package (0.10), which refuses or reads differently some TOML that stauth accepts.", release.version))
                .fix("stauth doctor --python path/to/venv/bin/python (the app's interpreter)"),
        );
        "skipped".to_string()
    };
    let python = match (&env.interpreter, &env.packages) {
        (Some((python, _)), Some(Ok(_))) => python.clone(),
        (Some((python, _)), _) => {
            return skipped(out, format!("{} could not be asked", python.display()))
        }
        (None, _) => return skipped(out, "no Python interpreter to ask".into()),
    };
    let answer = match ask(&python, &files) {
        Ok(a) => a,
        Err(e) => return skipped(out, e),
    };
    let Some(version) = answer.toml else {
        return skipped(
            out,
            format!(
                "the `toml` package is not installed for {}",
                python.display()
            ),
        );
    };
    for ((path, parsed), theirs) in files.iter().zip(answer.files) {
        let name = shown(path, &ctx.app_dir);
        let ours = match parsed {
            Parsed::Secrets(auth) => auth,
            Parsed::Config => {
                config_finding(&name, &version, release.version, &theirs, out);
                continue;
            }
        };
        if let Some(error) = &theirs.error {
            let at = theirs.position();
            push(
                out,
                Area::Files,
                Finding::error(ID, format!("{name}: the `toml` package {version} that Streamlit {} reads secrets with rejects it{at}: {error}", release.version))
                    .why("st.secrets fails to load, and st.login() with it, though the file is valid TOML 1.0: `toml` 0.10 predates the standard (it refuses arrays that mix types, for one).")
                    .fix("write that value in a form both accept (e.g. an array of one type), or upgrade Streamlit to 1.66 or later (tomllib)"),
            );
        } else if theirs.unread.is_some() {
            continue;
        } else if let Some(path_differs) =
            first_difference(ours.as_ref(), theirs.auth.as_ref(), "auth")
        {
            push(
                out,
                Area::Files,
                Finding::warning(ID, format!("{name}: the `toml` package {version} that Streamlit {} reads secrets with reads [auth] differently from stauth, at {path_differs}", release.version))
                    .why("`toml` 0.10 predates TOML 1.0 (it keeps \\u escapes in quoted keys as typed, for one): the app sees other keys or values than stauth checked.")
                    .fix("write that key or value without escapes, or upgrade Streamlit to 1.66 or later (tomllib)"),
            );
        } else {
            push(
                out,
                Area::Files,
                Finding::ok(
                    ID,
                    format!("{name}: the `toml` package {version} reads it as stauth does"),
                ),
            );
        }
    }
    format!("toml {version}")
}

/// What `toml` made of a config.toml.
fn config_finding(
    name: &str,
    toml_version: &str,
    release: crate::streamlit::StreamlitVersion,
    theirs: &FileAnswer,
    out: &mut Vec<Diagnosis>,
) {
    let Some(error) = &theirs.error else {
        if theirs.unread.is_none() {
            push(
                out,
                Area::Files,
                Finding::ok(
                    CONFIG_ID,
                    format!("{name}: the `toml` package {toml_version} reads it"),
                ),
            );
        }
        return;
    };
    let at = theirs.position();
    push(
        out,
        Area::Files,
        Finding::error(CONFIG_ID, format!("{name}: the `toml` package {toml_version} that Streamlit {release} reads config.toml with rejects it{at}: {error}"))
            .why("Streamlit logs \"Error parsing config toml\" and ignores the whole file: its server.port, server.baseUrlPath and other options do not apply, so the app runs where the redirect_uri does not point.")
            .fix("write that value in a form both accept (e.g. an array of one type), or upgrade Streamlit to 1.66 or later (tomllib)"),
    );
}

/// Runs the parser in `python`, bounded in time and output.
fn ask(python: &Path, files: &[(PathBuf, Parsed)]) -> Result<Answer, String> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| abs(p)).collect();
    let out = run_script(python, PARSE, &paths, TIMEOUT)?;
    if !out.success {
        return Err(format!("{} failed", python.display()));
    }
    let answer: Answer = serde_json::from_slice(&out.stdout)
        .map_err(|_| format!("unexpected answer from {}", python.display()))?;
    if answer.toml.is_some() && answer.files.len() != files.len() {
        return Err(format!("unexpected answer from {}", python.display()));
    }
    Ok(answer)
}

/// Where two readings of `[auth]` first differ, as a dotted key path (keys
/// only: values are secrets); None when they agree. A date or time, which
/// the two sides print differently, counts as equal to any string.
fn first_difference(ours: Option<&Value>, theirs: Option<&Value>, at: &str) -> Option<String> {
    let key = |k: &str| -> String {
        if !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            format!("{at}.{k}")
        } else {
            format!("{at}.{k:?}")
        }
    };
    match (ours, theirs) {
        (None, None) => None,
        (Some(Value::String(_)), Some(Value::Object(o)))
            if o.len() == 1 && o.contains_key("$datetime") =>
        {
            None
        }
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            for (k, v) in a {
                if let Some(d) = first_difference(Some(v), b.get(k), &key(k)) {
                    return Some(d);
                }
            }
            b.keys().find(|k| !a.contains_key(*k)).map(|k| key(k))
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(Some(x), Some(y), &format!("{at}[{i}]"))),
        (Some(Value::Number(a)), Some(Value::Number(b))) => {
            (a.as_f64() != b.as_f64()).then(|| at.to_string())
        }
        (a, b) => (a != b).then(|| at.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_name_the_key_never_the_value() {
        let ours = json!({"a": "x", "café": {"b": 1}});
        assert_eq!(
            first_difference(Some(&ours), Some(&ours.clone()), "auth"),
            None
        );
        let theirs = json!({"a": "x", "caf\\u00e9": {"b": 1}});
        assert_eq!(
            first_difference(Some(&ours), Some(&theirs), "auth").as_deref(),
            Some("auth.\"café\"")
        );
        let theirs = json!({"a": "y", "café": {"b": 1}});
        assert_eq!(
            first_difference(Some(&ours), Some(&theirs), "auth").as_deref(),
            Some("auth.a")
        );
        assert_eq!(
            first_difference(
                Some(&json!({"t": "1979-05-27T07:32:00Z", "f": 1.0})),
                Some(&json!({"t": {"$datetime": "1979-05-27 07:32:00+00:00"}, "f": 1})),
                "auth"
            ),
            None
        );
        assert_eq!(
            first_difference(Some(&json!({})), None, "auth").as_deref(),
            Some("auth")
        );
    }
}
