"""Which OpenAPI operation a request is for, known before the router runs.

Middleware that acts before the body is read (size limits, the API key, rate limits) needs
the route's template and whether it is public. The table is built once from the app's own
OpenAPI document, so "public" means exactly what the document says (`x-pingyi-public`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.routing import compile_path
from starlette.types import Scope

PUBLIC_MARK = "x-pingyi-public"
LARGE_BODY_MARK = "x-pingyi-large-body"
"""Declared beside a route (`allow(..., large_body=True)`): batches and uploads."""
_SCOPE_KEY = "pingyi.route"
_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


@dataclass(frozen=True)
class Route:
    template: str | None
    """The OpenAPI path template, e.g. /units/{unit_id}; None when no operation matches
    (an unknown path or method, or a page outside the document such as /docs)."""
    needs_key: bool
    large_body: bool = False


UNMATCHED = Route(template=None, needs_key=False)


class RouteTable:
    """Operations of an OpenAPI document, matched against requests in document order."""

    def __init__(self, openapi: Callable[[], Mapping[str, Any]]) -> None:
        self._openapi = openapi
        self._entries: list[
            tuple[re.Pattern[str], str, frozenset[str], frozenset[str], frozenset[str]]
        ] = []
        self._built = False
        self._lock = threading.Lock()

    def route(self, scope: Scope) -> Route:
        """The operation `scope` asks for, remembered in the scope for later callers."""
        found: Route | None = scope.get(_SCOPE_KEY)
        if found is None:
            found = self._lookup(_route_path(scope), scope.get("method", "GET").lower())
            scope[_SCOPE_KEY] = found
        return found

    def templates(self) -> list[str]:
        self._build()
        return [entry[1] for entry in self._entries]

    def _lookup(self, path: str, method: str) -> Route:
        self._build()
        wanted = "get" if method == "head" else method
        for pattern, template, methods, public, large in self._entries:
            if wanted in methods and pattern.match(path):
                return Route(template, needs_key=wanted not in public, large_body=wanted in large)
        return UNMATCHED

    def _build(self) -> None:
        # The document exists only once every router is included, so it is read lazily.
        if self._built:
            return
        with self._lock:
            if self._built:
                return
            for template, item in self._openapi().get("paths", {}).items():
                operations = {m: op for m, op in item.items() if m in _METHODS}
                public = frozenset(m for m, op in operations.items() if op.get(PUBLIC_MARK))
                large = frozenset(m for m, op in operations.items() if op.get(LARGE_BODY_MARK))
                pattern, _, _ = compile_path(template)
                self._entries.append((pattern, template, frozenset(operations), public, large))
            self._built = True


class BodyLimits:
    """`limit_for(scope)` for the body limit middleware: `large` bytes for routes declared
    with a large body (batches, uploads), `default` for every other request."""

    def __init__(self, routes: RouteTable, default: int, large: int) -> None:
        self._routes = routes
        self._default = default
        self._large = large

    def __call__(self, scope: Scope) -> int:
        return self._large if self._routes.route(scope).large_body else self._default


def _route_path(scope: Scope) -> str:
    """The path the router matches: without the root path a proxy mounts the app under."""
    path: str = scope.get("path", "/")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] == "/":
        return path[len(root) :]
    return path
