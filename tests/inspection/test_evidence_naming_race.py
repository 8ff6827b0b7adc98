"""A finding naming a file while others upload that same file, on the real PostgreSQL store.

Naming a file records, on the file's record and in the finding's own transaction, that the
finding's jurisdiction now reads it. An upload of the same file by a further inspector adds
to that record too. The two writes share a record and nothing else, so the finding must
not be refused for it.

The order is forced rather than hoped for: the test holds the events table's lock (the one
every save takes), lets the uploads and then the finding queue behind it, and releases it.
PostgreSQL grants the lock in queue order, so an upload lands between the finding's read of
the file's record and its save every time."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from eventsourcing.persistence import IntegrityError
from psycopg import sql

from services.inspection.application import InspectionApplication
from services.inspection.evidence import ENV_KEY
from services.inspection.evidence_commands import Naming
from services.inspection.main import InspectionService
from shared.principals import Principal
from shared.settings import CommonSettings
from tests.harness import ADMIN, IN_MEMORY, Cluster

UPLOADERS = 3
JPEG = "image/jpeg"


def _created(response: httpx.Response) -> Any:
    assert response.status_code == 201, response.text
    return response.json()


def _waiters(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted", (table,)
    ).fetchone()
    return 0 if row is None else int(row[0])


def _until_waiting(database_url: str, table: str, count: int, deadline: float = 30) -> None:
    """Until `count` sessions queue for the events table's lock."""
    until = time.monotonic() + deadline
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < until:
            if _waiters(conn, table) >= count:
                return
    raise TimeoutError(f"fewer than {count} writes queued for {table}")


@contextmanager
def _table_held(database_url: str, schema: str, table: str) -> Iterator[None]:
    with psycopg.connect(database_url) as conn:
        locked = sql.SQL("LOCK TABLE {}.{} IN EXCLUSIVE MODE")
        conn.execute(locked.format(sql.Identifier(schema), sql.Identifier(table)))
        yield
        conn.commit()


def _in_thread(
    call: Callable[[], httpx.Response], answers: list[httpx.Response | BaseException]
) -> threading.Thread:
    def run() -> None:
        try:
            answers.append(call())
        except BaseException as error:  # a server error, raised through the client
            answers.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.infra
def test_a_finding_names_a_file_while_others_upload_it(
    production_settings: CommonSettings,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_KEY, str(tmp_path / "evidence"))
    with Cluster(production_settings, ["registry", "inspection"]) as cluster:
        registry, client = cluster["registry"], cluster["inspection"]
        county = _created(
            registry.post("/jurisdictions", json={"name": "大庆市", "level": "city"}, headers=ADMIN)
        )["jurisdiction_id"]
        unit = _created(
            registry.post(
                "/units",
                json={
                    "jurisdiction_id": county,
                    "name": "大庆市税务局",
                    "kind": "government_department",
                    "category": "政府部门及其它机构",
                },
                headers=ADMIN,
            )
        )["unit_id"]
        people = [
            _created(
                registry.post(
                    "/principals",
                    json={
                        "name": f"大庆市暗访组{n}",
                        "role": "inspector",
                        "jurisdiction_id": county,
                    },
                    headers=ADMIN,
                )
            )
            for n in range(1 + 2 * UPLOADERS)
        ]
        author = {"X-API-Key": people[0]["api_key"]}
        others = [{"X-API-Key": p["api_key"], "Content-Type": JPEG} for p in people[1:]]
        cluster.wait_caught_up("inspection", "registry")

        app: InspectionApplication = client.app.state.runtime.application  # type: ignore[attr-defined]
        schema = app.recorder.datastore.schema  # type: ignore[attr-defined]
        table = app.recorder.events_table_name  # type: ignore[attr-defined]
        qualified = f'"{schema}"."{table}"'
        photo = b"\xff\xd8\xff\xe0" + uuid.uuid4().bytes * 64
        sha = _created(
            client.post("/evidence", content=photo, headers=author | {"Content-Type": JPEG})
        )["sha256"]
        finding = {
            "unit_id": unit,
            "method": "暗访",
            "summary": "公告栏未公开办事流程",
            "found_at": "2026-05-12T10:30:00+08:00",
            "evidence": [sha],
        }

        def race(write: Callable[[], httpx.Response], uploaders: list[dict[str, str]]) -> Any:
            """`write` queued behind every upload of the photo by `uploaders`."""
            uploads: list[httpx.Response | BaseException] = []
            written: list[httpx.Response | BaseException] = []
            with _table_held(database_url, schema, table):
                threads = [
                    _in_thread(partial(client.post, "/evidence", content=photo, headers=h), uploads)
                    for h in uploaders
                ]
                _until_waiting(database_url, qualified, len(uploaders))
                threads.append(_in_thread(write, written))
                _until_waiting(database_url, qualified, len(uploaders) + 1)
            for thread in threads:
                thread.join()
            for answer in uploads:
                assert isinstance(answer, httpx.Response), answer
                assert _created(answer)["sha256"] == sha
            [answer] = written
            assert isinstance(answer, httpx.Response), answer
            return _created(answer)

        recorded = race(
            lambda: client.post(
                "/findings", json=finding, headers=author | {"Idempotency-Key": "f1"}
            ),
            others[:UPLOADERS],
        )
        assert recorded["evidence"] == [sha]

        bare = _created(client.post("/findings", json=finding | {"evidence": []}, headers=author))
        attached = race(
            lambda: client.post(
                f"/findings/{bare['finding_id']}/evidence", json={"evidence": [sha]}, headers=author
            ),
            others[UPLOADERS:],
        )
        assert attached["evidence"] == [sha]

        record = app.evidence_file(sha)
        assert record is not None
        assert sorted(str(p) for p, _ in record.uploads) == sorted(
            p["principal_id"] for p in people
        )
        named = sorted(str(f) for f, _ in record.namings)
        assert named == sorted([recorded["finding_id"], bare["finding_id"]])


def test_a_conflict_no_upload_explains_is_not_run_again(tmp_path: Path) -> None:
    """Run again only when a file's record moved and the finding did not: a clash on the
    finding itself (two people changing it at once) stays the caller's 409."""
    app = InspectionService(env=IN_MEMORY | {ENV_KEY: str(tmp_path)})
    sha = "ab" * 32
    first = Principal(uuid.uuid4(), "大庆市暗访组", "inspector", uuid.uuid4())
    app.record_upload(first, sha, "image/jpeg", 10)
    record = app.evidence_file(sha)
    assert record is not None
    runs: list[Naming] = []

    def clashing(moved: bool, subject: dict[uuid.UUID, int]) -> Callable[[Naming], Any]:
        def write(naming: Naming) -> Any:
            runs.append(naming)
            naming.files[record.id] = record.version - (1 if moved and len(runs) == 1 else 0)
            naming.subject |= subject
            raise IntegrityError("a clash")

        return write

    # Nothing moved; or a record moved and so did the subject (here any aggregate read older).
    for moved, subject in [(False, {}), (True, {record.id: record.version - 1})]:
        runs.clear()
        with pytest.raises(IntegrityError):
            app.naming_files(clashing(moved, subject))
        assert len(runs) == 1

    # A record that moved on is read again, once per move.
    runs.clear()
    with pytest.raises(IntegrityError):
        app.naming_files(clashing(True, {}))
    assert len(runs) == 2
