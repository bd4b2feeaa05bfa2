//! Where `st.logout()` sends the browser, per release: only the app's
//! cookies cleared, or the provider's `end_session_endpoint` with the query
//! that release builds (1.48.0, 1.53.x and 1.54+ each build it differently).

use url::Url;

use super::release::{LogoutRule, Release};
use super::schema::CALLBACK_PATH;

/// What `st.logout()` does for one app and provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoutPlan {
    /// The browser goes to this URL at the provider after the cookies are
    /// cleared; `post_logout_redirect_uri` must be registered there.
    Provider {
        url: String,
        post_logout_redirect_uri: String,
    },
    /// Only the app's cookies are cleared, for this reason.
    LocalOnly(LocalReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalReason {
    /// The release never logs out at the provider.
    Release,
    /// The provider's discovery has no end_session_endpoint.
    NoEndSession,
    /// redirect_uri does not end with `/oauth2callback`.
    RedirectUri,
}

/// The plan of `release` for an app whose `[auth]` has `redirect_uri`
/// (as written, and `resolved` with `{port}` replaced), given the provider's
/// `end_session_endpoint` and the ID token stored at login (1.53+ sends it as
/// `id_token_hint`).
pub fn plan(
    release: &Release,
    end_session_endpoint: Option<&str>,
    client_id: &str,
    redirect_uri: &str,
    resolved: &str,
    id_token: Option<&str>,
) -> LogoutPlan {
    let rule = release.logout();
    if rule == LogoutRule::LocalOnly {
        return LogoutPlan::LocalOnly(LocalReason::Release);
    }
    let Some(endpoint) = end_session_endpoint else {
        return LogoutPlan::LocalOnly(LocalReason::NoEndSession);
    };
    match rule {
        LogoutRule::LocalOnly => LogoutPlan::LocalOnly(LocalReason::Release),
        // 1.48.0 reads redirect_uri as written ({port} is not replaced then).
        LogoutRule::RootOnly => {
            if !redirect_uri.ends_with(CALLBACK_PATH) {
                return LogoutPlan::LocalOnly(LocalReason::RedirectUri);
            }
            let root = redirect_uri
                .strip_suffix(&CALLBACK_PATH[1..])
                .unwrap_or(redirect_uri)
                .to_string();
            let query = urlencode(&[("post_logout_redirect_uri".into(), root.clone())]);
            LogoutPlan::Provider {
                url: format!("{endpoint}?{query}"),
                post_logout_redirect_uri: root,
            }
        }
        LogoutRule::Provider { merge_query } => {
            if !resolved.ends_with(CALLBACK_PATH) {
                return LogoutPlan::LocalOnly(LocalReason::RedirectUri);
            }
            let mut params = vec![
                ("client_id".to_string(), client_id.to_string()),
                ("post_logout_redirect_uri".to_string(), resolved.to_string()),
            ];
            if let Some(t) = id_token {
                params.push(("id_token_hint".into(), t.into()));
            }
            let url = if merge_query {
                merged(endpoint, params)
            } else {
                Some(format!("{endpoint}?{}", urlencode(&params)))
            };
            match url {
                Some(url) => LogoutPlan::Provider {
                    url,
                    post_logout_redirect_uri: resolved.to_string(),
                },
                // Streamlit catches the failure and logs out locally.
                None => LogoutPlan::LocalOnly(LocalReason::NoEndSession),
            }
        }
    }
}

/// `auth_util.build_logout_url` (1.54+): `{**dict(parse_qsl(query)), **params}`
/// put back with `urlencode`; blank values in the endpoint's query are
/// dropped, a repeated key keeps its first place and last value, and a key
/// Streamlit sets keeps the endpoint's place with Streamlit's value.
fn merged(endpoint: &str, params: Vec<(String, String)>) -> Option<String> {
    let url = Url::parse(endpoint).ok()?;
    let mut all: Vec<(String, String)> = Vec::new();
    let mut put = |k: String, v: String| match all.iter_mut().find(|(key, _)| *key == k) {
        Some(slot) => slot.1 = v,
        None => all.push((k, v)),
    };
    for (k, v) in url.query_pairs().filter(|(_, v)| !v.is_empty()) {
        put(k.into_owned(), v.into_owned());
    }
    for (k, v) in params {
        put(k, v);
    }
    let query = urlencode(&all);
    // urlparse(...)._replace(query=...).geturl(): the fragment stays.
    let before = endpoint.split(['?', '#']).next().unwrap_or(endpoint);
    let fragment = endpoint.split_once('#').map(|(_, f)| format!("#{f}"));
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    Some(format!("{before}{query}{}", fragment.unwrap_or_default()))
}

/// Python's `urllib.parse.urlencode` (quote_plus: letters, digits and `_.-~`
/// stay; a space is `+`).
fn urlencode(params: &[(String, String)]) -> String {
    let quote = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    };
    params
        .iter()
        .map(|(k, v)| format!("{}={}", quote(k), quote(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CB: &str = "http://localhost:8501/oauth2callback";

    fn url_of(p: LogoutPlan) -> String {
        match p {
            LogoutPlan::Provider { url, .. } => url,
            other => panic!("{other:?}"),
        }
    }

    fn release(v: &str) -> Release {
        Release::new(v.parse().unwrap(), false)
    }

    #[test]
    fn by_release() {
        let end = Some("https://idp/logout?x=1&client_id=old&blank=");
        assert_eq!(
            plan(&release("1.47"), end, "app", CB, CB, None),
            LogoutPlan::LocalOnly(LocalReason::Release)
        );
        assert_eq!(
            plan(&release("1.48.1"), end, "app", CB, CB, None),
            LogoutPlan::LocalOnly(LocalReason::Release)
        );
        assert_eq!(
            url_of(plan(&release("1.48.0"), end, "app", CB, CB, Some("t"))),
            "https://idp/logout?x=1&client_id=old&blank=?post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A8501%2F"
        );
        assert_eq!(
            url_of(plan(&release("1.53.1"), end, "app", CB, CB, Some("t"))),
            "https://idp/logout?x=1&client_id=old&blank=?client_id=app&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A8501%2Foauth2callback&id_token_hint=t"
        );
        assert_eq!(
            url_of(plan(&release("1.54"), end, "app", CB, CB, Some("t"))),
            "https://idp/logout?x=1&client_id=app&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A8501%2Foauth2callback&id_token_hint=t"
        );
        assert_eq!(
            plan(&Release::latest(), None, "app", CB, CB, None),
            LogoutPlan::LocalOnly(LocalReason::NoEndSession)
        );
        assert_eq!(
            plan(
                &Release::latest(),
                end,
                "app",
                "http://localhost:8501/",
                "http://localhost:8501/",
                None
            ),
            LogoutPlan::LocalOnly(LocalReason::RedirectUri)
        );
        let opt_in = Release::new("1.53.0".parse().unwrap(), true);
        assert_eq!(
            plan(&opt_in, end, "app", CB, CB, None),
            LogoutPlan::LocalOnly(LocalReason::Release)
        );
    }

    #[test]
    fn python_quoting() {
        assert_eq!(
            urlencode(&[("a b".into(), "x~y*z/é".into())]),
            "a+b=x~y%2Az%2F%C3%A9"
        );
    }
}
