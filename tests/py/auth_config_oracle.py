"""Auth config oracle: what real Streamlit does with a secrets.toml when a
user clicks "Log in".

Used by tests/it/hostile_schema.rs to prove that stauth's verdict on a secrets
file (doctor, init) agrees with Streamlit's own code. Run it with the test
venv's Python (`bash tests/setup.sh` creates tests/.venv with
streamlit[auth]==1.67.0):

    tests/.venv/bin/python tests/py/auth_config_oracle.py SECRETS_TOML STUB_PORT CLIENT_ID CLIENT_SECRET [PROVIDER]

The secrets file's server_metadata_url should point at
http://127.0.0.1:STUB_PORT/.well-known/openid-configuration: this script
serves a stub provider there that knows one client, CLIENT_ID /
CLIENT_SECRET (what the file means to say), answers the token request only
when those are sent, and signs an ID token for it (discovery, JWKS, token
endpoint), so nothing leaves the machine.

What runs is Streamlit's own code, in the order a login runs it:

1. "load": `secrets_singleton.load_if_toml_exists()` with `secrets.files`
   set to the file (Streamlit's reader: tomllib on 1.66+); when it fails,
   `_parse()` gives Streamlit's error.
2. "validate": `auth_util.validate_auth_credentials(provider)`, what
   `st.login()` calls.
3. "login": the real `/auth/login` handler (`_auth_login`) on a Starlette
   request carrying the provider token `st.login()` would create; it must
   answer 302 to the stub's authorization endpoint.
4. "callback": the real `/oauth2callback` handler (`_auth_callback`) with
   the state from step 3 and a code; Authlib exchanges the code (the stub
   checks the client's credentials) and validates the ID token (issuer,
   audience = client_id, nonce); the user is logged in when the response
   sets the `_streamlit_user` cookie.

Output (JSON on stdout): {"streamlit_version", "steps": {name: "ok" or the
error}, "works": true when every step is "ok", "login_url": the provider URL
the login step redirected to, or null}. A step after a failed one
is not run.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlencode, urlparse


def stub_provider(port: int, client_id: str, client_secret: str) -> dict:
    """A provider that knows one client (`client_id` / `client_secret`, the
    values the secrets file means) and signs ID tokens for it."""
    from joserfc import jwt
    from joserfc.jwk import KeySet, RSAKey

    key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
    base = f"http://127.0.0.1:{port}"
    seen: dict = {"nonce": None, "token_requests": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep stdout for the JSON answer
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path.startswith("/.well-known/openid-configuration"):
                self._json(
                    200,
                    {
                        "issuer": base,
                        "authorization_endpoint": f"{base}/authorize",
                        "token_endpoint": f"{base}/token",
                        "jwks_uri": f"{base}/jwks",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                    },
                )
            elif self.path.startswith("/jwks"):
                self._json(200, KeySet([key]).as_dict(private=False))
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = {
                k: v[0]
                for k, v in parse_qs(self.rfile.read(length).decode()).items()
            }
            auth = self.headers.get("Authorization") or ""
            if auth.startswith("Basic "):
                pair = base64.b64decode(auth[6:]).decode()
                sent_id, _, sent_secret = pair.partition(":")
                sent_id, sent_secret = unquote(sent_id), unquote(sent_secret)
            else:
                sent_id = form.get("client_id")
                sent_secret = form.get("client_secret")
            seen["token_requests"].append(sent_id)
            if (sent_id, sent_secret) != (client_id, client_secret):
                self._json(401, {"error": "invalid_client"})
                return
            now = int(time.time())
            claims = {
                "iss": base,
                "sub": "user-1",
                "aud": client_id,
                "iat": now,
                "exp": now + 300,
                "nonce": seen["nonce"],
                "email": "user@example.com",
            }
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
            self._json(
                200,
                {
                    "access_token": "at",
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": id_token,
                },
            )

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return seen


def error(ex: BaseException) -> str:
    return f"{type(ex).__name__}: {ex}"


def main() -> None:
    secrets_path, port, client_id, client_secret = sys.argv[1:5]
    port = int(port)
    provider = sys.argv[5] if len(sys.argv) > 5 else "default"
    seen = stub_provider(port, client_id, client_secret)

    import streamlit
    from starlette.requests import Request

    from streamlit import config
    from streamlit.auth_util import encode_provider_token, validate_auth_credentials
    from streamlit.runtime.secrets import secrets_singleton
    from streamlit.web.server.starlette import starlette_auth_routes as routes

    config.set_option("secrets.files", [secrets_path])
    steps: dict[str, str] = {}
    session: dict = {}

    def request(path: str, query: str) -> Request:
        return Request(
            {
                "type": "http",
                "method": "GET",
                "scheme": "http",
                "server": ("localhost", 8501),
                "path": path,
                "raw_path": path.encode(),
                "root_path": "",
                "query_string": query.encode(),
                "headers": [(b"host", b"localhost:8501")],
                "session": session,
            }
        )

    def load() -> None:
        # load_if_toml_exists() swallows a parse error (st.login() then says
        # no credentials are configured); _parse() shows Streamlit's reason.
        if not secrets_singleton.load_if_toml_exists():
            secrets_singleton._parse()
            raise RuntimeError("no secrets loaded")

    def validate() -> None:
        validate_auth_credentials(provider)

    def login() -> None:
        token = encode_provider_token(provider)
        response = asyncio.run(
            routes._auth_login(
                request("/auth/login", urlencode({"provider": token})), ""
            )
        )
        location = response.headers.get("location", "")
        if response.status_code != 302 or not location.startswith(
            f"http://127.0.0.1:{port}/authorize"
        ):
            raise RuntimeError(
                f"login answered {response.status_code} {location or response.body.decode(errors='replace')}"
            )
        seen["nonce"] = parse_qs(urlparse(location).query).get("nonce", [None])[0]
        seen["login_url"] = location

    def callback() -> None:
        state = next(
            k.split("_", 3)[3] for k in session if k.startswith(f"_state_{provider}_")
        )
        response = asyncio.run(
            routes._auth_callback(
                request("/oauth2callback", urlencode({"state": state, "code": "c0de"})),
                "",
            )
        )
        if not seen["token_requests"]:
            raise RuntimeError("the token request was never sent")
        cookies = response.headers.getlist("set-cookie")
        # A failed exchange also sends _streamlit_user, to clear it: look for a value.
        if not any(
            c.startswith("_streamlit_user=") and not c.startswith('_streamlit_user="";')
            and not c.startswith("_streamlit_user=;")
            for c in cookies
        ):
            raise RuntimeError(
                "the callback set no login cookie (the token exchange or the ID token check failed; see the warning above)"
            )

    for name, step in [
        ("load", load),
        ("validate", validate),
        ("login", login),
        ("callback", callback),
    ]:
        try:
            step()
            steps[name] = "ok"
        except BaseException as ex:  # noqa: BLE001 - every failure is the answer
            steps[name] = error(ex)
            break
    print(
        json.dumps(
            {
                "streamlit_version": streamlit.__version__,
                "steps": steps,
                "works": len(steps) == 4 and all(v == "ok" for v in steps.values()),
                "login_url": seen.get("login_url"),
            }
        )
    )


if __name__ == "__main__":
    main()
