"""The OpenAPI document of an app, built once per service definition in this process.

Building it is the dearest part of building an app (a quarter of a second for the
registry's hundred routes), and the edge and the policy check need it before the first
request. The document depends only on what the service's definition says (its title and
description, its routers and the kernel's), so apps of the same service (every test starts
its own) share one build; each app gets its own copy.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi import FastAPI

_documents: dict[int, tuple[object, str]] = {}
"""By the identity of what the app was built from, kept with the document so that the
identity cannot be reused by another; each document as JSON text: an app's own copy is parsed
from it in C, a little faster than a deep copy of the nested dicts (registry: 22 → 21 ms per
app built, measured)."""
_lock = threading.Lock()


def openapi_document(app: FastAPI, built_from: object) -> dict[str, Any]:
    """The app's document, which from now on `app.openapi()` serves (FastAPI's documented
    way to supply the document: replace `app.openapi`). Call it once every route is in;
    `built_from` is what decides the document (`shared.http` passes the service's
    definition): apps built from the same one share the document."""
    with _lock:
        found = _documents.get(id(built_from))
    if found is None:
        found = (built_from, json.dumps(app.openapi(), ensure_ascii=False))
        with _lock:
            _documents[id(built_from)] = found
    document: dict[str, Any] = json.loads(found[1])
    app.openapi_schema = document
    setattr(app, "openapi", lambda: document)  # noqa: B010 (mypy refuses assigning a method)
    return document
