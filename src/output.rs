//! The one place that prints. Human text goes to stderr (coloured only when
//! stderr is a terminal and `NO_COLOR` is unset); data (JSON, listings,
//! generated files) goes to stdout. Write errors such as a closed pipe are
//! ignored: the command's exit code already says how it went.

use std::io::{IsTerminal, Write};

use colored::Colorize;
use serde::Serialize;

use crate::finding::{Finding, Severity};

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
        let _ = write!(std::io::stderr().lock(), "\r{}\x1b[K", text.as_ref());
    }

    /// Ends a progress line.
    pub fn end_progress(&self) {
        let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
    }

    /// Whether the command should print JSON on stdout.
    pub fn json_mode(&self) -> bool {
        self.json
    }

    /// A line of human text on stderr.
    pub fn line(&self, text: impl AsRef<str>) {
        let _ = writeln!(std::io::stderr().lock(), "{}", text.as_ref());
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
        self.line(format!("  {mark} {}", f.message));
        if let Some(why) = &f.why {
            for l in why.lines() {
                self.line(format!("      {l}"));
            }
        }
        if let Some(fix) = &f.fix {
            for (i, l) in fix.lines().enumerate() {
                let lead = if i == 0 { "fix:" } else { "    " };
                self.line(format!("      {} {l}", lead.cyan()));
            }
        }
    }

    /// Data on stdout, exactly as given (a newline is added when missing).
    pub fn data(&self, text: impl AsRef<str>) {
        let text = text.as_ref();
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
