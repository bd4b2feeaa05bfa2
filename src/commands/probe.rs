//! `stauth probe URL`: the deployed app seen from outside (the checks are
//! `probe::run`'s), compared with the app's secrets and a login's cookie
//! sizes: a test-login report, claims, a number of groups, or the app's last
//! `stauth test-login`.

use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value};

use super::common::with_release;
use crate::cli::ProbeArgs;
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::finding::Severity;
use crate::fsutil::read::read_text_capped;
use crate::limits::TOKEN_BYTES;
use crate::output::{untrusted, Output};
use crate::probe::{self, last_login, Need, NeedInput, Options};
use crate::streamlit::AppContext;

pub fn run(args: &ProbeArgs, out: &Output) -> Result<ExitCode> {
    let url = probe::parse_url(&args.url).map_err(|reason| Error::Input {
        message: format!("invalid URL '{}': {reason}", untrusted(&args.url)),
        hint: "Give the URL the app is served at, e.g. `stauth probe https://app.example.com/`."
            .into(),
    })?;
    let app = AppContext::load(&args.app_dir)?.with_secrets_files(&args.secrets_files);
    let redirect_uri = app
        .redirect_uri()?
        .map(|(uri, file)| (uri, file.display().to_string()));
    let need = need_input(args)?;
    out.heading(format!("stauth probe: {}", untrusted(url.as_str())));
    let (app, _) = with_release(app, &args.release, false, out)?;
    let options = Options {
        url,
        timeout: Duration::from_secs(args.timeout),
        max_requests: args.max_requests as usize,
        release: *app.release(),
        base_url_path: app.server.base_url_path.clone(),
        redirect_uri,
        need,
    };
    let terminal = out.stderr_is_terminal();
    let progress = |step: &str| {
        if terminal {
            out.progress(format!("Probing: {step}…"));
        }
    };
    let report = probe::run(&options, &progress);
    if terminal {
        out.end_progress();
    }
    let report = report.map_err(|e| Error::Upstream(Box::new(e)))?;

    for f in &report.findings {
        out.finding(f);
    }
    let count = |s| report.findings.iter().filter(|f| f.severity == s).count();
    let summary = format!(
        "{} error(s), {} warning(s), {} passed; {} requests",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Ok),
        report.requests
    );
    out.blank();
    if report.has_errors() {
        out.error(summary);
    } else {
        out.success(summary);
    }
    if out.json_mode() {
        out.json(&report.to_json());
    }
    Ok(ExitCode::of_checks(report.has_errors()))
}

/// The login to compare with: `--report`, `--claims`, `--groups`, else the
/// app's last test-login, else none.
fn need_input(args: &ProbeArgs) -> Result<NeedInput> {
    if let Some(path) = &args.report {
        let json = read_json(path, "--report")?;
        let len = json
            .pointer("/cookies/cookie_header_bytes")
            .and_then(Value::as_u64)
            .ok_or_else(|| Error::Input {
                message: format!(
                    "{} is not a `stauth test-login --json` report: it has no cookies.cookie_header_bytes",
                    untrusted(&path.display().to_string())
                ),
                hint: "Write one with `stauth test-login --json > login.json`, or pass --claims FILE or --groups N.".into(),
            })?;
        let set_cookie = probe::set_cookie_lines(
            json.pointer("/cookies/cookies")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| c["set_cookie_bytes"].as_u64())
                .map(|n| n as usize),
        );
        return Ok(NeedInput::Known(Need::from_login_cookies(
            len as usize,
            set_cookie,
            format!("the test-login report {}", path.display()),
        )));
    }
    if let Some(path) = &args.claims {
        let json = read_json(path, "--claims")?;
        // `stauth decode --json` holds the claims under "claims".
        let claims = match json.get("claims") {
            Some(Value::Object(c)) => c.clone(),
            _ => match json {
                Value::Object(c) => c,
                _ => Map::new(),
            },
        };
        if claims.is_empty() {
            return Err(Error::Input {
                message: format!(
                    "{} holds no claims: give a JSON object of ID token claims",
                    untrusted(&path.display().to_string())
                ),
                hint: "`stauth decode TOKEN --json > claims.json` writes one.".into(),
            });
        }
        return Ok(NeedInput::Claims(
            claims,
            format!("estimated from the claims in {}", path.display()),
        ));
    }
    if let Some(n) = args.groups {
        return Ok(NeedInput::Claims(
            probe::claims_with_groups(n as usize),
            format!("estimated for a user in {n} groups"),
        ));
    }
    Ok(match last_login::load(&args.app_dir) {
        Some(record) => NeedInput::Known(Need::from_login_cookies(
            record.cookie_header_len,
            record.set_cookie_bytes,
            format!(
                "the last `stauth test-login` of {}: {} cookies",
                record.provider, record.cookies
            ),
        )),
        None => NeedInput::None,
    })
}

fn read_json(path: &Path, flag: &str) -> Result<Value> {
    let text = read_text_capped(path, TOKEN_BYTES).map_err(|source| Error::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Input {
        message: format!(
            "{} ({flag}) is not JSON: {e}",
            untrusted(&path.display().to_string())
        ),
        hint: "Give a JSON file: a `stauth test-login --json` report for --report, a claims object for --claims.".into(),
    })
}
