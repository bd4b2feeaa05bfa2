//! `{issuer}/authorize` and the login page's decision: the checks in the
//! order OIDC Core 3.1.2.6 gives (a bad client or redirect URI is a page,
//! never a redirect; the rest are error redirects with `state`), the
//! provider session and `prompt`, then a code.

use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::http::{Params, Request, Response};
use super::store::{self, Authorization, Pending, Pkce, Session};
use super::{error_page, notes, page_csp, with_query, ClientLookup, Issuer, Shared};
use crate::dev_provider::clients::Client;
use crate::dev_provider::log::RequestLog;
use crate::dev_provider::shape;
use crate::dev_provider::users::DevUser;
use crate::pages::{DevLoginPage, DevLoginUser};

/// A one-off user's claims, as JSON.
const CUSTOM_CLAIMS_BYTES: usize = 16 * 1024;
/// A one-off user's sub.
const SUB_CHARS: usize = 255;

pub(super) fn authorize(
    shared: &Shared,
    issuer: &Issuer,
    request: &Request,
    event: &mut RequestLog,
) -> Response {
    let params = request.params();
    event.asked = asked(&params);
    let client = match known_client(shared, issuer, params.get("client_id")) {
        Ok(client) => client,
        Err(page) => return page,
    };
    event.client = Some(client.describe());
    event.asked = asked(&params);
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return error_page(
            400,
            "No redirect_uri",
            "The authorization request has no redirect_uri, so the provider cannot send the browser back.",
            vec![("client".into(), client.describe()), ("registered redirect_uri".into(), client.redirect_uri.clone())],
        );
    };
    if redirect_uri != client.redirect_uri {
        return error_page(
            400,
            "redirect_uri does not match",
            "The redirect_uri in the request is not the one registered for this client, which is the app's [auth] redirect_uri as it was when the dev provider started; a real provider refuses it the same way and does not redirect. Make the app's redirect_uri the address the app runs at, then restart stauth dev-provider so it reads the secrets again.",
            vec![
                ("client".into(), client.describe()),
                ("sent".into(), redirect_uri.to_string()),
                ("registered".into(), client.redirect_uri.clone()),
            ],
        );
    }
    event.streamlit_notes = notes::authorize(shared, issuer, &client, &params);
    let state = params.get("state");
    let fail = |error: &str, description: &str| {
        error_redirect(&client.redirect_uri, error, description, state)
    };
    if let Some(name) = params.repeated() {
        return fail(
            "invalid_request",
            &format!("parameter '{name}' is given more than once"),
        );
    }
    match params.get("response_type") {
        None => return fail("invalid_request", "response_type is missing"),
        Some("code") => {}
        Some(_) => {
            return fail(
                "unsupported_response_type",
                "only response_type=code (the authorization code flow) is supported",
            )
        }
    }
    let scope = params.get("scope").unwrap_or_default();
    if !scope.split_whitespace().any(|s| s == "openid") {
        return fail("invalid_scope", "scope must include openid");
    }
    if params
        .get("response_mode")
        .is_some_and(|mode| mode != "query")
    {
        return fail("invalid_request", "only response_mode=query is supported");
    }
    let max_age = match params.get("max_age").map(str::parse::<u64>) {
        None => None,
        Some(Ok(age)) => Some(age),
        Some(Err(_)) => return fail("invalid_request", "max_age must be a number of seconds"),
    };
    let pkce = match pkce(&params) {
        Ok(p) => p,
        Err(description) => return fail("invalid_request", &description),
    };
    let prompts: Vec<&str> = params
        .get("prompt")
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    if let Some(bad) = prompts
        .iter()
        .find(|p| !super::discovery::PROMPTS.contains(p))
    {
        return fail("invalid_request", &format!("unknown prompt value '{bad}'"));
    }
    if prompts.contains(&"none") && prompts.len() > 1 {
        return fail(
            "invalid_request",
            "prompt=none cannot be combined with other values",
        );
    }
    for prompt in &prompts {
        if let Some((error, reason)) = shape::rejected_prompt_error(issuer.like, prompt) {
            return fail(error, reason);
        }
    }
    let authorization = Authorization {
        base: issuer.base.clone(),
        client_id: client.client_id.clone(),
        redirect_uri: client.redirect_uri.clone(),
        scope: scope.to_string(),
        state: state.map(str::to_string),
        nonce: params.get("nonce").map(str::to_string),
        pkce,
    };
    if let Some(sub) = &shared.options.auto_login {
        let user = shared
            .options
            .users
            .find(sub)
            .cloned()
            .unwrap_or_else(|| one_off(sub, Map::new()));
        event.asked.push_str(&format!(" auto-login={sub}"));
        return approve_fresh(shared, issuer, &authorization, user);
    }
    let session = request
        .cookie(&issuer.session_cookie())
        .and_then(|id| shared.store().sessions.get(id).cloned())
        .filter(|s| s.base == issuer.base)
        // OIDC Core 3.1.2.1: an older login than max_age asks for a new one.
        .filter(|s| max_age.is_none_or(|age| s.auth_time.saturating_add(age) >= store::now_secs()));
    match (prompts.first().copied(), session) {
        (Some("none") | None, Some(session)) => {
            event
                .asked
                .push_str(&format!(" session={}", session.user.sub));
            approve(shared, &authorization, &session)
        }
        (Some("none"), None) => fail(
            "login_required",
            "prompt=none, and the user has no session at this provider",
        ),
        _ => login_page(shared, issuer, &client, authorization, params.get("prompt")),
    }
}

