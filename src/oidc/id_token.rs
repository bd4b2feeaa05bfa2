//! ID token verification the way Authlib does it for Streamlit: the signature
//! with a key from the provider's JWKS, then `iss`, `aud`, `azp`, `exp`,
//! `iat`, `nbf`, `nonce` and `at_hash` with 120 s of leeway. Every failure
//! names the values involved.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Map, Value};
use sha2::Digest;

use crate::untrusted::Untrusted;

/// Authlib's default leeway for time claims, in seconds.
pub const AUTHLIB_LEEWAY: u64 = 120;

/// A compact JWS, split and decoded but not yet trusted.
#[derive(Debug, Clone)]
pub struct Jwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    signing_input: String,
    signature: String,
}

impl Jwt {
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("this is not a JWT: it looks like an opaque token, which only the provider can read")]
    Opaque,
    #[error("this is an encrypted token (JWE, 5 parts): it cannot be read without the recipient's private key")]
    Encrypted,
    #[error("malformed JWT: {0}")]
    Malformed(String),
    #[error("the token is unsigned (alg \"none\"): refused")]
    Unsigned,
    #[error("algorithm {} is not accepted here (accepted: {})", Untrusted(.alg), Untrusted(.allowed))]
    AlgorithmNotAllowed { alg: String, allowed: String },
    #[error("algorithm {} is not supported", Untrusted(.0))]
    UnsupportedAlgorithm(String),
    #[error("no key with kid \"{}\" in the provider's key set", Untrusted(.kid))]
    UnknownKid { kid: String },
    #[error("no key in the key set can verify {}{}", Untrusted(.alg), hs_note(.alg))]
    NoMatchingKey { alg: String },
    #[error("algorithm {} does not fit the key (key type {}): refused to avoid algorithm confusion", Untrusted(.alg), Untrusted(.kty))]
    KeyTypeMismatch { alg: String, kty: String },
    /// The header breaks a rule of Streamlit's token library (joserfc),
    /// which refuses the token before looking at the signature; the text
    /// is a full reason (see [`header_problems`]).
    #[error("{0}")]
    UnsupportedHeader(String),
    #[error("bad signature: the token was changed after signing, or signed with another key")]
    BadSignature,
}

fn hs_note(alg: &str) -> &'static str {
    if alg.starts_with("HS") {
        " (HS tokens are signed with the client secret, and Streamlit only uses keys from jwks_uri)"
    } else {
        ""
    }
}

/// Splits and decodes a compact JWT, tolerating surrounding whitespace,
/// quotes and a `Bearer ` prefix.
pub fn parse(token: &str) -> Result<Jwt, TokenError> {
    let token = token.trim().trim_matches('"').trim_matches('\'').trim();
    let token = token
        .strip_prefix("Bearer ")
        .or_else(|| token.strip_prefix("bearer "))
        .unwrap_or(token)
        .trim();
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        3 => {}
        5 => return Err(TokenError::Encrypted),
        _ => return Err(TokenError::Opaque),
    }
    let header = decode_part(parts[0], "header")?;
    let claims = decode_part(parts[1], "payload")?;
    Ok(Jwt {
        header,
        claims,
        signing_input: format!("{}.{}", parts[0], parts[1]),
        signature: parts[2].to_string(),
    })
}

fn decode_part(part: &str, what: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| TokenError::Malformed(format!("the {what} is not base64url")))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenError::Malformed(format!(
            "the {what} is not a JSON object"
        ))),
    }
}

/// The key that verified a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedBy {
    pub alg: String,
    pub kid: Option<String>,
}

/// Header fields joserfc 1.8 knows (`JWS_HEADER_REGISTRY`, RFC 7515 plus
/// RFC 7797's `b64`), with the type it requires of each value.
const KNOWN_HEADERS: &[(&str, HeaderType)] = &[
    ("alg", HeaderType::Str),
    ("jku", HeaderType::Url),
    ("jwk", HeaderType::Object),
    ("kid", HeaderType::Str),
    ("x5u", HeaderType::Url),
    ("x5c", HeaderType::StrList),
    ("x5t", HeaderType::Str),
    ("x5t#S256", HeaderType::Str),
    ("typ", HeaderType::Str),
    ("cty", HeaderType::Str),
    ("crit", HeaderType::StrList),
    ("b64", HeaderType::Bool),
];

