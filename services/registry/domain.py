"""Registry aggregates: jurisdictions, units and the principals that hold API keys."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.errors import ConflictError, InvalidError, NotFoundError, PingyiError

JurisdictionLevel = Literal["province", "city", "county", "district", "zone"]
UnitKind = Literal[
    "government_department",
    "other_body",
    "public_service_enterprise",
    "key_section",
    "key_post",
    "grassroots_station",
    "service_window",
    "funded_project",
]
UNIT_KIND_LABELS: dict[str, str] = {
    "government_department": "政府部门",
    "other_body": "其它机构",
    "public_service_enterprise": "公共服务企业",
    "key_section": "重点科室",
    "key_post": "重点岗位",
    "grassroots_station": "基层站所",
    "service_window": "窗口单位",
    "funded_project": "政府投资项目",
}
UNIT_KIND_BY_LABEL: dict[str, str] = {label: kind for kind, label in UNIT_KIND_LABELS.items()}

Role = Literal["admin", "office", "agency", "inspector", "unit", "auditor"]


class RegistryError(PingyiError):
    """Base of every registry domain error."""


class JurisdictionNotFound(RegistryError, NotFoundError):
    code = "jurisdiction_not_found"


class UnitNotFound(RegistryError, NotFoundError):
    code = "unit_not_found"


class PrincipalNotFound(RegistryError, NotFoundError):
    code = "principal_not_found"


class InvalidRegistration(RegistryError, InvalidError):
    code = "invalid_registration"


class AlreadyRevoked(RegistryError, ConflictError):
    code = "already_revoked"


def _required_text(value: str, field: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidRegistration("must not be blank", field=field)
    return cleaned


class Jurisdiction(Aggregate):
    class Registered(Aggregate.Created):
        name: str
        level: str
        parent_id: UUID | None
        actor: str

    @event(Registered)
    def __init__(self, name: str, level: str, parent_id: UUID | None, actor: str) -> None:
        self.name = _required_text(name, "name")
        self.level = level
        self.parent_id = parent_id
        self.registered_by = actor


class Unit(Aggregate):
    class Registered(Aggregate.Created):
        """v1 (before sub-unit work) had no short name; v2 adds it."""

        class_version = 2
        jurisdiction_id: UUID
        name: str
        short_name: str | None
        kind: str
        category: str
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["short_name"] = None

    @event(Registered)
    def __init__(
        self,
        jurisdiction_id: UUID,
        name: str,
        short_name: str | None,
        kind: str,
        category: str,
        actor: str,
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.name = _required_text(name, "name")
        self.short_name = short_name.strip() if short_name and short_name.strip() else None
        self.kind = kind
        self.category = _required_text(category, "category")
        self.registered_by = actor


class Principal(Aggregate):
    """Someone who calls the API. Only the hash of the key is ever stored."""

    class Issued(Aggregate.Created):
        name: str
        role: str
        jurisdiction_id: UUID | None
        key_hash: str
        actor: str

    class Revoked(Aggregate.Event):
        reason: str
        actor: str

    @event(Issued)
    def __init__(
        self, name: str, role: str, jurisdiction_id: UUID | None, key_hash: str, actor: str
    ) -> None:
        self.name = _required_text(name, "name")
        self.role = role
        self.jurisdiction_id = jurisdiction_id
        self.key_hash = key_hash
        self.issued_by = actor
        self.revoked = False
        self.revoked_reason: str | None = None

    def revoke(self, reason: str, actor: str) -> None:
        if self.revoked:
            raise AlreadyRevoked("the key is already revoked", field="principal_id")
        self._revoked(reason=_required_text(reason, "reason"), actor=actor)

    @event(Revoked)
    def _revoked(self, reason: str, actor: str) -> None:
        self.revoked = True
        self.revoked_reason = reason
