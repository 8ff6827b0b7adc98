"""Rate limits: moving windows in this process's memory, with the `limits` library.

A limit counts events per key (a client address, a principal) over a moving window; past
it, `TooManyRequests` carries how many seconds until the oldest event leaves the window.
Each process counts on its own: N replicas allow N times the rate, which is what these
limits are for (keeping one process usable), not a global quota.
"""

from __future__ import annotations

import math
import time
from typing import ClassVar

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import Scope

from shared.errors import PingyiError
from shared.web.settings import HttpLimits


class TooManyRequests(PingyiError):
    status_code: ClassVar[int] = 429
    code: ClassVar[str] = "rate_limited"

    def __init__(self, reason: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(reason, field=field, retry_after=retry_after)
        self.retry_after = retry_after

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class RateLimit:
    """One limit, e.g. 20 failed authentications per minute per client address."""

    def __init__(self, name: str, rate: str | RateLimitItem, storage: MemoryStorage) -> None:
        self.name = name
        self.item = parse(rate) if isinstance(rate, str) else rate
        self._limiter = MovingWindowRateLimiter(storage)

    def hit(self, key: str) -> bool:
        """Count one event for `key`; False (and nothing counted) when the window is full."""
        return bool(self._limiter.hit(self.item, self.name, key))

    def exhausted(self, key: str) -> bool:
        return not self._limiter.test(self.item, self.name, key)

    def retry_after(self, key: str) -> int:
        """Whole seconds until the window has room for `key` again (at least 1)."""
        stats = self._limiter.get_window_stats(self.item, self.name, key)
        seconds: int = math.ceil(float(stats.reset_time) - time.time())
        return max(1, seconds)

    def refuse(
        self, key: str, chinese: str, english: str, field: str | None = None
    ) -> TooManyRequests:
        """The 429 for `key`, saying why in Chinese then English, and when to retry."""
        seconds = self.retry_after(key)
        reason = f"{chinese}, 请 {seconds} 秒后重试 ({english}; retry after {seconds} s)"
        return TooManyRequests(reason, retry_after=seconds, field=field)

    def enforce(self, key: str, chinese: str, english: str, field: str | None = None) -> None:
        """Count one event; raise TooManyRequests if the window is already full."""
        if not self.hit(key):
            raise self.refuse(key, chinese, english, field)


class RateLimits:
    """The limits the HTTP edge applies, from settings, sharing one in-memory store."""

    def __init__(self, settings: HttpLimits, storage: MemoryStorage | None = None) -> None:
        store = storage or MemoryStorage()
        self.auth_failures = RateLimit("auth-failures", settings.rate_auth_failures, store)
        self.public = RateLimit("public", settings.rate_public, store)
        self.per_principal: dict[str, RateLimit] = {
            "/positions": RateLimit("positions", settings.rate_positions, store),
        }
        """Route template -> the limit each principal has on it."""


def client_address(scope: Scope) -> str:
    """The peer's address as the server saw it (behind a proxy: as the server was told by
    the proxy headers it trusts, e.g. uvicorn's --forwarded-allow-ips)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
