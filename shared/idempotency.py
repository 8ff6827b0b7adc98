"""Idempotency keys: a retried command returns the first result.

The record is an aggregate saved in the same transaction as the command's own events, so
either both exist or neither does. A key reused with a different request is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError
from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from shared.canonical import FINGERPRINT_PREFIX, digest, fingerprint
from shared.errors import ConflictError
from shared.types import HeaderText

IdempotencyKey = Annotated[HeaderText | None, Header(alias="Idempotency-Key", max_length=200)]
"""The optional request header every command route takes."""

IDEMPOTENCY_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/idempotency")

Response = dict[str, Any]
T = TypeVar("T")


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


async def _keyed_body_fingerprint(request: Request) -> str | None:
    if request.headers.get("idempotency-key") is None:
        return None  # nothing to compare it with
    raw = await request.body()  # read already, for the body model
    # hashlib lets go of the GIL over large data: a 40 MB body is hashed beside other work.
    return await run_in_threadpool(body_fingerprint, raw)


BodyFingerprint = Annotated[str | None, Depends(_keyed_body_fingerprint)]
"""For a handler that passes it to `run_idempotent` as `request_digest`: the fingerprint of
the request's body when the request carries an Idempotency-Key, else None."""


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
            "this Idempotency-Key was already used for a different request",
            field="Idempotency-Key",
        )
    return record.response


def run_idempotent(
    app: Application[Any],
    *,
    principal_id: UUID,
    scope: str,
    key: str | None,
    request: Any,
    command: Callable[[], tuple[list[Any], Response]],
    request_digest: str | None = None,
) -> Response:
    """Run `command` (which returns unsaved aggregates and the response) at most once per key.
    `request_digest`: a digest of the request taken already (`BodyFingerprint`), kept in the
    record instead of the fingerprint of `request`."""
    if key is None:
        aggregates, response = command()
        app.save(*aggregates)
        return response
    taken = request_digest or fingerprint(request)
    record_id = IdempotencyRecord.create_id(principal_id, scope, key)
    try:
        return _replay(app.repository.get(record_id), request, taken)
    except AggregateNotFoundError:
        pass
    aggregates, response = command()
    try:
        app.save(*aggregates, IdempotencyRecord(principal_id, scope, key, taken, response))
    except IntegrityError:
        # Only a clash on the key record means "already done"; any other clash is the caller's.
        try:
            record: IdempotencyRecord = app.repository.get(record_id)
        except AggregateNotFoundError:
            raise IntegrityError("a record in this command already exists") from None
        return _replay(record, request, taken)
    return response
