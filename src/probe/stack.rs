//! Which server answered, told from its headers and error pages, and how to
//! let a larger `Cookie` header through it or to keep a user on one replica.

use super::client::Answer;

/// The fix that works on every stack: smaller login cookies.
pub const KEEP_CLAIMS_SMALL: &str = "keep large claims such as groups out of the ID token (a groups filter, app roles, or fewer claims at the provider)";

/// nginx's default `proxy_buffer_size`: one memory page (4 KiB on x86-64),
/// which must hold an upstream answer's whole head.
const NGINX_PROXY_BUFFER: usize = 4096;
/// The rest of the callback answer's head besides its Set-Cookie lines
/// (status line, Location, Date, Server...).
const RESPONSE_HEAD_MARGIN: usize = 1024;

/// A proxy, load balancer or app server the probe can recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stack {
    Nginx,
    Caddy,
    Traefik,
    Envoy,
    Cloudflare,
    AwsAlb,
    GoogleLb,
    /// Streamlit's own Starlette server (uvicorn), 1.57+ or opted in.
    StreamlitStarlette,
    /// Streamlit's own Tornado server, before 1.57.
    StreamlitTornado,
    Unknown,
}

impl Stack {
    /// The stack an answer comes from, as far as its headers and body say.
    pub fn recognise(answer: &Answer) -> Stack {
        let server = answer.header("server").unwrap_or("").to_ascii_lowercase();
        let via = answer.header("via").unwrap_or("").to_ascii_lowercase();
        let body = answer.body.to_ascii_lowercase();
        if server.starts_with("nginx")
            || server.starts_with("openresty")
            || body.contains("<center>nginx")
            || body.contains("<center>openresty")
        {
            Stack::Nginx
        } else if server.starts_with("caddy") {
            Stack::Caddy
        } else if server.starts_with("envoy")
            || answer.header("x-envoy-upstream-service-time").is_some()
        {
            Stack::Envoy
        } else if server.starts_with("cloudflare") {
            Stack::Cloudflare
        } else if server.starts_with("awselb") {
            Stack::AwsAlb
        } else if server.starts_with("google frontend") || server == "gfe" || via.contains("google")
        {
            Stack::GoogleLb
        } else if server.starts_with("uvicorn") {
            Stack::StreamlitStarlette
        } else if server.starts_with("tornadoserver") {
            Stack::StreamlitTornado
        } else if server.is_empty()
            && answer.status == 431
            && body.starts_with("431 request header fields too large")
        {
            // Go's net/http answer with no Server header: Traefik's, as Caddy names itself.
            Stack::Traefik
        } else {
            Stack::Unknown
        }
    }

    /// For messages.
    pub fn name(self) -> &'static str {
        match self {
            Stack::Nginx => "nginx",
            Stack::Caddy => "Caddy",
            Stack::Traefik => "Traefik (Go's HTTP server)",
            Stack::Envoy => "Envoy",
            Stack::Cloudflare => "Cloudflare",
            Stack::AwsAlb => "an AWS Application Load Balancer",
            Stack::GoogleLb => "a Google Cloud load balancer",
            Stack::StreamlitStarlette => "Streamlit's own server (Starlette, uvicorn)",
            Stack::StreamlitTornado => "Streamlit's own server (Tornado)",
            Stack::Unknown => "an unrecognised server",
        }
    }

    /// For JSON.
    pub fn id(self) -> &'static str {
        match self {
            Stack::Nginx => "nginx",
            Stack::Caddy => "caddy",
            Stack::Traefik => "traefik",
            Stack::Envoy => "envoy",
            Stack::Cloudflare => "cloudflare",
            Stack::AwsAlb => "aws-alb",
            Stack::GoogleLb => "google-lb",
            Stack::StreamlitStarlette => "streamlit-starlette",
            Stack::StreamlitTornado => "streamlit-tornado",
            Stack::Unknown => "unknown",
        }
    }

    /// How to let a `Cookie` header of `need` bytes through this stack, one
    /// line per way: this stack's setting, then `also` (a limit further in,
    /// such as Streamlit's own), then the way that always works, smaller
    /// cookies (the only way where the limit is fixed).
    pub fn header_fix(self, need: usize, also: Option<String>) -> String {
        let bytes = header_line_bytes(need);
        let kib = bytes / 1024;
        let (ways, fixed) = match self {
            Stack::Nginx => (
                vec![
                    format!("nginx: large_client_header_buffers 4 {kib}k; (in the http or server block; the default 4 8k holds one header line of at most 8 KiB)"),
                    format!("Kubernetes ingress-nginx: large-client-header-buffers: \"4 {kib}k\" in the controller's ConfigMap"),
                ],
                false,
            ),
            Stack::Caddy => (
                vec![format!("Caddy: in the global options, servers {{ max_header_size {kib}KB }}")],
                false,
            ),
            Stack::Traefik => (
                vec![format!("Traefik: --entryPoints.NAME.http.maxHeaderBytes={bytes} on the app's entry point")],
                false,
            ),
            Stack::Envoy => (
                vec![format!("Envoy: max_request_headers_kb: {kib} in the HTTP connection manager (Istio: a gateway EnvoyFilter)")],
                false,
            ),
            Stack::Cloudflare | Stack::AwsAlb | Stack::GoogleLb => (
                vec![format!("{} has a fixed header limit: {KEEP_CLAIMS_SMALL}", self.name())],
                true,
            ),
            Stack::StreamlitTornado => (
                vec![format!("Tornado's 64 KiB header limit cannot be set through Streamlit: {KEEP_CLAIMS_SMALL}")],
                true,
            ),
            Stack::StreamlitStarlette => (
                vec![format!("start Streamlit with WEBSOCKETS_MAX_LINE_LENGTH={bytes} in its environment (the websockets package's header line limit)")],
                false,
            ),
            Stack::Unknown => (
                vec![format!("raise the header size limit of the proxy or load balancer in front of the app to at least {bytes} bytes for one header line")],
                false,
            ),
        };
        let otherwise = (!fixed).then(|| format!("or, where the limit cannot be changed (Streamlit Community Cloud's proxy, a managed load balancer): {KEEP_CLAIMS_SMALL}"));
        ways.into_iter()
            .chain(also)
            .chain(otherwise)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// How to let the login callback's answer through when its Set-Cookie
    /// lines (`set_cookie_bytes`) pass this stack's default buffer for an
    /// upstream answer's headers; None when they fit or the stack has no
    /// such small default.
    pub fn response_fix(self, set_cookie_bytes: usize) -> Option<String> {
        let head = set_cookie_bytes + RESPONSE_HEAD_MARGIN;
        if self != Stack::Nginx || head <= NGINX_PROXY_BUFFER {
            return None;
        }
        let kib = buffer_kib(head);
        Some(format!(
            "nginx: proxy_buffer_size {kib}k; proxy_buffers 8 {kib}k; proxy_busy_buffers_size {}k; (in the app's location)\n\
             Kubernetes ingress-nginx: proxy-buffer-size: \"{kib}k\" in the controller's ConfigMap (or the annotation nginx.ingress.kubernetes.io/proxy-buffer-size)",
            kib * 2
        ))
    }

    /// How to keep each user on one replica behind this stack.
    pub fn affinity_fix(self) -> &'static str {
        match self {
            Stack::Nginx => "nginx: ip_hash; (or hash $remote_addr consistent;) in the upstream block; Kubernetes ingress-nginx: the annotations nginx.ingress.kubernetes.io/affinity: \"cookie\" and nginx.ingress.kubernetes.io/affinity-mode: \"persistent\"",
            Stack::Caddy => "Caddy: reverse_proxy { lb_policy cookie } (or ip_hash)",
            Stack::Traefik => "Traefik: a sticky cookie on the service (loadBalancer.sticky.cookie)",
            Stack::Envoy => "Envoy/Istio: consistent hashing on a cookie (DestinationRule consistentHash.httpCookie)",
            Stack::AwsAlb => "AWS ALB: turn on stickiness in the target group's attributes",
            Stack::GoogleLb => "Google Cloud: sessionAffinity GENERATED_COOKIE on the backend service",
            Stack::Cloudflare => "Cloudflare Load Balancing: session affinity by cookie",
            Stack::StreamlitStarlette | Stack::StreamlitTornado | Stack::Unknown => {
                "turn on session affinity (sticky sessions by cookie or client address) in the load balancer"
            }
        }
    }
}

