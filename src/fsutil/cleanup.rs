//! What to remove if the process is interrupted: the temporary files being
//! written (they can hold a client secret), held lock files and the empty
//! folders made for them, plus the files already put in place, for the
//! closing message.
//!
//! Catching the signal is the program's job: it registers a hook with
//! [`on_first_use`] and, when interrupted, calls [`interrupted`]. Files are
//! created and renamed into place while the registry is locked
//! ([`create_removable`], [`commit`]), and [`interrupted`] keeps it locked
//! until the process exits: an interruption comes before a rename (the
//! temporary file goes, the old file stays) or after it (the new file
//! stays), never between.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    remove: Vec::new(),
    written: Vec::new(),
});
/// Run before the first file is registered: the program installs its
/// signal handlers there, so a run that never writes keeps the defaults.
static FIRST_USE: OnceLock<fn()> = OnceLock::new();

struct Registry {
    /// Files to remove on interruption (temporary files, held lock files,
    /// empty folders made for them).
    remove: Vec<PathBuf>,
    /// Files already put in place, for the closing message.
    written: Vec<PathBuf>,
}

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sets the hook run each time a file is registered (it must be cheap and
/// idempotent); only the first call counts.
pub fn on_first_use(hook: fn()) {
    let _ = FIRST_USE.set(hook);
}

fn first_use() {
    if let Some(hook) = FIRST_USE.get() {
        hook();
    }
}

/// Removes `path` when the process is interrupted, until the returned guard
/// is dropped.
pub struct Removal {
    path: PathBuf,
}

impl Drop for Removal {
    fn drop(&mut self) {
        let mut reg = registry();
        if let Some(i) = reg.remove.iter().rposition(|p| *p == self.path) {
            reg.remove.swap_remove(i);
        }
    }
}

/// Runs `create`, which makes a file and returns it with its path, while an
/// interruption is held off; from then on until the guard is dropped, an
/// interruption removes that file.
pub fn create_removable<T>(
    create: impl FnOnce() -> std::io::Result<(T, PathBuf)>,
) -> std::io::Result<(T, Removal)> {
    first_use();
    let mut reg = registry();
    let (value, path) = create()?;
    reg.remove.push(path.clone());
    Ok((value, Removal { path }))
}

/// Removes `path` on interruption until the guard is dropped (for a file
/// that already exists and that this process alone may remove).
pub fn remove_on_interrupt(path: &Path) -> Removal {
    first_use();
    registry().remove.push(path.to_path_buf());
    Removal {
        path: path.to_path_buf(),
    }
}

/// Runs `step` (the rename that puts `target` in place) while an
/// interruption is held off, and remembers `target` as written when it
/// succeeds.
pub fn commit<T, E>(target: &Path, step: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let mut reg = registry();
    let result = step();
    if result.is_ok() {
        reg.written.push(target.to_path_buf());
    }
    result
}

/// The registry after an interruption, kept locked so nothing more is
/// written or renamed before the process exits.
pub struct Interrupted(MutexGuard<'static, Registry>);

impl Interrupted {
    /// The files already put in place, in order.
    pub fn written(&self) -> &[PathBuf] {
        &self.0.written
    }
}

/// Removes the registered files and holds off any further write; call when
/// interrupted, then exit while the result is alive.
pub fn interrupted() -> Interrupted {
    let reg = registry();
    // Newest first: a lock file goes before the folder made for it.
    for path in reg.remove.iter().rev() {
        if std::fs::remove_file(path).is_err() {
            // A folder made for a lock: removed only when empty.
            let _ = std::fs::remove_dir(path);
        }
    }
    Interrupted(reg)
}
