"""The lock that keeps `pingyi rebuild` and a running service apart in production, on the
real PostgreSQL: every process of a service holds a share of `<namespace>|<service>|running`
(`PostgresLeases(service=...)`), the rebuild takes it alone (`service_stopped`). The command
and a service run as processes are tested in tests/pingyi/test_rebuild_while_serving.py."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest

from shared.instance import INSTANCE_ID, identity
from shared.rebuild import RebuildRefused, service_stopped
from shared.service.leases import PostgresLeases

pytestmark = pytest.mark.infra
NAMESPACE = "guard"


@pytest.fixture
def make_leases(database_url: str) -> Iterator[Callable[..., PostgresLeases]]:
    made: list[PostgresLeases] = []

    def make(service: str = "survey", namespace: str = NAMESPACE) -> PostgresLeases:
        leases = PostgresLeases(
            database_url, namespace, service=service, retry_seconds=0.05, prove_seconds=0.1,
            valid_seconds=0.5, server_idle_timeout=2.0,
        )  # fmt: skip
        made.append(leases)
        return leases

    yield make
    for leases in made:
        leases.close()


def _refusal(database_url: str, service: str = "survey") -> str | None:
    try:
        with service_stopped(database_url, NAMESPACE, service):
            return None
    except RebuildRefused as refused:
        return str(refused)


def test_a_rebuild_is_refused_while_a_process_of_the_service_attends(
    database_url: str, make_leases: Callable[..., PostgresLeases]
) -> None:
    leases = make_leases()
    assert _refusal(database_url) is None  # nobody runs survey yet
    asyncio.run(leases.attend())
    refused = _refusal(database_url)
    assert refused is not None
    assert refused.startswith("survey 正在运行, 1 个进程持有它的锁"), refused
    assert "survey is running: its lock is held by 1 process" in refused
    # Host, pid and instance id: two replicas with host networking share the first two.
    assert f"pingyi-leases survey {identity()} (" in refused, refused
    # Another service, or the same service in another namespace, is not in the way.
    assert _refusal(database_url, "registry") is None
    with service_stopped(database_url, "elsewhere", "survey"):
        pass
    leases.close()
    # Gone with its session, once the server has ended it: closing sends PostgreSQL the
    # end of the session, which its backend acts on a moment later (under load, after the
    # next look).
    deadline = time.monotonic() + 30
    while (still := _refusal(database_url)) is not None:
        assert time.monotonic() < deadline, still
        time.sleep(0.05)


def test_a_holder_on_a_host_with_a_long_name_is_named_with_its_pid_and_id_whole(
    database_url: str, make_leases: Callable[..., PostgresLeases], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL keeps 63 bytes of an application name: the host's name is cut, not the
    pid and the id that tell replicas apart."""
    host = "ip-10-0-12-34.eu-west-1.compute.internal.example.org"
    monkeypatch.setattr(socket, "gethostname", lambda: host)
    asyncio.run(make_leases("inspection").attend())
    refused = _refusal(database_url, "inspection") or ""
    named = re.search(r"\((pingyi-leases inspection (\S+)) \(from ", refused)
    assert named is not None, refused
    name, holder = named.groups()
    cut, pid, instance = holder.split(":")
    assert (pid, instance) == (str(os.getpid()), INSTANCE_ID), refused
    assert host.startswith(cut) and len(name) == 63, refused


def test_while_a_rebuild_runs_a_process_of_the_service_waits_and_takes_no_lease(
    database_url: str, make_leases: Callable[..., PostgresLeases]
) -> None:
    leases = make_leases()
    other = make_leases("registry")

    async def scenario() -> None:
        with service_stopped(database_url, NAMESPACE, "survey"):
            assert not await asyncio.to_thread(leases.attending)
            assert not await asyncio.to_thread(leases.try_lock, f"{NAMESPACE}|survey|relay")
            assert await asyncio.to_thread(other.try_lock, f"{NAMESPACE}|registry|relay")
            waiting = asyncio.create_task(leases.attend())
            await asyncio.sleep(0.3)
            assert not waiting.done()
            refusal = _refusal(database_url) or ""
            assert refusal.startswith("survey 的另一次重建正在进行"), refusal
            assert "another pingyi rebuild of survey" in refusal
        await asyncio.wait_for(waiting, 5)  # the rebuild's lock went with its session
        assert await asyncio.to_thread(leases.try_lock, f"{NAMESPACE}|survey|relay")

    asyncio.run(scenario())
    assert _refusal(database_url) is not None


def test_a_process_takes_its_share_again_after_losing_its_connection(
    database_url: str, make_leases: Callable[..., PostgresLeases]
) -> None:
    """A database restart ends every session: the process's prover connects again and takes
    its share, even when none of its work needs a lease (an API process whose relay and views
    run elsewhere), so a rebuild is refused again."""
    leases = make_leases()
    asyncio.run(leases.attend())
    leases.start()
    (first,) = _sharing(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (first,))
    deadline = time.monotonic() + 10
    while _sharing(database_url) in ([], [first]):
        assert time.monotonic() < deadline, "the share was not taken again"
        time.sleep(0.05)
    assert _refusal(database_url) is not None


def _sharing(database_url: str) -> list[int]:
    """The sessions holding a share of an advisory lock in this database."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND mode = 'ShareLock'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchall()
    return [row[0] for row in rows]
