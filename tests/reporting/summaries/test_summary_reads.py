"""A jurisdiction summary's figures are read from the run's tallies (`round_tallies`, kept
by the `round_results` view per jurisdiction when the run is scored), not from every unit
result of the run: a summary reads as many documents for a run of 70 units as for one of 7.
Before, it read every unit result, and every unit's way up the jurisdiction tree.

The views are fed the contract's messages on PostgreSQL as their consumers apply them. The
run (k copies of each line, for scale):

  政府部门   u1 临颍县 rank 1  92.50 好     先进单位
             u2 舞阳县 rank 2  88.00 较好
             u3 漯河市 rank 3  70.25 一般   通报批评
             s1 临颍县 (u1's sub-unit) 90.00 先进单位
  公共服务   u4 临颍县 rank 1  85.00 较好
             u6 舞阳县 rank 2  60.00 待定 (no grade of the scheme)  zz (no list of it), 通报批评
             u5 舞阳县 unranked 40.00 样本不足

so, with k = 1, the city: units 6, sub-units 1, ranked 5, 样本不足 1, grades 好 1 较好 2 一般 1
差 0 待定 1, mean (92.50 + 88.00 + 70.25 + 85.00 + 60.00) / 5 = 79.15; 先进单位 u1, s1;
通报批评 u3, u6; zz u6."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid5

import pytest

from services.reporting.rounds.views import ROUND_RESULTS_VIEW, ROUND_RUNS
from services.reporting.summaries.read import summarize
from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.registry import JurisdictionRegistered
from shared.contracts.scoring import RoundScored, RoundUnitResult, RoundWindow, SchemeRef
from shared.registry_view import REGISTRY_COPY, SECURITY_VIEW, RegistryView
from shared.views import Document
from shared.views.base import Page, PageQuery
from shared.views.postgres import PostgresViewStore

NS = UUID("9d3b2f4e-7a61-4c0b-8e5d-2f1a6c3b9e70")
AT = datetime(2026, 7, 3, 2, 0, tzinfo=UTC)
CITY, LY, WY = uuid5(NS, "漯河市"), uuid5(NS, "临颍县"), uuid5(NS, "舞阳县")
GOV, PUBLIC = "政府部门", "公共服务行业"
GRADES = ("好", "较好", "一般", "差")
LISTS = {"xj": "先进单位", "tb": "通报批评"}
LINES: list[tuple[str, str, UUID, int | None, str, str | None, tuple[str, ...], bool]] = [
    # name, category, place, rank, score, grade, lists, sub-unit
    ("u1", GOV, LY, 1, "92.50", "好", ("xj",), False),
    ("u2", GOV, WY, 2, "88.00", "较好", (), False),
    ("u3", GOV, CITY, 3, "70.25", "一般", ("tb",), False),
    ("s1", GOV, LY, None, "90.00", None, ("xj",), True),
    ("u4", PUBLIC, LY, 1, "85.00", "较好", (), False),
    ("u6", PUBLIC, WY, 2, "60.00", "待定", ("zz", "tb"), False),
    ("u5", PUBLIC, WY, None, "40.00", None, (), False),
]


def _result(name: str, copy: int, line: Any, campaign: UUID) -> RoundUnitResult:
    _, category, place, rank, score, grade, lists, sub_unit = line
    unit = uuid5(campaign, f"{name}/{copy}")
    return RoundUnitResult(
        unit_id=unit,
        unit_name=f"{name}-{copy:03d}",
        category=category,
        jurisdiction_id=place,
        parent_id=uuid5(campaign, f"u1/{copy}") if sub_unit else None,
        sub_unit=sub_unit,
        status="active",
        enrolled=True,
        key_target=False,
        components=(),
        deductions=(),
        overrides=(),
        rollup=None,
        score=score,
        interval=None,
        valid_sample=None if rank is None and not sub_unit else 100,
        flags=("样本不足",) if name == "u5" else (),
        rank=rank,
        rank_range=None if rank is None else (rank, rank),
        grade=grade,
        grade_basis=None,
        lists=lists,
        carried={},
        explanation="",
        result_digest=f"sha256:{unit.hex}",
    )


def _scored(campaign: UUID, copies: int) -> RoundScored:
    units = [
        _result(line[0], copy, line, campaign)
        for category in (GOV, PUBLIC)
        for sub_unit in (False, True)
        for line in LINES
        if line[1] == category and line[7] == sub_unit
        for copy in range(copies)
    ]
    return RoundScored(
        campaign_id=campaign,
        round=1,
        pattern="民主评议政风行风",
        window=RoundWindow(starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)),
        scheme=SchemeRef(scheme_id="reads", version=1, scheme_hash="sha256:0"),
        scheme_title="测评方案",
        inputs_digest="sha256:1",
        grades=GRADES,
        list_names=LISTS,
        list_order=tuple(LISTS),
        units=tuple(units),
        lists={},
        results_digest=f"sha256:{campaign.hex}",
        run_id=uuid5(campaign, "run"),
        final=True,
        jurisdiction_id=CITY,
    )


def _log(origin: str, payloads: Iterable[IntegrationPayload]) -> list[IntegrationMessage]:
    return [
        IntegrationMessage(
            event_id=IntegrationMessage.event_id_for(origin, n),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            origin=origin,
            position=n,
            previous_position=n - 1 or None,
            occurred_at=AT,
            payload=payload.model_dump(mode="json"),
        )
        for n, payload in enumerate(payloads, start=1)
    ]


class CountingStore(PostgresViewStore):
    """The real store, counting the documents each read returns, per collection."""

    def __init__(self, conninfo: str) -> None:
        super().__init__(conninfo, "reporting_views")
        self.read: Counter[str] = Counter()

    def get(self, collection: str, key: str) -> Document | None:
        found = super().get(collection, key)
        self.read[collection] += 1
        return found

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, Document]:
        found = super().get_many(collection, keys)
        self.read[collection] += len(found)
        return found

    def scan(self, collection: str, prefix: str = "") -> list[tuple[str, Document]]:
        found = super().scan(collection, prefix)
        self.read[collection] += len(found)
        return found

    def _page(self, query: PageQuery) -> Page:
        found = super()._page(query)
        self.read[query.collection.name] += len(found.items)
        return found


SMALL, LARGE = uuid5(NS, "7 units"), uuid5(NS, "70 units")


@pytest.fixture
def store(database_url: str) -> Iterator[CountingStore]:
    views = CountingStore(database_url)
    views.declare(
        [*ROUND_RESULTS_VIEW.collections, *SECURITY_VIEW.collections, *REGISTRY_COPY.collections]
    )
    views.setup()
    places = [
        JurisdictionRegistered(jurisdiction_id=CITY, name="漯河市", level="city", parent_id=None),
        JurisdictionRegistered(jurisdiction_id=LY, name="临颍县", level="county", parent_id=CITY),
        JurisdictionRegistered(jurisdiction_id=WY, name="舞阳县", level="county", parent_id=CITY),
    ]
    try:
        SECURITY_VIEW.inbox(views, "registry").apply("registry", _log("registry", places))
        runs = [_scored(SMALL, 1), _scored(LARGE, 10)]
        ROUND_RESULTS_VIEW.inbox(views, "scoring").apply("scoring", _log("scoring", runs))
        yield views
    finally:
        views.close()


def _summary(
    store: CountingStore, campaign: UUID, jurisdiction: UUID
) -> tuple[Document, Counter[str]]:
    run = store.get(ROUND_RUNS, str(uuid5(campaign, "run")))
    assert run is not None
    store.read.clear()
    found = summarize(store, RegistryView(store), run, str(jurisdiction))
    return found, Counter(store.read)


def test_a_summary_reads_as_much_of_a_run_of_70_units_as_of_one_of_7(
    store: CountingStore,
) -> None:
    for jurisdiction in (CITY, WY):
        small, small_reads = _summary(store, SMALL, jurisdiction)
        large, large_reads = _summary(store, LARGE, jurisdiction)
        assert large["units"] == 10 * small["units"] > 0
        assert large_reads == small_reads, jurisdiction
        # The subtree's jurisdictions, their tallies, the names and ways up: a handful.
        assert sum(small_reads.values()) <= 20, small_reads


def _lists(found: Document) -> dict[str, list[str]]:
    return {item["code"]: item["units"] for item in found["lists"]}


def _names(*names: str) -> list[str]:
    return [f"{name}-000" for name in names]


def test_the_figures_are_the_runs_units_counted(store: CountingStore) -> None:
    city, _ = _summary(store, SMALL, CITY)
    assert {k: city[k] for k in ("units", "sub_units", "ranked", "insufficient_sample")} == {
        "units": 6,
        "sub_units": 1,
        "ranked": 5,
        "insufficient_sample": 1,
    }
    assert list(city["grade_counts"].items()) == [
        ("好", 1),
        ("较好", 2),
        ("一般", 1),
        ("差", 0),
        ("待定", 1),
    ]
    assert city["mean_score"] == "79.15"
    assert list(_lists(city).items()) == [
        ("xj", _names("u1", "s1")),
        ("tb", _names("u3", "u6")),
        ("zz", _names("u6")),
    ]
    gov, public = city["by_category"]
    assert (gov["category"], gov["units"], gov["sub_units"], gov["mean_score"]) == (
        GOV,
        3,
        1,
        "83.58",
    )
    assert _lists(gov) == {"xj": _names("u1", "s1"), "tb": _names("u3")}
    assert (public["category"], public["ranked"], public["mean_score"]) == (PUBLIC, 2, "72.50")
    assert _lists(public) == {"xj": [], "tb": _names("u6"), "zz": _names("u6")}
    rows = [
        (r["jurisdiction_name"], r["units"], r["sub_units"], r["mean_score"])
        for r in city["by_jurisdiction"]
    ]
    assert rows == [("本级", 1, 0, "70.25"), ("临颍县", 2, 1, "88.75"), ("舞阳县", 3, 0, "74.00")]
    county, _ = _summary(store, SMALL, WY)
    assert (county["units"], county["insufficient_sample"], county["mean_score"]) == (3, 1, "74.00")
    assert list(county["grade_counts"].values()) == [0, 1, 0, 0, 1]
    assert _lists(county) == {"xj": [], "tb": _names("u6"), "zz": _names("u6")}
    large, _ = _summary(store, LARGE, CITY)
    # Ten of each line: the same mean, and the listed units in the run's reading order.
    assert large["mean_score"] == "79.15"
    assert _lists(large)["xj"] == [f"u1-{i:03d}" for i in range(10)] + [
        f"s1-{i:03d}" for i in range(10)
    ]
