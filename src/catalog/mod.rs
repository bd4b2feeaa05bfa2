//! The provider catalog: what stauth knows about each OpenID Connect provider
//! that Streamlit users pick, and the ones that can never work with `st.login`.
//!
//! The data lives in `presets.rs` (one table); this module holds the types and
//! the look-ups every command shares.

mod presets;

pub use presets::{PRESETS, REFUSALS};

/// One value the user supplies to build a preset's discovery URL
/// (e.g. the Microsoft tenant). `id` is also the `stauth init` flag name
/// (`--tenant`) and the `{placeholder}` in [`Preset::discovery_url`].
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct InputSpec {
    pub id: &'static str,
    /// A short prompt / help line, e.g. "Directory (tenant) ID or verified domain".
    pub help: &'static str,
    /// An example value shown in prompts and docs.
    pub example: &'static str,
    /// Whether the value is a host name (optionally with port and path prefix):
    /// such inputs accept a pasted `https://` URL and are normalised.
    pub is_host: bool,
    /// Optional inputs may be left out; the preset then uses `default`.
    pub default: Option<&'static str>,
}

/// A usable provider preset.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Preset {
    /// The preset name used on the command line (`--provider auth0`).
    pub name: &'static str,
    /// Human title ("Microsoft Entra ID (single tenant)").
    pub title: &'static str,
    /// One line for the `stauth providers` table.
    pub summary: &'static str,
    /// Values the user supplies; each `{id}` in `discovery_url` is one of them.
    pub inputs: &'static [InputSpec],
    /// Discovery URL template for `server_metadata_url`.
    pub discovery_url: &'static str,
    /// What the issuer looks like, and any quirk about it.
    pub issuer_note: &'static str,
    /// True when the discovery `issuer` legitimately differs from the
    /// discovery URL's base (so stauth does not warn about it).
    pub issuer_differs_from_url: bool,
    /// Which kind of application/client to create in the provider console.
    pub app_type: &'static str,
    /// Where in the console the redirect URI (callback URL) is registered.
    pub register_redirect: &'static str,
    /// Where the post-logout redirect URI is registered (None: provider has no
    /// RP-initiated logout, so there is nothing to register).
    pub register_logout: Option<&'static str>,
    /// Quirks a user must know, one sentence each.
    pub quirks: &'static [&'static str],
    /// Warnings `stauth init` prints for this preset, one sentence each.
    pub init_warnings: &'static [&'static str],
    /// `client_kwargs` the preset sets (key, TOML string value).
    pub client_kwargs: &'static [(&'static str, &'static str)],
    /// The ID token claim that holds groups or roles, if the provider has one.
    pub groups_claim: Option<&'static str>,
    /// Whether the ID token carries a `picture` claim (None: unknown/depends).
    pub has_picture: Option<bool>,
    /// User claims the provider, as set up by default, puts only in userinfo
    /// and not in the ID token. Streamlit reads only the ID token, so these
    /// never reach `st.user` (the dev provider's `--like` reproduces this).
    pub userinfo_only: &'static [&'static str],
    /// The ID token claim that holds app roles, when the provider has one
    /// apart from [`Preset::groups_claim`]; a dotted name is a nested claim
    /// (`realm_access.roles`).
    pub roles_claim: Option<&'static str>,
    /// How the provider puts a user's claims in its tokens: what the dev
    /// provider's `--like` imitates, beside the claims named above.
    pub shape: TokenShape,
}

/// How a provider writes a user's groups, roles and derived claims into its
/// tokens, and the quirks of its endpoints that trip `st.login`. Groups go
/// to [`Preset::groups_claim`] and roles to [`Preset::roles_claim`] (none
/// when unset); [`Preset::userinfo_only`] claims stay out of the ID token.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct TokenShape {
    /// What the groups claim holds.
    pub group_values: GroupValues,
    /// Past this many groups the provider leaves the groups claim out and
    /// points at where to fetch them (Entra's "groups overage").
    pub groups_overage: Option<usize>,
    /// What the roles claim holds.
    pub role_values: RoleValues,
    /// Claims the provider derives from the user's own.
    pub derived: &'static [Derived],
    /// `prompt` values the authorization endpoint refuses.
    pub rejected_prompts: &'static [RejectedPrompt],
    /// The only client authentication methods the token endpoint accepts
    /// (None: `client_secret_basic` and `client_secret_post`).
    pub token_auth_methods: Option<&'static [&'static str]>,
}

