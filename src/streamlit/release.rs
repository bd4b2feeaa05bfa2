//! Which Streamlit release stauth emulates, precise to the patch and to the
//! web server that handles login, and every behaviour that differs between
//! releases. This is the single source of version rules: commands and the
//! rest of the contract ask a [`Release`], never compare version numbers.
//! Each rule was read in the released wheels (docs/streamlit-contract.md,
//! "Releases", is generated from this file's table and tested against it).

use std::fmt;
use std::str::FromStr;

use super::cookies::CookieRules;

/// A Streamlit version, `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamlitVersion {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

/// The newest release stauth knows; the default for every check.
pub const LATEST: StreamlitVersion = StreamlitVersion::new(1, 67, 0);

/// The first release with `st.login`.
pub const FIRST_WITH_LOGIN: StreamlitVersion = StreamlitVersion::new(1, 42, 0);

/// Every release from 1.42.0 to [`LATEST`] published on PyPI: `--streamlit-version 1.48`
/// means the last patch of 1.48, and an unpublished patch is refused.
#[rustfmt::skip]
pub const KNOWN: &[StreamlitVersion] = &{
    const fn v(minor: u16, patch: u16) -> StreamlitVersion {
        StreamlitVersion::new(1, minor, patch)
    }
    [
        v(42, 0), v(42, 1), v(42, 2), v(43, 0), v(43, 1), v(43, 2), v(44, 0), v(44, 1),
        v(45, 0), v(45, 1), v(46, 0), v(46, 1), v(47, 0), v(47, 1), v(48, 0), v(48, 1),
        v(49, 0), v(49, 1), v(50, 0), v(51, 0), v(52, 0), v(52, 1), v(52, 2), v(53, 0),
        v(53, 1), v(54, 0), v(55, 0), v(56, 0), v(57, 0), v(58, 0), v(59, 0), v(59, 1),
        v(59, 2), v(60, 0), v(61, 0), v(61, 1), v(62, 0), v(63, 0), v(64, 0), v(65, 0),
        v(66, 0), v(66, 1), v(67, 0),
    ]
};

impl StreamlitVersion {
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        StreamlitVersion {
            major,
            minor,
            patch,
        }
    }

    /// `1.67.0`, `1.67` or a pip version with a suffix (`1.53.0rc1` reads as
    /// 1.53.0); None for anything else.
    pub fn parse_loose(text: &str) -> Option<(StreamlitVersion, bool)> {
        let mut parts = text.trim().split('.');
        let number = |p: Option<&str>| -> Option<u16> {
            let digits: String = p?.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        };
        let major = number(parts.next())?;
        let minor = number(parts.next())?;
        let patch = parts.next();
        let has_patch = patch.is_some();
        let patch = if has_patch { number(patch)? } else { 0 };
        Some((StreamlitVersion::new(major, minor, patch), has_patch))
    }
}

impl fmt::Display for StreamlitVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// A release asked for by name: `1.48` is the last 1.48 patch stauth knows.
/// A release newer than [`LATEST`] is accepted (and emulated as LATEST by
/// [`Release::new`]); one before 1.42 or an unpublished patch is refused.
impl FromStr for StreamlitVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Digits only, two or three parts: "1.5x" is a typo, not 1.5.
        let parts: Vec<&str> = s.trim().split('.').collect();
        let numeric = parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let parsed =
            StreamlitVersion::parse_loose(s).filter(|_| numeric && (2..=3).contains(&parts.len()));
        let Some((v, has_patch)) = parsed else {
            return Err(format!("'{s}' is not a version like 1.67.0 or 1.67"));
        };
        if v < FIRST_WITH_LOGIN && (has_patch || v.minor < FIRST_WITH_LOGIN.minor || v.major < 1) {
            return Err(format!(
                "Streamlit {s} has no st.login (it arrived in {FIRST_WITH_LOGIN})"
            ));
        }
        if v > LATEST {
            return Ok(v);
        }
        if has_patch {
            return if KNOWN.contains(&v) {
                Ok(v)
            } else {
                Err(format!(
                    "Streamlit {v} was never released (the {}.{} releases are {})",
                    v.major,
                    v.minor,
                    patches_of(v).join(", ")
                ))
            };
        }
        KNOWN
            .iter()
            .rev()
            .find(|k| k.major == v.major && k.minor == v.minor)
            .copied()
            .ok_or_else(|| format!("Streamlit {s} was never released"))
    }
}

