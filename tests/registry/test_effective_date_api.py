"""生效日期 through the API on PostgreSQL and NATS: stating it (idempotent, scoped like other
unit writes), enrolment in a past cycle, the stated day in the registry's reads, and an
export that re-imports unstated days unstated."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from services.registry.domain.units import china_today
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.registry.campaign_helpers import enrol, luohe_spec, open_campaign
from tests.registry.helpers import city_with_counties, post
from tests.registry.import_helpers import upload
from tests.registry.units_helpers import GOV, register

pytestmark = pytest.mark.infra


def exported(cluster: Cluster, jurisdiction_id: str) -> dict[str, str]:
    """单位名称 -> 生效日期 of the jurisdiction's CSV export."""
    cluster.wait_caught_up("registry", "registry")
    response = cluster["registry"].get(
        "/exports/units", params={"jurisdiction_id": jurisdiction_id}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {row["单位名称"]: row["生效日期"] for row in rows}


def campaign_2024(jurisdiction_id: str) -> dict[str, Any]:
    year = {"starts_on": "2024-01-01", "ends_on": "2024-12-31"}
    return luohe_spec(jurisdiction_id) | {
        "name": "2024年度源汇区民主评议政风行风工作",
        "cycle": {"length": "one_year", "rounds": "whole_cycle"} | year,
        "phases": [{"name": "组织实施"} | year],
    }


def test_a_stated_day_after_the_cycle_refuses_a_unit_entered_without_one(
    production_settings: CommonSettings,
) -> None:
    """Units entered today without a 生效日期 enrol in a 2024 campaign (offices backfill past
    campaigns); once the office states that one began in 2025, it is refused there, and its
    day, history and place in as-of lists are the stated day's."""
    with Cluster(production_settings, ["registry"]) as cluster:
        world = city_with_counties(cluster)
        county = world["counties"]["源汇区"]["jurisdiction_id"]
        key = world["keys"]["源汇区"]
        old = register(cluster, county, "源汇区老局", key=key)["unit_id"]
        new = register(cluster, county, "源汇区新局", key=key)["unit_id"]
        cluster.wait_caught_up("registry", "registry")
        cid = open_campaign(cluster, campaign_2024(county), key=key)["campaign_id"]
        enrol(cluster, cid, [(old, GOV)], key=key)

        path = f"/units/{new}/effective-date"
        body = {"effective_on": "2025-03-01", "reason": "核实: 2025年组建"}
        city = world["keys"]["city"]  # the city office sees the county
        once = {"Idempotency-Key": "state-new-1"}
        first = post(cluster, path, body, key=key, status=200, **once)
        again = post(cluster, path, body, key=key, status=200, **once)
        assert first == again and first["registered_on"] == "2025-03-01"
        other = post(cluster, path, body | {"reason": "另一理由"}, key=key, status=409, **once)
        assert other["detail"][0]["field"] == "Idempotency-Key"
        same = post(cluster, path, body, key=city, status=409)
        assert same["detail"][0]["field"] == "effective_on"
        outside = world["units"]["郾城区民政局"]["unit_id"]
        response = cluster["registry"].post(
            f"/units/{outside}/effective-date", json=body, headers=key
        )
        assert response.status_code == 403, response.text
        future = post(cluster, path, {"effective_on": "2101-01-01", "reason": "x"}, status=422)
        assert future["detail"][0]["field"] == "body.effective_on"

        refused = enrol(cluster, cid, [(new, GOV)], key=key, status=422)
        detail = refused["detail"][0]
        assert (refused["error"], detail["field"]) == ("enrolment_refused", "enrolments.0.unit_id")
        assert detail["reason"].startswith("单位生效日期 (2025-03-01) 晚于本期评议周期结束日")

        cluster.wait_caught_up("registry", "registry")
        client = cluster["registry"]

        def read(url: str, **params: str) -> Any:
            answer = client.get(url, params=params, headers=key)
            assert answer.status_code in (200, 404), answer.text
            return answer.json() if answer.status_code == 200 else None

        unit = read(f"/units/{new}")
        assert (unit["registered_on"], unit["last_change_on"]) == ("2025-03-01", "2025-03-01")
        entries = read(f"/units/{new}/history")["entries"]
        assert [(e["change"], e["effective_on"]) for e in entries] == [
            ("registered", "2025-03-01"),
            ("effective_date_corrected", "2025-03-01"),
        ]
        assert entries[-1]["details"]["previous_effective_on"] == china_today().isoformat()
        assert (
            entries[-1]["actor"].startswith("office:") and entries[-1]["reason"] == body["reason"]
        )
        assert read(f"/units/{new}", as_of="2025-02-28") is None
        assert read(f"/units/{new}", as_of="2025-03-01")["name"] == "源汇区新局"
        for day, names in (("2025-02-28", []), ("2025-03-01", ["源汇区新局"])):
            listed = read("/units", jurisdiction_id=county, as_of=day)
            assert [u["name"] for u in listed] == names, day


def test_an_export_reimports_an_unstated_day_as_unstated(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry"]) as cluster:
        world = city_with_counties(cluster)
        source = world["counties"]["源汇区"]["jurisdiction_id"]
        target = world["counties"]["郾城区"]["jurisdiction_id"]
        register(cluster, source, "源汇区老局")
        register(cluster, source, "源汇区新局", effective_on="2020-05-01")
        stated = register(cluster, source, "源汇区更正局")
        post(
            cluster,
            f"/units/{stated['unit_id']}/effective-date",
            {"effective_on": "2011-02-03", "reason": "核实"},
            status=200,
        )
        days = exported(cluster, source)
        assert (days["源汇区老局"], days["源汇区新局"], days["源汇区更正局"]) == (
            "",
            "2020-05-01",
            "2011-02-03",
        )
        sheet = cluster["registry"].get(
            "/exports/units", params={"jurisdiction_id": source}, headers=ADMIN
        )
        imported = upload(cluster, "/imports/units", sheet.content, jurisdiction_id=target)
        assert imported.status_code == 201, imported.text
        again = exported(cluster, target)
        assert (again["源汇区老局"], again["源汇区新局"], again["源汇区更正局"]) == (
            "",
            "2020-05-01",
            "2011-02-03",
        )