/// The shape of most providers: groups and roles as lists of names.
pub const PLAIN: TokenShape = TokenShape {
    group_values: GroupValues::Names,
    groups_overage: None,
    role_values: RoleValues::Names,
    derived: &[],
    rejected_prompts: &[],
    token_auth_methods: None,
};

/// A `prompt` value the provider answers with an error.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct RejectedPrompt {
    pub prompt: &'static str,
    /// The OAuth error code (`invalid_request`, `interaction_required`).
    pub error: &'static str,
    /// The provider's `error_description`.
    pub error_description: &'static str,
}

/// What a groups claim holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupValues {
    /// The group names.
    Names,
    /// Object IDs (GUIDs), one per group, never the names (Microsoft).
    ObjectIds,
}

/// What a roles claim holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleValues {
    /// A list of role names.
    Names,
    /// An object keyed by role name, each mapping the organisation ID to its
    /// domain (Zitadel's project roles).
    OrgMap,
}

/// A claim a provider derives from the user's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Derived {
    /// Entra's `oid` (object ID), `tid` (tenant ID) and `preferred_username`
    /// (the sign-in name: the email, else `sub@contoso.onmicrosoft.com`).
    EntraIds,
    /// `preferred_username`: the email, else `sub`.
    PreferredUsername,
    /// Cognito's `cognito:username` (the user name, here `sub`).
    CognitoUsername,
    /// Google's `hd`: the domain of a Google Workspace (non-Gmail) address.
    HostedDomain,
    /// GitLab's `sub_legacy`, `nickname`, `preferred_username`, and every
    /// group in `groups` beside the direct ones in `groups_direct`.
    #[serde(rename = "gitlab")]
    GitLab,
}

/// A provider that cannot work with `st.login`, with the reason and a way out.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Refusal {
    /// Names (and aliases) the user may type, lowercase.
    pub names: &'static [&'static str],
    pub title: &'static str,
    pub reason: &'static str,
    pub way_out: &'static str,
}

/// Find a usable preset by name (case-insensitive).
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// Find a refusal by any of its names (case-insensitive).
pub fn refusal(name: &str) -> Option<&'static Refusal> {
    REFUSALS
        .iter()
        .find(|r| r.names.iter().any(|n| n.eq_ignore_ascii_case(name)))
}

/// The preset a `server_metadata_url` was built from, for facts such as
/// [`Preset::groups_claim`] and [`Preset::has_picture`]. Each preset's
/// [`Preset::discovery_url`] is a pattern: a `{placeholder}` matches any
/// non-empty value without `/` (`{issuer}` may hold `/`), and `http://` counts
/// as `https://` (loopback providers). The pattern with the most fixed text
/// wins. Patterns that tie (`https://{domain}/...` fits Auth0, Okta, Zitadel,
/// Clerk...) are told apart by the host's domain when it is the domain of the
/// preset's example (`dev-123456.okta.com` → `okta.com`); otherwise the URL
/// is ambiguous and the answer is None, as it is for a URL no preset fits.
pub fn preset_for_metadata_url(url: &str) -> Option<&'static Preset> {
    let url = url.trim().to_ascii_lowercase();
    let url = match url.strip_prefix("http://") {
        Some(rest) => format!("https://{rest}"),
        None => url,
    };
    let mut best: Vec<(&'static Preset, Vec<(&'static str, String)>)> = Vec::new();
    let mut best_score = 0;
    for preset in PRESETS {
        let Some(values) = match_pattern(preset.discovery_url, &url) else {
            continue;
        };
        let score = fixed_text_len(preset.discovery_url);
        if score > best_score {
            best_score = score;
            best.clear();
        }
        if score == best_score {
            best.push((preset, values));
        }
    }
    if best.len() <= 1 {
        return best.pop().map(|(p, _)| p);
    }
    let mut by_domain = best.iter().filter(|(preset, values)| {
        values.iter().any(|(id, value)| {
            preset
                .inputs
                .iter()
                .find(|i| i.id == *id)
                .and_then(|i| example_domain(i.example))
                .is_some_and(|d| *value == d || value.ends_with(&format!(".{d}")))
        })
    });
    match (by_domain.next(), by_domain.next()) {
        (Some((preset, _)), None) => Some(preset),
        _ => None,
    }
}

