//! What the common ID token claims mean, in a line each.

/// Claims holding Unix times.
pub const TIME_CLAIMS: &[&str] = &["exp", "iat", "nbf", "auth_time", "updated_at"];

/// A one-line meaning for a known claim or header field.
pub fn meaning(name: &str) -> Option<&'static str> {
    Some(match name {
        // Header
        "alg" => "signing algorithm",
        "kid" => "ID of the provider key that signed it",
        "typ" => "token type",
        "x5t" | "x5t#S256" => "thumbprint of the signing certificate",
        // Registered and OpenID Connect claims
        "iss" => "issuer: the provider that made the token",
        "sub" => "subject: the user's stable ID at this provider",
        "aud" => "audience: the client ID(s) the token is for",
        "azp" => "authorized party: the client that asked for it",
        "exp" => "expires at",
        "iat" => "issued at",
        "nbf" => "not valid before",
        "auth_time" => "when the user last actually signed in",
        "jti" => "unique token ID",
        "nonce" => "the login request's nonce (replay protection)",
        "at_hash" => "hash of the access token issued with it",
        "c_hash" => "hash of the authorization code",
        "sid" => "the provider's session ID (used for logout)",
        "amr" => "how the user authenticated (pwd, mfa, otp...)",
        "acr" => "authentication strength level",
        "email" => "email address (st.user.email)",
        "email_verified" => "whether the provider confirmed the email",
        "name" => "full name (st.user.name)",
        "given_name" => "first name",
        "family_name" => "last name",
        "nickname" => "casual name",
        "preferred_username" => "the username the user signs in with",
        "picture" => "profile picture URL (st.user.picture)",
        "locale" => "language and region",
        "zoneinfo" => "time zone",
        "updated_at" => "when the profile last changed",
        "phone_number" => "phone number",
        "website" => "web page",
        // Provider-specific
        "tid" => "Microsoft: tenant ID",
        "oid" => "Microsoft: object ID of the user in the tenant",
        "upn" => "Microsoft: user principal name",
        "roles" => "app roles assigned to the user",
        "groups" => "groups the user belongs to",
        "groups_direct" => "GitLab: groups the user is a direct member of",
        "cognito:groups" => "Cognito: user pool groups",
        "cognito:username" => "Cognito: user name",
        "hd" => "Google: the Workspace domain",
        "realm_access" => "Keycloak: realm roles",
        "resource_access" => "Keycloak: client roles",
        "ver" => "token format version",
        "is_logged_in" => "Streamlit: always true in the login cookie",
        "origin" => "Streamlit: the app origin the cookie belongs to",
        "provider" => "Streamlit: the provider name given to st.login",
        _ => return None,
    })
}
