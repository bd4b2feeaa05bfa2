//! The OS keychain: the only code in stauth that touches it.
//!
//! Entries live under the service `stauth`, one per app folder and secret:
//! `cookie_secret:<canonical app dir>` and
//! `client_secret:<canonical app dir>:<provider name, or default>`.
//! A value longer than [`PART_SIZE`] bytes (Windows' Credential Manager takes
//! 2560 at most) is stored in parts: the parts first (`part:<gen>:<i>:<account>`),
//! then the entry itself as an index naming them, so a reader sees the old
//! value or the new one, never half of one.
//!
//! The keychain is chosen explicitly and fails loudly: every failure is a
//! [`StoreError`] naming the backend and the way out.

mod backend;
mod parts;

use std::path::{Path, PathBuf};

use crate::error::{Error, Failure, Kind};
use crate::secret::Secret;
use crate::streamlit::auth_config::SecretFallback;
use crate::streamlit::schema::{AuthSecret, ProviderSlot};

pub use backend::backend_name;
use backend::Backend;

/// The keychain service every entry is stored under.
pub const SERVICE: &str = "stauth";

/// Values longer than this many bytes are stored in parts of this size.
pub const PART_SIZE: usize = 1024;

/// Why the keychain could not be used. Every variant is a configuration
/// problem ([`Kind::Usage`]) with a way out in [`StoreError::hint`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the OS keychain is not reachable: {backend}: {detail}")]
    Unreachable {
        backend: &'static str,
        detail: String,
    },

    #[error("the OS keychain refused access: {backend}: {detail}")]
    Locked {
        backend: &'static str,
        detail: String,
    },

    #[error("the OS keychain failed to {action}: {backend}: {detail}")]
    Failed {
        backend: &'static str,
        action: String,
        detail: String,
    },

    #[error("the keychain entry for {name} is damaged: {detail}")]
    Damaged { name: String, detail: String },

    #[error("cannot use {} as an app folder: {detail}", .dir.display())]
    AppDir { dir: PathBuf, detail: String },
}

impl StoreError {
    /// What to do next.
    pub fn hint(&self) -> String {
        match self {
            StoreError::Unreachable { .. } | StoreError::Locked { .. } => way_out(),
            StoreError::Failed { .. } => format!(
                "Run the command again; if it keeps failing, keep the secrets in the file instead.\n{}",
                way_out()
            ),
            StoreError::Damaged { name, .. } => format!(
                "Store the value again with `stauth secrets set {name}` (or `stauth init --store keychain --force` with the secret)."
            ),
            StoreError::AppDir { .. } => "Pass an existing folder with --app-dir DIR.".into(),
        }
    }
}

impl Failure for StoreError {
    fn kind(&self) -> Kind {
        Kind::Usage
    }
    fn hint(&self) -> String {
        StoreError::hint(self)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Upstream(Box::new(e))
    }
}

/// The way out of an unusable keychain, for this platform.
fn way_out() -> String {
    let file =
        "keep the secrets in .streamlit/secrets.toml (mode 0600) with `stauth init --store file`";
    if cfg!(target_os = "macos") {
        format!("Way out: unlock the login keychain (`security unlock-keychain`), or {file}.")
    } else if cfg!(windows) {
        format!("Way out: run stauth in your own Windows session (Credential Manager is per user), or {file}.")
    } else {
        format!(
            "Way out: {file},\n\
             or start a Secret Service and run the command again inside that session:\n\
             \x20 dbus-run-session -- $SHELL                              # a D-Bus session (SSH, containers, WSL, CI have none)\n\
             \x20 echo -n 'PASSWORD' | gnome-keyring-daemon --unlock --components=secrets\n\
             On a desktop, unlock the login keyring (Seahorse, \"Passwords and Keys\") instead."
        )
    }
}

/// An app, named by its canonical folder: the key of its keychain entries.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AppId(String);

