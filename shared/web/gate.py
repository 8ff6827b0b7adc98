"""The precheck `shared.http` runs before any request body is read: rate limits, then the
API key. The principal it authenticates is kept in the request's state, so the
`current_principal` dependency does not look the key up a second time."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import Scope

from shared.auth import remember_principal
from shared.errors import UnauthenticatedError
from shared.principals import Principal, UnknownKey
from shared.web.rate_limit import RateLimits, client_address
from shared.web.routes import RouteTable

Authenticate = Callable[[str | None], Principal]
Positions = Callable[[], tuple[int | None, ...] | None]

UNKNOWN_KEY_WAIT_SECONDS = 2.0
"""How long a request with a key this service has never seen waits for its copy of the
registry's keys to learn it before it is refused. A key is issued on the registry and
reaches the other services through the registry's log: normally within a tenth of a second
(the relay publishes on commit, the copy applies on arrival), a little longer under load. An
office that hands a new key to its agency, or a script that issues one and uses it at once,
would otherwise meet 401 "unknown or revoked" on its first call (18 of 20 keys did, first
call to survey right after issuing, production mode) and have it counted as a failed
authentication. A wrong key waits the whole time, holding no thread."""
_POLL_SECONDS = 0.02
"""How often the copy's positions are looked at while waiting (the key itself is looked up
again only when they moved)."""


class Gate:
    """Public routes: a rate per client address. Every other route: refused 429 while the
    address has too many recent failed authentications, else the key must authenticate
    (a wrong or revoked key counts as a failure, a missing one does not), then the
    principal's own rate on routes that have one (/positions)."""

    def __init__(
        self,
        routes: RouteTable,
        authenticate: Authenticate,
        limits: RateLimits,
        security_positions: Positions = lambda: None,
    ) -> None:
        self._routes = routes
        self._authenticate = authenticate
        self._limits = limits
        self._positions = security_positions

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

    async def _principal(self, key: str | None) -> Principal:
        """The key's principal; a key the copy does not know is looked up again each time
        the copy applies more of the registry's log, for `UNKNOWN_KEY_WAIT_SECONDS`."""
        seen = self._positions()
        try:
            return await run_in_threadpool(self._authenticate, key)
        except UnknownKey:
            if seen is None:
                raise  # the registry's own answer: final
        deadline = time.monotonic() + UNKNOWN_KEY_WAIT_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(_POLL_SECONDS)
            now = self._positions()
            if now == seen:
                continue
            seen = now
            with contextlib.suppress(UnknownKey):
                return await run_in_threadpool(self._authenticate, key)
        return await run_in_threadpool(self._authenticate, key)
