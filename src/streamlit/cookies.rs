//! The cookies Streamlit sets after a login, predicted byte for byte.
//!
//! After `/oauth2callback` Streamlit stores the ID token's claims in the signed
//! `_streamlit_user` cookie and (1.53+) the raw tokens in
//! `_streamlit_user_tokens`, splitting either into `NAME_1..NAME_N` when it
//! would pass 4096 bytes. Their sizes decide whether a login works: before
//! 1.53 an oversized cookie is dropped by the browser and login loops; since
//! 1.53 the chunks can push the `Cookie` header past a proxy's 8 KB limit.
//! This module reproduces Streamlit's serialisation, signing and chunking
//! exactly (see shared/streamlit-auth.md §3), so the sizes are known from the
//! ID token alone. tests/streamlit_cookies.rs checks it against Streamlit's own
//! code (tests/py/cookie_oracle.py).
//!
//! Sources, Streamlit 1.67.0: `auth_util.py` (`set_cookie_with_chunks`,
//! `_set_split_cookie`, `MAX_COOKIE_BYTES`, `SIGNING_OVERHEAD_SAFETY_BUFFER`),
//! `web/server/starlette/starlette_auth_routes.py` (`_auth_callback`,
//! `_set_auth_cookie`, `_get_auth_cookie_attribute_size`, `_set_single_cookie`),
//! `web/server/starlette/starlette_app_utils.py` (`create_signed_value`);
//! itsdangerous 2.2 (`URLSafeTimedSerializer`); Tornado 6
//! (`create_signed_value`, `RequestHandler.set_cookie`) for 1.42-1.56.
//!
//! Pure functions: no I/O, no clock (the signing time is a parameter).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use flate2::{Compress, Compression, FlushCompress, Status};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};
use sha2::Sha256;

/// The identity cookie.
pub const USER_COOKIE: &str = "_streamlit_user";
/// The tokens cookie (1.53+).
pub const TOKENS_COOKIE: &str = "_streamlit_user_tokens";
/// Streamlit's per-cookie budget (`auth_util.MAX_COOKIE_BYTES`).
pub const MAX_COOKIE_BYTES: usize = 4096;
/// The Starlette server's WebSocket library accepts header lines of at most
/// 8192 bytes ("Cookie: " included): a longer Cookie header makes the
/// /_stcore/stream handshake hang, so the app never loads (seen with 1.67).
pub const WEBSOCKET_COOKIE_LIMIT: usize = 8182;
/// `; _streamlit_xsrf=...`, which the app sets besides the login cookies.
pub const XSRF_COOKIE_BYTES: usize = 72;
/// Added to the measured signing overhead when sizing chunks
/// (`auth_util.SIGNING_OVERHEAD_SAFETY_BUFFER`).
const SIGNING_OVERHEAD_SAFETY_BUFFER: usize = 50;
/// `auth_util.SINGLE_BYTE_BASE64_SIZE`.
const SINGLE_BYTE_BASE64_SIZE: usize = 4;
/// Cookie lifetime: Tornado's `expires_days=30`, Starlette's Max-Age (1.58+).
const COOKIE_LIFETIME_SECS: u64 = 30 * 24 * 60 * 60;

/// Which server signs the cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// Tornado `set_signed_cookie` (signed value version 2): 1.42-1.56.
    Tornado,
    /// itsdangerous `URLSafeTimedSerializer`: 1.57+ (1.53-1.56 only with
    /// `server.useStarlette`).
    Starlette,
}

/// How a Streamlit release writes its login cookies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieRules {
    /// The release these rules describe.
    pub version: (u16, u16),
    /// The signing scheme.
    pub server: ServerKind,
    /// Values over 4096 bytes are split into `NAME_1..NAME_N` (1.53+).
    pub chunking: bool,
    /// `_streamlit_user_tokens` is set (1.53+).
    pub tokens_cookie: bool,
    /// The identity JSON ends with `provider` (1.48 and 1.53+).
    pub provider_in_identity: bool,
    /// The attribute suffix Streamlit counts in its chunking length test
    /// (`len(name) + 1 + len(signed) + len(attributes) > 4096`).
    pub attributes: String,
    /// The cookie path (`/` + `server.baseUrlPath` stripped of slashes, or
    /// `/`); Tornado always uses `/`.
    pub cookie_path: String,
}