fn patches_of(v: StreamlitVersion) -> Vec<String> {
    KNOWN
        .iter()
        .filter(|k| k.major == v.major && k.minor == v.minor)
        .map(ToString::to_string)
        .collect()
}

/// The web server that handles `/auth/login` and `/oauth2callback`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Server {
    /// Tornado: the only server 1.42-1.52, the default 1.53-1.56.
    Tornado,
    /// Starlette chosen with `server.useStarlette = true` (1.53-1.56).
    StarletteOptIn,
    /// Starlette, the only server from 1.57.
    Starlette,
}

impl Server {
    /// For reports: "Tornado", "Starlette (server.useStarlette)", "Starlette".
    pub fn label(self) -> &'static str {
        match self {
            Server::Tornado => "Tornado",
            Server::StarletteOptIn => "Starlette (server.useStarlette)",
            Server::Starlette => "Starlette",
        }
    }

    /// For JSON: "tornado", "starlette-opt-in", "starlette".
    pub fn id(self) -> &'static str {
        match self {
            Server::Tornado => "tornado",
            Server::StarletteOptIn => "starlette-opt-in",
            Server::Starlette => "starlette",
        }
    }

    pub fn is_starlette(self) -> bool {
        self != Server::Tornado
    }
}

/// Where `st.logout()` sends the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutRule {
    /// Only the app's cookies are cleared.
    LocalOnly,
    /// 1.48.0: the provider's end_session_endpoint with only
    /// `post_logout_redirect_uri=<redirect_uri without "oauth2callback">`.
    RootOnly,
    /// 1.53+: `client_id`, `post_logout_redirect_uri=<redirect_uri>` and
    /// `id_token_hint`, when redirect_uri ends with `/oauth2callback`;
    /// `merge_query` false means `endpoint + "?" + params` (1.53.x).
    Provider { merge_query: bool },
}

/// Which user object the app can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserApi {
    /// 1.42-1.44: only `st.experimental_user`.
    ExperimentalOnly,
    /// 1.45-1.53: `st.user`, and `st.experimental_user` deprecated.
    Both,
    /// 1.54+: only `st.user`.
    UserOnly,
}

/// The TOML parser that reads secrets.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretsParser {
    /// The `toml` package (0.10): up to 1.65.
    TomlPackage,
    /// The standard library's `tomllib`: 1.66+.
    Tomllib,
}

/// One Streamlit release as an app runs it: version and server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Release {
    /// The version whose rules apply (at most [`LATEST`]).
    pub version: StreamlitVersion,
    pub server: Server,
}

impl Release {
    /// The release `version` with `server.useStarlette` as configured
    /// (ignored outside 1.53-1.56, as Streamlit ignores it). A version newer
    /// than stauth knows is emulated as [`LATEST`].
    pub fn new(version: StreamlitVersion, use_starlette: bool) -> Release {
        let version = version.min(LATEST);
        let v = |minor, patch| version >= StreamlitVersion::new(1, minor, patch);
        let server = if v(57, 0) {
            Server::Starlette
        } else if v(53, 0) && use_starlette {
            Server::StarletteOptIn
        } else {
            Server::Tornado
        };
        Release { version, server }
    }

    /// The newest release stauth knows, on its only server.
    pub fn latest() -> Release {
        Release::new(LATEST, false)
    }

    fn at_least(&self, minor: u16, patch: u16) -> bool {
        self.version >= StreamlitVersion::new(1, minor, patch)
    }

