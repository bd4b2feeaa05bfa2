//! `test-login --login-as SUB`: the login against stauth's dev provider with
//! no browser. The dev provider is started in this process when nothing
//! listens on its port (approving every authorization as SUB); stauth then
//! asks it to authorize, as a browser would, and delivers the redirect to its
//! own callback listener, so the rest of test-login runs unchanged.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::redirect::Policy;
use url::Url;

use crate::dev_provider::keys::{Algorithm, KeyRing};
use crate::dev_provider::server::{self, Options, Running};
use crate::dev_provider::users::{self, Users};
use crate::dev_provider::{self, clients};
use crate::error::{Error, Result};
use crate::limits::{PROVIDER_TIMEOUT, RESPONSE_BYTES};
use crate::oidc::loopback::ANSWER_WITHIN;
use crate::output::{untrusted, Output};
use crate::streamlit::auth_config::LoginConfig;
use crate::streamlit::AppContext;

/// Users named when the one asked for is not there.
const SHOWN_USERS: usize = 20;
/// How long a connection attempt to the dev provider's port may take (loopback).
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// The dev provider this login uses.
pub struct DevLogin {
    pub sub: String,
    port: u16,
    like: Option<String>,
    /// The dev provider started for this login (it stops when dropped), or
    /// None: one was already running, which approves only with its own
    /// `--auto-login`.
    started: Option<Running>,
}

/// Checks that `config` points at the dev provider and that it can approve
/// as `sub`, and starts it when nothing listens on its port.
pub fn prepare(
    sub: &str,
    app: &AppContext,
    config: &LoginConfig,
    redirect: &Url,
    out: &Output,
) -> Result<DevLogin> {
    let section = format!("[{}]", config.slot.section());
    let url = &config.server_metadata_url;
    let Some(like) = dev_provider::points_at(url, None) else {
        return Err(Error::Input {
            message: format!(
                "--login-as works only with stauth's dev provider, and {section} points at {}",
                untrusted(url)
            ),
            hint: format!(
                "Drop --login-as to log in in the browser, or make a provider for the dev provider: stauth init --provider dev --name dev (then --provider dev). Its server_metadata_url is {}.",
                dev_provider::metadata_url(dev_provider::DEFAULT_PORT, None)
            ),
        });
    };
    let port = Url::parse(url.trim())
        .ok()
        .and_then(|u| u.port_or_known_default())
        .unwrap_or(80);
    if redirect.port_or_known_default() == Some(port) {
        return Err(Error::Input {
            message: format!(
                "{section}'s redirect URI and its dev provider both use port {port}, so the provider's redirect would come back to the provider"
            ),
            hint: format!(
                "Give the dev provider its own port in server_metadata_url (its default is {}), or the app another one in redirect_uri.",
                dev_provider::DEFAULT_PORT
            ),
        });
    }
    if let Some(addr) = listening(port) {
        // A dev provider started with `--auto-login` approves: that is tried
        // (and the sub it approved as checked); anything else is refused.
        if serves_dev_issuer(url, &dev_provider::issuer(port, like.as_deref())) {
            out.line(format!(
                "Using the dev provider already running on {}",
                dev_provider::issuer(port, None)
            ));
            return Ok(DevLogin {
                sub: sub.to_string(),
                port,
                like,
                started: None,
            });
        }
        return Err(port_taken(port, addr, like.as_deref(), &section));
    }
    let users = app_users(&app.app_dir)?;
    if users.find(sub).is_none() {
        return Err(unknown_user(sub, &users));
    }
    let clients = clients::from_app(app, port)?;
    let (keys, _) = KeyRing::load_or_create(&KeyRing::default_dir()?, Algorithm::Rs256)?;
    let mut options = Options::new(port, clients, users, keys);
    options.auto_login = Some(sub.to_string());
    options.release = Some(*app.release());
    let running = server::start(options)?;
    out.line(format!(
        "Started stauth's dev provider on {} for this login (approving as {}); it stops when test-login ends.",
        dev_provider::issuer(port, None),
        untrusted(sub)
    ));
    Ok(DevLogin {
        sub: sub.to_string(),
        port,
        like,
        started: Some(running),
    })
}

