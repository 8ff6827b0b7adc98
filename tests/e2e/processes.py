"""Start Pingyi as separate operating-system processes and talk to them over HTTP."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from pingyi.catalog import NAMES as SERVICES
from tests.conftest import ADMIN_KEY
from tests.ports import quiet_ports

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SEAL_KEY = "22" * 32


def pingyi_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pingyi", *args]


class Proc:
    """A process started in a session of its own, so that it and whatever it starts (the
    services of `pingyi up`, a service's relay and views) can be ended together."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _started.append(self)
        return self

    def kill_all(self) -> None:
        """SIGKILL to the process and every process it started, if any is left."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.process.wait(timeout=20)

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flush — a crash."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self, timeout: float = 30) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace") if self.log.exists() else ""

    def run_to_exit(self, timeout: float = 90) -> tuple[int, str]:
        """Start a process expected to end on its own: its exit code and output (killed,
        and the wait's error raised, if it outlives `timeout`)."""
        self.start()
        assert self.process is not None
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.kill()
        return code, self.output()


_started: list[Proc] = []


@atexit.register
def _end_what_tests_left() -> None:
    """A test that failed between starting a process and stopping it must not leave it
    running beside the rest of the suite (a whole `pingyi up` once ran on, unseen, through
    a later CI run): when the worker ends, so does everything it started."""
    for proc in _started:
        proc.kill_all()


def wait_ready(url: str, proc: Proc, timeout: float = 60) -> None:
    """Until `url` answers ready; a process that ends or never gets there is ended with all
    it started before the error is raised (the caller's own clean-up never ran)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.process is not None and proc.process.poll() is not None:
            proc.kill_all()
            raise RuntimeError(f"{proc.name} exited early:\n{proc.output()[-4000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill_all()
    raise TimeoutError(f"{proc.name} not ready at {url}:\n{proc.output()[-4000:]}")


def production_env(database_url: str, namespace: str, nats_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    env.update(
        {
            "PINGYI_MODE": "production",
            "PINGYI_DATABASE_URL": database_url,
            "PINGYI_NATS_URL": nats_url,
            "PINGYI_NAMESPACE": namespace,
            "PINGYI_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
            # Production refuses to start without its secrets (pingyi.cli_common).
            "PINGYI_SEAL_KEY": PRODUCTION_SEAL_KEY,
            "PINGYI_REGISTRY_CONTACT_KEY": "test-registry-contact-key",
            "PINGYI_SURVEY_VOTER_KEY": "test-survey-voter-key",
            "PINGYI_LOG_JSON": "true",
        }
    )
    return env


class ProductionSystem:
    """The five services, one process each, against PostgreSQL and JetStream."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = dict(env)
        self.workdir = workdir
        self.ports = dict(zip(SERVICES, quiet_ports(len(SERVICES)), strict=True))
        self.procs: dict[str, Proc] = {}

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def urls(self) -> dict[str, str]:
        return {s: self.url(s) for s in SERVICES}

    def start(self, service: str) -> None:
        env = dict(self.env)
        env[f"PINGYI_{service.upper()}_PORT"] = str(self.ports[service])
        proc = Proc(service, pingyi_command("serve", service), env, self.workdir / f"{service}.log")
        self.procs[service] = proc.start()
        wait_ready(self.url(service), proc)

    def start_all(self) -> ProductionSystem:
        for service in SERVICES:
            self.start(service)
        return self

    def stop_all(self) -> dict[str, int]:
        return {name: proc.stop() for name, proc in self.procs.items()}


class Api:
    """A small HTTP client speaking to the services by name."""

    def __init__(self, urls: dict[str, str], key: str = ADMIN_KEY) -> None:
        self.urls = urls
        self.key = key
        self.http = httpx.Client(timeout=60)

    def call(
        self,
        service: str,
        method: str,
        path: str,
        key: str | None = None,
        expect: int | None = None,
        **kwargs: Any,
    ) -> Any:
        headers = {"X-API-Key": key or self.key, **kwargs.pop("headers", {})}
        response = self.http.request(method, self.urls[service] + path, headers=headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {path}: {response.status_code} {response.text}"
            )
        elif response.status_code >= 400:
            raise AssertionError(
                f"{method} {service}{path}: {response.status_code} {response.text}"
            )
        return response.json()

    def head(self, service: str) -> int | None:
        head: int | None = self.call(service, "GET", "/positions")["head"]
        return head

    def wait_caught_up(self, downstream: str, upstream: str, timeout: float = 120) -> None:
        target = self.head(upstream)
        deadline = time.monotonic() + timeout
        while target is not None:
            applied = self.call(downstream, "GET", "/positions")["consumers"].get(upstream)
            if applied is not None and applied >= target:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{downstream} <- {upstream}: {applied} < {target}")
            time.sleep(0.05)
