"""Round scoring against real PostgreSQL and NATS JetStream: the upstream facts arrive over
JetStream, runs publish `scoring.round.scored` on it, and replay reads the PostgreSQL logs and
agrees byte for byte — also across a rename of a unit between two runs."""

from __future__ import annotations

import pytest

from pingyi.replay import verify
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster, wait_caught_up
from tests.scoring.rounds.helpers import assign, campaign_round, caught_up, push, request_run
from tests.survey.helpers import read_stream

pytestmark = pytest.mark.infra


def test_round_runs_publish_and_replay_on_postgres_and_nats(
    production_settings: CommonSettings,
) -> None:
    services = ["registry", "survey", "inspection", "scoring"]
    with Cluster(production_settings, services) as cluster:
        rnd = campaign_round(cluster)
        unit_id = rnd.world.unit_ids[0]
        push(
            cluster["survey"],
            rnd,
            [("满意", "基本满意", "不了解"), ("不满意", "满意", "满意")],
            "PG",
        )
        caught_up(cluster)
        assign(cluster, rnd)
        before = request_run(cluster, rnd, final=False, reason="中期")
        rename = {"name": "舞阳县公安分局", "reason": "机构改革更名"}
        renamed = cluster["registry"].post(f"/units/{unit_id}/rename", json=rename, headers=ADMIN)
        assert renamed.status_code == 200, renamed.text
        push(cluster["survey"], rnd, [("满意", "满意", "满意")], "PG2")
        caught_up(cluster)
        final = request_run(cluster, rnd, final=True, reason="上半年结果")
        wait_caught_up(
            lambda: cluster.head("scoring"),
            lambda: cluster["scoring"].get("/readyz").json()["checks"]["relay"]["published_to"],
            "scoring relay -> JetStream",
        )

    def scores(run: dict[str, object]) -> dict[str, tuple[str, str]]:
        units = run["results"]["units"]  # type: ignore[index]
        return {u["unit_id"]: (u["unit_name"], u["score"]) for u in units}

    # 满意 100, 不满意 0: (100 + 0) / 2, then (100 + 0 + 100) / 3 under the new name.
    assert scores(before)[unit_id] == ("舞阳县公安局", "50.00")
    assert scores(final)[unit_id] == ("舞阳县公安分局", "66.67")

    published = read_stream(production_settings.namespace, "scoring")
    scored = [m for m in published if m.event_type == "scoring.round.scored"]
    assert [m.payload["run_id"] for m in scored] == [before["run_id"], final["run_id"]]
    assert scored[-1].payload["results_digest"] == final["results_digest"]

    rounds, retired = verify(production_settings)
    assert [r.run_id for r in rounds] == [before["run_id"], final["run_id"]]
    assert all(r.identical for r in rounds), [r.rows() for r in rounds]
    assert retired == []
