//! The dev provider's users: `.streamlit/dev-users.toml` (meant to be
//! committed: it holds no secrets), or four sample users.
//!
//! ```toml
//! [[user]]
//! sub = "alice"
//! email = "alice@example.com"
//! roles = ["admin"]
//! department = "Finance"          # any other claim, any TOML value
//! userinfo_only = ["department"]  # claims that go only to userinfo
//! id_token_only = []              # claims that go only to the ID token
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};
use toml_edit::{Item, Table};

use crate::error::{Error, Result};

/// Where a claim goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Placement {
    IdToken,
    Userinfo,
    Both,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DevUser {
    pub sub: String,
    /// Every claim but `sub`, in file order.
    pub claims: Map<String, Value>,
    /// Claims that do not go to both places.
    pub placement: BTreeMap<String, Placement>,
}

impl DevUser {
    /// Where `claim` goes, as the users file says.
    pub fn placement_of(&self, claim: &str) -> Placement {
        self.placement
            .get(claim)
            .copied()
            .unwrap_or(Placement::Both)
    }
}

#[derive(Debug, Clone)]
pub enum UsersSource {
    File(PathBuf),
    Samples,
}

#[derive(Debug, Clone)]
pub struct Users {
    pub users: Vec<DevUser>,
    pub source: UsersSource,
}

impl Users {
    pub fn find(&self, sub: &str) -> Option<&DevUser> {
        self.users.iter().find(|u| u.sub == sub)
    }
}

/// Claims the provider sets itself; a users file may not set them.
pub const RESERVED_CLAIMS: &[&str] = &[
    "iss",
    "aud",
    "exp",
    "iat",
    "nbf",
    "nonce",
    "auth_time",
    "at_hash",
    "azp",
    "jti",
];

/// The keys of a `[[user]]` table that say where claims go (not claims).
const USERINFO_ONLY: &str = "userinfo_only";
const ID_TOKEN_ONLY: &str = "id_token_only";

/// The longest `sub` (OpenID Connect Core 1.0, section 2).
const SUB_MAX_CHARS: usize = 255;

/// `<app_dir>/.streamlit/dev-users.toml`.
pub fn default_path(app_dir: &Path) -> PathBuf {
    app_dir.join(".streamlit").join("dev-users.toml")
}

