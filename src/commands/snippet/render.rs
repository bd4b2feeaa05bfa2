//! The snippet templates (`templates/*.j2`, embedded in the binary) and the
//! MiniJinja environment that renders them.

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{context, AutoEscape, Environment};

use crate::cli::SnippetKind;
use crate::error::{Error, Result};
use crate::streamlit::cookies::python_format::{self, Escape};
use crate::streamlit::release::{LogoutRule, UserApi};
use crate::streamlit::Release;

use super::providers::Provider;

/// Every template, by file name under `templates/`.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "_secrets.j2",
        include_str!("../../../templates/_secrets.j2"),
    ),
    (
        "_login_buttons.j2",
        include_str!("../../../templates/_login_buttons.j2"),
    ),
    ("_claims.j2", include_str!("../../../templates/_claims.j2")),
    (
        "login.py.j2",
        include_str!("../../../templates/login.py.j2"),
    ),
    (
        "providers.py.j2",
        include_str!("../../../templates/providers.py.j2"),
    ),
    (
        "roles.py.j2",
        include_str!("../../../templates/roles.py.j2"),
    ),
    (
        "pages.py.j2",
        include_str!("../../../templates/pages.py.j2"),
    ),
    (
        "avatar.py.j2",
        include_str!("../../../templates/avatar.py.j2"),
    ),
    (
        "headers.py.j2",
        include_str!("../../../templates/headers.py.j2"),
    ),
    (
        "tokens.py.j2",
        include_str!("../../../templates/tokens.py.j2"),
    ),
    (
        "cookies.py.j2",
        include_str!("../../../templates/cookies.py.j2"),
    ),
    (
        "logout.py.j2",
        include_str!("../../../templates/logout.py.j2"),
    ),
    (
        "app_secrets.py.j2",
        include_str!("../../../templates/app_secrets.py.j2"),
    ),
];

/// The template file and the oldest Streamlit release the code runs on.
fn spec(kind: SnippetKind) -> (&'static str, &'static str) {
    match kind {
        SnippetKind::Login => ("login.py.j2", "1.42"),
        SnippetKind::Providers => ("providers.py.j2", "1.42"),
        SnippetKind::Roles => ("roles.py.j2", "1.42"),
        SnippetKind::Pages => ("pages.py.j2", "1.42"),
        SnippetKind::Avatar => ("avatar.py.j2", "1.42"),
        SnippetKind::Headers => ("headers.py.j2", "1.37"),
        SnippetKind::Tokens => ("tokens.py.j2", "1.53"),
        SnippetKind::Cookies => ("cookies.py.j2", "1.42"),
        SnippetKind::Logout => ("logout.py.j2", "1.42"),
        SnippetKind::AppSecrets => ("app_secrets.py.j2", "1.57"),
    }
}

/// The oldest Streamlit release a kind's code runs on.
pub fn min_streamlit(kind: SnippetKind) -> &'static str {
    spec(kind).1
}

/// Renders one kind for the given providers (at least one), in the code
/// `release` runs; `install` is the pip command that release needs.
pub fn render(
    kind: SnippetKind,
    providers: &[Provider],
    release: &Release,
    install: &str,
) -> Result<String> {
    let env = environment().map_err(template_error)?;
    let (file, min_streamlit) = spec(kind);
    let first = &providers[0];
    // The example requirement in `roles` and `pages`: groups where a provider
    // sends group names, app roles where it has a roles claim or no groups.
    let demo_groups = providers
        .iter()
        .any(|p| p.groups_claim.is_some() && !p.groups_are_ids);
    let demo_roles = providers
        .iter()
        .any(|p| p.groups_claim.is_none() || p.groups_are_ids || p.roles_claim.is_some());
    let section_width = providers
        .iter()
        .map(|p| p.section.len() + 2)
        .max()
        .unwrap_or(6);
    let ctx = context! {
        kind => super::name(kind),
        min_streamlit => min_streamlit,
        providers => Serde(providers),
        first => Serde(first),
        others => Serde(&providers[1..]),
        section_width => section_width,
        demo_groups => demo_groups,
        demo_roles => demo_roles,
        any_picture => providers.iter().any(|p| p.has_picture != Some(false)),
        streamlit => release.version.to_string(),
        user => release.user_object(),
        install => install,
        logout_rule => match release.logout() {
            LogoutRule::LocalOnly => "local",
            LogoutRule::RootOnly => "root",
            LogoutRule::Provider { .. } => "provider",
        },
        // The first release whose st.logout() ends the provider's session.
        logout_since => release.first_provider_logout_after()
            .map_or_else(|| "a newer release".to_string(), |v| v.to_string()),
        trusted_headers => release.trusted_user_headers(),
    };
    env.get_template(file)
        .and_then(|t| t.render(ctx))
        .map_err(template_error)
}

