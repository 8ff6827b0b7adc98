from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registry.domain.common import required_text
from services.registry.domain.errors import AlreadyRevoked


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

    @classmethod
    def issue(
        cls, name: str, role: str, jurisdiction_id: UUID | None, key_hash: str, actor: str
    ) -> Principal:
        return cls(required_text(name, "name"), role, jurisdiction_id, key_hash, actor)

    @event(Issued)
    def __init__(
        self, name: str, role: str, jurisdiction_id: UUID | None, key_hash: str, actor: str
    ) -> None:
        self.name = name
        self.role = role
        self.jurisdiction_id = jurisdiction_id
        self.key_hash = key_hash
        self.issued_by = actor
        self.revoked = False
        self.revoked_reason: str | None = None

    def revoke(self, reason: str, actor: str) -> None:
        if self.revoked:
            raise AlreadyRevoked("the key is already revoked", field="principal_id")
        self._revoked(reason=required_text(reason, "reason"), actor=actor)

    @event(Revoked)
    def _revoked(self, reason: str, actor: str) -> None:
        self.revoked = True
        self.revoked_reason = reason
