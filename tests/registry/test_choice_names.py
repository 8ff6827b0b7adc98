"""A registry choice takes the code or its Chinese name (县, 测评机构, 一年), storing the code:
a jurisdiction's `level`, a key's `role` (in a body and in `GET /principals?role=`), a
campaign's `pattern`, `length` and `rounds` and a key target's `reason_code`, all read by
`shared.web.choices` as survey's choices are. A refusal is a `literal_error` listing each
code with its name (`county（县）`); the schema still documents the codes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.registry.campaign_helpers import luohe_spec
from tests.registry.helpers import post

ENGLISH = "(should be one of these codes, or its Chinese name)"
LEVELS = (
    "须为以下之一: province（省）、city（市）、county（县）、district（区）、"
    f"zone（开发区） {ENGLISH}"
)
ROLES = (
    "须为以下之一: admin（管理员）、office（纠风办）、agency（测评机构）、inspector（督查员）、"
    f"unit（单位）、auditor（审计员） {ENGLISH}"
)
PATTERNS = (
    "须为以下之一: democratic_appraisal（民主评议政风行风）、ten_thousand_appraisal（万人评议）、"
    "satisfied_grassroots_units（人民满意基层服务单位创建）、double_appraisal（双评双比）、"
    f"duty_inspection（履职尽责督促检查） {ENGLISH}"
)
LENGTHS = f"须为以下之一: one_year（一年）、two_years（两年） {ENGLISH}"
ROUNDS = f"须为以下之一: whole_cycle（整个周期）、half_year（每半年） {ENGLISH}"
REASONS = (
    "须为以下之一: concentrated_complaints（群众意见集中）、"
    f"weak_grade_last_cycle（上年度考核一般）、other（其他） {ENGLISH}"
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
    # Compared as survey compares names: Latin case and full-width letters do not matter.
    other = post(cluster, "/jurisdictions", {"name": "信阳市", "level": "ＣＩＴＹ"})
    assert other["level"] == "city"


def test_an_unknown_level_lists_each_code_with_its_name(cluster: Cluster) -> None:
    for level in ("乡", "town", 3):
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


def test_keys_are_listed_by_a_role_s_chinese_name(cluster: Cluster) -> None:
    post(cluster, "/principals", {"name": "某测评公司", "role": "agency"})
    cluster.wait_caught_up("registry", "registry")
    by_code = cluster["registry"].get("/principals", params={"role": "agency"}, headers=ADMIN)
    by_name = cluster["registry"].get("/principals", params={"role": "测评机构"}, headers=ADMIN)
    assert by_name.status_code == 200, by_name.text
    assert by_name.json() == by_code.json() != []
    assert {p["role"] for p in by_name.json()} == {"agency"}
    refused = cluster["registry"].get("/principals", params={"role": "评审"}, headers=ADMIN)
    assert _refusal(refused) == (422, "query.role", "literal_error", ROLES)


def test_a_campaign_s_choices_refused_list_each_code_with_its_name(cluster: Cluster) -> None:
    city = post(cluster, "/jurisdictions", {"name": "周口市", "level": "city"})
    spec = luohe_spec(city["jurisdiction_id"])
    cases = [
        (spec | {"pattern": "民主评议"}, "body.pattern", PATTERNS),
        (spec | {"cycle": spec["cycle"] | {"length": "三年"}}, "body.cycle.length", LENGTHS),
        (spec | {"cycle": spec["cycle"] | {"rounds": "每季度"}}, "body.cycle.rounds", ROUNDS),
    ]
    for body, field, listed in cases:
        refused = cluster["registry"].post("/campaigns", json=body, headers=ADMIN)
        assert _refusal(refused) == (422, field, "literal_error", listed)
    named = spec | {"cycle": spec["cycle"] | {"length": "两年", "rounds": "整个周期"}}
    campaign = post(cluster, "/campaigns", named)
    assert campaign["pattern"]["code"] == "democratic_appraisal"
    assert (campaign["cycle"]["length"], campaign["cycle"]["rounds"]) == (
        *("two_years", "whole_cycle"),
    )
    target = {"unit_id": city["jurisdiction_id"], "reason_code": "投诉", "reason": "热线投诉集中"}
    path = f"/campaigns/{campaign['campaign_id']}/key-targets"
    refused = cluster["registry"].post(path, json=target, headers=ADMIN)
    assert _refusal(refused) == (422, "body.reason_code", "literal_error", REASONS)


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
    cycle = schemas["CycleIn"]["properties"]
    assert cycle["length"]["enum"] == ["one_year", "two_years", "一年", "两年"]
    assert cycle["rounds"]["enum"] == ["whole_cycle", "half_year", "整个周期", "每半年"]
    pattern = schemas["CampaignIn"]["properties"]["pattern"]["enum"]
    assert pattern[:2] == ["democratic_appraisal", "ten_thousand_appraisal"]
    assert "履职尽责督促检查" in pattern
    reason = schemas["KeyTargetIn"]["properties"]["reason_code"]["enum"]
    assert reason == [
        *("concentrated_complaints", "weak_grade_last_cycle", "other"),
        *("群众意见集中", "上年度考核一般", "其他"),
    ]
