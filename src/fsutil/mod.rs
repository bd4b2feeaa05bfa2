//! File-system helpers: atomic writes and git ignore checks.

mod atomic;
pub mod git;

pub use atomic::write_atomic;

use std::path::{Component, Path, PathBuf};

/// `dir.join(rel)` without a leading `./`, so messages show `.streamlit/secrets.toml`.
pub fn join_clean(dir: &Path, rel: impl AsRef<Path>) -> PathBuf {
    let joined = dir.join(rel);
    let mut components = joined.components().peekable();
    while components.peek() == Some(&Component::CurDir) {
        components.next();
    }
    let cleaned: PathBuf = components.collect();
    if cleaned.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}
