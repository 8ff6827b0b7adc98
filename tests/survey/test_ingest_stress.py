"""Two agencies push full-size batches at once (1,000 questionnaires of 80 ratings, about
9 MB of events per insert): every push completes and every questionnaire is counted once.

With the eventsourcing library's pipelined insert this hung for good (the insert never
reached the server in full while its session held the events table's lock); pytest-timeout
bounds the test, so a hang fails it. Whether a batch of this size hangs depends on socket
buffers and load (here it takes about twice this size), so pipeline mode itself is refused
too."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest

from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.pipeline_guard import forbid_pipeline_mode
from tests.survey.helpers import caller, questionnaire, register_jurisdiction, register_units

pytestmark = pytest.mark.infra

UNITS = 80
BATCH = 1000
BATCHES_PER_AGENCY = 3
RATINGS = ["满意", "基本满意", "不满意", "不了解"]


def full_batch(prefix: str, unit_ids: list[str], rng: random.Random) -> list[dict[str, Any]]:
    batch = []
    for i in range(BATCH):
        q = questionnaire(f"{prefix}-{i:04d}", unit_ids)
        q["ratings"] = {unit: rng.choice(RATINGS) for unit in unit_ids}
        batch.append(q)
    return batch


def agency_pushes(
    cluster: Cluster,
    wave_id: str,
    unit_ids: list[str],
    agency: str,
    headers: dict[str, str],
    results: list[Any],
) -> None:
    rng = random.Random(agency)
    for n in range(BATCHES_PER_AGENCY):
        batch = full_batch(f"{agency}-{n}", unit_ids, rng)
        response = cluster["survey"].post(
            f"/waves/{wave_id}/questionnaires:batch",
            json={"questionnaires": batch},
            headers=headers | {"Idempotency-Key": f"{agency}-{n}"},
        )
        results.append((response.status_code, response.json()))


@pytest.mark.timeout(600)
def test_two_agencies_pushing_full_batches_at_once_never_hang_and_count_once(
    production_settings: CommonSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    forbid_pipeline_mode(monkeypatch)
    with Cluster(production_settings, ["registry", "survey"]) as cluster:
        registry = cluster["registry"]
        city = register_jurisdiction(registry, "漯河市", "city")
        unit_ids = register_units(registry, city, [f"漯河市参评单位{i:02d}" for i in range(UNITS)])
        office = caller(registry, "漯河市纠风办", "office", city)
        agencies = [caller(registry, f"调查公司{n}", "agency") for n in (1, 2)]
        cluster.wait_caught_up("survey", "registry")

        waves = []
        for n, agency in enumerate(agencies):
            body = {
                "name": f"2024年度问卷测评{n}",
                "jurisdiction_id": city,
                "agency_id": agency.principal_id,
                "unit_ids": unit_ids,
            }
            opened = cluster["survey"].post("/waves", json=body, headers=office.headers)
            assert opened.status_code == 201, opened.text
            waves.append(opened.json()["wave_id"])

        results: list[list[Any]] = [[], []]
        pushers = [
            threading.Thread(
                target=agency_pushes,
                args=(cluster, waves[n], unit_ids, f"A{n}", agencies[n].headers, results[n]),
            )
            for n in (0, 1)
        ]
        for pusher in pushers:
            pusher.start()
        for pusher in pushers:
            pusher.join()

        for pushed in results:
            assert [status for status, _ in pushed] == [200] * BATCHES_PER_AGENCY, pushed
            assert [body["accepted"] for _, body in pushed] == [BATCH] * BATCHES_PER_AGENCY

        cluster.wait_caught_up("survey", "survey", timeout=120)
        for wave_id in waves:
            detail = cluster["survey"].get(f"/waves/{wave_id}", headers=ADMIN).json()
            assert detail["response_count"] == BATCH * BATCHES_PER_AGENCY
