"""Which units the read model lists under a name (or a credit code) in a jurisdiction: how
the unit-name and credit-code rules find units registered before claims existed
(`application.unit_names`)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from services.registry.domain.credit_code import canonical_credit_code
from services.registry.domain.unit_names import code_of_key, name_key
from shared.contracts.registry import ACTIVE, search_key, unit_status
from shared.registry_view import UNITS
from shared.views import ViewStore


def units_listed_in(views: ViewStore) -> Callable[[UUID, str], list[UUID]]:
    # One request's lookups of codes, by jurisdiction: the code is not indexed, so each
    # jurisdiction's active units are read once per request (a batch of thousands asks
    # for each of its codes), not once per code.
    coded: dict[str, dict[str, list[UUID]]] = {}

    def by_code(jurisdiction_id: str, code: str) -> list[UUID]:
        if jurisdiction_id not in coded:
            found: dict[str, list[UUID]] = {}
            for page in views.pages(UNITS, where={"jurisdiction_id": jurisdiction_id}):
                for doc in page:
                    if unit_status(doc.get("status")) == ACTIVE and doc.get("credit_code"):
                        key = canonical_credit_code(doc["credit_code"])
                        found.setdefault(key, []).append(UUID(doc["unit_id"]))
            coded[jurisdiction_id] = found
        return list(coded[jurisdiction_id].get(code, []))

    def listed(jurisdiction_id: UUID, name: str) -> list[UUID]:
        code = code_of_key(name)
        if code is not None:
            return by_code(str(jurisdiction_id), code)
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