/// The last two labels of an example host (`dev-123456.okta.com` →
/// `okta.com`), unless it is a placeholder domain such as example.com.
fn example_domain(example: &str) -> Option<String> {
    let host = example.trim_start_matches("https://").to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty() || l.contains('/')) {
        return None;
    }
    let domain = labels[labels.len() - 2..].join(".");
    (labels[labels.len() - 2] != "example").then_some(domain)
}

/// Characters of a discovery URL pattern outside its placeholders.
fn fixed_text_len(pattern: &str) -> usize {
    let mut len = 0;
    let mut in_placeholder = false;
    for c in pattern.chars() {
        match c {
            '{' => in_placeholder = true,
            '}' => in_placeholder = false,
            _ if !in_placeholder => len += 1,
            _ => {}
        }
    }
    len
}

/// Matches `url` against a discovery URL pattern, returning each
/// placeholder's value. Both are expected in lower case.
fn match_pattern(pattern: &str, url: &str) -> Option<Vec<(&'static str, String)>> {
    fn go(
        pattern: &str,
        url: &str,
        ids: &[&'static str],
        values: &mut Vec<(&'static str, String)>,
    ) -> bool {
        let Some(open) = pattern.find('{') else {
            return pattern == url;
        };
        let Some(rest) = url.strip_prefix(&pattern[..open]) else {
            return false;
        };
        let Some(close) = pattern[open..].find('}').map(|c| open + c) else {
            return false;
        };
        let name = &pattern[open + 1..close];
        let Some(id) = ids.iter().find(|id| **id == name) else {
            return false;
        };
        let after = &pattern[close + 1..];
        let spans_slashes = name == "issuer";
        for (end, c) in rest.char_indices().map(|(i, c)| (i + c.len_utf8(), c)) {
            if c == '/' && !spans_slashes {
                break;
            }
            values.push((*id, rest[..end].to_string()));
            if go(after, &rest[end..], ids, values) {
                return true;
            }
            values.pop();
        }
        false
    }
    let ids: Vec<&'static str> = PRESETS
        .iter()
        .flat_map(|p| p.inputs.iter().map(|i| i.id))
        .collect();
    let mut values = Vec::new();
    go(&pattern.to_ascii_lowercase(), url, &ids, &mut values).then_some(values)
}

/// Preset inputs whose values make the preset unusable, e.g. Microsoft with
/// tenant `common`: (preset name, input id, value, refusal name).
pub(crate) const REFUSED_INPUTS: &[(&str, &str, &str, &str)] = &[
    ("microsoft", "tenant", "common", "microsoft-common"),
    (
        "microsoft",
        "tenant",
        "organizations",
        "microsoft-organizations",
    ),
];

/// The refusal that applies to a preset given the user's inputs, if any.
pub fn refusal_for_inputs<'a>(
    preset: &Preset,
    value_of: impl Fn(&str) -> Option<&'a str>,
) -> Option<&'static Refusal> {
    REFUSED_INPUTS
        .iter()
        .find(|(p, input, value, _)| {
            *p == preset.name && value_of(input).is_some_and(|v| v.eq_ignore_ascii_case(value))
        })
        .and_then(|(_, _, _, refusal_name)| refusal(refusal_name))
}

