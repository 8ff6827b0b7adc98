"""Imports see what the registry has just committed: an office that registers a unit (or a
county) and imports the next file naming it is not told it does not exist, however far
behind the registry's views of itself are (held back for certain: `tests.registry.held_views`).
The dry run says what the import will do, so it is judged from the same store."""

from __future__ import annotations

from typing import Any

import pytest

from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.registry.campaign_helpers import LUOHE_CATEGORIES, luohe_spec, open_campaign
from tests.registry.held_views import registry_views_held
from tests.registry.helpers import city_with_counties, post, unit
from tests.registry.import_helpers import csv_bytes, upload

pytestmark = pytest.mark.infra

CODE = "91330100716105852F"
OTHER_CODE = "91440300708461136T"
UNIT_HEADERS = ["单位名称", "单位类型", "类别", "上级单位", "统一社会信用代码"]
GOV = "政府部门及其它机构"


def _unit(cluster: Cluster, key: dict[str, str], jurisdiction_id: str, name: str, code: str) -> str:
    body = {
        "jurisdiction_id": jurisdiction_id,
        "name": name,
        "kind": "government_department",
        "category": GOV,
        "credit_code": code,
    }
    found: str = post(cluster, "/units", body, key=key)["unit_id"]
    return found


def _import(
    cluster: Cluster, path: str, rows: list[list[str]], key: dict[str, str], **params: Any
) -> dict[str, Any]:
    """The dry run's report, which must be clean, then the import's."""
    data = csv_bytes(rows)
    tried = upload(cluster, path, data, key=key, dry_run=True, **params)
    assert tried.status_code == 200, tried.text
    assert tried.json()["errors"] == [], tried.json()
    done = upload(cluster, path, data, key=key, **params)
    assert done.status_code == 201, done.text
    report: dict[str, Any] = done.json()
    return report


def _world(cluster: Cluster) -> dict[str, Any]:
    world = city_with_counties(cluster)
    cluster.wait_caught_up("registry", "registry")  # the office keys are known
    return world


def _new_county(cluster: Cluster, world: dict[str, Any]) -> str:
    body = {"name": "召陵区", "level": "district", "parent_id": world["city"]["jurisdiction_id"]}
    found: str = post(cluster, "/jurisdictions", body, key=world["keys"]["city"])["jurisdiction_id"]
    return found


def test_an_import_names_as_parents_units_and_counties_registered_a_moment_ago(
    production_settings: CommonSettings, database_url: str
) -> None:
    with Cluster(production_settings, ["registry"]) as cluster:
        world = _world(cluster)
        office = world["keys"]["city"]
        county = world["counties"]["源汇区"]["jurisdiction_id"]
        with registry_views_held(database_url):
            parent = _unit(cluster, office, county, "源汇区卫生健康委员会", CODE)
            new_county = _new_county(cluster, world)

            # By name and by credit code, in the jurisdiction itself.
            rows = [
                UNIT_HEADERS,
                ["医政医管科", "重点科室", GOV, "源汇区卫生健康委员会", ""],
                ["疾病预防控制科", "重点科室", GOV, CODE, ""],
            ]
            report = _import(cluster, "/imports/units", rows, office, jurisdiction_id=county)
            assert len(report["created"]) == 2

            # Into a county registered a moment ago, under a unit of the city above it.
            rows = [UNIT_HEADERS, ["召陵区教育站", "基层站所", GOV, "漯河市教育局", ""]]
            report = _import(cluster, "/imports/units", rows, office, jurisdiction_id=new_county)
            assert len(report["created"]) == 1

            # A name or code the unit just registered holds is refused by the dry run, as
            # the import itself would refuse it.
            rows = [UNIT_HEADERS, ["源汇区卫生健康委员会", "政府部门", GOV, "", OTHER_CODE]]
            rows.append(["源汇区卫健委", "政府部门", GOV, "", CODE])
            tried = upload(
                cluster,
                "/imports/units",
                csv_bytes(rows),
                key=office,
                dry_run=True,
                jurisdiction_id=county,
            )
            assert tried.status_code == 200, tried.text
            errors = [(e["row"], e["column"]) for e in tried.json()["errors"]]
            assert errors == [(2, "单位名称"), (3, "统一社会信用代码")], tried.json()

            # A sub-unit's kind and date are judged against the parent just registered.
            rows = [
                ["单位名称", "单位类型", "类别", "上级单位", "生效日期"],
                ["区卫健委机关", "政府部门", GOV, "源汇区卫生健康委员会", ""],
                ["老科室", "重点科室", GOV, "源汇区卫生健康委员会", "2001-01-01"],
            ]
            post(  # the parent began in 2010
                cluster,
                f"/units/{parent}/effective-date",
                {"effective_on": "2010-01-01", "reason": "成立日期"},
                key=office,
                status=200,
            )
            tried = upload(
                cluster,
                "/imports/units",
                csv_bytes(rows),
                key=office,
                dry_run=True,
                jurisdiction_id=county,
            )
            errors = [(e["row"], e["column"]) for e in tried.json()["errors"]]
            assert sorted(errors) == [(2, "上级单位"), (3, "生效日期")], tried.json()


