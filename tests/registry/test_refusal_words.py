"""The registry's refusals an office meets first read Chinese first, English after, with
their codes and fields unchanged (once "a office key must be bound to a jurisdiction")."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import post


def _problem(response: Any) -> tuple[int, str, str, str]:
    (detail,) = response.json()["detail"]
    return response.status_code, response.json()["error"], detail["field"], detail["reason"]


def test_jurisdiction_and_key_refusals_read_chinese_first(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry"]) as cluster:
        registry = cluster["registry"]
        province = post(cluster, "/jurisdictions", {"name": "湖北省", "level": "province"})
        zone = {"name": "武汉经济技术开发区", "level": "zone"}
        orphan = registry.post("/jurisdictions", json=zone, headers=ADMIN)
        misplaced = registry.post(
            "/jurisdictions", json=zone | {"parent_id": province["jurisdiction_id"]}, headers=ADMIN
        )
        unbound = registry.post("/principals", json={"name": "x", "role": "office"}, headers=ADMIN)
        nowhere = registry.get(f"/jurisdictions/{uuid4()}", headers=ADMIN)
    assert _problem(orphan) == (
        422,
        "invalid_registration",
        "parent_id",
        "开发区须填写上级辖区 parent_id, 只有省或市可以没有上级 "
        "(only a province or a city may stand without a parent)",
    )
    assert _problem(misplaced) == (
        422,
        "invalid_registration",
        "level",
        "省之下不能设开发区 (a zone cannot sit below a province)",
    )
    assert _problem(unbound) == (
        422,
        "invalid_registration",
        "jurisdiction_id",
        "纠风办密钥须绑定辖区, 请填写 jurisdiction_id "
        "(an office key must be bound to a jurisdiction)",
    )
    assert _problem(nowhere) == (
        404,
        "jurisdiction_not_found",
        "jurisdiction_id",
        "没有这个辖区 (no such jurisdiction)",
    )