    fn is(&self, minor: u16, patch: u16) -> bool {
        self.version == StreamlitVersion::new(1, minor, patch)
    }

    /// "Streamlit 1.55.0 on Starlette (server.useStarlette)".
    pub fn describe(&self) -> String {
        format!("Streamlit {} on {}", self.version, self.server.label())
    }

    /// Whether Streamlit adds PKCE (S256) when discovery advertises it: the
    /// Tornado server always did; Starlette only from 1.58.
    pub fn pkce_when_advertised(&self) -> bool {
        match self.server {
            Server::Tornado => true,
            Server::StarletteOptIn => false,
            Server::Starlette => self.at_least(58, 0),
        }
    }

    /// Tornado reads `code_challenge_methods_supported` with
    /// `"S256" in metadata.get(..., [])`: a JSON `null` there raises, and
    /// the login route answers 400 (1.42-1.56). Starlette uses `or []`.
    pub fn null_pkce_methods_fail(&self) -> bool {
        self.server == Server::Tornado
    }

    /// Where `st.logout()` goes.
    pub fn logout(&self) -> LogoutRule {
        match self.server {
            Server::Tornado if self.is(48, 0) => LogoutRule::RootOnly,
            Server::Tornado if self.at_least(53, 0) => LogoutRule::Provider {
                merge_query: self.at_least(54, 0),
            },
            Server::Tornado => LogoutRule::LocalOnly,
            // 1.54-1.57 call the async client's load_server_metadata()
            // without await ("'coroutine' object has no attribute 'get'"),
            // catch that and log out locally; 1.58 awaits it.
            Server::StarletteOptIn | Server::Starlette if !self.at_least(58, 0) => {
                LogoutRule::LocalOnly
            }
            Server::StarletteOptIn | Server::Starlette => {
                LogoutRule::Provider { merge_query: true }
            }
        }
    }

    /// The identity cookie's JSON ends with `provider` (1.48.0, and 1.53+
    /// except the 1.53 Starlette opt-in).
    pub fn provider_in_identity(&self) -> bool {
        match self.server {
            Server::Tornado => self.is(48, 0) || self.at_least(53, 0),
            Server::StarletteOptIn => self.at_least(54, 0),
            Server::Starlette => true,
        }
    }

    /// `{port}` in redirect_uri is replaced by server.port (1.53+).
    pub fn port_placeholder(&self) -> bool {
        self.at_least(53, 0)
    }

    /// `<script dir>/.streamlit/secrets.toml` and `config.toml` are read
    /// too, after the home and working folders' (1.46+).
    pub fn reads_script_dir_files(&self) -> bool {
        self.at_least(46, 0)
    }

    /// The names the app can use for the user.
    pub fn user_api(&self) -> UserApi {
        if !self.at_least(45, 0) {
            UserApi::ExperimentalOnly
        } else if !self.at_least(54, 0) {
            UserApi::Both
        } else {
            UserApi::UserOnly
        }
    }

