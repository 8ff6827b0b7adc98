"""Clearing old sends and expired codes never fails a code request
(services/survey/verification/codes): requests for different voters and waves at once, with
many old rows to clear, each get their normal answer on PostgreSQL (no deadlock between
two clearing the same rows); rows housekeeping has not cleared yet count for nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from psycopg.conninfo import conninfo_to_dict

from services.survey.verification.codes import HOUR, Limits, PostgresCodeBook, SQLiteCodeBook

NOW = 1_000_000.0
REQUESTS = 8
OLD_ROWS = 3000
CODES = "survey.survey_voter_codes"
SENDS = "survey.survey_code_sends"


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
    """A code book per replica, each on connections of its own, the tables made."""
    datastores = [_datastore(database_url) for _ in range(REQUESTS)]
    books = [PostgresCodeBook(store, "survey", "survey") for store in datastores]
    for book in books:
        assert book.check("another wave", "nobody", "h", NOW).outcome == "missing"
    try:
        yield books
    finally:
        for store in datastores:
            store.close()


class Asking:
    """Requests on threads of their own, each answer or exception kept by its name."""

    def __init__(self) -> None:
        self.answers: dict[str, float | None] = {}
        self.failures: dict[str, BaseException] = {}
        self.threads: list[threading.Thread] = []

    def start(self, name: str, ask: Callable[[], float | None]) -> threading.Thread:
        def run() -> None:
            try:
                self.answers[name] = ask()
            except BaseException as error:  # a deadlock is what the test looks for
                self.failures[name] = error

        thread = threading.Thread(target=run)
        self.threads.append(thread)
        thread.start()
        return thread

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=120)


def _waiting(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    ).fetchone()
    return 0 if row is None else int(row[0])


def _done_or_waiting(watcher: psycopg.Connection, thread: threading.Thread, waiting: int) -> None:
    """Until the request on `thread` has answered, or `waiting` sessions wait for a lock."""
    until = time.monotonic() + 60
    while time.monotonic() < until:
        if not thread.is_alive() or _waiting(watcher) >= waiting:
            return
    raise TimeoutError("the request neither answered nor waited for a lock")


@pytest.mark.infra
def test_requests_clearing_the_same_expired_codes_at_once_both_answer(
    replicas: list[PostgresCodeBook], database_url: str
) -> None:
    """The order that deadlocked: voter a's code expired after a's request began but before
    b's, so b's clearing takes it while a's clearing holds rows b must clear too; a then
    replaces its code (b holds it) and b waits for a. Both are held at one old row by a
    transaction of the test's own, a first, so they meet in that order every time."""
    with psycopg.connect(database_url) as seed:
        seed.execute(f"INSERT INTO {CODES} VALUES ('wave-a', 'voter-a', 'old', %s, 5)", (NOW + 5,))
        with seed.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {CODES} VALUES (%s, %s, 'old', %s, 5)",
                [("old wave", f"old-{n}", NOW - 1000) for n in range(OLD_ROWS)],
            )
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"ANALYZE {CODES}")
    asking = Asking()
    with (
        psycopg.connect(database_url) as holder,
        psycopg.connect(database_url, autocommit=True) as watcher,
    ):
        holder.execute(f"SELECT 1 FROM {CODES} WHERE voter = 'old-0' FOR UPDATE")
        first = asking.start(
            "a", lambda: replicas[0].issue("wave-a", "voter-a", "a", NOW, Limits())
        )
        _done_or_waiting(watcher, first, 1)
        second = asking.start(
            "b", lambda: replicas[1].issue("wave-b", "voter-b", "b", NOW + 10, Limits())
        )
        _done_or_waiting(watcher, second, 2)
        holder.rollback()
    asking.join()
    assert asking.failures == {}
    assert asking.answers == {"a": None, "b": None}


