//! File-system helpers: atomic writes that keep links, owners and modes, a
//! lock for read-modify-write, bounded reads and git ignore checks.

mod atomic;
pub mod cleanup;
pub mod git;
mod lock;
pub mod read;

use atomic::parent_dir as atomic_parent_dir;
pub use atomic::{
    file_mode, replace_file, resolve_links, write_atomic, WriteOptions, Written, TEMP_PREFIX,
};
pub use lock::{lock, FileLock};

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
