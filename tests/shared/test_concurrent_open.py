"""`pingyi up` starts every service at once, so a downstream consumer may open a service's
fresh SQLite log while the service itself does: both create the tables, and the library's
schema migration record lets only one of them win. The service must start all the same."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path

from pingyi.composition import build_runtime
from services.scoring.application import ScoringApplication
from shared.settings import CommonSettings, eventsourcing_env

TRIALS = 30


def _start_and_stop(common: CommonSettings, others: list[threading.Thread]) -> None:
    async def run() -> None:
        runtime = build_runtime("scoring", common)
        for other in others:
            other.start()
        await runtime.start()
        await runtime.stop()

    asyncio.run(run())


def _open_elsewhere(common: CommonSettings) -> None:
    # A consumer that loses the race retries on its own; only the service is tested here.
    with contextlib.suppress(Exception):
        ScoringApplication(eventsourcing_env(common, "scoring", None)).close()


def test_a_service_starts_while_others_open_its_fresh_log(tmp_path: Path) -> None:
    for trial in range(TRIALS):
        common = CommonSettings(mode="embedded", data_dir=tmp_path / str(trial), log_json=False)
        others = [threading.Thread(target=_open_elsewhere, args=(common,)) for _ in range(2)]
        _start_and_stop(common, others)
        for other in others:
            other.join()
