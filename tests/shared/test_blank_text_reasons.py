"""Text that is whitespace alone, where text is required, is refused in words on every
route and whichever way a field's limit is written: `reason: Prose = Field(min_length=1)`
(pydantic's `string_too_short`, once answered "String should have at least 1 character"
for a correction whose reason was an ideographic space) or `Annotated[Prose,
Field(min_length=1)]` (its generic `too_short`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.reasons import BLANK
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire, seed_world, wave_body

BLANKS = ["\u3000", "\u3000 \u3000", "  \t"]
"""An ideographic space (what a Chinese input method types), mixed, and ASCII."""


@pytest.fixture(scope="module")
def placed() -> Iterator[tuple[Cluster, World, str, str]]:
    with Cluster(in_memory(), ["registry", "survey"]) as cluster:
        world = seed_world(cluster)
        wave_id = str(open_wave(cluster, world)["wave_id"])
        pushed = push(cluster, wave_id, [questionnaire("Q1", world.unit_ids)], world.agency.headers)
        assert pushed.status_code == 200, pushed.text
        cluster.wait_caught_up("survey", "survey")
        listed = cluster["survey"].get(f"/waves/{wave_id}/questionnaires", headers=ADMIN).json()
        yield cluster, world, wave_id, str(listed[0]["response_id"])


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    found = {d["field"]: d["reason"] for d in response.json()["detail"]}
    assert found.get(field) == BLANK, found


@pytest.mark.parametrize("blank", BLANKS)
def test_a_survey_correction_and_void_with_a_blank_reason(placed: Any, blank: str) -> None:
    cluster, world, wave_id, response_id = placed
    survey = cluster["survey"]
    questionnaire_path = f"/waves/{wave_id}/questionnaires/{response_id}"
    correction = {"ratings": {world.unit_ids[0]: "满意"}, "reason": blank}
    _refused(
        survey.post(f"{questionnaire_path}/corrections", json=correction, headers=ADMIN),
        "body.reason",
    )
    _refused(
        survey.post(f"{questionnaire_path}/void", json={"reason": blank}, headers=ADMIN),
        "body.reason",
    )


@pytest.mark.parametrize("blank", BLANKS)
def test_a_survey_wave_name_and_a_pushed_row_that_are_blank(placed: Any, blank: str) -> None:
    cluster, world, wave_id, _ = placed
    wave = cluster["survey"].post("/waves", json=wave_body(world, name=blank), headers=ADMIN)
    _refused(wave, "body.name")
    row = questionnaire(blank, world.unit_ids)
    pushed = push(cluster, wave_id, [row], world.agency.headers)
    assert pushed.status_code == 200 and pushed.json()["accepted"] == 0, pushed.text
    (problem,) = pushed.json()["problems"]
    assert (problem["field"], problem["reason"]) == ("questionnaires.0.questionnaire_id", BLANK)


@pytest.mark.parametrize("blank", BLANKS)
def test_registry_names_and_reasons_that_are_blank(placed: Any, blank: str) -> None:
    cluster, world, _, _ = placed
    registry = cluster["registry"]
    jurisdiction = {"name": blank, "level": "county", "parent_id": world.city_id}
    _refused(registry.post("/jurisdictions", json=jurisdiction, headers=ADMIN), "body.name")
    dissolve = {"effective_on": "2026-01-01", "reason": blank}
    unit = world.unit_ids[0]
    _refused(registry.post(f"/units/{unit}/dissolve", json=dissolve, headers=ADMIN), "body.reason")
