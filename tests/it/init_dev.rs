//! `stauth init --provider dev`: an `[auth]` for stauth's own dev provider,
//! with nothing to type, offline and without a terminal.

use crate::common;

use common::{fingerprint, run, Sandbox};

/// `stauth init --provider dev` pinned to Streamlit 1.67, then `extra`.
fn init_dev(sb: &Sandbox, extra: &[&str]) -> (i32, String, String) {
    run(sb
        .cmd()
        .args(["init", "--provider", "dev", "--streamlit-version", "1.67"])
        .args(extra))
}

/// The value of `key = "..."` in the first line that has it after `section`.
fn value_in(text: &str, section: &str, key: &str) -> String {
    let start = text
        .find(section)
        .unwrap_or_else(|| panic!("no {section} in:\n{text}"));
    let line = text[start..]
        .lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} after {section} in:\n{text}"));
    line.split('"').nth(1).unwrap().to_string()
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn writes_a_client_it_made_with_nothing_to_type() {
    let sb = Sandbox::new();
    let (code, out, err) = init_dev(&sb, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "", "human output goes to stderr");

    let written = sb.secrets();
    let id = value_in(&written, "[auth]", "client_id");
    let secret = value_in(&written, "[auth]", "client_secret");
    let id_random = id
        .strip_prefix("stauth-dev-")
        .expect("a stauth-dev- client id");
    assert_eq!(id_random.len(), 12);
    assert!(is_hex(id_random));
    assert_eq!(secret.len(), 64);
    assert!(is_hex(&secret));
    assert_eq!(
        value_in(&written, "[auth]", "server_metadata_url"),
        "http://localhost:9400/.well-known/openid-configuration"
    );
    assert_eq!(
        value_in(&written, "[auth]", "redirect_uri"),
        "http://localhost:8501/oauth2callback"
    );
    assert_eq!(value_in(&written, "[auth]", "cookie_secret").len(), 64);

    assert!(
        !err.contains(&secret),
        "the client secret was printed:\n{err}"
    );
    assert!(err.contains(&format!("client_id = \"{id}\"")), "{err}");
    assert!(err.contains("stauth dev-provider"), "{err}");
    assert!(err.contains("stauth test-login --login-as alice"), "{err}");
    assert!(
        !err.contains("In the Any OpenID Connect provider console"),
        "no console steps for the dev provider:\n{err}"
    );

    // Again: the client it made stays, nothing is rewritten.
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));
    let (code, _, err) = init_dev(&sb, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);
}

#[test]
fn like_and_name_write_a_shaped_provider_next_to_the_default() {
    let sb = Sandbox::new();
    assert_eq!(init_dev(&sb, &[]).0, 0);
    let (code, _, err) = init_dev(&sb, &["--like", "microsoft", "--name", "entra"]);
    assert_eq!(code, 0, "{err}");
    let written = sb.secrets();
    assert_eq!(
        value_in(&written, "[auth.entra]", "server_metadata_url"),
        "http://localhost:9400/like/microsoft/.well-known/openid-configuration"
    );
    assert_ne!(
        value_in(&written, "[auth.entra]", "client_id"),
        value_in(&written, "[auth]", "client_id"),
        "each provider gets its own client"
    );
    assert!(
        err.contains("stauth test-login --provider entra --login-as alice"),
        "{err}"
    );

    // A preset's client_kwargs come along, as init writes them for the real one.
    let (code, _, err) = init_dev(&sb, &["--like", "linkedin", "--name", "li"]);
    assert_eq!(code, 0, "{err}");
    let written = sb.secrets();
    let linkedin = stauth::catalog::preset("linkedin").expect("a linkedin preset");
    for (key, value) in linkedin.client_kwargs {
        if !matches!(*key, "prompt" | "scope") {
            assert!(
                written.contains(&format!("{key} = \"{value}\"")),
                "{key} missing:\n{written}"
            );
        }
    }
}

