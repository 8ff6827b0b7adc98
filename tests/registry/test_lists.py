"""Every registry list pages in SQL: walking it with a small limit gives exactly the one-page
list in the same stable order, for each filter and each kind of caller; offices see their
subtree only; a cursor the list did not hand out is a 422 naming `query.cursor`.

Units run in both modes (SQLite, and PostgreSQL + NATS); the other lists embedded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from services.registry.domain import Jurisdiction
from shared.contracts.registry import china_date
from shared.settings import CommonSettings
from shared.text_order import pinyin_key
from shared.views.base import encode_cursor
from tests.harness import ADMIN, Cluster
from tests.pages import assert_bad_cursor, assert_pages_match
from tests.registry.helpers import key_for, office, post
from tests.registry.units_helpers import GOV, change

PUBLIC = "公共服务行业"
Unit = dict[str, Any]


@dataclass
class Tree:
    ids: dict[str, str]
    keys: dict[str, dict[str, str]]
    units: dict[str, str]

    def subtree(self, *names: str) -> set[str]:
        return {self.ids[name] for name in names}


def jurisdiction(cluster: Cluster, name: str, level: str, parent: str | None = None) -> str:
    body = {"name": name, "level": level, "parent_id": parent}
    return str(post(cluster, "/jurisdictions", body)["jurisdiction_id"])


def build_tree(cluster: Cluster) -> Tree:
    """河南省 > 漯河市 > 源汇区 (> 漯河经济技术开发区), 郾城区; 大庆市 on its own. Units of
    two kinds and categories everywhere, sub-units, a renamed and a dissolved unit."""
    ids: dict[str, str] = {"河南省": jurisdiction(cluster, "河南省", "province")}
    ids["漯河市"] = jurisdiction(cluster, "漯河市", "city", ids["河南省"])
    ids["源汇区"] = jurisdiction(cluster, "源汇区", "district", ids["漯河市"])
    ids["开发区"] = jurisdiction(cluster, "漯河经济技术开发区", "zone", ids["源汇区"])
    ids["郾城区"] = jurisdiction(cluster, "郾城区", "district", ids["漯河市"])
    ids["大庆市"] = jurisdiction(cluster, "大庆市", "city")
    specs = [
        ("漯河市", "漯河市教育局", "government_department", GOV),
        ("漯河市", "漯河市供电公司", "public_service_enterprise", PUBLIC),
        ("源汇区", "源汇区民政局", "government_department", GOV),
        ("源汇区", "源汇区统计局", "government_department", GOV),
        ("源汇区", "源汇区自来水公司", "public_service_enterprise", PUBLIC),
        ("源汇区", "源汇区人社局", "government_department", GOV),
        ("源汇区", "源汇区公交公司", "public_service_enterprise", PUBLIC),
        ("开发区", "开发区管委会办公室", "government_department", GOV),
        ("开发区", "开发区燃气公司", "public_service_enterprise", PUBLIC),
        ("郾城区", "郾城区民政局", "government_department", GOV),
        ("郾城区", "郾城区教育局", "government_department", GOV),
        ("大庆市", "大庆市民政局", "government_department", GOV),
    ]
    batch = [
        {"jurisdiction_id": ids[j], "name": n, "kind": k, "category": c} for j, n, k, c in specs
    ]
    registered = post(cluster, "/units:batch", {"units": batch})["units"]
    units = {u["name"]: u["unit_id"] for u in registered}
    for name in ("窗口一", "窗口二"):
        sub = {"jurisdiction_id": ids["源汇区"], "name": f"源汇区人社局{name}"}
        sub |= {"kind": "service_window", "category": GOV, "parent_id": units["源汇区人社局"]}
        units[sub["name"]] = post(cluster, "/units", sub)["unit_id"]
    renamed = {"name": "源汇区统计信息中心", "short_name": "区统计中心"}
    change(cluster, units.pop("源汇区统计局"), "rename", renamed)
    units["源汇区统计信息中心"] = registered[3]["unit_id"]
    change(cluster, units["郾城区教育局"], "dissolve", {})
    keys = {
        "admin": ADMIN,
        "auditor": key_for(post(cluster, "/principals", {"name": "审计", "role": "auditor"})),
        "city": office(cluster, "漯河市纠风办", ids["漯河市"]),
        "源汇区": office(cluster, "源汇区纠风办", ids["源汇区"]),
        "郾城区": office(cluster, "郾城区纠风办", ids["郾城区"]),
    }
    cluster.wait_caught_up("registry", "registry")
    return Tree(ids, keys, units)


def visible(tree: Tree, caller: str) -> set[str] | None:
    return {
        "city": tree.subtree("漯河市", "源汇区", "开发区", "郾城区"),
        "源汇区": tree.subtree("源汇区", "开发区"),
        "郾城区": tree.subtree("郾城区"),
    }.get(caller)


def unit_cases(tree: Tree) -> list[tuple[dict[str, Any], Callable[[Unit], bool]]]:
    """(query, what it must keep): the test's own reading of each filter."""
    parent = tree.units["源汇区人社局"]
    zone_and_below = tree.subtree("源汇区", "开发区")
    return [
        ({}, lambda u: True),
        ({"kind": "public_service_enterprise"}, lambda u: u["kind"] == "public_service_enterprise"),
        ({"category": PUBLIC}, lambda u: u["category"] == PUBLIC),
        ({"status": "dissolved"}, lambda u: u["status"] == "dissolved"),
        (
            {"status": "active", "kind": "government_department"},
            lambda u: u["status"] == "active" and u["kind"] == "government_department",
        ),
        ({"parent_id": parent}, lambda u: u["parent_id"] == parent),
        ({"q": "民政"}, lambda u: "民政" in u["name"]),
        ({"q": "统计局"}, lambda u: "源汇区统计局" in u["aliases"]),
        ({"q": "区统计中心"}, lambda u: u["short_name"] == "区统计中心"),
        ({"q": "ＷＩＮ"}, lambda u: False),
        ({"jurisdiction_id": tree.ids["源汇区"]}, lambda u: u["jurisdiction_id"] in zone_and_below),
        (
            {"jurisdiction_id": tree.ids["源汇区"], "q": "公司"},
            lambda u: u["jurisdiction_id"] in zone_and_below and "公司" in u["name"],
        ),
    ]


