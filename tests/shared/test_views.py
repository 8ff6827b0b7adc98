"""ViewStore on both back ends: rows and position commit together, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.views import PostgresViewStore, SQLiteViewStore, StalePositionError, ViewStore


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ViewStore]:
    if request.param == "sqlite":
        views: ViewStore = SQLiteViewStore(tmp_path / "views.sqlite")
    else:
        views = PostgresViewStore(request.getfixturevalue("database_url"), "testviews")
    views.setup()
    yield views
    views.close()


def test_rows_and_position_commit_together(store: ViewStore) -> None:
    with store.transaction() as tx:
        tx.put("units", "u1", {"name": "漯河市教育局"})
        tx.track("registry", 5)
    assert store.get("units", "u1") == {"name": "漯河市教育局"}
    assert store.last_position("registry") == 5


def test_a_failure_leaves_neither_rows_nor_position(store: ViewStore) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.put("units", "u1", {"name": "漯河市教育局"})
        tx.track("registry", 5)
        raise RuntimeError("crash before commit")
    assert store.get("units", "u1") is None
    assert store.last_position("registry") is None


def test_an_old_or_equal_position_is_refused_and_rolls_back(store: ViewStore) -> None:
    with store.transaction() as tx:
        tx.track("registry", 5)
    with pytest.raises(StalePositionError), store.transaction() as tx:
        tx.put("units", "late", {"name": "迟到"})
        tx.track("registry", 5)
    assert store.get("units", "late") is None
    assert store.last_position("registry") == 5


def test_scan_by_prefix_in_key_order(store: ViewStore) -> None:
    with store.transaction() as tx:
        for key in ("w1|b", "w1|a", "w2|a"):
            tx.put("rankings", key, {"key": key})
        tx.track("scoring", 1)
    assert [k for k, _ in store.scan("rankings", "w1|")] == ["w1|a", "w1|b"]
    assert len(store.scan("rankings")) == 3


def test_a_transaction_reads_its_own_writes(store: ViewStore) -> None:
    with store.transaction() as tx:
        for n in range(1, 4):
            doc = tx.get("waves", "w1") or {"responses": 0}
            tx.put("waves", "w1", doc | {"responses": doc["responses"] + 1})
            tx.track("survey", n)
    assert store.get("waves", "w1") == {"responses": 3}
