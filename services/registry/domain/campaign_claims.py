"""One campaign per jurisdiction, program pattern and cycle (同一辖区同一评议形式每周期只开展一次).

Reporting links a jurisdiction's campaigns of one pattern cycle by cycle (a unit's trend
across cycles, this cycle against the last): two campaigns of one pattern for the same cycle
would split a unit's results between them and leave "its result for that cycle" undefined.
So opening a campaign whose jurisdiction, pattern and cycle (the days it starts and ends) an
open campaign already has is refused, naming that campaign, whatever either is called.

A `CampaignClaim` records which campaign holds a (jurisdiction, pattern, cycle). Its id
derives from the three, so two requests racing to open the same campaign both create the
same aggregate and the second clashes on save, as `UnitNameClaim` does for unit names.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.registry.domain.campaign_schedule import PROGRAM_PATTERNS
from services.registry.domain.errors import RegistryError
from shared.errors import ConflictError

CAMPAIGN_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/campaign-cycle")


class DuplicateCampaign(RegistryError, ConflictError):
    code = "duplicate_campaign"


def cycle_key(pattern: str, cycle: Mapping[str, str]) -> str:
    """What makes two campaigns of one jurisdiction the same: the pattern and the days the
    cycle runs (its length and rounds say how it is run, not which cycle it is)."""
    return f"{pattern}/{cycle['starts_on']}/{cycle['ends_on']}"


class CampaignClaim(Aggregate):
    """Which campaign runs one pattern for one cycle in one jurisdiction."""

    class Claimed(Aggregate.Created):
        jurisdiction_id: UUID
        cycle_key: str
        campaign_id: UUID

    @event(Claimed)
    def __init__(self, jurisdiction_id: UUID, cycle_key: str, campaign_id: UUID) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.cycle_key = cycle_key
        self.campaign_id = campaign_id

    @staticmethod
    def create_id(jurisdiction_id: UUID, cycle_key: str, campaign_id: UUID) -> UUID:
        return CampaignClaim.id_for(jurisdiction_id, cycle_key)

    @staticmethod
    def id_for(jurisdiction_id: UUID, key: str) -> UUID:
        return uuid5(CAMPAIGN_NAMESPACE, f"{jurisdiction_id}/{key}")


def duplicate_campaign(
    campaign_id: UUID, name: str, pattern: str, cycle: Mapping[str, str]
) -> DuplicateCampaign:
    label = PROGRAM_PATTERNS.get(pattern, pattern)
    return DuplicateCampaign(
        f"该辖区本周期已开展同一评议活动{label}: {name} "
        f"({cycle['starts_on']} 至 {cycle['ends_on']}) "
        f"(this jurisdiction already runs {pattern} for the cycle {cycle['starts_on']} to "
        f"{cycle['ends_on']}: {name})",
        field="cycle",
        campaign_id=str(campaign_id),
        name=name,
    )
