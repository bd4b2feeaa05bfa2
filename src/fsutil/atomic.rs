//! Atomic file writes: a temporary file next to the file, flushed to disk,
//! then renamed over it, so readers (Streamlit reloads secrets.toml when it
//! changes) see the old or the new file and never half of one.
//!
//! What the old file was stays as it was:
//! - a symbolic link is written through: the temporary file goes next to the
//!   link's final target and is renamed over the target, so the link stays a
//!   link and everything sharing the target sees the new contents;
//! - the owner, the group and the permission bits are carried over to the new
//!   file (a file `root` writes for the app's user stays the app's user's; a
//!   mode is never widened); a new file gets the caller's mode;
//! - a file with other hard links is refused: a rename would leave the other
//!   names with the old contents, and writing in place would give up the
//!   all-or-nothing write;
//! - a read-only file is refused unless the caller says to replace it anyway
//!   (it stays read-only), and so is anything that is not a regular file.
//!
//! Temporary files are named `.stauth-*.tmp` (`stauth init`'s .gitignore
//! rule covers that name), are removed on every error, and on Ctrl-C/SIGTERM
//! (see `cleanup`).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::untrusted::Untrusted;

/// Every file stauth creates next to a file it writes starts with this
/// (temporary copies and lock files), so one ignore rule covers them all.
pub const TEMP_PREFIX: &str = ".stauth-";
const TEMP_SUFFIX: &str = ".tmp";

/// Test-only: milliseconds to wait between writing the temporary file and
/// renaming it, so that tests can interrupt stauth in the middle of a write.
/// Not a user setting (the README does not list it).
const PAUSE_BEFORE_RENAME_ENV: &str = "STAUTH_TEST_PAUSE_BEFORE_RENAME_MS";

/// How a file is written.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// Unix permissions of a new file (an existing file keeps its own).
    pub new_mode: Option<u32>,
    /// Replace a read-only file (it stays read-only); otherwise it is refused.
    pub replace_read_only: bool,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Written {
    /// The file that got the new contents: the path itself, or the final
    /// target when the path is a symbolic link.
    pub target: PathBuf,
    /// Whether `target` differs from the path (written through a link).
    pub through_link: bool,
    /// The file's Unix permissions now.
    pub mode: Option<u32>,
}

/// Writes `contents` to `path` atomically; `mode` is the mode of a new file.
/// A read-only file is refused (see [`replace_file`]).
pub fn write_atomic(path: &Path, contents: &[u8], mode: Option<u32>) -> Result<()> {
    replace_file(
        path,
        contents,
        &WriteOptions {
            new_mode: mode,
            replace_read_only: false,
        },
    )
    .map(|_| ())
}

/// The file a write to `path` changes: `path`, or its symbolic links
/// followed to the end (the target may not exist yet). A relative link is
/// relative to the link's folder, as the kernel reads it.
pub fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // The kernel's own limit (MAXSYMLINKS) is 40.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = if target.is_absolute() {
                    target
                } else {
                    parent_dir(&current).join(target)
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// The folder a file is in (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `contents` to `path` atomically, keeping what the old file was
/// (see the module documentation). Parent folders of a plain path are
/// created; a link's target folder must exist.
pub fn replace_file(path: &Path, contents: &[u8], opts: &WriteOptions) -> Result<Written> {
    let err = |source| Error::WriteFile {
        path: path.to_path_buf(),
        source,
    };
    let target = resolve_links(path).map_err(err)?;
    let through_link = target != path;
    let existing = match std::fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(err(source)),
    };
    if let Some(meta) = &existing {
        check_replaceable(path, &target, meta, opts)?;
    }
    let dir = parent_dir(&target);
    if !through_link {
        std::fs::create_dir_all(dir).map_err(err)?;
    }

    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A new file gets its mode at once; the copy of an existing file
        // stays owner-only until its owner and mode are carried over below.
        let mode = match (&existing, opts.new_mode) {
            (None, Some(mode)) => mode,
            _ => 0o600,
        };
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let (tmp, removal) = crate::fsutil::cleanup::create_removable(|| {
        let tmp = builder.tempfile_in(dir)?;
        let p = tmp.path().to_path_buf();
        Ok((tmp, p))
    })
    .map_err(err)?;
    // Fields drop in order: on an error the file goes before its guard.
    let mut guarded = Guarded {
        tmp,
        _removal: removal,
    };
    guarded.tmp.write_all(contents).map_err(err)?;
    #[cfg(unix)]
    if let Some(meta) = &existing {
        keep_owner_and_mode(path, guarded.tmp.as_file(), meta)?;
    }
    guarded.tmp.as_file().sync_all().map_err(err)?;
    pause_for_tests();
    let tmp = guarded.tmp;
    crate::fsutil::cleanup::commit(&target, || tmp.persist(&target)).map_err(|e| err(e.error))?;
    sync_dir(dir);
    // Through a link: the real path, for messages (not `a/../../b`).
    let target = if through_link {
        std::fs::canonicalize(&target).unwrap_or(target)
    } else {
        target
    };
    Ok(Written {
        mode: file_mode(&target),
        target,
        through_link,
    })
}

/// A temporary file and its removal on interruption, dropped in that order.
struct Guarded {
    tmp: tempfile::NamedTempFile,
    _removal: crate::fsutil::cleanup::Removal,
}

