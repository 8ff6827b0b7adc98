"""`pingyi rebuild` in production, against a service running as processes of its own on the
real PostgreSQL and NATS: refused in one line (exit 2), naming who holds the service, while
any process of it runs — so a running service never answers 404s or refuses valid keys
because its views were dropped under it — and a process of the service started while a
rebuild runs waits for the rebuild before it touches its views. Once the service is
stopped, the rebuild runs.

One service process (`pingyi serve registry`, with its relay and views children) serves
the whole module, started while the test holds the lock as a rebuild would."""

from __future__ import annotations

import asyncio
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from pingyi.cli import app as cli
from shared.rebuild import service_stopped
from tests.conftest import ADMIN_KEY, NATS_URL, PG_ADMIN_URL, _delete_streams
from tests.e2e.processes import Proc, pingyi_command, production_env, wait_ready
from tests.ports import quiet_ports

pytestmark = [pytest.mark.infra]

SERVICE = "registry"
HELD_SECONDS = 3.0
"""How long the started service is kept waiting behind the test's rebuild lock."""
WAITING = f"waiting for `pingyi rebuild {SERVICE}` to finish"


@dataclass
class Served:
    proc: Proc
    url: str
    env: dict[str, str]
    database_url: str
    namespace: str
    said_while_held: str = ""
    listening_while_held: bool = True

    def pid(self) -> int:
        assert self.proc.process is not None
        return self.proc.process.pid


def _eventually(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _holders(database_url: str) -> list[str]:
    """The sessions holding the service's presence lock (every process of the service)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.mode = 'ShareLock'"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchall()
    return [row[0] for row in rows]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    name = f"pingyi_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    database_url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    namespace = f"t{uuid.uuid4().hex[:10]}"
    port = quiet_ports(1)[0]
    env = production_env(database_url, namespace, NATS_URL)
    env[f"PINGYI_{SERVICE.upper()}_PORT"] = str(port)
    workdir = tmp_path_factory.mktemp("rebuild-while-serving")
    proc = Proc(SERVICE, pingyi_command("serve", SERVICE), env, workdir / "serve.log")
    served = Served(proc, f"http://127.0.0.1:{port}", env, database_url, namespace)
    try:
        with service_stopped(database_url, namespace, SERVICE):  # as `pingyi rebuild` holds it
            proc.start()
            _eventually(lambda: WAITING in proc.output(), 120)
            time.sleep(HELD_SECONDS)  # a start that did not wait would be serving by now
            served.said_while_held = proc.output()
            served.listening_while_held = _listening(port)
        wait_ready(served.url, proc)
        yield served
    finally:
        proc.stop()
        asyncio.run(_delete_streams(namespace.upper() + "_"))
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Done:
    code: int
    said: str
    """What it printed, its lines joined (the console wraps long ones)."""


def _rebuild(served: Served, *views: str) -> Done:
    """`pingyi rebuild` in the environment `pingyi serve` has (run in this process: a
    command's process would spend most of its time importing the services)."""
    result = CliRunner().invoke(cli, ["rebuild", SERVICE, *views], env=served.env)
    return Done(result.exit_code, " ".join(result.output.split()))


def test_a_service_started_during_a_rebuild_waits_for_it_then_serves(served: Served) -> None:
    said = served.said_while_held
    assert WAITING in said, said[-4000:]
    assert not served.listening_while_held, "it served while its views were being rebuilt"
    assert "Traceback" not in said, said[-4000:]
    assert "rebuild of registry is over" in served.proc.output()
    assert httpx.get(f"{served.url}/readyz", timeout=5).status_code == 200


def test_a_rebuild_is_refused_while_any_process_of_the_service_runs(served: Served) -> None:
    admin = {"X-API-Key": ADMIN_KEY}
    http = httpx.Client(base_url=served.url, timeout=30)
    city = http.post("/jurisdictions", json={"name": "漯河市", "level": "city"}, headers=admin)
    assert city.status_code == 201, city.text
    auditor = http.post("/principals", json={"name": "审计", "role": "auditor"}, headers=admin)
    assert auditor.status_code == 201, auditor.text
    key = {"X-API-Key": auditor.json()["api_key"]}

    def reads() -> bool:
        listed = http.get("/jurisdictions", headers=key)
        return listed.status_code == 200 and [j["name"] for j in listed.json()] == ["漯河市"]

    assert _eventually(reads, 30), http.get("/jurisdictions", headers=key).text
    # The API process and its relay and views children, each holding its share.
    assert _eventually(lambda: len(_holders(served.database_url)) == 3, 120), _holders(
        served.database_url
    )

    for views in ((), ("security",)):
        done = _rebuild(served, *views)
        said = done.said
        assert done.code == 2, said
        assert "Traceback" not in said, said
        assert said.startswith("无法重建 rebuild cannot run: "), said
        assert f"{SERVICE} is running" in said, said
        assert "3 processes" in said, said
        # host:pid:instance (shared.instance), the pid the serving process's
        assert re.search(rf"pingyi-leases {SERVICE} \S+:{served.pid()}:[0-9a-f]{{6}}", said), said
        assert "stop every process" in said, said
    # Nothing was dropped under the running service: its views and its keys are as they were.
    assert reads(), http.get("/jurisdictions", headers=key).text


def test_a_rebuild_runs_once_the_service_is_stopped(served: Served) -> None:
    assert served.proc.stop() in (0, -15), served.proc.output()[-4000:]
    assert _eventually(lambda: not _holders(served.database_url), 30)
    done = _rebuild(served)
    assert done.code == 0, done.said
    assert "security" in done.said, done.said


def test_a_second_rebuild_is_refused_while_one_runs(served: Served) -> None:
    with service_stopped(served.database_url, served.namespace, SERVICE):
        done = _rebuild(served, "security")
    said = done.said
    assert done.code == 2, said
    assert f"another pingyi rebuild of {SERVICE} is running" in said, said
    assert f"pingyi rebuild {SERVICE}" in said, said