/// The form on the login page: approve a user, deny, or a one-off user.
pub(super) fn decision(
    shared: &Shared,
    issuer: &Issuer,
    request: &Request,
    event: &mut RequestLog,
) -> Response {
    let form = request.form();
    let request_id = form.get("request").unwrap_or_default();
    let pending = shared
        .store()
        .pending
        .get(request_id)
        .filter(|p| p.authorization.base == issuer.base)
        .cloned();
    let Some(pending) = pending else {
        event.asked = "login page decision".into();
        return error_page(
            400,
            "This login has expired",
            "The login page's request is unknown or has expired (it lasts five times the code lifetime). Start the login again from the app.",
            Vec::new(),
        );
    };
    let expected = pending.csrf.as_bytes();
    let same =
        |given: Option<&str>| bool::from(given.unwrap_or_default().as_bytes().ct_eq(expected));
    if !(same(form.get("csrf")) && same(request.cookie(&issuer.csrf_cookie()))) {
        event.asked = "login page decision".into();
        return error_page(
            400,
            "The login form's check failed",
            "The form did not carry this login's CSRF token (in both the form and its cookie), so it may not come from the login page. Start the login again from the app.",
            Vec::new(),
        );
    }
    let authorization = &pending.authorization;
    if let ClientLookup::Found(client) = shared.client(issuer, &authorization.client_id) {
        event.client = Some(client.describe());
    }
    let action = form.get("action").unwrap_or_default();
    let user = match action {
        "deny" => {
            event.asked = "login page: deny".into();
            shared.store().pending.remove(request_id);
            return error_redirect(
                &authorization.redirect_uri,
                "access_denied",
                "the user denied the login on the dev provider's page",
                authorization.state.as_deref(),
            )
            .cookies(issuer.csrf_cookies(""));
        }
        "approve" => {
            let sub = form.get("sub").unwrap_or_default();
            event.asked = format!("login page: approve user={sub}");
            match shared.options.users.find(sub) {
                Some(user) => user.clone(),
                None => {
                    return error_page(
                        400,
                        "Unknown user",
                        "The chosen user is not one of this provider's users.",
                        vec![("sub".into(), sub.to_string())],
                    )
                }
            }
        }
        "custom" => {
            let sub = form.get("custom_sub").unwrap_or_default().trim();
            event.asked = format!("login page: one-off user={sub}");
            match custom_user(sub, form.get("custom_claims").unwrap_or_default()) {
                Ok(user) => user,
                Err(why) => {
                    return error_page(
                        400,
                        "The one-off user is not valid",
                        &why,
                        vec![("sub".into(), sub.to_string())],
                    )
                }
            }
        }
        other => {
            event.asked = "login page decision".into();
            return error_page(
                400,
                "Unknown action",
                "The form asked for something the login page does not offer.",
                vec![("action".into(), other.to_string())],
            );
        }
    };
    shared.store().pending.remove(request_id);
    approve_fresh(shared, issuer, authorization, user).cookies(issuer.csrf_cookies(""))
}

/// The client a request names, or the error page that says why not.
fn known_client(
    shared: &Shared,
    issuer: &Issuer,
    client_id: Option<&str>,
) -> Result<Box<Client>, Response> {
    let Some(client_id) = client_id.filter(|c| !c.is_empty()) else {
        return Err(error_page(
            400,
            "No client_id",
            "The authorization request names no client_id.",
            Vec::new(),
        ));
    };
    let known: Vec<String> = shared.live().clients.iter().map(Client::describe).collect();
    match shared.client(issuer, client_id) {
        ClientLookup::Found(client) => Ok(client),
        ClientLookup::OtherIssuer(other) => Err(error_page(
            400,
            "This client belongs to another issuer",
            "The app's server_metadata_url for this client names another issuer of this dev provider; log in through that one.",
            vec![
                ("client_id".into(), client_id.to_string()),
                ("its issuer".into(), other),
                ("this issuer".into(), issuer.url.clone()),
            ],
        )),
        ClientLookup::Unknown => Err(error_page(
            400,
            "Unknown client",
            &format!(
                "No [auth] entry with this client_id points at this provider. Its clients are the app's own: the entries whose server_metadata_url is {}/.well-known/openid-configuration (or a /like/PRESET issuer on the same port), read when the dev provider started. Add the client's [auth] entry (stauth init --provider dev writes one), then restart stauth dev-provider.",
                super::super::issuer(shared.port, None)
            ),
            vec![
                ("client_id".into(), client_id.to_string()),
                ("known clients".into(), if known.is_empty() { "(none)".into() } else { known.join(", ") }),
            ],
        )),
    }
}

