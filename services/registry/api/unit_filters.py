"""The filters of `GET /units` (`UnitFilter`): as SQL conditions on the units view today, or
as a test of one unit document as of a past day (`page_as_of`, one page in memory)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

from services.registry.domain import UnitKind
from services.registry.projections.units import UnitHistoryView
from shared.contracts.registry import UNIT_STATUSES, search_key, unit_search_text, unit_status
from shared.registry_view import kind_status
from shared.text_order import pinyin_sort_text
from shared.views.base import encode_cursor
from shared.web.pagination import Paging, cursor_position


@dataclass(frozen=True)
class UnitFilter:
    """The filters of GET /units, as SQL conditions (today) or a test of one unit document
    (as of a past day). `categories`: every stored spelling of the wanted category."""

    scope: Mapping[str, str | set[str] | None]
    parent_id: str | None
    categories: set[str] | None
    kind: str | None
    status: str | None
    q: str | None

    def kind_statuses(self) -> str | set[str] | None:
        if self.kind is not None and self.status is not None:
            return kind_status(self.kind, self.status)
        if self.kind is not None:
            return {kind_status(self.kind, s) for s in UNIT_STATUSES}
        if self.status is not None:
            return {kind_status(k, self.status) for k in get_args(UnitKind)}
        return None

    def where(self) -> dict[str, str | set[str] | None]:
        return {
            **self.scope,
            "parent_id": self.parent_id,
            "category": self.categories,
            "kind_status": self.kind_statuses(),
        }

    def needle(self) -> str | None:
        return None if self.q is None else search_key(self.q)

    def accepts(self, doc: dict[str, Any]) -> bool:
        listing = kind_status(doc["kind"], unit_status(doc.get("status")))
        fields = {**doc, "kind_status": listing}
        for field, wanted in self.where().items():
            if wanted is None:
                continue
            allowed = {wanted} if isinstance(wanted, str) else wanted
            if fields.get(field) not in allowed:
                return False
        needle = self.needle()
        names = unit_search_text(doc["name"], doc.get("short_name"), doc.get("aliases") or [])
        return needle is None or needle in names


def page_as_of(
    history: UnitHistoryView, day: date, wanted: UnitFilter, page: Paging
) -> list[dict[str, Any]]:
    after = None if page.cursor is None else cursor_position(page.cursor)
    items, more = history.page_as_of(day, wanted.accepts, after, page.limit)
    last = items[-1] if more else None
    return page.send(
        items,
        None if last is None else encode_cursor(pinyin_sort_text(last["name"]), last["unit_id"]),
    )
