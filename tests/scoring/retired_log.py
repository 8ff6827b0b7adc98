"""A scoring log written by the first release: a roster, a wave tally, a provisional and a
final wave run and their `scoring.score.computed` messages (`retired_log.jsonl`, the rows of
scoring's SQLite store as that code wrote them, input batches left out), for proving that
today's code still loads such a log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from shared.contracts import IntegrationMessage
from shared.contracts.wire import compose

LOG = Path(__file__).with_name("retired_log.jsonl")
WAVE_NAME = "上半年测评"


def rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in LOG.read_text(encoding="utf-8").splitlines()]


def _state(row: dict[str, Any]) -> bytes:
    return json.dumps(row["state"], ensure_ascii=False, separators=(",", ":")).encode()


def store_in(app: Application) -> None:
    """The rows as stored events of `app`'s recorder (after whatever it holds)."""
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=UUID(row["originator_id"]),
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=_state(row),
            )
            for row in rows()
        ]
    )


def append_to_sqlite(path: Path) -> None:
    """The rows appended to an embedded scoring store, message bodies and all."""
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state, message)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (
                    row["originator_id"],
                    row["originator_version"],
                    row["topic"],
                    _state(row),
                    (row["message"] or "").encode(),
                )
                for row in rows()
            ],
        )


def published(first_position: int = 1) -> list[IntegrationMessage]:
    """The wave runs' messages as scoring published them, at consecutive positions."""
    bodies = [row["message"].encode() for row in rows() if row["message"]]
    messages = []
    previous = first_position - 1 or None
    for position, body in enumerate(bodies, first_position):
        messages.append(IntegrationMessage.decode(compose("scoring", position, previous, body)))
        previous = position
    return messages
