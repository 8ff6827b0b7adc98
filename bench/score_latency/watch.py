"""The pushes (load and probe) and the watchers of the stream, scoring's positions and the
standings; then where each push landed in survey's log."""

from __future__ import annotations

import asyncio
import bisect
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
import psycopg

from bench.survey_ingest import children
from services.scoring.rounds.replay import BATCH_RECORDED, RECORDED
from shared.messaging.jetstream import stream_name

POSITIONS_EVERY = 0.025
"""Under the default `/positions` rate limit (50 a second per principal)."""


# --- pushes and monitors ----------------------------------------------------------------


@dataclass
class Push:
    kind: str
    """"load" or "probe"."""
    size: int
    sent: float
    answered: float
    batch_id: str | None
    accepted: int
    quarantined: int
    position: int | None = None
    """Survey's log position of the push's last questionnaire message."""
    sequence: int | None = None
    """That message's sequence on the survey stream (the relay publishes every published
    row in order, from 1 in a fresh namespace)."""
    published: float | None = None
    applied: float | None = None
    standing: float | None = None


@dataclass
class Observations:
    """(time the answer arrived, scoring's survey position in it), in arrival order."""

    positions: list[tuple[float, int]] = field(default_factory=list)
    stream: list[tuple[float, int]] = field(default_factory=list)
    """(arrival, the survey stream's last sequence)."""
    standings: list[tuple[float, int]] = field(default_factory=list)
    standings_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def post(http: httpx.Client, url: str, key: str, payload: bytes, idempotency: str) -> Any:
    headers = {"X-API-Key": key, "Content-Type": "application/json", "Idempotency-Key": idempotency}
    response = http.post(url, content=payload, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"push {idempotency}: {response.status_code} {response.text[:500]}")
    result = response.json()
    if result["problems"] or result["duplicates"]:
        raise RuntimeError(f"push {idempotency}: {json.dumps(result)[:1000]}")
    return result


def load(
    url: str,
    key: str,
    bodies: list[bytes],
    clients: int,
    pushes: list[Push],
    lock: threading.Lock,
    sizes: list[int],
) -> None:
    """The ingest benchmark's clients: each takes the next body until none is left."""
    pending = iter(enumerate(bodies))
    failures: list[str] = []

    def client() -> None:
        with httpx.Client(timeout=300) as http:
            while True:
                with lock:
                    item = next(pending, None)
                if item is None or failures:
                    return
                index, payload = item
                sent = time.perf_counter()
                try:
                    result = post(http, url, key, payload, f"load-{index}")
                except Exception as error:
                    failures.append(str(error))
                    return
                answered = time.perf_counter()
                with lock:
                    pushes.append(
                        Push(
                            "load",
                            sizes[index],
                            sent,
                            answered,
                            result["batch_id"],
                            result["accepted"],
                            result["quarantined"],
                        )
                    )

    threads = [threading.Thread(target=client, name=f"load-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError("; ".join(failures))


def probe(
    url: str,
    key: str,
    make: Callable[[int], bytes],
    every: float,
    minimum: int,
    load_done: threading.Event,
    pushes: list[Push],
    lock: threading.Lock,
    size: int,
    failures: list[str],
) -> None:
    """One small push every `every` seconds while the load runs (and `minimum` at least);
    `make(i)` is the i-th push's body."""
    with httpx.Client(timeout=300) as http:
        index = 0
        while not (load_done.is_set() and index >= minimum):
            payload = make(index)
            sent = time.perf_counter()
            try:
                result = post(http, url, key, payload, f"probe-{index}")
            except Exception as error:
                failures.append(str(error))
                return
            answered = time.perf_counter()
            with lock:
                pushes.append(
                    Push(
                        "probe",
                        size,
                        sent,
                        answered,
                        result["batch_id"],
                        result["accepted"],
                        result["quarantined"],
                    )
                )
            index += 1
            time.sleep(max(0.0, every - (answered - sent)))


def watch(
    call: Callable[[], int],
    every: float,
    stop: threading.Event,
    into: list[tuple[float, int]],
    durations: list[float] | None,
    errors: list[str],
) -> None:
    with_errors = 0
    while not stop.is_set():
        sent = time.perf_counter()
        try:
            position = call()
        except Exception as error:  # a slow or refused answer: counted, the watch goes on
            with_errors += 1
            if with_errors <= 5:
                errors.append(f"{type(error).__name__}: {str(error)[:300]}")
            position = None
        arrived = time.perf_counter()
        if position is not None:
            into.append((arrived, position))
            if durations is not None:
                durations.append(arrived - sent)
        stop.wait(max(0.0, every - (arrived - sent)))


def push_positions(database_url: str, pushes: list[Push]) -> None:
    """Each push's last questionnaire message in survey's log: among the rows its
    transaction wrote (its Batch's `xmin`), the highest position of a body that records
    questionnaires: a `survey.batch.recorded` part (a push is recorded as parts, all in its
    transaction), or a `survey.response.recorded` one (one a questionnaire, as survey
    recorded pushes before batch parts), so the bench reads either survey."""
    ids = [uuid.UUID(p.batch_id) for p in pushes if p.batch_id]
    statement = """
        WITH b AS (
            SELECT originator_id, xmin::text AS tx FROM survey.survey_events
            WHERE originator_id = ANY(%(ids)s)
        )
        SELECT b.originator_id, max(e.notification_id)
        FROM survey.survey_events e JOIN b ON e.xmin::text = b.tx
        WHERE substring(e.message from 1 for %(n)s) = %(prefix)s
           OR substring(e.message from 1 for %(batch_n)s) = %(batch_prefix)s
        GROUP BY b.originator_id
    """
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            statement,
            {
                "ids": ids,
                "n": len(RECORDED),
                "prefix": RECORDED,
                "batch_n": len(BATCH_RECORDED),
                "batch_prefix": BATCH_RECORDED,
            },
        )
        found = {str(batch): int(position) for batch, position in rows.fetchall()}
        published = [
            int(row[0])
            for row in conn.execute(
                "SELECT notification_id FROM survey.survey_events WHERE length(message) > 0 "
                "ORDER BY notification_id"
            ).fetchall()
        ]
    for p in pushes:
        p.position = found.get(p.batch_id or "")
        if p.position is not None:
            p.sequence = bisect.bisect_right(published, p.position)


def watch_stream(nats_url: str, namespace: str, stop: threading.Event, obs: Observations) -> None:
    """The survey stream's last sequence, every POSITIONS_EVERY seconds."""

    async def poll() -> None:
        nc = await nats.connect(nats_url)
        try:
            js = nc.jetstream()
            name = stream_name(namespace, "survey")
            while not stop.is_set():
                sent = time.perf_counter()
                try:
                    info = await js.stream_info(name)
                    obs.stream.append((time.perf_counter(), int(info.state.last_seq)))
                except Exception as error:
                    if len(obs.errors) < 10:
                        obs.errors.append(f"stream: {type(error).__name__}: {error}"[:300])
                elapsed = time.perf_counter() - sent
                await asyncio.sleep(max(0.0, POSITIONS_EVERY - elapsed))
        finally:
            await nc.close()

    asyncio.run(poll())


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its relay child so far (/proc, clock ticks)."""
    total = 0.0
    for each in (pid, *children(pid)):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def first_reaching(observations: list[tuple[float, int]], position: int) -> float | None:
    for arrived, seen in observations:
        if seen >= position:
            return arrived
    return None
