//! What `stauth dev-provider` prints: the start banner on stderr, then one
//! line per request (with `--json`, one JSON object per line on stdout).

use std::net::IpAddr;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::{json, Value};

use crate::dev_provider::keys::KeyRing;
use crate::dev_provider::log::RequestLog;
use crate::dev_provider::server::Running;
use crate::dev_provider::users::{DevUser, Users, UsersSource};
use crate::dev_provider::{metadata_url, DEFAULT_PORT};

use super::KeyNote;
use crate::catalog::Preset;
use crate::commands::common::unix_now;
use crate::output::{untrusted, Output};

/// A client as the banner shows it: never its secret.
#[derive(Debug, Clone, Serialize)]
pub struct ClientRow {
    pub section: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub like: Option<&'static str>,
}

/// What the banner says besides what the running server knows.
pub struct Facts {
    pub clients: Vec<ClientRow>,
    pub users: Users,
    pub like: Option<&'static Preset>,
    pub key_line: String,
    pub key_json: Value,
    pub remote: Vec<IpAddr>,
    pub for_command: bool,
    pub auto_login: Option<String>,
}

/// "RS256 key abc123 in DIR (created)".
pub fn key_line(keys: &KeyRing, (dir, note): &(PathBuf, KeyNote)) -> String {
    let note = match note {
        KeyNote::Created => " (created now)",
        KeyNote::Rotated => " (rotated now: the old key stays published)",
        KeyNote::Loaded => "",
    };
    format!(
        "{} key {} in {}{note}",
        keys.algorithm().name(),
        keys.active_kid(),
        untrusted(&dir.display().to_string())
    )
}

/// The key for the ready event: `{"alg", "kid", "dir", "state"}`.
pub fn key_json(keys: &KeyRing, (dir, note): &(PathBuf, KeyNote)) -> Value {
    json!({
        "alg": keys.algorithm().name(),
        "kid": keys.active_kid(),
        "dir": dir,
        "state": match note {
            KeyNote::Created => "created",
            KeyNote::Rotated => "rotated",
            KeyNote::Loaded => "loaded",
        },
    })
}

pub fn ready(out: &Output, running: &Running, f: &Facts) {
    let port = running.port();
    let issuer = running.issuer();
    for addr in &f.remote {
        out.warning(format!(
            "listening on {addr}, which is not loopback (--allow-remote): anyone who reaches it can log in to the app as any user, with no password"
        ));
    }
    out.heading(format!("stauth dev provider: {issuer}"));
    out.line(format!("  discovery  {}", metadata_url(port, None)));
    let addresses: Vec<String> = running
        .addresses()
        .iter()
        .map(ToString::to_string)
        .collect();
    out.line(format!("  listening  {}", addresses.join(", ")));
    out.line(format!(
        "  shape      {}",
        match f.like {
            Some(p) => format!(
                "tokens like {}'s at the root issuer (--like {}); every preset also at {issuer}/like/PRESET",
                p.title, p.name
            ),
            None => format!(
                "claims as the users file says; a preset's shape at {issuer}/like/PRESET"
            ),
        }
    ));
    out.line(format!("  key        {}", f.key_line));

    out.blank();
    if f.clients.is_empty() {
        out.heading("Clients: none");
        out.warning(format!(
            "no [auth] in the app's secrets points at {issuer}: every login is refused (invalid_client)"
        ));
        out.detail(format!(
            "Write one: stauth init --provider dev{}\nOr run the app through the provider: stauth dev-provider -- streamlit run app.py",
            if port == DEFAULT_PORT {
                String::new()
            } else {
                format!(" --dev-port {port}")
            }
        ));
    } else {
        out.heading(if f.for_command {
            "Clients:"
        } else {
            "Clients (from the app's secrets):"
        });
        let width = f.clients.iter().map(|c| c.section.len()).max().unwrap_or(0);
        for c in &f.clients {
            let like = c.like.map(|l| format!("  like {l}")).unwrap_or_default();
            out.line(format!(
                "  {:width$}  {}  {}{like}",
                untrusted(&c.section),
                untrusted(&c.client_id),
                untrusted(&c.redirect_uri)
            ));
        }
        if f.for_command {
            out.detail("(the command's own [auth] is in a private temporary file, listed last in STREAMLIT_SECRETS_FILES)");
        }
    }

    out.blank();
    out.heading(format!("Users ({}):", users_source(&f.users)));
    let width = f
        .users
        .users
        .iter()
        .map(|u| u.sub.len())
        .max()
        .unwrap_or(0)
        .min(24);
    for u in &f.users.users {
        out.line(format!(
            "  {:width$}  {}",
            untrusted(&u.sub),
            untrusted(&user_detail(u))
        ));
    }
    out.blank();
    match &f.auto_login {
        Some(sub) => out.line(format!(
            "Ready: every login is approved as {} with no page (--auto-login). Ctrl-C stops it.",
            untrusted(sub)
        )),
        None => out.line(
            "Ready: log in from the app (the login page lists the users), or with `stauth test-login`. Ctrl-C stops it.",
        ),
    }

    if out.json_mode() {
        line(
            out,
            &json!({
                "event": "ready",
                "issuer": issuer,
                "port": port,
                "discovery": metadata_url(port, None),
                "addresses": addresses,
                "like": f.like.map(|p| p.name),
                "clients": f.clients,
                "users": f.users.users.iter().map(|u| &u.sub).collect::<Vec<_>>(),
                "key": f.key_json,
            }),
        );
    }
}

