"""What every registry command mixin can rely on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.registry.domain.common import no_such
from services.registry.domain.errors import InvalidRegistration
from shared.errors import NotFoundError, PingyiError
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal as Caller
from shared.service.application import PublishingApplication

A = TypeVar("A")

ATTEMPTS = 3
"""Runs of a command whose save clashed with another request's (see `idempotent`)."""

Command = Callable[[], tuple[list[Any], Response]]
"""What a registry command runs: the unsaved aggregates it changed, and its answer."""


class RegistryBase(PublishingApplication):
    name = "registry"

    def load(self, aggregate_id: UUID, kind: type[A], error: type[NotFoundError], field: str) -> A:
        """The aggregate of the given kind, or the given not-found error naming `field`."""
        try:
            found: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise error(no_such(kind.__name__.lower()), field=field) from None
        if not isinstance(found, kind):
            raise error(no_such(kind.__name__.lower()), field=field)
        return found

    def idempotent(
        self, caller: Caller, scope: str, key: str | None, request: Any, command: Command
    ) -> Response:
        """Every registry write runs through here: at most once per Idempotency-Key (a
        retry with the same key and request gets the first answer; another request under
        the key is a 409 naming `Idempotency-Key`). `command` loads what it changes and
        checks every rule itself, so a retry answered from the record runs none of it.

        A clash on save means another request changed an aggregate or claimed a name
        between this command's reads and its save: running it again reads what that
        request saved, so the caller gets the answer it would have had one request after
        the other (a `duplicate_unit_name` naming the winner, say), not a bare
        `concurrent_change`."""
        attempt = 1
        while True:
            try:
                return run_idempotent(
                    self,
                    principal_id=caller.principal_id,
                    scope=scope,
                    key=key,
                    request=request,
                    command=command,
                )
            except IntegrityError:
                if attempt == ATTEMPTS:
                    raise
                attempt += 1


def as_uuid(value: object, field: str, error: type[PingyiError] = InvalidRegistration) -> UUID:
    """An id from a request or an import row, or `error` naming the field."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise error("不是有效的编号 (not a valid id)", field=field) from None
