"""Keyed requests while PostgreSQL is down (production, `pingyi serve registry`): the key is
looked up in the database before anything else, and that lookup used to wait out the pool's
timeout (PINGYI_DATABASE_WAIT_TIMEOUT) before its 503, for every principal but the bootstrap
admin. The process pings the database in the background (`shared.service.reachability`);
once a ping has failed, keyed requests answer at once with 503 `database_unavailable`, and
once one succeeds they are served again.

The pool's wait is set far above the client's timeout here, so a lookup that waits for the
pool fails the test by its timeout: nothing is timed."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_KEY, NATS_URL
from tests.e2e.processes import Proc, pingyi_command, production_env, wait_ready
from tests.pg_instance import PgInstance
from tests.ports import quiet_port

pytestmark = pytest.mark.infra

POOL_WAIT = 300
"""PINGYI_DATABASE_WAIT_TIMEOUT: what a lookup that goes to the pool would wait."""
CLIENT_TIMEOUT = 60
"""Far below POOL_WAIT, far above a prompt answer."""
DOWN = "database unreachable; keyed requests answer 503"
BACK = "database reachable again"


def wait_for_line(proc: Proc, line: str, after: int, timeout: float = 60) -> None:
    """Until the process has said `line` after the first `after` characters of its output."""
    deadline = time.monotonic() + timeout
    while line not in proc.output()[after:]:
        assert time.monotonic() < deadline, (line, proc.output()[-4000:])
        time.sleep(0.1)


def test_keyed_requests_answer_database_unavailable_at_once_while_postgres_is_down(
    own_postgres: PgInstance, nats_namespace: str, tmp_path: Path
) -> None:
    port = quiet_port()
    env = production_env(own_postgres.url("pingyi"), nats_namespace, NATS_URL)
    env |= {
        "PINGYI_LOG_JSON": "false",
        "PINGYI_REGISTRY_PORT": str(port),
        "PINGYI_DATABASE_WAIT_TIMEOUT": str(POOL_WAIT),
    }
    proc = Proc("registry", pingyi_command("serve", "registry"), env, tmp_path / "serve.log")
    url = f"http://127.0.0.1:{port}"
    proc.start()
    try:
        wait_ready(url, proc)
        with httpx.Client(base_url=url, timeout=CLIENT_TIMEOUT) as client:
            issued = client.post(
                "/principals",
                json={"name": "审计员", "role": "auditor"},
                headers={"X-API-Key": ADMIN_KEY},
            )
            assert issued.status_code == 201, issued.text
            auditor = {"X-API-Key": issued.json()["api_key"]}
            for path in ("/positions", "/principals"):
                assert client.get(path, headers=auditor).status_code == 200

            seen = len(proc.output())
            own_postgres.stop("fast")
            wait_for_line(proc, DOWN, seen)
            for path in ("/positions", "/principals"):
                refused = client.get(path, headers=auditor)
                body = refused.json()
                assert refused.status_code == 503, body
                assert refused.headers["retry-after"], refused.headers
                [detail] = body["detail"]
                assert body["error"] == detail["code"] == "database_unavailable", body
                assert detail["reason"].startswith("数据库未响应, 暂时无法核对 API 密钥"), body
                assert "(the database did not answer its last ping" in detail["reason"], body
            # An unknown key is not said to be unknown: nothing could be checked.
            unknown = client.get("/positions", headers={"X-API-Key": "pyk_unknown"})
            assert unknown.status_code == 503, unknown.text

            seen = len(proc.output())
            own_postgres.start()
            wait_for_line(proc, BACK, seen)
            for path in ("/positions", "/principals"):
                served = client.get(path, headers=auditor)
                assert served.status_code == 200, served.text
    finally:
        proc.stop()
