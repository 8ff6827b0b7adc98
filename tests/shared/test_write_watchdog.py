"""The write watchdog on its own: what it reports while writes are in flight, and how it
ends the session of a write that overruns (the callback stands in for pg_terminate_backend)."""

from __future__ import annotations

import threading

import pytest

from shared.persistence.watchdog import WriteTimeoutError, WriteWatchdog


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_write_past_the_threshold_makes_the_watchdog_not_ready_until_it_ends() -> None:
    clock = Clock()
    watchdog = WriteWatchdog(stall_after=15.0, clock=clock)
    assert watchdog.ready and watchdog.status()["in_flight"] == 0

    with watchdog.track(events=1001) as write:
        with watchdog.attach(write, backend_pid=4242):
            clock.now += 10
            assert watchdog.ready and watchdog.status()["oldest_seconds"] == 10.0
            clock.now += 6
            status = watchdog.status()
            assert not watchdog.ready and status["status"] == "stalled"
            assert status["stalled"][0]["events"] == 1001
            assert status["stalled"][0]["backend_pid"] == 4242
            metrics = {m.name: m for m in watchdog.metrics()}
            assert metrics["pingyi_db_writes_stalled"].samples[0].value == 1
        assert watchdog.in_flight()[0].backend_pid is None  # the session went back to the pool

    assert watchdog.ready and watchdog.completed == 1


def test_outcomes_are_counted() -> None:
    watchdog = WriteWatchdog()
    with pytest.raises(WriteTimeoutError), watchdog.track(events=1):
        raise WriteTimeoutError("canceling statement due to statement timeout")
    with pytest.raises(RuntimeError), watchdog.track(events=1):
        raise RuntimeError("boom")
    with watchdog.track(events=1):
        pass
    assert (watchdog.timed_out, watchdog.failed, watchdog.completed) == (1, 1, 1)
    samples = {
        s.labels["outcome"]: s.value
        for m in watchdog.metrics()
        if m.name == "pingyi_db_writes"
        for s in m.samples
        if s.name == "pingyi_db_writes_total"
    }
    assert samples == {"completed": 1, "failed": 1, "timed_out": 1, "terminated": 0}


def test_the_session_of_an_overrunning_write_is_ended_once_and_not_after_it_is_released() -> None:
    ended: list[int] = []
    released = threading.Event()

    def terminate(backend_pid: int) -> None:
        ended.append(backend_pid)
        released.set()  # as when the server ends the session: the write fails at once

    watchdog = WriteWatchdog(stall_after=0.05, terminate_after=0.2, terminate=terminate)
    try:
        with watchdog.track(events=3) as write, watchdog.attach(write, backend_pid=77):
            assert released.wait(timeout=30), "the watchdog never ended the session"
        assert write.terminated and watchdog.terminated == 1

        with watchdog.track(events=1) as quick, watchdog.attach(quick, backend_pid=78):
            pass  # finished long before terminate_after
        assert ended == [77]
    finally:
        watchdog.close()


def test_leaving_a_session_waits_for_a_termination_under_way() -> None:
    """Otherwise the session could go back to the pool and be ended under another write."""
    terminating, proceed, left = threading.Event(), threading.Event(), threading.Event()

    def terminate(backend_pid: int) -> None:
        terminating.set()
        proceed.wait(timeout=30)

    watchdog = WriteWatchdog(terminate_after=0.1, terminate=terminate)

    def write() -> None:
        with watchdog.track(events=1) as tracked, watchdog.attach(tracked, backend_pid=5):
            terminating.wait(timeout=30)
        left.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert terminating.wait(timeout=30)
        assert not left.wait(timeout=0.2)  # still held while pg_terminate_backend runs
    finally:
        proceed.set()
        writer.join(timeout=30)
        watchdog.close()
    assert left.is_set() and watchdog.terminated == 1