def check_units(cluster: Cluster, tree: Tree) -> None:
    client = cluster["registry"]
    everything = assert_pages_match(client, "/units", ADMIN)
    assert len(everything) == 14
    # Names in dictionary (pinyin) order, then by id.
    assert [(u["name"], u["unit_id"]) for u in everything] == sorted(
        ((u["name"], u["unit_id"]) for u in everything),
        key=lambda pair: (pinyin_key(pair[0]), pair[1]),
    )
    today = china_date(datetime.now(UTC)).isoformat()
    for caller in ("admin", "auditor", "city", "源汇区", "郾城区"):
        scope = visible(tree, caller)
        for params, keep in unit_cases(tree):
            if caller == "郾城区" and "jurisdiction_id" in params:
                continue  # outside its scope: refused by the policy (the matrix test)
            expected = [
                u
                for u in everything
                if keep(u) and (scope is None or u["jurisdiction_id"] in scope)
            ]
            label = (caller, params)
            found = assert_pages_match(client, "/units", tree.keys[caller], params)
            assert found == expected, label
            dated = assert_pages_match(
                client, "/units", tree.keys[caller], params | {"as_of": today}
            )
            assert dated == expected, label
    before = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
    assert assert_pages_match(client, "/units", ADMIN, {"as_of": before}) == []
    for params in ({}, {"as_of": today}):
        assert_bad_cursor(client, "/units", ADMIN | {}, "not-a-cursor")
        response = client.get("/units", params=params | {"cursor": "W10"}, headers=ADMIN)
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == (
            "query.cursor"
        )


@pytest.fixture(params=["embedded", pytest.param("production", marks=pytest.mark.infra)])
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    settings: CommonSettings = request.getfixturevalue(f"{request.param}_settings")
    with Cluster(settings, ["registry"]) as running:
        yield running


def test_units_page_in_sql_in_both_modes(cluster: Cluster) -> None:
    check_units(cluster, build_tree(cluster))


@pytest.fixture
def embedded(embedded_settings: CommonSettings) -> Iterator[tuple[Cluster, Tree]]:
    with Cluster(embedded_settings, ["registry"]) as running:
        yield running, build_tree(running)


