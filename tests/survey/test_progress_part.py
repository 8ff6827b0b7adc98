"""Survey's own wave progress for the office of a county where a city-wide wave has survey
points: its part (its points and county, and their total), never the other county's rows
nor the breakdowns kept for the whole wave; the city office and the agency read it whole; a
county of the city without a point of the wave reads nothing (the story:
tests/reporting/progress/story.py, WY-01 in 舞阳县 with 3 questionnaires of a target of 4,
LY-01 in 临颍县 with 2 of 2)."""

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
    assert body["total"] == {"collected": 3, "target": 4}
    assert list(body["by_point"]) == ["WY-01"]
    assert body["by_point"]["WY-01"]["collected"] == 3
    assert body["by_county"] == {world.county_id: {"collected": 3, "target": 4}}
    assert body["by_channel"] is None and body["by_group"] is None
    assert body["by_agency"] is None and body["by_status"] is None
    other = _progress(cluster, told, world.other_county_office.headers).json()
    assert other["total"] == {"collected": 2, "target": 2}
    assert list(other["by_point"]) == ["LY-01"]


def test_the_city_office_and_the_agency_read_the_whole_wave(story: Any) -> None:
    cluster, told = story
    world = told.world
    for reader in (world.city_office, world.agency, world.auditor):
        body = _progress(cluster, told, reader.headers).json()
        assert body["part"] is None
        assert body["total"] == {"collected": 5, "target": 6}
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
