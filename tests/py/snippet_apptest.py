"""Runs a `stauth snippet` file in real Streamlit (streamlit.testing.v1.AppTest)
and prints, as JSON, what a user would see in each scenario.

Usage: python snippet_apptest.py SNIPPET.py < cases.json

cases.json:
  {"secrets": "<secrets.toml text; {FAKE_IDP} becomes the fake provider's URL>",
   "scenarios": [{"name": ..., "user": {...}, "headers": [[name, value]...],
                  "cookies": {...}, "tail": "<code run after the snippet's helpers>",
                  "actions": [{"click": "<button label>"} | {"page": "<page title>"}]}]}

The secrets go to .streamlit/secrets.toml next to the snippet (Streamlit reads
them from the working directory, which is set to the snippet's folder), so
st.login() validates provider names against them for real.

Output: {"streamlit": version, "results": [{"name", "views": [view after the
first run, then after each action], "login_calls", "user", "idp_requests"}]}.

What AppTest 1.67 cannot do by itself, and how this driver does it:
- st.context.headers and .cookies come from the session's client, which
  AppTest.context cannot seed: the driver replaces
  streamlit.runtime.context._get_client_context for the run.
- st.navigation's page list is not in the element tree: the driver records the
  pages passed to st.navigation (a spy that calls the real function).
- switch_page() only opens page files: a function page is opened by its script
  hash (AppTest._page_hash), as switch_page would set it.
- st.login() only queues a redirect: a spy records the provider it was called
  with, then calls the real st.login (which validates the secrets).

Older releases (the oldest with st.login is 1.42) run the same way, with what
their AppTest lacks filled in: before AppTest.user, the scenario's user goes
where AppTest.user puts it (the script runner's user_info, which
st.experimental_user reads); without _get_client_context there is nothing to seed.
"""

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ACCESS_TOKEN = "access-token-for-tests"
EXAMPLE_MARKER = "# ---- Example"


def start_fake_idp(requests):
    """A provider with a discovery document and a userinfo endpoint that wants ACCESS_TOKEN."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            auth = self.headers.get("Authorization")
            requests.append({"path": self.path, "authorization": auth})
            if self.path == "/.well-known/openid-configuration":
                self.reply(200, {"issuer": base, "userinfo_endpoint": base + "/userinfo"})
            elif self.path == "/userinfo" and auth == f"Bearer {ACCESS_TOKEN}":
                self.reply(200, {"sub": "alice", "email": "alice@example.com", "nickname": "ali"})
            elif self.path == "/userinfo":
                self.reply(401, {"error": "invalid_token"})
            else:
                self.reply(404, {"error": "not found"})

        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def texts(elements):
    return [e.value for e in elements]


def block_view(block):
    # Element kinds an older AppTest does not know are empty for it.
    def each(kind):
        return getattr(block, kind, None) or []

    return {
        "titles": texts(each("title")),
        "headers": texts(each("header")),
        "markdown": texts(each("markdown")),
        "captions": texts(each("caption")),
        "errors": texts(each("error")),
        "warnings": texts(each("warning")),
        "buttons": [b.label for b in each("button")],
        "link_buttons": [{"label": b.proto.label, "url": b.proto.url} for b in each("link_button")],
        "images": [url for image in each("image") for url in image.value],
        "html": texts(each("html")),
        "json": [json.loads(j.value) for j in each("json")],
        "tables": [t.value.to_dict(orient="list") for t in each("table")],
    }


def view(at, navigations):
    pages = navigations[-1] if navigations else None
    return {
        "main": block_view(at.main),
        "sidebar": block_view(at.sidebar),
        "exceptions": [e.value for e in at.exception],
        "navigation": [p.title for p in pages] if pages is not None else None,
    }


def main():
    snippet = Path(sys.argv[1]).resolve()
    cases = json.load(sys.stdin)
    os.chdir(snippet.parent)

    idp_requests = []
    secrets = cases.get("secrets", "")
    if "{FAKE_IDP}" in secrets:
        _, url = start_fake_idp(idp_requests)
        secrets = secrets.replace("{FAKE_IDP}", url)
    Path(".streamlit").mkdir(exist_ok=True)
    Path(".streamlit/secrets.toml").write_text(secrets, encoding="utf-8")

    import streamlit
    from streamlit.runtime import context as st_context
    from streamlit.testing.v1 import AppTest

    login_calls = []
    real_login = streamlit.login

    def login_spy(provider=None):
        login_calls.append(provider)
        return real_login(provider)

    navigations = []
    real_navigation = streamlit.navigation

    def navigation_spy(pages, **kwargs):
        flat = [p for section in pages.values() for p in section] if isinstance(pages, dict) else list(pages)
        navigations.append(flat)
        return real_navigation(pages, **kwargs)

    streamlit.login = login_spy

    # AppTest.user is set per instance; a release without it has none.
    has_user = hasattr(AppTest.from_string(""), "user")
    current_user = [{}]
    if not has_user:
        from streamlit.testing.v1 import local_script_runner

        real_init = local_script_runner.LocalScriptRunner.__init__

        def init_with_user(self, *args, **kwargs):
            real_init(self, *args, **kwargs)
            self._user_info = dict(current_user[0])

        local_script_runner.LocalScriptRunner.__init__ = init_with_user
    streamlit.navigation = navigation_spy

    helpers = snippet.read_text(encoding="utf-8").split(EXAMPLE_MARKER)[0]
    results = []
    for i, scenario in enumerate(cases["scenarios"]):
        login_calls.clear()
        navigations.clear()
        idp_requests.clear()

        class Client:
            headers = [tuple(h) for h in scenario.get("headers", [])]
            cookies = dict(scenario.get("cookies", {}))
            remote_ip = None

        if hasattr(st_context, "_get_client_context"):
            st_context._get_client_context = lambda client=Client: client

        script = snippet
        if "tail" in scenario:
            script = snippet.with_name(f"_scenario_{i}_{snippet.name}")
            script.write_text(helpers + scenario["tail"], encoding="utf-8")
        at = AppTest.from_file(str(script), default_timeout=10)
        if has_user:
            at.user = scenario["user"]
        else:
            current_user[0] = scenario["user"]
        at.run()
        views = [view(at, navigations)]
        for action in scenario.get("actions", []):
            if "click" in action:
                [button] = [b for b in at.button if b.label == action["click"]]
                button.click()
            elif "page" in action:
                [page] = [p for p in navigations[-1] if p.title == action["page"]]
                at._page_hash = page._script_hash
            at.run()
            views.append(view(at, navigations))
        results.append(
            {
                "name": scenario["name"],
                "views": views,
                "login_calls": list(login_calls),
                "user": at.user if has_user else current_user[0],
                "idp_requests": list(idp_requests),
            }
        )
    print(json.dumps({"streamlit": streamlit.__version__, "results": results}, indent=1))


if __name__ == "__main__":
    main()
