"""The relay while request threads keep the interpreter lock busy (a push being validated):
run in the API's process, as before, and in a process of its own, as `run_relay` allows.

Threads doing pure-Python work stand in for the request threads. They share one
interpreter lock, so together they use at most one core; a relay in their process has to
take turns with them, a relay in its own process does not.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench import relay_path, write_path
from bench.infra import delete_streams

BUSY_THREADS = 2


def _burn(stop: threading.Event) -> None:
    total = 0
    while not stop.is_set():
        for i in range(20_000):
            total += i * i


@contextmanager
def busy(threads: int) -> Iterator[None]:
    stop = threading.Event()
    workers = [threading.Thread(target=_burn, args=(stop,), daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        stop.set()
        for worker in workers:
            worker.join()


def _in_this_process(nats_url: str, namespace: str, app: Any, batch: int, window: int) -> float:
    outbox = relay_path.survey_outbox(app)
    seconds, published = asyncio.run(
        relay_path.relay_seconds(nats_url, namespace, outbox, batch, window)
    )
    return published / seconds


def _in_own_process(
    nats_url: str, namespace: str, database_url: str, batch: int, window: int
) -> float:
    args = [database_url, nats_url, namespace, str(batch), str(window)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.relay_busy", *args],
        capture_output=True,
        check=True,
        timeout=relay_path.TIMEOUT_SECONDS,
    )
    result = json.loads(done.stdout)
    return float(result["published"]) / float(result["seconds"])


def notes(
    nats_url: str, namespace: str, database_url: str, app: Any, batch: int, window: int
) -> list[str]:
    """Both rates, measured while the same busy threads run in this (the API's) process."""
    spaces = [f"{namespace}x1", f"{namespace}x2"]
    try:
        with busy(BUSY_THREADS):
            shared = _in_this_process(nats_url, spaces[0], app, batch, window)
            own = _in_own_process(nats_url, spaces[1], database_url, batch, window)
    finally:
        for space in spaces:
            delete_streams(nats_url, space)
    return [
        f"while {BUSY_THREADS} CPU-bound threads run in the API's process: the relay in that"
        f" process {shared:,.0f} msgs/s, in a process of its own {own:,.0f} msgs/s"
    ]


def main() -> None:
    """The relay of `_in_own_process`: prints its own timing, start to caught up."""
    database_url, nats_url, namespace, batch, window = sys.argv[1:6]
    app = write_path.open_survey(database_url)
    try:
        outbox = relay_path.survey_outbox(app)
        seconds, published = asyncio.run(
            relay_path.relay_seconds(nats_url, namespace, outbox, int(batch), int(window))
        )
    finally:
        app.close()
    print(json.dumps({"seconds": seconds, "published": published}))


if __name__ == "__main__":
    main()
