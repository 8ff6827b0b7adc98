from __future__ import annotations

from typing import Any
from uuid import UUID

from services.registry.application.jurisdictions import JurisdictionCommands
from services.registry.domain import InvalidRegistration, Principal, PrincipalNotFound
from shared.auth import Principal as Caller
from shared.auth import hash_api_key, new_api_key
from shared.idempotency import Response, run_idempotent


class PrincipalCommands(JurisdictionCommands):
    def principal(self, principal_id: UUID) -> Principal:
        return self.load(principal_id, Principal, PrincipalNotFound, "principal_id")

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
            principal = Principal.issue(
                name, role, jurisdiction_id, hash_api_key(api_key), caller.actor
            )
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
        issued = self.principal(UUID(response["principal_id"]))
        return response | {"api_key": api_key if issued.key_hash == hash_api_key(api_key) else None}

    def revoke_principal(self, caller: Caller, principal_id: UUID, reason: str) -> Response:
        principal = self.principal(principal_id)
        principal.revoke(reason, caller.actor)
        self.save(principal)
        return principal_out(principal)


def principal_out(p: Principal) -> Response:
    return {
        "principal_id": str(p.id),
        "name": p.name,
        "role": p.role,
        "jurisdiction_id": str(p.jurisdiction_id) if p.jurisdiction_id else None,
        "revoked": p.revoked,
    }
