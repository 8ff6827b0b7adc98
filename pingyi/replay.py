"""Auditors' replay, composed: every campaign-round run stored in scoring's log recomputed by
the engine from the upstreams' published logs; the first release's wave runs named as
retired (not verified, never a failure). A run whose logs could not be read was not compared
(`unchecked`): it is neither identical nor different."""

from __future__ import annotations

from pingyi.audit_words import said
from services.scoring.application import ScoringApplication
from services.scoring.replay import (
    REPLAYED_STORES,
    NothingToVerify,
    RetiredRun,
    retired_wave_runs,
)
from services.scoring.rounds.replay import Spread, verify_rounds
from services.scoring.rounds.verdicts import RoundVerdict
from services.scoring.settings import ScoringSettings
from shared.persistence.message_log import missing_stores, store_location
from shared.settings import CommonSettings, eventsourcing_env


def unchecked(verdict: RoundVerdict) -> bool:
    """Whether the run could not be compared at all: its logs could not be read."""
    return verdict.unread


def verify(
    common: CommonSettings, spread: Spread = Spread()
) -> tuple[list[RoundVerdict], list[RetiredRun]]:
    """(the round runs' verdicts, the retired wave runs), each in the order stored. Raises
    `NothingToVerify` when the stores are missing or hold no round run."""
    missing = missing_stores(common, REPLAYED_STORES)
    if missing is not None:
        raise NothingToVerify(missing)
    env = eventsourcing_env(common, "scoring", ScoringSettings().postgres_schema)
    app = ScoringApplication(env)
    try:
        rounds = verify_rounds(common, app, spread)
        retired = retired_wave_runs(app)
    finally:
        app.close()
    if not rounds:
        raise NothingToVerify(no_score_run(store_location(common, "scoring"), len(retired)))
    return rounds, retired


def no_score_run(where: str, retired: int) -> str:
    """Chinese first, the English after it whole, as the replay's other refusals are."""
    zh = f" (有 {retired} 次已停用的波次计分运行, 不予核对)" if retired else ""
    en = f" ({retired} retired wave runs are not verified)" if retired else ""
    return said(
        f"{where} 中没有存储任何计分运行{zh}: 无可核对",
        f"no score run is stored in {where}{en}: nothing to verify",
    )
