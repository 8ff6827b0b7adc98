"""The supervision `pingyi serve` gives its relay process, with stand-in children: a child
that dies is started again, a stop is SIGTERM and then SIGKILL for a child that ignores it,
and a child outlives neither a stop nor the death of its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from shared.service.supervisor import ChildProcess

ROOT = Path(__file__).resolve().parents[2]
SLEEPER = "import time; time.sleep(120)"
STUBBORN = """
import pathlib, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
pathlib.Path(sys.argv[1]).touch()
time.sleep(120)
"""
# Waits for its parent to go, as the relay process does, and says so in a file.
ORPHAN = """
import asyncio, pathlib, sys
from shared.service.supervisor import parent_gone
async def main():
    stop = asyncio.Event()
    await parent_gone(stop)
    pathlib.Path(sys.argv[1]).write_text("parent gone" if stop.is_set() else "no parent fd")
asyncio.run(main())
"""
PARENT = """
import sys, time
from shared.service.supervisor import ChildProcess
child = ChildProcess("orphan", [sys.executable, "-c", sys.argv[1], sys.argv[2]])
child.start()
while child.pid is None:
    time.sleep(0.01)
print(child.pid, flush=True)
time.sleep(120)
"""


def until(predicate: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.02)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _started(child: ChildProcess) -> int:
    until(lambda: child.pid is not None, "the child started")
    pid = child.pid
    assert pid is not None
    return pid


def test_a_child_that_dies_is_started_again_and_stops_with_sigterm() -> None:
    child = ChildProcess("sleeper", [sys.executable, "-c", SLEEPER])
    child.start()
    try:
        first = _started(child)
        os.kill(first, signal.SIGKILL)
        until(lambda: child.pid not in (None, first), "the child started again")
        second = child.pid
        assert second is not None
        assert child.status() == {
            "pid": second,
            "running": True,
            "restarts": 1,
            "last_exit": -signal.SIGKILL,
        }
    finally:
        child.stop()
    assert not alive(second)
    assert child.status()["restarts"] == 1  # a stop is not a death


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    ignoring = tmp_path / "ignoring"
    child = ChildProcess("stubborn", [sys.executable, "-c", STUBBORN, str(ignoring)], grace=0.5)
    child.start()
    pid = _started(child)
    until(ignoring.exists, "the child ignores SIGTERM")
    child.stop()
    assert not alive(pid)


def test_a_child_stops_by_itself_when_its_parent_is_killed(tmp_path: Path) -> None:
    said = tmp_path / "said"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, ORPHAN, str(said)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert parent.stdout is not None
        orphan = int(parent.stdout.readline())
        assert alive(orphan)
    finally:
        parent.kill()
        parent.wait()
    until(lambda: not alive(orphan), "the orphan stopped")
    assert said.read_text() == "parent gone"
