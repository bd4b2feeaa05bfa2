//! Signing keys: generated on first run, kept outside the repository (mode
//! 0600), rotated with the old key still published for a while.
//!
//! On disk: one JSON file, [`KEYS_FILE`], in the keys folder. Each key keeps
//! its PKCS#8 PEM, when it was made, when it was retired and until when it
//! stays in the JWKS. Keys are parsed once when loaded, so signing a token
//! does no key parsing (the token endpoint signs on every request).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::untrusted::Untrusted;

/// The key file's name inside the keys folder.
pub const KEYS_FILE: &str = "keys.json";

/// What the key file says it is, so a foreign JSON file is never taken for it.
const FORMAT: &str = "stauth-dev-provider-keys/1";

/// How long a key retired because another `--alg` was asked for stays published.
const SWITCH_KEEP: Duration = Duration::from_secs(24 * 60 * 60);

/// An ID token signing algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Algorithm {
    Rs256,
    Es256,
    Ps256,
    EdDsa,
}

impl Algorithm {
    /// The JOSE name (`RS256`, `ES256`, `PS256`, `EdDSA`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Es256 => "ES256",
            Algorithm::Ps256 => "PS256",
            Algorithm::EdDsa => "EdDSA",
        }
    }

    /// The algorithm with JOSE name `name`.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        [
            Algorithm::Rs256,
            Algorithm::Es256,
            Algorithm::Ps256,
            Algorithm::EdDsa,
        ]
        .into_iter()
        .find(|a| a.name() == name)
    }
}

/// One key as the key file stores it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredKey {
    kid: String,
    alg: String,
    private_key_pem: String,
    /// Unix seconds.
    created: u64,
    /// Unix seconds; None while the key signs.
    retired: Option<u64>,
    /// Unix seconds until which a retired key stays in the JWKS.
    publish_until: Option<u64>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    format: String,
    keys: Vec<StoredKey>,
}

/// A parsed private key, ready to sign.
enum SigningKey {
    /// RS256 or PS256. `rsa` makes the key and reads and writes it; `ring`
    /// (already linked for TLS) signs, about five times faster than `rsa`'s
    /// constant-time arithmetic: an RS256 signature is most of a token
    /// request's time.
    Rsa {
        alg: Algorithm,
        key: Box<rsa::PrivateKey>,
        signer: ring::signature::RsaKeyPair,
    },
    Es256(p256::ecdsa::SigningKey),
    EdDsa(ed25519_dalek::SigningKey),
}

impl SigningKey {
    fn generate(alg: Algorithm) -> std::result::Result<SigningKey, String> {
        let mut rng = rand::rng();
        Ok(match alg {
            Algorithm::Rs256 | Algorithm::Ps256 => {
                let key = rsa::PrivateKey::new(&mut rng, 2048).map_err(|e| e.to_string())?;
                Self::from_rsa(alg, key)?
            }
            Algorithm::Es256 => {
                use rsa::Generate as _;
                SigningKey::Es256(p256::ecdsa::SigningKey::generate_from_rng(&mut rng))
            }
            Algorithm::EdDsa => SigningKey::EdDsa(ed25519_dalek::SigningKey::generate(&mut rng)),
        })
    }

    fn from_rsa(alg: Algorithm, key: rsa::PrivateKey) -> std::result::Result<SigningKey, String> {
        use rsa::pkcs8::EncodePrivateKey;
        let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
        let signer = ring::signature::RsaKeyPair::from_pkcs8(der.as_bytes())
            .map_err(|e| format!("its {} key cannot sign ({e})", alg.name()))?;
        Ok(SigningKey::Rsa {
            alg,
            key: Box::new(key),
            signer,
        })
    }

