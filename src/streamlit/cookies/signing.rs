//! The two ways Streamlit's servers sign a cookie value: itsdangerous on the
//! Starlette server (1.57+) and Tornado's signed values (1.42-1.56). Same
//! bytes as the Python libraries, so a predicted cookie is the real one.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use flate2::{Compress, Compression, FlushCompress, Status};
use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};
use sha2::Sha256;

use super::python_format::{str_literal, Escape};

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
    let json = str_literal(value, Escape::Unicode).into_bytes();
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
pub(in crate::streamlit) fn itsdangerous_mac(secret: &str, salt: &str, data: &[u8]) -> Vec<u8> {
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
pub(in crate::streamlit) fn tornado_mac_hex(secret: &str, data: &[u8]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
