"""Which jurisdictions the read model lists under a parent: how the jurisdiction-name rule
finds children registered before names were claimed (`application.jurisdictions`)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from shared.registry_view import JURISDICTIONS
from shared.views import ViewStore


def children_listed_in(views: ViewStore) -> Callable[[UUID], list[tuple[UUID, str]]]:
    def listed(parent_id: UUID) -> list[tuple[UUID, str]]:
        where = {"parent_id": str(parent_id)}
        return [
            (UUID(doc["jurisdiction_id"]), str(doc["name"]))
            for page in views.pages(JURISDICTIONS, where=where)
            for doc in page
        ]

    return listed
