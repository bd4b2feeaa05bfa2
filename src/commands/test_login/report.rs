//! The test-login report: what `st.user` will hold, what the userinfo
//! endpoint has that Streamlit will not see, cookie sizes, logout, timings and
//! warnings; as text on stderr and JSON on stdout.

use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::finding::{Finding, Severity};
use crate::oidc::id_token::{Check, Jwt, VerifiedBy};
use crate::oidc::url_policy::is_loopback_host;
use crate::oidc::Discovery;
use crate::output::{untrusted, Output};
use crate::pages::{ClaimRow, Failure, PageFinding, ReportPage, SizeBar};
use crate::streamlit::app_config::ServerSettings;
use crate::streamlit::auth_config::LoginConfig;
use crate::streamlit::cookies::{
    self, Prediction, MAX_COOKIE_BYTES, WEBSOCKET_COOKIE_LIMIT, XSRF_COOKIE_BYTES,
};
use crate::streamlit::login_request::LoginRequest;
use crate::streamlit::logout::{self as logout_plan, LocalReason, LogoutPlan};
use crate::streamlit::release::{Release, ReleaseChoice};
use crate::streamlit::schema::CALLBACK_PATH;

/// nginx's default limit for the whole Cookie header (Community Cloud, ingress).
const COOKIE_HEADER_LIMIT: usize = 8192;
/// Claims shown shortened beyond this many characters.
const SHOWN_CHARS: usize = 60;

#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    pub discovery: Duration,
    pub waiting: Duration,
    pub token: Duration,
    pub keys: Duration,
    pub verify: Duration,
    pub userinfo: Duration,
    pub total: Duration,
}

pub struct Inputs<'a> {
    pub config: &'a LoginConfig,
    pub discovery: &'a Discovery,
    pub release: &'a ReleaseChoice,
    pub server: &'a ServerSettings,
    pub request: &'a LoginRequest,
    pub redirect_uri: &'a str,
    pub jwt: &'a Jwt,
    pub verified_by: &'a VerifiedBy,
    pub checks: &'a [Check],
    pub id_token: &'a str,
    pub access_token: Option<&'a str>,
    pub userinfo: Option<Result<Map<String, Value>, String>>,
    pub timings: Timings,
    pub now: u64,
    pub show_tokens: bool,
}

pub struct Report {
    json: Value,
    st_user: Map<String, Value>,
    userinfo_only: Map<String, Value>,
    userinfo_error: Option<String>,
    cookies: Option<Prediction>,
    logout_lines: Vec<String>,
    findings: Vec<Finding>,
    timings: Timings,
    tokens: Option<(String, Option<String>)>,
    release: Release,
}

