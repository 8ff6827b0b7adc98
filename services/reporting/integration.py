"""Stored reporting events -> published contracts: only publications and their withdrawals
leave the service."""

from __future__ import annotations

from typing import Any

from services.reporting.domain import Publication
from shared.contracts import IntegrationPayload
from shared.contracts.reporting import ResultsPublished, ResultsWithdrawn
from shared.contracts.scoring import SchemeRef


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    if isinstance(domain_event, Publication.Published):
        return ResultsPublished(
            campaign_id=domain_event.campaign_id,
            round=domain_event.round_number,
            jurisdiction_id=domain_event.jurisdiction_id,
            version=domain_event.version,
            run_id=domain_event.run_id,
            results_digest=domain_event.results_digest,
            snapshot_digest=domain_event.snapshot_digest,
            scheme=SchemeRef(**domain_event.scheme),
            supersedes=domain_event.supersedes,
            reason=domain_event.reason,
            published_by=domain_event.actor,
        )
    if isinstance(domain_event, Publication.Withdrawn):
        return ResultsWithdrawn(
            campaign_id=domain_event.campaign_id,
            round=domain_event.round_number,
            jurisdiction_id=domain_event.jurisdiction_id,
            version=domain_event.version,
            run_id=domain_event.run_id,
            reason=domain_event.reason,
            withdrawn_by=domain_event.actor,
        )
    return None