impl CookieRules {
    /// The rules of Streamlit `major.minor` for an app served under
    /// `base_url_path` (`server.baseUrlPath`, `""` for none). `None` before
    /// 1.42, which has no `st.login`. 1.53-1.56 get the default Tornado server
    /// (their opt-in `server.useStarlette` is not modelled).
    pub fn for_version(major: u16, minor: u16, base_url_path: &str) -> Option<CookieRules> {
        let v = (major, minor);
        if v < (1, 42) {
            return None;
        }
        let starlette_path = match base_url_path.trim_matches('/') {
            "" => "/".to_owned(),
            p => format!("/{p}"),
        };
        let (server, cookie_path) = if v >= (1, 57) {
            (ServerKind::Starlette, starlette_path)
        } else {
            (ServerKind::Tornado, "/".to_owned())
        };
        let attributes = if v >= (1, 58) {
            format!("; Path={cookie_path}; HttpOnly; SameSite=lax; Max-Age={COOKIE_LIFETIME_SECS}")
        } else {
            // auth_util.COOKIE_ATTRIBUTES up to 1.57, whatever the real path.
            "; Path=/; HttpOnly".to_owned()
        };
        Some(CookieRules {
            version: v,
            server,
            chunking: v >= (1, 53),
            tokens_cookie: v >= (1, 53),
            provider_in_identity: v == (1, 48) || v >= (1, 53),
            attributes,
            cookie_path,
        })
    }

    /// Everything after `name=value` in the Set-Cookie header, as the server
    /// writes it for a cookie signed at `ts`.
    fn set_cookie_suffix(&self, ts: u64) -> String {
        match self.server {
            // Tornado: expires = now + 30 days; Python's Morsel sorts attributes.
            ServerKind::Tornado => format!(
                "; expires={}; HttpOnly; Path=/",
                http_date(ts + COOKIE_LIFETIME_SECS)
            ),
            ServerKind::Starlette if self.version >= (1, 58) => format!(
                "; HttpOnly; Max-Age={COOKIE_LIFETIME_SECS}; Path={}; SameSite=lax",
                self.cookie_path
            ),
            // 1.53-1.57: no Max-Age (a session cookie, #15193).
            ServerKind::Starlette => format!("; HttpOnly; Path={}; SameSite=lax", self.cookie_path),
        }
    }

    /// The signed cookie value the server computes for `value`.
    fn sign(&self, secret: &str, name: &str, value: &str, ts: u64) -> String {
        match self.server {
            ServerKind::Tornado => sign_tornado_v2(secret, name, value, ts),
            ServerKind::Starlette => sign_itsdangerous(secret, name, value, ts),
        }
    }
}

/// Python's `json.dumps(obj)` with default arguments: separators `", "` and
/// `": "`, `ensure_ascii=True` (`\uXXXX` in lowercase hex, surrogate pairs
/// beyond the BMP), key order as stored (serde_json's `preserve_order`), floats
/// as Python's `repr`. Integers beyond 64 bits arrive here as floats (serde_json
/// without `arbitrary_precision`), so they print differently from Python.
pub fn python_json_dumps(v: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, v);
    out
}

fn write_json(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else {
                out.push_str(&python_float_repr(n.as_f64().unwrap_or(f64::NAN)));
            }
        }
        Value::String(s) => write_json_str_ascii(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json_str_ascii(out, k);
                out.push_str(": ");
                write_json(out, item);
            }
            out.push('}');
        }
    }
}

/// Python's `float.__repr__` (shortest round-trip digits; exponent form below
/// 1e-4 and from 1e16 on, with at least two exponent digits).
fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // Rust's `{:e}` gives the same shortest digits: "-1.2345e-7".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let n = digits.len() as i32;
    let body = if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point >= n {
            format!("{digits}{}.0", "0".repeat((point - n) as usize))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{a}.{b}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{first}{frac}e{esign}{:02}", exp.unsigned_abs())
    };
    format!("{sign}{body}")
}

