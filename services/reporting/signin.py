"""Sign-in for the office pages in a browser (`shared.web.signin`): a form that takes the
office's API key, a cookie that carries it to the pages (GET only), and a sign-out.

The form's POST is not a public route: `BrowserSessions` lifts the key from the form into
`X-API-Key`, and the edge checks it as it checks every key (a wrong one is counted against
the client's address, a revoked one refused), so the route runs only for a valid key and
its policy says so (every role). A refused sign-in shows the form again (`error_pages`)."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from services.reporting.documents import HTML
from services.reporting.error_pages import PageRoute, signin_form
from services.reporting.errors import KEY_NOT_FOR_COOKIE
from shared.contracts.registry import ROLES
from shared.errors import InvalidError
from shared.policy import Policy, PolicyRouter, allow
from shared.types import Line
from shared.web.signin import (
    FORM,
    LANDING,
    SIGNIN_PATH,
    SIGNOUT_PATH,
    cleared_cookie,
    form_fields,
    local_path,
    session_cookie,
)

router = PolicyRouter(route_class=PageRoute, tags=["reporting: office sign-in"])
SIGNED_IN = Policy.read(*ROLES)
"""Any valid key, whatever its role: signing in reads nothing, it only keeps the key."""
COOKIE_SAFE = re.compile(r"[A-Za-z0-9_.~-]{1,512}")
URL_SAFE = ":/%#?=@[]!$&'()*+,;"
"""What `quote` leaves as it is in a return path: as Starlette's RedirectResponse does."""
REDIRECT: dict[int | str, dict[str, str]] = {303: {"description": "to `next`, a local path"}}


@router.get(SIGNIN_PATH, response_class=HTMLResponse, responses=HTML, **allow(Policy.anyone()))
def signin_page(
    request: Request, next_path: Annotated[Line | None, Query(alias="next")] = None
) -> HTMLResponse:
    """办公室登录: the form that signs this browser in with an API key, then returns to
    `next` (a path on this site; anything else returns to the published results)."""
    return signin_form(request.scope, next_path)


@router.post(
    SIGNIN_PATH,
    response_class=HTMLResponse,
    responses=REDIRECT,
    status_code=303,
    **allow(SIGNED_IN),
)
async def sign_in(request: Request) -> Response:
    """Keeps the key in an HttpOnly, SameSite=Strict cookie (Secure over https) and returns
    to `next`. The form (`application/x-www-form-urlencoded`: `key`, `next`) or the
    `X-API-Key` header gives the key."""
    fields: dict[str, str] = {}
    if request.headers.get("content-type", "").startswith(FORM):
        fields = form_fields(await request.body())
    key = request.headers["x-api-key"]
    if not COOKIE_SAFE.fullmatch(key):
        # Issued keys always fit; a bootstrap key an operator typed might not.
        raise InvalidError(KEY_NOT_FOR_COOKIE, field="X-API-Key")
    root: str = request.scope.get("root_path", "")
    target = local_path(fields.get("next"), root + LANDING)
    # Percent-encoded as the browser's own links are: a header carries no other characters.
    answer = Response(status_code=303, headers={"Location": quote(target, safe=URL_SAFE)})
    answer.raw_headers.append((b"set-cookie", session_cookie(request.scope, key).encode()))
    return answer


@router.post(
    SIGNOUT_PATH,
    response_class=HTMLResponse,
    responses=REDIRECT,
    status_code=303,
    **allow(Policy.anyone()),
)
def sign_out(request: Request) -> Response:
    """退出登录: the browser forgets the key; back to the sign-in page."""
    root: str = request.scope.get("root_path", "")
    answer = Response(status_code=303, headers={"Location": root + SIGNIN_PATH})
    answer.raw_headers.append((b"set-cookie", cleared_cookie(request.scope).encode()))
    return answer
