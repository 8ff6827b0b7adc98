"""Published facts about jurisdictions and units.

Kept internal: SubUnitAttached (the parent's own bookkeeping; consumers see `parent_id` on the
sub-unit's UnitRegistered), MergedInto and FormedBySplit (UnitsMerged and UnitSplit already
name every unit involved, so publishing them too would state the same fact twice).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from services.registry.domain import Jurisdiction, Unit
from shared.contracts import IntegrationPayload
from shared.contracts import registry as contract


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    if isinstance(domain_event, Jurisdiction.Registered):
        return contract.JurisdictionRegistered(
            jurisdiction_id=domain_event.originator_id,
            name=domain_event.name,
            level=domain_event.level,
            parent_id=domain_event.parent_id,
        )
    if isinstance(domain_event, Unit.Registered):
        return _registered(domain_event)
    if isinstance(domain_event, Unit.Changed):
        return _changed(domain_event)
    if isinstance(domain_event, Unit.EffectiveDateCorrected):
        return contract.UnitEffectiveDateCorrected(
            unit_id=domain_event.originator_id,
            effective_on=date.fromisoformat(domain_event.effective_on),
            previous_effective_on=date.fromisoformat(domain_event.previous_effective_on),
            reason=domain_event.reason,
            actor=domain_event.actor,
        )
    return None


def _registered(e: Unit.Registered) -> contract.UnitRegistered:
    return contract.UnitRegistered(
        unit_id=e.originator_id,
        jurisdiction_id=e.jurisdiction_id,
        name=e.name.strip(),
        short_name=(e.short_name or "").strip() or None,
        kind=e.kind,
        category=e.category.strip(),
        parent_id=e.parent_id,
        vertical_superior=e.vertical_superior,
        credit_code=e.credit_code,
        # Unstated: copies derive the recording day themselves, and an export leaves it blank.
        effective_on=(
            date.fromisoformat(e.effective_on) if e.effective_on and e.effective_on_stated else None
        ),
        # Events upcast from v1/v2 carry the actor too; it was always stored.
        actor=e.actor,
    )


def _changed(e: Unit.Changed) -> IntegrationPayload | None:
    common: dict[str, Any] = {
        "effective_on": date.fromisoformat(e.effective_on),
        "reason": e.reason,
        "actor": e.actor,
    }
    if isinstance(e, Unit.Renamed):
        return contract.UnitRenamed(
            unit_id=e.originator_id,
            old_name=e.old_name,
            new_name=e.new_name,
            old_short_name=e.old_short_name,
            new_short_name=e.new_short_name,
            **common,
        )
    if isinstance(e, Unit.Moved):
        return contract.UnitMoved(
            unit_id=e.originator_id,
            from_jurisdiction_id=e.from_jurisdiction_id,
            to_jurisdiction_id=e.to_jurisdiction_id,
            **common,
        )
    if isinstance(e, Unit.Dissolved):
        return contract.UnitDissolved(unit_id=e.originator_id, **common)
    if isinstance(e, Unit.FormedByMerger):
        return contract.UnitsMerged(
            new_unit_id=e.originator_id,
            source_unit_ids=tuple(e.source_unit_ids),
            name=e.name,
            **common,
        )
    if isinstance(e, Unit.SplitUp):
        return contract.UnitSplit(
            source_unit_id=e.originator_id, new_unit_ids=tuple(e.new_unit_ids), **common
        )
    return None
