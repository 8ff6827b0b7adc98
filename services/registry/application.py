"""Registry commands. Writes validate against the event store itself (strongly consistent);
reads for listing come from the registry's own view."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.registry.domain import (
    InvalidRegistration,
    Jurisdiction,
    JurisdictionNotFound,
    Principal,
    PrincipalNotFound,
    Unit,
)
from shared.auth import Principal as Caller
from shared.auth import hash_api_key, new_api_key
from shared.idempotency import Response, run_idempotent
from shared.runtime import PublishingApplication

# Levels that may sit directly below each level; a province has no parent.
CHILD_LEVELS: dict[str, set[str]] = {
    "province": {"city"},
    "city": {"county", "district", "zone"},
    "county": {"zone"},
    "district": {"zone"},
    "zone": set(),
}


class RegistryApplication(PublishingApplication):
    name = "registry"

    def jurisdiction(self, jurisdiction_id: UUID) -> Jurisdiction:
        try:
            found: Jurisdiction = self.repository.get(jurisdiction_id)
        except AggregateNotFoundError:
            raise JurisdictionNotFound("no such jurisdiction", field="jurisdiction_id") from None
        if not isinstance(found, Jurisdiction):
            raise JurisdictionNotFound("no such jurisdiction", field="jurisdiction_id")
        return found

    def principal(self, principal_id: UUID) -> Principal:
        try:
            found: Principal = self.repository.get(principal_id)
        except AggregateNotFoundError:
            raise PrincipalNotFound("no such principal", field="principal_id") from None
        if not isinstance(found, Principal):
            raise PrincipalNotFound("no such principal", field="principal_id")
        return found

    def register_jurisdiction(
        self, caller: Caller, name: str, level: str, parent_id: UUID | None, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            if parent_id is None:
                if level != "province" and level != "city":
                    raise InvalidRegistration(
                        "only a province or a city may stand without a parent", field="parent_id"
                    )
            else:
                parent = self.jurisdiction(parent_id)
                if level not in CHILD_LEVELS.get(parent.level, set()):
                    raise InvalidRegistration(
                        f"a {level} cannot sit below a {parent.level}", field="level"
                    )
            jurisdiction = Jurisdiction(name, level, parent_id, caller.actor)
            return [jurisdiction], jurisdiction_out(jurisdiction)

        request = {"name": name, "level": level, "parent_id": parent_id}
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="jurisdiction",
            key=key,
            request=request,
            command=command,
        )

    def register_units(
        self, caller: Caller, units: list[dict[str, Any]], key: str | None
    ) -> Response:
        """Register one or many units atomically: all of them, or none."""

        def command() -> tuple[list[Any], Response]:
            created: list[Unit] = []
            for index, spec in enumerate(units):
                try:
                    self.jurisdiction(spec["jurisdiction_id"])
                except JurisdictionNotFound:
                    raise JurisdictionNotFound(
                        "no such jurisdiction", field=f"units.{index}.jurisdiction_id"
                    ) from None
                created.append(Unit(actor=caller.actor, **spec))
            return created, {"units": [unit_out(u) for u in created]}

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="units",
            key=key,
            request=units,
            command=command,
        )

    def issue_principal(
        self, caller: Caller, name: str, role: str, jurisdiction_id: UUID | None, key: str | None
    ) -> Response:
        """The plaintext key is returned to this caller only; the idempotency record keeps the
        response without it, so a retried request learns the principal but not the key."""
        api_key = new_api_key()

        def command() -> tuple[list[Any], Response]:
            if jurisdiction_id is not None:
                self.jurisdiction(jurisdiction_id)
            elif role not in ("admin", "auditor", "agency"):
                raise InvalidRegistration(
                    f"a {role} key must be bound to a jurisdiction", field="jurisdiction_id"
                )
            principal = Principal(name, role, jurisdiction_id, hash_api_key(api_key), caller.actor)
            return [principal], principal_out(principal)

        request = {"name": name, "role": role, "jurisdiction_id": jurisdiction_id}
        response = run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="principal",
            key=key,
            request=request,
            command=command,
        )
        issued_now = self.principal(UUID(response["principal_id"])).key_hash == hash_api_key(
            api_key
        )
        return response | {"api_key": api_key if issued_now else None}

    def revoke_principal(self, caller: Caller, principal_id: UUID, reason: str) -> Response:
        principal = self.principal(principal_id)
        principal.revoke(reason, caller.actor)
        self.save(principal)
        return principal_out(principal)


def jurisdiction_out(j: Jurisdiction) -> Response:
    return {
        "jurisdiction_id": str(j.id),
        "name": j.name,
        "level": j.level,
        "parent_id": str(j.parent_id) if j.parent_id else None,
    }


def unit_out(u: Unit) -> Response:
    return {
        "unit_id": str(u.id),
        "jurisdiction_id": str(u.jurisdiction_id),
        "name": u.name,
        "short_name": u.short_name,
        "kind": u.kind,
        "category": u.category,
    }


def principal_out(p: Principal) -> Response:
    return {
        "principal_id": str(p.id),
        "name": p.name,
        "role": p.role,
        "jurisdiction_id": str(p.jurisdiction_id) if p.jurisdiction_id else None,
        "revoked": p.revoked,
    }
