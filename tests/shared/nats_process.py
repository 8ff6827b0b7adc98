"""A NATS server of a test's own (JetStream, own store, free loopback port), to kill at will."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.ports import quiet_port


def nats_binary() -> str:
    return shutil.which("nats-server") or "/usr/sbin/nats-server"


class NatsServer:
    """Restarts keep the port and the store directory, as a supervisor would."""

    def __init__(self, directory: Path) -> None:
        self.store = directory / "store"
        self.log = directory / "nats-server.log"
        self.port = quiet_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 20.0) -> None:
        args = [nats_binary(), "-a", "127.0.0.1", "-p", str(self.port), "-js"]
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [*args, "-sd", str(self.store)], stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_listening(timeout)

    def kill(self) -> None:
        """SIGKILL: whatever the server had not written to its store is gone."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=20)

    def _wait_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"nats-server exited, see {self.log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"nats-server not listening, see {self.log}") from None
                time.sleep(0.02)


@contextmanager
def running_nats(directory: Path) -> Iterator[NatsServer]:
    """A started server, killed however the test ends."""
    server = NatsServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.kill()