#[derive(Clone, Copy)]
enum HeaderType {
    Str,
    Url,
    Object,
    StrList,
    Bool,
}

impl HeaderType {
    fn accepts(self, v: &Value) -> bool {
        match self {
            HeaderType::Str => v.is_string(),
            HeaderType::Url => v
                .as_str()
                .is_some_and(|s| s.starts_with("http://") || s.starts_with("https://")),
            HeaderType::Object => v.is_object(),
            HeaderType::StrList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            HeaderType::Bool => v.is_boolean(),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            HeaderType::Str => "a string",
            HeaderType::Url => "an http(s) URL",
            HeaderType::Object => "a JSON object (a JWK)",
            HeaderType::StrList => "a list of strings",
            HeaderType::Bool => "true or false",
        }
    }
}

/// Why Streamlit's token library would refuse this header, if it would.
/// Mirrors joserfc's `JWSRegistry.check_header` as Authlib calls it for
/// Streamlit 1.67 (`strict_check_header=False`): every name in `crit` must
/// be a field of the header and one joserfc understands
/// (`MissingCritHeaderError`, `UnsupportedHeaderError`), and known fields
/// must have the right type (`InvalidHeaderValueError`). Unknown fields that
/// are not critical are allowed. Values are shown escaped: they are outside
/// text. Public so that `stauth decode` can show them for a token it does
/// not verify.
pub fn header_problems(header: &Map<String, Value>) -> Vec<String> {
    let mut problems = Vec::new();
    let known = |name: &str| KNOWN_HEADERS.iter().any(|(k, _)| *k == name);
    match header.get("crit") {
        None => {}
        Some(Value::Array(names)) if names.iter().all(Value::is_string) => {
            let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
            let unknown: Vec<String> = names
                .iter()
                .filter(|n| !header.contains_key(**n) || !known(n))
                .map(|n| format!("\"{}\"", Untrusted(n)))
                .collect();
            if !unknown.is_empty() {
                problems.push(format!(
                    "the token's header lists critical extensions (crit) that stauth and Streamlit don't understand: {}; Streamlit's token library (joserfc) refuses such a token",
                    unknown.join(", ")
                ));
            }
        }
        Some(other) => problems.push(format!(
            "the token's header has a crit that is not a list of header names: {}; Streamlit's token library (joserfc) refuses such a token",
            Untrusted(&shorten(&other.to_string()))
        )),
    }
    for (name, kind) in KNOWN_HEADERS {
        if *name == "crit" {
            continue;
        }
        if let Some(v) = header.get(*name) {
            if !kind.accepts(v) {
                problems.push(format!(
                    "the token's header field {name} must be {}, not {}; Streamlit's token library (joserfc) refuses such a token",
                    kind.expected(),
                    Untrusted(&shorten(&v.to_string()))
                ));
            }
        }
    }
    problems
}

/// At most 60 characters of a JSON value, for a message.
fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(59).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Checks the header as Streamlit's token library does, then the algorithm
/// against the accepted list.
fn algorithm(jwt: &Jwt, allowed: &[&str]) -> Result<Algorithm, TokenError> {
    if let Some(problem) = header_problems(&jwt.header).into_iter().next() {
        return Err(TokenError::UnsupportedHeader(problem));
    }
    let alg = jwt
        .alg()
        .ok_or_else(|| TokenError::Malformed("the header has no alg".into()))?;
    if alg.eq_ignore_ascii_case("none") {
        return Err(TokenError::Unsigned);
    }
    if !allowed.contains(&alg) {
        return Err(TokenError::AlgorithmNotAllowed {
            alg: alg.into(),
            allowed: allowed.join(", "),
        });
    }
    alg.parse::<Algorithm>()
        .map_err(|_| TokenError::UnsupportedAlgorithm(alg.into()))
}

