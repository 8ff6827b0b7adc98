"""`pingyi audit export --scheme` takes memory flat in the number of questionnaires: the
stores' logs are read twice (the decisions, then every message), so the engine's fold keeps
records only of the questionnaires a decision names, and the bundle is the same file as
when every record was kept. On the real registry and survey writing to PostgreSQL."""

from __future__ import annotations

import gc
import hashlib
import tracemalloc
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pingyi.audit_bundle import read_bundle
from pingyi.audit_export import export_bundle
from pingyi.audit_search import Compute
from pingyi.audit_stored import StoredMessages
from pingyi.audit_stream import engine
from services.scoring.engine import score_round
from services.scoring.engine.fold.keep import DECISION_TYPES
from shared.contracts.envelope import IntegrationMessage
from shared.persistence.message_log import last_position, read_messages
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.scoring.rounds.helpers import SCHEME, Round, campaign_round
from tests.survey.helpers import CST, created

LEVELS = ("满意", "基本满意", "不满意", "不了解")
PART = 2000
"""Questionnaires per push (one stored batch part each)."""
WITHOUT = ("inspection", "scoring")
START = datetime(2026, 3, 5, 9, 0, tzinfo=CST)
"""In round 1 (the first half of 2026)."""


def _push(cluster: Cluster, rnd: Round, prefix: str, count: int) -> str:
    """`count` questionnaires in one batch; its id."""
    rows = [
        {
            "questionnaire_id": f"{prefix}-{i:06d}",
            "collected_at": (START + timedelta(seconds=i)).isoformat(),
            "channel": "survey_point",
            "ratings": {
                unit_id: LEVELS[(i + k) % len(LEVELS)]
                for k, unit_id in enumerate(rnd.world.unit_ids)
            },
        }
        for i in range(count)
    ]
    body = created(
        cluster["survey"].post(
            f"/waves/{rnd.wave_id}/questionnaires:batch",
            json={"questionnaires": rows},
            headers=rnd.world.agency.headers,
        )
    )
    assert body["accepted"] == count, str(body)
    return str(body["batch_id"])


def _questionnaires(cluster: Cluster, rnd: Round, prefix: str, count: int) -> None:
    for start in range(0, count, PART):
        _push(cluster, rnd, f"{prefix}{start // PART}", min(PART, count - start))


def _withdraw(cluster: Cluster, rnd: Round, batch_id: str) -> None:
    created(
        cluster["survey"].post(
            f"/waves/{rnd.wave_id}/batches/{batch_id}/withdraw",
            json={"reason": "核实为代填问卷"},
            headers=rnd.world.county_office.headers,
        )
    )


def _round_with_a_decision(cluster: Cluster, questionnaires: int) -> Round:
    """The round's questionnaires, and a batch of 10 withdrawn: the fold must keep the
    records its withdrawal names, or the round would count them."""
    rnd = campaign_round(cluster)
    _withdraw(cluster, rnd, _push(cluster, rnd, "W", 10))
    _questionnaires(cluster, rnd, "A", questionnaires)
    return rnd


def _export(common: CommonSettings, rnd: Round, out: Path, compute: Compute) -> Path:
    export_bundle(
        common,
        campaign_id=rnd.campaign_id,
        round_=1,
        scheme=SCHEME,
        out=out,
        compute=compute,
        allowed_missing=WITHOUT,
    )
    return out


def _peak_exporting(common: CommonSettings, rnd: Round, out: Path) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        _export(common, rnd, out, engine())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak


def _counted(path: Path) -> int:
    """The questionnaires the bundle's results count for its first unit (each rates all)."""
    (component,) = read_bundle(path).results["units"][0]["components"]
    return sum(component["inputs"]["counts"].values())


def test_exporting_four_times_the_questionnaires_peaks_at_about_the_same_memory(
    production_settings: CommonSettings, tmp_path: Path
) -> None:
    # Measured with the services stopped: their threads' allocations are traced too.
    with Cluster(production_settings, ["registry", "survey"]) as cluster:
        rnd = _round_with_a_decision(cluster, 6000)
    # Once unmeasured, so that neither peak holds what only a first export loads.
    _export(production_settings, rnd, tmp_path / "first.zip", engine())
    small = _peak_exporting(production_settings, rnd, tmp_path / "small.zip")
    with Cluster(production_settings, ["registry", "survey"]) as cluster:
        _questionnaires(cluster, rnd, "B", 18000)
    large = _peak_exporting(production_settings, rnd, tmp_path / "large.zip")
    assert (_counted(tmp_path / "small.zip"), _counted(tmp_path / "large.zip")) == (6000, 24000)
    # A record kept for every questionnaire took some 2.5 times the small round's peak.
    assert large < 1.25 * small, (small, large)


def _every_record_kept(
    scheme: Mapping[str, Any],
    messages: Iterable[IntegrationMessage],
    campaign: str,
    round_: int,
    revision: int | None,
) -> dict[str, Any]:
    """The engine as the export called it before: one pass, a record of every
    questionnaire kept."""
    assert revision is None
    return score_round(scheme, iter(messages), campaign_id=campaign, round=round_)


def test_the_bundle_is_the_file_exported_with_every_record_kept(
    production_settings: CommonSettings, tmp_path: Path
) -> None:
    with Cluster(production_settings, ["registry", "survey"]) as cluster:
        rnd = _round_with_a_decision(cluster, 300)
    flat = _export(production_settings, rnd, tmp_path / "flat.zip", engine())
    kept = _export(production_settings, rnd, tmp_path / "kept.zip", _every_record_kept)
    assert _counted(flat) == 300  # the withdrawn batch's 10 not counted
    assert hashlib.sha256(flat.read_bytes()).hexdigest() == (
        hashlib.sha256(kept.read_bytes()).hexdigest()
    )


def test_the_stored_messages_read_again_alike_and_the_decisions_alone(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry", "survey"]) as cluster:
        _round_with_a_decision(cluster, 20)
    origins = ["registry", "survey"]
    stops = {origin: last_position(production_settings, origin) or 0 for origin in origins}
    stored = StoredMessages(production_settings, origins, stops)
    every = [m.encode() for m in stored]
    assert every == [
        m.data for origin in origins for m in read_messages(production_settings, origin)
    ]
    assert [m.encode() for m in stored] == every
    decisions = list(stored.of_types(DECISION_TYPES))
    assert [m.event_type for m in decisions] == ["survey.batch.withdrawn"]
    assert [m.encode() for m in decisions] == [m for m in every if b"batch.withdrawn" in m]
