"""The keys issued, as `GET /principals` lists them: who holds each, its role and place, when
it was issued, and whether (when, why) it was revoked. Never the key, nor its hash: the
security view keeps the hashes for authentication, and a list has no use for them."""

from __future__ import annotations

from typing import Any

from shared.contracts import IntegrationMessage
from shared.contracts.registry import PrincipalIssued, PrincipalRevoked
from shared.messaging.inbox import ViewHandler, combine_handlers
from shared.registry_view.unit_keys import unit_key_handlers
from shared.views import ViewTransaction

PRINCIPAL_LIST = "principal_list"
PRINCIPAL_UNITS = "principal_list_units"
"""Unit id -> the keys issued for it, so the list follows the unit's moves and ends."""


def _issued(tx: ViewTransaction, p: PrincipalIssued, m: IntegrationMessage) -> None:
    shown = {"principal_id", "name", "role", "jurisdiction_id", "unit_id"}
    doc = p.model_dump(mode="json", include=shown) | {
        "issued_at": m.occurred_at.isoformat(),
        "revoked": False,
        "revoked_at": None,
        "revoked_reason": None,
    }
    tx.put(PRINCIPAL_LIST, str(p.principal_id), doc)


def _revoked(tx: ViewTransaction, p: PrincipalRevoked, m: IntegrationMessage) -> None:
    doc = tx.get(PRINCIPAL_LIST, str(p.principal_id))
    if doc is None:  # only if the log itself were incomplete; the inbox refuses gaps
        raise LookupError(f"principal {p.principal_id} was never issued")
    revoked = {"revoked": True, "revoked_at": m.occurred_at.isoformat(), "revoked_reason": p.reason}
    tx.put(PRINCIPAL_LIST, str(p.principal_id), doc | revoked)


def _follows_unit(tx: ViewTransaction, principal_id: str, changes: dict[str, Any]) -> None:
    doc = tx.get(PRINCIPAL_LIST, principal_id)
    if doc is not None:
        tx.put(PRINCIPAL_LIST, principal_id, doc | changes)


HANDLERS: dict[Any, ViewHandler] = combine_handlers(
    {PrincipalIssued: _issued, PrincipalRevoked: _revoked},
    unit_key_handlers(PRINCIPAL_UNITS, _follows_unit),
)
