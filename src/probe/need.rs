//! The `Cookie` header a login needs at the app: the login cookies Streamlit
//! sets (`streamlit::cookies::predict`), the app's `_streamlit_xsrf` cookie,
//! from a test-login report, its record, or claims (`--claims`, `--groups`).

use serde_json::{json, Map, Value};

use crate::dev_provider::shape;
use crate::streamlit::cookies::{self, XSRF_COOKIE_BYTES};
use crate::streamlit::release::Release;

/// Length of an RS256 signature (2048-bit key) in base64url.
const RS256_SIGNATURE_CHARS: usize = 342;
/// An opaque access token, as Google, Auth0 and Okta issue them by default.
const OPAQUE_ACCESS_TOKEN_CHARS: usize = 200;

/// What a login needs to get through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// Bytes of the `Cookie` header value the browser sends after the login.
    pub cookie_header: usize,
    /// Bytes of the `Set-Cookie` header lines (name, value, attributes,
    /// line ends) of the callback's answer, which a proxy must buffer.
    pub set_cookie_bytes: usize,
    /// Where the number comes from, for messages ("stauth test-login on ...").
    pub source: String,
    /// Whether it was estimated from claims (tokens not seen).
    pub estimated: bool,
}

impl Need {
    /// From the login cookies' `Cookie` header length and their Set-Cookie
    /// lines' total (a test-login report or record): the app's XSRF cookie
    /// comes on top.
    pub fn from_login_cookies(
        login_cookie_header: usize,
        set_cookie_bytes: usize,
        source: String,
    ) -> Need {
        Need {
            cookie_header: login_cookie_header + XSRF_COOKIE_BYTES,
            set_cookie_bytes,
            source,
            estimated: false,
        }
    }

    /// Estimated from ID token claims: an RS256 ID token holding them and an
    /// opaque access token, signed into the cookies `release` sets for an app
    /// at `origin` under `base_url_path`. None when Streamlit itself could
    /// not store them (no chunk fits).
    pub fn from_claims(
        claims: &Map<String, Value>,
        release: &Release,
        origin: &str,
        base_url_path: &str,
        source: String,
    ) -> Option<Need> {
        let id_token = estimated_id_token(claims);
        let access_token = filler(OPAQUE_ACCESS_TOKEN_CHARS, 7);
        let identity = cookies::identity_json(
            claims,
            origin,
            release.provider_in_identity().then_some("default"),
        );
        let tokens = release
            .exposes_tokens()
            .then(|| cookies::tokens_json(Some(&id_token), Some(&access_token)));
        let rules = release.cookie_rules(base_url_path);
        // The signature's length does not depend on the secret, so none is needed.
        let prediction = cookies::predict(
            &rules,
            "stauth-probe-placeholder",
            &identity,
            tokens.as_deref(),
            1_800_000_000,
        )
        .ok()?;
        Some(Need {
            cookie_header: prediction.cookie_header_len + XSRF_COOKIE_BYTES,
            set_cookie_bytes: set_cookie_lines(
                prediction.cookies.iter().map(|c| c.set_cookie.len()),
            ),
            source,
            estimated: true,
        })
    }
}

/// The bytes of Set-Cookie header lines with values of these lengths.
pub fn set_cookie_lines(values: impl Iterator<Item = usize>) -> usize {
    values.map(|v| "Set-Cookie: \r\n".len() + v).sum()
}

/// Claims like an Entra ID token's for a user in `groups` groups (group
/// object IDs, as Entra sends them; the same GUIDs the dev provider makes).
pub fn claims_with_groups(groups: usize) -> Map<String, Value> {
    let guid = |name: &str| shape::guid("stauth-probe", name);
    let tenant = guid("tenant");
    let mut claims = json!({
        "aud": guid("client"),
        "iss": format!("https://login.microsoftonline.com/{tenant}/v2.0"),
        "iat": 1_800_000_000u64,
        "nbf": 1_800_000_000u64,
        "exp": 1_800_003_600u64,
        "email": "firstname.lastname@example.com",
        "name": "Firstname Lastname",
        "nonce": filler(43, 3),
        "oid": guid("user"),
        "preferred_username": "firstname.lastname@example.com",
        "sub": filler(43, 5),
        "tid": tenant,
    });
    let groups: Vec<Value> = (0..groups)
        .map(|i| Value::String(guid(&format!("group-{i}"))))
        .collect();
    if !groups.is_empty() {
        claims["groups"] = Value::Array(groups);
    }
    match claims {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// `header.payload.signature` for `claims`, RS256-sized.
fn estimated_id_token(claims: &Map<String, Value>) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let header = json!({"alg": "RS256", "kid": filler(43, 11), "typ": "JWT"});
    let payload = serde_json::to_string(claims).unwrap_or_default();
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload),
        filler(RS256_SIGNATURE_CHARS, 13)
    )
}

/// `n` base64url characters that do not compress (Streamlit's signer
/// compresses cookie values when that helps), the same for the same seed.
fn filler(n: usize, seed: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    pseudo_random(n, seed)
        .map(|r| ALPHABET[(r % 64) as usize] as char)
        .collect()
}

/// xorshift64*: deterministic, so estimates are the same run after run.
fn pseudo_random(n: usize, seed: u64) -> impl Iterator<Item = u64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n).map(move |_| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streamlit::release::StreamlitVersion;

    fn newest() -> Release {
        Release::new(StreamlitVersion::new(1, 67, 0), false)
    }

    #[test]
    fn more_groups_need_a_larger_header() {
        let need = |n| {
            Need::from_claims(
                &claims_with_groups(n),
                &newest(),
                "https://app.example.com",
                "",
                String::new(),
            )
            .unwrap()
            .cookie_header
        };
        let (none, some, many) = (need(0), need(50), need(300));
        assert!(none < 4096, "{none}");
        assert!(none < some && some < many, "{none} {some} {many}");
        // 300 group IDs: past nginx's 8 KiB header line, as streamlit#14960 reports.
        assert!(many > 16 * 1024, "{many}");
        assert_eq!(
            claims_with_groups(300)["groups"].as_array().unwrap().len(),
            300
        );
    }

    #[test]
    fn estimates_are_stable() {
        assert_eq!(filler(10, 1), filler(10, 1));
        assert_ne!(filler(10, 1), filler(10, 2));
        assert_eq!(claims_with_groups(3), claims_with_groups(3));
    }

    #[test]
    fn a_report_adds_the_xsrf_cookie() {
        let n = Need::from_login_cookies(1000, 1200, "x".into());
        assert_eq!(n.cookie_header, 1000 + XSRF_COOKIE_BYTES);
        assert!(!n.estimated);
    }
}