def test_jurisdictions_page_depth_first(embedded: tuple[Cluster, Tree]) -> None:
    cluster, tree = embedded
    client = cluster["registry"]

    def listed(caller: str, **params: Any) -> list[tuple[str, int, list[str]]]:
        found = assert_pages_match(client, "/jurisdictions", tree.keys[caller], params)
        return [(j["name"], j["depth"], j["path"]) for j in found]

    assert listed("admin") == [
        ("大庆市", 0, ["大庆市"]),
        ("河南省", 0, ["河南省"]),
        ("漯河市", 1, ["河南省", "漯河市"]),
        ("源汇区", 2, ["河南省", "漯河市", "源汇区"]),
        ("漯河经济技术开发区", 3, ["河南省", "漯河市", "源汇区", "漯河经济技术开发区"]),
        ("郾城区", 2, ["河南省", "漯河市", "郾城区"]),
    ]
    assert listed("auditor") == listed("admin")
    assert listed("源汇区") == [
        ("源汇区", 0, ["源汇区"]),
        ("漯河经济技术开发区", 1, ["源汇区", "漯河经济技术开发区"]),
    ]
    assert [name for name, _, _ in listed("city")] == [
        "漯河市",
        "源汇区",
        "漯河经济技术开发区",
        "郾城区",
    ]
    assert listed("city", under=tree.ids["源汇区"]) == listed("源汇区")
    assert listed("admin", under=tree.ids["漯河市"]) == listed("city")
    assert_bad_cursor(client, "/jurisdictions", ADMIN)


def test_siblings_sort_by_name_even_when_one_name_begins_another(
    embedded: tuple[Cluster, Tree],
) -> None:
    """ "源汇" and its zone come before "源汇区"; siblings of one name follow their ids'
    order, each followed by its own children."""
    cluster, tree = embedded
    short = jurisdiction(cluster, "源汇", "district", tree.ids["漯河市"])
    jurisdiction(cluster, "源汇开发区", "zone", short)
    # Siblings of one name are refused now; the tree still lists those stored before.
    app = cluster["registry"].app.state.runtime.application
    city = app.jurisdiction(UUID(tree.ids["漯河市"]))
    stored = [Jurisdiction.register("郾城区", "district", city, "admin:old") for _ in "ab"]
    app.save(*stored)
    twins = [str(j.id) for j in stored]
    zone = jurisdiction(cluster, "郾城开发区", "zone", twins[0])
    cluster.wait_caught_up("registry", "registry")
    found = assert_pages_match(cluster["registry"], "/jurisdictions", tree.keys["city"], limit=3)
    assert [(j["name"], j["depth"]) for j in found[:5]] == [
        ("漯河市", 0),
        ("源汇", 1),
        ("源汇开发区", 2),
        ("源汇区", 1),
        ("漯河经济技术开发区", 2),
    ]
    expected = []
    for same_name in sorted([tree.ids["郾城区"], *twins]):
        expected.append(same_name)
        if same_name == twins[0]:
            expected.append(zone)
    assert [j["jurisdiction_id"] for j in found[5:]] == expected