def test_an_enrolment_import_names_units_registered_a_moment_ago(
    production_settings: CommonSettings, database_url: str
) -> None:
    with Cluster(production_settings, ["registry"]) as cluster:
        world = _world(cluster)
        office = world["keys"]["city"]
        city = world["city"]["jurisdiction_id"]
        campaign = open_campaign(cluster, luohe_spec(city), key=office)["campaign_id"]
        with registry_views_held(database_url):
            here = _unit(cluster, office, city, "漯河市卫生健康委员会", CODE)
            county = world["counties"]["源汇区"]["jurisdiction_id"]
            below = _unit(cluster, office, county, "源汇区卫生健康委员会", OTHER_CODE)
            rows = [
                ["单位名称", "统一社会信用代码", "类别"],
                ["漯河市卫生健康委员会", "", LUOHE_CATEGORIES[0]],
                ["", OTHER_CODE, LUOHE_CATEGORIES[0]],
            ]
            report = _import(cluster, "/imports/enrolments", rows, office, campaign_id=campaign)
            assert [item["id"] for item in report["created"]] == [here, below]
            assert [row["unit_name"] for row in report["preview"]] == [
                "漯河市卫生健康委员会",
                "源汇区卫生健康委员会",
            ]


def test_an_enrolment_import_names_units_of_jurisdictions_registered_a_moment_ago(
    production_settings: CommonSettings, database_url: str
) -> None:
    """The campaign's subtree is read from the event store too: a district registered a
    moment ago under the city, and a zone a moment ago under that district, are searched
    (their units were refused as not found until the views held them)."""
    with Cluster(production_settings, ["registry"]) as cluster:
        world = _world(cluster)
        office = world["keys"]["city"]
        city = world["city"]["jurisdiction_id"]
        campaign = open_campaign(cluster, luohe_spec(city), key=office)["campaign_id"]
        with registry_views_held(database_url):
            district = _new_county(cluster, world)
            zone_body = {"name": "召陵经济开发区", "level": "zone", "parent_id": district}
            zone = post(cluster, "/jurisdictions", zone_body, key=office)["jurisdiction_id"]
            in_district = _unit(cluster, office, district, "召陵区卫生健康委员会", CODE)
            in_zone = _unit(cluster, office, zone, "召陵经济开发区管委会", OTHER_CODE)
            rows = [
                ["单位名称", "统一社会信用代码", "类别"],
                ["召陵区卫生健康委员会", "", LUOHE_CATEGORIES[0]],
                ["", OTHER_CODE, LUOHE_CATEGORIES[0]],
            ]
            report = _import(cluster, "/imports/enrolments", rows, office, campaign_id=campaign)
            assert [item["id"] for item in report["created"]] == [in_district, in_zone]

            # A unit import into the new zone names the new district's unit as its parent
            # (上级单位 are looked up the jurisdiction's lineage, from the event store).
            rows = [UNIT_HEADERS, ["区卫健委驻区办", "重点科室", GOV, "召陵区卫生健康委员会", ""]]
            report = _import(cluster, "/imports/units", rows, office, jurisdiction_id=zone)
            assert len(report["created"]) == 1


def test_an_import_names_a_parent_ended_a_moment_ago_as_ended(
    production_settings: CommonSettings, database_url: str
) -> None:
    """A 上级单位 registered and then dissolved (or merged) before the views had it is refused
    as ended, with its status in Chinese, judged from its name and code claims and its own
    events: "未找到上级单位, 请先导入上级单位" would send the office to register it again."""
    with Cluster(production_settings, ["registry"]) as cluster:
        world = _world(cluster)
        office = world["keys"]["city"]
        county = world["counties"]["源汇区"]["jurisdiction_id"]
        with registry_views_held(database_url):
            gone = _unit(cluster, office, county, "源汇区卫生健康委员会", CODE)
            post(cluster, f"/units/{gone}/dissolve", {"reason": "机构改革"}, key=office, status=200)
            a = _unit(cluster, office, county, "源汇区粮食局", OTHER_CODE)
            b = unit(cluster, county, "源汇区物价局")["unit_id"]
            merger = {"source_unit_ids": [a, b], "name": "源汇区发展和改革局", "reason": "机构改革"}
            post(cluster, "/units:merge", merger, key=office)
            rows = [
                UNIT_HEADERS,
                ["医政医管科", "重点科室", GOV, "源汇区卫生健康委员会", ""],
                ["储备科", "重点科室", GOV, OTHER_CODE, ""],
                ["办公室", "重点科室", GOV, "源汇区不存在局", ""],
            ]
            tried = upload(
                cluster,
                "/imports/units",
                csv_bytes(rows),
                key=office,
                dry_run=True,
                jurisdiction_id=county,
            )
            assert tried.status_code == 200, tried.text
            reasons = {(e["row"], e["column"]): e["reason"] for e in tried.json()["errors"]}
            assert set(reasons) == {(2, "上级单位"), (3, "上级单位"), (4, "上级单位")}
            assert reasons[2, "上级单位"] == (
                "上级单位 '源汇区卫生健康委员会' 已撤销, 不能再添加下级单位 (the parent unit "
                "'源汇区卫生健康委员会' has been dissolved: it cannot take new sub-units)"
            )
            assert reasons[3, "上级单位"].startswith(f"上级单位 '{OTHER_CODE}' 已合并, ")
            assert "请先导入上级单位" in reasons[4, "上级单位"]
