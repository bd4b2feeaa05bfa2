//! Which Streamlit release stauth emulates, and what changed between them.

use std::fmt;
use std::str::FromStr;

use super::cookies::CookieRules;

/// The newest release stauth knows; the default for every check.
pub const LATEST: StreamlitVersion = StreamlitVersion {
    major: 1,
    minor: 67,
};

/// The first release with `st.login`.
pub(crate) const FIRST_WITH_LOGIN: StreamlitVersion = StreamlitVersion {
    major: 1,
    minor: 42,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct StreamlitVersion {
    pub major: u16,
    pub minor: u16,
}

impl StreamlitVersion {
    pub const fn new(major: u16, minor: u16) -> Self {
        StreamlitVersion { major, minor }
    }

    /// The web server that handles login: Tornado up to 1.56, Starlette from 1.57.
    pub fn server_name(self) -> &'static str {
        if self >= Self::new(1, 57) {
            "Starlette"
        } else {
            "Tornado"
        }
    }

    /// Whether Streamlit adds PKCE (S256) when discovery advertises it: the
    /// Tornado server did (1.42–1.56), the Starlette server only from 1.58.
    pub(crate) fn pkce_when_advertised(self) -> bool {
        self != Self::new(1, 57)
    }

    /// Whether `st.logout()` redirects to the provider's end_session_endpoint.
    pub fn provider_logout(self) -> bool {
        self == Self::new(1, 48) || self >= Self::new(1, 53)
    }

    /// `{port}` in redirect_uri is replaced by server.port (1.53+).
    pub fn port_placeholder(self) -> bool {
        self >= Self::new(1, 53)
    }

    /// `<script dir>/.streamlit/secrets.toml` is read too (1.46+).
    pub(crate) fn reads_script_dir_secrets(self) -> bool {
        self >= Self::new(1, 46)
    }

    /// `st.experimental_user` still exists (removed in 1.54).
    pub(crate) fn has_experimental_user(self) -> bool {
        self < Self::new(1, 54)
    }

    /// Large login cookies are split into chunks (1.53+).
    pub(crate) fn chunks_cookies(self) -> bool {
        self >= Self::new(1, 53)
    }

    /// Cookie signing and chunking rules for an app with this base path.
    pub fn cookie_rules(self, base_url_path: &str) -> Option<CookieRules> {
        CookieRules::for_version(self.major, self.minor, base_url_path)
    }
}

impl fmt::Display for StreamlitVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for StreamlitVersion {
    type Err = String;

    /// Accepts `1.67` or `1.67.0`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.trim().split('.');
        let parse = |p: Option<&str>| p.and_then(|p| p.parse::<u16>().ok());
        let (Some(major), Some(minor)) = (parse(parts.next()), parse(parts.next())) else {
            return Err(format!("'{s}' is not a version like 1.67"));
        };
        let v = StreamlitVersion::new(major, minor);
        if v < FIRST_WITH_LOGIN {
            return Err(format!(
                "Streamlit {v} has no st.login (it arrived in 1.42)"
            ));
        }
        if v > LATEST {
            return Err(format!(
                "stauth knows Streamlit up to {LATEST}; newer releases behave like {LATEST} as far as stauth knows, so use --streamlit-version {LATEST}"
            ));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_bounds() {
        assert_eq!("1.67".parse::<StreamlitVersion>(), Ok(LATEST));
        assert_eq!(
            "1.53.1".parse::<StreamlitVersion>(),
            Ok(StreamlitVersion::new(1, 53))
        );
        assert!("1.41".parse::<StreamlitVersion>().is_err());
        assert!("1.99".parse::<StreamlitVersion>().is_err());
        assert!("x".parse::<StreamlitVersion>().is_err());
    }

    #[test]
    fn behaviour_by_version() {
        assert!(StreamlitVersion::new(1, 56).pkce_when_advertised());
        assert!(!StreamlitVersion::new(1, 57).pkce_when_advertised());
        assert!(LATEST.pkce_when_advertised());
        assert!(!StreamlitVersion::new(1, 52).provider_logout());
        assert!(StreamlitVersion::new(1, 48).provider_logout());
        assert_eq!(StreamlitVersion::new(1, 56).server_name(), "Tornado");
    }
}
