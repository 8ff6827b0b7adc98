"""Errors of the HTML pages answered as pages, to whoever reads them in a browser.

A page route (`PageRoute` with `response_class=HTMLResponse`) is opened by a person: a
browser showing a bare JSON body for an embargoed round, a mistyped link or a missing key
leaves that person with nothing to act on. The answer keeps its status, its headers and
every entry the JSON body names (code, field, reason), so the page and the JSON never
disagree; only the clothing differs. A client that does not ask for HTML (scripts, curl,
the API's tests: `*/*` or `application/json`) gets the JSON body as every other route
answers it.

`ErrorPages` does it around the whole app, outside the kernel's edge: the errors a route
raises, and those answered before any route runs (no or a bad API key, too many requests,
a path no route has under `/public/pages`), all pass through it as the kernel's JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.reporting.documents import PAGES
from services.reporting.error_words import page_entry
from shared.web.json_body import JsonBodyRoute
from shared.web.signin import (
    LANDING,
    MAX_AGE,
    RETURN_TO,
    SIGNIN_PATH,
    SIGNOUT_PATH,
    local_path,
)

HEADINGS = {
    400: "请求有误",
    401: "需要有效的密钥",
    403: "无权查看",
    404: "未找到",
    405: "请求有误",
    409: "与当前状态冲突",
    410: "已撤回",
    413: "请求过大",
    422: "请求有误",
    429: "请求过于频繁",
    503: "暂时无法提供",
}
NOT_PUBLISHED = "结果尚未发布"
WITHDRAWN = "结果已撤回"
NO_SUCH_VERSION = "没有这个版本"
ERROR_HEADINGS = {"not_published": NOT_PUBLISHED, "publication_withdrawn": WITHDRAWN}
FIELD_HEADINGS = {("not_published", "query.version"): NO_SUCH_VERSION}
"""A heading that depends on the field too: a version asked for that was never published
belongs to a round that may well be published, so "not yet published" would mislead."""
PAGES_PREFIX = "/public/pages"
"""Under it every path is a page's: one no route has is answered as a page too."""
_BODY_HEADERS = (b"content-length", b"content-type")


def wants_html(accept: str) -> bool:
    """True when the client names text/html, at a quality no lower than JSON's: what a
    browser sends. Wildcards alone (`*/*`) leave the JSON body."""
    quality: dict[str, float] = {}
    for item in accept.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[kind.lower()] = max(q, quality.get(kind.lower(), 0.0))
    html = quality.get("text/html", 0.0)
    return html > 0 and html >= quality.get("application/json", 0.0)


KEY_HELP = (
    "本页面是办公室的内部页面，只对持有 API 密钥的人员开放。在浏览器中阅读，请先用本单位的"
    "密钥登录（密钥填在登录页的表单里，保存在本浏览器的安全 Cookie 中）："
)
KEY_OTHERWISE = (
    "程序与脚本仍在请求头 X-API-Key 中附带密钥（浏览器从地址栏打开时无法附带请求头），"
    "例如用命令行下载同一内容："
)
KEY_EXAMPLE = 'curl -H "X-API-Key: $KEY" -o document.pdf "<本页地址，.html 换成 .pdf>"'
KEY_WARNING = "请勿把密钥写进网址、书签或链接：网址会留在浏览记录、代理和服务器日志中。"
"""What a person who opened an office page in a browser is told on its 401: sign in, or
how scripts read these pages (docs/reporting.md, *Office pages in a browser*)."""
SIGNIN_PROBLEM = "密钥无效、已被吊销或未填写，请核对后重新输入。"


def signin_href(scope: Scope) -> str:
    """The sign-in page, told to come back to the page `scope` asked for."""
    here = scope.get("path", "/")
    if scope.get("query_string"):
        here += "?" + scope["query_string"].decode("latin-1")
    root: str = scope.get("root_path", "")
    return f"{root}{SIGNIN_PATH}?{urlencode({'next': here})}"


def signin_form(
    scope: Scope, next_path: str | None, *, status: int = 200, body: Any = None
) -> HTMLResponse:
    """The sign-in page; with `body` (the kernel's error on a sign-in), saying why the key
    was not taken."""
    root: str = scope.get("root_path", "")
    page = PAGES.get_template("signin.html").render(
        title=f"{status} {HEADINGS[status]}" if status != 200 else "办公室登录",
        kicker="办公室页面",
        problem=SIGNIN_PROBLEM if body is not None and status == 401 else None,
        detail=body["detail"] if body is not None else [],
        next=local_path(next_path, root + LANDING),
        action=root + SIGNIN_PATH,
        signout=root + SIGNOUT_PATH,
        hours=MAX_AGE // 3600,
    )
    return HTMLResponse(page, status_code=status)


