"""Assessment scores, vetoes, cancellations and representative violations over HTTP (memory
mode): offices write, auditors read, a unit reads what concerns it, other roles get 403;
lists come from the assessments view and are filtered by unit and campaign."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.inspection.assessments.domain import score_id
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster

HASH = "sha256:" + "0f" * 32


def _post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _campaign(registry: TestClient, jurisdiction: str, name: str) -> str:
    body = {
        "jurisdiction_id": jurisdiction,
        "name": name,
        "pattern": "民主评议政风行风",
        "cycle": {
            "length": "one_year",
            "rounds": "whole_cycle",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
        "phases": [{"name": "组织实施", "starts_on": "2026-03-01", "ends_on": "2026-10-31"}],
        "categories": ["政府部门及其它机构"],
    }
    campaign_id: str = _post(registry, "/campaigns", body)["campaign_id"]
    return campaign_id


@pytest.fixture
def world(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        registry = cluster["registry"]
        city = _post(registry, "/jurisdictions", {"name": "漯河市", "level": "city"})
        ids = {"city": city["jurisdiction_id"]}
        for name in ("源汇区", "郾城区"):
            body = {"name": name, "level": "district", "parent_id": ids["city"]}
            ids[name] = _post(registry, "/jurisdictions", body)["jurisdiction_id"]
        units = {}
        for name, county in (("源汇区民政局", "源汇区"), ("郾城区人社局", "郾城区")):
            body = {
                "jurisdiction_id": ids[county],
                "name": name,
                "kind": "government_department",
                "category": "政府部门及其它机构",
            }
            units[name] = _post(registry, "/units", body)["unit_id"]
        keys = {"admin": ADMIN}
        for name, role, where in [
            ("源汇区纠风办", "office", "源汇区"),
            ("漯河市纠风办", "office", "city"),
            ("郾城区纠风办", "office", "郾城区"),
            ("审计组", "auditor", None),
            ("源汇区民政局", "unit", "源汇区"),
            ("督查员", "inspector", "源汇区"),
            ("调查公司", "agency", "源汇区"),
        ]:
            body = {"name": name, "role": role} | ({"jurisdiction_id": ids[where]} if where else {})
            if role == "unit":
                body["unit_id"] = units[name]
            keys[name] = {"X-API-Key": _post(registry, "/principals", body)["api_key"]}
        campaign = _campaign(registry, ids["源汇区"], "2026年度源汇区民主评议政风行风")
        enrolments = [{"unit_id": units["源汇区民政局"], "category": "政府部门及其它机构"}]
        _post(registry, f"/campaigns/{campaign}/enrolments", {"enrolments": enrolments})
        people = {
            name: _post(
                registry, "/people", {"jurisdiction_id": ids[where], "name": name, "sector": "其他"}
            )["person_id"]
            for name, where in (("张伟", "源汇区"), ("李娜", "源汇区"), ("王芳", "郾城区"))
        }
        cluster.wait_caught_up("inspection", "registry")
        ctx = {"ids": ids, "units": units, "keys": keys, "campaign": campaign, "people": people}
        yield cluster, ctx


def _score(ctx: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "unit_id": ctx["units"]["源汇区民政局"],
        "campaign_id": ctx["campaign"],
        "round": 1,
        "component_code": "daily_work",
        "component_name": "日常工作",
        "score": "17.5",
        "maximum": "20",
        "assessor": "区评议考核组",
        "basis": "查阅日常工作台账，按考核细则逐项评分",
        "evidence": [HASH],
        "reason": "年终集中评议考核",
    } | overrides


def _error(response: Any) -> tuple[int, str | None, str]:
    body = response.json()
    return response.status_code, body["detail"][0]["field"], body["error"]


def test_offices_record_correct_and_withdraw_a_score(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    response = client.post("/assessment-scores", json=_score(ctx), headers=keys["源汇区纠风办"])
    assert response.status_code == 201, response.text
    created = response.json()
    unit = ctx["units"]["源汇区民政局"]
    assert created["score_id"] == str(score_id(ctx["campaign"], 1, unit, "daily_work"))
    assert (created["score"], created["maximum"], created["status"]) == ("17.5", "20", "active")
    assert created["jurisdiction_id"] == ctx["ids"]["源汇区"] and created["evidence"] == [HASH]
    again = client.post(
        "/assessment-scores", json=_score(ctx, score="3"), headers=keys["漯河市纠风办"]
    )
    assert _error(again) == (409, "component_code", "assessment_score_exists")

    path = f"/assessment-scores/{created['score_id']}"
    corrected = client.post(
        f"{path}/corrections",
        json={"score": "16", "reason": "复核发现缺少整改记录"},
        headers=keys["漯河市纠风办"],
    )
    assert corrected.status_code == 201, corrected.text
    assert (corrected.json()["score"], corrected.json()["version"]) == ("16", 2)
    too_high = client.post(
        f"{path}/corrections", json={"score": "21", "reason": "r"}, headers=ADMIN
    )
    assert _error(too_high)[:2] == (422, "score")
    listed = client.get(f"{path}/corrections", headers=keys["源汇区民政局"])
    assert [(c["score"], c["reason"]) for c in listed.json()] == [("16", "复核发现缺少整改记录")]

    withdrawn = client.post(f"{path}/withdrawal", json={"reason": "重复评分"}, headers=ADMIN)
    assert withdrawn.status_code == 201 and withdrawn.json()["status"] == "withdrawn"
    late = client.post(f"{path}/corrections", json={"score": "1", "reason": "r"}, headers=ADMIN)
    assert _error(late)[::2] == (409, "assessment_score_withdrawn")
    history = client.get(path, headers=keys["审计组"]).json()["history"]
    assert [h["event"] for h in history] == ["recorded", "corrected", "withdrawn"]

    cluster.wait_caught_up("inspection", "inspection")
    for key in ("源汇区纠风办", "漯河市纠风办", "审计组", "源汇区民政局", "admin"):
        seen = client.get(
            "/assessment-scores", params={"campaign_id": ctx["campaign"]}, headers=keys[key]
        )
        assert [(s["score_id"], s["status"], s["score"]) for s in seen.json()] == [
            (created["score_id"], "withdrawn", "16")
        ], key
    assert client.get("/assessment-scores", headers=keys["郾城区纠风办"]).json() == []
    active = client.get("/assessment-scores", params={"status": "active"}, headers=ADMIN)
    assert active.json() == []


def test_a_withdrawn_score_or_revoked_veto_does_not_block_a_new_one(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    """The component (or the unit's round) can be scored (vetoed) again once the record in
    force is withdrawn (revoked): a new record with a new id, published as such, while the
    old one stays on record; a new one in force blocks the next, as before."""
    cluster, ctx = world
    client, office = cluster["inspection"], ctx["keys"]["源汇区纠风办"]
    first = _post(client, "/assessment-scores", _score(ctx))
    path = f"/assessment-scores/{first['score_id']}"
    withdrawn = client.post(f"{path}/withdrawal", json={"reason": "评错对象"}, headers=office)
    assert withdrawn.status_code == 201, withdrawn.text
    again = client.post("/assessment-scores", json=_score(ctx, score="15"), headers=office)
    assert again.status_code == 201, again.text
    second = again.json()
    assert second["score_id"] != first["score_id"] and second["status"] == "active"
    corrected = client.post(
        f"/assessment-scores/{second['score_id']}/corrections",
        json={"score": "14", "reason": "复核"},
        headers=office,
    )
    assert corrected.status_code == 201, corrected.text
    blocked = client.post("/assessment-scores", json=_score(ctx), headers=office)
    assert _error(blocked) == (409, "component_code", "assessment_score_exists")
    assert blocked.json()["detail"][0]["context"] == {"score_id": second["score_id"]}

    veto = {
        "unit_id": ctx["units"]["源汇区民政局"],
        "campaign_id": ctx["campaign"],
        "round": 1,
        "basis": "发生重大安全责任事故",
        "authority": "区纪委监委",
        "decided_on": "2026-11-20",
    }
    ahead = client.post("/vetoes", json=veto | {"decided_on": "2099-11-20"}, headers=office)
    assert _error(ahead) == (422, "decided_on", "invalid_assessment")
    vetoed = _post(client, "/vetoes", veto)
    revoked = client.post(
        f"/vetoes/{vetoed['veto_id']}/revocation", json={"reason": "复核撤销"}, headers=office
    )
    assert revoked.status_code == 201
    decided = client.post("/vetoes", json=veto | {"basis": "重新认定"}, headers=office)
    assert decided.status_code == 201, decided.text
    assert decided.json()["veto_id"] != vetoed["veto_id"]

    cluster.wait_caught_up("inspection", "inspection")
    listed = client.get("/assessment-scores", headers=office).json()
    assert sorted((s["score_id"], s["status"]) for s in listed) == sorted(
        [(first["score_id"], "withdrawn"), (second["score_id"], "active")]
    )
    vetoes = client.get("/vetoes", params={"status": "active"}, headers=office).json()
    assert [v["veto_id"] for v in vetoes] == [decided.json()["veto_id"]]


def test_only_offices_write_and_only_in_scope_readers_read(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    for key in ("审计组", "源汇区民政局", "督查员", "调查公司", "郾城区纠风办"):
        refused = client.post("/assessment-scores", json=_score(ctx), headers=keys[key])
        assert refused.status_code == 403, key
    created = _post(client, "/assessment-scores", _score(ctx))
    path = f"/assessment-scores/{created['score_id']}"
    for key in ("督查员", "调查公司"):
        assert client.get(path, headers=keys[key]).status_code == 403, key
    # Another county's score answers as no score (404), never a 403 that says it exists.
    assert client.get(path, headers=keys["郾城区纠风办"]).status_code == 404
    for key in ("审计组", "源汇区民政局"):
        assert client.get(path, headers=keys[key]).status_code == 200, key
        wrote = client.post(f"{path}/withdrawal", json={"reason": "x"}, headers=keys[key])
        assert wrote.status_code == 403, key
    other_unit = ctx["units"]["郾城区人社局"]
    outside = client.get(
        "/assessment-scores", params={"unit_id": other_unit}, headers=keys["源汇区民政局"]
    )
    assert outside.status_code == 403


def test_requests_are_checked(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client = cluster["inspection"]
    cases = [
        (_score(ctx, score="25"), "score"),
        (_score(ctx, score="1.23456"), "score"),
        (_score(ctx, evidence=["md5:abc"]), "evidence.0"),
        (_score(ctx, round=0), "round"),
        (_score(ctx, component_name="日常\n工作"), "component_name"),
        (_score(ctx, campaign_id=ctx["ids"]["city"]), "campaign_id"),
    ]
    for body, field in cases:
        response = client.post("/assessment-scores", json=body, headers=ADMIN)
        assert response.status_code in (404, 422), response.text
        assert field in response.json()["detail"][0]["field"], response.text


def test_vetoes_cancellations_and_representative_violations(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    unit, campaign = ctx["units"]["源汇区民政局"], ctx["campaign"]
    veto = {
        "unit_id": unit,
        "campaign_id": campaign,
        "round": 1,
        "basis": "发生重大安全责任事故，依照评议办法一票否决",
        "authority": "区纪委监委",
        "decided_on": "2026-11-20",
    }
    assert client.post("/vetoes", json=veto, headers=keys["审计组"]).status_code == 403
    decided = client.post("/vetoes", json=veto, headers=keys["源汇区纠风办"])
    assert decided.status_code == 201, decided.text
    vetoed = decided.json()
    assert (vetoed["status"], vetoed["decided_on"], vetoed["authority"]) == (
        "active",
        "2026-11-20",
        "区纪委监委",
    )
    assert _error(client.post("/vetoes", json=veto, headers=ADMIN))[::2] == (409, "veto_exists")
    revocation = f"/vetoes/{vetoed['veto_id']}/revocation"
    assert (
        client.post(revocation, json={"reason": "x"}, headers=keys["源汇区民政局"]).status_code
        == 403
    )
    revoked = client.post(revocation, json={"reason": "上级复核撤销"}, headers=ADMIN)
    assert revoked.status_code == 201 and revoked.json()["status"] == "revoked"
    # Who decided and who revoked, when and why: the record's history, as a score's.
    assert [(h["event"], h["reason"]) for h in vetoed["history"]] == [("decided", None)]
    office_actor = vetoed["history"][0]["actor"]
    assert office_actor == vetoed["decided_by"] and office_actor.startswith("office:")
    read = client.get(f"/vetoes/{vetoed['veto_id']}", headers=keys["源汇区纠风办"]).json()
    assert read["history"] == revoked.json()["history"]
    assert [(h["event"], h["actor"].split(":")[0], h["reason"]) for h in read["history"]] == [
        ("decided", "office", None),
        ("revoked", "admin", "上级复核撤销"),
    ]
    assert read["history"][0]["at"] <= read["history"][1]["at"]
    assert _error(client.post(revocation, json={"reason": "再"}, headers=ADMIN))[::2] == (
        409,
        "veto_revoked",
    )

    cancellation = {
        "unit_id": unit,
        "campaign_id": campaign,
        "round": 1,
        "reason": "评议期间组织人员代填问卷，违反评议纪律",
        "decided_by": "区纠风办",
    }
    made = client.post("/cancellations", json=cancellation, headers=keys["漯河市纠风办"])
    assert made.status_code == 201, made.text
    twice = client.post("/cancellations", json=cancellation, headers=ADMIN)
    assert _error(twice)[::2] == (409, "cancellation_exists")

    violation = {
        "person_id": ctx["people"]["张伟"],
        "jurisdiction_id": ctx["ids"]["源汇区"],
        "campaign_id": campaign,
        "description": "评议代表收受被评单位礼品",
    }
    wrong = client.post("/representative-violations", json=violation, headers=keys["郾城区纠风办"])
    assert wrong.status_code == 403
    recorded = client.post(
        "/representative-violations", json=violation, headers=keys["源汇区纠风办"]
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["round"] is None

    cluster.wait_caught_up("inspection", "inspection")
    for key in ("源汇区纠风办", "审计组", "源汇区民政局"):
        listed = client.get("/vetoes", params={"unit_id": unit}, headers=keys[key])
        assert [(v["veto_id"], v["status"]) for v in listed.json()] == [
            (vetoed["veto_id"], "revoked")
        ]
        cancellations = client.get("/cancellations", headers=keys[key]).json()
        assert [c["cancellation_id"] for c in cancellations] == [made.json()["cancellation_id"]]
    assert client.get("/vetoes", headers=keys["郾城区纠风办"]).json() == []
    assert client.get("/cancellations", headers=keys["督查员"]).status_code == 403
    other = client.get("/vetoes", params={"campaign_id": ctx["ids"]["city"]}, headers=ADMIN)
    assert other.json() == []


def test_representative_violations_are_read_per_campaign_by_those_who_read_the_campaign(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    client, keys, ids, campaign = cluster["inspection"], ctx["keys"], ctx["ids"], ctx["campaign"]
    other_campaign = _campaign(cluster["registry"], ids["郾城区"], "2026年度郾城区民主评议政风行风")
    cluster.wait_caught_up("inspection", "registry")
    zhang, li = ctx["people"]["张伟"], ctx["people"]["李娜"]

    def violation(key: str, person: str, **more: Any) -> dict[str, Any]:
        body = {
            "person_id": person,
            "jurisdiction_id": ids["源汇区"],
            "campaign_id": campaign,
            "description": "评议代表收受被评单位礼品",
        } | more
        response = client.post("/representative-violations", json=body, headers=keys[key])
        assert response.status_code == 201, response.text
        recorded: dict[str, Any] = response.json()
        return recorded

    in_round = violation("源汇区纠风办", zhang, round=1)
    whole = violation("漯河市纠风办", li)  # counted toward no one round: listed first
    later = violation("源汇区纠风办", li, round=1, description="评议代表泄露评议情况")
    in_city = violation("漯河市纠风办", zhang, jurisdiction_id=ids["city"], round=1)
    elsewhere = violation(
        "漯河市纠风办", zhang, jurisdiction_id=ids["郾城区"], campaign_id=other_campaign
    )
    cluster.wait_caught_up("inspection", "inspection")

    def listed(key: str, **params: Any) -> list[dict[str, Any]]:
        response = client.get(
            "/representative-violations",
            params={"campaign_id": campaign} | params,
            headers=keys[key],
        )
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()
        return found

    everything = [whole, in_round, later, in_city]
    for key in ("源汇区纠风办", "漯河市纠风办", "审计组", "admin"):
        assert listed(key) == everything, key
    assert listed("审计组", round=1) == [in_round, later, in_city]
    assert listed("源汇区纠风办", person_id=zhang) == [in_round, in_city]
    assert listed("源汇区纠风办", jurisdiction_id=ids["city"]) == [in_city]
    assert listed("源汇区纠风办", round=1, person_id=li) == [later]
    assert listed("admin", campaign_id=other_campaign) == [elsewhere]

    # Paged like every list: the next page's cursor in X-Next-Cursor and Link.
    first = client.get(
        "/representative-violations",
        params={"campaign_id": campaign, "limit": 3},
        headers=keys["审计组"],
    )
    assert first.json() == everything[:3] and 'rel="next"' in first.headers["link"]
    rest = client.get(
        "/representative-violations",
        params={"campaign_id": campaign, "limit": 3, "cursor": first.headers["x-next-cursor"]},
        headers=keys["审计组"],
    )
    assert rest.json() == everything[3:] and "link" not in rest.headers

    # Read as the campaign is read on the registry: another county's office gets the same
    # 403; units, inspectors and agencies are refused by role; an unknown campaign is 404.
    on_registry = cluster["registry"].get(f"/campaigns/{campaign}", headers=keys["郾城区纠风办"])
    outside = client.get(
        "/representative-violations",
        params={"campaign_id": campaign},
        headers=keys["郾城区纠风办"],
    )
    assert (outside.status_code, outside.json()) == (403, on_registry.json())
    for key in ("源汇区民政局", "督查员", "调查公司"):
        refused = client.get(
            "/representative-violations", params={"campaign_id": campaign}, headers=keys[key]
        )
        assert refused.status_code == 403, key
    unknown = client.get(
        "/representative-violations",
        params={"campaign_id": "00000000-0000-4000-8000-0000000000ff"},
        headers=ADMIN,
    )
    assert _error(unknown) == (404, "campaign_id", "campaign_not_found")
    unnamed = client.get("/representative-violations", headers=ADMIN)
    assert unnamed.status_code == 422


def test_a_violation_names_a_representative_the_caller_may_see(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    """The person is one the registry registered (inspection's copy of its representatives):
    an id that names nobody, and a person of another county, are 404 `person_not_found`
    naming `person_id`, alike, and nothing is recorded; the city office above both counties
    names either county's representative."""
    cluster, ctx = world
    client, keys, ids, people = cluster["inspection"], ctx["keys"], ctx["ids"], ctx["people"]
    body = {
        "jurisdiction_id": ids["源汇区"],
        "campaign_id": ctx["campaign"],
        "description": "评议代表收受被评单位礼品",
    }
    office = keys["源汇区纠风办"]
    answers = []
    for person in ("00000000-0000-4000-8000-0000000000aa", people["王芳"]):
        refused = client.post(
            "/representative-violations", json=body | {"person_id": person}, headers=office
        )
        assert _error(refused) == (404, "person_id", "person_not_found"), refused.text
        answers.append(refused.json())
    assert answers[0] == answers[1]
    assert answers[0]["detail"][0]["reason"] == "没有这个代表 (no such person)"
    for key, person in (("源汇区纠风办", "张伟"), ("漯河市纠风办", "王芳"), ("admin", "王芳")):
        made = client.post(
            "/representative-violations",
            json=body | {"person_id": people[person]},
            headers=keys[key],
        )
        assert made.status_code == 201, (key, made.text)
    cluster.wait_caught_up("inspection", "inspection")
    listed = client.get(
        "/representative-violations", params={"campaign_id": ctx["campaign"]}, headers=ADMIN
    ).json()
    assert sorted(v["person_id"] for v in listed) == sorted(
        [people["张伟"], people["王芳"], people["王芳"]]
    )
