"""The precheck `shared.http` runs before any request body is read: rate limits, then the
API key. The principal it authenticates is kept in the request's state, so the
`current_principal` dependency does not look the key up a second time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import Scope

from shared.auth import remember_principal
from shared.errors import UnauthenticatedError
from shared.principals import Principal, UnknownKey, could_be_issued
from shared.web.rate_limit import RateLimits, client_address
from shared.web.routes import RouteTable

Authenticate = Callable[[str | None], Principal]

Settle = Callable[[], Awaitable[bool]]
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Gate:
    """Public routes: a rate per client address. Every other route: refused 429 while the
    address has too many recent failed authentications, else the key must authenticate
    (a wrong or revoked key counts as a failure, a missing one does not), then the
    principal's own rate on routes that have one (/positions). A write then waits for the
    service's copy of the registry to have what the registry published before it
    (`settle`: `shared.service.registry_wait`), so that a campaign, unit or key created a
    moment ago is not refused as unknown."""

    def __init__(
        self,
        routes: RouteTable,
        authenticate: Authenticate,
        limits: RateLimits,
        settle: Settle | None = None,
    ) -> None:
        self._routes = routes
        self._authenticate = authenticate
        self._limits = limits
        self._settle = settle

    async def __call__(self, scope: Scope, headers: Headers) -> None:
        route = self._routes.route(scope)
        address = client_address(scope)
        if not route.needs_key:
            self._limits.public.enforce(
                address, "此地址请求过多", "too many requests from this address"
            )
            return
        failures = self._limits.auth_failures
        if failures.exhausted(address):
            english = "too many failed authentications from this address"
            raise failures.refuse(address, "此地址认证失败次数过多", english, field="X-API-Key")
        key = headers.get("x-api-key")
        try:
            principal = await self._principal(key)
        except UnauthenticatedError:
            if key:
                failures.hit(address)
            raise
        remember_principal(scope, principal)
        limit = self._limits.per_principal.get(route.template or "")
        if limit is not None:
            chinese = f"此密钥调用 {route.template} 过于频繁"
            english = f"too many calls to {route.template} with this key"
            limit.enforce(str(principal.principal_id), chinese, english, field="X-API-Key")
        if self._settle is not None and scope.get("method") in WRITES:
            await self._settle()

    async def _principal(self, key: str | None) -> Principal:
        """The key's principal. A key the service's copy does not know may have been issued
        a moment ago: looked up again once the copy has applied the registry's log as far as
        it reaches now (`shared.service.registry_wait`; the registry answers only once what
        it wrote is there, `shared.service.published_wait`)."""
        try:
            return await run_in_threadpool(self._authenticate, key)
        except UnknownKey:
            if self._settle is None or not could_be_issued(key):
                raise  # the registry's own answer, or no key the registry ever issues
        await self._settle()
        return await run_in_threadpool(self._authenticate, key)
