"""A unit import whose 上级单位 names a unit that exists but has ended (dissolved, merged or
split) says so, with the status in Chinese: telling the office to import that parent first
would send it to register again a unit the registry holds. A name no unit bears is still
"未找到上级单位 … 请先导入上级单位"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.registry.helpers import city_with_counties, post, unit
from tests.registry.import_helpers import csv_bytes, problems, upload

GOV = "政府部门及其它机构"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), ["registry"]) as running:
        yield running


def test_an_ended_parent_is_named_as_ended_not_as_missing(cluster: Cluster) -> None:
    world = city_with_counties(cluster)
    county = world["counties"]["源汇区"]["jurisdiction_id"]
    gone = world["units"]["源汇区民政局"]["unit_id"]
    post(cluster, f"/units/{gone}/dissolve", {"reason": "机构改革"}, status=200)
    a = unit(cluster, county, "源汇区粮食局")["unit_id"]
    b = unit(cluster, county, "源汇区物价局")["unit_id"]
    merger = {"source_unit_ids": [a, b], "name": "源汇区发展和改革局", "reason": "机构改革"}
    post(cluster, "/units:merge", merger)
    cluster.wait_caught_up("registry", "registry")
    rows = [
        ["单位名称", "单位类型", "类别", "上级单位"],
        ["源汇区民政局婚姻登记科", "重点科室", GOV, "源汇区民政局"],
        ["源汇区粮食局储备科", "重点科室", GOV, "源汇区粮食局"],
        ["源汇区不存在局办公室", "重点科室", GOV, "源汇区不存在局"],
    ]
    dry = upload(cluster, "/imports/units", csv_bytes(rows), jurisdiction_id=county, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert problems(dry.json()) == {(2, "上级单位"), (3, "上级单位"), (4, "上级单位")}
    reasons = {e["row"]: e["reason"] for e in dry.json()["errors"]}
    assert reasons[2] == (
        "上级单位 '源汇区民政局' 已撤销, 不能再添加下级单位 "
        "(the parent unit '源汇区民政局' has been dissolved: it cannot take new sub-units)"
    )
    assert reasons[3].startswith("上级单位 '源汇区粮食局' 已合并, 不能再添加下级单位 ")
    assert "请先导入上级单位" in reasons[4]
