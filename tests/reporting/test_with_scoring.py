"""Reporting behind the real scoring service (memory mode): questionnaires pushed to survey,
scored by scoring, ranked by reporting; the ranking names exactly the run it shows."""

from __future__ import annotations

from typing import Any

from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.survey.helpers import GOV, World, created, open_wave, push, questionnaire, seed_world


def _rankings(cluster: Cluster, world: World, wave_id: str) -> dict[str, Any]:
    cluster.wait_caught_up("scoring", "survey")
    cluster.wait_caught_up("reporting", "scoring")
    response = cluster["reporting"].get(
        f"/waves/{wave_id}/rankings", headers=world.city_office.headers
    )
    return created(response)


def _entries(rankings: dict[str, Any]) -> list[tuple[int | None, str, str | None]]:
    [category] = rankings["categories"]
    assert category["category"] == GOV
    return [(e["rank"], e["unit_name"], e["score"]) for e in category["entries"]]


def _matches_run(rankings: dict[str, Any], run: dict[str, Any]) -> None:
    for key in ("run_id", "final", "scheme", "upstream_positions", "inputs_digest"):
        assert rankings[key] == run[key], key
    assert rankings["results_digest"] == run["results_digest"]
    by_unit = {r["unit_id"]: r for r in run["results"]}
    for entry in rankings["categories"][0]["entries"]:
        result = by_unit[entry["unit_id"]]
        assert (entry["score"], entry["counts"]) == (result["score"], result["counts"])
        assert entry["result_digest"] == result["result_digest"]


def test_provisional_then_final_ranking_from_the_scoring_service(
    memory_settings: CommonSettings,
) -> None:
    with Cluster(memory_settings, ["registry", "survey", "scoring", "reporting"]) as cluster:
        world = seed_world(cluster)
        cluster.wait_caught_up("scoring", "registry")
        cluster.wait_caught_up("reporting", "registry")
        police, education, power = world.unit_ids
        wave_id = open_wave(cluster, world)["wave_id"]
        batch = [
            questionnaire("Q-1", [police, education], "满意"),
            questionnaire("Q-2", [police], "满意"),
            questionnaire("Q-3", [education], "不满意"),
            questionnaire("Q-4", [power], "不了解"),
        ]
        created(push(cluster, wave_id, batch, world.agency.headers, key="batch-1"))
        cluster.wait_caught_up("scoring", "survey")

        scoring = cluster["scoring"]
        office = world.county_office.headers
        provisional = created(scoring.post(f"/waves/{wave_id}/score-runs", headers=office))
        shown = _rankings(cluster, world, wave_id)
        assert shown["final"] is False
        _matches_run(shown, provisional)
        ranked = _entries(shown)
        assert [(rank, name) for rank, name, _ in ranked] == [
            (1, "舞阳县公安局"),
            (2, "舞阳县教育局"),
            (None, "舞阳县供电公司"),
        ]
        assert ranked[2][2] is None

        closed = cluster["survey"].post(
            f"/waves/{wave_id}/close", json={"reason": "问卷回收完毕"}, headers=office
        )
        created(closed)
        final = _rankings(cluster, world, wave_id)
        runs = created(scoring.get(f"/waves/{wave_id}/score-runs", headers=office))
        final_run = next(r for r in runs if r["final"])
        assert final["final"] is True and final["run_id"] == final_run["run_id"]
        _matches_run(
            final, created(scoring.get(f"/score-runs/{final_run['run_id']}", headers=office))
        )
        history = cluster["reporting"].get("/waves", headers=world.auditor.headers).json()
        assert [(r["run_id"], r["final"]) for r in history[0]["runs"]] == [
            (provisional["run_id"], False),
            (final_run["run_id"], True),
        ]
