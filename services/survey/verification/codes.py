"""Where voters' SMS codes live while they are valid: a table beside the event store, never
the event store itself. A code is a short-lived secret, not a fact: it is kept only as a keyed
hash (`VotingCommands.code_hash`), with its expiry and the wrong tries it has left, and is
deleted once used, expired or spent. What a vote was verified by is the vote's own fact
(`Response.Recorded.details["voter_check"]`), never the code.

Each send is kept for an hour too (the voter's keyed hash, the wave, when): the rate limits
count them. One implementation over SQL for both stores: SQLite (a file of its own beside
the embedded store; in memory mode an in-memory database that lives with the application)
and PostgreSQL (a table in the service's schema, shared by every replica; each change is one
transaction holding an advisory lock of the voter, so two replicas never both pass a limit
or both use one code).
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from psycopg import sql

HOUR = 3600.0
MINUTE = 60.0


@dataclass(frozen=True)
class Limits:
    """How many codes may be sent: per voter (whatever the wave) one a minute and
    `per_voter_hour` an hour; per wave `per_wave_hour` an hour (the SMS budget)."""

    per_voter_hour: int = 5
    per_wave_hour: int = 20_000
    ttl_seconds: float = 600.0
    attempts: int = 5


@dataclass(frozen=True)
class Check:
    """What a code given with a vote turned out to be: `valid`; `wrong` (with `left` tries
    still allowed; 0: the code is now dead); `expired`; `missing` (never sent, already used,
    replaced by a newer one, or dead)."""

    outcome: str
    left: int = 0


class Cursor(Protocol):
    def execute(self, query: Any, params: Any = ...) -> Any: ...

    def fetchone(self) -> Any: ...


class CodeBook:
    """The codes and sends of one service. `_turn(voter)` is one transaction during which
    nobody else changes that voter's rows."""

    placeholder = "?"

    def _turn(self, voter: str) -> AbstractContextManager[Cursor]:
        raise NotImplementedError

    def _table(self, name: str) -> Any:
        raise NotImplementedError

    def _sql(self, text: str) -> Any:
        """`text` with `{codes}`/`{sends}` named and `?` in the store's parameter style."""
        return text.replace("?", self.placeholder).format(
            codes=self._table("codes"), sends=self._table("sends")
        )

    def issue(
        self, wave: str, voter: str, code_hash: str, now: float, limits: Limits
    ) -> float | None:
        """Keep `code_hash` as the voter's one code for the wave (any earlier one is dead),
        and the send; or, where a limit is reached, keep nothing and answer the seconds until
        a code may be sent again."""
        with self._turn(voter) as cur:
            cur.execute(self._sql("DELETE FROM {sends} WHERE sent_at < ?"), (now - HOUR,))
            cur.execute(self._sql("DELETE FROM {codes} WHERE expires_at < ?"), (now,))
            cur.execute(
                self._sql(
                    "SELECT count(*), max(sent_at), min(sent_at) FROM {sends} WHERE voter = ?"
                ),
                (voter,),
            )
            count, last, first = cur.fetchone()
            if last is not None and now - float(last) < MINUTE:
                return MINUTE - (now - float(last))
            if count >= limits.per_voter_hour:
                return HOUR - (now - float(first))
            cur.execute(
                self._sql("SELECT count(*), min(sent_at) FROM {sends} WHERE wave = ?"), (wave,)
            )
            count, first = cur.fetchone()
            if count >= limits.per_wave_hour:
                return HOUR - (now - float(first))
            cur.execute(
                self._sql("INSERT INTO {sends} (voter, wave, sent_at) VALUES (?, ?, ?)"),
                (voter, wave, now),
            )
            cur.execute(
                self._sql(
                    "INSERT INTO {codes} (wave, voter, code_hash, expires_at, attempts_left) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (wave, voter) DO UPDATE SET "
                    "code_hash = excluded.code_hash, expires_at = excluded.expires_at, "
                    "attempts_left = excluded.attempts_left"
                ),
                (wave, voter, code_hash, now + limits.ttl_seconds, limits.attempts),
            )
        return None

    def withdraw(self, wave: str, voter: str, code_hash: str, sent_at: float) -> None:
        """A code the gateway did not take: it never reached anyone, so neither it nor its
        send counts."""
        with self._turn(voter) as cur:
            cur.execute(
                self._sql("DELETE FROM {codes} WHERE wave = ? AND voter = ? AND code_hash = ?"),
                (wave, voter, code_hash),
            )
            cur.execute(
                self._sql("DELETE FROM {sends} WHERE voter = ? AND wave = ? AND sent_at = ?"),
                (voter, wave, sent_at),
            )

    def check(self, wave: str, voter: str, code_hash: str, now: float) -> Check:
        """Compare `code_hash` with the voter's code for the wave. A wrong one spends a try
        (the last one deletes the code); an expired one is deleted. A valid one stays until
        `use`: the vote it verifies may still be refused for its ratings."""
        with self._turn(voter) as cur:
            cur.execute(
                self._sql(
                    "SELECT code_hash, expires_at, attempts_left FROM {codes} "
                    "WHERE wave = ? AND voter = ?"
                ),
                (wave, voter),
            )
            row = cur.fetchone()
            if row is None:
                return Check("missing")
            stored, expires_at, left = str(row[0]), float(row[1]), int(row[2])
            if now > expires_at:
                self._delete(cur, wave, voter)
                return Check("expired")
            if hmac.compare_digest(stored, code_hash):
                return Check("valid", left)
            left -= 1
            if left <= 0:
                self._delete(cur, wave, voter)
                return Check("wrong", 0)
            cur.execute(
                self._sql("UPDATE {codes} SET attempts_left = ? WHERE wave = ? AND voter = ?"),
                (left, wave, voter),
            )
            return Check("wrong", left)

    def use(self, wave: str, voter: str, code_hash: str) -> None:
        """The code verified a vote that was recorded: it verifies nothing more."""
        with self._turn(voter) as cur:
            cur.execute(
                self._sql("DELETE FROM {codes} WHERE wave = ? AND voter = ? AND code_hash = ?"),
                (wave, voter, code_hash),
            )

    def _delete(self, cur: Cursor, wave: str, voter: str) -> None:
        cur.execute(self._sql("DELETE FROM {codes} WHERE wave = ? AND voter = ?"), (wave, voter))

    def close(self) -> None:
        """Let go of the store's connections (the application's own, for PostgreSQL)."""


