//! The keychain itself, behind a small trait: the real one (the `keyring`
//! crate: Secret Service via zbus on Linux and the BSDs, Keychain Services on
//! macOS, Credential Manager on Windows) and, for unit tests, one in memory.

use std::collections::HashMap;

use super::{StoreError, SERVICE};

/// The platform's keychain, named for messages.
pub fn backend_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else {
        "Secret Service (D-Bus)"
    }
}

/// A failure of the keychain. Never holds a secret value.
#[derive(Debug)]
pub(crate) enum BackendError {
    /// No keychain to talk to (no session bus, no Secret Service).
    Unreachable(String),
    /// The keychain is there but refused (locked collection, denied prompt).
    Locked(String),
    /// Anything else the keychain reported.
    Failed(String),
    /// A stored value is not UTF-8 text.
    NotText,
}

impl BackendError {
    pub(crate) fn into_store_error(self, action: &str) -> StoreError {
        let backend = backend_name();
        match self {
            BackendError::Unreachable(detail) => StoreError::Unreachable { backend, detail },
            BackendError::Locked(detail) => StoreError::Locked { backend, detail },
            BackendError::Failed(detail) => StoreError::Failed {
                backend,
                action: action.to_string(),
                detail,
            },
            BackendError::NotText => StoreError::Failed {
                backend,
                action: action.to_string(),
                detail: "the stored value is not UTF-8 text (was it written by another program?)"
                    .into(),
            },
        }
    }
}

/// What stauth needs from a keychain: text values by account, under [`SERVICE`].
pub(crate) trait Backend {
    fn get(&self, account: &str) -> Result<Option<String>, BackendError>;
    fn set(&self, account: &str, value: &str) -> Result<(), BackendError>;
    /// False when there was no entry.
    fn delete(&self, account: &str) -> Result<bool, BackendError>;
    /// Every account under `service`; None when this keychain cannot search.
    fn accounts(&self, service: &str) -> Result<Option<Vec<String>>, BackendError>;
}

/// The OS keychain through the `keyring` crate.
pub(crate) struct Keyring;

impl Keyring {
    /// Connects once (the crate keeps the connection for the process).
    pub fn open() -> Result<Self, BackendError> {
        match keyring::Entry::store_status() {
            Ok(()) => Ok(Keyring),
            Err(e) => Err(BackendError::Unreachable(unreachable_detail(e))),
        }
    }

    fn entry(account: &str) -> Result<keyring::Entry, BackendError> {
        keyring::Entry::new(SERVICE, account).map_err(classify)
    }
}

impl Backend for Keyring {
    fn get(&self, account: &str) -> Result<Option<String>, BackendError> {
        match Self::entry(account)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn set(&self, account: &str, value: &str) -> Result<(), BackendError> {
        Self::entry(account)?.set_password(value).map_err(classify)
    }

    fn delete(&self, account: &str) -> Result<bool, BackendError> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(classify(e)),
        }
    }

    fn accounts(&self, service: &str) -> Result<Option<Vec<String>>, BackendError> {
        let spec = HashMap::from([("service", service)]);
        let entries = match keyring_core::Entry::search(&spec) {
            Ok(entries) => entries,
            Err(keyring::Error::NotSupportedByStore(_)) => return Ok(None),
            Err(e) => return Err(classify(e)),
        };
        Ok(Some(
            entries
                .iter()
                .filter_map(|e| e.get_specifiers())
                .filter(|(s, _)| s == service)
                .map(|(_, account)| account)
                .collect(),
        ))
    }
}

/// Sorts a keyring error without ever formatting data it may carry
/// (`BadEncoding` and `BadDataFormat` hold the raw secret bytes).
fn classify(e: keyring::Error) -> BackendError {
    match e {
        keyring::Error::NoStorageAccess(inner) => BackendError::Locked(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => BackendError::Failed(inner.to_string()),
        keyring::Error::NoDefaultStore => {
            BackendError::Unreachable("no keychain could be opened".into())
        }
        keyring::Error::BadEncoding(_) => BackendError::NotText,
        keyring::Error::BadDataFormat(_, _) => {
            BackendError::Failed("the stored data is malformed".into())
        }
        keyring::Error::Ambiguous(items) => BackendError::Failed(format!(
            "{} entries match; remove the duplicates (e.g. with Seahorse or secret-tool)",
            items.len()
        )),
        keyring::Error::TooLong(what, limit) => BackendError::Failed(format!(
            "{what} is longer than the keychain's limit of {limit}"
        )),
        keyring::Error::Invalid(what, why) => BackendError::Failed(format!("{what}: {why}")),
        keyring::Error::BadStoreFormat(why) => BackendError::Failed(why),
        keyring::Error::NotSupportedByStore(why) => BackendError::Failed(why),
        other => BackendError::Failed(other.to_string()),
    }
}

/// Why the keychain could not be opened, in the user's terms.
fn unreachable_detail(e: &keyring::Error) -> String {
    let raw = match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            inner.to_string()
        }
        other => other.to_string(),
    };
    if !cfg!(any(target_os = "macos", windows)) {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|v| v.is_empty()) {
            return format!(
                "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set, and the default socket does not answer: {raw})"
            );
        }
        if raw.contains("ServiceUnknown") || raw.contains("org.freedesktop.secrets") {
            return format!(
                "no Secret Service (org.freedesktop.secrets) on the session bus: start gnome-keyring-daemon or KeePassXC's Secret Service ({raw})"
            );
        }
    }
    raw
}

/// A keychain in memory, with writes that can be made to fail.
#[cfg(test)]
#[derive(Clone, Default)]
pub(crate) struct Memory {
    inner: std::rc::Rc<std::cell::RefCell<MemoryInner>>,
}

#[cfg(test)]
#[derive(Default)]
struct MemoryInner {
    values: std::collections::BTreeMap<String, String>,
    /// Writes until the one that fails (1: the next write fails).
    fail_in: Option<usize>,
}

#[cfg(test)]
impl Memory {
    /// Makes the `n`th write from now fail (1: the next one); the others succeed.
    pub(crate) fn fail_write_number(&self, n: usize) {
        self.inner.borrow_mut().fail_in = Some(n);
    }

    pub(crate) fn accounts_now(&self) -> Vec<String> {
        self.inner.borrow().values.keys().cloned().collect()
    }
}

#[cfg(test)]
impl Backend for Memory {
    fn get(&self, account: &str) -> Result<Option<String>, BackendError> {
        Ok(self.inner.borrow().values.get(account).cloned())
    }

    fn set(&self, account: &str, value: &str) -> Result<(), BackendError> {
        let mut inner = self.inner.borrow_mut();
        if let Some(n) = inner.fail_in {
            inner.fail_in = n.checked_sub(1).filter(|left| *left > 0);
            if n == 1 {
                return Err(BackendError::Failed("write refused (test)".into()));
            }
        }
        inner.values.insert(account.to_string(), value.to_string());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<bool, BackendError> {
        Ok(self.inner.borrow_mut().values.remove(account).is_some())
    }

    fn accounts(&self, _service: &str) -> Result<Option<Vec<String>>, BackendError> {
        Ok(Some(self.accounts_now()))
    }
}
