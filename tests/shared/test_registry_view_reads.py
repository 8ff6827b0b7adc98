"""`RegistryView` reads units through the copy's indexes (a jurisdiction's, a subtree's, a
parent's, a set of ids), on all three view stores, and lists them in the order its readers
rely on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.registry import (
    JurisdictionRegistered,
    UnitDissolved,
    UnitMoved,
    UnitRegistered,
    UnitRenamed,
)
from shared.registry_view import RegistryView
from shared.views import (
    MemoryViewStore,
    Page,
    PostgresViewStore,
    SQLiteViewStore,
    ViewReader,
    ViewStore,
)
from tests.harness import feed_registry_copy

CITY, COUNTY, TOWN, OTHER = (UUID(int=n) for n in (1, 2, 3, 4))
CHANGE = {"effective_on": date(2025, 1, 1), "reason": "机构改革", "actor": "office:x"}


def unit_id(n: int) -> UUID:
    return UUID(int=1000 + n)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def views(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ViewStore]:
    if request.param == "memory":
        store: ViewStore = MemoryViewStore()
    elif request.param == "sqlite":
        store = SQLiteViewStore(tmp_path / "views.sqlite")
    else:
        store = PostgresViewStore(request.getfixturevalue("database_url"), "registrycopy")
    store.setup()
    yield store
    store.close()


def feed(views: ViewStore, payloads: list[IntegrationPayload], start: int = 1) -> RegistryView:
    feed_registry_copy(
        views,
        [
            IntegrationMessage(
                event_id=IntegrationMessage.event_id_for("registry", position),
                event_type=p.event_type,
                schema_version=p.schema_version,
                origin="registry",
                position=position,
                previous_position=position - 1 if position > 1 else None,
                occurred_at=datetime(2025, 1, 1, tzinfo=UTC),
                payload=p.model_dump(mode="json"),
            )
            for position, p in enumerate(payloads, start=start)
        ],
    )
    return RegistryView(views)


def tree() -> list[IntegrationPayload]:
    """漯河市 with 源汇区 (and 干河街道 below it) and 郾城区."""
    return [
        JurisdictionRegistered(jurisdiction_id=CITY, name="漯河市", level="city", parent_id=None),
        JurisdictionRegistered(
            jurisdiction_id=COUNTY, name="源汇区", level="district", parent_id=CITY
        ),
        JurisdictionRegistered(
            jurisdiction_id=TOWN, name="干河街道", level="township", parent_id=COUNTY
        ),
        JurisdictionRegistered(
            jurisdiction_id=OTHER, name="郾城区", level="district", parent_id=CITY
        ),
    ]


def unit(n: int, name: str, where: UUID, parent: int | None = None) -> UnitRegistered:
    return UnitRegistered(
        unit_id=unit_id(n),
        jurisdiction_id=where,
        name=name,
        short_name=None,
        kind="government_department",
        category="政府部门及其它机构",
        parent_id=None if parent is None else unit_id(parent),
    )


def names(docs: list[dict[str, Any]]) -> list[str]:
    return [doc["name"] for doc in docs]


def test_a_jurisdictions_units_in_list_order_as_they_are_now(views: ViewStore) -> None:
    """Ids are given out of name order, so a read by id would not pass."""
    view = feed(
        views,
        [
            *tree(),
            unit(1, "源汇区质监局", COUNTY),  # zhì
            unit(2, "源汇区民政局", COUNTY),  # mín
            unit(3, "源汇区安监站", COUNTY),  # ān
            unit(4, "干河街道办事处", TOWN),
            unit(5, "郾城区粮食局", OTHER),
            unit(6, "源汇区粮食局", COUNTY),  # liáng
            UnitDissolved(unit_id=unit_id(6), **CHANGE),
            UnitMoved(
                unit_id=unit_id(5), from_jurisdiction_id=OTHER, to_jurisdiction_id=COUNTY, **CHANGE
            ),
            UnitRenamed(
                unit_id=unit_id(1),
                old_name="源汇区质监局",
                new_name="源汇区保密局",  # bǎo
                **CHANGE,
            ),
        ],
    )
    # 郾 (yǎn) before 源 (yuán); 安 (ān) < 保 (bǎo) < 粮 (liáng) < 民 (mín).
    assert names(view.units_in(str(COUNTY))) == [
        "郾城区粮食局",
        "源汇区安监站",
        "源汇区保密局",
        "源汇区粮食局",
        "源汇区民政局",
    ]
    assert names(view.units_in(str(COUNTY), active_only=True)) == [
        "郾城区粮食局",
        "源汇区安监站",
        "源汇区保密局",
        "源汇区民政局",
    ]
    assert names(view.units_in({str(TOWN), str(OTHER)})) == ["干河街道办事处"]
    assert view.units_in(set()) == []


def test_a_subtrees_units_and_a_units_sub_units_come_by_id(views: ViewStore) -> None:
    """The order the whole-collection read gave them, which an enrolment import's refusal
    naming the units that share a credit code follows."""
    view = feed(
        views,
        [
            *tree(),
            unit(1, "源汇区质监局", COUNTY),
            unit(2, "源汇区民政局", COUNTY),
            unit(3, "干河街道办事处", TOWN),
            unit(4, "郾城区粮食局", OTHER),
            unit(5, "婚姻登记处", COUNTY, parent=2),
            unit(6, "救助站", COUNTY, parent=2),
            unit(7, "窗口", TOWN, parent=3),
            UnitDissolved(unit_id=unit_id(1), **CHANGE),
        ],
    )
    within = view.units_within(str(COUNTY))
    assert [doc["unit_id"] for doc in within] == [str(unit_id(n)) for n in (1, 2, 3, 5, 6, 7)]
    active = view.units_within(str(COUNTY), active_only=True)
    assert [doc["unit_id"] for doc in active] == [str(unit_id(n)) for n in (2, 3, 5, 6, 7)]
    assert names(view.units_within(str(CITY))) == [
        "源汇区质监局",
        "源汇区民政局",
        "干河街道办事处",
        "郾城区粮食局",
        "婚姻登记处",
        "救助站",
        "窗口",
    ]
    assert names(view.sub_units(str(unit_id(2)))) == ["婚姻登记处", "救助站"]
    assert view.sub_units(str(unit_id(5))) == []


def test_a_jurisdiction_of_more_units_than_a_page_is_read_whole(views: ViewStore) -> None:
    many = [unit(n, f"单位{n:05d}", COUNTY) for n in range(1, 1202)]
    view = feed(views, [*tree(), *many, unit(2000, "郾城区粮食局", OTHER)])
    found = view.units_in(str(COUNTY))
    assert names(found) == [f"单位{n:05d}" for n in range(1, 1202)]
    assert len(view.units_within(str(CITY))) == 1202


def test_units_by_id_in_one_read_leaves_out_units_never_seen(views: ViewStore) -> None:
    view = feed(views, [*tree(), unit(1, "源汇区民政局", COUNTY), unit(2, "郾城区粮食局", OTHER)])
    found = view.units_by_id([str(unit_id(2)), str(unit_id(1)), str(unit_id(99))])
    assert {key: doc["name"] for key, doc in found.items()} == {
        str(unit_id(1)): "源汇区民政局",
        str(unit_id(2)): "郾城区粮食局",
    }
    assert view.units_by_id([]) == {}


class CommitAfterFirstPage(ViewReader):
    """The store, read by `RegistryView`, with a consumer's commit (on its own connection)
    landing right after the `pages`-th page is read: between two pages of a read."""

    def __init__(self, store: ViewStore, commit: Callable[[], None], pages: int = 1) -> None:
        self._store = store
        self._commit = commit
        self._before_commit = pages

    def get(self, collection: str, key: str) -> dict[str, Any] | None:
        return self._store.get(collection, key)

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        return self._store.get_many(collection, keys)

    def scan(self, collection: str, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        return self._store.scan(collection, prefix)

    def page(self, collection: str, **query: Any) -> Page:
        found = self._store.page(collection, **query)
        self._before_commit -= 1
        if self._before_commit == 0 and self._commit is not None:
            self._commit()
        return found

    @contextmanager
    def snapshot(self) -> Iterator[ViewReader]:
        # This reader's reads in the store's snapshot: the store's reads in this thread are.
        with self._store.snapshot():
            yield self


def test_a_unit_renamed_between_two_pages_is_listed_once_as_it_was(views: ViewStore) -> None:
    """Units past the first page's cursor renamed before it, and the other way round: a
    jurisdiction of more than a page of units (an export's 参评单位) is read as one state."""
    many = [unit(n, f"单位{n:05d}", COUNTY) for n in range(1, 1202)]
    feed(views, [*tree(), *many])
    renamed = [
        UnitRenamed(unit_id=unit_id(1100), old_name="单位01100", new_name="单位00000", **CHANGE),
        UnitRenamed(unit_id=unit_id(5), old_name="单位00005", new_name="单位99999", **CHANGE),
    ]
    # The second page read: the first a long read makes again in its snapshot (the first
    # read, one page, tells it the selection is longer).
    reader = CommitAfterFirstPage(views, lambda: feed(views, renamed, start=len(many) + 5), pages=2)
    found = RegistryView(reader).units_in(str(COUNTY))
    assert names(found) == [f"单位{n:05d}" for n in range(1, 1202)]
    assert names(RegistryView(views).units_in(str(COUNTY)))[:2] == ["单位00000", "单位00001"]


def test_a_subtree_and_its_units_are_read_as_one_state(views: ViewStore) -> None:
    """A district registered below 源汇区 and a unit moved into it between the two reads:
    `units_within` still finds the unit in 源汇区's subtree."""
    view = feed(views, [*tree(), unit(1, "源汇区民政局", COUNTY)])
    new = UUID(int=5)
    later = [
        JurisdictionRegistered(
            jurisdiction_id=new, name="新区", level="township", parent_id=COUNTY
        ),
        UnitMoved(
            unit_id=unit_id(1), from_jurisdiction_id=COUNTY, to_jurisdiction_id=new, **CHANGE
        ),
    ]
    reader = CommitAfterFirstPage(views, lambda: feed(views, later, start=6))
    assert names(RegistryView(reader).units_within(str(COUNTY))) == ["源汇区民政局"]
    assert RegistryView(views).subtree(str(COUNTY)) == {str(COUNTY), str(TOWN), str(new)}
    assert (view.unit(str(unit_id(1))) or {}).get("jurisdiction_id") == str(new)
