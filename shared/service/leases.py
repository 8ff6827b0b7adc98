"""Leases: which replica of a service applies an upstream (or runs the relay) right now.

An orchestrator may run several replicas of one service. All of them serve the API; each
piece of background work — one (view, upstream) consumer, the relay — is done by whichever
replica holds its lease, so work can spread over the replicas and moves when one dies.

In production a lease is a PostgreSQL session-level advisory lock taken on one connection per
process. The lock lives exactly as long as that session, so:

- **Takeover.** When a replica dies, its socket closes and PostgreSQL ends the session at
  once; another replica's next attempt (every `retry_seconds`) wins the lock. A replica that
  hangs or is cut off from the database keeps its session until the server gives up on it:
  the session sets `idle_session_timeout` (PostgreSQL 14+; TCP keepalives too), and a healthy
  holder is never idle that long because it proves its leases every `prove_seconds`.
- **A holder stops when it cannot prove it holds.** `held()` is true only while the last
  proof is younger than `valid_seconds` (well below the server's idle timeout), so a holder
  that lost its connection, or whose database restarted, stops consuming before another
  replica can win the lock. A proof reads `pg_locks` for this session: it shows each lock
  still held, not just a live connection. It counts from when it was asked, not answered:
  a holder frozen while it waited reads, when it wakes, an answer older than the freeze.
- **Correctness never rests on the lease.** An inbox re-checks its position inside the
  applying transaction, so two appliers for a moment (a batch in hand when the lease went)
  cannot apply anything twice; the lease only keeps that rare.

**Presence.** Every process of a service (the API, its relay, its views process, on every
replica) also holds a *shared* advisory lock on `<namespace>|<service>|running` on the same
connection (`attend`), taken before it touches its views and before any of its leases.
`pingyi rebuild` takes that lock exclusively (`shared.rebuild.service_stopped`): it is
refused while any process of the service runs, and a process that starts meanwhile waits
until the rebuild is done. Like the leases, the lock lives as long as its session, so it
can never be left behind by a process that died.

**Balance.** The leases of one service spread over its live replicas: each process holds
about its fair share of the leases it competes for (between `floor` and `ceil(leases /
members)`), and a replica that starts gets its share within seconds. Membership needs no
server of its own: the processes competing for the same set of leases (every replica's
views process; every replica's API process) each hold a shared advisory lock named after
that set, on the same session as their leases, so `pg_locks` shows who is alive (the lock
dies with the session, like the leases) and which leases each member holds. From that,
every `prove_seconds`, a process works out what it holds beyond its share (`surplus`) and,
once the surplus has lasted `settle_seconds` (hysteresis: a replica passing through moves
nothing), gives up that many of the leases it won last, once. A free lease is taken at
once by a member that needs it (`takes_at_once`: below its share and holding no more than
any other member); any other member takes it only once it has been free for
`grace_seconds`, so no lease stays unheld when its taker does not come, and a process
never takes back at once what it just gave up (if it has to, because nobody else took it,
it waits twice as long before giving anything up again). A process competing for one
lease (the relay process) has nothing to balance. A hand-over is safe for the reason
above: correctness never rests on the lease.

Embedded mode runs one process, whose leases are always held.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import psycopg
from psycopg.conninfo import make_conninfo

from shared.instance import identity

log = logging.getLogger(__name__)

APPLICATION_NAME_BYTES = 63
"""What PostgreSQL keeps of a session's `application_name` (NAMEDATALEN - 1): it cuts the
rest silently."""

PROVE_SQL = """
SELECT k FROM unnest(%s::text[]) AS k
WHERE EXISTS (
    SELECT 1 FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
      AND l.objsubid = 1
      AND l.classid = ((hashtextextended(k, 0) >> 32) & 4294967295)::oid
      AND l.objid = (hashtextextended(k, 0) & 4294967295)::oid
)
"""
"""Which of the given keys this session holds (a bigint advisory key shows in pg_locks as
classid = high 32 bits, objid = low 32 bits, objsubid = 1)."""


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


def presence_name(service: str) -> str:
    """The lock every process of `service` shares while it runs, and `pingyi rebuild` takes
    alone (a lease name: the namespace comes first)."""
    return f"{service}|running"


class Lease(Protocol):
    """Who may do one piece of background work when several replicas run: apply an
    upstream (`shared.messaging.consumer`), or publish a service's log (the relay)."""

    async def acquire(self, stopping: asyncio.Event) -> bool:
        """Wait until held (True) or until `stopping` is set (False)."""
        ...

    def held(self) -> bool: ...

    def handed_over(self) -> bool:
        """Whether the lease, no longer held, was given up to spread the work over the
        replicas (not lost): the work stops as for a lost lease, and says so calmly."""
        ...

    async def release(self) -> None: ...


