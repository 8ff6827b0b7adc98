"""Which units the read model lists under a name in a jurisdiction: how the unit-name rule
finds units registered before name claims existed (`application.unit_names`)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from services.registry.domain.unit_names import name_key
from shared.contracts.registry import ACTIVE, search_key, unit_status
from shared.registry_view import UNITS
from shared.views import ViewStore


def units_listed_in(views: ViewStore) -> Callable[[UUID, str], list[UUID]]:
    def listed(jurisdiction_id: UUID, name: str) -> list[UUID]:
        # The search text narrows the jurisdiction's units in SQL to those with a name
        # containing this one (search_key folds more than name_key, never less); the exact
        # comparison, on the current name, is the import's.
        wanted = name_key(name)
        found: list[UUID] = []
        where = {"jurisdiction_id": str(jurisdiction_id)}
        for page in views.pages(UNITS, where=where, contains=search_key(name)):
            found += [
                UUID(doc["unit_id"])
                for doc in page
                if unit_status(doc.get("status")) == ACTIVE and name_key(doc["name"]) == wanted
            ]
        return found

    return listed
