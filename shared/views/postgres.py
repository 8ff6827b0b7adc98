"""The production view store: tables in the service's own PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from shared.persistence.pools import check_all_when_one_is_broken
from shared.persistence.schema_setup import lock_schema_until_commit
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
    COLUMNS,
    LEGACY_TABLES,
    bulk_upsert_statement,
    create_statements,
    get_many_sql,
    page_sql,
    row_values,
    upsert_statement,
)

BULK_ROWS = 64
"""From this many rows a `put_many` goes through COPY (`_PostgresTx.put_many`)."""
BULK_TABLE = "pingyi_view_rows_in"
"""The session's temporary table a bulk `put_many` copies into (emptied by the upsert)."""


class _Names:
    def __init__(self, schema: str) -> None:
        quote = sql.Identifier
        self.schema = schema
        self.rows = _text(quote(schema, "view_rows"))
        self.positions = _text(quote(schema, "view_positions"))
        self.versions = _text(quote(schema, "view_versions"))
        self.upsert = upsert_statement(self.rows, "%s")
        self.version_of = f"SELECT version FROM {self.versions} WHERE view=%s"
        self.raise_version = (
            f"INSERT INTO {self.versions} (view, version) VALUES (%s, %s) ON CONFLICT (view) "
            f"DO UPDATE SET version = EXCLUDED.version "
            f"WHERE {self.versions}.version <= EXCLUDED.version RETURNING version"
        )
        self.bulk_table = (
            f"CREATE TEMP TABLE IF NOT EXISTS {BULK_TABLE} (LIKE {self.rows} INCLUDING DEFAULTS) "
            "ON COMMIT DELETE ROWS"
        )
        self.bulk_copy = f"COPY {BULK_TABLE} ({', '.join(COLUMNS)}) FROM STDIN"
        self.bulk_upsert = bulk_upsert_statement(self.rows, BULK_TABLE)


def _text(composable: sql.Composable) -> str:
    return composable.as_string(None)


class _PostgresTx(ViewTransaction):
    def __init__(self, store: PostgresViewStore, cursor: Any, view: str) -> None:
        self._store = store
        self._cur = cursor
        self._view = view
        self._names = store.names

    def get(self, collection: str, key: str) -> Document | None:
        return _get(self._cur, self._names, collection, key)

    def put(self, collection: str, key: str, doc: Document) -> None:
        self.put_many([(collection, key, doc)])

    def put_many(self, rows: list[tuple[str, str, Document]]) -> None:
        if len(rows) < BULK_ROWS:
            self._cur.executemany(
                self._names.upsert,
                [row_values(self._store.collection(c), k, d) for c, k, d in rows],
            )
            return
        # Many rows (a push's questionnaires): COPY into a session's temporary table and one
        # upsert from it, at about half the CPU of a statement per row here and less in the
        # server. The rows come one per key (`BufferedTransaction` keeps the last); a key
        # twice would make PostgreSQL refuse the upsert, never pick one silently.
        cur, names = self._cur, self._names
        cur.execute(names.bulk_table)
        with cur.copy(names.bulk_copy) as copy:
            for collection, key, doc in rows:
                copy.write_row(row_values(self._store.collection(collection), key, doc))
        cur.execute(names.bulk_upsert)

    def last_position(self, upstream: str) -> int | None:
        # Serialises appliers of one view and upstream even before its position row exists.
        lock = f"{self._names.schema}|{self._view}|{upstream}"
        self._cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (lock,))
        self._cur.execute(
            f"SELECT position FROM {self._names.positions} "
            "WHERE view=%s AND upstream=%s FOR UPDATE",
            (self._view, upstream),
        )
        row = self._cur.fetchone()
        return None if row is None else int(row["position"])

    def track(self, upstream: str, position: int) -> None:
        table = self._names.positions
        self._cur.execute(
            f"INSERT INTO {table} (view, upstream, position) VALUES (%s, %s, %s) "
            f"ON CONFLICT (view, upstream) DO UPDATE SET position = EXCLUDED.position "
            f"WHERE {table}.position < EXCLUDED.position RETURNING position",
            (self._view, upstream, position),
        )
        if self._cur.fetchone() is None:
            raise StalePositionError(f"{self._view}/{upstream}@{position} is not newer")


