"""The OpenAPI document of an app, built once per set of routes in this process.

Building it is the dearest part of building an app (a quarter of a second for the
registry's hundred routes), and the edge and the policy check need it before the first
request. The document depends only on the routes, so apps of the same service (every test
starts its own) share one build; each app gets its own copy.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Hashable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

_documents: dict[Hashable, str] = {}
"""Each document as JSON text: an app's own copy is parsed from it in C, a little faster than
a deep copy of the nested dicts (registry: 22 → 21 ms per app built, measured)."""
_lock = threading.Lock()


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The app's document, which from now on `app.openapi()` serves (FastAPI's documented
    way to supply the document: replace `app.openapi`). Call it once every route is in."""
    key = _routes_key(app)
    with _lock:
        built = _documents.get(key)
    if built is None:
        built = json.dumps(app.openapi(), ensure_ascii=False)
        with _lock:
            _documents[key] = built
    document: dict[str, Any] = json.loads(built)
    app.openapi_schema = document
    setattr(app, "openapi", lambda: document)  # noqa: B010 (mypy refuses assigning a method)
    return document


def _routes_key(app: FastAPI) -> Hashable:
    """Everything the document is made from. An endpoint counts by its code (module and
    qualified name), not its identity: services build some routers per app, around closures
    whose captured state the document never shows."""
    routes = tuple(_route_key(route) for route in app.routes if isinstance(route, APIRoute))
    head = (app.title, app.version, app.description, app.openapi_version, _text(app.openapi_tags))
    return (head, routes)


def _route_key(route: APIRoute) -> Hashable:
    endpoint = route.endpoint
    return (
        route.path,
        tuple(sorted(route.methods or ())),
        route.name,
        _code(endpoint),
        tuple(_code(depends.dependency) for depends in route.dependencies),
        _hashable(route.response_model),
        route.status_code,
        route.summary,
        route.description,
        route.include_in_schema,
        route.deprecated,
        route.operation_id,
        _text(route.tags),
        _text(route.responses),
        _text(route.openapi_extra),
    )


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def _code(function: Any) -> str:
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', function)}"


def _hashable(value: Any) -> Hashable:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value  # type: ignore[no-any-return]
