"""Representatives through the API in memory mode: scoping, contacts, appointment rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pingyi.composition import open_outbox
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import city_with_counties, post, unit
from tests.registry.people_helpers import appoint, department_body, office_body, person

PHONE = "13812345678"


@pytest.fixture
def cluster(common: CommonSettings) -> Iterator[Cluster]:
    with Cluster(common, ["registry"]) as running:
        yield running


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    setup = city_with_counties(cluster)
    cluster.wait_caught_up("registry", "registry")
    return setup


def listed(cluster: Cluster, key: dict[str, str], **params: str) -> list[dict[str, Any]]:
    cluster.wait_caught_up("registry", "registry")
    response = cluster["registry"].get("/people", headers=key, params=params)
    assert response.status_code == 200, response.text
    people: list[dict[str, Any]] = response.json()
    return people


def test_offices_see_their_subtree_and_masked_contacts_only(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    county = world["counties"]["源汇区"]["jurisdiction_id"]
    other = world["counties"]["郾城区"]["jurisdiction_id"]
    mine = person(cluster, county, "李秀英", "服务对象", PHONE, key=world["keys"]["源汇区"])
    assert mine["contact_masked"] == "138****5678" and mine["sector"] == "service_user"
    person(cluster, other, "赵志强", "政协委员")

    county_view = listed(cluster, world["keys"]["源汇区"])
    assert [p["name"] for p in county_view] == ["李秀英"]
    assert county_view[0]["contact_masked"] == "138****5678"
    assert {p["name"] for p in listed(cluster, world["keys"]["city"])} == {"李秀英", "赵志强"}
    audited = listed(cluster, world["keys"]["auditor"])
    assert len(audited) == 2 and all(p["contact_masked"] is None for p in audited)
    only = listed(cluster, ADMIN, sector="政协委员")
    assert [p["name"] for p in only] == ["赵志强"]

    refused = cluster["registry"].post(
        "/people",
        json={"jurisdiction_id": other, "name": "越权", "sector": "其他"},
        headers=world["keys"]["源汇区"],
    )
    assert refused.status_code == 403 and refused.json()["detail"][0]["field"] == "jurisdiction_id"
    foreign = listed(cluster, ADMIN, jurisdiction_id=other)[0]["person_id"]
    assert (
        cluster["registry"].get(f"/people/{foreign}", headers=world["keys"]["源汇区"]).status_code
        == 403
    )


def test_auditors_read_representatives_and_write_nothing(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    county = world["counties"]["源汇区"]["jurisdiction_id"]
    someone = person(cluster, county, "周敏")
    auditor = world["keys"]["auditor"]
    writes = [
        ("/people", {"jurisdiction_id": county, "name": "x", "sector": "其他"}),
        (
            f"/people/{someone['person_id']}/appointments",
            {"body": office_body(county), "cycle": "2026"},
        ),
        (f"/people/{someone['person_id']}/disqualification", {"reason": "x"}),
        (
            f"/people/{someone['person_id']}/trainings",
            {"held_on": "2026-03-01", "topic": "x", "hours": "1"},
        ),
    ]
    for path, body in writes:
        response = cluster["registry"].post(path, json=body, headers=auditor)
        assert response.status_code == 403, path
    got = cluster["registry"].get(f"/people/{someone['person_id']}", headers=auditor)
    assert got.status_code == 200 and got.json()["name"] == "周敏"


@pytest.mark.parametrize("variant", ["138-1234-5678", "+86 138 1234 5678", " 13812345678 "])
def test_a_contact_registered_twice_is_refused_naming_the_field(
    cluster: Cluster, world: dict[str, Any], variant: str
) -> None:
    city = world["city"]["jurisdiction_id"]
    first = person(cluster, city, "孙丽", contact=PHONE)
    again = cluster["registry"].post(
        "/people",
        json={"jurisdiction_id": city, "name": "孙丽", "sector": "人大代表", "contact": variant},
        headers=ADMIN,
    )
    assert again.status_code == 409, again.text
    detail = again.json()["detail"][0]
    assert detail["field"] == "contact"
    assert detail["context"]["person_id"] == first["person_id"]


def test_a_batch_is_all_or_nothing_and_names_the_bad_row(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    city = world["city"]["jurisdiction_id"]
    rows = [
        {"jurisdiction_id": city, "name": "钱伟", "sector": "机关干部", "contact": "13900000001"},
        {"jurisdiction_id": city, "name": "吴芳", "sector": "路人"},
    ]
    bad = cluster["registry"].post("/people:batch", json={"people": rows}, headers=ADMIN)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "people.1.sector"
    twice = [rows[0], rows[0] | {"name": "钱伟二"}]
    duplicate = cluster["registry"].post("/people:batch", json={"people": twice}, headers=ADMIN)
    assert duplicate.status_code == 409
    assert duplicate.json()["detail"][0]["field"] == "people.1.contact"
    assert listed(cluster, ADMIN) == []
    rows[1]["sector"] = "社区群干"
    done = post(cluster, "/people:batch", {"people": rows})
    assert [p["sector"] for p in done["people"]] == ["civil_servant", "community_cadre"]


def test_office_and_department_overlap_is_refused_unless_special(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    city = world["city"]["jurisdiction_id"]
    department = world["units"]["市教育局"]["unit_id"]
    someone = person(cluster, city, "郑红")
    appoint(cluster, someone["person_id"], office_body(city))
    clash = appoint(cluster, someone["person_id"], department_body(department), status=409)
    assert clash["error"] == "appointment_conflict" and clash["detail"][0]["field"] == "body"
    special = appoint(
        cluster, someone["person_id"], department_body(department), purpose="school_special"
    )
    assert [a["purpose_label"] for a in special["appointments"]] == ["综合评议", "学校专项评议"]
    unknown = appoint(
        cluster,
        someone["person_id"],
        department_body("00000000-0000-4000-8000-000000000000"),
        status=404,
    )
    assert unknown["detail"][0]["field"] == "body.unit_id"
    bad_cycle = appoint(cluster, someone["person_id"], office_body(city), "2026-2028", status=422)
    assert bad_cycle["detail"][0]["field"] == "cycle"


def test_a_county_office_cannot_appoint_for_a_body_outside_its_county(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    county = world["counties"]["源汇区"]["jurisdiction_id"]
    someone = person(cluster, county, "冯磊", key=world["keys"]["源汇区"])
    refused = appoint(
        cluster,
        someone["person_id"],
        office_body(world["city"]["jurisdiction_id"]),
        key=world["keys"]["源汇区"],
        status=403,
    )
    assert refused["detail"][0]["field"] == "body.jurisdiction_id"


def test_disqualification_blocks_later_appointments(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    city = world["city"]["jurisdiction_id"]
    someone = person(cluster, city, "陈刚")
    appoint(cluster, someone["person_id"], office_body(city), "2024-2025")
    out = post(
        cluster,
        f"/people/{someone['person_id']}/disqualification",
        {"reason": "接受被评单位礼金"},
        status=200,
    )
    assert out["disqualified"] is True and out["disqualified_reason"] == "接受被评单位礼金"
    again = appoint(cluster, someone["person_id"], office_body(city), "2026-2027", status=409)
    assert again["error"] == "person_disqualified"
    assert again["detail"][0]["field"] == "person_id"
    assert listed(cluster, ADMIN, disqualified="true")[0]["person_id"] == someone["person_id"]


def test_trainings_are_recorded_and_shown(cluster: Cluster, world: dict[str, Any]) -> None:
    city = world["city"]["jurisdiction_id"]
    someone = person(cluster, city, "何静")
    post(
        cluster,
        f"/people/{someone['person_id']}/trainings",
        {"held_on": "2026-04-10", "topic": "评议代表业务培训", "hours": "3.5"},
        status=200,
    )
    bad = cluster["registry"].post(
        f"/people/{someone['person_id']}/trainings",
        json={"held_on": "2026-04-11", "topic": "x", "hours": "0"},
        headers=ADMIN,
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"].endswith("hours")
    got = cluster["registry"].get(f"/people/{someone['person_id']}", headers=ADMIN).json()
    assert got["trainings"] == [
        {"held_on": "2026-04-10", "topic": "评议代表业务培训", "hours": "3.5"}
    ]


def test_the_rules_report_counts_newly_appointed_and_overlaps(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    city = world["city"]["jurisdiction_id"]
    body = office_body(city)
    department = unit(cluster, city, "漯河市卫生健康委员会")["unit_id"]
    people = [person(cluster, city, f"代表{i}")["person_id"] for i in range(8)]
    for p in people[:6]:
        appoint(cluster, p, body, "2024-2025")
    for p in people[1:7]:  # p1..p5 reappointed, p6 new
        appoint(cluster, p, body, "2026-2027")
    appoint(cluster, people[6], department_body(department), "2026-2027", "hospital_special")

    def report() -> dict[str, Any]:
        cluster.wait_caught_up("registry", "registry")
        response = cluster["registry"].get(
            "/appointments/rules",
            params={"body": f"office:{city}", "cycle": "2026-2027"},
            headers=world["keys"]["auditor"],
        )
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    first = report()["one_third_new"]
    assert (first["representatives"], first["newly_appointed"], first["required_new"]) == (6, 1, 2)
    assert first["passes"] is False and first["previous_cycles"] == ["2024-2025"]
    appoint(cluster, people[7], body, "2026-2027")
    second = report()
    # 7 serving, 2 new: ceil(7/3) = 3 needed.
    assert (second["one_third_new"]["newly_appointed"], second["one_third_new"]["passes"]) == (
        2,
        False,
    )
    assert second["overlap"] == {"shared_with_special_exemption": [people[6]], "violations": []}
    post(cluster, f"/people/{people[1]}/disqualification", {"reason": "违纪"}, status=200)
    third = report()
    # A disqualified representative no longer serves: 6 serving, 2 new, 2 needed.
    assert third["disqualified"] == [people[1]]
    assert (third["one_third_new"]["representatives"], third["one_third_new"]["passes"]) == (
        6,
        True,
    )

    malformed = cluster["registry"].get(
        "/appointments/rules", params={"body": "纠风办", "cycle": "2026"}, headers=ADMIN
    )
    assert malformed.status_code == 422 and malformed.json()["detail"][0]["field"] == "body"
    foreign = cluster["registry"].get(
        "/appointments/rules",
        params={"body": f"office:{city}", "cycle": "2026"},
        headers=world["keys"]["源汇区"],
    )
    assert foreign.status_code == 403


@pytest.mark.parametrize("common", ["embedded"], indirect=True)
def test_the_contact_is_in_no_stored_byte_and_no_published_message(
    cluster: Cluster, world: dict[str, Any], common: CommonSettings
) -> None:
    city = world["city"]["jurisdiction_id"]
    someone = person(cluster, city, "林涛", contact=PHONE)
    post(
        cluster,
        "/people",
        {"jurisdiction_id": city, "name": "林涛二", "sector": "其他", "contact": "13987654321"},
        **{"Idempotency-Key": "people-1"},
    )
    appoint(cluster, someone["person_id"], office_body(city))
    cluster.wait_caught_up("registry", "registry")
    data_dir = Path(common.data_dir)
    for path in data_dir.iterdir():
        raw = path.read_bytes()
        for secret in (PHONE, "13987654321", "12345678", "87654321"):
            assert secret.encode() not in raw, f"{secret} found in {path.name}"
    outbox = open_outbox("registry", common)
    try:
        published = [m.encode().decode() for m in outbox.iterate()]
    finally:
        outbox.close()
    assert any("registry.representative.registered" in m for m in published)
    for message in published:
        assert PHONE not in message and "138****5678" not in message
        assert "contact_hash" not in message and "contact_sealed" not in message
