//! Signs, seen from outside, that several app servers sit behind a load
//! balancer, and whether it keeps a browser on one of them.

use super::client::Answer;
use super::stack::Stack;
use crate::finding::Finding;
use crate::streamlit::release::Release;
use crate::untrusted::Untrusted;

/// Cookies load balancers set to keep a browser on one backend (names, or
/// name prefixes ending in `*`).
const AFFINITY_COOKIES: &[&str] = &[
    "INGRESSCOOKIE",
    "route",
    "SERVERID",
    "AWSALB",
    "AWSALBAPP-*",
    "AWSELB",
    "GCLB",
    "ARRAffinity",
    "ARRAffinitySameSite",
    "__cflb",
    "BIGipServer*",
    "sticky",
    "_sticky",
];

/// Headers in which proxies name the backend that answered.
const UPSTREAM_HEADERS: &[&str] = &[
    "x-upstream",
    "x-upstream-addr",
    "x-served-by",
    "x-backend",
    "x-backend-server",
    "x-server",
    "x-instance",
    "x-instance-id",
    "x-pod",
    "x-pod-name",
    "x-hostname",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replicas {
    /// Answers looked at.
    pub answers: usize,
    /// Affinity cookies the answers set.
    pub affinity_cookies: Vec<String>,
    /// The header that names backends, and the distinct backends it named.
    pub backends: Option<(String, Vec<String>)>,
}

impl Replicas {
    pub fn observe(&mut self, answer: &Answer) {
        self.answers += 1;
        for name in answer.set_cookie_names() {
            if is_affinity_cookie(&name) && !self.affinity_cookies.contains(&name) {
                self.affinity_cookies.push(name);
            }
        }
        for header in UPSTREAM_HEADERS {
            let Some(value) = answer.header(header) else {
                continue;
            };
            // nginx's $upstream_addr lists every backend tried: the last answered.
            let backend = value.rsplit(',').next().unwrap_or(value).trim().to_string();
            let (_, seen) = self
                .backends
                .get_or_insert_with(|| (header.to_string(), Vec::new()));
            if !seen.contains(&backend) && seen.len() < 16 {
                seen.push(backend);
            }
            break;
        }
    }

    /// How many different backends answered (0: no header told).
    pub fn backend_count(&self) -> usize {
        self.backends.as_ref().map_or(0, |(_, b)| b.len())
    }
}

fn is_affinity_cookie(name: &str) -> bool {
    AFFINITY_COOKIES
        .iter()
        .any(|known| match known.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == *known,
        })
}

pub(super) fn findings(r: &Replicas, front: Stack, release: &Release) -> Vec<Finding> {
    let state = if release.login_state_in_cookie() {
        "the login itself survives a change of replica (its state is in a cookie signed with cookie_secret, which must be the same on every replica), but the app's session (st.session_state, uploads, media) lives in one replica's memory"
    } else {
        "the login state is kept in the memory of the replica that started the login, so a callback that reaches another replica fails (streamlit#12252)"
    };
    let why = format!("With {}: {state}.", release.describe());
    match (r.backend_count(), r.affinity_cookies.is_empty()) {
        (n, true) if n >= 2 => {
            let (header, backends) = r.backends.clone().unwrap_or_default();
            let shown: Vec<String> = backends.iter().take(4).map(|b| Untrusted(b).to_string()).collect();
            vec![Finding::warning(
                "probe.replicas",
                format!(
                    "{n} different backends answered {} requests ({header}: {}) and no session-affinity cookie was set: one user's requests go to different replicas",
                    r.answers,
                    shown.join(", ")
                ),
            )
            .why(why)
            .fix(front.affinity_fix())]
        }
        (n, false) => vec![Finding::ok(
            "probe.replicas",
            format!(
                "the load balancer sets a session-affinity cookie ({}){}",
                r.affinity_cookies.join(", "),
                if n >= 2 { format!("; {n} backends answered the probe, which sends it no cookies back") } else { String::new() }
            ),
        )],
        _ => match front {
            Stack::AwsAlb | Stack::GoogleLb | Stack::Cloudflare | Stack::Envoy => vec![Finding::info(
                "probe.replicas",
                format!("the app is behind {} and no session-affinity cookie was set; from outside stauth cannot tell whether several replicas serve it", front.name()),
            )
            .why(why)
            .fix(format!("if there are several replicas: {}", front.affinity_fix()))],
            _ => vec![Finding::ok(
                "probe.replicas",
                format!("no sign of several replicas in {} answers", r.answers),
            )],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(headers: &[(&str, &str)]) -> Answer {
        Answer {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: "ok".into(),
        }
    }

    #[test]
    fn counts_backends_and_affinity_cookies() {
        let mut r = Replicas::default();
        r.observe(&answer(&[("x-upstream", "127.0.0.1:1")]));
        r.observe(&answer(&[("x-upstream", "127.0.0.1:2, 127.0.0.1:1")]));
        r.observe(&answer(&[("x-upstream", "127.0.0.1:2")]));
        assert_eq!(r.backend_count(), 2);
        assert!(r.affinity_cookies.is_empty());
        r.observe(&answer(&[("set-cookie", "AWSALBAPP-0=x; Path=/")]));
        r.observe(&answer(&[("set-cookie", "_streamlit_xsrf=x; Path=/")]));
        assert_eq!(r.affinity_cookies, ["AWSALBAPP-0"]);
        assert_eq!(r.answers, 5);
    }
}