@pytest.mark.infra
def test_many_requests_with_many_old_rows_each_get_their_answer(
    replicas: list[PostgresCodeBook], database_url: str
) -> None:
    """Each voter's earlier code expired between its own request and the later ones, and
    thousands of other voters' codes wait to be cleared. A transaction of the test's own
    holds one of those until every request has answered or waits for a lock, so they all
    clear at once instead of one after another."""
    with psycopg.connect(database_url) as seed, seed.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {CODES} VALUES (%s, %s, 'old', %s, 5)",
            [(f"wave-{n}", f"voter-{n}", NOW + 10 * n + 5) for n in range(REQUESTS)],
        )
        cur.executemany(
            f"INSERT INTO {CODES} VALUES (%s, %s, 'old', %s, 5)",
            [(f"old wave {n % 7}", f"old-{n}", NOW - 10_000 + n) for n in range(OLD_ROWS)],
        )
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"ANALYZE {CODES}")
    asking = Asking()
    with (
        psycopg.connect(database_url) as holder,
        psycopg.connect(database_url, autocommit=True) as watcher,
    ):
        holder.execute(f"SELECT 1 FROM {CODES} WHERE voter = 'old-0' FOR UPDATE")
        for n in range(REQUESTS):
            asking.start(str(n), _issue(replicas[n], n))
        _all_done_or_waiting(watcher, asking.threads)
        holder.rollback()
    asking.join()
    assert asking.failures == {}
    assert asking.answers == {str(n): None for n in range(REQUESTS)}


def _issue(book: PostgresCodeBook, n: int) -> Callable[[], float | None]:
    return lambda: book.issue(f"wave-{n}", f"voter-{n}", f"h{n}", NOW + 10 * n, Limits())


def _all_done_or_waiting(watcher: psycopg.Connection, threads: list[threading.Thread]) -> None:
    """Until every request has answered or waits for a lock."""
    until = time.monotonic() + 60
    while time.monotonic() < until:
        alive = sum(thread.is_alive() for thread in threads)
        if alive == 0 or _waiting(watcher) >= alive:
            return
    raise TimeoutError("requests neither answered nor waited for a lock")


@pytest.mark.infra
def test_a_request_waits_for_no_old_row_another_transaction_holds(
    replicas: list[PostgresCodeBook], database_url: str
) -> None:
    """The voter's own sends of over an hour ago (six: past the hourly limit, were they
    counted) are held by another transaction: the request neither waits for them nor counts
    them, and they are cleared by a later request once let go."""
    book = replicas[0]
    with psycopg.connect(database_url) as seed, seed.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {SENDS} VALUES ('voter', 'wave', %s)",
            [(NOW - HOUR - 60 * n,) for n in range(1, 7)],
        )
    asking = Asking()
    with (
        psycopg.connect(database_url) as holder,
        psycopg.connect(database_url, autocommit=True) as watcher,
    ):
        holder.execute(f"SELECT 1 FROM {SENDS} FOR UPDATE")
        thread = asking.start("voter", lambda: book.issue("wave", "voter", "h", NOW, Limits()))
        _done_or_waiting(watcher, thread, 1)
        assert not thread.is_alive(), "the request waited for rows another transaction holds"
        holder.rollback()
    asking.join()
    assert asking.failures == {}
    assert asking.answers == {"voter": None}
    assert book.issue("another wave", "another voter", "h", NOW, Limits()) is None
    with psycopg.connect(database_url) as conn:
        assert conn.execute(f"SELECT sent_at FROM {SENDS} WHERE voter = 'voter'").fetchall() == [
            (NOW,)
        ]


@pytest.mark.infra
def test_an_expired_code_not_yet_cleared_is_expired(
    replicas: list[PostgresCodeBook], database_url: str
) -> None:
    with psycopg.connect(database_url) as seed:
        seed.execute(f"INSERT INTO {CODES} VALUES ('wave', 'voter', 'h', %s, 5)", (NOW - 1,))
    assert replicas[0].check("wave", "voter", "h", NOW).outcome == "expired"


def _sqlite_rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(query).fetchall()


def test_embedded_requests_clear_old_rows_and_count_only_the_last_hour(tmp_path: Path) -> None:
    path = tmp_path / "codes.sqlite"
    book = SQLiteCodeBook(path)
    try:
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.executemany(
                "INSERT INTO code_sends VALUES ('voter', 'wave', ?)",
                [(NOW - HOUR - n,) for n in range(1, 601)],
            )
            conn.executemany(
                "INSERT INTO voter_codes VALUES ('old wave', ?, 'h', ?, 5)",
                [(f"old-{n}", NOW - n) for n in range(1, 601)],
            )
        assert book.issue("wave", "voter", "h", NOW, Limits(per_voter_hour=1)) is None
        assert book.issue("wave", "another voter", "h", NOW, Limits()) is None
        assert _sqlite_rows(path, "SELECT sent_at FROM code_sends WHERE voter = 'voter'") == [
            (NOW,)
        ]
        assert _sqlite_rows(path, "SELECT count(*) FROM voter_codes") == [(2,)]
    finally:
        book.close()
