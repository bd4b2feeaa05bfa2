//! Opening the login URL: a command of the user's (`--browser-command`, the
//! URL as its last argument), the system browser (the `webbrowser` crate,
//! which honours `BROWSER`), or nowhere (`--no-browser`: the URL is printed).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

/// The end of the browser command's stderr kept for the timeout message.
const STDERR_TAIL_BYTES: usize = 4096;

pub enum Opened {
    /// A command we started; its stderr is kept for the timeout message.
    Command {
        child: Child,
        stderr: Arc<Mutex<String>>,
    },
    System,
    /// Not opened: the user opens the printed URL.
    Printed,
}

impl Opened {
    /// A sentence about the browser command when the wait timed out.
    pub fn timeout_note(&mut self) -> Option<String> {
        let Opened::Command { child, stderr } = self else {
            return None;
        };
        let status = child.try_wait().ok().flatten()?;
        if status.success() {
            return None;
        }
        let text = stderr.lock().map(|s| s.clone()).unwrap_or_default();
        // The browser's own output may quote pages and URLs: shown escaped.
        let tail: Vec<_> = text.lines().rev().take(3).collect();
        let tail: Vec<String> = tail
            .into_iter()
            .rev()
            .map(|l| crate::output::untrusted(l).into_owned())
            .collect();
        Some(format!(
            "The browser command exited with {status}{}",
            if tail.is_empty() {
                String::new()
            } else {
                format!(": {}", tail.join(" / "))
            }
        ))
    }
}

impl Drop for Opened {
    fn drop(&mut self) {
        if let Opened::Command { child, .. } = self {
            // Reap it if it finished; never leave a zombie behind.
            let _ = child.try_wait();
        }
    }
}

pub fn open(url: &str, command: Option<&str>, no_browser: bool) -> Result<Opened> {
    if no_browser {
        return Ok(Opened::Printed);
    }
    if let Some(command) = command {
        let words = shell_words::split(command).map_err(|e| Error::InvalidValue {
            what: "--browser-command".into(),
            value: command.into(),
            reason: e.to_string(),
        })?;
        let Some((program, args)) = words.split_first() else {
            return Err(Error::InvalidValue {
                what: "--browser-command".into(),
                value: command.into(),
                reason: "it is empty".into(),
            });
        };
        let mut child = Command::new(program)
            .args(args)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Error::InvalidValue {
                what: "--browser-command".into(),
                value: command.into(),
                reason: format!("cannot start {program}: {e}"),
            })?;
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(mut pipe) = child.stderr.take() {
            let sink = Arc::clone(&stderr);
            std::thread::spawn(move || {
                // Only the end is shown, so only the end is kept: a command
                // that writes without end costs no memory.
                let mut kept: Vec<u8> = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    match pipe.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => {
                            kept.extend_from_slice(&chunk[..n]);
                            if kept.len() > STDERR_TAIL_BYTES {
                                kept.drain(..kept.len() - STDERR_TAIL_BYTES);
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
                if let Ok(mut s) = sink.lock() {
                    *s = String::from_utf8_lossy(&kept).into_owned();
                }
            });
        }
        return Ok(Opened::Command { child, stderr });
    }
    match webbrowser::open(url) {
        Ok(()) => Ok(Opened::System),
        Err(_) => Ok(Opened::Printed),
    }
}
