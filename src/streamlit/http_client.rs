//! The HTTP client behind Streamlit's login, and what it does when a provider
//! answers with a redirect. stauth itself never follows a redirect with a
//! secret; this module says whether the target Streamlit release would have,
//! so an error can tell the user what their app will do. Pure: no network.
//!
//! Sources (read in the released wheels):
//! - Streamlit 1.42-1.56, Tornado server: `web/server/oidc_mixin.py` sets
//!   `client_cls = OAuth2Session` from `authlib.integrations.requests_client`.
//!   requests 2.x follows 301/302/303/307/308 (30 at most, any origin):
//!   307/308 keep the method and body, 301 (for a POST), 302 and 303 turn it
//!   into a GET without the body (`SessionRedirectMixin.rebuild_method`), and
//!   the Authorization header is dropped when the host changes
//!   (`should_strip_auth`). Authlib does not pass `allow_redirects=False`.
//! - Streamlit 1.57+, Starlette server: `starlette_auth_routes.py` uses
//!   `authlib.integrations.starlette_client`, whose `client_cls` is the httpx
//!   `AsyncOAuth2Client`; httpx follows no redirect unless `follow_redirects`
//!   is set, and Authlib then fails on the 3xx (`raise_for_status`).

use url::Url;

use super::release::Release;
use crate::oidc::http::DocumentRedirects;
use crate::oidc::token::{TokenAuth, TokenRedirects};

/// The HTTP library Authlib uses inside a Streamlit release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    /// Tornado server (1.42-1.56): Authlib's requests client.
    Requests,
    /// Starlette server (1.57+): Authlib's httpx client.
    Httpx,
}

impl Library {
    pub fn of(release: &Release) -> Library {
        if release.server.is_starlette() {
            Library::Httpx
        } else {
            Library::Requests
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Library::Requests => "requests",
            Library::Httpx => "httpx",
        }
    }
}

/// What the library does with one redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    /// Not followed: the 3xx is the answer, and the login fails there.
    No,
    /// Followed with the same method and body (307/308, or any GET).
    Same { authorization_kept: bool },
    /// A POST followed as a GET without its body (301/302/303).
    AsGet { authorization_kept: bool },
}

/// What `library` does when a `method` request to `from` is answered with
/// `status` and a Location resolving to `to` (`None`: unparsable).
pub fn follows(library: Library, post: bool, status: u16, from: &Url, to: Option<&Url>) -> Follow {
    let Some(to) = to else {
        return Follow::No;
    };
    match library {
        Library::Httpx => Follow::No,
        Library::Requests => {
            let authorization_kept = !requests_strips_auth(from, to);
            match status {
                307 | 308 => Follow::Same { authorization_kept },
                301..=303 if post => Follow::AsGet { authorization_kept },
                301..=303 => Follow::Same { authorization_kept },
                _ => Follow::No,
            }
        }
    }
}

/// requests' `Session.should_strip_auth`, on parsed URLs (where a default
/// port reads as no port, as requests treats both alike).
fn requests_strips_auth(old: &Url, new: &Url) -> bool {
    if old.host_str() != new.host_str() {
        return true;
    }
    if old.scheme() == "http"
        && old.port().is_none_or(|p| p == 80)
        && new.scheme() == "https"
        && new.port().is_none_or(|p| p == 443)
    {
        return false;
    }
    let changed_scheme = old.scheme() != new.scheme();
    if !changed_scheme && old.port().is_none() && new.port().is_none() {
        return false;
    }
    old.port() != new.port() || changed_scheme
}

fn who(release: &Release, library: Library) -> String {
    let server = if release.server.is_starlette() {
        "Starlette"
    } else {
        "Tornado"
    };
    format!(
        "Streamlit {} ({server} server, Authlib on {})",
        release.version,
        library.name()
    )
}

/// A sentence on what Streamlit `version` does when its token request
/// (a POST with the code, and the client credentials as `auth` says) is
/// answered with this redirect.
pub(crate) fn token_redirect(
    release: &Release,
    auth: &TokenAuth,
    status: u16,
    from: &Url,
    to: Option<&Url>,
) -> String {
    let library = Library::of(release);
    let who = who(release, library);
    let body = match auth {
        TokenAuth::ClientSecretPost => "the code, the code_verifier and the client_secret",
        _ => "the code and the code_verifier",
    };
    let header_note = |kept: bool| {
        match (auth, kept) {
        (TokenAuth::ClientSecretBasic, true) => {
            "; the Authorization header with the client secret goes along"
        }
        (TokenAuth::ClientSecretBasic, false) => {
            "; it drops the Authorization header (client_secret_basic) because the host or port changes"
        }
        _ => "",
    }
    };
    match follows(library, true, status, from, to) {
        Follow::No if library == Library::Httpx => format!(
            "{who} would not follow it either: httpx follows no redirect by default, so nothing goes to the new address, and the token exchange fails (Authlib reads the 3xx as the token response)."
        ),
        Follow::No => format!(
            "{who} would not follow it either (requests follows only 301, 302, 303, 307 and 308 with a valid Location), so the login fails at the token exchange."
        ),
        Follow::Same { authorization_kept } => format!(
            "{who} would follow it: requests sends the POST again, body included ({body}), to the new address{}.",
            header_note(authorization_kept)
        ),
        Follow::AsGet { authorization_kept } => format!(
            "{who} would follow it as a GET without the form body, so the token exchange fails there{}.",
            header_note(authorization_kept)
        ),
    }
}

