"""Idempotency keys: a retry returns the first result, a reused key with another request is
refused, and records kept from before request fingerprints (and before body fingerprints)
still replay."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.application import Application

from shared.canonical import digest, fingerprint
from shared.errors import ConflictError
from shared.idempotency import IdempotencyRecord, body_fingerprint, run_idempotent
from tests.harness import IN_MEMORY


def _run(
    app: Application[Any],
    principal: Any,
    request: Any,
    calls: list[int],
    body: bytes | None = None,
) -> Any:
    def command() -> tuple[list[Any], dict[str, Any]]:
        calls.append(1)
        return [], {"n": len(calls)}

    return run_idempotent(
        app,
        principal_id=principal,
        scope="s",
        key="k",
        request=request,
        command=command,
        request_digest=None if body is None else body_fingerprint(body),
    )


def test_a_retry_replays_and_another_request_is_refused() -> None:
    app: Application[Any] = Application(IN_MEMORY)
    principal, calls = uuid4(), []
    assert _run(app, principal, {"a": [1, "二"]}, calls) == {"n": 1}
    assert _run(app, principal, {"a": [1, "二"]}, calls) == {"n": 1}
    with pytest.raises(ConflictError):
        _run(app, principal, {"a": [1, "三"]}, calls)
    assert len(calls) == 1


def test_a_record_with_the_older_canonical_digest_still_replays() -> None:
    app: Application[Any] = Application(IN_MEMORY)
    principal, request = uuid4(), {"questionnaires": [{"id": "Q1", "ratings": {"u": "满意"}}]}
    app.save(IdempotencyRecord(principal, "s", "k", digest(request), {"n": 0}))
    calls: list[int] = []
    assert _run(app, principal, request, calls) == {"n": 0}
    with pytest.raises(ConflictError):
        _run(app, principal, {"questionnaires": []}, calls)
    assert calls == []


def test_a_request_known_by_its_body_replays_for_that_body_byte_for_byte() -> None:
    app: Application[Any] = Application(IN_MEMORY)
    principal, calls = uuid4(), []
    request = {"a": [1, "二"]}
    body = '{"a":[1,"二"]}'.encode()
    assert _run(app, principal, request, calls, body) == {"n": 1}
    assert _run(app, principal, request, calls, body) == {"n": 1}
    with pytest.raises(ConflictError):
        _run(app, principal, {"a": [1, "三"]}, calls, '{"a":[1,"三"]}'.encode())
    # Stricter than the parsed request, never weaker: the same JSON written another way
    # is another body, and a request known only by what was parsed is not compared.
    with pytest.raises(ConflictError):
        _run(app, principal, request, calls, '{"a": [1, "二"]}'.encode())
    with pytest.raises(ConflictError):
        _run(app, principal, request, calls)
    assert len(calls) == 1


def test_a_record_with_the_request_fingerprint_still_replays_for_the_body() -> None:
    app: Application[Any] = Application(IN_MEMORY)
    principal, request = uuid4(), {"questionnaires": [{"id": "Q1", "ratings": {"u": "满意"}}]}
    app.save(IdempotencyRecord(principal, "s", "k", fingerprint(request), {"n": 0}))
    calls: list[int] = []
    assert _run(app, principal, request, calls, b"as sent") == {"n": 0}
    with pytest.raises(ConflictError):
        _run(app, principal, {"questionnaires": []}, calls, b"other")
    assert calls == []


def test_without_a_key_the_command_runs_each_time() -> None:
    app: Application[Any] = Application(IN_MEMORY)
    calls: list[int] = []

    def command() -> tuple[list[Any], dict[str, Any]]:
        calls.append(1)
        return [], {"n": len(calls)}

    for expected in (1, 2):
        answer = run_idempotent(
            app, principal_id=uuid4(), scope="s", key=None, request={}, command=command
        )
        assert answer == {"n": expected}
