"""A tiny event-sourced service for relay tests: notes are published, memos stay internal.

`main()` runs its relay as a process of its own, the way `pingyi serve` will:

    python -c "from tests.shared.ordering_app import main; main()" DATABASE_URL NATS_URL NS
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any
from uuid import uuid4

import psycopg
from eventsourcing.domain import Aggregate, event

from shared.contracts import IntegrationPayload
from shared.messaging.outbox import Outbox
from shared.messaging.relay_worker import run_relay
from shared.persistence import config
from shared.service.application import PublishingApplication
from shared.settings import CommonSettings, eventsourcing_env

SERVICE = "ordering"


class Noted(IntegrationPayload):
    event_type = "ordering.note.written"
    number: int


class Note(Aggregate):
    @event("Written")
    def __init__(self, number: int) -> None:
        self.number = number


class Memo(Aggregate):
    """Internal only, like an idempotency record: in the log, never on the stream."""

    @event("Kept")
    def __init__(self, number: int) -> None:
        self.number = number


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    if isinstance(domain_event, Note.Written):
        return Noted(number=domain_event.number)
    return None


class OrderingApplication(PublishingApplication):
    def write(self, kinds: Sequence[bool], first: int) -> None:
        """One transaction: a note for each True in `kinds`, a memo for each False."""
        self.save(*(Note(first + i) if kind else Memo(first + i) for i, kind in enumerate(kinds)))


def open_application(database_url: str, *, publish: bool = True) -> OrderingApplication:
    """`publish=False`: an application that stores no message bodies (as before they
    existed), so the relay maps its events from the stored state."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SERVICE}")
    common = CommonSettings(mode="production", database_url=database_url)
    app = OrderingApplication(eventsourcing_env(common, SERVICE, None))
    if publish:
        app.publish_as(SERVICE, to_payload)
    return app


def in_memory_application() -> OrderingApplication:
    """On an in-memory SQLite database with our recorder: message bodies are stored. Shared
    by name, so that a second pooled connection (a read in a worker thread while the test
    reads the head) sees the same database rather than a new, empty one."""
    app = OrderingApplication(
        {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": f"file:ordering-{uuid4().hex}?mode=memory&cache=shared",
            "APPLICATION_RECORDER_TOPIC": config.SQLITE_APPLICATION_RECORDER_TOPIC,
        }
    )
    app.publish_as(SERVICE, to_payload)
    return app


def open_outbox(database_url: str) -> Outbox:
    return Outbox(SERVICE, open_application(database_url), to_payload)


async def _serve(database_url: str, nats_url: str, namespace: str) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await run_relay(lambda: open_outbox(database_url), nats_url, namespace, SERVICE, stop)


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    database_url, nats_url, namespace = sys.argv[1:4]
    asyncio.run(_serve(database_url, nats_url, namespace))