impl AppId {
    /// The app in `dir` (which must exist).
    pub fn for_dir(dir: &Path) -> Result<Self, StoreError> {
        let canonical = std::fs::canonicalize(dir).map_err(|e| StoreError::AppDir {
            dir: dir.to_path_buf(),
            detail: e.to_string(),
        })?;
        if !canonical.is_dir() {
            return Err(StoreError::AppDir {
                dir: dir.to_path_buf(),
                detail: "not a folder".into(),
            });
        }
        Ok(AppId(canonical.to_string_lossy().into_owned()))
    }

    /// The canonical folder.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The keychain account of one secret of one app.
pub fn account(app: &AppId, which: &AuthSecret) -> String {
    match which {
        AuthSecret::CookieSecret => format!("cookie_secret:{}", app.0),
        AuthSecret::ClientSecret(slot) => format!(
            "client_secret:{}:{}",
            app.0,
            slot.streamlit_provider_value()
        ),
    }
}

/// The app and secret an account names (None: not one of stauth's secrets,
/// e.g. a part).
pub(crate) fn parse_account(account: &str) -> Option<(AppId, AuthSecret)> {
    if let Some(dir) = account.strip_prefix("cookie_secret:") {
        return Some((AppId(dir.to_string()), AuthSecret::CookieSecret));
    }
    let rest = account.strip_prefix("client_secret:")?;
    let (dir, provider) = rest.rsplit_once(':')?;
    let slot = if provider == "default" {
        ProviderSlot::Default
    } else {
        ProviderSlot::named(provider).ok()?
    };
    Some((AppId(dir.to_string()), AuthSecret::ClientSecret(slot)))
}

/// One secret in the keychain, as `list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub app: AppId,
    pub secret: AuthSecret,
}

/// The previous values of entries a [`SecretStore::set_all`] replaced, to put
/// them back when a later step fails.
#[must_use = "call undo() when a later step fails, or drop it to keep the new values"]
pub struct Undo {
    app: AppId,
    previous: Vec<(AuthSecret, Option<Secret>)>,
}

impl Undo {
    /// Puts every entry back as it was (best effort: the first failure is returned).
    pub fn undo(self, store: &SecretStore) -> Result<(), StoreError> {
        let mut first = Ok(());
        for (which, old) in self.previous.into_iter().rev() {
            let r = match old {
                Some(v) => store.set(&self.app, &which, &v),
                None => store.delete(&self.app, &which).map(|_| ()),
            };
            if first.is_ok() {
                first = r;
            }
        }
        first
    }
}

/// An opened keychain.
pub struct SecretStore {
    backend: Box<dyn Backend>,
}

impl SecretStore {
    /// Connects to the platform's keychain (on Linux: the Secret Service over
    /// the D-Bus session bus). Fails when there is none.
    pub fn open() -> Result<Self, StoreError> {
        let backend = backend::Keyring::open().map_err(|e| e.into_store_error("connect"))?;
        Ok(SecretStore {
            backend: Box::new(backend),
        })
    }

    #[cfg(test)]
    fn with_backend(backend: Box<dyn Backend>) -> Self {
        SecretStore { backend }
    }

