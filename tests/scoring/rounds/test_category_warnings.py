"""A scheme naming a category its campaign does not have: the rule holds for no unit, and
the campaign's scheme says so (`warnings`) where it is assigned and read
(services/scoring/engine/scheme/categories.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.scoring.engine.scheme import builtin_schemes
from services.scoring.engine.scheme.categories import category_warnings
from tests.harness import ADMIN, Cluster
from tests.scoring.rounds.helpers import (
    GOV,
    SCHEME,
    Round,
    assign,
    caught_up,
    round_cluster,
)

MISNAMED = {
    **SCHEME,
    "scheme_id": "test-misnamed-category",
    "lists": [
        {"code": "model", "name": "先进单位", "when": {"top": {"政府部门": 2, "*": 1}}},
        {
            "code": "warned",
            "name": "约谈",
            "when": {"any_of": [{"bottom": {GOV: 1}}, {"bottom": {"窗口单位": 1}}]},
        },
    ],
}


@pytest.fixture(scope="module")
def campaign() -> Iterator[tuple[Cluster, Round]]:
    with round_cluster() as (cluster, rnd):
        caught_up(cluster)
        yield cluster, rnd


def _scheme(cluster: Cluster, rnd: Round) -> dict[str, Any]:
    found = cluster["scoring"].get(f"/campaigns/{rnd.campaign_id}/scheme", headers=ADMIN)
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


def test_the_campaigns_scheme_warns_of_a_category_it_does_not_have(
    campaign: tuple[Cluster, Round],
) -> None:
    cluster, rnd = campaign
    assign(cluster, rnd)
    assert _scheme(cluster, rnd)["warnings"] == []
    assign(cluster, rnd, MISNAMED)
    warnings = _scheme(cluster, rnd)["warnings"]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith(
        "方案在 lists.0.when.top 所列类别 '政府部门' 不是本评议活动的类别"
    )
    assert "(lists.0.when.top names the category '政府部门', which the" in warnings[0]
    assert "(lists.1.when.any_of.1.bottom names the category '窗口单位'" in warnings[1]
    assert all(w.endswith("it holds for no unit)") for w in warnings)


def test_the_shipped_luohe_scheme_names_only_its_own_categories() -> None:
    luohe = next(s for (sid, _), s in builtin_schemes().items() if sid == "luohe-2yr-zhengfeng")
    seed_000 = ["政府部门及其它机构", "公共服务行业", "基层站所和窗口单位", "重点科室和重点岗位"]
    assert category_warnings(luohe, seed_000) == []
    named = category_warnings(luohe, seed_000[:1])
    assert named and all("'政府部门及其它机构'" not in w for w in named), named
    top = "方案在 grading.rules.0.when.top 所列类别 '公共服务行业' 不是本评议活动的类别"
    assert any(w.startswith(top) for w in named), named
    english = "(grading.rules.0.when.top names the category '公共服务行业'"
    assert any(english in w for w in named), named