/// A JSON string literal as Python's `json.dumps` writes it with
/// `ensure_ascii=True`.
fn write_json_str_ascii(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// A JSON string literal as itsdangerous's `_CompactJSON.dumps` writes a str
/// (`ensure_ascii=False`): only `"`, `\` and control characters are escaped.
fn json_str_unicode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The identity JSON Streamlit signs into `_streamlit_user`:
/// `json.dumps(dict(claims, origin=origin, is_logged_in=True, provider=provider))`.
/// Pass `provider: None` for releases without it
/// ([`CookieRules::provider_in_identity`]). As with Python's `dict(...)`, a
/// claim already named `origin`, `is_logged_in` or `provider` keeps its
/// position and takes the new value.
pub fn identity_json(claims: &Map<String, Value>, origin: &str, provider: Option<&str>) -> String {
    let mut m = claims.clone();
    m.insert("origin".to_owned(), Value::String(origin.to_owned()));
    m.insert("is_logged_in".to_owned(), Value::Bool(true));
    if let Some(p) = provider {
        m.insert("provider".to_owned(), Value::String(p.to_owned()));
    }
    python_json_dumps(&Value::Object(m))
}

/// The tokens JSON Streamlit signs into `_streamlit_user_tokens` (1.53+):
/// `{"id_token": ..., "access_token": ...}`, each only when the token
/// response had it (an empty response gives `{}`).
pub fn tokens_json(id_token: Option<&str>, access_token: Option<&str>) -> String {
    let mut m = Map::new();
    if let Some(t) = id_token {
        m.insert("id_token".to_owned(), Value::String(t.to_owned()));
    }
    if let Some(t) = access_token {
        m.insert("access_token".to_owned(), Value::String(t.to_owned()));
    }
    python_json_dumps(&Value::Object(m))
}

/// `zlib.compress(data)` at the default level, as one deflate call with
/// `Z_FINISH` like CPython's (real zlib through flate2's `zlib` backend).
fn zlib_compress(data: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::new(6), true);
    let mut out = Vec::with_capacity(data.len() + data.len() / 8 + 64);
    loop {
        let consumed = c.total_in() as usize;
        let status = c
            .compress_vec(&data[consumed..], &mut out, FlushCompress::Finish)
            .expect("zlib deflate cannot fail on a valid stream");
        if status == Status::StreamEnd {
            return out;
        }
        out.reserve(out.capacity().max(64));
    }
}

/// itsdangerous `URLSafeTimedSerializer(secret, salt=salt).dumps(value)` at
/// Unix time `ts`, for a str `value` (what Streamlit 1.53+ does on the
/// Starlette server, with the cookie name as salt):
/// `payload.timestamp.signature`, where payload is the unpadded base64url of
/// the compact JSON string literal of `value` (zlib-compressed, with a leading
/// `.`, when that is shorter by more than one byte), timestamp the base64url
/// of `ts` in big-endian bytes without leading zeros, and signature the
/// base64url HMAC-SHA1 of `payload.timestamp` under
/// `SHA1(salt + "signer" + secret)`.
pub fn sign_itsdangerous(secret: &str, salt: &str, value: &str, ts: u64) -> String {
    let json = json_str_unicode(value).into_bytes();
    let compressed = zlib_compress(&json);
    let mut signed = if compressed.len() < json.len().saturating_sub(1) {
        format!(".{}", URL_SAFE_NO_PAD.encode(&compressed))
    } else {
        URL_SAFE_NO_PAD.encode(&json)
    };
    let ts_bytes = ts.to_be_bytes();
    let first = ts_bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(ts_bytes.len());
    signed.push('.');
    signed.push_str(&URL_SAFE_NO_PAD.encode(&ts_bytes[first..]));

    let sig = itsdangerous_mac(secret, salt, signed.as_bytes());
    signed.push('.');
    signed.push_str(&URL_SAFE_NO_PAD.encode(sig));
    signed
}

