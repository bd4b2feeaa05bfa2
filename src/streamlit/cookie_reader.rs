//! Reading Streamlit's login cookies back: the `Cookie` header parsed, chunks
//! reassembled, each value's signature checked with the app's cookie secret
//! (itsdangerous on the Starlette server, Tornado v2 signed values up to 1.56)
//! and its age checked as Streamlit does (31 days).

use std::io::Read;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::Value;

use super::cookies::python_format::python_cookie_unquote;
use super::cookies::{itsdangerous_mac, tornado_mac_hex};
use crate::limits;
use crate::oidc::id_token::constant_time_eq;

/// Streamlit refuses signed cookies older than this (30 days + 1 day of grace
/// on Starlette; Tornado's `max_age_days=31`).
pub const MAX_AGE_SECS: u64 = 31 * 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CookieFormat {
    /// itsdangerous `URLSafeTimedSerializer` (Starlette server, 1.53+).
    Itsdangerous,
    /// Tornado `create_signed_value` version 2 (Tornado server, up to 1.56).
    Tornado,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CookieError {
    #[error("{name} is not a Streamlit signed cookie (neither itsdangerous nor Tornado format)")]
    Format { name: String },
    #[error("{name}: bad signature: the cookie secret is not the one that signed it, or the cookie was changed")]
    BadSignature { name: String },
    #[error("{name}: signed {days} days ago; Streamlit accepts login cookies for 31 days, so the user must log in again")]
    Expired { name: String, days: u64 },
    #[error(
        "{name}: signed in the future (clock skew between this machine and the app's server?)"
    )]
    Future { name: String },
    #[error("{name} was split into {count} chunks but {name}_{missing} is missing: pass the whole Cookie header")]
    MissingChunk {
        name: String,
        missing: usize,
        count: usize,
    },
    #[error("{name}: the signed payload is not readable ({why})")]
    Payload { name: String, why: String },
}

/// One verified value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsigned {
    pub value: String,
    pub signed_at: u64,
    pub format: CookieFormat,
}

/// A cookie read back whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadCookie {
    pub value: String,
    /// The oldest signature among its parts (Streamlit rejects the cookie when any part expires).
    pub signed_at: u64,
    pub format: CookieFormat,
    /// 0 when the cookie was not split.
    pub chunks: usize,
}

/// `name=value` pairs of a `Cookie` header (a leading `Cookie:` is allowed),
/// with Python-style quoted values unquoted.
pub fn parse_cookie_header(header: &str) -> Vec<(String, String)> {
    let header = header.trim();
    let header = header
        .strip_prefix("Cookie:")
        .or_else(|| header.strip_prefix("cookie:"))
        .unwrap_or(header);
    header
        .split(';')
        .filter_map(|part| {
            let (name, value) = part.split_once('=')?;
            Some((name.trim().to_string(), python_cookie_unquote(value.trim())))
        })
        .filter(|(name, _)| !name.is_empty())
        .collect()
}

/// Verifies one signed value written under cookie `name`.
pub fn unsign(secret: &str, name: &str, signed: &str, now: u64) -> Result<Unsigned, CookieError> {
    let (value, signed_at, format) = if signed.starts_with("2|") {
        let (v, ts) = unsign_tornado(secret, name, signed)?;
        (v, ts, CookieFormat::Tornado)
    } else {
        let (v, ts) = unsign_itsdangerous(secret, name, signed)?;
        (v, ts, CookieFormat::Itsdangerous)
    };
    if signed_at > now.saturating_add(60) {
        return Err(CookieError::Future { name: name.into() });
    }
    if now.saturating_sub(signed_at) > MAX_AGE_SECS {
        return Err(CookieError::Expired {
            name: name.into(),
            days: (now - signed_at) / 86_400,
        });
    }
    Ok(Unsigned {
        value,
        signed_at,
        format,
    })
}

