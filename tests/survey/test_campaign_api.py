"""The survey API for a campaign round, through HTTP (memory mode, registry and survey
running): templates, a wave from enrolment, row-level pushes and uploads, progress, the
quarantine list and its review, corrections with their versions, batch withdrawal, and
public voting without a key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.harness import ADMIN, Cluster
from tests.survey.helpers import CST, World, created, seed_world

GOV = "政府部门及其它机构"
PUBLIC_SERVICE = "公共服务行业"
IN_ROUND_1 = datetime(2026, 3, 5, 10, 0, tzinfo=CST)


@pytest.fixture
def world(cluster: Cluster) -> World:
    world = seed_world(cluster)
    registry = cluster["registry"]
    campaign = created(
        registry.post(
            "/campaigns",
            json={
                "jurisdiction_id": world.county_id,
                "name": "舞阳县2026年度民主评议政风行风",
                "pattern": "民主评议政风行风",
                "cycle": {
                    "length": "one_year",
                    "rounds": "half_year",
                    "starts_on": "2026-01-01",
                    "ends_on": "2026-12-31",
                },
                "phases": [
                    {"name": "组织实施", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
                ],
                "categories": [GOV, PUBLIC_SERVICE],
            },
            headers=world.county_office.headers,
        )
    )
    enrolments = [
        {"unit_id": world.unit_ids[0], "category": GOV},
        {"unit_id": world.unit_ids[1], "category": GOV},
        {"unit_id": world.unit_ids[2], "category": PUBLIC_SERVICE},
    ]
    created(
        registry.post(
            f"/campaigns/{campaign['campaign_id']}/enrolments",
            json={"enrolments": enrolments},
            headers=world.county_office.headers,
        )
    )
    cluster.wait_caught_up("survey", "registry")
    world.extra["campaign_id"] = campaign["campaign_id"]
    return world


def _template(cluster: Cluster, world: World, **changes: Any) -> dict[str, Any]:
    body = {
        "jurisdiction_id": world.county_id,
        "name": "2026年政风行风满意度问卷",
        "scale": "four_level",
        "dimensions": [
            {"code": "attitude", "name": "服务态度"},
            {"code": "efficiency", "name": "办事效率"},
        ],
        "opinions": True,
        "recommendations": True,
        "asks_group": False,
    } | changes
    return created(
        cluster["survey"].post("/templates", json=body, headers=world.county_office.headers)
    )


def _wave(cluster: Cluster, world: World, **changes: Any) -> dict[str, Any]:
    template = _template(cluster, world)
    body = {
        "name": "2026年上半年问卷测评",
        "jurisdiction_id": world.county_id,
        "campaign_id": world.extra["campaign_id"],
        "round": 1,
        "template_id": template["template_id"],
        "agencies": [{"agency_id": world.agency.principal_id, "quota": 100}],
        "channels": ["survey_point", "paper", "online"],
        "points": [
            {
                "code": "WY-01",
                "name": "舞阳县政务服务中心",
                "jurisdiction_id": world.county_id,
                "target": 4,
                "quota": 10,
            }
        ],
        "groups": [
            {"code": "user", "name": "服务对象", "target_percent": 50},
            {"code": "supervisor", "name": "监督员", "target_percent": 25},
            {"code": "public", "name": "群众", "target_percent": 25},
        ],
        "integrity": {"burst_size": 3, "burst_seconds": 60},
    } | changes
    return created(cluster["survey"].post("/waves", json=body, headers=world.county_office.headers))


def _q(world: World, qid: str, minute: int, rating: str = "满意", **changes: Any) -> dict[str, Any]:
    return {
        "questionnaire_id": qid,
        "collected_at": (IN_ROUND_1 + timedelta(minutes=minute)).isoformat(),
        "survey_point": "WY-01",
        "channel": "survey_point",
        "group": "user",
        "ratings": {unit: rating for unit in world.unit_ids},
    } | changes


def _push(cluster: Cluster, world: World, wave_id: str, rows: list[Any], **body: Any) -> Any:
    return cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires:batch",
        json={"questionnaires": rows} | body,
        headers=world.agency.headers,
    )


def test_a_campaign_wave_collects_reports_and_reviews(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave = _wave(cluster, world)
    wave_id = wave["wave_id"]
    assert {u["unit_id"]: u["category"] for u in wave["units"]} == {
        world.unit_ids[0]: GOV,
        world.unit_ids[1]: GOV,
        world.unit_ids[2]: PUBLIC_SERVICE,
    }
    unit = world.unit_ids[0]
    rows = [
        _q(world, "WY-0001", 0, dimension_ratings={unit: {"attitude": "满意"}}),
        _q(world, "WY-0002", 1, "基本满意", opinions=[{"unit_id": unit, "text": "窗口排队时间长"}]),
        _q(world, "WY-0003", 2, "不满意", group="supervisor", channel="paper"),
        _q(world, "WY-0004", 3, "非常满意"),  # not on the four-level scale
        {"questionnaire_id": "WY-0005", "ratings": {}},  # not even a questionnaire
        _q(world, "WY-0006", 4, collected_at="2026-08-01T10:00:00+08:00"),  # round 2
    ]
    pushed = _push(cluster, world, wave_id, rows)
    assert pushed.status_code == 200, pushed.text
    body = pushed.json()
    assert (body["accepted"], body["rejected"]) == (3, 3)
    assert {(p["row"], p["code"]) for p in body["problems"]} >= {
        (3, "scale"),
        (5, "outside_window"),
    }
    assert {p["row"] for p in body["problems"]} == {3, 4, 5}

    burst = [_q(world, f"WY-01{i:02d}", 10, "不满意", channel="survey_point") for i in range(3)]
    flagged = _push(cluster, world, wave_id, burst).json()
    assert flagged["quarantined_questionnaire_ids"] == ["WY-0102"]

    cluster.wait_caught_up("survey", "survey")
    progress = survey.get(f"/waves/{wave_id}/progress", headers=world.agency.headers).json()
    assert progress["total"] == {"collected": 6, "target": 4}
    assert progress["by_point"]["WY-01"]["collected"] == 6
    assert progress["by_county"][world.county_id] == {"collected": 6, "target": 4}
    assert progress["by_channel"]["paper"]["collected"] == 1
    assert progress["by_group"]["supervisor"]["collected"] == 1
    assert progress["by_status"]["quarantined"] == 1

    quarantine = survey.get(
        f"/waves/{wave_id}/questionnaires?status=quarantined", headers=world.county_office.headers
    ).json()
    assert [q["questionnaire_id"] for q in quarantine] == ["WY-0102"]
    assert quarantine[0]["flags"][0]["code"] == "burst"
    reviewed = survey.post(
        f"/waves/{wave_id}/quarantine:review",
        json={
            "response_ids": [quarantine[0]["response_id"]],
            "decision": "release",
            "reason": "经核实为正常集中测评",
        },
        headers=world.county_office.headers,
    )
    assert reviewed.status_code == 200, reviewed.text
    by_agency = survey.post(
        f"/waves/{wave_id}/quarantine:review",
        json={"response_ids": [quarantine[0]["response_id"]], "decision": "reject", "reason": "x"},
        headers=world.agency.headers,
    )
    assert by_agency.status_code == 403

    listed = survey.get(
        f"/waves/{wave_id}/questionnaires?limit=1", headers=world.agency.headers
    ).json()
    first = listed[0]
    corrected = survey.post(
        f"/waves/{wave_id}/questionnaires/{first['response_id']}/corrections",
        json={"ratings": {unit: "不满意"}, "reason": "按纸质问卷更正"},
        headers=world.agency.headers,
    )
    assert corrected.status_code == 200, corrected.text
    versions = survey.get(
        f"/waves/{wave_id}/questionnaires/{first['response_id']}/versions",
        headers=world.auditor.headers,
    ).json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["reason"] == "按纸质问卷更正"

    withdrawn = survey.post(
        f"/waves/{wave_id}/batches/{flagged['batch_id']}/withdraw",
        json={"reason": "该机构代填问卷"},
        headers=world.county_office.headers,
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] is True
    cluster.wait_caught_up("survey", "survey")
    progress = survey.get(f"/waves/{wave_id}/progress", headers=world.agency.headers).json()
    assert progress["by_status"]["withdrawn"] == 3

    closed = survey.post(
        f"/waves/{wave_id}/close", json={"reason": "回收完毕"}, headers=world.county_office.headers
    )
    assert closed.status_code == 200
    late = _push(cluster, world, wave_id, [_q(world, "WY-0999", 20)])
    assert late.status_code == 409 and late.json()["error"] == "wave_closed"


def test_all_or_nothing_answers_422_with_every_row(cluster: Cluster, world: World) -> None:
    wave_id = _wave(cluster, world)["wave_id"]
    rows = [_q(world, "A-1", 0, "很好"), _q(world, "A-2", 1), _q(world, "A-3", 2, "一般")]
    refused = _push(cluster, world, wave_id, rows, all_or_nothing=True)
    assert refused.status_code == 422
    assert refused.json()["error"] == "batch_rejected"
    assert sorted({d["row"] for d in refused.json()["detail"]}) == [0, 2]
    assert _push(cluster, world, wave_id, [rows[1]]).json()["accepted"] == 1


def test_an_upload_in_gb18030_is_checked_row_by_row(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave_id = _wave(cluster, world)["wave_id"]
    template = survey.get(
        f"/waves/{wave_id}/questionnaires:template?format=csv", headers=world.agency.headers
    )
    assert template.status_code == 200
    header = template.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:2] == ["问卷编号", "采集时间"]
    names = ["舞阳县公安局", "舞阳县教育局", "舞阳县供电公司"]
    lines = [
        ",".join(["问卷编号", "采集时间", "测评点", "渠道", "群体", *names]),
        # A group by its name, as a sheet filled in by hand says it (the channel too).
        ",".join(
            ["U-1", "2026-03-05 10:00", "WY-01", "测评点", "服务对象", "满意", "基本满意", ""]
        ),
        ",".join(["U-2", "2026-03-05 10:01", "WY-01", "纸质问卷", "user", "很好", "满意", "满意"]),
        ",".join(["U-3", "昨天", "WY-01", "测评点", "user", "满意", "满意", "满意"]),
        ",".join(["U-4", "2026-03-05 10:02", "WY-01", "测评点", "学生", "满意", "满意", "满意"]),
    ]
    data = ("\n".join(lines) + "\n").encode("gb18030")
    uploaded = survey.post(
        f"/waves/{wave_id}/questionnaires:upload?filename=问卷.csv",
        content=data,
        headers=world.agency.headers | {"Content-Type": "text/csv"},
    )
    assert uploaded.status_code == 200, uploaded.text
    body = uploaded.json()
    assert body["accepted"] == 1
    assert {p["row"] for p in body["problems"]} == {3, 4, 5}, body["problems"]
    [unknown] = [p for p in body["problems"] if p["row"] == 5]
    assert unknown["field"] == "rows.5.group", unknown
    assert unknown["reason"].endswith(": user（服务对象）、supervisor（监督员）、public（群众）)")
    cluster.wait_caught_up("survey", "survey")  # the list is a view's: it may lag the push
    listed = survey.get(f"/waves/{wave_id}/questionnaires", headers=world.agency.headers).json()
    assert [q["group"] for q in listed] == ["user"], listed
    office = survey.post(
        f"/waves/{wave_id}/questionnaires:upload",
        content=data,
        headers=world.county_office.headers | {"Content-Type": "text/csv"},
    )
    assert office.status_code == 403
    foreign = survey.post(
        f"/waves/{wave_id}/questionnaires:upload",
        content=b"\x00\x01binary",
        headers=world.agency.headers,
    )
    assert foreign.status_code in (415, 422)


def test_public_voting_needs_no_key_and_counts_a_person_once(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    now = datetime.now(UTC)
    wave = _wave(
        cluster,
        world,
        kind="online_public_voting",
        voter_check="none",  # unchecked voters: codes are tests/survey/test_voter_codes.py
        opens_at=(now - timedelta(days=1)).isoformat(),
        closes_at=(now + timedelta(days=1)).isoformat(),
        points=[],
        groups=[],
        channels=["online"],
    )
    public = survey.get(f"/public/waves/{wave['wave_id']}")
    assert public.status_code == 200 and public.json()["answers"][0] == "满意"
    unit = world.unit_ids[0]
    vote = {"voter": "13800138000", "ratings": {unit: "满意"}}
    first = survey.post(f"/public/waves/{wave['wave_id']}/votes", json=vote)
    assert first.status_code == 201, first.text
    twice = survey.post(f"/public/waves/{wave['wave_id']}/votes", json=vote)
    assert twice.status_code == 409 and twice.json()["error"] == "already_voted"
    bad = survey.post(
        f"/public/waves/{wave['wave_id']}/votes", json={"voter": "12345", "ratings": {unit: "满意"}}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] in ("voter", "body.voter")
    private = _wave(cluster, world, name="问卷测评")
    assert survey.get(f"/public/waves/{private['wave_id']}").status_code == 404


def test_templates_are_versioned(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    template = _template(cluster, world, scale="five_level")
    revised = survey.post(
        f"/templates/{template['template_id']}/versions",
        json={"name": "修订版", "scale": "five_level", "reason": "增加办事效率"},
        headers=world.county_office.headers,
    )
    assert revised.status_code == 201 and revised.json()["version"] == 2
    first = survey.get(
        f"/templates/{template['template_id']}?version=1", headers=world.city_office.headers
    )
    assert first.json()["name"] == "2026年政风行风满意度问卷"
    other = survey.post(
        f"/templates/{template['template_id']}/versions",
        json={"name": "x", "scale": "three_level", "reason": "y"},
        headers=world.other_county_office.headers,
    )
    assert other.status_code == 403
    assert survey.get(f"/templates/{template['template_id']}", headers=ADMIN).status_code == 200


def test_every_accredited_agency_finds_the_wave(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave = _wave(cluster, world)
    listed = survey.get("/waves", headers=world.other_agency.headers).json()
    assert wave["wave_id"] not in {w["wave_id"] for w in listed}
    accredited = survey.post(
        f"/waves/{wave['wave_id']}/agencies",
        json={"agency_id": world.other_agency.principal_id, "quota": 50},
        headers=world.county_office.headers,
    )
    assert accredited.status_code == 200, accredited.text
    cluster.wait_caught_up("survey", "survey")
    listed = survey.get("/waves", headers=world.other_agency.headers).json()
    assert [w["wave_id"] for w in listed] == [wave["wave_id"]]
    pushed = _push(cluster, world, wave["wave_id"], [_q(world, "O-1", 0)])
    assert pushed.json()["accepted"] == 1
    by_other = survey.post(
        f"/waves/{wave['wave_id']}/questionnaires:batch",
        json={"questionnaires": [_q(world, "O-2", 1)]},
        headers=world.other_agency.headers,
    )
    assert by_other.status_code == 200 and by_other.json()["accepted"] == 1


def test_an_agency_sees_and_corrects_only_what_it_pushed(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave = _wave(cluster, world)
    wave_id = wave["wave_id"]
    survey.post(
        f"/waves/{wave_id}/agencies",
        json={"agency_id": world.other_agency.principal_id},
        headers=world.county_office.headers,
    )
    _push(cluster, world, wave_id, [_q(world, "MINE-1", 0)])
    theirs = survey.post(
        f"/waves/{wave_id}/questionnaires:batch",
        json={"questionnaires": [_q(world, "THEIRS-1", 1)]},
        headers=world.other_agency.headers,
    )
    assert theirs.json()["accepted"] == 1
    cluster.wait_caught_up("survey", "survey")
    path = f"/waves/{wave_id}/questionnaires"
    mine = survey.get(path, headers=world.agency.headers).json()
    assert [q["questionnaire_id"] for q in mine] == ["MINE-1"]
    everything = survey.get(path, headers=world.county_office.headers).json()
    assert sorted(q["questionnaire_id"] for q in everything) == ["MINE-1", "THEIRS-1"]
    other = next(q for q in everything if q["questionnaire_id"] == "THEIRS-1")
    assert (
        survey.get(f"{path}/{other['response_id']}", headers=world.agency.headers).status_code
        == 404
    )
    correction = survey.post(
        f"{path}/{other['response_id']}/corrections",
        json={"ratings": {world.unit_ids[0]: "不满意"}, "reason": "改"},
        headers=world.agency.headers,
    )
    assert correction.status_code == 404


def test_a_point_that_departs_from_the_rest_is_scanned_into_quarantine(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    points = [
        {"code": code, "name": name, "jurisdiction_id": world.county_id, "target": 10}
        for code, name in (("WY-01", "政务服务中心"), ("WY-02", "火车站"), ("WY-03", "医院"))
    ]
    wave = _wave(
        cluster,
        world,
        points=points,
        integrity={
            "burst_size": 0,
            "point_departure_percent": 60,
            "point_departure_min_sample": 5,
        },
    )
    wave_id = wave["wave_id"]
    rows = [
        _q(world, f"{code}-{i}", i, rating, survey_point=code)
        for code, rating in (("WY-01", "满意"), ("WY-02", "满意"), ("WY-03", "不满意"))
        for i in range(6)
    ]
    assert _push(cluster, world, wave_id, rows).json()["accepted"] == 18
    cluster.wait_caught_up("survey", "survey")
    scanned = survey.post(f"/waves/{wave_id}/integrity:scan", headers=world.county_office.headers)
    assert scanned.status_code == 200, scanned.text
    body = scanned.json()
    assert [d["survey_point"] for d in body["departures"]] == ["WY-03"]
    assert body["quarantined"] == 6
    cluster.wait_caught_up("survey", "survey")
    listed = survey.get(
        f"/waves/{wave_id}/questionnaires?status=quarantined", headers=world.county_office.headers
    ).json()
    assert sorted(q["questionnaire_id"] for q in listed) == [f"WY-03-{i}" for i in range(6)]
    assert listed[0]["flags"][0]["code"] == "point_departure"
    again = survey.post(f"/waves/{wave_id}/integrity:scan", headers=world.county_office.headers)
    assert again.json()["quarantined"] == 0
    by_agency = survey.post(f"/waves/{wave_id}/integrity:scan", headers=world.agency.headers)
    assert by_agency.status_code == 403


def test_hostile_rows_are_refused_by_row_and_the_views_stay_at_the_head(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    wave_id = _wave(cluster, world)["wave_id"]
    unit = world.unit_ids[0]
    rows = [
        _q(world, "OK-1", 0),
        _q(world, "NUL\u0000ID", 1),
        _q(world, "OK-2", 2, opinions=[{"unit_id": unit, "text": "意见\u0000建议"}]),
        _q(world, "OK-3", 3, ratings={unit: 5}),
        _q(world, "OK-4", 4, group="x" * 5000),
    ]
    pushed = _push(cluster, world, wave_id, rows)
    assert pushed.status_code == 200, pushed.text
    body = pushed.json()
    assert body["accepted"] == 1
    assert {p["row"] for p in body["problems"]} == {1, 2, 3, 4}
    assert all(len(p["reason"]) <= 201 for p in body["problems"])
    # A row that is not even an object is refused with the request, naming it.
    not_a_row = _push(cluster, world, wave_id, [_q(world, "OK-5", 5), "not a questionnaire"])
    assert not_a_row.status_code == 422
    assert not_a_row.json()["detail"][0]["field"] == "body.questionnaires.1"
    huge = b'{"questionnaires": [' + b" " * (65 * 1024 * 1024) + b"]}"
    refused = survey.post(
        f"/waves/{wave_id}/questionnaires:batch",
        content=huge,
        headers=world.agency.headers | {"Content-Type": "application/json"},
    )
    assert refused.status_code == 413 and refused.json()["error"] == "payload_too_large"
    cluster.wait_caught_up("survey", "survey")  # the wave views applied everything
    assert survey.get(f"/waves/{wave_id}", headers=ADMIN).json()["response_count"] == 1
