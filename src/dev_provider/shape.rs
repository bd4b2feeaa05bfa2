//! A user's claims as a catalog provider puts them: which names, which
//! values (group IDs, namespaced claims...), which only in userinfo, and the
//! provider's quirks (a `prompt` it rejects, the Entra groups overage).
//!
//! The data is the catalog's (`Preset::groups_claim`, `roles_claim`,
//! `userinfo_only`, `has_picture` and `shape`), so `--like` and what
//! `stauth init`, `snippet` and `providers` say come from one source.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::users::{DevUser, Placement};
use crate::catalog::{Derived, GroupValues, Preset, RoleValues};

/// The user's claims for the ID token and for userinfo (no `iss`, `aud`,
/// times or `nonce`: the server adds those).
#[derive(Debug, Clone, Default)]
pub struct Shaped {
    pub id_token: Map<String, Value>,
    pub userinfo: Map<String, Value>,
}

/// The tenant every Entra-shaped token names in `tid`.
const ENTRA_TENANT_NAME: &str = "contoso";
/// The domain of Entra-shaped `preferred_username`s for users without email.
const ENTRA_USER_DOMAIN: &str = "contoso.onmicrosoft.com";
/// Zitadel's roles claim maps each role to {organisation ID: its domain}.
const ZITADEL_ORG_ID: &str = "300000000000000001";
const ZITADEL_ORG_DOMAIN: &str = "stauth-dev.zitadel.cloud";
/// Addresses Google gives no `hd` (consumer accounts).
const GOOGLE_CONSUMER_DOMAINS: &[&str] = &["gmail.com", "googlemail.com"];

/// `user` shaped like `like` (None: as the users file says).
pub fn shape(user: &DevUser, like: Option<&'static Preset>) -> Shaped {
    let claims = match like {
        None => user
            .claims
            .iter()
            .map(|(name, value)| (name.clone(), value.clone(), user.placement_of(name)))
            .collect(),
        Some(preset) => preset_claims(user, preset),
    };
    // Only the catalog's claim names nest (`realm_access.roles`); a users
    // file writes nesting as a table, so its dotted names stay whole.
    let nests = |name: &str| {
        like.is_some_and(|p| p.groups_claim == Some(name) || p.roles_claim == Some(name))
    };
    let mut shaped = Shaped::default();
    shaped.id_token.insert("sub".into(), json!(user.sub));
    shaped.userinfo.insert("sub".into(), json!(user.sub));
    for (name, value, placement) in claims {
        if placement != Placement::Userinfo {
            insert_claim(&mut shaped.id_token, &name, value.clone(), nests(&name));
        }
        if placement != Placement::IdToken {
            insert_claim(&mut shaped.userinfo, &name, value, nests(&name));
        }
    }
    shaped
}

/// Why `like` answers an authorization asking for `prompt` with an error,
/// as that provider does; None when it accepts it. `prompt` may list
/// several values, space-separated. The error code is
/// [`rejected_prompt_error`]'s.
pub fn rejected_prompt(like: Option<&'static Preset>, prompt: &str) -> Option<String> {
    rejected_prompt_error(like, prompt).map(|(_, description)| description.to_string())
}

/// The OAuth error code and description `like` answers `prompt` with
/// (`invalid_request` for most; Pocket ID says `interaction_required`).
pub fn rejected_prompt_error(
    like: Option<&'static Preset>,
    prompt: &str,
) -> Option<(&'static str, &'static str)> {
    let rejected = like?.shape.rejected_prompts;
    prompt.split_ascii_whitespace().find_map(|asked| {
        rejected
            .iter()
            .find(|r| r.prompt == asked)
            .map(|r| (r.error, r.error_description))
    })
}

