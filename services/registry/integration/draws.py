"""Published facts about random draws: only the outcome, once the seed is revealed.

The commitment and the frozen pool stay in the registry's log until then; publishing the
result carries them all, so a consumer needs no earlier message to check it.
"""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from services.registry.domain.draws import Draw
from shared.contracts import IntegrationPayload
from shared.contracts import registry_people as contract


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    if not isinstance(domain_event, Draw.PanelDrawn):
        return None
    return contract.PanelDrawn(
        draw_id=domain_event.originator_id,
        jurisdiction_id=domain_event.jurisdiction_id,
        campaign_id=domain_event.campaign_id,
        cycle=domain_event.cycle,
        purpose=cast(contract.Purpose, domain_event.purpose),
        size=domain_event.size,
        quotas=cast(dict[contract.Sector, int], dict(domain_event.quotas)),
        commitment=domain_event.commitment,
        seed=domain_event.seed,
        pool_digest=domain_event.pool_digest,
        pool_size=domain_event.pool_size,
        excluded=tuple(UUID(p) for p in domain_event.excluded),
        chosen=tuple(UUID(p) for p in domain_event.chosen),
        actor=domain_event.actor,
    )