/// Reads and checks a users file.
pub fn load(path: &Path) -> Result<Users> {
    let text = crate::fsutil::read::read_text_capped(path, crate::limits::TOML_FILE_BYTES)
        .map_err(|source| Error::ReadFile {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(Users {
        users: parse(path, &text)?,
        source: UsersSource::File(path.to_path_buf()),
    })
}

/// The users in `text`, the contents of the users file at `path`.
pub fn parse(path: &Path, text: &str) -> Result<Vec<DevUser>> {
    let doc = toml_edit::Document::parse(text).map_err(|e| Error::MalformedToml {
        path: path.to_path_buf(),
        line: position(text, e.span().unwrap_or(0..0)).0,
        column: position(text, e.span().unwrap_or(0..0)).1,
        message: e.message().trim().to_string(),
    })?;
    let bad = |span: Option<Range<usize>>, message: String| {
        let (line, column) = position(text, span.unwrap_or(0..0));
        Error::MalformedToml {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let root = doc.as_table();
    if let Some((key, _)) = root.iter().find(|(key, _)| *key != "user") {
        let span = root.key(key).and_then(|k| k.span());
        return Err(bad(
            span,
            format!("unknown key '{key}': a users file holds only [[user]] tables"),
        ));
    }
    let tables = match root.get("user") {
        None => {
            return Err(bad(
                None,
                "no users: add a [[user]] table with a sub".into(),
            ))
        }
        Some(Item::ArrayOfTables(tables)) => tables,
        Some(item) => {
            return Err(bad(
                item.span(),
                "'user' must be an array of tables: write each user as [[user]]".into(),
            ))
        }
    };
    let mut users: Vec<DevUser> = Vec::new();
    for table in tables.iter() {
        let user = user_from_table(table).map_err(|(span, message)| bad(span, message))?;
        if users.iter().any(|u| u.sub == user.sub) {
            let span = table.key("sub").and_then(|k| k.span());
            return Err(bad(
                span,
                format!("two users have sub '{}': each sub must be unique", user.sub),
            ));
        }
        users.push(user);
    }
    if users.is_empty() {
        return Err(bad(
            None,
            "no users: add a [[user]] table with a sub".into(),
        ));
    }
    Ok(users)
}

/// A problem in the file: where (a byte range) and what.
type Problem = (Option<Range<usize>>, String);

fn user_from_table(table: &Table) -> std::result::Result<DevUser, Problem> {
    let key_span = |key: &str| table.key(key).and_then(|k| k.span());
    let sub = match table.get("sub").map(|item| item.as_str()) {
        None => {
            return Err((
                table.span(),
                "this [[user]] has no sub: add sub = \"a-unique-id\"".into(),
            ))
        }
        Some(None) => return Err((key_span("sub"), "sub must be a string".into())),
        Some(Some(sub)) => sub.to_string(),
    };
    let chars = sub.chars().count();
    if chars == 0 || chars > SUB_MAX_CHARS {
        return Err((
            key_span("sub"),
            format!("sub must be 1 to {SUB_MAX_CHARS} characters long"),
        ));
    }
    if sub.chars().any(char::is_control) {
        return Err((
            key_span("sub"),
            "sub must not hold control characters (tabs, newlines...)".into(),
        ));
    }
    let userinfo_only = claim_list(table, USERINFO_ONLY)?;
    let id_token_only = claim_list(table, ID_TOKEN_ONLY)?;

    let mut claims = Map::new();
    for (key, item) in table.iter() {
        if key == "sub" || key == USERINFO_ONLY || key == ID_TOKEN_ONLY {
            continue;
        }
        if RESERVED_CLAIMS.contains(&key) {
            return Err((
                key_span(key),
                format!("'{key}' is set by the provider itself, not by a users file: remove it (the provider sets {})", RESERVED_CLAIMS.join(", ")),
            ));
        }
        let value =
            to_json(item).map_err(|why| (key_span(key), format!("claim '{key}': {why}")))?;
        check_known_claim(key, &value).map_err(|why| (key_span(key), why))?;
        claims.insert(key.to_string(), value);
    }

    let mut placement = BTreeMap::new();
    for (name, place) in userinfo_only
        .iter()
        .map(|n| (n, Placement::Userinfo))
        .chain(id_token_only.iter().map(|n| (n, Placement::IdToken)))
    {
        if name == "sub" {
            return Err((
                key_span(if place == Placement::Userinfo {
                    USERINFO_ONLY
                } else {
                    ID_TOKEN_ONLY
                }),
                "sub goes to both the ID token and userinfo, always".into(),
            ));
        }
        if placement.insert(name.clone(), place).is_some() {
            return Err((
                key_span(ID_TOKEN_ONLY),
                format!("'{name}' is in both {USERINFO_ONLY} and {ID_TOKEN_ONLY}: a claim goes to one of them, or (in neither list) to both"),
            ));
        }
    }
    Ok(DevUser {
        sub,
        claims,
        placement,
    })
}

/// `userinfo_only` / `id_token_only`: a list of claim names.
fn claim_list(table: &Table, key: &str) -> std::result::Result<Vec<String>, Problem> {
    let Some(item) = table.get(key) else {
        return Ok(Vec::new());
    };
    let problem = || {
        (
            table.key(key).and_then(|k| k.span()),
            format!("{key} must be a list of claim names, like [\"department\"]"),
        )
    };
    let array = item.as_array().ok_or_else(problem)?;
    array
        .iter()
        .map(|v| v.as_str().map(str::to_string).ok_or_else(problem))
        .collect()
}

/// The standard claims stauth reads must have the type relying parties expect.
fn check_known_claim(key: &str, value: &Value) -> std::result::Result<(), String> {
    let ok = match key {
        "email" | "name" | "picture" | "preferred_username" | "given_name" | "family_name" => {
            value.is_string()
        }
        "email_verified" => value.is_boolean(),
        "groups" | "roles" => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
        _ => true,
    };
    if ok {
        return Ok(());
    }
    let expected = match key {
        "email_verified" => "true or false",
        "groups" | "roles" => "a list of strings, like [\"admins\"]",
        _ => "a string",
    };
    Err(format!("claim '{key}' must be {expected}"))
}

/// A TOML value as JSON: tables become objects, dates and times strings.
fn to_json(item: &Item) -> std::result::Result<Value, String> {
    match item {
        Item::Value(value) => value_to_json(value),
        Item::Table(table) => table_to_json(table.iter()),
        Item::ArrayOfTables(tables) => tables
            .iter()
            .map(|t| table_to_json(t.iter()))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map(Value::Array),
        Item::None => Ok(Value::Null),
    }
}

fn table_to_json<'a>(
    items: impl Iterator<Item = (&'a str, &'a Item)>,
) -> std::result::Result<Value, String> {
    let mut object = Map::new();
    for (key, item) in items {
        object.insert(key.to_string(), to_json(item)?);
    }
    Ok(Value::Object(object))
}

fn value_to_json(value: &toml_edit::Value) -> std::result::Result<Value, String> {
    use toml_edit::Value as T;
    Ok(match value {
        T::String(s) => Value::String(s.value().clone()),
        T::Integer(i) => json!(*i.value()),
        T::Float(f) => {
            let f = *f.value();
            serde_json::Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| format!("{f} cannot be written in JSON"))?
        }
        T::Boolean(b) => Value::Bool(*b.value()),
        T::Datetime(d) => Value::String(d.value().to_string()),
        T::Array(array) => Value::Array(
            array
                .iter()
                .map(value_to_json)
                .collect::<std::result::Result<_, _>>()?,
        ),
        T::InlineTable(table) => {
            let mut object = Map::new();
            for (key, value) in table.iter() {
                object.insert(key.to_string(), value_to_json(value)?);
            }
            Value::Object(object)
        }
    })
}

/// 1-based line and column (in characters) where `span` starts.
fn position(text: &str, span: Range<usize>) -> (usize, usize) {
    crate::streamlit::secrets_file::position(text, span.start)
}

/// How many groups dave has: past Entra's 200-group limit, and enough to
/// push Streamlit's auth cookie past the browser's 4 KB cookie limit.
const DAVE_GROUPS: usize = 300;

fn sample(sub: &str, claims: Value) -> DevUser {
    let Value::Object(claims) = claims else {
        unreachable!("sample claims are an object")
    };
    DevUser {
        sub: sub.into(),
        claims,
        placement: BTreeMap::new(),
    }
}

/// alice (admin), bob (plain, email), carol (no email), dave (300 groups).
pub fn samples() -> Users {
    // Group object IDs, as directories send them: unlike names such as
    // `group-001`, 300 of them do not compress below Streamlit's 4 KB cookie.
    let dave_groups: Vec<String> = (1..=DAVE_GROUPS)
        .map(|i| super::shape::guid("stauth-dev-group", &format!("group-{i:03}")))
        .collect();
    Users {
        users: vec![
            sample(
                "alice",
                json!({
                    "email": "alice@example.com",
                    "email_verified": true,
                    "name": "Alice Admin",
                    "picture": "{issuer}/avatar/alice.svg",
                    "groups": ["admins"],
                    "roles": ["admin"],
                }),
            ),
            sample(
                "bob",
                json!({
                    "email": "bob@example.com",
                    "email_verified": true,
                    "name": "Bob User",
                    "picture": "{issuer}/avatar/bob.svg",
                    "groups": ["users"],
                    "roles": ["user"],
                }),
            ),
            sample(
                "carol",
                json!({
                    "name": "Carol NoEmail",
                    "roles": ["user"],
                }),
            ),
            sample(
                "dave",
                json!({
                    "email": "dave@example.com",
                    "email_verified": true,
                    "name": "Dave ManyGroups",
                    "groups": dave_groups,
                    "roles": ["user"],
                }),
            ),
        ],
        source: UsersSource::Samples,
    }
}

const SAMPLES_HEADER: &str = "\
# Users of `stauth dev-provider` (this file holds no secrets: commit it).
# Each [[user]] needs a unique sub; every other key is a claim (any TOML value).
# Claims go to both the ID token and userinfo, except those listed in
# userinfo_only = [...] or id_token_only = [...]. In picture, {issuer} is
# replaced by the provider's issuer URL. iss, aud, exp, nonce... are set by it.
";

/// What each sample user is for, above its table.
fn sample_comment(sub: &str) -> &'static str {
    match sub {
        "alice" => "# An admin: the admin role and the admins group.",
        "bob" => "# A plain user with an email address.",
        "carol" => "# No email address (apps that key users by email trip on her).",
        "dave" => "# In 300 groups: Streamlit's cookie outgrows 4 KB, and Entra sends\n# its groups overage claim instead of groups (`--like microsoft`).",
        _ => "",
    }
}

/// The samples as a users file, for `--init-users`.
pub fn samples_toml() -> String {
    let mut out = String::from(SAMPLES_HEADER);
    for user in samples().users {
        out.push('\n');
        out.push_str(sample_comment(&user.sub));
        out.push_str("\n[[user]]\n");
        out.push_str(&format!("sub = {}\n", toml_string(&user.sub)));
        for (key, value) in &user.claims {
            out.push_str(&format!("{} = {}\n", toml_key(key), toml_value(value)));
        }
    }
    out
}

/// A bare key when TOML allows one, else a quoted key.
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        key.to_string()
    } else {
        toml_string(key)
    }
}