    /// The backend's name, for messages: "Secret Service (D-Bus)".
    pub fn name(&self) -> &'static str {
        backend_name()
    }

    /// One secret, or None when the keychain has no entry for it.
    pub fn get(&self, app: &AppId, which: &AuthSecret) -> Result<Option<Secret>, StoreError> {
        parts::read(self.backend.as_ref(), &account(app, which))
            .map_err(|e| self.error(e, &format!("read {which}"), which))
    }

    /// Stores a secret, replacing any value it had.
    pub fn set(&self, app: &AppId, which: &AuthSecret, value: &Secret) -> Result<(), StoreError> {
        parts::write(self.backend.as_ref(), &account(app, which), value.expose())
            .map_err(|e| self.error(e, &format!("store {which}"), which))
    }

    /// Removes a secret; false when there was none.
    pub fn delete(&self, app: &AppId, which: &AuthSecret) -> Result<bool, StoreError> {
        parts::delete(self.backend.as_ref(), &account(app, which))
            .map_err(|e| self.error(e, &format!("remove {which}"), which))
    }

    /// Stores several secrets, all or nothing: when one fails, those already
    /// written get their previous values back. The returned [`Undo`] does the
    /// same for a step that fails later (e.g. writing the secrets file).
    pub fn set_all(
        &self,
        app: &AppId,
        values: &[(AuthSecret, Secret)],
    ) -> Result<Undo, StoreError> {
        let mut undo = Undo {
            app: app.clone(),
            previous: Vec::new(),
        };
        for (which, value) in values {
            let step = self
                .get(app, which)
                .and_then(|old| self.set(app, which, value).map(|()| old));
            match step {
                Ok(old) => undo.previous.push((which.clone(), old)),
                Err(e) => {
                    let _ = undo.undo(self);
                    return Err(e);
                }
            }
        }
        Ok(undo)
    }

    /// The secrets stauth keeps (of one app, or of every app), sorted by app
    /// and name. `candidates` are probed one by one on a keychain that cannot
    /// search (listing is then limited to them).
    pub fn list(
        &self,
        app: Option<&AppId>,
        candidates: &[AuthSecret],
    ) -> Result<Vec<Listed>, StoreError> {
        let listed = match self.backend.accounts(SERVICE) {
            Ok(Some(accounts)) => accounts
                .iter()
                .filter_map(|a| parse_account(a))
                .filter(|(a, _)| app.is_none_or(|want| want == a))
                .map(|(app, secret)| Listed { app, secret })
                .collect::<Vec<_>>(),
            Ok(None) => {
                let Some(app) = app else {
                    return Err(StoreError::Failed {
                        backend: self.name(),
                        action: "list entries".into(),
                        detail: "this keychain cannot be searched; list one app with --app-dir"
                            .into(),
                    });
                };
                let mut found = Vec::new();
                for which in candidates {
                    if self
                        .backend
                        .get(&account(app, which))
                        .map_err(|e| e.into_store_error("read"))?
                        .is_some()
                    {
                        found.push(Listed {
                            app: app.clone(),
                            secret: which.clone(),
                        });
                    }
                }
                found
            }
            Err(e) => return Err(e.into_store_error("list entries")),
        };
        let mut listed = listed;
        listed.sort_by(|a, b| {
            (a.app.as_str(), a.secret.path()).cmp(&(b.app.as_str(), b.secret.path()))
        });
        listed.dedup();
        Ok(listed)
    }

    fn error(&self, e: parts::PartsError, action: &str, which: &AuthSecret) -> StoreError {
        match e {
            parts::PartsError::Backend(b) => b.into_store_error(action),
            parts::PartsError::Damaged(detail) => StoreError::Damaged {
                name: which.path(),
                detail,
            },
        }
    }
}

/// [`SecretFallback`] from the keychain, for the secrets a secrets file lacks
/// (`stauth test-login`, `stauth decode`). The keychain is opened only when a
/// secret is actually missing from the files. When it cannot be opened, an
/// app that chose the keychain (its secrets file carries stauth's note) gets
/// the keychain's error; any other app gets the files' own "missing key"
/// error, as before the keychain existed.
pub struct KeychainFallback {
    app_dir: PathBuf,
    state: std::cell::RefCell<FallbackState>,
}

enum FallbackState {
    Unopened,
    Open(SecretStore, AppId),
    Unavailable,
}

impl KeychainFallback {
    pub fn new(app_dir: &Path) -> Self {
        KeychainFallback {
            app_dir: app_dir.to_path_buf(),
            state: std::cell::RefCell::new(FallbackState::Unopened),
        }
    }

    /// Whether the app's secrets file says its secrets are in the keychain.
    fn app_chose_keychain(&self) -> bool {
        let path = crate::streamlit::app::secrets_file_in(&self.app_dir);
        crate::streamlit::SecretsFile::load(&path).is_ok_and(|f| f.has_keychain_note())
    }
}

impl SecretFallback for KeychainFallback {
    fn describe(&self) -> String {
        format!(
            "the OS keychain ({}, service \"{SERVICE}\")",
            backend_name()
        )
    }

