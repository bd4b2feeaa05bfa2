//! The HTML pages stauth shows in a browser (the dev provider's login,
//! error and logged-out pages, test-login's final page and the callback
//! listener's notices), rendered from `templates/pages/` with one shared
//! stylesheet; everything reflected is HTML-escaped.
//!
//! The pages need no script and no outside resource: served with
//! [`content_security_policy`], a browser runs nothing and fetches nothing.

use std::sync::OnceLock;

use base64::Engine as _;
use minijinja::value::{Serde, Value};
use minijinja::{context, AutoEscape, Environment, UndefinedBehavior};
use sha2::{Digest, Sha256};

use crate::finding::{Finding, Severity};

/// The one stylesheet, embedded in every page's `<style>`.
pub const STYLESHEET: &str = include_str!("../templates/pages/stauth.css");

/// Every page template, by file name under `templates/pages/`.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/pages/base.html")),
    (
        "notice.html",
        include_str!("../templates/pages/notice.html"),
    ),
    (
        "dev_login.html",
        include_str!("../templates/pages/dev_login.html"),
    ),
    (
        "test_login.html",
        include_str!("../templates/pages/test_login.html"),
    ),
];

/// One sample or file user on the dev provider's login page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DevLoginUser {
    pub sub: String,
    /// `name`, else the sub.
    pub title: String,
    /// A short line: email, roles, group count.
    pub detail: String,
}

/// The dev provider's login page. Its forms POST to `form_action` with the
/// fields `request` (= `request_id`), `csrf`, and `action`: `approve` with
/// `sub`, `deny`, or `custom` with `custom_sub` and `custom_claims` (JSON).
/// `data-testid`s: `dev-login-user-<sub>`, `dev-login-deny`,
/// `dev-login-custom-sub`, `dev-login-custom-claims`, `dev-login-custom-submit`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DevLoginPage {
    pub issuer: String,
    /// `[auth.NAME]` and client ID, as the app's secrets name it.
    pub client: String,
    pub redirect_uri: String,
    pub scope: String,
    pub prompt: Option<String>,
    /// The catalog provider the tokens are shaped like.
    pub like_title: Option<String>,
    pub users: Vec<DevLoginUser>,
    pub request_id: String,
    pub csrf: String,
    pub form_action: String,
}

/// A titled message with optional labelled details (error and logged-out pages).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Notice {
    pub title: String,
    pub message: String,
    pub details: Vec<(String, String)>,
}

impl Notice {
    pub fn new(title: impl Into<String>, message: impl Into<String>) -> Notice {
        Notice {
            title: title.into(),
            message: message.into(),
            details: Vec::new(),
        }
    }
}

/// How a notice reads: its title's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Ok,
    Info,
    Error,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Ok => "ok",
            Tone::Info => "info",
            Tone::Error => "error",
        }
    }
}

/// test-login's final page: the terminal's report, or what failed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReportPage {
    /// Whether Streamlit will accept the login.
    pub ok: bool,
    /// The line above the headline ("Login received").
    pub kicker: String,
    pub headline: String,
    pub failure: Option<Failure>,
    /// Labelled facts: provider section, issuer, client, Streamlit release.
    pub about: Vec<(String, String)>,
    /// What `st.user` will hold.
    pub claims: Vec<ClaimRow>,
    pub userinfo_only: Vec<ClaimRow>,
    pub userinfo_error: Option<String>,
    pub cookies_heading: String,
    /// Each cookie against the browser's 4 KB limit, then the Cookie header
    /// against the 8 KB request header limit.
    pub bars: Vec<SizeBar>,
    pub logout: Vec<String>,
    pub findings: Vec<PageFinding>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Failure {
    pub message: String,
    /// The hint, one paragraph per line.
    pub hint: Vec<String>,
}

