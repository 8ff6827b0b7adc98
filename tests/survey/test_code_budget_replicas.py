"""A wave's hourly code budget is exact across replicas (services/survey/verification/codes):
codes asked for many different numbers at once, each through a code book of its own (as
separate replicas hold), are sent no more than the budget allows."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from psycopg.conninfo import conninfo_to_dict

from services.survey.verification.codes import HOUR, Limits, PostgresCodeBook, SQLiteCodeBook

BUDGET = 3
ASKING = 8
NOW = 1_000_000.0


def _datastore(database_url: str) -> PostgresDatastore:
    params = conninfo_to_dict(database_url)
    return PostgresDatastore(
        dbname=str(params["dbname"]),
        host=str(params.get("host", "127.0.0.1")),
        port=str(params.get("port", "5432")),
        user=str(params.get("user", "postgres")),
        password=str(params.get("password", "")),
    )


@pytest.fixture
def replicas(database_url: str) -> Iterator[list[PostgresCodeBook]]:
    datastores = [_datastore(database_url) for _ in range(ASKING)]
    books = [PostgresCodeBook(store, "survey", "survey") for store in datastores]
    for book in books:  # each makes (or finds) the tables before the race
        assert book.check("another wave", "nobody", "h", NOW).outcome == "missing"
    try:
        yield books
    finally:
        for store in datastores:
            store.close()


def _until_waiting(conn: psycopg.Connection, sessions: int, deadline: float = 60) -> None:
    """Until `sessions` other sessions of this database wait for a lock (pg_stat_activity)."""
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()
        if row and row[0] >= sessions:
            return
    raise TimeoutError(f"fewer than {sessions} requests reached the code table")


@pytest.mark.infra
def test_replicas_asking_at_once_send_exactly_the_waves_budget(
    replicas: list[PostgresCodeBook], database_url: str
) -> None:
    voters = [f"voter-{n}" for n in range(ASKING)]
    limits = Limits(per_wave_hour=BUDGET)
    answers: list[float | None] = []
    answered = threading.Lock()

    def ask(n: int) -> None:
        wait = replicas[n].issue("wave", voters[n], f"h{n}", NOW, limits)
        with answered:
            answers.append(wait)

    # A transaction of the test's own holds (uncommitted) each voter's code row: every
    # request that gets past the budget's count stops before committing its send, until
    # all of them are on their way; then the row is let go and they finish together.
    with psycopg.connect(database_url) as holder:
        for voter in voters:
            holder.execute(
                "INSERT INTO survey.survey_voter_codes (wave, voter, code_hash, expires_at,"
                " attempts_left) VALUES ('wave', %s, 'held', 0, 1)",
                (voter,),
            )
        threads = [threading.Thread(target=ask, args=(n,)) for n in range(ASKING)]
        for thread in threads:
            thread.start()
        with psycopg.connect(database_url, autocommit=True) as watcher:
            _until_waiting(watcher, ASKING)
        holder.rollback()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == ASKING
    assert sum(wait is None for wait in answers) == BUDGET
    # The answer to a request past the budget is as ever: the seconds until the oldest of
    # the wave's sends is an hour old.
    assert [wait for wait in answers if wait is not None] == [HOUR] * (ASKING - BUDGET)
    with psycopg.connect(database_url) as conn:
        sends = conn.execute(
            "SELECT count(*) FROM survey.survey_code_sends WHERE wave = 'wave'"
        ).fetchone()
        assert sends == (BUDGET,)


def test_embedded_books_on_one_file_send_exactly_the_waves_budget(tmp_path: Path) -> None:
    """SQLite's turn is the file's one write lock (BEGIN IMMEDIATE): it counts a wave's
    budget one request at a time, for every process on the file."""
    books = [SQLiteCodeBook(tmp_path / "codes.sqlite") for _ in range(ASKING)]
    limits = Limits(per_wave_hour=BUDGET)
    start = threading.Barrier(ASKING)
    answers: list[float | None] = []

    def ask(n: int) -> None:
        start.wait()
        answers.append(books[n].issue("wave", f"voter-{n}", f"h{n}", NOW, limits))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(ASKING)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for book in books:
            book.close()
    assert sum(wait is None for wait in answers) == BUDGET
    assert len(answers) == ASKING