/// The header line size to configure for a Cookie header of `need` bytes:
/// the whole line ("Cookie: " + value + CRLF, which must fit one nginx
/// buffer) rounded up to a power-of-two KiB, 16 KiB at least.
pub fn header_line_bytes(need: usize) -> usize {
    buffer_kib(need + "Cookie: \r\n".len()) * 1024
}

/// The smallest power-of-two KiB buffer (16 at least) that holds `bytes`.
fn buffer_kib(bytes: usize) -> usize {
    let mut kib = 16;
    while kib * 1024 < bytes {
        kib *= 2;
    }
    kib
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Answer {
        Answer {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
        }
    }

    #[test]
    fn recognises_stacks_by_headers_and_pages() {
        let cases = [
            (answer(400, &[("server", "nginx/1.22.1")], ""), Stack::Nginx),
            (answer(400, &[], "<hr><center>nginx</center>"), Stack::Nginx),
            (answer(200, &[("server", "Caddy")], ""), Stack::Caddy),
            (answer(200, &[("server", "envoy")], ""), Stack::Envoy),
            (
                answer(200, &[("server", "cloudflare")], ""),
                Stack::Cloudflare,
            ),
            (answer(200, &[("server", "awselb/2.0")], ""), Stack::AwsAlb),
            (answer(200, &[("via", "1.1 google")], ""), Stack::GoogleLb),
            (
                answer(200, &[("server", "uvicorn")], ""),
                Stack::StreamlitStarlette,
            ),
            (
                answer(200, &[("server", "TornadoServer/6.4")], ""),
                Stack::StreamlitTornado,
            ),
            (
                answer(431, &[], "431 Request Header Fields Too Large"),
                Stack::Traefik,
            ),
            (answer(200, &[], "ok"), Stack::Unknown),
        ];
        for (a, want) in cases {
            assert_eq!(Stack::recognise(&a), want, "{a:?}");
        }
    }

    #[test]
    fn nginx_proxy_buffers_hold_the_callback_answer() {
        assert_eq!(Stack::Nginx.response_fix(2000), None);
        let fix = Stack::Nginx.response_fix(26_000).unwrap();
        assert!(
            fix.starts_with(
                "nginx: proxy_buffer_size 32k; proxy_buffers 8 32k; proxy_busy_buffers_size 64k;"
            ),
            "{fix}"
        );
        assert_eq!(Stack::Caddy.response_fix(26_000), None);
    }

    #[test]
    fn nginx_buffers_hold_the_whole_header_line() {
        assert_eq!(buffer_kib(8000), 16);
        assert_eq!(buffer_kib(16 * 1024 + 1), 32);
        assert!(Stack::Nginx
            .header_fix(20_000, None)
            .contains("large_client_header_buffers 4 32k;"));
        assert!(Stack::Nginx.header_fix(16_374, None).contains("4 16k;"));
        assert!(Stack::Nginx.header_fix(16_375, None).contains("4 32k;"));
    }
}
