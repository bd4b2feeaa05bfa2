//! What Streamlit's login needs in the Python environment, and the release
//! combinations known to break it.

use crate::finding::Finding;

use super::release::{LogoutRule, Release, StreamlitVersion, FIRST_WITH_LOGIN};

/// Installed versions, as read from package metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Packages {
    pub python: String,
    pub executable: String,
    pub streamlit: Option<String>,
    pub authlib: Option<String>,
    pub httpx: Option<String>,
}

/// `1.67.0` → [1, 67, 0]; non-numeric suffixes are ignored (`1.6.0rc1` → [1, 6, 0]).
pub fn numbers(version: &str) -> Vec<u32> {
    version
        .split('.')
        .map(|p| {
            p.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0)
        })
        .collect()
}

fn at_least(version: &str, min: &[u32]) -> bool {
    numbers(version).as_slice() >= min
}

/// Findings for the packages installed for the app, judged for `release`
/// (the installed Streamlit unless the user named another).
pub fn check(p: &Packages, release: &Release) -> Vec<Finding> {
    let mut f = Vec::new();
    let install = if release.has_auth_extra() {
        "pip install --upgrade \"streamlit[auth]\"".to_string()
    } else {
        // No `auth` extra before 1.48, and Authlib 1.6.6+ breaks these releases.
        "pip install \"Authlib>=1.3.2,<1.6.6\"".to_string()
    };
    let Some(streamlit) = p.streamlit.as_deref() else {
        f.push(
            Finding::error(
                "python.streamlit",
                format!("Streamlit is not installed for {}", p.executable),
            )
            .fix("pip install \"streamlit[auth]\" (or point stauth to the app's interpreter with --python)"),
        );
        return f;
    };
    let too_old =
        StreamlitVersion::parse_loose(streamlit).is_none_or(|(v, _)| v < FIRST_WITH_LOGIN);
    if too_old {
        f.push(
            Finding::error(
                "python.streamlit",
                format!("Streamlit {streamlit} has no st.login (it arrived in {FIRST_WITH_LOGIN})"),
            )
            .fix("pip install --upgrade \"streamlit[auth]\""),
        );
        return f;
    }
    f.push(Finding::ok(
        "python.streamlit",
        format!("Streamlit {streamlit} ({})", p.executable),
    ));
    match p.authlib.as_deref() {
        None => f.push(
            Finding::error(
                "python.authlib",
                "Authlib is not installed: st.login raises an error asking for it",
            )
            .fix(install.clone()),
        ),
        Some(a) if !at_least(a, &[1, 3, 2]) => f.push(
            Finding::error(
                "python.authlib",
                format!("Authlib {a} is too old: Streamlit needs 1.3.2 or newer"),
            )
            .fix(install.clone()),
        ),
        Some(a) if at_least(a, &[1, 6, 6]) && release.breaks_with_authlib_1_6_6() => f.push(
            Finding::error(
                "python.authlib",
                format!("Authlib {a} breaks every login on Streamlit {}", release.version),
            )
            .why("Streamlit before 1.52.2 hands Authlib session=None, and Authlib 1.6.6 and later write the login state into it: the login fails with an error (streamlit#13335).")
            .fix("pip install \"Authlib>=1.3.2,<1.6.6\", or upgrade Streamlit to 1.52.2 or later"),
        ),
        Some(a) => f.push(Finding::ok("python.authlib", format!("Authlib {a}"))),
    }
    match (p.httpx.as_deref(), release.needs_httpx()) {
        (None, true) => {
            let symptom = if release.misleading_authlib_message() {
                "the login fails with a misleading \"requires Authlib>=1.3.2\" message (streamlit#15855)"
            } else {
                "the login fails with ModuleNotFoundError: No module named 'httpx'"
            };
            let why = if release.extras_lack_httpx() {
                format!("{} uses Authlib's httpx client, and no extra Streamlit {} offers installs httpx.", release.server.label(), release.version)
            } else {
                format!("{} uses Authlib's httpx client.", release.server.label())
            };
            f.push(
                Finding::error("python.httpx", format!("httpx is not installed: {symptom}"))
                    .why(why)
                    .fix("pip install httpx"),
            )
        }
        (Some(h), _) => f.push(Finding::ok("python.httpx", format!("httpx {h}"))),
        (None, false) => f.push(Finding::ok(
            "python.httpx",
            format!(
                "httpx is not needed: {} uses Authlib's requests client",
                release.describe()
            ),
        )),
    }
    f.extend(version_notes(release));
    f
}

