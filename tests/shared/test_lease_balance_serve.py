"""Leases follow the replicas of a service run as `pingyi serve` processes in production
mode (`shared.service.leases`, "Balance"; docs/scaling.md, "Leases follow the
replicas"): inspection's nine leased view consumers, applied by one replica's views
process, spread over a second and a third replica as they start, and over the two left
when one stops. Who leads what is what each replica's `/operations/consumers` says."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from pingyi import catalog
from shared.service.leases import fair_share
from shared.service.view_consumers import apart
from tests.conftest import ADMIN_KEY, NATS_URL
from tests.e2e.processes import Proc, pingyi_command, production_env, wait_ready
from tests.ports import quiet_ports

pytestmark = [pytest.mark.e2e, pytest.mark.infra]
SERVICE = "inspection"
LEASED = {(e.consumer, e.upstream) for e in apart(SERVICE, catalog.definition(SERVICE).views)}
NAMES = ("registry", "a", "b", "c")


class Replicas:
    """`pingyi serve registry` once and `pingyi serve inspection` as "a", "b" and "c"."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.ports = dict(zip(NAMES, quiet_ports(len(NAMES)), strict=True))
        self.procs: dict[str, Proc] = {}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str) -> None:
        service = "registry" if name == "registry" else SERVICE
        env = self.env | {f"PINGYI_{service.upper()}_PORT": str(self.ports[name])}
        proc = Proc(name, pingyi_command("serve", service), env, self.workdir / f"{name}.log")
        self.procs[name] = proc.start()
        wait_ready(self.url(name), proc)

    def leaders(self, names: tuple[str, ...]) -> dict[tuple[str, str], list[str]]:
        """Each leased view consumer -> the replicas saying they apply it."""
        led: dict[tuple[str, str], list[str]] = {pair: [] for pair in LEASED}
        for name in names:
            response = httpx.get(
                f"{self.url(name)}/operations/consumers",
                headers={"X-API-Key": ADMIN_KEY},
                timeout=10,
            )
            assert response.status_code == 200, response.text
            for consumer in response.json()["consumers"]:
                pair = (consumer["consumer"], consumer["upstream"])
                if pair in led and consumer["leading"]:
                    led[pair].append(name)
        return led

    def output(self) -> str:
        return "\n".join(f"--- {n}\n{p.output()[-3000:]}" for n, p in self.procs.items())


@pytest.fixture
def replicas(database_url: str, nats_namespace: str, tmp_path: Path) -> Iterator[Replicas]:
    running = Replicas(production_env(database_url, nats_namespace, NATS_URL), tmp_path)
    try:
        running.start("registry")
        yield running
    finally:
        for proc in running.procs.values():
            proc.stop()


def _until(predicate: Callable[[], bool], what: str, replicas: Replicas) -> None:
    deadline = time.monotonic() + 90
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}\n{replicas.output()}")
        time.sleep(0.2)


def _fair(replicas: Replicas, names: tuple[str, ...]) -> bool:
    """Every leased view consumer applied by exactly one of `names`, each its share."""
    led = replicas.leaders(names)
    if any(len(leaders) != 1 for leaders in led.values()):
        return False
    counts = Counter(leaders[0] for leaders in led.values())
    low, high = fair_share(len(LEASED), len(names))
    return all(low <= counts[name] <= high for name in names)


def test_the_views_of_a_service_spread_over_its_replicas(replicas: Replicas) -> None:
    assert len(LEASED) == 9  # an uneven share over two replicas, an even one over three
    replicas.start("a")
    _until(lambda: _fair(replicas, ("a",)), "one replica applies every view", replicas)
    replicas.start("b")
    _until(lambda: _fair(replicas, ("a", "b")), "four views each on two replicas", replicas)
    replicas.start("c")
    _until(lambda: _fair(replicas, ("a", "b", "c")), "two or three each on three", replicas)
    replicas.procs["b"].stop()
    _until(lambda: _fair(replicas, ("a", "c")), "b's views went to a and c", replicas)
