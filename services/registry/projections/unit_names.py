"""Which units the read model lists under a name (or a credit code) in a jurisdiction: how
the unit-name and credit-code rules find units registered before claims existed
(`application.unit_names`).

One request asks for every name and code it registers (an import, thousands), so the
lookups must not each walk the jurisdiction: the first name a request looks up in a
jurisdiction is one query narrowed by the search text (a single registration or rename
reads no more than that); from the second on, and for any code (codes are not in the search
text), the jurisdiction's active units are read once, a page at a time, and every later
lookup is answered from that index. Both answer the same units in the same order (the
collection's order): those active, with the same `name_key` (or canonical code).

Holding one read for the whole request (and for the reruns of a command whose save clashed)
is safe for what it is used for: a unit found only through the read model is one that has
borne its name since before claims existed, and such units only ever give their names up;
anything that took a name or code since holds a claim, which the command reads itself, and
each unit listed is judged by its own events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from services.registry.application.unit_names import ListedUnits
from services.registry.domain.credit_code import canonical_credit_code
from services.registry.domain.unit_names import code_of_key, name_key
from shared.contracts.registry import ACTIVE, search_key, unit_status
from shared.registry_view import UNITS
from shared.views import ViewReader


class _Listing:
    """One jurisdiction's active units by `name_key` and by canonical credit code, each list
    in the collection's order."""

    def __init__(self, docs: Iterable[dict[str, Any]]) -> None:
        self.by_name: dict[str, list[UUID]] = {}
        self.by_code: dict[str, list[UUID]] = {}
        for doc in docs:
            if unit_status(doc.get("status")) != ACTIVE:
                continue
            unit_id = UUID(doc["unit_id"])
            self.by_name.setdefault(name_key(doc["name"]), []).append(unit_id)
            if doc.get("credit_code"):
                key = canonical_credit_code(doc["credit_code"])
                self.by_code.setdefault(key, []).append(unit_id)


def units_listed_in(views: ViewReader) -> ListedUnits:
    """The lookups of one request (a new one per request: see the module's docstring)."""
    narrowed: set[str] = set()
    listings: dict[str, _Listing] = {}

    def listing(jurisdiction_id: str) -> _Listing:
        if jurisdiction_id not in listings:
            where = {"jurisdiction_id": jurisdiction_id}
            # One state: a unit renamed between two pages moves in the name order, and
            # would be missed (its name free to take twice) or read twice.
            listings[jurisdiction_id] = _Listing(views.everything(UNITS, where=where))
        return listings[jurisdiction_id]

    def named(jurisdiction_id: str, name: str) -> list[UUID]:
        # The search text narrows the jurisdiction's units in SQL to those with a name
        # containing this one (search_key is name_key case-folded: it folds more, never
        # less); the exact comparison, on the current name, is ours.
        wanted = name_key(name)
        found: list[UUID] = []
        where = {"jurisdiction_id": jurisdiction_id}
        for doc in views.everything(UNITS, where=where, contains=search_key(name)):
            if unit_status(doc.get("status")) == ACTIVE and name_key(doc["name"]) == wanted:
                found.append(UUID(doc["unit_id"]))
        return found

    def listed(jurisdiction_id: UUID, name: str) -> list[UUID]:
        place = str(jurisdiction_id)
        code = code_of_key(name)
        if code is not None:
            return list(listing(place).by_code.get(code, []))
        if place not in listings and place not in narrowed:
            narrowed.add(place)
            return named(place, name)
        return list(listing(place).by_name.get(name_key(name), []))

    return listed