/// Token endpoint client authentication methods `like` accepts (None: both
/// `client_secret_basic` and `client_secret_post`).
pub fn token_auth_methods(like: Option<&'static Preset>) -> Option<&'static [&'static str]> {
    like?.shape.token_auth_methods
}

/// A deterministic GUID for `name` in `namespace` (SHA-256, in the UUID
/// version 8 layout), so a group or user keeps its ID across runs.
pub fn guid(namespace: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("{namespace}:{name}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A claim: name, value, where it goes.
type Claim = (String, Value, Placement);

fn preset_claims(user: &DevUser, preset: &'static Preset) -> Vec<Claim> {
    let userinfo_only = |name: &str| preset.userinfo_only.contains(&name);
    // The preset moves a claim to userinfo; otherwise the users file says.
    let place = |name: &str, own: &str| {
        if userinfo_only(name) {
            Placement::Userinfo
        } else {
            user.placement_of(own)
        }
    };
    let mut claims: Vec<Claim> = Vec::new();
    for (name, value) in &user.claims {
        match name.as_str() {
            "groups" | "roles" => continue,
            "picture" if preset.has_picture == Some(false) && !userinfo_only("picture") => continue,
            _ => claims.push((name.clone(), value.clone(), place(name, name))),
        }
    }

    let groups = string_list(user.claims.get("groups"));
    if let (Some(claim), Some(groups)) = (preset.groups_claim, &groups) {
        let overage = preset
            .shape
            .groups_overage
            .is_some_and(|max| groups.len() > max);
        if overage {
            // Entra's overage claim: the groups are to be fetched from Graph.
            let oid = guid("oid", &user.sub);
            claims.push((
                "_claim_names".into(),
                json!({"groups": "src1"}),
                place(claim, "groups"),
            ));
            claims.push((
                "_claim_sources".into(),
                json!({"src1": {"endpoint": format!("https://graph.microsoft.com/v1.0/users/{oid}/getMemberObjects")}}),
                place(claim, "groups"),
            ));
        } else {
            let values: Vec<Value> = groups
                .iter()
                .map(|g| match preset.shape.group_values {
                    GroupValues::Names => json!(g),
                    GroupValues::ObjectIds => json!(guid("group", g)),
                })
                .collect();
            claims.push((claim.into(), Value::Array(values), place(claim, "groups")));
        }
    }
    if let (Some(claim), Some(roles)) = (preset.roles_claim, string_list(user.claims.get("roles")))
    {
        let value = match preset.shape.role_values {
            RoleValues::Names => json!(roles),
            RoleValues::OrgMap => Value::Object(
                roles
                    .iter()
                    .map(|r| (r.clone(), json!({ ZITADEL_ORG_ID: ZITADEL_ORG_DOMAIN })))
                    .collect(),
            ),
        };
        claims.push((claim.into(), value, place(claim, "roles")));
    }

    for derived in preset.shape.derived {
        for (name, value) in derived_claims(*derived, user, groups.as_deref()) {
            // What the users file sets itself wins.
            if !claims.iter().any(|(n, _, _)| *n == name) {
                let placement = place(&name, &name);
                claims.push((name, value, placement));
            }
        }
    }
    claims
}

fn derived_claims(
    derived: Derived,
    user: &DevUser,
    groups: Option<&[String]>,
) -> Vec<(String, Value)> {
    let email = user.claims.get("email").and_then(Value::as_str);
    let sub = user.sub.as_str();
    let named = |pairs: Vec<(&str, Value)>| {
        pairs
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect::<Vec<_>>()
    };
    match derived {
        Derived::EntraIds => named(vec![
            ("oid", json!(guid("oid", sub))),
            ("tid", json!(guid("tenant", ENTRA_TENANT_NAME))),
            (
                "preferred_username",
                json!(email.map_or_else(|| format!("{sub}@{ENTRA_USER_DOMAIN}"), str::to_string)),
            ),
        ]),
        Derived::PreferredUsername => {
            named(vec![("preferred_username", json!(email.unwrap_or(sub)))])
        }
        Derived::CognitoUsername => named(vec![("cognito:username", json!(sub))]),
        Derived::HostedDomain => {
            let domain = email
                .and_then(|e| e.rsplit_once('@'))
                .map(|(_, d)| d.to_ascii_lowercase())
                .filter(|d| !d.is_empty() && !GOOGLE_CONSUMER_DOMAINS.contains(&d.as_str()));
            domain.map_or_else(Vec::new, |d| named(vec![("hd", json!(d))]))
        }
        Derived::GitLab => {
            let legacy: String = Sha256::digest(format!("gitlab-user:{sub}").as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let mut claims = named(vec![
                ("sub_legacy", json!(legacy)),
                ("nickname", json!(sub)),
                ("preferred_username", json!(sub)),
            ]);
            if let Some(groups) = groups {
                claims.push(("groups".into(), json!(groups)));
            }
            claims
        }
    }
}

/// A list of names from a claim: a list (non-strings as their JSON), or one
/// string. None when the user has no such claim.
fn string_list(value: Option<&Value>) -> Option<Vec<String>> {
    match value? {
        Value::Array(items) => Some(
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect(),
        ),
        Value::String(s) => Some(vec![s.clone()]),
        Value::Null => None,
        other => Some(vec![other.to_string()]),
    }
}

/// Sets `name`; when `may_nest`, a dotted name without `:` or `/`
/// (`realm_access.roles`) is a nested claim, while a URL or URN
/// (`https://example.com/roles`) is one claim whose name holds dots.
fn insert_claim(claims: &mut Map<String, Value>, name: &str, value: Value, may_nest: bool) {
    let nested = may_nest && name.contains('.') && !name.contains(':') && !name.contains('/');
    if !nested {
        claims.insert(name.to_string(), value);
        return;
    }
    let mut parts: Vec<&str> = name.split('.').collect();
    let last = parts.pop().unwrap_or(name);
    let mut object = claims;
    for part in parts {
        let slot = object
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        object = slot.as_object_mut().expect("made an object above");
    }
    object.insert(last.to_string(), value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{self, PRESETS};
    use crate::dev_provider::users::samples;

    fn user(sub: &str) -> DevUser {
        samples().find(sub).unwrap().clone()
    }

    fn preset(name: &str) -> &'static Preset {
        catalog::preset(name).unwrap()
    }

    /// A claim by the catalog's name: whole, or nested when dotted.
    fn claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
        claims.get(name).or_else(|| {
            let mut parts = name.split('.');
            let mut value = claims.get(parts.next()?)?;
            for part in parts {
                value = value.get(part)?;
            }
            Some(value)
        })
    }

    /// The names in a groups or roles claim (a list, or an object's keys).
    fn names(value: Option<&Value>) -> Vec<String> {
        match value {
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect(),
            Some(Value::Object(members)) => members.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// What `stauth snippet roles` (templates/roles.py.j2, _claims.j2) admits
    /// for a lone provider of this preset, reading the ID token (all
    /// Streamlit sees): `groups="admins"` when it has a groups claim of
    /// names, `roles="admin"` when it has a roles claim or no groups claim
    /// of names; a dotted claim name is a nested claim, an object's keys
    /// are its values (Zitadel).
    fn roles_snippet_admits(preset: &Preset, id_token: &Map<String, Value>) -> bool {
        let claim = |name: &str| -> Option<&Value> {
            if let Some(v) = id_token.get(name) {
                return Some(v);
            }
            if !name.contains('.') || name.contains(':') || name.contains('/') {
                return None;
            }
            let mut parts = name.split('.');
            let mut value = id_token.get(parts.next()?)?;
            for part in parts {
                value = value.get(part)?;
            }
            Some(value)
        };
        let group_names = preset
            .groups_claim
            .filter(|_| preset.shape.group_values != GroupValues::ObjectIds);
        let by_groups =
            group_names.is_some_and(|g| names(claim(g)).contains(&"admins".to_string()));
        let roles_demo = group_names.is_none() || preset.roles_claim.is_some();
        let by_roles = roles_demo
            && names(claim(preset.roles_claim.unwrap_or("roles"))).contains(&"admin".to_string());
        by_groups || by_roles
    }

    #[test]
    fn every_preset_shapes_alice_as_its_catalog_entry_says() {
        let alice = user("alice");
        for preset in PRESETS {
            let name = preset.name;
            let shaped = shape(&alice, Some(preset));
            let (id, info) = (&shaped.id_token, &shaped.userinfo);
            assert_eq!(id["sub"], "alice", "{name}");
            assert_eq!(info["sub"], "alice", "{name}");
            let home = |claim: &str| {
                if preset.userinfo_only.contains(&claim) {
                    info
                } else {
                    id
                }
            };
            for only in preset.userinfo_only {
                assert!(!id.contains_key(*only), "{name}: {only} in the ID token");
            }
            for claim in ["email", "name"] {
                assert!(home(claim).contains_key(claim), "{name}: no {claim}");
            }
            match preset.groups_claim {
                Some(groups) => {
                    let expected = match preset.shape.group_values {
                        GroupValues::Names => "admins".to_string(),
                        GroupValues::ObjectIds => guid("group", "admins"),
                    };
                    let got = names(claim(home(groups), groups));
                    assert_eq!(got, [expected], "{name}: {groups}");
                }
                None => {
                    assert!(!id.contains_key("groups"), "{name}");
                    assert!(!info.contains_key("groups"), "{name}");
                }
            }
            match preset.roles_claim {
                Some(roles) => {
                    let got = names(claim(home(roles), roles));
                    assert_eq!(got, ["admin"], "{name}: {roles} in {id:?}");
                }
                None => assert!(!id.contains_key("roles"), "{name}"),
            }
            let picture = home("picture").contains_key("picture");
            assert_eq!(
                picture,
                preset.has_picture != Some(false) || preset.userinfo_only.contains(&"picture"),
                "{name}"
            );
            if preset.has_picture == Some(false) {
                assert!(!id.contains_key("picture"), "{name}");
            }
        }
    }

    #[test]
    fn the_roles_snippet_admits_alice_and_refuses_bob_where_the_id_token_can_say() {
        let (alice, bob) = (user("alice"), user("bob"));
        let mut cannot = Vec::new();
        for preset in PRESETS {
            let shaped_bob = shape(&bob, Some(preset));
            assert!(
                !roles_snippet_admits(preset, &shaped_bob.id_token),
                "{}",
                preset.name
            );
            if !roles_snippet_admits(preset, &shape(&alice, Some(preset)).id_token) {
                cannot.push(preset.name);
            }
        }
        // No groups or roles claim by default; Authelia sends groups only in
        // userinfo.
        assert_eq!(
            cannot,
            [
                "google",
                "azure-b2c",
                "salesforce",
                "onelogin",
                "pingone",
                "logto",
                "kinde",
                "descope",
                "clerk",
                "casdoor",
                "linkedin",
                "authelia",
                "hydra",
                "generic"
            ]
        );
    }

    #[test]
    fn entra_shape_ids_and_the_groups_overage() {
        let microsoft = preset("microsoft");
        let alice = shape(&user("alice"), Some(microsoft)).id_token;
        assert_eq!(alice["oid"], guid("oid", "alice"));
        assert_eq!(alice["tid"], guid("tenant", "contoso"));
        assert_eq!(alice["preferred_username"], "alice@example.com");
        assert_eq!(alice["roles"], json!(["admin"]));
        assert!(!alice.contains_key("_claim_names"));
        let carol = shape(&user("carol"), Some(microsoft)).id_token;
        assert_eq!(carol["preferred_username"], "carol@contoso.onmicrosoft.com");

        for name in ["microsoft", "entra-external-id"] {
            let dave = shape(&user("dave"), Some(preset(name)));
            for claims in [&dave.id_token, &dave.userinfo] {
                assert!(!claims.contains_key("groups"), "{name}");
                assert_eq!(claims["_claim_names"], json!({"groups": "src1"}));
                let oid = guid("oid", "dave");
                assert_eq!(
                    claims["_claim_sources"]["src1"]["endpoint"],
                    format!("https://graph.microsoft.com/v1.0/users/{oid}/getMemberObjects")
                );
            }
        }
        // 200 groups still fit.
        let mut two_hundred = user("dave");
        let groups: Vec<String> = (1..=200).map(|i| format!("g{i}")).collect();
        two_hundred.claims.insert("groups".into(), json!(groups));
        let id = shape(&two_hundred, Some(microsoft)).id_token;
        assert_eq!(id["groups"].as_array().unwrap().len(), 200);
        // Other presets keep all 300.
        let okta = shape(&user("dave"), Some(preset("okta"))).id_token;
        assert_eq!(okta["groups"].as_array().unwrap().len(), 300);
    }

    #[test]
    fn guids_are_deterministic_and_well_formed() {
        let a = guid("group", "admins");
        assert_eq!(a, guid("group", "admins"));
        assert_ne!(a, guid("group", "users"));
        assert_ne!(a, guid("oid", "admins"));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(a
            .chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(&parts[2][..1], "8");
        assert!("89ab".contains(&parts[3][..1]));
    }

    #[test]
    fn provider_specific_claims() {
        let alice = user("alice");
        let cognito = shape(&alice, Some(preset("cognito"))).id_token;
        assert_eq!(cognito["cognito:username"], "alice");
        assert_eq!(cognito["cognito:groups"], json!(["admins"]));
        assert!(!cognito.contains_key("roles"));

        let keycloak = shape(&alice, Some(preset("keycloak"))).id_token;
        assert_eq!(keycloak["realm_access"], json!({"roles": ["admin"]}));
        assert_eq!(keycloak["preferred_username"], "alice@example.com");

        let auth0 = shape(&alice, Some(preset("auth0"))).id_token;
        assert_eq!(auth0["https://stauth.dev/roles"], json!(["admin"]));
        assert_eq!(auth0["https://stauth.dev/groups"], json!(["admins"]));
        assert!(!auth0.contains_key("roles") && !auth0.contains_key("groups"));

        let google = shape(&alice, Some(preset("google"))).id_token;
        assert_eq!(google["hd"], "example.com");
        assert!(!google.contains_key("groups") && !google.contains_key("roles"));
        let mut gmail = alice.clone();
        gmail
            .claims
            .insert("email".into(), json!("alice@gmail.com"));
        assert!(!shape(&gmail, Some(preset("google")))
            .id_token
            .contains_key("hd"));

        let gitlab = shape(&alice, Some(preset("gitlab")));
        assert_eq!(gitlab.id_token["groups_direct"], json!(["admins"]));
        assert_eq!(gitlab.id_token["sub_legacy"].as_str().unwrap().len(), 64);
        for only_in_userinfo in [
            "name",
            "nickname",
            "preferred_username",
            "picture",
            "groups",
        ] {
            assert!(!gitlab.id_token.contains_key(only_in_userinfo));
            assert!(
                gitlab.userinfo.contains_key(only_in_userinfo),
                "{only_in_userinfo}"
            );
        }
        assert_eq!(gitlab.userinfo["groups"], json!(["admins"]));

        let zitadel = shape(&alice, Some(preset("zitadel")));
        assert_eq!(
            zitadel.id_token["urn:zitadel:iam:org:project:roles"],
            json!({"admin": {ZITADEL_ORG_ID: ZITADEL_ORG_DOMAIN}})
        );
        assert!(!zitadel.id_token.contains_key("email"));
        assert_eq!(zitadel.userinfo["email"], "alice@example.com");
    }

    #[test]
    fn without_like_the_users_file_places_claims() {
        let text = r#"
[[user]]
sub = "erin"
groups = ["admins"]
"a.b" = 1
realm_access = { roles = ["admin"] }
secret_level = 3
department = "Finance"
userinfo_only = ["department"]
id_token_only = ["secret_level"]
"#;
        let erin = crate::dev_provider::users::parse(std::path::Path::new("u.toml"), text)
            .unwrap()
            .remove(0);
        let shaped = shape(&erin, None);
        assert_eq!(shaped.id_token["a.b"], 1);
        assert_eq!(shaped.id_token["realm_access"], json!({"roles": ["admin"]}));
        assert_eq!(shaped.id_token["groups"], json!(["admins"]));
        assert!(!shaped.id_token.contains_key("department"));
        assert_eq!(shaped.userinfo["department"], "Finance");
        assert_eq!(shaped.id_token["secret_level"], 3);
        assert!(!shaped.userinfo.contains_key("secret_level"));
        // With --like the users file's placement still holds for its own claims.
        let okta = shape(&erin, Some(preset("okta")));
        assert!(!okta.id_token.contains_key("department"));
        assert_eq!(okta.userinfo["department"], "Finance");
        // A claim the users file sets itself beats a derived one.
        let mut named = user("alice");
        named
            .claims
            .insert("preferred_username".into(), json!("al"));
        assert_eq!(
            shape(&named, Some(preset("okta"))).id_token["preferred_username"],
            "al"
        );
    }

    #[test]
    fn rejected_prompts_match_the_catalog_quirks() {
        for preset in PRESETS {
            let says_so = preset
                .quirks
                .iter()
                .any(|q| q.contains("rejects prompt=select_account"));
            let rejected = rejected_prompt(Some(preset), "select_account");
            assert_eq!(says_so, rejected.is_some(), "{}", preset.name);
            assert_eq!(rejected_prompt(Some(preset), "login"), None);
            assert_eq!(rejected_prompt(Some(preset), "consent"), None);
        }
        let hydra = rejected_prompt(Some(preset("hydra")), "login select_account").unwrap();
        assert!(hydra.contains("Used unknown value '[select_account]' for prompt parameter"));
        assert!(rejected_prompt(Some(preset("logto")), "select_account").is_some());
        assert_eq!(
            rejected_prompt_error(Some(preset("pocket-id")), "select_account")
                .unwrap()
                .0,
            "interaction_required"
        );
        assert_eq!(
            rejected_prompt_error(Some(preset("hydra")), "select_account")
                .unwrap()
                .0,
            "invalid_request"
        );
        assert_eq!(rejected_prompt(None, "select_account"), None);
    }

    #[test]
    fn token_auth_methods_match_the_client_kwargs() {
        for preset in PRESETS {
            let post_only = preset
                .client_kwargs
                .contains(&("token_endpoint_auth_method", "client_secret_post"));
            let methods = token_auth_methods(Some(preset));
            assert_eq!(
                methods,
                post_only.then_some(&["client_secret_post"][..]),
                "{}",
                preset.name
            );
        }
        assert_eq!(token_auth_methods(None), None);
    }
}
