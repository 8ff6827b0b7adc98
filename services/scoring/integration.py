"""Stored scoring events -> published contracts. Only computed round runs leave the service;
input batches, schemes and run indexes are internal bookkeeping (and the first release's
wave runs, `services.scoring.retired`, are never published again)."""

from __future__ import annotations

from typing import Any

from services.scoring.rounds.domain import RoundRun
from shared.contracts import IntegrationPayload
from shared.contracts import scoring as contract


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    if isinstance(domain_event, RoundRun.Computed):
        return round_scored(domain_event)
    return None


_ROUND_FIELDS = frozenset(contract.RoundScored.model_fields)


def round_scored(computed: RoundRun.Computed) -> contract.RoundScored:
    """The engine's results document as published: what the contract names, plus the run's
    identity, finality, reason and the final it replaced, jurisdiction and provenance, and
    the order of the scheme's lists (the engine names them in the scheme's order,
    `list_names`, which the encoding of an object does not keep)."""
    published = {k: v for k, v in computed.results.items() if k in _ROUND_FIELDS}
    return contract.RoundScored.model_validate(
        published
        | {
            "run_id": computed.originator_id,
            "final": computed.final,
            "jurisdiction_id": computed.jurisdiction_id,
            "upstream_positions": dict(computed.upstream_positions),
            "list_order": tuple(computed.results.get("list_names") or ()),
            # What the office said, and the final it replaced (None before `Computed` v2).
            "reason": computed.reason,
            "replaces": computed.replaces,
        }
    )
