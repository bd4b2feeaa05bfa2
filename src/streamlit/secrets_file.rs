//! A `secrets.toml` opened for reading and surgical editing: everything that
//! stauth does not change (other tables, comments, key order, blank lines,
//! CRLF line endings) is rendered back byte for byte.

use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use super::schema::{self, AuthSecret, ProviderSlot};
use crate::error::{Error, Result};
use crate::fsutil::read;
use crate::limits;

/// Comment placed above a new `[auth]` table.
const AUTH_COMMENT: &str =
    "# Streamlit login (st.login / st.user), written by stauth. Keep this file out of version control.\n";

/// First line of the note stauth puts above `[auth]` when the app's secrets
/// are in the OS keychain (`stauth init --store keychain`); it also marks the
/// app as using the keychain.
pub(crate) const KEYCHAIN_NOTE: &str =
    "# client_secret and cookie_secret are not in this file: stauth keeps them in the OS keychain (service \"stauth\").";
/// Start of the note's second line, which says how to run the app.
const KEYCHAIN_NOTE_RUN: &str = "# Start the app with: stauth run -- ";

#[derive(Debug, Clone)]
pub struct SecretsFile {
    path: PathBuf,
    original: Option<String>,
    doc: DocumentMut,
}

/// What happened to one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Add,
    Change,
    Keep,
}

/// One key's planned or applied change. Values are TOML-rendered.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    /// `auth`, `auth.NAME` or `auth.client_kwargs`-style dotted section.
    pub section: String,
    pub key: String,
    pub action: Action,
    #[serde(skip)]
    pub old: Option<String>,
    #[serde(skip)]
    pub new: String,
}

impl Change {
    pub fn is_secret(&self) -> bool {
        schema::SECRET_KEYS.contains(&self.key.as_str())
    }
}

/// The value to write for a key.
#[derive(Debug, Clone, PartialEq)]
pub enum NewValue {
    Str(String),
    List(Vec<String>),
}

impl NewValue {
    fn to_value(&self) -> Value {
        match self {
            NewValue::Str(s) => Value::from(s.as_str()),
            NewValue::List(items) => {
                let mut a = Array::new();
                for i in items {
                    a.push(i.as_str());
                }
                Value::Array(a)
            }
        }
    }

    fn matches(&self, existing: &Value) -> bool {
        match (self, existing) {
            (NewValue::Str(s), Value::String(e)) => e.value() == s,
            (NewValue::List(items), Value::Array(a)) => {
                a.len() == items.len()
                    && a.iter()
                        .zip(items)
                        .all(|(v, i)| v.as_str() == Some(i.as_str()))
            }
            _ => false,
        }
    }
}