    /// The name an app uses for the user: `st.user`, or
    /// `st.experimental_user` before 1.45.
    pub fn user_object(&self) -> &'static str {
        match self.user_api() {
            UserApi::ExperimentalOnly => "st.experimental_user",
            _ => "st.user",
        }
    }

    /// Where the login's state (Authlib's state, nonce and PKCE verifier)
    /// waits for the callback: in the Starlette session cookie, signed with
    /// `cookie_secret`, so any replica with the same secrets finishes the
    /// login; on Tornado in the memory of the server that started it.
    pub fn login_state_in_cookie(&self) -> bool {
        self.server.is_starlette()
    }

    /// The largest `Cookie` value the app's WebSocket handshake takes:
    /// Starlette serves it with the websockets package, which reads header
    /// lines of at most 8192 bytes (`WEBSOCKETS_MAX_LINE_LENGTH` raises it);
    /// None for Tornado, whose 64 KiB limit is for the whole request head.
    pub fn websocket_cookie_limit(&self) -> Option<usize> {
        self.server
            .is_starlette()
            .then_some(super::cookies::WEBSOCKET_COOKIE_LIMIT)
    }

    /// Large login cookies are split into chunks (1.53+).
    pub fn chunks_cookies(&self) -> bool {
        self.at_least(53, 0)
    }

    /// `expose_tokens`, `st.user.tokens` and the tokens cookie (1.53+).
    pub fn exposes_tokens(&self) -> bool {
        self.at_least(53, 0)
    }

    /// The hidden `server.trustedUserHeaders` option (1.49+).
    pub fn trusted_user_headers(&self) -> bool {
        self.at_least(49, 0)
    }

    /// `st.App(secrets=...)` merges secrets from code over the files (1.57+).
    pub fn app_secrets_in_code(&self) -> bool {
        self.at_least(57, 0)
    }

    /// Login and callback clear auth cookies that no longer verify (after a
    /// cookie_secret change) with their chunks, and logout deletes every
    /// chunk the browser sends (1.59+). Before, such chunks stay. In every
    /// release a new, smaller login over a valid one leaves the extra chunks.
    pub fn clears_stale_cookies(&self) -> bool {
        self.at_least(59, 0)
    }

    pub fn secrets_parser(&self) -> SecretsParser {
        if self.at_least(66, 0) {
            SecretsParser::Tomllib
        } else {
            SecretsParser::TomlPackage
        }
    }

    /// `pip install "streamlit[auth]"` exists (1.48+); before, Authlib is
    /// installed by name.
    pub fn has_auth_extra(&self) -> bool {
        self.at_least(48, 0)
    }

    /// Authlib needs httpx: only on the Starlette server.
    pub fn needs_httpx(&self) -> bool {
        self.server.is_starlette()
    }

    /// The `auth` extra forgets httpx (1.57.0, 1.58.0, 1.59.0), or, on the
    /// 1.53-1.56 opt-in, no extra brings it.
    pub fn extras_lack_httpx(&self) -> bool {
        match self.server {
            Server::Tornado => false,
            Server::StarletteOptIn => true,
            Server::Starlette => self.is(57, 0) || self.is(58, 0) || self.is(59, 0),
        }
    }

    /// A missing httpx is reported as "requires Authlib>=1.3.2" on the
    /// Starlette server until 1.59.0 (the 1.53-1.56 opt-in included).
    pub fn misleading_authlib_message(&self) -> bool {
        self.server.is_starlette() && !self.at_least(59, 1)
    }

    /// Streamlit passes `session=None` to Authlib, which Authlib 1.6.6+
    /// writes into: every login fails before 1.52.2.
    pub fn breaks_with_authlib_1_6_6(&self) -> bool {
        !self.at_least(52, 2)
    }

    /// The HTTP library Authlib uses for discovery and the token request.
    pub fn http_library(&self) -> &'static str {
        if self.server.is_starlette() {
            "httpx"
        } else {
            "requests"
        }
    }

    /// The first known release after this one (on the same kind of server)
    /// whose `st.logout()` also signs the user out at the provider.
    pub fn first_provider_logout_after(&self) -> Option<StreamlitVersion> {
        let opt_in = self.server == Server::StarletteOptIn;
        KNOWN
            .iter()
            .copied()
            .filter(|v| *v > self.version)
            .find(|v| {
                matches!(
                    Release::new(*v, opt_in).logout(),
                    LogoutRule::Provider { .. }
                )
            })
    }

    /// The pip command that installs what `st.login` needs: no `auth` extra
    /// before 1.48, Authlib below 1.6.6 before 1.52.2, httpx where the
    /// Starlette server needs it and no extra brings it.
    pub fn install_command(&self) -> String {
        let mut parts: Vec<&str> = vec!["pip install"];
        if !self.has_auth_extra() {
            parts.push("\"Authlib>=1.3.2,<1.6.6\"");
            return parts.join(" ");
        }
        parts.push(if self.server == Server::StarletteOptIn {
            "\"streamlit[auth,starlette]\""
        } else {
            "\"streamlit[auth]\""
        });
        if self.breaks_with_authlib_1_6_6() {
            parts.push("\"Authlib<1.6.6\"");
        }
        if self.needs_httpx() && self.extras_lack_httpx() {
            parts.push("httpx");
        }
        parts.join(" ")
    }

    /// Cookie signing and chunking rules for an app with this base path.
    pub fn cookie_rules(&self, base_url_path: &str) -> CookieRules {
        CookieRules::for_release(self, base_url_path)
    }
}