    fn from_pem(alg: Algorithm, pem: &str) -> std::result::Result<SigningKey, String> {
        use rsa::pkcs8::DecodePrivateKey;
        let err = |e: rsa::pkcs8::Error| {
            format!("its {} key is not a valid PKCS#8 key ({e})", alg.name())
        };
        Ok(match alg {
            Algorithm::Rs256 | Algorithm::Ps256 => {
                Self::from_rsa(alg, rsa::PrivateKey::from_pkcs8_pem(pem).map_err(err)?)?
            }
            Algorithm::Es256 => {
                SigningKey::Es256(p256::ecdsa::SigningKey::from_pkcs8_pem(pem).map_err(err)?)
            }
            Algorithm::EdDsa => {
                SigningKey::EdDsa(ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(err)?)
            }
        })
    }

    fn to_pem(&self) -> std::result::Result<String, String> {
        use rsa::pkcs8::{EncodePrivateKey, LineEnding};
        let pem = match self {
            SigningKey::Rsa { key, .. } => key.to_pkcs8_pem(LineEnding::LF),
            SigningKey::Es256(k) => k.to_pkcs8_pem(LineEnding::LF),
            SigningKey::EdDsa(k) => k.to_pkcs8_pem(LineEnding::LF),
        };
        pem.map(|p| p.to_string()).map_err(|e| e.to_string())
    }

    /// The public key as a JWK without `kid`, `alg` and `use`, members in
    /// RFC 7638 order (so its JSON is also the thumbprint input).
    fn public_jwk(&self) -> Value {
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        match self {
            SigningKey::Rsa { key, .. } => rsa_jwk(key, b64),
            SigningKey::Es256(k) => {
                // Uncompressed SEC1: 0x04, then x and y (32 bytes each).
                let point = k.verifying_key().to_sec1_bytes();
                json!({"crv": "P-256", "kty": "EC", "x": b64(&point[1..33]), "y": b64(&point[33..65])})
            }
            SigningKey::EdDsa(k) => {
                json!({"crv": "Ed25519", "kty": "OKP", "x": b64(k.verifying_key().as_bytes())})
            }
        }
    }

    fn sign(&self, message: &[u8]) -> std::result::Result<Vec<u8>, String> {
        use rsa::signature::Signer;
        Ok(match self {
            SigningKey::Rsa { alg, signer, .. } => {
                let padding: &'static dyn ring::signature::RsaEncoding = match alg {
                    Algorithm::Ps256 => &ring::signature::RSA_PSS_SHA256,
                    _ => &ring::signature::RSA_PKCS1_SHA256,
                };
                let mut signature = vec![0; signer.public().modulus_len()];
                signer
                    .sign(
                        padding,
                        &ring::rand::SystemRandom::new(),
                        message,
                        &mut signature,
                    )
                    .map_err(|_| "the RSA signature failed".to_string())?;
                signature
            }
            SigningKey::Es256(k) => {
                let signature: p256::ecdsa::Signature =
                    k.try_sign(message).map_err(|e| e.to_string())?;
                signature.to_bytes().to_vec()
            }
            SigningKey::EdDsa(k) => ed25519_dalek::Signer::sign(k, message).to_bytes().to_vec(),
        })
    }
}

fn rsa_jwk(key: &rsa::PrivateKey, b64: impl Fn(&[u8]) -> String) -> Value {
    use rsa::traits::PublicKeyParts;
    json!({"e": b64(&key.e_bytes()), "kty": "RSA", "n": b64(&key.n_bytes())})
}

/// A loaded key.
struct Key {
    kid: String,
    alg: Algorithm,
    signer: SigningKey,
    /// The public JWK with `kid`, `alg` and `use`.
    jwk: Value,
    created: u64,
    retired: Option<u64>,
    publish_until: Option<u64>,
    private_key_pem: String,
}

impl Key {
    fn new(signer: SigningKey, alg: Algorithm, created: u64) -> std::result::Result<Key, String> {
        let private_key_pem = signer.to_pem()?;
        Ok(Self::with_pem(
            signer,
            alg,
            created,
            None,
            None,
            private_key_pem,
        ))
    }

