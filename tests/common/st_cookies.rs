//! Reading the login cookies a real Streamlit set, independently of stauth:
//! Tornado's signed values (1.42-1.56 without `server.useStarlette`) and
//! itsdangerous values (the Starlette server), their payloads, signing times
//! and chunks; plus the JWT and identity helpers the release matrix needs.
#![allow(dead_code)]

use std::io::Read as _;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::streamlit::SetCookie;

/// A signed cookie value taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The str that was signed (Streamlit's JSON, or `chunks-N`).
    pub payload: String,
    /// The signing time, seconds since the epoch.
    pub ts: u64,
}

/// Decodes either format: Tornado's `2|1:0|10:TS|N:NAME|N:B64|SIG` (maybe in
/// Python's cookie quotes) or itsdangerous's `[.]PAYLOAD.TS.SIG`.
pub fn signed(value: &str) -> Signed {
    let unquoted = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    if unquoted.starts_with("2|") {
        tornado(unquoted)
    } else {
        itsdangerous(value)
    }
}

/// Tornado's version-2 signed value: length-prefixed fields joined by `|`
/// (standard base64 never holds `|`, so a split is exact).
fn tornado(value: &str) -> Signed {
    let fields: Vec<&str> = value.split('|').collect();
    assert_eq!(fields.len(), 6, "not a Tornado v2 signed value: {value}");
    let body = |f: &str| f.split_once(':').map(|(_, b)| b.to_owned()).unwrap();
    let ts: u64 = body(fields[2])
        .parse()
        .unwrap_or_else(|_| panic!("bad timestamp in {value}"));
    let bytes = STANDARD
        .decode(body(fields[4]))
        .unwrap_or_else(|e| panic!("bad base64 value ({e}) in {value}"));
    Signed {
        payload: String::from_utf8(bytes).expect("UTF-8 payload"),
        ts,
    }
}

/// itsdangerous `URLSafeTimedSerializer`: the payload is base64url of a JSON
/// string literal, zlib-compressed when the value starts with `.`; the
/// timestamp is a big-endian integer in base64url.
fn itsdangerous(value: &str) -> Signed {
    let (compressed, rest) = match value.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let parts: Vec<&str> = rest.split('.').collect();
    assert_eq!(parts.len(), 3, "not payload.timestamp.signature: {value}");
    let mut bytes = URL_SAFE_NO_PAD
        .decode(parts[0])
        .unwrap_or_else(|e| panic!("bad base64url payload ({e}) in {value}"));
    if compressed {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap_or_else(|e| panic!("bad zlib payload ({e}) in {value}"));
        bytes = out;
    }
    let payload = serde_json::from_slice::<String>(&bytes).unwrap_or_else(|e| {
        panic!(
            "the payload is not a JSON string ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    let ts_bytes = URL_SAFE_NO_PAD
        .decode(parts[1])
        .unwrap_or_else(|e| panic!("bad timestamp ({e}) in {value}"));
    assert!(ts_bytes.len() <= 8, "timestamp too long in {value}");
    let ts = ts_bytes
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    Signed { payload, ts }
}

/// The cookie `name` among `cookies`; panics when absent.
pub fn cookie<'a>(cookies: &'a [SetCookie], name: &str) -> &'a SetCookie {
    cookies
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name} cookie among {cookies:?}"))
}

/// `NAME_<digits>`.
pub fn is_chunk_of(candidate: &str, name: &str) -> bool {
    candidate
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The JSON text Streamlit stored in cookie `name`, joined from its chunks
/// when the cookie holds `chunks-N`.
pub fn joined(cookies: &[SetCookie], name: &str) -> String {
    let main = signed(&cookie(cookies, name).value).payload;
    let Some(n) = main.strip_prefix("chunks-") else {
        return main;
    };
    let n: usize = n
        .parse()
        .unwrap_or_else(|_| panic!("bad chunk count in {main}"));
    (1..=n)
        .map(|i| signed(&cookie(cookies, &format!("{name}_{i}")).value).payload)
        .collect()
}

/// The claims of a JWT's payload, in their order.
pub fn jwt_claims(jwt: &str) -> Map<String, Value> {
    let payload = jwt.split('.').nth(1).expect("a JWT has a payload");
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .expect("base64url JWT payload");
    serde_json::from_slice(&bytes).expect("JWT payload is a JSON object")
}

/// The test IdP's default account, `alice` (tests/idp/README.md).
pub fn alice() -> Map<String, Value> {
    json!({
        "sub": "alice",
        "email": "alice@example.com",
        "email_verified": true,
        "name": "Alice Example",
        "given_name": "Alice",
        "family_name": "Example",
        "picture": "https://example.com/alice.png"
    })
    .as_object()
    .unwrap()
    .clone()
}

/// `count` GUID-like strings, deterministic (splitmix64) but without the
/// repetition that would make them compress unrealistically well.
pub fn guids(count: usize) -> Vec<String> {
    let mut state: u64 = 0x5eed_1234_abcd_0042;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..count)
        .map(|_| {
            let (a, b) = (next(), next());
            format!(
                "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xfff,
                0x8000 | ((b >> 48) & 0x3fff),
                b & 0xffff_ffff_ffff
            )
        })
        .collect()
}