/// Why stauth emulates the release it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseSource {
    /// `--streamlit-version`.
    Flag,
    /// Installed for this interpreter.
    Detected { python: std::path::PathBuf },
    /// Nothing said or found: the newest stauth knows.
    NewestKnown,
}

/// The release a command emulates, why, and what the user should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseChoice {
    pub release: Release,
    pub source: ReleaseSource,
    /// The version asked for or found, when it differs from the emulated
    /// one (newer than stauth knows).
    pub requested: StreamlitVersion,
    /// Where `server.useStarlette` came from, when set.
    pub starlette_option: Option<String>,
}

impl ReleaseChoice {
    pub fn new(
        requested: StreamlitVersion,
        source: ReleaseSource,
        starlette_option: Option<String>,
    ) -> ReleaseChoice {
        ReleaseChoice {
            release: Release::new(requested, starlette_option.is_some()),
            source,
            requested,
            starlette_option,
        }
    }

    /// Newer than stauth knows: emulated as [`LATEST`].
    pub fn is_newer_than_known(&self) -> bool {
        self.requested > LATEST
    }

    /// Why this release: "detected in /app/.venv/bin/python", "--streamlit-version", ...
    pub fn reason(&self) -> String {
        let mut why = match &self.source {
            ReleaseSource::Flag => "--streamlit-version".to_string(),
            ReleaseSource::Detected { python } => {
                format!("installed for {}", python.display())
            }
            ReleaseSource::NewestKnown => {
                "no Streamlit found, so the newest stauth knows".to_string()
            }
        };
        if let Some(option) = &self.starlette_option {
            if self.release.server == Server::StarletteOptIn {
                why.push_str(&format!("; server.useStarlette from {option}"));
            }
        }
        why
    }

    /// The warning for a release newer than stauth knows.
    pub fn newer_warning(&self) -> Option<String> {
        self.is_newer_than_known().then(|| {
            format!(
                "Streamlit {} is newer than stauth knows: checking as {LATEST}, the newest it knows; an update of stauth may know more",
                self.requested
            )
        })
    }

    /// For JSON reports.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "version": self.release.version.to_string(),
            "requested": self.requested.to_string(),
            "server": self.release.server.id(),
            "source": match self.source {
                ReleaseSource::Flag => "flag",
                ReleaseSource::Detected { .. } => "detected",
                ReleaseSource::NewestKnown => "newest-known",
            },
            "reason": self.reason(),
        })
    }
}

/// One row of the release table in docs/streamlit-contract.md.
pub struct TableRow {
    pub releases: String,
    pub server: &'static str,
    pub cells: Vec<String>,
}

/// The release table's columns after "releases" and "server".
pub const TABLE_COLUMNS: &[&str] = &[
    "PKCE when advertised",
    "provider logout",
    "`provider` in cookie",
    "`{port}`",
    "script-dir secrets and config",
    "user object",
    "cookie chunks, tokens cookie",
    "unreadable chunks cleared",
    "secrets parser",
    "needs httpx",
    "breaks with Authlib 1.6.6+",
];