impl Failure {
    pub fn new(message: impl Into<String>, hint: &str) -> Failure {
        Failure {
            message: message.into(),
            hint: hint
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect(),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ClaimRow {
    pub name: String,
    pub value: String,
    /// How the app reads it (`st.user.email`), or empty.
    pub note: String,
}

/// A size drawn as a bar against its limit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SizeBar {
    pub label: String,
    pub bytes: usize,
    pub limit: usize,
    /// The limit in words ("4096, the browser's cookie limit").
    pub limit_label: String,
    /// The bar's length, 0 to 100 (the limit).
    pub percent: String,
    pub over: bool,
}

impl SizeBar {
    pub fn new(label: impl Into<String>, bytes: usize, limit: usize, limit_label: &str) -> SizeBar {
        let percent = if limit == 0 {
            100.0
        } else {
            (bytes as f64 * 100.0 / limit as f64).min(100.0)
        };
        SizeBar {
            label: label.into(),
            bytes,
            limit,
            limit_label: limit_label.to_string(),
            percent: format!("{percent:.1}"),
            over: bytes > limit,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PageFinding {
    /// `error`, `warning`, `info` or `ok` (also the CSS class).
    pub severity: &'static str,
    pub message: String,
    pub fix: Option<String>,
}

impl From<&Finding> for PageFinding {
    fn from(f: &Finding) -> PageFinding {
        PageFinding {
            severity: match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
                Severity::Ok => "ok",
            },
            message: f.message.clone(),
            fix: f.fix.clone(),
        }
    }
}

const DEV_PROVIDER: &str = "stauth dev provider";
const TEST_LOGIN: &str = "stauth test-login";

pub fn dev_login(page: &DevLoginPage) -> String {
    render(
        "dev_login.html",
        &format!("Log in to {}", page.client),
        context! { page => Serde(page) },
    )
}

pub fn dev_error(notice: &Notice) -> String {
    render_notice(DEV_PROVIDER, notice, Tone::Error, None)
}

/// After RP-initiated logout without a return URL (or `continue_url` to go on).
pub fn dev_logged_out(notice: &Notice, continue_url: Option<&str>) -> String {
    render_notice(DEV_PROVIDER, notice, Tone::Ok, continue_url)
}

/// A page of test-login's callback listener (a request that is not the
/// login, or a login whose report is not ready).
pub fn test_login_notice(notice: &Notice, tone: Tone) -> String {
    render_notice(TEST_LOGIN, notice, tone, None)
}

/// test-login's final page.
pub fn test_login_report(report: &ReportPage) -> String {
    render(
        "test_login.html",
        &report.headline,
        context! { report => Serde(report) },
    )
}

/// The policy to serve the pages with: no script, no outside resource, no
/// framing; the one inline stylesheet allowed by its hash.
pub fn content_security_policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLESHEET));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; frame-ancestors 'none'"
        )
    })
}

fn render_notice(brand: &str, notice: &Notice, tone: Tone, continue_url: Option<&str>) -> String {
    // Only a web address becomes a link: a `javascript:` URL never does.
    let continue_url = continue_url
        .filter(|u| url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https")));
    render(
        "notice.html",
        &notice.title,
        context! {
            brand => brand,
            notice => Serde(notice),
            tone => tone.class(),
            continue_url => continue_url,
        },
    )
}

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Escaping does not depend on a file name's extension.
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        // A misspelt field fails the render (and the tests) instead of
        // showing as nothing.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            // The templates are embedded and covered by tests; one that fails
            // to parse shows as the plain fallback page below.
            let _ = env.add_template(name, source);
        }
        env
    })
}

fn render(name: &str, title: &str, ctx: Value) -> String {
    let full = context! {
        title => title,
        css => Value::from_safe_string(STYLESHEET.to_string()),
        ..ctx
    };
    environment()
        .get_template(name)
        .and_then(|t| t.render(full))
        .unwrap_or_else(|e| fallback(title, &e.to_string()))
}

/// A page built without templates, for a template that failed to render.
fn fallback(title: &str, error: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body><h1>{t}</h1><p>stauth could not render this page ({e}); the terminal has the details.</p></body></html>",
        t = escape_html(title),
        e = escape_html(error)
    )
}

