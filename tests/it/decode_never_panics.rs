//! Property tests: the token and cookie readers behind `stauth decode` never
//! panic, whatever they are given (arbitrary text, JWT-shaped text, valid
//! JWTs with hostile claims, Cookie headers with validly signed hostile
//! values, any clock), and they read back what was signed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use stauth::oidc::id_token::{
    check_claims, parse, verify_with_jwks, verify_with_pem, verify_with_secret, Expectations,
    ASYMMETRIC_ALGS,
};
use stauth::streamlit::cookie_reader::{parse_cookie_header, read, unsign, MAX_AGE_SECS};
use stauth::streamlit::cookies::{sign_itsdangerous, sign_tornado_v2};

const USER: &str = "_streamlit_user";

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // Failures are reported with their minimal input; no files written.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Everything decode does with a parsed token, under arbitrary expectations.
fn exercise_token(text: &str, secret: &[u8], e: &Expectations) {
    let Ok(jwt) = parse(text) else { return };
    let _ = check_claims(&jwt, e);
    let _ = verify_with_secret(&jwt, secret);
    let _ = verify_with_pem(&jwt, secret);
    let jwks = json!({"keys": [
        {"kty": "oct", "kid": jwt.kid().unwrap_or("k"), "k": URL_SAFE_NO_PAD.encode(secret)},
        {"kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB"},
        {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "OKP", "crv": "Ed25519", "x": "AA"},
        {"kty": 7},
        "not an object"
    ]});
    let _ = verify_with_jwks(&jwt, &jwks, ASYMMETRIC_ALGS);
    let _ = verify_with_jwks(&jwt, &jwks, &["HS256", "RS256"]);
    // Each key alone, under the token's kid, so every key type is tried.
    for key in jwks["keys"].as_array().unwrap() {
        let mut key = key.clone();
        if let (Some(obj), Some(kid)) = (key.as_object_mut(), jwt.kid()) {
            obj.insert("kid".into(), json!(kid));
        }
        let one = json!({"keys": [key]});
        let _ = verify_with_jwks(&jwt, &one, ASYMMETRIC_ALGS);
        let _ = verify_with_jwks(&jwt, &one, &["HS256", "HS384", "HS512"]);
    }
}

/// Everything decode does with a Cookie header, for both cookies.
fn exercise_cookies(header: &str, secret: &str, now: u64) {
    let pairs = parse_cookie_header(header);
    for name in [USER, "_streamlit_user_tokens"] {
        let _ = read(&pairs, name, secret, now);
    }
    for (name, value) in &pairs {
        let _ = unsign(secret, name, value, now);
    }
}

fn expectations() -> impl Strategy<Value = Expectations> {
    (
        proptest::option::of(".{0,12}"),
        proptest::option::of(".{0,12}"),
        proptest::option::of(".{0,12}"),
        proptest::option::of(".{0,12}"),
        prop_oneof![any::<u64>(), Just(120u64), Just(u64::MAX)],
        prop_oneof![
            any::<u64>(),
            Just(u64::MAX),
            Just(0u64),
            Just(1_700_000_000u64)
        ],
    )
        .prop_map(
            |(issuer, audience, nonce, access_token, leeway, now)| Expectations {
                issuer,
                audience,
                nonce,
                access_token,
                leeway,
                now,
            },
        )
}

/// JSON values a hostile token may carry in any claim.
fn hostile_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        Just(json!(1e300)),
        Just(json!(-1e300)),
        Just(json!(i64::MIN)),
        Just(json!(i64::MAX)),
        Just(json!(u64::MAX)),
        ".{0,10}".prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Claims with the names decode treats specially, plus any others.
fn hostile_claims() -> impl Strategy<Value = Map<String, Value>> {
    let name = prop_oneof![
        Just("exp".to_string()),
        Just("iat".to_string()),
        Just("nbf".to_string()),
        Just("auth_time".to_string()),
        Just("updated_at".to_string()),
        Just("iss".to_string()),
        Just("aud".to_string()),
        Just("azp".to_string()),
        Just("nonce".to_string()),
        Just("at_hash".to_string()),
        ".{0,8}",
    ];
    proptest::collection::vec((name, hostile_value()), 0..10)
        .prop_map(|pairs| pairs.into_iter().collect())
}

fn header() -> impl Strategy<Value = Map<String, Value>> {
    let alg = prop_oneof![
        Just(json!("RS256")),
        Just(json!("HS256")),
        Just(json!("EdDSA")),
        Just(json!("none")),
        Just(json!("ES512")),
        ".{0,6}".prop_map(Value::from),
        hostile_value(),
    ];
    let kid = proptest::option::of(prop_oneof![".{0,6}".prop_map(Value::from), hostile_value()]);
    (alg, kid).prop_map(|(alg, kid)| {
        let mut h = Map::new();
        h.insert("alg".into(), alg);
        if let Some(kid) = kid {
            h.insert("kid".into(), kid);
        }
        h
    })
}