#[test]
fn dev_port_and_json() {
    let sb = Sandbox::new();
    let (code, out, err) = init_dev(&sb, &["--dev-port", "9555", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        value_in(&sb.secrets(), "[auth]", "server_metadata_url"),
        "http://localhost:9555/.well-known/openid-configuration"
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["provider"]["preset"], "dev");
    assert_eq!(
        report["provider"]["server_metadata_url"],
        "http://localhost:9555/.well-known/openid-configuration"
    );
    assert!(err.contains("stauth dev-provider --port 9555"), "{err}");
}

#[test]
fn wrong_flags_exit_2_and_write_nothing() {
    let sb = Sandbox::new();
    let (code, _, err) = init_dev(&sb, &["--like", "nosuch"]);
    assert_eq!(code, 2);
    assert!(err.contains("--like") && err.contains("microsoft"), "{err}");

    let (code, _, err) = init_dev(&sb, &["--like", "github"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("OpenID Connect"),
        "the refusal's reason:\n{err}"
    );

    let (code, _, err) = run(sb.cmd().args([
        "init",
        "--provider",
        "google",
        "--like",
        "microsoft",
        "--streamlit-version",
        "1.67",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("--provider dev"), "{err}");

    let (code, _, err) = init_dev(&sb, &["--issuer", "https://id.example.com"]);
    assert_eq!(code, 2);
    assert!(err.contains("--metadata-url and --issuer"), "{err}");
    assert!(!sb.file(".streamlit").exists(), "nothing may be written");
}

#[test]
fn an_app_on_a_real_provider_is_not_replaced_silently() {
    let sb = Sandbox::new();
    let (code, _, err) = run(&mut sb.init_google(&["--offline", "--streamlit-version", "1.67"]));
    assert_eq!(code, 0, "{err}");
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));
    let (code, _, err) = init_dev(&sb, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--name"), "{err}");
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);

    // Next to it, under a name: the real provider stays as it was.
    let (code, _, err) = init_dev(&sb, &["--name", "dev"]);
    assert_eq!(code, 0, "{err}");
    let written = sb.secrets();
    assert!(written.contains("[auth.dev]"));
    assert_eq!(
        value_in(&written, "[auth]", "client_id"),
        "app.apps.googleusercontent.com"
    );
}

/// The wizard lists the dev provider last; picking it asks neither a client
/// nor a secret nor a redirect URI (it runs on this machine).
#[test]
fn the_wizard_offers_the_dev_provider() {
    use common::pty::{stauth_in_pty, wait_for_key_reader};

    let sb = Sandbox::new();
    let mut p = stauth_in_pty(&sb, &["init", "--streamlit-version", "1.67"]);
    p.exp_string("no account needed (development)").unwrap();
    wait_for_key_reader(&p);
    // Up from the first entry wraps to the last one: dev.
    p.send("k").unwrap();
    p.flush().unwrap();
    p.exp_string("> dev").unwrap();
    wait_for_key_reader(&p);
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("Write .streamlit/secrets.toml? [Y/n]")
        .unwrap();
    p.send_line("y").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("Wrote .streamlit/secrets.toml"), "{rest}");
    assert!(!rest.contains("Client ID"), "nothing to type: {rest}");
    let written = sb.secrets();
    assert!(
        value_in(&written, "[auth]", "client_id").starts_with("stauth-dev-"),
        "{written}"
    );
    assert_eq!(
        value_in(&written, "[auth]", "server_metadata_url"),
        "http://localhost:9400/.well-known/openid-configuration"
    );
}

/// On a terminal, `--provider dev --yes` asks nothing at all: the README's
/// first command runs through.
#[test]
fn on_a_terminal_with_yes_nothing_is_asked() {
    use common::pty::stauth_in_pty;

    let sb = Sandbox::new();
    let mut p = stauth_in_pty(
        &sb,
        &[
            "init",
            "--provider",
            "dev",
            "--yes",
            "--streamlit-version",
            "1.67",
        ],
    );
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("Wrote .streamlit/secrets.toml"), "{rest}");
    assert!(
        !rest.contains("[Y/n]") && !rest.contains("Redirect URI") && !rest.contains("keychain"),
        "a question was asked: {rest}"
    );
}