impl Release {
    fn table_cells(&self) -> Vec<String> {
        let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
        vec![
            yes(self.pkce_when_advertised()),
            match self.logout() {
                LogoutRule::LocalOnly => "no".into(),
                LogoutRule::RootOnly => "root URL only".into(),
                LogoutRule::Provider { merge_query: false } => "yes (appends `?`)".into(),
                LogoutRule::Provider { merge_query: true } => "yes".into(),
            },
            yes(self.provider_in_identity()),
            yes(self.port_placeholder()),
            yes(self.reads_script_dir_files()),
            match self.user_api() {
                UserApi::ExperimentalOnly => "`experimental_user` only".into(),
                UserApi::Both => "`user` (+ deprecated `experimental_user`)".into(),
                UserApi::UserOnly => "`user`".into(),
            },
            yes(self.chunks_cookies()),
            yes(self.clears_stale_cookies()),
            match self.secrets_parser() {
                SecretsParser::TomlPackage => "toml".into(),
                SecretsParser::Tomllib => "tomllib".into(),
            },
            yes(self.needs_httpx()),
            yes(self.breaks_with_authlib_1_6_6()),
        ]
    }
}

/// The release table: consecutive known releases that behave alike on a
/// server are one row ("1.49.1-1.52.1").
pub fn table() -> Vec<TableRow> {
    let mut rows: Vec<(StreamlitVersion, StreamlitVersion, Release, Vec<String>)> = Vec::new();
    for server in [Server::Tornado, Server::StarletteOptIn, Server::Starlette] {
        for &v in KNOWN {
            let release = Release::new(v, server == Server::StarletteOptIn);
            if release.server != server {
                continue;
            }
            let cells = release.table_cells();
            match rows.last_mut() {
                Some(last) if last.2.server == server && last.3 == cells => last.1 = v,
                _ => rows.push((v, v, release, cells)),
            }
        }
    }
    rows.into_iter()
        .map(|(first, last, release, cells)| TableRow {
            releases: if first == last {
                first.to_string()
            } else {
                format!("{first}-{last}")
            },
            server: release.server.label(),
            cells,
        })
        .collect()
}

