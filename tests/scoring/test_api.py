"""Scoring over HTTP in memory mode, fed by the real registry and survey services."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from shared.settings import CommonSettings
from shared.views.base import encode_cursor
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.pages import assert_bad_cursor, assert_pages_match
from tests.scoring.helpers import (
    World,
    caught_up,
    close_wave,
    ok,
    open_wave,
    pattern,
    push,
    score_runs,
    seed_world,
)


@pytest.fixture(scope="module")
def scored() -> Iterator[tuple[Cluster, World, str]]:
    """One world, one wave with a few questionnaires, still open."""
    with Cluster(in_memory(), ["registry", "survey", "scoring"]) as cluster:
        world = seed_world(cluster)
        wave_id = open_wave(cluster, world)
        push(cluster, world, wave_id, pattern(world, ("满意", "基本满意", "不满意")), "API")
        caught_up(cluster)
        yield cluster, world, wave_id


def test_an_office_requests_a_provisional_run_once(scored: tuple[Cluster, World, str]) -> None:
    cluster, world, wave_id = scored
    scoring = cluster["scoring"]
    first = scoring.post(f"/waves/{wave_id}/score-runs", headers=world.county_office)
    assert first.status_code == 201, first.text
    run = first.json()
    assert run["final"] is False and run["trigger"] == "requested"
    assert run["scheme"]["scheme_id"] == "satisfaction" and run["scheme"]["version"] == 1
    assert set(run["upstream_positions"]) == {"registry", "survey"}
    scores = {r["unit_id"]: (r["unit_name"], r["score"]) for r in run["results"]}
    assert scores == {
        world.unit_ids[0]: (world.unit_names[world.unit_ids[0]], "100.00"),
        world.unit_ids[1]: (world.unit_names[world.unit_ids[1]], "80.00"),
        world.unit_ids[2]: (world.unit_names[world.unit_ids[2]], "0.00"),
    }

    again = scoring.post(
        f"/waves/{wave_id}/score-runs",
        json={"scheme_id": "satisfaction", "version": 1},
        headers=world.city_office,
    )
    assert again.status_code == 200 and again.json() == run
    assert ok(scoring.get(f"/score-runs/{run['run_id']}", headers=world.auditor)) == run
    listed = score_runs(cluster, wave_id, world.auditor)
    assert [r["run_id"] for r in listed] == [run["run_id"]]
    assert "results" not in listed[0]


def test_the_final_run_follows_the_close(memory_settings: CommonSettings) -> None:
    with Cluster(memory_settings, ["registry", "survey", "scoring"]) as cluster:
        world = seed_world(cluster)
        wave_id = open_wave(cluster, world)
        push(cluster, world, wave_id, pattern(world, ("满意", "不了解", "")), "FIN")
        close_wave(cluster, world, wave_id)
        caught_up(cluster)
        (final,) = score_runs(cluster, wave_id, world.county_office)
        assert final["final"] is True and final["trigger"] == "wave_closed"
        assert final["upstream_positions"]["survey"] == cluster.head("survey")
        full = ok(cluster["scoring"].get(f"/score-runs/{final['run_id']}", headers=ADMIN))
        by_unit = {r["unit_id"]: r for r in full["results"]}
        assert by_unit[world.unit_ids[0]]["score"] == "100.00"
        assert by_unit[world.unit_ids[1]]["valid_count"] == 0
        assert by_unit[world.unit_ids[1]]["score"] is None


@pytest.mark.parametrize("who", ["other_county_office", "agency", "inspector"])
def test_callers_outside_the_wave_cannot_read_runs(
    scored: tuple[Cluster, World, str], who: str
) -> None:
    cluster, world, wave_id = scored
    run = ok(cluster["scoring"].post(f"/waves/{wave_id}/score-runs", headers=world.county_office))
    caller = getattr(world, who)
    listing = cluster["scoring"].get(f"/waves/{wave_id}/score-runs", headers=caller)
    single = cluster["scoring"].get(f"/score-runs/{run['run_id']}", headers=caller)
    assert (listing.status_code, single.status_code) == (403, 403)
    assert listing.json()["error"] == "forbidden"


@pytest.mark.parametrize(
    ("who", "field"),
    [("other_county_office", "wave_id"), ("agency", "X-API-Key"), ("auditor", "X-API-Key")],
)
def test_only_offices_in_scope_request_runs(
    scored: tuple[Cluster, World, str], who: str, field: str
) -> None:
    cluster, world, wave_id = scored
    response = cluster["scoring"].post(f"/waves/{wave_id}/score-runs", headers=getattr(world, who))
    assert response.status_code == 403
    assert response.json()["detail"][0]["field"] == field


def test_unknown_things_are_404_and_bad_input_422(scored: tuple[Cluster, World, str]) -> None:
    cluster, world, wave_id = scored
    scoring = cluster["scoring"]
    missing = scoring.post(f"/waves/{uuid4()}/score-runs", headers=world.county_office)
    assert missing.status_code == 404 and missing.json()["error"] == "wave_not_found"
    assert scoring.get(f"/waves/{uuid4()}/score-runs", headers=ADMIN).status_code == 404
    run = scoring.get(f"/score-runs/{uuid4()}", headers=ADMIN)
    assert run.status_code == 404 and run.json()["error"] == "score_run_not_found"

    bad_id = scoring.get("/score-runs/not-a-uuid", headers=ADMIN)
    assert bad_id.status_code == 422 and bad_id.json()["detail"][0]["field"] == "path.run_id"
    scheme = scoring.post(
        f"/waves/{wave_id}/score-runs",
        json={"scheme_id": "satisfaction", "version": 7},
        headers=world.county_office,
    )
    assert scheme.status_code == 422
    assert scheme.json()["detail"][0]["field"] == "scheme_id"
    extra = scoring.post(
        f"/waves/{wave_id}/score-runs", json={"weights": {"满意": 2}}, headers=world.county_office
    )
    assert extra.status_code == 422 and extra.json()["error"] == "validation_failed"


def test_no_key_no_scores(scored: tuple[Cluster, World, str]) -> None:
    cluster, _, wave_id = scored
    assert cluster["scoring"].get(f"/waves/{wave_id}/score-runs").status_code == 401


def test_positions_report_both_upstreams(scored: tuple[Cluster, World, str]) -> None:
    cluster, _, _ = scored
    positions = ok(cluster["scoring"].get("/positions", headers=ADMIN))
    assert positions["consumers"]["registry"] == cluster.head("registry")
    assert positions["consumers"]["survey"] == cluster.head("survey")


def test_a_waves_runs_page_in_the_order_computed(embedded_settings: CommonSettings) -> None:
    with Cluster(embedded_settings, ["registry", "survey", "scoring"]) as cluster:
        world = seed_world(cluster)
        wave_id = open_wave(cluster, world)
        path = f"/waves/{wave_id}/score-runs"
        requested = []
        for n, row in enumerate([("满意", "", ""), ("不满意", "满意", ""), ("", "", "满意")]):
            push(cluster, world, wave_id, pattern(world, row), f"R{n}")
            caught_up(cluster)
            requested.append(ok(cluster["scoring"].post(path, headers=world.county_office)))
        everything = assert_pages_match(cluster["scoring"], path, world.city_office, limit=1)
        assert [r["run_id"] for r in everything] == [r["run_id"] for r in requested]
        assert assert_pages_match(cluster["scoring"], path, ADMIN, limit=2) == everything
        assert_bad_cursor(cluster["scoring"], path, ADMIN)
        # Shaped like ours, but not a position in this wave's runs.
        assert_bad_cursor(cluster["scoring"], path, ADMIN, encode_cursor("000000000", "x"))
        assert_bad_cursor(
            cluster["scoring"], path, ADMIN, encode_cursor("7", everything[0]["run_id"])
        )
