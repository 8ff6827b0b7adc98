"""Finding registered units by what a spreadsheet calls them: a name (or former name, or
short name) or a unified social credit code, compared without width or spacing differences."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from services.registry.domain.credit_code import canonical_credit_code
from services.registry.domain.unit_names import name_key
from services.registry.importing.columns import CellError
from shared.contracts.registry import ACTIVE, unit_status
from shared.web.echo import clip

# Re-exported: the import compares names by the rule registration enforces.
__all__ = ["UnitIndex", "is_active", "name_key", "units_in"]

_CREDIT_CODE_SHAPE = re.compile(r"^[0-9A-Z]{18}$")


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

    def coded(self, code: str) -> dict[str, Any] | None:
        """The one unit with this code; None if there is none; CellError if several have it."""
        found = self.all_coded(code)
        if len(found) > 1:
            names = "、".join(clip(doc["name"]) for doc in found[:3])
            raise CellError(
                f"信用代码不唯一, {len(found)} 个已登记单位使用该代码 ({names}), 请填写单位名称 "
                f"({len(found)} registered units have this credit code; "
                "give the unit's name instead)"
            )
        return found[0] if found else None

    def find(self, text: str) -> dict[str, Any] | None:
        """The one unit meant by `text`; None if there is none; CellError if it is ambiguous."""
        if _CREDIT_CODE_SHAPE.match(canonical_credit_code(text)):
            coded = self.coded(text)
            if coded is not None:
                return coded
        found = {doc["unit_id"]: doc for doc in self.named(text)}
        if len(found) > 1:
            raise CellError(
                f"名称不唯一, {len(found)} 个已登记单位名为 {clip(text)!r}, 请填写统一社会信用代码 "
                f"({len(found)} registered units are called {clip(text)!r}; "
                "give the unified social credit code instead)"
            )
        return next(iter(found.values()), None)


def units_in(units: Iterable[dict[str, Any]], jurisdiction_ids: Iterable[str]) -> list[UnitIndex]:
    """One index per jurisdiction, in the order given (nearest first)."""
    by_jurisdiction: dict[str, list[dict[str, Any]]] = {}
    for doc in units:
        by_jurisdiction.setdefault(doc["jurisdiction_id"], []).append(doc)
    return [UnitIndex(by_jurisdiction.get(j, [])) for j in jurisdiction_ids]
