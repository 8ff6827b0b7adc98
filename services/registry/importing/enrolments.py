"""参评单位名单 of a campaign: which registered unit takes part, in which category.

A row names its unit by 单位名称 (current name, former name or short name) or by
统一社会信用代码. Names are looked up in the campaign's own jurisdiction first, then in its
subtree (as the event store has it, not only as the view does); the dry run applies the
same eligibility rule the enrolment command applies, so a clean dry run means the import
goes through.

A sheet is read in a few queries, not a few per row: its names and codes before its rows
are parsed (`finding.read_ahead`), then the rule judges the units the lookups read, in the
finders' own read cache (`ReadOnce`: a unit the rows resolved to that no lookup read, say
through a claim asked alone, is read with the others in one query); anything else the rule
asks (a parent, a unit enrolled already) is read alone, once per request. When the import
is submitted, the command (`enrol_units`) reads its units again, in one query inside its
own write, and judges them there.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field

from services.registry.application import RegistryApplication
from services.registry.domain import Campaign, enrolment_refusal
from services.registry.domain.campaign_schedule import category_named
from services.registry.domain.campaign_sub_units import sub_unit_category_refusal
from services.registry.domain.campaigns import enrolled_categories
from services.registry.domain.common import STATUS_LABELS
from services.registry.importing.columns import CellError, Column, Issue, issue
from services.registry.importing.ended import ended_unit
from services.registry.importing.finding import ReadOnce, UnitFinder, read_ahead
from services.registry.importing.lookup import is_active
from services.registry.importing.rows import Row, Spec
from services.registry.schemas.common import In
from shared.registry_view import SECURITY_VIEW, RegistryView
from shared.tabular import Sheet
from shared.text_order import PinyinKey, pinyin_key
from shared.types import Line
from shared.views import ViewStore
from shared.web.echo import clip

NAME = "单位名称"
CODE = "统一社会信用代码"
CATEGORY = "类别"
SCOPE = "enrolment"  # enrol_units' Idempotency-Key scope


class EnrolmentRow(In):
    unit_id: UUID
    category: Line = Field(min_length=1, max_length=100)


def enrolment_spec(
    app: RegistryApplication, views: ViewStore, campaign: Campaign, *, replay: bool = False
) -> Spec:
    """Units are found as `finding` says: one registered a moment ago in the campaign's
    jurisdiction, or in any jurisdiction below it, is found by its full name or credit code
    at once, even in a jurisdiction itself registered a moment ago (`_places`)."""
    root = campaign.jurisdiction_id
    places = _places(app, views, root)
    view = RegistryView(views)
    subtree = view.units_within(str(root))
    here = UnitFinder(app, [root], (d for d in subtree if d["jurisdiction_id"] == str(root)))
    # One read cache for both: the subtree's view lists the jurisdiction's own units too.
    below = UnitFinder(app, places, subtree, always_ask_claims=False, reads=here.reads)
    # The eligibility rule judges the units the lookups read a moment ago, not a second copy.
    units = here.reads

    def ahead(texts: dict[str, list[str]]) -> None:
        read_ahead([here, below], texts.get(NAME, []), texts.get(CODE, []))

    def _refuse_ended(text: str) -> None:
        """A unit of the campaign's jurisdictions that bears the text but has ended is named
        as ended: "not found" would send an office looking for a unit it knows exists."""
        ended = ended_unit(text, places, subtree, units)
        if ended is not None:
            word = STATUS_LABELS.get(ended.status, ended.status)
            raise CellError(
                f"单位 {clip(ended.name)!r} {word}, 不能参评 (the unit {clip(ended.name)!r} "
                f"has been {ended.status}: it cannot take part in a campaign)"
            )

    def by_name(text: str) -> UUID:
        found = here.find(text) or below.find(text)
        if found is None:
            _refuse_ended(text)
            raise CellError(
                "未找到该单位 (no active unit of this name in the campaign's jurisdiction)"
            )
        return found.id

    def by_code(text: str) -> UUID:
        # Nearest first, as by name: another county's unit of the same code is not meant,
        # and is never consulted or named (a campaign enrols only units of its jurisdiction).
        found = here.coded(text) or below.coded(text)
        if found is None:
            _refuse_ended(text)
            raise CellError(
                "未找到该信用代码的单位 "
                "(no active unit of the campaign's jurisdiction has this credit code)"
            )
        return found.id

    def category(text: str) -> str:
        found = category_named(campaign.categories, text)
        if found is None:
            allowed = "、".join(campaign.categories)
            raise CellError(
                f"类别不符, 可选: {allowed} (not a category of this campaign: one of the listed)"
            )
        return found

    columns = [
        Column(NAME, "unit_id", parse=by_name, one_of="unit", aliases=("参评单位", "名称")),
        Column(CODE, "unit_id", parse=by_code, one_of="unit", aliases=("信用代码",)),
        Column(
            CATEGORY, "category", required=True, parse=category, aliases=("评议类别", "参评类别")
        ),
    ]
    return Spec(
        columns=columns,
        model=EnrolmentRow,
        checks=lambda rows: _eligibility(app, campaign, rows, replay, units),
        preview=lambda row: _preview(units, row),
        read_ahead=ahead,
    )


def _places(app: RegistryApplication, views: ViewStore, root: UUID) -> list[UUID]:
    """The campaign's jurisdiction and every one below it: the tree the registry's view
    holds, and what the event store has committed since the position the view stood at
    before it was read (the view may lag: a county registered a moment ago)."""
    applied = views.last_position(SECURITY_VIEW.name, app.name)
    listed = (UUID(j) for j in RegistryView(views).subtree(str(root)))
    return app.subtree(root, listed, applied)


def _eligibility(
    app: RegistryApplication, campaign: Campaign, rows: list[Row], replay: bool, units: ReadOnce
) -> list[Issue]:
    """What enrol_units would refuse: a unit twice, already enrolled, not enrollable here
    (judged from the event store, as the command judges it)."""
    located = app.within(campaign.jurisdiction_id)
    if not replay:  # every unit the rule will judge that no lookup read, in one read
        judged = (row.values["unit_id"] for row in rows)
        units.fetch(unit_id for unit_id in judged if not campaign.is_enrolled(unit_id))
    found: list[Issue] = []
    accepted: list[Row] = []
    first: dict[UUID, int] = {}
    for row in rows:
        unit_id: UUID = row.values["unit_id"]
        earlier = first.setdefault(unit_id, row.number)
        if earlier != row.number:
            found.append(
                issue(row.number, NAME, f"与第{earlier}行重复 (same unit as row {earlier})")
            )
            continue
        if replay:
            continue
        if campaign.is_enrolled(unit_id):
            found.append(issue(row.number, NAME, "已参评 (already enrolled in this campaign)"))
            continue
        ends_on = campaign.cycle.get("ends_on")
        refusal = enrolment_refusal(units.unit(unit_id), located, units.unit, ends_on)
        if refusal is not None:
            found.append(issue(row.number, NAME, refusal))
            continue
        accepted.append(row)
    if not found and accepted:
        found += _sub_unit_categories(campaign, accepted, units)
    return found


def _sub_unit_categories(campaign: Campaign, rows: list[Row], units: ReadOnce) -> list[Issue]:
    """What enrol_units would refuse once every row is applied (`campaign_sub_units`)."""
    enrolled = enrolled_categories(campaign)
    enrolled |= {row.values["unit_id"]: row.values["category"] for row in rows}
    batch: list[UUID] = [row.values["unit_id"] for row in rows]
    found = sub_unit_category_refusal(enrolled, batch, units.unit)
    if found is None:
        return []
    index, reason = found
    return [issue(rows[index].number, CATEGORY, reason, rows[index].values["category"])]


def _preview(units: ReadOnce, row: Row) -> dict[str, Any]:
    return {
        "unit_id": str(row.values["unit_id"]),
        "unit_name": units.unit(row.values["unit_id"]).name,
        "category": row.values["category"],
    }


def enrolment_sheet(view: RegistryView, campaign: dict[str, Any], enrolments: list[Any]) -> Sheet:
    """The campaign's enrolled units (withdrawn ones left out), in its category order, each
    category's names in dictionary (pinyin) order as the other exports list them: enrolment
    order is only the order of the sheets that enrolled them, which no reader can look up."""
    enrolled = [enrolment for enrolment in enrolments if enrolment["status"] == "enrolled"]
    units = view.units_by_id(str(enrolment["unit_id"]) for enrolment in enrolled)
    groups: dict[str, int] = {}
    for enrolment in enrolled:
        groups.setdefault(enrolment["category"], len(groups))

    def listed(enrolment: Any) -> tuple[int, PinyinKey, str]:
        name = units.get(str(enrolment["unit_id"]), {}).get("name", "")
        return groups[enrolment["category"]], pinyin_key(name), str(enrolment["unit_id"])

    rows: list[list[str]] = []
    for enrolment in sorted(enrolled, key=listed):
        unit = units.get(str(enrolment["unit_id"]), {})
        if unit and not is_active(unit):
            continue
        rows.append(
            [
                str(len(rows) + 1),
                unit.get("name", ""),
                unit.get("credit_code") or "",
                enrolment["category"],
            ]
        )
    return Sheet(
        title=f"{campaign['name']}参评单位"[:80],
        headers=["序号", NAME, CODE, CATEGORY],
        rows=rows,
    )
