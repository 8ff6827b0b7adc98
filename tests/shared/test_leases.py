"""Leases on real PostgreSQL: one holder at a time, takeover when a holder dies or hangs, and
a holder that cannot prove its lease stops holding it."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from shared.service.leases import PostgresLeases
from tests.pg_instance import PgInstance

pytestmark = pytest.mark.infra
ROOT = Path(__file__).resolve().parents[2]
NAME = "survey|survey-waves-v1<-survey"
KEY = f"test|{NAME}"


def _eventually(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.02)


def _leases(url: str) -> PostgresLeases:
    leases = PostgresLeases(
        url, "test", retry_seconds=0.05, prove_seconds=0.1, valid_seconds=0.5,
        server_idle_timeout=2.0,
    )  # fmt: skip
    leases.start()
    return leases


def _holder(url: str) -> subprocess.Popen[bytes]:
    """Another replica, holding the lease in a process of its own."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.shared.lease_holder", url, NAME],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 60)
    assert ready and process.stdout.readline().strip() == b"held", "the holder never held"
    return process


def _lock_holders(url: str) -> list[int]:
    """Backends holding an advisory lock in this database."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchall()
    return [row[0] for row in rows]


@pytest.fixture
def holder_process(database_url: str) -> Iterator[subprocess.Popen[bytes]]:
    process = _holder(database_url)
    try:
        yield process
    finally:
        with_signal = (signal.SIGCONT, signal.SIGKILL)
        for sig in with_signal:
            if process.poll() is None:
                os.kill(process.pid, sig)
        process.wait(timeout=20)


def test_a_lease_has_one_holder_and_moves_when_the_holder_is_killed(
    database_url: str, holder_process: subprocess.Popen[bytes]
) -> None:
    leases = _leases(database_url)
    try:
        assert not leases.try_lock(KEY)
        holder_process.kill()  # PostgreSQL ends its session, and the lock with it
        holder_process.wait(timeout=20)
        _eventually(lambda: leases.try_lock(KEY), "no takeover after the holder died")
        assert leases.holds(KEY)
    finally:
        leases.close()


def test_a_frozen_holder_loses_the_lease_to_the_server_idle_timeout(
    database_url: str, holder_process: subprocess.Popen[bytes]
) -> None:
    """A replica that hangs (here: stopped by a signal) keeps its socket open; the server
    ends its session once it has been idle for the lease connection's idle timeout."""
    leases = _leases(database_url)
    try:
        assert not leases.try_lock(KEY)
        os.kill(holder_process.pid, signal.SIGSTOP)
        _eventually(lambda: leases.try_lock(KEY), "no takeover from a frozen holder")
    finally:
        leases.close()


def test_a_holder_whose_session_ends_stops_holding_at_once(database_url: str) -> None:
    first, second = _leases(database_url), _leases(database_url)
    try:
        assert first.try_lock(KEY) and first.holds(KEY)
        assert not second.try_lock(KEY)
        (backend,) = _lock_holders(database_url)
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (backend,))
        _eventually(lambda: not first.holds(KEY), "the holder kept a lease it lost")
        _eventually(lambda: second.try_lock(KEY), "no takeover after the session ended")
        assert not first.try_lock(KEY)
    finally:
        first.close()
        second.close()


def test_a_holder_that_cannot_prove_its_lease_stops_and_a_restart_frees_it() -> None:
    """On a server of the test's own: its backend frozen, the holder cannot prove the lease
    and stops holding it within `valid_seconds` (the lock itself was never lost, so the next
    proof restores it); after a restart of PostgreSQL the lease is won again."""
    pg = PgInstance()
    pg.init()
    pg.start()
    leases = _leases(pg.url())
    try:
        assert leases.try_lock(KEY)
        (backend,) = _lock_holders(pg.url())
        os.kill(backend, signal.SIGSTOP)
        try:
            _eventually(lambda: not leases.holds(KEY), "held without a proof")
        finally:
            os.kill(backend, signal.SIGCONT)
        _eventually(lambda: leases.holds(KEY), "the proof never came back")

        pg.stop("immediate")
        _eventually(lambda: not leases.holds(KEY), "held across a database restart")
        pg.start()
        _eventually(lambda: leases.try_lock(KEY), "not won again after the restart")
    finally:
        leases.close()
        pg.destroy()