def _get(cur: Any, names: _Names, collection: str, key: str) -> Document | None:
    cur.execute(
        f"SELECT doc FROM {names.rows} WHERE collection=%s AND key=%s",
        (collection, escape_text(key)),
    )
    row = cur.fetchone()
    return None if row is None else load_document(row["doc"])


RECONNECT_TIMEOUT = 10.0
PING_POOL_WAIT_SECONDS = 1
PING_CONNECT_SECONDS = 2
"""How long a ping waits for a pooled connection, then for a connection of its own: 3 s in
all, what /readyz gives it."""


class PostgresViewStore(ViewStore):
    def __init__(
        self, conninfo: str, schema: str, *, pool_size: int = 4, pool_timeout: float = 10.0
    ) -> None:
        super().__init__()
        self.names = _Names(schema)
        self._conninfo = make_conninfo(conninfo)
        self._pool = ConnectionPool(
            self._conninfo,
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
        check_all_when_one_is_broken(self._pool)

    def setup(self) -> None:
        self._pool.open(wait=True, timeout=15)
        schema = sql.Identifier(self.names.schema)
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            lock_schema_until_commit(cur, self.names.schema)
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
            for legacy in LEGACY_TABLES:
                cur.execute(
                    sql.SQL("DROP TABLE IF EXISTS {}").format(
                        sql.Identifier(self.names.schema, legacy)
                    )
                )
            statements = create_statements(
                self.names.rows, self.names.positions, self.names.versions, ' COLLATE "C"'
            )
            for statement in statements:
                cur.execute(statement)
            # Checked first: ALTER TABLE locks the table out even when there is nothing to add.
            cur.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = 'view_rows' AND column_name = 'search'",
                (self.names.schema,),
            )
            if cur.fetchone() is None:
                cur.execute(ADD_SEARCH_COLUMN.format(rows=self.names.rows))

    @contextmanager
    def _cursor(self, *, write: bool) -> Iterator[Any]:
        snapshot = None if write else self._snapshots.current()
        if snapshot is not None:  # a read inside this thread's snapshot: its one connection
            yield snapshot
            return
        with self._pool.connection() as conn:
            if write:
                with conn.transaction(), conn.cursor() as cur:
                    yield cur
            else:
                with conn.cursor() as cur:
                    yield cur

    @contextmanager
    def _begin_snapshot(self) -> Iterator[Any]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # A REPEATABLE READ transaction takes its snapshot at its first query: here, so
            # the snapshot is the store as it was when `snapshot()` began.
            cur.execute("SELECT 1")
            yield cur

    @contextmanager
    def transaction(self, view: str, version: int | None = None) -> Iterator[ViewTransaction]:
        with self._cursor(write=True) as cur:
            if version is not None:
                # FOR SHARE: a `reset` (which updates this row first) waits for this commit,
                # and this waits for its, so the check holds until the writes commit.
                cur.execute(f"{self.names.version_of} FOR SHARE", (view,))
                row = cur.fetchone()
                if row is not None and int(row["version"]) != version:
                    raise ViewSupersededError(f"{view} is at v{row['version']}, not v{version}")
            inner = _PostgresTx(self, cur, view)
            buffered = BufferedTransaction(inner, inner.put_many)
            yield buffered
            buffered.flush()

    def get(self, collection: str, key: str) -> Document | None:
        with self._cursor(write=False) as cur:
            return _get(cur, self.names, collection, key)

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, Document]:
        wanted = [escape_text(key) for key in keys]
        if not wanted:
            return {}
        with self._cursor(write=False) as cur:
            cur.execute(get_many_sql(self.names.rows, "%s", "postgres"), (collection, wanted))
            rows = cur.fetchall()
        return {unescape_text(r["key"]): load_document(r["doc"]) for r in rows}

    def scan(self, collection: str, prefix: str = "") -> list[tuple[str, Document]]:
        with self._cursor(write=False) as cur:
            cur.execute(
                f"SELECT key, doc FROM {self.names.rows} "
                "WHERE collection=%s AND starts_with(key, %s) ORDER BY key",
                (collection, escape_text(prefix)),
            )
            return [(unescape_text(r["key"]), load_document(r["doc"])) for r in cur.fetchall()]

    def _page(self, query: PageQuery) -> Page:
        limit = query.limit
        built = page_sql(self.names.rows, "%s", query, "postgres")
        with self._cursor(write=False) as cur:
            cur.execute(built.statement, built.params)
            rows = cur.fetchall()
        items = [load_document(r["doc"]) for r in rows[:limit]]
        if len(rows) <= limit:
            return Page(items)
        last = rows[limit - 1]
        return Page(items, encode_cursor(unescape_text(last["sort"]), unescape_text(last["key"])))

    def last_position(self, view: str, upstream: str) -> int | None:
        with self._cursor(write=False) as cur:
            cur.execute(
                f"SELECT position FROM {self.names.positions} WHERE view=%s AND upstream=%s",
                (view, upstream),
            )
            row = cur.fetchone()
            return None if row is None else int(row["position"])

    def positions(self) -> dict[str, dict[str, int]]:
        with self._cursor(write=False) as cur:
            cur.execute(
                f"SELECT view, upstream, position FROM {self.names.positions} "
                "ORDER BY view, upstream"
            )
            found: dict[str, dict[str, int]] = {}
            for row in cur.fetchall():
                found.setdefault(row["view"], {})[row["upstream"]] = int(row["position"])
            return found

    def view_version(self, view: str) -> int | None:
        with self._cursor(write=False) as cur:
            cur.execute(self.names.version_of, (view,))
            row = cur.fetchone()
            return None if row is None else int(row["version"])

    def reset(self, view: str, collections: Iterable[str], version: int) -> None:
        with self._cursor(write=True) as cur:
            # The version row first: it waits for appliers checking it (`transaction`), and
            # is never lowered, whatever another release's process does meanwhile.
            cur.execute(self.names.raise_version, (view, version))
            if cur.fetchone() is None:
                raise ViewSupersededError(f"{view} has a version newer than v{version}")
            cur.execute(
                f"DELETE FROM {self.names.rows} WHERE collection = ANY(%s)", (list(collections),)
            )
            cur.execute(f"DELETE FROM {self.names.positions} WHERE view=%s", (view,))

    def dump(self, collections: Iterable[str]) -> Iterator[tuple[str, str, str]]:
        for collection in sorted(collections):
            with self._cursor(write=False) as cur:
                cur.execute(
                    f"SELECT key, doc FROM {self.names.rows} WHERE collection=%s ORDER BY key",
                    (collection,),
                )
                rows = cur.fetchall()
            for row in rows:
                yield collection, row["key"], row["doc"]

    def ping(self) -> None:
        """`SELECT 1` on a pooled connection; when every one of them is busy (a burst of
        requests), on a connection of its own: a busy pool is not a database away, and the
        probes and keyed requests (`shared.service.reachability`) must not say it is."""
        try:
            with self._pool.connection(timeout=PING_POOL_WAIT_SECONDS) as conn:
                conn.execute("SELECT 1")
        except PoolTimeout:
            with psycopg.connect(
                self._conninfo, connect_timeout=PING_CONNECT_SECONDS, autocommit=True
            ) as own:
                own.execute("SELECT 1")

    def close(self) -> None:
        self._pool.close()
