"""Published reporting facts: a campaign round's results released to the public (发布)."""

from __future__ import annotations

from uuid import UUID

from shared.contracts.envelope import IntegrationPayload
from shared.contracts.scoring import SchemeRef


class ResultsPublished(IntegrationPayload):
    """An office released a final round run to the evaluated units and the public.

    `version` counts the round's publications from 1; a later version corrects an earlier
    one (`supersedes` names it, `reason` says why) and the earlier one stays visible as
    superseded. `results_digest` is the run's digest as scoring published it, and
    `snapshot_digest` the canonical-JSON SHA-256 of exactly what was published (the run's
    `scoring.round.scored` payload), so anyone can check a published report against scoring's
    log, a replay or an audit bundle."""

    event_type = "reporting.results.published"
    schema_version = 1
    campaign_id: UUID
    round: int
    jurisdiction_id: UUID
    version: int
    run_id: UUID
    results_digest: str
    snapshot_digest: str
    scheme: SchemeRef
    supersedes: int | None
    reason: str | None
    published_by: str


class ResultsWithdrawn(IntegrationPayload):
    """An office withdrew (撤回) a round's publication made in error: every version published
    before it leaves public view, and the public is told when (the message's time) and why.
    `version` and `run_id` name the version that was in force. Publishing the round again
    later is a new `reporting.results.published` (its `supersedes` null)."""

    event_type = "reporting.results.withdrawn"
    schema_version = 1
    campaign_id: UUID
    round: int
    jurisdiction_id: UUID
    version: int
    run_id: UUID
    reason: str
    withdrawn_by: str