SCHEMA = (
    "CREATE TABLE IF NOT EXISTS {codes} (wave TEXT NOT NULL, voter TEXT NOT NULL, "
    "code_hash TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL, "
    "attempts_left INTEGER NOT NULL, PRIMARY KEY (wave, voter))",
    "CREATE INDEX IF NOT EXISTS {codes_expiry} ON {codes} (expires_at)",
    "CREATE TABLE IF NOT EXISTS {sends} (voter TEXT NOT NULL, wave TEXT NOT NULL, "
    "sent_at DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX IF NOT EXISTS {sends_voter} ON {sends} (voter, sent_at)",
    "CREATE INDEX IF NOT EXISTS {sends_wave} ON {sends} (wave, sent_at)",
    "CREATE INDEX IF NOT EXISTS {sends_time} ON {sends} (sent_at)",
)


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
    def _turn(self, voter: str) -> Iterator[Cursor]:
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")  # another process's writers wait for this one
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


CODE_LOCK_SPACE = 0x5077_5643  # "PwVC": keeps these advisory locks apart from the waves'


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
    def _turn(self, voter: str) -> Iterator[Cursor]:
        self._setup()
        key = int.from_bytes(hashlib.sha256(voter.encode()).digest()[:8], "big", signed=True)
        with self._datastore.transaction(commit=True) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (key ^ CODE_LOCK_SPACE,))
            yield _Rows(cur)


class _Rows:
    """A psycopg cursor whose rows are tuples (the datastore's are dicts)."""

    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def execute(self, query: Any, params: Any = None) -> Any:
        return self._cur.execute(query, params)

    def fetchone(self) -> Any:
        row = self._cur.fetchone()
        return None if row is None else tuple(row.values()) if isinstance(row, dict) else row
