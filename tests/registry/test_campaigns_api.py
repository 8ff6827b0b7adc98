"""Campaign API in memory mode: the seed 000 and seed 004 shapes, enrolment, withdrawal,
key targets, amendments, validation and scoping."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from services.registry.domain import Campaign
from tests.harness import ADMIN, Cluster
from tests.registry.campaign_helpers import (
    LUOHE_CATEGORIES,
    LUOHE_PHASES,
    WUHAN_CATEGORIES,
    enrol,
    enrolments,
    error_field,
    luohe_spec,
    open_campaign,
    wuhan_spec,
    wuhan_zone,
)
from tests.registry.helpers import city_with_counties, key_for, post, unit

GOV, PUBLIC = LUOHE_CATEGORIES


@pytest.fixture
def luohe(cluster: Cluster) -> dict[str, Any]:
    """The Luohe world of helpers.city_with_counties plus two public-service units."""
    world = city_with_counties(cluster)
    city = world["city"]["jurisdiction_id"]
    world["units"]["漯河供电公司"] = unit(cluster, city, "国网漯河供电公司", category=PUBLIC)
    world["units"]["移动漯河分公司"] = unit(cluster, city, "中国移动漯河分公司", category=PUBLIC)
    cluster.wait_caught_up("registry", "registry")
    return world


def uid(world: dict[str, Any], name: str) -> str:
    found: str = world["units"][name]["unit_id"]
    return found


def test_seed_000_campaign_enrols_luohe_units_in_its_two_categories(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    campaign = open_campaign(
        cluster, luohe_spec(luohe["city"]["jurisdiction_id"]), key=luohe["keys"]["city"]
    )
    assert campaign["pattern"] == {"code": "democratic_appraisal", "label": "民主评议政风行风"}
    assert [p["name"] for p in campaign["phases"]] == ["动员准备", "组织实施", "考核总结"]
    assert campaign["cycle"]["round_windows"] == [
        {"starts_on": "2016-06-01", "ends_on": "2017-11-30"}
    ]
    cid = campaign["campaign_id"]
    enrolled = enrol(
        cluster,
        cid,
        [
            (uid(luohe, "市教育局"), GOV),
            (uid(luohe, "源汇区民政局"), GOV),
            (uid(luohe, "漯河供电公司"), PUBLIC),
            (uid(luohe, "移动漯河分公司"), PUBLIC),
        ],
        key=luohe["keys"]["city"],
    )
    assert [e["unit_name"] for e in enrolled["enrolments"]] == [
        "漯河市教育局",
        "源汇区民政局",
        "国网漯河供电公司",
        "中国移动漯河分公司",
    ]
    listed = enrolments(cluster, cid)
    assert [(e["unit_name"], e["category"], e["status"]) for e in listed] == [
        (e["unit_name"], e["category"], "enrolled") for e in enrolled["enrolments"]
    ]
    public = enrolments(cluster, cid, category=PUBLIC)
    assert {e["unit_name"] for e in public} == {"国网漯河供电公司", "中国移动漯河分公司"}
    shown = cluster["registry"].get(f"/campaigns/{cid}", headers=ADMIN).json()
    assert shown["enrolment_counts"] == {GOV: 2, PUBLIC: 2}
    assert {k: v for k, v in shown.items() if k != "enrolment_counts"} == {
        k: v for k, v in campaign.items() if k != "enrolment_counts"
    }


def test_seed_004_campaign_has_three_categories(cluster: Cluster) -> None:
    zone = wuhan_zone(cluster)
    cluster.wait_caught_up("registry", "registry")
    campaign = open_campaign(
        cluster, wuhan_spec(zone["zone"]["jurisdiction_id"]), key=zone["office"]
    )
    assert campaign["categories"] == WUHAN_CATEGORIES
    assert campaign["pattern"]["label"] == "履职尽责督促检查"
    pairs = [
        (zone["units"][name]["unit_id"], category)
        for category, names in zone["categories"].items()
        for name in names
    ]
    enrol(cluster, campaign["campaign_id"], pairs, key=zone["office"])
    listed = enrolments(cluster, campaign["campaign_id"], key=zone["office"])
    # Listed in the campaign's category order.
    assert [e["category"] for e in listed] == [c for c in WUHAN_CATEGORIES for _ in range(2)]
    counts = cluster["registry"].get(
        f"/campaigns/{campaign['campaign_id']}", headers=zone["office"]
    )
    assert counts.json()["enrolment_counts"] == dict.fromkeys(WUHAN_CATEGORIES, 2)
    wrong = enrol(
        cluster,
        campaign["campaign_id"],
        [(zone["units"]["区教育局"]["unit_id"], "政府部门及其它机构")],
        key=zone["office"],
        status=422,
    )
    assert wrong["detail"][0]["field"] == "enrolments.0.category"


def test_bad_phases_are_refused_naming_the_phase_and_field(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    spec = luohe_spec(luohe["city"]["jurisdiction_id"])
    overlapping = [*LUOHE_PHASES[:1], LUOHE_PHASES[1] | {"starts_on": "2016-07-15"}]
    reversed_dates = [LUOHE_PHASES[0] | {"ends_on": "2016-05-31"}]
    outside = [*LUOHE_PHASES[:2], LUOHE_PHASES[2] | {"ends_on": "2017-12-31"}]
    cases = [
        (overlapping, "phases.1.starts_on"),
        (reversed_dates, "phases.0.ends_on"),
        (outside, "phases.2.ends_on"),
    ]
    for phases, field in cases:
        response = cluster["registry"].post(
            "/campaigns", json=spec | {"phases": phases}, headers=ADMIN
        )
        assert response.status_code == 422, response.text
        assert error_field(response) == field
    too_long = spec | {"cycle": spec["cycle"] | {"length": "one_year"}}
    response = cluster["registry"].post("/campaigns", json=too_long, headers=ADMIN)
    assert (response.status_code, error_field(response)) == (422, "cycle.ends_on")
    malformed = spec | {"phases": [LUOHE_PHASES[0] | {"starts_on": "2016-13-01"}]}
    response = cluster["registry"].post("/campaigns", json=malformed, headers=ADMIN)
    assert (response.status_code, error_field(response)) == (422, "body.phases.0.starts_on")
    unknown = cluster["registry"].post("/campaigns", json=spec | {"pattern": "x"}, headers=ADMIN)
    assert (unknown.status_code, error_field(unknown)) == (422, "body.pattern")


def test_phases_and_categories_are_amended_by_new_events_with_a_reason(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    key = luohe["keys"]["city"]
    campaign = open_campaign(cluster, luohe_spec(luohe["city"]["jurisdiction_id"]), key=key)
    cid = campaign["campaign_id"]
    later = [*LUOHE_PHASES[:2], LUOHE_PHASES[2] | {"ends_on": "2017-11-15"}]
    amended = post(
        cluster,
        f"/campaigns/{cid}/phases",
        {"phases": later, "reason": "考核总结提前结束"},
        key=key,
        status=200,
    )
    assert amended["phases"][2]["ends_on"] == "2017-11-15"
    assert amended["amendments"] == [
        {"kind": "phases", "reason": "考核总结提前结束", "actor": amended["amendments"][0]["actor"]}
    ]
    enrol(cluster, cid, [(uid(luohe, "漯河供电公司"), PUBLIC)], key=key)
    dropping = post(
        cluster,
        f"/campaigns/{cid}/categories",
        {"categories": [GOV], "reason": "公共服务行业另行评议"},
        key=key,
        status=409,
    )
    assert dropping["detail"][0]["field"] == "categories"
    added = post(
        cluster,
        f"/campaigns/{cid}/categories",
        {"categories": [*LUOHE_CATEGORIES, "基层站所"], "reason": "增加基层站所评议"},
        key=key,
        status=200,
    )
    assert added["categories"][-1] == "基层站所"
    cluster.wait_caught_up("registry", "registry")
    shown = cluster["registry"].get(f"/campaigns/{cid}", headers=key).json()
    assert shown == added
    assert [a["kind"] for a in shown["amendments"]] == ["phases", "categories"]
    missing_reason = cluster["registry"].post(
        f"/campaigns/{cid}/phases", json={"phases": LUOHE_PHASES}, headers=key
    )
    assert (missing_reason.status_code, error_field(missing_reason)) == (422, "body.reason")


def test_enrolment_is_all_or_nothing_and_refuses_units_outside_or_twice(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    county = luohe["counties"]["源汇区"]["jurisdiction_id"]
    key = luohe["keys"]["源汇区"]
    spec = luohe_spec(county) | {"name": "源汇区2016—2017年度民主评议政风行风"}
    cid = open_campaign(cluster, spec, key=key)["campaign_id"]
    mine, other = uid(luohe, "源汇区民政局"), uid(luohe, "郾城区民政局")
    refused = enrol(cluster, cid, [(mine, GOV), (other, GOV)], key=key, status=422)
    detail = refused["detail"][0]
    assert refused["error"] == "enrolment_refused"
    assert detail["field"] == "enrolments.1.unit_id"
    assert "outside the campaign's jurisdiction" in detail["reason"]
    assert enrolments(cluster, cid, key=key) == []  # the good first row was not kept either
    city_unit = enrol(cluster, cid, [(uid(luohe, "市教育局"), GOV)], key=key, status=422)
    assert city_unit["detail"][0]["field"] == "enrolments.0.unit_id"
    twice = enrol(cluster, cid, [(mine, GOV), (mine, GOV)], key=key, status=422)
    assert twice["detail"][0]["field"] == "enrolments.1.unit_id"
    enrol(cluster, cid, [(mine, GOV)], key=key)
    again = enrol(cluster, cid, [(mine, GOV)], key=key, status=409)
    assert (again["error"], again["detail"][0]["field"]) == (
        "enrolment_conflict",
        "enrolments.0.unit_id",
    )
    ghost = enrol(cluster, cid, [("00000000-0000-4000-8000-000000000000", GOV)], status=404)
    assert ghost["detail"][0]["field"] == "enrolments.0.unit_id"


def test_enrolment_with_an_idempotency_key_happens_once(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    cid = open_campaign(cluster, luohe_spec(luohe["city"]["jurisdiction_id"]))["campaign_id"]
    pairs = [(uid(luohe, "市教育局"), GOV), (uid(luohe, "漯河供电公司"), PUBLIC)]
    first = enrol(cluster, cid, pairs, **{"Idempotency-Key": "enrol-1"})
    again = enrol(cluster, cid, pairs, **{"Idempotency-Key": "enrol-1"})
    assert again == first
    other = enrol(cluster, cid, pairs[:1], status=409, **{"Idempotency-Key": "enrol-1"})
    assert other["detail"][0]["field"] == "Idempotency-Key"
    assert len(enrolments(cluster, cid)) == 2


def test_withdrawal_and_re_enrolment_keep_the_history(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    key = luohe["keys"]["city"]
    cid = open_campaign(cluster, luohe_spec(luohe["city"]["jurisdiction_id"]), key=key)[
        "campaign_id"
    ]
    power = uid(luohe, "漯河供电公司")
    enrol(cluster, cid, [(power, PUBLIC)], key=key)
    path = f"/campaigns/{cid}/enrolments/{power}/withdrawal"
    withdrawn = post(cluster, path, {"reason": "改由省公司统一评议"}, key=key, status=200)
    assert (withdrawn["status"], withdrawn["withdrawn_reason"]) == (
        "withdrawn",
        "改由省公司统一评议",
    )
    twice = post(cluster, path, {"reason": "再次"}, key=key, status=409)
    assert twice["error"] == "enrolment_conflict"
    never = uid(luohe, "市教育局")
    post(cluster, f"/campaigns/{cid}/enrolments/{never}/withdrawal", {"reason": "x"}, status=404)
    assert enrolments(cluster, cid, status="withdrawn")[0]["unit_name"] == "国网漯河供电公司"
    enrol(cluster, cid, [(power, PUBLIC)], key=key)
    cluster.wait_caught_up("registry", "registry")
    detail = cluster["registry"].get(f"/campaigns/{cid}/enrolments/{power}", headers=key).json()
    assert detail["status"] == "enrolled" and detail["withdrawn_reason"] is None
    assert [h["event"] for h in detail["history"]] == ["enrolled", "withdrawn", "enrolled"]
    assert detail["history"][1]["reason"] == "改由省公司统一评议"


def test_key_targets_are_designated_and_revoked_with_reasons(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    key = luohe["keys"]["city"]
    cid = open_campaign(cluster, luohe_spec(luohe["city"]["jurisdiction_id"]), key=key)[
        "campaign_id"
    ]
    power, education = uid(luohe, "漯河供电公司"), uid(luohe, "市教育局")
    enrol(cluster, cid, [(power, PUBLIC), (education, GOV)], key=key)
    body = {"unit_id": power, "reason_code": "群众意见集中", "reason": "热线投诉集中, 反映强烈"}
    designated = post(cluster, f"/campaigns/{cid}/key-targets", body, key=key)
    assert designated["key_target"]["reason_code"] == "concentrated_complaints"
    assert designated["key_target"]["reason_label"] == "群众意见集中"
    post(cluster, f"/campaigns/{cid}/key-targets", body, key=key, status=409)
    weak = {"unit_id": education, "reason_code": "weak_grade_last_cycle", "reason": "上年度一般"}
    post(cluster, f"/campaigns/{cid}/key-targets", weak, key=key)
    targets = enrolments(cluster, cid, key=key, key_target=True)
    assert {t["unit_name"] for t in targets} == {"国网漯河供电公司", "漯河市教育局"}
    revoked = post(
        cluster,
        f"/campaigns/{cid}/key-targets/{power}/revocation",
        {"reason": "整改到位"},
        key=key,
        status=200,
    )
    assert revoked["key_target"] is None
    post(
        cluster,
        f"/campaigns/{cid}/key-targets/{power}/revocation",
        {"reason": "again"},
        key=key,
        status=409,
    )
    assert [t["unit_name"] for t in enrolments(cluster, cid, key_target=True)] == ["漯河市教育局"]
    shown = cluster["registry"].get(f"/campaigns/{cid}", headers=key).json()
    assert shown["key_target_count"] == 1
    outsider = unit(cluster, luohe["city"]["jurisdiction_id"], "漯河市审计局")
    not_enrolled = {"unit_id": outsider["unit_id"], "reason_code": "other", "reason": "x"}
    post(cluster, f"/campaigns/{cid}/key-targets", not_enrolled, key=key, status=404)


def test_scoping_of_campaign_reads_and_writes(cluster: Cluster, luohe: dict[str, Any]) -> None:
    keys = luohe["keys"]
    city_campaign = open_campaign(
        cluster, luohe_spec(luohe["city"]["jurisdiction_id"]), key=keys["city"]
    )
    cid = city_campaign["campaign_id"]
    # A county office neither opens a campaign for the city nor touches the city's campaign.
    refused = open_campaign(
        cluster, luohe_spec(luohe["city"]["jurisdiction_id"]), key=keys["源汇区"], status=403
    )
    assert refused["detail"][0]["field"] == "jurisdiction_id"
    forbidden = enrol(cluster, cid, [(uid(luohe, "源汇区民政局"), GOV)], keys["源汇区"], 403)
    assert forbidden["detail"][0]["field"] == "campaign_id"
    cluster.wait_caught_up("registry", "registry")
    assert cluster["registry"].get(f"/campaigns/{cid}", headers=keys["源汇区"]).status_code == 403
    county_campaign = open_campaign(
        cluster,
        luohe_spec(luohe["counties"]["源汇区"]["jurisdiction_id"]) | {"name": "源汇区评议"},
        key=keys["源汇区"],
    )
    cluster.wait_caught_up("registry", "registry")

    def visible(key: dict[str, str]) -> set[str]:
        return {c["name"] for c in cluster["registry"].get("/campaigns", headers=key).json()}

    assert visible(keys["源汇区"]) == {"源汇区评议"}
    assert (
        visible(keys["city"]) == visible(keys["auditor"]) == {"源汇区评议", city_campaign["name"]}
    )
    # Auditors read everything and write nothing.
    auditor = keys["auditor"]
    assert (
        cluster["registry"].get(f"/campaigns/{cid}/enrolments", headers=auditor).status_code == 200
    )
    for path, body in [
        ("/campaigns", luohe_spec(luohe["city"]["jurisdiction_id"])),
        (
            f"/campaigns/{cid}/enrolments",
            {"enrolments": [{"unit_id": uid(luohe, "市教育局"), "category": GOV}]},
        ),
        (
            f"/campaigns/{county_campaign['campaign_id']}/phases",
            {"phases": LUOHE_PHASES, "reason": "x"},
        ),
    ]:
        response = cluster["registry"].post(path, json=body, headers=auditor)
        assert response.status_code == 403, path
        assert "auditors" in response.json()["detail"][0]["reason"]


def test_unknown_campaigns_are_404(cluster: Cluster, luohe: dict[str, Any]) -> None:
    ghost = "00000000-0000-4000-8000-000000000000"
    response = cluster["registry"].get(f"/campaigns/{ghost}", headers=ADMIN)
    assert (response.status_code, response.json()["error"]) == (404, "campaign_not_found")
    post(
        cluster,
        f"/campaigns/{ghost}/enrolments",
        {"enrolments": [{"unit_id": uid(luohe, "市教育局"), "category": GOV}]},
        status=404,
    )


def test_sub_units_and_vertical_units_located_there_enrol_but_dissolved_units_do_not(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    county = luohe["counties"]["源汇区"]["jurisdiction_id"]
    other = luohe["counties"]["郾城区"]["jurisdiction_id"]
    key = luohe["keys"]["源汇区"]

    def register(where: str, name: str, **extra: Any) -> str:
        body = {"jurisdiction_id": where, "name": name, "kind": "grassroots_station"}
        registered = post(cluster, "/units", body | {"category": GOV} | extra)
        unit_id: str = registered["unit_id"]
        return unit_id

    window = register(county, "源汇区民政局婚姻登记处", parent_id=uid(luohe, "源汇区民政局"))
    station = register(county, "市教育局源汇区招生窗口", parent_id=uid(luohe, "市教育局"))
    tax = register(county, "源汇区税务局", vertical_superior="国家税务总局漯河市税务局")
    other_tax = register(other, "郾城区税务局", vertical_superior="国家税务总局漯河市税务局")
    grain = register(county, "源汇区粮食局")
    post(cluster, f"/units/{grain}/dissolve", {"reason": "机构改革撤销"}, status=200)
    cluster.wait_caught_up("registry", "registry")
    cid = open_campaign(cluster, luohe_spec(county) | {"name": "源汇区评议"}, key=key)[
        "campaign_id"
    ]

    enrol(cluster, cid, [(window, GOV), (station, GOV), (tax, GOV)], key=key)
    assert {e["unit_name"] for e in enrolments(cluster, cid, key=key)} == {
        "源汇区民政局婚姻登记处",
        "市教育局源汇区招生窗口",
        "源汇区税务局",
    }
    for refused, reason in [(other_tax, "vertically managed"), (grain, "dissolved")]:
        body = enrol(cluster, cid, [(uid(luohe, "源汇区民政局"), GOV), (refused, GOV)], key, 422)
        assert body["detail"][0]["field"] == "enrolments.1.unit_id"
        assert reason in body["detail"][0]["reason"]


def test_a_units_key_reads_its_own_enrolment_and_not_its_neighbours(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    """An enrolment's history holds reasons (key target because 上年度考核一般, withdrawals):
    the campaign being in a unit key's county is no licence to read another unit's."""
    key = luohe["keys"]["city"]
    city = luohe["city"]["jurisdiction_id"]
    cid = open_campaign(cluster, luohe_spec(city), key=key)["campaign_id"]
    education, power = uid(luohe, "市教育局"), uid(luohe, "漯河供电公司")
    enrol(cluster, cid, [(education, GOV), (power, PUBLIC)], key=key)
    unit_key = key_for(
        post(
            cluster,
            "/principals",
            {"name": "市教育局", "role": "unit", "jurisdiction_id": city, "unit_id": education},
        )
    )
    cluster.wait_caught_up("registry", "registry")
    registry = cluster["registry"]
    own = registry.get(f"/campaigns/{cid}/enrolments/{education}", headers=unit_key)
    assert own.status_code == 200 and own.json()["unit_id"] == education
    other = registry.get(f"/campaigns/{cid}/enrolments/{power}", headers=unit_key)
    assert other.status_code == 403 and error_field(other) == "unit_id"
    assert registry.get(f"/campaigns/{cid}/enrolments/{power}", headers=key).status_code == 200


# --- one campaign per jurisdiction, pattern and cycle; categories compared as names -------


def duplicate(response: Any) -> dict[str, Any]:
    assert response.status_code == 409, response.text
    body: dict[str, Any] = response.json()
    assert (body["error"], body["detail"][0]["field"]) == ("duplicate_campaign", "cycle")
    context: dict[str, Any] = body["detail"][0]["context"]
    return context


def test_the_same_campaign_again_is_refused_naming_the_first(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    """Reporting links a jurisdiction's campaigns of one pattern cycle by cycle: a second
    campaign of the same pattern and cycle, with another key, no key or another name, is a
    409 naming the first; the same key still answers the first request."""
    city = luohe["city"]["jurisdiction_id"]
    spec = luohe_spec(city)
    first = post(cluster, "/campaigns", spec, ADMIN, 201, **{"Idempotency-Key": "open-1"})
    assert post(cluster, "/campaigns", spec, ADMIN, 201, **{"Idempotency-Key": "open-1"}) == first
    for headers, body in [
        ({"Idempotency-Key": "open-2"}, spec),
        ({}, spec),
        ({}, spec | {"name": "漯河市民主评议政风行风(第二次)"}),
        ({}, spec | {"cycle": spec["cycle"] | {"rounds": "half_year"}}),
    ]:
        response = cluster["registry"].post("/campaigns", json=body, headers=ADMIN | headers)
        assert duplicate(response) == {"campaign_id": first["campaign_id"], "name": spec["name"]}
    # Another cycle, another pattern or another jurisdiction is another campaign.
    next_cycle = spec["cycle"] | {"starts_on": "2018-01-01", "ends_on": "2019-11-30"}
    later = [p | {"starts_on": "2018-01-01", "ends_on": "2018-12-31"} for p in LUOHE_PHASES[:1]]
    open_campaign(cluster, spec | {"cycle": next_cycle, "phases": later})
    open_campaign(cluster, spec | {"pattern": "万人评议"})
    open_campaign(cluster, luohe_spec(luohe["counties"]["源汇区"]["jurisdiction_id"]))


def test_a_campaign_opened_before_cycles_were_claimed_still_holds_its_cycle(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    app = cluster["registry"].app.state.runtime.application
    spec = luohe_spec(luohe["city"]["jurisdiction_id"])
    old = Campaign.open(
        actor="office:old", **spec | {"jurisdiction_id": UUID(spec["jurisdiction_id"])}
    )
    app.save(old)  # no claim, as before this rule
    cluster.wait_caught_up("registry", "registry")
    response = cluster["registry"].post("/campaigns", json=spec, headers=ADMIN)
    assert duplicate(response)["campaign_id"] == str(old.id)


def test_categories_differing_only_in_spaces_or_width_are_refused(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    spec = luohe_spec(luohe["city"]["jurisdiction_id"])
    for twins in (
        ["政府部门及其它机构", "政府部门 及其它机构"],
        ["公共服务行业", "公共服务行业\u3000"],
    ):
        response = cluster["registry"].post(
            "/campaigns", json=spec | {"categories": twins}, headers=ADMIN
        )
        assert response.status_code == 422, response.text
        assert error_field(response) == "categories.1"
    cid = open_campaign(cluster, spec)["campaign_id"]
    response = cluster["registry"].post(
        f"/campaigns/{cid}/categories",
        json={"categories": [GOV, PUBLIC, "公共服务 行业"], "reason": "增加"},
        headers=ADMIN,
    )
    assert (response.status_code, error_field(response)) == (422, "categories.2")
    enrolled = enrol(cluster, cid, [(uid(luohe, "市教育局"), "政府部门 及其它机构")])
    assert enrolled["enrolments"][0]["category"] == GOV


def test_a_unit_that_began_after_the_cycle_is_refused_by_enrolment_and_import(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    """The 2016—2017 campaign cannot have evaluated a unit that began in 2020; a unit entered
    today without a 生效日期 (the registry does not know when it began) still enrols."""
    county = luohe["counties"]["源汇区"]["jurisdiction_id"]
    key = luohe["keys"]["源汇区"]
    spec = luohe_spec(county) | {"name": "源汇区2016—2017年度民主评议政风行风"}
    cid = open_campaign(cluster, spec, key=key)["campaign_id"]
    body = {"jurisdiction_id": county, "name": "源汇区新设局", "kind": "government_department"}
    new = post(cluster, "/units", body | {"category": GOV, "effective_on": "2020-05-01"}, key=key)
    refused = enrol(
        cluster,
        cid,
        [(uid(luohe, "源汇区民政局"), GOV), (new["unit_id"], GOV)],
        key=key,
        status=422,
    )
    detail = refused["detail"][0]
    assert (refused["error"], detail["field"]) == ("enrolment_refused", "enrolments.1.unit_id")
    assert "2020-05-01" in detail["reason"] and "2017-11-30" in detail["reason"]
    cluster.wait_caught_up("registry", "registry")
    sheet = f"单位名称,类别\n源汇区新设局,{GOV}\n源汇区民政局,{GOV}\n".encode()
    report = (
        cluster["registry"]
        .post(
            "/imports/enrolments",
            params={"campaign_id": cid, "dry_run": "true"},
            content=sheet,
            headers=key | {"content-type": "text/csv"},
        )
        .json()
    )
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "单位名称")], report
    assert "生效日期" in report["errors"][0]["reason"]
    # Entered today without a day of its own: enrolled as offices backfill past campaigns.
    enrol(cluster, cid, [(uid(luohe, "源汇区民政局"), GOV)], key=key)


def test_a_unit_the_office_cannot_see_is_refused_without_its_name(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    """源汇区's office enrolling 郾城区's unit by its id is told it lies outside, as reading
    it would (403), but not what it is called (the refusal carried its name)."""
    county = luohe["counties"]["源汇区"]["jurisdiction_id"]
    key = luohe["keys"]["源汇区"]
    spec = luohe_spec(county) | {"name": "源汇区2016—2017年度民主评议政风行风"}
    cid = open_campaign(cluster, spec, key=key)["campaign_id"]
    theirs = enrol(cluster, cid, [(uid(luohe, "郾城区民政局"), GOV)], key=key, status=422)
    assert "outside the campaign's jurisdiction" in theirs["detail"][0]["reason"]
    assert "郾城区" not in str(theirs), theirs
    # The city office sees both counties: it is told which unit cannot be enrolled.
    city = enrol(cluster, cid, [(uid(luohe, "郾城区民政局"), GOV)], status=422)
    assert city["detail"][0]["context"] == {"unit_name": "郾城区民政局"}


def test_a_unit_the_office_cannot_see_is_refused_for_where_it_is_not_what_became_of_it(
    cluster: Cluster, luohe: dict[str, Any]
) -> None:
    """郾城区's units that were dissolved, or began after the cycle: 源汇区's office was told
    so (已撤销, its 生效日期) before being told they lie outside, learning of another county's
    units what reading them would refuse it (403). Where a unit is comes first."""
    county = luohe["counties"]["源汇区"]["jurisdiction_id"]
    theirs = luohe["counties"]["郾城区"]["jurisdiction_id"]
    key = luohe["keys"]["源汇区"]
    spec = luohe_spec(county) | {"name": "源汇区2016年度民主评议政风行风(辖区外单位)"}
    cid = open_campaign(cluster, spec, key=key)["campaign_id"]
    body = {"jurisdiction_id": theirs, "kind": "government_department", "category": GOV}
    dissolved = post(cluster, "/units", body | {"name": "郾城区已撤销局"})["unit_id"]
    post(cluster, f"/units/{dissolved}/dissolve", {"reason": "机构改革撤销"}, status=200)
    later = post(cluster, "/units", body | {"name": "郾城区新设局", "effective_on": "2020-05-01"})
    for unit_id in (dissolved, later["unit_id"]):
        refused = enrol(cluster, cid, [(unit_id, GOV)], key=key, status=422)
        (detail,) = refused["detail"]
        assert detail["reason"] == (
            "该单位不在本次评议活动的辖区内, 也不是辖区内单位的下属单位 "
            "(the unit is outside the campaign's jurisdiction and not a sub-unit of one inside)"
        ), detail
        assert "context" not in detail or not detail["context"], detail
