//! Parse, dispatch, print the error, exit with a typed code.

use clap::Parser;

use stauth::cli::Cli;
use stauth::output::{self, ColorMode, Output};

fn main() {
    let cli = Cli::parse();
    let color: ColorMode = cli.color.into();
    let json = cli.wants_json();
    let writes = cli.writes_files();
    let code = match stauth::commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            let out = Output::new(color, json);
            let hint = err.hint_for(writes);
            out.error(err.to_string());
            if let Some(hint) = &hint {
                out.detail(hint);
            }
            // A script reading --json gets the failure too, unless the
            // command already printed its own document for it.
            if json && !output::stdout_used() {
                out.json(&err.to_json(hint.as_deref()));
            }
            err.exit_code()
        }
    };
    std::process::exit(code.code());
}
