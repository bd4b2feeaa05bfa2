//! Starting a command (e.g. `streamlit run app.py`) with a private secrets
//! file listed last in `STREAMLIT_SECRETS_FILES`, so its `[auth]` wins over
//! the project's: `stauth run` (secrets from the keychain) and
//! `stauth dev-provider -- COMMAND` (an `[auth]` for the dev provider) share it.
//!
//! The file is written (mode 0600) in a private temporary folder (mode 0700;
//! under `$XDG_RUNTIME_DIR`, which is in memory, when there is one), removed
//! when COMMAND exits, and at once when stauth is interrupted. Only SIGKILL
//! (or a crash) can leave the folder behind; it dies with the session under
//! `$XDG_RUNTIME_DIR`, and elsewhere the next run removes it: the folder's
//! name carries stauth's process id (`stauth-run-PID-XXXXXX`), and a folder
//! whose process is gone is removed, after checking it is one of stauth's
//! (owned by this user, holding only what stauth puts there) and that no
//! process holds its lock (each run flocks its folder; the kernel drops that
//! lock when the run dies).

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::output::Output;

/// Exit status when COMMAND cannot be found / executed, as shells report it.
const NOT_FOUND_EXIT: i32 = 127;
const NOT_EXECUTABLE_EXIT: i32 = 126;

/// Runs `command` (whose program is `program`) with `STREAMLIT_SECRETS_FILES`
/// listing the existing `files` and, last, a private file holding `private`;
/// without `private` the environment is left as it is. Signals pass on to
/// COMMAND; the private file is gone when this returns, on every path.
/// Returns COMMAND's exit status as a shell reports it (127/126, said on
/// stderr, when it cannot start).
pub fn run_with_secrets(
    mut command: Command,
    program: &Path,
    files: &[PathBuf],
    private: Option<&str>,
    out: &Output,
) -> Result<i32> {
    let private = match private {
        None => None,
        Some(contents) => {
            let dir = PrivateDir::create(contents)?;
            let mut listed: Vec<OsString> = Vec::new();
            for (i, f) in files.iter().filter(|f| f.exists()).enumerate() {
                listed.push(dir.listable(f, i)?.into_os_string());
            }
            listed.push(dir.file().as_os_str().to_owned());
            command.env("STREAMLIT_SECRETS_FILES", join_with_spaces(&listed));
            Some(dir)
        }
    };

    let guard = Arc::new(Mutex::new(private));
    let status = signals::run_forwarding(&mut command, Arc::clone(&guard)).map_err(|e| {
        let code = match e.kind() {
            std::io::ErrorKind::NotFound => NOT_FOUND_EXIT,
            std::io::ErrorKind::PermissionDenied => NOT_EXECUTABLE_EXIT,
            _ => 1,
        };
        (e, code)
    });
    // Remove the secrets before anything else.
    drop(guard.lock().unwrap_or_else(|p| p.into_inner()).take());
    match status {
        Ok(code) => Ok(code),
        Err((e, code)) => {
            out.error(format!("cannot start {}: {e}", program.display()));
            Ok(code)
        }
    }
}

/// Streamlit splits `STREAMLIT_SECRETS_FILES` on whitespace.
fn join_with_spaces(paths: &[OsString]) -> OsString {
    let mut joined = OsString::new();
    for (i, p) in paths.iter().enumerate() {
        if i > 0 {
            joined.push(" ");
        }
        joined.push(p);
    }
    joined
}

/// The private folder and the secrets file in it; removed on drop.
struct PrivateDir {
    dir: tempfile::TempDir,
    /// The folder itself, flock'ed while this run lives: another run's
    /// clean-up leaves it alone even when it cannot see this process (a
    /// container sharing /tmp).
    _held: Option<std::fs::File>,
}