/// What the code for `release` leaves out or does differently from the
/// newest release's, one note each, for stderr.
pub fn release_notes(kind: SnippetKind, providers: &[Provider], release: &Release) -> Vec<String> {
    let v = release.version;
    let mut notes = Vec::new();
    if release.user_api() == UserApi::ExperimentalOnly && kind != SnippetKind::Tokens {
        notes.push(format!(
            "Streamlit {v} has st.experimental_user, not st.user (1.45+): the code uses st.experimental_user; after an upgrade to 1.54 or newer, where it is gone, write the snippet again"
        ));
    }
    let names_provider = matches!(
        kind,
        SnippetKind::Providers | SnippetKind::Roles | SnippetKind::Pages | SnippetKind::Logout
    );
    if names_provider && providers.len() > 1 && !release.provider_in_identity() {
        notes.push(format!(
            "{} does not record which provider the user logged in with ({}.provider is empty; 1.48.0 and 1.53+ set it): the code cannot tell the providers apart after login",
            release.describe(),
            release.user_object()
        ));
    }
    if kind == SnippetKind::Logout {
        match release.logout() {
            LogoutRule::LocalOnly => notes.push(format!(
                "st.logout() in {} only deletes the app's cookies: users stay signed in at the provider, and the code says so",
                release.describe()
            )),
            LogoutRule::RootOnly => notes.push(format!(
                "st.logout() in Streamlit {v} sends the user to the provider's end_session_endpoint with only post_logout_redirect_uri=<redirect_uri without \"oauth2callback\">: register that root URL at the provider"
            )),
            LogoutRule::Provider { .. } => {}
        }
    }
    if kind == SnippetKind::Headers && !release.trusted_user_headers() {
        notes.push(format!(
            "Streamlit {v} has no server.trustedUserHeaders (1.49+): the code reads the proxy's headers from st.context.headers only"
        ));
    }
    notes
}

fn environment() -> std::result::Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_filter("py", py_str);
    env.add_filter("pad", pad);
    env.add_filter("wrap", wrap);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// A template bug, not a user error: say so plainly.
fn template_error(e: minijinja::Error) -> Error {
    Error::CheckFailed(format!(
        "internal error: a snippet template failed to render ({e}); please report it"
    ))
}

/// A Python string literal for `s` (double-quoted, escaped), with every
/// control character escaped so none reaches the terminal as itself.
fn py_str(s: &str) -> String {
    python_format::str_literal(s, Escape::Source)
}

/// `s` padded with spaces to `width` characters (for aligned comments).
fn pad(s: &str, width: usize) -> String {
    format!("{s:width$}")
}

/// `text` wrapped at word boundaries so that `prefix` plus each line fits in
/// `width` characters; lines after the first start with `prefix` (the
/// template writes the first line's own prefix).
fn wrap(text: &str, prefix: &str, width: usize) -> String {
    let room = width.saturating_sub(prefix.chars().count()).max(20);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines.join(&format!("\n{prefix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_strings() {
        assert_eq!(py_str("Log in"), "\"Log in\"");
        assert_eq!(py_str("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }

    #[test]
    fn wrapped_comments() {
        assert_eq!(wrap("a bb ccc dddd", "# ", 22), "a bb ccc dddd");
        let long = "word ".repeat(30);
        let wrapped = wrap(&long, "#   ", 40);
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= 40),
            "{wrapped}"
        );
        assert!(wrapped.lines().skip(1).all(|l| l.starts_with("#   word")));
    }

    #[test]
    fn every_template_parses() {
        environment().unwrap();
    }
}
