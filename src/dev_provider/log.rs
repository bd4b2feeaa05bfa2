//! One event per request, for the command to print (a line, or JSON).

/// What one request asked and what it got.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RequestLog {
    pub method: String,
    pub path: String,
    /// The client ID (or `[auth.NAME]`) when the request names one.
    pub client: Option<String>,
    /// What was asked, in a few words (scope, prompt, user, grant...).
    pub asked: String,
    pub status: u16,
    /// The result: `ok`, or the OAuth error code and its description.
    pub result: String,
    /// Where the request differs from what Streamlit sends for the
    /// detected release, and why that matters.
    pub streamlit_notes: Vec<String>,
}
