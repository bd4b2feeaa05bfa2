//! `stauth init --store keychain|file`: where client_secret and cookie_secret
//! live. With the keychain, secrets.toml keeps every other key plus a note
//! saying where the secrets are and how to start the app; switching an app
//! between stores moves the values (the keychain is written before the file
//! loses them, and emptied only after the file holds them), never loses them.

use std::path::Path;

use serde_json::{json, Value};

use crate::cli::{InitArgs, StoreArg};
use crate::error::Result;
use crate::output::Output;
use crate::secret::Secret;
use crate::secret_store::{AppId, SecretStore, Undo, SERVICE};
use crate::streamlit::schema::AuthSecret;
use crate::streamlit::secrets_file::{Action, Change};
use crate::streamlit::SecretsFile;

use super::report;
use super::wizard::Wizard;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    File,
    Keychain,
}

impl Store {
    fn name(self) -> &'static str {
        match self {
            Store::File => "file",
            Store::Keychain => "keychain",
        }
    }
}

/// What happens to one secret in the keychain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyAction {
    Add,
    Change,
    Keep,
    /// From the secrets file into the keychain.
    MoveIn,
    /// From the secrets file into the keychain, with a new value.
    MoveInReplaced,
    /// From the keychain into the secrets file.
    MoveOut,
}

pub struct StorePlan {
    current: Store,
    /// None until decided (the wizard asks late).
    target: Option<Store>,
    keychain: Option<(SecretStore, AppId)>,
    /// Secrets the file held before stauth touched it, with their values.
    in_file_before: Vec<(AuthSecret, Option<Secret>)>,
    /// Keychain values put into the in-memory file (the file lacked them).
    hydrated: Vec<(AuthSecret, Secret)>,
    /// Keychain values to write (keychain target).
    writes: Vec<(AuthSecret, Secret)>,
    actions: Vec<(AuthSecret, KeyAction)>,
    note_changed: bool,
}

/// The app's current store: the keychain when the file carries stauth's note.
fn current(file: &SecretsFile) -> Store {
    if file.has_keychain_note() {
        Store::Keychain
    } else {
        Store::File
    }
}

/// Decides what can be decided before the inputs are resolved, opens the
/// keychain when it is involved (failing at once, before anything is asked
/// or written, when it is unreachable), and puts the keychain's values of an
/// app that uses it into the in-memory file so the plan sees them.
pub fn prepare(args: &InitArgs, file: &mut SecretsFile, interactive: bool) -> Result<StorePlan> {
    let current = current(file);
    let target = match args.store {
        Some(StoreArg::Keychain) => Some(Store::Keychain),
        Some(StoreArg::File) => Some(Store::File),
        None if current == Store::Keychain => Some(Store::Keychain),
        // The dev provider's secrets are made here and good for this
        // machine only: the file, unless the flag says otherwise.
        None if interactive && !super::dev::is_dev(args) => None,
        None => Some(Store::File),
    };
    let mut plan = StorePlan {
        current,
        target,
        keychain: None,
        in_file_before: file
            .secrets_held()
            .into_iter()
            .map(|w| {
                let v = file.secret_value(&w).map(Secret::new);
                (w, v)
            })
            .collect(),
        hydrated: Vec::new(),
        writes: Vec::new(),
        actions: Vec::new(),
        note_changed: false,
    };
    if current == Store::Keychain || target == Some(Store::Keychain) {
        let app = AppId::for_dir(&args.app_dir)?;
        let store = SecretStore::open()?;
        if current == Store::Keychain {
            for which in file.secrets_missing() {
                if let Some(value) = store.get(&app, &which)? {
                    file.set_secret(&which, value.expose());
                    plan.hydrated.push((which, value));
                }
            }
        }
        plan.keychain = Some((store, app));
    }
    Ok(plan)
}

impl StorePlan {
    /// On a terminal, when no store was chosen: offers the keychain first
    /// when it is reachable, else says why the secrets go to the file.
    pub fn ask(&mut self, w: &Wizard, out: &Output, app_dir: &Path) -> Result<()> {
        if self.target.is_some() {
            return Ok(());
        }
        let opened = AppId::for_dir(app_dir)
            .map_err(crate::error::Error::from)
            .and_then(|app| Ok((SecretStore::open()?, app)));
        match opened {
            Ok((store, app)) => {
                let keychain = w.ask_store(store.name())?;
                if keychain {
                    self.keychain = Some((store, app));
                    self.target = Some(Store::Keychain);
                } else {
                    self.target = Some(Store::File);
                }
            }
            Err(e) => {
                out.line(out.dim(format!(
                    "The secrets go to the secrets file: {e} (`stauth init --help`, --store)"
                )));
                self.target = Some(Store::File);
            }
        }
        Ok(())
    }