/// What this release does differently, as notes.
pub fn version_notes(r: &Release) -> Vec<Finding> {
    let mut f = Vec::new();
    let v = r.version;
    if !r.pkce_when_advertised() {
        f.push(Finding::info(
            "version.pkce",
            format!("{} sends no PKCE, even when the provider offers it (the Starlette server adds it from 1.58)", r.describe()),
        ));
    }
    if r.chunks_cookies() {
        let limit = if r.server.is_starlette() {
            "its WebSocket server refuses a Cookie header over 8 KB (the app never loads), as nginx does"
        } else {
            "a Cookie header over 8 KB still breaks apps behind nginx"
        };
        f.push(Finding::info("version.cookies", format!("Streamlit {v} splits large login cookies, but {limit} (streamlit#14960): stauth test-login sizes them")));
    } else {
        f.push(
            Finding::warning("version.cookies", format!("Streamlit {v} drops login cookies over 4096 bytes, so users in many groups loop on login (streamlit#12518)"))
                .fix("upgrade to Streamlit 1.53 or newer"),
        );
    }
    match r.logout() {
        LogoutRule::LocalOnly => f.push(Finding::info("version.logout", format!("st.logout() in {} only clears the app's cookies (the provider session stays)", r.describe()))),
        LogoutRule::RootOnly => f.push(Finding::info("version.logout", format!("st.logout() in Streamlit {v} sends the user to the provider's end_session_endpoint with only post_logout_redirect_uri=<redirect_uri without \"oauth2callback\">, no client_id and no id_token_hint; many providers refuse that (streamlit#12169)")).fix("register the app's root URL as a post-logout redirect URI, or use Streamlit 1.48.1 (local logout only) or 1.53 or later")),
        LogoutRule::Provider { merge_query: false } => f.push(Finding::info("version.logout", format!("Streamlit {v} appends \"?\" and its parameters to end_session_endpoint as is, so an endpoint that already has a query gets a second \"?\""))),
        LogoutRule::Provider { merge_query: true } => {}
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn pkgs(st: Option<&str>, a: Option<&str>, h: Option<&str>) -> Packages {
        Packages {
            python: "3.11".into(),
            executable: "/venv/bin/python".into(),
            streamlit: st.map(Into::into),
            authlib: a.map(Into::into),
            httpx: h.map(Into::into),
        }
    }

    fn errors(p: &Packages) -> Vec<&'static str> {
        let release = p
            .streamlit
            .as_deref()
            .and_then(StreamlitVersion::parse_loose)
            .map_or(Release::latest(), |(v, _)| Release::new(v, false));
        check(p, &release)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.id)
            .collect()
    }

    #[test]
    fn requirements() {
        assert!(errors(&pkgs(Some("1.67.0"), Some("1.6.5"), Some("0.28.1"))).is_empty());
        assert_eq!(errors(&pkgs(None, None, None)), ["python.streamlit"]);
        assert_eq!(
            errors(&pkgs(Some("1.67.0"), None, Some("0.28"))),
            ["python.authlib"]
        );
        assert_eq!(
            errors(&pkgs(Some("1.59.0"), Some("1.6.0"), None)),
            ["python.httpx"]
        );
        // The Tornado server needs no httpx.
        assert!(errors(&pkgs(Some("1.56.0"), Some("1.6.5"), None)).is_empty());
        // Authlib 1.6.6+ breaks every release before 1.52.2, and only those.
        for (st, bad) in [
            ("1.42.0", true),
            ("1.48.1", true),
            ("1.52.1", true),
            ("1.52.2", false),
            ("1.67.0", false),
        ] {
            for authlib in ["1.6.6", "1.9.10"] {
                let e = errors(&pkgs(Some(st), Some(authlib), Some("0.28")));
                assert_eq!(e == ["python.authlib"], bad, "{st} {authlib}: {e:?}");
            }
        }
        assert!(errors(&pkgs(Some("1.52.1"), Some("1.6.5"), None)).is_empty());
        assert_eq!(
            errors(&pkgs(Some("1.67.0"), Some("1.3.1"), Some("0.28"))),
            ["python.authlib"]
        );
        assert_eq!(
            errors(&pkgs(Some("1.40.0"), None, None)),
            ["python.streamlit"]
        );
    }
}
