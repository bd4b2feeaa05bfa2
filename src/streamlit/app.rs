//! The app a command works on, loaded once per command: its folder, the home
//! folder, config.toml as Streamlit reads it, the secrets files in Streamlit's
//! order and where secrets the files lack come from. Every command reads the
//! app through this, so the commands cannot disagree on which files
//! Streamlit reads. Reads files only: no network, no keychain.

use std::path::{Path, PathBuf};

use super::app_config::ServerSettings;
use super::auth_config::{self, FilesOnly, LoginConfig, SecretFallback};
use super::release::{Release, ReleaseChoice, ReleaseSource, StreamlitVersion, LATEST};
use crate::error::Result;
use crate::fsutil;
use crate::secret::Secret;

/// Where an app keeps its secrets, relative to the folder Streamlit runs
/// from (or, from 1.46, the script's folder).
const SECRETS_FILE: &str = ".streamlit/secrets.toml";

/// `<dir>/.streamlit/secrets.toml`.
pub fn secrets_file_in(dir: &Path) -> PathBuf {
    fsutil::join_clean(dir, SECRETS_FILE)
}

/// The user's home folder (`std::env::home_dir`, so Windows' profile folder
/// counts too); None when there is none.
fn home_dir() -> Option<PathBuf> {
    std::env::home_dir().filter(|h| !h.as_os_str().is_empty())
}

/// The secrets files Streamlit reads for the app, in order, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecretsSources {
    pub files: Vec<PathBuf>,
    /// For messages: "Streamlit's default locations", where `secrets.files`
    /// is set, or "as given".
    pub origin: String,
}

/// One app, as Streamlit would see it when started from `app_dir`.
pub struct AppContext {
    pub app_dir: PathBuf,
    pub home: Option<PathBuf>,
    /// The app's script, when known (1.46+ reads secrets next to it).
    pub script: Option<PathBuf>,
    /// The Streamlit release the app runs, and why stauth thinks so: the
    /// newest stauth knows until the command sets it ([`AppContext::with_release`]).
    pub release: ReleaseChoice,
    /// config.toml (home, then app) and `STREAMLIT_*`, parsed once.
    pub server: ServerSettings,
    /// Secrets files named by the user, replacing Streamlit's own list.
    given: Vec<PathBuf>,
    fallback: Box<dyn SecretFallback>,
}

impl std::fmt::Debug for AppContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppContext")
            .field("app_dir", &self.app_dir)
            .field("home", &self.home)
            .field("script", &self.script)
            .field("release", &self.release)
            .field("server", &self.server)
            .field("given", &self.given)
            .finish_non_exhaustive()
    }
}

impl AppContext {
    /// Loads the app in `app_dir` for the current user. A config.toml that
    /// cannot be read or parsed is an error, as it is for Streamlit.
    pub fn load(app_dir: &Path) -> Result<Self> {
        Self::load_with_home(app_dir, home_dir())
    }

    /// [`AppContext::load`] with an explicit home folder.
    pub fn load_with_home(app_dir: &Path, home: Option<PathBuf>) -> Result<Self> {
        let server = ServerSettings::load(app_dir, home.as_deref())?;
        Ok(AppContext {
            app_dir: app_dir.to_path_buf(),
            home,
            script: None,
            release: ReleaseChoice::new(
                LATEST,
                ReleaseSource::NewestKnown,
                server.use_starlette.clone(),
            ),
            server,
            given: Vec::new(),
            fallback: Box::new(FilesOnly),
        })
    }

    pub fn with_script(mut self, script: Option<PathBuf>) -> Self {
        self.script = script;
        self
    }

    /// Sets the release the app runs, `requested` for the reason `source`
    /// (see `python_env::choose_release`); the server follows from
    /// `server.useStarlette`. From 1.46 the script folder's config.toml
    /// counts too, and `server.useStarlette` there may change the server.
    pub fn with_release(
        mut self,
        requested: StreamlitVersion,
        source: ReleaseSource,
    ) -> Result<Self> {
        if Release::new(requested, false).reads_script_dir_files() {
            if let Some(dir) = self.script_dir() {
                self.server.add_script_dir(&dir)?;
            }
        }
        self.release = ReleaseChoice::new(requested, source, self.server.use_starlette.clone());
        Ok(self)
    }

    /// The release whose rules apply.
    pub fn release(&self) -> &Release {
        &self.release.release
    }

    /// Reads exactly `files` (when any) instead of Streamlit's list.
    pub fn with_secrets_files(mut self, files: &[PathBuf]) -> Self {
        self.given = files.to_vec();
        self
    }

    /// Where secrets the files lack come from (the caller's keychain store).
    pub fn with_fallback(mut self, fallback: impl SecretFallback + 'static) -> Self {
        self.fallback = Box::new(fallback);
        self
    }

