"""(c) Applying messages: raw INSERTs versus a consumer's ViewInbox.

The inbox work per batch is what `Consumer` does once messages have arrived: read the last
applied position, plan the batch (duplicates, gaps), then in one transaction parse each
payload, run its handler and record the new position. The baseline inserts the same rows,
already serialised, with one transaction per batch and no position bookkeeping.

The survey wave view is measured twice over the same questionnaires: one message each
(`survey.response.recorded`, as logs before batch parts hold them) and as parts of a push
(`survey.batch.recorded`, `PART_SIZE` questionnaires a message).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from bench.batch_parts import PART_SIZE, as_parts, as_singles
from bench.infra import Measurement, Stopwatch
from bench.workload import batches
from services.survey.views.waves import WAVES_VIEW
from shared.contracts import IntegrationMessage
from shared.contracts.survey import ResponseRecorded, WaveOpened
from shared.messaging.inbox import ViewInbox, plan_batch
from shared.views import PostgresViewStore, ViewTransaction

RESPONSES = "responses"
WAVES = "waves"
UPSTREAM = "survey"


def _response_row(tx: ViewTransaction, p: ResponseRecorded, m: IntegrationMessage) -> None:
    tx.put(RESPONSES, str(p.response_id), p.model_dump(mode="json"))


def _wave_row(tx: ViewTransaction, p: WaveOpened, m: IntegrationMessage) -> None:
    tx.put(WAVES, str(p.wave_id), p.model_dump(mode="json"))


def row_for(message: IntegrationMessage) -> tuple[str, str, str]:
    """The baseline's copy of what the handlers above write, serialised in advance."""
    payload = message.payload
    if message.event_type == WaveOpened.event_type:
        key = (WAVES, str(payload["wave_id"]))
    else:
        key = (RESPONSES, str(payload["response_id"]))
    return (*key, json.dumps(payload, ensure_ascii=False))


def inbox_seconds(inbox: ViewInbox, messages: Sequence[IntegrationMessage], batch: int) -> float:
    return inbox_times(inbox, messages, batch)[0]


def inbox_times(
    inbox: ViewInbox, messages: Sequence[IntegrationMessage], batch: int
) -> tuple[float, float]:
    """(wall, CPU of this process) seconds to apply `messages` in consumer batches: the CPU
    is what the view costs the service that runs it (the database's share is not in it)."""
    cpu = time.process_time()
    with Stopwatch() as watch:
        for chunk in batches(messages, batch):
            plan = plan_batch(inbox.last_position(UPSTREAM), chunk)
            assert plan.gap_index is None and not plan.duplicates, plan
            inbox.apply(UPSTREAM, plan.to_apply)
    cpu = time.process_time() - cpu
    assert inbox.last_position(UPSTREAM) == messages[-1].position
    return watch.seconds, cpu


def raw_insert_seconds(
    database_url: str, schema: str, rows: list[tuple[str, str, str]], batch: int
) -> float:
    views = PostgresViewStore(database_url, schema)
    views.setup()  # the same table and primary key the inbox writes to
    views.close()
    statement = sql.SQL(
        "INSERT INTO {} (collection, key, doc) VALUES (%s, %s, %s) "
        "ON CONFLICT (collection, key) DO UPDATE SET doc = EXCLUDED.doc"
    ).format(sql.Identifier(schema, "view_rows"))
    with psycopg.connect(database_url) as conn, Stopwatch() as watch:
        for chunk in batches(rows, batch):
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(statement, chunk)
    return watch.seconds


def _inbox(database_url: str, schema: str, handlers: dict[Any, Any] | None) -> ViewInbox:
    views = PostgresViewStore(database_url, schema)
    if handlers is None:
        views.declare(WAVES_VIEW.collections)
        views.setup()
        return WAVES_VIEW.inbox(views, UPSTREAM)
    views.setup()
    return ViewInbox(views, "bench", handlers)


def measure(
    database_url: str, messages: Sequence[IntegrationMessage], batch: int
) -> list[Measurement]:
    messages = as_singles(messages)
    rows = [row_for(m) for m in messages]
    baseline = raw_insert_seconds(database_url, "raw_views", rows, batch)
    handlers = {ResponseRecorded: _response_row, WaveOpened: _wave_row}
    one_row = _inbox(database_url, "inbox_views", handlers)
    rows_inbox = inbox_seconds(one_row, messages, batch)
    one_row.views.close()
    wave_view = _inbox(database_url, "wave_views", None)
    wave_inbox, wave_cpu = inbox_times(wave_view, messages, batch)
    wave_view.views.close()
    parts = as_parts(messages)
    parts_view = _inbox(database_url, "wave_parts_views", None)
    parts_inbox, parts_cpu = inbox_times(parts_view, parts, batch)
    parts_view.views.close()
    cpu_share = parts_cpu / max(wave_cpu, 1e-9)
    common: dict[str, Any] = {
        "unit": "msgs/s",
        "count": len(messages),
        "baseline": f"executemany INSERT of the rows, one transaction per {batch}",
        "baseline_seconds": baseline,
    }
    return [
        Measurement(
            name="apply to a view",
            pingyi=f"ViewInbox, one row per message, batches of {batch}",
            pingyi_seconds=rows_inbox,
            notes=["same rows as the baseline, plus position tracking and payload parsing"],
            **common,
        ),
        Measurement(
            name="apply to the survey wave view",
            pingyi=f"survey's own wave view (real handlers), batches of {batch}",
            pingyi_seconds=wave_inbox,
            notes=[
                "read-modify-write of one wave row per message: a response counter",
                f"CPU of this process {wave_cpu:.2f} s",
            ],
            details={"cpu_seconds": wave_cpu},
            **common,
        ),
        Measurement(
            name="apply to the survey wave view, batch parts",
            pingyi=(
                f"the same view and questionnaires as {len(parts)} messages: parts of up to "
                f"{PART_SIZE} (survey.batch.recorded), batches of {batch} messages"
            ),
            pingyi_seconds=parts_inbox,
            notes=[
                "one read and write of the wave's documents per part; rate per questionnaire",
                f"{wave_inbox / parts_inbox:.1f}x the rate of one message per questionnaire; "
                f"CPU of this process {parts_cpu:.2f} s ({cpu_share:.0%} of that)",
            ],
            details={"messages": len(parts), "cpu_seconds": parts_cpu},
            **(common | {"unit": "questionnaires/s"}),
        ),
    ]
