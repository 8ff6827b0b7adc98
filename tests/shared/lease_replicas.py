"""Replicas competing for a service's leases on real PostgreSQL, for the balance tests
(tests/shared/test_lease_balance*.py), in the test's process or in one of their own:
`python -m tests.shared.lease_replicas <database url>` runs one and says what it holds
(`report`).

Each replica is a `PostgresLeases` (its own PostgreSQL session, as each process has) with
one worker per lease on an event loop of its own, doing what a consumer does with its
lease: acquire, work while `held()`, and acquire again once it is not. Who holds what is
read from `pg_locks`, one atomic look at the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable

import psycopg

from shared.service.leases import PostgresLease, PostgresLeases, fair_share

NAMESPACE = "balance"
LEASES = [f"survey|survey-view{i}-v1<-survey" for i in range(10)]
KEYS = {f"{NAMESPACE}|{name}" for name in LEASES}


def until(predicate: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.02)


class Replica:
    """One process of a service competing for `LEASES`."""

    def __init__(self, url: str, *, work: bool = True, grace_seconds: float = 600.0) -> None:
        # A grace far longer than the test: every lease moves by the fair-share rules
        # alone, never by the fallback for leases nobody takes.
        self.leases = PostgresLeases(
            url, NAMESPACE, service="survey", retry_seconds=0.05, prove_seconds=0.1,
            valid_seconds=0.5, server_idle_timeout=2.0, settle_seconds=0.3,
            grace_seconds=grace_seconds,
        )  # fmt: skip
        self._work = work
        self._loop = asyncio.new_event_loop()
        self._stopping: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Replica:
        self._thread.start()
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        await self.leases.attend()
        self.leases.start()
        workers = [self.leases.lease(name) for name in LEASES]
        if self._work:
            await asyncio.gather(*(self._hold(lease) for lease in workers))
        else:
            await self._stopping.wait()

    async def _hold(self, lease: PostgresLease) -> None:
        assert self._stopping is not None
        while await lease.acquire(self._stopping):
            while lease.held() and not self._stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), 0.02)
        await lease.release()

    @property
    def pid(self) -> int | None:
        snapshot = self.leases.balance_snapshot()
        return None if snapshot is None else snapshot.me

    def held(self) -> set[str]:
        return {key for key in KEYS if self.leases.holds(key)}

    def stop(self) -> None:
        if self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(60)
        self.leases.close()


def holders(url: str) -> dict[str, list[int]]:
    """Each lease key -> the sessions holding it, as the server shows them."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT k, l.pid FROM unnest(%s::text[]) AS k JOIN pg_locks l"
            " ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND l.classid = ((hashtextextended(k, 0) >> 32) & 4294967295)::oid"
            " AND l.objid = (hashtextextended(k, 0) & 4294967295)::oid",
            (sorted(KEYS),),
        ).fetchall()
    holders: dict[str, list[int]] = {}
    for key, pid in rows:
        holders.setdefault(key, []).append(pid)
    return holders


def fair(url: str, replicas: list[Replica]) -> bool:
    """Every lease held by exactly one of `replicas`, each holding its fair share."""
    pids = [pid for replica in replicas if (pid := replica.pid) is not None]
    return len(pids) == len(replicas) and fair_among(url, pids)


def fair_among(url: str, pids: Iterable[int]) -> bool:
    """Every lease held by exactly one of the sessions `pids`, each holding its fair share."""
    members = set(pids)
    held = holders(url)
    if set(held) != KEYS or any(len(pids_) != 1 for pids_ in held.values()):
        return False
    counts = Counter(pids_[0] for pids_ in held.values())
    low, high = fair_share(len(KEYS), len(members))
    return set(counts) <= members and all(low <= counts[pid] <= high for pid in members)


def rounds_later(replicas: list[Replica], rounds: int) -> None:
    """Until every replica has looked at the balance `rounds` more times."""
    start = [replica.leases.rounds for replica in replicas]
    until(
        lambda: all(r.leases.rounds >= s + rounds for r, s in zip(replicas, start, strict=True)),
        "the replicas stopped balancing",
    )


def report(url: str) -> None:
    """Run one replica and say what it holds: `<time.monotonic()> <session pid> <keys>`,
    read in that order, whenever it changes and at least every 0.1 s (so the first look
    after a freeze is said even when nothing changed)."""
    replica = Replica(url).start()
    said: tuple[int | None, list[str]] | None = None
    said_at = 0.0
    while True:
        at = time.monotonic()  # system-wide: comparable with the test's clock
        held = sorted(replica.held())
        now = (replica.pid, held)
        if now != said or at - said_at >= 0.1:
            print(at, now[0], ",".join(held), flush=True)
            said, said_at = now, at
        time.sleep(0.005)  # the pace of the looks, not a wait for anything


if __name__ == "__main__":
    report(sys.argv[1])
