"""Loopback ports for the servers tests start (services, PostgreSQL, NATS), chosen where
nothing else takes them between the choice and the server's bind."""

from __future__ import annotations

import os
import random
import socket

QUIET_PORTS = (20_000, 32_000)
"""Below Linux's ephemeral range (32768–60999 by default): no outbound connection of any
process on the machine is given one of these, so a port chosen here stays free until the
server binds it — and again between a SIGKILL and the restart on the same port."""
MIN_SLICES = 4
"""The range is cut in one slice per worker of a run spread over processes
(`PYTEST_XDIST_WORKER` of `PYTEST_XDIST_WORKER_COUNT`), at least this many, so that two
workers never choose the same port however many there are."""
_handed: set[int] = set()


def _slice() -> tuple[int, int]:
    low, high = QUIET_PORTS
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return low, high
    slices = max(MIN_SLICES, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0")))
    width = (high - low) // slices
    start = low + (int(worker[2:]) % slices) * width
    return start, start + width


def quiet_ports(count: int) -> list[int]:
    """`count` consecutive ports of this worker's slice, free when chosen and not handed out
    before by this process (a server chosen a port for may not have bound it yet)."""
    low, high = _slice()
    for attempt in range(400):
        base = random.randrange(low, high - count)
        ports = range(base, base + count)
        if attempt < 200 and not _handed.isdisjoint(ports):
            continue
        if _all_free(ports):
            _handed.update(ports)
            return list(ports)
    raise RuntimeError("no run of free ports below the ephemeral range")


def quiet_port() -> int:
    return quiet_ports(1)[0]


def _all_free(ports: range) -> bool:
    sockets = []
    try:
        for port in ports:
            s = socket.socket()
            sockets.append(s)
            s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        for s in sockets:
            s.close()
