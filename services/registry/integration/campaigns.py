"""Published facts about campaigns, enrolments and key evaluation targets."""

from __future__ import annotations

from typing import Any, cast

from services.registry.domain import KEY_TARGET_REASONS, PROGRAM_PATTERNS, Campaign
from services.registry.domain.campaign_schedule import round_windows
from shared.contracts import IntegrationPayload
from shared.contracts import registry_campaigns as contract


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    mapper = _MAPPERS.get(type(domain_event))
    return None if mapper is None else mapper(domain_event)


def _opened(e: Campaign.Opened) -> IntegrationPayload:
    return contract.CampaignOpened(
        campaign_id=e.originator_id,
        jurisdiction_id=e.jurisdiction_id,
        name=e.name,
        pattern=contract.Pattern(code=e.pattern, label=PROGRAM_PATTERNS[e.pattern]),
        cycle=contract.Cycle.model_validate(e.cycle | {"round_windows": round_windows(e.cycle)}),
        phases=_phases(e.phases),
        categories=tuple(e.categories),
        actor=e.actor,
    )


def _phases(phases: list[dict[str, str]]) -> tuple[contract.Phase, ...]:
    return tuple(contract.Phase.model_validate(p) for p in phases)


def _phases_amended(e: Campaign.PhasesAmended) -> IntegrationPayload:
    return contract.CampaignPhasesAmended(
        campaign_id=e.originator_id, phases=_phases(e.phases), reason=e.reason, actor=e.actor
    )


def _categories_amended(e: Campaign.CategoriesAmended) -> IntegrationPayload:
    return contract.CampaignCategoriesAmended(
        campaign_id=e.originator_id,
        categories=tuple(e.categories),
        reason=e.reason,
        actor=e.actor,
    )


def _enrolled(e: Campaign.UnitEnrolled) -> IntegrationPayload:
    return contract.UnitEnrolled(
        campaign_id=e.originator_id, unit_id=e.unit_id, category=e.category, actor=e.actor
    )


def _withdrawn(e: Campaign.UnitWithdrawn) -> IntegrationPayload:
    return contract.UnitWithdrawn(
        campaign_id=e.originator_id, unit_id=e.unit_id, reason=e.reason, actor=e.actor
    )


def _designated(e: Campaign.KeyTargetDesignated) -> IntegrationPayload:
    return contract.KeyTargetDesignated(
        campaign_id=e.originator_id,
        unit_id=e.unit_id,
        reason_code=cast(contract.KeyTargetReason, e.reason_code),
        reason_label=KEY_TARGET_REASONS[e.reason_code],
        reason=e.reason,
        actor=e.actor,
    )


def _revoked(e: Campaign.KeyTargetRevoked) -> IntegrationPayload:
    return contract.KeyTargetRevoked(
        campaign_id=e.originator_id, unit_id=e.unit_id, reason=e.reason, actor=e.actor
    )


_MAPPERS: dict[type[Any], Any] = {
    Campaign.Opened: _opened,
    Campaign.PhasesAmended: _phases_amended,
    Campaign.CategoriesAmended: _categories_amended,
    Campaign.UnitEnrolled: _enrolled,
    Campaign.UnitWithdrawn: _withdrawn,
    Campaign.KeyTargetDesignated: _designated,
    Campaign.KeyTargetRevoked: _revoked,
}
