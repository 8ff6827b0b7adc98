"""PostgreSQL unreachable while a service starts (production): the start waits a bounded
time, one line per attempt naming the database without its password, then gives up with one
line (`cannot start: PostgreSQL at …`) and a non-zero exit, never uvicorn's start-up
traceback (README "PostgreSQL and NATS at start"; shared/service/start_wait.py). SIGTERM or
SIGINT during that wait ends the process as a graceful stop does, without uvicorn ever saying
the start complete or listening."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from pathlib import Path

import pytest

from shared.errors import ServiceCannotStart
from shared.service.start_wait import postgres_shown, until_usable
from tests.e2e.processes import Proc, pingyi_command, production_env
from tests.ports import quiet_port

SECRET = "s3cret-pw"


def _until_said(proc: Proc, words: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while words not in proc.output():
        assert proc.process is not None and proc.process.poll() is None, proc.output()[-4000:]
        assert time.monotonic() < deadline, proc.output()[-4000:]
        time.sleep(0.1)


@pytest.mark.infra
@pytest.mark.parametrize(
    ("signum", "exits"),
    [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 0)],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_stop_while_waiting_for_the_database_ends_it_without_serving(
    nats_namespace: str, tmp_path: Path, signum: signal.Signals, exits: int
) -> None:
    """As uvicorn ends a graceful stop: SIGTERM raised again (tini reports 0), SIGINT 0; but
    never "Application startup complete" nor a port listened on, however briefly."""
    nowhere = f"postgresql://pingyi:{SECRET}@127.0.0.1:{quiet_port()}/pingyi"
    port = quiet_port()
    env = production_env(nowhere, nats_namespace, "nats://127.0.0.1:4222")
    env |= {"PINGYI_LOG_JSON": "false", "PINGYI_REGISTRY_PORT": str(port)}
    proc = Proc("registry", pingyi_command("serve", "registry"), env, tmp_path / "serve.log")
    proc.start()
    assert proc.process is not None
    try:
        _until_said(proc, "waiting for PostgreSQL at ")
        proc.process.send_signal(signum)
        code = proc.process.wait(timeout=30)
    finally:
        if proc.process.poll() is None:
            proc.kill()
    output = proc.output()
    assert code == exits, (code, output[-4000:])
    assert "start-up stopped on request" in output, output[-4000:]
    assert "service stopped" in output, output[-4000:]
    assert "Application startup complete" not in output, output[-4000:]
    assert "Uvicorn running on" not in output, output[-4000:]
    assert "Traceback" not in output and "startup failed" not in output, output[-4000:]


@pytest.mark.infra
def test_a_start_without_its_database_gives_up_in_one_line_and_exits_non_zero(
    nats_namespace: str, tmp_path: Path
) -> None:
    port = quiet_port()
    nowhere = f"postgresql://pingyi:{SECRET}@127.0.0.1:{port}/pingyi"
    env = production_env(nowhere, nats_namespace, "nats://127.0.0.1:4222")
    env |= {
        "PINGYI_LOG_JSON": "false",
        "PINGYI_DATABASE_START_WAIT_SECONDS": "2",
        "PINGYI_REGISTRY_PORT": str(quiet_port()),
    }
    proc = Proc("registry", pingyi_command("serve", "registry"), env, tmp_path / "serve.log")
    code, output = proc.run_to_exit()
    assert code != 0, (code, output[-4000:])
    assert "Traceback" not in output, output[-4000:]
    assert SECRET not in output
    lines = output.splitlines()
    waits = [line for line in lines if f"waiting for PostgreSQL at 127.0.0.1:{port}/pingyi" in line]
    assert waits, output[-4000:]
    (gave_up,) = [line for line in lines if "cannot start: " in line]
    assert f"cannot start: PostgreSQL at 127.0.0.1:{port}/pingyi not usable after " in gave_up
    assert " attempts in 2 s; last: OperationalError: " in gave_up, gave_up


def test_the_wait_ends_at_the_first_attempt_that_works(caplog: pytest.LogCaptureFixture) -> None:
    failures = iter([OSError("refused\n\tIs the server running?"), OSError("refused")])

    async def attempt() -> str:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return "connected"

    with caplog.at_level(logging.INFO, logger="shared.service.start_wait"):
        got = asyncio.run(until_usable("PostgreSQL at h:1/db", attempt, wait=30, why=repr))
    assert got == "connected"
    said = [record.getMessage() for record in caplog.records]
    assert len(said) == 3, said
    assert said[0].startswith("waiting for PostgreSQL at h:1/db (attempt 1 failed: OSError(")
    assert "\n" not in said[0], "a failure is said in one line"
    assert said[2] == "connected to PostgreSQL at h:1/db"


def test_giving_up_says_the_last_failure_in_one_line() -> None:
    async def attempt() -> None:
        raise OSError("connection refused\n\tIs the server running on that host?")

    with pytest.raises(ServiceCannotStart) as refused:
        asyncio.run(until_usable("NATS at nats://h:4222", attempt, wait=0.2, why=str))
    assert str(refused.value) == (
        "NATS at nats://h:4222 not usable after 1 attempts in 0.2 s; last: connection"
        " refused Is the server running on that host?"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@db.example:6543/pingyi?sslmode=require", "db.example:6543/pingyi"),
        ("host=127.0.0.1 user=postgres password=pw", "127.0.0.1:5432/postgres"),
    ],
)
def test_a_database_is_named_without_its_credentials(url: str, shown: str) -> None:
    assert postgres_shown(url) == f"PostgreSQL at {shown}"