/// `<app-dir>/.streamlit/dev-users.toml` when there is one, else the samples.
fn app_users(app_dir: &std::path::Path) -> Result<Users> {
    let path = users::default_path(app_dir);
    if path.is_file() {
        users::load(&path)
    } else {
        Ok(users::samples())
    }
}

fn unknown_user(sub: &str, users: &Users) -> Error {
    let from = match &users.source {
        users::UsersSource::File(path) => untrusted(&path.display().to_string()).into_owned(),
        users::UsersSource::Samples => "the sample users".into(),
    };
    let mut subs: Vec<String> = users
        .users
        .iter()
        .take(SHOWN_USERS)
        .map(|u| untrusted(&u.sub).into_owned())
        .collect();
    let first = subs.first().cloned().unwrap_or_else(|| "SUB".into());
    if users.users.len() > SHOWN_USERS {
        subs.push(format!("and {} more", users.users.len() - SHOWN_USERS));
    }
    Error::Input {
        message: format!(
            "there is no user '{}' in {from}: the dev provider would show its login page instead of approving",
            untrusted(sub)
        ),
        hint: format!(
            "Use one of: {} (--login-as {}), or add the user to the users file (stauth dev-provider --init-users writes the samples to start from).",
            subs.join(", "),
            first
        ),
    }
}

/// The first loopback address where something accepts connections on `port`.
fn listening(port: u16) -> Option<SocketAddr> {
    [
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ]
    .into_iter()
    .map(|ip| SocketAddr::new(ip, port))
    .find(|addr| TcpStream::connect_timeout(addr, PROBE_TIMEOUT).is_ok())
}

/// A dev provider that runs already and showed its page instead of approving.
fn running_without_auto_login(port: u16, sub: &str) -> Error {
    let sub = untrusted(sub);
    Error::Input {
        message: format!(
            "a dev provider is already running on port {port} without --auto-login, and --login-as cannot make it approve as {sub}"
        ),
        hint: format!(
            "Stop it (Ctrl-C where it runs) and run this again, so test-login starts its own; or restart it with `stauth dev-provider --auto-login {sub}`; or drop --login-as and log in on its page in the browser."
        ),
    }
}

/// Another program listens on the dev provider's port.
fn port_taken(port: u16, addr: SocketAddr, like: Option<&str>, section: &str) -> Error {
    Error::Input {
        message: format!(
            "port {port} on {} is in use by another program, not by stauth's dev provider, so test-login cannot start the dev provider that {section} points at",
            addr.ip()
        ),
        hint: format!(
            "Stop the program that listens on port {port}, or give the dev provider another port: change server_metadata_url in {section} to {} with a free port.",
            dev_provider::metadata_url(port.wrapping_add(1).max(1024), like)
        ),
    }
}

/// Whether `url` answers with a discovery document for `issuer`.
fn serves_dev_issuer(url: &str, issuer: &str) -> bool {
    let Ok(client) = http_client(PROVIDER_TIMEOUT) else {
        return false;
    };
    let Ok(response) = client.get(url).send() else {
        return false;
    };
    if !response.status().is_success() {
        return false;
    }
    let Ok(body) = crate::fsutil::read::read_capped(response, RESPONSE_BYTES, "discovery") else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("issuer").and_then(|i| i.as_str()).map(str::to_string))
        .is_some_and(|i| i == issuer)
}

fn http_client(timeout: Duration) -> reqwest::Result<Client> {
    // Loopback only: no proxy from the environment may see the login.
    Client::builder()
        .redirect(Policy::none())
        .timeout(timeout)
        .no_proxy()
        .build()
}

impl DevLogin {
    /// Asks the dev provider to authorize, as the browser would; it approves
    /// at once and redirects. The redirect's URL, which must be the redirect URI.
    pub fn authorize(&self, authorization_url: &str, redirect_uri: &str) -> Result<String> {
        authorize(authorization_url, redirect_uri).map_err(|e| match e {
            Authorize::LoginPage(_) if self.started.is_none() => {
                running_without_auto_login(self.port, &self.sub)
            }
            Authorize::LoginPage(e) | Authorize::Failed(e) => e,
        })
    }

