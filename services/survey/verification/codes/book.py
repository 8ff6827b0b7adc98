"""The code book's rules, over SQL common to both stores: a voter's code for a wave, its
sends, the limits they are counted against (services/survey/verification/codes/stores.py
holds the stores' transactions and locks)."""

from __future__ import annotations

import hmac
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

HOUR = 3600.0
MINUTE = 60.0
SWEEP_ROWS = 500
"""The most old sends, and the most expired codes, one request clears: a request makes at
most one of each, so a sweep per request keeps up, and one after a quiet night stays short."""


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
    nobody else changes that voter's rows; `_turn(voter, wave)` one during which, besides,
    nobody else sends a code for the wave: its budget is counted and spent by one request at
    a time, on every replica (counted under the voter's turn alone, requests for different
    numbers at once would each see room for one more)."""

    placeholder = "?"

    def _turn(self, voter: str, wave: str | None = None) -> AbstractContextManager[Cursor]:
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
        a code may be sent again. Either way, then clear some of everyone's old rows
        (`_sweep`)."""
        with self._turn(voter, wave) as cur:
            wait = self._issue(cur, wave, voter, code_hash, now, limits)
        # Outside the turn: clearing other voters' rows under this voter's locks is what
        # let two requests each hold a row the other had to clear (a deadlock, answered 500).
        self._sweep(now)
        return wait

    def _issue(
        self, cur: Cursor, wave: str, voter: str, code_hash: str, now: float, limits: Limits
    ) -> float | None:
        # Sends an hour old count for nothing whether or not a sweep has cleared them yet.
        since = now - HOUR
        cur.execute(
            self._sql(
                "SELECT count(*), max(sent_at), min(sent_at) FROM {sends} "
                "WHERE voter = ? AND sent_at >= ?"
            ),
            (voter, since),
        )
        count, last, first = cur.fetchone()
        if last is not None and now - float(last) < MINUTE:
            return MINUTE - (now - float(last))
        if count >= limits.per_voter_hour:
            return HOUR - (now - float(first))
        cur.execute(
            self._sql("SELECT count(*), min(sent_at) FROM {sends} WHERE wave = ? AND sent_at >= ?"),
            (wave, since),
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

    def _sweep(self, now: float) -> None:
        """Delete up to `SWEEP_ROWS` sends an hour old and as many expired codes, whoever's
        they are, in a transaction of its own that waits for nobody and fails no request:
        what it leaves is cleared by a later one, and counts for nothing meanwhile (the
        limits count the last hour's sends; `check` compares a code's expiry itself)."""
        raise NotImplementedError

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