impl Report {
    pub fn build(i: Inputs<'_>) -> Report {
        let claims = &i.jwt.claims;
        let provider_value = i.config.slot.streamlit_provider_value().to_string();
        let release = &i.release.release;
        let mut st_user = claims.clone();
        st_user.insert("is_logged_in".into(), Value::Bool(true));
        if release.provider_in_identity() {
            st_user.insert("provider".into(), Value::String(provider_value.clone()));
        }

        let (userinfo_only, userinfo_error) = match &i.userinfo {
            Some(Ok(info)) => (super::userinfo_only(claims, info), None),
            Some(Err(e)) => (Map::new(), Some(e.clone())),
            None => (Map::new(), None),
        };

        let origin = url::Url::parse(i.redirect_uri)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let rules = release.cookie_rules(&i.server.base_url_path);
        let identity = cookies::identity_json(
            claims,
            &origin,
            release
                .provider_in_identity()
                .then_some(provider_value.as_str()),
        );
        let tokens = release
            .exposes_tokens()
            .then(|| cookies::tokens_json(Some(i.id_token), i.access_token));
        let cookies = cookies::predict(
            &rules,
            i.config.cookie_secret.expose(),
            &identity,
            tokens.as_deref(),
            i.now,
        )
        .ok();

        let mut findings = claim_findings(claims, i.verified_by);
        if !userinfo_only.is_empty() {
            let names: Vec<String> = userinfo_only
                .keys()
                .map(|k| untrusted(k).into_owned())
                .collect();
            findings.push(
                Finding::warning(
                    "userinfo.only",
                    format!("Streamlit will not see {}: the userinfo endpoint has them, the ID token does not", names.join(", ")),
                )
                .why("st.user is built from the ID token alone; Streamlit never calls the userinfo endpoint.")
                .fix("configure the provider to put these claims in the ID token (Zitadel: \"User Info inside ID Token\"; Keycloak: mapper \"Add to ID token\"; Okta: claim \"Include in token type: ID Token\")"),
            );
        }
        findings.extend(origin_findings(i.redirect_uri, i.server));
        if let Some(p) = &cookies {
            findings.extend(cookie_findings(p, claims, release));
        }
        if cookies
            .as_ref()
            .is_some_and(|p| p.identity_chunks + p.tokens_chunks > 0)
        {
            let mut message = "a later login that needs fewer chunks (without st.logout() first) leaves the extra chunk cookies in the browser: Streamlit no longer reads them, but they still count towards the Cookie header".to_string();
            if !release.clears_stale_cookies() {
                message.push_str(&format!(
                    "; and after a cookie_secret change Streamlit {} cannot read the old cookie, so its chunks stay until the user clears the site's cookies (1.59 clears them)",
                    release.version
                ));
            }
            findings.push(
                Finding::info("cookies.stale_chunks", message)
                    .fix("size the Cookie header for the largest login a user has had, or keep groups out of the ID token"),
            );
        }
        let (logout_lines, logout_json) = logout(&i);
        let tokens = i
            .show_tokens
            .then(|| (i.id_token.to_string(), i.access_token.map(str::to_string)));

        let json = json!({
            "ok": true,
            "provider": {
                "section": i.config.slot.section(),
                "name": i.config.slot.name(),
                "st_user_provider": provider_value,
                "server_metadata_url": i.config.server_metadata_url,
                "issuer": i.discovery.issuer(),
                "client_id": i.config.client_id,
                "secrets_file": i.config.source,
            },
            "streamlit": i.release.to_json(),
            "request": {
                "authorization_url": i.request.authorization_url,
                "redirect_uri": i.redirect_uri,
                "scope": i.request.scope,
                "prompt": i.request.prompt,
                "pkce": i.request.code_verifier.is_some(),
                "token_endpoint_auth_method": i.request.token_auth.name(),
            },
            "verification": {
                "verified": true,
                "alg": i.verified_by.alg,
                "kid": i.verified_by.kid,
                "header": i.jwt.header,
                "checks": i.checks,
            },
            "st_user": st_user,
            "userinfo_only": userinfo_only,
            "userinfo_error": userinfo_error,
            "cookies": cookies.as_ref().map(cookie_json),
            "logout": logout_json,
            "findings": findings,
            "timings_ms": timings_json(&i.timings),
            "tokens": tokens.as_ref().map(|(id, access)| json!({"id_token": id, "access_token": access})),
        });
        Report {
            json,
            st_user,
            userinfo_only,
            userinfo_error,
            cookies,
            logout_lines,
            findings,
            timings: i.timings,
            tokens,
            release: *release,
        }
    }

    /// The sizes `stauth probe` compares a deployed stack with: no claim
    /// values, no tokens.
    pub fn last_login(&self, at: u64) -> Option<crate::probe::last_login::LastLogin> {
        let cookies = self.cookies.as_ref()?;
        Some(crate::probe::last_login::LastLogin {
            at,
            provider: format!(
                "[{}]",
                self.json["provider"]["section"].as_str().unwrap_or("auth")
            ),
            streamlit: self.release.version.to_string(),
            cookie_header_len: cookies.cookie_header_len,
            cookies: cookies.cookies.len(),
            set_cookie_bytes: crate::probe::set_cookie_lines(
                cookies.cookies.iter().map(|c| c.set_cookie.len()),
            ),
        })
    }