impl PrivateDir {
    fn create(contents: &str) -> Result<Self> {
        let base = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|d| d.is_absolute() && d.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        #[cfg(unix)]
        stale::remove_stale(&base);
        let prefix = format!("{}{}-", stale::PREFIX, std::process::id());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = builder
            .tempdir_in(&base)
            .map_err(|source| Error::WriteFile {
                path: base.clone(),
                source,
            })?;
        #[cfg(unix)]
        let held = stale::hold(dir.path());
        #[cfg(not(unix))]
        let held = None;
        let private = PrivateDir { dir, _held: held };
        let path = private.file();
        let err = |source| Error::WriteFile {
            path: path.clone(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&path).map_err(err)?;
        file.write_all(contents.as_bytes()).map_err(err)?;
        Ok(private)
    }

    /// The secrets file; Streamlit only reads paths that end in `.toml`.
    fn file(&self) -> PathBuf {
        self.dir.path().join("secrets.toml")
    }

    /// `path` as it can go in `STREAMLIT_SECRETS_FILES`: itself, or a link to
    /// it from this folder when it holds whitespace (Streamlit splits there).
    fn listable(&self, path: &Path, i: usize) -> Result<PathBuf> {
        if !path.to_string_lossy().chars().any(char::is_whitespace) {
            return Ok(path.to_path_buf());
        }
        let link = self.dir.path().join(format!("project-{i}.toml"));
        #[cfg(unix)]
        std::os::unix::fs::symlink(path, &link).map_err(|source| Error::WriteFile {
            path: link.clone(),
            source,
        })?;
        #[cfg(not(unix))]
        std::fs::copy(path, &link).map_err(|source| Error::WriteFile {
            path: link.clone(),
            source,
        })?;
        Ok(link)
    }
}

type Guard = Arc<Mutex<Option<PrivateDir>>>;

mod stale {
    //! Folders `stauth run` left behind when it was killed.

    #[cfg(unix)]
    use std::path::Path;

    /// The start of the private folder's name; the process id follows.
    pub const PREFIX: &str = "stauth-run-";

    /// The process id in a name `stauth-run-PID-XXXXXX` (tempfile's six
    /// random letters and digits), or None for any other name.
    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn owner_pid(name: &str) -> Option<u32> {
        let rest = name.strip_prefix(PREFIX)?;
        let (pid, random) = rest.split_once('-')?;
        let valid = !pid.is_empty()
            && pid.len() <= 10
            && pid.bytes().all(|b| b.is_ascii_digit())
            && random.len() == 6
            && random.bytes().all(|b| b.is_ascii_alphanumeric());
        valid.then(|| pid.parse().ok()).flatten()
    }

    /// Whether the only entries are what `PrivateDir` creates: the regular
    /// file `secrets.toml` and links `project-N.toml`.
    pub fn holds_only_stauth_files(dir: &Path) -> bool {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return false;
        };
        entries.into_iter().all(|e| {
            let Ok(e) = e else { return false };
            let Ok(ft) = e.file_type() else { return false };
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name == "secrets.toml" {
                return ft.is_file();
            }
            let n = name
                .strip_prefix("project-")
                .and_then(|r| r.strip_suffix(".toml"));
            ft.is_symlink()
                && n.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
    }

    /// Removes, in `base`, the private folders of `stauth run` processes
    /// that are gone. Anything else stays: other names, files, links,
    /// folders of another user, of a live process (or one this user cannot
    /// see), or holding something stauth does not put there.
    #[cfg(unix)]
    pub fn remove_stale(base: &Path) {
        use std::os::unix::fs::MetadataExt;
        let Ok(entries) = std::fs::read_dir(base) else {
            return;
        };
        // SAFETY: geteuid has no preconditions.
        let me = unsafe { libc::geteuid() };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(owner_pid) else {
                continue;
            };
            if pid == std::process::id() || alive(pid) {
                continue;
            }
            let path = entry.path();
            // symlink_metadata: a link named like a folder is not followed.
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if !meta.is_dir() || meta.uid() != me || !holds_only_stauth_files(&path) {
                continue;
            }
            // Held while removing, so a run cannot start using it meanwhile.
            let Some(_held) = hold(&path) else {
                continue;
            };
            let _ = std::fs::remove_dir_all(&path);
        }
    }

    /// The folder, opened and flock'ed; None when another process holds it
    /// (or the file system cannot lock folders: then nobody removes it).
    #[cfg(unix)]
    pub fn hold(dir: &Path) -> Option<std::fs::File> {
        use std::os::unix::io::AsRawFd;
        let file = std::fs::File::open(dir).ok()?;
        // SAFETY: flock on a descriptor we own.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        locked.then_some(file)
    }

