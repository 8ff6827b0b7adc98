"""PostgreSQL unreachable while a service's relay or views process starts (`pingyi relay`,
`pingyi views`: what `pingyi serve` starts, and restarts whenever one ends, a PostgreSQL
restart included). Their first connection, for their share of the service's presence lock
(the rebuild guard), ended the process with a page of traceback; now they wait as `pingyi
serve` does (PINGYI_DATABASE_START_WAIT_SECONDS, one line per attempt), go on once the
database answers, and give up in one line (`cannot start: PostgreSQL at …`), exit 3."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import NATS_URL
from tests.e2e.processes import Proc, pingyi_command, production_env
from tests.pg_instance import PgInstance

pytestmark = pytest.mark.infra

CHILDREN = ["relay", "views"]
STARTED = {"relay": "relay process started", "views": "views process started"}


def _until_said(proc: Proc, words: str, after: int = 0, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while words not in proc.output()[after:]:
        assert proc.process is not None and proc.process.poll() is None, proc.output()[-4000:]
        assert time.monotonic() < deadline, proc.output()[-4000:]
        time.sleep(0.1)


@pytest.mark.parametrize("child", CHILDREN)
def test_a_child_gives_up_on_an_absent_database_in_one_line(
    own_postgres: PgInstance, nats_namespace: str, tmp_path: Path, child: str
) -> None:
    own_postgres.stop("fast")
    env = production_env(own_postgres.url("pingyi"), nats_namespace, NATS_URL)
    env |= {"PINGYI_LOG_JSON": "false", "PINGYI_DATABASE_START_WAIT_SECONDS": "2"}
    proc = Proc(child, pingyi_command(child, "registry"), env, tmp_path / f"{child}.log")
    code, output = proc.run_to_exit()
    assert code == 3, output[-4000:]
    assert "Traceback" not in output, output[-4000:]
    assert "waiting for PostgreSQL at 127.0.0.1" in output, output[-4000:]
    [gave_up] = [line for line in output.splitlines() if "cannot start: " in line]
    assert f"PostgreSQL at 127.0.0.1:{own_postgres.port}/pingyi not usable" in gave_up


@pytest.mark.parametrize("child", CHILDREN)
def test_a_child_waits_for_the_database_and_goes_on(
    own_postgres: PgInstance, nats_namespace: str, tmp_path: Path, child: str
) -> None:
    own_postgres.stop("fast")
    env = production_env(own_postgres.url("pingyi"), nats_namespace, NATS_URL)
    env |= {"PINGYI_LOG_JSON": "false", "PINGYI_DATABASE_START_WAIT_SECONDS": "300"}
    proc = Proc(child, pingyi_command(child, "registry"), env, tmp_path / f"{child}.log")
    proc.start()
    try:
        _until_said(proc, "waiting for PostgreSQL at ")
        seen = len(proc.output())
        own_postgres.start()
        _until_said(proc, "connected to PostgreSQL at ", seen)
        _until_said(proc, STARTED[child])
    finally:
        code = proc.stop()
    output = proc.output()
    assert code == 0, (code, output[-4000:])
    assert "Traceback" not in output, output[-4000:]
