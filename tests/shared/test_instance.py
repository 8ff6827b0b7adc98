"""Who a process is (shared/instance.py): `host:pid:instance`, because two replicas on one host
with host networking have the same host and, each the first process of its container, the
same pid. Two such processes cannot be made in one test; what can be checked is that every
identity carries the random id, and that a process makes its own id unless a
`ChildProcess` started it (then it is its parent's: tests/shared/test_views_status.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from shared.instance import INSTANCE_ID, INSTANCE_KEY, identity
from shared.messaging.relay_status import holder

ROOT = Path(__file__).resolve().parents[2]
SAY_ID = "from shared.instance import INSTANCE_ID; print(INSTANCE_ID)"


def test_an_identity_is_host_pid_and_instance_id() -> None:
    assert identity() == f"{socket.gethostname()}:{os.getpid()}:{INSTANCE_ID}"
    assert holder() == identity()  # the relay's status row names its process so
    assert len(INSTANCE_ID) == 6 and int(INSTANCE_ID, 16) >= 0


def test_a_process_not_started_as_a_child_makes_its_own_id() -> None:
    """Two `pingyi serve` started from one shell (or by this test) inherit an environment
    carrying the id of whatever set it: each still makes its own."""
    assert os.environ[INSTANCE_KEY] == INSTANCE_ID  # what this process's children inherit
    said = {_id_made_in_a_process() for _ in range(2)}
    assert len(said) == 2 and INSTANCE_ID not in said, said


def test_a_short_identity_cuts_the_host_never_the_pid_or_the_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "ip-10-0-12-34.eu-west-1.compute.internal")
    tail = f":{os.getpid()}:{INSTANCE_ID}"
    short = identity(room=len(tail) + 4)
    assert short == f"ip-1{tail}"
    assert identity(room=200) == f"ip-10-0-12-34.eu-west-1.compute.internal{tail}"


def _id_made_in_a_process() -> str:
    done = subprocess.run(
        [sys.executable, "-c", SAY_ID],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()
