//! Ctrl-C, SIGTERM and SIGHUP: put the terminal back the way it was (a hidden
//! password prompt turns echo off), remove the temporary files stauth is
//! writing (they can hold a client secret) and exit 128 + the signal number.
//!
//! The signal handler itself only writes a byte to a pipe; a thread does the
//! rest, so the clean-up may take locks and allocate. Files are created and
//! renamed into place while that thread is held off ([`create_removable`],
//! [`commit`]): an interruption comes before a rename (the temporary file
//! goes, the old file stays) or after it (the new file stays), never between.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once, OnceLock};

/// Exit status after Ctrl-C (128 + SIGINT), as shells report it.
pub const INTERRUPTED_EXIT: i32 = 130;

static INSTALL: Once = Once::new();
/// The terminal settings to restore; set by [`restore_terminal_on_interrupt`].
static TERMINAL: OnceLock<TerminalState> = OnceLock::new();
static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    remove: Vec::new(),
    written: Vec::new(),
});

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

/// Installs the handler once per process and restores the terminal on
/// interruption. Call before a prompt.
pub fn restore_terminal_on_interrupt() {
    TERMINAL.get_or_init(TerminalState::save);
    install();
}

/// Removes `path` when stauth is interrupted, until the returned guard is
/// dropped.
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
    install();
    let mut reg = registry();
    let (value, path) = create()?;
    reg.remove.push(path.clone());
    Ok((value, Removal { path }))
}

/// Removes `path` on interruption until the guard is dropped (for a file
/// that already exists and that this process alone may remove).
pub fn remove_on_interrupt(path: &Path) -> Removal {
    install();
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

/// What the interruption does, on the clean-up thread: remove the files,
/// restore the terminal, say what was and was not written, exit.
fn on_interrupt(signal: i32) -> ! {
    let reg = registry();
    // Newest first: a lock file goes before the folder made for it.
    for path in reg.remove.iter().rev() {
        if std::fs::remove_file(path).is_err() {
            // A folder made for a lock: removed only when empty.
            let _ = std::fs::remove_dir(path);
        }
    }
    let mut err = std::io::stderr();
    if let Some(saved) = TERMINAL.get() {
        saved.restore();
        // Show the cursor again; prompts hide it.
        let _ = writeln!(err, "\x1b[?25h");
    }
    let what = if signal == SIGINT {
        "cancelled".to_string()
    } else {
        format!("stopped by signal {signal}")
    };
    let written = if reg.written.is_empty() {
        "nothing was written".to_string()
    } else {
        let names: Vec<String> = reg
            .written
            .iter()
            .map(|p| crate::untrusted::escape(&p.display().to_string()).into_owned())
            .collect();
        format!(
            "{} had been written already; nothing else was",
            names.join(", ")
        )
    };
    let _ = writeln!(err, "{what}: {written}");
    let _ = err.flush();
    std::process::exit(128 + signal);
}

#[cfg(unix)]
const SIGINT: i32 = libc::SIGINT;
#[cfg(not(unix))]
const SIGINT: i32 = 2;

#[cfg(unix)]
fn install() {
    use std::sync::atomic::{AtomicI32, Ordering};

    static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

    extern "C" fn on_signal(sig: libc::c_int) {
        // Only async-signal-safe calls here: write.
        let fd = PIPE_WRITE.load(Ordering::SeqCst);
        if fd >= 0 {
            let byte = sig as u8;
            unsafe {
                libc::write(fd, (&byte as *const u8).cast(), 1);
            }
        }
    }

    INSTALL.call_once(|| {
        let mut fds = [-1; 2];
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return;
        }
        let (read_fd, write_fd) = (fds[0], fds[1]);
        unsafe {
            libc::fcntl(read_fd, libc::F_SETFD, libc::FD_CLOEXEC);
            libc::fcntl(write_fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
        PIPE_WRITE.store(write_fd, Ordering::SeqCst);
        std::thread::spawn(move || loop {
            let mut byte = 0u8;
            let n = unsafe { libc::read(read_fd, (&mut byte as *mut u8).cast(), 1) };
            if n == 1 {
                on_interrupt(i32::from(byte));
            } else if n == 0
                || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
            {
                break;
            }
        });
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                // An ignored signal stays ignored (nohup).
                if libc::sigaction(sig, std::ptr::null(), &mut old) == 0
                    && old.sa_sigaction == libc::SIG_IGN
                {
                    continue;
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as usize;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
        }
    });
}

#[cfg(not(unix))]
fn install() {
    INSTALL.call_once(|| {
        let _ = ctrlc::set_handler(|| on_interrupt(SIGINT));
    });
}

#[cfg(unix)]
struct TerminalState(Option<libc::termios>);

#[cfg(unix)]
impl TerminalState {
    fn save() -> Self {
        // SAFETY: tcgetattr only writes into the zeroed struct we own.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut t) == 0 {
                TerminalState(Some(t))
            } else {
                TerminalState(None)
            }
        }
    }

    fn restore(&self) {
        if let Some(t) = &self.0 {
            // SAFETY: restores settings read by tcgetattr on the same descriptor.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t);
            }
        }
    }
}

#[cfg(not(unix))]
struct TerminalState;

#[cfg(not(unix))]
impl TerminalState {
    fn save() -> Self {
        TerminalState
    }

    fn restore(&self) {}
}
