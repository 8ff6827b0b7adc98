"""Keys that speak for a unit follow it. A unit key is bound where its unit is: when the
unit moves, its keys' jurisdiction moves with it (the office of its new place sees and
revokes them, the old one no longer does, and the key's scope is the new place); when the
unit ends (merged, split, dissolved) its keys say so (`unit_status`), and writes with them
are refused (`shared.policy.checks`). The key's own record keeps the place it was issued
in; read models apply the unit's later facts to it.

A read model keeps, per unit, the ids of the keys issued for it (`index`), and says how to
change one key's documents (`update`); these handlers keep the index and apply each move
and end to the unit's keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.contracts import IntegrationMessage
from shared.contracts.registry import (
    PrincipalIssued,
    UnitDissolved,
    UnitMoved,
    UnitsMerged,
    UnitSplit,
    ended_units,
)
from shared.messaging.inbox import ViewHandler
from shared.views import ViewTransaction

KeyUpdate = Callable[[ViewTransaction, str, dict[str, Any]], None]
"""(transaction, principal id, the fields to set) -> write that key's documents."""


def unit_key_handlers(index: str, update: KeyUpdate) -> dict[Any, ViewHandler]:
    def issued(tx: ViewTransaction, p: PrincipalIssued, m: IntegrationMessage) -> None:
        if p.unit_id is None:
            return
        known = tx.get(index, str(p.unit_id)) or {"principal_ids": []}
        ids = [*known["principal_ids"], str(p.principal_id)]
        tx.put(index, str(p.unit_id), {"principal_ids": ids})

    def apply(tx: ViewTransaction, unit_id: str, changes: dict[str, Any]) -> None:
        for principal_id in (tx.get(index, unit_id) or {}).get("principal_ids", []):
            update(tx, principal_id, changes)

    def moved(tx: ViewTransaction, p: UnitMoved, m: IntegrationMessage) -> None:
        apply(tx, str(p.unit_id), {"jurisdiction_id": str(p.to_jurisdiction_id)})

    def ended(tx: ViewTransaction, p: Any, m: IntegrationMessage) -> None:
        for unit_id, status in ended_units(p).items():
            apply(tx, str(unit_id), {"unit_status": status})

    return {
        PrincipalIssued: issued,
        UnitMoved: moved,
        UnitsMerged: ended,
        UnitSplit: ended,
        UnitDissolved: ended,
    }
