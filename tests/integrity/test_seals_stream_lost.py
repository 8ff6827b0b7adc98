"""NATS comes back without its store: the seals stream, the audit copy of every
checkpoint, is gone. The sealer must put every stored checkpoint on it again while it runs,
even with nothing new to seal; and `verify-log` must say when checkpoints are only in the
table (weaker: whoever can edit the database could have rewritten them)."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from pingyi.audit_log import _lines
from shared.integrity.chain import Row
from shared.integrity.checkpoints import PostgresCheckpoints
from shared.integrity.keys import signing_key, verifying_key
from shared.integrity.rows import PostgresLog
from shared.integrity.sealer import Sealer, SealerTask, seal_rows
from shared.integrity.service import StreamPublisher
from shared.integrity.stream import fetch_published
from shared.integrity.verify import verify_log
from shared.settings import CommonSettings
from tests.integrity.helpers import SEAL_KEY
from tests.shared.nats_process import NatsServer

pytestmark = pytest.mark.infra

SERVICE = "survey"


def _eventually(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)


def _events_table(database_url: str) -> Callable[[int], None]:
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {SERVICE}")
        admin.execute(
            f"CREATE TABLE {SERVICE}.{SERVICE}_events (notification_id bigserial PRIMARY KEY, "
            "originator_id uuid, originator_version int, topic text, state bytea, message bytea)"
        )

    def add_rows(count: int) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(
                f"INSERT INTO {SERVICE}.{SERVICE}_events (originator_id, originator_version, "
                "topic, state) SELECT gen_random_uuid(), 1, 't:E', '\\x7b7d' "
                "FROM generate_series(1, %s)",
                (count,),
            )

    return add_rows


def test_the_sealer_refills_a_lost_seals_stream(database_url: str, tmp_path: Path) -> None:
    add_rows = _events_table(database_url)
    server = NatsServer(tmp_path)
    server.start()
    common = CommonSettings(
        mode="production",
        database_url=database_url,
        nats_url=server.url,
        namespace="sealslost",
        seal_key=SecretStr(SEAL_KEY),
    )
    key = signing_key(common)
    assert key is not None
    sealer = Sealer(
        SERVICE,
        PostgresLog(database_url, SERVICE),
        PostgresCheckpoints(database_url, SERVICE),
        key,
        every_rows=5,
        every_seconds=0.05,
    )

    def published() -> list[str]:
        found = asyncio.run(fetch_published(server.url, common.namespace, SERVICE))
        return [] if found is None else [c.to_json().decode() for c in found]

    def stored() -> list[str]:
        return [c.to_json().decode() for c in sealer.stored_checkpoints()]

    async def scenario() -> None:
        task = SealerTask(
            sealer,
            poll=0.02,
            score_check_seconds=3600.0,
            publisher=StreamPublisher(common, sealer),
            stream_check=0.2,
        )
        task.start()
        try:
            add_rows(23)
            await asyncio.to_thread(
                _eventually, lambda: sealer.sealed_to == 23 and published() == stored(), "sealed"
            )
            assert len(stored()) >= 2

            # The store is lost while nothing new is written.
            server.kill()
            shutil.rmtree(server.store)
            server.start()
            await asyncio.to_thread(
                _eventually, lambda: published() == stored(), "the stream refilled"
            )
        finally:
            await task.stop()

    try:
        asyncio.run(scenario())
    finally:
        server.kill()


def test_verify_log_says_which_checkpoints_are_only_in_the_table(tmp_path: Path) -> None:
    common = CommonSettings(mode="embedded", data_dir=tmp_path, seal_key=SecretStr(SEAL_KEY))
    key, public = signing_key(common), verifying_key(common)
    assert key is not None and public is not None
    rows = [
        Row(n, f"00000000-0000-0000-0000-00000000000{n}", 1, "t", b"{}", b"") for n in range(1, 7)
    ]
    first = seal_rows(SERVICE, rows[:3], None, "2026-01-01T00:00:00Z").signed(key)
    second = seal_rows(SERVICE, rows[3:], first, "2026-01-02T00:00:00Z").signed(key)
    verdict = verify_log(SERVICE, iter(rows), [first, second], public, [first])
    assert verdict.intact and verdict.sealed == 6
    assert verdict.only_in_table == 1 and verdict.published_to == 3
    said = "\n".join(_lines(verdict))
    assert "intact" in said and "checkpoints after position 3 are only in the table" in said
    verdict = verify_log(SERVICE, iter(rows), [first, second], public, [first, second])
    assert verdict.only_in_table == 0
    assert "only in the table" not in "\n".join(_lines(verdict))
