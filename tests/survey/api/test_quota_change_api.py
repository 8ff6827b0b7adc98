"""`POST /waves/{id}/agencies:quota`: the office changes an accredited agency's quota, with
its reason, under an Idempotency-Key; the wave and its progress read the new quota; a
lowering below what stands is `409 quota_below_collected`; an agency may not change it."""

from __future__ import annotations

from typing import Any

from tests.harness import Cluster
from tests.survey.helpers import World, created, open_wave, push, questionnaire


def _change(cluster: Cluster, wave_id: str, headers: dict[str, str], **body: Any) -> Any:
    return cluster["survey"].post(f"/waves/{wave_id}/agencies:quota", json=body, headers=headers)


def test_an_office_changes_an_agencys_quota(cluster: Cluster, world: World) -> None:
    agency = world.agency.principal_id
    agencies = [{"agency_id": agency, "quota": 2}]
    wave_id = open_wave(cluster, world, agency_id=None, agencies=agencies)["wave_id"]
    rows = [questionnaire(f"Q-{i}", world.unit_ids, survey_point=None) for i in range(2)]
    created(push(cluster, wave_id, rows, world.agency.headers))
    office = world.county_office.headers
    keyed = office | {"Idempotency-Key": "quota-1"}
    body = {"agency_id": agency, "quota": 5, "reason": "样本量增加"}
    changed = _change(cluster, wave_id, keyed, **body)
    assert changed.status_code == 200, changed.text
    assert changed.json()["agencies"] == [{"agency_id": agency, "quota": 5}]
    assert _change(cluster, wave_id, keyed, **body).json() == changed.json()

    cluster.wait_caught_up("survey", "survey")
    progress = cluster["survey"].get(f"/waves/{wave_id}/progress", headers=office).json()
    assert progress["by_agency"][agency] == {"collected": 2, "quota": 5}
    mine = cluster["survey"].get(f"/waves/{wave_id}/progress", headers=world.agency.headers)
    assert mine.json()["by_agency"][agency]["quota"] == 5

    below = _change(cluster, wave_id, office, agency_id=agency, quota=1, reason="压缩")
    assert below.status_code == 409, below.text
    assert below.json()["error"] == "quota_below_collected"
    assert below.json()["detail"][0]["field"] == "quota"
    refused = _change(cluster, wave_id, world.agency.headers, **body | {"quota": 9})
    assert refused.status_code == 403, refused.text


def test_the_new_quota_is_required_and_may_be_null(cluster: Cluster, world: World) -> None:
    agency = world.agency.principal_id
    wave_id = open_wave(cluster, world)["wave_id"]
    office = world.county_office.headers
    missing = _change(cluster, wave_id, office, agency_id=agency, reason="调整")
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "body.quota"
    set_one = _change(cluster, wave_id, office, agency_id=agency, quota=3, reason="设定配额")
    assert set_one.status_code == 200, set_one.text
    lifted = _change(cluster, wave_id, office, agency_id=agency, quota=None, reason="取消配额")
    assert lifted.json()["agencies"] == [{"agency_id": agency, "quota": None}]
