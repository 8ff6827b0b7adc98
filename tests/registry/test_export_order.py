"""Exports list names as a Chinese reader looks them up (音序, `shared.text_order`), not by
code point: 批量甲 (pī) before 临颍县… (lín) would be wrong, 丁四 before 丙三 too."""

from __future__ import annotations

import csv
import io

import pytest

from tests.harness import ADMIN, Cluster
from tests.registry.helpers import post
from tests.registry.people_helpers import person
from tests.registry.units_helpers import GOV

PUBLIC = "公共服务行业"


@pytest.fixture
def county(cluster: Cluster) -> str:
    city = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
    body = {"name": "临颍县", "level": "county", "parent_id": city["jurisdiction_id"]}
    found: str = post(cluster, "/jurisdictions", body)["jurisdiction_id"]
    return found


def exported(cluster: Cluster, path: str, county: str) -> list[list[str]]:
    response = cluster["registry"].get(path, params={"jurisdiction_id": county}, headers=ADMIN)
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


def test_units_export_by_category_then_name_in_pinyin_order(cluster: Cluster, county: str) -> None:
    rows = [
        (PUBLIC, "临颍县自来水公司"),
        (GOV, "批量甲"),
        (GOV, "临颍县民政局"),
        (GOV, "安监站"),
        (PUBLIC, "临颍县供电公司"),
    ]
    units = [
        {"jurisdiction_id": county, "name": name, "kind": "other_body", "category": category}
        for category, name in rows
    ]
    post(cluster, "/units:batch", {"units": units})
    cluster.wait_caught_up("registry", "registry")
    listed = [(row[4], row[1]) for row in exported(cluster, "/exports/units", county)]
    # 公共服务 (gōng) before 政府 (zhèng); 安 (ān) < 临 (lín) < 批 (pī); 供 (gōng) < 自 (zì).
    assert listed == [
        (PUBLIC, "临颍县供电公司"),
        (PUBLIC, "临颍县自来水公司"),
        (GOV, "安监站"),
        (GOV, "临颍县民政局"),
        (GOV, "批量甲"),
    ]


def test_representatives_export_by_sector_then_name_in_pinyin_order(
    cluster: Cluster, county: str
) -> None:
    for name in ("丁四", "丙三", "乙二", "孙七", "甲一"):
        person(cluster, county, name)
    person(cluster, county, "阿五", sector="服务对象")
    cluster.wait_caught_up("registry", "registry")
    listed = [(row[2], row[1]) for row in exported(cluster, "/exports/representatives", county)]
    assert listed == [
        ("服务对象", "阿五"),
        *[("人大代表", name) for name in ("丙三", "丁四", "甲一", "孙七", "乙二")],
    ]
