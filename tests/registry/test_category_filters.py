"""Category filters of the registry's lists compare categories as campaigns do (`name_key`:
全角/半角 alike, spaces ignored): "公共服务 行业" finds units registered as "公共服务行业"
and the other way round. Units run in both modes (SQLite; PostgreSQL + NATS), since the
filter is an SQL membership test over the stored spellings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from shared.contracts.registry import china_date
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.registry.campaign_helpers import enrol, enrolments, luohe_spec, open_campaign
from tests.registry.helpers import city_with_counties, unit
from tests.registry.units_helpers import names

PUBLIC = "公共服务行业"
SPACED = "公共服务 行业"
WIDE = "公共服务\u3000行业"  # an ideographic (全角) space, as typed in a Chinese IME


@pytest.fixture(params=["embedded", pytest.param("production", marks=pytest.mark.infra)])
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    settings: CommonSettings = request.getfixturevalue(f"{request.param}_settings")
    with Cluster(settings, ["registry"]) as running:
        yield running


def test_units_listed_by_a_category_written_with_other_spaces(cluster: Cluster) -> None:
    world = city_with_counties(cluster)
    city = world["city"]["jurisdiction_id"]
    unit(cluster, city, "漯河供电公司", category=PUBLIC)
    unit(cluster, city, "漯河自来水公司", category=SPACED)
    cluster.wait_caught_up("registry", "registry")
    both = ["漯河供电公司", "漯河自来水公司"]
    today = china_date(datetime.now(UTC)).isoformat()
    for written in (PUBLIC, SPACED, WIDE, " 公共 服务行业 "):
        assert sorted(names(cluster, category=written)) == both, written
        dated = names(cluster, category=written, as_of=today)
        assert sorted(dated) == both, written
    assert names(cluster, category="公共服务") == []
    assert "漯河供电公司" not in names(cluster, category="政府部门及其它机构")


def test_enrolments_listed_by_a_category_written_with_other_spaces(cluster: Cluster) -> None:
    world = city_with_counties(cluster)
    city = world["city"]["jurisdiction_id"]
    power = unit(cluster, city, "漯河供电公司", category=PUBLIC)["unit_id"]
    campaign = open_campaign(cluster, luohe_spec(city))["campaign_id"]
    education = world["units"]["市教育局"]["unit_id"]
    enrol(cluster, campaign, [(education, "政府部门及其它机构"), (power, PUBLIC)])
    for written in (PUBLIC, SPACED, WIDE):
        listed = enrolments(cluster, campaign, ADMIN, category=written)
        assert [e["unit_id"] for e in listed] == [power], written
    assert enrolments(cluster, campaign, ADMIN, category="公共服务") == []
