//! The `stauth init` wizard, driven through a real pseudo-terminal.

use crate::common;

use common::pty::{stauth_in_pty, wait_for_key_reader};
use common::{redact, Sandbox, SECRET};
use rexpect::session::spawn_command;

const DOWN: &str = "j"; // dialoguer moves down on j (vim keys) as on the arrow key

fn wizard(sb: &Sandbox, args: &[&str]) -> rexpect::session::PtySession {
    let args: Vec<&str> = std::iter::once("init")
        .chain(args.iter().copied())
        .collect();
    stauth_in_pty(sb, &args)
}

#[test]
fn full_wizard_run_for_a_preset_with_inputs() {
    let sb = Sandbox::new();
    let mut p = wizard(&sb, &["--offline"]);
    p.exp_string("Any OpenID Connect provider, by issuer URL")
        .unwrap();
    wait_for_key_reader(&p);
    // The second preset is microsoft.
    p.send(DOWN).unwrap();
    p.flush().unwrap();
    p.exp_string("> microsoft").unwrap();
    wait_for_key_reader(&p);
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("(--tenant, e.g.").unwrap();
    p.send_line("contoso.onmicrosoft.com").unwrap();
    p.exp_string("Redirect URI").unwrap();
    p.send_line("").unwrap(); // accept the default
    p.exp_string("Register the redirect URI http://localhost:8501/oauth2callback")
        .unwrap();
    p.exp_string("Client ID").unwrap();
    p.send_line("wizard-client").unwrap();
    p.exp_string("Client secret (input hidden)").unwrap();
    p.send_line(SECRET).unwrap();
    p.exp_string("+ [auth] client_secret = \"********\"")
        .unwrap();
    p.exp_string("Write .streamlit/secrets.toml? [Y/n]")
        .unwrap();
    p.send_line("y").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("Wrote .streamlit/secrets.toml"), "{rest}");
    assert!(!rest.contains(SECRET), "the hidden secret was echoed");

    let written = redact(&sb.secrets());
    assert_eq!(
        written,
        format!(
            "# Streamlit login (st.login / st.user), written by stauth. Keep this file out of version control.\n\
             [auth]\n\
             redirect_uri = \"http://localhost:8501/oauth2callback\"\n\
             cookie_secret = \"[COOKIE_SECRET]\"\n\
             client_id = \"wizard-client\"\n\
             client_secret = \"{SECRET}\"\n\
             server_metadata_url = \"https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration\"\n"
        )
    );
}

#[test]
fn declining_the_confirmation_writes_nothing() {
    let sb = Sandbox::new();
    let mut p = wizard(
        &sb,
        &["--offline", "--provider", "google", "--client-id", "c"],
    );
    p.exp_string("Redirect URI").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Client secret").unwrap();
    p.send_line(SECRET).unwrap();
    p.exp_string("Write .streamlit/secrets.toml? [Y/n]")
        .unwrap();
    p.send_line("n").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("cancelled"), "{rest}");
    assert!(!sb.file(".streamlit").exists());
}

#[test]
fn a_taken_default_provider_asks_for_a_name() {
    let sb = Sandbox::new();
    let status = sb.init_google(&["--offline"]).output().unwrap().status;
    assert!(status.success());
    let mut p = wizard(
        &sb,
        &[
            "--offline",
            "--provider",
            "okta",
            "--domain",
            "dev-1.okta.com",
            "--client-id",
            "o",
            "--yes",
        ],
    );
    p.exp_string("already holds a default provider").unwrap();
    p.send_line("").unwrap(); // default name: okta
    p.exp_string("Client secret").unwrap();
    p.send_line("okta-secret").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("+ [auth.okta] client_id = \"o\""), "{rest}");
    assert!(sb.secrets().contains("[auth.okta]"));
}

#[test]
fn ctrl_c_at_the_hidden_prompt_restores_the_terminal_and_writes_nothing() {
    let sb = Sandbox::new();
    let mut p = wizard(
        &sb,
        &["--offline", "--provider", "google", "--client-id", "c"],
    );
    p.exp_string("Redirect URI").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Client secret (input hidden)").unwrap();
    wait_for_key_reader(&p);
    p.send_control('c').unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("cancelled: nothing was written"), "{rest}");
    match p.process_mut().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => assert_eq!(code, 130),
        other => panic!("stauth did not exit by itself: {other:?}"),
    }
    assert!(!sb.file(".streamlit").exists());
}

#[test]
fn an_invalid_answer_is_asked_again_with_the_reason() {
    let sb = Sandbox::new();
    let mut p = wizard(
        &sb,
        &["--offline", "--provider", "okta", "--client-id", "o"],
    );
    p.exp_string("(--domain, e.g.").unwrap();
    p.send_line("dev 1.okta.com").unwrap();
    p.exp_string("expected a host name such as sso.example.com")
        .unwrap();
    p.send_line("dev-1.okta.com").unwrap();
    p.exp_string("Redirect URI").unwrap();
    p.send_line("localhost:8501/oauth2callback").unwrap();
    p.exp_string("the scheme must be http or https").unwrap();
    p.send_line("").unwrap(); // now the default
    p.exp_string("Client secret (input hidden)").unwrap();
    p.send_line(SECRET).unwrap();
    p.exp_string("Write .streamlit/secrets.toml? [Y/n]")
        .unwrap();
    p.send_line("y").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("Wrote .streamlit/secrets.toml"), "{rest}");
    assert!(sb.secrets().contains(
        "server_metadata_url = \"https://dev-1.okta.com/.well-known/openid-configuration\""
    ));
}

#[test]
fn the_first_prompt_fits_a_100_column_terminal() {
    let ansi = regex::Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").unwrap();
    for colour in [false, true] {
        let sb = Sandbox::new();
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c")
            .arg("stty rows 50 cols 100 && exec \"$0\" init --offline")
            .arg(assert_cmd::cargo::cargo_bin("stauth"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", sb.home())
            .env("TERM", "xterm")
            .env("STAUTH_COLOR", if colour { "always" } else { "never" })
            .current_dir(sb.path());
        let mut p = spawn_command(cmd, Some(20_000)).expect("spawn stauth in a pty");
        let shown = p
            .exp_string("Any OpenID Connect provider, by issuer URL")
            .unwrap();
        let shown = ansi.replace_all(&shown, "");
        let prompt = shown
            .split(['\r', '\n'])
            .find(|l| l.contains("Which identity provider?"))
            .unwrap_or_else(|| panic!("no prompt in {shown:?}"));
        let width = prompt.trim_end().chars().count();
        assert!(width <= 100, "{width} columns: {prompt:?}");
        p.send_control('c').unwrap();
        p.exp_eof().unwrap();
    }
}
