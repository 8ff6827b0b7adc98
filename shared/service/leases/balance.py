"""The balance of leases over the live replicas of a service (`shared.service.leases`,
"Balance"): the fair share and who gives up what (pure, so that members deciding apart
agree), and the round each process runs on its lease session after every proof."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Named as before the split: log readers and filters key on the logger's name.
log = logging.getLogger("shared.service.leases")

HOLDERS_OF_SQL = """
SELECT k, l.pid FROM unnest(%s::text[]) AS k
JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid = ((hashtextextended(k, 0) >> 32) & 4294967295)::oid
  AND l.objid = (hashtextextended(k, 0) & 4294967295)::oid
"""
"""(key, pid) of every session of this database holding one of the given keys."""


def fair_share(leases: int, members: int) -> tuple[int, int]:
    """The least and the most a member holds when `leases` are spread over `members`."""
    members = max(1, members)
    return leases // members, -(-leases // members)


def surplus(me: int, counts: Mapping[int, int], leases: int) -> int:
    """How many leases member `me` gives up, given how many each member holds (`counts`,
    by backend pid, `me` included) of the `leases` the members can hold: what it holds
    beyond `ceil(leases / members)`, and one more when members holding the most must make
    room for one holding less than `floor(leases / members)` that the free leases cannot
    fill (the first of them by pid, as many as are missing, so that members deciding
    apart agree)."""
    if len(counts) <= 1 or me not in counts:
        return 0
    low, high = fair_share(leases, len(counts))
    over = max(0, counts[me] - high)
    clamped = {pid: min(count, high) for pid, count in counts.items()}
    free = leases - sum(clamped.values())
    missing = sum(max(0, low - count) for count in clamped.values()) - free
    if missing <= 0 or clamped[me] < high or low == high:
        return over
    fullest = sorted(pid for pid, count in clamped.items() if count == high)
    return over + (1 if fullest.index(me) < missing else 0)


def takes_at_once(mine: int, others: Mapping[int, int], leases: int) -> bool:
    """Whether a member holding `mine` leases takes a free one at once, the others holding
    `others`: when below its least share, or below its most and holding no more than any
    other member. Otherwise only a lease free for a while (`grace_seconds`)."""
    low, high = fair_share(leases, len(others) + 1)
    if mine < low:
        return True
    return mine < high and all(mine <= count for count in others.values())


@dataclass(frozen=True)
class BalanceSnapshot:
    """What `pg_locks` showed about the leases this process competes for."""

    me: int
    """This session's backend pid."""
    counts: Mapping[int, int]
    """Member pid -> how many of the leases it holds (this process included)."""
    leases: int
    """The leases the members can hold: those competed for, less those held by sessions
    that are not members (another version of the service during an upgrade)."""
    holders: Mapping[str, int] = field(default_factory=dict)
    """key -> the pid holding it, for the keys held."""


