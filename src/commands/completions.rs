//! `stauth completions SHELL`: completion scripts generated from the clap
//! model; `stauth completions man` prints the manual page the same way.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::{
    Cli, CompletionsArgs, CompletionsTarget, DecodeArgs, DevProviderArgs, DoctorArgs, InitArgs,
    ProbeArgs, ProvidersArgs, RunArgs, SecretsArgs, SnippetArgs, TestLoginArgs,
};
use crate::error::Result;
use crate::exit::ExitCode;
use crate::output::Output;

pub fn run(args: &CompletionsArgs, out: &Output) -> Result<ExitCode> {
    let text = match args.shell {
        CompletionsTarget::Bash => script(Shell::Bash),
        CompletionsTarget::Elvish => script(Shell::Elvish),
        CompletionsTarget::Fish => script(Shell::Fish),
        CompletionsTarget::Powershell => script(Shell::PowerShell),
        CompletionsTarget::Zsh => script(Shell::Zsh),
        CompletionsTarget::Man => man_page(),
    };
    out.data(text);
    Ok(ExitCode::Success)
}

/// The completion script for `shell`, exactly as committed under `completions/`.
pub fn script(shell: Shell) -> String {
    let mut cmd = full_command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "stauth", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// The whole clap model, built as it was before commands deferred their
/// arguments (for start-up time): clap copies the tree for `stauth help ...`
/// and places global flags before deferred commands expand, so each command
/// is expanded here first and the generated files do not change.
fn full_command() -> clap::Command {
    type Augment = fn(clap::Command) -> clap::Command;
    let commands: [(&str, Augment); 11] = [
        ("init", InitArgs::augment_args),
        ("test-login", TestLoginArgs::augment_args),
        ("decode", DecodeArgs::augment_args),
        ("doctor", DoctorArgs::augment_args),
        ("providers", ProvidersArgs::augment_args),
        ("snippet", SnippetArgs::augment_args),
        ("completions", CompletionsArgs::augment_args),
        ("run", RunArgs::augment_args),
        ("secrets", SecretsArgs::augment_args),
        ("dev-provider", DevProviderArgs::augment_args),
        ("probe", ProbeArgs::augment_args),
    ];
    let mut cmd = Cli::command();
    assert_eq!(
        cmd.get_subcommands().count(),
        commands.len(),
        "a command is missing here"
    );
    for (name, augment) in commands {
        cmd = cmd.mut_subcommand(name, |sc| augment(sc).defer(|sc| sc));
    }
    cmd
}

/// The manual page committed as completions/stauth.1: one page holding every
/// command (`man stauth` then shows all options), not a page per command.
pub fn man_page() -> String {
    let mut cmd = full_command().disable_help_subcommand(true);
    cmd.build();
    let mut buf = Vec::new();
    // Rendering into a Vec cannot fail.
    let _ = render_man(&cmd, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

fn render_man(cmd: &clap::Command, w: &mut Vec<u8>) -> std::io::Result<()> {
    // No date: the committed page stays byte-for-byte reproducible.
    let man = clap_mangen::Man::new(cmd.clone()).date("");
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    w.extend_from_slice(b".SH COMMANDS\n");
    render_commands(cmd, cmd.get_name(), w)?;
    man.render_version_section(w)?;
    // Each render call repeats the same two-line preamble; once is enough.
    let preamble = b".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let text = String::from_utf8_lossy(w).into_owned();
    let preamble = String::from_utf8_lossy(preamble);
    let (head, tail) = text.split_at(preamble.len());
    *w = format!("{head}{}", tail.replace(preamble.as_ref(), "")).into_bytes();
    Ok(())
}

/// Every command, nested ones included, as a subsection of COMMANDS (a page
/// per command would leave `man stauth` without the options).
fn render_commands(parent: &clap::Command, prefix: &str, w: &mut Vec<u8>) -> std::io::Result<()> {
    for sub in parent.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{prefix} {}", sub.get_name());
        let sub = sub
            .clone()
            .display_name(name.clone())
            .bin_name(name.clone());
        let page = clap_mangen::Man::new(sub.clone());
        let mut part = Vec::new();
        page.render_synopsis_section(&mut part)?;
        page.render_description_section(&mut part)?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            page.render_options_section(&mut part)?;
        }
        if sub.get_after_help().is_some() || sub.get_after_long_help().is_some() {
            page.render_extra_section(&mut part)?;
        }
        // The command's sections become a subsection of COMMANDS, with its
        // headings (OPTIONS, PRESET INPUTS, ...) as italic paragraph titles.
        for line in String::from_utf8_lossy(&part).lines() {
            let line = match line.strip_prefix(".SH ") {
                Some("SYNOPSIS") => format!(".SS \"{name}\""),
                Some("DESCRIPTION" | "EXTRA") => ".PP".to_string(),
                Some(heading) => format!(".PP\n\\fI{}\\fR", heading.trim_matches('"')),
                None => line.to_string(),
            };
            w.extend_from_slice(line.as_bytes());
            w.push(b'\n');
        }
        render_commands(&sub, &name, w)?;
    }
    Ok(())
}
