"""A member of the balance that hangs while it holds leases (`shared.service.leases`,
"Takeover" and "Balance"): its process frozen (SIGSTOP), it proves nothing and its session
falls idle, so the server ends the session at its idle timeout; the others then take its
leases and share them, each held once. Woken (SIGCONT), it holds nothing under the session
that ended, joins again under a new one and gets its share back.

The hung member is a process of its own (tests/shared/lease_replicas.py, `report`), the
others replicas in the test's process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.shared.lease_replicas import KEYS, Replica, fair, fair_among, holders, until

pytestmark = pytest.mark.infra
ROOT = Path(__file__).resolve().parents[2]

Report = tuple[float, int | None, frozenset[str]]
"""When (time.monotonic()), under which session (backend pid), which leases it held."""


class Member:
    """The replica that will hang, in a process of its own, and what it said it held."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.shared.lease_replicas", url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        self.reports: list[Report] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            at, pid, keys = line.decode().rstrip("\n").split(" ")
            held = frozenset(keys.split(",")) if keys else frozenset()
            self.reports.append((float(at), None if pid == "None" else int(pid), held))

    def last(self) -> Report | None:
        return self.reports[-1] if self.reports else None

    def session(self) -> int | None:
        last = self.last()
        return None if last is None else last[1]

    def said_it_holds(self, keys: set[str]) -> bool:
        """Whether its last word is that it holds `keys` under the session the server shows
        holding them."""
        last = self.last()
        if last is None or last[1] is None or last[2] != keys:
            return False
        return {key for key, pids in holders(self.url).items() if last[1] in pids} == keys

    def stop(self) -> None:
        for sig in (signal.SIGCONT, signal.SIGKILL):
            if self.process.poll() is None:
                os.kill(self.process.pid, sig)
        self.process.wait(timeout=20)


@pytest.fixture
def member(database_url: str) -> Iterator[Member]:
    started = Member(database_url)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def replicas(database_url: str) -> Iterator[Callable[[], Replica]]:
    started: list[Replica] = []

    def start() -> Replica:
        started.append(Replica(database_url).start())
        return started[-1]

    yield start
    for replica in started:
        replica.stop()


def _shown(url: str, pid: int) -> set[str]:
    return {key for key, pids in holders(url).items() if pid in pids}


def test_a_frozen_members_leases_go_to_the_others_once_its_session_ends(
    database_url: str, member: Member, replicas: Callable[[], Replica]
) -> None:
    until(lambda: member.said_it_holds(KEYS), "alone, the member did not hold every lease")
    first, second = replicas(), replicas()

    def three_fair() -> bool:
        pids = [member.session(), first.pid, second.pid]
        return None not in pids and fair_among(database_url, pids)  # type: ignore[arg-type]

    until(three_fair, "the replicas got no share of the member's leases")
    until(lambda: member.said_it_holds(_shown(database_url, member.session() or 0)), "quiet")
    frozen = member.session()
    assert frozen is not None and _shown(database_url, frozen)

    os.kill(member.process.pid, signal.SIGSTOP)
    # Its session ends at the server's idle timeout, its leases with it; the two others
    # take them, each lease held by one of them.
    until(lambda: fair(database_url, [first, second]), "the frozen member's leases stayed")
    assert first.held().isdisjoint(second.held())
    assert first.held() | second.held() == KEYS

    woken = time.monotonic()
    os.kill(member.process.pid, signal.SIGCONT)
    until(
        lambda: member.session() not in (None, frozen) and three_fair(),
        "the woken member did not join again and get its share",
    )
    until(lambda: member.said_it_holds(_shown(database_url, member.session() or 0)), "quiet")
    # Awake, it never held a lease under the session the server had ended (another replica
    # held each by then), and now holds its share apart from the others.
    late = [report for report in member.reports if report[0] > woken and report[1] == frozen]
    assert all(not held for _, _, held in late), late
    mine = member.reports[-1][2]
    assert mine and mine.isdisjoint(first.held()) and mine.isdisjoint(second.held())
