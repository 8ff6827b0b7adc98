"""Auditors' replay, composed: scoring's verifiers given the upstream logs to read — the
wave runs of the first release (their own folds) and the campaign-round runs (the engine on
the upstreams' published messages)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from pingyi.composition import open_outbox
from services.scoring.application import ScoringApplication
from services.scoring.replay import REPLAYED_STORES, NothingToVerify, VerifyResult
from services.scoring.replay import verify as verify_runs
from services.scoring.replay_checks import missing_stores
from services.scoring.rounds.replay import RoundVerdict, verify_rounds
from services.scoring.settings import ScoringSettings
from shared.persistence.message_log import store_location
from shared.settings import CommonSettings, eventsourcing_env


def verify(
    common: CommonSettings, run_ids: Iterable[UUID] | None = None, **options: Any
) -> list[VerifyResult | RoundVerdict]:
    """Every stored score run (or the given wave runs) recomputed from the stored logs."""
    chosen = None if run_ids is None else list(run_ids)
    missing = missing_stores(common, REPLAYED_STORES)
    if missing is not None:
        raise NothingToVerify(missing)
    waves: list[VerifyResult | RoundVerdict] = []
    try:
        waves.extend(
            verify_runs(
                common, chosen, open_log=lambda service: open_outbox(service, common), **options
            )
        )
    except NothingToVerify:
        if chosen is not None:
            raise
    rounds = [] if chosen is not None else _verify_rounds(common)
    if not waves and not rounds:
        raise NothingToVerify(
            f"no score run is stored in {store_location(common, 'scoring')}: nothing to verify"
        )
    return [*waves, *rounds]


def _verify_rounds(common: CommonSettings) -> list[RoundVerdict]:
    env = eventsourcing_env(common, "scoring", ScoringSettings().postgres_schema)
    app = ScoringApplication(env)
    try:
        return verify_rounds(common, app)
    finally:
        app.close()


def verify_run(common: CommonSettings, run_id: UUID, **options: Any) -> VerifyResult:
    found = verify(common, [run_id], **options)[0]
    assert isinstance(found, VerifyResult)
    return found
