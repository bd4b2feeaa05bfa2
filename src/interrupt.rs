//! Ctrl-C, SIGTERM and SIGHUP: put the terminal back the way it was (a hidden
//! password prompt turns echo off), remove the temporary files stauth is
//! writing (they can hold a client secret; `fsutil::cleanup` lists them) and
//! exit 128 + the signal number.
//!
//! The handlers are installed lazily, when the first such file is made or
//! before a prompt: until then a signal has its default effect. The clean-up
//! runs on a thread, so it may take locks and allocate.

use std::io::Write;
use std::sync::{Once, OnceLock};

use crate::fsutil::cleanup;

static INSTALL: Once = Once::new();
/// The terminal settings to restore; set by [`restore_terminal_on_interrupt`].
static TERMINAL: OnceLock<TerminalState> = OnceLock::new();

/// Makes the file registry install the handlers on first use; call once at
/// start-up.
pub fn arm() {
    cleanup::on_first_use(install);
}

/// Installs the handler once per process and restores the terminal on
/// interruption. Call before a prompt.
pub fn restore_terminal_on_interrupt() {
    TERMINAL.get_or_init(TerminalState::save);
    install();
}

/// For a command that handles SIGINT, SIGTERM and SIGHUP itself (it stops a
/// server or passes the signal on to a child first): the handler that exits
/// at once is never installed in this process.
pub fn leave_signals_to_the_command() {
    INSTALL.call_once(|| {});
}

/// What the interruption does, on the signal thread: remove the files,
/// restore the terminal, say what was and was not written, exit.
fn on_interrupt(signal: i32) -> ! {
    // Held until exit: nothing more is written meanwhile.
    let done = cleanup::interrupted();
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
    let written = if done.written().is_empty() {
        "nothing was written".to_string()
    } else {
        let names: Vec<String> = done
            .written()
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

/// Whether `sig` is ignored, as `nohup` leaves SIGHUP: such a signal must
/// stay ignored (and a child inherits it so), so no handler goes on it.
#[cfg(unix)]
pub fn is_ignored(sig: libc::c_int) -> bool {
    // SAFETY: a null new action only reads the current one into `old`.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

#[cfg(unix)]
fn install() {
    INSTALL.call_once(|| {
        let caught = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP]
            .into_iter()
            .filter(|&sig| !is_ignored(sig));
        let Ok(mut signals) = signal_hook::iterator::Signals::new(caught) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                on_interrupt(sig);
            }
        });
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
