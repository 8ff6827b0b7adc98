"""What a wave's sheet has: its columns (the slots the parser fills), how headers are
compared, and the empty template an agency fills."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from shared.tabular import Sheet, to_csv, to_xlsx

SEPARATOR = "|"
OPINION_HEADER = "意见建议"
RECOMMENDATION_HEADER = "推荐重点评议对象"
DISTRICT_HEADER = "区县"
PANEL_HEADER = "评议代表"
TEMPLATE_TITLE = "问卷录入"

SlotKind = Literal[
    "questionnaire_id",
    "collected_at",
    "survey_point",
    "channel",
    "group",
    "device",
    "district",
    "respondent",
    "rating",
    "dimension",
    "opinion",
    "recommendations",
]

_FIXED: tuple[tuple[SlotKind, str, tuple[str, ...], bool], ...] = (
    ("questionnaire_id", "问卷编号", ("questionnaire_id",), True),
    ("collected_at", "采集时间", ("collected_at",), True),
    ("survey_point", "测评点", ("survey_point",), False),
    ("channel", "渠道", ("channel",), False),
    ("group", "群体", ("group",), False),
    ("device", "设备", ("device",), False),
)
OPINION_ALIASES = (OPINION_HEADER, "opinion", "opinions")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class UploadLayout:
    """What the wave expects, built by the caller from the wave and its template."""

    units: Sequence[tuple[str, str]]  # (unit_id, unit name) in the wave's order
    dimensions: Sequence[tuple[str, str]]  # (code, name) of the template's dimensions
    opinions: bool  # the template asks for opinions
    recommendations: bool  # the template asks for key-target recommendations
    district: bool = False  # the template asks for the district (asks_district)
    panel: bool = False  # a representative evaluation: each row names its panel member
    districts: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """`header_key` of a jurisdiction's name → the ids of the wave's jurisdictions of that
    name, so that the district column may name a district instead of giving its id."""
    groups: Mapping[str, str] = field(default_factory=dict)
    """`header_key` of a respondent group's name → its code, so that the group column may
    name the group (服务对象) as a sheet filled in by hand does, as the channel column may."""


@dataclass(frozen=True)
class Slot:
    """One column the layout expects: what it fills and the header the template writes."""

    order: int
    kind: SlotKind
    header: str
    unit_id: str | None = None
    code: str | None = None
    required: bool = False

    @property
    def field(self) -> str:
        """The questionnaire field the column fills, named as the JSON push names it."""
        if self.kind == "rating":
            return f"ratings.{self.unit_id}"
        if self.kind == "dimension":
            return f"dimension_ratings.{self.unit_id}.{self.code}"
        return _FIELDS.get(self.kind, self.kind)


OPINIONS = "opinions"
"""The field every opinion column fills (each cell one opinion of the list)."""

_FIELDS = {
    "district": "district_id",
    "respondent": "respondent_id",
    "opinion": OPINIONS,
    "recommendations": "recommended_key_targets",
}


@dataclass
class Columns:
    slots: list[Slot]
    index: dict[str, list[Slot]]  # header key → the slots it may name
    unit_keys: dict[str, list[str]]  # unit name or id key → unit ids (for recommendations)
    unit_order: list[str]


def header_key(text: str) -> str:
    """How headers and names are compared: NFKC (full-width ｜ is |), no whitespace, no
    required-marks, case-insensitive."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).strip("*").casefold()


def _labels(pairs: Sequence[tuple[str, str]], taken: set[str]) -> list[str]:
    """Each (id, name) by name, unless the name is shared with another entry (or with a
    header in `taken`): then by id."""
    counts: dict[str, int] = {}
    for ident, name in pairs:
        for key in {header_key(ident), header_key(name)}:
            counts[key] = counts.get(key, 0) + 1
    return [
        name if counts[header_key(name)] == 1 and header_key(name) not in taken else ident
        for ident, name in pairs
    ]


