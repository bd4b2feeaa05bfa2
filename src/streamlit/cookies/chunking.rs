//! Streamlit's chunking policy: which cookies one login sets, and how a
//! value over 4096 bytes is split into `NAME_1..NAME_N`
//! (`auth_util.set_cookie_with_chunks`).

use super::python_format::python_cookie_quote;
use super::{CookieRules, ServerKind, MAX_COOKIE_BYTES, TOKENS_COOKIE, USER_COOKIE};

/// Added to the measured signing overhead when sizing chunks
/// (`auth_util.SIGNING_OVERHEAD_SAFETY_BUFFER`).
const SIGNING_OVERHEAD_SAFETY_BUFFER: usize = 50;
/// `auth_util.SINGLE_BYTE_BASE64_SIZE`.
const SINGLE_BYTE_BASE64_SIZE: usize = 4;

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
    if rules.release.exposes_tokens() {
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
    if !rules.release.chunks_cookies() || name.len() + 1 + signed_len + attr <= MAX_COOKIE_BYTES {
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
    use crate::streamlit::cookies::{identity_json, tokens_json};
    use serde_json::json;

    /// The cookies `version` sets for a login with `claims`, signed with
    /// "s3cret" at 1_700_000_000.
    fn login(version: &str, base_url_path: &str, claims: serde_json::Value) -> Prediction {
        let release = crate::streamlit::release::Release::new(version.parse().unwrap(), false);
        let rules = CookieRules::for_release(&release, base_url_path);
        let id = identity_json(
            claims.as_object().unwrap(),
            "http://localhost:8501",
            Some("default"),
        );
        let tokens = tokens_json(Some("eyJ.a.b"), Some("at"));
        predict(&rules, "s3cret", &id, Some(&tokens), 1_700_000_000).unwrap()
    }

    #[test]
    fn small_login_1_67() {
        let p = login(
            "1.67.0",
            "",
            json!({"sub": "123", "name": "Jöhn 😀", "email": "a@b.c"}),
        );
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
        let p = login("1.55.0", "/app", json!({"sub": "123"}));
        // tornado 6.6.1 RequestHandler.set_signed_cookie(name, value, httpOnly=True), expires date aside.
        assert_eq!(p.cookies[0].value, "\"2|1:0|10:1700000000|15:_streamlit_user|128:eyJzdWIiOiAiMTIzIiwgIm9yaWdpbiI6ICJodHRwOi8vbG9jYWxob3N0Ojg1MDEiLCAiaXNfbG9nZ2VkX2luIjogdHJ1ZSwgInByb3ZpZGVyIjogImRlZmF1bHQifQ==|5003dbd5506c9d4bc30a191d934436314525bdee45e09219734c108bedaa15be\"");
        assert!(p.cookies[0]
            .set_cookie
            .ends_with("\"; expires=Thu, 14 Dec 2023 22:13:20 GMT; HttpOnly; Path=/"));
        assert_eq!(p.cookies[1].value, "2|1:0|10:1700000000|22:_streamlit_user_tokens|60:eyJpZF90b2tlbiI6ICJleUouYS5iIiwgImFjY2Vzc190b2tlbiI6ICJhdCJ9|53cd74b5857fc37800fe5cd0c982d53c5ece9f0b119b9e9ebeeb23ba38887e4b");
    }
}
