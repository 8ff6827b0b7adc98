"""Every spelling a unit category has been registered under, by its `name_key`.

Categories are free text on each unit, recorded as written, so "公共服务行业" and
"公共服务 行业" (or 全角 forms) may both be stored while campaigns treat them as one category
(`category_named`). The unit list filters in SQL on the stored text, so a filter first looks
up here which spellings share the caller's key and asks for any of them. A category enters
the registry only with a unit's registration (merger and split successors are registered
too), and spellings are never dropped, so units "as of" any day are covered as well.
"""

from __future__ import annotations

from typing import Any

from services.registry.domain.unit_names import name_key
from shared.contracts import IntegrationMessage
from shared.contracts.registry import UnitRegistered
from shared.messaging.inbox import ViewHandler
from shared.views import ViewReader, ViewTransaction

UNIT_CATEGORIES = "unit_categories"


def _registered(tx: ViewTransaction, p: UnitRegistered, m: IntegrationMessage) -> None:
    key = name_key(p.category)
    doc = tx.get(UNIT_CATEGORIES, key) or {"key": key, "spellings": []}
    if p.category not in doc["spellings"]:
        tx.put(UNIT_CATEGORIES, key, doc | {"spellings": [*doc["spellings"], p.category]})


HANDLERS: dict[Any, ViewHandler] = {UnitRegistered: _registered}


def category_spellings(views: ViewReader, category: str) -> set[str]:
    """The stored spellings of the category `category` names (none if no unit has it)."""
    doc = views.get(UNIT_CATEGORIES, name_key(category))
    return set() if doc is None else set(doc["spellings"])