/// The JWK key type (and curve) an algorithm needs.
fn fits(alg: &str, key: &Value) -> bool {
    let kty = key.get("kty").and_then(Value::as_str).unwrap_or("");
    let crv = key.get("crv").and_then(Value::as_str).unwrap_or("");
    match alg {
        a if a.starts_with("RS") || a.starts_with("PS") => kty == "RSA",
        "ES256" => kty == "EC" && crv == "P-256",
        "ES384" => kty == "EC" && crv == "P-384",
        "EdDSA" => kty == "OKP",
        a if a.starts_with("HS") => kty == "oct",
        _ => false,
    }
}

/// Verifies the signature with a key from a JWKS document (`{"keys": [...]}`),
/// accepting only the `allowed` algorithms.
pub fn verify_with_jwks(
    jwt: &Jwt,
    jwks: &Value,
    allowed: &[&str],
) -> Result<VerifiedBy, TokenError> {
    let algorithm = algorithm(jwt, allowed)?;
    let alg = jwt.alg().unwrap_or_default().to_string();
    let keys: Vec<&Value> = jwks
        .get("keys")
        .and_then(Value::as_array)
        .map(|k| k.iter().collect())
        .unwrap_or_default();
    let candidates: Vec<&Value> = match jwt.kid() {
        Some(kid) => {
            let by_kid: Vec<&Value> = keys
                .iter()
                .copied()
                .filter(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
                .collect();
            if by_kid.is_empty() {
                return Err(TokenError::UnknownKid { kid: kid.into() });
            }
            if let Some(other) = by_kid.iter().find(|k| !fits(&alg, k)) {
                return Err(TokenError::KeyTypeMismatch {
                    alg,
                    kty: other
                        .get("kty")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .into(),
                });
            }
            by_kid
        }
        None => keys.iter().copied().filter(|k| fits(&alg, k)).collect(),
    };
    if candidates.is_empty() {
        return Err(TokenError::NoMatchingKey { alg });
    }
    for key in candidates {
        let Ok(jwk) = serde_json::from_value::<Jwk>(key.clone()) else {
            continue;
        };
        let Ok(decoding) = DecodingKey::from_jwk(&jwk) else {
            continue;
        };
        if signature_ok(jwt, &decoding, algorithm) {
            return Ok(VerifiedBy {
                alg,
                kid: key.get("kid").and_then(Value::as_str).map(str::to_string),
            });
        }
    }
    Err(TokenError::BadSignature)
}

/// Whether jsonwebtoken can use `key` for `algorithm` without panicking:
/// jsonwebtoken 12.0 slices an Ed25519 key with `[..32]`, so a shorter key
/// (a broken or hostile JWKS `x`, or PEM) would crash stauth.
fn usable(key: &DecodingKey, algorithm: Algorithm) -> bool {
    algorithm != Algorithm::EdDSA || key.try_get_as_bytes().is_ok_and(|b| b.len() == 32)
}

/// The signature check; a key that cannot be used verifies nothing.
fn signature_ok(jwt: &Jwt, key: &DecodingKey, algorithm: Algorithm) -> bool {
    usable(key, algorithm)
        && jsonwebtoken::crypto::verify(
            &jwt.signature,
            jwt.signing_input.as_bytes(),
            key,
            algorithm,
        )
        .unwrap_or(false)
}

/// Every asymmetric algorithm stauth verifies (HS* needs a shared secret).
pub const ASYMMETRIC_ALGS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

/// Verifies with one public key in PEM form (public key or certificate). The
/// key type must fit the token's algorithm: an HS token is refused rather
/// than checked with the public key as an HMAC secret.
pub fn verify_with_pem(jwt: &Jwt, pem: &[u8]) -> Result<VerifiedBy, TokenError> {
    let algorithm = algorithm(jwt, ASYMMETRIC_ALGS).map_err(|e| match e {
        TokenError::AlgorithmNotAllowed { alg, .. } => TokenError::KeyTypeMismatch {
            alg,
            kty: "a public key (PEM)".into(),
        },
        other => other,
    })?;
    let alg = jwt.alg().unwrap_or_default().to_string();
    let key = if alg.starts_with("RS") || alg.starts_with("PS") {
        DecodingKey::from_rsa_pem(pem)
    } else if alg.starts_with("ES") {
        DecodingKey::from_ec_pem(pem)
    } else {
        DecodingKey::from_ed_pem(pem)
    }
    .ok()
    .filter(|key| usable(key, algorithm))
    .ok_or_else(|| TokenError::KeyTypeMismatch {
        alg: alg.clone(),
        kty: "a PEM key of another type (or not a public key)".into(),
    })?;
    if signature_ok(jwt, &key, algorithm) {
        Ok(VerifiedBy {
            alg,
            kid: jwt.kid().map(str::to_string),
        })
    } else {
        Err(TokenError::BadSignature)
    }
}

/// Verifies an HS256/384/512 signature with a shared secret.
pub fn verify_with_secret(jwt: &Jwt, secret: &[u8]) -> Result<VerifiedBy, TokenError> {
    let algorithm = algorithm(jwt, &["HS256", "HS384", "HS512"]).map_err(|e| match e {
        TokenError::AlgorithmNotAllowed { alg, .. } => TokenError::KeyTypeMismatch {
            alg,
            kty: "oct (a shared secret)".into(),
        },
        other => other,
    })?;
    let key = DecodingKey::from_secret(secret).map_err(|_| TokenError::BadSignature)?;
    if signature_ok(jwt, &key, algorithm) {
        Ok(VerifiedBy {
            alg: jwt.alg().unwrap_or_default().into(),
            kid: jwt.kid().map(str::to_string),
        })
    } else {
        Err(TokenError::BadSignature)
    }
}

/// What the claims must say.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub nonce: Option<String>,
    /// The access token issued with the ID token, for `at_hash`.
    pub access_token: Option<String>,
    pub leeway: u64,
    /// Current Unix time.
    pub now: u64,
}

