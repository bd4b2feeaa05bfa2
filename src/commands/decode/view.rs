//! Rendering decoded tokens and cookies: every field with its meaning, times
//! in UTC, local time and relative words.

use chrono::{Local, TimeZone, Utc};
use colored::Colorize;
use serde_json::{json, Map, Value};

use crate::oidc::claims::{meaning, TIME_CLAIMS};
use crate::oidc::id_token::{human_duration, Check};
use crate::output::untrusted;

/// A Unix time as UTC, local time and relative words ("expires in 54 min").
pub fn time_words(claim: &str, t: i64, now: i64) -> (String, String, String) {
    let utc = Utc
        .timestamp_opt(t, 0)
        .single()
        .map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "out of range".into());
    let local = Local
        .timestamp_opt(t, 0)
        .single()
        .map(|d| d.format("%Y-%m-%d %H:%M:%S %:z").to_string())
        .unwrap_or_default();
    let delta = t.saturating_sub(now);
    let rel = match (claim, delta >= 0) {
        ("exp", true) => format!("expires in {}", human_duration(delta)),
        ("exp", false) => format!("expired {} ago", human_duration(delta)),
        ("nbf", true) => format!("valid in {}", human_duration(delta)),
        (_, true) => format!("in {}", human_duration(delta)),
        (_, false) => format!("{} ago", human_duration(delta)),
    };
    (utc, local, rel)
}

/// JSON for the time claims of a map: `{claim: {utc, local, relative}}`.
pub fn times_json(map: &Map<String, Value>, now: i64) -> Value {
    let mut out = Map::new();
    for (k, v) in map {
        if let (true, Some(t)) = (TIME_CLAIMS.contains(&k.as_str()), v.as_i64()) {
            let (utc, local, relative) = time_words(k, t, now);
            out.insert(
                k.clone(),
                json!({"utc": utc, "local": local, "relative": relative}),
            );
        }
    }
    Value::Object(out)
}

/// A titled block of `name  value  meaning` lines. Names and values come
/// from whoever made the token: they are shown escaped, so they can neither
/// drive the terminal nor forge a line such as a verdict.
pub fn fields(title: &str, map: &Map<String, Value>, now: i64) -> String {
    let names: Vec<String> = map.keys().map(|k| untrusted(k).into_owned()).collect();
    let width = names
        .iter()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let shown: Vec<String> = map
        .values()
        .map(|v| {
            let text = match v {
                Value::String(s) => untrusted(s).into_owned(),
                // JSON text escapes controls already, but not bidi or
                // invisible characters.
                other => untrusted(&other.to_string()).into_owned(),
            };
            if text.chars().count() > 72 {
                format!("{}…", text.chars().take(71).collect::<String>())
            } else {
                text
            }
        })
        .collect();
    let value_width = shown
        .iter()
        .map(|v| v.chars().count())
        .filter(|n| *n <= 40)
        .max()
        .unwrap_or(0);
    let mut s = format!("{}\n", title.bold());
    for (((k, v), name), shown) in map.iter().zip(&names).zip(shown) {
        let note = meaning(k)
            .map(|m| format!("  {}", m.dimmed()))
            .unwrap_or_default();
        // Pad only up to a meaning: no trailing spaces on bare values.
        let pad = if note.is_empty() {
            0
        } else {
            value_width.saturating_sub(shown.chars().count())
        };
        let key = format!("{name:width$}");
        s.push_str(&format!(
            "  {}  {shown}{}{note}\n",
            key.cyan(),
            " ".repeat(pad)
        ));
        if let (true, Some(t)) = (TIME_CLAIMS.contains(&k.as_str()), v.as_i64()) {
            let (utc, local, rel) = time_words(k, t, now);
            let rel = if rel.starts_with("expired") {
                rel.red().bold().to_string()
            } else {
                rel
            };
            s.push_str(&format!(
                "  {:width$}    {utc} · {local} local · {rel}\n",
                ""
            ));
        }
    }
    s
}

pub fn checks(list: &[Check]) -> String {
    let mut s = String::new();
    for c in list {
        let mark = if c.ok {
            "✓".green()
        } else {
            "✗".red().bold()
        };
        // Details quote claims (iss, aud, nonce) as the token has them.
        s.push_str(&format!("  {mark} {}: {}\n", c.name, untrusted(&c.detail)));
    }
    s
}