    /// Whether process `pid` exists (a process of another user counts).
    #[cfg(unix)]
    fn alive(pid: u32) -> bool {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        if pid <= 0 {
            return true;
        }
        // SAFETY: signal 0 only checks that the process exists.
        if unsafe { libc::kill(pid, 0) } == 0 {
            return true;
        }
        std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn names() {
            assert_eq!(owner_pid("stauth-run-1234-aB3xYz"), Some(1234));
            assert_eq!(owner_pid("stauth-run-1234-aB3xY"), None);
            assert_eq!(owner_pid("stauth-run-aB3xYz"), None);
            assert_eq!(owner_pid("stauth-run--aB3xYz"), None);
            assert_eq!(owner_pid("stauth-run-12x4-aB3xYz"), None);
            assert_eq!(owner_pid("other-1234-aB3xYz"), None);
            assert_eq!(owner_pid("stauth-run-99999999999-aB3xYz"), None);
        }
    }
}

#[cfg(unix)]
mod signals {
    //! Ctrl-C, SIGTERM, SIGHUP and SIGQUIT while COMMAND runs: stauth removes
    //! the secrets at once and passes the signal on to COMMAND, then waits for
    //! it. A signal the terminal sent (Ctrl-C) already reached COMMAND, which
    //! is in the same foreground process group, so it is not sent twice.

    use std::process::Command;
    use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

    use signal_hook::iterator::exfiltrator::WithRawSiginfo;
    use signal_hook::iterator::SignalsInfo;

    use super::Guard;

    const SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

    /// Where a signal goes: COMMAND once it runs; until then it waits in
    /// `early`. One lock, so a signal arriving while COMMAND starts is not lost.
    #[derive(Default)]
    struct Target {
        child: Option<libc::pid_t>,
        early: Option<libc::c_int>,
    }

    fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the kernel (the terminal driver) sent the signal, as opposed to
    /// a process calling kill().
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn sent_by_terminal(info: &libc::siginfo_t) -> bool {
        info.si_code == libc::SI_KERNEL
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn sent_by_terminal(info: &libc::siginfo_t) -> bool {
        // SAFETY: every signal caught here carries a sender pid (0: the kernel).
        unsafe { info.si_pid() == 0 }
    }

    fn send(pid: libc::pid_t, sig: libc::c_int) {
        // SAFETY: kill only takes plain integers.
        unsafe {
            libc::kill(pid, sig);
        }
    }

    /// Runs `command`, forwarding signals and removing the secrets as soon as
    /// one arrives; returns COMMAND's exit status as a shell reports it.
    pub fn run_forwarding(command: &mut Command, guard: Guard) -> std::io::Result<i32> {
        // An ignored signal stays ignored: COMMAND inherits it so, as it
        // would without stauth.
        let caught = SIGNALS
            .into_iter()
            .filter(|&sig| !crate::interrupt::is_ignored(sig));
        let mut signals = SignalsInfo::<WithRawSiginfo>::new(caught)?;
        let target = Arc::new(Mutex::new(Target::default()));
        let watched = Arc::clone(&target);
        std::thread::spawn(move || {
            for info in signals.forever() {
                if !sent_by_terminal(&info) {
                    let mut t = lock(&watched);
                    match t.child {
                        Some(pid) => send(pid, info.si_signo),
                        None => t.early = Some(info.si_signo),
                    }
                }
                // Interrupted: the secrets go now, whatever COMMAND does next.
                drop(lock(&guard).take());
            }
        });
        let mut child = command.spawn()?;
        {
            let mut t = lock(&target);
            let pid = child.id() as libc::pid_t;
            t.child = Some(pid);
            if let Some(sig) = t.early.take() {
                send(pid, sig);
            }
        }
        let status = child.wait();
        // Reaped: its pid may belong to another process from now on.
        lock(&target).child = None;
        let status = status?;
        use std::os::unix::process::ExitStatusExt;
        Ok(status
            .code()
            .or_else(|| status.signal().map(|s| 128 + s))
            .unwrap_or(1))
    }
}

#[cfg(not(unix))]
mod signals {
    use std::process::Command;

    use super::Guard;

    /// Ctrl-C reaches every process of the console; stauth removes the
    /// secrets and waits for COMMAND to exit.
    pub fn run_forwarding(command: &mut Command, guard: Guard) -> std::io::Result<i32> {
        let g = guard.clone();
        let _ = ctrlc::set_handler(move || {
            drop(g.lock().unwrap_or_else(|p| p.into_inner()).take());
        });
        let status = command.spawn()?.wait()?;
        Ok(status.code().unwrap_or(1))
    }
}
