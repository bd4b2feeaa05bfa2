//! `stauth dev-provider` as a user runs it: the banner and the JSON events,
//! the errors that stop it (exit 2), `--init-users`, signals, and
//! `-- COMMAND` with its private `[auth]` (the project's secrets untouched).

use std::time::Duration;

use crate::common;

use common::dev_provider::{dev_secrets, http, stauth_bin, Client, DevProvider};
use common::idp::free_port;
use common::{fingerprint, run, Sandbox};

const REDIRECT: &str = "http://localhost:8501/oauth2callback";

/// `stauth dev-provider` with a throwaway keys folder, pinned to 1.67.
fn dev_cmd(sb: &Sandbox, keys: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = sb.cmd();
    cmd.args(["dev-provider", "--streamlit-version", "1.67", "--keys-dir"])
        .arg(keys)
        .env("XDG_DATA_HOME", sb.home().join(".local/share"));
    cmd
}

#[test]
fn serves_the_apps_own_clients_and_logs_each_request() {
    let sb = Sandbox::new();
    let port = free_port();
    let client = Client::random();
    sb.write(
        ".streamlit/secrets.toml",
        &dev_secrets(port, None, &client, REDIRECT),
    );
    let mut dp = DevProvider::start(&sb, port, &["--streamlit-version", "1.67"]);

    assert_eq!(dp.ready["issuer"], format!("http://localhost:{port}"));
    assert_eq!(dp.ready["clients"][0]["client_id"], client.id.as_str());
    assert_eq!(dp.ready["clients"][0]["redirect_uri"], REDIRECT);
    assert_eq!(
        dp.ready["users"],
        serde_json::json!(["alice", "bob", "carol", "dave"])
    );
    assert_eq!(dp.ready["key"]["alg"], "RS256");
    assert_eq!(dp.ready["key"]["state"], "created");

    let body = http()
        .get(dp.discovery_url())
        .send()
        .unwrap()
        .text()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["issuer"], format!("http://localhost:{port}"));
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while dp.events().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let events = dp.events();
    assert_eq!(events[0]["event"], "request");
    assert_eq!(events[0]["path"], "/.well-known/openid-configuration");
    assert_eq!(events[0]["status"], 200);

    let status = dp
        .terminate(Duration::from_secs(5))
        .expect("stops on SIGTERM");
    assert_eq!(status.code(), Some(143), "128 + SIGTERM");
    let err = dp.stderr();
    assert!(
        err.contains(&format!("stauth dev provider: http://localhost:{port}")),
        "{err}"
    );
    assert!(err.contains(&client.id), "{err}");
    assert!(
        !err.contains(&client.secret),
        "the client secret was printed:\n{err}"
    );
    assert!(err.contains("alice"), "{err}");
    assert!(!err.contains("had been written"), "{err}");
}

#[test]
fn without_clients_it_says_how_to_get_one() {
    let sb = Sandbox::new();
    let port = free_port();
    let mut dp = DevProvider::start(&sb, port, &[]);
    assert_eq!(dp.ready["clients"], serde_json::json!([]));
    dp.terminate(Duration::from_secs(5));
    let err = dp.stderr();
    assert!(err.contains("Clients: none"), "{err}");
    assert!(
        err.contains(&format!("stauth init --provider dev --dev-port {port}")),
        "{err}"
    );
}

#[test]
fn init_users_writes_the_samples_once() {
    let sb = Sandbox::new();
    let keys = tempfile::tempdir().unwrap();
    let (code, out, err) = run(dev_cmd(&sb, keys.path()).arg("--init-users"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("Wrote .streamlit/dev-users.toml"), "{err}");
    let written = sb.read(".streamlit/dev-users.toml");
    assert_eq!(written, stauth::dev_provider::users::samples_toml());

    let before = fingerprint(&sb.file(".streamlit/dev-users.toml"));
    let (code, _, err) = run(dev_cmd(&sb, keys.path()).arg("--init-users"));
    assert_eq!(code, 2);
    assert!(err.contains("already exists; it was not changed"), "{err}");
    assert_eq!(fingerprint(&sb.file(".streamlit/dev-users.toml")), before);
}

#[test]
fn bad_inputs_exit_2_with_the_next_step() {
    let sb = Sandbox::new();
    let keys = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--app-dir", "nosuch"], "no such folder"),
        (&["--like", "nosuch"], "the presets: google"),
        (&["--like", "github"], "OpenID Connect"),
        (
            &["--auto-login", "zed"],
            "the users are: alice, bob, carol, dave",
        ),
        (&["--bind", "192.0.2.1"], "--allow-remote"),
        (&["--users", "missing.toml"], "missing.toml"),
    ];
    for (args, says) in cases {
        let (code, out, err) = run(dev_cmd(&sb, keys.path()).args(*args));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(out, "", "{args:?}");
        assert!(err.contains(says), "{args:?} should say {says:?}:\n{err}");
    }

    sb.write(".streamlit/dev-users.toml", "[[user]]\nsub = \n");
    let (code, _, err) = run(&mut dev_cmd(&sb, keys.path()));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("dev-users.toml"), "{err}");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let sb = Sandbox::new();
    let keys = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, _, err) = run(dev_cmd(&sb, keys.path()).args(["--port", &port]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("port {port} is in use")), "{err}");
    assert!(err.contains("--port"), "{err}");
}