    fn get(&self, which: &AuthSecret) -> Result<Option<Secret>, Error> {
        let mut state = self.state.borrow_mut();
        if let FallbackState::Unopened = *state {
            let opened =
                AppId::for_dir(&self.app_dir).and_then(|app| Ok((SecretStore::open()?, app)));
            *state = match opened {
                Ok((store, app)) => FallbackState::Open(store, app),
                Err(e) if self.app_chose_keychain() => return Err(e.into()),
                Err(_) => FallbackState::Unavailable,
            };
        }
        match &*state {
            FallbackState::Open(store, app) => Ok(store.get(app, which)?),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use backend::Memory;

    fn app() -> AppId {
        AppId("/srv/my app:1".into())
    }

    #[test]
    fn accounts_round_trip() {
        for which in [
            AuthSecret::CookieSecret,
            AuthSecret::ClientSecret(ProviderSlot::Default),
            AuthSecret::ClientSecret(ProviderSlot::Named("okta".into())),
        ] {
            let a = account(&app(), &which);
            assert_eq!(parse_account(&a), Some((app(), which)));
        }
        assert_eq!(
            account(&app(), &AuthSecret::CookieSecret),
            "cookie_secret:/srv/my app:1"
        );
        assert_eq!(parse_account("part:0a1b2c3d:1:cookie_secret:/x"), None);
    }

    #[test]
    fn set_all_is_all_or_nothing() {
        let mem = Memory::default();
        let store = SecretStore::with_backend(Box::new(mem.clone()));
        let cookie = AuthSecret::CookieSecret;
        let client = AuthSecret::ClientSecret(ProviderSlot::Default);
        store
            .set(&app(), &cookie, &Secret::new("old-cookie"))
            .unwrap();
        // cookie, then part 1 of the client secret, then part 2 fails.
        mem.fail_write_number(3);
        let err = store
            .set_all(
                &app(),
                &[
                    (cookie.clone(), Secret::new("new-cookie")),
                    (client.clone(), Secret::new("x".repeat(3000))),
                ],
            )
            .err()
            .expect("the second write fails");
        assert!(matches!(err, StoreError::Failed { .. }), "{err:?}");
        assert_eq!(
            store.get(&app(), &cookie).unwrap().unwrap().expose(),
            "old-cookie"
        );
        assert_eq!(store.get(&app(), &client).unwrap(), None);
        assert_eq!(mem.accounts_now(), vec![account(&app(), &cookie)]);
    }

    #[test]
    fn undo_restores_previous_values() {
        let mem = Memory::default();
        let store = SecretStore::with_backend(Box::new(mem.clone()));
        let cookie = AuthSecret::CookieSecret;
        let client = AuthSecret::ClientSecret(ProviderSlot::Named("okta".into()));
        store.set(&app(), &cookie, &Secret::new("old")).unwrap();
        let undo = store
            .set_all(
                &app(),
                &[
                    (cookie.clone(), Secret::new("new")),
                    (client.clone(), Secret::new("s")),
                ],
            )
            .unwrap();
        assert_eq!(store.get(&app(), &cookie).unwrap().unwrap().expose(), "new");
        undo.undo(&store).unwrap();
        assert_eq!(store.get(&app(), &cookie).unwrap().unwrap().expose(), "old");
        assert_eq!(store.get(&app(), &client).unwrap(), None);
    }

    #[test]
    fn list_filters_by_app_and_skips_parts() {
        let mem = Memory::default();
        let store = SecretStore::with_backend(Box::new(mem));
        let other = AppId("/srv/other".into());
        store
            .set(
                &app(),
                &AuthSecret::CookieSecret,
                &Secret::new("y".repeat(5000)),
            )
            .unwrap();
        store
            .set(
                &other,
                &AuthSecret::ClientSecret(ProviderSlot::Default),
                &Secret::new("z"),
            )
            .unwrap();
        let mine = store.list(Some(&app()), &[]).unwrap();
        assert_eq!(
            mine,
            vec![Listed {
                app: app(),
                secret: AuthSecret::CookieSecret
            }]
        );
        assert_eq!(store.list(None, &[]).unwrap().len(), 2);
    }
}
