//! What `stauth init` tells the user: discovery checks, the change to the
//! file (secrets masked), console steps, warnings and next steps, in text on
//! stderr and as JSON on stdout.

use std::path::Path;

use serde_json::{json, Value};

use crate::finding::Finding;
use crate::oidc::Discovery;
use crate::output::{untrusted, Output};
use crate::secret::MASK;
use crate::streamlit::discovery_rules::Assessment;
use crate::streamlit::logout::{self, LocalReason, LogoutPlan};
use crate::streamlit::schema::ProviderSlot;
use crate::streamlit::secrets_file::{Action, Change};
use crate::streamlit::{AppContext, SecretsFile};

use super::inputs::Resolved;
use super::{GitignoreOutcome, PORT_PLACEHOLDER};

pub fn discovery(out: &Output, url: &str, a: &Assessment) {
    out.heading(format!("Provider discovery ({})", untrusted(url)));
    for f in &a.findings {
        out.finding(f);
    }
    out.blank();
}

fn shown_value(c: &Change, value: &str) -> String {
    if c.is_secret() {
        format!("\"{MASK}\"")
    } else {
        // Old values come from the file as it was: outside text.
        untrusted(value).into_owned()
    }
}

/// One change as a line: `+ [auth] key = value` or `~ [auth] key: old → new`.
pub fn change_line(c: &Change) -> String {
    match c.action {
        Action::Add => {
            let note = if c.key == "cookie_secret" {
                "  (32 random bytes)"
            } else {
                ""
            };
            format!(
                "+ [{}] {} = {}{note}",
                untrusted(&c.section),
                untrusted(&c.key),
                shown_value(c, &c.new)
            )
        }
        Action::Change => {
            let old = c.old.as_deref().unwrap_or("");
            format!(
                "~ [{}] {}: {} → {}",
                untrusted(&c.section),
                untrusted(&c.key),
                shown_value(c, old),
                shown_value(c, &c.new)
            )
        }
        Action::Keep => format!(
            "= [{}] {} (unchanged)",
            untrusted(&c.section),
            untrusted(&c.key)
        ),
    }
}

pub fn changes(out: &Output, path: &Path, changes: &[Change], up_to_date: bool, dry_run: bool) {
    let path = shown_path(path);
    if up_to_date {
        out.success(format!("{path} is already up to date; nothing to write"));
        return;
    }
    let verb = if dry_run {
        "Would change"
    } else {
        "Changes to"
    };
    out.heading(format!("{verb} {path}:"));
    for c in changes.iter().filter(|c| c.action != Action::Keep) {
        out.detail(change_line(c));
    }
    if dry_run {
        out.line("Dry run: nothing was written.");
    }
}

pub fn gitignore(out: &Output, outcome: &GitignoreOutcome) {
    match outcome {
        GitignoreOutcome::Added { gitignore, pattern } => out.success(format!(
            "Added {} to {} so git will not commit the secrets",
            untrusted(pattern),
            shown_path(gitignore)
        )),
        GitignoreOutcome::WouldAdd { gitignore, pattern } => out.line(format!(
            "Would add {} to {}",
            untrusted(pattern),
            shown_path(gitignore)
        )),
        GitignoreOutcome::Skipped => {
            out.warning("the secrets file is not ignored by git (--no-gitignore): do not commit it")
        }
        GitignoreOutcome::Tracked { file } => {
            let file = shown_path(file);
            out.warning(format!(
                "{file} is tracked by git: its secrets are in the repository history"
            ));
            out.detail(format!(
                "Untrack it with `git rm --cached {file}`, add it to .gitignore, and rotate the client secret at the provider."
            ));
        }
        GitignoreOutcome::NotARepo | GitignoreOutcome::AlreadyIgnored => {}
    }
}

