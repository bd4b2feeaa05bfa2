//! The sizes of the app's last `stauth test-login`, kept so that `stauth
//! probe` can compare the deployed stack with a real login. Only sizes and
//! names are kept (no claim values, no tokens, no secrets), in the user's
//! cache folder (`$XDG_CACHE_HOME/stauth/last-login/`, else
//! `~/.cache/stauth/last-login/`), one file per app folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fsutil::read::read_text_capped;
use crate::fsutil::write_atomic;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastLogin {
    /// Unix time of the login.
    pub at: u64,
    /// `[auth]` or `[auth.NAME]`.
    pub provider: String,
    /// The Streamlit release the cookies were predicted for.
    pub streamlit: String,
    /// Length of the `Cookie` header value the login cookies make.
    pub cookie_header_len: usize,
    /// How many cookies (chunks included).
    pub cookies: usize,
    /// The callback answer's Set-Cookie lines, in bytes.
    #[serde(default)]
    pub set_cookie_bytes: usize,
}

/// Where the record of the app in `app_dir` lives; None without a cache
/// folder or home.
fn path_for(app_dir: &Path) -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::home_dir().map(|h| h.join(".cache")))?;
    let app = std::path::absolute(app_dir).unwrap_or_else(|_| app_dir.to_path_buf());
    let digest = Sha256::digest(app.to_string_lossy().as_bytes());
    let key: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    Some(
        cache
            .join("stauth")
            .join("last-login")
            .join(format!("{key}.json")),
    )
}

/// Keeps `record` for the app in `app_dir` (mode 0600). A cache that cannot
/// be written is not an error for the login itself: the caller ignores it.
pub fn save(app_dir: &Path, record: &LastLogin) -> crate::error::Result<()> {
    let Some(path) = path_for(app_dir) else {
        return Ok(());
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| crate::error::Error::WriteFile {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let json = serde_json::to_vec_pretty(record).unwrap_or_default();
    write_atomic(&path, &json, Some(0o600))
}

/// The record of the app in `app_dir`, if there is a readable one.
pub fn load(app_dir: &Path) -> Option<LastLogin> {
    let path = path_for(app_dir)?;
    let text = read_text_capped(&path, crate::limits::LAST_LOGIN_BYTES).ok()?;
    serde_json::from_str(&text).ok()
}
