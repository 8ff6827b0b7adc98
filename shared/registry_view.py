"""Every service's local copy of what the registry publishes: the jurisdiction tree, units
and principals. It feeds authentication and scope checks without calling the registry."""

from __future__ import annotations

from typing import Any

from shared.contracts import IntegrationMessage
from shared.contracts.registry import (
    JurisdictionRegistered,
    PrincipalIssued,
    PrincipalRevoked,
    UnitRegistered,
)
from shared.messaging.inbox import ViewHandler, ViewInbox
from shared.views import ViewStore, ViewTransaction

JURISDICTIONS = "jurisdictions"
UNITS = "units"
PRINCIPALS_BY_KEY = "principals_by_key"
PRINCIPALS = "principals"


def _jurisdiction(tx: ViewTransaction, p: JurisdictionRegistered, m: IntegrationMessage) -> None:
    tx.put(JURISDICTIONS, str(p.jurisdiction_id), p.model_dump(mode="json"))


def _unit(tx: ViewTransaction, p: UnitRegistered, m: IntegrationMessage) -> None:
    tx.put(UNITS, str(p.unit_id), p.model_dump(mode="json"))


def _principal(tx: ViewTransaction, p: PrincipalIssued, m: IntegrationMessage) -> None:
    doc = p.model_dump(mode="json") | {"revoked": False}
    tx.put(PRINCIPALS_BY_KEY, p.key_hash, doc)
    tx.put(PRINCIPALS, str(p.principal_id), doc)


def _revoked(tx: ViewTransaction, p: PrincipalRevoked, m: IntegrationMessage) -> None:
    doc = tx.get(PRINCIPALS, str(p.principal_id))
    if doc is None:
        return
    doc = doc | {"revoked": True, "revoked_reason": p.reason}
    tx.put(PRINCIPALS, str(p.principal_id), doc)
    tx.put(PRINCIPALS_BY_KEY, doc["key_hash"], doc)


REGISTRY_VIEW_HANDLERS: dict[Any, ViewHandler] = {
    JurisdictionRegistered: _jurisdiction,
    UnitRegistered: _unit,
    PrincipalIssued: _principal,
    PrincipalRevoked: _revoked,
}


def registry_view_inbox(views: ViewStore, extra: dict[Any, ViewHandler] | None = None) -> ViewInbox:
    return ViewInbox(views, REGISTRY_VIEW_HANDLERS | (extra or {}))


class RegistryView:
    """Read access to the registry copy held in a service's view store."""

    def __init__(self, views: ViewStore) -> None:
        self._views = views

    def jurisdiction(self, jurisdiction_id: str) -> dict[str, Any] | None:
        return self._views.get(JURISDICTIONS, jurisdiction_id)

    def unit(self, unit_id: str) -> dict[str, Any] | None:
        return self._views.get(UNITS, unit_id)

    def units(self) -> list[dict[str, Any]]:
        return [doc for _, doc in self._views.scan(UNITS)]

    def principal(self, principal_id: str) -> dict[str, Any] | None:
        return self._views.get(PRINCIPALS, principal_id)

    def principal_by_key_hash(self, key_hash: str) -> dict[str, Any] | None:
        return self._views.get(PRINCIPALS_BY_KEY, key_hash)

    def lineage(self, jurisdiction_id: str) -> list[str]:
        """The jurisdiction and its ancestors, nearest first."""
        chain: list[str] = []
        current: str | None = jurisdiction_id
        while current is not None and current not in chain:
            chain.append(current)
            doc = self.jurisdiction(current)
            current = None if doc is None else doc.get("parent_id")
        return chain
