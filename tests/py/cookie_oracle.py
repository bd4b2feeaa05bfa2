"""Cookie oracle: the Set-Cookie headers real Streamlit sends after a login.

Used by tests/it/streamlit_cookies.rs to check `stauth::streamlit::cookies` byte
for byte. Run it with the test venv's Python (`bash tests/setup.sh` creates
tests/.venv with streamlit[auth]==1.67.0):

    tests/.venv/bin/python tests/py/cookie_oracle.py < case.json

Input (JSON on stdin):

    {"secret": "...",                    # [auth] cookie_secret
     "identity": {...claims...},         # the ID token claims, in claim order
     "origin": "http://localhost:8501",  # scheme://netloc of redirect_uri
     "provider": "default",
     "tokens": {"id_token": "...", "access_token": "..."} or null,
     "ts": 1700000000,                   # Unix time the cookies are signed at
     "base_url_path": "",                # optional, server.baseUrlPath
     "sign": [{"name": ..., "value": ...}],          # optional, extra values
     "tornado_sign": [{"name": ..., "value": ...}]}  # optional

Output (JSON on stdout):

    {"streamlit_version": "1.67.0",
     "serialized": {cookie name: the JSON string Streamlit signs},
     "set_cookie": [{"name", "value", "header"}, ...],  # every Set-Cookie, in order
     "signed": [...],         # create_signed_value(secret, name, value) per "sign"
     "tornado": null or {"version", "signed": [...], "set_cookie": [...]}}

What runs is Streamlit's own code, with only its inputs stubbed:

* `streamlit.web.server.starlette.starlette_auth_routes._auth_callback`, the
  real /oauth2callback handler, on a Starlette `Request` whose session holds the
  Authlib state key `_state_<provider>_<state>` (so the real
  `_get_provider_by_state` finds the provider). Stubbed: `_create_oauth_client`
  (a client whose `authorize_access_token` returns the token dict Authlib would:
  `userinfo` = the claims, plus `id_token` / `access_token`),
  `_get_origin_from_secrets` (returns "origin") and `get_cookie_secret`
  (returns "secret"). `server.baseUrlPath` is set with `config.set_option`.
  The handler builds `dict(userinfo, origin=..., is_logged_in=True,
  provider=...)` and the tokens dict, then `_set_auth_cookie` calls
  `streamlit.auth_util.set_cookie_with_chunks` (json.dumps, the 4096-byte test,
  `_set_split_cookie`), which signs with
  `starlette_app_utils.create_signed_value` (itsdangerous
  `URLSafeTimedSerializer(secret, salt=name).dumps`) and sets each cookie with
  Starlette's `Response.set_cookie`. The headers are read from the response's
  raw `set-cookie` headers. `set_cookie_with_chunks` is wrapped only to record
  the JSON string it serialises.
* "sign": `starlette_app_utils.create_signed_value(secret, name, value)`.
* Tornado (only when `tornado` is importable; Streamlit 1.67 no longer depends
  on it): `tornado.web.create_signed_value(secret, name, value, version=2)` for
  "tornado_sign", and the Streamlit 1.53-1.56 Tornado login: Streamlit's real
  `set_cookie_with_chunks` with `cookie_attr_size=len("; Path=/; HttpOnly")`
  (1.53's COOKIE_ATTR_SIZE), `RequestHandler.create_signed_value` as the signer
  and `RequestHandler.set_signed_cookie(name, value, httpOnly=True)` as the
  setter, exactly as 1.53's `oauth_authlib_routes.AuthHandlerMixin` does.

`time.time` is patched to return "ts" (itsdangerous and Tornado both read it),
and so is Tornado's `datetime.now` (the 30-day `expires`), so every header is
reproducible.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import sys
import types
import warnings
from typing import Any
from unittest import mock


def _parse_set_cookie(header: str) -> dict[str, str]:
    name, _, rest = header.partition("=")
    value = rest.split(";", 1)[0]
    return {"name": name, "value": value, "header": header}


def _starlette_login(case: dict[str, Any]) -> dict[str, Any]:
    from starlette.requests import Request

    import streamlit
    from streamlit import config
    from streamlit.web.server.starlette import starlette_auth_routes as routes

    provider = case["provider"]
    state = "oraclestate0123456789abcdefghij"
    token: dict[str, Any] = {"userinfo": dict(case["identity"])}
    for key, value in (case.get("tokens") or {}).items():
        token[key] = value

    class FakeClient:
        async def authorize_access_token(self, request: Any) -> dict[str, Any]:
            return token

    serialized: dict[str, str] = {}
    real_set_cookie_with_chunks = routes.set_cookie_with_chunks

    def recording_set_cookie_with_chunks(set_fn, sign_fn, name, value, **kw):  # type: ignore[no-untyped-def]
        serialized[name] = json.dumps(value)
        return real_set_cookie_with_chunks(set_fn, sign_fn, name, value, **kw)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/oauth2callback",
        "raw_path": b"/oauth2callback",
        "query_string": f"state={state}&code=oraclecode".encode(),
        "headers": [],
        "session": {f"_state_{provider}_{state}": {"data": {}}},
    }
    base_url = case.get("base_url_path", "")
    config.set_option("server.baseUrlPath", base_url)
    with (
        mock.patch.object(
            routes, "_create_oauth_client", lambda p: (FakeClient(), "unused")
        ),
        mock.patch.object(routes, "_get_origin_from_secrets", lambda: case["origin"]),
        mock.patch.object(routes, "get_cookie_secret", lambda: case["secret"]),
        mock.patch.object(
            routes, "set_cookie_with_chunks", recording_set_cookie_with_chunks
        ),
    ):
        response = asyncio.run(routes._auth_callback(Request(scope), base_url))

    headers = [
        v.decode("latin-1") for k, v in response.raw_headers if k == b"set-cookie"
    ]
    from streamlit.web.server.starlette.starlette_app_utils import (
        create_signed_value,
    )

    signed = [
        create_signed_value(case["secret"], s["name"], s["value"]).decode()
        for s in case.get("sign", [])
    ]
    return {
        "streamlit_version": streamlit.__version__,
        "serialized": serialized,
        "set_cookie": [_parse_set_cookie(h) for h in headers],
        "signed": signed,
    }


def _tornado(case: dict[str, Any]) -> dict[str, Any] | None:
    try:
        import tornado
        import tornado.httputil
        import tornado.web
    except ImportError:
        return None
    from streamlit.auth_util import set_cookie_with_chunks

    secret = case["secret"]
    signed = [
        tornado.web.create_signed_value(
            secret, s["name"], s["value"], version=2
        ).decode()
        for s in case.get("tornado_sign", [])
    ]

    app = tornado.web.Application(cookie_secret=secret)
    # set_cookie's `expires` is datetime.now() + 30 days: freeze it at ts too.
    ts = float(case["ts"])

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:  # type: ignore[override]
            return datetime.datetime.fromtimestamp(ts, tz)

    frozen = types.SimpleNamespace(
        **{k: getattr(datetime, k) for k in dir(datetime) if not k.startswith("__")}
    )
    frozen.datetime = FrozenDatetime
    patch_clock = mock.patch.object(tornado.web, "datetime", frozen)
    patch_clock.start()
    request = tornado.httputil.HTTPServerRequest(
        start_line=tornado.httputil.RequestStartLine(
            "GET", "/oauth2callback", "HTTP/1.1"
        ),
        headers=tornado.httputil.HTTPHeaders({"Host": "localhost:8501"}),
        connection=mock.Mock(),
    )
    handler = tornado.web.RequestHandler(app, request)

    def set_single(name: str, value: str) -> None:
        # 1.53's AuthHandlerMixin._set_single_cookie (Tornado 6.3+ warns that
        # `httpOnly` should be lowercase, and honours it).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            handler.set_signed_cookie(name, value, httpOnly=True)

    def sign(name: str, value: str) -> bytes:
        # 1.53's AuthHandlerMixin._create_signed_value
        return handler.create_signed_value(name, value)

    identity = dict(
        case["identity"],
        origin=case["origin"],
        is_logged_in=True,
        provider=case["provider"],
    )
    tokens = {
        k: case["tokens"][k]
        for k in ["id_token", "access_token"]
        if k in (case.get("tokens") or {})
    }
    attr_size = len("; Path=/; HttpOnly")
    set_cookie_with_chunks(
        set_single, sign, "_streamlit_user", identity, cookie_attr_size=attr_size
    )
    set_cookie_with_chunks(
        set_single, sign, "_streamlit_user_tokens", tokens, cookie_attr_size=attr_size
    )
    patch_clock.stop()
    headers = [m.OutputString(None) for m in handler._new_cookie.values()]
    return {
        "version": tornado.version,
        "signed": signed,
        "set_cookie": [_parse_set_cookie(h) for h in headers],
    }


def main() -> None:
    case = json.load(sys.stdin)
    ts = float(case["ts"])
    with mock.patch("time.time", lambda: ts):
        out = _starlette_login(case)
        out["tornado"] = _tornado(case)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
