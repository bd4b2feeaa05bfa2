//! The interactive questions `stauth init` asks on a terminal (dialoguer on
//! stderr). Only called when stdin and stderr are terminals.

use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, Password, Select};

use crate::catalog::{self, InputProblem, InputSpec, Preset};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::streamlit::redirect::parse_redirect_uri;
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
    /// A catalog preset, or None for stauth's own dev provider (listed last).
    pub fn pick_preset(&self) -> Result<Option<&'static Preset>> {
        let mut items: Vec<String> = catalog::PRESETS
            .iter()
            .map(|p| format!("{:18} {}", p.name, p.summary))
            .collect();
        items.push(format!(
            "{:18} stauth's own provider on this machine, no account needed (development)",
            super::dev::PROVIDER_NAME
        ));
        let index = Select::with_theme(self.theme.as_ref())
            // Kept under 100 columns with the theme's marks, so it never wraps.
            .with_prompt(
                "Which identity provider? (GitHub, Apple, Firebase, LDAP, SAML cannot work with st.login)",
            )
            .items(&items)
            .default(0)
            .interact()
            .map_err(prompt_error)?;
        Ok(catalog::PRESETS.get(index))
    }

    /// A preset input, re-asked with the reason until the preset can use it.
    pub fn ask_input(&self, preset: &Preset, spec: &InputSpec) -> Result<String> {
        Input::<String>::with_theme(self.theme.as_ref())
            .with_prompt(format!(
                "{} (--{}, e.g. {})",
                spec.help, spec.id, spec.example
            ))
            .validate_with(|v: &String| input_problem(preset, spec, v.trim()))
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

    /// The redirect URI, re-asked with the reason until Streamlit would accept it.
    pub fn ask_redirect_uri(&self, default: &str, port: u16) -> Result<String> {
        Input::<String>::with_theme(self.theme.as_ref())
            .with_prompt("Redirect URI (the app's URL + /oauth2callback)")
            .default(default.to_string())
            .validate_with(|v: &String| parse_redirect_uri(v.trim(), port).map(|_| ()))
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
            format!("the OS keychain ({keychain}), outside the project: start the app with `stauth run`"),
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

/// Why the wizard asks for a preset input again: the same checks the flags
/// get later (a refused value, a value that cannot build the URL), so an
/// answer the run would reject never ends it.
fn input_problem(
    preset: &Preset,
    spec: &InputSpec,
    value: &str,
) -> std::result::Result<(), String> {
    if value.is_empty() {
        return Err("a value is required".into());
    }
    if let Some(r) = catalog::refusal_for_inputs(preset, |id| (id == spec.id).then_some(value)) {
        return Err(format!("{}: {} {}", r.title, r.reason, r.way_out));
    }
    // The other inputs stand in with their examples (valid, see the test
    // below), so a problem is this value's.
    let value_of = |id: &str| {
        if id == spec.id {
            Some(value.to_string())
        } else {
            preset
                .inputs
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.example.to_string())
        }
    };
    match catalog::discovery_url(preset, value_of) {
        Err(InputProblem::Invalid { reason, .. }) => Err(reason),
        _ => Ok(()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_is_accepted_so_the_wizard_cannot_loop_on_it() {
        for preset in catalog::PRESETS {
            for spec in preset.inputs {
                assert_eq!(
                    input_problem(preset, spec, spec.example),
                    Ok(()),
                    "{} --{}",
                    preset.name,
                    spec.id
                );
            }
        }
    }

    #[test]
    fn invalid_answers_get_the_reason() {
        let okta = catalog::preset("okta").unwrap();
        let domain = &okta.inputs[0];
        assert!(input_problem(okta, domain, "dev 1.okta.com")
            .unwrap_err()
            .contains("host name"));
        assert_eq!(
            input_problem(okta, domain, ""),
            Err("a value is required".into())
        );
        let ms = catalog::preset("microsoft").unwrap();
        let tenant = ms.inputs.iter().find(|i| i.id == "tenant").unwrap();
        assert!(input_problem(ms, tenant, "common")
            .unwrap_err()
            .contains("single-tenant"));
    }
}
