"""Survey's wave progress: what each reader sees of a wave two agencies collect for, and
what stands after a void and a withdrawal.

舞阳县's wave has one survey point (WY-01, target 6) and two accredited agencies: 某某社会调查
公司 pushes A1–A3 in one batch and A4 in another, 另一调查公司 pushes B1–B2. Then A2 is voided
and the batch of A4 withdrawn, so that of 6 collected 4 stand: A1, A3 (agency), B1, B2
(other agency). 第三调查公司 is accredited to none of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import Caller, World, caller, open_wave, push, seed_world

POINT = "WY-01"


@dataclass
class Told:
    world: World
    wave_id: str
    stranger: Caller
    """An agency not accredited to the wave."""


def _rows(*ids: str, world: World) -> list[dict[str, Any]]:
    return [
        {
            "questionnaire_id": qid,
            "survey_point": POINT,
            "channel": "survey_point",
            "collected_at": "2024-11-05T10:30:00+08:00",
            "ratings": dict.fromkeys(world.unit_ids, "满意"),
        }
        for qid in ids
    ]


def _pushed(cluster: Cluster, told_wave: str, rows: list[dict[str, Any]], who: Caller) -> str:
    answer = push(cluster, told_wave, rows, who.headers)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(rows), answer.text
    return str(answer.json()["batch_id"])


@pytest.fixture(scope="module")
def told() -> Iterator[tuple[Cluster, Told]]:
    with Cluster(in_memory(), ["registry", "survey"]) as cluster:
        world = seed_world(cluster)
        stranger = caller(cluster["registry"], "第三调查公司", "agency")
        cluster.wait_caught_up("survey", "registry")
        point = {"code": POINT, "name": "舞阳县政务服务中心", "target": 6}
        wave = open_wave(
            cluster,
            world,
            points=[point | {"jurisdiction_id": world.county_id}],
            agencies=[{"agency_id": world.other_agency.principal_id, "quota": 50}],
        )
        wave_id = str(wave["wave_id"])
        _pushed(cluster, wave_id, _rows("A1", "A2", "A3", world=world), world.agency)
        late = _pushed(cluster, wave_id, _rows("A4", world=world), world.agency)
        _pushed(cluster, wave_id, _rows("B1", "B2", world=world), world.other_agency)
        _void(cluster, wave_id, "A2", world)
        survey = cluster["survey"]
        reason = {"reason": "该批次为代填问卷"}
        withdrawn = survey.post(
            f"/waves/{wave_id}/batches/{late}/withdraw",
            json=reason,
            headers=world.county_office.headers,
        )
        assert withdrawn.status_code == 200, withdrawn.text
        yield cluster, Told(world, wave_id, stranger)


def _void(cluster: Cluster, wave_id: str, questionnaire_id: str, world: World) -> None:
    cluster.wait_caught_up("survey", "survey")
    survey = cluster["survey"]
    listed = survey.get(
        f"/waves/{wave_id}/questionnaires?limit=100", headers=world.county_office.headers
    ).json()
    (found,) = [q for q in listed if q["questionnaire_id"] == questionnaire_id]
    voided = survey.post(
        f"/waves/{wave_id}/questionnaires/{found['response_id']}/void",
        json={"reason": "重复录入"},
        headers=world.agency.headers,
    )
    assert voided.status_code == 200, voided.text


def _progress(cluster: Cluster, wave_id: str, headers: dict[str, str]) -> dict[str, Any]:
    cluster.wait_caught_up("survey", "survey")
    answer = cluster["survey"].get(f"/waves/{wave_id}/progress", headers=headers)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_collected_counts_the_questionnaires_that_stand(told: Any) -> None:
    """A2 voided and A4's batch withdrawn count toward no target: 4 of 6 collected stand,
    everywhere a count is set against a target; `by_status` still lists every one."""
    cluster, t = told
    world = t.world
    found = _progress(cluster, t.wave_id, world.county_office.headers)
    assert found["total"] == {"collected": 4, "target": 6}
    assert found["by_point"][POINT]["collected"] == 4
    assert found["by_county"] == {world.county_id: {"collected": 4, "target": 6}}
    assert found["by_channel"]["survey_point"]["collected"] == 4
    assert found["by_status"] == {
        "counted": 4,
        "quarantined": 0,
        "rejected": 0,
        "voided": 1,
        "withdrawn": 1,
    }


def test_an_agency_reads_its_own_line_of_by_agency_only(told: Any) -> None:
    cluster, t = told
    world = t.world
    mine = _progress(cluster, t.wave_id, world.agency.headers)
    assert mine["by_agency"] == {world.agency.principal_id: {"collected": 2, "quota": None}}
    theirs = _progress(cluster, t.wave_id, world.other_agency.headers)
    assert theirs["by_agency"] == {world.other_agency.principal_id: {"collected": 2, "quota": 50}}


@pytest.mark.parametrize("reader", ["county_office", "city_office", "auditor", "admin"])
def test_the_office_and_auditors_read_every_agency(told: Any, reader: str) -> None:
    cluster, t = told
    world = t.world
    headers = ADMIN if reader == "admin" else getattr(world, reader).headers
    found = _progress(cluster, t.wave_id, headers)["by_agency"]
    assert found == {
        world.agency.principal_id: {"collected": 2, "quota": None},
        world.other_agency.principal_id: {"collected": 2, "quota": 50},
    }


def test_an_agency_not_accredited_is_told_why_in_words(told: Any) -> None:
    """Not "only the agency keys this wave_points names…": the route's scope kind is an
    internal name."""
    cluster, t = told
    refused = cluster["survey"].get(f"/waves/{t.wave_id}/progress", headers=t.stranger.headers)
    assert refused.status_code == 403, refused.text
    (detail,) = refused.json()["detail"]
    assert detail["field"] == "wave_id"
    # The kernel's words (Chinese first where shared/policy says them so), the rule named.
    assert "only the agencies accredited to this survey wave may act on it" in detail["reason"]
