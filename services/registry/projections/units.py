"""The dated history of every unit, for "as of a date" queries and GET /units/{id}/history.

One document per unit in the `unit_history` collection: its entries in the order they were
recorded, each with the day it took effect, what changed, who and why, and the whole unit
document as it stood from then on (`state`). The domain refuses a change dated before a
unit's last one, so entries are also in effective-date order, and the unit as of day D is
the `state` of its last entry dated on or before D (absent if none: not yet registered).

Each document also says whether the unit's 生效日期 was stated (`effective_on_stated`), as far
as the messages tell (`_stated_on_registration`): None where they cannot, and a reader that
needs to know asks the unit (the export does, for those rows only).

A corrected 生效日期 (UnitEffectiveDateCorrected) is a correction of the record, not a change:
its entry (`effective_date_corrected`, dated the new day, naming the previous one) shows who
corrected it and why, but as-of queries skip it; the registration entry moves to the new
day, and every state the unit had says it exists from then (`registered_on`).

Cost: a list "as of" a day cannot be filtered or ordered in SQL (what was in scope, and under
which name, on a day is not an index of today's rows), so `page_as_of` reads every history
document in chunks of `AS_OF_CHUNK` (one query each, no per-unit queries; past one chunk, all
in one snapshot, so a page is computed from one state) and keeps only the one page it
answers in memory. The current registry is paged in SQL from the shared `units`
documents.

The handlers wrap the shared registry-view handlers (one handler per event type in an
inbox), so the current unit documents and their history are written in one transaction.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from shared.contracts import IntegrationMessage
from shared.contracts.registry import (
    UnitDissolved,
    UnitEffectiveDateCorrected,
    UnitMoved,
    UnitRegistered,
    UnitRenamed,
    UnitsMerged,
    UnitSplit,
    china_date,
)
from shared.messaging.inbox import ViewHandler
from shared.registry_view import UNITS
from shared.text_order import pinyin_sort_text
from shared.views import Document, ViewReader, ViewTransaction

UNIT_HISTORY = "unit_history"
STATED = "effective_on_stated"
CORRECTED = "effective_date_corrected"
AS_OF_CHUNK = 500

# What each fact changed, per unit it touched: (unit_id, change, details).
Touched = list[tuple[str, str, dict[str, Any]]]


def _registered(p: UnitRegistered) -> Touched:
    return [(str(p.unit_id), "registered", {})]


def _renamed(p: UnitRenamed) -> Touched:
    details = {"old_name": p.old_name, "new_name": p.new_name}
    return [(str(p.unit_id), "renamed", details)]


def _moved(p: UnitMoved) -> Touched:
    details = {
        "from_jurisdiction_id": str(p.from_jurisdiction_id),
        "to_jurisdiction_id": str(p.to_jurisdiction_id),
    }
    return [(str(p.unit_id), "moved", details)]


def _dissolved(p: UnitDissolved) -> Touched:
    return [(str(p.unit_id), "dissolved", {})]


def _merged(p: UnitsMerged) -> Touched:
    sources = [str(u) for u in p.source_unit_ids]
    new = str(p.new_unit_id)
    touched: Touched = [(new, "formed_by_merger", {"source_unit_ids": sources})]
    return touched + [(s, "merged_into", {"merged_into": new}) for s in sources]


def _split(p: UnitSplit) -> Touched:
    source, new = str(p.source_unit_id), [str(u) for u in p.new_unit_ids]
    touched: Touched = [(source, "split", {"new_unit_ids": new})]
    return touched + [(u, "formed_by_split", {"source_unit_id": source}) for u in new]


def _corrected(p: UnitEffectiveDateCorrected) -> Touched:
    details = {
        "previous_effective_on": p.previous_effective_on.isoformat(),
        "effective_on": p.effective_on.isoformat(),
    }
    return [(str(p.unit_id), CORRECTED, details)]


def _redate(tx: ViewTransaction, p: UnitEffectiveDateCorrected, m: IntegrationMessage) -> None:
    """Runs before the correction's own entry is added: the registration now holds from the
    new day, and so does every state recorded since (each says when the unit exists from)."""
    doc = tx.get(UNIT_HISTORY, str(p.unit_id))
    if doc is None:
        return
    day = p.effective_on.isoformat()
    since = {"registered_on": day, "effective_on": day}
    entries = []
    for entry in doc["entries"]:
        state = entry["state"] | since
        if entry["change"] == "registered":
            state |= {"last_change_on": day}
            entry = entry | {"effective_on": day}
        entries.append(entry | {"state": state})
    tx.put(UNIT_HISTORY, str(p.unit_id), doc | {"entries": entries})


def _with_history(touched: Callable[[Any], Touched]) -> ViewHandler:
    """Runs after the shared copy's own handler (see combine_handlers), so `state` is current."""

    def handle(tx: ViewTransaction, p: Any, m: IntegrationMessage) -> None:
        for unit_id, change, details in touched(p):
            state = tx.get(UNITS, unit_id)
            if state is None:
                continue  # a unit this copy never saw registered
            entry = {
                "effective_on": _effective_on(p, state),
                "recorded_at": m.occurred_at.isoformat(),
                "position": m.position,
                "change": change,
                "reason": getattr(p, "reason", None),
                "actor": getattr(p, "actor", None),
                "details": details,
                "state": state,
            }
            doc = tx.get(UNIT_HISTORY, unit_id) or {"unit_id": unit_id, "entries": []}
            tx.put(UNIT_HISTORY, unit_id, doc | {"entries": [*doc["entries"], entry]})

    return handle


