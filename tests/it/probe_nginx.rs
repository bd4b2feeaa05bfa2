//! `stauth probe` in front of the real stack: Debian's nginx proxying to
//! real Streamlit 1.67, logins by headless Chromium at `stauth dev-provider`.
//!
//! - dave (300 group IDs in his ID token): with nginx's default header
//!   buffers probe finds the limit (about 8 KiB), compares it with dave's
//!   cookies from his `stauth test-login`, says the login will fail and
//!   warns that the callback's answer passes nginx's proxy buffer;
//!   Chromium's login through that nginx then fails (nginx's 502). With
//!   the nginx directives probe printed, the WebSocket handshake is the next
//!   wall (Streamlit's own 8 KiB header line limit) and probe says so; with
//!   the environment variable it printed too, probe passes and the same
//!   login signs in.
//! - a base path (server.baseUrlPath behind `location /tools/`): found from
//!   the URL or from config.toml; a proxy that answers /tools/oauth2callback
//!   itself is named.
//! - two backends behind nginx round-robin: a replica warning; with ip_hash
//!   none.
//!
//! Needs `bash tests/setup.sh` (venv, tests/browser), Debian's chromium and
//! nginx-light.

use crate::common;

use common::dev_provider::{dev_browser, init_dev, write_pages_app, DevProvider};
use common::idp::free_port;
use common::nginx::{proxy_to, upgrade_map, Nginx};
use common::probe::finding;
use common::streamlit::StreamlitApp;
use common::{run, Sandbox};
use serde_json::Value;

/// An app folder with `[auth]` from `stauth init --provider dev` whose
/// redirect_uri is at `public` (the proxy's URL, base path included), and
/// `stauth snippet pages` as app.py.
fn app(public: &str, dp_port: u16) -> Sandbox {
    let sb = Sandbox::new();
    init_dev(&sb, dp_port, &format!("{public}/oauth2callback"), "1.67");
    write_pages_app(&sb, "1.67");
    sb
}

/// `stauth probe URL --json` (and `extra`), 3 s a request.
fn probe(sb: &Sandbox, url: &str, extra: &[&str]) -> (i32, Value, String) {
    common::probe::probe(sb, url, 3, extra)
}

/// The text in `fix` from `start` to the end of its word run ending in `end`
/// (e.g. "large_client_header_buffers ... ;").
fn piece<'a>(fix: &'a str, start: &str, end: char) -> &'a str {
    let from = fix
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in the fix:\n{fix}"));
    let rest = &fix[from..];
    let to = rest.find(end).map_or(rest.len(), |i| i + end.len_utf8());
    &rest[..to]
}

fn server_block(st_port: u16, extra: &str) -> String {
    format!("{extra}\nlocation / {{\n{}\n}}\n", proxy_to(st_port))
}

