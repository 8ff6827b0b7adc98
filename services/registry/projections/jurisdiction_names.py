"""Which jurisdictions the read model lists under a parent: how the jurisdiction-name rule
finds children registered before names were claimed (`application.jurisdictions`)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from shared.registry_view import JURISDICTIONS
from shared.views import ViewReader


def children_listed_in(views: ViewReader) -> Callable[[UUID], list[tuple[UUID, str]]]:
    def listed(parent_id: UUID) -> list[tuple[UUID, str]]:
        where = {"parent_id": str(parent_id)}
        # One state: a child renamed between two pages would move in the name order.
        return [
            (UUID(doc["jurisdiction_id"]), str(doc["name"]))
            for doc in views.everything(JURISDICTIONS, where=where)
        ]

    return listed
