//! `stauth completions SHELL`: completion scripts generated from the clap model.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{ExitCode, Result};
use crate::output::Output;

pub fn run(args: &CompletionsArgs, out: &Output) -> Result<ExitCode> {
    out.data(script(args.shell));
    Ok(ExitCode::Success)
}

/// The completion script for `shell`, exactly as committed under `completions/`.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "stauth", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}
