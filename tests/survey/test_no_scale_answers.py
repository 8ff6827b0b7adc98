"""An answer on no scale at all (很好) is one mistake, answered alike wherever it is made: a
batch's row, a correction and a public vote all say `scale` with the same reason, not
pydantic's `literal_error` in one place and `scale` in another."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire, seed_world

NO_SCALE = "很好"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), ["registry", "survey"]) as running:
        yield running


@pytest.fixture(scope="module")
def world(cluster: Cluster) -> World:
    return seed_world(cluster)


@pytest.fixture(scope="module")
def batch_says(cluster: Cluster, world: World) -> tuple[str, str]:
    """(code, reason) a batch's row answers for an answer on no scale."""
    wave_id = open_wave(cluster, world)["wave_id"]
    row = questionnaire("Q-1", world.unit_ids[:1], NO_SCALE)
    pushed = push(cluster, wave_id, [row], world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    (problem,) = pushed.json()["problems"]
    assert problem["field"] == f"questionnaires.0.ratings.{world.unit_ids[0]}"
    assert problem["code"] == "scale"
    return problem["code"], problem["reason"]


def _says(response: Any, field: str) -> tuple[str, str]:
    """(code, reason) of a request refused for one field: pydantic's shape names its code
    `type`."""
    assert response.status_code == 422, response.text
    (detail,) = response.json()["detail"]
    assert detail["field"] == field
    return detail["type"], detail["reason"]


def test_a_correction_answers_as_a_batch_does(
    cluster: Cluster, world: World, batch_says: tuple[str, str]
) -> None:
    survey = cluster["survey"]
    wave_id = open_wave(cluster, world)["wave_id"]
    pushed = push(cluster, wave_id, [questionnaire("Q-1", world.unit_ids)], world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    cluster.wait_caught_up("survey", "survey")
    (listed,) = survey.get(f"/waves/{wave_id}/questionnaires", headers=ADMIN).json()
    path = f"/waves/{wave_id}/questionnaires/{listed['response_id']}/corrections"
    unit = world.unit_ids[0]
    overall = {"ratings": {unit: NO_SCALE}, "reason": "按纸质问卷更正"}
    refused = survey.post(path, json=overall, headers=world.agency.headers)
    assert _says(refused, f"body.ratings.{unit}") == batch_says
    dimension = {
        "ratings": {unit: "满意"},
        "dimension_ratings": {unit: {"attitude": NO_SCALE}},
        "reason": "按纸质问卷更正",
    }
    refused = survey.post(path, json=dimension, headers=world.agency.headers)
    assert _says(refused, f"body.dimension_ratings.{unit}.attitude") == batch_says


def test_a_public_vote_answers_as_a_batch_does(
    cluster: Cluster, world: World, batch_says: tuple[str, str]
) -> None:
    now = datetime.now(UTC)
    wave_id = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        opens_at=(now - timedelta(hours=1)).isoformat(),
        closes_at=(now + timedelta(days=1)).isoformat(),
    )["wave_id"]
    cluster.wait_caught_up("survey", "survey")
    unit = world.unit_ids[0]
    vote = {"voter": "13800138000", "ratings": {unit: NO_SCALE}}
    refused = cluster["survey"].post(f"/public/waves/{wave_id}/votes", json=vote)
    assert _says(refused, f"body.ratings.{unit}") == batch_says
    # A voter has no key for GET /waves/{wave_id}: the reason also names the route they can read.
    assert "GET /public/waves/{wave_id}" in batch_says[1]
