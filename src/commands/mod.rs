//! One module per command. Each takes its parsed arguments and the output
//! printer and returns the exit code or an error for `main` to print.

mod common;
pub mod completions;
pub mod decode;
pub mod dev_provider;
pub mod doctor;
pub mod init;
pub mod probe;
pub mod providers;
pub mod run;
pub mod secrets;
pub mod snippet;
pub mod test_login;

use crate::cli::{Cli, Command};
use crate::error::Result;
use crate::exit::ExitCode;
use crate::output::Output;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init(args) => init::run(&args, &Output::new(cli.color.into(), args.json)),
        Command::TestLogin(args) => {
            test_login::run(&args, &Output::new(cli.color.into(), args.json))
        }
        Command::Decode(args) => decode::run(&args, &Output::for_data(cli.color.into(), args.json)),
        Command::Doctor(args) => doctor::run(&args, &Output::new(cli.color.into(), args.json)),
        Command::Providers(args) => {
            providers::run(&args, &Output::new(cli.color.into(), args.json))
        }
        Command::Snippet(args) => snippet::run(&args, &Output::new(cli.color.into(), args.json)),
        Command::Completions(args) => {
            completions::run(&args, &Output::new(cli.color.into(), false))
        }
        Command::Run(args) => run::run(&args, &Output::new(cli.color.into(), false)),
        Command::Secrets(args) => secrets::run(&args, &Output::new(cli.color.into(), args.json())),
        Command::DevProvider(args) => {
            dev_provider::run(&args, &Output::new(cli.color.into(), args.json))
        }
        Command::Probe(args) => probe::run(&args, &Output::new(cli.color.into(), args.json)),
    }
}