fn unsign_itsdangerous(
    secret: &str,
    name: &str,
    signed: &str,
) -> Result<(String, u64), CookieError> {
    let format_err = || CookieError::Format { name: name.into() };
    let (signed_part, sig) = signed.rsplit_once('.').ok_or_else(format_err)?;
    let (payload, ts) = signed_part.rsplit_once('.').ok_or_else(format_err)?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| format_err())?;
    let expected = itsdangerous_mac(secret, name, signed_part.as_bytes());
    if !constant_time_eq(&sig, &expected) {
        return Err(CookieError::BadSignature { name: name.into() });
    }
    let ts_bytes = URL_SAFE_NO_PAD.decode(ts).map_err(|_| format_err())?;
    if ts_bytes.len() > 8 {
        return Err(format_err());
    }
    let ts = ts_bytes
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let payload_err = |why: &str| CookieError::Payload {
        name: name.into(),
        why: why.into(),
    };
    let (compressed, body) = match payload.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, payload),
    };
    let mut bytes = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| payload_err("not base64url"))?;
    if compressed {
        // A few KiB of zlib can expand to gigabytes: stop one byte past the
        // cap (a cookie value is never near a token's size) and say so.
        let cap = limits::TOKEN_BYTES;
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(&bytes[..])
            .take(cap + 1)
            .read_to_end(&mut out)
            .map_err(|_| payload_err("bad zlib data"))?;
        if out.len() as u64 > cap {
            return Err(payload_err(&format!(
                "it decompresses to more than stauth's {} limit",
                limits::human_size(cap)
            )));
        }
        bytes = out;
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::String(s)) => Ok((s, ts)),
        _ => Err(payload_err("not a JSON string")),
    }
}

fn unsign_tornado(secret: &str, name: &str, signed: &str) -> Result<(String, u64), CookieError> {
    let format_err = || CookieError::Format { name: name.into() };
    // 2|1:0|<n>:<ts>|<n>:<name>|<n>:<base64>|<hex sig>
    let mut rest = signed.strip_prefix("2|").ok_or_else(format_err)?;
    let mut fields = Vec::with_capacity(4);
    for _ in 0..4 {
        let (len, after) = rest.split_once(':').ok_or_else(format_err)?;
        let len: usize = len.parse().map_err(|_| format_err())?;
        let field = after.get(..len).ok_or_else(format_err)?;
        rest = after[len..].strip_prefix('|').ok_or_else(format_err)?;
        fields.push(field);
    }
    let signature = rest;
    let signed_part = &signed[..signed.len() - signature.len()];
    let expected = tornado_mac_hex(secret, signed_part.as_bytes());
    if !constant_time_eq(signature.as_bytes(), expected.as_bytes()) {
        return Err(CookieError::BadSignature { name: name.into() });
    }
    if fields[2] != name {
        return Err(CookieError::BadSignature { name: name.into() });
    }
    let ts: u64 = fields[1].parse().map_err(|_| format_err())?;
    let value = STANDARD
        .decode(fields[3])
        .map_err(|_| CookieError::Payload {
            name: name.into(),
            why: "not base64".into(),
        })?;
    let value = String::from_utf8(value).map_err(|_| CookieError::Payload {
        name: name.into(),
        why: "not UTF-8".into(),
    })?;
    Ok((value, ts))
}

