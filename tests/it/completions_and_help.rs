//! Generated files stay in step with the clap model, and `--help` output is
//! what users see (snapshots).

use crate::common;

use common::{run, Sandbox};
use insta::assert_snapshot;

const SHELLS: &[(&str, &str)] = &[
    ("bash", "stauth.bash"),
    ("zsh", "_stauth"),
    ("fish", "stauth.fish"),
    ("powershell", "_stauth.ps1"),
    ("elvish", "stauth.elv"),
    // Not a shell: the manual page, generated from the same clap model.
    ("man", "stauth.1"),
];

/// Fails when `completions/` (scripts and man page) is out of date. Regenerate with
/// `STAUTH_UPDATE_COMPLETIONS=1 cargo test --test it completions_and_help`.
#[test]
fn committed_completions_are_up_to_date() {
    let sb = Sandbox::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("STAUTH_UPDATE_COMPLETIONS").is_some();
    for (shell, file) in SHELLS {
        let (code, out, err) = run(sb.cmd().args(["completions", shell]));
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("stauth"), "{shell}: {out}");
        let path = dir.join(file);
        if update {
            std::fs::write(&path, &out).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == out,
            "completions/{file} is out of date: run STAUTH_UPDATE_COMPLETIONS=1 cargo test --test it completions_and_help"
        );
    }
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let sb = Sandbox::new();
    let (code, out, err) = run(sb.cmd().args(["completions", "tcsh"]));
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn help_texts() {
    let sb = Sandbox::new();
    for (args, name) in [
        (vec!["--help"], "help_main"),
        (vec!["init", "--help"], "help_init"),
        (vec!["providers", "--help"], "help_providers"),
        (vec!["completions", "--help"], "help_completions"),
        (vec!["test-login", "--help"], "help_test_login"),
        (vec!["decode", "--help"], "help_decode"),
        (vec!["doctor", "--help"], "help_doctor"),
        (vec!["snippet", "--help"], "help_snippet"),
        (vec!["run", "--help"], "help_run"),
        (vec!["secrets", "--help"], "help_secrets"),
        (vec!["dev-provider", "--help"], "help_dev_provider"),
        (vec!["probe", "--help"], "help_probe"),
    ] {
        let (code, out, err) = run(sb.cmd().args(&args).env("COLUMNS", "100"));
        assert_eq!(code, 0, "{err}");
        assert_snapshot!(name, out);
    }
}

#[test]
fn no_command_prints_usage_and_exits_2() {
    let sb = Sandbox::new();
    let (code, out, err) = run(&mut sb.cmd());
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("Usage: stauth [OPTIONS] <COMMAND>"), "{err}");
}
