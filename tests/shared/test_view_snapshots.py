"""`ViewStore.snapshot()` on all three stores: pages read inside it are one state of the
store, so a document a consumer re-sorts between two pages is read exactly once and as it
was; outside it the same read skips one document and repeats another."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.views import (
    Collection,
    MemoryViewStore,
    PostgresViewStore,
    SQLiteViewStore,
    ViewReader,
    ViewStore,
)

ITEMS = Collection("items", index=("group",), sort="name")
NAMES = {f"k{n}": f"a0{n}" for n in range(1, 7)}


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ViewStore]:
    if request.param == "memory":
        views: ViewStore = MemoryViewStore()
    elif request.param == "sqlite":
        views = SQLiteViewStore(tmp_path / "views.sqlite")
    else:
        views = PostgresViewStore(request.getfixturevalue("database_url"), "testsnapshots")
    views.declare([ITEMS])
    views.setup()
    with views.transaction("items") as tx:
        for key, name in NAMES.items():
            tx.put("items", key, item(key, name))
    yield views
    views.close()


def item(key: str, name: str) -> dict[str, str]:
    return {"group": "g", "key": key, "name": name}


def rename(store: ViewStore, key: str, name: str) -> None:
    """A consumer's commit, on its own connection (another transaction)."""
    with store.transaction("items") as tx:
        tx.put("items", key, item(key, name))


def read_renaming_after_first_page(reader: ViewReader, store: ViewStore) -> list[Any]:
    """Two pages of two, then k1 (first page) moves to the end and k5 (not read yet) to
    the front, then the rest: (key, name) in the order read."""
    pages = reader.pages("items", where={"group": "g"}, limit=2)
    read = list(next(pages))
    rename(store, "k1", "a99")
    rename(store, "k5", "a00")
    for page in pages:
        read.extend(page)
    return [(doc["key"], doc["name"]) for doc in read]


def test_pages_in_a_snapshot_read_each_document_once_as_it_was(store: ViewStore) -> None:
    with store.snapshot() as snap:
        read = read_renaming_after_first_page(snap, store)
        # Gets are in the snapshot too, through it or through the store in this thread.
        assert snap.get("items", "k5") == item("k5", "a05")
        assert store.get_many("items", ["k1"]) == {"k1": item("k1", "a01")}
        assert dict(snap.scan("items"))["k1"]["name"] == "a01"
    assert read == list(NAMES.items())
    assert store.get("items", "k5") == item("k5", "a00")


def test_without_a_snapshot_a_re_sorted_document_is_skipped_or_read_twice(
    store: ViewStore,
) -> None:
    """What the snapshot prevents, so the test above exercises it."""
    read = read_renaming_after_first_page(store, store)
    assert [key for key, _ in read] == ["k1", "k2", "k3", "k4", "k6", "k1"]
    assert read[-1] == ("k1", "a99")


def test_the_stores_reads_in_this_thread_and_a_nested_snapshot_are_the_snapshot(
    store: ViewStore,
) -> None:
    with store.snapshot() as outer:
        rename(store, "k2", "a98")  # this thread's own write: not in the snapshot either
        with store.snapshot() as inner, inner.snapshot() as innermost:
            assert inner is outer and innermost is outer
            assert [d["name"] for p in store.pages("items", limit=4) for d in p] == [
                *NAMES.values()
            ]
        assert outer.get("items", "k2") == item("k2", "a02")
    assert store.get("items", "k2") == item("k2", "a98")
    with store.snapshot() as fresh:  # a new snapshot starts from the store as it is now
        assert fresh.get("items", "k2") == item("k2", "a98")


def test_a_snapshot_is_read_in_its_thread_while_it_lasts(store: ViewStore) -> None:
    """Other threads read the store as it is (the snapshot is this thread's alone)."""
    seen: list[Any] = []
    with store.snapshot() as snap:
        rename(store, "k3", "a97")
        other = threading.Thread(
            target=lambda: seen.extend([store.get("items", "k3"), _refused(snap)])
        )
        other.start()
        other.join()
        assert snap.get("items", "k3") == item("k3", "a03")
    assert seen == [item("k3", "a97"), True]
    with pytest.raises(RuntimeError, match="ended"):
        snap.get("items", "k3")


def _refused(snap: ViewReader) -> bool:
    try:
        snap.get("items", "k3")
    except RuntimeError:
        return True
    return False
