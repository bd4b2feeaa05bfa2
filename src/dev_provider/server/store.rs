//! The provider's memory: browser sessions, pending authorizations, codes
//! and tokens. Every map is capped and every entry expires, so a busy or
//! hostile client cannot grow it without bound.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::dev_provider::users::DevUser;

/// Entries one map holds; past it the ones closest to expiry go first.
const MAX_ENTRIES: usize = 10_000;
/// How long a browser session at the provider lasts.
pub(super) const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// How long a refresh token stays valid.
pub(super) const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// Who logged in, for which client, with what.
#[derive(Debug, Clone)]
pub(super) struct Grant {
    pub client_id: String,
    pub user: DevUser,
    pub scope: String,
    /// Seconds since the epoch.
    pub auth_time: u64,
    /// The issuer's path (`""` or `/like/<preset>`).
    pub base: String,
    /// The code every token of this login descends from (refreshes
    /// included), so that a replayed code revokes them all.
    pub family: String,
}

#[derive(Debug, Clone)]
pub(super) struct Session {
    pub base: String,
    pub user: DevUser,
    pub auth_time: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Pkce {
    S256(String),
    Plain(String),
}

/// What an authorization asked, kept while the login page is shown and
/// then with its code.
#[derive(Debug, Clone)]
pub(super) struct Authorization {
    pub base: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub pkce: Option<Pkce>,
}

#[derive(Debug, Clone)]
pub(super) struct Pending {
    pub authorization: Authorization,
    pub csrf: String,
}

#[derive(Debug, Clone)]
pub(super) struct Code {
    pub authorization: Authorization,
    pub grant: Grant,
    pub used: bool,
    /// Used again after it was spent: nothing more is issued for it.
    pub replayed: bool,
}

#[derive(Default)]
pub(super) struct Store {
    pub sessions: Capped<Session>,
    pub pending: Capped<Pending>,
    pub codes: Capped<Code>,
    pub access: Capped<Grant>,
    pub refresh: Capped<Grant>,
}

/// A map whose entries expire, holding at most [`MAX_ENTRIES`].
pub(super) struct Capped<T> {
    entries: HashMap<String, (Instant, T)>,
}

impl<T> Default for Capped<T> {
    fn default() -> Self {
        Capped {
            entries: HashMap::new(),
        }
    }
}

impl<T> Capped<T> {
    pub fn insert(&mut self, key: String, ttl: Duration, value: T) {
        let now = Instant::now();
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.retain(|_, (expires, _)| *expires > now);
        }
        if self.entries.len() >= MAX_ENTRIES {
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (expires, _))| *expires)
                .map(|(k, _)| k.clone())
            {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(key, (now + ttl, value));
    }

    /// The live entry under `key`; an expired one is dropped.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        if self.expired(key) {
            self.entries.remove(key);
            return None;
        }
        self.entries.get_mut(key).map(|(_, v)| v)
    }

    pub fn get(&mut self, key: &str) -> Option<&T> {
        self.get_mut(key).map(|v| &*v)
    }

    /// Whether `key` is there but past its time.
    pub fn expired(&self, key: &str) -> bool {
        self.entries
            .get(key)
            .is_some_and(|(expires, _)| *expires <= Instant::now())
    }

    /// Keeps only the entries `keep` approves.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.entries.retain(|_, (_, v)| keep(v));
    }

    pub fn remove(&mut self, key: &str) -> Option<T> {
        self.entries.remove(key).map(|(_, v)| v)
    }
}

/// 32 random bytes, base64url: codes, tokens, session and request IDs.
pub(super) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random number generator failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Seconds since the epoch.
pub(super) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire() {
        let mut map = Capped::default();
        map.insert("a".into(), Duration::from_secs(60), 1);
        map.insert("b".into(), Duration::ZERO, 2);
        assert_eq!(map.get("a"), Some(&1));
        assert!(map.expired("b"));
        assert_eq!(map.get("b"), None);
        assert!(!map.expired("b"));
    }

    #[test]
    fn tokens_are_random_and_url_safe() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
