"""Throwaway infrastructure for one benchmark run: a fresh database, a NATS namespace of its
own, and the numbers recorded about the machine the run happened on."""

from __future__ import annotations

import asyncio
import os
import platform
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import nats
import psycopg

PG_ADMIN_URL = os.environ.get("PINGYI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
NATS_URL = os.environ.get("PINGYI_BENCH_NATS", "nats://127.0.0.1:4222")


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """An empty UTF-8 database for this run, dropped afterwards whatever happens."""
    name = f"pingyi_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_namespace() -> str:
    return f"bench{uuid.uuid4().hex[:10]}"


async def _delete_streams(nats_url: str, namespace: str) -> list[str]:
    prefix = namespace.upper() + "_"
    deleted = []
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for info in await js.streams_info():
            if info.config.name and info.config.name.startswith(prefix):
                await js.delete_stream(info.config.name)
                deleted.append(info.config.name)
    finally:
        await nc.close()
    return deleted


def delete_streams(nats_url: str, namespace: str) -> list[str]:
    return asyncio.run(_delete_streams(nats_url, namespace))


async def _nats_version(nats_url: str) -> str:
    nc = await nats.connect(nats_url)
    try:
        version = nc.connected_server_version
        return f"{version.major}.{version.minor}.{version.patch}"
    finally:
        await nc.close()


def environment(database_url: str, nats_url: str) -> dict[str, Any]:
    """What the numbers depend on besides the code: with fsync off, every durability cost
    disappears from both sides of a comparison."""
    with psycopg.connect(database_url) as conn:
        pg = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers")
        }
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "postgresql": pg,
        "nats_server": asyncio.run(_nats_version(nats_url)),
    }


@dataclass
class Measurement:
    """One comparison: the same `count` items through a raw baseline and through Pingyi."""

    name: str
    unit: str
    count: int
    baseline: str
    baseline_seconds: float
    pingyi: str
    pingyi_seconds: float
    pingyi_count: int | None = None
    """Items Pingyi handled, when more than `count` (e.g. events it also had to skip)."""
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    """Figures besides the two rates (latencies, memory, counts), for latest.json."""

    @property
    def baseline_rate(self) -> float:
        return self.count / self.baseline_seconds

    @property
    def pingyi_rate(self) -> float:
        return self.count / self.pingyi_seconds

    @property
    def ratio(self) -> float:
        """Pingyi's rate as a fraction of the baseline's: 0.25 means four times slower."""
        return self.pingyi_rate / self.baseline_rate

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            "baseline_rate": round(self.baseline_rate, 1),
            "pingyi_rate": round(self.pingyi_rate, 1),
            "ratio": round(self.ratio, 4),
        }


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
