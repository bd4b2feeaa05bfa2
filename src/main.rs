//! Parse, dispatch, print the error, exit with a typed code.

use clap::Parser;

use stauth::cli::Cli;
use stauth::output::{ColorMode, Output};

fn main() {
    let cli = Cli::parse();
    let color: ColorMode = cli.color.into();
    let code = match stauth::commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            let out = Output::new(color, false);
            out.error(err.to_string());
            if let Some(hint) = err.hint() {
                out.detail(hint);
            }
            err.exit_code()
        }
    };
    std::process::exit(code.code());
}
