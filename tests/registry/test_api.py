"""Registry API in memory mode: scoping, validation, idempotency, keys."""

from __future__ import annotations

import pytest

from tests.harness import ADMIN, Cluster
from tests.registry.helpers import city_with_counties, key_for, post, unit


@pytest.fixture
def world(cluster: Cluster) -> dict:  # type: ignore[type-arg]
    setup = city_with_counties(cluster)
    cluster.wait_caught_up("registry", "registry")
    return setup


def names(cluster: Cluster, key: dict[str, str]) -> set[str]:
    response = cluster["registry"].get("/units", headers=key)
    assert response.status_code == 200, response.text
    return {u["name"] for u in response.json()}


def test_a_county_office_sees_only_its_units_and_a_city_office_its_subtree(
    cluster: Cluster, world: dict
) -> None:
    assert names(cluster, world["keys"]["源汇区"]) == {"源汇区民政局"}
    assert names(cluster, world["keys"]["city"]) == {"漯河市教育局", "源汇区民政局", "郾城区民政局"}
    assert names(cluster, world["keys"]["auditor"]) == names(cluster, ADMIN)


def test_a_county_office_cannot_register_or_read_outside_its_county(
    cluster: Cluster, world: dict
) -> None:
    other = world["counties"]["郾城区"]["jurisdiction_id"]
    body = {"jurisdiction_id": other, "name": "越权单位", "kind": "other_body", "category": "x"}
    refused = cluster["registry"].post("/units", json=body, headers=world["keys"]["源汇区"])
    assert refused.status_code == 403
    assert refused.json()["detail"][0]["field"] == "jurisdiction_id"
    foreign = world["units"]["郾城区民政局"]["unit_id"]
    assert (
        cluster["registry"].get(f"/units/{foreign}", headers=world["keys"]["源汇区"]).status_code
        == 403
    )


def test_auditors_read_everything_and_write_nothing(cluster: Cluster, world: dict) -> None:
    body = {"name": "某县", "level": "county", "parent_id": world["city"]["jurisdiction_id"]}
    refused = cluster["registry"].post(
        "/jurisdictions", json=body, headers=world["keys"]["auditor"]
    )
    assert refused.status_code == 403
    assert "auditors" in refused.json()["detail"][0]["reason"]


def test_offices_issue_only_lower_keys_inside_their_scope(cluster: Cluster, world: dict) -> None:
    county = world["counties"]["源汇区"]["jurisdiction_id"]
    ok = post(
        cluster,
        "/principals",
        {"name": "源汇区督查员", "role": "inspector", "jurisdiction_id": county},
        key=world["keys"]["源汇区"],
    )
    assert ok["api_key"].startswith("pyk_")
    for body in (
        {"name": "x", "role": "auditor"},
        {"name": "x", "role": "office", "jurisdiction_id": county},
        {
            "name": "x",
            "role": "inspector",
            "jurisdiction_id": world["counties"]["郾城区"]["jurisdiction_id"],
        },
    ):
        post(cluster, "/principals", body, key=world["keys"]["源汇区"], status=403)


def test_bad_input_names_the_field_and_reason(cluster: Cluster, world: dict) -> None:
    response = cluster["registry"].post(
        "/units",
        headers=ADMIN,
        json={"jurisdiction_id": "not-a-uuid", "name": "", "kind": "政府机关", "category": "x"},
    )
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["detail"]}
    assert fields == {"body.jurisdiction_id", "body.name", "body.kind"}
    missing = cluster["registry"].post(
        "/units",
        headers=ADMIN,
        json={
            "jurisdiction_id": "00000000-0000-4000-8000-000000000000",
            "name": "无",
            "kind": "other_body",
            "category": "x",
        },
    )
    assert missing.status_code == 404 and missing.json()["error"] == "jurisdiction_not_found"
    malformed = cluster["registry"].post(
        "/units", headers=ADMIN | {"content-type": "application/json"}, content=b"{not json"
    )
    assert malformed.status_code == 422


def test_a_batch_is_all_or_nothing(cluster: Cluster, world: dict) -> None:
    good = {
        "jurisdiction_id": world["city"]["jurisdiction_id"],
        "name": "漯河市财政局",
        "kind": "government_department",
        "category": "政府部门及其它机构",
    }
    bad = good | {"jurisdiction_id": "00000000-0000-4000-8000-000000000000", "name": "幽灵局"}
    response = cluster["registry"].post("/units:batch", headers=ADMIN, json={"units": [good, bad]})
    assert response.status_code == 404
    assert response.json()["detail"][0]["field"] == "units.1.jurisdiction_id"
    cluster.wait_caught_up("registry", "registry")
    assert "漯河市财政局" not in names(cluster, ADMIN)


