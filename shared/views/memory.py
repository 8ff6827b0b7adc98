"""An in-memory view store for domain and application tests that gain nothing from SQLite.

It keeps documents as the same JSON text the real stores write, so a handler that puts
something unserialisable fails here too; the shared view-store tests run against it as well
as against SQLite and PostgreSQL, so it cannot drift from them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from shared.views.base import (
    BufferedTransaction,
    Document,
    Page,
    PageQuery,
    StalePositionError,
    ViewStore,
    ViewSupersededError,
    ViewTransaction,
    encode_cursor,
)
from shared.views.encoding import (
    dump_document,
    escape_text,
    load_document,
    searchable,
    unescape_text,
)

Row = tuple[str, str, list[str | None], str | None]  # document, sort, index values, search


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
        # The live position, not a snapshot's this thread may be reading in.
        return self._store.stored.positions.get((self._view, upstream))

    def track(self, upstream: str, position: int) -> None:
        current = self.last_position(upstream)
        if current is not None and current >= position:
            raise StalePositionError(f"{self._view}/{upstream}@{position} is not after {current}")
        self.positions[upstream] = position


@dataclass
class _Stored:
    """What reads see: the store's own, or a snapshot's copy of it."""

    rows: dict[tuple[str, str], Row] = field(default_factory=dict)
    positions: dict[tuple[str, str], int] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)

    def copy(self) -> _Stored:
        # Rows are immutable tuples; writes replace them, so shallow copies stay as they are.
        return _Stored(dict(self.rows), dict(self.positions), dict(self.versions))


class MemoryViewStore(ViewStore):
    def __init__(self) -> None:
        super().__init__()
        self.stored = _Stored()
        # Requests read while a consumer's transaction commits on another thread: reads take
        # the lock too, or iterating the rows could meet a dict that changed size under it.
        self._lock = threading.RLock()

    def row(self, collection: str, doc: Document) -> Row:
        declared = self.collection(collection)
        search = declared.search_value(doc)
        return (
            dump_document(doc),
            declared.sort_value(doc),
            declared.index_values(doc),
            None if search is None else searchable(search),
        )

    @property
    def rows(self) -> dict[tuple[str, str], Row]:
        return self.stored.rows

    def _visible(self) -> _Stored:
        """This thread's snapshot inside one, else the store (read under `_lock`)."""
        snapshot: _Stored | None = self._snapshots.current()
        return self.stored if snapshot is None else snapshot

    @contextmanager
    def _begin_snapshot(self) -> Iterator[_Stored]:
        # A copy, not the lock held: consumers on other threads go on applying meanwhile.
        with self._lock:
            copy = self.stored.copy()
        yield copy

    def setup(self) -> None:
        return None

    @contextmanager
    def transaction(self, view: str, version: int | None = None) -> Iterator[ViewTransaction]:
        with self._lock:
            stored = self.stored.versions.get(view)
            if version is not None and stored not in (None, version):
                raise ViewSupersededError(f"{view} is at v{stored}, not v{version}")
            inner = _MemoryTx(self, view)
            buffered = BufferedTransaction(inner, inner.put_many)
            yield buffered
            buffered.flush()
            self.stored.rows.update(inner.rows)
            for upstream, position in inner.positions.items():
                self.stored.positions[(view, upstream)] = position

    def get(self, collection: str, key: str) -> Document | None:
        with self._lock:
            row = self._visible().rows.get((collection, key))
        return None if row is None else load_document(row[0])

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, Document]:
        found = {key: self.get(collection, key) for key in keys}
        return {key: doc for key, doc in found.items() if doc is not None}

    def scan(self, collection: str, prefix: str = "") -> list[tuple[str, Document]]:
        with self._lock:
            rows = [
                (key, row)
                for (name, key), row in self._visible().rows.items()
                if name == collection and key.startswith(prefix)
            ]
        found = [(key, load_document(row[0])) for key, row in rows]
        return sorted(found, key=lambda item: escape_text(item[0]))

    def _page(self, query: PageQuery) -> Page:
        limit, descending, collection = query.limit, query.descending, query.collection.name
        conditions = query.conditions()
        needle = query.needle()
        # Compared as the SQL stores compare them, so all modes agree.
        escaped = None if needle is None else searchable(needle)
        with self._lock:
            candidates = [
                (escape_text(row[1]), escape_text(key), row)
                for (name, key), row in self._visible().rows.items()
                if name == collection
                and all(row[2][slot] in values for slot, values in conditions)
                and (escaped is None or (row[3] is not None and escaped in row[3]))
            ]
        candidates.sort(key=lambda c: (c[0], c[1]), reverse=descending)
        if query.after is not None:
            after = (escape_text(query.after[0]), escape_text(query.after[1]))
            candidates = [
                c
                for c in candidates
                if ((c[0], c[1]) < after if descending else (c[0], c[1]) > after)
            ]
        items = [load_document(row[0]) for _, _, row in candidates[:limit]]
        if len(candidates) <= limit:
            return Page(items)
        sort, key, _ = candidates[limit - 1]
        return Page(items, encode_cursor(unescape_text(sort), unescape_text(key)))

    def last_position(self, view: str, upstream: str) -> int | None:
        with self._lock:
            return self._visible().positions.get((view, upstream))

    def positions(self) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        with self._lock:
            stored = sorted(self._visible().positions.items())
        for (view, upstream), position in stored:
            found.setdefault(view, {})[upstream] = position
        return found

    def view_version(self, view: str) -> int | None:
        with self._lock:
            return self._visible().versions.get(view)

    def reset(self, view: str, collections: Iterable[str], version: int) -> None:
        names = set(collections)
        with self._lock:
            live = self.stored
            stored = live.versions.get(view)
            if stored is not None and stored > version:
                raise ViewSupersededError(f"{view} is at v{stored}, newer than v{version}")
            live.rows = {k: v for k, v in live.rows.items() if k[0] not in names}
            live.positions = {k: v for k, v in live.positions.items() if k[0] != view}
            live.versions[view] = version

    def dump(self, collections: Iterable[str]) -> Iterator[tuple[str, str, str]]:
        for collection in sorted(collections):
            with self._lock:
                visible = self._visible().rows
                rows = [(k, row[0]) for (name, k), row in visible.items() if name == collection]
            for key, text in sorted(rows, key=lambda item: escape_text(item[0])):
                yield collection, escape_text(key), text

    def ping(self) -> None:
        return None

    def close(self) -> None:
        return None
