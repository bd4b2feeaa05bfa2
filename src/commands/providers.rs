//! `stauth providers [NAME]`: the preset catalog as a table, or one preset's
//! console steps and quirks, or why a provider cannot work and the way out.

use serde_json::json;

use crate::catalog::{self, Preset, Refusal};
use crate::cli::ProvidersArgs;
use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::output::Output;

pub fn run(args: &ProvidersArgs, out: &Output) -> Result<ExitCode> {
    let Some(name) = args.name.as_deref() else {
        if out.json_mode() {
            out.json(&json!({
                "presets": catalog::PRESETS,
                "refused": catalog::REFUSALS,
            }));
        } else {
            out.data(table());
        }
        return Ok(ExitCode::Success);
    };
    if name.eq_ignore_ascii_case(DEV) {
        if out.json_mode() {
            out.json(&json!({ "dev_provider": {
                "name": DEV,
                "title": DEV_TITLE,
                "summary": DEV_SUMMARY,
                "discovery_url": crate::dev_provider::metadata_url(crate::dev_provider::DEFAULT_PORT, None),
                "setup": DEV_SETUP,
            }}));
        } else {
            out.data(dev_details());
        }
        return Ok(ExitCode::Success);
    }
    if let Some(preset) = catalog::preset(name) {
        if out.json_mode() {
            out.json(&json!({ "preset": preset, "setup": setup_command(preset) }));
        } else {
            out.data(preset_details(preset));
        }
        return Ok(ExitCode::Success);
    }
    if let Some(refusal) = catalog::refusal(name) {
        if out.json_mode() {
            out.json(&json!({ "refused": refusal }));
        } else {
            out.data(refusal_details(refusal));
        }
        return Ok(ExitCode::Success);
    }
    Err(Error::UnknownPreset { name: name.into() })
}

fn inputs_column(preset: &Preset) -> String {
    if preset.inputs.is_empty() {
        return "-".into();
    }
    preset
        .inputs
        .iter()
        .map(|i| {
            if i.default.is_some() {
                format!("[--{}]", i.id)
            } else {
                format!("--{}", i.id)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn table() -> String {
    let rows: Vec<(String, String, String)> = catalog::PRESETS
        .iter()
        .map(|p| (p.name.to_string(), inputs_column(p), p.summary.to_string()))
        .collect();
    let longest_refusal = catalog::REFUSALS.iter().map(|r| r.names[0].len()).max();
    let w0 = rows
        .iter()
        .map(|r| r.0.len())
        .chain(longest_refusal)
        .max()
        .unwrap_or(6)
        .max(6);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(6).max(6);
    let mut s = format!("{:w0$}  {:w1$}  NOTE\n", "PRESET", "INPUTS");
    for (name, inputs, note) in &rows {
        s.push_str(&format!("{name:w0$}  {inputs:w1$}  {note}\n"));
    }
    s.push_str(
        "\nCannot work with st.login (`stauth providers NAME` says why and what to use instead):\n",
    );
    for r in catalog::REFUSALS {
        s.push_str(&format!("  {:w0$}  {}\n", r.names[0], r.title));
    }
    s.push_str("\nAny other OpenID Connect provider: stauth init --issuer https://... (preset `generic`).\n");
    s.push_str(&format!(
        "No account yet: {DEV_SETUP} (`{DEV}`: {DEV_SUMMARY}).\n"
    ));
    s
}

/// `stauth providers dev`: stauth's own provider is not a catalog preset
/// (it has no console and takes any preset's shape), so it is described here.
const DEV: &str = "dev";
const DEV_TITLE: &str = "stauth dev provider";
const DEV_SUMMARY: &str =
    "stauth's own OpenID Connect provider on this machine, for development, offline and CI";
const DEV_SETUP: &str = "stauth init --provider dev";

fn dev_details() -> String {
    let url = crate::dev_provider::metadata_url(crate::dev_provider::DEFAULT_PORT, None);
    format!(
        "{DEV_TITLE} (provider {DEV})
{DEV_SUMMARY}

Discovery URL:  {url}
                (--dev-port PORT for another port; --like PRESET for tokens shaped like a
                catalog provider's: http://localhost:PORT/like/PRESET/...)
Users:          .streamlit/dev-users.toml, else alice (admin), bob, carol (no email), dave (300 groups)
Clients:        the app's own [auth] entries that point at it: nothing to register

Set up:
  {DEV_SETUP}
  stauth dev-provider                      (or: stauth dev-provider -- streamlit run app.py)
  stauth test-login --login-as alice
"
    )
}

fn setup_command(preset: &Preset) -> String {
    let mut cmd = format!("stauth init --provider {}", preset.name);
    for i in preset.inputs.iter().filter(|i| i.default.is_none()) {
        cmd.push_str(&format!(" --{} <{}>", i.id, i.id.to_uppercase()));
    }
    cmd.push_str(" --client-id <CLIENT_ID>");
    cmd
}

fn preset_details(p: &Preset) -> String {
    let mut s = format!("{} (preset {})\n{}\n\n", p.title, p.name, p.summary);
    s.push_str(&format!("Discovery URL:  {}\n", p.discovery_url));
    s.push_str(&format!("Issuer:         {}\n", p.issuer_note));
    if !p.inputs.is_empty() {
        s.push_str("\nInputs:\n");
        for i in p.inputs {
            let default = i
                .default
                .map(|d| format!(" (default: {d})"))
                .unwrap_or_default();
            s.push_str(&format!("  --{:16} {}{default}\n", i.id, i.help));
            s.push_str(&format!("  {:18} e.g. {}\n", "", i.example));
        }
    }
    s.push_str("\nIn the provider's console:\n");
    s.push_str(&format!("  Create:            {}\n", p.app_type));
    s.push_str(&format!("  Redirect URI:      {}\n", p.register_redirect));
    match p.register_logout {
        Some(where_) => s.push_str(&format!("  Post-logout URI:   {where_}\n")),
        None => s.push_str("  Post-logout URI:   none (the provider has no logout endpoint; st.logout() is local only)\n"),
    }
    s.push_str("  Where these ask for a URL, give your redirect_uri (e.g. http://localhost:8501/oauth2callback).\n");
    if !p.quirks.is_empty() {
        s.push_str("\nQuirks:\n");
        for q in p.quirks {
            s.push_str(&format!("  - {q}\n"));
        }
    }
    if !p.client_kwargs.is_empty() {
        s.push_str("\nstauth sets client_kwargs:\n");
        for (k, v) in p.client_kwargs {
            s.push_str(&format!("  {k} = \"{v}\"\n"));
        }
    }
    s.push_str(&format!("\nSet up:\n  {}\n", setup_command(p)));
    s
}

fn refusal_details(r: &Refusal) -> String {
    format!(
        "{} cannot be used with st.login.\n\nWhy:      {}\nWay out:  {}\n",
        r.title, r.reason, r.way_out
    )
}