class AlwaysHeld:
    """The lease of work that only one process does anyway (embedded mode, one relay)."""

    async def acquire(self, stopping: asyncio.Event) -> bool:
        return not stopping.is_set()

    def held(self) -> bool:
        return True

    def handed_over(self) -> bool:
        return False

    async def release(self) -> None:
        return None


class PostgresLeases:
    """One connection per process holding every lease this process has won, and, given the
    `service` this process runs, its share of that service's presence lock (`attend`)."""

    def __init__(
        self,
        conninfo: str,
        namespace: str,
        *,
        service: str | None = None,
        retry_seconds: float = 1.0,
        prove_seconds: float = 1.0,
        valid_seconds: float = 5.0,
        server_idle_timeout: float = 15.0,
        settle_seconds: float | None = None,
        grace_seconds: float | None = None,
    ) -> None:
        """`settle_seconds`: how long a surplus lasts before leases are given up;
        `grace_seconds`: how long a lease is free before a member that does not need it
        most takes it (both three proofs by default)."""
        if not prove_seconds < valid_seconds < server_idle_timeout:
            raise ValueError("need prove_seconds < valid_seconds < server_idle_timeout")
        self._conninfo = conninfo
        self._namespace = namespace
        self._service = service
        self._presence = None if service is None else f"{namespace}|{presence_name(service)}"
        self._present = False
        """Whether this session holds its share of the presence lock (guarded by `_lock`)."""
        self._kept_out = False
        """Whether the last attempt found a rebuild holding it (said once per spell)."""
        self.retry_seconds = retry_seconds
        self.prove_seconds = prove_seconds
        self.valid_seconds = valid_seconds
        self._idle_timeout_ms = int(server_idle_timeout * 1000)
        self._conn: Any = None
        self._lock = threading.Lock()
        self._taken: set[str] = set()
        """Keys locked on the current connection (guarded by `_lock`)."""
        self._proved: dict[str, float] = {}
        """key -> time.monotonic() of its last proof; replaced whole, read without the lock."""
        self._closing = threading.Event()
        self._prover: threading.Thread | None = None
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

    def lease(self, name: str) -> PostgresLease:
        key = f"{self._namespace}|{name}"
        with self._lock:
            self._competing.add(key)
        return PostgresLease(self, key)

    def handed_over(self, key: str) -> bool:
        """Whether `key` was last given up for balance (not lost, not taken back since)."""
        return key in self._handed

    def balance_snapshot(self) -> BalanceSnapshot | None:
        """The last look at the members and their leases (None before the first)."""
        return self._snapshot

    def start(self) -> None:
        """Prove the leases every `prove_seconds` in a thread of its own, so that busy
        worker threads can never delay a proof into a lease lost for nothing."""
        self._prover = threading.Thread(
            target=self._prove_forever, name="lease-prover", daemon=True
        )
        self._prover.start()

    async def attend(self, retry_seconds: float | None = None) -> None:
        """Wait until this process holds its share of its service's presence lock: at once,
        unless a `pingyi rebuild` of the service holds it (said in one line when the wait
        begins and when it ends). A database that cannot be reached raises, as any first
        use of it at start does. Nothing to wait for without a `service`."""
        while not await asyncio.to_thread(self.attending):
            await asyncio.sleep(self.retry_seconds if retry_seconds is None else retry_seconds)

    def close(self) -> None:
        self._closing.set()
        if self._prover is not None:
            self._prover.join(timeout=30)
        with self._lock:
            self._drop()

    # --- read from the event loop: no I/O ------------------------------------------------

    def holds(self, key: str) -> bool:
        proved = self._proved.get(key)
        return proved is not None and time.monotonic() - proved <= self.valid_seconds

    # --- run in worker threads ---------------------------------------------------------

    def attending(self) -> bool:
        """Take this session's share of the presence lock if it has none: False while a
        rebuild of the service holds the lock. Raises when the database cannot be reached."""
        with self._lock:
            try:
                return self._attend_locked(self._connection())
            except psycopg.Error:
                self._drop()
                raise

    def try_lock(self, key: str) -> bool:
        with self._lock:
            try:
                conn = self._connection()
                if not self._attend_locked(conn):  # a rebuild of the service runs: no work
                    return False
                if key in self._taken:  # advisory locks count re-entries: take each once
                    self._prove_locked(conn)
                    return key in self._taken
                if not self._may_take_locked(key):
                    return False
                asked = time.monotonic()  # a win proves the lease from then (`_prove_locked`)
                row = conn.execute(
                    "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (key,)
                ).fetchone()
            except psycopg.Error as exc:
                log.warning("lease attempt failed", extra={"lease": key, "error": str(exc)})
                self._drop()
                return False
            if row and row[0]:
                self._taken.add(key)
                self._won_at[key] = asked
                self._handed.discard(key)
                self._free_since.pop(key, None)
                if self._given_up.pop(key, None) is not None:
                    self._futile = min(self._futile + 1, 5)  # nobody else wanted it
                self._proved = self._proved | {key: asked}
                return True
            return False

    def prove(self) -> None:
        """Confirm every lease this session holds; forget those it does not. Without a
        connection, or when it fails, no lease is held any more. A process that runs a
        service connects again at once to take its share of the presence lock (after a
        database restart), even while none of its work needs a lease."""
        with self._lock:
            if self._conn is None:
                if self._presence is not None:
                    try:
                        self._attend_locked(self._connection())
                    except psycopg.Error as exc:
                        log.debug("presence not taken", extra={"error": str(exc)})
                        self._drop()
                return
            try:
                self._prove_locked(self._conn)
            except psycopg.Error as exc:
                log.warning("leases lost with their connection", extra={"error": str(exc)})
                self._drop()
                return
            try:
                self._balance_locked(self._conn)
            except psycopg.Error as exc:
                log.warning("lease balance failed", extra={"error": str(exc)})
                self._drop()

    def unlock(self, key: str) -> None:
        with self._lock:
            self._proved = {k: t for k, t in self._proved.items() if k != key}
            if key not in self._taken:
                return
            self._taken.discard(key)
            if self._conn is not None:
                with contextlib.suppress(psycopg.Error):
                    self._conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))

    # --- balance (under `_lock`) -----------------------------------------------------------

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

    def _attend_locked(self, conn: Any) -> bool:
        if self._presence is None or self._present:
            return True
        row = conn.execute(
            "SELECT pg_try_advisory_lock_shared(hashtextextended(%s, 0))", (self._presence,)
        ).fetchone()
        self._present = bool(row and row[0])
        if not self._present and not self._kept_out:
            log.warning(
                "waiting for `pingyi rebuild %s` to finish: it holds the service's lock",
                self._service,
                extra={"lease": self._presence},
            )
        elif self._present and self._kept_out:
            log.info("the rebuild of %s is over; starting", self._service)
        self._kept_out = not self._present
        return self._present

    def _prove_locked(self, conn: Any) -> None:
        presence = {self._presence} if self._present and self._presence else set()
        # A proof counts from when it was asked, not from when its answer was read: an
        # answer read late (the process frozen while it waited: the answer sat in its
        # socket) tells of a session the server may have ended since, idle that long, and
        # of a lease another replica has won meanwhile. From the asking, `valid_seconds`
        # (below the server's idle timeout) ends before the server can end the session.
        asked = time.monotonic()
        rows = conn.execute(PROVE_SQL, (sorted(self._taken | presence),)).fetchall()
        held = {row[0] for row in rows}
        if presence and not presence <= held:
            log.warning("presence lock no longer held", extra={"lease": self._presence})
            self._present = False
        held -= presence
        for lost in self._taken - held:
            log.warning("lease no longer held", extra={"lease": lost})
        self._taken = held
        self._proved = dict.fromkeys(held, asked)

    def _connection(self) -> Any:
        if self._conn is None or self._conn.closed:
            self._drop()
            self._conn = psycopg.connect(
                make_conninfo(
                    self._conninfo,
                    application_name=self._application_name(),
                    connect_timeout=5,
                    keepalives=1,
                    keepalives_idle=5,
                    keepalives_interval=2,
                    keepalives_count=3,
                    tcp_user_timeout=10_000,
                ),
                autocommit=True,
            )
            if self._conn.info.server_version >= 140000:  # idle_session_timeout is new in 14
                self._conn.execute(f"SET idle_session_timeout = {self._idle_timeout_ms}")
        return self._conn

    def _application_name(self) -> str:
        """What `pingyi rebuild` names when this process keeps it out (pg_stat_activity):
        `pingyi-leases <service> <host:pid:instance>` (`shared.instance`), within what
        PostgreSQL keeps of a name."""
        if self._service is None:
            return "pingyi-leases"
        named = f"pingyi-leases {self._service} "
        return named + identity(room=APPLICATION_NAME_BYTES - len(named.encode()))

    def _drop(self) -> None:
        self._present = False
        self._taken.clear()
        self._proved = {}
        self._member = None
        self._pid = None
        self._snapshot = None
        self._surplus_since = None
        self._won_at.clear()
        self._handed.clear()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None

    def _prove_forever(self) -> None:
        # Also keeps a session without leases from reaching the server's idle timeout.
        while not self._closing.wait(self.prove_seconds):
            self.prove()


class PostgresLease:
    def __init__(self, leases: PostgresLeases, key: str) -> None:
        self._leases = leases
        self.key = key

    async def acquire(self, stopping: asyncio.Event) -> bool:
        while not stopping.is_set():
            if await asyncio.to_thread(self._leases.try_lock, self.key):
                log.info("lease acquired", extra={"lease": self.key})
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self._leases.retry_seconds)
        return False

    def held(self) -> bool:
        return self._leases.holds(self.key)

    def handed_over(self) -> bool:
        return self._leases.handed_over(self.key)

    async def release(self) -> None:
        await asyncio.to_thread(self._leases.unlock, self.key)