class LeaseBalance:
    """The balance rounds of `PostgresLeases`, and the state they keep. Everything named
    `_locked` runs under the session's lock, on its connection."""

    # The session's own state, kept by `PostgresLeases` and read or changed here.
    _namespace: str
    _service: str | None
    _presence: str | None
    _present: bool
    _taken: set[str]
    _proved: dict[str, float]

    def _init_balance(
        self, prove_seconds: float, settle_seconds: float | None, grace_seconds: float | None
    ) -> None:
        self.settle_seconds = 3 * prove_seconds if settle_seconds is None else settle_seconds
        self.grace_seconds = 3 * prove_seconds if grace_seconds is None else grace_seconds
        self._competing: set[str] = set()
        """Keys of the leases made here (`lease`): what this process competes for."""
        self._member: str | None = None
        """The membership key this session holds in shared mode (guarded by `_lock`)."""
        self._pid: int | None = None
        self._snapshot: BalanceSnapshot | None = None
        self._free_since: dict[str, float] = {}
        self._won_at: dict[str, float] = {}
        self._handed: set[str] = set()
        """Keys last given up for balance, until taken again or the session is lost."""
        self._given_up: dict[str, float] = {}
        """Keys given up for balance -> when; taken back only once free for a while."""
        self._surplus_since: float | None = None
        self._futile = 0
        """Given-up leases taken back because nobody else took them: each doubles the
        settling time (up to 32 times), so a member that never takes cannot cause churn."""
        self.given_up = 0
        """Leases given up for balance since start."""
        self.rounds = 0
        """Balance rounds done (one per proof while connected)."""

    def handed_over(self, key: str) -> bool:
        """Whether `key` was last given up for balance (not lost, not taken back since)."""
        return key in self._handed

    def balance_snapshot(self) -> BalanceSnapshot | None:
        """The last look at the members and their leases (None before the first)."""
        return self._snapshot

    def _may_take_locked(self, key: str) -> bool:
        """Whether to try for `key` now (`takes_at_once`, or free for `grace_seconds`)."""
        snapshot = self._snapshot
        if snapshot is None or key not in self._competing:
            return True
        if key not in self._given_up:
            others = {pid: n for pid, n in snapshot.counts.items() if pid != snapshot.me}
            if takes_at_once(len(self._taken & self._competing), others, snapshot.leases):
                return True
        since = self._free_since.get(key)
        return since is not None and time.monotonic() - since >= self.grace_seconds

    def _balance_locked(self, conn: Any) -> None:
        """Register as a member of the sessions competing for these leases, look at who
        holds what, and give up this process's surplus once it has lasted."""
        if len(self._competing) <= 1:  # one lease: whoever wins it holds its share
            return
        if self._presence is not None and not self._present:
            return
        member = self._member_key()
        if member != self._member:  # the first round, or more leases were made since
            if self._member is not None:
                conn.execute(
                    "SELECT pg_advisory_unlock_shared(hashtextextended(%s, 0))", (self._member,)
                )
            row = conn.execute(
                "SELECT pg_try_advisory_lock_shared(hashtextextended(%s, 0))", (member,)
            ).fetchone()
            if not (row and row[0]):  # never held exclusively; not a member this round
                return
            self._member = member
        if self._pid is None:
            row = conn.execute("SELECT pg_backend_pid()").fetchone()
            self._pid = int(row[0])
        rows = conn.execute(HOLDERS_OF_SQL, (sorted(self._competing | {member}),)).fetchall()
        self._snapshot = snapshot = self._look(rows, member)
        self.rounds += 1
        excess = surplus(snapshot.me, snapshot.counts, snapshot.leases)
        now = time.monotonic()
        if excess <= 0:
            self._surplus_since = None
            return
        if self._surplus_since is None:
            self._surplus_since = now
        if now - self._surplus_since < self.settle_seconds * 2**self._futile:
            return
        self._surplus_since = None
        won = sorted(self._taken & self._competing, key=lambda k: self._won_at.get(k, 0.0))
        for key in won[-excess:]:  # those won last
            self._give_up_locked(conn, key, now)
        log.info(
            "leases given up for balance",
            extra={"given_up": excess, "members": len(snapshot.counts), "held": len(self._taken)},
        )

    def _look(self, rows: list[Any], member: str) -> BalanceSnapshot:
        assert self._pid is not None
        members = {int(pid) for key, pid in rows if key == member} | {self._pid}
        holders = {str(key): int(pid) for key, pid in rows if key != member}
        counts = dict.fromkeys(members, 0)
        outside = 0
        for pid in holders.values():
            if pid in counts:
                counts[pid] += 1
            else:
                outside += 1
        counts[self._pid] = len(self._taken & self._competing)  # proved just now
        now = time.monotonic()
        for key in self._competing:
            holder = holders.get(key)
            if holder is None:
                self._free_since.setdefault(key, now)
                continue
            self._free_since.pop(key, None)
            if holder != self._pid and self._given_up.pop(key, None) is not None:
                self._futile = 0  # another member took what was given up: as meant
        return BalanceSnapshot(self._pid, counts, len(self._competing) - outside, holders)

    def _give_up_locked(self, conn: Any, key: str, now: float) -> None:
        self._proved = {k: t for k, t in self._proved.items() if k != key}  # held() ends first
        self._taken.discard(key)
        self._won_at.pop(key, None)
        self._given_up[key] = now
        self._handed.add(key)
        self._free_since[key] = now  # the grace starts now
        self.given_up += 1
        conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))

    def _member_key(self) -> str:
        """One membership per set of leases competed for: the processes of one kind of one
        service (of one version)."""
        digest = hashlib.sha256("\n".join(sorted(self._competing)).encode()).hexdigest()[:16]
        return f"{self._namespace}|{self._service or '-'}|members {digest}"