    /// Whether a finding says Streamlit would still fail with this login.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    pub fn to_json(&self) -> Value {
        let mut json = self.json.clone();
        json["ok"] = Value::Bool(!self.has_errors());
        json
    }

    /// The same report for the browser (test-login's final page).
    pub fn page(&self) -> ReportPage {
        let ok = !self.has_errors();
        let text = |v: &Value| v.as_str().map(|s| untrusted(s).into_owned());
        let provider = &self.json["provider"];
        let about = [
            (
                "Provider",
                text(&provider["section"]).map(|s| format!("[{s}]")),
            ),
            ("Issuer", text(&provider["issuer"])),
            ("Client ID", text(&provider["client_id"])),
            ("Streamlit", Some(self.release.version.to_string())),
        ]
        .into_iter()
        .filter_map(|(label, value)| value.map(|v| (label.to_string(), v)))
        .collect();
        let row = |(k, v): (&String, &Value)| ClaimRow {
            name: untrusted(k).into_owned(),
            value: full_text(v),
            note: callout(k).unwrap_or_default(),
        };
        let mut bars = Vec::new();
        if let Some(p) = &self.cookies {
            for c in &p.cookies {
                bars.push(SizeBar::new(
                    format!("{} (Set-Cookie {} bytes)", c.name, c.set_cookie.len()),
                    c.header_len,
                    MAX_COOKIE_BYTES,
                    "4096, the browser's limit per cookie",
                ));
            }
            bars.push(SizeBar::new(
                format!(
                    "Cookie header sent back (identity in {} cookie(s))",
                    p.identity_chunks.max(1)
                ),
                p.cookie_header_len,
                COOKIE_HEADER_LIMIT,
                "8192, the usual request header limit (nginx, Streamlit's WebSocket)",
            ));
        }
        ReportPage {
            ok,
            kicker: "Login received".into(),
            headline: if ok {
                "The login works: Streamlit will accept it.".into()
            } else {
                "The provider accepted the login, but Streamlit would not keep it.".into()
            },
            failure: None,
            about,
            claims: self.st_user.iter().map(row).collect(),
            userinfo_only: self.userinfo_only.iter().map(row).collect(),
            userinfo_error: self
                .userinfo_error
                .as_deref()
                .map(|e| untrusted(e).into_owned()),
            cookies_heading: format!("Cookies Streamlit {} will set", self.release.version),
            bars,
            logout: self
                .logout_lines
                .iter()
                .map(|l| l.trim().to_string())
                .collect(),
            findings: self.findings.iter().map(PageFinding::from).collect(),
        }
    }

    pub fn print(&self, out: &Output) {
        for c in self.json["verification"]["checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            // Details quote the token's claims (iss, aud, nonce).
            out.success(format!(
                "{}: {}",
                untrusted(c["name"].as_str().unwrap_or_default()),
                untrusted(c["detail"].as_str().unwrap_or_default())
            ));
        }
        out.blank();
        out.heading("st.user will hold:");
        // Claim names and values are the provider's text: shown escaped, so
        // they can neither drive the terminal nor forge a report line.
        let width = self
            .st_user
            .keys()
            .map(|k| untrusted(k).chars().count())
            .max()
            .unwrap_or(0)
            .max(12);
        for (k, v) in &self.st_user {
            let callout = callout(k)
                .map(|c| out.dim(format!("  ← {c}")))
                .unwrap_or_default();
            let k = untrusted(k);
            out.line(format!("  {k:width$}  {}{callout}", shorten(v)));
        }
        if !self.userinfo_only.is_empty() {
            out.blank();
            out.heading("Only in userinfo (Streamlit will not see these):");
            for (k, v) in &self.userinfo_only {
                let k = untrusted(k);
                out.line(format!("  {k:width$}  {}", shorten(v)));
            }
        }
        if let Some(e) = &self.userinfo_error {
            out.detail(format!("(userinfo could not be read: {})", untrusted(e)));
        }
        if let Some(p) = &self.cookies {
            out.blank();
            out.heading(format!(
                "Cookies Streamlit {} will set:",
                self.release.version
            ));
            for c in &p.cookies {
                out.line(format!("  {:26} {:>6} bytes", c.name, c.set_cookie.len()));
            }
            out.line(format!(
                "  identity in {} cookie(s); Cookie header sent back: {} bytes",
                p.identity_chunks.max(1),
                p.cookie_header_len
            ));
        }
        out.blank();
        out.heading("Logout:");
        for l in &self.logout_lines {
            out.detail(l);
        }
        out.notes(&self.findings);
        if let Some((id, access)) = &self.tokens {
            out.blank();
            out.heading("Tokens (--show-tokens):");
            out.line(format!("  id_token      {}", untrusted(id)));
            if let Some(a) = access {
                out.line(format!("  access_token  {}", untrusted(a)));
            }
        }
        out.blank();
        let t = &self.timings;
        out.line(format!(
            "Timings: discovery {}, waiting for you {}, token {}, keys {}, verify {}, userinfo {}",
            ms(t.discovery),
            ms(t.waiting),
            ms(t.token),
            ms(t.keys),
            ms(t.verify),
            ms(t.userinfo)
        ));
        if self.has_errors() {
            out.error("The provider accepted the login, but Streamlit would not keep it (see the notes above).");
        } else {
            out.success("The login works: Streamlit will accept it.");
        }
    }
}

