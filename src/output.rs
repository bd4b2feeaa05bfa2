//! The one place that prints. Human text goes to stderr (coloured only when
//! stderr is a terminal and `NO_COLOR` is unset); data (JSON, listings,
//! generated files) goes to stdout. Write errors such as a closed pipe are
//! ignored: the command's exit code already says how it went.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use colored::Colorize;
use serde::Serialize;

use crate::finding::{Finding, Severity};

/// Whether anything was printed on stdout (so `main` does not add a second
/// JSON document after a command that printed its own before failing).
static STDOUT_USED: AtomicBool = AtomicBool::new(false);

/// Whether this process has printed data on stdout.
pub fn stdout_used() -> bool {
    STDOUT_USED.load(Ordering::Relaxed)
}

/// `--color` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorMode {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone)]
pub struct Output {
    json: bool,
}

impl Output {
    /// For commands whose colourful output is human text on stderr.
    pub fn new(color: ColorMode, json: bool) -> Self {
        Self::with_color(color, json, std::io::stderr().is_terminal())
    }

    /// For commands whose colourful output is data on stdout (decode).
    pub fn for_data(color: ColorMode, json: bool) -> Self {
        Self::with_color(color, json, std::io::stdout().is_terminal())
    }

    fn with_color(color: ColorMode, json: bool, terminal: bool) -> Self {
        let enabled = match color {
            ColorMode::Always => true,
            ColorMode::Never => false,
            ColorMode::Auto => {
                terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        };
        colored::control::set_override(enabled);
        Output { json }
    }

    /// Whether stderr is a terminal (for progress lines that redraw).
    pub fn stderr_is_terminal(&self) -> bool {
        std::io::stderr().is_terminal()
    }

    /// A progress line that redraws in place on a terminal.
    pub fn progress(&self, text: impl AsRef<str>) {
        let text = for_terminal(
            text.as_ref(),
            colored::control::SHOULD_COLORIZE.should_colorize(),
        );
        let _ = write!(std::io::stderr().lock(), "\r{text}\x1b[K");
    }

    /// Ends a progress line.
    pub fn end_progress(&self) {
        let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
    }

    /// Whether the command should print JSON on stdout.
    pub fn json_mode(&self) -> bool {
        self.json
    }

    /// A line of human text on stderr. Every human line passes here, so
    /// outside text that a command forgot to escape still cannot drive the
    /// terminal (see [`for_terminal`]).
    pub fn line(&self, text: impl AsRef<str>) {
        let text = for_terminal(
            text.as_ref(),
            colored::control::SHOULD_COLORIZE.should_colorize(),
        );
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    pub fn blank(&self) {
        self.line("");
    }

    pub fn heading(&self, text: impl AsRef<str>) {
        self.line(text.as_ref().bold().to_string());
    }

    pub fn success(&self, text: impl AsRef<str>) {
        self.line(format!("{} {}", "✓".green(), text.as_ref()));
    }

    pub fn warning(&self, text: impl AsRef<str>) {
        self.line(format!("{} {}", "warning:".yellow().bold(), text.as_ref()));
    }

    pub fn error(&self, text: impl AsRef<str>) {
        self.line(format!("{} {}", "error:".red().bold(), text.as_ref()));
    }

    /// Indented continuation text (hints, details).
    pub fn detail(&self, text: impl AsRef<str>) {
        for l in text.as_ref().lines() {
            self.line(format!("  {l}"));
        }
    }

    pub fn dim(&self, text: impl AsRef<str>) -> String {
        text.as_ref().dimmed().to_string()
    }

    pub fn finding(&self, f: &Finding) {
        let mark = match f.severity {
            Severity::Ok => "✓".green(),
            Severity::Info => "·".blue(),
            Severity::Warning => "!".yellow().bold(),
            Severity::Error => "✗".red().bold(),
        };
        // Findings quote outside text (issuers, paths, claim and section
        // names) and stay exact in JSON, so they are escaped here. The
        // message and the why are one line or paragraph each, so even a
        // newline in them is shown escaped and cannot forge a line; a fix
        // (a hint, maybe several lines) keeps its own line breaks.
        self.line(format!("  {mark} {}", untrusted(&f.message)));
        if let Some(why) = &f.why {
            self.line(format!("      {}", untrusted(why)));
        }
        if let Some(fix) = &f.fix {
            for (i, l) in fix.lines().enumerate() {
                let lead = if i == 0 { "fix:" } else { "    " };
                self.line(format!("      {} {}", lead.cyan(), untrusted(l)));
            }
        }
    }

    /// The findings that are not plain passes, under "Notes:" after a blank
    /// line; nothing when all passed.
    pub fn notes(&self, findings: &[Finding]) {
        let mut notable = findings.iter().filter(|f| f.severity != Severity::Ok);
        let Some(first) = notable.next() else {
            return;
        };
        self.blank();
        self.heading("Notes:");
        for f in std::iter::once(first).chain(notable) {
            self.finding(f);
        }
    }

    /// Data on stdout, exactly as given (a newline is added when missing).
    pub fn data(&self, text: impl AsRef<str>) {
        let text = text.as_ref();
        STDOUT_USED.store(true, Ordering::Relaxed);
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    /// A JSON document on stdout.
    pub fn json<T: Serialize>(&self, value: &T) {
        match serde_json::to_string_pretty(value) {
            Ok(s) => self.data(s),
            Err(e) => self.error(format!("cannot encode JSON output: {e}")),
        }
    }
}

/// The sink-side defence for human text on stderr: every control, bidi and
/// invisible character is shown escaped as [`untrusted`] does, except what
/// stauth itself writes: newlines and tabs of its multi-line text, and, when
/// colour is on, its own SGR colour sequences (`ESC [ digits ; m`). Other
/// escape sequences (screen clear, window title, cursor moves) never pass.
pub fn for_terminal(text: &str, colour: bool) -> Cow<'_, str> {
    let is_plain = |c: char| {
        c == '\n' || c == '\t' || matches!(untrusted(c.encode_utf8(&mut [0; 4])), Cow::Borrowed(_))
    };
    if text.chars().all(is_plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if colour && c == '\x1b' {
            if let Some(len) = sgr_len(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        if is_plain(c) {
            out.push(c);
        } else {
            out.push_str(&untrusted(c.encode_utf8(&mut [0; 4])));
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// The length of the SGR colour sequence `ESC [ (digits|;)* m` that `text`
/// starts with, if it starts with one.
fn sgr_len(text: &str) -> Option<usize> {
    let params = text.strip_prefix("\x1b[")?;
    let digits = params
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (params.as_bytes().get(digits) == Some(&b'm')).then_some(2 + digits + 1)
}

/// Outside text (claims, provider answers, file contents and names) made safe
/// for a terminal: controls, bidi and invisible characters shown as visible
/// escapes, so a value can neither drive the terminal nor forge a report line.
/// Every human-readable line that quotes outside text goes through this;
/// `--json` output does not (it stays exact).
pub fn untrusted(text: &str) -> std::borrow::Cow<'_, str> {
    crate::untrusted::escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_colours_and_newlines_pass() {
        let own = "\x1b[1;31merror:\x1b[0m first\n  second\tcolumn";
        assert_eq!(for_terminal(own, true), own);
    }

    #[test]
    fn other_sequences_and_controls_are_shown_escaped() {
        let hostile = "\x1b[2J\x1b]0;pwned\x07\x1b[31mFAKE\rX\x08\u{9b}1m\u{202e}";
        assert_eq!(
            for_terminal(hostile, true),
            "\\x1b[2J\\x1b]0;pwned\\x07\x1b[31mFAKE\\rX\\x08\\u{9b}1m\\u{202e}"
        );
        // Without colour stauth writes no ESC at all, so none passes.
        assert_eq!(for_terminal("\x1b[31mx", false), "\\x1b[31mx");
        assert_eq!(for_terminal("\x1b[", true), "\\x1b[");
    }

    #[test]
    fn escaped_text_is_left_as_it_is() {
        let once = untrusted("a\x1b[2Jb\nc").into_owned();
        assert_eq!(for_terminal(&once, true), once);
    }
}
