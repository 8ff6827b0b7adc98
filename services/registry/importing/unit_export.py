"""参评单位 export: the jurisdiction's active units in the columns a unit import reads
(`units.unit_columns`), so the file imports back as it was."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from services.registry.domain import UNIT_KIND_LABELS
from services.registry.importing.units import unit_columns
from shared.registry_view import UNITS, RegistryView
from shared.tabular import Sheet
from shared.text_order import pinyin_key
from shared.views import ViewReader


def unit_sheet(
    views: ViewReader,
    jurisdiction_id: UUID,
    stated: Callable[[list[str]], Mapping[str, bool]] | None = None,
) -> Sheet:
    """The jurisdiction's active units, in the columns an import accepts, by category and
    then name, each in dictionary (pinyin) order as a Chinese reader looks them up.

    `stated(unit_ids)`: whether each unit's 生效日期 was stated, asked once for the whole
    sheet; one never stated is written blank so that importing the sheet leaves it unstated
    again (a blank reads as "not stated"), not a stated day that was only the day the unit
    was entered."""
    # One state of the view for the whole sheet: a parent renamed mid-export is named as the
    # rows saw it.
    with views.snapshot() as snap:
        return _sheet(snap, jurisdiction_id, stated)


def _sheet(
    views: ViewReader,
    jurisdiction_id: UUID,
    stated: Callable[[list[str]], Mapping[str, bool]] | None,
) -> Sheet:
    view = RegistryView(views)
    docs = view.units_in(str(jurisdiction_id), active_only=True)
    docs.sort(key=lambda d: (pinyin_key(d["category"]), pinyin_key(d["name"]), d["unit_id"]))
    columns = unit_columns(lambda text: text)
    said = None if stated is None else stated([str(doc["unit_id"]) for doc in docs])
    # Every parent's name in one read, not one per row.
    parents = views.get_many(UNITS, {str(d["parent_id"]) for d in docs if d.get("parent_id")})
    rows = [
        [str(number), *(_cell(parents, doc, column.field, said) for column in columns)]
        for number, doc in enumerate(docs, start=1)
    ]
    jurisdiction = view.jurisdiction(str(jurisdiction_id)) or {}
    return Sheet(
        title=f"{jurisdiction.get('name', '')}参评单位",
        headers=["序号", *(column.header for column in columns)],
        rows=rows,
    )


def _cell(
    parents: Mapping[str, dict[str, Any]],
    doc: dict[str, Any],
    field: str,
    stated: Mapping[str, bool] | None,
) -> str:
    if field == "effective_on" and stated is not None:
        # The day the unit exists from, corrections included, where one was stated.
        return str(doc["registered_on"]) if stated.get(str(doc["unit_id"])) else ""
    value = doc.get(field)
    if value is None:
        return ""
    if field == "kind":
        return UNIT_KIND_LABELS.get(value, str(value))
    if field == "parent_id":
        parent = parents.get(str(value))
        return str(parent["name"]) if parent else ""
    return str(value)
