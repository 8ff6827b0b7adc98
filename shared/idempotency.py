"""Idempotency keys: a retried command returns the first result.

The record is an aggregate saved in the same transaction as the command's own events, so
either both exist or neither does. A key reused with a different request is refused.

A record belongs to the principal that made it (its id is derived from the principal, the
command's scope and the key), so a key replays only what that same caller was answered. A
route's policy is checked before the key: a retry whose target has left the caller's scope
since the first answer (a unit moved to another county) is refused like any request there.

The request header and the body's fingerprint, which a route takes, are
`shared.web.idempotency`'s: this module imports no web framework.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar, overload
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from shared.canonical import FINGERPRINT_PREFIX, digest, fingerprint
from shared.errors import ConflictError

IDEMPOTENCY_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/idempotency")

Response = dict[str, Any]
T = TypeVar("T")
P = TypeVar("P")
Outcome = tuple[list[Any], Response]
"""What a command gives: the unsaved aggregates (none if it changed nothing), the answer."""


class IdempotencyRecord(Aggregate):
    @event("Recorded")
    def __init__(
        self, principal_id: UUID, scope: str, key: str, request_digest: str, response: Response
    ) -> None:
        self.principal_id = principal_id
        self.scope = scope
        self.key = key
        self.request_digest = request_digest
        self.response = response

    @staticmethod
    def create_id(principal_id: UUID, scope: str, key: str) -> UUID:
        return uuid5(IDEMPOTENCY_NAMESPACE, f"{principal_id}|{scope}|{key}")


BODY_FINGERPRINT_PREFIX = "body1:sha256:"


def body_fingerprint(raw: bytes) -> str:
    """A request body's bytes as received, hashed once: the identity of a large request
    (a push of 10,000 questionnaires) at a third of the cost of re-encoding what was parsed
    from it with every dict sorted, and without holding the GIL. Stricter than
    `fingerprint`, never weaker: the same body byte for byte, as an agency's retry sends it,
    is the same request; a body that differs in any byte is not."""
    return BODY_FINGERPRINT_PREFIX + hashlib.sha256(raw).hexdigest()


def _same_request(recorded: str, request: Any, request_digest: str) -> bool:
    """Whether a record was made for this request. A record keeps the kind of digest the
    code that wrote it took, and is compared in that kind: records kept from before body
    fingerprints and from before fingerprints (the canonical digest) still replay."""
    if recorded.startswith(BODY_FINGERPRINT_PREFIX):
        return recorded == request_digest
    if recorded.startswith(FINGERPRINT_PREFIX):
        current = request_digest
        if not current.startswith(FINGERPRINT_PREFIX):
            current = fingerprint(request)
        return recorded == current
    return recorded == digest(request)


def _replay(record: IdempotencyRecord, request: Any, request_digest: str) -> Response:
    if not _same_request(record.request_digest, request, request_digest):
        raise ConflictError(
            "此 Idempotency-Key 已用于另一个请求 (this Idempotency-Key was already used for a "
            "different request)",
            field="Idempotency-Key",
        )
    return record.response


@overload
def run_idempotent(
    app: Application[Any],
    *,
    principal_id: UUID,
    scope: str,
    key: str | None,
    request: Any,
    command: Callable[[], Outcome],
    request_digest: str | None = None,
    lock: AbstractContextManager[Any] | None = None,
) -> Response: ...


@overload
def run_idempotent(
    app: Application[Any],
    *,
    principal_id: UUID,
    scope: str,
    key: str | None,
    request: Any,
    command: Callable[[P], Outcome],
    prepare: Callable[[], P],
    request_digest: str | None = None,
    lock: AbstractContextManager[Any] | None = None,
) -> Response: ...


def run_idempotent(
    app: Application[Any],
    *,
    principal_id: UUID,
    scope: str,
    key: str | None,
    request: Any,
    command: Callable[..., Outcome],
    prepare: Callable[[], Any] | None = None,
    request_digest: str | None = None,
    lock: AbstractContextManager[Any] | None = None,
) -> Response:
    """Run `command` (which returns unsaved aggregates and the response) at most once per key.

    Without a key the command runs each time, and what it returns is saved only when it
    changed something (no aggregates: nothing is written, no commit is made).

    With a key whose record exists, the first answer is replayed (the same request) or the
    request refused (409, another request), before anything else: `prepare` and `command`
    do not run and `lock` is not taken.

    `prepare`: work the command needs that may be done before `lock` is taken (computing a
    round), run only when the key has no record (or there is no key); its result is passed
    to `command`. `lock`: held around the record's second look-up, the command and the save
    (another request may have used the key while this one prepared).
    `request_digest`: a digest of the request taken already (`BodyFingerprint`), kept in the
    record instead of the fingerprint of `request`."""
    held = lock if lock is not None else nullcontext()
    if key is None:
        prepared = () if prepare is None else (prepare(),)
        with held:
            aggregates, response = command(*prepared)
            if aggregates:
                app.save(*aggregates)
            return response
    taken = request_digest or fingerprint(request)
    record_id = IdempotencyRecord.create_id(principal_id, scope, key)
    prepared = ()
    if prepare is not None:
        first = _recorded(app, record_id, request, taken)
        if first is not None:
            return first  # a retry: nothing is prepared for it
        prepared = (prepare(),)
    with held:
        first = _recorded(app, record_id, request, taken)
        if first is not None:
            return first
        aggregates, response = command(*prepared)
        try:
            app.save(*aggregates, IdempotencyRecord(principal_id, scope, key, taken, response))
        except IntegrityError:
            # Only a clash on the key record means "already done"; any other clash is the
            # caller's.
            first = _recorded(app, record_id, request, taken)
            if first is None:
                raise IntegrityError("a record in this command already exists") from None
            return first
        return response


def _recorded(app: Application[Any], record_id: UUID, request: Any, taken: str) -> Response | None:
    """The first answer if the key's record exists (409 for another request), else None."""
    try:
        record: IdempotencyRecord = app.repository.get(record_id)
    except AggregateNotFoundError:
        return None
    return _replay(record, request, taken)
