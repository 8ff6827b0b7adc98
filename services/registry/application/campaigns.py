"""Registry commands for campaigns (评议活动): open and amend. Enrolling their units,
withdrawing them and key targets are `enrolments.EnrolmentCommands`, built on these.

The signatures of open_campaign and campaign are relied on by the importer; keep them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.registry.application.base import as_uuid as base_as_uuid
from services.registry.application.units import UnitCommands
from services.registry.domain import Campaign, CampaignNotFound, InvalidCampaign
from services.registry.domain.campaign_claims import (
    CampaignClaim,
    DuplicateCampaign,
    cycle_key,
    duplicate_campaign,
)
from shared.idempotency import Response
from shared.principals import Principal as Caller

CAMPAIGN_FIELDS = frozenset({"jurisdiction_id", "name", "pattern", "cycle", "phases", "categories"})

ListedCampaigns = Callable[[UUID], Iterable[UUID]]
"""Ids of the campaigns a read model lists in a jurisdiction."""


def nothing_listed(jurisdiction_id: UUID) -> list[UUID]:
    """For callers without a read model (tests of the application alone): claims only."""
    return []


class CampaignCommands(UnitCommands):
    def campaign(self, campaign_id: UUID, field: str = "campaign_id") -> Campaign:
        return self.load(campaign_id, Campaign, CampaignNotFound, field)

    def open_campaign(
        self,
        caller: Caller,
        spec: dict[str, Any],
        key: str | None,
        listed: ListedCampaigns | None = None,
    ) -> Response:
        """spec: jurisdiction_id, name, pattern (code or Chinese label), cycle {length, rounds,
        starts_on, ends_on}, phases [{name, starts_on, ends_on}], categories [str].

        A campaign of the same jurisdiction, pattern and cycle is a 409 `duplicate_campaign`
        naming it (`campaign_id`); `listed`: the read model's campaigns of a jurisdiction,
        for those opened before campaigns were claimed."""

        def command() -> tuple[list[Any], Response]:
            unknown = sorted(set(spec) - CAMPAIGN_FIELDS)
            if unknown:
                raise InvalidCampaign(
                    "评议活动没有这个字段 (not a campaign field)", field=unknown[0]
                )
            jurisdiction_id = as_uuid(spec.get("jurisdiction_id"), "jurisdiction_id")
            self.jurisdiction(jurisdiction_id)
            campaign = Campaign.open(
                jurisdiction_id=jurisdiction_id,
                name=spec.get("name", ""),
                pattern=spec.get("pattern", ""),
                cycle=spec.get("cycle") or {},
                phases=spec.get("phases") or [],
                categories=spec.get("categories") or [],
                actor=caller.actor,
            )
            claim = self._claim_cycle(campaign, listed or nothing_listed)
            return [campaign, claim], campaign_out(campaign)

        return self.idempotent(caller, "campaign", key, spec, command)

    def _claim_cycle(self, campaign: Campaign, listed: ListedCampaigns) -> CampaignClaim:
        """The new campaign's claim on its jurisdiction, pattern and cycle, or the refusal
        naming the campaign that holds them."""
        cycle = cycle_key(campaign.pattern, campaign.cycle)
        claim_id = CampaignClaim.id_for(campaign.jurisdiction_id, cycle)
        try:
            held: CampaignClaim = self.repository.get(claim_id)
        except AggregateNotFoundError:
            pass
        else:
            raise self._duplicate(self.campaign(held.campaign_id))
        # Campaigns opened before claims existed hold none: the read model lists them, and
        # each is judged by its own events.
        for other_id in listed(campaign.jurisdiction_id):
            other = self.campaign(other_id)
            if other.id != campaign.id and cycle_key(other.pattern, other.cycle) == cycle:
                raise self._duplicate(other)
        return CampaignClaim(campaign.jurisdiction_id, cycle, campaign.id)

    @staticmethod
    def _duplicate(holder: Campaign) -> DuplicateCampaign:
        return duplicate_campaign(holder.id, holder.name, holder.pattern, holder.cycle)

    def amend_phases(
        self,
        caller: Caller,
        campaign_id: UUID,
        phases: list[dict[str, Any]],
        reason: str,
        key: str | None = None,
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            campaign = self.campaign(campaign_id)
            campaign.amend_phases(phases, reason, caller.actor)
            return [campaign], campaign_out(campaign)

        request = {"campaign_id": campaign_id, "phases": phases, "reason": reason}
        return self.idempotent(caller, "campaign.phases", key, request, command)

    def amend_categories(
        self,
        caller: Caller,
        campaign_id: UUID,
        categories: list[str],
        reason: str,
        key: str | None = None,
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            campaign = self.campaign(campaign_id)
            campaign.amend_categories(categories, reason, caller.actor)
            return [campaign], campaign_out(campaign)

        request = {"campaign_id": campaign_id, "categories": categories, "reason": reason}
        return self.idempotent(caller, "campaign.categories", key, request, command)


def as_uuid(value: object, field: str) -> UUID:
    return base_as_uuid(value, field, InvalidCampaign)


def campaign_out(c: Campaign) -> Response:
    return {
        "campaign_id": str(c.id),
        "jurisdiction_id": str(c.jurisdiction_id),
        "name": c.name,
        "pattern": {"code": c.pattern, "label": c.pattern_label},
        "cycle": c.cycle | {"round_windows": c.round_windows()},
        "phases": [dict(p) for p in c.phases],
        "categories": list(c.categories),
        "enrolment_counts": c.enrolment_counts(),
        "key_target_count": c.key_target_count(),
        "amendments": [dict(a) for a in c.amendments],
        "opened_by": c.opened_by,
    }
