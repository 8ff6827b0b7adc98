"""(a) Writing questionnaires: PostgreSQL COPY versus the survey application's record path.

COPY is the fastest way PostgreSQL takes rows in, so it is the ceiling. The survey path is
what an agency's push costs once it has passed the HTTP layer: the wave read from the event
store, the batch validated, one Response aggregate per questionnaire and one idempotency
record, all saved in one transaction (`SurveyApplication.record_batch`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from bench.infra import Measurement, Stopwatch
from bench.workload import as_json, batches
from services.survey.application import SurveyApplication
from services.survey.domain import Wave
from services.survey.integration import to_payload
from shared.principals import BOOTSTRAP_PRINCIPAL_ID, Principal
from shared.settings import CommonSettings, eventsourcing_env
from shared.views import PostgresViewStore

SURVEY_SCHEMA = "survey"
UNENCODED_SCHEMA = "survey_unencoded"
ADMIN = Principal(BOOTSTRAP_PRINCIPAL_ID, "bench admin", "admin", None)


def copy_seconds(
    database_url: str, questionnaires: Sequence[dict[str, Any]], *, temporary: bool
) -> float:
    rows = [(q["questionnaire_id"], as_json(q)) for q in questionnaires]
    table = "bench_copy_temp" if temporary else "bench_copy_logged"
    kind = "TEMP TABLE" if temporary else "TABLE"
    with psycopg.connect(database_url) as conn:
        conn.execute(
            f"CREATE {kind} {table} (questionnaire_id text PRIMARY KEY, doc jsonb NOT NULL)"
        )
        conn.commit()
        with Stopwatch() as watch:
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY {table} (questionnaire_id, doc) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            conn.commit()
        count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert count is not None and count[0] == len(rows), count
    return watch.seconds


def open_survey(
    database_url: str, schema: str = SURVEY_SCHEMA, *, publish: bool = True
) -> SurveyApplication:
    """The survey application as production runs it: its own schema in PostgreSQL, each
    event's message body encoded as it is saved (`publish=False`: as before that)."""
    common = CommonSettings(mode="production", database_url=database_url)
    views = PostgresViewStore(database_url, schema)
    views.setup()  # creates the schema, as the runtime does before the application starts
    views.close()
    app = SurveyApplication(eventsourcing_env(common, schema, None))
    if publish:
        app.publish_as("survey", to_payload)
    return app


def unencoded_seconds(
    database_url: str, questionnaires: Sequence[dict[str, Any]], units: Sequence[Any], batch: int
) -> float:
    """The same record path without encoding message bodies, in a schema of its own."""
    app = open_survey(database_url, UNENCODED_SCHEMA, publish=False)
    try:
        return record_seconds(app, open_wave(app, units), questionnaires, batch)
    finally:
        app.close()


def open_wave(app: SurveyApplication, units: Sequence[Any]) -> Wave:
    """Saved directly: opening a wave through the API needs a registry copy, and its cost is
    not what is measured here."""
    wave = Wave(
        units[0],
        "2024年度民主评议政风行风问卷测评（基准）",
        ADMIN.principal_id,
        tuple(units),
        ADMIN.actor,
        {"agencies": [{"agency_id": str(ADMIN.principal_id), "quota": None}]},
    )
    app.save(wave)
    return wave


def record_seconds(
    app: SurveyApplication, wave: Wave, questionnaires: Sequence[dict[str, Any]], batch: int
) -> float:
    accepted = 0
    with Stopwatch() as watch:
        for index, chunk in enumerate(batches(questionnaires, batch)):
            rows = list(enumerate(chunk))
            result = app.record_batch(ADMIN, wave.id, rows, [], key=f"bench-batch-{index}")
            accepted += result["accepted"]
    assert accepted == len(questionnaires), accepted
    return watch.seconds


def measure(
    database_url: str,
    questionnaires: Sequence[dict[str, Any]],
    units: Sequence[Any],
    batch: int,
) -> tuple[list[Measurement], SurveyApplication]:
    """Returns the survey application too: its stored log feeds the relay and consumers."""
    temp_copy = copy_seconds(database_url, questionnaires, temporary=True)
    logged_copy = copy_seconds(database_url, questionnaires, temporary=False)
    unencoded = unencoded_seconds(database_url, questionnaires, units, batch)
    app = open_survey(database_url)
    wave = open_wave(app, units)
    pingyi = record_seconds(app, wave, questionnaires, batch)
    n = len(questionnaires)
    encoding = (
        f"message bodies encoded as events are saved (for the relay): without that"
        f" {n / unencoded:,.0f}/s, {(pingyi - unencoded) / n * 1e6:+.0f} µs per questionnaire"
    )
    common: dict[str, Any] = {
        "unit": "questionnaires/s",
        "count": len(questionnaires),
        "pingyi": f"SurveyApplication.record_batch, {batch} per batch",
        "pingyi_seconds": pingyi,
    }
    measurements = [
        Measurement(
            name="write questionnaires",
            baseline="COPY into a temp table (text key + jsonb)",
            baseline_seconds=temp_copy,
            notes=[
                f"{len(units)} units rated per questionnaire",
                "a temp table writes no WAL and is never fsynced; the event store is both",
                encoding,
            ],
            **common,
        ),
        Measurement(
            name="write questionnaires (logged)",
            baseline="COPY into an ordinary table, one commit",
            baseline_seconds=logged_copy,
            notes=[
                "the same COPY, durable: the rest of the gap is per-event work (encoding,"
                " aggregate and notification rows, the wave read, idempotency records)"
            ],
            **common,
        ),
    ]
    return measurements, app
