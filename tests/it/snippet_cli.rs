//! `stauth snippet` as a user runs it: the code it prints for every kind
//! (snapshots, for a default provider and for two named ones), `--list`,
//! `--out`/`--force`, errors, and stdout holding nothing but the code. Then
//! the code itself: `py_compile`, and a run in real Streamlit 1.67
//! (`streamlit.testing.v1.AppTest`, driven by tests/py/snippet_apptest.py)
//! logged out and logged in, asserting what the user sees.

use crate::common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{fingerprint, run, Sandbox};
use insta::assert_snapshot;
use serde_json::{json, Value};

const KINDS: &[&str] = &[
    "login",
    "providers",
    "roles",
    "pages",
    "avatar",
    "headers",
    "tokens",
    "cookies",
    "logout",
    "app-secrets",
];

const SHARED: &str = "[auth]
redirect_uri = \"http://localhost:8501/oauth2callback\"
cookie_secret = \"a-cookie-secret-of-32-characters\"
";

/// (a) a default provider: Google (a picture, no groups, logout stays local).
const DEFAULT_PROVIDER: &str = "client_id = \"app.apps.googleusercontent.com\"
client_secret = \"s3cr3t\"
server_metadata_url = \"https://accounts.google.com/.well-known/openid-configuration\"
";

/// (b) two named providers: Amazon Cognito (groups in `cognito:groups`) and
/// Microsoft Entra ID (app roles in `roles`, no picture, provider logout).
const NAMED_PROVIDERS: &str = "
[auth.cognito]
client_id = \"cognito-client\"
client_secret = \"s3cr3t\"
server_metadata_url = \"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI/.well-known/openid-configuration\"

[auth.entra]
client_id = \"entra-client\"
client_secret = \"s3cr3t\"
server_metadata_url = \"https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration\"
";

/// One secrets fixture and what the generated code must do with it.
struct Fixture {
    name: &'static str,
    secrets: String,
    providers: Vec<Provider>,
    /// Who the example in `roles` lets through: groups where a provider has
    /// a groups claim, app roles otherwise.
    admins: &'static str,
}

struct Provider {
    /// `st.login(NAME)`'s argument (None: the default provider).
    login: Option<&'static str>,
    /// What `st.user.provider` holds.
    user_provider: &'static str,
    button: &'static str,
    title: &'static str,
    /// Claims that make a user an admin, in this provider's own claim.
    admin: Value,
    /// What the logout snippet tells the user.
    logout_note: &'static str,
}

fn default_fixture() -> Fixture {
    Fixture {
        name: "default",
        secrets: format!("{SHARED}{DEFAULT_PROVIDER}"),
        admins: "the admin role",
        providers: vec![Provider {
            login: None,
            user_provider: "default",
            button: "Log in with Google",
            title: "Google",
            admin: json!({"roles": ["admin"]}),
            logout_note: "This signs you out of this app only: you stay signed in to Google.",
        }],
    }
}

fn named_fixture() -> Fixture {
    Fixture {
        name: "named",
        secrets: format!("{SHARED}{NAMED_PROVIDERS}"),
        admins: "the admin role or the admins group",
        providers: vec![
            Provider {
                login: Some("cognito"),
                user_provider: "cognito",
                button: "Log in with Amazon Cognito",
                title: "Amazon Cognito",
                admin: json!({"cognito:groups": ["admins"]}),
                logout_note:
                    "This signs you out of this app only: you stay signed in to Amazon Cognito.",
            },
            Provider {
                login: Some("entra"),
                user_provider: "entra",
                button: "Log in with Microsoft Entra ID",
                title: "Microsoft Entra ID",
                admin: json!({"roles": ["admin"]}),
                logout_note: "This also signs you out of Microsoft Entra ID.",
            },
        ],
    }
}

fn fixtures() -> Vec<Fixture> {
    vec![default_fixture(), named_fixture()]
}

fn sandbox(secrets: &str) -> Sandbox {
    let sb = Sandbox::new();
    sb.write(".streamlit/secrets.toml", secrets);
    sb
}

/// What `--streamlit-version 1.67` prints first on stderr.
const CHECKING_1_67: &str =
    "Checking against Streamlit 1.67.0 on Starlette (--streamlit-version).\n";

/// `stauth snippet ARGS` → (exit code, stdout, stderr). Unless ARGS name a
/// release (or --list), the code is written for 1.67 so that no Streamlit on
/// this machine changes it; the line saying so is checked and left out.
fn snippet(sb: &Sandbox, args: &[&str]) -> (i32, String, String) {
    let pin = !args.contains(&"--list")
        && !args.contains(&"--streamlit-version")
        && !args.contains(&"--python");
    let mut cmd = sb.cmd();
    cmd.arg("snippet").args(args);
    if pin {
        cmd.args(["--streamlit-version", "1.67"]);
    }
    let (status, out, err) = run(&mut cmd);
    let err = match err.strip_prefix(CHECKING_1_67) {
        Some(rest) if pin => rest.to_string(),
        _ => err,
    };
    (status, out, err)
}

