"""Whether a unit's 生效日期 was stated is in the registry's own view (`unit_history`), so the
unit export reads it for the whole sheet in one query instead of loading every unit. The
messages say it except for a day published that is the day of entry (a message saved before
Registered v5 published it for a unit entered without a day): there the view says None and
the export asks the unit, so the export is what it was for every kind of unit."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from services.registry.domain.units import china_today
from services.registry.projections.units import UnitHistoryView
from shared.contracts.registry import UnitsMerged, UnitSplit
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import city_with_counties, post
from tests.registry.test_effective_date_copies import ACTOR, corrected, fed, registered
from tests.registry.units_helpers import change, merge, register


def test_the_view_says_stated_where_the_messages_can_tell() -> None:
    unstated = registered("源汇区老局")
    past = registered("源汇区新局", date(2010, 1, 1))
    # The day of entry (ENTERED is 1 April in China): stated (v5) or entered without a day
    # (v4 published that day too) cannot be told apart.
    entry_day = registered("源汇区今日局", date(2024, 4, 1))
    later = registered("源汇区更正局")
    merged_from = registered("源汇区统计局")
    formed = registered("源汇区发改局(区统计局)", date(2024, 4, 1))
    split_from = registered("源汇区工商质监局", date(2020, 1, 1))
    split_into = registered("源汇区市场监督管理局", date(2024, 4, 1))
    views, _ = fed(
        [
            unstated,
            past,
            entry_day,
            later,
            corrected(later, "2015-03-01", "2024-04-01"),
            merged_from,
            formed,
            UnitsMerged(
                new_unit_id=formed.unit_id,
                source_unit_ids=(merged_from.unit_id,),
                name=formed.name,
                effective_on=date(2024, 4, 1),
                reason="机构改革",
                actor=ACTOR,
            ),
            split_from,
            split_into,
            UnitSplit(
                source_unit_id=split_from.unit_id,
                new_unit_ids=(split_into.unit_id,),
                effective_on=date(2024, 4, 1),
                reason="机构改革",
                actor=ACTOR,
            ),
        ]
    )
    units = [unstated, past, entry_day, later, merged_from, formed, split_from, split_into]
    stated = UnitHistoryView(views).stated([str(u.unit_id) for u in units] + ["unknown"])
    assert [stated[str(u.unit_id)] for u in units] == [
        False,
        True,
        None,
        True,  # corrected
        False,
        True,  # formed by the merger
        True,
        True,  # formed by the split
    ]
    assert "unknown" not in stated
    views.close()


def exported(cluster: Cluster, jurisdiction_id: str) -> dict[str, str]:
    """单位名称 -> 生效日期 of the jurisdiction's CSV export."""
    cluster.wait_caught_up("registry", "registry")
    response = cluster["registry"].get(
        "/exports/units", params={"jurisdiction_id": jurisdiction_id}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {row["单位名称"]: row["生效日期"] for row in rows}


def _unit_ids(*units: dict[str, Any]) -> list[str]:
    return [str(unit["unit_id"]) for unit in units]


def test_the_export_writes_each_kind_of_unit_as_the_unit_says(cluster: Cluster) -> None:
    county = city_with_counties(cluster)["counties"]["源汇区"]["jurisdiction_id"]
    today = china_today().isoformat()
    unstated = register(cluster, county, "源汇区老局")
    register(cluster, county, "源汇区新局", effective_on="2020-05-01")
    register(cluster, county, "源汇区今日局", effective_on=today)
    fixed = register(cluster, county, "源汇区更正局")
    post(
        cluster,
        f"/units/{fixed['unit_id']}/effective-date",
        {"effective_on": "2011-02-03", "reason": "核实"},
        status=200,
    )
    other = register(cluster, county, "源汇区统计局")
    merge(
        cluster,
        {"source_unit_ids": _unit_ids(unstated, other), "name": "源汇区合并局"},
    )
    source = register(cluster, county, "源汇区工商质监局", effective_on="2022-01-01")
    change(
        cluster,
        source["unit_id"],
        "split",
        {
            "units": [{"name": "源汇区拆分局"}, {"name": "源汇区另拆局"}],
            "effective_on": "2024-03-01",
        },
        status=201,
    )
    days = exported(cluster, county)
    assert days == {
        "源汇区民政局": "",  # registered by city_with_counties without a day
        "源汇区新局": "2020-05-01",
        "源汇区今日局": today,  # stated on its day of entry: the view asks the unit
        "源汇区更正局": "2011-02-03",
        "源汇区合并局": today,
        "源汇区拆分局": "2024-03-01",
        "源汇区另拆局": "2024-03-01",
    }
