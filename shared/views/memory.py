"""An in-memory view store for domain and application tests that gain nothing from SQLite.

It keeps documents as the same JSON text the real stores write, so a handler that puts
something unserialisable fails here too; the shared view-store tests run against it as well
as against SQLite and PostgreSQL, so it cannot drift from them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from shared.views.base import (
    BufferedTransaction,
    Document,
    Filter,
    Page,
    StalePositionError,
    ViewStore,
    ViewTransaction,
    encode_cursor,
)
from shared.views.encoding import dump_document, escape_text, load_document

Row = tuple[str, str, list[str | None]]  # document text, sort value, index values


class _MemoryTx(ViewTransaction):
    def __init__(self, store: MemoryViewStore, view: str) -> None:
        self._store = store
        self._view = view
        self.rows: dict[tuple[str, str], Row] = {}
        self.positions: dict[str, int] = {}

    def get(self, collection: str, key: str) -> Document | None:
        row = self.rows.get((collection, key)) or self._store.rows.get((collection, key))
        return None if row is None else load_document(row[0])

    def put(self, collection: str, key: str, doc: Document) -> None:
        self.rows[(collection, key)] = self._store.row(collection, doc)

    def put_many(self, rows: list[tuple[str, str, Document]]) -> None:
        for collection, key, doc in rows:
            self.put(collection, key, doc)

    def last_position(self, upstream: str) -> int | None:
        if upstream in self.positions:
            return self.positions[upstream]
        return self._store.last_position(self._view, upstream)

    def track(self, upstream: str, position: int) -> None:
        current = self.last_position(upstream)
        if current is not None and current >= position:
            raise StalePositionError(f"{self._view}/{upstream}@{position} is not after {current}")
        self.positions[upstream] = position


class MemoryViewStore(ViewStore):
    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple[str, str], Row] = {}
        self._positions: dict[tuple[str, str], int] = {}
        self._versions: dict[str, int] = {}
        # Requests read while a consumer's transaction commits on another thread: reads take
        # the lock too, or iterating the rows could meet a dict that changed size under it.
        self._lock = threading.RLock()

    def row(self, collection: str, doc: Document) -> Row:
        declared = self.collection(collection)
        return dump_document(doc), declared.sort_value(doc), declared.index_values(doc)

    def setup(self) -> None:
        return None

    @contextmanager
    def transaction(self, view: str) -> Iterator[ViewTransaction]:
        with self._lock:
            inner = _MemoryTx(self, view)
            buffered = BufferedTransaction(inner, inner.put_many)
            yield buffered
            buffered.flush()
            self.rows.update(inner.rows)
            for upstream, position in inner.positions.items():
                self._positions[(view, upstream)] = position

    def get(self, collection: str, key: str) -> Document | None:
        with self._lock:
            row = self.rows.get((collection, key))
        return None if row is None else load_document(row[0])

    def scan(self, collection: str, prefix: str = "") -> list[tuple[str, Document]]:
        with self._lock:
            rows = [
                (key, row)
                for (name, key), row in self.rows.items()
                if name == collection and key.startswith(prefix)
            ]
        found = [(key, load_document(row[0])) for key, row in rows]
        return sorted(found, key=lambda item: escape_text(item[0]))

    def page(
        self,
        collection: str,
        *,
        where: Filter | None = None,
        descending: bool = False,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page:
        query = self._page_query(collection, where, descending, cursor, limit)
        conditions = query.conditions()
        with self._lock:
            candidates = [
                (row[1], key, row)
                for (name, key), row in self.rows.items()
                if name == collection and all(row[2][slot] in values for slot, values in conditions)
            ]
        # Ordered as the SQL stores order their escaped columns.
        candidates.sort(key=_order, reverse=descending)
        if query.after is not None:
            after = (escape_text(query.after[0]), escape_text(query.after[1]))
            candidates = [
                c for c in candidates if (_order(c) < after if descending else _order(c) > after)
            ]
        items = [load_document(row[0]) for _, _, row in candidates[:limit]]
        if len(candidates) <= limit:
            return Page(items)
        sort, key, _ = candidates[limit - 1]
        return Page(items, encode_cursor(sort, key))

    def last_position(self, view: str, upstream: str) -> int | None:
        with self._lock:
            return self._positions.get((view, upstream))

    def positions(self) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        with self._lock:
            stored = sorted(self._positions.items())
        for (view, upstream), position in stored:
            found.setdefault(view, {})[upstream] = position
        return found

    def view_version(self, view: str) -> int | None:
        return self._versions.get(view)

    def reset(self, view: str, collections: Iterable[str], version: int) -> None:
        names = set(collections)
        with self._lock:
            self.rows = {k: v for k, v in self.rows.items() if k[0] not in names}
            self._positions = {k: v for k, v in self._positions.items() if k[0] != view}
            self._versions[view] = version

    def dump(self, collections: Iterable[str]) -> Iterator[tuple[str, str, str]]:
        for collection in sorted(collections):
            with self._lock:
                rows = [(k, row[0]) for (name, k), row in self.rows.items() if name == collection]
            for key, text in sorted(rows, key=lambda item: escape_text(item[0])):
                yield collection, escape_text(key), text

    def ping(self) -> None:
        return None

    def close(self) -> None:
        return None


def _order(candidate: tuple[str, str, Row]) -> tuple[str, str]:
    return escape_text(candidate[0]), escape_text(candidate[1])
