"""Published registry facts: jurisdictions, units (with their lifecycle), principals.

Every lifecycle fact carries `effective_on`, the day the change holds from (Asia/Shanghai
calendar), which may be earlier than the day it was recorded (`occurred_at` on the envelope).

The registry rules a consumer needs to fold these facts into its own copy (a unit's status
after a lifecycle fact, the aliases a rename leaves, who stands for a unit that ended, the
day a unit exists from) are the pure functions below. The registry's `Unit` aggregate calls
the same functions, so the registry and every copy of it cannot disagree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload

Role = Literal["admin", "office", "agency", "inspector", "unit", "auditor"]
"""Who a principal is; the one definition of the roles (shared.auth and the registry use it)."""
ROLES: tuple[Role, ...] = ("admin", "office", "agency", "inspector", "unit", "auditor")
PARTICIPANT_ROLES: tuple[Role, ...] = ("office", "agency", "inspector", "unit")
"""Everyone who takes part in an evaluation, as opposed to admins and auditors."""
UnitStatus = Literal["active", "merged", "split", "dissolved"]
ACTIVE: UnitStatus = "active"
MERGED: UnitStatus = "merged"
SPLIT: UnitStatus = "split"
DISSOLVED: UnitStatus = "dissolved"
UNIT_STATUSES: tuple[UnitStatus, ...] = (ACTIVE, MERGED, SPLIT, DISSOLVED)

# Effective dates are days in China (Asia/Shanghai, UTC+8 without daylight saving since 1991).
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_date(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def registered_on(effective_on: date | None, recorded_at: datetime) -> date:
    """The day a unit exists from: the day registered with it, else the China day on which
    its registration was recorded."""
    return effective_on or china_date(recorded_at)


def unit_status(status: str | None) -> str:
    """A unit's status; records written before units had a lifecycle carry none: active."""
    return status or ACTIVE


class JurisdictionRegistered(IntegrationPayload):
    event_type = "registry.jurisdiction.registered"
    jurisdiction_id: UUID
    name: str
    level: str
    parent_id: UUID | None


class UnitRegisteredV1(IntegrationPayload):
    """The first published shape, kept so messages already on the stream still decode;
    `parse_payload` turns them into `UnitRegistered`."""

    event_type = "registry.unit.registered"
    schema_version = 1
    unit_id: UUID
    jurisdiction_id: UUID
    name: str
    short_name: str | None
    kind: str
    category: str


class UnitRegistered(IntegrationPayload):
    """v2 adds the parent unit (sub-units: 重点科室/重点岗位/基层站所/窗口单位), the vertical
    superior (垂直管理), the 统一社会信用代码, the day the unit exists from (None: the day it
    was recorded) and who registered it. New fields default to None so v1-shaped code that
    builds the payload keeps working."""

    event_type = "registry.unit.registered"
    schema_version = 2
    unit_id: UUID
    jurisdiction_id: UUID
    name: str
    short_name: str | None
    kind: str
    category: str
    parent_id: UUID | None = None
    vertical_superior: str | None = None
    credit_code: str | None = None
    effective_on: date | None = None
    actor: str | None = None

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        """v1 payload dict -> v2 payload dict: a v1 unit had none of the new facts."""
        return data | {
            "parent_id": None,
            "vertical_superior": None,
            "credit_code": None,
            "effective_on": None,
            "actor": None,
        }


class UnitRenamed(IntegrationPayload):
    """The old name (and short name) stay searchable as aliases (see `aliases_after`)."""

    event_type = "registry.unit.renamed"
    unit_id: UUID
    old_name: str
    new_name: str
    old_short_name: str | None = None
    new_short_name: str | None = None
    effective_on: date
    reason: str
    actor: str


def aliases_after(
    aliases: Sequence[str], earlier: Iterable[str | None], name: str, short_name: str | None
) -> list[str]:
    """The aliases after a rename from the `earlier` (name, short name) to `name` and
    `short_name`: every earlier name and short name stays searchable, except what is current
    again; the order is the order they were first left behind."""
    current = {name, short_name}
    kept = [alias for alias in aliases if alias not in current]
    for old in earlier:
        if old and old not in current and old not in kept:
            kept.append(old)
    return kept


_SPACE = re.compile(r"\s+")


