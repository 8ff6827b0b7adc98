"""Where the relay's time goes, per message: CPU and wall time of each step on its own.

    python -m bench.relay_breakdown [--n 20000]

Writes `n` questionnaires to a fresh database (as `bench.run` does), then times: raw
`publish_async` of the relay's bytes; reading the log as the relay does (stored bodies,
positions spliced in) and as it did before (decode and map each stored event), and as an
embedded consumer reads it (the same, decoded into `IntegrationMessage`s); the whole relay
asking for every ack and asking for one per 100. CPU time is this process's (all threads);
NATS and PostgreSQL run in processes of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from bench import relay_path, write_path
from bench.infra import NATS_URL, PG_ADMIN_URL, delete_streams, fresh_database, new_namespace
from bench.workload import questionnaires, unit_ids
from services.survey.integration import to_payload
from shared.messaging.outbox import Outbox


def _timed(work: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def _pages(outbox: Outbox, read: Callable[..., Any]) -> Callable[[], None]:
    def run() -> None:
        after, previous = None, None
        while True:
            page = read(after, previous, 500)
            if page.messages:
                previous = page.messages[-1].position
            if page.scanned_to is None or page.scanned_to == after:
                return
            after = page.scanned_to

    return run


def breakdown(n: int) -> list[tuple[str, float, float]]:
    units = unit_ids(10)
    rows: list[tuple[str, float, float]] = []
    with fresh_database(PG_ADMIN_URL) as url:
        app = write_path.open_survey(url)
        write_path.record_seconds(
            app, write_path.open_wave(app, units), questionnaires(n, units), 1000
        )
        outbox = relay_path.survey_outbox(app)
        mapped = Outbox("survey", app, to_payload, stored_bodies=False)
        payloads = [m.encode() for m in outbox.iterate()]
        count = len(payloads)
        namespace = new_namespace()
        try:
            steps: list[tuple[str, Callable[[], Any]]] = [
                (
                    "raw publish_async + every ack",
                    lambda: asyncio.run(
                        relay_path.raw_publish_seconds(NATS_URL, namespace, payloads, 1000)
                    ),
                ),
                ("read the log: stored bodies (relay)", _pages(outbox, outbox.read_encoded)),
                (
                    "read the log: map stored events (relay before)",
                    _pages(mapped, mapped.read_encoded),
                ),
                (
                    "read the log: stored bodies, decoded (embedded consumer)",
                    _pages(outbox, outbox.read),
                ),
                (
                    "read the log: map stored events (embedded consumer before)",
                    _pages(mapped, mapped.read),
                ),
                (
                    "relay, every ack",
                    lambda: asyncio.run(
                        relay_path.relay_seconds(NATS_URL, f"{namespace}_a", outbox, 500, 1000, 1)
                    ),
                ),
                (
                    "relay, an ack per 100",
                    lambda: asyncio.run(
                        relay_path.relay_seconds(NATS_URL, f"{namespace}_b", outbox, 500, 1000)
                    ),
                ),
            ]
            for name, work in steps:
                wall, cpu = _timed(work)
                rows.append((name, wall / count * 1e6, cpu / count * 1e6))
            # As in a service's process: an SDK tracer provider, so spans record (last: it
            # cannot be unset).
            trace.set_tracer_provider(TracerProvider())
            wall, cpu = _timed(
                lambda: asyncio.run(
                    relay_path.relay_seconds(NATS_URL, f"{namespace}_c", outbox, 500, 1000)
                )
            )
            rows.append(
                ("relay, an ack per 100, tracing on", wall / count * 1e6, cpu / count * 1e6)
            )
        finally:
            delete_streams(NATS_URL, namespace)
            app.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.relay_breakdown")
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    print(f"{'step':<60} {'wall µs':>9} {'cpu µs':>9}   (per message)")
    for name, wall, cpu in breakdown(args.n):
        print(f"{name:<60} {wall:>9.1f} {cpu:>9.1f}")


if __name__ == "__main__":
    main()