    fn with_pem(
        signer: SigningKey,
        alg: Algorithm,
        created: u64,
        retired: Option<u64>,
        publish_until: Option<u64>,
        private_key_pem: String,
    ) -> Key {
        let mut jwk = signer.public_jwk();
        let kid = thumbprint(&jwk);
        if let Value::Object(members) = &mut jwk {
            members.insert("kid".into(), Value::String(kid.clone()));
            members.insert("alg".into(), Value::String(alg.name().into()));
            members.insert("use".into(), Value::String("sig".into()));
        }
        Key {
            kid,
            alg,
            signer,
            jwk,
            created,
            retired,
            publish_until,
            private_key_pem,
        }
    }

    fn stored(&self) -> StoredKey {
        StoredKey {
            kid: self.kid.clone(),
            alg: self.alg.name().into(),
            private_key_pem: self.private_key_pem.clone(),
            created: self.created,
            retired: self.retired,
            publish_until: self.publish_until,
        }
    }

    fn published_at(&self, now: u64) -> bool {
        self.retired.is_none() || self.publish_until.is_some_and(|until| until > now)
    }
}

/// The RFC 7638 thumbprint of a public JWK (its required members, sorted,
/// no spaces), base64url: a stable `kid` that changes with the key.
fn thumbprint(public_jwk: &Value) -> String {
    let canonical = serde_json::to_string(public_jwk).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// The keys the provider signs with and publishes.
pub struct KeyRing {
    keys: Vec<Key>,
    /// Index of the key that signs.
    active: usize,
}

impl KeyRing {
    /// `$XDG_DATA_HOME/stauth/dev-provider`, else `~/.local/share/stauth/dev-provider`.
    pub fn default_dir() -> Result<PathBuf> {
        let var = |name| std::env::var_os(name).map(PathBuf::from);
        default_dir_from(var("XDG_DATA_HOME"), var("HOME"))
    }

    /// The keys in `dir`, made (with `alg`) when there are none; true when made.
    pub fn load_or_create(dir: &Path, alg: Algorithm) -> Result<(KeyRing, bool)> {
        update(dir, |keys| load_or_create_at(keys, alg, unix_now()))
    }

    /// A new active key with `alg`; the previous ones stay published for `keep_old`.
    pub fn rotate(dir: &Path, alg: Algorithm, keep_old: Duration) -> Result<KeyRing> {
        update(dir, |keys| rotate_at(keys, alg, keep_old, unix_now())).map(|(ring, _)| ring)
    }

    /// `{"keys": [...]}`: the active key and the rotated-out ones still kept.
    pub fn jwks(&self) -> Value {
        self.jwks_at(unix_now())
    }

    fn jwks_at(&self, now: u64) -> Value {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .filter(|k| k.published_at(now))
            .map(|k| k.jwk.clone())
            .collect();
        json!({ "keys": keys })
    }

    /// A compact JWS of `claims`, with `alg`, `kid` and `typ: JWT`.
    pub fn sign(&self, claims: &Map<String, Value>) -> Result<String> {
        let key = &self.keys[self.active];
        let header = json!({"alg": key.alg.name(), "kid": key.kid, "typ": "JWT"});
        let mut token = format!("{}.{}", base64_json(&header), base64_json(claims));
        let signature = key
            .signer
            .sign(token.as_bytes())
            .map_err(|e| Error::Input {
                message: format!("cannot sign a token with key {}: {e}", key.kid),
                hint: "remove the dev provider's keys folder to make new keys".into(),
            })?;
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(token)
    }

    pub fn algorithm(&self) -> Algorithm {
        self.keys[self.active].alg
    }

    pub fn active_kid(&self) -> &str {
        &self.keys[self.active].kid
    }
}

/// `value` as base64url JSON (a JSON value always serialises).
fn base64_json(value: &impl serde::Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn default_dir_from(xdg_data_home: Option<PathBuf>, home: Option<PathBuf>) -> Result<PathBuf> {
    // The XDG spec says a relative value is invalid and must be ignored.
    let base = match (xdg_data_home, home) {
        (Some(xdg), _) if xdg.is_absolute() => xdg,
        (_, Some(home)) if !home.as_os_str().is_empty() => home.join(".local").join("share"),
        _ => {
            return Err(Error::Input {
                message: "cannot tell where to keep the dev provider's signing keys: neither XDG_DATA_HOME nor HOME is set".into(),
                hint: "pass --keys-dir DIR (a folder outside the app's repository)".into(),
            })
        }
    };
    Ok(base.join("stauth").join("dev-provider"))
}

/// What a change to the keys decided: whether the file must be written,
/// and whether a key was made.
struct Change {
    write: bool,
    created: bool,
}

/// Locks the key file, loads it, applies `change`, writes it back when
/// changed, and returns the ring.
fn update(
    dir: &Path,
    change: impl FnOnce(&mut Vec<Key>) -> Result<Change>,
) -> Result<(KeyRing, bool)> {
    create_private_dir(dir)?;
    let path = dir.join(KEYS_FILE);
    let _lock = crate::fsutil::lock(&path)?;
    let mut keys = read_keys(&path)?;
    let Change { write, created } = change(&mut keys)?;
    if write {
        write_keys(&path, &keys)?;
    }
    let active = keys
        .iter()
        .rposition(|k| k.retired.is_none())
        .expect("every change leaves an active key");
    Ok((KeyRing { keys, active }, created))
}

fn load_or_create_at(keys: &mut Vec<Key>, alg: Algorithm, now: u64) -> Result<Change> {
    let pruned = prune(keys, now);
    let active = keys
        .iter()
        .rposition(|k| k.retired.is_none() && k.alg == alg);
    let mut retired_any = false;
    for (i, key) in keys.iter_mut().enumerate() {
        if key.retired.is_none() && Some(i) != active {
            retire(key, now, SWITCH_KEEP);
            retired_any = true;
        }
    }
    let created = active.is_none();
    if let Some(i) = active {
        // The active key goes last, so "newest unretired" finds it.
        let key = keys.remove(i);
        keys.push(key);
    } else {
        keys.push(new_key(alg, now)?);
    }
    Ok(Change {
        write: pruned || retired_any || created,
        created,
    })
}

fn rotate_at(keys: &mut Vec<Key>, alg: Algorithm, keep_old: Duration, now: u64) -> Result<Change> {
    prune(keys, now);
    for key in keys.iter_mut().filter(|k| k.retired.is_none()) {
        retire(key, now, keep_old);
    }
    keys.push(new_key(alg, now)?);
    prune(keys, now);
    Ok(Change {
        write: true,
        created: true,
    })
}

fn retire(key: &mut Key, now: u64, keep: Duration) {
    key.retired = Some(now);
    key.publish_until = Some(now.saturating_add(keep.as_secs()));
}

/// Drops retired keys no longer published; true when any was dropped.
fn prune(keys: &mut Vec<Key>, now: u64) -> bool {
    let before = keys.len();
    keys.retain(|k| k.published_at(now));
    keys.len() != before
}

fn new_key(alg: Algorithm, now: u64) -> Result<Key> {
    SigningKey::generate(alg)
        .and_then(|signer| Key::new(signer, alg, now))
        .map_err(|e| Error::Input {
            message: format!("cannot make a {} signing key: {e}", alg.name()),
            hint: "try another --alg".into(),
        })
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let err = |source| Error::WriteFile {
        path: dir.to_path_buf(),
        source,
    };
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(err(e)),
    }
}

/// An error about the key file that stauth will not fix by itself.
fn bad_file(path: &Path, why: &str) -> Error {
    Error::Input {
        message: format!(
            "{} is not a usable stauth dev-provider key file: {why}",
            Untrusted(&path.display().to_string())
        ),
        hint: "remove it (new keys are made on the next start; tokens signed with the old ones stop verifying) or pass --keys-dir DIR".into(),
    }
}

fn refuse_link(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(bad_file(
            path,
            "it is a symbolic link, and stauth never follows a link for its signing keys",
        )),
        _ => Ok(()),
    }
}

