"""The campaign and round a fact counts toward, checked against inspection's copy of the
registry's campaigns (the `registry_copy` view, fed from the registry's published log).

Every area that takes a `campaign_id` checks it here before recording anything: the
campaign must be one the registry opened, and a round must be one of its rounds (a
whole-cycle campaign has one, a half-yearly one two a year, as its round windows say). A
campaign opened a moment ago may not have reached the copy yet: the answer is then 404
`campaign_not_found` until it has, never a fact counted toward a campaign that is unknown.
"""

from __future__ import annotations

from uuid import UUID

from services.inspection.domain import CampaignNotFound, InspectionError
from shared.errors import InvalidError
from shared.runtime import ServiceRuntime


class RoundOutsideCampaign(InspectionError, InvalidError):
    code = "round_outside_campaign"


def check_counted(runtime: ServiceRuntime, campaign_id: UUID | None, round_: int | None) -> None:
    """A round without its campaign is each area's own rule (it refuses it by field)."""
    if campaign_id is None:
        return
    campaign = runtime.campaigns.campaign(str(campaign_id))
    if campaign is None:
        raise CampaignNotFound("no such campaign", field="campaign_id")
    rounds = len(campaign.get("round_windows") or ())
    if round_ is not None and rounds and not 1 <= round_ <= rounds:
        raise RoundOutsideCampaign(
            f"the campaign has {rounds} round(s): 1 to {rounds}", field="round"
        )
