"""Published registry facts: jurisdictions, units (with their lifecycle), principals.

Every lifecycle fact carries `effective_on`, the day the change holds from (Asia/Shanghai
calendar), which may be earlier than the day it was recorded (`occurred_at` on the envelope).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload

Role = Literal["admin", "office", "agency", "inspector", "unit", "auditor"]
"""Who a principal is; the one definition of the roles (shared.auth and the registry use it)."""
ROLES: tuple[Role, ...] = ("admin", "office", "agency", "inspector", "unit", "auditor")
PARTICIPANT_ROLES: tuple[Role, ...] = ("office", "agency", "inspector", "unit")
"""Everyone who takes part in an evaluation, as opposed to admins and auditors."""


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
    """The old name (and short name) stay searchable as aliases."""

    event_type = "registry.unit.renamed"
    unit_id: UUID
    old_name: str
    new_name: str
    old_short_name: str | None = None
    new_short_name: str | None = None
    effective_on: date
    reason: str
    actor: str


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


class PrincipalIssued(IntegrationPayload):
    """Carries the key's hash only; the key itself is shown once to whoever issued it."""

    event_type = "registry.principal.issued"
    principal_id: UUID
    name: str
    role: Role
    jurisdiction_id: UUID | None
    key_hash: str


class PrincipalRevoked(IntegrationPayload):
    event_type = "registry.principal.revoked"
    principal_id: UUID
    reason: str
    actor: str