/// The table as Markdown, exactly as docs/streamlit-contract.md holds it.
pub fn table_markdown() -> String {
    let mut out = String::from("| releases | server |");
    for c in TABLE_COLUMNS {
        out.push_str(&format!(" {c} |"));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(TABLE_COLUMNS.len()));
    out.push('\n');
    for row in table() {
        out.push_str(&format!("| {} | {} |", row.releases, row.server));
        for c in &row.cells {
            out.push_str(&format!(" {c} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> StreamlitVersion {
        s.parse().unwrap()
    }

    fn tornado(s: &str) -> Release {
        Release::new(v(s), false)
    }

    #[test]
    fn parses_names_and_bounds() {
        assert_eq!(v("1.67"), LATEST);
        assert_eq!(v("1.48"), StreamlitVersion::new(1, 48, 1));
        assert_eq!(v("1.52.1"), StreamlitVersion::new(1, 52, 1));
        assert!("1.41".parse::<StreamlitVersion>().is_err());
        assert!("1.41.9".parse::<StreamlitVersion>().is_err());
        assert!("1.50.3"
            .parse::<StreamlitVersion>()
            .unwrap_err()
            .contains("1.50.0"));
        assert!("x".parse::<StreamlitVersion>().is_err());
        for typo in ["1.5x", "1.67.0rc1", "1.67.0.1", "1", "1..67"] {
            assert!(
                "is not a version like 1.67.0 or 1.67"
                    == &typo.parse::<StreamlitVersion>().unwrap_err()[typo.len() + 3..],
                "{typo}"
            );
        }
        // Newer than known: accepted, emulated as LATEST.
        assert_eq!(v("1.99.0"), StreamlitVersion::new(1, 99, 0));
        assert_eq!(Release::new(v("1.99.0"), false).version, LATEST);
        assert_eq!(
            StreamlitVersion::parse_loose("1.53.0rc1"),
            Some((StreamlitVersion::new(1, 53, 0), true))
        );
    }

    #[test]
    fn patch_precise_rules() {
        assert_eq!(tornado("1.48.0").logout(), LogoutRule::RootOnly);
        assert_eq!(tornado("1.48.1").logout(), LogoutRule::LocalOnly);
        assert!(tornado("1.48.0").provider_in_identity());
        assert!(!tornado("1.48.1").provider_in_identity());
        assert!(tornado("1.52.1").breaks_with_authlib_1_6_6());
        assert!(!tornado("1.52.2").breaks_with_authlib_1_6_6());
        assert!(tornado("1.42.0").breaks_with_authlib_1_6_6());
        assert_eq!(
            tornado("1.53.1").logout(),
            LogoutRule::Provider { merge_query: false }
        );
        assert_eq!(
            tornado("1.54.0").logout(),
            LogoutRule::Provider { merge_query: true }
        );
        assert!(!tornado("1.48.1").trusted_user_headers());
        assert!(tornado("1.49.0").trusted_user_headers());
        assert!(!tornado("1.45.1").reads_script_dir_files());
        assert!(tornado("1.46.0").reads_script_dir_files());
        assert!(tornado("1.59.0").misleading_authlib_message());
        assert!(!tornado("1.59.1").misleading_authlib_message());
    }

    #[test]
    fn servers() {
        assert_eq!(tornado("1.56").server, Server::Tornado);
        let opt_in = Release::new(v("1.53.1"), true);
        assert_eq!(opt_in.server, Server::StarletteOptIn);
        assert!(!opt_in.pkce_when_advertised());
        assert_eq!(opt_in.logout(), LogoutRule::LocalOnly);
        // 1.54-1.57's Starlette server never awaits the metadata it needs.
        assert_eq!(
            Release::new(v("1.56.0"), true).logout(),
            LogoutRule::LocalOnly
        );
        assert_eq!(tornado("1.57.0").logout(), LogoutRule::LocalOnly);
        assert_eq!(
            tornado("1.58.0").logout(),
            LogoutRule::Provider { merge_query: true }
        );
        assert!(!opt_in.provider_in_identity());
        assert!(opt_in.needs_httpx() && opt_in.extras_lack_httpx());
        // The option means nothing before 1.53 or after 1.56.
        assert_eq!(Release::new(v("1.52.2"), true).server, Server::Tornado);
        assert_eq!(
            Release::new(v("1.60"), true),
            Release::new(v("1.60"), false)
        );
        assert!(!tornado("1.57").pkce_when_advertised());
        assert!(tornado("1.58").pkce_when_advertised());
        assert!(tornado("1.58.0").extras_lack_httpx());
        assert!(!tornado("1.59.1").extras_lack_httpx());
        assert!(!tornado("1.56").needs_httpx());
    }

    #[test]
    fn user_names() {
        assert_eq!(tornado("1.44.1").user_object(), "st.experimental_user");
        assert_eq!(tornado("1.45.0").user_api(), UserApi::Both);
        assert_eq!(tornado("1.54").user_api(), UserApi::UserOnly);
    }

    /// docs/streamlit-contract.md holds the table this file generates.
    #[test]
    fn the_docs_hold_this_table() {
        let doc = include_str!("../../docs/streamlit-contract.md");
        let start = doc
            .find("<!-- release-table:start -->\n")
            .expect("start marker")
            + 29;
        let end = doc.find("<!-- release-table:end -->").expect("end marker");
        assert_eq!(
            &doc[start..end],
            table_markdown(),
            "docs/streamlit-contract.md's release table differs from src/streamlit/release.rs: paste release::table_markdown() between the markers"
        );
    }

    #[test]
    fn table_groups_alike_releases() {
        let rows = table();
        assert_eq!(rows[0].releases, "1.42.0-1.44.1");
        assert!(rows.iter().any(|r| r.releases == "1.48.0"));
        let md = table_markdown();
        assert!(md.contains("| 1.57.0 | Starlette |"), "{md}");
    }
}
