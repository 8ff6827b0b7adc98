"""A voided questionnaire, or one of a withdrawn batch, uses up no quota: the next push is
screened against the questionnaires that stand, as progress's `collected` counts them, its
agency's and its point's alike (memory mode, registry and survey running; the campaign
world of `test_campaign_api`). Before, quota screening counted every questionnaire pushed,
so an agency that voided its mistakes had its next ones quarantined as over quota."""

from __future__ import annotations

from typing import Any

from tests.harness import Cluster
from tests.survey.helpers import World
from tests.survey.test_campaign_api import _push, _q, _wave, world

__all__ = ["world"]  # the campaign world, a fixture used by name (the cluster: conftest.py)

QUOTA = 2


def _quota_wave(cluster: Cluster, world: World) -> str:
    point = {
        "code": "WY-01",
        "name": "舞阳县政务服务中心",
        "jurisdiction_id": world.county_id,
        "target": 1,
        "quota": QUOTA,
    }
    agencies = [{"agency_id": world.agency.principal_id, "quota": QUOTA}]
    return str(_wave(cluster, world, points=[point], agencies=agencies)["wave_id"])


def _pushed(cluster: Cluster, world: World, wave_id: str, *rows: dict[str, Any]) -> Any:
    answered = _push(cluster, world, wave_id, list(rows))
    assert answered.status_code == 200, answered.text
    return answered.json()


def _quarantined(cluster: Cluster, world: World, wave_id: str) -> dict[str, list[str]]:
    cluster.wait_caught_up("survey", "survey")
    listed = (
        cluster["survey"]
        .get(f"/waves/{wave_id}/questionnaires?status=quarantined", headers=world.agency.headers)
        .json()
    )
    return {q["questionnaire_id"]: [f["detail"] for f in q["flags"]] for q in listed}


def test_a_voided_questionnaire_uses_up_no_quota(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave_id = _quota_wave(cluster, world)
    first = _pushed(cluster, world, wave_id, _q(world, "V-1", 0), _q(world, "V-2", 5, "基本满意"))
    assert (first["accepted"], first["quarantined"]) == (2, 0)
    cluster.wait_caught_up("survey", "survey")
    listed = survey.get(f"/waves/{wave_id}/questionnaires", headers=world.agency.headers).json()
    voided = survey.post(
        f"/waves/{wave_id}/questionnaires/{listed[0]['response_id']}/void",
        json={"reason": "录入错误"},
        headers=world.agency.headers,
    )
    assert voided.status_code == 200, voided.text
    # One of the two stands: a third is within both quotas, a fourth over both.
    second = _pushed(cluster, world, wave_id, _q(world, "V-3", 10, "不满意"))
    assert (second["accepted"], second["quarantined"]) == (1, 0), second
    third = _pushed(cluster, world, wave_id, _q(world, "V-4", 15, "不了解"))
    assert third["quarantined_questionnaire_ids"] == ["V-4"]
    assert _quarantined(cluster, world, wave_id)["V-4"] == [
        "超出测评机构配额：配额2份，本份为第3份；超出测评点“WY-01”配额：配额2份，本份为第3份"
    ]


def test_a_withdrawn_batch_uses_up_no_quota(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave_id = _quota_wave(cluster, world)
    first = _pushed(cluster, world, wave_id, _q(world, "W-1", 0), _q(world, "W-2", 5, "基本满意"))
    cluster.wait_caught_up("survey", "survey")
    listed = survey.get(f"/waves/{wave_id}/questionnaires", headers=world.agency.headers).json()
    # One of the batch voided first, then the batch withdrawn: each frees its quota once.
    voided = survey.post(
        f"/waves/{wave_id}/questionnaires/{listed[0]['response_id']}/void",
        json={"reason": "录入错误"},
        headers=world.agency.headers,
    )
    assert voided.status_code == 200, voided.text
    withdrawn = survey.post(
        f"/waves/{wave_id}/batches/{first['batch_id']}/withdraw",
        json={"reason": "该机构代填问卷"},
        headers=world.county_office.headers,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    again = _pushed(
        cluster,
        world,
        wave_id,
        _q(world, "W-3", 10, "不满意"),
        _q(world, "W-4", 15, "不了解"),
        _q(world, "W-5", 20),
    )
    assert (again["accepted"], again["quarantined_questionnaire_ids"]) == (3, ["W-5"]), again
    assert _quarantined(cluster, world, wave_id)["W-5"] == [
        "超出测评机构配额：配额2份，本份为第3份；超出测评点“WY-01”配额：配额2份，本份为第3份"
    ]
