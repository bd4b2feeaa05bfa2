//! `stauth providers` as a user runs it: the catalog table, one preset's
//! details, refusals, JSON, and a check that every preset's inputs and URL
//! template work with `stauth init`.

use crate::common;

use common::{assert_no_secret, run, Sandbox, SECRET};
use insta::assert_snapshot;
use serde_json::Value;

fn providers(sb: &Sandbox, args: &[&str]) -> (i32, String, String) {
    run(sb.cmd().arg("providers").args(args))
}

/// The JSON document `stauth providers [NAME] --json` prints.
fn providers_json(sb: &Sandbox, args: &[&str]) -> Value {
    let (code, out, err) = providers(sb, &[args, &["--json"]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{out}"))
}

/// Preset rows of the table: the lines between the header and the first
/// blank line.
fn table_rows(table: &str) -> Vec<&str> {
    table
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

#[test]
fn table_lists_every_preset() {
    let sb = Sandbox::new();
    let (code, out, err) = providers(&sb, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "", "the table is data: stdout only");
    assert!(out.starts_with("PRESET "), "{out}");
    assert_snapshot!("table", out);
}

#[test]
fn microsoft_details() {
    let sb = Sandbox::new();
    let (code, out, err) = providers(&sb, &["microsoft"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    assert!(out.contains("--tenant"), "{out}");
    assert_snapshot!("microsoft", out);
}

#[test]
fn keycloak_details() {
    let sb = Sandbox::new();
    let (code, out, err) = providers(&sb, &["keycloak"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    assert!(
        out.contains("stauth init --provider keycloak --host <HOST> --realm <REALM>"),
        "{out}"
    );
    assert_snapshot!("keycloak", out);
}

#[test]
fn names_are_case_insensitive() {
    let sb = Sandbox::new();
    assert_eq!(providers(&sb, &["Keycloak"]), providers(&sb, &["keycloak"]));
    assert_eq!(providers(&sb, &["GitHub"]), providers(&sb, &["github"]));
}

#[test]
fn refused_providers_explain_why_and_the_way_out() {
    let sb = Sandbox::new();
    for name in [
        "github",
        "apple",
        "firebase",
        "ldap",
        "saml",
        "microsoft-common",
    ] {
        let (code, out, err) = providers(&sb, &[name]);
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(err, "", "{name}");
        assert!(
            out.contains("cannot be used with st.login") && out.contains("Way out:"),
            "{name}: {out}"
        );
        assert_snapshot!(format!("refused_{name}"), out);
    }
}

#[test]
fn unknown_name_is_a_usage_error_with_a_hint() {
    let sb = Sandbox::new();
    let (code, out, err) = providers(&sb, &["nosuch"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("unknown provider preset 'nosuch'"), "{err}");
    assert!(err.contains("stauth providers"), "{err}");
    assert!(err.contains("--issuer"), "{err}");
    assert_snapshot!("unknown", err);

    let (code, out, _) = providers(&sb, &["nosuch", "--json"]);
    assert_eq!(code, 2);
    // The error object, for scripts (issue #10).
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON on stdout");
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["message"], "unknown provider preset 'nosuch'");
    assert_eq!(v["error"]["exit_code"], 2);
}

#[test]
fn json_catalog_matches_the_table() {
    let sb = Sandbox::new();
    let v = providers_json(&sb, &[]);
    let presets = v["presets"].as_array().expect("presets array");
    let (_, table, _) = providers(&sb, &[]);
    let rows = table_rows(&table);
    assert_eq!(presets.len(), rows.len(), "{table}");

    for (p, row) in presets.iter().zip(&rows) {
        let name = p["name"].as_str().expect("name");
        assert!(
            row.starts_with(&format!("{name} ")),
            "table row {row:?} for {name}"
        );
        assert!(p["title"].is_string(), "{name}");
        let url = p["discovery_url"].as_str().expect("discovery_url");
        assert!(url.ends_with("/.well-known/openid-configuration"), "{url}");
        let inputs = p["inputs"].as_array().expect("inputs array");
        for i in inputs {
            let id = i["id"].as_str().expect("input id");
            assert!(i["example"].is_string(), "{name} --{id}");
            assert!(i["help"].is_string(), "{name} --{id}");
            assert!(
                url.contains(&format!("{{{id}}}")),
                "{name}: {url} lacks {{{id}}}"
            );
            assert!(row.contains(&format!("--{id}")), "{row}");
        }
        // Every placeholder of the template is an input.
        let rest = inputs.iter().fold(url.to_string(), |u, i| {
            u.replace(&format!("{{{}}}", i["id"].as_str().unwrap()), "")
        });
        assert!(!rest.contains(['{', '}']), "{name}: {url}");
    }

    let refused = v["refused"].as_array().expect("refused array");
    let names: Vec<&str> = refused
        .iter()
        .flat_map(|r| r["names"].as_array().unwrap())
        .map(|n| n.as_str().unwrap())
        .collect();
    for name in [
        "github",
        "apple",
        "firebase",
        "ldap",
        "saml",
        "microsoft-common",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    for r in refused {
        assert!(r["reason"].is_string() && r["way_out"].is_string(), "{r}");
        let first = r["names"][0].as_str().unwrap();
        assert!(
            table.lines().any(|l| l.trim_start().starts_with(first)),
            "refusal {first} not in the table"
        );
    }
}

#[test]
fn json_for_one_preset_and_one_refusal() {
    let sb = Sandbox::new();
    let v = providers_json(&sb, &["keycloak"]);
    assert_eq!(v["preset"]["name"], "keycloak");
    assert_eq!(
        v["preset"]["discovery_url"],
        "https://{host}/realms/{realm}/.well-known/openid-configuration"
    );
    let ids: Vec<&str> = v["preset"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["host", "realm"]);
    assert_eq!(
        v["setup"],
        "stauth init --provider keycloak --host <HOST> --realm <REALM> --client-id <CLIENT_ID>"
    );

    let v = providers_json(&sb, &["github"]);
    assert_eq!(v["refused"]["title"], "GitHub");
    assert!(v.get("preset").is_none());
}

/// Runs `stauth init --provider NAME` offline and dry with the given preset
/// inputs; returns the JSON report.
fn init_dry(sb: &Sandbox, name: &str, inputs: &[(String, String)]) -> Value {
    let mut cmd = sb.cmd();
    cmd.args(["init", "--provider", name]);
    for (id, value) in inputs {
        cmd.arg(format!("--{id}")).arg(value);
    }
    cmd.args(["--client-id", "x", "--offline", "--dry-run", "--json"])
        .env("STAUTH_CLIENT_SECRET", SECRET);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 0, "{name} {inputs:?}: {err}");
    assert_no_secret(&[&out, &err]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{name}: stdout is not JSON: {e}\n{out}"))
}

#[test]
fn every_preset_works_with_init_using_its_examples() {
    let sb = Sandbox::new();
    let v = providers_json(&sb, &[]);
    let presets = v["presets"].as_array().unwrap();
    assert!(!presets.is_empty());

    for p in presets {
        let name = p["name"].as_str().unwrap();
        let template = p["discovery_url"].as_str().unwrap();
        let inputs = p["inputs"].as_array().unwrap();
        let example = |i: &Value| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["example"].as_str().unwrap().to_string(),
            )
        };
        if let Some(issuer) = inputs.iter().find(|i| i["id"] == "issuer") {
            assert!(
                issuer["example"].as_str().unwrap().starts_with("https://"),
                "{name}: the issuer example must be an https URL"
            );
        }

        // The required inputs only (optional ones take their default), then
        // every input.
        let required: Vec<(String, String)> = inputs
            .iter()
            .filter(|i| i["default"].is_null())
            .map(example)
            .collect();
        let all: Vec<(String, String)> = inputs.iter().map(example).collect();
        for given in [&required, &all] {
            let report = init_dry(&sb, name, given);
            assert_eq!(report["written"], false, "{name}");
            assert_eq!(report["dry_run"], true, "{name}");
            assert_eq!(report["provider"]["preset"], name);
            let url = report["provider"]["server_metadata_url"].as_str().unwrap();
            assert!(
                url.starts_with("https://") && !url.contains(['{', '}', '<', '>', ' ']),
                "{name}: {url}"
            );
            // The URL is the template with each input (given or default) in place.
            let mut expected = template.to_string();
            for i in inputs {
                let id = i["id"].as_str().unwrap();
                let value = given
                    .iter()
                    .find(|(k, _)| k == id)
                    .map(|(_, v)| v.as_str())
                    .or(i["default"].as_str())
                    .unwrap();
                expected = expected.replace(&format!("{{{id}}}"), value);
            }
            assert_eq!(url, expected, "{name}");
        }
    }
    assert!(!sb.file(".streamlit").exists(), "--dry-run wrote nothing");
}

/// Presets the catalog corrections touched or added (keycloak and microsoft
/// have their own text snapshots above): their details as a user reads them,
/// text and JSON.
const REVIEWED: &[&str] = &[
    "gitlab",
    "descope",
    "salesforce",
    "okta",
    "pingone",
    "authentik",
    "azure-b2c",
    "linkedin",
    "pocket-id",
    "hydra",
    "authelia",
];

#[test]
fn reviewed_presets_details_text_and_json() {
    let sb = Sandbox::new();
    for name in REVIEWED {
        let (code, out, err) = providers(&sb, &[name]);
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(err, "", "{name}");
        assert!(out.contains(&format!("(preset {name})")), "{name}: {out}");
        assert_snapshot!(format!("details_{name}"), out);

        let v = providers_json(&sb, &[name]);
        assert_eq!(v["preset"]["name"], *name);
        assert_snapshot!(
            format!("json_{name}"),
            serde_json::to_string_pretty(&v).unwrap()
        );
    }
}

/// The claim facts the dev provider's `--like` reads, as `--json` shows them.
#[test]
fn claim_facts_in_json() {
    let sb = Sandbox::new();
    let preset = |name: &str| providers_json(&sb, &[name])["preset"].clone();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap_or_else(|| panic!("not an array: {v}"))
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };

    // GitLab: only sub, email, email_verified and groups_direct in the ID
    // token; no logout endpoint.
    let gitlab = preset("gitlab");
    let userinfo = strings(&gitlab["userinfo_only"]);
    for claim in ["name", "picture", "groups", "nickname"] {
        assert!(userinfo.iter().any(|c| c == claim), "{claim}: {userinfo:?}");
    }
    assert!(!userinfo.iter().any(|c| c == "email"), "{userinfo:?}");
    assert_eq!(gitlab["groups_claim"], "groups_direct");
    assert_eq!(gitlab["has_picture"], false);
    assert!(gitlab["register_logout"].is_null());

    // Authelia: a minimal ID token by default, no logout endpoint.
    let authelia = preset("authelia");
    let userinfo = strings(&authelia["userinfo_only"]);
    for claim in ["email", "name", "groups"] {
        assert!(userinfo.iter().any(|c| c == claim), "{claim}: {userinfo:?}");
    }
    assert!(authelia["register_logout"].is_null());

    // Roles claims, where the provider has one apart from groups.
    assert_eq!(preset("microsoft")["roles_claim"], "roles");
    assert_eq!(preset("keycloak")["roles_claim"], "realm_access.roles");
    assert_eq!(preset("keycloak")["has_picture"], Value::Null);
    assert_eq!(preset("google")["roles_claim"], Value::Null);
    assert_eq!(strings(&preset("google")["userinfo_only"]).len(), 0);

    // Every preset has both fields, so `--like` never guesses.
    for p in providers_json(&sb, &[])["presets"].as_array().unwrap() {
        assert!(p["userinfo_only"].is_array(), "{}", p["name"]);
        assert!(
            p["roles_claim"].is_null() || p["roles_claim"].is_string(),
            "{}",
            p["name"]
        );
    }
}

#[test]
fn pingone_offers_singapore() {
    let sb = Sandbox::new();
    let report = init_dry(
        &sb,
        "pingone",
        &[
            ("region".into(), "sg".into()),
            (
                "environment-id".into(),
                "11111111-2222-3333-4444-555555555555".into(),
            ),
        ],
    );
    assert_eq!(
        report["provider"]["server_metadata_url"],
        "https://auth.pingone.sg/11111111-2222-3333-4444-555555555555/as/.well-known/openid-configuration"
    );
    let (_, out, _) = providers(&sb, &["pingone"]);
    assert!(out.contains("com.au or sg"), "{out}");
}

/// Runs `stauth init --provider NAME` offline for real (it writes the
/// secrets file) and returns what the file holds.
fn init_writes(sb: &Sandbox, args: &[&str]) -> String {
    let (code, out, err) = run(sb
        .cmd()
        .args(["init", "--streamlit-version", "1.67"])
        .args(args)
        .args(["--client-id", "x", "--offline"])
        .env("STAUTH_CLIENT_SECRET", SECRET));
    assert_eq!(code, 0, "{args:?}: {err}");
    assert_no_secret(&[&out, &err]);
    sb.secrets()
}

/// The `client_kwargs` line of the one provider entry in a secrets file.
fn client_kwargs_line(secrets: &str) -> &str {
    let lines: Vec<&str> = secrets
        .lines()
        .filter(|l| l.trim_start().starts_with("client_kwargs"))
        .collect();
    assert_eq!(lines.len(), 1, "{secrets}");
    lines[0]
}

#[test]
fn init_writes_linkedin_client_secret_post() {
    let sb = Sandbox::new();
    let secrets = init_writes(&sb, &["--provider", "linkedin"]);
    assert!(
        secrets.contains(
            "server_metadata_url = \"https://www.linkedin.com/oauth/.well-known/openid-configuration\""
        ),
        "{secrets}"
    );
    // Authlib's default client_secret_basic fails at LinkedIn, and the
    // prompt stays Streamlit's default.
    assert_eq!(
        client_kwargs_line(&secrets),
        "client_kwargs = { token_endpoint_auth_method = \"client_secret_post\" }"
    );

    // A second run keeps the file as it is.
    let again = init_writes(&sb, &["--provider", "linkedin", "--force"]);
    assert_eq!(client_kwargs_line(&again), client_kwargs_line(&secrets));
}

#[test]
fn init_keeps_a_token_endpoint_auth_method_the_user_chose() {
    let sb = Sandbox::new();
    sb.write(
        ".streamlit/secrets.toml",
        "[auth]\nclient_kwargs = { token_endpoint_auth_method = \"client_secret_basic\" }\n",
    );
    let secrets = init_writes(&sb, &["--provider", "linkedin"]);
    assert_eq!(
        client_kwargs_line(&secrets),
        "client_kwargs = { token_endpoint_auth_method = \"client_secret_basic\" }"
    );
}

#[test]
fn init_writes_prompt_login_for_pocket_id_and_hydra() {
    for (args, url) in [
        (
            &["--provider", "pocket-id", "--host", "id.example.com"][..],
            "https://id.example.com/.well-known/openid-configuration",
        ),
        (
            &[
                "--provider",
                "hydra",
                "--issuer",
                "https://hydra.example.com",
            ][..],
            "https://hydra.example.com/.well-known/openid-configuration",
        ),
    ] {
        let sb = Sandbox::new();
        let secrets = init_writes(&sb, args);
        assert!(
            secrets.contains(&format!("server_metadata_url = \"{url}\"")),
            "{secrets}"
        );
        // Both reject Streamlit's default prompt=select_account.
        assert_eq!(
            client_kwargs_line(&secrets),
            "client_kwargs = { prompt = \"login\" }",
            "{args:?}"
        );
    }
}

#[test]
fn init_names_the_authelia_claims_policy() {
    let sb = Sandbox::new();
    let (code, out, err) = run(sb
        .cmd()
        .args(["init", "--streamlit-version", "1.67"])
        .args(["--provider", "authelia", "--host", "auth.example.com"])
        .args(["--client-id", "x", "--offline"])
        .env("STAUTH_CLIENT_SECRET", SECRET));
    assert_eq!(code, 0, "{err}");
    assert!(
        format!("{out}{err}").contains("claims_policy"),
        "{out}\n{err}"
    );
    // Authelia needs no client_kwargs: Streamlit's defaults work.
    assert!(!sb.secrets().contains("client_kwargs"), "{}", sb.secrets());
}
