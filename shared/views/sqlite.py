"""The embedded-mode view store: one SQLite file per service."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
from shared.views.encoding import escape_text, load_document, unescape_text
from shared.views.sql import (
    ADD_SEARCH_COLUMN,
    LEGACY_TABLES,
    create_statements,
    get_many_sql,
    page_sql,
    row_values,
    set_parameter,
    upsert_statement,
)

_UPSERT = upsert_statement("view_rows", "?")


class _SQLiteTx(ViewTransaction):
    def __init__(self, store: SQLiteViewStore, conn: sqlite3.Connection, view: str) -> None:
        self._store = store
        self._conn = conn
        self._view = view

    def get(self, collection: str, key: str) -> Document | None:
        return _get(self._conn, collection, key)

    def put(self, collection: str, key: str, doc: Document) -> None:
        self.put_many([(collection, key, doc)])

    def put_many(self, rows: list[tuple[str, str, Document]]) -> None:
        self._conn.executemany(
            _UPSERT, [row_values(self._store.collection(c), k, d) for c, k, d in rows]
        )

    def last_position(self, upstream: str) -> int | None:
        return _position(self._conn, self._view, upstream)

    def track(self, upstream: str, position: int) -> None:
        current = self.last_position(upstream)
        if current is not None and current >= position:
            raise StalePositionError(f"{self._view}/{upstream}@{position} is not after {current}")
        self._conn.execute(
            "INSERT INTO view_positions (view, upstream, position) VALUES (?, ?, ?) "
            "ON CONFLICT (view, upstream) DO UPDATE SET position = excluded.position",
            (self._view, upstream, position),
        )


def _get(conn: sqlite3.Connection, collection: str, key: str) -> Document | None:
    row = conn.execute(
        "SELECT doc FROM view_rows WHERE collection=? AND key=?", (collection, escape_text(key))
    ).fetchone()
    return None if row is None else load_document(row[0])


def _version(conn: sqlite3.Connection, view: str) -> int | None:
    row = conn.execute("SELECT version FROM view_versions WHERE view=?", (view,)).fetchone()
    return None if row is None else int(row[0])


def _position(conn: sqlite3.Connection, view: str, upstream: str) -> int | None:
    row = conn.execute(
        "SELECT position FROM view_positions WHERE view=? AND upstream=?", (view, upstream)
    ).fetchone()
    return None if row is None else int(row[0])


class SQLiteViewStore(ViewStore):
    """One connection per thread, writes serialised: SQLite allows a single writer."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []

    def _conn(self, name: str = "conn") -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, name, None)
        if conn is None:
            # Closed from whichever thread stops the service, so not bound to its creator.
            conn = sqlite3.connect(
                self._path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            setattr(self._local, name, conn)
            self._connections.append(conn)
        return conn

    def _reader(self) -> sqlite3.Connection:
        """This thread's snapshot's connection inside one, else its connection."""
        snapshot: sqlite3.Connection | None = self._snapshots.current()
        return self._conn() if snapshot is None else snapshot

    @contextmanager
    def _begin_snapshot(self) -> Iterator[sqlite3.Connection]:
        # A connection of its own (one per thread, kept): the thread may write meanwhile,
        # and its writing connection's BEGIN IMMEDIATE cannot start inside a transaction.
        conn = self._conn("snapshot_conn")
        conn.execute("BEGIN")
        try:
            # In WAL mode a read transaction sees the database as of its first read, until
            # it ends, while writers commit beside it: that first read is here.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            yield conn
        finally:
            conn.execute("ROLLBACK")

    def setup(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._conn()
        with self._write_lock:
            for legacy in LEGACY_TABLES:
                conn.execute(f"DROP TABLE IF EXISTS {legacy}")
            for statement in create_statements("view_rows", "view_positions", "view_versions"):
                conn.execute(statement)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(view_rows)")}
            if "search" not in columns:
                conn.execute(ADD_SEARCH_COLUMN.format(rows="view_rows"))

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def transaction(self, view: str, version: int | None = None) -> Iterator[ViewTransaction]:
        with self._writing() as conn:
            # Under BEGIN IMMEDIATE: no reset can commit between this check and the writes.
            stored = _version(conn, view)
            if version is not None and stored not in (None, version):
                raise ViewSupersededError(f"{view} is at v{stored}, not v{version}")
            inner = _SQLiteTx(self, conn, view)
            buffered = BufferedTransaction(inner, inner.put_many)
            yield buffered
            buffered.flush()

    def get(self, collection: str, key: str) -> Document | None:
        return _get(self._reader(), collection, key)

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, Document]:
        wanted = [escape_text(key) for key in keys]
        if not wanted:
            return {}
        rows = self._reader().execute(
            get_many_sql("view_rows", "?", "sqlite"),
            (collection, set_parameter("sqlite", wanted)),
        )
        return {unescape_text(key): load_document(doc) for key, doc in rows.fetchall()}

    def scan(self, collection: str, prefix: str = "") -> list[tuple[str, Document]]:
        escaped = escape_text(prefix)
        rows = self._reader().execute(
            "SELECT key, doc FROM view_rows WHERE collection=? AND substr(key, 1, ?)=? "
            "ORDER BY key",
            (collection, len(escaped), escaped),
        )
        return [(unescape_text(key), load_document(doc)) for key, doc in rows.fetchall()]

    def _page(self, query: PageQuery) -> Page:
        limit = query.limit
        built = page_sql("view_rows", "?", query, "sqlite")
        rows = self._reader().execute(built.statement, built.params).fetchall()
        return _page(rows, limit)

    def last_position(self, view: str, upstream: str) -> int | None:
        return _position(self._reader(), view, upstream)

    def positions(self) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for view, upstream, position in self._reader().execute(
            "SELECT view, upstream, position FROM view_positions ORDER BY view, upstream"
        ):
            found.setdefault(view, {})[upstream] = int(position)
        return found

    def view_version(self, view: str) -> int | None:
        return _version(self._reader(), view)

    def reset(self, view: str, collections: Iterable[str], version: int) -> None:
        with self._writing() as conn:
            stored = _version(conn, view)
            if stored is not None and stored > version:
                raise ViewSupersededError(f"{view} is at v{stored}, newer than v{version}")
            for collection in collections:
                conn.execute("DELETE FROM view_rows WHERE collection=?", (collection,))
            conn.execute("DELETE FROM view_positions WHERE view=?", (view,))
            conn.execute(
                "INSERT INTO view_versions (view, version) VALUES (?, ?) "
                "ON CONFLICT (view) DO UPDATE SET version = excluded.version",
                (view, version),
            )

    def dump(self, collections: Iterable[str]) -> Iterator[tuple[str, str, str]]:
        for collection in sorted(collections):
            rows = self._reader().execute(
                "SELECT key, doc FROM view_rows WHERE collection=? ORDER BY key", (collection,)
            )
            for key, doc in rows:
                yield collection, key, doc

    def ping(self) -> None:
        self._conn().execute("SELECT 1")

    def close(self) -> None:
        for conn in self._connections:
            conn.close()
        self._connections.clear()
        self._local = threading.local()


def _page(rows: list[Any], limit: int) -> Page:
    items = [load_document(doc) for _, doc, _ in rows[:limit]]
    if len(rows) <= limit:
        return Page(items)
    key, _, sort = rows[limit - 1]
    return Page(items, encode_cursor(unescape_text(sort), unescape_text(key)))
