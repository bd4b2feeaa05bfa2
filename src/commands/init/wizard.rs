//! The interactive questions `stauth init` asks on a terminal (dialoguer on
//! stderr). Only called when stdin and stderr are terminals.

use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, Password, Select};

use crate::catalog::{self, InputSpec, Preset};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::streamlit::schema;

pub struct Wizard {
    theme: Box<dyn Theme>,
}

impl Wizard {
    pub fn new() -> Self {
        crate::interrupt::restore_terminal_on_interrupt();
        let theme: Box<dyn Theme> = if colored::control::SHOULD_COLORIZE.should_colorize() {
            Box::new(ColorfulTheme::default())
        } else {
            Box::new(SimpleTheme)
        };
        Wizard { theme }
    }

    /// Pick a preset; the last entry is "any other provider" (generic).
    pub fn pick_preset(&self) -> Result<&'static Preset> {
        let items: Vec<String> = catalog::PRESETS
            .iter()
            .map(|p| format!("{:18} {}", p.name, p.summary))
            .collect();
        let index = Select::with_theme(self.theme.as_ref())
            .with_prompt("Which identity provider? (GitHub, Apple, Firebase, LDAP and SAML cannot work with st.login: run `stauth providers github` for why)")
            .items(&items)
            .default(0)
            .interact()
            .map_err(prompt_error)?;
        Ok(&catalog::PRESETS[index])
    }

    pub fn ask_input(&self, spec: &InputSpec) -> Result<String> {
        Input::<String>::with_theme(self.theme.as_ref())
            .with_prompt(format!(
                "{} (--{}, e.g. {})",
                spec.help, spec.id, spec.example
            ))
            .validate_with(|v: &String| {
                if v.trim().is_empty() {
                    Err("a value is required")
                } else {
                    Ok(())
                }
            })
            .interact_text()
            .map(|v| v.trim().to_string())
            .map_err(prompt_error)
    }

    pub fn ask_text(&self, prompt: &str, default: Option<&str>) -> Result<String> {
        let theme = self.theme.as_ref();
        let mut input = Input::<String>::with_theme(theme).with_prompt(prompt);
        if let Some(d) = default {
            input = input.default(d.to_string());
        }
        input
            .validate_with(|v: &String| {
                if v.trim().is_empty() {
                    Err("a value is required")
                } else {
                    Ok(())
                }
            })
            .interact_text()
            .map(|v| v.trim().to_string())
            .map_err(prompt_error)
    }

    /// A provider name for `[auth.NAME]`, re-asked until Streamlit would accept it.
    pub fn ask_provider_name(&self, prompt: &str, default: &str) -> Result<String> {
        Input::<String>::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .default(default.to_string())
            .validate_with(|v: &String| schema::validate_provider_name(v.trim()))
            .interact_text()
            .map(|v| v.trim().to_string())
            .map_err(prompt_error)
    }

    /// Where to keep the secrets; true for the OS keychain (offered first).
    pub fn ask_store(&self, keychain: &str) -> Result<bool> {
        let items = [
            format!("the OS keychain ({keychain}): the secrets stay out of the project; start the app with `stauth run`"),
            "the secrets file (.streamlit/secrets.toml, mode 0600): Streamlit reads it by itself".to_string(),
        ];
        Select::with_theme(self.theme.as_ref())
            .with_prompt("Where should stauth keep the client secret and the cookie secret?")
            .items(&items)
            .default(0)
            .interact()
            .map(|i| i == 0)
            .map_err(prompt_error)
    }

    pub fn ask_secret(&self, prompt: &str) -> Result<Secret> {
        Password::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .allow_empty_password(false)
            .interact()
            .map(|v| Secret::new(v.trim()))
            .map_err(prompt_error)
    }

    pub fn confirm(&self, prompt: &str) -> Result<bool> {
        Confirm::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .default(true)
            .interact()
            .map_err(prompt_error)
    }
}

fn prompt_error(e: dialoguer::Error) -> Error {
    match e {
        dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => {
            Error::Cancelled
        }
        dialoguer::Error::IO(io) => Error::Prompt(io.to_string()),
    }
}