/// The console steps for the provider: what to create and where the
/// redirect and post-logout URIs go.
pub fn console_steps(out: &Output, r: &Resolved, discovery: Option<&Discovery>, app: &AppContext) {
    out.heading("Set up the provider:");
    for line in console_lines(r, discovery, app) {
        out.detail(untrusted(&line));
    }
    out.blank();
}

fn console_lines(r: &Resolved, discovery: Option<&Discovery>, app: &AppContext) -> Vec<String> {
    let mut lines = vec![format!(
        "In the {} console, create: {}",
        r.preset.title, r.preset.app_type
    )];
    lines.push(format!(
        "Register the redirect URI {} at: {}",
        r.redirect_uri, r.preset.register_redirect
    ));
    let end_session = match discovery {
        Some(d) => d.str("end_session_endpoint").map(str::to_string),
        // Offline, the preset says whether the provider has one (its
        // address does not change where users are sent back to).
        None => r
            .preset
            .register_logout
            .map(|_| "https://end-session.invalid/".to_string()),
    };
    let Some(endpoint) = end_session else {
        return lines;
    };
    let release = app.release();
    let place = r
        .preset
        .register_logout
        .unwrap_or("the provider's allowed post-logout redirect URIs");
    // The URL st.logout() sends back to, as the app's release builds it.
    let concrete = r
        .redirect_uri
        .replace(PORT_PLACEHOLDER, &app.server.port.to_string());
    let resolved = if release.port_placeholder() {
        concrete.as_str()
    } else {
        r.redirect_uri.as_str()
    };
    match logout::plan(release, Some(&endpoint), "", &r.redirect_uri, resolved, None) {
        LogoutPlan::Provider {
            post_logout_redirect_uri,
            ..
        } if post_logout_redirect_uri == resolved => lines.push(format!(
            "Register the same URL as post-logout redirect URI (st.logout() sends users there) at: {place}"
        )),
        LogoutPlan::Provider {
            post_logout_redirect_uri,
            ..
        } => lines.push(format!(
            "Register {post_logout_redirect_uri} as post-logout redirect URI (st.logout() in Streamlit {} sends users there, without client_id or id_token_hint) among the provider's allowed post-logout redirect URIs",
            release.version
        )),
        LogoutPlan::LocalOnly(LocalReason::Release) => lines.push(format!(
            "No post-logout redirect URI to register: st.logout() in {} only clears the app's cookies, and users stay signed in at {}{}",
            release.describe(),
            r.preset.title,
            release.first_provider_logout_after()
                .map(|v| format!(" (Streamlit {v} and later sign them out there too)"))
                .unwrap_or_default()
        )),
        LogoutPlan::LocalOnly(_) => {}
    }
    lines
}

pub fn next_steps(
    r: &Resolved,
    file: &SecretsFile,
    discovery: Option<&Discovery>,
    app: &AppContext,
) -> Vec<String> {
    let release = app.release();
    let mut steps = match &r.dev {
        Some(target) => {
            super::dev::next_steps(target, &r.slot, &super::store::app_script(&app.app_dir))
        }
        None => console_lines(r, discovery, app),
    };
    let install = release.install_command();
    if install == "pip install \"streamlit[auth]\"" {
        steps.push(format!(
            "Install Streamlit with its login extras: {install}"
        ));
    } else {
        steps.push(format!(
            "Install what st.login needs on Streamlit {}: {install}",
            release.version
        ));
    }
    let snippet = match &r.slot {
        ProviderSlot::Default => "stauth snippet login".to_string(),
        ProviderSlot::Named(n) => format!("stauth snippet login --provider {n}"),
    };
    steps.push(format!(
        "In the app: {snippet} prints the code for a login button, a greeting from {} and st.logout() (stauth snippet --list: roles, pages and more)",
        release.user_object()
    ));
    let test = match &r.slot {
        ProviderSlot::Default => "stauth test-login".to_string(),
        ProviderSlot::Named(n) => format!("stauth test-login --provider {n}"),
    };
    if r.dev.is_none() {
        steps.push(format!(
            "Prove it works before starting the app: {test} (logs in for real and shows what {} will hold)",
            release.user_object()
        ));
    }
    let named = file.named_providers();
    if file.has_default_provider() && !named.is_empty() {
        let calls: Vec<String> = named.iter().map(|n| format!("st.login(\"{n}\")")).collect();
        steps.push(format!(
            "This file now has a default provider in [auth] (st.login()) and named ones ({}): each button calls its own",
            calls.join(", ")
        ));
    }
    steps
}

