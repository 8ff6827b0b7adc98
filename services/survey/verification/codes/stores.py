"""The code book's two stores: how each makes a turn one transaction that nobody else
changes the voter's rows during (and, for a send, the wave's: its hourly budget)."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from psycopg import sql

from services.survey.verification.codes.book import HOUR, SCHEMA, SWEEP_ROWS, CodeBook, Cursor

log = logging.getLogger("pingyi.survey.codes")


class SQLiteCodeBook(CodeBook):
    """A SQLite database of its own: a file beside the embedded store, or `:memory:`."""

    def __init__(self, path: Path | None) -> None:
        target = ":memory:" if path is None else str(path)
        self._conn = sqlite3.connect(
            target, timeout=30, check_same_thread=False, isolation_level=None
        )
        self._lock = threading.Lock()
        names = {
            "codes": "voter_codes",
            "sends": "code_sends",
            "codes_expiry": "voter_codes_expiry",
            "sends_voter": "code_sends_voter",
            "sends_wave": "code_sends_wave",
            "sends_time": "code_sends_time",
        }
        with self._lock:
            for statement in SCHEMA:
                self._conn.execute(statement.format(**names))

    def _table(self, name: str) -> str:
        return {"codes": "voter_codes", "sends": "code_sends"}[name]

    @contextmanager
    def _turn(self, voter: str, wave: str | None = None) -> Iterator[Cursor]:
        # BEGIN IMMEDIATE takes the database's one write lock: every turn, by any process
        # on the file, waits for the one before, so a wave's budget needs no lock of its own.
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")  # another process's writers wait for this one
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def _sweep(self, now: float) -> None:
        # Turns here run one at a time (the write lock), so clearing waits on no row.
        try:
            with self._turn("") as cur:
                for table, column, before in _old_rows(now):
                    cur.execute(
                        f"DELETE FROM {self._table(table)} WHERE rowid IN (SELECT rowid "
                        f"FROM {self._table(table)} WHERE {column} < ? LIMIT ?)",
                        (before, SWEEP_ROWS),
                    )
        except sqlite3.Error:
            log.warning("old voter codes were not cleared; a later request will", exc_info=True)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


CODE_LOCK_SPACE = 0x5077_5643  # "PwVC": keeps these advisory locks apart from the waves'
WAVE_BUDGET_SPACE = 0x5077_5642  # "PwVB": a wave's code budget (two-key locks: a space apart)


class PostgresCodeBook(CodeBook):
    """Tables `<service>_voter_codes` and `<service>_code_sends` in the service's schema, on
    the event store's own connections (`datastore`: eventsourcing's `PostgresDatastore`)."""

    placeholder = "%s"

    def __init__(self, datastore: Any, schema: str, service: str) -> None:
        self._datastore = datastore
        self._schema = schema
        self._names = {
            "codes": sql.Identifier(schema, f"{service}_voter_codes"),
            "sends": sql.Identifier(schema, f"{service}_code_sends"),
            "codes_expiry": sql.Identifier(f"{service}_voter_codes_expiry"),
            "sends_voter": sql.Identifier(f"{service}_code_sends_voter"),
            "sends_wave": sql.Identifier(f"{service}_code_sends_wave"),
            "sends_time": sql.Identifier(f"{service}_code_sends_time"),
        }
        self._ready = False
        self._ready_lock = threading.Lock()

    def _table(self, name: str) -> Any:
        return self._names[name]

    def _sql(self, text: str) -> Any:
        return sql.SQL(text.replace("?", "%s")).format(
            codes=self._names["codes"], sends=self._names["sends"]
        )

    def _setup(self) -> None:
        """The tables, made on first use: by one replica at a time (an advisory lock), since
        two `CREATE TABLE IF NOT EXISTS` at once may both try to create it."""
        with self._ready_lock:
            if self._ready:
                return
            with self._datastore.transaction(commit=True) as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (CODE_LOCK_SPACE,))
                cur.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self._schema))
                )
                for statement in SCHEMA:
                    cur.execute(sql.SQL(statement).format(**self._names))
            self._ready = True

    @contextmanager
    def _turn(self, voter: str, wave: str | None = None) -> Iterator[Cursor]:
        self._setup()
        key = int.from_bytes(hashlib.sha256(voter.encode()).digest()[:8], "big", signed=True)
        with self._datastore.transaction(commit=True) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (key ^ CODE_LOCK_SPACE,))
            if wave is not None:
                # Always after the voter's lock, and before any row is touched: no turn
                # holds a row another waits for while it waits for the wave.
                cur.execute(
                    "SELECT pg_advisory_xact_lock(%s::int4, %s::int4)",
                    (WAVE_BUDGET_SPACE, _key32(wave)),
                )
            yield _Rows(cur)

    def _sweep(self, now: float) -> None:
        # No advisory lock, and SKIP LOCKED: rows a request or another sweep holds are left
        # for a later sweep instead of waited for, so a sweep is never one side of a
        # deadlock, and a request waits on a sweep at most until it commits.
        try:
            with self._datastore.transaction(commit=True) as cur:
                for table, column, before in _old_rows(now):
                    cur.execute(
                        sql.SQL(
                            "DELETE FROM {table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM "
                            "{table} WHERE {column} < %s LIMIT %s FOR UPDATE SKIP LOCKED))"
                        ).format(table=self._names[table], column=sql.Identifier(column)),
                        (before, SWEEP_ROWS),
                    )
        except (psycopg.Error, PersistenceError):
            log.warning("old voter codes were not cleared; a later request will", exc_info=True)


def _old_rows(now: float) -> tuple[tuple[str, str, float], ...]:
    """What a sweep deletes: (table, column, the value rows below are old)."""
    return (("sends", "sent_at", now - HOUR), ("codes", "expires_at", now))


def _key32(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big", signed=True)


class _Rows:
    """A psycopg cursor whose rows are tuples (the datastore's are dicts)."""

    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def execute(self, query: Any, params: Any = None) -> Any:
        return self._cur.execute(query, params)

    def fetchone(self) -> Any:
        row = self._cur.fetchone()
        return None if row is None else tuple(row.values()) if isinstance(row, dict) else row
