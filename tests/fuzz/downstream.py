"""Nothing stuck downstream of a fuzzed cluster: every consumer of every service at its
upstream's head, none stalled, /positions saying the same, every service ready."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from pingyi.catalog import NAMES as SERVICES
from tests.fuzz.seed import Fuzzed
from tests.harness import ADMIN, Cluster, wait_caught_up


def assert_nothing_stuck_downstream(fuzzed: Fuzzed) -> None:
    cluster = fuzzed.cluster
    heads = {service: cluster.head(service) for service in SERVICES}
    checked = 0
    for service in SERVICES:
        consumers = cluster[service].get("/positions", headers=ADMIN).json()["consumers"]
        for upstream in consumers:
            wait_caught_up(
                lambda upstream=upstream: heads[upstream],
                lambda service=service, upstream=upstream: _applied(cluster, service, upstream),
                f"{service} <- {upstream}",
            )
            checked += 1
        positions = cluster[service].get("/positions", headers=ADMIN).json()["consumers"]
        assert positions == {upstream: heads[upstream] for upstream in positions}, service
        ready = _probe(cluster, service)
        assert ready.status_code == 200, f"{service}: {ready.text}"
    assert heads == {service: cluster.head(service) for service in SERVICES}  # all settled
    assert checked >= len(SERVICES) - 1  # every service but registry reads another's log


def _probe(cluster: Cluster, service: str) -> Any:
    """/readyz from an address of its own, as an orchestrator's probe would come: the fuzzer
    may have spent its own address's public rate on the public routes."""
    prober = TestClient(cluster[service].app, client=("192.0.2.10", 4711))
    return prober.get("/readyz")


def _applied(cluster: Cluster, service: str, upstream: str) -> int | None:
    """The least position any of the service's consumers of `upstream` has applied, failing
    at once (not after the timeout) if one of them stalled."""
    checks = _probe(cluster, service).json()["checks"]
    positions = []
    for status in checks["consumers"]:
        if status["upstream"] == upstream:
            assert not status["stalled"], f"{service} <- {upstream}: {status['stalled_reason']}"
            positions.append(status["last_position"])
    assert positions, f"{service} has no consumer of {upstream}"
    if any(p is None for p in positions):
        return None
    return min(positions)
