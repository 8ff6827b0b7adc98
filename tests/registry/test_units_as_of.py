"""The registry as it was on a date, and each unit's dated history."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import ADMIN, Cluster
from tests.registry.helpers import city_with_counties
from tests.registry.units_helpers import change, get, merge, names, refused, register


@pytest.fixture
def story(cluster: Cluster) -> dict[str, Any]:
    """源汇区计委 (2021) → renamed 源汇区发改委 (2022-07-01) → moved to 郾城区 (2023-01-01) →
    merged with 郾城区统计局 into 郾城区发改委(区统计局) (2024-01-01)."""
    world = city_with_counties(cluster)
    yuanhui = world["counties"]["源汇区"]["jurisdiction_id"]
    yancheng = world["counties"]["郾城区"]["jurisdiction_id"]
    plan = register(
        cluster, yuanhui, "源汇区计划委员会", short_name="区计委", effective_on="2021-01-01"
    )
    stats = register(cluster, yancheng, "郾城区统计局", effective_on="2021-01-01")
    cluster.wait_caught_up("registry", "registry")
    change(
        cluster,
        plan["unit_id"],
        "rename",
        {"name": "源汇区发展和改革委员会", "short_name": "区发改委", "effective_on": "2022-07-01"},
    )
    change(
        cluster,
        plan["unit_id"],
        "move",
        {"jurisdiction_id": yancheng, "effective_on": "2023-01-01", "reason": "区划调整"},
    )
    merged = merge(
        cluster,
        {
            "source_unit_ids": [plan["unit_id"], stats["unit_id"]],
            "name": "郾城区发改委(区统计局)",
            "effective_on": "2024-01-01",
            "reason": "两局合署",
        },
    )
    cluster.wait_caught_up("registry", "registry")
    return world | {"plan": plan, "stats": stats, "merged": merged["unit"]}


def test_as_of_a_date_the_registry_shows_the_names_of_that_date(
    cluster: Cluster, story: dict[str, Any]
) -> None:
    assert names(cluster, as_of="2020-12-31") == []
    # Dictionary (pinyin) order, as the current list: 郾 (yǎn) before 源 (yuán).
    assert names(cluster, as_of="2021-06-01") == ["郾城区统计局", "源汇区计划委员会"]
    assert names(cluster, as_of="2022-07-01") == ["郾城区统计局", "源汇区发展和改革委员会"]
    latest = get(cluster, "/units", as_of="2024-01-01", status="active", q="郾城区")
    assert [u["name"] for u in latest] == ["郾城区发改委(区统计局)"]


def test_one_unit_as_of_a_date(cluster: Cluster, story: dict[str, Any]) -> None:
    plan = story["plan"]["unit_id"]
    then = get(cluster, f"/units/{plan}", as_of="2022-12-31")
    assert (then["name"], then["short_name"], then["status"]) == (
        "源汇区发展和改革委员会",
        "区发改委",
        "active",
    )
    assert then["jurisdiction_id"] == story["counties"]["源汇区"]["jurisdiction_id"]
    assert then["aliases"] == ["源汇区计划委员会", "区计委"]
    later = get(cluster, f"/units/{plan}", as_of="2024-06-30")
    assert (later["status"], later["merged_into"]) == ("merged", story["merged"]["unit_id"])
    early = cluster["registry"].get(
        f"/units/{story['merged']['unit_id']}",
        params={"as_of": "2023-12-31"},
        headers=ADMIN,
    )
    refused(early, 404, "unit_id")


def test_offices_see_a_moved_unit_where_it_was_on_that_date(
    cluster: Cluster, story: dict[str, Any]
) -> None:
    yuanhui = story["keys"]["源汇区"]
    assert names(cluster, yuanhui, as_of="2022-12-31") == ["源汇区发展和改革委员会"]
    assert names(cluster, yuanhui, as_of="2023-01-01") == []
    assert "源汇区民政局" in names(cluster, yuanhui)


def test_aliases_find_units_now_and_then(cluster: Cluster, story: dict[str, Any]) -> None:
    assert names(cluster, q="计划委员会") == ["源汇区发展和改革委员会"]
    assert names(cluster, q="计划委员会", as_of="2022-01-01") == ["源汇区计划委员会"]
    assert names(cluster, q="发改委", as_of="2022-01-01") == []
    assert names(cluster, q="(区统计局)") == ["郾城区发改委(区统计局)"]
    assert names(cluster, q="（区统计局）") == ["郾城区发改委(区统计局)"]  # full-width brackets


def test_the_history_lists_every_dated_change(cluster: Cluster, story: dict[str, Any]) -> None:
    history = get(cluster, f"/units/{story['plan']['unit_id']}/history")
    entries = history["entries"]
    assert [(e["effective_on"], e["change"]) for e in entries] == [
        ("2021-01-01", "registered"),
        ("2022-07-01", "renamed"),
        ("2023-01-01", "moved"),
        ("2024-01-01", "merged_into"),
    ]
    assert entries[1]["details"] == {
        "old_name": "源汇区计划委员会",
        "new_name": "源汇区发展和改革委员会",
    }
    assert entries[2]["reason"] == "区划调整" and entries[2]["actor"].startswith("admin:")
    assert [e["state"]["status"] for e in entries] == ["active", "active", "active", "merged"]
    merged = get(cluster, f"/units/{story['merged']['unit_id']}/history")["entries"]
    assert [e["change"] for e in merged] == ["registered", "formed_by_merger"]
    assert merged[1]["details"]["source_unit_ids"] == [
        story["plan"]["unit_id"],
        story["stats"]["unit_id"],
    ]


def test_the_history_is_visible_to_offices_that_held_the_unit(
    cluster: Cluster, story: dict[str, Any]
) -> None:
    unit = story["plan"]["unit_id"]
    assert len(get(cluster, f"/units/{unit}/history", story["keys"]["源汇区"])["entries"]) == 4
    stats = story["stats"]["unit_id"]
    foreign = cluster["registry"].get(f"/units/{stats}/history", headers=story["keys"]["源汇区"])
    refused(foreign, 403, "unit_id")
