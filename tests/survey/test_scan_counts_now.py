"""The point-departure scan compares the questionnaires that count now (memory mode,
registry and survey running): three points in 舞阳县, WY-01 and WY-02 answering 满意 and
基本满意 alike, WY-03 不满意 and 不了解. Once WY-03's questionnaires stop counting — voided, or
put in quarantine by a scan — WY-01 and WY-02 no longer depart from anything; released
again, WY-03's count again. (The counts taken at intake alone made the second scan put
WY-01's and WY-02's honest questionnaires in quarantine.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.survey.helpers import CST, World, open_wave, push, seed_world

POINTS = ("WY-01", "WY-02", "WY-03")
AT = datetime(2026, 3, 5, 10, 0, tzinfo=CST)


@pytest.fixture
def running(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, World, str]]:
    with Cluster(memory_settings, ["registry", "survey"]) as cluster:
        world = seed_world(cluster)
        points = [
            {"code": code, "name": code, "jurisdiction_id": world.county_id, "target": 3}
            for code in POINTS
        ]
        integrity = {
            "burst_size": 0,
            "point_departure_percent": 10,
            "point_departure_min_sample": 2,
        }
        wave = open_wave(cluster, world, points=points, integrity=integrity)
        first, second = world.unit_ids[:2]
        rows = [
            {
                "questionnaire_id": f"{point}-{i}",
                "survey_point": point,
                "collected_at": (AT + timedelta(minutes=10 * i + n)).isoformat(),
                "ratings": (
                    {first: "不满意", second: "不了解"}
                    if point == "WY-03"
                    else {first: "满意", second: "基本满意"}
                ),
            }
            for n, point in enumerate(POINTS)
            for i in range(3)
        ]
        pushed = push(cluster, wave["wave_id"], rows, world.agency.headers)
        assert pushed.json()["accepted"] == 9, pushed.text
        cluster.wait_caught_up("survey", "survey")
        yield cluster, world, wave["wave_id"]


def _scan(cluster: Cluster, world: World, wave_id: str) -> dict[str, Any]:
    cluster.wait_caught_up("survey", "survey")
    scanned = cluster["survey"].post(
        f"/waves/{wave_id}/integrity:scan", headers=world.county_office.headers
    )
    assert scanned.status_code == 200, scanned.text
    body: dict[str, Any] = scanned.json()
    cluster.wait_caught_up("survey", "survey")
    return body


def _ids(cluster: Cluster, world: World, wave_id: str, point: str) -> list[str]:
    listed = (
        cluster["survey"]
        .get(f"/waves/{wave_id}/questionnaires?limit=100", headers=world.county_office.headers)
        .json()
    )
    return [q["response_id"] for q in listed if q["survey_point"] == point]


def test_voided_questionnaires_leave_the_comparison(running: Any) -> None:
    cluster, world, wave_id = running
    for response_id in _ids(cluster, world, wave_id, "WY-03"):
        voided = cluster["survey"].post(
            f"/waves/{wave_id}/questionnaires/{response_id}/void",
            json={"reason": "测评点录入有误"},
            headers=world.agency.headers,
        )
        assert voided.status_code == 200, voided.text
    assert _scan(cluster, world, wave_id) == {
        "wave_id": wave_id,
        "threshold_percent": 10,
        "departures": [],
        "quarantined": 0,
    }


def test_quarantined_ones_leave_it_and_released_ones_return(running: Any) -> None:
    cluster, world, wave_id = running
    first = _scan(cluster, world, wave_id)
    # WY-03 against WY-01 + WY-02: no answer in common, 100 %; each of the others against
    # the two remaining, 50 %: all three depart, the farthest first.
    assert first["departures"][0]["survey_point"] == "WY-03"
    assert first["departures"][0]["distance_percent"] == "100.00"
    # WY-03's questionnaires are in quarantine; so, this first time, are the others.
    assert first["quarantined"] == 9
    survey = cluster["survey"]
    release = survey.post(
        f"/waves/{wave_id}/quarantine:review",
        json={
            "response_ids": _ids(cluster, world, wave_id, "WY-01")
            + _ids(cluster, world, wave_id, "WY-02"),
            "decision": "release",
            "reason": "核实无误",
        },
        headers=world.county_office.headers,
    )
    assert release.status_code == 200, release.text
    # Counting now: WY-01 and WY-02 only, alike: nothing departs.
    assert _scan(cluster, world, wave_id)["departures"] == []
    progress = survey.get(f"/waves/{wave_id}/progress", headers=world.county_office.headers)
    assert progress.json()["by_status"]["counted"] == 6
    release = survey.post(
        f"/waves/{wave_id}/quarantine:review",
        json={
            "response_ids": _ids(cluster, world, wave_id, "WY-03"),
            "decision": "release",
            "reason": "复核无误",
        },
        headers=world.county_office.headers,
    )
    assert release.status_code == 200, release.text
    # Released, WY-03's count again and depart again.
    again = _scan(cluster, world, wave_id)
    assert again["departures"][0]["survey_point"] == "WY-03"