def campaign_spec(
    jurisdiction_id: str, name: str, starts_on: str, categories: list[str], last_day: int = 31
) -> Any:
    """`last_day` of December ends the cycle: campaigns of one jurisdiction and pattern are
    one per cycle, so those starting on one day end on different days."""
    ends_on = f"{starts_on[:4]}-12-{last_day:02d}"
    return {
        "jurisdiction_id": jurisdiction_id,
        "name": name,
        "pattern": "民主评议政风行风",
        "cycle": {
            "length": "one_year",
            "rounds": "whole_cycle",
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
        "phases": [{"name": "组织实施", "starts_on": starts_on, "ends_on": ends_on}],
        "categories": categories,
    }


def test_campaigns_page_newest_first_within_scope(embedded: tuple[Cluster, Tree]) -> None:
    cluster, tree = embedded
    client = cluster["registry"]
    opened = [
        ("漯河市", "2024年度漯河市民主评议", "2024-01-01"),
        ("漯河市", "2025年度漯河市民主评议", "2025-01-01"),
        ("漯河市", "2025年度漯河市专项评议", "2025-01-01"),
        ("源汇区", "2025年度源汇区民主评议", "2025-03-01"),
        ("郾城区", "2023年度郾城区民主评议", "2023-01-01"),
        ("大庆市", "2025年度大庆市民主评议", "2025-01-01"),
        ("漯河市", "上传测评数据", "2025-01-01"),
        ("漯河市", "第二轮暗访", "2025-01-01"),
        ("漯河市", "代表评议", "2025-01-01"),
        ("漯河市", "边界核查", "2025-01-01"),
    ]
    for index, (place, name, starts_on) in enumerate(opened):
        spec = campaign_spec(tree.ids[place], name, starts_on, [GOV], last_day=31 - index)
        post(cluster, "/campaigns", spec)
    cluster.wait_caught_up("registry", "registry")
    everything = assert_pages_match(client, "/campaigns", ADMIN)
    # Newest cycle first; within a start date by name in dictionary (pinyin) order, not
    # by code point (which would put 上 before 代 before 第, or reverse them).
    assert [c["name"] for c in everything] == [
        "2025年度源汇区民主评议",
        "2025年度大庆市民主评议",
        "2025年度漯河市民主评议",
        "2025年度漯河市专项评议",
        "边界核查",
        "代表评议",
        "第二轮暗访",
        "上传测评数据",
        "2024年度漯河市民主评议",
        "2023年度郾城区民主评议",
    ]
    for caller in ("city", "源汇区", "郾城区", "auditor"):
        scope = visible(tree, caller)
        expected = [c for c in everything if scope is None or c["jurisdiction_id"] in scope]
        assert assert_pages_match(client, "/campaigns", tree.keys[caller]) == expected
    city_only = assert_pages_match(
        client, "/campaigns", ADMIN, {"jurisdiction_id": tree.ids["漯河市"]}
    )
    assert city_only == [c for c in everything if c["jurisdiction_id"] == tree.ids["漯河市"]]
    assert_bad_cursor(client, "/campaigns", ADMIN)


def test_enrolments_page_by_category_order_then_enrolment(embedded: tuple[Cluster, Tree]) -> None:
    cluster, tree = embedded
    client = cluster["registry"]
    categories = ["甲类", "乙类", "丙类"]
    spec = campaign_spec(tree.ids["漯河市"], "2025年度漯河市民主评议", "2025-01-01", categories)
    campaign_id = post(cluster, "/campaigns", spec)["campaign_id"]
    path = f"/campaigns/{campaign_id}/enrolments"
    order = [
        ("漯河市教育局", "乙类"),
        ("源汇区民政局", "甲类"),
        ("源汇区自来水公司", "丙类"),
        ("开发区燃气公司", "乙类"),
        ("郾城区民政局", "甲类"),
        ("源汇区人社局", "乙类"),
        ("漯河市供电公司", "丙类"),
    ]
    body = {"enrolments": [{"unit_id": tree.units[u], "category": c} for u, c in order]}
    post(cluster, path, body)
    post(
        cluster,
        f"{path}/{tree.units['源汇区自来水公司']}/withdrawal",
        {"reason": "撤并"},
        status=200,
    )
    post(
        cluster, f"{path}/{tree.units['漯河市供电公司']}/withdrawal", {"reason": "撤并"}, status=200
    )
    target = {"unit_id": tree.units["开发区燃气公司"], "reason_code": "concentrated_complaints"}
    post(
        cluster,
        f"/campaigns/{campaign_id}/key-targets",
        target | {"reason": "投诉集中"},
    )
    # Reordered, and 丙类 (only withdrawn units left) dropped: those come last.
    amended = {"categories": ["乙类", "甲类"], "reason": "调整类别"}
    post(cluster, f"/campaigns/{campaign_id}/categories", amended, status=200)
    cluster.wait_caught_up("registry", "registry")

    everything = assert_pages_match(client, path, ADMIN)
    assert [(e["unit_name"], e["category"]) for e in everything] == [
        ("漯河市教育局", "乙类"),
        ("开发区燃气公司", "乙类"),
        ("源汇区人社局", "乙类"),
        ("源汇区民政局", "甲类"),
        ("郾城区民政局", "甲类"),
        ("源汇区自来水公司", "丙类"),
        ("漯河市供电公司", "丙类"),
    ]
    assert everything[0]["jurisdiction_id"] == tree.ids["漯河市"]
    for params, keep in [
        ({"status": "withdrawn"}, lambda e: e["status"] == "withdrawn"),
        ({"status": "enrolled"}, lambda e: e["status"] == "enrolled"),
        ({"key_target": "true"}, lambda e: e["key_target"] is not None),
        ({"key_target": "false"}, lambda e: e["key_target"] is None),
        ({"category": "甲类"}, lambda e: e["category"] == "甲类"),
        ({"category": "丙类"}, lambda e: e["category"] == "丙类"),
        ({"category": "丁类"}, lambda e: False),
    ]:
        expected = [e for e in everything if keep(e)]
        for limit in (1, 2, 3):
            assert assert_pages_match(client, path, ADMIN, params, limit) == expected, params
    assert_bad_cursor(client, path, ADMIN)
    # A cursor shaped like ours that names no category of this campaign.
    assert_bad_cursor(client, path, ADMIN, encode_cursor("丁类", ""))
    assert_bad_cursor(client, path, ADMIN, encode_cursor("甲类", "garbage"))


def test_people_page_by_name_with_filters_in_sql(embedded: tuple[Cluster, Tree]) -> None:
    cluster, tree = embedded
    client = cluster["registry"]
    pools = [
        ("源汇区", "张三", "人大代表", "13800005678"),
        ("源汇区", "李四", "政协委员", None),
        ("源汇区", "王五", "人大代表", None),
        ("开发区", "赵六", "人大代表", "13900001234"),
        ("郾城区", "钱七", "政协委员", None),
        ("漯河市", "孙八", "人大代表", None),
    ]
    people = {}
    for place, name, sector, contact in pools:
        body = {"jurisdiction_id": tree.ids[place], "name": name, "sector": sector}
        people[name] = post(cluster, "/people", body | ({"contact": contact} if contact else {}))
    office_of = {"kind": "office", "jurisdiction_id": tree.ids["源汇区"]}
    for name, cycle in [("张三", "2026-2027"), ("王五", "2024-2025"), ("王五", "2026-2027")]:
        appointment = {"body": office_of, "cycle": cycle, "purpose": "general"}
        post(cluster, f"/people/{people[name]['person_id']}/appointments", appointment, status=200)
    disqualified = {"reason": "违反评议纪律"}
    post(
        cluster, f"/people/{people['李四']['person_id']}/disqualification", disqualified, status=200
    )
    cluster.wait_caught_up("registry", "registry")

    everything = assert_pages_match(client, "/people", ADMIN)
    # 评议代表名单 in dictionary order, as an office reads a roster (not by id).
    assert [p["name"] for p in everything] == ["李四", "钱七", "孙八", "王五", "张三", "赵六"]
    assert len(everything) == 6
    assert {p["name"]: p.get("contact_masked") for p in everything}["张三"] == "138****5678"
    for caller in ("city", "源汇区", "郾城区", "auditor"):
        scope = visible(tree, caller)
        for params, keep in [
            ({}, lambda p: True),
            ({"cycle": "2026-2027"}, lambda p: p["name"] in ("张三", "王五")),
            ({"cycle": "2024-2025"}, lambda p: p["name"] == "王五"),
            ({"cycle": "2026"}, lambda p: False),
            ({"sector": "政协委员"}, lambda p: p["sector_label"] == "政协委员"),
            ({"disqualified": "true"}, lambda p: p["disqualified"]),
            (
                {"disqualified": "false", "sector": "人大代表"},
                lambda p: p["name"] != "李四" and p["sector_label"] == "人大代表",
            ),
        ]:
            expected = [
                p
                for p in everything
                if keep(p) and (scope is None or p["jurisdiction_id"] in scope)
            ]
            found = assert_pages_match(client, "/people", tree.keys[caller], params)
            if caller == "auditor":  # sees no contacts, even masked
                assert all(p["contact_masked"] is None for p in found)
                expected = [p | {"contact_masked": None} for p in expected]
            assert found == expected, (caller, params)
    pool = assert_pages_match(client, "/people", ADMIN, {"jurisdiction_id": tree.ids["源汇区"]})
    assert sorted(p["name"] for p in pool) == ["张三", "李四", "王五"]
    assert_bad_cursor(client, "/people", ADMIN)
