//! Typing into a prompt that runs in a pseudo-terminal.

use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use rexpect::session::{spawn_command, PtySession};

use super::Sandbox;

/// Waits until the program turned echo off on its terminal: dialoguer does
/// that when a select or hidden prompt starts reading keys, and its hidden
/// prompt flushes whatever was typed before (TCSAFLUSH), so keys must come
/// after it.
pub fn wait_for_key_reader(p: &PtySession) {
    let master = p.process().get_file_handle().expect("pty master");
    let mut name = [0 as libc::c_char; 128];
    // SAFETY: the buffer outlives the call and its length is passed along.
    let rc = unsafe { libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len()) };
    assert_eq!(rc, 0, "ptsname_r failed");
    // SAFETY: ptsname_r wrote a NUL-terminated path into the buffer.
    let slave = unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) }
        .to_string_lossy()
        .into_owned();
    let started = Instant::now();
    loop {
        // The slave side holds the program's settings; the master has its own.
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(&slave)
            .expect("open the pty's terminal side");
        let mut t = std::mem::MaybeUninit::<libc::termios>::uninit();
        // SAFETY: tcgetattr fills the termios on success, checked before use.
        let echo = unsafe {
            assert_eq!(libc::tcgetattr(tty.as_raw_fd(), t.as_mut_ptr()), 0);
            t.assume_init().c_lflag & libc::ECHO != 0
        };
        drop(tty);
        if !echo {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the prompt never started reading keys"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `stauth ARGS` in `sb` on a pseudo-terminal of 50 rows and 200 columns (a
/// pty starts with no size; a terminal window has one), TERM=xterm, no
/// colour, 20 s per expectation.
pub fn stauth_in_pty(sb: &Sandbox, args: &[&str]) -> PtySession {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("stty rows 50 cols 200 && exec \"$0\" \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("stauth"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sb.home())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .current_dir(sb.path());
    spawn_command(cmd, Some(20_000)).expect("spawn stauth in a pty")
}
