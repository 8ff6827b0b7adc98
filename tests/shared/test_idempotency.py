"""Idempotency keys: a retry returns the first result, a reused key with another request is
refused, and records kept from before request fingerprints (and before body fingerprints)
still replay; a command that changes nothing commits nothing, and a used key is answered
before the command's preparation (a round's computation) or its lock."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from shared.canonical import digest, fingerprint
from shared.errors import ConflictError
from shared.idempotency import IdempotencyRecord, body_fingerprint, run_idempotent
from shared.service.application import PublishingApplication
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


class Counted(Aggregate):
    @event("Made")
    def __init__(self, n: int) -> None:
        self.n = n


class CountingLock:
    """A lock that counts how often it was taken (run_idempotent's `lock`)."""

    def __init__(self) -> None:
        self.taken = 0
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        self.taken += 1
        self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def test_without_a_key_a_command_that_changes_nothing_commits_nothing() -> None:
    app = PublishingApplication(IN_MEMORY)
    commits: list[int] = []
    app.on_commit(lambda: commits.append(1))

    def unchanged() -> tuple[list[Any], dict[str, Any]]:
        return [], {"changed": False}

    def changed() -> tuple[list[Any], dict[str, Any]]:
        made = Counted(1)
        return [made], {"id": str(made.id)}

    answer = run_idempotent(
        app, principal_id=uuid4(), scope="s", key=None, request={}, command=unchanged
    )
    assert (answer, commits) == ({"changed": False}, [])
    answer = run_idempotent(
        app, principal_id=uuid4(), scope="s", key=None, request={}, command=changed
    )
    assert commits == [1]
    assert app.repository.get(UUID(answer["id"])).n == 1


def test_a_used_key_is_answered_before_anything_is_prepared_or_locked() -> None:
    app: Application[Any] = Application(IN_MEMORY)
    principal, lock = uuid4(), CountingLock()
    prepared: list[int] = []
    ran: list[int] = []

    def prepare() -> int:
        prepared.append(1)
        return 41 + len(prepared)

    def command(value: int) -> tuple[list[Any], dict[str, Any]]:
        ran.append(value)
        return [Counted(value)], {"value": value}

    def run(request: Any, key: str | None = "k") -> Any:
        return run_idempotent(
            app,
            principal_id=principal,
            scope="s",
            key=key,
            request=request,
            prepare=prepare,
            command=command,
            lock=lock,
        )

    assert run({"a": 1}) == {"value": 42}
    assert (prepared, ran, lock.taken) == ([1], [42], 1)
    # The retry: the first answer, with nothing prepared, run or locked for it.
    assert run({"a": 1}) == {"value": 42}
    with pytest.raises(ConflictError):
        run({"a": 2})
    assert (prepared, ran, lock.taken) == ([1], [42], 1)
    # Without a key: prepared, then run under the lock, every time.
    assert run({"a": 1}, key=None) == {"value": 43}
    assert (prepared, ran, lock.taken) == ([1, 1], [42, 43], 2)


def test_a_key_used_while_the_command_was_prepared_is_replayed_under_the_lock() -> None:
    app: Application[Any] = Application(IN_MEMORY)
    principal, ran = uuid4(), []

    def command(value: int) -> tuple[list[Any], dict[str, Any]]:
        ran.append(value)
        return [Counted(value)], {"value": value}

    def run(prepare: Any) -> Any:
        return run_idempotent(
            app,
            principal_id=principal,
            scope="s",
            key="k",
            request={"a": 1},
            prepare=prepare,
            command=command,
            lock=threading.Lock(),
        )

    def prepare_while_another_request_finishes() -> int:
        assert run(lambda: 1) == {"value": 1}  # the other request, first with the key
        return 2

    assert run(prepare_while_another_request_finishes) == {"value": 1}
    assert ran == [1]


def test_a_refused_request_leaves_no_record_so_its_retry_runs_again() -> None:
    """The documented decision (docs/authorization.md): only an answer that succeeded is
    kept. A request refused (any 4xx the command raises) records nothing, so a retry with
    the same key runs the command again, and is answered by what holds then."""
    app: Application[Any] = Application(IN_MEMORY)
    principal, calls = uuid4(), []

    def refused() -> tuple[list[Any], dict[str, Any]]:
        calls.append(1)
        raise ConflictError("not now", field="state")

    def keyed(command: Any, request: Any) -> Any:
        return run_idempotent(
            app, principal_id=principal, scope="s", key="k", request=request, command=command
        )

    with pytest.raises(ConflictError):
        keyed(refused, {"a": 1})
    with pytest.raises(ConflictError):
        keyed(refused, {"a": 1})
    assert len(calls) == 2  # run again, not replayed
    # Nothing was recorded under the key: the next request with it is the first.
    assert keyed(lambda: ([], {"ok": True}), {"a": 2}) == {"ok": True}
    assert keyed(lambda: ([], {"ok": False}), {"a": 2}) == {"ok": True}
