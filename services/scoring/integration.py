"""Stored scoring events -> published contracts. Only computed runs leave the service;
the roster, tallies and the final-run queue are internal bookkeeping."""

from __future__ import annotations

from typing import Any

from services.scoring.domain import ScoreRun
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
    return None
