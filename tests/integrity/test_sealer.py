"""The sealer on its own: when it seals, what it refuses to build on, and how it survives a
lost database session."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from shared.integrity.checkpoints import SQLiteCheckpoints
from shared.integrity.keys import signing_key
from shared.integrity.rows import PostgresLog, SQLiteLog
from shared.integrity.sealer import Sealer, SealRefused
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.integrity.helpers import SEAL_KEY


def _log(path: Path, rows: int) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version "
            "INTEGER, topic TEXT, state BLOB, message BLOB)"
        )
        for n in range(rows):
            db.execute(
                "INSERT INTO stored_events VALUES (?, ?, 't:E', ?, ?)",
                ("0" * 31 + "1", n + 1, b'{"n":%d}' % n, None if n % 2 else b""),
            )


def _sealer(tmp_path: Path, key: str = SEAL_KEY, **kwargs: float) -> Sealer:
    common = CommonSettings(mode="embedded", data_dir=tmp_path, seal_key=SecretStr(key))
    private = signing_key(common)
    assert private is not None
    return Sealer(
        "survey",
        SQLiteLog(tmp_path / "survey.sqlite"),
        SQLiteCheckpoints(tmp_path / "survey-seals.sqlite", "survey"),
        private,
        every_rows=int(kwargs.get("every_rows", 4)),
        every_seconds=kwargs.get("every_seconds", 3600.0),
    )


def test_it_seals_every_n_rows_and_waits_for_the_rest(tmp_path: Path) -> None:
    _log(tmp_path / "survey.sqlite", 10)
    sealer = _sealer(tmp_path)
    sealed = [sealer.seal_once(), sealer.seal_once(), sealer.seal_once()]
    assert [c.position if c else None for c in sealed] == [4, 8, None]  # 2 rows wait
    forced = sealer.seal_once(force=True)
    assert forced is not None and forced.position == 10 and forced.previous_position == 8
    assert sealer.seal_once(force=True) is None  # nothing new
    sealer.close()


def test_it_seals_what_waited_longer_than_the_interval(tmp_path: Path) -> None:
    _log(tmp_path / "survey.sqlite", 3)
    sealer = _sealer(tmp_path, every_seconds=0.0)
    written = sealer.seal_once()
    assert written is not None and written.rows == 3
    sealer.close()


def test_it_refuses_to_continue_from_a_checkpoint_it_would_not_have_signed(
    tmp_path: Path,
) -> None:
    _log(tmp_path / "survey.sqlite", 5)
    first = _sealer(tmp_path)
    assert first.seal_once() is not None
    first.close()
    other = _sealer(tmp_path, key="22" * 32)
    with pytest.raises(SealRefused, match="position 4"):
        other.seal_once()
    other.close()


def test_memory_mode_does_not_seal(memory_settings: CommonSettings) -> None:
    with Cluster(memory_settings, ["registry"]) as cluster:
        assert cluster["registry"].get("/readyz").json()["checks"]["seal"] == "off"


@pytest.mark.infra
def test_the_log_reader_reconnects_after_its_session_ended(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("CREATE SCHEMA survey")
        admin.execute(
            "CREATE TABLE survey.survey_events (notification_id bigserial PRIMARY KEY, "
            "originator_id uuid, originator_version int, topic text, state bytea, message bytea)"
        )
        admin.execute(
            "INSERT INTO survey.survey_events (originator_id, originator_version, topic, state) "
            "VALUES (gen_random_uuid(), 1, 't:E', '\\x7b7d')"
        )
        log = PostgresLog(database_url, "survey")
        assert [r.position for r in log.rows_after(0, 10)] == [1]
        pid = log._conn.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(psycopg.OperationalError):
            log.rows_after(0, 10)
        assert [r.position for r in log.rows_after(0, 10)] == [1]  # a new session
        log.close()


def test_services_starting_at_once_share_one_whole_key(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    common = CommonSettings(mode="embedded", data_dir=tmp_path)
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: signing_key(common, create=True), range(16)))
    raw = {k.public_key().public_bytes_raw() for k in keys if k is not None}
    assert len(raw) == 1 and len(keys) == 16
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seal-key"]
