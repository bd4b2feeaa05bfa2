//! Ctrl-C during a prompt: put the terminal back the way it was (a hidden
//! password prompt turns echo off) and exit 130 with nothing written.

use std::io::Write;
use std::sync::Once;

/// Exit status after Ctrl-C (128 + SIGINT), as shells report it.
pub const INTERRUPTED_EXIT: i32 = 130;

static INSTALL: Once = Once::new();

/// Installs the handler once per process. Files are only written after the
/// last prompt, so exiting here never leaves a half-written file.
pub fn restore_terminal_on_interrupt() {
    INSTALL.call_once(|| {
        let saved = TerminalState::save();
        let _ = ctrlc::set_handler(move || {
            saved.restore();
            let mut err = std::io::stderr();
            // Show the cursor again; prompts hide it.
            let _ = write!(err, "\x1b[?25h\ncancelled: nothing was written\n");
            let _ = err.flush();
            std::process::exit(INTERRUPTED_EXIT);
        });
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
