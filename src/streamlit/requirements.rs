//! What Streamlit's login needs in the Python environment, and the release
//! combinations known to break it.

use crate::finding::Finding;

use super::version::{StreamlitVersion, FIRST_WITH_LOGIN};

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

/// The Streamlit release the packages describe, if Streamlit is installed.
pub fn streamlit_version(p: &Packages) -> Option<StreamlitVersion> {
    let n = numbers(p.streamlit.as_deref()?);
    Some(StreamlitVersion::new(
        *n.first()? as u16,
        n.get(1).copied().unwrap_or(0) as u16,
    ))
}

pub fn check(p: &Packages) -> Vec<Finding> {
    let mut f = Vec::new();
    let install = "pip install --upgrade \"streamlit[auth]\"";
    let Some(streamlit) = p.streamlit.as_deref() else {
        f.push(
            Finding::error(
                "python.streamlit",
                format!("Streamlit is not installed for {}", p.executable),
            )
            .fix(format!(
                "{install} (or point stauth to the app's interpreter with --python)"
            )),
        );
        return f;
    };
    let version = streamlit_version(p).unwrap_or(FIRST_WITH_LOGIN);
    if version < FIRST_WITH_LOGIN {
        f.push(
            Finding::error(
                "python.streamlit",
                format!("Streamlit {streamlit} has no st.login (it arrived in 1.42)"),
            )
            .fix(install),
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
            .fix(install),
        ),
        Some(a) if !at_least(a, &[1, 3, 2]) => f.push(
            Finding::error(
                "python.authlib",
                format!("Authlib {a} is too old: Streamlit needs 1.3.2 or newer"),
            )
            .fix(install),
        ),
        Some(a) if a.starts_with("1.6.6") && version.minor == 52 && version.major == 1 => f.push(
            Finding::error(
                "python.authlib",
                format!("Authlib {a} with Streamlit {streamlit} is a known-bad combination"),
            )
            .fix("pip install \"authlib!=1.6.6\" or upgrade Streamlit"),
        ),
        Some(a) => f.push(Finding::ok("python.authlib", format!("Authlib {a}"))),
    }
    match p.httpx.as_deref() {
        None => f.push(
            Finding::error("python.httpx", "httpx is not installed: the login fails with a misleading Authlib message (streamlit#15855)")
                .why("Streamlit's Starlette server (the only one since 1.57) needs httpx for Authlib's client; streamlit[auth] 1.59.0 forgot it.")
                .fix("pip install httpx (or pip install --upgrade \"streamlit[auth]\")"),
        ),
        Some(h) => f.push(Finding::ok("python.httpx", format!("httpx {h}"))),
    }
    f.extend(version_notes(version));
    f
}

/// What this release does differently, as notes.
pub(crate) fn version_notes(v: StreamlitVersion) -> Vec<Finding> {
    let mut f = Vec::new();
    if !v.pkce_when_advertised() {
        f.push(Finding::info(
            "version.pkce",
            format!("Streamlit {v} sends no PKCE on the Starlette server (it returns in 1.58)"),
        ));
    }
    if v.chunks_cookies() {
        let limit = if v.server_name() == "Starlette" {
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
    if !v.provider_logout() {
        f.push(Finding::info("version.logout", format!("st.logout() in Streamlit {v} only clears the app's cookies (provider logout arrived in 1.53)")));
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
        check(p)
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
        assert_eq!(
            errors(&pkgs(Some("1.52.2"), Some("1.6.6"), Some("0.28"))),
            ["python.authlib"]
        );
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
