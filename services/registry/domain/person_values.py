"""Values the Person aggregate works with: sectors, appointment purposes and appointing
bodies (each a fixed set of codes with Chinese labels), the appointment cycle, and one
appointment or training as the aggregate holds it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal
from uuid import UUID

from services.registry.domain.errors import InvalidRegistration
from shared.web.echo import clip

SectorCode = Literal[
    "service_user",
    "npc_deputy",
    "cppcc_member",
    "industry_representative",
    "civil_servant",
    "community_cadre",
    "enterprise",
    "other",
]
# Ordered: stratified draws take strata in this order, so the order is part of the algorithm.
SECTOR_LABELS: dict[str, str] = {
    "service_user": "服务对象",
    "npc_deputy": "人大代表",
    "cppcc_member": "政协委员",
    "industry_representative": "行评代表",
    "civil_servant": "机关干部",
    "community_cadre": "社区群干",
    "enterprise": "企业代表",
    "other": "其他",
}
SECTOR_BY_LABEL: dict[str, str] = {label: code for code, label in SECTOR_LABELS.items()}
_SECTOR_SPELLINGS = {"其它": "其他"}
_SPACE = re.compile(r"\s+")

AppointmentPurpose = Literal["general", "school_special", "hospital_special"]
PURPOSE_LABELS: dict[str, str] = {
    "general": "综合评议",
    "school_special": "学校专项评议",
    "hospital_special": "医院专项评议",
}
BodyKind = Literal["office", "department"]
BODY_KIND_LABELS: dict[str, str] = {"office": "纠风办", "department": "参评部门"}

_CYCLE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
CYCLE_WORDS = (
    "须为年份或年份区间, 如 2026 或 2026-2027 (must be a year or a range of years, "
    "e.g. 2026 or 2026-2027)"
)
"""How a cycle in another form is refused, by a request and by the domain (an import, a
script) alike."""


def sector_code(value: str, field: str = "sector") -> str:
    """Accepts the code or the Chinese label (spreadsheets use labels), compared as unit
    names are: 全角/半角 forms alike and spaces anywhere ignored ("人大 代表", "ｎｐｃ_deputy");
    a code in any case, and 其它 for 其他."""
    cleaned = value.strip()
    key = _SPACE.sub("", unicodedata.normalize("NFKC", value))
    key = _SECTOR_SPELLINGS.get(key, key)
    if key.lower() in SECTOR_LABELS:
        return key.lower()
    if key in SECTOR_BY_LABEL:
        return SECTOR_BY_LABEL[key]
    raise InvalidRegistration(
        f"未知界别 {clip(cleaned)!r}, 可选: {'、'.join(SECTOR_LABELS.values())} "
        f"(unknown sector {clip(cleaned)!r}; one of {', '.join(SECTOR_LABELS)})",
        field=field,
    )


def purpose_refusal() -> str:
    """Why a purpose is refused: its labels for the office, its codes for the request."""
    labels = "、".join(f"{code} ({label})" for code, label in PURPOSE_LABELS.items())
    return f"用途须为以下之一: {labels} (purpose is one of {', '.join(PURPOSE_LABELS)})"


def purpose_code(value: str) -> str:
    if value not in PURPOSE_LABELS:
        raise InvalidRegistration(purpose_refusal(), field="purpose")
    return value


@dataclass(frozen=True, order=True)
class Cycle:
    """A one-year ("2026") or two-year ("2026-2027") appointment cycle."""

    start: int
    end: int

    @classmethod
    def parse(cls, text: str, field: str = "cycle") -> Cycle:
        match = _CYCLE.match(text.strip())
        if match is None:
            raise InvalidRegistration(CYCLE_WORDS, field=field)
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if not 2000 <= start <= 2100 or end not in (start, start + 1):
            raise InvalidRegistration(
                "届期为 2000 至 2100 年间的一年或相连两年 "
                "(a cycle spans one or two consecutive years from 2000 to 2100)",
                field=field,
            )
        return cls(start, end)

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"

    def follows(self, other: Cycle) -> bool:
        """True if `other` is a previous cycle: it ended the year before this one starts."""
        return other.end == self.start - 1


@dataclass(frozen=True)
class AppointingBody:
    """The office of a jurisdiction (body_id = jurisdiction id) or a department (unit id)."""

    kind: str
    body_id: UUID

    @classmethod
    def parse(cls, text: str, field: str = "body") -> AppointingBody:
        kind, _, raw_id = text.partition(":")
        if kind not in BODY_KIND_LABELS:
            raise InvalidRegistration(
                '聘任机关须写作 "office:<辖区编号>" 或 "department:<单位编号>" '
                '(an appointing body is "office:<jurisdiction id>" or "department:<unit id>")',
                field=field,
            )
        try:
            return cls(kind, UUID(raw_id))
        except ValueError:
            raise InvalidRegistration(
                "机关类型后不是有效的编号 (not a valid id after the body kind)", field=field
            ) from None

    def __str__(self) -> str:
        return f"{self.kind}:{self.body_id}"


@dataclass(frozen=True)
class Appointment:
    body: AppointingBody
    cycle: str
    purpose: str

    @property
    def special(self) -> bool:
        return self.purpose != "general"


@dataclass(frozen=True)
class Training:
    held_on: str
    topic: str
    hours: Decimal
    recorded_by: str
