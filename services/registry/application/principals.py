from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.registry.application.jurisdictions import JurisdictionCommands
from services.registry.domain import (
    InvalidRegistration,
    Principal,
    PrincipalNotFound,
    Unit,
    UnitNotFound,
)
from services.registry.domain.common import ROLE_LABELS, STATUS_LABELS, an
from services.registry.domain.keys import KeyIndex
from shared.errors import ForbiddenError
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal as Caller
from shared.principals import hash_api_key, new_api_key

KEY_NOT_SHOWN_AGAIN = (
    "This Idempotency-Key already issued this principal; its key was in that first answer "
    "and is kept only as a hash, so it cannot be shown again. If the first answer was lost, "
    "revoke this principal (POST /principals/{principal_id}/revoke) and issue a new key."
)

OFFICE_ISSUABLE_ROLES = ("agency", "inspector", "unit")
"""Offices issue and revoke keys of these roles only; admin, auditor and office keys are an
admin's to issue and revoke."""


def require_may_manage(caller: Caller, role: str, field: str) -> None:
    """Which keys a caller may issue or revoke, by the key's role (the route's policy has
    already checked the caller's role and the key's jurisdiction)."""
    if caller.role != "admin" and role not in OFFICE_ISSUABLE_ROLES:
        label = ROLE_LABELS.get(role, role)
        raise ForbiddenError(
            f"纠风办不能签发或吊销{label}密钥 (an office cannot issue or revoke {role} keys)",
            field=field,
        )


def require_may_bind(caller: Caller, jurisdiction_id: UUID | None, unit_id: UUID | None) -> None:
    """A key bound to no jurisdiction and no unit is an admin's to issue (the route's policy
    skips the scope check when both are absent, since a unit key's unit alone binds it)."""
    if caller.role != "admin" and jurisdiction_id is None and unit_id is None:
        raise ForbiddenError(
            "只有管理员可以签发不绑定辖区的密钥 "
            "(only an admin may issue a key bound to no jurisdiction)",
            field="jurisdiction_id",
        )


class PrincipalCommands(JurisdictionCommands):
    def principal(self, principal_id: UUID, field: str = "principal_id") -> Principal:
        return self.load(principal_id, Principal, PrincipalNotFound, field)

    def issue_principal(
        self,
        caller: Caller,
        name: str,
        role: str,
        jurisdiction_id: UUID | None,
        key: str | None,
        unit_id: UUID | None = None,
    ) -> Response:
        """The plaintext key is returned to this caller only; the idempotency record keeps the
        response without it, so a retried request learns the principal but not the key
        (`api_key_shown: false` and a `note` saying what to do if the key was lost)."""
        require_may_manage(caller, role, "role")
        Principal.require_unit_binding(role, unit_id)
        require_may_bind(caller, jurisdiction_id, unit_id)
        api_key = new_api_key()

        def command() -> tuple[list[Any], Response]:
            place = self._key_place(role, jurisdiction_id, unit_id)
            key_hash = hash_api_key(api_key)
            principal = Principal.issue(name, role, place, key_hash, caller.actor, unit_id)
            return [principal, KeyIndex(key_hash, principal.id)], principal_out(principal)

        request = {
            "name": name,
            "role": role,
            "jurisdiction_id": jurisdiction_id,
            "unit_id": unit_id,
        }
        response = run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="principal",
            key=key,
            request=request,
            command=command,
        )
        issued = self.principal(UUID(response["principal_id"]))
        if issued.key_hash == hash_api_key(api_key):
            return response | {"api_key": api_key, "api_key_shown": True, "note": None}
        return response | {"api_key": None, "api_key_shown": False, "note": KEY_NOT_SHOWN_AGAIN}

    def _key_place(
        self, role: str, jurisdiction_id: UUID | None, unit_id: UUID | None
    ) -> UUID | None:
        """The jurisdiction a new key is bound to: a unit key's is where its unit is now."""
        if role == "unit" and unit_id is not None:
            return self._unit_place(unit_id, jurisdiction_id)
        if jurisdiction_id is not None:
            self.jurisdiction(jurisdiction_id)
        elif role not in ("admin", "auditor", "agency"):
            raise InvalidRegistration(
                f"{ROLE_LABELS.get(role, role)}密钥须绑定辖区, 请填写 jurisdiction_id "
                f"({an(role)} key must be bound to a jurisdiction)",
                field="jurisdiction_id",
            )
        return jurisdiction_id

    def _unit_place(self, unit_id: UUID, jurisdiction_id: UUID | None) -> UUID:
        unit = self.load(unit_id, Unit, UnitNotFound, "unit_id")
        if not unit.is_active:
            status = STATUS_LABELS.get(unit.status, unit.status)
            raise InvalidRegistration(
                f"该单位{status}, 请为现在承接它的单位签发密钥 "
                f"(the unit is {unit.status}; issue keys for the unit that stands for it now)",
                field="unit_id",
            )
        if jurisdiction_id is not None and jurisdiction_id != unit.jurisdiction_id:
            raise InvalidRegistration(
                "单位密钥绑定在其单位所在辖区: 请不填此项或填写该单位的辖区 "
                "(a unit key is bound where its unit is: omit this or give the unit's "
                "jurisdiction)",
                field="jurisdiction_id",
            )
        return unit.jurisdiction_id

    def revoke_principal(
        self, caller: Caller, principal_id: UUID, reason: str, key: str | None = None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            principal = self.principal(principal_id)
            require_may_manage(caller, principal.role, "principal_id")
            principal.revoke(reason, caller.actor)
            return [principal], self.principal_now(principal)

        request = {"principal_id": principal_id, "reason": reason}
        return self.idempotent(caller, "principal.revoke", key, request, command)

    def principal_by_key_hash(self, key_hash: str) -> dict[str, Any] | None:
        """The principal holding a key, as stored now (revocations included): keys work on
        the registry the moment they are issued and stop the moment they are revoked."""
        try:
            index: KeyIndex = self.repository.get(KeyIndex.create_id(key_hash))
        except AggregateNotFoundError:
            return None
        principal = self.principal(index.principal_id)
        return self.principal_now(principal) | {"key_hash": principal.key_hash}

    def principal_now(self, principal: Principal) -> Response:
        """The principal as it stands now: a unit key where its unit is now, and whether
        that unit has ended (`shared.registry_view.unit_keys`: read models apply the same
        rule to the unit's published facts)."""
        out = principal_out(principal)
        if principal.role != "unit" or principal.unit_id is None:
            return out
        unit = self.load(principal.unit_id, Unit, UnitNotFound, "unit_id")
        out["jurisdiction_id"] = str(unit.jurisdiction_id)
        return out | ({} if unit.is_active else {"unit_status": unit.status})

    def principal_place(self, principal: Principal) -> UUID | None:
        """Where a principal is bound now (a unit key: where its unit is)."""
        place = self.principal_now(principal)["jurisdiction_id"]
        return None if place is None else UUID(place)


def principal_out(p: Principal) -> Response:
    return {
        "principal_id": str(p.id),
        "name": p.name,
        "role": p.role,
        "jurisdiction_id": str(p.jurisdiction_id) if p.jurisdiction_id else None,
        "unit_id": str(p.unit_id) if p.unit_id else None,
        "revoked": p.revoked,
    }