def _corrected_history(
    tx: ViewTransaction, p: UnitEffectiveDateCorrected, m: IntegrationMessage
) -> None:
    _redate(tx, p, m)
    _with_history(_corrected)(tx, p, m)


def _effective_on(p: Any, state: Document) -> str:
    effective = getattr(p, "effective_on", None)
    # A registration without a date holds from the day it was recorded (see registry_view).
    return effective.isoformat() if isinstance(effective, date) else str(state["registered_on"])


def _stated_on_registration(p: UnitRegistered, m: IntegrationMessage) -> bool | None:
    """Whether the unit's 生效日期 was stated, by the rule `Unit.Registered.upcast_v4_v5`
    applies to events stored before v5: no day published is unstated, a day other than the
    day of entry was stated. The day of entry itself cannot be told: a message saved before
    v5 published it for a unit registered without a day, a later one only for a day an
    office stated (both schema v2), so it is None and the unit is asked."""
    if p.effective_on is None:
        return False
    return True if p.effective_on != china_date(m.occurred_at) else None


Stated = Callable[[Any, IntegrationMessage], list[tuple[str, bool | None]]]
"""The units a message says something of whether their 生效日期 was stated, and what."""


def _stating(handler: ViewHandler, stated: Stated) -> ViewHandler:
    """`handler`, then the stated flag of each unit whose history it touched."""

    def handle(tx: ViewTransaction, p: Any, m: IntegrationMessage) -> None:
        handler(tx, p, m)
        for unit_id, flag in stated(p, m):
            doc = tx.get(UNIT_HISTORY, unit_id)
            if doc is not None:
                tx.put(UNIT_HISTORY, unit_id, doc | {STATED: flag})

    return handle


HANDLERS: dict[Any, ViewHandler] = {
    UnitRegistered: _stating(
        _with_history(_registered),
        lambda p, m: [(str(p.unit_id), _stated_on_registration(p, m))],
    ),
    UnitRenamed: _with_history(_renamed),
    UnitMoved: _with_history(_moved),
    UnitDissolved: _with_history(_dissolved),
    # A merger's or split's day is when the units it formed began (FormedByMerger, …).
    UnitsMerged: _stating(_with_history(_merged), lambda p, m: [(str(p.new_unit_id), True)]),
    UnitSplit: _stating(
        _with_history(_split), lambda p, m: [(str(u), True) for u in p.new_unit_ids]
    ),
    UnitEffectiveDateCorrected: _stating(_corrected_history, lambda p, m: [(str(p.unit_id), True)]),
}


def state_as_of(doc: Document, day: date) -> Document | None:
    """The unit as it stood on `day`, or None if it was not registered yet."""
    found: Document | None = None
    key = day.isoformat()
    for entry in doc["entries"]:
        # ISO dates compare as strings; a correction is dated but changed nothing that day.
        if entry["change"] != CORRECTED and entry["effective_on"] <= key:
            found = entry["state"]
    return found


class UnitHistoryView:
    """Read access to the registry's unit history documents."""

    def __init__(self, views: ViewReader) -> None:
        self._views = views

    def history(self, unit_id: str) -> Document | None:
        return self._views.get(UNIT_HISTORY, unit_id)

    def stated(self, unit_ids: Iterable[str]) -> dict[str, bool | None]:
        """Whether each unit's 生效日期 was stated, in one query: None where the messages
        cannot tell (`_stated_on_registration`), and units without history left out."""
        found = self._views.get_many(UNIT_HISTORY, unit_ids)
        return {unit_id: doc.get(STATED) for unit_id, doc in found.items()}

    def unit_as_of(self, unit_id: str, day: date) -> Document | None:
        doc = self.history(unit_id)
        return None if doc is None else state_as_of(doc, day)

    def page_as_of(
        self,
        day: date,
        accept: Callable[[Document], bool],
        after: tuple[str, str] | None,
        limit: int,
    ) -> tuple[list[Document], bool]:
        """One page of the units as they stood on `day` that `accept` keeps, by name in
        dictionary (pinyin) order as the current list, then id, after `after` (a cursor of
        that sort text and the id), and whether more follow. Reads every history document (in
        chunks) but holds no more than one page of units."""
        candidates = (
            ((pinyin_sort_text(state["name"]), state["unit_id"]), state)
            for state in self._states_as_of(day)
            if accept(state)
        )
        candidates = (c for c in candidates if after is None or c[0] > after)
        smallest = heapq.nsmallest(limit + 1, candidates, key=lambda item: item[0])
        return [state for _, state in smallest[:limit]], len(smallest) > limit

    def _states_as_of(self, day: date) -> Iterator[Document]:
        for doc in self._histories():
            state = state_as_of(doc, day)
            if state is not None:
                yield state

    def _histories(self) -> Iterator[Document]:
        """Every history document, as one state of the view (as `everything` reads, but a
        chunk at a time, not all held at once): chunks read apart see a consumer's commit
        between them, and a unit registered meanwhile (its history keyed before the cursor)
        would be missing while one keyed after it is listed. One chunk is one query; a
        longer history is read again, whole, in a snapshot."""
        first = self._views.page(UNIT_HISTORY, limit=AS_OF_CHUNK)
        if first.next_cursor is None:
            yield from first.items
            return
        with self._views.snapshot() as views:
            for chunk in views.pages(UNIT_HISTORY, limit=AS_OF_CHUNK):
                yield from chunk
