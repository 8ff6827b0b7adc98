"""A consumer opens an upstream's log while that service (or another consumer) may be
creating it: in `pingyi up` every service and its consumers start at once. Scoring's log
has a tracking table whose schema migration each opener records; the opener that loses that
race got `IntegrityError: Failed to record tracking for __migration__ 1`, which a consumer
logged as a failure on a clean start; one that turned the fresh file to WAL while another
opener held it got `database is locked` at once (a CI run failed on it)."""

from __future__ import annotations

import threading
from pathlib import Path

from pydantic import SecretStr

from pingyi.composition import open_outbox
from shared.settings import CommonSettings
from tests.conftest import ADMIN_KEY

OPENERS = 8


def _open_together(data_dir: Path) -> list[BaseException]:
    common = CommonSettings(
        mode="embedded", data_dir=data_dir, bootstrap_admin_key=SecretStr(ADMIN_KEY)
    )
    start = threading.Barrier(OPENERS)
    failures: list[BaseException] = []

    def opener() -> None:
        start.wait()
        try:
            open_outbox("scoring", common).close()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=opener) for _ in range(OPENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_openers_of_a_fresh_log_all_open_it(tmp_path: Path) -> None:
    for attempt in range(12):
        failures = _open_together(tmp_path / f"data{attempt}")
        assert failures == [], failures
