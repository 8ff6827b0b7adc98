"""A three-node NATS JetStream cluster of a test's own: nats-server processes on free loopback
ports, each with its own store directory and routes to the other two, to kill at will."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import nats
from nats.js.api import StreamConfig

from tests.ports import quiet_port
from tests.shared.nats_process import nats_binary


def server_version() -> tuple[int, int, int]:
    found = subprocess.run(
        [nats_binary(), "--version"], capture_output=True, text=True, timeout=10, check=False
    )
    match = re.search(r"v(\d+)\.(\d+)\.(\d+)", found.stdout + found.stderr)
    if match is None:
        raise RuntimeError(f"cannot tell nats-server's version: {found.stdout!r}")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def fsync_always_supported() -> bool:
    """`sync_interval: always` (fsync every write before the ack) came with nats-server 2.10;
    2.9 refuses the field."""
    return server_version() >= (2, 10, 0)


class ClusterNode:
    def __init__(self, directory: Path, name: str, cluster: str) -> None:
        self.name = name
        self.directory = directory
        self.port = quiet_port()
        self.cluster_port = quiet_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.config = directory / "nats.conf"
        self.log = directory / "nats-server.log"
        self._cluster = cluster
        self._process: subprocess.Popen[bytes] | None = None

    def write_config(self, peers: list[ClusterNode], fsync_always: bool) -> None:
        routes = ", ".join(f'"nats-route://127.0.0.1:{p.cluster_port}"' for p in peers)
        sync = "\n  sync_interval: always" if fsync_always else ""
        self.config.write_text(
            f"""server_name: {self.name}
listen: 127.0.0.1:{self.port}
jetstream {{
  store_dir: "{self.directory / "store"}"{sync}
}}
cluster {{
  name: {self._cluster}
  listen: 127.0.0.1:{self.cluster_port}
  routes: [{routes}]
}}
""",
            encoding="utf-8",
        )

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 20.0) -> None:
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [nats_binary(), "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.name} not listening, see {self.log}") from None
                time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: the server writes nothing more, says goodbye to no peer."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=20)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class NatsCluster:
    def __init__(self, directory: Path, size: int = 3) -> None:
        self.name = f"pingyi-test-{directory.name}"[:60]
        self.nodes = []
        for index in range(1, size + 1):
            node_dir = directory / f"n{index}"
            node_dir.mkdir(parents=True)
            self.nodes.append(ClusterNode(node_dir, f"n{index}", self.name))
        self.fsync_always = fsync_always_supported()
        for node in self.nodes:
            node.write_config([p for p in self.nodes if p is not node], self.fsync_always)

    @property
    def url(self) -> str:
        """Every node, as `PINGYI_NATS_URL` takes them."""
        return ",".join(node.url for node in self.nodes)

    def node(self, name: str) -> ClusterNode:
        return next(n for n in self.nodes if n.name == name)

    def start(self, timeout: float = 60.0) -> None:
        for node in self.nodes:
            node.start()
        asyncio.run(self._wait_replicated(timeout))

    async def _wait_replicated(self, timeout: float) -> None:
        """Until the cluster has elected its JetStream meta leader and can place a stream
        on every node (the routes and the election take a few seconds)."""
        nc = await nats.connect([n.url for n in self.nodes], connect_timeout=5)
        try:
            js = nc.jetstream(timeout=5)
            deadline = time.monotonic() + timeout
            probe = StreamConfig(name="CLUSTER_PROBE", subjects=["cluster.probe"], num_replicas=3)
            while True:
                try:
                    await js.add_stream(probe)
                    await js.delete_stream("CLUSTER_PROBE")
                    return
                except Exception as error:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"the cluster never formed: {error}") from error
                    await asyncio.sleep(0.2)
        finally:
            await nc.close()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
