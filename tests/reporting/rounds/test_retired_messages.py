"""A scoring log written by the first release still feeds reporting: its
`scoring.score.computed` messages (retired wave runs) are passed over, and the round runs
published after them are applied as on any other log (embedded, the real services)."""

from __future__ import annotations

from services.scoring.application import ScoringApplication
from services.scoring.settings import ScoringSettings
from shared.settings import CommonSettings, eventsourcing_env
from tests.harness import ADMIN, Cluster
from tests.reporting.rounds.helpers import SERVICES, run, scored_round
from tests.scoring.retired_log import append_to_sqlite, rows


def test_retired_wave_run_messages_are_passed_over(embedded_settings: CommonSettings) -> None:
    env = eventsourcing_env(embedded_settings, "scoring", ScoringSettings().postgres_schema)
    ScoringApplication(env).close()  # the store, as the first release created it
    append_to_sqlite(embedded_settings.data_dir / "scoring.sqlite")
    legacy = len(rows())

    with Cluster(embedded_settings, SERVICES) as cluster:
        scored = scored_round(cluster)
        final = run(scored, final=True, reason="上半年结果")  # reporting caught up with scoring
        consumers = cluster["reporting"].get("/positions", headers=ADMIN).json()["consumers"]
        assert consumers["scoring"] > legacy
        results = scored.reporting.get(scored.path("/rounds/1/results"), headers=scored.office)
        assert results.status_code == 200, results.text
        assert results.json()["run_id"] == final["run_id"]
        # Scoring itself runs on that log: its round runs follow the retired records.
        assert cluster.head("scoring") > legacy
