//! The parts of Streamlit's own configuration that shape `redirect_uri`:
//! `server.port` and `server.baseUrlPath`, read the way Streamlit reads them
//! (`~/.streamlit/config.toml`, then `<app>/.streamlit/config.toml`, from
//! 1.46 the script folder's, then `STREAMLIT_SERVER_*` environment
//! variables, later ones winning).

use std::path::{Path, PathBuf};

use super::schema::CALLBACK_PATH;
use super::secrets_file::parse_toml;
use crate::error::{Error, Result};
use crate::fsutil::read::read_text_capped;
use crate::limits::TOML_FILE_BYTES;

pub(crate) const DEFAULT_PORT: u16 = 8501;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    pub port: u16,
    /// `server.baseUrlPath` without leading/trailing slashes ("" for none).
    pub base_url_path: String,
    /// Where the port came from, for messages ("default", a file, an env var).
    pub port_source: String,
    /// `secrets.files` from config.toml or `STREAMLIT_SECRETS_FILES`, with where
    /// it came from; `None` means Streamlit's default locations.
    pub secrets_files: Option<(Vec<PathBuf>, String)>,
    /// Where `server.useStarlette = true` was read (1.53-1.56 opt-in), if it
    /// was: the config.toml, or `STREAMLIT_SERVER_USE_STARLETTE`.
    pub use_starlette: Option<String>,
    /// The config.toml that sets `server.trustedUserHeaders` (1.49+), if one does.
    pub trusted_user_headers: Option<String>,
    /// The config.toml files that exist and were read, in order.
    pub config_files: Vec<PathBuf>,
}

impl ServerSettings {
    /// Reads the settings that apply to an app run from `app_dir`.
    pub fn load(app_dir: &Path, home: Option<&Path>) -> Result<Self> {
        let mut settings = ServerSettings {
            port: DEFAULT_PORT,
            base_url_path: String::new(),
            port_source: "Streamlit's default".into(),
            secrets_files: None,
            use_starlette: None,
            trusted_user_headers: None,
            config_files: Vec::new(),
        };
        if let Some(home) = home {
            settings.apply_file(&home.join(".streamlit").join("config.toml"))?;
        }
        settings.apply_file(&app_dir.join(".streamlit").join("config.toml"))?;
        settings.apply_env()?;
        Ok(settings)
    }

    /// Adds the script folder's config.toml (Streamlit 1.46+), read after
    /// the others; the environment still wins. A file already read (the
    /// script sits in the app folder) is not read twice.
    pub fn add_script_dir(&mut self, script_dir: &Path) -> Result<()> {
        let file = script_dir.join(".streamlit").join("config.toml");
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        if self.config_files.iter().any(|f| abs(f) == abs(&file)) {
            return Ok(());
        }
        self.apply_file(&file)?;
        self.apply_env()
    }

    /// `STREAMLIT_*` environment variables, which override every file.
    fn apply_env(&mut self) -> Result<()> {
        if let Ok(port) = std::env::var("STREAMLIT_SERVER_PORT") {
            self.port = parse_port(&port, "STREAMLIT_SERVER_PORT")?;
            self.port_source = "STREAMLIT_SERVER_PORT".into();
        }
        if let Ok(base) = std::env::var("STREAMLIT_SERVER_BASE_URL_PATH") {
            self.base_url_path = base.trim_matches('/').to_string();
        }
        if let Ok(value) = std::env::var("STREAMLIT_SERVER_USE_STARLETTE") {
            self.use_starlette = is_true(&value).then(|| "STREAMLIT_SERVER_USE_STARLETTE".into());
        }
        if let Ok(list) = std::env::var("STREAMLIT_SECRETS_FILES") {
            let files: Vec<PathBuf> = list.split_whitespace().map(PathBuf::from).collect();
            if !files.is_empty() {
                self.secrets_files = Some((files, "STREAMLIT_SECRETS_FILES".into()));
            }
        }
        Ok(())
    }