#[test]
fn dave_fails_behind_default_nginx_and_signs_in_with_the_fixes_probe_printed() {
    let (st_port, dp_port, ng_port) = (free_port(), free_port(), free_port());
    let public = format!("http://localhost:{ng_port}");
    let sb = app(&public, dp_port);

    // dave's real login, before nginx holds the port (test-login starts the
    // dev provider for it): test-login keeps its cookie sizes for probe (it
    // also reports the header as too big, exit 1).
    let (code, _, err) = run(sb.cmd().args([
        "test-login",
        "--login-as",
        "dave",
        "--streamlit-version",
        "1.67",
    ]));
    assert!(
        code == 0 || code == 1,
        "test-login --login-as dave failed:\n{err}"
    );
    let _dp = DevProvider::start(&sb, dp_port, &[]);

    let mut streamlit = StreamlitApp::start(sb.path(), "app.py", st_port, &[]);
    let nginx = Nginx::start_on(ng_port, upgrade_map(), &server_block(st_port, ""));

    // 1. nginx's defaults: the limit is found and dave's login will fail.
    let (code, json, stderr) = probe(&sb, &format!("{public}/"), &[]);
    assert_eq!(code, 1, "{stderr}\n{}", nginx.log());
    let limit = &json["cookie_limit"];
    let accepted = limit["accepted_bytes"].as_u64().unwrap();
    assert!((8170..=8190).contains(&accepted), "{limit}");
    assert_eq!(limit["refused_by"], "nginx");
    assert_eq!(
        limit["refused_with"],
        "400 Request Header Or Cookie Too Large"
    );
    let need = &json["need"];
    assert!(
        need["source"]
            .as_str()
            .unwrap()
            .contains("stauth test-login"),
        "{need}"
    );
    assert_eq!(need["estimated"], false);
    let needed = need["cookie_header_bytes"].as_u64().unwrap();
    assert!(needed > 16 * 1024, "dave's cookies: {need}");
    let f = finding(&json, "probe.cookie_limit");
    assert_eq!(f["severity"], "error");
    let fix = f["fix"].as_str().unwrap();
    let directive = piece(fix, "large_client_header_buffers", ';').to_string();
    let env_var = piece(fix, "WEBSOCKETS_MAX_LINE_LENGTH=", ' ')
        .trim()
        .to_string();
    assert_eq!(directive, "large_client_header_buffers 4 32k;");
    let (name, value) = env_var.split_once('=').unwrap();
    assert_eq!(finding(&json, "probe.redirect_uri")["severity"], "ok");
    assert_eq!(finding(&json, "probe.routes")["severity"], "ok");

    // The callback's answer sets all of dave's cookies at once: more than
    // nginx's default proxy buffer holds, which probe can only predict.
    let response = finding(&json, "probe.response_headers");
    assert_eq!(response["severity"], "warning", "{response}");
    let buffers = piece(response["fix"].as_str().unwrap(), "proxy_buffer_size", '(')
        .trim_end_matches('(')
        .trim()
        .to_string();
    assert!(
        buffers.ends_with("proxy_busy_buffers_size 64k;"),
        "{buffers}"
    );

    // Chromium's login through this nginx fails as predicted: the callback's
    // answer is too big for nginx (502), or the next request's Cookie header (400).
    let steps = dev_browser(&format!("{public}/"), &["login:dave"], "probe-dave-default");
    assert_eq!(steps[0]["signed_in"], false, "{}", steps[0]);
    let text = steps[0]["text"].as_str().unwrap();
    assert!(
        text.contains("502 Bad Gateway") || text.contains("Request Header Or Cookie Too Large"),
        "{text}"
    );
    assert!(
        nginx.log().contains("upstream sent too big header"),
        "{}",
        nginx.log()
    );

    // 2. nginx fixed as probe said: the WebSocket handshake is the next wall.
    drop(nginx);
    let fixed = format!("{directive}\n{buffers}");
    let nginx = Nginx::start_on(ng_port, upgrade_map(), &server_block(st_port, &fixed));
    let (code, json, stderr) = probe(&sb, &format!("{public}/"), &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        finding(&json, "probe.cookie_limit")["severity"],
        "ok",
        "{json:#}"
    );
    let ws = finding(&json, "probe.websocket");
    assert_eq!(ws["severity"], "error", "{ws}");
    assert!(
        ws["fix"]
            .as_str()
            .unwrap()
            .contains("WEBSOCKETS_MAX_LINE_LENGTH="),
        "{ws}"
    );

    // 3. Streamlit with the environment probe printed: probe passes and
    // dave signs in through the same nginx.
    streamlit.stop();
    let _streamlit = StreamlitApp::start(sb.path(), "app.py", st_port, &[(name, value)]);
    let (code, json, stderr) = probe(&sb, &format!("{public}/"), &[]);
    assert_eq!(code, 0, "{stderr}\n{}", nginx.log());
    assert_eq!(json["ok"], true);
    let opened = json["websocket"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["opened"] == true && t["cookie_header_bytes"] == needed);
    assert!(
        opened,
        "the WebSocket opened with dave's Cookie header: {json:#}"
    );
    let steps = dev_browser(&format!("{public}/"), &["login:dave"], "probe-dave-fixed");
    assert_eq!(steps[0]["signed_in"], true, "{}\n{}", steps[0], nginx.log());
    // The browser's Cookie header is the size probe compared with (the
    // Starlette session cookie may add a little).
    let sent = steps[0]["cookie_header_len"].as_u64().unwrap();
    assert!(
        sent + 200 >= needed && sent <= needed + 400,
        "browser sent {sent}, probe expected {needed}"
    );
}