/// The outcome of one claim check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

fn check(name: &'static str, ok: bool, detail: impl Into<String>) -> Check {
    Check {
        name,
        ok,
        detail: detail.into(),
    }
}

/// Authlib's claim checks, in its order. Checks whose expectation is unknown
/// (no issuer given, say) are left out.
pub fn check_claims(jwt: &Jwt, e: &Expectations) -> Vec<Check> {
    let c = &jwt.claims;
    let str_claim = |k: &str| c.get(k).and_then(Value::as_str);
    // `as` saturates (NaN becomes 0); the arithmetic below saturates too, so
    // absurd values (exp = 1e300, iat = -9e18) are refused, not a panic.
    let num_claim = |k: &str| c.get(k).and_then(Value::as_f64).map(|n| n as i64);
    let now = i64::try_from(e.now).unwrap_or(i64::MAX);
    let leeway = i64::try_from(e.leeway).unwrap_or(i64::MAX);
    let mut checks = Vec::new();

    if let Some(expected) = &e.issuer {
        let ok = str_claim("iss") == Some(expected.as_str());
        checks.push(check(
            "iss",
            ok,
            format!(
                "token iss {} {} discovery issuer {}",
                shown(c.get("iss")),
                if ok { "equals" } else { "differs from" },
                Untrusted(expected)
            ),
        ));
    }
    if let Some(client_id) = &e.audience {
        let auds: Vec<&str> = match c.get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = auds.contains(&client_id.as_str());
        checks.push(check(
            "aud",
            ok,
            format!(
                "token aud {} {} client_id {}",
                shown(c.get("aud")),
                if ok { "includes" } else { "does not include" },
                Untrusted(client_id)
            ),
        ));
        if auds.len() > 1 || c.contains_key("azp") {
            let ok = str_claim("azp") == Some(client_id.as_str());
            checks.push(check(
                "azp",
                ok,
                format!(
                    "azp {} must be the client_id {}",
                    shown(c.get("azp")),
                    Untrusted(client_id)
                ),
            ));
        }
    }
    match num_claim("exp") {
        Some(exp) => {
            let ok = now <= exp.saturating_add(leeway);
            let detail = if now <= exp {
                format!("expires in {}", human_duration(exp.saturating_sub(now)))
            } else if ok {
                format!(
                    "expired {} ago, accepted within the leeway of {leeway} s",
                    human_duration(now.saturating_sub(exp))
                )
            } else {
                format!(
                    "expired {} ago (leeway {leeway} s)",
                    human_duration(now.saturating_sub(exp))
                )
            };
            checks.push(check("exp", ok, detail));
        }
        None => checks.push(check("exp", false, "the token has no exp claim")),
    }
    match num_claim("iat") {
        Some(iat) => {
            let ok = iat <= now.saturating_add(leeway);
            let detail = if iat <= now {
                format!("issued {} ago", human_duration(now.saturating_sub(iat)))
            } else if ok {
                format!(
                    "issued {} in the future, accepted within the leeway of {leeway} s",
                    human_duration(iat.saturating_sub(now))
                )
            } else {
                format!(
                    "issued {} in the future (clock skew?)",
                    human_duration(iat.saturating_sub(now))
                )
            };
            checks.push(check("iat", ok, detail));
        }
        None => checks.push(check("iat", false, "the token has no iat claim")),
    }
    if let Some(nbf) = num_claim("nbf") {
        let ok = nbf <= now.saturating_add(leeway);
        checks.push(check(
            "nbf",
            ok,
            if nbf <= now {
                "already valid".to_string()
            } else if ok {
                format!(
                    "valid in {}, accepted within the leeway of {leeway} s",
                    human_duration(nbf.saturating_sub(now))
                )
            } else {
                format!(
                    "not valid for another {} (leeway {leeway} s)",
                    human_duration(nbf.saturating_sub(now))
                )
            },
        ));
    }
    if let Some(expected) = &e.nonce {
        let got = str_claim("nonce").unwrap_or("");
        let ok = constant_time_eq(got.as_bytes(), expected.as_bytes());
        checks.push(check(
            "nonce",
            ok,
            if ok {
                "matches the nonce sent".to_string()
            } else if got.is_empty() {
                "the token has no nonce, but one was sent".to_string()
            } else {
                "differs from the nonce sent (a replayed or mixed-up token)".to_string()
            },
        ));
    }
    if let (Some(at_hash), Some(access_token)) = (str_claim("at_hash"), &e.access_token) {
        let expected = left_half_hash(jwt.alg().unwrap_or("RS256"), access_token);
        let ok = expected.as_deref() == Some(at_hash);
        checks.push(check(
            "at_hash",
            ok,
            if ok {
                "matches the access token".to_string()
            } else {
                "does not match the access token".to_string()
            },
        ));
    }
    checks
}

