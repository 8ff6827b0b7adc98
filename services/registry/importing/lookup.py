"""What the registry's view lists a unit under: any name it is known by (current, former or
short) or its unified social credit code, compared without width or spacing differences.
`finding` asks it for the units a view knows under a cell's text, then judges each; a unit
import's duplicate check asks it for every row (see `units._Holders`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.registry.domain.credit_code import canonical_credit_code
from services.registry.domain.unit_names import name_key
from shared.contracts.registry import ACTIVE, unit_status

# Re-exported: the import compares names by the rule registration enforces.
__all__ = ["UnitIndex", "is_active", "name_key"]


def is_active(doc: dict[str, Any]) -> bool:
    return unit_status(doc.get("status")) == ACTIVE


class UnitIndex:
    """Active units, searchable by any name they are known by or by credit code."""

    def __init__(self, docs: Iterable[dict[str, Any]]) -> None:
        self._by_name: dict[str, list[dict[str, Any]]] = {}
        self._by_current_name: dict[str, list[dict[str, Any]]] = {}
        # Codes are unique within a jurisdiction, not across (two counties may each
        # register one body), so a code may name several units.
        self._by_code: dict[str, list[dict[str, Any]]] = {}
        for doc in docs:
            if not is_active(doc):
                continue
            self._by_current_name.setdefault(name_key(doc["name"]), []).append(doc)
            names = {doc["name"], doc.get("short_name"), *(doc.get("aliases") or [])}
            for name in names:
                if name:
                    self._by_name.setdefault(name_key(name), []).append(doc)
            if doc.get("credit_code"):
                self._by_code.setdefault(doc["credit_code"], []).append(doc)

    def named(self, name: str) -> list[dict[str, Any]]:
        return list(self._by_name.get(name_key(name), []))

    def currently_named(self, name: str) -> list[dict[str, Any]]:
        return list(self._by_current_name.get(name_key(name), []))

    def all_coded(self, code: str) -> list[dict[str, Any]]:
        return list(self._by_code.get(canonical_credit_code(code), []))