#[test]
fn a_base_path_is_found_and_a_proxy_that_keeps_the_callback_is_named() {
    let (st_port, ng_port) = (free_port(), free_port());
    let public = format!("http://localhost:{ng_port}/tools");
    let sb = app(&public, free_port());
    sb.write(
        ".streamlit/config.toml",
        "[server]\nbaseUrlPath = \"tools\"\n",
    );
    let _streamlit = StreamlitApp::start(
        sb.path(),
        "app.py",
        st_port,
        &[("STREAMLIT_SERVER_BASE_URL_PATH", "tools")],
    );
    let body = format!("location /tools/ {{\n{}\n}}\n", proxy_to(st_port));
    let nginx = Nginx::start_on(ng_port, upgrade_map(), &body);

    for url in [format!("{public}/"), format!("http://localhost:{ng_port}/")] {
        let (code, json, stderr) = probe(&sb, &url, &["--groups", "10"]);
        assert_eq!(code, 0, "{url}: {stderr}\n{}", nginx.log());
        assert_eq!(json["base_path"], "/tools", "{url}");
        assert_eq!(json["redirect_uri"]["matches"], true, "{url}");
        assert_eq!(json["routes"][0]["path"], "/tools/oauth2callback");
    }
    drop(nginx);

    // A proxy that answers the callback itself.
    let body = format!("location = /tools/oauth2callback {{ return 404; }}\n{body}");
    let nginx = Nginx::start_on(ng_port, upgrade_map(), &body);
    let (code, json, stderr) = probe(&sb, &format!("{public}/"), &[]);
    assert_eq!(code, 1, "{stderr}\n{}", nginx.log());
    let f = finding(&json, "probe.routes");
    assert_eq!(f["severity"], "error");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("/tools/oauth2callback does not reach Streamlit: GET /tools/oauth2callback answered 404"),
        "{f}"
    );
    assert!(f["fix"].as_str().unwrap().contains("nginx"), "{f}");
    assert_eq!(json["routes"][1]["reaches_streamlit"], true);
}

#[test]
fn round_robin_backends_are_a_replica_warning_and_ip_hash_is_not() {
    let st_port = free_port();
    let sb = app("http://localhost:8501", free_port());
    let _streamlit = StreamlitApp::start(sb.path(), "app.py", st_port, &[]);
    // Two "replicas": two nginx servers on their own ports, both in front of
    // the one Streamlit; the front nginx balances over them.
    let (a, b) = (free_port(), free_port());
    for (policy, warned) in [("", true), ("ip_hash;", false)] {
        let http_extra = format!(
            "{}\nupstream replicas {{ {policy} server 127.0.0.1:{a}; server 127.0.0.1:{b}; }}\n\
             server {{ listen 127.0.0.1:{a}; location / {{ {} }} }}\n\
             server {{ listen 127.0.0.1:{b}; location / {{ {} }} }}\n",
            upgrade_map(),
            proxy_to(st_port),
            proxy_to(st_port)
        );
        let body = "add_header X-Upstream $upstream_addr always;\n\
                    location / { proxy_pass http://replicas; proxy_http_version 1.1;\n\
                    proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade;\n\
                    proxy_set_header Host $http_host; }\n";
        let nginx = Nginx::start(&http_extra, body);
        let (code, json, stderr) = probe(&sb, &nginx.url(), &["--secrets-file", "none.toml"]);
        assert_eq!(code, 0, "{policy}: {stderr}\n{}", nginx.log());
        let f = finding(&json, "probe.replicas");
        if warned {
            assert_eq!(f["severity"], "warning", "{f}");
            assert_eq!(
                json["replicas"]["backends"].as_array().unwrap().len(),
                2,
                "{json:#}"
            );
            assert!(f["fix"].as_str().unwrap().contains("ip_hash"), "{f}");
        } else {
            assert_eq!(f["severity"], "ok", "{policy}: {f}");
        }
    }
}
