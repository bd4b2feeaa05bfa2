//! Parse, dispatch, print the error, exit with a typed code.
//!
//! The binary holds the command line's face: the clap model (`cli`), one
//! module per command (`commands`), the only printer (`output`), signal
//! handling (`interrupt`) and the exit codes (`exit`). The core is the `stauth` library, imported here once so
//! the face names it as `crate::streamlit`, `crate::oidc`, ...

mod cli;
mod commands;
mod exit;
mod interrupt;
mod output;

// The whole core, named once: the face's modules reach it as `crate::oidc`
// and so on, whichever of them they use at the moment.
#[allow(unused_imports)]
use stauth::{
    catalog, dev_provider, diagnosis, error, finding, fsutil, limits, oidc, pages, probe,
    python_env, secret, secret_store, streamlit, untrusted,
};

use clap::Parser;

use cli::Cli;
use output::{ColorMode, Output};

fn main() {
    interrupt::arm();
    let cli = Cli::parse();
    let color: ColorMode = cli.color.into();
    let json = cli.wants_json();
    let writes = cli.writes_files();
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            let out = Output::new(color, json);
            let hint = exit::hint_for(&err, writes);
            out.error(exit::message(&err));
            if let Some(hint) = &hint {
                out.detail(hint);
            }
            // A script reading --json gets the failure too, unless the
            // command already printed its own document for it.
            if json && !output::stdout_used() {
                out.json(&exit::to_json(&err, hint.as_deref()));
            }
            exit::exit_code(&err)
        }
    };
    std::process::exit(code.code());
}
