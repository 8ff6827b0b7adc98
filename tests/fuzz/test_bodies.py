"""Request bodies that are not what they say: malformed JSON of every kind sent to every
operation that takes JSON, and bodies past the route's limit (declared, or streamed without
a length). Every answer is a 4xx in the shared error shape; none is a 5xx or a 2xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.web.body_limit import DEFAULT_BODY_LIMIT
from tests.fuzz.checks import request_checked
from tests.fuzz.operations import OPERATIONS, Operation
from tests.fuzz.seed import Fuzzed
from tests.fuzz.strings import mentions, request_of, valid_case
from tests.harness import ADMIN

JSON_OPERATIONS = [
    (service, operation)
    for service, operation in OPERATIONS
    if operation.body and any(body.media_type == "application/json" for body in operation.body)
]
JSON_IDS = [f"{service} {operation.label}" for service, operation in JSON_OPERATIONS]

MALFORMED: dict[str, bytes] = {
    "empty": b"",
    "truncated": '{"name": "漯河'.encode(),
    "only a brace": b"{",
    "not json": b"name=\xe6\xbc\xaf\xe6\xb2\xb3",
    "invalid UTF-8": b'{"name": "\xff\xfe"}',
    "GBK text": '{"name": "漯河市"}'.encode("gbk"),
    "NaN": b'{"name": NaN, "score": NaN, "round": Infinity}',
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "a 5,000-digit number": b'{"round": ' + b"9" * 5_000 + b"}",
    "duplicate keys": b'{"reason": "\xe5\x8e\x9f", "reason": 1}',
    "a bare string": b'"\xe6\xbc\xaf\xe6\xb2\xb3"',
    "null": b"null",
    "an array": b"[]",
    "a NUL byte": b'{"name": "\x00"}',
    "trailing garbage": b'{"reason": "ok"} {"reason": "again"}',
}

ABSENT = {"empty", "null"}


def _fill(fuzzed: Fuzzed, path: str) -> str:
    """The path with its parameters pointed at seeded records where there are any."""
    for name in (part[1:-1] for part in path.split("/") if part.startswith("{")):
        pool = fuzzed.seeded.pool(name) or ["00000000-0000-4000-8000-000000000000"]
        path = path.replace("{" + name + "}", pool[0])
    return path


@pytest.mark.parametrize(("service", "operation"), JSON_OPERATIONS, ids=JSON_IDS)
def test_malformed_json_is_a_clear_4xx(fuzzed: Fuzzed, service: str, operation: Operation) -> None:
    path = _fill(fuzzed, operation.path)
    failures = []
    required = operation.definition.raw.get("requestBody", {}).get("required", False)
    for name, body in MALFORMED.items():
        if name in ABSENT and not required:
            continue  # no body at all is what a route with an optional body expects
        label = f"{operation.method.upper()} {operation.path} ({name})"
        try:
            response = request_checked(
                fuzzed.cluster[service],
                operation.method.upper(),
                path,
                label=label,
                content=body,
                headers=ADMIN | {"Content-Type": "application/json"},
            )
        except AssertionError as exc:
            failures.append(str(exc))
            continue
        if response is not None and response.status_code < 400:
            failures.append(f"{label}: {response.status_code} {response.text[:300]}")
    assert not failures, "\n".join(failures)


def _chunks(size: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """A JSON-looking body streamed without a Content-Length."""
    yield b'{"name": "'
    sent = 0
    while sent < size:
        yield b"x" * chunk
        sent += chunk
    yield b'"}'


@pytest.mark.parametrize("streamed", [False, True], ids=["declared", "streamed"])
@pytest.mark.parametrize(
    ("service", "path", "limit"),
    [
        ("registry", "/jurisdictions", DEFAULT_BODY_LIMIT),
        ("survey", "/waves/{wave_id}/close", DEFAULT_BODY_LIMIT),
        ("inspection", "/findings", DEFAULT_BODY_LIMIT),
        ("scoring", "/schemes", DEFAULT_BODY_LIMIT),
    ],
)
def test_a_body_over_the_limit_is_413_naming_the_body(
    fuzzed: Fuzzed, service: str, path: str, limit: int, streamed: bool
) -> None:
    size = limit + 1024
    content: Any = _chunks(size) if streamed else b'{"name": "' + b"x" * size + b'"}'
    response = request_checked(
        fuzzed.cluster[service],
        "POST",
        _fill(fuzzed, path),
        label=f"POST {path} with {size} bytes",
        content=content,
        headers=ADMIN | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413, response.text
    body = response.json()
    assert body["error"] == "payload_too_large"
    assert body["detail"][0]["field"] == "body"


def test_a_batch_past_the_large_limit_is_413(fuzzed: Fuzzed) -> None:
    """Batch routes take up to PINGYI_BODY_LIMIT_LARGE (64 MiB by default), not more."""
    limit = fuzzed.cluster["survey"].app.state.runtime.common.body_limit_large
    path = _fill(fuzzed, "/waves/{wave_id}/questionnaires:batch")
    response = request_checked(
        fuzzed.cluster["survey"],
        "POST",
        path,
        label=f"POST {path} past {limit} bytes",
        content=_chunks(limit + 1024, chunk=4 * 1024 * 1024),
        headers=ADMIN | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413, response.text
    assert response.json()["detail"][0]["field"] == "body"


@pytest.mark.parametrize(("service", "operation"), JSON_OPERATIONS, ids=JSON_IDS)
def test_a_field_the_route_does_not_define_is_refused(
    fuzzed: Fuzzed, service: str, operation: Operation
) -> None:
    """No mass assignment: a valid request with one more field — one a client might hope
    would be copied onto the record (here its actor) — is never taken: 422 naming that
    field, or refused before the body is read (a scope check that cannot find a record the
    example names)."""
    case = valid_case(operation, fuzzed.seeded)
    if case is None:
        pytest.skip("no valid JSON request for this operation")
    request = request_of(case)
    if not isinstance(request.get("json"), dict):
        pytest.skip("the valid request has no JSON object body")
    body = request["json"] | {"actor": "admin:00000000-0000-4000-8000-000000000000"}
    label = f"{operation.label} with an extra field"
    response = request_checked(
        fuzzed.cluster[service],
        request["method"],
        request["url"],
        label=label,
        params=request.get("params") or None,
        json=body,
        headers=ADMIN | {"Content-Type": "application/json"},
    )
    assert response is not None
    assert response.status_code >= 400, f"{label}: {response.status_code} {response.text[:300]}"
    if response.status_code == 422:
        assert mentions(response.json(), "actor"), f"{label}: {response.text[:300]}"