    pub fn fallback(&self) -> &dyn SecretFallback {
        self.fallback.as_ref()
    }

    /// The secrets files, in the order Streamlit reads them: the files given,
    /// else `secrets.files` (config.toml or `STREAMLIT_SECRETS_FILES`,
    /// relative to the app folder), else `~/.streamlit/secrets.toml`, the
    /// app folder's, and from 1.46 the script folder's when it differs.
    pub(crate) fn secrets_sources(&self) -> SecretsSources {
        if !self.given.is_empty() {
            return SecretsSources {
                files: self.given.clone(),
                origin: "as given".into(),
            };
        }
        if let (Some(files), Some((_, origin))) = (
            self.server.secrets_files_in(&self.app_dir),
            &self.server.secrets_files,
        ) {
            return SecretsSources {
                files,
                origin: origin.clone(),
            };
        }
        let mut files = default_secrets_files(&self.app_dir, self.home.as_deref());
        if let Some(file) = self
            .script_secrets_file()
            .filter(|_| self.release().reads_script_dir_files())
        {
            let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
            if !files.iter().any(|f| abs(f) == abs(&file)) {
                files.push(file);
            }
        }
        SecretsSources {
            files,
            origin: "Streamlit's default locations".into(),
        }
    }

    /// [`AppContext::secrets_sources`]'s files.
    pub fn secrets_files(&self) -> Vec<PathBuf> {
        self.secrets_sources().files
    }

    /// The login configuration `st.login(provider)` uses (None: the default
    /// provider), secrets the files lack taken from the fallback.
    pub fn login_config(&self, provider: Option<&str>) -> Result<LoginConfig> {
        auth_config::resolve_with(
            &self.secrets_files(),
            provider,
            self.server.port,
            self.fallback(),
        )
    }

    /// `[auth] redirect_uri` as Streamlit reads it from the secrets files,
    /// and the file `[auth]` comes from; None when no file has one. Reads no
    /// secret: the keychain is not asked.
    pub fn redirect_uri(&self) -> Result<Option<(String, PathBuf)>> {
        let files = self.secrets_files();
        let merged = auth_config::merged_secrets(&files, &FilesOnly, &self.app_dir)?;
        Ok(merged
            .file
            .auth_str(super::schema::REDIRECT_URI)
            .map(str::to_string)
            .zip(merged.auth_source))
    }

    /// The app's `cookie_secret` and where it came from.
    pub fn cookie_secret(&self) -> Result<(Secret, String)> {
        auth_config::cookie_secret_with(&self.secrets_files(), self.fallback())
    }

    /// `<script dir>/.streamlit/secrets.toml`, a relative script taken from
    /// the app folder; None without a script in another folder.
    pub(crate) fn script_secrets_file(&self) -> Option<PathBuf> {
        Some(secrets_file_in(&self.script_dir()?))
    }

    /// The script's folder, when the script is known and not in the app folder.
    fn script_dir(&self) -> Option<PathBuf> {
        let script = self.script.as_ref()?;
        let dir = script.parent().filter(|d| !d.as_os_str().is_empty())?;
        Some(if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            self.app_dir.join(dir)
        })
    }
}

/// The secrets files Streamlit reads by default for an app started from
/// `app_dir`, before the script's folder is known.
pub(crate) fn default_secrets_files(app_dir: &Path, home: Option<&Path>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Some(home) = home {
        files.push(secrets_file_in(home));
    }
    files.push(secrets_file_in(app_dir));
    files
}

/// The script a `streamlit run SCRIPT` command line starts (also through
/// `python -m streamlit run`), so the secrets next to it are found.
pub fn script_in_command(argv: &[std::ffi::OsString]) -> Option<PathBuf> {
    let is_streamlit =
        |a: &std::ffi::OsString| Path::new(a).file_stem().is_some_and(|s| s == "streamlit");
    let at = argv.iter().position(is_streamlit)?;
    let mut rest = argv[at + 1..].iter();
    if rest.next().is_some_and(|a| a == "run") {
        // Options come after the script, so the next word is the script.
        return rest.next().map(PathBuf::from);
    }
    None
}