impl SecretsFile {
    /// Reads and parses the file; a missing file is an empty document.
    /// Only a regular file of at most [`limits::TOML_FILE_BYTES`] is read (a
    /// link to /dev/zero or a FIFO fails at once instead of hanging), and the
    /// text is refused where Streamlit's reader refuses it (a leading BOM).
    pub fn load(path: &Path) -> Result<Self> {
        let original = match read::read_text_capped(path, limits::TOML_FILE_BYTES) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(Error::ReadFile {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let text = original.as_deref().unwrap_or("");
        if text.starts_with('\u{feff}') {
            // toml_edit skips a BOM; Streamlit opens the file as "utf-8" (not
            // "utf-8-sig"), so its reader sees U+FEFF as the first character.
            return Err(Error::MalformedToml {
                path: path.to_path_buf(),
                line: 1,
                column: 1,
                message: "the file starts with a UTF-8 byte-order mark (BOM): Streamlit's TOML reader rejects it (tomllib, Streamlit 1.66+) or reads it as part of the first key (toml, up to 1.65), so st.secrets fails to load; save the file as UTF-8 without BOM".into(),
            });
        }
        let doc = parse_toml(path, text)?;
        let file = SecretsFile {
            path: path.to_path_buf(),
            original,
            doc,
        };
        file.check_layout()?;
        Ok(file)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn exists(&self) -> bool {
        self.original.is_some()
    }

    /// The file's text as it was read (None when the file did not exist).
    pub fn original_text(&self) -> Option<&str> {
        self.original.as_deref()
    }

    /// Streamlit needs `[auth]` and each `[auth.NAME]` to be tables.
    fn check_layout(&self) -> Result<()> {
        let Some(auth) = self.doc.get(schema::AUTH) else {
            return Ok(());
        };
        let Some(auth) = auth.as_table_like() else {
            return Err(self.layout_error("'auth' must be a table ([auth]), not a plain value"));
        };
        for (key, item) in auth.iter() {
            if is_provider_entry(key, item) && item.as_table_like().is_none() {
                return Err(self.layout_error(&format!("'auth.{key}' must be a table")));
            }
        }
        Ok(())
    }

    fn layout_error(&self, message: &str) -> Error {
        Error::BadSecretsLayout {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn auth(&self) -> Option<&dyn toml_edit::TableLike> {
        self.doc.get(schema::AUTH).and_then(Item::as_table_like)
    }

    fn provider(&self, slot: &ProviderSlot) -> Option<&dyn toml_edit::TableLike> {
        let auth = self.auth()?;
        match slot {
            ProviderSlot::Default => Some(auth),
            ProviderSlot::Named(n) => auth.get(n).and_then(Item::as_table_like),
        }
    }

    /// A string key of `[auth]` itself (redirect_uri, cookie_secret...).
    pub fn auth_str(&self, key: &str) -> Option<&str> {
        text_of(self.auth()?.get(key)?)
    }

    /// A string key of a provider entry.
    pub fn provider_str(&self, slot: &ProviderSlot, key: &str) -> Option<&str> {
        text_of(self.provider(slot)?.get(key)?)
    }

    /// A string inside the provider's `client_kwargs`.
    pub fn client_kwarg(&self, slot: &ProviderSlot, key: &str) -> Option<&str> {
        self.provider(slot)?
            .get(schema::CLIENT_KWARGS)?
            .as_table_like()?
            .get(key)
            .and_then(text_of)
    }

    /// Whether `[auth]` itself holds a default provider (st.login()).
    pub fn has_default_provider(&self) -> bool {
        self.auth().is_some_and(|a| {
            [schema::CLIENT_ID, schema::SERVER_METADATA_URL]
                .iter()
                .any(|k| a.contains_key(k))
        })
    }

    /// Names of the `[auth.NAME]` provider tables, in file order.
    pub fn named_providers(&self) -> Vec<String> {
        self.auth()
            .map(|a| {
                a.iter()
                    .filter(|(k, item)| is_provider_entry(k, item))
                    .map(|(k, _)| k.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `[auth]` as plain data (what Streamlit's `st.secrets["auth"]` holds).
    pub(crate) fn auth_data(&self) -> Option<serde_json::Value> {
        self.doc.get(schema::AUTH).map(item_to_json)
    }

    /// Sets a key of `[auth]` itself.
    pub fn set_auth(&mut self, key: &str, value: NewValue) -> Change {
        let table = self.auth_table_mut();
        set_in(table, schema::AUTH, key, value)
    }

    /// Sets a key of a provider entry, creating `[auth.NAME]` if needed.
    pub fn set_provider(&mut self, slot: &ProviderSlot, key: &str, value: NewValue) -> Change {
        let section = slot.section();
        let table = self.provider_table_mut(slot);
        set_in(table, &section, key, value)
    }

    /// Sets one key of the provider's `client_kwargs`, creating an inline table
    /// if there is none. Other keys already in `client_kwargs` stay.
    pub fn set_client_kwarg(&mut self, slot: &ProviderSlot, key: &str, value: &str) -> Change {
        let section = slot.section();
        let shown_key = format!("{}.{key}", schema::CLIENT_KWARGS);
        let table = self.provider_table_mut(slot);
        if !table.contains_key(schema::CLIENT_KWARGS) {
            table.insert(schema::CLIENT_KWARGS, toml_edit::value(InlineTable::new()));
        }
        let kwargs = table
            .get_mut(schema::CLIENT_KWARGS)
            .expect("client_kwargs was just ensured");
        let new = NewValue::Str(value.to_string());
        match kwargs {
            Item::Value(Value::InlineTable(inline)) => {
                let mut change = set_in_inline(inline, &section, key, new);
                change.key = shown_key;
                if change.action != Action::Keep {
                    inline.fmt();
                }
                change
            }
            Item::Table(t) => Change {
                key: shown_key,
                ..set_in(t, &section, key, new)
            },
            other => {
                // Not a table: Streamlit would fail; replace with a table.
                let old = Some(other.to_string().trim().to_string());
                let mut inline = InlineTable::new();
                inline.insert(key, Value::from(value));
                inline.fmt();
                *other = toml_edit::value(inline);
                Change {
                    section,
                    key: shown_key,
                    action: Action::Change,
                    old,
                    new: shown(&Value::from(value)),
                }
            }
        }
    }

    /// A file in memory (nothing is read) holding `items` as top-level keys.
    pub fn from_items(path: &Path, items: Vec<(String, Item)>) -> Self {
        let mut doc = DocumentMut::new();
        for (key, item) in items {
            doc.insert(&key, item);
        }
        SecretsFile {
            path: path.to_path_buf(),
            original: None,
            doc,
        }
    }

    /// The top-level keys and their items, in file order.
    pub fn items(&self) -> Vec<(String, Item)> {
        self.doc
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    /// The providers the file configures: the default one (when `[auth]`
    /// holds one) first, then each `[auth.NAME]`.
    pub fn provider_slots(&self) -> Vec<ProviderSlot> {
        let mut slots = Vec::new();
        if self.has_default_provider() {
            slots.push(ProviderSlot::Default);
        }
        slots.extend(self.named_providers().into_iter().map(ProviderSlot::Named));
        slots
    }

    /// A secret's value, when the file holds it as a string.
    pub fn secret_value(&self, which: &AuthSecret) -> Option<&str> {
        match which {
            AuthSecret::CookieSecret => self.auth_str(schema::COOKIE_SECRET),
            AuthSecret::ClientSecret(slot) => self.provider_str(slot, schema::CLIENT_SECRET),
        }
    }

    /// Whether the file has the key at all (any type).
    fn has_secret_key(&self, which: &AuthSecret) -> bool {
        match which {
            AuthSecret::CookieSecret => self
                .auth()
                .is_some_and(|a| a.contains_key(schema::COOKIE_SECRET)),
            AuthSecret::ClientSecret(slot) => self
                .provider(slot)
                .is_some_and(|p| p.contains_key(schema::CLIENT_SECRET)),
        }
    }

    /// The secrets the file holds: cookie_secret, then each provider's client_secret.
    pub fn secrets_held(&self) -> Vec<AuthSecret> {
        self.secret_slots()
            .into_iter()
            .filter(|w| self.has_secret_key(w))
            .collect()
    }

    /// The secrets `[auth]` needs but the file lacks: cookie_secret when
    /// `[auth]` exists, and the client_secret of each provider it configures.
    pub fn secrets_missing(&self) -> Vec<AuthSecret> {
        if self.auth().is_none() {
            return Vec::new();
        }
        self.secret_slots()
            .into_iter()
            .filter(|w| !self.has_secret_key(w))
            .collect()
    }

    fn secret_slots(&self) -> Vec<AuthSecret> {
        std::iter::once(AuthSecret::CookieSecret)
            .chain(
                self.provider_slots()
                    .into_iter()
                    .map(AuthSecret::ClientSecret),
            )
            .collect()
    }

    /// Sets a secret's value (creating its table when needed).
    pub fn set_secret(&mut self, which: &AuthSecret, value: &str) -> Change {
        let value = NewValue::Str(value.to_string());
        match which {
            AuthSecret::CookieSecret => self.set_auth(schema::COOKIE_SECRET, value),
            AuthSecret::ClientSecret(slot) => self.set_provider(slot, schema::CLIENT_SECRET, value),
        }
    }

    /// Removes a secret's key; returns its string value when it had one.
    pub fn remove_secret(&mut self, which: &AuthSecret) -> Option<String> {
        let auth = self.doc.get_mut(schema::AUTH)?.as_table_like_mut()?;
        let table = match which {
            AuthSecret::CookieSecret => auth,
            AuthSecret::ClientSecret(ProviderSlot::Default) => auth,
            AuthSecret::ClientSecret(ProviderSlot::Named(n)) => {
                auth.get_mut(n)?.as_table_like_mut()?
            }
        };
        let removed = table.remove(which.key())?;
        text_of(&removed).map(str::to_string)
    }

    /// Whether the file carries stauth's keychain note (the app keeps its
    /// secrets in the OS keychain).
    pub fn has_keychain_note(&self) -> bool {
        self.doc
            .to_string()
            .lines()
            .any(|l| l.trim_end() == KEYCHAIN_NOTE)
    }

    /// Puts the keychain note above `[auth]`, saying how to start `script`.
    pub fn add_keychain_note(&mut self, script: &str) {
        if self.has_keychain_note() {
            return;
        }
        let note = format!("{KEYCHAIN_NOTE}\n{KEYCHAIN_NOTE_RUN}streamlit run {script}   (`stauth secrets list` shows them)\n");
        let table = self.auth_table_mut();
        let prefix = table
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_string();
        table.decor_mut().set_prefix(format!("{prefix}{note}"));
    }

    /// Removes the keychain note, wherever above `[auth]` it is.
    pub fn remove_keychain_note(&mut self) {
        let Some(Item::Table(table)) = self.doc.get_mut(schema::AUTH) else {
            return;
        };
        let Some(prefix) = table.decor().prefix().and_then(|p| p.as_str()) else {
            return;
        };
        let kept: String = prefix
            .split_inclusive('\n')
            .filter(|l| {
                let l = l.trim_end();
                l != KEYCHAIN_NOTE && !l.starts_with(KEYCHAIN_NOTE_RUN)
            })
            .collect();
        table.decor_mut().set_prefix(kept);
    }

    /// The document as it would be written.
    pub fn render(&self) -> String {
        restore_line_endings(
            self.original.as_deref().unwrap_or(""),
            &unmask_big_ints(self.doc.to_string()),
        )
    }

    /// The prefix for a table appended at the end: comments that ended the
    /// file stay above it (not inside it, where uncommenting them would put
    /// keys in `[auth]`), then a blank line and stauth's comment.
    fn take_trailing_for_new_table(&mut self) -> String {
        let trailing = self.doc.trailing().as_str().unwrap_or("").to_string();
        self.doc.set_trailing("");
        let nl = "\n";
        let body_is_empty = self.doc.to_string().trim().is_empty();
        let mut prefix = trailing.clone();
        if !prefix.is_empty() && !prefix.ends_with('\n') {
            prefix.push_str(nl);
        }
        if !(body_is_empty && trailing.trim().is_empty()) {
            prefix.push_str(nl);
        }
        prefix.push_str(AUTH_COMMENT);
        prefix
    }

    fn auth_table_mut(&mut self) -> &mut Table {
        if self.doc.get(schema::AUTH).is_none() {
            let mut table = Table::new();
            table
                .decor_mut()
                .set_prefix(self.take_trailing_for_new_table());
            self.doc.insert(schema::AUTH, Item::Table(table));
        }
        if let Some(Item::Table(t)) = self.doc.get_mut(schema::AUTH) {
            t.set_implicit(false);
        }
        // `auth = {..}` inline: convert to a standard table so keys can be
        // added; its content is kept.
        into_standard_table(self.doc.as_table_mut(), schema::AUTH)
    }

    fn provider_table_mut(&mut self, slot: &ProviderSlot) -> &mut Table {
        let auth = self.auth_table_mut();
        match slot {
            ProviderSlot::Default => auth,
            ProviderSlot::Named(name) => {
                if !auth.contains_key(name) {
                    auth.insert(name, Item::Table(Table::new()));
                }
                into_standard_table(auth, name)
            }
        }
    }
}

/// Turns `parent[key]`, an inline table (`auth = { ... } # note`), into a
/// standard table, content kept; the comment after it moves to the header:
/// `[auth] # note`. A standard table is returned as it is.
fn into_standard_table<'a>(parent: &'a mut Table, key: &str) -> &'a mut Table {
    let item = parent.get_mut(key).expect("the caller ensured the key");
    if !item.is_table() {
        let comment = item
            .as_value()
            .and_then(|v| v.decor().suffix())
            .and_then(|s| s.as_str())
            .filter(|s| s.trim_start().starts_with('#'))
            .map(str::to_string);
        let mut converted = std::mem::take(item).into_table().unwrap_or_default();
        if let Some(comment) = comment {
            converted.decor_mut().set_suffix(comment);
        }
        *item = Item::Table(converted);
        // The space before `=` would end up inside the header: `[auth ]`.
        if let Some(mut k) = parent.key_mut(key) {
            k.leaf_decor_mut().set_suffix("");
        }
    }
    parent
        .get_mut(key)
        .and_then(Item::as_table_mut)
        .expect("converted to a table")
}

/// A string value (a big integer's placeholder is not one).
fn text_of(item: &Item) -> Option<&str> {
    item.as_str().filter(|s| big_int_literal(s).is_none())
}

/// A sub-table of `[auth]` that is a provider entry (not `client_kwargs` or
/// `authorize_params`).
fn is_provider_entry(key: &str, item: &Item) -> bool {
    schema::is_provider_name(key) && (item.is_table_like() || !item.is_value())
}

fn set_in(table: &mut Table, section: &str, key: &str, value: NewValue) -> Change {
    let new_display = shown(&value.to_value());
    match table.get_mut(key) {
        Some(Item::Value(existing)) if value.matches(existing) => Change {
            section: section.into(),
            key: key.into(),
            action: Action::Keep,
            old: Some(shown(existing)),
            new: new_display,
        },
        Some(Item::Value(existing)) => {
            let old = shown(existing);
            let mut replacement = value.to_value();
            *replacement.decor_mut() = existing.decor().clone();
            *existing = replacement;
            Change {
                section: section.into(),
                key: key.into(),
                action: Action::Change,
                old: Some(old),
                new: new_display,
            }
        }
        Some(other) => {
            let old = other.to_string().trim().to_string();
            *other = Item::Value(value.to_value());
            Change {
                section: section.into(),
                key: key.into(),
                action: Action::Change,
                old: Some(old),
                new: new_display,
            }
        }
        None => {
            table.insert(key, Item::Value(value.to_value()));
            Change {
                section: section.into(),
                key: key.into(),
                action: Action::Add,
                old: None,
                new: new_display,
            }
        }
    }
}

fn set_in_inline(table: &mut InlineTable, section: &str, key: &str, value: NewValue) -> Change {
    let new_display = shown(&value.to_value());
    let (action, old) = match table.get(key) {
        Some(existing) if value.matches(existing) => (Action::Keep, Some(shown(existing))),
        Some(existing) => (Action::Change, Some(shown(existing))),
        None => (Action::Add, None),
    };
    if action != Action::Keep {
        table.insert(key, value.to_value());
    }
    Change {
        section: section.into(),
        key: key.into(),
        action,
        old,
        new: new_display,
    }
}

/// A TOML item as JSON data: tables become objects, dates become strings.
fn item_to_json(item: &Item) -> serde_json::Value {
    match item {
        Item::None => serde_json::Value::Null,
        Item::Value(v) => value_to_json(v),
        Item::Table(t) => serde_json::Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), item_to_json(v)))
                .collect(),
        ),
        Item::ArrayOfTables(a) => serde_json::Value::Array(
            a.iter()
                .map(|t| item_to_json(&Item::Table(t.clone())))
                .collect(),
        ),
    }
}

fn value_to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        // A big integer is a number to Streamlit; its exact value matters to no check.
        Value::String(s) => match big_int_literal(s.value()) {
            Some(literal) => big_int_approx(literal),
            None => J::String(s.value().clone()),
        },
        Value::Integer(i) => J::from(*i.value()),
        Value::Float(f) => serde_json::Number::from_f64(*f.value()).map_or(J::Null, J::Number),
        Value::Boolean(b) => J::Bool(*b.value()),
        Value::Datetime(d) => J::String(d.value().to_string()),
        Value::Array(a) => J::Array(a.iter().map(value_to_json).collect()),
        Value::InlineTable(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), value_to_json(v)))
                .collect(),
        ),
    }
}

