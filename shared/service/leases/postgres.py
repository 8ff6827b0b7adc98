"""The session that holds a process's leases (`shared.service.leases`): one PostgreSQL
connection with its advisory locks, the service's presence lock, and the proofs that keep
`held()` true only while the locks are known to be held."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from shared.instance import identity
from shared.service.leases.balance import LeaseBalance
from shared.service.leases.handles import PostgresLease

# Named as before the split: log readers and filters key on the logger's name.
log = logging.getLogger("shared.service.leases")

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


def presence_name(service: str) -> str:
    """The lock every process of `service` shares while it runs, and `pingyi rebuild` takes
    alone (a lease name: the namespace comes first)."""
    return f"{service}|running"


class PostgresLeases(LeaseBalance):
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
        self._init_balance(prove_seconds, settle_seconds, grace_seconds)

    def lease(self, name: str) -> PostgresLease:
        key = f"{self._namespace}|{name}"
        with self._lock:
            self._competing.add(key)
        return PostgresLease(self, key)

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

    # --- the session (under `_lock`) -------------------------------------------------------

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
