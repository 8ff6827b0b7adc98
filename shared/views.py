"""Read models (views) kept as JSON documents, with the upstream position tracked in the
same transaction as the rows.

A view is rebuilt from the upstream log, never edited by hand, so upserting its rows is
fine; what must never happen is a row written without its position or a position recorded
without its rows. `ViewStore.transaction` makes both one atomic unit and refuses positions
that are not newer than the last one (a redelivery changes nothing).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

Document = dict[str, Any]
RECONNECT_TIMEOUT = 10.0


class StalePositionError(Exception):
    """The position was already recorded: another worker or a redelivery got there first."""


def _dumps(doc: Document) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _load(raw: str | Document) -> Document:
    # jsonb arrives decoded from psycopg; SQLite's TEXT does not.
    return json.loads(raw) if isinstance(raw, str) else raw


class ViewTransaction(ABC):
    @abstractmethod
    def get(self, collection: str, key: str) -> Document | None: ...

    @abstractmethod
    def put(self, collection: str, key: str, doc: Document) -> None: ...

    @abstractmethod
    def track(self, upstream: str, position: int) -> None: ...

    @abstractmethod
    def last_position(self, upstream: str) -> int | None: ...


class ViewStore(ABC):
    @abstractmethod
    def setup(self) -> None: ...

    @abstractmethod
    def transaction(self) -> Any:
        """Context manager yielding a `ViewTransaction`; commits on clean exit."""

    @abstractmethod
    def get(self, collection: str, key: str) -> Document | None: ...

    @abstractmethod
    def scan(self, collection: str, prefix: str = "") -> list[tuple[str, Document]]: ...

    @abstractmethod
    def last_position(self, upstream: str) -> int | None: ...

    @abstractmethod
    def ping(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...


class _BufferedTx(ViewTransaction):
    """Keeps a transaction's writes in memory until commit, so a batch that touches one row
    per message (a counter, a ranking) reads it once and writes it once."""

    def __init__(self, inner: ViewTransaction, flush: Any) -> None:
        self._inner = inner
        self._flush = flush
        self._pending: dict[tuple[str, str], Document] = {}

    def get(self, collection: str, key: str) -> Document | None:
        pending = self._pending.get((collection, key))
        return pending if pending is not None else self._inner.get(collection, key)

    def put(self, collection: str, key: str, doc: Document) -> None:
        self._pending[(collection, key)] = doc

    def track(self, upstream: str, position: int) -> None:
        self._inner.track(upstream, position)

    def last_position(self, upstream: str) -> int | None:
        return self._inner.last_position(upstream)

    def flush(self) -> None:
        if self._pending:
            self._flush([(c, k, _dumps(doc)) for (c, k), doc in self._pending.items()])
            self._pending.clear()


# --- PostgreSQL -----------------------------------------------------------------------------


class _PostgresTx(ViewTransaction):
    def __init__(self, cursor: Any, schema: str) -> None:
        self._cur = cursor
        self._docs = sql.Identifier(schema, "view_documents")
        self._tracking = sql.Identifier(schema, "view_tracking")
        self._lock_scope = schema

    def get(self, collection: str, key: str) -> Document | None:
        self._cur.execute(
            sql.SQL("SELECT doc FROM {} WHERE collection=%s AND key=%s").format(self._docs),
            (collection, key),
        )
        row = self._cur.fetchone()
        return None if row is None else _load(row["doc"])

    def put(self, collection: str, key: str, doc: Document) -> None:
        self._cur.execute(
            sql.SQL(
                "INSERT INTO {} (collection, key, doc) VALUES (%s, %s, %s) "
                "ON CONFLICT (collection, key) DO UPDATE SET doc = EXCLUDED.doc"
            ).format(self._docs),
            (collection, key, _dumps(doc)),
        )

    def put_many(self, rows: list[tuple[str, str, str]]) -> None:
        self._cur.executemany(
            sql.SQL(
                "INSERT INTO {} (collection, key, doc) VALUES (%s, %s, %s) "
                "ON CONFLICT (collection, key) DO UPDATE SET doc = EXCLUDED.doc"
            ).format(self._docs),
            rows,
        )

    def last_position(self, upstream: str) -> int | None:
        # Serialises appliers of one upstream even before its tracking row exists.
        self._cur.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{self._lock_scope}|{upstream}",)
        )
        self._cur.execute(
            sql.SQL("SELECT position FROM {} WHERE upstream=%s FOR UPDATE").format(self._tracking),
            (upstream,),
        )
        row = self._cur.fetchone()
        return None if row is None else int(row["position"])

    def track(self, upstream: str, position: int) -> None:
        self._cur.execute(
            sql.SQL(
                "INSERT INTO {0} (upstream, position) VALUES (%s, %s) "
                "ON CONFLICT (upstream) DO UPDATE SET position = EXCLUDED.position "
                "WHERE {0}.position < EXCLUDED.position RETURNING position"
            ).format(self._tracking),
            (upstream, position),
        )
        if self._cur.fetchone() is None:
            raise StalePositionError(f"{upstream}@{position} is not newer than recorded")


class PostgresViewStore(ViewStore):
    def __init__(
        self, conninfo: str, schema: str, *, pool_size: int = 4, pool_timeout: float = 10.0
    ) -> None:
        self._schema = schema
        self._pool = ConnectionPool(
            make_conninfo(conninfo),
            min_size=1,
            max_size=pool_size,
            kwargs={"row_factory": dict_row, "autocommit": False},
            open=False,
            # A connection left over from before a database restart is replaced on checkout
            # instead of failing the request; while the database is away a request waits
            # `pool_timeout` seconds, then PoolTimeout answers it 503.
            check=ConnectionPool.check_connection,
            timeout=pool_timeout,
            # Reconnection backs off exponentially until it gives up; giving up early lets
            # the next request start afresh, so the pool is back soon after the database.
            reconnect_timeout=RECONNECT_TIMEOUT,
        )

    def setup(self) -> None:
        self._pool.open(wait=True, timeout=15)
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self._schema))
            )
            cur.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (collection text NOT NULL, key text NOT NULL, "
                    "doc jsonb NOT NULL, PRIMARY KEY (collection, key))"
                ).format(sql.Identifier(self._schema, "view_documents"))
            )
            cur.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} "
                    "(upstream text PRIMARY KEY, position bigint NOT NULL)"
                ).format(sql.Identifier(self._schema, "view_tracking"))
            )

    @contextmanager
    def transaction(self) -> Iterator[ViewTransaction]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            inner = _PostgresTx(cur, self._schema)
            buffered = _BufferedTx(inner, inner.put_many)
            yield buffered
            buffered.flush()

    def get(self, collection: str, key: str) -> Document | None:
        with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            return _PostgresTx(cur, self._schema).get(collection, key)

    def scan(self, collection: str, prefix: str = "") -> list[tuple[str, Document]]:
        with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(
                sql.SQL(
                    "SELECT key, doc FROM {} "
                    "WHERE collection=%s AND starts_with(key, %s) ORDER BY key"
                ).format(sql.Identifier(self._schema, "view_documents")),
                (collection, prefix),
            )
            return [(row["key"], _load(row["doc"])) for row in cur.fetchall()]

    def last_position(self, upstream: str) -> int | None:
        with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(
                sql.SQL("SELECT position FROM {} WHERE upstream=%s").format(
                    sql.Identifier(self._schema, "view_tracking")
                ),
                (upstream,),
            )
            row = cur.fetchone()
            return None if row is None else int(row["position"])

    def ping(self) -> None:
        with self._pool.connection(timeout=3) as conn:
            conn.execute("SELECT 1")

    def close(self) -> None:
        self._pool.close()


# --- SQLite (embedded mode) -----------------------------------------------------------------


class _SQLiteTx(ViewTransaction):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, collection: str, key: str) -> Document | None:
        row = self._conn.execute(
            "SELECT doc FROM view_documents WHERE collection=? AND key=?", (collection, key)
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, collection: str, key: str, doc: Document) -> None:
        self._conn.execute(
            "INSERT INTO view_documents (collection, key, doc) VALUES (?, ?, ?) "
            "ON CONFLICT (collection, key) DO UPDATE SET doc = excluded.doc",
            (collection, key, _dumps(doc)),
        )

    def put_many(self, rows: list[tuple[str, str, str]]) -> None:
        self._conn.executemany(
            "INSERT INTO view_documents (collection, key, doc) VALUES (?, ?, ?) "
            "ON CONFLICT (collection, key) DO UPDATE SET doc = excluded.doc",
            rows,
        )

    def last_position(self, upstream: str) -> int | None:
        row = self._conn.execute(
            "SELECT position FROM view_tracking WHERE upstream=?", (upstream,)
        ).fetchone()
        return None if row is None else int(row[0])

    def track(self, upstream: str, position: int) -> None:
        current = self.last_position(upstream)
        if current is not None and current >= position:
            raise StalePositionError(f"{upstream}@{position} is not newer than {current}")
        self._conn.execute(
            "INSERT INTO view_tracking (upstream, position) VALUES (?, ?) "
            "ON CONFLICT (upstream) DO UPDATE SET position = excluded.position",
            (upstream, position),
        )


class SQLiteViewStore(ViewStore):
    """One connection per thread, writes serialised: SQLite allows a single writer."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def setup(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._conn()
        conn.execute(
            "CREATE TABLE IF NOT EXISTS view_documents (collection TEXT NOT NULL, "
            "key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (collection, key))"
        )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS view_tracking "
            "(upstream TEXT PRIMARY KEY, position INTEGER NOT NULL)"
        )

    @contextmanager
    def transaction(self) -> Iterator[ViewTransaction]:
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                inner = _SQLiteTx(conn)
                buffered = _BufferedTx(inner, inner.put_many)
                yield buffered
                buffered.flush()
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def get(self, collection: str, key: str) -> Document | None:
        return _SQLiteTx(self._conn()).get(collection, key)

    def scan(self, collection: str, prefix: str = "") -> list[tuple[str, Document]]:
        rows = self._conn().execute(
            "SELECT key, doc FROM view_documents WHERE collection=? AND substr(key, 1, ?)=? "
            "ORDER BY key",
            (collection, len(prefix), prefix),
        )
        return [(key, json.loads(doc)) for key, doc in rows.fetchall()]

    def last_position(self, upstream: str) -> int | None:
        return _SQLiteTx(self._conn()).last_position(upstream)

    def ping(self) -> None:
        self._conn().execute("SELECT 1")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
