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