/// Reads cookie `name` from `cookies`, reassembling `name_1..name_N` when the
/// main cookie holds `chunks-N`. `Ok(None)` when the cookie is absent.
pub fn read(
    cookies: &[(String, String)],
    name: &str,
    secret: &str,
    now: u64,
) -> Result<Option<ReadCookie>, CookieError> {
    let get = |n: &str| {
        cookies
            .iter()
            .rev()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    let Some(main) = get(name) else {
        return Ok(None);
    };
    let first = unsign(secret, name, main, now)?;
    let Some(count) = first
        .value
        .strip_prefix("chunks-")
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return Ok(Some(ReadCookie {
            value: first.value,
            signed_at: first.signed_at,
            format: first.format,
            chunks: 0,
        }));
    };
    let mut value = String::new();
    let mut signed_at = first.signed_at;
    for i in 1..=count {
        let chunk_name = format!("{name}_{i}");
        let Some(raw) = get(&chunk_name) else {
            return Err(CookieError::MissingChunk {
                name: name.into(),
                missing: i,
                count,
            });
        };
        let part = unsign(secret, &chunk_name, raw, now)?;
        signed_at = signed_at.min(part.signed_at);
        value.push_str(&part.value);
    }
    Ok(Some(ReadCookie {
        value,
        signed_at,
        format: first.format,
        chunks: count,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streamlit::cookies::{sign_itsdangerous, sign_tornado_v2};

    const SECRET: &str = "cookie-secret";
    const TS: u64 = 1_700_000_000;

    #[test]
    fn round_trips_both_formats() {
        for (signed, format) in [
            (
                sign_itsdangerous(SECRET, "_streamlit_user", "{\"a\": 1}", TS),
                CookieFormat::Itsdangerous,
            ),
            (
                sign_itsdangerous(SECRET, "_streamlit_user", &"x".repeat(500), TS),
                CookieFormat::Itsdangerous,
            ),
            (
                sign_tornado_v2(SECRET, "_streamlit_user", "{\"a\": 1}", TS),
                CookieFormat::Tornado,
            ),
        ] {
            let u = unsign(SECRET, "_streamlit_user", &signed, TS + 10).unwrap();
            assert_eq!(u.format, format);
            assert_eq!(u.signed_at, TS);
            assert!(u.value == "{\"a\": 1}" || u.value == "x".repeat(500));
        }
    }

    #[test]
    fn a_zlib_bomb_stops_at_the_cap() {
        // 8 MiB of "x" compresses to a few KiB; reading it back must stop at
        // the cap with the reason, not expand it all.
        let signed = sign_itsdangerous(SECRET, "_streamlit_user", &"x".repeat(8 << 20), TS);
        assert!(signed.len() < 64 * 1024, "{}", signed.len());
        match unsign(SECRET, "_streamlit_user", &signed, TS) {
            Err(CookieError::Payload { why, .. }) => {
                assert_eq!(why, "it decompresses to more than stauth's 1 MiB limit")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refusals_are_named() {
        let signed = sign_itsdangerous(SECRET, "_streamlit_user", "v", TS);
        assert_eq!(
            unsign("other", "_streamlit_user", &signed, TS),
            Err(CookieError::BadSignature {
                name: "_streamlit_user".into()
            })
        );
        // Salt is the cookie name: a value moved to another cookie is refused.
        assert!(matches!(
            unsign(SECRET, "_streamlit_user_1", &signed, TS),
            Err(CookieError::BadSignature { .. })
        ));
        assert!(matches!(
            unsign(SECRET, "_streamlit_user", &signed, TS + 32 * 86_400),
            Err(CookieError::Expired { days: 32, .. })
        ));
        assert!(matches!(
            unsign(SECRET, "_streamlit_user", &signed, TS - 3600),
            Err(CookieError::Future { .. })
        ));
        assert!(matches!(
            unsign(SECRET, "_streamlit_user", "garbage", TS),
            Err(CookieError::Format { .. })
        ));
        let tornado = sign_tornado_v2(SECRET, "_streamlit_user", "v", TS);
        let tampered = tornado.replacen("1700000000", "1700000001", 1);
        assert!(matches!(
            unsign(SECRET, "_streamlit_user", &tampered, TS),
            Err(CookieError::BadSignature { .. })
        ));
    }

    #[test]
    fn chunks_are_reassembled() {
        let name = "_streamlit_user";
        let cookies = vec![
            (
                name.to_string(),
                sign_itsdangerous(SECRET, name, "chunks-2", TS),
            ),
            (
                format!("{name}_1"),
                sign_itsdangerous(SECRET, &format!("{name}_1"), "{\"a\": ", TS),
            ),
            (
                format!("{name}_2"),
                sign_itsdangerous(SECRET, &format!("{name}_2"), "1}", TS),
            ),
        ];
        let r = read(&cookies, name, SECRET, TS).unwrap().unwrap();
        assert_eq!((r.value.as_str(), r.chunks), ("{\"a\": 1}", 2));
        let missing = &cookies[..2];
        assert_eq!(
            read(missing, name, SECRET, TS),
            Err(CookieError::MissingChunk {
                name: name.into(),
                missing: 2,
                count: 2
            })
        );
        assert_eq!(
            read(&cookies, "_streamlit_user_tokens", SECRET, TS),
            Ok(None)
        );
    }

    #[test]
    fn cookie_headers() {
        let pairs = parse_cookie_header("Cookie: a=1; _streamlit_user=\"2|1:0|x\\\"y\\054z\"; b=");
        assert_eq!(pairs[0], ("a".into(), "1".into()));
        assert_eq!(pairs[1], ("_streamlit_user".into(), "2|1:0|x\"y,z".into()));
        assert_eq!(pairs[2], ("b".into(), "".into()));
    }
}
