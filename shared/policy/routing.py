"""Declaring a policy on a route, and the one dependency that enforces it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from shared.auth import current_principal_from
from shared.policy.checks import check_role, scope_refusal, scope_values
from shared.policy.model import POLICY_MARKER, PUBLIC_MARKER, Policy
from shared.web.json_body import JsonBodyRoute
from shared.web.query_check import refuse_unknown_query
from shared.web.repeated_keys import refuse_repeated_keys
from shared.web.routes import LARGE_BODY_MARK

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime


def allow(
    policy: Policy, openapi_extra: Mapping[str, Any] | None = None, *, large_body: bool = False
) -> dict[str, Any]:
    """Keyword arguments for a route decorator that declare and enforce `policy` (with any
    other `openapi_extra` the route needs). `large_body`: a batch or upload route, whose body
    may reach PINGYI_BODY_LIMIT_LARGE instead of PINGYI_BODY_LIMIT."""
    extra: dict[str, Any] = {**(openapi_extra or {}), POLICY_MARKER: policy.describe()}
    if large_body:
        extra[LARGE_BODY_MARK] = True
    if policy.public:
        extra[PUBLIC_MARKER] = True
        return {"openapi_extra": extra}
    return {"openapi_extra": extra, "dependencies": [Depends(_enforcer(policy))]}


class PolicyRouter(APIRouter):
    """An APIRouter whose every route must declare a policy with `**allow(...)`. Its routes
    let a body model read its own JSON (`shared.web.json_body`), and refuse a JSON body that
    names a key twice in one object (`body_keys_check`, after the policy: a caller it refuses
    learns nothing of the body), and query parameters it does not take or takes once and
    is given twice (`shared.web.query_check`)."""

    body_keys_check: Callable[[Request], Awaitable[None]] = staticmethod(refuse_repeated_keys)
    """A service whose models read some keys as one (survey's strip them) names its own."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", JsonBodyRoute)
        super().__init__(**kwargs)

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        extra = kwargs.get("openapi_extra") or {}
        if POLICY_MARKER not in extra:
            raise TypeError(
                f"route {path} ({getattr(endpoint, '__name__', endpoint)}) declares no policy: "
                "add **allow(Policy....) to its decorator"
            )
        kwargs["dependencies"] = [
            *(kwargs.get("dependencies") or ()),
            Depends(refuse_unknown_query),
            Depends(self.body_keys_check),
        ]
        super().add_api_route(path, endpoint, **kwargs)


def _enforcer(policy: Policy) -> Callable[..., Any]:
    async def enforce_policy(request: Request) -> None:
        runtime: ServiceRuntime = request.app.state.runtime
        caller = await run_in_threadpool(current_principal_from, request)
        check_role(policy, caller)
        if policy.scopes:
            values = await scope_values(policy.scopes, request)
            refusal = await run_in_threadpool(scope_refusal, runtime, caller, values)
            if refusal is not None:
                raise refusal

    return enforce_policy