def test_an_idempotency_key_returns_the_first_result(cluster: Cluster, world: dict) -> None:
    city = world["city"]["jurisdiction_id"]
    first = post(
        cluster,
        "/units",
        {
            "jurisdiction_id": city,
            "name": "漯河市审计局",
            "kind": "government_department",
            "category": "政府部门及其它机构",
        },
        **{"Idempotency-Key": "u-1"},
    )
    again = post(
        cluster,
        "/units",
        {
            "jurisdiction_id": city,
            "name": "漯河市审计局",
            "kind": "government_department",
            "category": "政府部门及其它机构",
        },
        **{"Idempotency-Key": "u-1"},
    )
    assert again == first
    conflict = cluster["registry"].post(
        "/units",
        headers=ADMIN | {"Idempotency-Key": "u-1"},
        json={"jurisdiction_id": city, "name": "另一个", "kind": "other_body", "category": "x"},
    )
    assert conflict.status_code == 409
    assert conflict.json()["detail"][0]["field"] == "Idempotency-Key"
    cluster.wait_caught_up("registry", "registry")
    assert sorted(n for n in names(cluster, ADMIN) if n == "漯河市审计局") == ["漯河市审计局"]


def test_a_retried_key_issue_never_reveals_the_key_again(cluster: Cluster, world: dict) -> None:
    body = {"name": "调查中心", "role": "agency"}
    first = post(cluster, "/principals", body, **{"Idempotency-Key": "p-1"})
    again = post(cluster, "/principals", body, **{"Idempotency-Key": "p-1"})
    assert first["api_key"] and again["api_key"] is None
    assert again["principal_id"] == first["principal_id"]
    # The retry says why the key is missing and what to do, rather than a bare null.
    assert (first["api_key_shown"], first["note"]) == (True, None)
    assert again["api_key_shown"] is False
    assert "revoke" in again["note"] and "/principals/{principal_id}/revoke" in again["note"]


def test_a_revoked_key_stops_working(cluster: Cluster, world: dict) -> None:
    principal = post(cluster, "/principals", {"name": "临时机构", "role": "agency"})
    cluster.wait_caught_up("registry", "registry")
    assert cluster["registry"].get("/units", headers=key_for(principal)).status_code == 200
    revoked = cluster["registry"].post(
        f"/principals/{principal['principal_id']}/revoke",
        headers=ADMIN,
        json={"reason": "合同终止"},
    )
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    cluster.wait_caught_up("registry", "registry")
    assert cluster["registry"].get("/units", headers=key_for(principal)).status_code == 401


def test_units_can_be_listed_by_category(cluster: Cluster, world: dict) -> None:
    unit(cluster, world["city"]["jurisdiction_id"], "漯河供电公司", category="公共服务行业")
    cluster.wait_caught_up("registry", "registry")
    listed = cluster["registry"].get("/units", params={"category": "公共服务行业"}, headers=ADMIN)
    assert [u["name"] for u in listed.json()] == ["漯河供电公司"]


def test_optional_fields_may_be_sent_as_null(cluster: Cluster, world: dict) -> None:
    city = world["city"]["jurisdiction_id"]
    response = cluster["registry"].post(
        "/units",
        headers=ADMIN,
        json={
            "jurisdiction_id": city,
            "name": "漯河市统计局",
            "kind": "government_department",
            "category": "政府部门及其它机构",
            "credit_code": None,
            "short_name": None,
            "parent_id": None,
            "vertical_superior": None,
        },
    )
    assert response.status_code == 201, response.text
    bad = cluster["registry"].post(
        "/units",
        headers=ADMIN,
        json={
            "jurisdiction_id": city,
            "name": "漯河市审计局",
            "kind": "government_department",
            "category": "政府部门及其它机构",
            "credit_code": "91330100799655058X",
        },
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "body.credit_code"


def test_names_are_one_line_but_reasons_may_span_lines(cluster: Cluster, world: dict) -> None:
    city = world["city"]["jurisdiction_id"]
    forged = cluster["registry"].post(
        "/units",
        headers=ADMIN,
        json={
            "jurisdiction_id": city,
            "name": "漯河市\r\nSet-Cookie: x",
            "kind": "other_body",
            "category": "政府部门及其它机构",
        },
    )
    assert forged.status_code == 422
    assert forged.json()["detail"][0]["field"] == "body.name"
    principal = post(cluster, "/principals", {"name": "临时机构", "role": "agency"})
    revoked = cluster["registry"].post(
        f"/principals/{principal['principal_id']}/revoke",
        headers=ADMIN,
        json={"reason": "合同终止。\n另见附件"},
    )
    assert revoked.status_code == 200