def search_key(text: str) -> str:
    """How names are compared when searching: 全角/半角, spacing and Latin case do not
    matter."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def unit_search_text(name: str, short_name: str | None, aliases: Iterable[str]) -> str:
    """Everything a unit is found by (name, short name, earlier names), as one text in which
    `search_key(q)` is a substring exactly when it is part of one of them: the names are
    joined by a space, which no search key contains."""
    return " ".join(search_key(n) for n in (name, short_name, *aliases) if n)


class UnitsMerged(IntegrationPayload):
    """Several units became one NEW unit (`new_unit_id`, published before this fact as its
    own UnitRegistered); every source now has status "merged"."""

    event_type = "registry.unit.merged"
    new_unit_id: UUID
    source_unit_ids: tuple[UUID, ...]
    name: str
    effective_on: date
    reason: str
    actor: str


class UnitSplit(IntegrationPayload):
    """One unit became several NEW units (each published before this fact as its own
    UnitRegistered); the source now has status "split"."""

    event_type = "registry.unit.split"
    source_unit_id: UUID
    new_unit_ids: tuple[UUID, ...]
    effective_on: date
    reason: str
    actor: str


class UnitMoved(IntegrationPayload):
    event_type = "registry.unit.moved"
    unit_id: UUID
    from_jurisdiction_id: UUID
    to_jurisdiction_id: UUID
    effective_on: date
    reason: str
    actor: str


class UnitDissolved(IntegrationPayload):
    event_type = "registry.unit.dissolved"
    unit_id: UUID
    effective_on: date
    reason: str
    actor: str


class UnitEffectiveDateCorrected(IntegrationPayload):
    """The office stated or corrected the day a unit began (生效日期): it exists from
    `effective_on`, not `previous_effective_on` (a day stated before, or the day it was
    entered when none was). A correction of the record, not a change of the unit: name,
    place and status stay, and its last change moves only as `last_change_after_correction`
    says."""

    event_type = "registry.unit.effective_date_corrected"
    unit_id: UUID
    effective_on: date
    previous_effective_on: date
    reason: str
    actor: str


def last_change_after_correction(
    last_change_on: date, first_change_on: date | None, effective_on: date
) -> date:
    """A unit's last change once its 生效日期 is corrected to `effective_on`: that day when
    nothing changed since it was registered (its registration is its last change), else
    unchanged (the registry refuses a day after the first change)."""
    return effective_on if first_change_on is None else last_change_on


def ended_units(payload: IntegrationPayload) -> dict[UUID, UnitStatus]:
    """The units a lifecycle fact ends, with the status it leaves each in. A merger's or
    split's new units are not among them: they arrive as their own registrations."""
    if isinstance(payload, UnitsMerged):
        return dict.fromkeys(payload.source_unit_ids, MERGED)
    if isinstance(payload, UnitSplit):
        return {payload.source_unit_id: SPLIT}
    if isinstance(payload, UnitDissolved):
        return {payload.unit_id: DISSOLVED}
    return {}


UnitLookup = Callable[[str], Mapping[str, Any] | None]
"""unit id -> a record with `status` and, for ended units, `merged_into` or `split_into`."""


def successors(unit_id: str, lookup: UnitLookup) -> list[str]:
    """The active units that now stand for `unit_id`: itself while active, the unit it was
    merged into, the units it was split into (followed through later changes); empty when
    it was dissolved or is unknown."""
    found: list[str] = []
    pending, seen = [unit_id], set()
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        seen.add(current)
        record = lookup(current)
        if record is None:
            continue
        status = unit_status(record.get("status"))
        if status == ACTIVE:
            found.append(current)
        elif status == MERGED and record.get("merged_into"):
            pending.append(str(record["merged_into"]))
        elif status == SPLIT:
            pending.extend(str(u) for u in record.get("split_into") or [])
    return found


class PrincipalIssued(IntegrationPayload):
    """Carries the key's hash only; the key itself is shown once to whoever issued it.

    `unit_id`: the unit a key of role unit speaks for (its jurisdiction is the unit's).
    Optional, so messages published before unit keys named their unit still decode: such a
    key has none and is scoped by its jurisdiction alone (legacy)."""

    event_type = "registry.principal.issued"
    principal_id: UUID
    name: str
    role: Role
    jurisdiction_id: UUID | None
    key_hash: str
    unit_id: UUID | None = None


class PrincipalRevoked(IntegrationPayload):
    event_type = "registry.principal.revoked"
    principal_id: UUID
    reason: str
    actor: str