fn pkce(params: &Params) -> Result<Option<Pkce>, String> {
    let challenge = params.get("code_challenge");
    let method = params.get("code_challenge_method");
    let Some(challenge) = challenge else {
        return match method {
            Some(_) => Err("code_challenge_method without code_challenge".into()),
            None => Ok(None),
        };
    };
    let well_formed = (43..=128).contains(&challenge.len())
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return Err("code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~".into());
    }
    match method {
        Some("S256") => Ok(Some(Pkce::S256(challenge.to_string()))),
        // RFC 7636 4.3: no method means plain.
        Some("plain") | None => Ok(Some(Pkce::Plain(challenge.to_string()))),
        Some(other) => Err(format!(
            "code_challenge_method '{other}' is not supported (S256, plain)"
        )),
    }
}

/// `scope="..." prompt=... pkce=S256`: what the authorization asks (the
/// event names the path and the client already).
fn asked(params: &Params) -> String {
    let mut text = format!("scope=\"{}\"", params.get("scope").unwrap_or_default());
    match params.get("prompt") {
        Some(prompt) => text.push_str(&format!(" prompt={prompt}")),
        None => text.push_str(" prompt=(none sent)"),
    }
    let pkce = match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, _) => "none",
        (Some(_), Some(method)) => method,
        (Some(_), None) => "plain",
    };
    text.push_str(&format!(" pkce={pkce}"));
    text
}

fn login_page(
    shared: &Shared,
    issuer: &Issuer,
    client: &Client,
    authorization: Authorization,
    prompt: Option<&str>,
) -> Response {
    let request_id = store::random_token();
    let csrf = store::random_token();
    let page = DevLoginPage {
        issuer: issuer.url.clone(),
        client: client.describe(),
        redirect_uri: client.redirect_uri.clone(),
        scope: authorization.scope.clone(),
        prompt: prompt.map(str::to_string),
        like_title: issuer.like.map(|p| p.title.to_string()),
        users: shared.options.users.users.iter().map(login_user).collect(),
        request_id: request_id.clone(),
        csrf: csrf.clone(),
        form_action: format!("{}/authorize/decision", issuer.base),
    };
    let targets = match url::Url::parse(&client.redirect_uri) {
        Ok(u) => format!("'self' {}", u.origin().ascii_serialization()),
        Err(_) => "'self'".to_string(),
    };
    shared.store().pending.insert(
        request_id,
        shared.options.code_ttl * 5,
        Pending {
            authorization,
            csrf: csrf.clone(),
        },
    );
    Response::html(200, crate::pages::dev_login(&page), &page_csp(&targets))
        .cookies(issuer.csrf_cookies(&csrf))
        .result("login page")
}

fn login_user(user: &DevUser) -> DevLoginUser {
    let text = |k: &str| user.claims.get(k).and_then(Value::as_str);
    let mut detail = Vec::new();
    if let Some(email) = text("email") {
        detail.push(email.to_string());
    }
    if let Some(Value::Array(roles)) = user.claims.get("roles") {
        let roles: Vec<&str> = roles.iter().filter_map(Value::as_str).collect();
        if !roles.is_empty() {
            detail.push(format!("roles: {}", roles.join(", ")));
        }
    }
    if let Some(Value::Array(groups)) = user.claims.get("groups") {
        detail.push(match groups.len() {
            1 => "1 group".to_string(),
            n => format!("{n} groups"),
        });
    }
    DevLoginUser {
        sub: user.sub.clone(),
        title: text("name").unwrap_or(&user.sub).to_string(),
        detail: detail.join(" · "),
    }
}

fn one_off(sub: &str, claims: Map<String, Value>) -> DevUser {
    DevUser {
        sub: sub.to_string(),
        claims,
        placement: Default::default(),
    }
}

