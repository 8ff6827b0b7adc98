"""The view store contract, on all three stores (in-memory, SQLite, PostgreSQL): rows and
positions commit together per view, any string an event can carry is stored and read back
unchanged, lists page in SQL by declared indexes, and a view resets alone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.views import (
    Collection,
    MemoryViewStore,
    PostgresViewStore,
    SQLiteViewStore,
    StalePositionError,
    UnknownIndexError,
    ViewStore,
)
from shared.views.base import BufferedTransaction

FINDINGS = Collection(
    "findings", index=("unit_id", "jurisdiction_id"), sort="found_at", search="summary"
)
HOSTILE = ["\u0000", "a\u0000b", "\ud800", "\\0", "\\", "换行\n", "\u2028", "\x7f", "😀"]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ViewStore]:
    if request.param == "memory":
        views: ViewStore = MemoryViewStore()
    elif request.param == "sqlite":
        views = SQLiteViewStore(tmp_path / "views.sqlite")
    else:
        views = PostgresViewStore(request.getfixturevalue("database_url"), "testviews")
    views.declare([FINDINGS])
    views.setup()
    yield views
    views.close()


def test_rows_and_position_commit_together(store: ViewStore) -> None:
    with store.transaction("copy") as tx:
        tx.put("units", "u1", {"name": "漯河市教育局"})
        tx.track("registry", 5)
    assert store.get("units", "u1") == {"name": "漯河市教育局"}
    assert store.last_position("copy", "registry") == 5
    assert store.positions() == {"copy": {"registry": 5}}


def test_put_many_writes_every_row_and_a_later_one_under_a_key_wins(store: ViewStore) -> None:
    with store.transaction("copy") as tx:
        tx.put("units", "u0", {"name": "旧"})
        tx.put_many(
            [
                ("units", "u0", {"name": "漯河市教育局"}),
                ("units", "u1", {"name": "漯河市公安局"}),
                ("units", "u1", {"name": "漯河市民政局"}),
            ]
        )
        assert tx.get("units", "u1") == {"name": "漯河市民政局"}
        tx.track("registry", 3)
    assert store.get_many("units", ["u0", "u1"]) == {
        "u0": {"name": "漯河市教育局"},
        "u1": {"name": "漯河市民政局"},
    }


def test_many_rows_at_once_read_back_as_one_at_a_time(store: ViewStore) -> None:
    """Past `BULK_ROWS` PostgreSQL takes a `put_many` by COPY: every row, the later one
    under a repeated key, rows already there replaced, any string unchanged, indexes and
    sort as `put` writes them; twice in one transaction."""
    with store.transaction("copy") as tx:
        tx.put("findings", "f000", {"unit_id": "旧", "jurisdiction_id": "j", "found_at": "0"})
        tx.track("inspection", 1)
    many = [
        (
            "findings",
            f"f{i:03d}",
            {
                "unit_id": f"u{i % 3}",
                "jurisdiction_id": "j",
                "found_at": f"{i:03d}",
                "summary": HOSTILE[i % len(HOSTILE)] + f"第{i}条",
            },
        )
        for i in range(150)
    ]
    again = [("findings", "f007", {"unit_id": "u9", "jurisdiction_id": "j", "found_at": "x"})]
    with store.transaction("copy") as tx:
        assert isinstance(tx, BufferedTransaction)
        tx.put_many(many[:70])
        tx.flush()  # written to the store now, within the transaction: a second bulk follows
        tx.put_many(many[70:] + again)
        tx.track("inspection", 2)
    expected = {key: doc for _, key, doc in many} | {"f007": again[0][2]}
    assert store.get_many("findings", list(expected)) == expected
    assert store.get("findings", "f000") == many[0][2]
    listed = store.page("findings", where={"unit_id": "u9"})
    assert [row["found_at"] for row in listed.items] == ["x"]


def test_a_failure_leaves_neither_rows_nor_position(store: ViewStore) -> None:
    with pytest.raises(RuntimeError), store.transaction("copy") as tx:
        tx.put("units", "u1", {"name": "漯河市教育局"})
        tx.track("registry", 5)
        raise RuntimeError("crash before commit")
    assert store.get("units", "u1") is None
    assert store.last_position("copy", "registry") is None


def test_an_old_or_equal_position_is_refused_and_rolls_back(store: ViewStore) -> None:
    with store.transaction("copy") as tx:
        tx.track("registry", 5)
    with pytest.raises(StalePositionError), store.transaction("copy") as tx:
        tx.put("units", "late", {"name": "迟到"})
        tx.track("registry", 5)
    assert store.get("units", "late") is None
    assert store.last_position("copy", "registry") == 5


def test_each_view_keeps_its_own_position_per_upstream(store: ViewStore) -> None:
    with store.transaction("security") as tx:
        tx.track("registry", 9)
    with store.transaction("copy") as tx:
        tx.track("registry", 4)
    assert store.last_position("security", "registry") == 9
    assert store.last_position("copy", "registry") == 4


def test_any_string_an_event_carries_is_stored_and_read_back(store: ViewStore) -> None:
    """NUL, lone surrogates, backslashes and line separators in documents and keys: one
    such string once stalled every consumer of the registry (PostgreSQL refuses \\u0000)."""
    for index, text in enumerate(HOSTILE):
        key = f"k{index}{text}"
        doc = {"reason": text, text: [text], "n": index}
        with store.transaction("copy") as tx:
            tx.put("hostile", key, doc)
            tx.track("registry", index + 1)
        assert store.get("hostile", key) == doc, repr(text)
    assert sorted(k for k, _ in store.scan("hostile")) == sorted(
        f"k{i}{t}" for i, t in enumerate(HOSTILE)
    )
    assert [k for k, _ in store.scan("hostile", "k1a\u0000")] == ["k1a\u0000b"]


def test_scan_by_prefix_in_key_order(store: ViewStore) -> None:
    with store.transaction("rankings") as tx:
        for key in ("w1|b", "w1|a", "w2|a"):
            tx.put("rankings", key, {"key": key})
        tx.track("scoring", 1)
    assert [k for k, _ in store.scan("rankings", "w1|")] == ["w1|a", "w1|b"]
    assert len(store.scan("rankings")) == 3


def test_a_transaction_reads_its_own_writes(store: ViewStore) -> None:
    with store.transaction("waves") as tx:
        for n in range(1, 4):
            doc = tx.get("waves", "w1") or {"responses": 0}
            tx.put("waves", "w1", doc | {"responses": doc["responses"] + 1})
            tx.track("survey", n)
    assert store.get("waves", "w1") == {"responses": 3}


def _findings(store: ViewStore) -> None:
    with store.transaction("findings") as tx:
        for n in range(25):
            tx.put(
                "findings",
                f"f{n:02d}",
                {
                    "unit_id": f"u{n % 3}",
                    "jurisdiction_id": "j-a" if n % 2 else "j-b",
                    "found_at": f"2026-05-{n + 1:02d}T10:00:00+08:00",
                },
            )
        tx.track("inspection", 1)


def test_pages_filter_on_indexes_in_a_stable_order(store: ViewStore) -> None:
    _findings(store)
    seen: list[str] = []
    cursor = None
    while True:
        page = store.page(
            "findings", where={"unit_id": "u1"}, descending=True, cursor=cursor, limit=3
        )
        seen += [doc["found_at"] for doc in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = sorted(
        (f"2026-05-{n + 1:02d}T10:00:00+08:00" for n in range(25) if n % 3 == 1), reverse=True
    )
    assert seen == expected
    both = store.page("findings", where={"jurisdiction_id": {"j-a", "j-b"}, "unit_id": "u0"})
    assert len(both.items) == 9 and both.next_cursor is None
    none = store.page("findings", where={"jurisdiction_id": set()}, limit=5)
    assert none.items == []


def test_membership_in_a_large_set_is_one_parameter(store: ViewStore) -> None:
    """An office's subtree may hold thousands of jurisdictions: more than SQLite's 999
    placeholders of old, and no new statement per size."""
    _findings(store)
    many = {f"j-{n}" for n in range(5000)} | {"j-a"}
    page = store.page("findings", where={"jurisdiction_id": many}, limit=100)
    assert len(page.items) == 12 and all(d["jurisdiction_id"] == "j-a" for d in page.items)


def test_contains_matches_the_search_text_in_sql(store: ViewStore) -> None:
    summaries = ["窗口人员玩手机", "群众等候二十分钟", "玩手机\\0", "a\u0000b", "100%_x", None]
    with store.transaction("findings") as tx:
        for n, summary in enumerate(summaries):
            tx.put("findings", f"f{n}", {"found_at": f"t{n}", "summary": summary})
        tx.track("inspection", 1)

    def found(needle: str, limit: int = 10) -> list[str]:
        return [d["found_at"] for d in store.page("findings", contains=needle, limit=limit).items]

    assert found("玩手机") == ["t0", "t2"]
    assert found("\\0") == ["t2"]
    assert found("%_") == ["t4"] and found("_") == ["t4"] and found("%") == ["t4"]
    assert found("\u0000") == ["t3"] and found("a\u0000") == ["t3"]
    assert found("不存在") == []
    first = store.page("findings", contains="", limit=2)
    rest = store.page("findings", contains="", limit=10, cursor=first.next_cursor)
    assert [d["found_at"] for d in first.items + rest.items] == ["t0", "t1", "t2", "t3", "t4"]
    with pytest.raises(UnknownIndexError):
        store.page("other", contains="x")


def test_get_many_reads_several_keys_at_once(store: ViewStore) -> None:
    _findings(store)
    got = store.get_many("findings", ["f03", "f00", "missing", "f03"])
    assert sorted(got) == ["f00", "f03"] and got["f03"]["unit_id"] == "u0"
    assert store.get_many("findings", []) == {}


def test_a_page_cannot_filter_on_an_undeclared_field(store: ViewStore) -> None:
    with pytest.raises(UnknownIndexError):
        store.page("findings", where={"summary": "x"})
    with pytest.raises(ValueError):
        store.page("findings", cursor="not-a-cursor")


def test_a_reset_drops_one_view_and_leaves_its_neighbours(store: ViewStore) -> None:
    _findings(store)
    with store.transaction("copy") as tx:
        tx.put("units", "u1", {"name": "单位"})
        tx.track("registry", 3)
    store.reset("findings", ["findings"], version=2)
    assert store.page("findings").items == []
    assert store.last_position("findings", "inspection") is None
    assert store.view_version("findings") == 2
    assert store.get("units", "u1") == {"name": "单位"}
    assert store.last_position("copy", "registry") == 3


def test_the_dump_is_the_stored_text_in_key_order(store: ViewStore) -> None:
    with store.transaction("copy") as tx:
        tx.put("units", "b", {"名": "乙", "n": 2})
        tx.put("units", "a", {"n": 1, "名": "甲"})
        tx.track("registry", 1)
    rows = list(store.dump(["units"]))
    assert [(c, k) for c, k, _ in rows] == [("units", "a"), ("units", "b")]
    assert rows[0][2] == '{"n":1,"名":"甲"}'


def test_keys_order_alike_on_every_store_whatever_they_hold(store: ViewStore) -> None:
    """Pages, cursors and dumps follow the stored (escaped) keys in byte order, as the SQL
    stores do; in raw order "a\\u0000" would come before "a0"."""
    keys = ["a\\b", "a\u0000", "a0", "a"]
    with store.transaction("copy") as tx:
        for key in keys:
            tx.put("findings", key, {"key": key, "found_at": "2026-05-01"})
    walked: list[str] = []
    cursor = None
    while True:
        page = store.page("findings", cursor=cursor, limit=1)
        walked += [doc["key"] for doc in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert walked == ["a", "a0", "a\u0000", "a\\b"]
    assert [key for _, key, _ in store.dump(["findings"])] == ["a", "a0", "a\\0", "a\\\\b"]


def test_reads_never_fail_while_a_transaction_commits_on_another_thread(
    store: ViewStore,
) -> None:
    """Requests read on their threads while a consumer commits on its own."""
    batches = 60

    def write() -> None:
        for batch in range(batches):
            with store.transaction("findings") as tx:
                for n in range(20):
                    tx.put("findings", f"{batch:03d}-{n:02d}", {"found_at": f"{batch:03d}"})
                tx.track("inspection", batch + 1)

    writer = threading.Thread(target=write)
    writer.start()
    while writer.is_alive():
        store.page("findings", limit=5)
        store.scan("findings", prefix="0")
        store.positions()
    writer.join()
    assert len(store.scan("findings")) == batches * 20
