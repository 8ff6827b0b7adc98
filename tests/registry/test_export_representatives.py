"""导出评议人员库 (`representative_sheet`): one jurisdiction's pool (not its neighbours', not
the pools below it), the disqualified left out, by sector then name in dictionary (pinyin)
order then id, on the memory and PostgreSQL view stores."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from services.registry.importing.representatives import representative_sheet
from services.registry.projections import REGISTRY_MODELS
from shared.contracts import IntegrationPayload
from shared.contracts.registry_people import (
    RepresentativeDisqualified,
    RepresentativeRegistered,
    Sector,
)
from shared.views import MemoryViewStore, PostgresViewStore, ViewStore
from tests.registry.export_helpers import registry_messages

COUNTY, TOWN, OTHER = (UUID(int=n) for n in (1, 2, 3))


@pytest.fixture(params=["memory", "postgres"])
def views(request: pytest.FixtureRequest) -> Iterator[ViewStore]:
    if request.param == "memory":
        store: ViewStore = MemoryViewStore()
    else:
        store = PostgresViewStore(request.getfixturevalue("database_url"), "registry")
    store.setup()
    store.declare(REGISTRY_MODELS.collections)
    yield store
    store.close()


def feed(views: ViewStore, payloads: list[IntegrationPayload]) -> None:
    REGISTRY_MODELS.inbox(views, "registry").apply("registry", registry_messages(payloads))


def person(
    n: int, name: str, where: UUID = COUNTY, sector: Sector = "npc_deputy"
) -> RepresentativeRegistered:
    return RepresentativeRegistered(
        person_id=UUID(int=1000 + n),
        jurisdiction_id=where,
        name=name,
        sector=sector,
        has_contact=False,
        actor="office:x",
    )


def test_the_pool_of_one_jurisdiction_by_sector_then_name(views: ViewStore) -> None:
    """Ids are given out of name order, and two people share a name (the id decides)."""
    feed(
        views,
        [
            person(1, "孙七"),  # sūn
            person(2, "丁四"),  # dīng
            person(3, "乙二", OTHER),
            person(4, "乙二"),  # yǐ
            person(5, "阿五", sector="service_user"),
            person(6, "丙三"),  # bǐng
            person(7, "甲一", TOWN),
            person(8, "甲一"),  # jiǎ
            person(9, "张三", sector="other"),
            person(10, "李四", sector="service_user"),
            person(11, "丙三"),
            RepresentativeDisqualified(person_id=UUID(int=1008), reason="失信", actor="office:x"),
            person(12, "甲一"),
        ],
    )

    sheet = representative_sheet(views, COUNTY, "临颍县")

    assert sheet.title == "临颍县评议人员库"
    assert sheet.headers == ["序号", "姓名", "界别"]
    # 服务对象 before 人大代表 before 其他 (the sectors' order); 阿 (ā) < 李 (lǐ);
    # 丙 (bǐng) < 丁 (dīng) < 甲 (jiǎ) < 孙 (sūn) < 乙 (yǐ); the two 丙三 by id.
    assert sheet.rows == [
        ["1", "阿五", "服务对象"],
        ["2", "李四", "服务对象"],
        ["3", "丙三", "人大代表"],
        ["4", "丙三", "人大代表"],
        ["5", "丁四", "人大代表"],
        ["6", "甲一", "人大代表"],
        ["7", "孙七", "人大代表"],
        ["8", "乙二", "人大代表"],
        ["9", "张三", "其他"],
    ]
    assert representative_sheet(views, TOWN, "干河街道").rows == [["1", "甲一", "人大代表"]]
    assert representative_sheet(views, UUID(int=99), "无人县").rows == []


def test_a_pool_of_more_people_than_a_page_is_exported_whole(views: ViewStore) -> None:
    many = [person(n, f"代表{n:05d}") for n in range(1, 1202)]
    feed(views, [*many, person(2000, "代表00001", OTHER)])
    rows = representative_sheet(views, COUNTY, "临颍县").rows
    assert [row[1] for row in rows] == [f"代表{n:05d}" for n in range(1, 1202)]
    assert rows[-1][0] == "1201"
