//! The discovery document of each issuer, and the sample users' avatars.

use serde_json::{json, Map, Value};
use sha2::Digest;

use super::{Issuer, Shared};
use crate::dev_provider::shape;

/// Every `prompt` value the provider knows; a like-shape may refuse some.
pub(super) const PROMPTS: &[&str] = &["none", "login", "consent", "select_account"];
/// Both client authentications, unless the like-shape restricts them.
pub(super) const TOKEN_AUTH_METHODS: &[&str] = &["client_secret_basic", "client_secret_post"];

const CLAIMS: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "email",
    "email_verified",
    "picture",
    "groups",
    "roles",
];

pub(super) fn document(shared: &Shared, issuer: &Issuer) -> Map<String, Value> {
    let prompts: Vec<&str> = PROMPTS
        .iter()
        .copied()
        .filter(|p| shape::rejected_prompt(issuer.like, p).is_none())
        .collect();
    let auth_methods = shape::token_auth_methods(issuer.like).unwrap_or(TOKEN_AUTH_METHODS);
    let mut doc = json!({
        "issuer": issuer.url,
        "authorization_endpoint": issuer.endpoint("/authorize"),
        "token_endpoint": issuer.endpoint("/token"),
        "userinfo_endpoint": issuer.endpoint("/userinfo"),
        "jwks_uri": issuer.endpoint("/jwks"),
        "end_session_endpoint": issuer.endpoint("/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [shared.options.keys.algorithm().name()],
        "scopes_supported": ["openid", "email", "profile", "offline_access", "groups"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "code_challenge_methods_supported": ["S256", "plain"],
        "prompt_values_supported": prompts,
        "claims_supported": CLAIMS,
    });
    let map = doc.as_object_mut().expect("a JSON object literal");
    if issuer.like.is_some_and(|p| p.register_logout.is_none()) {
        map.remove("end_session_endpoint");
    }
    std::mem::take(map)
}

/// `/avatar/<sub>.svg`: the sub's initials on a colour from its hash.
pub(super) fn avatar(path: &str) -> Option<String> {
    let sub = path.strip_prefix("/avatar/")?.strip_suffix(".svg")?;
    let sub = percent_decoded(sub)?;
    if sub.is_empty() || sub.len() > 255 {
        return None;
    }
    let initials: String = sub
        .chars()
        .filter(|c| c.is_alphanumeric())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    let hue = u16::from_be_bytes(sha2::Sha256::digest(sub.as_bytes())[..2].try_into().ok()?) % 360;
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96"><rect width="96" height="96" rx="48" fill="hsl({hue},55%,45%)"/><text x="48" y="60" font-family="sans-serif" font-size="36" text-anchor="middle" fill="#fff">{}</text></svg>"##,
        crate::pages::escape_html(&initials)
    ))
}

fn percent_decoded(text: &str) -> Option<String> {
    let bytes: Vec<u8> =
        url::form_urlencoded::parse(format!("v={}", text.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avatars_show_escaped_initials() {
        let svg = avatar("/avatar/alice.svg").unwrap();
        assert!(svg.contains(">AL</text>"), "{svg}");
        assert_eq!(svg, avatar("/avatar/alice.svg").unwrap());
        assert_ne!(svg, avatar("/avatar/bob.svg").unwrap());
        let odd = avatar("/avatar/%3Cscript%3E.svg").unwrap();
        assert!(!odd.contains("<script"), "{odd}");
        assert!(avatar("/avatar/.svg").is_none());
        assert!(avatar("/avatar/alice.png").is_none());
    }
}
