//! What Streamlit will do with a provider, judged from its discovery document:
//! the issuer it will demand, PKCE, the `prompt` it sends, the signing
//! algorithms it accepts, and what `st.logout()` will do.

use crate::finding::Finding;
use crate::oidc::Discovery;

use super::schema::{DEFAULT_PROMPT, DEFAULT_SCOPE};

/// The request settings that matter for the assessment.
#[derive(Debug, Clone, Default)]
pub struct RequestSettings {
    /// `client_kwargs.scope`, if set.
    pub scope: Option<String>,
    /// `client_kwargs.prompt`, if set (explicitly or by a preset).
    pub prompt: Option<String>,
    /// The provider's issuer is known to differ from the discovery URL's base.
    pub issuer_may_differ: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Assessment {
    pub findings: Vec<Finding>,
    /// A `client_kwargs.prompt` value that Streamlit must send instead of its
    /// default, because the provider rejects `select_account`.
    pub prompt_override: Option<String>,
}

impl Assessment {
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == crate::finding::Severity::Error)
    }
}

pub const WELL_KNOWN: &str = "/.well-known/openid-configuration";

/// The discovery URL Streamlit needs for an issuer.
pub fn discovery_url_for_issuer(issuer: &str) -> String {
    format!("{}{WELL_KNOWN}", issuer.trim_end_matches('/'))
}

pub fn assess(discovery: &Discovery, settings: &RequestSettings) -> Assessment {
    let mut a = Assessment::default();
    check_issuer(discovery, settings, &mut a);
    check_response_type(discovery, &mut a);
    check_pkce(discovery, &mut a);
    check_prompt(discovery, settings, &mut a);
    check_scope(discovery, settings, &mut a);
    check_signing(discovery, &mut a);
    check_logout(discovery, &mut a);
    a
}

fn check_issuer(d: &Discovery, settings: &RequestSettings, a: &mut Assessment) {
    let issuer = d.issuer();
    if issuer.contains('{') || issuer.contains('}') {
        a.findings.push(
            Finding::error(
                "discovery.issuer_placeholder",
                format!("the issuer is a template: {issuer}"),
            )
            .why("Streamlit compares every ID token's iss to this text exactly, so every login fails with invalid_claim 'iss' (streamlit#11391). Microsoft's 'common' and 'organizations' endpoints do this.")
            .fix("use a single-tenant URL: stauth init --provider microsoft --tenant <tenant-id> (or --tenant consumers for personal accounts)"),
        );
        return;
    }
    let base = d.url.strip_suffix(WELL_KNOWN).unwrap_or(&d.url);
    if issuer.trim_end_matches('/') == base.trim_end_matches('/') || settings.issuer_may_differ {
        a.findings
            .push(Finding::ok("discovery.issuer", format!("issuer {issuer}")));
    } else {
        a.findings.push(
            Finding::warning(
                "discovery.issuer_mismatch",
                format!("the issuer {issuer} differs from the address the document came from ({base})"),
            )
            .why(format!("Streamlit accepts only ID tokens whose iss is exactly {issuer}; if the provider issues tokens under its URL instead, every login fails with invalid_claim 'iss'."))
            .fix("check the provider's public URL (issuer / frontend URL setting) so that it matches the address users reach it at"),
        );
    }
}

fn check_response_type(d: &Discovery, a: &mut Assessment) {
    if let Some(types) = d.list("response_types_supported") {
        if !types.contains(&"code") {
            a.findings.push(
                Finding::warning(
                    "discovery.response_type",
                    format!(
                        "response_types_supported ({}) lacks 'code'",
                        types.join(", ")
                    ),
                )
                .why("Streamlit always uses the authorization code flow (response_type=code)."),
            );
        }
    }
}

fn check_pkce(d: &Discovery, a: &mut Assessment) {
    let s256 = d
        .list("code_challenge_methods_supported")
        .is_some_and(|m| m.contains(&"S256"));
    if s256 {
        a.findings.push(Finding::ok(
            "discovery.pkce",
            "Streamlit will use PKCE (S256): the provider advertises it",
        ));
    } else {
        a.findings.push(
            Finding::info(
                "discovery.pkce",
                "Streamlit will not send PKCE: the provider does not advertise S256",
            )
            .fix("if the provider requires PKCE anyway, add code_challenge_method = \"S256\" to client_kwargs"),
        );
    }
}