/// test-login's final page when the login failed after the callback (or the
/// provider answered with an error): the terminal's error and hint.
pub fn failure_page(code_received: bool, message: &str, hint: &str) -> ReportPage {
    ReportPage {
        ok: false,
        kicker: if code_received {
            "Login received".into()
        } else {
            "The provider answered with an error".into()
        },
        headline: "The login failed".into(),
        failure: Some(Failure::new(message, hint)),
        ..ReportPage::default()
    }
}

/// A claim's value in full, as the terminal would show it unshortened.
fn full_text(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    };
    untrusted(&text).into_owned()
}

fn ms(d: Duration) -> String {
    if d.as_millis() >= 10_000 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

fn timings_json(t: &Timings) -> Value {
    let own = t.total.saturating_sub(t.waiting);
    json!({
        "discovery": t.discovery.as_millis() as u64,
        "waiting_for_user": t.waiting.as_millis() as u64,
        "token_exchange": t.token.as_millis() as u64,
        "keys": t.keys.as_millis() as u64,
        "verify": t.verify.as_millis() as u64,
        "userinfo": t.userinfo.as_millis() as u64,
        "total": t.total.as_millis() as u64,
        "stauth_own": own.as_millis() as u64,
    })
}

fn callout(claim: &str) -> Option<String> {
    match claim {
        "email" | "name" | "picture" | "is_logged_in" | "provider" => {
            Some(format!("st.user.{claim}"))
        }
        "groups" | "roles" | "cognito:groups" | "groups_direct" => {
            Some(format!("st.user[\"{claim}\"] (groups / roles)"))
        }
        _ => None,
    }
}

fn shorten(v: &Value) -> String {
    let text = match v {
        Value::Array(a) if a.len() > 3 => format!(
            "[{} items: {}, ...]",
            a.len(),
            a.iter()
                .take(2)
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    };
    // Strings as they are, and JSON text (arrays, objects), which escapes
    // controls but not bidi or invisible characters.
    let text = untrusted(&text).into_owned();
    if text.chars().count() > SHOWN_CHARS {
        format!(
            "{}…",
            text.chars().take(SHOWN_CHARS - 1).collect::<String>()
        )
    } else {
        text
    }
}

fn claim_findings(claims: &Map<String, Value>, by: &VerifiedBy) -> Vec<Finding> {
    let mut f = Vec::new();
    if claims.get("email_verified") == Some(&Value::Bool(false)) {
        f.push(
            Finding::warning(
                "claims.email_unverified",
                "email_verified is false: the provider has not confirmed this address",
            )
            .fix("do not use st.user.email for access decisions unless email_verified is true"),
        );
    }
    if !claims.contains_key("email") {
        let alt = ["preferred_username", "upn", "emails"]
            .into_iter()
            .find(|k| claims.contains_key(*k));
        f.push(
            Finding::warning("claims.no_email", "the ID token has no email claim: st.user.email will be missing")
                .fix(match alt {
                    Some(k) => format!("fall back to st.user[\"{k}\"], or add the email claim to the ID token at the provider"),
                    None => "add the email scope and claim to the ID token at the provider".into(),
                }),
        );
    }
    if !claims.contains_key("name") {
        f.push(Finding::warning(
            "claims.no_name",
            "the ID token has no name claim: st.user.name will be missing",
        ));
    }
    if by.alg.starts_with("HS") {
        f.push(Finding::warning(
            "claims.hs_signed",
            format!(
                "the ID token is signed with {} (a shared secret)",
                untrusted(&by.alg)
            ),
        ));
    }
    f
}

fn origin_findings(redirect_uri: &str, server: &ServerSettings) -> Vec<Finding> {
    let Ok(url) = url::Url::parse(redirect_uri) else {
        return vec![];
    };
    let host = url.host_str().unwrap_or_default();
    if !is_loopback_host(host) {
        return vec![];
    }
    let port = url.port_or_known_default().unwrap_or(server.port);
    if host.eq_ignore_ascii_case("localhost") {
        vec![Finding::info(
            "origin.localhost",
            format!("open the app at http://localhost:{port}/ (as Streamlit prints it); http://127.0.0.1:{port}/ is another origin and its login would fail"),
        )]
    } else {
        vec![Finding::warning(
            "origin.ip",
            format!("redirect_uri uses {host}, but Streamlit prints the app's Local URL as http://localhost:{port}/"),
        )
        .why("The login cookie is bound to the redirect URI's origin; opening the app at localhost while the redirect goes to 127.0.0.1 loses the login.")
        .fix(format!("open the app at http://{host}:{port}/ exactly, or use http://localhost:{port}{CALLBACK_PATH} as redirect URI (registered at the provider)"))]
    }
}

fn cookie_findings(p: &Prediction, claims: &Map<String, Value>, release: &Release) -> Vec<Finding> {
    let biggest = claims
        .iter()
        .max_by_key(|(_, v)| v.to_string().len())
        .map(|(k, v)| format!("{} ({} bytes)", untrusted(k), v.to_string().len()))
        .unwrap_or_default();
    let mut f = Vec::new();
    if !release.chunks_cookies() {
        if let Some(big) = p.cookies.iter().find(|c| c.header_len > MAX_COOKIE_BYTES) {
            f.push(
                Finding::error(
                    "cookies.too_big",
                    format!("the {} cookie is {} bytes: browsers drop cookies over 4096 bytes, so the login loops (streamlit#12518)", big.name, big.header_len),
                )
                .why(format!("The largest claim is {biggest}."))
                .fix("upgrade to Streamlit 1.53+ (which splits the cookie), or remove large claims such as groups from the ID token"),
            );
        }
    } else if release.server.is_starlette()
        && p.cookie_header_len + XSRF_COOKIE_BYTES > WEBSOCKET_COOKIE_LIMIT
    {
        f.push(
            Finding::error(
                "cookies.header_too_big",
                format!("the Cookie header will be about {} bytes: Streamlit's WebSocket server refuses header lines over 8 KB, so after login the app never loads (a grey page); behind nginx (Community Cloud, Kubernetes ingress) requests also fail with 400 Request Header Or Cookie Too Large (streamlit#14960)", p.cookie_header_len + XSRF_COOKIE_BYTES),
            )
            .why(format!("Streamlit splits the cookies, but the browser sends all of them back in one header. The largest claim is {biggest}."))
            .fix("leave large claims such as groups out of the ID token (a groups filter, app roles instead of groups, or an optional-claims setting at the provider)"),
        );
    } else if p.cookie_header_len > COOKIE_HEADER_LIMIT {
        f.push(
            Finding::warning(
                "cookies.header_too_big",
                format!("the Cookie header will be {} bytes: nginx's default limit is 8192, so apps behind nginx (Community Cloud, Kubernetes ingress) answer 400 Request Header Or Cookie Too Large (streamlit#14960)", p.cookie_header_len),
            )
            .why(format!("The largest claim is {biggest}."))
            .fix("leave large claims such as groups out of the ID token (or use a groups filter), or raise large_client_header_buffers in nginx"),
        );
    }
    f
}

fn logout(i: &Inputs<'_>) -> (Vec<String>, Value) {
    let release = &i.release.release;
    let end_session = i.discovery.str("end_session_endpoint");
    let written = &i.config.redirect_uri;
    let plan = logout_plan::plan(
        release,
        end_session,
        &i.config.client_id,
        written,
        i.redirect_uri,
        Some("ID_TOKEN"),
    );
    let (lines, url, post_logout) = match &plan {
        LogoutPlan::Provider {
            url,
            post_logout_redirect_uri,
        } => {
            let url = url.replace("id_token_hint=ID_TOKEN", "id_token_hint=<the ID token>");
            (
                vec![
                    "st.logout() clears the app's cookies and signs the user out at the provider:".into(),
                    format!("  {}", untrusted(&url)),
                    if is_dev_provider(i) {
                        "stauth's dev provider accepts it: it takes the app's redirect URI from the secrets.".into()
                    } else {
                        format!(
                            "Register {} as a post-logout redirect URI at the provider.",
                            untrusted(post_logout_redirect_uri)
                        )
                    },
                ],
                Some(url),
                Some(post_logout_redirect_uri.clone()),
            )
        }
        LogoutPlan::LocalOnly(reason) => (
            vec![match reason {
                LocalReason::NoEndSession => "st.logout() only clears the app's cookies: the provider has no end_session_endpoint, so the user stays signed in there.".into(),
                LocalReason::RedirectUri => format!("st.logout() only clears the app's cookies: redirect_uri does not end with {CALLBACK_PATH}."),
                LocalReason::Release => format!("st.logout() only clears the app's cookies in {}: the user stays signed in at the provider.", release.describe()),
            }],
            None,
            None,
        ),
    };
    let json = json!({
        "end_session_endpoint": end_session,
        "provider_logout": url.is_some(),
        "logout_url": url,
        "post_logout_redirect_uri": post_logout,
    });
    (lines, json)
}

/// Whether the login went to stauth's dev provider (which registers the
/// app's redirect URI itself): its discovery URL and its issuer say so.
fn is_dev_provider(i: &Inputs<'_>) -> bool {
    let url = &i.config.server_metadata_url;
    let Some(like) = crate::dev_provider::points_at(url, None) else {
        return false;
    };
    url::Url::parse(url.trim())
        .ok()
        .and_then(|u| u.port_or_known_default())
        .is_some_and(|port| {
            i.discovery.issuer() == crate::dev_provider::issuer(port, like.as_deref())
        })
}

fn cookie_json(p: &Prediction) -> Value {
    json!({
        "cookies": p.cookies.iter().map(|c| json!({
            "name": c.name,
            "value_bytes": c.value_len,
            "set_cookie_bytes": c.set_cookie.len(),
        })).collect::<Vec<_>>(),
        "identity_chunks": p.identity_chunks,
        "tokens_chunks": p.tokens_chunks,
        "cookie_header_bytes": p.cookie_header_len,
        "largest_set_cookie_bytes": p.largest_set_cookie_len,
    })
}
