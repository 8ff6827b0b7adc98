"""Idempotency keys: a retry returns the first result, a reused key with another request is
refused, and records kept from before request fingerprints still replay."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.application import Application

from shared.canonical import digest
from shared.errors import ConflictError
from shared.idempotency import IdempotencyRecord, run_idempotent
from tests.harness import IN_MEMORY


def _run(app: Application[Any], principal: Any, request: Any, calls: list[int]) -> Any:
    def command() -> tuple[list[Any], dict[str, Any]]:
        calls.append(1)
        return [], {"n": len(calls)}

    return run_idempotent(
        app, principal_id=principal, scope="s", key="k", request=request, command=command
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
