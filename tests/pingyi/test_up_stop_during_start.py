"""A stop (SIGTERM, SIGINT) that comes while `pingyi up` is starting a service ends that
service before it listens, as it ends `pingyi serve` (tests/shared/test_nats_at_start.py):
its start is cancelled, what had started is stopped, and its port is never bound. uvicorn
used to bind the port and say the server runs once the cancelled start returned, and only
then shut down; and it said "Application startup complete" of a start that had stopped.

One service's start is held where it opens its view store (the test holds an exclusive
lock on that SQLite file) while the other four start and listen."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from pingyi.catalog import NAMES as SERVICES
from tests.conftest import ADMIN_KEY
from tests.e2e.processes import Proc, pingyi_command
from tests.ports import quiet_ports

HELD = "reporting"


def _listening(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _until(proc: Proc, predicate: object, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert proc.process is not None
        assert proc.process.poll() is None, proc.output()[-4000:]
        assert time.monotonic() < deadline, proc.output()[-4000:]
        time.sleep(0.1)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_during_the_start_ends_a_service_before_it_listens(
    tmp_path: Path, signum: signal.Signals
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    base = quiet_ports(5)[0]
    ports = {service: base + offset for offset, service in enumerate(SERVICES)}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    # INFO: uvicorn's "Uvicorn running on <address>" is the record of a port it listened on.
    env |= {
        "PINGYI_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "PINGYI_DATA_DIR": str(data),
        "PINGYI_LOG_LEVEL": "INFO",
    }
    holder = sqlite3.connect(data / f"{HELD}-views.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    proc = Proc("pingyi up", pingyi_command("up", "--base-port", str(base)), env, tmp_path / "log")
    proc.start()
    assert proc.process is not None
    try:
        others = [port for service, port in ports.items() if service != HELD]
        _until(proc, lambda: all(_listening(port) for port in others))
        proc.process.send_signal(signum)
        _until(proc, lambda: "start-up stopped on request" in proc.output())
        holder.rollback()  # the held start's thread, waiting on the lock, may now end
        code = proc.process.wait(timeout=60)
    finally:
        holder.close()
        if proc.process.poll() is None:
            proc.kill()
    output = proc.output()
    assert code == 0, (code, output[-4000:])
    assert "Traceback" not in output, output[-4000:]
    for port in others:  # said as it is said, so its absence below means something
        assert f"Uvicorn running on http://127.0.0.1:{port}" in output, output[-4000:]
    assert f"127.0.0.1:{ports[HELD]}" not in output, output[-4000:]
    # The four that started said so; the held one, whose start returned after the stop
    # having stopped what it started, used to say so too.
    assert output.count("Application startup complete") == len(others), output[-4000:]
