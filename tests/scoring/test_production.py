"""Scoring's thin path against real PostgreSQL and NATS JetStream: registry and survey facts
arrive over JetStream, the close produces the final run, and replay reads the PostgreSQL
logs and agrees byte for byte."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from pingyi.replay import verify
from shared.contracts.scoring import ScoreComputed
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster, wait_caught_up
from tests.scoring.helpers import (
    caught_up,
    close_wave,
    ok,
    open_wave,
    pattern,
    push,
    score_runs,
    seed_world,
)
from tests.survey.helpers import read_stream

pytestmark = pytest.mark.infra


def test_close_final_run_and_replay_on_postgres_and_nats(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry", "survey", "scoring"]) as cluster:
        world = seed_world(cluster)
        wave_id = open_wave(cluster, world)
        ratings = pattern(world, ("满意", "基本满意", "不了解"), ("不满意", "满意", "满意"))
        push(cluster, world, wave_id, ratings, "PG")
        caught_up(cluster)
        provisional = ok(
            cluster["scoring"].post(f"/waves/{wave_id}/score-runs", headers=world.county_office)
        )
        close_wave(cluster, world, wave_id)
        caught_up(cluster)

        runs = score_runs(cluster, wave_id, world.auditor)
        provisional_listed, final = runs
        assert provisional_listed["run_id"] == provisional["run_id"] and final["final"]
        full = ok(cluster["scoring"].get(f"/score-runs/{final['run_id']}", headers=ADMIN))
        scores = {r["unit_id"]: (r["satisfaction_rate"], r["score"]) for r in full["results"]}
        assert scores == {
            world.unit_ids[0]: ("50.00", "50.00"),
            world.unit_ids[1]: ("100.00", "90.00"),
            world.unit_ids[2]: ("100.00", "100.00"),
        }
        wait_caught_up(
            lambda: cluster.head("scoring"),
            lambda: cluster["scoring"].get("/readyz").json()["checks"]["relay"]["published_to"],
            "scoring relay -> JetStream",
        )

    computed = read_stream(production_settings.namespace, "scoring")
    assert [m.payload["run_id"] for m in computed] == [provisional["run_id"], final["run_id"]]
    payload = ScoreComputed.model_validate(computed[-1].payload)
    assert payload.results_digest == full["results_digest"] and payload.final

    results = verify(production_settings)
    assert [str(r.run_id) for r in results] == [provisional["run_id"], final["run_id"]]
    assert all(r.identical for r in results), [r.as_dict() for r in results]
    assert results[-1].run_id == UUID(final["run_id"])


def test_a_rename_mid_wave_replays_on_postgres_and_nats(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry", "survey", "scoring"]) as cluster:
        world = seed_world(cluster)
        unit_id = world.unit_ids[0]
        wave_id = open_wave(cluster, world)
        push(cluster, world, wave_id, pattern(world, ("满意", "满意", "满意")), "PG")
        caught_up(cluster)
        before = ok(
            cluster["scoring"].post(f"/waves/{wave_id}/score-runs", headers=world.county_office)
        )
        rename = {"name": "舞阳县公安分局", "reason": "机构改革更名"}
        ok(cluster["registry"].post(f"/units/{unit_id}/rename", json=rename, headers=ADMIN))
        caught_up(cluster)
        close_wave(cluster, world, wave_id)
        caught_up(cluster)
        _, final = score_runs(cluster, wave_id, world.auditor)
        full = ok(cluster["scoring"].get(f"/score-runs/{final['run_id']}", headers=ADMIN))

    def name(run: dict[str, Any]) -> str:
        return str(next(r["unit_name"] for r in run["results"] if r["unit_id"] == unit_id))

    assert (name(before), name(full)) == (world.unit_names[unit_id], "舞阳县公安分局")
    results = verify(production_settings)
    assert [str(r.run_id) for r in results] == [before["run_id"], final["run_id"]]
    assert all(r.identical for r in results), [r.as_dict() for r in results]
