"""Opening a service's stores: its view store for the mode it runs in, and its event store
while another process may be creating the same fresh log (`open_racing`)."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from eventsourcing.persistence import IntegrityError

from shared.settings import CommonSettings
from shared.views import MemoryViewStore, PostgresViewStore, SQLiteViewStore, ViewStore

# The runtime's one logger, named as before the package was split: log filters and readers
# of the JSON lines know it by this name.
log = logging.getLogger("shared.runtime")
OPEN_ATTEMPTS = 5
# Long enough for the winner to finish creating the tables; short beside a start.
OPEN_RETRY_PAUSE = 0.05


App = TypeVar("App")


def open_racing(open_app: Callable[[], App]) -> App:
    """An event store opened while another opener may be creating a fresh SQLite log's
    tables (`pingyi up` starts every service and its consumers at once, each opening the
    logs it reads). Two ways to lose that race, both gone when it opens again: recording the
    schema migration another opener recorded first (IntegrityError), and turning a fresh
    file to WAL while another opener holds it (SQLite answers that at once with "database is
    locked", without waiting its busy timeout). Said as a debug line, not as a failure."""
    for attempt in range(OPEN_ATTEMPTS - 1):
        try:
            return open_app()
        except (IntegrityError, sqlite3.OperationalError) as error:
            if not _lost_opening_race(error):
                raise
            log.debug("opening the event store raced another opener: %s", error)
            time.sleep(OPEN_RETRY_PAUSE * (attempt + 1))
    return open_app()


def _lost_opening_race(error: BaseException) -> bool:
    if isinstance(error, IntegrityError):
        return True
    return "database is locked" in str(error)


def build_view_store(
    common: CommonSettings, service: str, schema: str | None, *, pool_size: int = 4
) -> ViewStore:
    if common.mode == "memory":
        return MemoryViewStore()
    if common.mode == "embedded":
        return SQLiteViewStore(common.data_dir / f"{service}-views.sqlite")
    return PostgresViewStore(
        common.database_url,
        schema or service,
        pool_size=pool_size,
        pool_timeout=common.database_wait_timeout,
    )