    /// The plan for a secrets file that another command changed after it
    /// was read (found under the write lock): the same inputs go into what
    /// the file holds now. Only when the keychain takes no part: a move to or
    /// from the keychain was planned on the old contents, so it is refused.
    pub fn for_changed_file(self, path: &Path, fresh: &mut SecretsFile) -> Result<StorePlan> {
        if self.keychain.is_some() || fresh.has_keychain_note() {
            return Err(crate::error::Error::Input {
                message: format!(
                    "{} changed while stauth was running (another command wrote it), and the OS keychain takes part in this change",
                    crate::untrusted::Untrusted(&path.display().to_string())
                ),
                hint: "Nothing was changed. Run the same command again: it starts from what the file holds now.".into(),
            });
        }
        Ok(StorePlan {
            current: Store::File,
            target: Some(Store::File),
            keychain: None,
            in_file_before: fresh
                .secrets_held()
                .into_iter()
                .map(|w| {
                    let v = fresh.secret_value(&w).map(Secret::new);
                    (w, v)
                })
                .collect(),
            hydrated: Vec::new(),
            writes: Vec::new(),
            actions: Vec::new(),
            note_changed: false,
        })
    }

    pub fn target(&self) -> Store {
        self.target.unwrap_or(Store::File)
    }

    /// Whether the keychain takes part (the report then lists its changes).
    pub fn involves_keychain(&self) -> bool {
        self.keychain.is_some()
            && (self.target() == Store::Keychain || self.current == Store::Keychain)
    }

    /// After the plan was applied to the in-memory file: with the keychain as
    /// target, takes the secrets out of the file (to be written to the
    /// keychain) and adds the note; moving back to the file, removes the note.
    pub fn finish(&mut self, file: &mut SecretsFile, script: &str) {
        match (self.current, self.target()) {
            (_, Store::Keychain) => {
                for which in file.secrets_held() {
                    let Some(value) = file.secret_value(&which).map(Secret::new) else {
                        continue;
                    };
                    file.remove_secret(&which);
                    let before = self
                        .hydrated
                        .iter()
                        .find(|(w, _)| *w == which)
                        .map(|(_, v)| v);
                    let action = match before {
                        Some(old) if *old == value => KeyAction::Keep,
                        Some(_) => KeyAction::Change,
                        None => match self.in_file_before.iter().find(|(w, _)| *w == which) {
                            Some((_, Some(old))) if *old == value => KeyAction::MoveIn,
                            Some(_) => KeyAction::MoveInReplaced,
                            None => KeyAction::Add,
                        },
                    };
                    if action != KeyAction::Keep {
                        self.writes.push((which.clone(), value));
                    }
                    self.actions.push((which, action));
                }
                if !file.has_keychain_note() {
                    file.add_keychain_note(script);
                    self.note_changed = true;
                }
            }
            (Store::Keychain, Store::File) => {
                for (which, _) in &self.hydrated {
                    self.actions.push((which.clone(), KeyAction::MoveOut));
                }
                file.remove_keychain_note();
                self.note_changed = true;
            }
            (Store::File, Store::File) => {}
        }
    }

    /// Whether the keychain or the note changes.
    pub fn has_edits(&self) -> bool {
        self.note_changed || self.actions.iter().any(|(_, a)| *a != KeyAction::Keep)
    }

    fn keychain_label(&self) -> String {
        match &self.keychain {
            Some((store, _)) => {
                format!("the OS keychain ({}, service \"{SERVICE}\")", store.name())
            }
            None => "the OS keychain".into(),
        }
    }

