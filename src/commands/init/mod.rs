//! `stauth init`: writes a correct `[auth]` block for a provider, checked
//! against the provider's discovery document and Streamlit's rules.

mod dev;
mod inputs;
mod plan;
mod report;
mod store;
mod wizard;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::InitArgs;
use crate::commands::common::with_release;
use crate::diagnosis;
use crate::error::{Error, Kind, Result};
use crate::exit::ExitCode;
use crate::finding::{Finding, Severity};
use crate::fsutil::{self, git};
use crate::oidc;
use crate::output::Output;
use crate::streamlit::app_config;
use crate::streamlit::discovery_rules::{self, RequestSettings};
use crate::streamlit::http_client::AnyRelease;

use crate::streamlit::{redirect, AppContext, Release, SecretsFile};

use wizard::Wizard;

/// The placeholder Streamlit 1.53+ replaces by server.port in redirect_uri.
const PORT_PLACEHOLDER: &str = "{port}";

/// What happened to the .gitignore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitignoreOutcome {
    NotARepo,
    AlreadyIgnored,
    Added { gitignore: PathBuf, pattern: String },
    WouldAdd { gitignore: PathBuf, pattern: String },
    Skipped,
    Tracked { file: PathBuf },
}

pub fn run(args: &InitArgs, out: &Output) -> Result<ExitCode> {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let wizard = interactive.then(Wizard::new);

    if !args.app_dir.is_dir() {
        return Err(Error::InvalidValue {
            what: "--app-dir".into(),
            value: args.app_dir.display().to_string(),
            reason: "no such folder".into(),
        });
    }
    let secrets_path = args
        .secrets_file
        .clone()
        .unwrap_or_else(|| crate::streamlit::app::secrets_file_in(&args.app_dir));
    let mut file = SecretsFile::load(&secrets_path)?;
    // The keychain, when it takes part, is opened here: unreachable, it
    // stops the command before anything is asked, fetched or written.
    let mut store_plan = store::prepare(args, &mut file, interactive)?;
    let app = AppContext::load(&args.app_dir)?;

    let mut resolved = inputs::resolve(args, &file, &app.server, wizard.as_ref())?;
    // What init writes and advises follows the Streamlit release the app
    // runs (the newest stauth knows when there is no Python to ask).
    let (app, _) = with_release(app, &args.release, false, out)?;
    let release = *app.release();
    release_inputs(args, &resolved, &release)?;
    let server = &app.server;

    let existing_prompt = file
        .client_kwarg(&resolved.slot, "prompt")
        .map(str::to_string);
    let preset_prompt = resolved
        .preset
        .client_kwargs
        .iter()
        .find(|(k, _)| *k == "prompt")
        .map(|(_, v)| v.to_string());
    let settings = RequestSettings {
        scope: args.scope.clone().or_else(|| {
            file.client_kwarg(&resolved.slot, "scope")
                .map(str::to_string)
        }),
        prompt: args.prompt.clone().or(existing_prompt).or(preset_prompt),
        issuer_may_differ: resolved.preset.issuer_differs_from_url,
    };

    // The dev provider's discovery document is stauth's own: nothing to check.
    let assessment = if args.offline || resolved.dev.is_some() {
        None
    } else {
        let discovery =
            oidc::fetch_discovery(&resolved.metadata_url, &AnyRelease).map_err(offline_hint)?;
        let a = discovery_rules::assess(&discovery, &settings);
        report::discovery(out, &resolved.metadata_url, &a);
        if a.has_errors() {
            if out.json_mode() {
                out.json(&report::failure_json(&resolved, &a));
            }
            return Err(Error::CheckFailed(
                "the provider cannot work with Streamlit as configured; nothing was written".into(),
            ));
        }
        Some((discovery, a))
    };

    if let Some(w) = &wizard {
        if resolved.dev.is_none() {
            report::console_steps(out, &resolved, assessment.as_ref().map(|(d, _)| d), &app);
        }
        store_plan.ask(w, out, &args.app_dir)?;
        inputs::ask_credentials(w, &mut resolved, &file)?;
    }

    // The read-modify-write happens under a lock: two inits at once on one
    // file (`--name one` and `--name two`) both keep their provider. The lock
    // is taken only now, after the provider was asked and the questions
    // answered, so it is held for milliseconds (with the wizard, until the
    // final "Write?"); a file another command changed since it was read is
    // read again and the same inputs are applied to what it holds now.
    let lock = if args.dry_run {
        None
    } else {
        Some(fsutil::lock(&secrets_path)?)
    };
    if lock.is_some() {
        let mut fresh = SecretsFile::load(&secrets_path)?;
        if fresh.original_text() != file.original_text() {
            store_plan = store_plan.for_changed_file(&secrets_path, &mut fresh)?;
            file = fresh;
            out.line(out.dim(format!(
                "{} changed while stauth was running (another command wrote it); these changes apply to what it holds now",
                crate::untrusted::Untrusted(&secrets_path.display().to_string())
            )));
        }
    }

    let prompt_override = assessment
        .as_ref()
        .and_then(|(_, a)| a.prompt_override.clone());
    let changes = plan::apply(&mut file, args, &resolved, &settings, prompt_override)?;
    let needs_force = plan::needing_force(&changes);
    if !needs_force.is_empty() && !args.force {
        return Err(Error::WouldOverwrite {
            what: format!("{} in {}", resolved.slot, secrets_path.display()),
            changes: needs_force.iter().map(|c| report::change_line(c)).collect(),
        });
    }

    store_plan.finish(&mut file, &store::app_script(&args.app_dir));

    let up_to_date = !plan::has_edits(&changes) && !store_plan.has_edits();
    let mut findings: Vec<Finding> = inputs::preset_findings(&resolved);
    if let Some(f) = plan::cookie_secret_finding(args.rotate_cookie_secret) {
        findings.push(f);
    }

    if store_plan.involves_keychain() {
        store_plan.report_changes(out, &secrets_path, &changes, up_to_date, args.dry_run);
    } else {
        report::changes(out, &secrets_path, &changes, up_to_date, args.dry_run);
    }

    let mut written = false;
    if !up_to_date && !args.dry_run {
        if let Some(w) = &wizard {
            if !args.yes && !w.confirm(&format!("Write {}?", secrets_path.display()))? {
                return Err(Error::Cancelled);
            }
        }
        // Keychain first, file second: a value is in one place or both, never in none.
        let undo = store_plan.write_keychain(out)?;
        let rendered = file.render();
        if file.original_text() != Some(rendered.as_str()) {
            // A new file is 0600; an existing one keeps its owner, group and
            // mode, a link stays a link, and a read-only file needs --force.
            let options = fsutil::WriteOptions {
                new_mode: Some(0o600),
                replace_read_only: args.force,
            };
            match fsutil::replace_file(&secrets_path, rendered.as_bytes(), &options) {
                Ok(w) => {
                    written = true;
                    out.success(wrote_line(&secrets_path, &w));
                }
                Err(e) => {
                    store_plan.undo(undo);
                    return Err(e);
                }
            }
        }
        store_plan.after_file_written(out);
    }
    drop(lock);

    let gitignore = protect_from_git(
        &secrets_path,
        &args.app_dir,
        args.no_gitignore,
        args.dry_run,
        args.force,
    )?;
    report::gitignore(out, &gitignore);

    // The offline part of `stauth doctor`, on what is now on disk; before
    // anything is written (dry run), the redirect checks alone.
    // (Not with the keychain store: the checkup reads the file alone.)
    let checkup = (!args.dry_run && store_plan.target() != store::Store::Keychain)
        .then(|| checkup(&secrets_path, &app))
        .flatten();
    match checkup {
        Some(found) => findings.extend(found),
        None => {
            findings.extend(redirect::check_redirect_uri(&resolved.redirect_uri, server));
            findings.extend(app_config::secrets_location_finding(
                &secrets_path,
                &args.app_dir,
                app.home.as_deref(),
            ));
        }
    }

    let mut next_steps =
        report::next_steps(&resolved, &file, assessment.as_ref().map(|(d, _)| d), &app);
    if store_plan.target() == store::Store::Keychain {
        next_steps.push(format!(
            "Start the app with `stauth run -- streamlit run {}`: Streamlit gets the secrets from the keychain through a private temporary file",
            store::app_script(&args.app_dir)
        ));
    }
    report::findings_and_next_steps(out, &findings, &next_steps);

    if out.json_mode() {
        let mut report = report::success_json(report::SuccessReport {
            resolved: &resolved,
            secrets_path: &secrets_path,
            changes: &changes,
            written,
            dry_run: args.dry_run,
            up_to_date,
            assessment: assessment.as_ref().map(|(_, a)| a),
            findings: &findings,
            gitignore: &gitignore,
            next_steps: &next_steps,
        });
        report["store"] = store_plan.json();
        out.json(&report);
    }
    Ok(ExitCode::Success)
}

