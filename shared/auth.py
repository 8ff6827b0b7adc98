"""The HTTP side of authentication: FastAPI dependencies that resolve a request's API key to
its principal (`CurrentPrincipal`) and give a route the service's `Authenticator`. What a
principal is, and how keys are checked, lives in `shared.principals`, which imports no web
framework: applications, relays and views processes import that, not this."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from shared.principals import Authenticator, Principal

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Pingyi API key")


def get_authenticator(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.runtime.authenticator
    return authenticator


def remember_principal(scope: MutableMapping[str, Any], principal: Principal) -> None:
    """Record who a request authenticated as: the HTTP edge checks the key before the body is
    read (shared.web.gate), and the policy dependency does not look it up again."""
    scope.setdefault("state", {})["principal"] = principal


def current_principal_from(request: Request) -> Principal:
    """The caller, authenticated once per request (at the edge, or by the policy dependency)
    and remembered on the request."""
    known = getattr(request.state, "principal", None)
    if isinstance(known, Principal):
        return known
    principal = get_authenticator(request).authenticate(request.headers.get("X-API-Key"))
    remember_principal(request.scope, principal)
    return principal


def current_principal(
    request: Request,
    key: Annotated[str | None, Depends(api_key_header)],
) -> Principal:
    return current_principal_from(request)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
AuthenticatorDep = Annotated[Authenticator, Depends(get_authenticator)]