    /// The error when the login went through as another user than asked
    /// (a running dev provider's own `--auto-login`).
    pub fn check_sub(&self, got: Option<&str>) -> Result<()> {
        if got == Some(self.sub.as_str()) {
            return Ok(());
        }
        let got = untrusted(got.unwrap_or("(no sub)")).into_owned();
        Err(Error::Input {
            message: format!(
                "the dev provider on {} approved the login as {got}, not as {}",
                dev_provider::issuer(self.port, self.like.as_deref()),
                untrusted(&self.sub)
            ),
            hint: format!(
                "It runs with --auto-login {got}: use --login-as {got}, or restart it with --auto-login {}.",
                untrusted(&self.sub)
            ),
        })
    }
}

/// Why the authorization request did not redirect.
enum Authorize {
    /// It showed its login page: it is not approving by itself.
    LoginPage(Error),
    Failed(Error),
}

fn authorize(
    authorization_url: &str,
    redirect_uri: &str,
) -> std::result::Result<String, Authorize> {
    let failed = |message: String, hint: &str| Error::ProviderFailed {
        message,
        hint: hint.into(),
    };
    let client = http_client(PROVIDER_TIMEOUT)
        .map_err(|e| Authorize::Failed(failed(format!("cannot make an HTTP client: {e}"), "")))?;
    let response = client.get(authorization_url).send().map_err(|e| {
        Authorize::Failed(failed(
            format!("the dev provider did not answer the authorization request: {e}"),
            "Check that nothing else took its port, then run the same command again.",
        ))
    })?;
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(str::to_string);
    let Some(location) = location.filter(|_| status.is_redirection()) else {
        let body = crate::fsutil::read::read_capped(response, RESPONSE_BYTES, "page")
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let said = page_message(&body)
            .map(|m| format!(": {}", untrusted(&m)))
            .unwrap_or_default();
        let message = format!("the dev provider answered the authorization request with {status} instead of a redirect to the app{said}");
        return Err(if status.is_success() {
            Authorize::LoginPage(failed(
                message,
                "It showed its login page, so it is not approving as the user: run without --login-as and log in on the page.",
            ))
        } else {
            Authorize::Failed(failed(
                message,
                "It refused the request as its message says; `stauth dev-provider` lists the clients and redirect URIs it accepts (the app's own).",
            ))
        });
    };
    if !same_endpoint(&location, redirect_uri) {
        return Err(Authorize::Failed(failed(
            format!(
                "the dev provider redirected to {} instead of the redirect URI {}",
                untrusted(&location),
                untrusted(redirect_uri)
            ),
            "",
        )));
    }
    Ok(location)
}

/// Delivers the provider's redirect to the callback listener, as the
/// browser would (the listener answers once the report is ready).
pub fn deliver(location: String) -> JoinHandle<()> {
    std::thread::spawn(move || {
        if let Ok(client) = http_client(ANSWER_WITHIN + Duration::from_secs(5)) {
            if let Ok(response) = client.get(&location).send() {
                let _ = crate::fsutil::read::read_capped(response, RESPONSE_BYTES, "page");
            }
        }
    })
}

/// Same scheme, host, port and path.
fn same_endpoint(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
                && a.path() == b.path()
        }
        _ => false,
    }
}

/// The message of one of stauth's notice pages (`data-testid="notice-message"`).
fn page_message(html: &str) -> Option<String> {
    let start = html.find("data-testid=\"notice-message\">")? + 29;
    let end = start + html[start..].find("</p>")?;
    Some(unescape_html(&html[start..end]))
}

fn unescape_html(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_compare_without_the_query() {
        assert!(same_endpoint(
            "http://localhost:8501/oauth2callback?code=c&state=s",
            "http://localhost:8501/oauth2callback"
        ));
        assert!(!same_endpoint(
            "http://localhost:8502/oauth2callback?code=c",
            "http://localhost:8501/oauth2callback"
        ));
        assert!(!same_endpoint("not a url", "http://localhost:8501/"));
    }

    #[test]
    fn reads_the_message_of_a_notice_page() {
        let html = crate::pages::dev_error(&crate::pages::Notice::new(
            "t",
            "redirect_uri <x> & 'y' is not registered",
        ));
        assert_eq!(
            page_message(&html).as_deref(),
            Some("redirect_uri <x> & 'y' is not registered")
        );
    }
}
