"""Idempotency keys on scoring's commands, as every service honours them
(`shared.idempotency`): a retry with the same key and request answers what the first was
answered; the same key with another request is refused (409 naming `Idempotency-Key`).

A request is its target (the route's path parameters) and its body byte for byte
(`shared.idempotency.BodyFingerprint`): a scheme document may hold numbers no fast encoder
takes, and a retry sends the same bytes. Each route has a scope of its own, so one key may
serve, say, a scheme's registration and its assignment; within a route, the same key on
another campaign or round is another request (409), as in reporting's publications.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from shared.auth import Principal
from shared.idempotency import IdempotencyRecord, Response, run_idempotent

Command = Callable[[], tuple[list[Any], Response]]


def keyed_request(body_fingerprint: str | None, **target: Any) -> dict[str, Any]:
    """What a keyed request is compared by: its target and its body's fingerprint."""
    return {**{name: str(value) for name, value in target.items()}, "body": body_fingerprint}


class Keyed:
    """Needs the eventsourcing `Application` it is mixed into (repository, save)."""

    def _once(
        self,
        caller: Principal,
        scope: str,
        key: str | None,
        request: dict[str, Any] | None,
        command: Command,
    ) -> Response:
        """`command` (the unsaved aggregates, the answer) run at most once per key, its
        aggregates saved with the key's record. Without a key, as before keys were
        honoured: the command runs, and is saved only when it changed something (a stored
        run asked for again, the scheme already in force and a what-if save nothing)."""
        if key is None:
            aggregates, answer = command()
            if aggregates:
                self.save(*aggregates)  # type: ignore[attr-defined]
            return answer
        return run_idempotent(
            self,  # type: ignore[arg-type]
            principal_id=caller.principal_id,
            scope=scope,
            key=key,
            request=request or {},
            command=command,
        )

    def _key_used(self, caller: Principal, scope: str, key: str | None) -> bool:
        """Whether this key has a record in `scope` already: then `_once` replays it (or
        refuses another request), and nothing need be computed for it."""
        if key is None:
            return False
        record_id = IdempotencyRecord.create_id(caller.principal_id, scope, key)
        try:
            self.repository.get(record_id)  # type: ignore[attr-defined]
        except AggregateNotFoundError:
            return False
        return True
