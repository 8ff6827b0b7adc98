"""The ports tests give their servers (tests/ports.py): below the ephemeral range, free when
chosen, never handed out twice by one process, and apart for each worker of a spread run."""

from __future__ import annotations

import socket

import pytest

from tests import ports


def test_ports_are_quiet_free_and_not_handed_out_twice() -> None:
    handed = [port for _ in range(50) for port in ports.quiet_ports(3)]
    assert len(set(handed)) == len(handed)
    low, high = ports.QUIET_PORTS
    assert all(low <= port < high for port in handed)
    for port in handed[:5]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_a_port_in_use_is_never_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))  # an ephemeral port: nothing of the slice
        busy = held.getsockname()[1]
        monkeypatch.setattr(ports, "QUIET_PORTS", (busy, busy + 50))
        monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
        offers = iter([busy, busy + 10])
        monkeypatch.setattr(ports.random, "randrange", lambda low, high: next(offers))
        assert ports.quiet_port() == busy + 10


@pytest.mark.parametrize("workers", [2, 4, 7, 16])
def test_each_worker_has_a_slice_of_its_own(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", str(workers))
    slices = []
    for worker in range(workers):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", f"gw{worker}")
        slices.append(range(*ports._slice()))
    for i, one in enumerate(slices):
        assert len(one) >= 500  # room for a test's servers
        for other in slices[i + 1 :]:
            assert not set(one) & set(other)
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert ports._slice() == ports.QUIET_PORTS
