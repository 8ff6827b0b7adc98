"""Idempotency keys: a retried command returns the first result.

The record is an aggregate saved in the same transaction as the command's own events, so
either both exist or neither does. A key reused with a different request is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError
from fastapi import Header

from shared.canonical import FINGERPRINT_PREFIX, digest, fingerprint
from shared.errors import ConflictError
from shared.types import Line

IdempotencyKey = Annotated[Line | None, Header(alias="Idempotency-Key", max_length=200)]
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


def _replay(record: IdempotencyRecord, request: Any, request_digest: str) -> Response:
    # Records kept from before fingerprints were taken with the canonical digest.
    current = request_digest if record.request_digest.startswith(FINGERPRINT_PREFIX) else None
    if record.request_digest != (current or digest(request)):
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
) -> Response:
    """Run `command` (which returns unsaved aggregates and the response) at most once per key."""
    request_digest = fingerprint(request)
    record_id = IdempotencyRecord.create_id(principal_id, scope, key) if key else None
    if record_id is not None:
        try:
            return _replay(app.repository.get(record_id), request, request_digest)
        except AggregateNotFoundError:
            pass
    aggregates, response = command()
    to_save = list(aggregates)
    if key is not None:
        to_save.append(IdempotencyRecord(principal_id, scope, key, request_digest, response))
    try:
        app.save(*to_save)
    except IntegrityError:
        # Only a clash on the key record means "already done"; any other clash is the caller's.
        if record_id is None:
            raise
        try:
            record: IdempotencyRecord = app.repository.get(record_id)
        except AggregateNotFoundError:
            raise IntegrityError("a record in this command already exists") from None
        return _replay(record, request, request_digest)
    return response