/// Refuses what must not be replaced, before anything is written.
fn check_replaceable(
    path: &Path,
    target: &Path,
    meta: &std::fs::Metadata,
    opts: &WriteOptions,
) -> Result<()> {
    let shown = Untrusted(&path.to_string_lossy()).to_string();
    let link_note = if target != path {
        format!(" (a link to {})", Untrusted(&target.to_string_lossy()))
    } else {
        String::new()
    };
    if !meta.is_file() {
        return Err(Error::Input {
            message: format!(
                "cannot write {shown}{link_note}: it is {}, not a regular file",
                kind(meta)
            ),
            hint: "Nothing was changed. Give the path of a regular file (or of one that does not exist yet).".into(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            let others = meta.nlink() - 1;
            // Absolute: `ln -s` stores the text it is given, relative to the new link.
            let absolute = std::path::absolute(target).unwrap_or_else(|_| target.to_path_buf());
            let target_shown = Untrusted(&absolute.to_string_lossy()).to_string();
            return Err(Error::Input {
                message: format!(
                    "cannot write {shown}{link_note}: it has {others} other hard link{} (other names for the same file), which would keep the old contents",
                    if others == 1 { "" } else { "s" }
                ),
                hint: format!(
                    "Nothing was changed. stauth replaces a file by renaming a complete new copy over it, so that no reader ever sees half a file; a hard link cannot follow that. \
                     Make the other names symbolic links instead (`find / -xdev -samefile {target_shown}` lists them; `ln -sf {target_shown} OTHER`), \
                     or give this name its own copy (`cp -p {target_shown} {target_shown}.copy && mv {target_shown}.copy {target_shown}`), then run the same command again."
                ),
            });
        }
        if meta.mode() & 0o200 == 0 && !opts.replace_read_only {
            return Err(Error::Input {
                message: format!(
                    "cannot write {shown}{link_note}: it is read-only (mode {:04o}), so stauth leaves it as it is",
                    meta.mode() & 0o7777
                ),
                hint: format!(
                    "Nothing was changed. To change it, make it writable (`chmod u+w {}`) and run the same command again, or add --force to replace it anyway (it stays read-only).",
                    Untrusted(&target.to_string_lossy())
                ),
            });
        }
    }
    #[cfg(not(unix))]
    if meta.permissions().readonly() && !opts.replace_read_only {
        return Err(Error::Input {
            message: format!("cannot write {shown}{link_note}: it is read-only, so stauth leaves it as it is"),
            hint: "Nothing was changed. Make it writable and run the same command again, or add --force to replace it anyway.".into(),
        });
    }
    Ok(())
}

/// Gives the new copy the old file's owner, group and permission bits. When
/// the owner cannot be kept (only root can give a file away), the write is
/// refused: replacing the file would change who owns it.
#[cfg(unix)]
fn keep_owner_and_mode(path: &Path, tmp: &std::fs::File, old: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::os::unix::io::AsRawFd;
    let err = |source| Error::WriteFile {
        path: path.to_path_buf(),
        source,
    };
    let now = tmp.metadata().map_err(err)?;
    if now.uid() != old.uid() || now.gid() != old.gid() {
        // SAFETY: fchown on a descriptor we own.
        if unsafe { libc::fchown(tmp.as_raw_fd(), old.uid(), old.gid()) } != 0 {
            let source = std::io::Error::last_os_error();
            return Err(Error::Input {
                message: format!(
                    "cannot write {}: it belongs to user {} (group {}), and stauth, running as user {}, cannot give a new copy that owner ({source})",
                    Untrusted(&path.to_string_lossy()),
                    old.uid(),
                    old.gid(),
                    now.uid()
                ),
                hint: format!(
                    "Nothing was changed. Run the command as the file's owner (`sudo -u '#{}' stauth ...`) or as root, which keeps the owner.",
                    old.uid()
                ),
            });
        }
    }
    // After fchown, which may clear set-id bits; never wider than before.
    tmp.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))
        .map_err(err)
}

/// Makes the rename itself durable (best effort: not every platform can
/// open a folder).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn pause_for_tests() {
    if let Some(ms) = std::env::var(PAUSE_BEFORE_RENAME_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// A file's permission bits (None off Unix).
pub fn file_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

fn kind(meta: &std::fs::Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect()
    }

    #[test]
    fn writes_with_mode_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("f.toml");
        write_atomic(&path, b"one", Some(0o600)).unwrap();
        write_atomic(&path, b"two", Some(0o600)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(file_mode(&path).map(|m| m & 0o777), Some(0o600));
        assert!(leftovers(path.parent().unwrap()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn links_modes_and_read_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        // A relative link through a second link.
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::os::unix::fs::symlink("../real.toml", sub.join("one")).unwrap();
        std::os::unix::fs::symlink("sub/one", dir.path().join("two")).unwrap();
        let w = write_atomic(&dir.path().join("two"), b"new", Some(0o600));
        assert!(w.is_ok(), "{w:?}");
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert!(std::fs::symlink_metadata(dir.path().join("two"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(file_mode(&real), Some(0o640));

        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o440)).unwrap();
        let e = write_atomic(&real, b"x", None).unwrap_err();
        assert!(e.to_string().contains("read-only (mode 0440)"), "{e}");
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        let opts = WriteOptions {
            new_mode: None,
            replace_read_only: true,
        };
        replace_file(&real, b"forced", &opts).unwrap();
        assert_eq!(std::fs::read(&real).unwrap(), b"forced");
        assert_eq!(file_mode(&real), Some(0o440));

        let hard = dir.path().join("hard");
        std::fs::hard_link(&real, &hard).unwrap();
        let e = replace_file(&hard, b"x", &opts).unwrap_err();
        assert!(e.to_string().contains("1 other hard link"), "{e}");
        assert!(leftovers(dir.path()).is_empty());

        let e = write_atomic(&sub, b"x", None).unwrap_err();
        assert!(e.to_string().contains("a folder"), "{e}");
    }
}
