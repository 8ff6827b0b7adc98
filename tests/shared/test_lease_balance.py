"""Leases spread over the live replicas of a service (`shared.service.leases`, "Balance"):
a replica that starts gets its fair share, one that stops hands its leases on, nothing
moves once the share is fair, and a member that takes nothing leaves no lease unheld.

Each replica is a `PostgresLeases` (its own PostgreSQL session, as each process has) with
one worker per lease on an event loop of its own, doing what a consumer does with its
lease: acquire, work while `held()`, and acquire again once it is not. Who holds what is
read from `pg_locks`, one atomic look at the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import psycopg
import pytest

from shared.service.leases import (
    PostgresLease,
    PostgresLeases,
    fair_share,
    surplus,
    takes_at_once,
)

NAMESPACE = "balance"
LEASES = [f"survey|survey-view{i}-v1<-survey" for i in range(10)]
KEYS = {f"{NAMESPACE}|{name}" for name in LEASES}


def _until(predicate: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
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


def _holders(url: str) -> dict[str, list[int]]:
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


def _fair(url: str, replicas: list[Replica]) -> bool:
    """Every lease held by exactly one of `replicas`, each holding its fair share."""
    pids = [pid for replica in replicas if (pid := replica.pid) is not None]
    if len(pids) < len(replicas):
        return False
    holders = _holders(url)
    if set(holders) != KEYS or any(len(pids_) != 1 for pids_ in holders.values()):
        return False
    counts = Counter(pids_[0] for pids_ in holders.values())
    low, high = fair_share(len(KEYS), len(replicas))
    return set(counts) <= set(pids) and all(low <= counts[pid] <= high for pid in pids)


def _rounds_later(replicas: list[Replica], rounds: int) -> None:
    """Until every replica has looked at the balance `rounds` more times."""
    start = [replica.leases.rounds for replica in replicas]
    _until(
        lambda: all(r.leases.rounds >= s + rounds for r, s in zip(replicas, start, strict=True)),
        "the replicas stopped balancing",
    )


@pytest.fixture
def replicas(database_url: str) -> Iterator[Callable[..., Replica]]:
    started: list[Replica] = []

    def start(**kwargs: object) -> Replica:
        replica = Replica(database_url, **kwargs).start()  # type: ignore[arg-type]
        started.append(replica)
        return replica

    yield start
    for replica in started:
        replica.stop()


@pytest.mark.infra
def test_leases_spread_over_the_replicas_as_they_come_and_go(
    database_url: str, replicas: Callable[..., Replica]
) -> None:
    first = replicas()
    _until(lambda: first.held() == KEYS, "one replica alone does not hold every lease")

    second = replicas()
    _until(lambda: _fair(database_url, [first, second]), "the second replica got no share")
    assert first.leases.given_up == 5  # exactly what was beyond its share, given up once
    assert second.leases.given_up == 0
    # What the first gave up reads as handed over (its consumers log it calmly), not lost.
    handed = {key for key in KEYS if first.leases.handed_over(key)}
    assert handed == second.held() and not any(second.leases.handed_over(k) for k in KEYS)

    third = replicas()
    _until(lambda: _fair(database_url, [first, second, third]), "the third got no share")
    # Nothing moves any more: many more looks at the balance (each longer than it takes a
    # surplus to settle) give nothing up, and no lease is held twice.
    given_up = [r.leases.given_up for r in (first, second, third)]
    holders = _holders(database_url)
    _rounds_later([first, second, third], 3 * 10)
    assert [r.leases.given_up for r in (first, second, third)] == given_up
    assert _holders(database_url) == holders
    held = [r.held() for r in (first, second, third)]
    assert all(a.isdisjoint(b) for i, a in enumerate(held) for b in held[i + 1 :])

    second.stop()  # its session ends: its leases are free, and it is no member any more
    _until(lambda: _fair(database_url, [first, third]), "the leaver's share was not taken")
    assert first.held().isdisjoint(third.held())


@pytest.mark.infra
def test_a_member_that_takes_nothing_leaves_no_lease_unheld(
    database_url: str, replicas: Callable[..., Replica]
) -> None:
    """A process registered as a member that never takes (stuck before its consumers
    start): what the holder gave up for it is taken back once free for the grace."""
    holder = replicas(grace_seconds=0.5)
    _until(lambda: holder.held() == KEYS, "one replica alone does not hold every lease")
    idle = replicas(work=False)
    _until(lambda: holder.leases.given_up >= 5, "the holder gave nothing up for the newcomer")
    _until(lambda: holder.held() == KEYS, "leases given up stayed unheld")
    assert idle.held() == set()


# --- the arithmetic of the share ----------------------------------------------------------


def test_a_surplus_is_what_lies_beyond_the_share_and_room_for_one_below_it() -> None:
    # One replica held everything; a second came.
    assert surplus(1, {1: 10, 2: 0}, 10) == 5
    assert surplus(2, {1: 10, 2: 0}, 10) == 0
    # Two held five each; a third came: it needs three, the free ones give it two, so the
    # first of the fullest (by pid) gives one more.
    assert [surplus(pid, {1: 5, 2: 5, 3: 0}, 10) for pid in (1, 2, 3)] == [2, 1, 0]
    # Four leases over three: 2, 2, 0 would leave the newcomer nothing.
    assert [surplus(pid, {1: 2, 2: 2, 3: 0}, 4) for pid in (1, 2, 3)] == [1, 0, 0]
    # Fair already (and with leases free, the one below takes them): nothing moves.
    assert [surplus(pid, {1: 4, 2: 3, 3: 3}, 10) for pid in (1, 2, 3)] == [0, 0, 0]
    assert [surplus(pid, {1: 4, 2: 3}, 10) for pid in (1, 2)] == [0, 0]
    assert surplus(1, {1: 10}, 10) == 0


def test_a_free_lease_goes_at_once_to_the_member_that_needs_it_most() -> None:
    assert takes_at_once(0, {}, 10)  # alone: everything
    assert takes_at_once(0, {1: 10}, 10)  # below its share
    assert not takes_at_once(5, {1: 5}, 10)  # at its share
    assert takes_at_once(3, {1: 4, 2: 3}, 10)  # below the most, no fewer than the others
    assert not takes_at_once(3, {1: 4, 2: 0}, 10)  # another needs it more
    assert not takes_at_once(4, {1: 3, 2: 3}, 10)  # at the most already