pub fn findings_and_next_steps(out: &Output, findings: &[Finding], steps: &[String]) {
    out.notes(findings);
    out.blank();
    out.heading("Next steps:");
    for (i, s) in steps.iter().enumerate() {
        // Steps quote provider names from the file; JSON keeps them exact.
        out.line(format!("  {}. {}", i + 1, untrusted(s)));
    }
}

/// A path for a human line: a file name can hold controls.
fn shown_path(path: &Path) -> String {
    untrusted(&path.display().to_string()).into_owned()
}

fn change_json(c: &Change) -> Value {
    let mask = |v: &str| {
        if c.is_secret() {
            MASK.to_string()
        } else {
            v.to_string()
        }
    };
    json!({
        "section": c.section,
        "key": c.key,
        "action": c.action,
        "old": c.old.as_deref().map(mask),
        "new": mask(&c.new),
    })
}

fn provider_json(r: &Resolved) -> Value {
    json!({
        "preset": if r.dev.is_some() { super::dev::PROVIDER_NAME } else { r.preset.name },
        "like": r.dev.and_then(|d| d.like).map(|p| p.name),
        "inputs": r.preset_inputs.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "section": r.slot.section(),
        "name": r.slot.name(),
        "login_call": r.slot.login_call(),
        "server_metadata_url": r.metadata_url,
    })
}

pub struct SuccessReport<'a> {
    pub resolved: &'a Resolved,
    pub secrets_path: &'a Path,
    pub changes: &'a [Change],
    pub written: bool,
    pub dry_run: bool,
    pub up_to_date: bool,
    pub assessment: Option<&'a Assessment>,
    pub findings: &'a [Finding],
    pub gitignore: &'a GitignoreOutcome,
    pub next_steps: &'a [String],
}

pub fn success_json(r: SuccessReport<'_>) -> Value {
    let gitignore = match r.gitignore {
        GitignoreOutcome::NotARepo => json!({"status": "not_a_repo"}),
        GitignoreOutcome::AlreadyIgnored => json!({"status": "ignored"}),
        GitignoreOutcome::Added { gitignore, pattern } => {
            json!({"status": "added", "file": gitignore, "pattern": pattern})
        }
        GitignoreOutcome::WouldAdd { gitignore, pattern } => {
            json!({"status": "would_add", "file": gitignore, "pattern": pattern})
        }
        GitignoreOutcome::Skipped => json!({"status": "skipped"}),
        GitignoreOutcome::Tracked { file } => json!({"status": "tracked", "file": file}),
    };
    json!({
        "secrets_file": r.secrets_path,
        "written": r.written,
        "dry_run": r.dry_run,
        "up_to_date": r.up_to_date,
        "provider": provider_json(r.resolved),
        "redirect_uri": r.resolved.redirect_uri,
        "changes": r.changes.iter().map(change_json).collect::<Vec<_>>(),
        "discovery": r.assessment.map(|a| json!({"checked": true, "findings": a.findings}))
            .unwrap_or(json!({"checked": false})),
        "findings": r.findings,
        "gitignore": gitignore,
        "next_steps": r.next_steps,
    })
}

pub fn failure_json(r: &Resolved, a: &Assessment) -> Value {
    json!({
        "ok": false,
        "written": false,
        "provider": provider_json(r),
        "discovery": {"checked": true, "findings": a.findings},
    })
}