/// HTML escaping for text and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "<script>alert('x')</script> & \"q\"";

    fn assert_escaped(html: &str) {
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("'x'"), "{html}");
        assert!(
            html.contains(
                "&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; &amp; &quot;q&quot;"
            ),
            "{html}"
        );
    }

    #[test]
    fn notices_escape_and_link_only_web_addresses() {
        let mut notice = Notice::new(HOSTILE, HOSTILE);
        notice.details.push((HOSTILE.into(), HOSTILE.into()));
        let html = dev_error(&notice);
        assert_escaped(&html);
        assert!(html.contains("stauth dev provider"), "{html}");
        let html = dev_logged_out(&notice, Some("javascript:alert(1)"));
        assert!(!html.contains("javascript:"), "{html}");
        let html = dev_logged_out(&notice, Some("http://localhost:8501/?a=1&b=\"2\""));
        assert!(
            html.contains("href=\"http:&#x2f;&#x2f;localhost:8501&#x2f;?a=1&amp;b=&quot;2&quot;\""),
            "{html}"
        );
    }

    fn login_page() -> DevLoginPage {
        DevLoginPage {
            issuer: "http://localhost:9400".into(),
            client: "[auth] (app)".into(),
            redirect_uri: "http://localhost:8501/oauth2callback".into(),
            scope: "openid email profile".into(),
            prompt: None,
            like_title: None,
            users: vec![DevLoginUser {
                sub: "alice".into(),
                title: "Alice".into(),
                detail: "admin".into(),
            }],
            request_id: "req-1".into(),
            csrf: "csrf-1".into(),
            form_action: "/authorize/decide".into(),
        }
    }

    #[test]
    fn the_login_page_has_the_documented_fields() {
        let html = dev_login(&login_page());
        for want in [
            "<form method=\"post\" action=\"&#x2f;authorize&#x2f;decide\">",
            "name=\"request\" value=\"req-1\"",
            "name=\"csrf\" value=\"csrf-1\"",
            "name=\"action\" value=\"approve\"",
            "name=\"action\" value=\"deny\"",
            "name=\"action\" value=\"custom\"",
            "name=\"sub\" value=\"alice\" data-testid=\"dev-login-user-alice\"",
            "name=\"custom_sub\"",
            "name=\"custom_claims\"",
            "data-testid=\"dev-login-deny\"",
            "data-testid=\"dev-login-custom-sub\"",
            "data-testid=\"dev-login-custom-claims\"",
            "data-testid=\"dev-login-custom-submit\"",
            "<label for=\"custom_sub\">",
            "<label for=\"custom_claims\">",
        ] {
            assert!(html.contains(want), "{want}\n{html}");
        }
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn the_stylesheet_is_inline_and_allowed_by_its_hash_only() {
        let html = dev_error(&Notice::new("t", "m"));
        assert!(html.contains(&format!("<style>{STYLESHEET}</style>")));
        let policy = content_security_policy();
        assert!(
            policy.starts_with("default-src 'none'; style-src 'sha256-"),
            "{policy}"
        );
        assert!(!policy.contains("unsafe"), "{policy}");
        // Every page renders from its template, not from the fallback.
        for html in [
            html,
            dev_login(&login_page()),
            dev_logged_out(&Notice::new("t", "m"), None),
            test_login_notice(&Notice::new("t", "m"), Tone::Info),
            test_login_report(&ReportPage::default()),
        ] {
            assert!(
                html.contains("<main>") && !html.contains("could not render"),
                "{html}"
            );
        }
    }

    #[test]
    fn bars_stop_at_the_limit() {
        let over = SizeBar::new("c", 5000, 4096, "4096");
        assert_eq!((over.percent.as_str(), over.over), ("100.0", true));
        let quarter = SizeBar::new("c", 1024, 4096, "4096");
        assert_eq!((quarter.percent.as_str(), quarter.over), ("25.0", false));
        let html = test_login_report(&ReportPage {
            bars: vec![over, quarter],
            ..ReportPage::default()
        });
        assert!(html.contains("class=\"over\" width=\"100.0\""), "{html}");
        assert!(html.contains("class=\"used\" width=\"25.0\""), "{html}");
    }

    #[test]
    fn every_field_of_every_page_renders() {
        let row = ClaimRow {
            name: "email".into(),
            value: "a@example.com".into(),
            note: "st.user.email".into(),
        };
        let full = ReportPage {
            ok: true,
            kicker: "Login received".into(),
            headline: "The login works".into(),
            failure: Some(Failure::new("m", "h1\nh2")),
            about: vec![("Issuer".into(), "http://localhost:9400".into())],
            claims: vec![row.clone()],
            userinfo_only: vec![row],
            userinfo_error: Some("e".into()),
            cookies_heading: "Cookies".into(),
            bars: vec![SizeBar::new("c", 1, 2, "2")],
            logout: vec!["l".into()],
            findings: vec![PageFinding::from(&Finding::warning("x", "w").fix("f"))],
        };
        let mut login = login_page();
        login.prompt = Some("login".into());
        login.like_title = Some("Microsoft Entra ID".into());
        for html in [
            test_login_report(&full),
            dev_login(&login),
            dev_logged_out(&Notice::new("t", "m"), Some("http://localhost:8501/")),
        ] {
            assert!(!html.contains("could not render"), "{html}");
        }
    }
}