/// Inputs the app's release cannot use are refused before anything is
/// fetched or written: Streamlit would ignore them (expose_tokens before
/// 1.53) or send them as written ({port} before 1.53).
fn release_inputs(args: &InitArgs, resolved: &inputs::Resolved, release: &Release) -> Result<()> {
    let v = release.version;
    if resolved.redirect_uri.contains(PORT_PLACEHOLDER) && !release.port_placeholder() {
        return Err(Error::InvalidValue {
            what: "--redirect-uri".into(),
            value: resolved.redirect_uri.clone(),
            reason: format!(
                "Streamlit {v} does not replace {PORT_PLACEHOLDER} (1.53+ does): write the port, e.g. {}",
                resolved.redirect_uri.replace(PORT_PLACEHOLDER, "8501")
            ),
        });
    }
    if args.expose_tokens.is_some() && !release.exposes_tokens() {
        return Err(Error::InvalidValue {
            what: "--expose-tokens".into(),
            value: args.expose_tokens.as_deref().unwrap_or_default().join(","),
            reason: format!(
                "Streamlit {v} ignores expose_tokens and has no st.user.tokens (1.53+)"
            ),
        });
    }
    Ok(())
}

/// `stauth doctor --offline`'s file, schema and redirect checks (None when
/// Streamlit would not read `secrets_path` at all: that is reported instead).
fn checkup(secrets_path: &Path, app: &AppContext) -> Option<Vec<Finding>> {
    if !app_config::is_default_secrets_file(secrets_path, &app.app_dir, app.home.as_deref())
        || app.server.secrets_files.is_some()
    {
        return None;
    }
    // The file alone: the checkup judges what init wrote, not the keychain.
    let (found, _) = diagnosis::offline(app, app.fallback());
    Some(
        found
            .into_iter()
            .map(|d| d.finding)
            .filter(|f| {
                matches!(f.severity, Severity::Error | Severity::Warning)
                    || f.id == "redirect.origin"
            })
            .collect(),
    )
}