fn b64(v: &impl serde::Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_text_never_panics(
        text in "\\PC{0,200}",
        secret in proptest::collection::vec(any::<u8>(), 0..40),
        e in expectations(),
    ) {
        exercise_token(&text, &secret, &e);
        exercise_cookies(&text, &String::from_utf8_lossy(&secret), e.now);
    }

    #[test]
    fn jwt_shaped_text_never_panics(
        parts in proptest::collection::vec("[A-Za-z0-9_=+/-]{0,60}", 1..7),
        wrap in prop_oneof![Just(""), Just("Bearer "), Just("\""), Just(" '")],
        e in expectations(),
    ) {
        let text = format!("{wrap}{}{wrap}", parts.join("."));
        exercise_token(&text, b"secret", &e);
        exercise_cookies(&format!("{USER}={text}"), "secret", e.now);
    }

    #[test]
    fn valid_jwts_with_hostile_claims_never_panic(
        h in header(),
        claims in hostile_claims(),
        sig in "[A-Za-z0-9_-]{0,90}",
        e in expectations(),
    ) {
        let token = format!("{}.{}.{sig}", b64(&h), b64(&claims));
        let jwt = parse(&token).expect("a JSON object header and payload parse");
        // Same claims, in the same order (floats may differ in the last
        // digit: serde_json parses them without exact round trips).
        prop_assert!(jwt.claims.keys().eq(claims.keys()));
        prop_assert_eq!(jwt.alg(), h.get("alg").and_then(Value::as_str));
        exercise_token(&token, b"secret", &e);
    }

    /// `at_hash` is checked with the hash the token's own `alg` names: any
    /// alg text (non-ASCII too) with any access token.
    #[test]
    fn at_hash_with_any_alg_never_panics(
        alg in "\\PC{0,8}",
        at_hash in "\\PC{0,30}",
        access_token in "\\PC{0,30}",
    ) {
        let token = format!(
            "{}.{}.sig",
            b64(&json!({"alg": alg})),
            b64(&json!({"at_hash": at_hash, "exp": 2_000_000_000u64, "iat": 0}))
        );
        let jwt = parse(&token).unwrap();
        let checks = check_claims(&jwt, &Expectations {
            access_token: Some(access_token),
            leeway: 120,
            now: 1_700_000_000,
            ..Expectations::default()
        });
        prop_assert!(checks.iter().any(|c| c.name == "exp" && c.ok));
    }

    #[test]
    fn cookie_headers_never_panic(
        pairs in proptest::collection::vec(
            (
                prop_oneof![
                    Just(USER.to_string()),
                    Just(format!("{USER}_1")),
                    Just(format!("{USER}_2")),
                    Just("_streamlit_user_tokens".to_string()),
                    "[ -~]{0,8}",
                ],
                "[ -~]{0,80}",
            ),
            0..6,
        ),
        quote in any::<bool>(),
        now in any::<u64>(),
    ) {
        let header = pairs
            .iter()
            .map(|(n, v)| if quote { format!("{n}=\"{v}\"") } else { format!("{n}={v}") })
            .collect::<Vec<_>>()
            .join("; ");
        exercise_cookies(&header, "secret", now);
        exercise_cookies(&format!("Cookie: {header}"), "", now);
    }

    /// Values signed with the right secret but holding anything: chunk
    /// markers with absurd counts, non-JSON, any timestamp, any clock.
    #[test]
    fn validly_signed_hostile_cookies_never_panic(
        values in proptest::collection::vec(
            prop_oneof![
                Just("chunks-0".to_string()),
                Just("chunks-18446744073709551615".to_string()),
                (0usize..6).prop_map(|n| format!("chunks-{n}")),
                "\\PC{0,40}",
            ],
            1..5,
        ),
        ts in prop_oneof![any::<u64>(), Just(0u64), Just(u64::MAX)],
        now in prop_oneof![any::<u64>(), Just(u64::MAX), Just(0u64)],
        tornado in any::<bool>(),
    ) {
        let secret = "cookie-secret";
        let header = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let name = if i == 0 { USER.to_string() } else { format!("{USER}_{i}") };
                let signed = if tornado {
                    sign_tornado_v2(secret, &name, v, ts)
                } else {
                    sign_itsdangerous(secret, &name, v, ts)
                };
                format!("{name}={signed}")
            })
            .collect::<Vec<_>>()
            .join("; ");
        exercise_cookies(&header, secret, now);
    }

    /// What is signed (Starlette or Tornado format) is read back, within
    /// Streamlit's 31 days, and refused with another secret.
    #[test]
    fn signed_values_round_trip(
        value in "\\PC{0,300}",
        age in 0u64..MAX_AGE_SECS,
        tornado in any::<bool>(),
    ) {
        let now = 1_800_000_000u64;
        let ts = now - age;
        let signed = if tornado {
            sign_tornado_v2("s3cret", USER, &value, ts)
        } else {
            sign_itsdangerous("s3cret", USER, &value, ts)
        };
        let got = unsign("s3cret", USER, &signed, now).expect("a value just signed verifies");
        prop_assert_eq!(&got.value, &value);
        prop_assert_eq!(got.signed_at, ts);
        prop_assert!(unsign("other", USER, &signed, now).is_err());
        let pairs = parse_cookie_header(&format!("a=b; {USER}={signed}"));
        let whole = read(&pairs, USER, "s3cret", now).unwrap().unwrap();
        prop_assert_eq!(whole.value, value);
    }
}
