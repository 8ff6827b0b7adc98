"""An enrolment import's dry run reads the units its rows name in batches (`UnitFinder` and
`shared.persistence.aggregate_reads.get_many`), on SQLite, counting the event store's read
transactions (one statement each), never timing.

Each row's lookup is one read: the unit the view lists for the name with the name's claim
(before: the unit, the claim, and the claim's holder again, three reads a row). A name the
view lists for many units (a short name borne in every county) is one read for all of them
(before: one each). A whole sheet's names, and the eligibility check's units, are read at
once: a dry run of forty rows reads as often as one of ten, and so does a submitted one
(the enrolment command's units in one read). So are a unit import's: its 上级单位 cells at
every level, and a dry run's claims of each row's name and code."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from services.registry.domain.credit_code import check_character
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.registry.helpers import post
from tests.registry.import_helpers import WUHAN_CATEGORIES, csv_bytes, upload, wuhan_campaign

CATEGORY = WUHAN_CATEGORIES[0]


@pytest.fixture
def cluster(embedded_settings: CommonSettings) -> Iterator[Cluster]:
    with Cluster(embedded_settings, ["registry"]) as running:
        yield running


class ReadCount:
    """The event store's read transactions on the running registry (the library's one-id
    `select_events` and the batched reads alike open one each, and run one statement)."""

    def __init__(self, cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
        app = cluster["registry"].app.state.runtime.application
        self.reads = 0
        datastore = app.recorder.datastore
        original = datastore.transaction

        @contextmanager
        def counted(*, commit: bool) -> Iterator[Any]:
            # The request's reads only: the service's own consumers and relay read the store
            # too, from the event loop's worker threads (`asyncio.to_thread`), whenever they
            # run; a request runs in one of AnyIO's.
            if not commit and not threading.current_thread().name.startswith("asyncio"):
                self.reads += 1
            with original(commit=commit) as cursor:
                yield cursor

        monkeypatch.setattr(datastore, "transaction", counted)

    def during(self, action: Any) -> int:
        self.reads = 0
        action()
        return self.reads


def _county(cluster: Cluster, city: str, n: int) -> str:
    body = {"name": f"第{n}区", "level": "district", "parent_id": city}
    found: str = post(cluster, "/jurisdictions", body)["jurisdiction_id"]
    return found


def _units(cluster: Cluster, place: str, names: list[tuple[str, str]]) -> None:
    rows = [["单位名称", "简称", "单位类型", "类别"]]
    rows += [[name, short, "政府部门", CATEGORY] for name, short in names]
    response = upload(cluster, "/imports/units", csv_bytes(rows), jurisdiction_id=place)
    assert response.status_code == 201, response.text


def _dry_run(cluster: Cluster, campaign: str, names: list[str]) -> dict[str, Any]:
    sheet = csv_bytes([["单位名称", "类别"], *([name, CATEGORY] for name in names)])
    response = upload(cluster, "/imports/enrolments", sheet, campaign_id=campaign, dry_run=True)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_a_row_is_one_read_and_a_name_of_many_units_one_read_for_all(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = post(cluster, "/jurisdictions", {"name": "武汉市", "level": "city"})["jurisdiction_id"]
    counties = [_county(cluster, city, n) for n in range(12)]
    _units(cluster, city, [(f"武汉市测试单位{n:03d}", f"测试{n:03d}") for n in range(40)])
    for n, county in enumerate(counties):  # every county's 民政局 is called 民政局 for short
        _units(cluster, county, [(f"第{n}区民政局", "民政局")])
    campaign = wuhan_campaign(cluster, city)
    cluster.wait_caught_up("registry", "registry")
    count = ReadCount(cluster, monkeypatch)

    def rows(n: int) -> int:
        names = [f"武汉市测试单位{i:03d}" for i in range(n)]
        return count.during(lambda: _dry_run(cluster, campaign, names))

    few, many = rows(10), rows(40)
    assert few > 0, "the request's reads are counted"
    # Per row at most the finder's one read and the eligibility check's two (before: five,
    # the finder's three); the sheet's names and units are read at once now (next test).
    assert many - few <= 3 * 30, (few, many)

    # 民政局 is nobody's name in the city itself; below it, twelve units bear it for short:
    # all twelve are judged in one read (before: twelve), and the row is refused as ambiguous.
    # A row without a name is the dry run's own reads (the campaign, its jurisdictions).
    overhead = count.during(lambda: _dry_run(cluster, campaign, [""]))
    ambiguous = count.during(lambda: _dry_run(cluster, campaign, ["民政局"]))
    # The city's claims of the name, then the twelve units the view lists below it.
    assert ambiguous - overhead <= 2, (overhead, ambiguous)
    (error,) = _dry_run(cluster, campaign, ["民政局"])["errors"]
    assert "名称不唯一" in str(error) and "12" in str(error), error


def test_a_dry_run_reads_the_same_for_ten_rows_as_for_forty(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sheet's names are read before its rows are parsed (`finding.read_ahead`: the
    units the view lists for every cell and their claims in one read, then the claims'
    holders), and the eligibility check reads every unit the rows resolved to in one more
    (`enrolments._Units`): nothing grows with the rows. Before: three reads a row (the
    lookup, then each unit read for the rule and again for the sub-unit category rule)."""
    city = post(cluster, "/jurisdictions", {"name": "武汉市", "level": "city"})["jurisdiction_id"]
    county = _county(cluster, city, 1)
    _units(cluster, city, [(f"武汉市测试单位{n:03d}", f"测试{n:03d}") for n in range(20)])
    _units(cluster, county, [(f"第1区测试单位{n:03d}", f"区测试{n:03d}") for n in range(20)])
    campaign = wuhan_campaign(cluster, city)
    cluster.wait_caught_up("registry", "registry")
    count = ReadCount(cluster, monkeypatch)
    # Half the rows name a unit of the city itself, half one of the county below it.
    names = [f"{place}测试单位{n:03d}" for n in range(20) for place in ("武汉市", "第1区")]

    def rows(n: int) -> int:
        report = _dry_run(cluster, campaign, names[:n])
        assert report["valid"] == n and not report["errors"], report
        return count.during(lambda: _dry_run(cluster, campaign, names[:n]))

    few, many = rows(10), rows(40)
    assert few > 0, "the request's reads are counted"
    assert many - few <= 2, (few, many)