/// A provider that cannot be reached does not stop `init`: say so.
fn offline_hint(e: oidc::DiscoveryError) -> Error {
    let hint = format!(
        "{} Or write the configuration without checking the provider: --offline.",
        e.hint()
    );
    let message = e.to_string();
    match e.kind() {
        Kind::Timeout => Error::TimedOut { message, hint },
        Kind::Usage => Error::Input { message, hint },
        _ => Error::ProviderFailed { message, hint },
    }
}

/// "Wrote PATH (mode 0600)", naming a link's target when written through one.
fn wrote_line(path: &Path, w: &fsutil::Written) -> String {
    let shown = |p: &Path| crate::untrusted::escape(&p.display().to_string()).into_owned();
    let mode = w.mode.map(|m| format!("mode {m:04o}"));
    match (w.through_link, mode) {
        (true, Some(mode)) => format!(
            "Wrote {} (through the link, to {}; {mode})",
            shown(path),
            shown(&w.target)
        ),
        (true, None) => format!(
            "Wrote {} (through the link, to {})",
            shown(path),
            shown(&w.target)
        ),
        (false, Some(mode)) => format!("Wrote {} ({mode})", shown(path)),
        (false, None) => format!("Wrote {}", shown(path)),
    }
}

/// Makes sure git will not commit the secrets file, nor the temporary copies
/// stauth makes of it while writing (`.stauth-*` next to it).
fn protect_from_git(
    secrets_path: &Path,
    app_dir: &Path,
    skip: bool,
    dry_run: bool,
    force: bool,
) -> Result<GitignoreOutcome> {
    let (secrets_ignored, repo_root) = match git::status(secrets_path) {
        git::GitStatus::NotARepo => return Ok(GitignoreOutcome::NotARepo),
        git::GitStatus::Tracked { .. } => {
            return Ok(GitignoreOutcome::Tracked {
                file: secrets_path.to_path_buf(),
            })
        }
        git::GitStatus::Ignored => (true, git::repo_root(secrets_path)),
        git::GitStatus::NotIgnored { repo_root } => (false, Some(repo_root)),
    };
    let Some(repo_root) = repo_root else {
        return Ok(GitignoreOutcome::AlreadyIgnored);
    };
    // The temporary copies, in this repository only (a link's target in
    // another repository, such as a dotfiles one, is that one's business).
    let temps_need_rule = matches!(
        git::status(&git::temp_probe(secrets_path)),
        git::GitStatus::NotIgnored { repo_root: r } if r == repo_root
    );
    if secrets_ignored && !temps_need_rule {
        return Ok(GitignoreOutcome::AlreadyIgnored);
    }
    if skip {
        return Ok(if secrets_ignored {
            GitignoreOutcome::AlreadyIgnored
        } else {
            GitignoreOutcome::Skipped
        });
    }
    let app_abs = std::path::absolute(app_dir).unwrap_or_else(|_| app_dir.to_path_buf());
    let secrets_abs =
        std::path::absolute(secrets_path).unwrap_or_else(|_| secrets_path.to_path_buf());
    let gitignore_dir = if secrets_abs.starts_with(&app_abs) && app_abs.starts_with(&repo_root) {
        app_dir.to_path_buf()
    } else {
        repo_root
    };
    let gitignore = fsutil::join_clean(&gitignore_dir, ".gitignore");
    let mut patterns = Vec::new();
    if !secrets_ignored {
        patterns.push(git::ignore_pattern(secrets_path, &gitignore_dir));
    }
    if temps_need_rule {
        patterns.extend(git::temp_pattern(secrets_path, &gitignore_dir));
    }
    let Some(shown_pattern) = patterns.first().cloned() else {
        return Ok(GitignoreOutcome::AlreadyIgnored);
    };
    if dry_run {
        return Ok(GitignoreOutcome::WouldAdd {
            gitignore,
            pattern: shown_pattern,
        });
    }
    // Read-modify-write under the lock, as for the secrets file.
    let _lock = fsutil::lock(&gitignore)?;
    // Capped and regular files only, as every file stauth reads (the cap
    // for a TOML file is far above any real .gitignore).
    let existing = match fsutil::read::read_text_capped(&gitignore, crate::limits::TOML_FILE_BYTES)
    {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(Error::ReadFile {
                path: gitignore,
                source,
            })
        }
    };
    let updated = git::with_ignore_lines(&existing, &patterns);
    if updated == existing {
        // Another init added the lines meanwhile.
        return Ok(GitignoreOutcome::AlreadyIgnored);
    }
    let options = fsutil::WriteOptions {
        new_mode: Some(0o644),
        replace_read_only: force,
    };
    fsutil::replace_file(&gitignore, updated.as_bytes(), &options)?;
    Ok(GitignoreOutcome::Added {
        gitignore,
        pattern: shown_pattern,
    })
}