def error_page(
    status: int, headers: list[tuple[bytes, bytes]], body: Any, scope: Scope | None = None
) -> HTMLResponse:
    """The kernel's JSON error answer (`body` decoded) as a page: same status, headers and
    entries; a 401 says how an office reads its pages (signs in). A refused sign-in shows
    the sign-in form again."""
    scope = scope or {"type": "http", "path": "/"}
    if status == 401 and _route_path(scope) == SIGNIN_PATH and scope.get("method") == "POST":
        again = signin_form(scope, scope.get(RETURN_TO), status=401, body=body)
        return _with_headers(again, headers)
    heading = _heading(body)
    title = f"{status} {heading or HEADINGS.get(status, '出错了')}"
    key_help = None
    if status == 401:
        key_help = {
            "text": KEY_HELP,
            "signin": signin_href(scope),
            "otherwise": KEY_OTHERWISE,
            "example": KEY_EXAMPLE,
            "warning": KEY_WARNING,
        }
    entries = [page_entry(entry) for entry in body["detail"] if isinstance(entry, dict)]
    page = PAGES.get_template("error.html").render(
        title=title, kicker="出错了", status=status, body=body, entries=entries, key_help=key_help
    )
    return _with_headers(HTMLResponse(page, status_code=status), headers)


def _heading(body: Any) -> str | None:
    error = str(body.get("error"))
    fields = {entry.get("field") for entry in body["detail"] if isinstance(entry, dict)}
    for field in sorted(f for f in fields if isinstance(f, str)):
        if (error, field) in FIELD_HEADINGS:
            return FIELD_HEADINGS[(error, field)]
    return ERROR_HEADINGS.get(error)


def _with_headers(answer: HTMLResponse, headers: list[tuple[bytes, bytes]]) -> HTMLResponse:
    for name, value in headers:
        if name.lower() not in _BODY_HEADERS:
            answer.raw_headers.append((name, value))
    answer.headers["Vary"] = "Accept"
    return answer


class PageRoute(JsonBodyRoute):
    """The route class of the routers that serve pages: those of its routes whose
    `response_class` is HTMLResponse are pages, whose errors `ErrorPages` answers as pages
    to a browser; its other routes are left as they are."""

    @property
    def is_page(self) -> bool:
        kind = self.response_class
        return isinstance(kind, type) and issubclass(kind, HTMLResponse)


class ErrorPages:
    """A pure ASGI middleware, outside the kernel's edge (`ServiceDefinition.middleware`):
    on a page's path, a JSON error answered to a browser becomes its page. Anything else
    passes as it is, and a page's own answer streams through untouched. `pages`: the
    patterns of the page routes' paths (`page_paths`)."""

    def __init__(self, app: ASGIApp, pages: Sequence[re.Pattern[str]]) -> None:
        self.app = app
        self.pages = tuple(pages)

    @classmethod
    def of(cls, routers: Iterable[APIRouter]) -> Callable[[ASGIApp], ErrorPages]:
        """The middleware for the page routes of `routers`, as a service declares it."""
        pages = page_paths(routers)
        return lambda app: cls(app, pages)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not wants_html(Headers(scope=scope).get("accept", ""))
            or not self._is_page(_route_path(scope))
        ):
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start" and _json_error(message):
                held.append(message)
                return
            if not held:
                await send(message)
                return
            held.append(message)
            if not message.get("more_body", False):
                await _send_page(held, scope, receive, send)

        await self.app(scope, receive, answer)

    def _is_page(self, path: str) -> bool:
        if path == PAGES_PREFIX or path.startswith(PAGES_PREFIX + "/"):
            return True
        return any(pattern.match(path) for pattern in self.pages)


def page_paths(routers: Iterable[APIRouter]) -> list[re.Pattern[str]]:
    return [
        route.path_regex
        for router in routers
        for route in router.routes
        if isinstance(route, PageRoute) and route.is_page
    ]


def _json_error(start: Message) -> bool:
    content_type = Headers(raw=start.get("headers") or []).get("content-type", "")
    return int(start["status"]) >= 400 and content_type.startswith("application/json")


async def _send_page(held: list[Message], scope: Scope, receive: Receive, send: Send) -> None:
    """The page of the held JSON error; the answer as it was, should it not be the kernel's
    error shape (`{"error": …, "detail": […]}`), which the page renders."""
    start, *chunks = held
    try:
        body = json.loads(b"".join(chunk.get("body", b"") for chunk in chunks))
    except ValueError:
        body = None
    if not (isinstance(body, dict) and isinstance(body.get("detail"), list)):
        for message in held:
            await send(message)
        return
    page = error_page(int(start["status"]), list(start.get("headers") or []), body, scope)
    await page(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path the router matches: without the root path a proxy mounts the app under."""
    path: str = scope.get("path", "/")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] == "/":
        return path[len(root) :]
    return path
