"""Errors of the HTML pages answered as pages, to whoever reads them in a browser.

A page route (`response_class=HTMLResponse`) is opened by a person: a browser showing a
bare JSON body for an embargoed round or a mistyped link leaves that person with nothing
to act on. The answer keeps its status, its headers and every entry the JSON body names
(code, field, reason), rendered by the kernel's own error handlers first, so the page and
the JSON never disagree; only the clothing differs. A client that does not ask for HTML
(scripts, curl, the API's tests: `*/*` or `application/json`) gets the JSON body as every
other route answers it."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from services.reporting.documents import PAGES
from shared.errors import PingyiError
from shared.web.json_body import JsonBodyRoute

ANSWERED = (PingyiError, RequestValidationError, HTTPException)
HEADINGS = {
    400: "请求有误",
    401: "需要有效的密钥",
    403: "无权查看",
    404: "未找到",
    409: "与当前状态冲突",
    422: "请求有误",
    429: "请求过于频繁",
    503: "暂时无法提供",
}
NOT_PUBLISHED = "结果尚未发布"
_BODY_HEADERS = ("content-length", "content-type")


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


async def _kernel_answer(request: Request, exc: Exception) -> Response | None:
    handlers = request.app.exception_handlers
    for kind in type(exc).__mro__:
        handler = handlers.get(kind)
        if handler is not None:
            answer = handler(request, exc)
            response: Response = await answer if inspect.isawaitable(answer) else answer
            return response
    return None


def error_page(response: Response) -> HTMLResponse:
    """The kernel's JSON error answer as a page: same status, headers and entries."""
    body = json.loads(bytes(response.body))
    status = response.status_code
    heading = NOT_PUBLISHED if body.get("error") == "not_published" else None
    title = f"{status} {heading or HEADINGS.get(status, '出错了')}"
    page = PAGES.get_template("error.html").render(
        title=title, kicker="出错了", status=status, body=body
    )
    kept = {k: v for k, v in response.headers.items() if k.lower() not in _BODY_HEADERS}
    answer = HTMLResponse(page, status_code=status, headers=kept)
    answer.headers["Vary"] = "Accept"
    return answer


class PageRoute(JsonBodyRoute):
    """A route whose page answers its errors as a page when a browser asks (`wants_html`);
    routes that are not pages are left as they are."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        kind = self.response_class
        if not (isinstance(kind, type) and issubclass(kind, HTMLResponse)):
            return handler

        async def answer_as_page(request: Request) -> Response:
            try:
                return await handler(request)
            except ANSWERED as exc:
                if not wants_html(request.headers.get("accept", "")):
                    raise
                response = await _kernel_answer(request, exc)
                if response is None:
                    raise
                return error_page(response)

        return answer_as_page
