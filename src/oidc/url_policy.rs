//! Which URLs stauth will talk to: https everywhere, plain http only on the
//! loopback interface (a provider on your own machine).

use url::Url;

/// True for `localhost`, any 127.0.0.0/8 address and `::1`.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Why a provider URL is not acceptable, if it is not.
pub fn provider_url_problem(url: &Url) -> Option<String> {
    match url.scheme() {
        "https" => None,
        "http" if url.host_str().is_some_and(is_loopback_host) => None,
        "http" => Some(
            "providers must be reached over https (plain http is only accepted for a provider on this machine: localhost, 127.0.0.1, [::1])"
                .into(),
        ),
        other => Some(format!("unsupported scheme '{other}': use an https:// URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["example.com", "10.0.0.1", "localhost.example.com", "::2"] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn provider_urls() {
        let ok = [
            "https://a.example/x",
            "http://127.0.0.1:9/x",
            "http://localhost/x",
        ];
        for u in ok {
            assert_eq!(provider_url_problem(&Url::parse(u).unwrap()), None, "{u}");
        }
        for u in ["http://idp.example.com/x", "ftp://a/b"] {
            assert!(
                provider_url_problem(&Url::parse(u).unwrap()).is_some(),
                "{u}"
            );
        }
    }
}
