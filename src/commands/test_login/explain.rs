//! What a provider's OAuth error means for a Streamlit app, and the fix.

/// The fix for an error the provider sent back to the redirect URI.
pub fn callback_error(error: &str, description: Option<&str>, redirect_uri: &str) -> String {
    let desc = description.unwrap_or("").to_lowercase();
    if desc.contains("prompt") {
        return "The provider does not support Streamlit's default prompt=select_account. Add client_kwargs = { prompt = \"login\" } to the provider's section in secrets.toml (stauth init does this when the provider's discovery says so).".into();
    }
    match error {
        "redirect_uri_mismatch" | "invalid_redirect_uri" => format!(
            "Register {} exactly (scheme, host, port, path, no trailing slash) as a redirect URI in the provider's console; `stauth providers NAME` says where.",
            crate::output::untrusted(redirect_uri)
        ),
        "invalid_client" => "The provider does not know this client_id, or the client is disabled. Copy the client ID again from the provider's console.".into(),
        "unauthorized_client" => "This client may not use the authorization code flow. In the console, make it a web application with the Authorization Code grant enabled.".into(),
        "access_denied" => "The login was declined: the user cancelled or refused consent, or the provider's policy does not let this user use the app (assign the user or group to the app).".into(),
        "invalid_scope" => "The provider rejects a requested scope. Streamlit asks for \"openid email profile\" unless client_kwargs.scope says otherwise; adjust client_kwargs.scope to scopes the provider offers.".into(),
        "consent_required" | "interaction_required" | "login_required" => "The provider needs the user to interact, but the request did not allow it. Use client_kwargs.prompt = \"login\" or \"consent\", not \"none\".".into(),
        "temporarily_unavailable" | "server_error" => "The provider had a problem; try again later.".into(),
        _ => "See the provider's documentation for this error; the description above is the provider's own text.".into(),
    }
}

/// The fix for an error from the token endpoint.
pub fn token_error(error: &str, auth_method: &str) -> String {
    match error {
        "invalid_client" | "unauthorized" => format!(
            "The provider rejected the client credentials (sent with {auth_method}). Check client_id and client_secret in secrets.toml against the console (a secret is often shown only once: create a new one if unsure). If the provider expects the secret in the form body, set client_kwargs.token_endpoint_auth_method = \"client_secret_post\"."
        ),
        "invalid_grant" => "The provider rejected the authorization code: it expired or was already used, the redirect URI differs from the one in the login request, or the PKCE verifier does not match. Run the test again.".into(),
        "unauthorized_client" => "This client may not exchange authorization codes. Enable the Authorization Code grant for the client in the console.".into(),
        "unsupported_grant_type" => "The token endpoint does not accept the authorization code grant for this client.".into(),
        _ => "See the provider's documentation for this error.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_errors_point_to_prompt_login() {
        let fix = callback_error(
            "invalid_request",
            Some("unsupported prompt value requested"),
            "x",
        );
        assert!(fix.contains("prompt = \"login\""));
        assert!(callback_error(
            "redirect_uri_mismatch",
            None,
            "http://localhost:8501/oauth2callback"
        )
        .contains("http://localhost:8501/oauth2callback"));
    }
}
