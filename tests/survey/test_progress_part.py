"""Survey's own wave progress for the office of a county where a city-wide wave has survey
points: its part (its points and county, their total, and the questionnaires collected
there by channel, respondent group, agency and status; a voided one collected no more),
never the other county's rows; the city office and the agency read it whole; a county of
the city without a point of the wave reads nothing (the story:
tests/reporting/progress/story.py, WY-01 in 舞阳县 with A1, A2 (voided later) and A3 of a
target of 4, LY-01 in 临颍县 with A4 and A5 of 2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.progress.story import Story, wave_story
from tests.survey.helpers import caller, register_jurisdiction


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[Cluster, Story]]:
    with Cluster(in_memory(), ["registry", "survey", "reporting"]) as cluster:
        yield cluster, wave_story(cluster)


def _progress(cluster: Cluster, told: Story, headers: Any) -> Any:
    return cluster["survey"].get(f"/waves/{told.wave_id}/progress", headers=headers)


def test_a_county_office_reads_its_part_of_a_city_wave(story: Any) -> None:
    cluster, told = story
    world = told.world
    mine = _progress(cluster, told, world.county_office.headers)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["part"]["jurisdiction_ids"] == [world.county_id]
    # A2 voided stands no more: A1 and A3 of 4 (`by_status` still lists A2).
    assert body["total"] == {"collected": 2, "target": 4}
    assert list(body["by_point"]) == ["WY-01"]
    assert body["by_point"]["WY-01"]["collected"] == 2
    assert body["by_county"] == {world.county_id: {"collected": 2, "target": 4}}
    # A1 at the survey point by a service user, A3 on paper by a supervisor; the wave's
    # declared online channel and public group listed at 0.
    assert body["by_channel"] == {
        "survey_point": {"collected": 1, "target": None},
        "paper": {"collected": 1, "target": None},
        "online": {"collected": 0, "target": None},
    }
    assert {k: v["collected"] for k, v in body["by_group"].items()} == {
        "user": 1,
        "supervisor": 1,
        "public": 0,
    }
    assert body["by_group"]["user"]["target_percent"] == 50
    agency = world.agency.principal_id
    assert body["by_agency"] == {agency: {"collected": 2, "quota": None}}
    assert body["by_status"] == {
        "counted": 2,
        "quarantined": 0,
        "rejected": 0,
        "voided": 1,
        "withdrawn": 0,
    }
    other = _progress(cluster, told, world.other_county_office.headers).json()
    assert other["total"] == {"collected": 2, "target": 2}
    assert list(other["by_point"]) == ["LY-01"]
    assert {k: v["collected"] for k, v in other["by_channel"].items()} == {
        "survey_point": 0,
        "paper": 0,
        "online": 2,
    }
    assert other["by_status"]["counted"] == 2 and other["by_status"]["voided"] == 0
    # Every questionnaire was collected at a point of one of the two: the parts add up to
    # the whole wave.
    whole = _progress(cluster, told, world.city_office.headers).json()
    for breakdown in ("by_channel", "by_group", "by_agency"):
        for key, found in whole[breakdown].items():
            parts = (body[breakdown].get(key), other[breakdown].get(key))
            assert sum(part["collected"] for part in parts if part) == found["collected"]
    for status, n in whole["by_status"].items():
        assert body["by_status"][status] + other["by_status"][status] == n


def test_the_city_office_and_the_agency_read_the_whole_wave(story: Any) -> None:
    cluster, told = story
    world = told.world
    for reader in (world.city_office, world.agency, world.auditor):
        body = _progress(cluster, told, reader.headers).json()
        assert body["part"] is None
        assert body["total"] == {"collected": 4, "target": 6}
        assert set(body["by_point"]) == {"WY-01", "LY-01"}
        assert body["by_status"]["voided"] == 1


def test_a_county_without_a_point_of_the_wave_reads_nothing(story: Any) -> None:
    cluster, told = story
    world = told.world
    registry = cluster["registry"]
    county = register_jurisdiction(registry, "召陵区", "county", world.city_id)
    outside = caller(registry, "召陵区纠风办", "office", county)
    cluster.wait_caught_up("survey", "registry")
    refused = _progress(cluster, told, outside.headers)
    assert refused.status_code == 403, refused.text
    assert _progress(cluster, told, world.other_agency.headers).status_code == 403
    assert _progress(cluster, told, told.unit_key.headers).status_code == 403
