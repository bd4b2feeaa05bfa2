//! A finding: one thing a check noticed, with why it matters and how to fix it.
//! Shared by every command that checks something (init, test-login, doctor).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Ok,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable identifier, e.g. `discovery.issuer_placeholder`.
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what was found.
    pub message: String,
    /// Why it matters, when that is not obvious from the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// What to do about it (a command when there is one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    pub fn new(id: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            id,
            severity,
            message: message.into(),
            why: None,
            fix: None,
        }
    }

    pub fn ok(id: &'static str, message: impl Into<String>) -> Self {
        Self::new(id, Severity::Ok, message)
    }

    pub fn info(id: &'static str, message: impl Into<String>) -> Self {
        Self::new(id, Severity::Info, message)
    }

    pub fn warning(id: &'static str, message: impl Into<String>) -> Self {
        Self::new(id, Severity::Warning, message)
    }

    pub fn error(id: &'static str, message: impl Into<String>) -> Self {
        Self::new(id, Severity::Error, message)
    }

    pub fn why(mut self, why: impl Into<String>) -> Self {
        self.why = Some(why.into());
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}
