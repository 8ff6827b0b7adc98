"""Two replicas of a service, one sealer: without a lease both would extend the chain from
the same checkpoint and fork it; under the sealing lease one seals, the other follows the
checkpoints it writes, and takes over where they end when the holder goes."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from shared.integrity.checkpoints import Checkpoint, PostgresCheckpoints, SQLiteCheckpoints
from shared.integrity.keys import signing_key
from shared.integrity.rows import PostgresLog, SQLiteLog
from shared.integrity.sealer import Sealer, SealerTask
from shared.service.leases import PostgresLeases
from shared.settings import CommonSettings
from tests.integrity.helpers import SEAL_KEY


def _key(tmp_path: Path) -> Ed25519PrivateKey:
    common = CommonSettings(mode="embedded", data_dir=tmp_path, seal_key=SecretStr(SEAL_KEY))
    key = signing_key(common)
    assert key is not None
    return key


def _chain_breaks(checkpoints: list[Checkpoint]) -> list[str]:
    """Where a checkpoint does not continue from the one before it."""
    breaks = []
    previous: int | None = None
    for checkpoint in checkpoints:
        if checkpoint.previous_position != previous:
            breaks.append(
                f"{checkpoint.position} follows {checkpoint.previous_position}, not {previous}"
            )
        previous = checkpoint.position
    return breaks


def test_two_sealers_without_a_lease_fork_the_chain(tmp_path: Path) -> None:
    """Why sealing is leased: each replica seals the stretch it saw, from the same start."""
    with sqlite3.connect(tmp_path / "survey.sqlite") as db:
        db.execute(
            "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
            "topic TEXT, state BLOB, message BLOB)"
        )
        for n in range(10):
            db.execute("INSERT INTO stored_events VALUES ('a', ?, 't:E', ?, NULL)", (n + 1, b"{}"))
    key = _key(tmp_path)

    def replica(every_rows: int) -> Sealer:
        sealer = Sealer(
            "survey",
            SQLiteLog(tmp_path / "survey.sqlite"),
            SQLiteCheckpoints(tmp_path / "survey-seals.sqlite", "survey"),
            key,
            every_rows=every_rows,
            every_seconds=3600.0,
        )
        sealer.load()
        return sealer

    first, second = replica(4), replica(3)
    assert first.seal_once() is not None and second.seal_once() is not None
    store = SQLiteCheckpoints(tmp_path / "survey-seals.sqlite", "survey")
    assert _chain_breaks(store.all()) == ["4 follows None, not 3"]
    for closing in (first, second, store):
        closing.close()


def _eventually(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.02)


async def _eventually_async(predicate: Callable[[], bool], what: str) -> None:
    await asyncio.to_thread(_eventually, predicate, what)


@pytest.mark.infra
def test_one_replica_seals_the_other_follows_and_takes_over(
    database_url: str, tmp_path: Path
) -> None:
    key = _key(tmp_path)
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("CREATE SCHEMA survey")
        admin.execute(
            "CREATE TABLE survey.survey_events (notification_id bigserial PRIMARY KEY, "
            "originator_id uuid, originator_version int, topic text, state bytea, message bytea)"
        )

        def add_rows(count: int) -> int:
            admin.execute(
                "INSERT INTO survey.survey_events (originator_id, originator_version, topic, "
                "state) SELECT gen_random_uuid(), 1, 't:E', '\\x7b7d' FROM generate_series(1, %s)",
                (count,),
            )
            row = admin.execute("SELECT max(notification_id) FROM survey.survey_events").fetchone()
            assert row is not None
            return int(row[0])

        async def scenario() -> list[Checkpoint]:
            replicas = []
            for _ in range(2):
                leases = PostgresLeases(
                    database_url, "test", retry_seconds=0.05, prove_seconds=0.1,
                    valid_seconds=0.5, server_idle_timeout=2.0,
                )  # fmt: skip
                leases.start()
                sealer = Sealer(
                    "survey",
                    PostgresLog(database_url, "survey"),
                    PostgresCheckpoints(database_url, "survey"),
                    key,
                    every_rows=7,
                    every_seconds=0.05,
                )
                task = SealerTask(
                    sealer,
                    poll=0.02,
                    score_check_seconds=3600.0,
                    lease=leases.lease("survey|sealer"),
                )
                task.start()
                replicas.append((task, leases))
            sealers = [task.sealer for task, _ in replicas]
            try:
                # Rows arrive while both run: both would seal if both could.
                for _ in range(5):
                    head = add_rows(11)
                    await asyncio.sleep(0.03)
                await _eventually_async(
                    lambda: all(s.sealed_to == head for s in sealers),
                    "both replicas report the whole log sealed",
                )
                assert sorted(s.leading for s in sealers) == [False, True]
                leader = next(i for i, s in enumerate(sealers) if s.leading)
                follower = sealers[1 - leader]
                assert follower.checkpoints == 0 and follower.status()["leading"] is False

                # The holder goes (its session with it); the follower seals what comes next.
                task, leases = replicas[leader]
                await task.stop()
                await asyncio.to_thread(leases.close)
                head = add_rows(20)
                await _eventually_async(
                    lambda: follower.leading and follower.sealed_to == head,
                    "the follower took over and sealed the new rows",
                )
                assert follower.checkpoints > 0
            finally:
                for task, leases in replicas:
                    await task.stop()
                    await asyncio.to_thread(leases.close)
            store = PostgresCheckpoints(database_url, "survey")
            try:
                return store.all()
            finally:
                store.close()

        checkpoints = asyncio.run(scenario())
    assert _chain_breaks(checkpoints) == []
    assert sum(c.rows for c in checkpoints) == 75
    assert all(c.signature_valid(key.public_key()) for c in checkpoints)