fn check_prompt(d: &Discovery, settings: &RequestSettings, a: &mut Assessment) {
    let Some(supported) = d.list("prompt_values_supported") else {
        return;
    };
    let explicit = settings.prompt.as_deref();
    let effective = explicit.unwrap_or(DEFAULT_PROMPT);
    let unsupported: Vec<&str> = effective
        .split_whitespace()
        .filter(|p| !supported.contains(p))
        .collect();
    if unsupported.is_empty() {
        a.findings.push(Finding::ok(
            "discovery.prompt",
            format!("prompt={effective} is supported"),
        ));
        return;
    }
    if explicit.is_none() {
        let replacement = ["login", "consent"]
            .into_iter()
            .find(|p| supported.contains(p))
            .unwrap_or("login");
        a.prompt_override = Some(replacement.to_string());
        a.findings.push(
            Finding::warning(
                "discovery.prompt",
                format!("the provider does not support prompt=select_account (Streamlit's default); stauth sets client_kwargs.prompt = \"{replacement}\""),
            )
            .why(format!(
                "prompt_values_supported lists only {}; with the default the provider answers 'unsupported prompt value requested' and login fails.",
                supported.join(", ")
            )),
        );
    } else {
        a.findings.push(
            Finding::warning(
                "discovery.prompt",
                format!(
                    "prompt={effective} is not in the provider's prompt_values_supported ({})",
                    supported.join(", ")
                ),
            )
            .fix("choose one of the supported values with --prompt"),
        );
    }
}

fn check_scope(d: &Discovery, settings: &RequestSettings, a: &mut Assessment) {
    let Some(supported) = d.list("scopes_supported") else {
        return;
    };
    let scope = settings.scope.as_deref().unwrap_or(DEFAULT_SCOPE);
    let missing: Vec<&str> = scope
        .split_whitespace()
        .filter(|s| !supported.contains(s))
        .collect();
    if !missing.is_empty() {
        a.findings.push(
            Finding::warning(
                "discovery.scope",
                format!("scopes_supported does not list {}", missing.join(", ")),
            )
            .why(format!("Streamlit asks for scope \"{scope}\"; an unknown scope may be rejected (invalid_scope) or ignored.")),
        );
    }
}

fn check_signing(d: &Discovery, a: &mut Assessment) {
    match d.list("id_token_signing_alg_values_supported") {
        None => a.findings.push(Finding::info(
            "discovery.signing",
            "no id_token_signing_alg_values_supported: Streamlit assumes RS256",
        )),
        Some(algs) if !algs.is_empty() && algs.iter().all(|alg| alg.starts_with("HS")) => {
            a.findings.push(
                Finding::warning(
                    "discovery.signing_hs_only",
                    format!("ID tokens are signed only with {} (the client secret)", algs.join(", ")),
                )
                .why("Streamlit verifies ID tokens with keys from jwks_uri only, so tokens signed with the client secret fail verification and login fails.")
                .fix("configure an asymmetric signing key (RS256 or ES256) for this client at the provider"),
            )
        }
        Some(algs) => a.findings.push(Finding::ok(
            "discovery.signing",
            format!("ID token algorithms: {}", algs.join(", ")),
        )),
    }
}

fn check_logout(d: &Discovery, a: &mut Assessment) {
    match d.str("end_session_endpoint") {
        Some(endpoint) => a.findings.push(
            Finding::info(
                "discovery.logout",
                "st.logout() also signs the user out at the provider (Streamlit 1.53+)",
            )
            .why(format!("Streamlit redirects to {endpoint} with post_logout_redirect_uri set to your redirect_uri, so register that URL as a post-logout redirect URI too.")),
        ),
        None => a.findings.push(
            Finding::info(
                "discovery.logout",
                "st.logout() only clears the app's cookies: the provider has no end_session_endpoint",
            )
            .why("The user stays signed in at the provider, so the next st.login() may not ask for a password."),
        ),
    }
}