def _fixed(layout: UploadLayout) -> list[tuple[SlotKind, str, tuple[str, ...], bool]]:
    """The columns every row has, the district's and the panel member's only where the
    wave needs them (there they are required: no row could be recorded without)."""
    fixed = list(_FIXED)
    if layout.district:
        fixed.append(("district", DISTRICT_HEADER, ("district", "district_id"), True))
    if layout.panel:
        fixed.append(("respondent", PANEL_HEADER, ("respondent_id", "panel_member"), True))
    return fixed


def columns_of(layout: UploadLayout) -> Columns:
    slots: list[Slot] = []
    names: dict[Slot, list[str]] = {}

    def add(slot: Slot, *accepted: str) -> None:
        slots.append(slot)
        names[slot] = list(accepted)

    for kind, header, aliases, required in _fixed(layout):
        add(Slot(len(slots), kind, header, required=required), header, *aliases)
    fixed = {header_key(n) for accepted in names.values() for n in accepted}
    fixed |= {header_key(n) for n in (*OPINION_ALIASES, RECOMMENDATION_HEADER)}
    unit_labels = _labels(layout.units, fixed)
    opinion_keys = {header_key(n) for n in OPINION_ALIASES} if layout.opinions else set()
    dimension_labels = _labels(layout.dimensions, opinion_keys)
    for (unit_id, name), unit_label in zip(layout.units, unit_labels, strict=True):
        # A name that is another column's header never names the unit: its id does.
        unit_names = (unit_id,) if header_key(name) in fixed else (unit_id, name)
        # Not required: a questionnaire may rate some units only, so may a sheet.
        add(Slot(len(slots), "rating", unit_label, unit_id), *unit_names)
        for (code, dimension), dimension_label in zip(
            layout.dimensions, dimension_labels, strict=True
        ):
            header = f"{unit_label}{SEPARATOR}{dimension_label}"
            slot = Slot(len(slots), "dimension", header, unit_id, code)
            dimension_names = (
                (code,) if header_key(dimension) in opinion_keys else (code, dimension)
            )
            add(slot, *(f"{u}{SEPARATOR}{d}" for u in unit_names for d in dimension_names))
        if layout.opinions:
            header = f"{unit_label}{SEPARATOR}{OPINION_HEADER}"
            slot = Slot(len(slots), "opinion", header, unit_id)
            add(slot, *(f"{u}{SEPARATOR}{o}" for u in unit_names for o in OPINION_ALIASES))
    if layout.opinions:
        add(Slot(len(slots), "opinion", OPINION_HEADER), *OPINION_ALIASES)
    if layout.recommendations:
        slot = Slot(len(slots), "recommendations", RECOMMENDATION_HEADER)
        add(slot, RECOMMENDATION_HEADER, "recommended_key_targets")
    index: dict[str, list[Slot]] = {}
    for slot in slots:
        for key in {header_key(name) for name in names[slot]}:
            index.setdefault(key, []).append(slot)
    unit_keys: dict[str, list[str]] = {}
    for unit_id, name in layout.units:
        for key in {header_key(unit_id), header_key(name)}:
            unit_keys.setdefault(key, []).append(unit_id)
    return Columns(slots, index, unit_keys, [unit_id for unit_id, _ in layout.units])


def layout_template(layout: UploadLayout, fmt: Literal["csv", "xlsx"]) -> bytes:
    """An empty sheet whose header row is every column the layout reads, in the order the
    parser expects them: the fixed columns (with the district and the panel member where
    the wave needs them), then per unit its rating, its dimensions and its opinion, then
    the general opinion and the recommendations. Units (dimensions) sharing a name are
    headed by id (code), so the template always parses back."""
    headers = [slot.header for slot in columns_of(layout).slots]
    sheet = Sheet(TEMPLATE_TITLE, headers, [])
    return to_xlsx(sheet) if fmt == "xlsx" else to_csv(sheet)
