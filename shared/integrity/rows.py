"""Reading a service's stored rows as they are, without the service's code: the SQLite file
`<data_dir>/<service>.sqlite` (table `stored_events`) in embedded mode, the table
`<schema>.<service>_events` in PostgreSQL. Only SELECTs are run."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg import sql

from shared.integrity.chain import Row, originator_text
from shared.persistence.message_log import schema_of
from shared.settings import CommonSettings

PAGE = 1000
SCORE_MARK = b'"results_digest"'
"""Every stored score record (a run's results with their digest) carries this key."""
_NO_LIMIT = 2**63 - 1
"""The highest position either store can hold (a bigint, a SQLite rowid)."""


class LogReader(Protocol):
    def rows_after(self, after: int, limit: int) -> list[Row]: ...

    def count_after(self, after: int, limit: int) -> int:
        """How many rows follow `after`, counting no further than `limit` (no state read)."""
        ...

    def rows_at(self, positions: Iterable[int]) -> list[Row]: ...

    def marked_positions(self, mark: bytes, after: int = 0, upto: int | None = None) -> list[int]:
        """Positions in (after, upto] whose state holds `mark`."""
        ...

    def close(self) -> None: ...


def all_rows(reader: LogReader, page: int = PAGE) -> Iterator[Row]:
    after = 0
    while True:
        batch = reader.rows_after(after, page)
        yield from batch
        if len(batch) < page:
            return
        after = batch[-1].position


def _row(record: tuple[Any, ...]) -> Row:
    position, originator, version, topic, state, message = record
    return Row(
        int(position),
        originator_text(originator),
        int(version),
        str(topic),
        bytes(state),
        None if message is None else bytes(message),
    )


def sqlite_readonly(path: Path) -> sqlite3.Connection:
    """Never creates a file: a mistyped path must fail, not read an empty log."""
    uri = path.resolve().as_uri()
    try:
        return sqlite3.connect(f"{uri}?mode=rw", uri=True, timeout=30, check_same_thread=False)
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30, check_same_thread=False)


_COLUMNS = "originator_id, originator_version, topic, state, message"


class SQLiteLog:
    def __init__(self, path: Path) -> None:
        self._conn = sqlite_readonly(path)

    def rows_after(self, after: int, limit: int) -> list[Row]:
        found = self._conn.execute(
            f"SELECT rowid, {_COLUMNS} FROM stored_events WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (after, limit),
        ).fetchall()
        return [_row(r) for r in found]

    def count_after(self, after: int, limit: int) -> int:
        (count,) = self._conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM stored_events WHERE rowid > ? LIMIT ?)",
            (after, limit),
        ).fetchone()
        return int(count)

    def rows_at(self, positions: Iterable[int]) -> list[Row]:
        wanted = sorted(set(positions))
        rows: list[Row] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows += [
                _row(r)
                for r in self._conn.execute(
                    f"SELECT rowid, {_COLUMNS} FROM stored_events WHERE rowid IN ({marks}) "
                    "ORDER BY rowid",
                    chunk,
                ).fetchall()
            ]
        return rows

    def marked_positions(self, mark: bytes, after: int = 0, upto: int | None = None) -> list[int]:
        found = self._conn.execute(
            "SELECT rowid FROM stored_events WHERE rowid > ? AND rowid <= ? "
            "AND instr(state, ?) > 0 ORDER BY rowid",
            (after, _NO_LIMIT if upto is None else upto, mark),
        ).fetchall()
        return [int(r[0]) for r in found]

    def close(self) -> None:
        self._conn.close()


class Reconnecting:
    """One autocommit connection, opened again when the last one broke (a database restart
    must not leave a long-running sealer failing for good)."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._current: psycopg.Connection[Any] | None = None

    @property
    def _conn(self) -> psycopg.Connection[Any]:
        if self._current is None or self._current.closed or self._current.broken:
            self._current = psycopg.connect(self._url, connect_timeout=10, autocommit=True)
        return self._current

    def close(self) -> None:
        if self._current is not None:
            self._current.close()


class PostgresLog(Reconnecting):
    def __init__(self, database_url: str, service: str) -> None:
        super().__init__(database_url)
        self._table = sql.Identifier(schema_of(service), f"{service}_events")

    def _select(
        self, where: sql.Composable, params: tuple[Any, ...], limit: int | None = None
    ) -> list[Row]:
        statement = sql.SQL(
            "SELECT notification_id, " + _COLUMNS + " FROM {} WHERE {} ORDER BY notification_id "
            "LIMIT {}"
        ).format(self._table, where, sql.Literal(limit) if limit else sql.SQL("ALL"))
        with self._conn.cursor(binary=True) as cursor:
            return [_row(r) for r in cursor.execute(statement, params).fetchall()]

    def rows_after(self, after: int, limit: int) -> list[Row]:
        return self._select(sql.SQL("notification_id > %s"), (after,), limit)

    def count_after(self, after: int, limit: int) -> int:
        statement = sql.SQL(
            "SELECT count(*) FROM (SELECT 1 FROM {} WHERE notification_id > %s LIMIT %s) AS t"
        ).format(self._table)
        found = self._conn.execute(statement, (after, limit)).fetchone()
        return 0 if found is None else int(found[0])

    def rows_at(self, positions: Iterable[int]) -> list[Row]:
        return self._select(sql.SQL("notification_id = ANY(%s)"), (sorted(set(positions)),))

    def marked_positions(self, mark: bytes, after: int = 0, upto: int | None = None) -> list[int]:
        statement = sql.SQL(
            "SELECT notification_id FROM {} WHERE notification_id > %s AND notification_id <= %s "
            "AND position(%s::bytea in state) > 0 ORDER BY notification_id"
        ).format(self._table)
        bounds = (after, _NO_LIMIT if upto is None else upto, mark)
        return [int(r[0]) for r in self._conn.execute(statement, bounds).fetchall()]


def open_log(common: CommonSettings, service: str) -> LogReader:
    if common.mode == "production":
        return PostgresLog(common.database_url, service)
    if common.mode == "embedded":
        return SQLiteLog(common.data_dir / f"{service}.sqlite")
    raise ValueError("memory mode keeps its logs inside the running process only")