/// Builds a preset's discovery URL from the user's inputs. Host-like inputs
/// accept a pasted URL; plain http is accepted only for loopback hosts.
/// Returns the ids of missing inputs, or the first invalid value.
pub fn discovery_url(
    preset: &Preset,
    value_of: impl Fn(&str) -> Option<String>,
) -> Result<String, InputProblem> {
    let missing: Vec<&'static str> = preset
        .inputs
        .iter()
        .filter(|i| i.default.is_none() && value_of(i.id).is_none_or(|v| v.trim().is_empty()))
        .map(|i| i.id)
        .collect();
    if !missing.is_empty() {
        return Err(InputProblem::Missing(missing));
    }
    let mut url = preset.discovery_url.to_string();
    let mut plain_http = false;
    for input in preset.inputs {
        let raw = value_of(input.id)
            .filter(|v| !v.trim().is_empty())
            .or(input.default.map(str::to_string))
            .unwrap_or_default();
        let (value, http) = normalise_input(input, raw.trim())?;
        plain_http |= http;
        url = url.replace(&format!("{{{}}}", input.id), &value);
    }
    if plain_http {
        url = url.replacen("https://", "http://", 1);
    }
    let parsed = url::Url::parse(&url).map_err(|e| InputProblem::Invalid {
        id: "metadata-url",
        value: url.clone(),
        reason: e.to_string(),
    })?;
    if let Some(reason) = crate::oidc::url_policy::provider_url_problem(&parsed) {
        return Err(InputProblem::Invalid {
            id: "metadata-url",
            value: url,
            reason,
        });
    }
    Ok(url)
}

/// Why a preset's inputs cannot build a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputProblem {
    Missing(Vec<&'static str>),
    Invalid {
        id: &'static str,
        value: String,
        reason: String,
    },
}