/// A sentence on what Streamlit does when a GET for a document (discovery,
/// JWKS, userinfo) is answered with this redirect: for one release, or for
/// both servers when the release is not known.
pub(crate) fn document_redirect(
    release: Option<&Release>,
    status: u16,
    from: &Url,
    to: Option<&Url>,
) -> String {
    let one = |library: Library| follows(library, false, status, from, to) != Follow::No;
    match release {
        Some(r) => {
            let library = Library::of(r);
            let who = who(r, library);
            if one(library) {
                format!("{who} would follow it, to any origin.")
            } else {
                format!("{who} would not follow it: its login fails at this request.")
            }
        }
        None => match (one(Library::Requests), one(Library::Httpx)) {
            (true, _) => "Streamlit's Tornado server (1.42-1.56, Authlib on requests) would follow it, to any origin; the Starlette server (1.57 and later, Authlib on httpx) would not, and its login fails at this request.".into(),
            _ => "Streamlit would not follow it either (neither requests on the Tornado server nor httpx on the Starlette server): its login fails at this request.".into(),
        },
    }
}

/// The release is not known: what each of Streamlit's servers would do.
pub struct AnyRelease;

impl DocumentRedirects for AnyRelease {
    fn explain(&self, status: u16, from: &Url, to: Option<&Url>) -> String {
        document_redirect(None, status, from, to)
    }
}

impl DocumentRedirects for Release {
    fn explain(&self, status: u16, from: &Url, to: Option<&Url>) -> String {
        document_redirect(Some(self), status, from, to)
    }
}

impl TokenRedirects for Release {
    fn explain(&self, auth: &TokenAuth, status: u16, from: &Url, to: Option<&Url>) -> String {
        token_redirect(self, auth, status, from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn library_by_release() {
        let r = |v: &str, opt_in| Release::new(v.parse().unwrap(), opt_in);
        assert_eq!(Library::of(&r("1.56", false)), Library::Requests);
        assert_eq!(Library::of(&r("1.56", true)), Library::Httpx);
        assert_eq!(Library::of(&r("1.57", false)), Library::Httpx);
        assert_eq!(Library::of(&r("1.67", false)), Library::Httpx);
    }

    #[test]
    fn requests_rules() {
        let from = u("http://127.0.0.1:1/token");
        let other = u("http://127.0.0.1:2/steal");
        let same_host = u("http://127.0.0.1:1/other");
        let r = Library::Requests;
        assert_eq!(
            follows(r, true, 307, &from, Some(&other)),
            Follow::Same {
                authorization_kept: false
            }
        );
        assert_eq!(
            follows(r, true, 308, &from, Some(&same_host)),
            Follow::Same {
                authorization_kept: true
            }
        );
        assert_eq!(
            follows(r, true, 302, &from, Some(&other)),
            Follow::AsGet {
                authorization_kept: false
            }
        );
        assert_eq!(follows(r, true, 300, &from, Some(&other)), Follow::No);
        assert_eq!(follows(r, true, 307, &from, None), Follow::No);
        assert_eq!(
            follows(Library::Httpx, true, 307, &from, Some(&other)),
            Follow::No
        );
        // requests keeps the header for http -> https on default ports.
        assert!(!requests_strips_auth(
            &u("http://a.example/x"),
            &u("https://a.example/y")
        ));
        assert!(requests_strips_auth(
            &u("https://a.example/x"),
            &u("http://a.example/y")
        ));
        assert!(requests_strips_auth(
            &u("https://a.example/x"),
            &u("https://b.example/x")
        ));
    }

    #[test]
    fn sentences() {
        let from = u("http://127.0.0.1:1/token");
        let to = u("http://127.0.0.1:2/steal");
        let s = token_redirect(
            &Release::new("1.56".parse().unwrap(), false),
            &TokenAuth::ClientSecretPost,
            307,
            &from,
            Some(&to),
        );
        assert_eq!(s, "Streamlit 1.56.0 (Tornado server, Authlib on requests) would follow it: requests sends the POST again, body included (the code, the code_verifier and the client_secret), to the new address.");
        let s = token_redirect(
            &Release::latest(),
            &TokenAuth::ClientSecretBasic,
            307,
            &from,
            Some(&to),
        );
        assert!(
            s.starts_with(
                "Streamlit 1.67.0 (Starlette server, Authlib on httpx) would not follow it either"
            ),
            "{s}"
        );
        assert!(document_redirect(None, 302, &from, Some(&to))
            .contains("Tornado server (1.42-1.56, Authlib on requests) would follow it"));
    }
}