def test_a_unit_import_dry_run_reads_the_same_for_ten_rows_as_for_forty(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every row names a 上级单位, half of the county itself (by 简称), half of the city
    above it (by full name): the sheet's parents at both levels, and the claims of every
    row's own name and code (the dry run asks whether they are taken), are read before its
    rows are parsed (`units.unit_spec`'s `ahead`), and the parents' kinds are judged on the
    units the lookups read. Before: a row's lookup at each level, its name's claim, its
    code's claim and its parent again for the kind rule, each read alone."""
    city = post(cluster, "/jurisdictions", {"name": "武汉市", "level": "city"})["jurisdiction_id"]
    county = _county(cluster, city, 1)
    _units(cluster, city, [(f"武汉市测试单位{n:03d}", f"测试{n:03d}") for n in range(20)])
    _units(cluster, county, [(f"第1区测试单位{n:03d}", f"区测试{n:03d}") for n in range(20)])
    cluster.wait_caught_up("registry", "registry")
    count = ReadCount(cluster, monkeypatch)
    parents = [name for n in range(20) for name in (f"武汉市测试单位{n:03d}", f"区测试{n:03d}")]

    def code(n: int) -> str:
        first = f"11420100{n:09d}"
        return first + check_character(first)

    def sheet(n: int) -> bytes:
        rows = [["单位名称", "单位类型", "类别", "上级单位", "统一社会信用代码"]]
        rows += [[f"新设科室{i:03d}", "重点科室", CATEGORY, parents[i], code(i)] for i in range(n)]
        return csv_bytes(rows)

    def dry_run(n: int) -> dict[str, Any]:
        response = upload(cluster, "/imports/units", sheet(n), jurisdiction_id=county, dry_run=True)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def rows(n: int) -> int:
        report = dry_run(n)
        assert report["valid"] == n and not report["errors"], report
        return count.during(lambda: dry_run(n))

    few, many = rows(10), rows(40)
    assert few > 0, "the request's reads are counted"
    assert many - few <= 2, (few, many)


def test_a_committed_enrolment_import_reads_the_same_for_ten_rows_as_for_forty(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Submitted, the sheet is read as its dry run is, the eligibility check judges the
    units the finder read (no second read of them), and the enrolment command (`enrol_units`)
    reads the units it enrols in one read inside its write, then judges them as before.
    Before: the eligibility check read them again beside the finder, and the command read
    each unit alone, one read a row. Two campaigns, so each sheet enrols afresh."""
    city = post(cluster, "/jurisdictions", {"name": "武汉市", "level": "city"})["jurisdiction_id"]
    county = _county(cluster, city, 1)
    _units(cluster, city, [(f"武汉市测试单位{n:03d}", f"测试{n:03d}") for n in range(20)])
    _units(cluster, county, [(f"第1区测试单位{n:03d}", f"区测试{n:03d}") for n in range(20)])
    few_campaign, many_campaign = (wuhan_campaign(cluster, city, year=y) for y in (2017, 2018))
    count = ReadCount(cluster, monkeypatch)
    names = [f"{place}测试单位{n:03d}" for n in range(20) for place in ("武汉市", "第1区")]

    def committed(campaign: str, n: int) -> int:
        sheet = csv_bytes([["单位名称", "类别"], *([name, CATEGORY] for name in names[:n])])

        def submit() -> None:
            response = upload(cluster, "/imports/enrolments", sheet, campaign_id=campaign)
            assert response.status_code == 201, response.text
            assert len(response.json()["created"]) == n, response.text

        return count.during(submit)

    few, many = committed(few_campaign, 10), committed(many_campaign, 40)
    assert few > 0, "the request's reads are counted"
    assert many == few, (few, many)