/// `at_hash`: base64url of the left half of the access token's hash, with the
/// hash that matches the signing algorithm's size.
fn left_half_hash(alg: &str, token: &str) -> Option<String> {
    // `alg` comes from the token: compare suffixes, never slice at a byte
    // index (a non-ASCII alg would panic).
    let digest: Vec<u8> = if alg.ends_with("256") {
        sha2::Sha256::digest(token.as_bytes()).to_vec()
    } else if alg.ends_with("384") {
        sha2::Sha384::digest(token.as_bytes()).to_vec()
    } else if alg.ends_with("512") || alg == "EdDSA" {
        sha2::Sha512::digest(token.as_bytes()).to_vec()
    } else {
        return None;
    };
    Some(URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2]))
}

/// Compares secrets without leaking where they differ through timing.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// A claim's value for a message, escaped: it is outside text.
fn shown(v: Option<&Value>) -> String {
    v.map_or_else(
        || "(absent)".to_string(),
        |v| Untrusted(&v.to_string()).to_string(),
    )
}

/// "54 min", "3 h 5 min", "2 d 4 h", "12 s".
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=86399 => {
            let m = (s % 3600) / 60;
            if m == 0 {
                format!("{} h", s / 3600)
            } else {
                format!("{} h {m} min", s / 3600)
            }
        }
        _ => format!("{} d {} h", s / 86400, (s % 86400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn hs_token(claims: Value, alg: Algorithm) -> String {
        let mut header = Header::new(alg);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(SECRET).unwrap()).unwrap()
    }

    fn jwks_oct() -> Value {
        json!({"keys": [{"kty": "oct", "kid": "k1", "k": URL_SAFE_NO_PAD.encode(SECRET)}]})
    }

    #[test]
    fn parses_and_rejects_shapes() {
        assert_eq!(parse("abc").unwrap_err(), TokenError::Opaque);
        assert_eq!(parse("a.b.c.d.e").unwrap_err(), TokenError::Encrypted);
        assert!(matches!(parse("!.!.!"), Err(TokenError::Malformed(_))));
        let t = hs_token(json!({"sub": "x"}), Algorithm::HS256);
        let jwt = parse(&format!("  \"Bearer {t}\"\n")).unwrap();
        assert_eq!(jwt.claims["sub"], "x");
        assert_eq!(jwt.kid(), Some("k1"));
    }

    #[test]
    fn signature_checks() {
        let t = hs_token(json!({"sub": "x"}), Algorithm::HS256);
        let jwt = parse(&t).unwrap();
        assert!(verify_with_jwks(&jwt, &jwks_oct(), &["HS256"]).is_ok());
        assert!(verify_with_secret(&jwt, SECRET).is_ok());
        assert_eq!(
            verify_with_secret(&jwt, b"wrong").unwrap_err(),
            TokenError::BadSignature
        );
        assert!(matches!(
            verify_with_jwks(&jwt, &jwks_oct(), &["RS256"]),
            Err(TokenError::AlgorithmNotAllowed { .. })
        ));
        let rsa_only = json!({"keys": [{"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB"}]});
        assert!(matches!(
            verify_with_jwks(&jwt, &rsa_only, &["HS256"]),
            Err(TokenError::KeyTypeMismatch { .. })
        ));
        let other_kid = json!({"keys": [{"kty": "oct", "kid": "k2", "k": "AAAA"}]});
        assert_eq!(
            verify_with_jwks(&jwt, &other_kid, &["HS256"]).unwrap_err(),
            TokenError::UnknownKid { kid: "k1".into() }
        );
        // A changed payload keeps the old signature: refused.
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"admin"}"#);
        parts[1] = &forged;
        let forged_jwt = parse(&parts.join(".")).unwrap();
        assert_eq!(
            verify_with_secret(&forged_jwt, SECRET).unwrap_err(),
            TokenError::BadSignature
        );
    }

    #[test]
    fn alg_none_is_refused() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let body = URL_SAFE_NO_PAD.encode(br#"{"sub":"x"}"#);
        let jwt = parse(&format!("{header}.{body}.")).unwrap();
        assert_eq!(
            verify_with_jwks(&jwt, &jwks_oct(), &["HS256"]).unwrap_err(),
            TokenError::Unsigned
        );
        assert_eq!(
            verify_with_secret(&jwt, SECRET).unwrap_err(),
            TokenError::Unsigned
        );
    }

    /// The cases joserfc 1.8 was run on (tests/.venv, `jwt.decode` with
    /// Authlib's registry): refused or accepted the same way.
    #[test]
    fn header_rules_follow_joserfc() {
        let problems = |h: Value| header_problems(h.as_object().unwrap());
        for refused in [
            json!({"alg": "RS256", "crit": ["zzz"]}),
            json!({"alg": "RS256", "crit": ["zzz"], "zzz": 1}),
            json!({"alg": "RS256", "crit": "zzz"}),
            json!({"alg": "RS256", "crit": ""}),
            json!({"alg": "RS256", "crit": 5}),
            json!({"alg": "RS256", "crit": [5]}),
            json!({"alg": "RS256", "crit": null}),
            json!({"alg": "RS256", "crit": ["exp"], "exp": 1}),
            json!({"alg": "RS256", "kid": 7}),
            json!({"alg": "RS256", "b64": "no"}),
        ] {
            assert_eq!(problems(refused.clone()).len(), 1, "{refused}");
        }
        for accepted in [
            json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}),
            json!({"alg": "RS256", "kid": "k1", "crit": ["kid"]}),
            json!({"alg": "RS256", "crit": ["b64"], "b64": true}),
            json!({"alg": "RS256", "crit": []}),
            json!({"alg": "RS256", "zzz": 1}),
        ] {
            assert!(problems(accepted.clone()).is_empty(), "{accepted}");
        }
        assert_eq!(
            problems(json!({"alg": "RS256", "crit": ["zzz", "a\u{1b}[2J"]})),
            ["the token's header lists critical extensions (crit) that stauth and Streamlit don't understand: \"zzz\", \"a\\x1b[2J\"; Streamlit's token library (joserfc) refuses such a token"]
        );
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        header.crit = Some(vec!["zzz".into()]);
        let t = jsonwebtoken::encode(
            &header,
            &json!({"sub": "x"}),
            &EncodingKey::from_secret(SECRET).unwrap(),
        )
        .unwrap();
        let jwt = parse(&t).unwrap();
        assert!(matches!(
            verify_with_jwks(&jwt, &jwks_oct(), &["HS256"]),
            Err(TokenError::UnsupportedHeader(_))
        ));
        assert!(matches!(
            verify_with_secret(&jwt, SECRET),
            Err(TokenError::UnsupportedHeader(_))
        ));
    }

    #[test]
    fn claim_checks_follow_authlib() {
        let now = 1_700_000_000u64;
        let t = hs_token(
            json!({"iss": "https://idp", "aud": ["app", "other"], "azp": "app", "exp": now - 100, "iat": now - 200, "nonce": "n1"}),
            Algorithm::HS256,
        );
        let jwt = parse(&t).unwrap();
        let e = Expectations {
            issuer: Some("https://idp".into()),
            audience: Some("app".into()),
            nonce: Some("n1".into()),
            access_token: None,
            leeway: AUTHLIB_LEEWAY,
            now,
        };
        let checks = check_claims(&jwt, &e);
        assert!(checks.iter().all(|c| c.ok), "{checks:?}");
        let late = Expectations {
            now: now + 100,
            ..e.clone()
        };
        let exp = check_claims(&jwt, &late)
            .into_iter()
            .find(|c| c.name == "exp")
            .unwrap();
        assert!(!exp.ok);
        assert_eq!(exp.detail, "expired 3 min ago (leeway 120 s)");
        let wrong = Expectations {
            issuer: Some("https://other".into()),
            audience: Some("nope".into()),
            nonce: Some("n2".into()),
            ..e
        };
        let failed: Vec<&str> = check_claims(&jwt, &wrong)
            .into_iter()
            .filter(|c| !c.ok)
            .map(|c| c.name)
            .collect();
        assert_eq!(failed, ["iss", "aud", "azp", "nonce"]);
    }

    #[test]
    fn at_hash_is_checked() {
        // Example from OpenID Connect Core (RS256 → SHA-256).
        assert_eq!(
            left_half_hash("RS256", "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y").as_deref(),
            Some("77QmUPtjPfzWtF2AnpK9RQ")
        );
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(12), "12 s");
        assert_eq!(human_duration(54 * 60), "54 min");
        assert_eq!(human_duration(3 * 3600), "3 h");
        assert_eq!(human_duration(-(3 * 3600 + 300)), "3 h 5 min");
        assert_eq!(human_duration(2 * 86400 + 4 * 3600), "2 d 4 h");
    }
}