    /// The changes, to the keychain and to the file, in place of
    /// `report::changes` when the keychain takes part.
    pub fn report_changes(
        &self,
        out: &Output,
        path: &Path,
        changes: &[Change],
        up_to_date: bool,
        dry_run: bool,
    ) {
        if up_to_date {
            out.success(format!(
                "{} and {} are already up to date; nothing to write",
                path.display(),
                self.keychain_label()
            ));
            return;
        }
        let verb = if dry_run {
            "Would change"
        } else {
            "Changes to"
        };
        let secret_lines: Vec<String> = self
            .actions
            .iter()
            .filter(|(_, a)| *a != KeyAction::Keep)
            .map(|(which, a)| match a {
                KeyAction::Add if *which == AuthSecret::CookieSecret => {
                    format!("+ {which}  (32 random bytes)")
                }
                KeyAction::Add => format!("+ {which}"),
                KeyAction::Change => format!("~ {which} (replaced)"),
                KeyAction::MoveIn => format!("+ {which} (moved here from {})", path.display()),
                KeyAction::MoveInReplaced => format!(
                    "+ {which} (a new value; the old one leaves {})",
                    path.display()
                ),
                KeyAction::MoveOut => format!("- {which} (moved to {})", path.display()),
                KeyAction::Keep => unreachable!(),
            })
            .collect();
        if !secret_lines.is_empty() {
            out.heading(format!("{verb} {}:", self.keychain_label()));
            for l in &secret_lines {
                out.detail(l);
            }
        }
        let keychain_target = self.target() == Store::Keychain;
        let mut file_lines: Vec<String> = changes
            .iter()
            .filter(|c| c.action != Action::Keep && !(keychain_target && c.is_secret()))
            .map(report::change_line)
            .collect();
        for (which, a) in &self.actions {
            match a {
                KeyAction::MoveIn | KeyAction::MoveInReplaced => file_lines.push(format!(
                    "- [{}] {} (moved to the OS keychain)",
                    section_of(which),
                    which.key()
                )),
                KeyAction::MoveOut => file_lines.push(format!(
                    "+ [{}] {} = \"********\" (moved here from the OS keychain)",
                    section_of(which),
                    which.key()
                )),
                _ => {}
            }
        }
        if self.note_changed {
            file_lines.push(if keychain_target {
                "+ a comment above [auth]: where the secrets are and how to start the app".into()
            } else {
                "- the comment saying the secrets are in the OS keychain".into()
            });
        }
        if !file_lines.is_empty() {
            out.heading(format!("{verb} {}:", path.display()));
            for l in &file_lines {
                out.detail(l);
            }
        }
        if dry_run {
            out.line("Dry run: nothing was written.");
        }
    }

    /// Writes the keychain (keychain target) before the file is written; the
    /// returned undo puts it back when writing the file fails.
    pub fn write_keychain(&self, out: &Output) -> Result<Option<Undo>> {
        let Some((store, app)) = &self.keychain else {
            return Ok(None);
        };
        if self.target() != Store::Keychain || self.writes.is_empty() {
            return Ok(None);
        }
        let undo = store.set_all(app, &self.writes)?;
        let names: Vec<String> = self.writes.iter().map(|(w, _)| w.path()).collect();
        out.success(format!(
            "Stored {} in {}",
            names.join(", "),
            self.keychain_label()
        ));
        Ok(Some(undo))
    }

    /// Puts the keychain back after the file could not be written.
    pub fn undo(&self, undo: Option<Undo>) {
        if let (Some(undo), Some((store, _))) = (undo, &self.keychain) {
            let _ = undo.undo(store);
        }
    }

    /// After the file holds the secrets again (moving to the file): removes
    /// them from the keychain. A failure only warns: the values are safe in
    /// the file, and a keychain copy is harmless (the file's value wins).
    pub fn after_file_written(&self, out: &Output) {
        let Some((store, app)) = &self.keychain else {
            return;
        };
        if self.target() != Store::File {
            return;
        }
        for (which, a) in &self.actions {
            if *a != KeyAction::MoveOut {
                continue;
            }
            match store.delete(app, which) {
                Ok(_) => out.success(format!("Removed {which} from {}", self.keychain_label())),
                Err(e) => out.warning(format!(
                    "{which} is now in the secrets file, but removing it from the keychain failed: {e} (remove it with `stauth secrets rm {which}`)"
                )),
            }
        }
    }

    /// The store part of the JSON report.
    pub fn json(&self) -> Value {
        let action = |a: &KeyAction| match a {
            KeyAction::Add => "add",
            KeyAction::Change => "change",
            KeyAction::Keep => "keep",
            KeyAction::MoveIn => "move_to_keychain",
            KeyAction::MoveInReplaced => "replace_and_move_to_keychain",
            KeyAction::MoveOut => "move_to_file",
        };
        let mut v = json!({ "kind": self.target().name() });
        if let Some((store, app)) = &self.keychain {
            v["keychain"] = json!({
                "backend": store.name(),
                "service": SERVICE,
                "app_dir": app.as_str(),
                "secrets": self.actions.iter().map(|(w, a)| json!({"name": w.path(), "action": action(a)})).collect::<Vec<_>>(),
            });
        }
        v
    }
}

fn section_of(which: &AuthSecret) -> String {
    match which {
        AuthSecret::CookieSecret => "auth".into(),
        AuthSecret::ClientSecret(slot) => slot.section(),
    }
}

/// The app's script, for the note's `streamlit run SCRIPT`.
pub fn app_script(app_dir: &Path) -> String {
    for name in ["streamlit_app.py", "app.py", "main.py", "Home.py"] {
        if app_dir.join(name).is_file() {
            return name.into();
        }
    }
    let scripts: Vec<String> = std::fs::read_dir(app_dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".py"))
                .collect()
        })
        .unwrap_or_default();
    match scripts.as_slice() {
        [only] => only.clone(),
        _ => "app.py".into(),
    }
}
