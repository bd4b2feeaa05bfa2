//! The one list of redactions for snapshots: values that differ between runs
//! become stable placeholders, the same way in every test (insta filters).

use insta::internals::SettingsBindDropGuard;

/// Groups of rules. A test names the groups its output needs: applied
/// everywhere, a rule would rewrite text other snapshots keep on purpose (a
/// fixed test token's timestamps in `decode`, for one).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rules {
    /// The generated cookie_secret and the test provider's 127.0.0.1 port.
    Secrets,
    /// A real login's random request values, token times and timings.
    Login,
    /// Wall-clock dates, Unix times and the secrets file's path.
    Times,
    /// Relative durations ("2 h 5 min").
    Durations,
}

/// Every rule, in the order applied: (group, regex, replacement).
const FILTERS: &[(Rules, &str, &str)] = &[
    (
        Rules::Secrets,
        r#"(cookie_secret = ")[0-9A-Fa-f]{64}"#,
        "${1}[COOKIE_SECRET]",
    ),
    (Rules::Secrets, r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
    (Rules::Login, r"state=[A-Za-z0-9]{30}", "state=[STATE]"),
    (Rules::Login, r"nonce=[A-Za-z0-9]{20}", "nonce=[NONCE]"),
    (
        Rules::Login,
        r"code_challenge=[A-Za-z0-9_-]{43}",
        "code_challenge=[CHALLENGE]",
    ),
    (Rules::Login, r"(nonce\s+)[A-Za-z0-9]{20}", "${1}[NONCE]"),
    (
        Rules::Login,
        r"(auth_time|exp|iat)(\s+)\d{10}",
        "${1}${2}[TIME]",
    ),
    (Rules::Login, r"(at_hash|sid)(\s+)\S+", "${1}${2}[RANDOM]"),
    (Rules::Login, r"issued \d+ s ago", "issued [N] s ago"),
    (
        Rules::Login,
        r"expires in [0-9a-z ]+",
        "expires in [DURATION]",
    ),
    (Rules::Login, r"\d+ ms", "[N] ms"),
    (Rules::Login, r"\d+ s,", "[N] s,"),
    (
        Rules::Login,
        r"(_streamlit_user\S*\s+)\d+ bytes",
        "${1}[N] bytes",
    ),
    (
        Rules::Login,
        r"Cookie header sent back: \d+ bytes",
        "Cookie header sent back: [N] bytes",
    ),
    (Rules::Login, r"key [A-Za-z0-9_-]+\)", "key [KID])"),
    (
        Rules::Times,
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d( UTC| \+05:30)",
        "[TIME]$1",
    ),
    (
        Rules::Times,
        r"cookie_secret from \S+secrets\.toml",
        "cookie_secret from [SECRETS_FILE]",
    ),
    (Rules::Times, r"\b1\d{9}\b", "[UNIX_TIME]"),
    (
        Rules::Durations,
        r"\b\d+ d \d+ h\b|\b\d+ h \d+ min\b|\b\d+ h\b|\b\d+ min\b|\b\d+ s\b",
        "[DURATION]",
    ),
];

/// Redacts snapshots until the returned guard drops: first this run's
/// `values` (a port, a temporary path: literal text, placeholder), then the
/// named groups' rules.
#[must_use = "the filters hold only while the guard lives"]
pub fn filters(values: &[(&str, &str)], groups: &[Rules]) -> SettingsBindDropGuard {
    let mut settings = insta::Settings::clone_current();
    for (value, placeholder) in values {
        settings.add_filter(&regex::escape(value), *placeholder);
    }
    for (group, regex, replacement) in FILTERS {
        if groups.contains(group) {
            settings.add_filter(regex, *replacement);
        }
    }
    settings.bind_to_scope()
}

/// The same rules on a string, for comparisons that are not snapshots.
pub fn redact(text: &str, groups: &[Rules]) -> String {
    let mut text = text.to_owned();
    for (group, regex, replacement) in FILTERS {
        if groups.contains(group) {
            text = regex::Regex::new(regex)
                .unwrap()
                .replace_all(&text, *replacement)
                .into_owned();
        }
    }
    text
}