fn toml_string(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// A JSON value (as the samples hold: strings, booleans, numbers and lists
/// of them) written as an inline TOML value.
fn toml_value(value: &Value) -> String {
    match value {
        Value::String(s) => toml_string(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(toml_value).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), toml_value(v)))
                .collect();
            format!("{{ {} }}", members.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<Vec<DevUser>> {
        parse(Path::new("dev-users.toml"), text)
    }

    fn error_at(text: &str) -> (usize, usize, String) {
        match parsed(text).unwrap_err() {
            Error::MalformedToml {
                line,
                column,
                message,
                ..
            } => (line, column, message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn samples_toml_loads_as_the_samples() {
        let text = samples_toml();
        assert_eq!(parsed(&text).unwrap(), samples().users);
        assert!(text.starts_with("# Users of `stauth dev-provider`"));
        let subs: Vec<_> = samples().users.into_iter().map(|u| u.sub).collect();
        assert_eq!(subs, ["alice", "bob", "carol", "dave"]);
    }

    #[test]
    fn samples_are_what_the_docs_say() {
        let users = samples();
        let alice = users.find("alice").unwrap();
        assert_eq!(alice.claims["roles"], json!(["admin"]));
        assert_eq!(alice.claims["groups"], json!(["admins"]));
        assert_eq!(alice.claims["picture"], "{issuer}/avatar/alice.svg");
        assert!(!users.find("carol").unwrap().claims.contains_key("email"));
        let dave = users.find("dave").unwrap();
        let groups = dave.claims["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 300);
        let distinct: std::collections::BTreeSet<_> =
            groups.iter().filter_map(|g| g.as_str()).collect();
        assert_eq!(distinct.len(), 300);
        assert!(groups
            .iter()
            .all(|g| g.as_str().is_some_and(|g| g.len() == 36)));
    }

    #[test]
    fn claims_keep_file_order_types_and_placement() {
        let users = parsed(
            r#"
[[user]]
sub = "erin"
department = "Finance"
level = 3
ratio = 0.5
joined = 2024-01-02T03:04:05Z
address = { city = "Oslo", zip = ["0150"] }
userinfo_only = ["department"]
id_token_only = ["level"]

[user.extra]
deep = true
"#,
        )
        .unwrap();
        let erin = &users[0];
        assert_eq!(erin.sub, "erin");
        let keys: Vec<&str> = erin.claims.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["department", "level", "ratio", "joined", "address", "extra"]
        );
        assert_eq!(erin.claims["joined"], "2024-01-02T03:04:05Z");
        assert_eq!(
            erin.claims["address"],
            json!({"city": "Oslo", "zip": ["0150"]})
        );
        assert_eq!(erin.claims["extra"], json!({"deep": true}));
        assert_eq!(erin.placement_of("department"), Placement::Userinfo);
        assert_eq!(erin.placement_of("level"), Placement::IdToken);
        assert_eq!(erin.placement_of("ratio"), Placement::Both);
    }

    #[test]
    fn mistakes_are_refused_with_their_position() {
        let (line, column, message) = error_at("[[user]]\nsub = \"a\"\nnonce = \"x\"\n");
        assert_eq!((line, column), (3, 1));
        assert!(
            message.contains("'nonce' is set by the provider itself"),
            "{message}"
        );

        let (line, _, message) = error_at("[[user]]\nsub = \"a\"\n\n[[user]]\nsub = \"a\"\n");
        assert_eq!(line, 5);
        assert!(message.contains("two users have sub 'a'"), "{message}");

        let (_, _, message) = error_at(
            "[[user]]\nsub = \"a\"\nx = 1\nuserinfo_only = [\"x\"]\nid_token_only = [\"x\"]\n",
        );
        assert!(message.contains("'x' is in both userinfo_only and id_token_only"));

        let (line, column, message) = error_at("[[user]]\nsub = \"a\"\nname = \n");
        assert_eq!((line, column), (3, 8));
        assert!(!message.is_empty());

        for (text, expected) in [
            ("[[user]]\nname = \"x\"\n", "has no sub"),
            ("[[user]]\nsub = \"\"\n", "1 to 255 characters"),
            ("[[user]]\nsub = 7\n", "sub must be a string"),
            ("[[user]]\nsub = \"a\\tb\"\n", "control characters"),
            ("", "no users"),
            ("user = 1\n", "array of tables"),
            ("users = []\n", "unknown key 'users'"),
            (
                "[[user]]\nsub = \"a\"\nroles = \"admin\"\n",
                "list of strings",
            ),
            (
                "[[user]]\nsub = \"a\"\nemail_verified = \"yes\"\n",
                "true or false",
            ),
            (
                "[[user]]\nsub = \"a\"\nuserinfo_only = \"x\"\n",
                "list of claim names",
            ),
            (
                "[[user]]\nsub = \"a\"\nid_token_only = [\"sub\"]\n",
                "sub goes to both",
            ),
            (
                "[[user]]\nsub = \"a\"\nx = nan\n",
                "cannot be written in JSON",
            ),
        ] {
            let (_, _, message) = error_at(text);
            assert!(message.contains(expected), "{text:?}: {message}");
        }
        let long = format!("[[user]]\nsub = \"{}\"\n", "é".repeat(256));
        assert!(error_at(&long).2.contains("1 to 255"));
        assert!(parsed(&format!("[[user]]\nsub = \"{}\"\n", "é".repeat(255))).is_ok());
    }

    #[test]
    fn load_reads_a_file_and_says_where_it_came_from() {
        let dir = tempfile::tempdir().unwrap();
        let path = default_path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, samples_toml()).unwrap();
        let users = load(&path).unwrap();
        assert!(matches!(&users.source, UsersSource::File(p) if p == &path));
        assert_eq!(users.users, samples().users);

        let missing = load(&dir.path().join("nope.toml")).unwrap_err();
        assert!(matches!(missing, Error::ReadFile { .. }));
        let too_big = dir.path().join("big.toml");
        std::fs::write(&too_big, "#".repeat(2 * 1024 * 1024)).unwrap();
        assert!(load(&too_big).unwrap_err().to_string().contains("limit"));
    }
}
