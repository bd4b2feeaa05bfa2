//! Fuzzes what `stauth decode` does with untrusted text: the JWT parser and
//! claim checks, the Cookie header parser, and the cookie verifier, including
//! validly signed cookies with arbitrary payloads (so zlib, JSON and chunk
//! handling are reached, not only the signature check).
//!
//! The first byte picks the mode; the next 8 are the clock (`now`).
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha1::{Digest, Sha1};
use stauth::oidc::id_token::{check_claims, parse, verify_with_secret, Expectations};
use stauth::streamlit::cookie_reader::{parse_cookie_header, read, unsign};
use stauth::streamlit::cookies::{sign_itsdangerous, sign_tornado_v2};

const SECRET: &str = "fuzz-cookie-secret";
const USER: &str = "_streamlit_user";

/// itsdangerous `payload.ts.sig` over arbitrary payload bytes, correctly signed.
fn itsdangerous_raw(name: &str, payload: &[u8], compressed: bool, ts: u64) -> String {
    let mut signed = String::new();
    if compressed {
        signed.push('.');
    }
    signed.push_str(&URL_SAFE_NO_PAD.encode(payload));
    signed.push('.');
    let ts = ts.to_be_bytes();
    let first = ts.iter().position(|b| *b != 0).unwrap_or(ts.len());
    signed.push_str(&URL_SAFE_NO_PAD.encode(&ts[first..]));
    let key = Sha1::new()
        .chain_update(name.as_bytes())
        .chain_update(b"signer")
        .chain_update(SECRET.as_bytes())
        .finalize();
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(&key).unwrap();
    mac.update(signed.as_bytes());
    let sig = mac.finalize().into_bytes();
    signed.push('.');
    signed.push_str(&URL_SAFE_NO_PAD.encode(sig));
    signed
}

fn cookies(header: &str, now: u64) {
    let pairs = parse_cookie_header(header);
    for name in [USER, "_streamlit_user_tokens"] {
        let _ = read(&pairs, name, SECRET, now);
    }
    for (name, value) in &pairs {
        let _ = unsign(SECRET, name, value, now);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (now, body) = if rest.len() >= 8 {
        let (n, b) = rest.split_at(8);
        (u64::from_le_bytes(n.try_into().unwrap()), b)
    } else {
        (1_700_000_000, rest)
    };
    let text = String::from_utf8_lossy(body);
    match mode % 4 {
        // Untrusted text as a token and as a Cookie header.
        0 => {
            if let Ok(jwt) = parse(&text) {
                let e = Expectations {
                    issuer: Some("https://idp.example".into()),
                    audience: Some("app".into()),
                    nonce: Some("n".into()),
                    access_token: Some("access".into()),
                    leeway: now % 1000,
                    now,
                };
                let _ = check_claims(&jwt, &e);
                let _ = verify_with_secret(&jwt, body);
            }
            cookies(&text, now);
        }
        // Arbitrary bytes, correctly signed as an itsdangerous payload
        // (zlib-compressed or not).
        1 | 2 => {
            let signed = itsdangerous_raw(USER, body, mode % 4 == 2, now.saturating_sub(10));
            cookies(&format!("a=b; {USER}={signed}"), now);
        }
        // Arbitrary text signed by stauth's own signers, split in chunks as
        // Streamlit does, with the main cookie naming the count.
        _ => {
            let chunks: Vec<&str> = text.split('\u{1}').collect();
            let ts = now.saturating_sub(100);
            let tornado = now % 2 == 0;
            let sign = |name: &str, v: &str| {
                if tornado {
                    sign_tornado_v2(SECRET, name, v, ts)
                } else {
                    sign_itsdangerous(SECRET, name, v, ts)
                }
            };
            let mut header = format!("{USER}={}", sign(USER, &format!("chunks-{}", chunks.len())));
            for (i, c) in chunks.iter().enumerate() {
                let name = format!("{USER}_{}", i + 1);
                header.push_str(&format!("; {name}={}", sign(&name, c)));
            }
            cookies(&header, now);
        }
    }
});