/// itsdangerous's HMAC-SHA1 of `data` under the key `SHA1(salt + "signer" + secret)`.
pub(super) fn itsdangerous_mac(secret: &str, salt: &str, data: &[u8]) -> Vec<u8> {
    let mut key_hash = Sha1::new();
    key_hash.update(salt.as_bytes());
    key_hash.update(b"signer");
    key_hash.update(secret.as_bytes());
    let key = key_hash.finalize();
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Tornado's HMAC-SHA256 of `data` under the secret, as lowercase hex.
pub(super) fn tornado_mac_hex(secret: &str, data: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Tornado `create_signed_value(secret, name, value, version=2)` at Unix time
/// `ts` (key version 0):
/// `2|1:0|<n>:<ts>|<n>:<name>|<n>:<base64(value)>|<hex HMAC-SHA256>`.
pub fn sign_tornado_v2(secret: &str, name: &str, value: &str, ts: u64) -> String {
    fn field(out: &mut String, s: &str, len: usize) {
        out.push_str(&format!("{len}:{s}|"));
    }
    let ts = ts.to_string();
    let b64 = STANDARD.encode(value.as_bytes());
    let mut to_sign = String::from("2|");
    field(&mut to_sign, "0", 1);
    field(&mut to_sign, &ts, ts.len());
    // Tornado measures the str name in code points, the bytes value in bytes.
    field(&mut to_sign, name, name.chars().count());
    field(&mut to_sign, &b64, b64.len());
    let sig = tornado_mac_hex(secret, to_sign.as_bytes());
    to_sign.push_str(&sig);
    to_sign
}

/// Python's `http.cookies` quoting of a cookie value (Tornado sets cookies
/// through `SimpleCookie`; Starlette's itsdangerous values never need it).
fn python_cookie_quote(value: &str) -> String {
    const LEGAL: &str = "!#$%&'*+-.^_`|~:";
    const UNESCAPED: &str = "!#$%&'*+-.^_`|~: ()/<=>?@[]{}";
    let legal = |c: char| c.is_ascii_alphanumeric() || LEGAL.contains(c);
    if value.chars().all(legal) {
        return value.to_owned();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii_alphanumeric() || UNESCAPED.contains(c) => out.push(c),
            c if (c as u32) < 256 => out.push_str(&format!("\\{:03o}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An HTTP date as Python's `email.utils.formatdate(t, usegmt=True)` writes it.
fn http_date(t: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = t / 86_400;
    let secs = t % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// One cookie Streamlit sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSize {
    /// `_streamlit_user`, `_streamlit_user_3`, `_streamlit_user_tokens`, ...
    pub name: String,
    /// The value exactly as in the Set-Cookie header and as the browser sends
    /// it back (Tornado's values keep Python's cookie quotes).
    pub value: String,
    /// `value.len()`.
    pub value_len: usize,
    /// `len("name=value")`: what the cookie adds to the `Cookie` header, and
    /// what browsers hold to 4096 bytes.
    pub header_len: usize,
    /// The whole Set-Cookie header value (`name=value; HttpOnly; ...`).
    pub set_cookie: String,
}

/// The cookies one login produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// In the order Streamlit sets them: the identity cookie, its chunks, the
    /// tokens cookie, its chunks.
    pub cookies: Vec<CookieSize>,
    /// How many `_streamlit_user_N` chunks (0: not split).
    pub identity_chunks: usize,
    /// How many `_streamlit_user_tokens_N` chunks (0: not split).
    pub tokens_chunks: usize,
    /// Length of the `Cookie` header value the browser sends back with these
    /// cookies only (`name=value` joined by `"; "`); the app's other cookies
    /// (`_streamlit_xsrf`, ...) and stale chunks from an earlier, larger login
    /// come on top.
    pub cookie_header_len: usize,
    /// Length of the longest Set-Cookie header value.
    pub largest_set_cookie_len: usize,
}

/// The cookies `rules`' Streamlit sets after a login, signed with `secret`
/// (`[auth] cookie_secret`) at Unix time `ts`. `identity_json` is
/// [`identity_json`]'s output; `tokens_json` is [`tokens_json`]'s (ignored
/// before 1.53; `None` stands for `{}`, which Streamlit sets when the token
/// response has neither token).
///
/// Chunking follows `auth_util.set_cookie_with_chunks`: a value is split when
/// `len(name) + 1 + len(signed) + len(rules.attributes) > 4096`; the JSON
/// (not the signed value) is cut into pieces of
/// `(4096 - len(name) - 1 - len(attributes) - (len(sign(name, "x")) - 4 + 50)) * 3 / 4`
/// characters, the main cookie holds `chunks-N` and piece `i` is signed
/// into `NAME_i` with that name as salt.
///
/// Fails only when a cookie path is so long that no chunk fits, where
/// Streamlit raises `StreamlitAuthError` and the login fails.
pub fn predict(
    rules: &CookieRules,
    secret: &str,
    identity_json: &str,
    tokens_json: Option<&str>,
    ts: u64,
) -> Result<Prediction, String> {
    let mut values: Vec<(String, String)> = Vec::new();
    let identity_chunks = plan(rules, secret, USER_COOKIE, identity_json, ts, &mut values)?;
    let mut tokens_chunks = 0;
    if rules.tokens_cookie {
        let tokens = tokens_json.unwrap_or("{}");
        tokens_chunks = plan(rules, secret, TOKENS_COOKIE, tokens, ts, &mut values)?;
    }

    let suffix = rules.set_cookie_suffix(ts);
    let cookies: Vec<CookieSize> = values
        .into_iter()
        .map(|(name, value)| {
            let signed = rules.sign(secret, &name, &value, ts);
            let value = match rules.server {
                ServerKind::Tornado => python_cookie_quote(&signed),
                ServerKind::Starlette => signed,
            };
            let set_cookie = format!("{name}={value}{suffix}");
            CookieSize {
                value_len: value.len(),
                header_len: name.len() + 1 + value.len(),
                name,
                value,
                set_cookie,
            }
        })
        .collect();
    let cookie_header_len =
        cookies.iter().map(|c| c.header_len).sum::<usize>() + 2 * cookies.len().saturating_sub(1);
    let largest_set_cookie_len = cookies
        .iter()
        .map(|c| c.set_cookie.len())
        .max()
        .unwrap_or(0);
    Ok(Prediction {
        cookies,
        identity_chunks,
        tokens_chunks,
        cookie_header_len,
        largest_set_cookie_len,
    })
}

/// `set_cookie_with_chunks` for one cookie: pushes the (name, unsigned value)
/// pairs Streamlit sets and returns the number of chunks (0 when unsplit).
fn plan(
    rules: &CookieRules,
    secret: &str,
    name: &str,
    value: &str,
    ts: u64,
    out: &mut Vec<(String, String)>,
) -> Result<usize, String> {
    let attr = rules.attributes.len();
    let signed_len = rules.sign(secret, name, value, ts).len();
    if !rules.chunking || name.len() + 1 + signed_len + attr <= MAX_COOKIE_BYTES {
        out.push((name.to_owned(), value.to_owned()));
        return Ok(0);
    }
    // _set_split_cookie
    let overhead = rules.sign(secret, name, "x", ts).len() - SINGLE_BYTE_BASE64_SIZE
        + SIGNING_OVERHEAD_SAFETY_BUFFER;
    let available = (MAX_COOKIE_BYTES as i64) - (name.len() + 1 + attr + overhead) as i64;
    if available < SINGLE_BYTE_BASE64_SIZE as i64 {
        return Err(format!(
            "Streamlit cannot split the {name} cookie: the cookie attributes \
             ({attr} bytes) leave no room for a chunk"
        ));
    }
    let chunk_size = (available as usize * 3) / 4;
    // Python slices the str by code points.
    let chars: Vec<char> = value.chars().collect();
    let chunks: Vec<String> = chars
        .chunks(chunk_size)
        .map(|c| c.iter().collect())
        .collect();
    if chunks.len() == 1 {
        out.push((name.to_owned(), value.to_owned()));
        return Ok(0);
    }
    out.push((name.to_owned(), format!("chunks-{}", chunks.len())));
    let n = chunks.len();
    for (i, chunk) in chunks.into_iter().enumerate() {
        out.push((format!("{name}_{}", i + 1), chunk));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_dumps_matches_python() {
        // Expected strings printed by CPython 3.11 json.dumps.
        let cases: Vec<(Value, &str)> = vec![
            (json!({"a": 1, "b": [1, 2.5, null, true, false]}), r#"{"a": 1, "b": [1, 2.5, null, true, false]}"#),
            (json!("Jöhn 😀"), r#""J\u00f6hn \ud83d\ude00""#),
            (json!("q\"b\\s/\n\r\t\u{8}\u{c}\u{1}\u{7f}"), r#""q\"b\\s/\n\r\t\b\f\u0001\u007f""#),
            (json!({"nested": {"x": [[], {}, [1, [2, ["é"]]]]}}), r#"{"nested": {"x": [[], {}, [1, [2, ["\u00e9"]]]]}}"#),
            (json!([-5, 18446744073709551615_u64, -9223372036854775808_i64]), "[-5, 18446744073709551615, -9223372036854775808]"),
            (json!([1.5, 2.0, -0.0, 0.1, 1e16, 1e15, 0.0001, 0.00001, 1.5e-7, 123456789.125, 1e100, 5e-324]),
             "[1.5, 2.0, -0.0, 0.1, 1e+16, 1000000000000000.0, 0.0001, 1e-05, 1.5e-07, 123456789.125, 1e+100, 5e-324]"),
            (json!({"日本": "中文", "ключ": "значение"}), r#"{"\u65e5\u672c": "\u4e2d\u6587", "\u043a\u043b\u044e\u0447": "\u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435"}"#),
        ];
        for (v, want) in cases {
            assert_eq!(python_json_dumps(&v), want, "{v}");
        }
    }

    #[test]
    fn identity_json_keeps_claim_order_and_overrides_in_place() {
        let claims = json!({"sub": "1", "provider": "evil", "email": "a@b"});
        let got = identity_json(
            claims.as_object().unwrap(),
            "http://localhost:8501",
            Some("default"),
        );
        assert_eq!(
            got,
            r#"{"sub": "1", "provider": "default", "email": "a@b", "origin": "http://localhost:8501", "is_logged_in": true}"#
        );
        let without = identity_json(&Map::new(), "https://x.io", None);
        assert_eq!(
            without,
            r#"{"origin": "https://x.io", "is_logged_in": true}"#
        );
        assert_eq!(tokens_json(None, None), "{}");
        assert_eq!(
            tokens_json(Some("i"), Some("a")),
            r#"{"id_token": "i", "access_token": "a"}"#
        );
    }

    #[test]
    fn itsdangerous_vectors() {
        // URLSafeTimedSerializer(secret, salt=name).dumps(value), time.time() = ts, itsdangerous 2.2.0.
        assert_eq!(
            sign_itsdangerous("s3cret", "n", "x", 1_700_000_000),
            "Ingi.ZVPxAA.WGJSQv-ovGUBPGqwKksze_Nkphw"
        );
        // Timestamps: big-endian bytes without leading zeros.
        // URLSafeTimedSerializer("k", salt="n").dumps("v") at those times.
        for (ts, want) in [
            (0_u64, "InYi..jzVjT0gymtG2yMI5yTpvh6eCKYE"),
            (1, "InYi.AQ.dZr847evA4HLFR1CDcaLrF5mBbk"),
            (255, "InYi._w.Pq5YRogrN4fUHDejtaelQeLw9Lo"),
            (256, "InYi.AQA.b_RGDC4MeuLs9CxwS0Qe0Ck-jhQ"),
            (1_700_000_000, "InYi.ZVPxAA.OUE1Qczng_QIh1HBYONGpd-vpeU"),
            (u64::MAX, "InYi.__________8.T49Od15rZN671lfC3MBipzIuqDg"),
        ] {
            assert_eq!(sign_itsdangerous("k", "n", "v", ts), want, "ts {ts}");
        }
        // Compression only when zlib saves more than one byte: 11 "a"s give
        // 13 bytes of JSON and 12 compressed (kept plain), 12 give 14 and 12.
        assert_eq!(
            sign_itsdangerous("k", "n", &"a".repeat(11), 1_700_000_000),
            "ImFhYWFhYWFhYWFhIg.ZVPxAA._LNZCF4SPQRxv8xbLi5sfuBvWXQ"
        );
        assert_eq!(
            sign_itsdangerous("k", "n", &"a".repeat(12), 1_700_000_000),
            ".eJxTSkQCSgAkJgTR.ZVPxAA.yFjvDA6L2QgLdNmAEyszDaP3-hA"
        );
        // The str is JSON-encoded with ensure_ascii=False: raw UTF-8, escaped
        // quotes and backslashes, \u0001 for control characters.
        assert_eq!(
            sign_itsdangerous("k", "n", "Zoë", 1_700_000_000),
            "Ilpvw6si.ZVPxAA.ACqYTxEesUuoiYRSJ5UF_kKYX4Q"
        );
        assert_eq!(
            sign_itsdangerous(
                "k",
                "n",
                &"Zoë \"q\" back\\slash 😀 \u{1} é".repeat(3),
                1_700_000_000
            ),
            ".eJxTiso_vFohRqkwRkkhKTE5OyamOCexOEPhw_wZDQoxpQYGBoYKh1dST5ESAJqsKyw.ZVPxAA.FnMLXE0cC4Q5InVrcHPHF8RCPQw"
        );
        assert_eq!(
            sign_itsdangerous("s3cret", "_streamlit_user_tokens", r#"{"id_token": "eyJ.a.b", "access_token": "at"}"#, 1_700_000_000),
            ".eJxTqo5RykyJL8nPTs2LUbJSiFFKrfTSS9RLilHSAXISk5NTi4uRpRNLYpRqlQDvaBGI.ZVPxAA.I0QXg4Sl324KwhsiwD9mtcZ3Gd0"
        );
    }

    #[test]
    fn tornado_vectors() {
        // tornado.web.create_signed_value(secret, name, value, version=2), tornado 6.6.1.
        assert_eq!(
            sign_tornado_v2("s3cret", "n", "x", 1_700_000_000),
            "2|1:0|10:1700000000|1:n|4:eA==|706a9795a47466b873b67dd6ef81835790a8296426d5281b61ad59b70593d847"
        );
        assert_eq!(
            python_cookie_quote("2|1:0|4:eA==|ab"),
            "\"2|1:0|4:eA==|ab\""
        );
        assert_eq!(python_cookie_quote("2|1:0|4:eA|ab"), "2|1:0|4:eA|ab");
    }

    #[test]
    fn http_dates() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_700_000_000), "Tue, 14 Nov 2023 22:13:20 GMT");
        assert_eq!(http_date(1_709_164_800), "Thu, 29 Feb 2024 00:00:00 GMT");
    }

    #[test]
    fn rules_by_version() {
        assert!(CookieRules::for_version(1, 41, "").is_none());
        let r = CookieRules::for_version(1, 42, "app").unwrap();
        assert_eq!(
            (
                r.server,
                r.chunking,
                r.tokens_cookie,
                r.provider_in_identity
            ),
            (ServerKind::Tornado, false, false, false)
        );
        assert_eq!(r.cookie_path, "/");
        assert!(
            CookieRules::for_version(1, 48, "")
                .unwrap()
                .provider_in_identity
        );
        assert!(
            !CookieRules::for_version(1, 49, "")
                .unwrap()
                .provider_in_identity
        );
        let r = CookieRules::for_version(1, 56, "").unwrap();
        assert_eq!(
            (r.server, r.chunking, r.tokens_cookie),
            (ServerKind::Tornado, true, true)
        );
        let r = CookieRules::for_version(1, 57, "/app/").unwrap();
        assert_eq!(
            (r.server, r.attributes.as_str(), r.cookie_path.as_str()),
            (ServerKind::Starlette, "; Path=/; HttpOnly", "/app")
        );
        let r = CookieRules::for_version(1, 67, "/app/").unwrap();
        assert_eq!(
            r.attributes,
            "; Path=/app; HttpOnly; SameSite=lax; Max-Age=2592000"
        );
        assert_eq!(
            CookieRules::for_version(2, 0, "/").unwrap().attributes,
            "; Path=/; HttpOnly; SameSite=lax; Max-Age=2592000"
        );
    }

    #[test]
    fn small_login_1_67() {
        let rules = CookieRules::for_version(1, 67, "").unwrap();
        let claims = json!({"sub": "123", "name": "Jöhn 😀", "email": "a@b.c"});
        let id = identity_json(
            claims.as_object().unwrap(),
            "http://localhost:8501",
            Some("default"),
        );
        let p = predict(
            &rules,
            "s3cret",
            &id,
            Some(&tokens_json(Some("eyJ.a.b"), Some("at"))),
            1_700_000_000,
        )
        .unwrap();
        // Set-Cookie headers from tests/py/cookie_oracle.py (Streamlit 1.67.0).
        assert_eq!(p.cookies[0].set_cookie, "_streamlit_user=.eJwljMsKgzAQRX9FZl1qVFokq677DQMSzZgEYiJ5dFP8d5VZ3cPhcOGPkOuMIBuErh8QHhcEtRGrL2IVYn3b0Fykx0HfQ0JwSJtynkv1mZ8L25iccYG1LWWXbevjoryNucjxJTrOXJ58NIb0xHFJlW6_p_hzmhIfaFpV9QXhgBODLzWJ.ZVPxAA.r8Mreuaz-XeF3ucjj4BQbpeM0OY; HttpOnly; Max-Age=2592000; Path=/; SameSite=lax");
        assert_eq!(p.cookies[1].name, TOKENS_COOKIE);
        assert_eq!((p.identity_chunks, p.tokens_chunks), (0, 0));
        assert_eq!(
            p.cookie_header_len,
            p.cookies[0].header_len + 2 + p.cookies[1].header_len
        );
    }

    #[test]
    fn tornado_login_headers() {
        let rules = CookieRules::for_version(1, 55, "/app").unwrap();
        let claims = json!({"sub": "123"});
        let id = identity_json(
            claims.as_object().unwrap(),
            "http://localhost:8501",
            Some("default"),
        );
        let p = predict(
            &rules,
            "s3cret",
            &id,
            Some(&tokens_json(Some("eyJ.a.b"), Some("at"))),
            1_700_000_000,
        )
        .unwrap();
        // tornado 6.6.1 RequestHandler.set_signed_cookie(name, value, httpOnly=True), expires date aside.
        assert_eq!(p.cookies[0].value, "\"2|1:0|10:1700000000|15:_streamlit_user|128:eyJzdWIiOiAiMTIzIiwgIm9yaWdpbiI6ICJodHRwOi8vbG9jYWxob3N0Ojg1MDEiLCAiaXNfbG9nZ2VkX2luIjogdHJ1ZSwgInByb3ZpZGVyIjogImRlZmF1bHQifQ==|5003dbd5506c9d4bc30a191d934436314525bdee45e09219734c108bedaa15be\"");
        assert!(p.cookies[0]
            .set_cookie
            .ends_with("\"; expires=Thu, 14 Dec 2023 22:13:20 GMT; HttpOnly; Path=/"));
        assert_eq!(p.cookies[1].value, "2|1:0|10:1700000000|22:_streamlit_user_tokens|60:eyJpZF90b2tlbiI6ICJleUouYS5iIiwgImFjY2Vzc190b2tlbiI6ICJhdCJ9|53cd74b5857fc37800fe5cd0c982d53c5ece9f0b119b9e9ebeeb23ba38887e4b");
    }
}