/// A stand-in for `streamlit run`: prints what Streamlit would read, fetches
/// the discovery document of the `[auth]` it was given, exits 7.
const SHOW_SECRETS: &str = r#"#!/bin/sh
echo "FILES=$STREAMLIT_SECRETS_FILES"
for f in $STREAMLIT_SECRETS_FILES; do echo "== $f"; cat "$f"; done
exit 7
"#;

#[test]
fn command_gets_a_private_auth_and_the_project_file_stays() {
    let sb = Sandbox::new();
    let port = free_port();
    sb.init_google(&["--offline", "--streamlit-version", "1.67"])
        .assert()
        .success();
    // A named provider on Microsoft: its twin is shaped like it.
    let mut with_entra = sb.secrets();
    with_entra.push_str(
        "\n[auth.entra]\nclient_id = \"real\"\nclient_secret = \"real-secret\"\nserver_metadata_url = \"https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration\"\n",
    );
    sb.write(".streamlit/secrets.toml", &with_entra);
    let before = fingerprint(&sb.file(".streamlit/secrets.toml"));
    sb.write_executable("show.sh", SHOW_SECRETS);
    let keys = tempfile::tempdir().unwrap();

    let (code, out, err) = run(dev_cmd(&sb, keys.path())
        .args(["--port", &port.to_string(), "--", "./show.sh"])
        .timeout(Duration::from_secs(60)));
    assert_eq!(code, 7, "COMMAND's exit status passes through:\n{err}");
    assert_eq!(fingerprint(&sb.file(".streamlit/secrets.toml")), before);

    let files = out
        .lines()
        .find_map(|l| l.strip_prefix("FILES="))
        .expect("STREAMLIT_SECRETS_FILES set");
    let listed: Vec<&str> = files.split(' ').collect();
    assert_eq!(listed.len(), 2, "{files}");
    assert!(
        listed[0].ends_with("app/.streamlit/secrets.toml"),
        "{files}"
    );
    assert!(
        !std::path::Path::new(listed[1]).exists(),
        "the private file is removed when COMMAND exits"
    );
    let private = out.split(&format!("== {}\n", listed[1])).nth(1).unwrap();
    assert!(private.contains(&format!(
        "server_metadata_url = \"http://localhost:{port}/.well-known/openid-configuration\""
    )));
    assert!(private.contains(&format!(
        "server_metadata_url = \"http://localhost:{port}/like/microsoft/.well-known/openid-configuration\""
    )));
    assert!(private.contains("[auth.entra]"), "{private}");
    assert!(private.contains("redirect_uri = \"http://localhost:8501/oauth2callback\""));
    assert!(!private.contains("real-secret"), "{private}");
    assert!(err.contains("[auth.entra] for the command"), "{err}");
}

#[test]
fn command_gets_the_signal_and_the_provider_stops_with_it() {
    let sb = Sandbox::new();
    let port = free_port();
    let marker = sb.file("got-term");
    sb.write_executable(
        "wait.sh",
        &format!(
            "#!/bin/sh\ntrap 'echo term > {}; exit 0' TERM\necho started\nwhile :; do sleep 0.1; done\n",
            marker.display()
        ),
    );
    let keys = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(stauth_bin())
        .args(["dev-provider", "--streamlit-version", "1.67", "--port"])
        .arg(port.to_string())
        .arg("--keys-dir")
        .arg(keys.path())
        .args(["--", "./wait.sh"])
        .current_dir(sb.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sb.home())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !common::dev_provider::listening(port) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        common::dev_provider::listening(port),
        "the provider started"
    );
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: kill(2) on the child we spawned and have not reaped.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "COMMAND's own exit status");
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "term\n");
    assert!(
        !common::dev_provider::listening(port),
        "the provider stopped too"
    );
}

#[test]
fn providers_lists_the_dev_provider() {
    let sb = Sandbox::new();
    let (code, out, _) = run(sb.cmd().args(["providers"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("No account yet: stauth init --provider dev"),
        "{out}"
    );
    let (code, out, err) = run(sb.cmd().args(["providers", "dev"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("stauth dev provider (provider dev)"),
        "{out}"
    );
    assert!(
        out.contains("http://localhost:9400/.well-known/openid-configuration"),
        "{out}"
    );
    let (code, out, _) = run(sb.cmd().args(["providers", "dev", "--json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["dev_provider"]["setup"], "stauth init --provider dev");
}