/// A big integer's literal as an (approximate) JSON number.
fn big_int_approx(literal: &str) -> serde_json::Value {
    let digits = literal.replace('_', "");
    let (negative, digits) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, digits.trim_start_matches('+').to_string()),
    };
    let radix = |prefix: &str, radix: u32| {
        digits.strip_prefix(prefix).map(|d| {
            d.chars()
                .filter_map(|c| c.to_digit(radix))
                .fold(0f64, |acc, d| acc * f64::from(radix) + f64::from(d))
        })
    };
    let value = radix("0x", 16)
        .or_else(|| radix("0o", 8))
        .or_else(|| radix("0b", 2))
        .unwrap_or_else(|| digits.parse::<f64>().unwrap_or(f64::MAX));
    let value = if negative { -value } else { value };
    serde_json::Number::from_f64(value).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// A value as TOML text, without its surrounding whitespace and comments.
fn shown(value: &Value) -> String {
    let mut v = value.clone();
    v.decor_mut().clear();
    unmask_big_ints(v.to_string())
}

/// Marks an integer beyond 64 bits, which toml_edit cannot hold but Python's
/// TOML readers load: the literal is parsed as the string
/// `"<mark><literal>"` and written back as the bare literal.
const BIG_INT_MARK: &str = "__stauth_big_integer__:";
/// How many such integers one file may hold (each costs a parse).
const MAX_BIG_INTS: usize = 256;

