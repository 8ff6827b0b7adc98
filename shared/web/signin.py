"""Browser sign-in for a service's office pages: the API key carried by a cookie.

A browser cannot send `X-API-Key` from its address bar. A person signs in once with the
office's key (a form, `SIGNIN_PATH`), and the key is kept in a cookie that
`BrowserSessions` turns back into the `X-API-Key` header before the HTTP edge
(`shared.web.gate`) sees the request. So the cookie is checked exactly as the header is, on
every request: the same principal lookup (a revoked key stops working at once), the same
count of failed authentications per client address.

Where the cookie counts, and why there is no cross-site request forgery:
- only on GET (HEAD arrives as GET, `shared.web.head`), which changes nothing; a write
  never reads the cookie, so a forged form or script from another site cannot write as the
  office, whatever the browser sends;
- it is `SameSite=Strict` (not sent on any request another site starts) and `HttpOnly`
  (no script reads it); `Secure` with the `__Host-` prefix when the request came over https
  (as the trusted proxy reports it: PINGYI_TRUSTED_PROXIES, X-Forwarded-Proto), so no
  other host, subdomain or plain-http page can set or read it;
- a header sent with the request wins over the cookie;
- the sign-in form posts the key in its body (never in a URL), and the middleware lifts it
  into the header, so the form's key meets the same check as any other.
Sign-in and sign-out refuse a request another site's page started (`Sec-Fetch-Site`, else
`Origin`): no one can sign a browser in under a key of theirs, or out.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SIGNIN_PATH = "/signin"
SIGNOUT_PATH = "/signout"
COOKIE = "pingyi_office"
SECURE_COOKIE = "__Host-pingyi_office"
MAX_AGE = 8 * 3600
"""A working day: a browser left signed in forgets the key by the next morning."""
FORM = "application/x-www-form-urlencoded"
FORM_LIMIT = 4096
"""A key and a return path: a larger sign-in body is not a sign-in form's."""
RETURN_TO = "pingyi.signin.next"
"""The scope entry holding a sign-in form's `next`."""
LANDING = "/public/pages"
"""Where a sign-in without a usable return path goes: the published results."""


def is_secure(scope: Scope) -> bool:
    return scope.get("scheme") == "https"


def cookie_name(scope: Scope) -> str:
    return SECURE_COOKIE if is_secure(scope) else COOKIE


def session_cookie(scope: Scope, key: str, max_age: int = MAX_AGE) -> str:
    """The `Set-Cookie` value that keeps `key` (api keys are URL-safe base64: no quoting)."""
    secure = "; Secure" if is_secure(scope) else ""
    return (
        f"{cookie_name(scope)}={key}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Strict{secure}"
    )


def cleared_cookie(scope: Scope) -> str:
    return session_cookie(scope, "", max_age=0)


def session_key(scope: Scope) -> str | None:
    """The key the request's cookie carries, if any."""
    wanted = cookie_name(scope)
    for name, value in Headers(scope=scope).items():
        if name != "cookie":
            continue
        for part in value.split(";"):
            cookie, _, kept = part.strip().partition("=")
            if cookie == wanted and kept:
                return kept
    return None


def local_path(target: str | None, fallback: str = LANDING) -> str:
    """`target` if it is a path on this site (`/…`), else `fallback`: a return address
    must never send the browser elsewhere (`//evil.example`, `https://evil`, `/\\evil`)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return fallback  # browsers read `\` as `/`, and strip tabs and newlines
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def cross_site(scope: Scope) -> bool:
    """True when another site's page started the request. Browsers say so in
    `Sec-Fetch-Site`; older ones send `Origin` on a form's POST, whose host must be this
    request's. A request that says neither is not a browser's form (curl, a script)."""
    headers = Headers(scope=scope)
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return False
    host = headers.get("host", "")
    return origin == "null" or urlsplit(origin).netloc.lower() != host.lower()


def form_fields(body: bytes) -> dict[str, str]:
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=8)
    return {name: values[0] for name, values in fields.items()}


class BrowserSessions:
    """A pure ASGI middleware, outside the edge: the cookie's key becomes the `X-API-Key`
    header of a GET that has none; the sign-in form's key that of its POST; a sign-in or
    sign-out started by another site is refused 403. A keyed answer 401 to a request whose
    key came from the cookie clears the cookie (the key was revoked)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "x-api-key" in Headers(scope=scope):
            await self.app(scope, receive, send)
            return
        path = _route_path(scope)
        if scope["method"] == "POST" and path in (SIGNIN_PATH, SIGNOUT_PATH):
            if cross_site(scope):
                await _refuse_cross_site(send)
                return
            if path == SIGNIN_PATH:
                await self._sign_in(scope, receive, send)
                return
        if scope["method"] == "GET":
            key = session_key(scope)
            if key is not None:
                await self.app(_with_key(scope, key), receive, _clear_on_401(scope, send))
                return
        await self.app(scope, receive, send)

    async def _sign_in(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not Headers(scope=scope).get("content-type", "").startswith(FORM):
            await self.app(scope, receive, send)
            return
        held: list[Message] = []
        size = 0
        while True:
            message = await receive()
            held.append(message)
            size += len(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
            if size > FORM_LIMIT:
                break
        replay = _replay(held, receive)
        complete = held[-1]["type"] == "http.request" and not held[-1].get("more_body", False)
        key = None
        if complete and size <= FORM_LIMIT:
            fields = form_fields(b"".join(m.get("body", b"") for m in held))
            key = fields.get("key", "").strip()
            # For the form shown again should the key be refused (outside, before the route).
            scope[RETURN_TO] = fields.get("next")
        await self.app(_with_key(scope, key) if key else scope, replay, send)


def _with_key(scope: Scope, key: str) -> Scope:
    headers = [*scope.get("headers", []), (b"x-api-key", key.encode("latin-1", "replace"))]
    return {**scope, "headers": headers}


def _replay(held: list[Message], receive: Receive) -> Receive:
    pending = list(held)

    async def again() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return again


def _clear_on_401(scope: Scope, send: Send) -> Send:
    async def answer(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 401:
            cleared = (b"set-cookie", cleared_cookie(scope).encode("latin-1"))
            message = {**message, "headers": [*message.get("headers", []), cleared]}
        await send(message)

    return answer


async def _refuse_cross_site(send: Send) -> None:
    reason = (
        "其他网站的页面不能为此浏览器登录或退出 "
        "(another site's page cannot sign this browser in or out)"
    )
    detail = {"field": "header.Origin", "reason": reason, "code": "cross_site_request"}
    body = json.dumps({"error": "cross_site_request", "detail": [detail]}).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _route_path(scope: Scope) -> str:
    """The path the router matches: without the root path a proxy mounts the app under."""
    path: str = scope.get("path", "/")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] == "/":
        return path[len(root) :]
    return path
