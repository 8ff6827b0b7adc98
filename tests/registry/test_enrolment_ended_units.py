"""An enrolment sheet that names a unit which exists but has ended (dissolved, merged or
split) says so, with the status in Chinese, by name or by credit code, and before the
registry's views have the unit: "未找到该单位" would send an office looking for a unit it
knows the registry holds. A name no unit bears is still not found."""

from __future__ import annotations

from typing import Any

import pytest

from services.registry.domain.credit_code import check_character
from tests.harness import Cluster
from tests.registry.helpers import post
from tests.registry.import_helpers import (
    csv_bytes,
    import_wuhan_units,
    problems,
    two_cities,
    upload,
    wuhan_campaign,
)

BODY = {"kind": "other_body", "category": "经济和社会事业发展类"}
CATEGORY = "经济和社会事业发展类"
CODE_BODY = "91420100MA4K" + "00007"
CODE = CODE_BODY + check_character(CODE_BODY)


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    setup = two_cities(cluster)
    import_wuhan_units(cluster, setup["zone"])
    cluster.wait_caught_up("registry", "registry")
    return setup | {"campaign": wuhan_campaign(cluster, setup["zone"])}


def test_an_ended_unit_is_named_as_ended_not_as_missing(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    body = BODY | {"jurisdiction_id": world["zone"]}
    gone = post(cluster, "/units", body | {"name": "武汉经开区旧档案馆"})["unit_id"]
    coded = post(cluster, "/units", body | {"name": "武汉经开区旧信息中心", "credit_code": CODE})
    other = post(cluster, "/units", body | {"name": "武汉经开区旧数据中心"})
    post(cluster, f"/units/{gone}/dissolve", {"reason": "机构改革"}, status=200)
    merger = {
        "source_unit_ids": [coded["unit_id"], other["unit_id"]],
        "name": "武汉经开区大数据中心",
        "reason": "机构改革",
    }
    post(cluster, "/units:merge", merger)
    rows = [
        ["单位名称", "统一社会信用代码", "类别"],
        ["武汉经开区旧档案馆", "", CATEGORY],
        ["", CODE, CATEGORY],
        ["武汉经开区不存在馆", "", CATEGORY],
        ["区民政局", "", CATEGORY],
    ]
    dry = upload(
        cluster, "/imports/enrolments", csv_bytes(rows), campaign_id=world["campaign"], dry_run=True
    )
    assert dry.status_code == 200, dry.text
    assert problems(dry.json()) == {(2, "单位名称"), (3, "统一社会信用代码"), (4, "单位名称")}
    reasons = {e["row"]: e["reason"] for e in dry.json()["errors"]}
    assert reasons[2] == (
        "单位 '武汉经开区旧档案馆' 已撤销, 不能参评 "
        "(the unit '武汉经开区旧档案馆' has been dissolved: it cannot take part in a campaign)"
    )
    assert reasons[3].startswith("单位 '武汉经开区旧信息中心' 已合并, 不能参评 ")
    assert reasons[4].startswith("未找到该单位 ")
    assert [p["unit_name"] for p in dry.json()["preview"]] == ["区民政局"]
