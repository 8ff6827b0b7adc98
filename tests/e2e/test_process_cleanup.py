"""A process a test starts and that never becomes ready is ended with everything it started
before the test fails (`tests.e2e.processes.wait_ready`): left running, it would take CPU from
the rest of the suite for as long as the run lasts."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.processes import Proc, wait_ready
from tests.ports import quiet_ports

# A parent that starts a child of its own, says the child's pid, and never serves anything.
_NEVER_READY = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
print(child.pid, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose: it runs nothing.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


def test_a_process_that_never_gets_ready_is_ended_with_its_children(tmp_path: Path) -> None:
    log = tmp_path / "never.log"
    proc = Proc("never ready", [sys.executable, "-c", _NEVER_READY], dict(os.environ), log)
    proc.start()
    deadline = time.monotonic() + 30
    while not proc.output().strip():
        assert time.monotonic() < deadline, "the child's pid was never said"
        time.sleep(0.05)
    child = int(proc.output().split()[0])
    assert proc.process is not None and _alive(child)
    with pytest.raises(TimeoutError):
        wait_ready(f"http://127.0.0.1:{quiet_ports(1)[0]}", proc, timeout=1)
    assert proc.process.poll() is not None
    deadline = time.monotonic() + 10
    while _alive(child):
        assert time.monotonic() < deadline, "the child outlived the failed start"
        time.sleep(0.05)
