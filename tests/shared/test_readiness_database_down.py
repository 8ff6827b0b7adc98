"""/readyz while PostgreSQL is down (production, `pingyi serve` with its relay and views
children): once the database ping fails it answers not ready naming the database, and does
not go on to read the views process's and the relay's status rows, each of which would wait
out the pool's timeout (about 23 s in all) for the same answer (shared/service/health.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.service.health import UNREAD
from tests.conftest import NATS_URL
from tests.e2e.processes import Proc, pingyi_command, production_env, wait_ready
from tests.pg_instance import PgInstance
from tests.ports import quiet_port

pytestmark = pytest.mark.infra


def readyz(url: str) -> tuple[int, dict[str, Any]]:
    # Long enough for the 23 s answer this test is about to fail on its body, not a timeout.
    response = httpx.get(f"{url}/readyz", timeout=120)
    body: dict[str, Any] = response.json()
    return response.status_code, body


def until_children_report(url: str, proc: Proc, timeout: float = 60) -> dict[str, Any]:
    """/readyz's checks once both children's status rows are current: the reads that the
    outage must then skip have something to read."""
    deadline = time.monotonic() + timeout
    while True:
        checks: dict[str, Any] = readyz(url)[1]["checks"]
        if checks["views"]["current"] and checks["relay"]["current"]:
            return checks
        assert time.monotonic() < deadline, (checks, proc.output()[-4000:])
        time.sleep(0.1)


def test_readyz_says_the_database_and_reads_no_status_row_while_postgres_is_down(
    own_postgres: PgInstance, nats_namespace: str, tmp_path: Path
) -> None:
    port = quiet_port()
    env = production_env(own_postgres.url("pingyi"), nats_namespace, NATS_URL)
    env |= {"PINGYI_LOG_JSON": "false", "PINGYI_REGISTRY_PORT": str(port)}
    proc = Proc("registry", pingyi_command("serve", "registry"), env, tmp_path / "serve.log")
    url = f"http://127.0.0.1:{port}"
    proc.start()
    try:
        wait_ready(url, proc)
        before = until_children_report(url, proc)
        assert "status_error" not in before["views"] and "status_error" not in before["relay"]

        own_postgres.stop("fast")
        status, body = readyz(url)
        checks = body["checks"]
        assert status == 503 and body["status"] == "not_ready", body
        assert checks["database"].startswith("unreachable: "), checks
        # Said as not read, not as the pool's timeout (or refusal) an attempted read gets.
        assert checks["views"]["status_error"] == UNREAD, checks["views"]
        assert checks["relay"]["status_error"] == UNREAD, checks["relay"]
        assert not checks["views"]["current"] and not checks["relay"]["current"]
        assert "age_seconds" not in checks["views"] and "holder" not in checks["relay"]
        # The children's own state is this process's to know, database or not.
        assert checks["views"]["process"]["running"] and checks["relay"]["process"]["running"]
        apart = [c for c in checks["consumers"] if c["runs"] == "own_process"]
        assert apart and all(c["last_position"] is None for c in apart), apart
    finally:
        proc.stop()
