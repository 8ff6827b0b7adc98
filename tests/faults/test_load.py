"""Load on survey, in the suite: 50 agency clients, each its own accredited agency, push
batches into one wave at once for a fixed time (10 s in CI, 60 s with PINGYI_FAULTS_FULL=1),
against registry and survey as separate processes on a PostgreSQL and NATS of the test's
own. No answer is a 5xx except the documented back-pressure answer — 503 in the JSON error
shape with Retry-After (`database_unavailable`: no pooled connection within
PINGYI_DATABASE_WAIT_TIMEOUT) — which the clients honour and retry with the same key; no
4xx but 429. The count of each status is printed. Afterwards the wave's progress counts
exactly the questionnaires the clients were told were accepted. Nothing here is timed: the
rates are printed for the reader, bench/ measures speed."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest

from tests.e2e import thin_path
from tests.e2e.processes import Api
from tests.faults.agency import RetryingAgency, Tally
from tests.faults.system import FaultySystem

FULL = os.environ.get("PINGYI_FAULTS_FULL") == "1"
SECONDS = 60.0 if FULL else 10.0
CLIENTS = 50
BATCH = 20

pytestmark = [pytest.mark.e2e, pytest.mark.infra]


def agencies(api: Api, count: int) -> list[dict[str, Any]]:
    return [
        api.call(
            "registry", "POST", "/principals", json={"name": f"调查机构{n:02d}", "role": "agency"}
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("faulty", [("registry", "survey")], indirect=True)
def test_fifty_agency_clients_get_answers_not_errors(
    faulty: FaultySystem, capsys: pytest.CaptureFixture[str]
) -> None:
    api = Api(faulty.urls())
    ctx = thin_path.register(api)
    clients = agencies(api, CLIENTS)
    wave = thin_path.open_wave(
        api, ctx, agencies=[{"agency_id": a["principal_id"]} for a in clients]
    )
    tally = Tally()
    accepted: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def agency_client(number: int, key: str) -> None:
        agency = RetryingAgency(faulty.url("survey"), key, tally)
        sent = 0
        try:
            while time.monotonic() < deadline:
                seed = 1_000_000 + number * 10_000 + sent
                items = thin_path.questionnaires(ctx["units"], BATCH, seed=seed)
                answer = agency.push(wave["wave_id"], f"load-{number}-{sent}", items)
                sent += 1
                if answer is None:
                    return  # refused for good: in the tally as unexpected
                with lock:
                    accepted.append(answer["accepted"])
        except Exception as exc:  # reported, not lost with the thread
            tally.add("client error", f"client {number}: {exc!r}")
        finally:
            agency.close()

    threads = [
        threading.Thread(target=agency_client, args=(n, a["api_key"]), daemon=True)
        for n, a in enumerate(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    total = sum(accepted)
    with capsys.disabled():  # in the CI log, not only on failure
        print(
            f"\n{CLIENTS} clients, {elapsed:.1f} s: {len(accepted)} batches, {total} questionnaires"
            f" accepted ({total / elapsed:.0f}/s); answers: {tally.report()}"
        )
    assert not tally.unexpected, "\n".join(tally.unexpected[:20])
    assert total == len(accepted) * BATCH  # every batch was new and whole
    shown = thin_path.progress(api, ctx, wave["wave_id"], total)
    assert shown["total"]["collected"] == total
    assert sum(a["collected"] for a in shown["by_agency"].values()) == total