    fn apply_file(&mut self, path: &Path) -> Result<()> {
        // Only a regular file, capped: a config.toml linked to /dev/zero or
        // made a FIFO (here or in a sibling app doctor looks at) must fail
        // at once, not hang or fill memory.
        let text = match read_text_capped(path, TOML_FILE_BYTES) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => {
                return Err(Error::ReadFile {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let doc = parse_toml(path, &text)?;
        self.config_files.push(path.to_path_buf());
        if let Some(files) = doc
            .get("secrets")
            .and_then(|s| s.as_table_like())
            .and_then(|s| s.get("files"))
            .and_then(|f| f.as_array())
        {
            let files: Vec<PathBuf> = files
                .iter()
                .filter_map(|f| f.as_str())
                .map(PathBuf::from)
                .collect();
            self.secrets_files = Some((files, format!("secrets.files in {}", path.display())));
        }
        let Some(server) = doc.get("server").and_then(|s| s.as_table_like()) else {
            return Ok(());
        };
        if let Some(port) = server.get("port") {
            let value = port
                .as_integer()
                .map(|p| p.to_string())
                .or_else(|| port.as_str().map(str::to_string))
                .unwrap_or_default();
            self.port = parse_port(&value, &format!("server.port in {}", path.display()))?;
            self.port_source = path.display().to_string();
        }
        if let Some(base) = server.get("baseUrlPath").and_then(|b| b.as_str()) {
            self.base_url_path = base.trim_matches('/').to_string();
        }
        if let Some(on) = server.get("useStarlette").and_then(|b| b.as_bool()) {
            self.use_starlette = on.then(|| path.display().to_string());
        }
        if server.contains_key("trustedUserHeaders") {
            self.trusted_user_headers = Some(path.display().to_string());
        }
        Ok(())
    }

    /// `secrets.files`, with relative paths taken from where the app runs
    /// (`app_dir`); None means Streamlit's default locations.
    pub(crate) fn secrets_files_in(&self, app_dir: &Path) -> Option<Vec<PathBuf>> {
        let (files, _) = self.secrets_files.as_ref()?;
        Some(
            files
                .iter()
                .map(|f| {
                    if f.is_absolute() {
                        f.clone()
                    } else {
                        crate::fsutil::join_clean(app_dir, f)
                    }
                })
                .collect(),
        )
    }

    /// The path Streamlit serves the OAuth callback at, e.g. `/app/oauth2callback`.
    pub(crate) fn callback_path(&self) -> String {
        if self.base_url_path.is_empty() {
            CALLBACK_PATH.to_string()
        } else {
            format!("/{}{CALLBACK_PATH}", self.base_url_path)
        }
    }

    /// The redirect URI for running the app locally.
    pub fn local_redirect_uri(&self) -> String {
        format!("http://localhost:{}{}", self.port, self.callback_path())
    }
}

/// A boolean option given in the environment, as Click reads it.
fn is_true(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "t" | "yes" | "y" | "on"
    )
}

fn parse_port(value: &str, what: &str) -> Result<u16> {
    value
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| Error::InvalidValue {
            what: what.to_string(),
            value: value.to_string(),
            reason: "a port is a number from 1 to 65535".into(),
        })
}

/// Whether `path` is one of the files Streamlit reads by default.
pub fn is_default_secrets_file(path: &Path, app_dir: &Path, home: Option<&Path>) -> bool {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let target = abs(path);
    super::app::default_secrets_files(app_dir, home)
        .iter()
        .any(|f| abs(f) == target)
}

/// A finding when Streamlit will not read `secrets_file` unless told to.
pub fn secrets_location_finding(
    secrets_file: &Path,
    app_dir: &Path,
    home: Option<&Path>,
) -> Option<crate::finding::Finding> {
    if is_default_secrets_file(secrets_file, app_dir, home) {
        return None;
    }
    Some(
        crate::finding::Finding::warning(
            "secrets.location",
            format!("Streamlit does not read {} by default", secrets_file.display()),
        )
        .why("Streamlit reads ~/.streamlit/secrets.toml and .streamlit/secrets.toml in the folder the app is started from (streamlit#12193).")
        .fix(format!(
            "start the app with STREAMLIT_SECRETS_FILES={} streamlit run app.py, or list it under [secrets] files in .streamlit/config.toml",
            super::shell_quote(&secrets_file.display().to_string())
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_paths() {
        let mut s = ServerSettings {
            port: 8502,
            base_url_path: String::new(),
            port_source: String::new(),
            secrets_files: None,
            use_starlette: None,
            trusted_user_headers: None,
            config_files: Vec::new(),
        };
        assert_eq!(
            s.local_redirect_uri(),
            "http://localhost:8502/oauth2callback"
        );
        s.base_url_path = "tools/app".into();
        assert_eq!(
            s.local_redirect_uri(),
            "http://localhost:8502/tools/app/oauth2callback"
        );
    }
}
