"""An inspector's and a unit's key read a wave's facts (its units, window, template) and none
of its figures: progress is closed to them (docs/authorization.md), so the wave's counts,
its agencies with their quotas and why it closed are too (`FACTS_ONLY`). The office reads
them all (memory mode, registry and survey running)."""

from __future__ import annotations

from typing import Any

from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, created, key_headers, open_wave, push, questionnaire


def _key(cluster: Cluster, body: dict[str, Any]) -> dict[str, str]:
    issued = created(cluster["registry"].post("/principals", json=body, headers=ADMIN))
    return key_headers(issued["api_key"])


def test_an_inspector_and_a_unit_read_the_wave_s_facts_not_its_figures(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    pushed = push(cluster, wave_id, [questionnaire("F-1", world.unit_ids)], world.agency.headers)
    assert pushed.status_code == 200 and pushed.json()["accepted"] == 1, pushed.text
    office_headers = world.county_office.headers
    closed = cluster["survey"].post(
        f"/waves/{wave_id}/close", json={"reason": "问卷回收完毕"}, headers=office_headers
    )
    assert closed.status_code == 200, closed.text
    inspector = _key(
        cluster, {"name": "督查员", "role": "inspector", "jurisdiction_id": world.county_id}
    )
    unit = _key(cluster, {"name": "公安局", "role": "unit", "unit_id": world.unit_ids[0]})
    cluster.wait_caught_up("survey", "registry")
    cluster.wait_caught_up("survey", "survey")
    survey = cluster["survey"]
    office = survey.get(f"/waves/{wave_id}", headers=world.county_office.headers).json()
    assert (office["accepted"], office["closed_reason"]) == (1, "问卷回收完毕")
    assert office["agencies"] and office["agency_id"] == world.agency.principal_id
    for headers in (inspector, unit):
        read = survey.get(f"/waves/{wave_id}", headers=headers)
        assert read.status_code == 200, read.text
        wave = read.json()
        assert wave["unit_ids"] == office["unit_ids"] and wave["status"] == office["status"]
        figures = (
            "agency_id", "questionnaires", "questionnaires_by_status", "accepted",
            "response_count", "quarantined_at_intake", "batches", "closed_reason",
        )  # fmt: skip
        assert {name: wave[name] for name in figures} == dict.fromkeys(figures)
        assert wave["agencies"] == []
        listed = survey.get("/waves", headers=headers).json()
        assert [(w["wave_id"], w["response_count"], w["agency_id"]) for w in listed] == [
            (wave_id, None, None)
        ]
