from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registry.domain.common import required_text
from services.registry.domain.errors import AlreadyRevoked, InvalidRegistration


class Principal(Aggregate):
    """Someone who calls the API. Only the hash of the key is ever stored."""

    class Issued(Aggregate.Created):
        class_version = 2
        name: str
        role: str
        jurisdiction_id: UUID | None
        key_hash: str
        actor: str
        unit_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            # Keys issued before unit keys named their unit: none of them names one.
            state["unit_id"] = None

    class Revoked(Aggregate.Event):
        reason: str
        actor: str

    @classmethod
    def issue(
        cls,
        name: str,
        role: str,
        jurisdiction_id: UUID | None,
        key_hash: str,
        actor: str,
        unit_id: UUID | None = None,
    ) -> Principal:
        """`unit_id`: the unit a key of role unit speaks for (the application checks the unit
        and sets its jurisdiction)."""
        cls.require_unit_binding(role, unit_id)
        return cls(required_text(name, "name"), role, jurisdiction_id, key_hash, actor, unit_id)

    @staticmethod
    def require_unit_binding(role: str, unit_id: UUID | None) -> None:
        """A new unit key names its unit, and no other key names one."""
        if role == "unit" and unit_id is None:
            raise InvalidRegistration(
                "单位密钥须指明其单位 unit_id (a unit key must name its unit)", field="unit_id"
            )
        if role != "unit" and unit_id is not None:
            raise InvalidRegistration(
                "只有单位密钥可指明单位 (only a key of role unit names a unit)", field="unit_id"
            )

    @event(Issued)
    def __init__(
        self,
        name: str,
        role: str,
        jurisdiction_id: UUID | None,
        key_hash: str,
        actor: str,
        unit_id: UUID | None,
    ) -> None:
        self.name = name
        self.role = role
        self.jurisdiction_id = jurisdiction_id
        self.unit_id = unit_id
        self.key_hash = key_hash
        self.issued_by = actor
        self.revoked = False
        self.revoked_reason: str | None = None

    def revoke(self, reason: str, actor: str) -> None:
        if self.revoked:
            raise AlreadyRevoked("该密钥已吊销 (the key is already revoked)", field="principal_id")
        self._revoked(reason=required_text(reason, "reason"), actor=actor)

    @event(Revoked)
    def _revoked(self, reason: str, actor: str) -> None:
        self.revoked = True
        self.revoked_reason = reason