/// The port a `streamlit run SCRIPT --server.port N` command line sets
/// (also `--server.port=N`): Streamlit's flags win over config.toml and the
/// environment. None without one, or when it is not a port (Streamlit then
/// stops with its own error).
pub fn port_in_command(argv: &[std::ffi::OsString]) -> Option<u16> {
    let is_streamlit =
        |a: &std::ffi::OsString| Path::new(a).file_stem().is_some_and(|s| s == "streamlit");
    let at = argv.iter().position(is_streamlit)?;
    let mut rest = argv[at + 1..].iter().map(|a| a.to_string_lossy());
    let mut port = None;
    while let Some(arg) = rest.next() {
        if arg == "--server.port" {
            port = rest.next().map(|v| v.into_owned());
        } else if let Some(v) = arg.strip_prefix("--server.port=") {
            port = Some(v.to_string());
        }
    }
    port?.parse().ok().filter(|p| *p != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn port_from_the_command_line() {
        let argv =
            |words: &[&str]| -> Vec<std::ffi::OsString> { words.iter().map(Into::into).collect() };
        let port = |words: &[&str]| port_in_command(&argv(words));
        assert_eq!(
            port(&["streamlit", "run", "app.py", "--server.port", "8600"]),
            Some(8600)
        );
        assert_eq!(
            port(&[
                "python",
                "-m",
                "streamlit",
                "run",
                "a.py",
                "--server.port=8601"
            ]),
            Some(8601)
        );
        assert_eq!(port(&["streamlit", "run", "app.py"]), None);
        assert_eq!(
            port(&["streamlit", "run", "app.py", "--server.port", "x"]),
            None
        );
        assert_eq!(port(&["other", "--server.port", "8600"]), None);
    }

    fn app() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let app = d.path().join("app");
        let home = d.path().join("home");
        std::fs::create_dir_all(app.join(".streamlit")).unwrap();
        std::fs::create_dir_all(home.join(".streamlit")).unwrap();
        (d, app, home)
    }

    fn ctx(app: &Path, home: &Path) -> AppContext {
        AppContext::load_with_home(app, Some(home.to_path_buf())).unwrap()
    }

    #[test]
    fn streamlit_order_home_app_then_script_folder() {
        let (_d, app, home) = app();
        let c = ctx(&app, &home).with_script(Some(PathBuf::from("pages/main.py")));
        let s = c.secrets_sources();
        assert_eq!(
            s.files,
            vec![
                home.join(".streamlit/secrets.toml"),
                app.join(".streamlit/secrets.toml"),
                app.join("pages/.streamlit/secrets.toml"),
            ]
        );
        assert_eq!(s.origin, "Streamlit's default locations");
        // Before 1.46, Streamlit does not look next to the script.
        let old = ctx(&app, &home)
            .with_script(Some(PathBuf::from("pages/main.py")))
            .with_release("1.45.1".parse().unwrap(), ReleaseSource::Flag)
            .unwrap();
        assert_eq!(old.secrets_files().len(), 2);
        // A script in the app folder adds nothing (the same file, once).
        for script in ["main.py", "./main.py"] {
            let c = ctx(&app, &home).with_script(Some(PathBuf::from(script)));
            assert_eq!(c.secrets_files().len(), 2, "{script}");
        }
        let no_home = AppContext::load_with_home(&app, None).unwrap();
        assert_eq!(no_home.secrets_files(), vec![app.join(SECRETS_FILE)]);
    }

    #[test]
    fn secrets_files_from_config_and_given_files_replace_the_defaults() {
        let (_d, app, home) = app();
        std::fs::write(
            app.join(".streamlit/config.toml"),
            "[secrets]\nfiles = [\"a.toml\", \"/abs/b.toml\"]\n",
        )
        .unwrap();
        let c = ctx(&app, &home).with_script(Some(PathBuf::from("pages/main.py")));
        let s = c.secrets_sources();
        assert_eq!(
            s.files,
            vec![app.join("a.toml"), PathBuf::from("/abs/b.toml")]
        );
        assert!(s.origin.starts_with("secrets.files in "), "{}", s.origin);
        let given = c.with_secrets_files(&[PathBuf::from("x.toml")]);
        assert_eq!(given.secrets_files(), vec![PathBuf::from("x.toml")]);
    }

    #[test]
    fn a_malformed_config_toml_is_an_error_with_its_position() {
        let (_d, app, home) = app();
        std::fs::write(
            home.join(".streamlit/config.toml"),
            "[server]\nport = 8502\n[secrets\n",
        )
        .unwrap();
        match AppContext::load_with_home(&app, Some(home.clone())) {
            Err(Error::MalformedToml {
                path, line, column, ..
            }) => {
                assert_eq!(path, home.join(".streamlit/config.toml"));
                assert_eq!((line, column), (3, 9));
            }
            other => panic!("expected a TOML error, got {other:?}"),
        }
    }

    #[test]
    fn the_script_of_a_streamlit_command_line() {
        let argv =
            |words: &[&str]| -> Vec<std::ffi::OsString> { words.iter().map(Into::into).collect() };
        let script = |words: &[&str]| script_in_command(&argv(words));
        assert_eq!(
            script(&["streamlit", "run", "sub/app.py", "--server.port", "1"]),
            Some(PathBuf::from("sub/app.py"))
        );
        assert_eq!(
            script(&["/venv/bin/python", "-m", "streamlit", "run", "app.py"]),
            Some(PathBuf::from("app.py"))
        );
        assert_eq!(script(&["streamlit", "hello"]), None);
        assert_eq!(script(&["python", "app.py"]), None);
    }
}
