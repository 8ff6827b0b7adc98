"""Stored scoring events -> published contracts. Only computed runs (of waves and of campaign
rounds) leave the service; the roster, tallies, input batches, schemes and queues are internal
bookkeeping."""

from __future__ import annotations

from typing import Any

from services.scoring.domain import ScoreRun
from services.scoring.rounds.domain import RoundRun
from shared.contracts import IntegrationPayload
from shared.contracts import scoring as contract


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    if isinstance(domain_event, ScoreRun.Computed):
        return contract.ScoreComputed(
            run_id=domain_event.originator_id,
            wave_id=domain_event.wave_id,
            jurisdiction_id=domain_event.jurisdiction_id,
            wave_name=domain_event.wave_name,
            final=domain_event.final,
            scheme=contract.SchemeRef(**domain_event.scheme),
            upstream_positions=dict(domain_event.upstream_positions),
            inputs_digest=domain_event.inputs_digest,
            results=tuple(contract.UnitScore(**result) for result in domain_event.results),
            results_digest=domain_event.results_digest,
        )
    if isinstance(domain_event, RoundRun.Computed):
        return round_scored(domain_event)
    return None


_ROUND_FIELDS = frozenset(contract.RoundScored.model_fields)


def round_scored(computed: RoundRun.Computed) -> contract.RoundScored:
    """The engine's results document as published: what the contract names, plus the run's
    identity, finality, jurisdiction and provenance."""
    published = {k: v for k, v in computed.results.items() if k in _ROUND_FIELDS}
    return contract.RoundScored.model_validate(
        published
        | {
            "run_id": computed.originator_id,
            "final": computed.final,
            "jurisdiction_id": computed.jurisdiction_id,
            "upstream_positions": dict(computed.upstream_positions),
        }
    )
