//! `stauth init --provider dev`: an `[auth]` for stauth's own dev provider.
//! Nothing to type: the client ID and secret are made here (the dev
//! provider reads them back from the same secrets), and nothing is fetched.

use crate::catalog::{self, Preset};
use crate::cli::InitArgs;
use crate::dev_provider;
use crate::error::{Error, Result};
use crate::streamlit::schema::ProviderSlot;

/// The `--provider` value that names the dev provider.
pub const PROVIDER_NAME: &str = "dev";

/// Where the dev provider listens and how it shapes tokens.
#[derive(Debug, Clone, Copy)]
pub struct DevTarget {
    pub port: u16,
    /// `--like`: the preset whose tokens it imitates (`/like/<preset>`).
    pub like: Option<&'static Preset>,
}

impl DevTarget {
    pub fn metadata_url(&self) -> String {
        dev_provider::metadata_url(self.port, self.like.map(|p| p.name))
    }

    /// The preset whose client_kwargs and facts init uses: the `--like` one,
    /// else the generic provider.
    pub fn preset(&self) -> &'static Preset {
        self.like
            .or_else(|| catalog::preset("generic"))
            .expect("the catalog has a generic preset")
    }
}

/// Whether `--provider` names the dev provider.
pub fn is_dev(args: &InitArgs) -> bool {
    args.provider
        .as_deref()
        .is_some_and(|p| p.eq_ignore_ascii_case(PROVIDER_NAME))
}

/// The dev target `args` ask for, None for any other provider; `--like` or
/// `--dev-port` without `--provider dev` is refused (they would be ignored).
pub fn target(args: &InitArgs) -> Result<Option<DevTarget>> {
    if !is_dev(args) {
        for (flag, given) in [
            ("--like", args.like.is_some()),
            ("--dev-port", args.dev_port.is_some()),
        ] {
            if given {
                return Err(Error::InvalidValue {
                    what: flag.into(),
                    value: flag_value(args, flag),
                    reason: "it only applies to the dev provider: add --provider dev".into(),
                });
            }
        }
        return Ok(None);
    }
    if args.metadata_url.is_some() || args.inputs.issuer.is_some() {
        return Err(Error::InvalidValue {
            what: "--provider".into(),
            value: PROVIDER_NAME.into(),
            reason: "the dev provider's discovery URL is http://localhost:PORT/...; drop --metadata-url and --issuer (--dev-port sets the port)".into(),
        });
    }
    let like = args
        .like
        .as_deref()
        .map(crate::commands::common::like_preset)
        .transpose()?;
    let port = args.dev_port.unwrap_or(dev_provider::DEFAULT_PORT);
    if port == 0 {
        return Err(Error::InvalidValue {
            what: "--dev-port".into(),
            value: "0".into(),
            reason: "the dev provider needs a fixed port, so the app's secrets stay valid".into(),
        });
    }
    Ok(Some(DevTarget { port, like }))
}

/// The dev provider picked in the wizard: on `--dev-port` (else the default
/// port), with the root issuer's shape.
pub fn picked_in_wizard(args: &InitArgs) -> DevTarget {
    DevTarget {
        port: args.dev_port.unwrap_or(dev_provider::DEFAULT_PORT),
        like: None,
    }
}

fn flag_value(args: &InitArgs, flag: &str) -> String {
    match flag {
        "--like" => args.like.clone().unwrap_or_default(),
        _ => args.dev_port.map(|p| p.to_string()).unwrap_or_default(),
    }
}

/// What to run once the block is written.
pub fn next_steps(target: &DevTarget, slot: &ProviderSlot, script: &str) -> Vec<String> {
    let like = target
        .like
        .map(|p| format!(" (tokens shaped like {}'s)", p.title))
        .unwrap_or_default();
    let port = if target.port == dev_provider::DEFAULT_PORT {
        String::new()
    } else {
        format!(" --port {}", target.port)
    };
    let provider = match slot {
        ProviderSlot::Default => String::new(),
        ProviderSlot::Named(n) => format!(" --provider {n}"),
    };
    vec![
        format!(
            "Start the dev provider{like}: stauth dev-provider{port} (or, provider and app together: stauth dev-provider{port} -- streamlit run {script})"
        ),
        format!(
            "Log in as a sample user and see what st.user will hold: stauth test-login{provider} --login-as alice (alice is an admin; bob, carol and dave are the others)"
        ),
        "Sample users: stauth dev-provider --init-users writes them to .streamlit/dev-users.toml to edit (the file holds no secrets)".into(),
        "Deploying? Point this entry at a real provider first: stauth init --provider PRESET --force (the dev provider is for this machine only)".into(),
    ]
}
