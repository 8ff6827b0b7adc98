"""The demo's HTTP client: calls as an office, an agency or a member of the public makes
them, and waits until a downstream service has applied an upstream's log."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

Progress = Callable[[str, int, int], None]
"""(step, done, total): what the loader reports as it goes."""


class DemoClient:
    def __init__(self, urls: dict[str, str], admin_key: str, progress: Progress | None = None):
        self.urls = urls
        self._admin = {"X-API-Key": admin_key}
        self.http = httpx.Client(timeout=60)
        self.progress: Progress = progress or (lambda step, done, total: None)

    def call(
        self,
        service: str,
        method: str,
        path: str,
        key: dict[str, str] | None = None,
        idempotency: str | None = None,
        **kwargs: Any,
    ) -> Any:
        headers = dict(key or self._admin)
        if idempotency:
            headers["Idempotency-Key"] = idempotency
        response = self.http.request(method, self.urls[service] + path, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {service}{path}: {response.status_code} {response.text}")
        return response.json()

    def public(self, path: str, method: str, **kwargs: Any) -> Any:
        """A call without a key, as a member of the public makes it."""
        response = self.http.request(method, self.urls["survey"] + path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} survey{path}: {response.status_code} {response.text}")
        return response.json()

    def wait_caught_up(self, downstream: str, upstream: str, timeout: float = 120) -> None:
        head = self.call(upstream, "GET", "/positions")["head"]
        deadline = time.monotonic() + timeout
        while head is not None:
            applied = self.call(downstream, "GET", "/positions")["consumers"].get(upstream)
            if applied is not None and applied >= head:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{downstream} did not catch up with {upstream}")
            time.sleep(0.1)
