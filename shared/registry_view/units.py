"""Unit documents of the registry copy: how each published unit fact folds into them (see
the package's docstring for what a document holds). The rules are the registry's, in
`shared.contracts.registry`."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.contracts import IntegrationMessage
from shared.contracts.registry import (
    ACTIVE,
    DISSOLVED,
    MERGED,
    SPLIT,
    UnitDissolved,
    UnitEffectiveDateCorrected,
    UnitMoved,
    UnitRegistered,
    UnitRenamed,
    UnitsMerged,
    UnitSplit,
    aliases_after,
    last_change_after_correction,
    registered_on,
    unit_search_text,
    unit_status,
)
from shared.messaging.inbox import ViewHandler
from shared.views import ViewTransaction

UNITS = "units"


def kind_status(kind: str, status: str) -> str:
    """One index value for two filters, so units filter on kind, category, status, parent
    and jurisdiction in SQL within the four index slots: a filter on one of the two is
    membership in its combinations with every value of the other."""
    return f"{kind}/{status}"


def _put_unit(tx: ViewTransaction, doc: dict[str, Any]) -> None:
    listing = {
        "kind_status": kind_status(doc["kind"], unit_status(doc.get("status"))),
        "search": unit_search_text(doc["name"], doc.get("short_name"), doc.get("aliases") or []),
    }
    tx.put(UNITS, doc["unit_id"], doc | listing)


def _unit(tx: ViewTransaction, p: UnitRegistered, m: IntegrationMessage) -> None:
    since = registered_on(p.effective_on, m.occurred_at).isoformat()
    doc = p.model_dump(mode="json") | {
        "status": ACTIVE,
        "aliases": [],
        "merged_into": None,
        "split_into": [],
        "predecessor_ids": [],
        "registered_on": since,
        "last_change_on": since,
    }
    _put_unit(tx, doc)


def _change_unit(tx: ViewTransaction, unit_id: Any, effective_on: date, **changes: Any) -> None:
    doc = tx.get(UNITS, str(unit_id))
    if doc is None:
        return  # registered before this copy started listening; nothing to correct
    day = effective_on.isoformat()
    dated = {"last_change_on": day, "first_change_on": doc.get("first_change_on") or day}
    _put_unit(tx, doc | changes | dated)


def _renamed(tx: ViewTransaction, p: UnitRenamed, m: IntegrationMessage) -> None:
    doc = tx.get(UNITS, str(p.unit_id))
    if doc is None:
        return
    aliases = aliases_after(
        doc.get("aliases") or [], (p.old_name, p.old_short_name), p.new_name, p.new_short_name
    )
    _change_unit(
        tx,
        p.unit_id,
        p.effective_on,
        name=p.new_name,
        short_name=p.new_short_name,
        aliases=aliases,
    )


def _merged(tx: ViewTransaction, p: UnitsMerged, m: IntegrationMessage) -> None:
    sources = [str(u) for u in p.source_unit_ids]
    for source in sources:
        _change_unit(tx, source, p.effective_on, status=MERGED, merged_into=str(p.new_unit_id))
    _change_unit(tx, p.new_unit_id, p.effective_on, predecessor_ids=sources)


def _split(tx: ViewTransaction, p: UnitSplit, m: IntegrationMessage) -> None:
    new_units = [str(u) for u in p.new_unit_ids]
    _change_unit(tx, p.source_unit_id, p.effective_on, status=SPLIT, split_into=new_units)
    for unit_id in new_units:
        _change_unit(tx, unit_id, p.effective_on, predecessor_ids=[str(p.source_unit_id)])


def _moved(tx: ViewTransaction, p: UnitMoved, m: IntegrationMessage) -> None:
    _change_unit(tx, p.unit_id, p.effective_on, jurisdiction_id=str(p.to_jurisdiction_id))


def _dissolved(tx: ViewTransaction, p: UnitDissolved, m: IntegrationMessage) -> None:
    _change_unit(tx, p.unit_id, p.effective_on, status=DISSOLVED)


def _effective_date(
    tx: ViewTransaction, p: UnitEffectiveDateCorrected, m: IntegrationMessage
) -> None:
    doc = tx.get(UNITS, str(p.unit_id))
    if doc is None:
        return
    first = doc.get("first_change_on")
    last = last_change_after_correction(
        date.fromisoformat(doc["last_change_on"]),
        None if first is None else date.fromisoformat(first),
        p.effective_on,
    )
    day = p.effective_on.isoformat()
    _put_unit(
        tx, doc | {"effective_on": day, "registered_on": day, "last_change_on": last.isoformat()}
    )


UNIT_HANDLERS: dict[Any, ViewHandler] = {
    UnitRegistered: _unit,
    UnitRenamed: _renamed,
    UnitsMerged: _merged,
    UnitSplit: _split,
    UnitMoved: _moved,
    UnitDissolved: _dissolved,
    UnitEffectiveDateCorrected: _effective_date,
}