fn read_keys(path: &Path) -> Result<Vec<Key>> {
    refuse_link(path)?;
    let text = match crate::fsutil::read::read_text_capped(path, crate::limits::KEY_FILE_BYTES) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Err(bad_file(path, &e.to_string()))
        }
        Err(source) => {
            return Err(Error::ReadFile {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let file: KeyFile = serde_json::from_str(&text).map_err(|e| bad_file(path, &format!("{e}")))?;
    if file.format != FORMAT {
        return Err(bad_file(
            path,
            &format!(
                "its format is '{}', not '{FORMAT}'",
                Untrusted(&file.format)
            ),
        ));
    }
    file.keys
        .into_iter()
        .map(|stored| {
            let alg = Algorithm::from_name(&stored.alg).ok_or_else(|| {
                bad_file(
                    path,
                    &format!("unknown algorithm '{}'", Untrusted(&stored.alg)),
                )
            })?;
            let signer = SigningKey::from_pem(alg, &stored.private_key_pem)
                .map_err(|e| bad_file(path, &e))?;
            let key = Key::with_pem(
                signer,
                alg,
                stored.created,
                stored.retired,
                stored.publish_until,
                stored.private_key_pem,
            );
            if key.kid != stored.kid {
                return Err(bad_file(
                    path,
                    &format!(
                        "key '{}' does not match its private key",
                        Untrusted(&stored.kid)
                    ),
                ));
            }
            Ok(key)
        })
        .collect()
}

fn write_keys(path: &Path, keys: &[Key]) -> Result<()> {
    refuse_link(path)?;
    let file = KeyFile {
        format: FORMAT.into(),
        keys: keys.iter().map(Key::stored).collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    crate::fsutil::write_atomic(path, text.as_bytes(), Some(0o600))?;
    #[cfg(unix)]
    {
        // A file someone widened is narrowed again: it holds private keys.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(
            |source| Error::WriteFile {
                path: path.to_path_buf(),
                source,
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Algorithm; 4] = [
        Algorithm::Rs256,
        Algorithm::Es256,
        Algorithm::Ps256,
        Algorithm::EdDsa,
    ];

    fn claims() -> Map<String, Value> {
        let Value::Object(claims) = json!({"sub": "alice", "aud": "app", "exp": 4_000_000_000u64})
        else {
            unreachable!()
        };
        claims
    }

    /// Verifies `token` with the JWK of `kid` from `jwks`, as a relying party would.
    fn verify(token: &str, jwks: &Value, alg: Algorithm) -> Map<String, Value> {
        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        let kid = header.kid.expect("kid");
        let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.clone()).unwrap();
        let jwk = set.find(&kid).expect("the token's kid is published");
        let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
        let jose: jsonwebtoken::Algorithm = alg.name().parse().unwrap();
        assert_eq!(header.alg, jose);
        let mut validation = jsonwebtoken::Validation::new(jose);
        validation.set_audience(&["app"]);
        jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .unwrap()
            .claims
    }

    #[test]
    fn every_algorithm_signs_what_its_jwks_verifies_and_reloads_the_same_key() {
        for alg in ALL {
            let dir = tempfile::tempdir().unwrap();
            let keys_dir = dir.path().join("keys");
            let (ring, created) = KeyRing::load_or_create(&keys_dir, alg).unwrap();
            assert!(created);
            assert_eq!(ring.algorithm(), alg);
            let token = ring.sign(&claims()).unwrap();
            assert_eq!(verify(&token, &ring.jwks(), alg)["sub"], "alice");
            let jwk = &ring.jwks()["keys"][0];
            assert_eq!(jwk["use"], "sig");
            assert_eq!(jwk["alg"], alg.name());
            assert_eq!(jwk["kid"], ring.active_kid());

            let started = std::time::Instant::now();
            let (again, created) = KeyRing::load_or_create(&keys_dir, alg).unwrap();
            let took = started.elapsed();
            assert!(!created);
            assert_eq!(again.active_kid(), ring.active_kid());
            assert_eq!(again.jwks(), ring.jwks());
            // Generous for an unoptimised build; the release budget is 50 ms.
            assert!(took < Duration::from_secs(1), "{alg:?} took {took:?}");
        }
    }

    #[test]
    fn kid_is_the_rfc_7638_thumbprint() {
        // The example in RFC 7638, section 3.1.
        let jwk = json!({
            "e": "AQAB",
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        });
        assert_eq!(
            thumbprint(&jwk),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn two_first_starts_at_once_make_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let kids: Vec<String> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        let (ring, _) =
                            KeyRing::load_or_create(dir.path(), Algorithm::EdDsa).unwrap();
                        ring.active_kid().to_string()
                    })
                })
                .collect();
            starts.into_iter().map(|s| s.join().unwrap()).collect()
        });
        assert!(kids.iter().all(|k| *k == kids[0]), "{kids:?}");
        let (ring, created) = KeyRing::load_or_create(dir.path(), Algorithm::EdDsa).unwrap();
        assert!(!created);
        assert_eq!(ring.active_kid(), kids[0]);
    }

    #[test]
    fn rsa_jwk_has_no_leading_zeros() {
        let dir = tempfile::tempdir().unwrap();
        let (ring, _) = KeyRing::load_or_create(dir.path(), Algorithm::Rs256).unwrap();
        let jwk = &ring.jwks()["keys"][0];
        assert_eq!(jwk["e"], "AQAB");
        let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
        assert_eq!(n.len(), 256);
        assert_ne!(n[0], 0);
    }

    #[test]
    fn file_is_0600_and_folder_0700() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let keys_dir = dir.path().join("a").join("keys");
        KeyRing::load_or_create(&keys_dir, Algorithm::EdDsa).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&keys_dir), 0o700);
        assert_eq!(mode(&keys_dir.join(KEYS_FILE)), 0o600);
        // Nothing else is left in the folder (no temporary or lock file).
        let names: Vec<_> = std::fs::read_dir(&keys_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [KEYS_FILE]);
    }

    #[test]
    fn rotation_keeps_the_old_key_published_then_drops_it() {
        let mut keys = Vec::new();
        load_or_create_at(&mut keys, Algorithm::Es256, 1000).unwrap();
        let old = keys[0].kid.clone();
        let keep = Duration::from_secs(600);
        rotate_at(&mut keys, Algorithm::Es256, keep, 2000).unwrap();
        let ring = KeyRing {
            active: keys.len() - 1,
            keys,
        };
        let new = ring.active_kid().to_string();
        assert_ne!(new, old);
        let kids = |ring: &KeyRing, now| -> Vec<String> {
            ring.jwks_at(now)["keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["kid"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(kids(&ring, 2599), [old.clone(), new.clone()]);
        assert_eq!(kids(&ring, 2600), std::slice::from_ref(&new));
        // A token signed after the rotation carries the new kid.
        let token = ring.sign(&claims()).unwrap();
        assert_eq!(
            verify(&token, &ring.jwks_at(2000), Algorithm::Es256)["sub"],
            "alice"
        );

        // Past the keep time the old key leaves the file too.
        let mut keys = ring.keys;
        let change = load_or_create_at(&mut keys, Algorithm::Es256, 2600).unwrap();
        assert!(change.write && !change.created);
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid, new);
    }

    #[test]
    fn rotation_is_kept_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let (first, _) = KeyRing::load_or_create(dir.path(), Algorithm::EdDsa).unwrap();
        let rotated =
            KeyRing::rotate(dir.path(), Algorithm::EdDsa, Duration::from_secs(3600)).unwrap();
        let (reloaded, created) = KeyRing::load_or_create(dir.path(), Algorithm::EdDsa).unwrap();
        assert!(!created);
        assert_eq!(reloaded.active_kid(), rotated.active_kid());
        let jwks = reloaded.jwks();
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(kids, [first.active_kid(), rotated.active_kid()]);
    }

    #[test]
    fn another_alg_retires_the_active_key_for_a_day() {
        let mut keys = Vec::new();
        load_or_create_at(&mut keys, Algorithm::EdDsa, 1000).unwrap();
        let change = load_or_create_at(&mut keys, Algorithm::Es256, 1000).unwrap();
        assert!(change.created && change.write);
        assert_eq!(keys[0].retired, Some(1000));
        assert_eq!(keys[0].publish_until, Some(1000 + 24 * 3600));
        assert_eq!(keys[1].alg, Algorithm::Es256);
        assert!(keys[1].retired.is_none());
        // Nothing to change the second time.
        let change = load_or_create_at(&mut keys, Algorithm::Es256, 1001).unwrap();
        assert!(!change.write && !change.created);
    }

    #[test]
    fn corrupt_or_foreign_file_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEYS_FILE);
        for text in [
            "not json",
            r#"{"format": "something-else", "keys": []}"#,
            r#"{"keys": []}"#,
            r#"{"format": "stauth-dev-provider-keys/1", "keys": [{"kid": "x", "alg": "RS256", "private_key_pem": "nope", "created": 1, "retired": null, "publish_until": null}]}"#,
        ] {
            std::fs::write(&path, text).unwrap();
            let err = KeyRing::load_or_create(dir.path(), Algorithm::Rs256)
                .err()
                .expect("refused");
            let message = err.to_string();
            assert!(message.contains(KEYS_FILE), "{message}");
            assert!(message.contains("not a usable stauth dev-provider key file"));
            let Error::Input { hint, .. } = err else {
                panic!("{err:?}")
            };
            assert!(hint.contains("remove it") && hint.contains("--keys-dir"));
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        }
    }

    #[test]
    fn a_key_that_does_not_match_its_kid_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        KeyRing::load_or_create(dir.path(), Algorithm::EdDsa).unwrap();
        let path = dir.path().join(KEYS_FILE);
        let mut file: KeyFile =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        file.keys[0].kid = "forged".into();
        std::fs::write(&path, serde_json::to_string(&file).unwrap()).unwrap();
        let err = KeyRing::load_or_create(dir.path(), Algorithm::EdDsa)
            .err()
            .unwrap();
        assert!(err.to_string().contains("does not match its private key"));
    }

    #[test]
    fn a_symlinked_file_is_neither_followed_nor_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere.json");
        std::fs::write(&elsewhere, "precious").unwrap();
        let keys_dir = dir.path().join("keys");
        std::fs::create_dir(&keys_dir).unwrap();
        std::os::unix::fs::symlink(&elsewhere, keys_dir.join(KEYS_FILE)).unwrap();
        let err = KeyRing::load_or_create(&keys_dir, Algorithm::EdDsa)
            .err()
            .unwrap();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(std::fs::symlink_metadata(keys_dir.join(KEYS_FILE))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "precious");
    }

    #[test]
    fn default_dir_follows_xdg_then_home() {
        let dir = |xdg: Option<&str>, home: Option<&str>| {
            default_dir_from(xdg.map(PathBuf::from), home.map(PathBuf::from))
        };
        assert_eq!(
            dir(Some("/data"), Some("/home/u")).unwrap(),
            Path::new("/data/stauth/dev-provider")
        );
        assert_eq!(
            dir(Some("relative"), Some("/home/u")).unwrap(),
            Path::new("/home/u/.local/share/stauth/dev-provider")
        );
        let err = dir(None, None).err().unwrap();
        let Error::Input { hint, .. } = err else {
            panic!()
        };
        assert!(hint.contains("--keys-dir"));
    }
}