fn custom_user(sub: &str, claims: &str) -> Result<DevUser, String> {
    if sub.is_empty() {
        return Err("Give the one-off user a sub.".into());
    }
    if sub.chars().count() > SUB_CHARS || sub.chars().any(char::is_control) {
        return Err(format!(
            "A sub is at most {SUB_CHARS} characters, with no control characters."
        ));
    }
    if claims.len() > CUSTOM_CLAIMS_BYTES {
        return Err(format!(
            "The claims are over {} of JSON.",
            crate::limits::human_size(CUSTOM_CLAIMS_BYTES as u64)
        ));
    }
    let claims = if claims.trim().is_empty() {
        Map::new()
    } else {
        match serde_json::from_str::<Value>(claims) {
            Ok(Value::Object(mut map)) => {
                // The sub is the field above; the token's own claims are the server's.
                let reserved = crate::dev_provider::users::RESERVED_CLAIMS;
                for claim in std::iter::once(&"sub").chain(reserved) {
                    map.remove(*claim);
                }
                map
            }
            Ok(_) => {
                return Err(
                    "The claims must be a JSON object, like {\"roles\": [\"admin\"]}.".into(),
                )
            }
            Err(e) => return Err(format!("The claims are not valid JSON: {e}.")),
        }
    };
    Ok(one_off(sub, claims))
}

/// A new login (fresh `auth_time`): a new provider session and a code.
fn approve_fresh(
    shared: &Shared,
    issuer: &Issuer,
    authorization: &Authorization,
    user: DevUser,
) -> Response {
    let session = Session {
        base: issuer.base.clone(),
        user,
        auth_time: store::now_secs(),
    };
    let id = store::random_token();
    shared
        .store()
        .sessions
        .insert(id.clone(), store::SESSION_TTL, session.clone());
    approve(shared, authorization, &session).cookies(issuer.session_cookies(&id))
}

/// A code for `session`'s user, sent back to the client.
fn approve(shared: &Shared, authorization: &Authorization, session: &Session) -> Response {
    let code = store::random_token();
    let grant = store::Grant {
        client_id: authorization.client_id.clone(),
        user: session.user.clone(),
        scope: authorization.scope.clone(),
        auth_time: session.auth_time,
        base: authorization.base.clone(),
        family: code.clone(),
    };
    shared.store().codes.insert(
        code.clone(),
        shared.options.code_ttl,
        store::Code {
            authorization: authorization.clone(),
            grant,
            used: false,
            replayed: false,
        },
    );
    let mut params = vec![("code", code.as_str())];
    if let Some(state) = &authorization.state {
        params.push(("state", state));
    }
    Response::redirect(&with_query(&authorization.redirect_uri, &params))
        .result(format!("code for user={}", session.user.sub))
}

/// An OAuth error sent back to the client, `state` echoed.
fn error_redirect(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> Response {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        params.push(("state", state));
    }
    Response::redirect(&with_query(redirect_uri, &params))
        .result(format!("{error} (redirected): {description}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn pkce_rules() {
        let c = "a".repeat(43);
        assert_eq!(pkce(&params(&[])), Ok(None));
        assert_eq!(
            pkce(&params(&[
                ("code_challenge", &c),
                ("code_challenge_method", "S256")
            ])),
            Ok(Some(Pkce::S256(c.clone())))
        );
        assert_eq!(
            pkce(&params(&[("code_challenge", &c)])),
            Ok(Some(Pkce::Plain(c.clone())))
        );
        assert!(pkce(&params(&[("code_challenge_method", "S256")])).is_err());
        assert!(pkce(&params(&[
            ("code_challenge", &c),
            ("code_challenge_method", "S512")
        ]))
        .is_err());
        assert!(pkce(&params(&[("code_challenge", "short")])).is_err());
    }

    #[test]
    fn one_off_users() {
        let user = custom_user("zoe", r#"{"sub": "x", "roles": ["admin"], "exp": 1}"#).unwrap();
        assert_eq!(user.sub, "zoe");
        assert_eq!(user.claims.len(), 1);
        assert!(custom_user("", "{}").is_err());
        assert!(custom_user("zoe", "[1]").is_err());
        assert!(custom_user("zoe", "{").is_err());
        assert!(custom_user("zoe", &"x".repeat(CUSTOM_CLAIMS_BYTES + 1)).is_err());
        assert!(custom_user("zoe", "").unwrap().claims.is_empty());
    }

    #[test]
    fn events_say_what_was_asked() {
        let p = params(&[
            ("scope", "openid email"),
            ("prompt", "select_account"),
            ("code_challenge", "x"),
            ("code_challenge_method", "S256"),
            ("code", "never"),
        ]);
        assert_eq!(
            asked(&p),
            "scope=\"openid email\" prompt=select_account pkce=S256"
        );
    }
}
