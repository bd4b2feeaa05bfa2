//! An exclusive lock for a read-modify-write of one file, so that two stauth
//! commands changing the same secrets.toml at once both keep their change
//! (without it, the last rename wins and the other change is lost).
//!
//! The lock is an advisory `flock` on `.stauth-NAME.lock` next to the file
//! (next to a link's final target, so every link to one file shares it). The
//! holder removes the lock file before releasing the lock, and a process that
//! gets the lock checks that the file it locked is still the one at that
//! path, so nothing is left behind and no two processes hold it at once. A
//! holder that dies (even SIGKILL) releases it: the kernel drops the flock.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::limits::FILE_LOCK_WAIT;
use crate::untrusted::Untrusted;

use super::atomic::{parent_dir, resolve_links, TEMP_PREFIX};

/// Held while a file is read, changed and written; released on drop.
pub struct FileLock {
    path: PathBuf,
    file: Option<File>,
    /// Folders created for the lock, outermost first: removed again when
    /// they are still empty (the write failed or never happened).
    created: Vec<PathBuf>,
    _removals: Vec<crate::fsutil::cleanup::Removal>,
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Removed while still held; the descriptor (and the lock) goes after.
        let _ = std::fs::remove_file(&self.path);
        drop(self.file.take());
        for dir in self.created.iter().rev() {
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
}

/// Creates `dir` and its missing parents; returns the ones it created,
/// outermost first.
fn create_dirs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut missing: Vec<PathBuf> = dir
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .take_while(|a| std::fs::symlink_metadata(a).is_err())
        .map(Path::to_path_buf)
        .collect();
    missing.reverse();
    let mut created = Vec::new();
    for d in missing {
        match std::fs::create_dir(&d) {
            Ok(()) => created.push(d),
            // Another process made it at the same moment.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}

/// The lock file for `path`.
pub fn lock_path(path: &Path) -> PathBuf {
    let target = resolve_links(path).unwrap_or_else(|_| path.to_path_buf());
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent_dir(&target).join(format!("{TEMP_PREFIX}{name}.lock"))
}

/// Takes the lock for changing `path`, waiting up to
/// [`FILE_LOCK_WAIT`](crate::limits::FILE_LOCK_WAIT) for another stauth
/// command that holds it (then: exit 4). Creates the folder it goes in
/// (removed again on release if it is still empty).
pub fn lock(path: &Path) -> Result<FileLock> {
    let lock = lock_path(path);
    let err = |source| Error::WriteFile {
        path: lock.clone(),
        source,
    };
    let mut created = Vec::new();
    let started = Instant::now();
    loop {
        // (Again after each try: another process may have removed the
        // folder it created, when its write failed.)
        created.extend(create_dirs(parent_dir(&lock)).map_err(err)?);
        let acquired = match acquire(&lock) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            other => other.map_err(err)?,
        };
        if let Some(file) = acquired {
            let mut removals: Vec<_> = created
                .iter()
                .map(|d| crate::fsutil::cleanup::remove_on_interrupt(d))
                .collect();
            removals.push(crate::fsutil::cleanup::remove_on_interrupt(&lock));
            return Ok(FileLock {
                path: lock,
                file: Some(file),
                created,
                _removals: removals,
            });
        }
        if started.elapsed() >= FILE_LOCK_WAIT {
            for dir in created.iter().rev() {
                if std::fs::remove_dir(dir).is_err() {
                    break;
                }
            }
            return Err(Error::TimedOut {
                message: format!(
                    "another stauth command is changing {} (it holds {}); gave up after waiting {} s",
                    Untrusted(&path.to_string_lossy()),
                    Untrusted(&lock.to_string_lossy()),
                    FILE_LOCK_WAIT.as_secs()
                ),
                hint: "Nothing was changed. Let the other command finish (it may be waiting for an answer in another terminal), then run the same command again.".into(),
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
}

/// The lock file, locked; None while another process holds it.
#[cfg(unix)]
fn acquire(path: &Path) -> std::io::Result<Option<File>> {
    use std::os::unix::fs::MetadataExt;
    let file = open(path)?;
    if !try_lock(&file)? {
        return Ok(None);
    }
    // The holder may have removed it as we got it: then lock the new one.
    let same = match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    };
    if same {
        Ok(Some(file))
    } else {
        acquire(path)
    }
}

/// Without flock: the lock file's existence is the lock (a crash leaves it;
/// the timeout message names it).
#[cfg(not(unix))]
fn acquire(path: &Path) -> std::io::Result<Option<File>> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        // A link planted at the lock's name is not followed.
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
}

/// Whether the lock was taken (false: another process holds it).
#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a descriptor we own.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::Interrupted {
        Ok(false)
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn one_holder_at_a_time_and_nothing_left() {
        let dir = tempfile::tempdir().unwrap();
        // Folders made for the lock go again with it when nothing was written.
        let deep = dir.path().join("a/b/secrets.toml");
        drop(lock(&deep).unwrap());
        assert!(!dir.path().join("a").exists());
        let target = dir.path().join(".streamlit").join("secrets.toml");
        let held = lock(&target).unwrap();
        let lock_file = dir.path().join(".streamlit/.stauth-secrets.toml.lock");
        assert!(lock_file.exists());
        // A second descriptor (as another process would have) cannot take it.
        let other = open(&lock_file).unwrap();
        assert!(!try_lock(&other).unwrap());
        drop(other);
        drop(held);
        assert!(!lock_file.exists(), "the lock file stays behind");
        let again = lock(&target).unwrap();
        drop(again);
        assert!(!dir.path().join(".streamlit").exists());
    }
}