fn normalise_input(input: &InputSpec, raw: &str) -> Result<(String, bool), InputProblem> {
    let invalid = |reason: &str| InputProblem::Invalid {
        id: input.id,
        value: raw.to_string(),
        reason: reason.to_string(),
    };
    if input.id == "issuer" {
        let issuer = raw
            .trim_end_matches('/')
            .trim_end_matches("/.well-known/openid-configuration")
            .trim_end_matches('/');
        let parsed = url::Url::parse(issuer).map_err(|e| invalid(&e.to_string()))?;
        if let Some(reason) = crate::oidc::url_policy::provider_url_problem(&parsed) {
            return Err(invalid(&reason));
        }
        return Ok((issuer.to_string(), false));
    }
    if input.is_host {
        let (rest, http) = if let Some(r) = raw.strip_prefix("https://") {
            (r, false)
        } else if let Some(r) = raw.strip_prefix("http://") {
            (r, true)
        } else {
            (raw, false)
        };
        let rest = rest.trim_end_matches('/');
        if rest.is_empty() || rest.contains(char::is_whitespace) || rest.contains(['?', '#']) {
            return Err(invalid("expected a host name such as sso.example.com"));
        }
        return Ok((rest.to_string(), http));
    }
    if raw.contains(char::is_whitespace) || raw.contains(['/', '?', '#']) {
        return Err(invalid("expected a single value without spaces or slashes"));
    }
    Ok((raw.to_string(), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        move |id| pairs.iter().find(|(k, _)| k == id).map(|(_, v)| v.clone())
    }

    #[test]
    fn builds_urls() {
        let ms = preset("microsoft").unwrap();
        assert_eq!(
            discovery_url(ms, inputs(&[("tenant", "contoso.com")])).unwrap(),
            "https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration"
        );
        let auth0 = preset("auth0").unwrap();
        assert_eq!(
            discovery_url(auth0, inputs(&[("domain", "https://me.eu.auth0.com/")])).unwrap(),
            "https://me.eu.auth0.com/.well-known/openid-configuration"
        );
        let generic = preset("generic").unwrap();
        assert_eq!(
            discovery_url(generic, inputs(&[("issuer", "http://127.0.0.1:9000/")])).unwrap(),
            "http://127.0.0.1:9000/.well-known/openid-configuration"
        );
    }

    #[test]
    fn missing_and_invalid() {
        let ms = preset("microsoft").unwrap();
        assert_eq!(
            discovery_url(ms, inputs(&[])),
            Err(InputProblem::Missing(vec!["tenant"]))
        );
        let kc = preset("keycloak").unwrap();
        let err = discovery_url(
            kc,
            inputs(&[("host", "http://sso.example.com"), ("realm", "x")]),
        );
        assert!(matches!(err, Err(InputProblem::Invalid { .. })), "{err:?}");
        let generic = preset("generic").unwrap();
        assert!(discovery_url(generic, inputs(&[("issuer", "http://idp.example.com")])).is_err());
    }

    #[test]
    fn microsoft_common_is_refused() {
        let ms = preset("microsoft").unwrap();
        let r = refusal_for_inputs(ms, |id| (id == "tenant").then_some("Common")).unwrap();
        assert!(r.names.contains(&"microsoft-common"));
        assert!(refusal_for_inputs(ms, |_| Some("consumers")).is_none());
    }

    #[test]
    fn preset_from_metadata_url() {
        let name = |url: &str| preset_for_metadata_url(url).map(|p| p.name);
        let wk = "/.well-known/openid-configuration";
        assert_eq!(
            name(&format!("https://accounts.google.com{wk}")),
            Some("google")
        );
        assert_eq!(
            name(&format!(
                "https://login.microsoftonline.com/contoso.com/v2.0{wk}"
            )),
            Some("microsoft")
        );
        assert_eq!(
            name(&format!(
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC{wk}"
            )),
            Some("cognito")
        );
        assert_eq!(
            name(&format!("https://sso.example.com/realms/Main{wk}")),
            Some("keycloak")
        );
        assert_eq!(
            name(&format!("http://127.0.0.1:8080/realms/main{wk}")),
            Some("keycloak")
        );
        // `https://{domain}/...` fits several presets: the host's domain decides.
        assert_eq!(name(&format!("https://dev-1.okta.com{wk}")), Some("okta"));
        assert_eq!(
            name(&format!("https://dev-1.okta.com/oauth2/default{wk}")),
            Some("okta-custom")
        );
        assert_eq!(
            name(&format!("https://acme.eu.auth0.com{wk}")),
            Some("auth0")
        );
        assert_eq!(
            name(&format!("https://x.zitadel.cloud{wk}")),
            Some("zitadel")
        );
        assert_eq!(name(&format!("https://login.example.org{wk}")), None);
        assert_eq!(name(&format!("http://127.0.0.1:3000{wk}")), None);
        assert_eq!(name("https://accounts.google.com/"), None);
        assert_eq!(name(""), None);
        assert_eq!(
            name(&format!("https://www.linkedin.com/oauth{wk}")),
            Some("linkedin")
        );
        // Self-hosted presets on a bare host are told apart by nothing.
        assert_eq!(name(&format!("https://id.example.com{wk}")), None);
    }

    #[test]
    fn preset_facts_agree() {
        for p in PRESETS {
            // init writes every client_kwarg of the preset and says why.
            for (key, value) in p.client_kwargs {
                let line = format!("{key} = \"{value}\"");
                assert!(
                    p.init_warnings.iter().any(|w| w.contains(&line)),
                    "{}: no init warning explains {line}",
                    p.name
                );
            }
            // A picture that lives only in userinfo never reaches st.user.
            if p.userinfo_only.contains(&"picture") {
                assert_ne!(p.has_picture, Some(true), "{}", p.name);
            }
            // No logout endpoint: the quirks say logout is local.
            if p.register_logout.is_none() {
                assert!(
                    p.quirks.iter().any(|q| q.contains("end_session_endpoint")),
                    "{}: logout is local but no quirk says so",
                    p.name
                );
            }
        }
    }
}