/// The literal of a big-integer placeholder string.
fn big_int_literal(s: &str) -> Option<&str> {
    s.strip_prefix(BIG_INT_MARK)
}

/// Puts the big-integer literals back in rendered TOML.
fn unmask_big_ints(rendered: String) -> String {
    let opening = format!("\"{BIG_INT_MARK}");
    if !rendered.contains(&opening) {
        return rendered;
    }
    let mut out = String::with_capacity(rendered.len());
    let mut rest = rendered.as_str();
    while let Some(i) = rest.find(&opening) {
        out.push_str(&rest[..i]);
        let after = &rest[i + opening.len()..];
        // The literal holds no quote; the placeholder ends at the next one.
        let end = after.find('"').unwrap_or(after.len());
        out.push_str(&after[..end]);
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Whether toml_edit failed on `literal` only because it is an integer
/// wider than 64 bits (tomllib and toml read those as Python ints).
fn is_big_int(error: &toml_edit::TomlError, literal: &str) -> bool {
    error.message().contains("overflow")
        && !literal.is_empty()
        && literal.chars().any(|c| c.is_ascii_digit())
        && literal
            .chars()
            .all(|c| c.is_ascii_hexdigit() || "_+-xXoObB".contains(c))
}

/// Parses TOML as Streamlit's reader does, turning a syntax error into
/// `file:line:col: message`. Integers beyond 64 bits load (as in Python).
pub(crate) fn parse_toml(path: &Path, text: &str) -> Result<DocumentMut> {
    let mut masked = std::borrow::Cow::Borrowed(text);
    // (position in the masked text, literal length, replacement length)
    let mut shifts: Vec<(usize, usize, usize)> = Vec::new();
    loop {
        let e = match masked.parse::<DocumentMut>() {
            Ok(doc) => match toml_1_1_only(&masked) {
                None => return Ok(doc),
                Some((offset, (what, fix))) => {
                    let (line, column) = position(text, map_offset(&shifts, offset));
                    return Err(Error::MalformedToml {
                        path: path.to_path_buf(),
                        line,
                        column,
                        message: format!("{what} is TOML 1.1 syntax, which Streamlit's TOML reader (tomllib, TOML 1.0) rejects, so Streamlit cannot load the file; {fix}"),
                    });
                }
            },
            Err(e) => e,
        };
        let span = e.span().unwrap_or(0..0);
        let literal = masked.get(span.clone()).unwrap_or("");
        if shifts.len() < MAX_BIG_INTS && !text.contains(BIG_INT_MARK) && is_big_int(&e, literal) {
            let replacement = format!("\"{BIG_INT_MARK}{literal}\"");
            shifts.push((span.start, literal.len(), replacement.len()));
            let mut next = masked.into_owned();
            next.replace_range(span, &replacement);
            masked = std::borrow::Cow::Owned(next);
            continue;
        }
        let (line, column) = position(text, map_offset(&shifts, span.start));
        return Err(Error::MalformedToml {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        });
    }
}

/// An offset in the text with big integers masked, in the text as written.
fn map_offset(shifts: &[(usize, usize, usize)], mut offset: usize) -> usize {
    for &(at, old_len, new_len) in shifts.iter().rev() {
        if offset >= at + new_len {
            offset = offset + old_len - new_len;
        } else if offset > at {
            offset = at;
        }
    }
    offset
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let offset = (0..=offset)
        .rev()
        .find(|&o| text.is_char_boundary(o))
        .unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// What a piece of TOML 1.1 syntax is, and how to write it in TOML 1.0.
type Syntax = (&'static str, &'static str);

/// Syntax toml_edit accepts (it follows TOML 1.1) but Streamlit's readers
/// refuse (tomllib implements TOML 1.0; toml, used up to 1.65, older still):
/// the first such value, as (byte offset, what it is).
fn toml_1_1_only(text: &str) -> Option<(usize, Syntax)> {
    let doc = toml_edit::Document::parse(text).ok()?;
    in_table(doc.as_table(), text)
}

fn in_table(table: &Table, text: &str) -> Option<(usize, Syntax)> {
    table.iter().find_map(|(_, item)| match item {
        Item::Value(v) => in_value(v, text),
        Item::Table(t) => in_table(t, text),
        Item::ArrayOfTables(a) => a.iter().find_map(|t| in_table(t, text)),
        Item::None => None,
    })
}

fn in_value(value: &Value, text: &str) -> Option<(usize, Syntax)> {
    let span = value.span()?;
    let raw = text.get(span.clone())?;
    let at = |what| Some((span.start, what));
    match value {
        Value::InlineTable(t) => {
            let multiline_string = raw.contains("\"\"\"") || raw.contains("'''");
            if raw.contains('\n') && !multiline_string {
                return at((
                    "an inline table spread over several lines",
                    "put it on one line, or make it a [table]",
                ));
            }
            let inner = raw.trim_end().strip_suffix('}').unwrap_or(raw).trim_end();
            if inner.ends_with(',') {
                return at((
                    "a trailing comma in an inline table",
                    "remove the comma before }",
                ));
            }
            t.iter().find_map(|(_, v)| in_value(v, text))
        }
        Value::Array(a) => a.iter().find_map(|v| in_value(v, text)),
        Value::String(_) if raw.starts_with('"') => {
            let bytes = raw.as_bytes();
            let mut i = 0;
            while i + 1 < bytes.len() {
                if bytes[i] == b'\\' {
                    if matches!(bytes[i + 1], b'e' | b'x') {
                        return at((
                            "the escape \\e or \\xHH in a string",
                            "write \\u001b or \\u00HH instead",
                        ));
                    }
                    i += 2;
                } else {
                    i += 1;
                }
            }
            None
        }
        Value::Datetime(d) if d.value().time.is_some() => {
            let colon = raw.find(':')?;
            let time: String = raw[colon.saturating_sub(2)..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ':' || *c == '.')
                .collect();
            (time.matches(':').count() < 2).then_some((
                span.start,
                ("a time without seconds", "add the seconds (07:32:00)"),
            ))
        }
        _ => None,
    }
}

/// toml_edit renders `\n` line endings. This gives every line that was
/// already in the file its original ending back (so CRLF and mixed files keep
/// their bytes) and new lines the file's usual ending.
fn restore_line_endings(original: &str, rendered: &str) -> String {
    if !original.contains('\r') {
        return rendered.to_string();
    }
    let old: Vec<(&str, &str)> = split_lines(original)
        .map(|(line, end)| {
            (
                line.strip_suffix('\r').unwrap_or(line),
                if line.ends_with('\r') { "\r\n" } else { end },
            )
        })
        .collect();
    let crlf = old.iter().filter(|(_, e)| *e == "\r\n").count();
    let lf = old.iter().filter(|(_, e)| *e == "\n").count();
    let usual = if crlf >= lf { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(rendered.len() + crlf);
    let mut next = 0;
    for (line, end) in split_lines(rendered) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        out.push_str(line);
        if end.is_empty() {
            continue;
        }
        // Unchanged lines appear in the same order; a blank line only counts
        // when it is the very next one, so it cannot skip ahead.
        let window = if line.trim().is_empty() { 1 } else { old.len() };
        match old[next.min(old.len())..]
            .iter()
            .take(window)
            .position(|(l, _)| *l == line)
        {
            Some(k) => {
                let ending = old[next + k].1;
                out.push_str(if ending.is_empty() { usual } else { ending });
                next += k + 1;
            }
            None => out.push_str(usual),
        }
    }
    out
}

/// Lines with their endings (`"\n"`, or `""` for a last line without one).
fn split_lines(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split_inclusive('\n')
        .map(|l| match l.strip_suffix('\n') {
            Some(line) => (line, "\n"),
            None => (l, ""),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SecretsFile {
        let doc = parse_toml(Path::new("s.toml"), text).unwrap();
        SecretsFile {
            path: "s.toml".into(),
            original: Some(text.into()),
            doc,
        }
    }

    #[test]
    fn malformed_position() {
        let err = parse_toml(Path::new("s.toml"), "a = 1\nb = \n").unwrap_err();
        let Error::MalformedToml { line, column, .. } = err else {
            panic!("wrong error");
        };
        assert_eq!((line, column), (2, 5));
    }

    #[test]
    fn crlf_is_kept() {
        let mut f = file("# top\r\n[other]\r\nx = 1\r\n");
        f.set_auth(
            "redirect_uri",
            NewValue::Str("http://localhost:8501/oauth2callback".into()),
        );
        let out = f.render();
        assert!(out.starts_with("# top\r\n[other]\r\nx = 1\r\n"));
        assert!(!out.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn keep_change_add() {
        let mut f = file("[auth]\nclient_id = \"a\" # mine\n");
        assert_eq!(
            f.set_auth("client_id", NewValue::Str("a".into())).action,
            Action::Keep
        );
        let c = f.set_auth("client_id", NewValue::Str("b".into()));
        assert_eq!(
            (c.action, c.old.as_deref()),
            (Action::Change, Some("\"a\""))
        );
        assert_eq!(
            f.set_auth("client_secret", NewValue::Str("s".into()))
                .action,
            Action::Add
        );
        assert_eq!(
            f.render(),
            "[auth]\nclient_id = \"b\" # mine\nclient_secret = \"s\"\n"
        );
    }

    #[test]
    fn named_providers_are_listed() {
        let f = file("[auth]\nredirect_uri = \"x\"\nauthorize_params = { audience = \"a\" }\n[auth.google]\nclient_id = \"g\"\n[auth.client_kwargs]\nprompt = \"login\"\n");
        assert_eq!(f.named_providers(), vec!["google".to_string()]);
        assert_eq!(
            f.provider_str(&ProviderSlot::Named("google".into()), "client_id"),
            Some("g")
        );
    }

    #[test]
    fn integers_beyond_64_bits_load_and_are_written_back() {
        let text = "[db]\nbig = 99999999999999999999999 # c\nneg = [-1_000_000_000_000_000_000_000, 0xffffffffffffffffffff]\n";
        let mut f = file(text);
        assert!(f.doc.get("db").is_some());
        f.set_auth("redirect_uri", NewValue::Str("x".into()));
        assert!(f.render().starts_with(text), "{}", f.render());
        // A syntax error after a big integer is reported where it is.
        let err =
            parse_toml(Path::new("s.toml"), "a = 99999999999999999999999\nb = \n").unwrap_err();
        let Error::MalformedToml { line, column, .. } = err else {
            panic!("wrong error");
        };
        assert_eq!((line, column), (2, 5));
    }

    #[test]
    fn toml_1_1_syntax_is_refused_as_tomllib_refuses_it() {
        for (text, what, line) in [
            ("a = 1\nk = {\n b = 1 }\n", "several lines", 2),
            ("k = { b = 1, }\n", "trailing comma", 1),
            ("[x]\nk = { b = { c = 1, } }\n", "trailing comma", 2),
            ("k = \"\\e[31m\"\n", "escape", 1),
            ("k = [\"ok\", \"\\x41\"]\n", "escape", 1),
            ("k = 07:32\n", "seconds", 1),
            ("k = 1979-05-27T07:32Z\n", "seconds", 1),
            (
                "x = 99999999999999999999\nk = { b = 1, }\n",
                "trailing comma",
                2,
            ),
        ] {
            match parse_toml(Path::new("s.toml"), text) {
                Err(Error::MalformedToml {
                    line: l, message, ..
                }) => {
                    assert!(message.contains(what), "{text:?}: {message}");
                    assert_eq!(l, line, "{text:?}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
        for text in [
            "k = { b = 1 }\n",
            "k = [1, 2,]\n",
            "k = \"\\\\e \\u001b\"\n",
            "k = 'C:\\x'\n",
            "k = 07:32:00\n",
            "k = 1979-05-27\n",
            "k = { s = \"\"\"a\nb\"\"\" }\n",
        ] {
            assert!(parse_toml(Path::new("s.toml"), text).is_ok(), "{text:?}");
        }
    }

    #[test]
    fn an_inline_auth_keeps_its_comment() {
        let mut f = file("auth = { client_id = \"x\" } # keep me\n");
        f.set_auth("redirect_uri", NewValue::Str("r".into()));
        assert_eq!(
            f.render(),
            "[auth] # keep me\nclient_id = \"x\"\nredirect_uri = \"r\"\n"
        );
    }

    #[test]
    fn auth_must_be_a_table() {
        let doc = parse_toml(Path::new("s.toml"), "auth = 3\n").unwrap();
        let f = SecretsFile {
            path: "s.toml".into(),
            original: Some("auth = 3\n".into()),
            doc,
        };
        assert!(matches!(
            f.check_layout(),
            Err(Error::BadSecretsLayout { .. })
        ));
    }
}
