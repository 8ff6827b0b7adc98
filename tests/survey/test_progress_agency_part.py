"""Survey's wave progress as an agency reads it, when two agencies collect for one wave:
its own questionnaires only, in `total` and every breakdown, so that nothing in it moves
with the other agency's work (the whole wave's total less its own line gave the other's
count, and `by_status` its withdrawals); the office still reads the whole wave.

舞阳县's wave has two survey points (WY-01, WY-02, target 6 each), three channels and two
respondent groups. 某某社会调查公司 pushes A1–A3 at WY-01; then 另一调查公司 pushes B1–B3 at
WY-02 on paper and B4 in a second batch, voids B1, and the office withdraws B4's batch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import Caller, World, open_wave, push, seed_world

STATUS_ZERO = {"counted": 0, "quarantined": 0, "rejected": 0, "voided": 0, "withdrawn": 0}


def _rows(world: World, point: str, channel: str, group: str, *ids: str) -> list[dict[str, Any]]:
    return [
        {
            "questionnaire_id": qid,
            "survey_point": point,
            "channel": channel,
            "group": group,
            "collected_at": "2024-11-05T10:30:00+08:00",
            "ratings": dict.fromkeys(world.unit_ids, "满意"),
        }
        for qid in ids
    ]


def _pushed(cluster: Cluster, wave_id: str, rows: list[dict[str, Any]], who: Caller) -> str:
    answer = push(cluster, wave_id, rows, who.headers)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(rows), answer.text
    return str(answer.json()["batch_id"])


def _progress(cluster: Cluster, wave_id: str, headers: dict[str, str]) -> dict[str, Any]:
    cluster.wait_caught_up("survey", "survey")
    answer = cluster["survey"].get(f"/waves/{wave_id}/progress", headers=headers)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


@pytest.fixture(scope="module")
def told() -> Iterator[tuple[Cluster, World, str, dict[str, Any]]]:
    """The cluster, the world, the wave and what 某某社会调查公司 read before 另一调查公司
    pushed anything."""
    with Cluster(in_memory(), ["registry", "survey"]) as cluster:
        world = seed_world(cluster)
        county = world.county_id
        wave = open_wave(
            cluster,
            world,
            points=[
                {
                    "code": "WY-01",
                    "name": "舞阳县政务服务中心",
                    "target": 6,
                    "jurisdiction_id": county,
                },
                {"code": "WY-02", "name": "舞阳县人民医院", "target": 6, "jurisdiction_id": county},
            ],
            channels=["survey_point", "paper", "online"],
            groups=[
                {"code": "user", "name": "服务对象", "target_percent": 50},
                {"code": "public", "name": "群众", "target_percent": 50},
            ],
            agencies=[{"agency_id": world.other_agency.principal_id, "quota": 50}],
        )
        wave_id = str(wave["wave_id"])
        _pushed(
            cluster,
            wave_id,
            _rows(world, "WY-01", "survey_point", "user", "A1", "A2", "A3"),
            world.agency,
        )
        before = _progress(cluster, wave_id, world.agency.headers)
        other = world.other_agency
        _pushed(cluster, wave_id, _rows(world, "WY-02", "paper", "public", "B1", "B2", "B3"), other)
        late = _pushed(cluster, wave_id, _rows(world, "WY-02", "paper", "public", "B4"), other)
        _void(cluster, wave_id, "B1", world)
        withdrawn = cluster["survey"].post(
            f"/waves/{wave_id}/batches/{late}/withdraw",
            json={"reason": "该批次为代填问卷"},
            headers=world.county_office.headers,
        )
        assert withdrawn.status_code == 200, withdrawn.text
        yield cluster, world, wave_id, before


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
        headers=world.other_agency.headers,
    )
    assert voided.status_code == 200, voided.text


def test_the_other_agencys_work_moves_nothing_an_agency_reads(told: Any) -> None:
    cluster, world, wave_id, before = told
    assert _progress(cluster, wave_id, world.agency.headers) == before
    assert before["total"] == {"collected": 3, "target": 12}
    assert before["by_status"] == STATUS_ZERO | {"counted": 3}
    assert {k: v["collected"] for k, v in before["by_point"].items()} == {"WY-01": 3, "WY-02": 0}
    assert before["by_county"] == {world.county_id: {"collected": 3, "target": 12}}
    assert {k: v["collected"] for k, v in before["by_channel"].items()} == {
        "survey_point": 3,
        "paper": 0,
        "online": 0,
    }
    assert {k: v["collected"] for k, v in before["by_group"].items()} == {"user": 3, "public": 0}
    assert list(before["by_agency"]) == [world.agency.principal_id]


def test_the_other_agency_reads_its_own_too(told: Any) -> None:
    cluster, world, wave_id, _ = told
    theirs = _progress(cluster, wave_id, world.other_agency.headers)
    assert theirs["total"] == {"collected": 2, "target": 12}
    assert theirs["by_status"] == STATUS_ZERO | {"counted": 2, "voided": 1, "withdrawn": 1}
    assert {k: v["collected"] for k, v in theirs["by_point"].items()} == {"WY-01": 0, "WY-02": 2}
    assert theirs["by_agency"] == {world.other_agency.principal_id: {"collected": 2, "quota": 50}}


@pytest.mark.parametrize("reader", ["county_office", "auditor", "admin"])
def test_the_office_reads_the_whole_wave_and_every_agency(told: Any, reader: str) -> None:
    cluster, world, wave_id, _ = told
    headers = ADMIN if reader == "admin" else getattr(world, reader).headers
    whole = _progress(cluster, wave_id, headers)
    assert whole["total"] == {"collected": 5, "target": 12}
    assert whole["by_status"] == STATUS_ZERO | {"counted": 5, "voided": 1, "withdrawn": 1}
    assert {k: v["collected"] for k, v in whole["by_point"].items()} == {"WY-01": 3, "WY-02": 2}
    assert {k: v["collected"] for k, v in whole["by_channel"].items()} == {
        "survey_point": 3,
        "paper": 2,
        "online": 0,
    }
    assert {k: v["collected"] for k, v in whole["by_agency"].items()} == {
        world.agency.principal_id: 3,
        world.other_agency.principal_id: 2,
    }


def test_the_other_agency_reads_no_other_agencys_id(told: Any) -> None:
    """The wave's agency (named at its opening) is that agency's and the office's to read:
    to the other agency, in the wave and in its list, `agency_id` is null."""
    cluster, world, wave_id, _ = told
    survey = cluster["survey"]
    cluster.wait_caught_up("survey", "survey")
    primary = world.agency.principal_id
    for who, shown in ((world.other_agency, None), (world.agency, primary)):
        wave = survey.get(f"/waves/{wave_id}", headers=who.headers).json()
        assert wave["agency_id"] == shown
        assert [a["agency_id"] for a in wave["agencies"]] == [who.principal_id]
        listed = survey.get("/waves", headers=who.headers).json()
        assert [(w["wave_id"], w["agency_id"]) for w in listed] == [(wave_id, shown)]
    office = survey.get(f"/waves/{wave_id}", headers=world.county_office.headers).json()
    assert office["agency_id"] == primary