/// The code for `kind` (for 1.67), checked to be all that was printed.
fn code(sb: &Sandbox, kind: &str) -> String {
    let (status, out, err) = snippet(sb, &[kind]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(err, "", "{kind}: nothing but the code may be printed");
    out
}

/// The code for `kind` written for `release`, and its stderr.
fn code_for(sb: &Sandbox, kind: &str, release: &str) -> (String, String) {
    let (status, out, err) = snippet(sb, &[kind, "--streamlit-version", release]);
    assert_eq!(status, 0, "{kind} for {release}: {err}");
    (out, err)
}

// ---------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------

#[test]
fn every_kind_for_a_default_and_two_named_providers() {
    for fixture in fixtures() {
        let sb = sandbox(&fixture.secrets);
        for kind in KINDS {
            let out = code(&sb, kind);
            assert!(
                out.starts_with("# "),
                "{kind}: the snippet starts with its comment"
            );
            let header: String = out.lines().take_while(|l| l.starts_with('#')).collect();
            assert!(header.contains("Needs Streamlit 1."), "{kind}: {header}");
            assert!(
                header.contains("Secrets") || header.contains("secrets"),
                "{kind}: {header}"
            );
            assert_snapshot!(format!("{kind}_{}", fixture.name), out);
        }
    }
}

#[test]
fn list_and_list_json() {
    let sb = Sandbox::new();
    let (status, out, err) = snippet(&sb, &["--list"]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(err, "");
    assert_snapshot!("list", out);
    let names: Vec<&str> = out
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names, KINDS);

    let (status, out, err) = snippet(&sb, &["--list", "--json"]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(err, "");
    let v: Value = serde_json::from_str(&out).unwrap();
    let kinds = v["kinds"].as_array().unwrap();
    let names: Vec<&str> = kinds.iter().map(|k| k["kind"].as_str().unwrap()).collect();
    assert_eq!(names, KINDS);
    assert_eq!(kinds[6]["kind"], "tokens");
    assert_eq!(kinds[6]["min_streamlit"], "1.53");
    assert!(kinds
        .iter()
        .all(|k| !k["description"].as_str().unwrap().is_empty()));
}

#[test]
fn help() {
    let sb = Sandbox::new();
    let (status, out, err) = run(sb.cmd().args(["snippet", "--help"]).env("COLUMNS", "100"));
    assert_eq!(status, 0, "{err}");
    assert_snapshot!("help", out);
}

#[test]
fn without_a_secrets_file_it_writes_for_the_default_provider_and_says_so() {
    let sb = Sandbox::new();
    let (status, out, err) = snippet(&sb, &["login"]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(
        err,
        "note: .streamlit/secrets.toml does not exist; writing the snippet for the default provider [auth] (st.login()). Pass --provider NAME for a named one.\n"
    );
    assert!(out.contains("    st.button(\"Log in\", type=\"primary\", on_click=st.login)\n"));
    // The same code as asking for the default provider explicitly.
    let (_, explicit, err) = snippet(&sb, &["login", "--provider", "default"]);
    assert_eq!(err, "");
    assert_eq!(out, explicit);

    // A secrets file without a provider says so too.
    sb.write(".streamlit/secrets.toml", SHARED);
    let (status, _, err) = snippet(&sb, &["login"]);
    assert_eq!(status, 0);
    assert!(
        err.starts_with("note: .streamlit/secrets.toml configures no provider;"),
        "{err}"
    );
}

#[test]
fn provider_flags_override_the_file() {
    let sb = sandbox(&named_fixture().secrets);
    let out = {
        let (status, out, err) = snippet(&sb, &["providers", "--provider", "entra"]);
        assert_eq!(status, 0, "{err}");
        assert_eq!(err, "");
        out
    };
    assert!(out.contains("args=[\"entra\"]"), "{out}");
    assert!(!out.contains("cognito"), "{out}");

    // A provider the file lacks: the code is written, with a warning on stderr.
    let (status, out, err) = snippet(&sb, &["login", "--provider", "okta", "--provider", "okta"]);
    assert_eq!(status, 0, "{err}");
    assert!(
        out.contains(
            "st.button(\"Log in with Okta\", type=\"primary\", on_click=st.login, args=[\"okta\"])"
        ),
        "{out}"
    );
    assert_eq!(
        err,
        "warning: .streamlit/secrets.toml has no [auth.okta]: st.login(\"okta\") fails until it is added (stauth init --name okta)\n"
    );

    // Other folders and files.
    let other = Sandbox::new();
    let (status, out, err) = run(other
        .cmd()
        .args(["snippet", "logout", "--app-dir"])
        .arg(sb.path()));
    assert_eq!(status, 0, "{err}");
    assert_eq!(out, code(&sb, "logout"));
    let (status, out2, err) = run(other
        .cmd()
        .args(["snippet", "logout", "--secrets-file"])
        .arg(sb.file(".streamlit/secrets.toml")));
    assert_eq!(status, 0, "{err}");
    assert_eq!(out2, out);
}

/// Providers on stauth's dev provider: a `/like/<preset>` issuer reads as
/// that preset, the root issuer as the dev provider itself.
#[test]
fn providers_on_the_dev_provider() {
    let secrets = format!(
        "{SHARED}client_id = \"stauth-dev-0123456789ab\"\nclient_secret = \"s3cr3t\"\nserver_metadata_url = \"{}\"\n\n[auth.entra]\nclient_id = \"stauth-dev-ba9876543210\"\nclient_secret = \"s3cr3t\"\nserver_metadata_url = \"{}\"\n\n[auth.cognito]\nclient_id = \"stauth-dev-00aa11bb22cc\"\nclient_secret = \"s3cr3t\"\nserver_metadata_url = \"{}\"\n",
        stauth::dev_provider::metadata_url(9400, None),
        stauth::dev_provider::metadata_url(9400, Some("microsoft")),
        stauth::dev_provider::metadata_url(9400, Some("cognito")),
    );
    let sb = sandbox(&secrets);
    let roles = code(&sb, "roles");
    assert!(
        roles.contains("# stauth dev provider: groups arrive in groups."),
        "{roles}"
    );
    assert!(
        roles.contains("# Microsoft Entra ID: groups holds group object IDs (GUIDs), not names;"),
        "{roles}"
    );
    assert!(
        roles.contains("\"cognito\": {\"groups\": [\"cognito:groups\"], \"roles\": [\"roles\"]},"),
        "{roles}"
    );
    let login = code(&sb, "providers");
    assert!(login.contains("Log in with stauth dev provider"), "{login}");
    assert!(login.contains("Log in with Microsoft Entra ID"), "{login}");
}

#[test]
fn a_provider_that_only_pictures_initials() {
    // Every provider lacks a picture: the avatar code has no picture branch.
    let sb = sandbox(&format!(
        "{SHARED}\n[auth.entra]\nclient_id = \"x\"\nclient_secret = \"y\"\nserver_metadata_url = \"https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration\"\n"
    ));
    let out = code(&sb, "avatar");
    assert!(!out.contains("st.image"), "{out}");
    assert_snapshot!("avatar_no_picture", out);
}

#[test]
fn out_writes_atomically_and_refuses_to_overwrite_without_force() {
    let sb = sandbox(&default_fixture().secrets);
    let expected = code(&sb, "roles");
    let (status, out, err) = snippet(&sb, &["roles", "--out", "auth_guard.py"]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(out, "", "with --out, stdout stays empty");
    assert_eq!(err, "✓ Wrote auth_guard.py (roles snippet for [auth])\n");
    assert_eq!(sb.read("auth_guard.py"), expected);

    // Exists: exit 2, the file untouched.
    sb.write("auth_guard.py", "# my edits\n");
    let before = fingerprint(&sb.file("auth_guard.py"));
    let (status, out, err) = snippet(&sb, &["login", "--out", "auth_guard.py"]);
    assert_eq!(status, 2);
    assert_eq!(out, "");
    assert_snapshot!("out_exists", err);
    assert_eq!(fingerprint(&sb.file("auth_guard.py")), before);

    // --force replaces it; no temporary file is left behind.
    let (status, _, err) = snippet(&sb, &["login", "--out", "auth_guard.py", "--force"]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(sb.read("auth_guard.py"), code(&sb, "login"));
    let leftovers: Vec<_> = std::fs::read_dir(sb.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".stauth-"))
        .collect();
    assert!(leftovers.is_empty());

    // A folder is not a file.
    let (status, _, err) = snippet(&sb, &["login", "--out", ".streamlit"]);
    assert_eq!(status, 2);
    assert!(err.contains("it is a folder"), "{err}");
}

#[test]
fn usage_errors_exit_2_with_nothing_on_stdout() {
    let sb = sandbox(&default_fixture().secrets);
    for (args, name) in [
        (vec!["snippet"], "no_kind"),
        (vec!["snippet", "sso"], "unknown_kind"),
        (
            vec!["snippet", "login", "--provider", "my_idp"],
            "bad_provider_name",
        ),
        (vec!["snippet", "login", "--force"], "force_without_out"),
        (vec!["snippet", "login", "--json"], "json_without_list"),
    ] {
        let (status, out, err) = run(sb.cmd().args(&args));
        assert_eq!(status, 2, "{args:?}: {err}");
        assert_eq!(out, "", "{args:?}");
        assert_snapshot!(name, err);
    }
    sb.write(".streamlit/secrets.toml", "[auth\nclient_id = 1\n");
    let (status, out, err) = snippet(&sb, &["login"]);
    assert_eq!(status, 2);
    assert_eq!(out, "");
    assert!(
        err.starts_with("error: .streamlit/secrets.toml:1:"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// The generated code in real Streamlit
// ---------------------------------------------------------------------------

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> PathBuf {
    let python = root().join("tests/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run bash tests/setup.sh first",
        python.display()
    );
    python
}

#[test]
fn every_snippet_compiles() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for fixture in fixtures() {
        let sb = sandbox(&fixture.secrets);
        for kind in KINDS {
            let path = dir.path().join(format!("{kind}_{}.py", fixture.name));
            std::fs::write(&path, code(&sb, kind)).unwrap();
            files.push(path);
        }
    }
    let out = Command::new(python())
        .args(["-m", "py_compile"])
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "py_compile failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes the snippet with `--out` into a fresh app folder and runs the
/// scenarios in AppTest; returns each scenario's result by name.
fn apptest(kind: &str, fixture: &Fixture, apptest_secrets: &str, scenarios: Value) -> Results {
    let sb = sandbox(&fixture.secrets);
    let (status, _, err) = snippet(&sb, &[kind, "--out", "streamlit_app.py"]);
    assert_eq!(status, 0, "{err}");
    let v = drive(&python(), &sb, apptest_secrets, scenarios, kind);
    assert_eq!(
        v["streamlit"], "1.67.0",
        "tests/.venv has another Streamlit"
    );
    let results = Results {
        label: format!("{kind}/{}", fixture.name),
        results: v["results"].as_array().unwrap().clone(),
    };
    for r in &results.results {
        for (i, view) in r["views"].as_array().unwrap().iter().enumerate() {
            assert_eq!(
                view["exceptions"],
                json!([]),
                "{}: {} view {i} raised",
                results.label,
                r["name"]
            );
        }
    }
    results
}

/// Runs the AppTest driver with `python` on the sandbox's streamlit_app.py;
/// returns the driver's JSON.
fn drive(
    python: &std::path::Path,
    sb: &Sandbox,
    apptest_secrets: &str,
    scenarios: Value,
    kind: &str,
) -> Value {
    let mut child = Command::new(python)
        .arg(root().join("tests/py/snippet_apptest.py"))
        .arg(sb.file("streamlit_app.py"))
        .env("HOME", sb.home())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tests/py/snippet_apptest.py");
    let input = json!({ "secrets": apptest_secrets, "scenarios": scenarios });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{kind}: the AppTest driver ({}) failed:\n{}",
        python.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the driver prints JSON")
}

struct Results {
    label: String,
    results: Vec<Value>,
}

impl Results {
    fn get(&self, name: &str) -> Scenario<'_> {
        let r = self
            .results
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{}: no scenario {name}", self.label));
        Scenario {
            label: format!("{}: {name}", self.label),
            r,
        }
    }
}

struct Scenario<'a> {
    label: String,
    r: &'a Value,
}

impl Scenario<'_> {
    /// `main` or `sidebar` field `field` of view `i` as strings.
    fn seen(&self, i: usize, area: &str, field: &str) -> Vec<String> {
        self.r["views"][i][area][field]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no view {i} {area}.{field}", self.label))
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    }
    fn main(&self, i: usize, field: &str) -> Vec<String> {
        self.seen(i, "main", field)
    }
    fn sidebar(&self, i: usize, field: &str) -> Vec<String> {
        self.seen(i, "sidebar", field)
    }
    fn navigation(&self, i: usize) -> Value {
        self.r["views"][i]["navigation"].clone()
    }
    fn login_calls(&self) -> Value {
        self.r["login_calls"].clone()
    }
    fn assert_main(&self, i: usize, field: &str, expected: &[&str]) {
        assert_eq!(
            self.main(i, field),
            expected,
            "{} view {i} main.{field}",
            self.label
        );
    }
    fn assert_sidebar(&self, i: usize, field: &str, expected: &[&str]) {
        assert_eq!(
            self.sidebar(i, field),
            expected,
            "{} view {i} sidebar.{field}",
            self.label
        );
    }
}

fn alice(provider: &Provider, extra: Value) -> Value {
    let mut user = json!({
        "is_logged_in": true,
        "name": "Alice Example",
        "email": "alice@example.com",
        "email_verified": true,
        "provider": provider.user_provider,
    });
    for (k, v) in extra.as_object().unwrap() {
        user[k] = v.clone();
    }
    user
}

fn logged_out() -> Value {
    json!({"is_logged_in": false})
}

fn buttons(fixture: &Fixture) -> Vec<&'static str> {
    fixture.providers.iter().map(|p| p.button).collect()
}

fn login_args(fixture: &Fixture) -> Value {
    json!(fixture
        .providers
        .iter()
        .map(|p| p.login)
        .collect::<Vec<_>>())
}

/// Logged out: one scenario that clicks every login button.
fn click_every_login_button(fixture: &Fixture) -> Value {
    let actions: Vec<Value> = buttons(fixture)
        .iter()
        .map(|b| json!({"click": b}))
        .collect();
    json!({"name": "logged out", "user": logged_out(), "actions": actions})
}

#[test]
fn login_in_streamlit() {
    for fixture in fixtures() {
        let first = &fixture.providers[0];
        let r = apptest(
            "login",
            &fixture,
            &fixture.secrets,
            json!([
                {"name": "logged out", "user": logged_out(), "actions": [{"click": first.button}]},
                {"name": "logged in", "user": alice(first, json!({})), "actions": [{"click": "Log out"}]},
            ]),
        );
        let out = r.get("logged out");
        out.assert_main(0, "titles", &["Welcome"]);
        out.assert_main(0, "buttons", &[first.button]);
        assert_eq!(out.login_calls(), json!([first.login]), "{}", out.label);

        let s = r.get("logged in");
        s.assert_main(0, "titles", &["Hello, Alice Example!"]);
        s.assert_main(0, "buttons", &["Log out"]);
        // After "Log out": the login button again.
        s.assert_main(1, "buttons", &[first.button]);
        assert_eq!(s.r["user"], json!({"is_logged_in": false}));
    }
}

#[test]
fn providers_in_streamlit() {
    for fixture in fixtures() {
        let last = fixture.providers.last().unwrap();
        let r = apptest(
            "providers",
            &fixture,
            &fixture.secrets,
            json!([
                click_every_login_button(&fixture),
                {"name": "logged in", "user": alice(last, json!({}))},
            ]),
        );
        let out = r.get("logged out");
        out.assert_main(0, "titles", &["Log in"]);
        out.assert_main(0, "buttons", &buttons(&fixture));
        assert_eq!(out.login_calls(), login_args(&fixture), "{}", out.label);

        let s = r.get("logged in");
        s.assert_main(0, "titles", &["Hello, Alice Example!"]);
        s.assert_main(0, "captions", &[&format!("Logged in with {}.", last.title)]);
        s.assert_main(0, "buttons", &["Log out"]);
    }
}

fn not_allowed(who: &str) -> String {
    format!("This page is only for users with {who}. You are logged in as alice@example.com.")
}

#[test]
fn roles_in_streamlit() {
    for fixture in fixtures() {
        let mut scenarios = vec![click_every_login_button(&fixture)];
        for p in &fixture.providers {
            let who = p.user_provider;
            scenarios
                .push(json!({"name": format!("{who} admin"), "user": alice(p, p.admin.clone())}));
            scenarios.push(json!({"name": format!("{who} staff"), "user": alice(p, json!({"roles": ["staff"], "groups": ["staff"], "cognito:groups": ["staff"]}))}));
            // The function form and the decorator, with email domains.
            scenarios.push(
                json!({"name": format!("{who} domain ok"), "user": alice(p, json!({})),
                "tail": "require(email_domains=\"example.com\")\nst.write(\"inside\")\n"}),
            );
            scenarios.push(json!({"name": format!("{who} other domain"), "user": alice(p, json!({"email": "alice@other.org"})),
                "tail": "require(email_domains=[\"example.com\", \"@example.net\"])\nst.write(\"inside\")\n"}));
            scenarios.push(json!({"name": format!("{who} unverified"), "user": alice(p, json!({"email_verified": false})),
                "tail": "require(email_domains=\"example.com\")\nst.write(\"inside\")\n"}));
            let decorated = "@require(roles=\"admin\", groups=\"admins\")\ndef admin_tools():\n    st.write(\"admin tools\")\n\n\nadmin_tools()\n";
            scenarios.push(json!({"name": format!("{who} decorator admin"), "user": alice(p, p.admin.clone()), "tail": decorated}));
            scenarios.push(json!({"name": format!("{who} decorator staff"), "user": alice(p, json!({})), "tail": decorated}));
        }
        // The claim is the provider's own: Cognito's groups are in cognito:groups,
        // so a plain `groups` claim does not make a Cognito user an admin.
        if fixture.name == "named" {
            scenarios.push(json!({"name": "cognito wrong claim", "user": alice(&fixture.providers[0], json!({"groups": ["admins"]}))}));
        }
        let r = apptest("roles", &fixture, &fixture.secrets, json!(scenarios));

        let out = r.get("logged out");
        out.assert_main(0, "titles", &["Log in"]);
        out.assert_main(0, "buttons", &buttons(&fixture));
        assert_eq!(out.login_calls(), login_args(&fixture), "{}", out.label);

        for p in &fixture.providers {
            let who = p.user_provider;
            let s = r.get(&format!("{who} admin"));
            s.assert_main(0, "titles", &["Hello, Alice Example!"]);
            s.assert_main(0, "headers", &["Admin"]);
            s.assert_main(0, "markdown", &["Only admins see this."]);
            s.assert_main(0, "errors", &[]);

            let s = r.get(&format!("{who} staff"));
            s.assert_main(0, "titles", &["Hello, Alice Example!", "Not allowed"]);
            s.assert_main(0, "errors", &[&not_allowed(fixture.admins)]);
            s.assert_main(0, "headers", &[]);
            s.assert_main(0, "buttons", &["Log out", "Log out"]);

            r.get(&format!("{who} domain ok"))
                .assert_main(0, "markdown", &["inside"]);
            let s = r.get(&format!("{who} other domain"));
            s.assert_main(0, "errors", &["This page is only for users with an email address at example.com or example.net. You are logged in as alice@other.org."]);
            assert!(!s.main(0, "markdown").contains(&"inside".to_string()));
            let s = r.get(&format!("{who} unverified"));
            s.assert_main(0, "titles", &["Not allowed"]);

            r.get(&format!("{who} decorator admin"))
                .assert_main(0, "markdown", &["admin tools"]);
            let s = r.get(&format!("{who} decorator staff"));
            s.assert_main(
                0,
                "errors",
                &[&not_allowed("the admin role or the admins group")],
            );
            assert!(!s.main(0, "markdown").contains(&"admin tools".to_string()));
        }
        if fixture.name == "named" {
            r.get("cognito wrong claim")
                .assert_main(0, "errors", &[&not_allowed(fixture.admins)]);
        }
    }
}

#[test]
fn pages_in_streamlit() {
    for fixture in fixtures() {
        let mut scenarios = vec![click_every_login_button(&fixture)];
        for p in &fixture.providers {
            let who = p.user_provider;
            scenarios.push(json!({"name": format!("{who} user"), "user": alice(p, json!({"tokens": {"access": "secret-token"}})),
                "actions": [{"page": "Profile"}]}));
            scenarios.push(
                json!({"name": format!("{who} admin"), "user": alice(p, p.admin.clone()),
                "actions": [{"page": "Admin"}, {"click": "Log out"}]}),
            );
        }
        let r = apptest("pages", &fixture, &fixture.secrets, json!(scenarios));

        let out = r.get("logged out");
        assert_eq!(
            out.navigation(0),
            json!(["Log in", "About"]),
            "{}",
            out.label
        );
        out.assert_main(0, "titles", &["Log in"]);
        out.assert_main(0, "buttons", &buttons(&fixture));
        out.assert_sidebar(0, "buttons", &[]);
        assert_eq!(out.login_calls(), login_args(&fixture), "{}", out.label);

        for p in &fixture.providers {
            let who = p.user_provider;
            let s = r.get(&format!("{who} user"));
            assert_eq!(
                s.navigation(0),
                json!(["Home", "Profile", "About"]),
                "{}",
                s.label
            );
            s.assert_main(0, "titles", &["Hello, Alice Example!"]);
            s.assert_sidebar(0, "buttons", &["Log out"]);
            // The profile page shows the claims, never the tokens.
            s.assert_main(1, "titles", &["Your profile"]);
            let claims = &s.r["views"][1]["main"]["json"][0];
            assert_eq!(claims["email"], "alice@example.com", "{}", s.label);
            assert!(claims.get("tokens").is_none(), "{}", s.label);
            assert!(!s.r["views"][1].to_string().contains("secret-token"));

            let s = r.get(&format!("{who} admin"));
            assert_eq!(
                s.navigation(0),
                json!(["Home", "Profile", "Admin", "About"]),
                "{}",
                s.label
            );
            s.assert_main(1, "titles", &["Admin"]);
            s.assert_main(1, "markdown", &["This page is listed only for admins."]);
            // Logged out from the sidebar: back to the login page only.
            assert_eq!(s.navigation(2), json!(["Log in", "About"]), "{}", s.label);
        }
    }
}

#[test]
fn avatar_in_streamlit() {
    for fixture in fixtures() {
        let mut scenarios = vec![click_every_login_button(&fixture)];
        for p in &fixture.providers {
            let who = p.user_provider;
            scenarios.push(json!({"name": format!("{who} picture"), "user": alice(p, json!({"picture": "https://example.com/alice.png"}))}));
            scenarios
                .push(json!({"name": format!("{who} no picture"), "user": alice(p, json!({}))}));
            scenarios.push(json!({"name": format!("{who} email only"), "user": alice(p, json!({"name": null, "email": "bob.smith@example.com"}))}));
        }
        let r = apptest("avatar", &fixture, &fixture.secrets, json!(scenarios));
        let out = r.get("logged out");
        out.assert_main(0, "buttons", &buttons(&fixture));
        out.assert_sidebar(0, "images", &[]);
        assert_eq!(out.login_calls(), login_args(&fixture), "{}", out.label);

        for p in &fixture.providers {
            let who = p.user_provider;
            let s = r.get(&format!("{who} picture"));
            s.assert_sidebar(0, "images", &["https://example.com/alice.png"]);
            s.assert_sidebar(0, "html", &[]);
            s.assert_sidebar(0, "markdown", &["**Alice Example**"]);
            s.assert_sidebar(0, "captions", &["alice@example.com"]);
            s.assert_sidebar(0, "buttons", &["Log out"]);

            let s = r.get(&format!("{who} no picture"));
            s.assert_sidebar(0, "images", &[]);
            let badge = s.sidebar(0, "html");
            assert_eq!(badge.len(), 1, "{}", s.label);
            assert!(badge[0].ends_with(">AE</div>"), "{}: {badge:?}", s.label);

            let s = r.get(&format!("{who} email only"));
            assert!(
                s.sidebar(0, "html")[0].ends_with(">BS</div>"),
                "{}",
                s.label
            );
            s.assert_sidebar(0, "markdown", &["**bob.smith@example.com**"]);
            s.assert_sidebar(0, "captions", &[]);
        }
    }
}

#[test]
fn headers_in_streamlit() {
    let scenarios = json!([
        {"name": "no proxy", "user": {}},
        {"name": "oauth2-proxy", "user": {}, "headers": [
            ["X-Forwarded-Email", "alice@example.com"],
            ["X-Forwarded-Preferred-Username", "alice"],
            ["X-Forwarded-Groups", "admins, staff"],
            ["Host", "app.example.com"]]},
        {"name": "lower-case headers", "user": {}, "headers": [["x-forwarded-user", "bob"]]},
        {"name": "google iap", "user": {}, "headers": [
            ["X-Goog-Authenticated-User-Email", "accounts.google.com:carol@example.com"]]},
        // server.trustedUserHeaders: Streamlit copies the headers into st.user.
        {"name": "trusted user headers", "user": {"email": "dave@example.com", "name": "Dave"}},
    ]);
    for fixture in fixtures() {
        let r = apptest("headers", &fixture, &fixture.secrets, scenarios.clone());
        let s = r.get("no proxy");
        s.assert_main(
            0,
            "errors",
            &["No identity from the login proxy: open the app through the proxy's address."],
        );
        s.assert_main(0, "titles", &[]);

        let s = r.get("oauth2-proxy");
        s.assert_main(0, "titles", &["Hello, alice!"]);
        s.assert_main(
            0,
            "markdown",
            &["Email: alice@example.com", "Groups: admins, staff"],
        );
        assert_eq!(
            s.r["views"][0]["main"]["link_buttons"],
            json!([{"label": "Log out", "url": "/oauth2/sign_out"}])
        );
        r.get("lower-case headers")
            .assert_main(0, "titles", &["Hello, bob!"]);
        let s = r.get("google iap");
        s.assert_main(0, "titles", &["Hello, carol@example.com!"]);
        s.assert_main(0, "markdown", &[]);
        let s = r.get("trusted user headers");
        s.assert_main(0, "titles", &["Hello, Dave!"]);
        s.assert_main(0, "markdown", &["Email: dave@example.com"]);
    }
}

#[test]
fn tokens_in_streamlit() {
    for fixture in fixtures() {
        // The provider's discovery document and userinfo endpoint are the
        // driver's fake provider ({FAKE_IDP}).
        let secrets = fixture
            .secrets
            .lines()
            .map(|l| {
                if l.starts_with("server_metadata_url") {
                    "server_metadata_url = \"{FAKE_IDP}/.well-known/openid-configuration\""
                        .to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            .replacen(
                "cookie_secret",
                "expose_tokens = [\"access\"]\ncookie_secret",
                1,
            );
        let mut scenarios = vec![click_every_login_button(&fixture)];
        for p in &fixture.providers {
            let who = p.user_provider;
            scenarios.push(json!({"name": format!("{who} call"), "user": alice(p, json!({"tokens": {"access": "access-token-for-tests"}})),
                "actions": [{"click": "Call the API"}]}));
            scenarios.push(json!({"name": format!("{who} expired"), "user": alice(p, json!({"tokens": {"access": "expired"}})),
                "actions": [{"click": "Call the API"}]}));
        }
        let p = &fixture.providers[0];
        scenarios
            .push(json!({"name": "no tokens exposed", "user": alice(p, json!({"tokens": {}}))}));
        let r = apptest("tokens", &fixture, &secrets, json!(scenarios));

        let out = r.get("logged out");
        out.assert_main(0, "buttons", &buttons(&fixture));
        assert_eq!(out.login_calls(), login_args(&fixture), "{}", out.label);

        for p in &fixture.providers {
            let who = p.user_provider;
            let s = r.get(&format!("{who} call"));
            s.assert_main(0, "buttons", &["Log out", "Call the API"]);
            s.assert_main(0, "json", &[]);
            assert_eq!(
                s.r["views"][1]["main"]["json"],
                json!([{"sub": "alice", "email": "alice@example.com", "nickname": "ali"}]),
                "{}",
                s.label
            );
            // The discovery document is fetched once per process (st.cache_data),
            // then the API is called with the user's token.
            let requests: Vec<(&str, &str)> = s.r["idp_requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| {
                    (
                        q["path"].as_str().unwrap(),
                        q["authorization"].as_str().unwrap_or(""),
                    )
                })
                .collect();
            let (api, discovery) = requests.split_last().expect("the API was called");
            assert_eq!(
                *api,
                ("/userinfo", "Bearer access-token-for-tests"),
                "{}",
                s.label
            );
            assert!(
                discovery
                    .iter()
                    .all(|q| *q == ("/.well-known/openid-configuration", "")),
                "{}: {requests:?}",
                s.label
            );
            assert!(
                !s.r["views"].to_string().contains("access-token-for-tests"),
                "the token is never shown"
            );

            let s = r.get(&format!("{who} expired"));
            s.assert_main(1, "errors", &["The API refused the access token (401): it may have expired. Log out and in again."]);
        }
        let s = r.get("no tokens exposed");
        s.assert_main(0, "warnings", &["No access token: add expose_tokens = [\"access\"] to [auth] in .streamlit/secrets.toml, restart the app and log in again."]);
        s.assert_main(0, "buttons", &["Log out"]);
    }
}

#[test]
fn cookies_in_streamlit() {
    let big_user = "u".repeat(3000);
    let big_tokens = "t".repeat(4000);
    for fixture in fixtures() {
        let p = &fixture.providers[0];
        let r = apptest(
            "cookies",
            &fixture,
            &fixture.secrets,
            json!([
                click_every_login_button(&fixture),
                {"name": "logged in", "user": alice(p, json!({})), "cookies": {
                    "theme": "dark",
                    "_streamlit_user": big_user,
                    "_streamlit_user_tokens": big_tokens,
                }},
            ]),
        );
        let out = r.get("logged out");
        out.assert_main(
            0,
            "markdown",
            &["Your browser sent 0 cookies: 0 bytes, 0 of them for the login."],
        );
        out.assert_main(0, "buttons", &buttons(&fixture));
        assert_eq!(out.login_calls(), login_args(&fixture), "{}", out.label);

        let s = r.get("logged in");
        // theme=dark (10) + _streamlit_user=... (3016) + _streamlit_user_tokens=... (4023) + 2 × "; "
        s.assert_main(
            0,
            "markdown",
            &[
                "Your theme preference: dark",
                "Your browser sent 3 cookies: 7,053 bytes, 7,039 of them for the login.",
                "Logged in as Alice Example.",
            ],
        );
        s.assert_main(0, "warnings", &["The Cookie header is close to the 8 KB that many proxies accept: ask the provider for fewer claims (e.g. no groups in the ID token) or remove other cookies."]);
        assert_eq!(
            s.r["views"][0]["main"]["tables"],
            json!([{"cookie": ["theme", "_streamlit_user", "_streamlit_user_tokens"], "bytes": [10, 3016, 4023]}])
        );
        let shown = s.r["views"].to_string();
        assert!(
            !shown.contains("uuuu") && !shown.contains("tttt"),
            "cookie values are never shown"
        );
    }
}

#[test]
fn logout_in_streamlit() {
    for fixture in fixtures() {
        let mut scenarios = vec![click_every_login_button(&fixture)];
        for p in &fixture.providers {
            scenarios.push(json!({"name": p.user_provider, "user": alice(p, json!({})), "actions": [{"click": "Log out"}]}));
        }
        let r = apptest("logout", &fixture, &fixture.secrets, json!(scenarios));
        let out = r.get("logged out");
        out.assert_main(0, "titles", &["You are logged out"]);
        out.assert_main(0, "buttons", &buttons(&fixture));
        assert_eq!(out.login_calls(), login_args(&fixture), "{}", out.label);

        for p in &fixture.providers {
            let s = r.get(p.user_provider);
            s.assert_main(0, "titles", &["Hello, Alice Example!"]);
            s.assert_main(0, "captions", &[p.logout_note]);
            s.assert_main(1, "titles", &["You are logged out"]);
            assert_eq!(s.r["user"], json!({"is_logged_in": false}), "{}", s.label);
        }
    }
}

// ---------------------------------------------------------------------------
// Written for the release the app runs
// ---------------------------------------------------------------------------

/// The Streamlit line a pinned release prints first on stderr.
fn checking(release: &str, server: &str) -> String {
    format!("Checking against Streamlit {release} on {server} (--streamlit-version).\n")
}

/// `st.experimental_user` is the only name in 1.42-1.44 and `st.user` from
/// 1.45, so every kind uses the one its release has, and says so.
#[test]
fn the_user_object_follows_the_release() {
    let sb = sandbox(&default_fixture().secrets);
    // tokens and app-secrets are refused before 1.53 and 1.57 (tested apart).
    for kind in KINDS
        .iter()
        .filter(|k| !["tokens", "app-secrets"].contains(k))
    {
        let (old, err) = code_for(&sb, kind, "1.44");
        assert!(err.starts_with(&checking("1.44.1", "Tornado")), "{err}");
        assert!(
            err.contains("note: Streamlit 1.44.1 has st.experimental_user, not st.user (1.45+)"),
            "{kind}: {err}"
        );
        assert!(old.contains("st.experimental_user."), "{kind}: {old}");
        assert!(!old.contains("st.user"), "{kind}: {old}");
        assert!(
            old.contains(&format!(
                "# Written by `stauth snippet {kind}` for Streamlit 1.44.1."
            )),
            "{kind}: {old}"
        );

        let (new, err) = code_for(&sb, kind, "1.45.0");
        assert!(!err.contains("experimental_user"), "{kind}: {err}");
        assert!(new.contains("st.user."), "{kind}");
        assert!(!new.contains("experimental_user"), "{kind}: {new}");
    }
}

/// The tokens snippet needs expose_tokens and st.user.tokens (1.53+): for an
/// older release it is refused, and no file is written.
#[test]
fn tokens_are_refused_before_1_53() {
    let sb = sandbox(&default_fixture().secrets);
    let (status, out, err) = snippet(
        &sb,
        &["tokens", "--streamlit-version", "1.52.2", "--out", "app.py"],
    );
    assert_eq!(status, 2, "{err}");
    assert_eq!(out, "");
    assert!(err.starts_with(&checking("1.52.2", "Tornado")), "{err}");
    assert!(
        err.contains("error: the tokens snippet needs Streamlit 1.53 or newer: Streamlit 1.52.2 on Tornado has no expose_tokens and no st.user.tokens"),
        "{err}"
    );
    assert!(!sb.file("app.py").exists());
    let (code, err) = code_for(&sb, "tokens", "1.53.0");
    assert_eq!(err, checking("1.53.0", "Tornado"));
    assert!(code.contains("access_token = st.user.tokens.get(\"access\")"));
}

/// What to install, by release: no `auth` extra before 1.48, Authlib below
/// 1.6.6 before 1.52.2, httpx where the extras lack it (1.57.0-1.59.0 and
/// the 1.53-1.56 Starlette opt-in).
#[test]
fn the_install_line_follows_the_release() {
    let sb = sandbox(&default_fixture().secrets);
    for (release, install) in [
        ("1.47", "pip install \"Authlib>=1.3.2,<1.6.6\""),
        (
            "1.48.0",
            "pip install \"streamlit[auth]\" \"Authlib<1.6.6\"",
        ),
        (
            "1.52.1",
            "pip install \"streamlit[auth]\" \"Authlib<1.6.6\"",
        ),
        ("1.52.2", "pip install \"streamlit[auth]\""),
        ("1.56", "pip install \"streamlit[auth]\""),
        ("1.58", "pip install \"streamlit[auth]\" httpx"),
        ("1.59.1", "pip install \"streamlit[auth]\""),
    ] {
        let (code, _) = code_for(&sb, "login", release);
        assert!(
            code.contains(&format!(
                "# Needs Streamlit 1.42+ with its login extras: {install}\n"
            )),
            "{release}: {code}"
        );
    }
    // The opt-in Starlette server of 1.53-1.56 needs its extra and httpx.
    sb.write(".streamlit/config.toml", "[server]\nuseStarlette = true\n");
    let (code, err) = code_for(&sb, "login", "1.55");
    assert!(
        err.starts_with("Checking against Streamlit 1.55.0 on Starlette (server.useStarlette) (--streamlit-version; server.useStarlette from"),
        "{err}"
    );
    assert!(
        code.contains("login extras: pip install \"streamlit[auth,starlette]\" httpx\n"),
        "{code}"
    );
}

/// What st.logout() does at the provider depends on the release (only the
/// app's cookies before 1.53, 1.48.0 aside; 1.54 on the Starlette opt-in),
/// and the code and its notes say what the app's release does.
#[test]
fn the_logout_notes_follow_the_release() {
    let fixture = named_fixture();
    let sb = sandbox(&fixture.secrets);
    let newest = code(&sb, "logout");
    assert!(newest.contains("This also signs you out of Microsoft Entra ID."));

    // 1.54+ builds the same logout as the newest release.
    let (v1_54, err) = code_for(&sb, "logout", "1.54");
    assert_eq!(err, checking("1.54.0", "Tornado"));
    assert_eq!(v1_54.replace("1.54.0", "1.67.0"), newest);

    // Local logout only: no provider is said to sign the user out.
    let (local, err) = code_for(&sb, "logout", "1.52");
    assert!(
        err.contains(
            "note: st.logout() in Streamlit 1.52.2 on Tornado only deletes the app's cookies"
        ),
        "{err}"
    );
    assert!(
        local.contains("In Streamlit 1.52.2 that is\n# all it does"),
        "{local}"
    );
    assert!(local.contains("note = LOGOUT_NOTE\n"), "{local}");
    assert!(!local.contains("This also signs you out"), "{local}");
    assert!(!local.contains("post-logout URI"), "{local}");

    // 1.48.0 sends only the app's root URL as post_logout_redirect_uri.
    let (root, err) = code_for(&sb, "logout", "1.48.0");
    assert!(
        err.contains("register that root URL at the provider"),
        "{err}"
    );
    assert!(
        root.contains("the app's root URL, which must be registered there as a post-logout URI."),
        "{root}"
    );
    assert!(!root.contains("redirect URI itself"), "{root}");

    // 1.52 says which release changes that; so does the Starlette server,
    // whose logout ends the provider's session only from 1.58.
    assert!(
        local.contains("(Streamlit 1.53.0 and later also end the session at the\n# provider)"),
        "{local}"
    );
    sb.write(".streamlit/config.toml", "[server]\nuseStarlette = true\n");
    for release in ["1.53.1", "1.56", "1.57"] {
        let (starlette, _) = code_for(&sb, "logout", release);
        assert!(
            starlette
                .contains("(Streamlit 1.58.0 and later also end the session at the\n# provider)"),
            "{release}: {starlette}"
        );
        assert!(!starlette.contains("This also signs you out"), "{release}");
    }
    let (starlette, _) = code_for(&sb, "logout", "1.58");
    assert!(starlette.contains("This also signs you out of Microsoft Entra ID."));
}

/// server.trustedUserHeaders exists from 1.49.0: the headers snippet offers
/// it only there.
#[test]
fn trusted_user_headers_only_from_1_49() {
    let sb = sandbox(&default_fixture().secrets);
    let (old, err) = code_for(&sb, "headers", "1.48.1");
    assert!(
        err.contains("note: Streamlit 1.48.1 has no server.trustedUserHeaders (1.49+)"),
        "{err}"
    );
    assert!(!old.contains("trustedUserHeaders ="), "{old}");
    let (new, err) = code_for(&sb, "headers", "1.49.0");
    assert_eq!(err, checking("1.49.0", "Tornado"));
    assert!(new.contains("#   trustedUserHeaders = {"), "{new}");
}

/// Without --streamlit-version the release is the one installed for the
/// app's Python: --python, else the active venv.
#[test]
fn the_release_is_read_from_the_apps_python() {
    let sb = sandbox(&default_fixture().secrets);
    let old = common::releases::python("1.42.2");
    let (status, code, err) = snippet(&sb, &["login", "--python", old.to_str().unwrap()]);
    assert_eq!(status, 0, "{err}");
    assert!(
        err.starts_with(&format!(
            "Checking against Streamlit 1.42.2 on Tornado (installed for {}).\n",
            old.display()
        )),
        "{err}"
    );
    assert!(code.contains("if not st.experimental_user.is_logged_in:"));

    let venv = common::releases::venv_dir("1.45.1");
    common::releases::python("1.45.1");
    let (status, code, err) = run(sb
        .cmd()
        .args(["snippet", "login"])
        .env("VIRTUAL_ENV", &venv));
    assert_eq!(status, 0, "{err}");
    assert!(
        err.starts_with("Checking against Streamlit 1.45.1 on Tornado (installed for "),
        "{err}"
    );
    assert!(code.contains("if not st.user.is_logged_in:"));
}

/// The code written for the oldest release with st.login runs in it (real
/// Streamlit 1.42.2, AppTest), logged out and logged in; the newest
/// release's code does not, which is why the release matters.
#[test]
fn the_code_for_1_42_runs_in_streamlit_1_42() {
    let fixture = default_fixture();
    let python = common::releases::python("1.42.2");
    let first = &fixture.providers[0];
    let scenarios = json!([
        {"name": "logged out", "user": logged_out(), "actions": [{"click": first.button}]},
        {"name": "logged in", "user": alice(first, json!({})), "actions": []},
    ]);
    // tokens needs 1.53; app-secrets needs 1.57 and is an ASGI entry point
    // (st.App), not a page script AppTest could run.
    for kind in KINDS
        .iter()
        .filter(|k| !["tokens", "app-secrets"].contains(k))
    {
        let sb = sandbox(&fixture.secrets);
        let (status, _, err) = snippet(
            &sb,
            &[
                kind,
                "--python",
                python.to_str().unwrap(),
                "--out",
                "streamlit_app.py",
            ],
        );
        assert_eq!(status, 0, "{err}");
        // headers has no login button: nothing to click.
        let scenarios = if *kind == "headers" {
            json!([{"name": "logged in", "user": alice(first, json!({}))}])
        } else {
            scenarios.clone()
        };
        let v = drive(&python, &sb, &fixture.secrets, scenarios, kind);
        assert_eq!(v["streamlit"], "1.42.2");
        for r in v["results"].as_array().unwrap() {
            for view in r["views"].as_array().unwrap() {
                assert_eq!(view["exceptions"], json!([]), "{kind}: {}", r["name"]);
            }
            if r["name"] == "logged out" {
                assert_eq!(r["login_calls"], json!([null]), "{kind}");
            }
        }
        let titles = |r: &Value| r["views"][0]["main"]["titles"].clone();
        let logged_in = &v["results"].as_array().unwrap().last().unwrap();
        let expected = match *kind {
            "avatar" => "Your app",
            "cookies" => "Cookies",
            _ => "Hello, Alice Example!",
        };
        assert_eq!(titles(logged_in)[0], expected, "{kind}: {logged_in}");
    }

    // The 1.67 code names st.user, which 1.42 does not have.
    let sb = sandbox(&fixture.secrets);
    let (status, _, err) = snippet(&sb, &["login", "--out", "streamlit_app.py"]);
    assert_eq!(status, 0, "{err}");
    let v = drive(
        &python,
        &sb,
        &fixture.secrets,
        json!([{"name": "logged out", "user": logged_out()}]),
        "login",
    );
    assert_eq!(
        v["results"][0]["views"][0]["exceptions"],
        json!(["module 'streamlit' has no attribute 'user'"])
    );

    // And the 1.44 code fails in 1.67, which removed st.experimental_user (1.54).
    let (status, _, err) = snippet(
        &sb,
        &[
            "login",
            "--streamlit-version",
            "1.44",
            "--out",
            "streamlit_app.py",
            "--force",
        ],
    );
    assert_eq!(status, 0, "{err}");
    let v = drive(
        &self::python(),
        &sb,
        &fixture.secrets,
        json!([{"name": "logged out", "user": logged_out()}]),
        "login",
    );
    assert_eq!(v["streamlit"], "1.67.0");
    assert_eq!(
        v["results"][0]["views"][0]["exceptions"],
        json!(["module 'streamlit' has no attribute 'experimental_user'. st.experimental_user has been removed. Use st.user instead."])
    );
}

/// The code written for the release installed in a venv runs there: the
/// login and logout snippets in real Streamlit 1.45.1 (st.user, local
/// logout) and 1.52.2, logged in, with the note the release calls for.
#[test]
fn the_code_for_the_installed_release_runs_in_it() {
    let fixture = default_fixture();
    let first = &fixture.providers[0];
    for release in ["1.45.1", "1.52.2"] {
        let python = common::releases::python(release);
        for kind in ["login", "logout"] {
            let sb = sandbox(&fixture.secrets);
            let (status, _, err) = snippet(
                &sb,
                &[
                    kind,
                    "--python",
                    python.to_str().unwrap(),
                    "--out",
                    "streamlit_app.py",
                ],
            );
            assert_eq!(status, 0, "{err}");
            assert!(
                err.starts_with(&format!("Checking against Streamlit {release} on Tornado")),
                "{err}"
            );
            let v = drive(
                &python,
                &sb,
                &fixture.secrets,
                json!([{"name": "logged in", "user": alice(first, json!({}))}]),
                kind,
            );
            assert_eq!(v["streamlit"], release);
            let view = &v["results"][0]["views"][0];
            assert_eq!(view["exceptions"], json!([]), "{release} {kind}");
            assert_eq!(view["main"]["titles"], json!(["Hello, Alice Example!"]));
            if kind == "logout" {
                assert_eq!(
                    view["main"]["captions"],
                    json!([
                        "This signs you out of this app only: you stay signed in at the provider."
                    ]),
                    "{release}"
                );
            }
        }
    }
}
