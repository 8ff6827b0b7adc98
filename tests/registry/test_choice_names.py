"""A jurisdiction's `level` and a key's `role` take the code or its Chinese name (县, 测评机构),
storing the code, as a campaign's `pattern` does; a refusal lists each code with its name
(it listed the English codes alone); the schema still documents the codes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import post

LEVELS = (
    "须为以下之一: 'province'（省）, 'city'（市）, 'county'（县）, 'district'（区）, "
    "'zone'（开发区） (Input should be 'province', 'city', 'county', 'district' or 'zone')"
)
ROLES = (
    "须为以下之一: 'admin'（管理员）, 'office'（纠风办）, 'agency'（测评机构）, "
    "'inspector'（督查员）, 'unit'（单位）, 'auditor'（审计员） (Input should be 'admin', "
    "'office', 'agency', 'inspector', 'unit' or 'auditor')"
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), ["registry"]) as running:
        yield running


def _refusal(response: Any) -> tuple[int, str, str, str]:
    (detail,) = response.json()["detail"]
    return response.status_code, detail["field"], detail["code"], detail["reason"]


def test_a_level_is_taken_by_its_chinese_name_and_stored_as_its_code(cluster: Cluster) -> None:
    city = post(cluster, "/jurisdictions", {"name": "驻马店市", "level": "市"})
    county = post(
        cluster,
        "/jurisdictions",
        {"name": "平舆县", "level": "县", "parent_id": city["jurisdiction_id"]},
    )
    zone = post(
        cluster,
        "/jurisdictions",
        {"name": "平舆产业集聚区", "level": "开发区", "parent_id": county["jurisdiction_id"]},
    )
    assert (city["level"], county["level"], zone["level"]) == ("city", "county", "zone")
    read = cluster["registry"].get(f"/jurisdictions/{county['jurisdiction_id']}", headers=ADMIN)
    assert read.json()["level"] == "county"


def test_an_unknown_level_lists_each_code_with_its_name(cluster: Cluster) -> None:
    for level in ("乡", "County", 3):
        refused = cluster["registry"].post(
            "/jurisdictions", json={"name": "某乡", "level": level}, headers=ADMIN
        )
        assert _refusal(refused) == (422, "body.level", "literal_error", LEVELS)


def test_a_role_is_taken_by_its_chinese_name_and_stored_as_its_code(cluster: Cluster) -> None:
    issued = post(cluster, "/principals", {"name": "某某调查公司", "role": "测评机构"})
    audit = post(cluster, "/principals", {"name": "审计", "role": "审计员"})
    assert (issued["role"], audit["role"]) == ("agency", "auditor")
    refused = cluster["registry"].post(
        "/principals", json={"name": "x", "role": "评审"}, headers=ADMIN
    )
    assert _refusal(refused) == (422, "body.role", "literal_error", ROLES)


def test_the_schema_documents_the_codes_and_the_names(cluster: Cluster) -> None:
    schemas = cluster["registry"].get("/openapi.json").json()["components"]["schemas"]
    level = schemas["JurisdictionIn"]["properties"]["level"]
    role = schemas["PrincipalIn"]["properties"]["role"]
    codes, names = (
        ["province", "city", "county", "district", "zone"],
        ["省", "市", "县", "区", "开发区"],
    )
    assert level["enum"] == [*codes, *names]
    assert role["enum"][:6] == ["admin", "office", "agency", "inspector", "unit", "auditor"]
    assert "测评机构" in role["enum"]
