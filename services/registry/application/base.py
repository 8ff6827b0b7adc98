"""What every registry command mixin can rely on."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.registry.domain.errors import InvalidRegistration
from shared.errors import NotFoundError, PingyiError
from shared.service.application import PublishingApplication

A = TypeVar("A")


class RegistryBase(PublishingApplication):
    name = "registry"

    def load(self, aggregate_id: UUID, kind: type[A], error: type[NotFoundError], field: str) -> A:
        """The aggregate of the given kind, or the given not-found error naming `field`."""
        try:
            found: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise error(f"no such {kind.__name__.lower()}", field=field) from None
        if not isinstance(found, kind):
            raise error(f"no such {kind.__name__.lower()}", field=field)
        return found


def as_uuid(value: object, field: str, error: type[PingyiError] = InvalidRegistration) -> UUID:
    """An id from a request or an import row, or `error` naming the field."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise error("not a valid id", field=field) from None
