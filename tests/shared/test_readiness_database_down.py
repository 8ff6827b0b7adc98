"""The probes and operators' reads while PostgreSQL is down (production, `pingyi serve` with
its relay and views children): once the database fails a ping they answer, naming the
database, and do not go on to read the views process's and the relay's status rows (or the
positions), each of which would wait out the pool's timeout for the same answer (about 23 s
in all for /readyz; /metrics, /syncz and /positions alike: shared/service/health.py).

/readyz answers not ready; /metrics answers this process's own metrics and
`pingyi_database_reachable 0`, leaving out what only the status rows know rather than show
their last values as current; /syncz answers 503 naming the database; /positions and
/operations/consumers answer 503 `database_unavailable`, saying that the ping failed."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.service.health import UNREAD
from tests.conftest import ADMIN_KEY, NATS_URL
from tests.e2e.processes import Proc, pingyi_command, production_env, wait_ready
from tests.pg_instance import PgInstance
from tests.ports import quiet_port

pytestmark = pytest.mark.infra
ADMIN = {"X-API-Key": ADMIN_KEY}

STATUS_ROW_METRICS = (
    "pingyi_views_process_current",
    "pingyi_relay_current",
    "pingyi_relay_status_age_seconds",
    "pingyi_relay_position",
    "pingyi_relay_published_total",
    "pingyi_relay_lag",
)
"""What /metrics knows only from the children's status rows."""


def get(url: str, path: str, **kwargs: Any) -> httpx.Response:
    # Long enough for the slow answers this test is about to fail on their bodies, not on a
    # timeout.
    return httpx.get(f"{url}{path}", timeout=120, **kwargs)


def readyz(url: str) -> tuple[int, dict[str, Any]]:
    response = get(url, "/readyz")
    body: dict[str, Any] = response.json()
    return response.status_code, body


def samples(metrics: str, name: str) -> list[str]:
    """The sample lines of the metric `name` (with or without labels)."""
    return re.findall(rf"^{re.escape(name)}(?:{{.*}})? .*$", metrics, re.M)


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


def test_the_probes_say_the_database_and_read_no_status_row_while_postgres_is_down(
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
        runs = {c["consumer"]: c["runs"] for c in before["consumers"]}
        apart = sorted(c for c, where in runs.items() if where == "own_process")
        here = sorted(c for c, where in runs.items() if where == "in_process")
        assert apart and here, runs
        metrics = get(url, "/metrics").text
        assert samples(metrics, "pingyi_database_reachable") == ["pingyi_database_reachable 1.0"]
        for name in (*STATUS_ROW_METRICS, "pingyi_consumer_position"):
            assert samples(metrics, name), (name, metrics)

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
        unread = [c for c in checks["consumers"] if c["runs"] == "own_process"]
        assert unread and all(c["last_position"] is None for c in unread), unread

        metrics_while_down(get(url, "/metrics"), apart, here)
        syncz_while_down(get(url, "/syncz"))
        for path in ("/positions", "/operations/consumers"):
            refused_while_down(get(url, path, headers=ADMIN))
    finally:
        proc.stop()


def metrics_while_down(response: httpx.Response, apart: list[str], here: list[str]) -> None:
    """This process's own metrics, the database said unreachable, and nothing from a status
    row: a series that is absent is stale in Prometheus, where a last value would not be."""
    metrics = response.text
    assert response.status_code == 200, metrics
    assert samples(metrics, "pingyi_database_reachable") == ["pingyi_database_reachable 0.0"]
    for name in STATUS_ROW_METRICS:
        assert not samples(metrics, name), (name, metrics)
    for consumer in apart:  # the views process's consumers are known from its row only
        assert f'consumer="{consumer}"' not in metrics, (consumer, metrics)
    for consumer in here:  # this process's own, in its memory
        assert f'pingyi_consumer_stalled{{consumer="{consumer}"' in metrics, (consumer, metrics)
    assert samples(metrics, "pingyi_views_process_running") == ["pingyi_views_process_running 1.0"]
    assert samples(metrics, "pingyi_relay_process_running") == ["pingyi_relay_process_running 1.0"]
    assert samples(metrics, "pingyi_http_requests_total"), metrics


def syncz_while_down(response: httpx.Response) -> None:
    body = response.json()
    assert response.status_code == 503 and body["status"] == "stalled", body
    assert body["checks"]["database"].startswith("unreachable: "), body
    unread = [c for c in body["checks"]["consumers"] if c["runs"] == "own_process"]
    assert unread and all(c["last_position"] is None for c in unread), unread


def refused_while_down(response: httpx.Response) -> None:
    body = response.json()
    assert response.status_code == 503, body
    assert response.headers["retry-after"], response.headers
    [detail] = body["detail"]
    assert body["error"] == detail["code"] == "database_unavailable", body
    assert detail["reason"].startswith("数据库未响应, 未读取任何内容"), body
    assert "(the database did not answer a ping" in detail["reason"], body
