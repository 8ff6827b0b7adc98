"""The services as separate processes, and the faults: SIGKILL of a service (its whole
process group, relay included, as when a container dies), NATS killed and restarted,
PostgreSQL stopped in immediate mode (no checkpoint: crash recovery on start) and started
again at once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.e2e.processes import ProductionSystem, wait_ready
from tests.pg_instance import PgInstance
from tests.ports import quiet_ports
from tests.shared.nats_process import NatsServer

SERVICES = ("registry", "survey", "inspection", "scoring")


class FaultySystem(ProductionSystem):
    def __init__(
        self,
        env: dict[str, str],
        workdir: Path,
        postgres: PgInstance,
        nats: NatsServer,
        services: tuple[str, ...] = SERVICES,
    ) -> None:
        super().__init__(env, workdir)
        self.ports = dict(zip(self.ports, quiet_ports(len(self.ports)), strict=True))
        self.services = services
        self.postgres = postgres
        self.nats = nats
        self.faults: list[str] = []
        """What was done, in order, for the test's report."""

    def start_all(self) -> FaultySystem:
        for service in self.services:
            self.start(service)
        return self

    def stop_all(self) -> dict[str, int]:
        codes = super().stop_all()
        for proc in self.procs.values():
            if proc.process is not None:
                _kill_group(proc.process)  # a relay child left behind, if any
        return codes

    def kill(self, service: str) -> None:
        """SIGKILL to the service and its relay at once: nothing gets to shut down."""
        proc = self.procs[service]
        assert proc.process is not None
        _kill_group(proc.process)
        self.faults.append(f"SIGKILL {service}")

    def kill_and_restart(self, service: str) -> None:
        self.kill(service)
        self.start(service)

    def restart_nats(self, while_down: Callable[[], None] = lambda: None) -> None:
        """SIGKILL, then `while_down` (the ingest goes on: PostgreSQL is the system of
        record, the relays fall behind), then the server again on its port and store."""
        self.nats.kill()
        while_down()
        self.nats.start()
        self.faults.append("SIGKILL nats-server, restarted")

    def restart_postgres(self) -> None:
        """Immediate stop (like a crash: no checkpoint, every session cut), then started at
        once; the services must find the server again by themselves."""
        self.postgres.stop("immediate")
        self.postgres.start()
        self.postgres.wait_accepting()
        self.faults.append("PostgreSQL stopped (immediate) and restarted")

    def wait_all_ready(self, timeout: float = 120) -> None:
        for service in self.services:
            wait_ready(self.url(service), self.procs[service], timeout)

    def output(self) -> str:
        return "\n".join(f"--- {n}\n{p.output()[-3000:]}" for n, p in self.procs.items())


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    pid = process.pid  # started with start_new_session: the leader of a group of its own
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait(timeout=20)  # reaped, so only the relay (if alive) keeps the group
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
