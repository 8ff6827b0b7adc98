"""What every import endpoint does once its sheet is parsed: report (dry run), refuse with
the full list of problems, or hand all rows to one application command (all or nothing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application

from services.registry.importing.errors import ImportRejected
from services.registry.importing.rows import MAX_BYTES, Parsed, rejection_from
from shared.errors import ConflictError, InvalidError, NotFoundError
from shared.idempotency import IdempotencyRecord
from shared.web.upload import upload_reader

Submit = Callable[[list[dict[str, Any]]], dict[str, Any]]
Created = Callable[[dict[str, Any]], list[dict[str, Any]]]


read_upload = upload_reader(MAX_BYTES)
"""The raw request body, refused as soon as it passes MAX_BYTES (no multipart needed)."""


def already_done(app: Application[Any], principal_id: UUID, scope: str, key: str | None) -> bool:
    """Whether this Idempotency-Key already ran the command of `scope` (the application's
    own scope name): a retried import must be replayed, not refused as a duplicate."""
    if not key:
        return False
    try:
        app.repository.get(IdempotencyRecord.create_id(principal_id, scope, key))
    except AggregateNotFoundError:
        return False
    return True


def finish(parsed: Parsed, dry_run: bool, submit: Submit, created: Created) -> dict[str, Any]:
    if dry_run:
        return parsed.report(dry_run=True)
    if parsed.errors:
        raise ImportRejected(parsed.report(dry_run=False))
    try:
        result = submit([row.values for row in parsed.rows])
    except (InvalidError, NotFoundError, ConflictError) as exc:
        # The command checks what a sheet cannot (e.g. a contact registered meanwhile):
        # name the row it concerns, in the same report shape. Anything else (a server
        # without its contact key, a reused Idempotency-Key) keeps its own status.
        found = rejection_from(exc, parsed.spec, parsed.rows)
        if found is None:
            raise
        parsed.errors.append(found)
        parsed.rows = [row for row in parsed.rows if row.number != found["row"]]
        raise ImportRejected(parsed.report(dry_run=False)) from exc
    items = created(result)
    return parsed.report(dry_run=False) | {
        "created": [
            {"row": row.number} | item for row, item in zip(parsed.rows, items, strict=True)
        ]
    }