/// One request: a line on stderr, or a JSON object on stdout.
pub fn event(out: &Output, e: &RequestLog) {
    let now = unix_now();
    if out.json_mode() {
        let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("event".into(), json!("request"));
            m.insert("time".into(), json!(now));
        }
        line(out, &v);
        return;
    }
    let client = e
        .client
        .as_deref()
        .map(|c| format!(" {}", untrusted(c)))
        .unwrap_or_default();
    let asked = if e.asked.is_empty() {
        String::new()
    } else {
        format!(" {}", untrusted(&e.asked))
    };
    let text = format!(
        "{} {} {}{client}{asked} -> {} {}",
        clock(now),
        untrusted(&e.method),
        untrusted(&e.path),
        e.status,
        untrusted(&e.result)
    );
    out.line(text);
    for note in &e.streamlit_notes {
        out.line(format!("    warning: {}", untrusted(note)));
    }
}

/// One JSON object on one line of stdout.
fn line(out: &Output, value: &Value) {
    out.data(value.to_string());
}

/// `HH:MM:SS` (UTC) of a Unix time.
fn clock(unix: u64) -> String {
    let day = unix % 86_400;
    format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
}

fn users_source(users: &Users) -> String {
    match &users.source {
        UsersSource::File(path) => format!("from {}", untrusted(&path.display().to_string())),
        UsersSource::Samples => {
            "sample users; `stauth dev-provider --init-users` writes them to a file to edit".into()
        }
    }
}

/// "alice@example.com, roles admin, 1 group": what tells users apart.
fn user_detail(u: &DevUser) -> String {
    let mut parts: Vec<String> = Vec::new();
    match u.claims.get("email").and_then(Value::as_str) {
        Some(email) => parts.push(email.to_string()),
        None => parts.push("no email".into()),
    }
    if let Some(name) = u.claims.get("name").and_then(Value::as_str) {
        parts.push(name.to_string());
    }
    if let Some(roles) = u.claims.get("roles").and_then(Value::as_array) {
        let names: Vec<&str> = roles.iter().filter_map(Value::as_str).collect();
        if !names.is_empty() {
            parts.push(format!("roles {}", names.join(" ")));
        }
    }
    if let Some(groups) = u.claims.get("groups").and_then(Value::as_array) {
        match groups.len() {
            0 => {}
            1..=3 => parts.push(format!(
                "groups {}",
                groups
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            n => parts.push(format!("{n} groups")),
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_utc_time_of_day() {
        assert_eq!(clock(0), "00:00:00");
        assert_eq!(clock(86_400 + 3600 + 61), "01:01:01");
    }
}
