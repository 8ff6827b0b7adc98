"""A write stuck behind the events table's lock is bounded and visible: the server cancels
it after the write statement timeout, the request gets a 503 in the JSON error shape with
Retry-After, /readyz says not ready while it lasts, and the next write succeeds."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
import pytest

from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.survey.helpers import open_wave, push, questionnaire, seed_world

pytestmark = pytest.mark.infra


def test_a_write_blocked_on_the_table_lock_is_a_503_and_visible_while_it_lasts(
    production_settings: CommonSettings, database_url: str
) -> None:
    settings = production_settings.model_copy(
        update={"write_statement_timeout": 3.0, "write_stall_after": 0.3}
    )
    with Cluster(settings, ["registry", "survey"]) as cluster:
        world = seed_world(cluster)
        wave_id = open_wave(cluster, world)["wave_id"]
        batch = [questionnaire(f"LK-{i:03d}", world.unit_ids) for i in range(20)]
        survey = cluster["survey"]
        assert survey.get("/readyz").status_code == 200
        answer: dict[str, Any] = {}

        with psycopg.connect(database_url) as holder:
            holder.execute("LOCK TABLE survey.survey_events IN EXCLUSIVE MODE")
            writer = threading.Thread(
                target=lambda: answer.update(
                    response=push(cluster, wave_id, batch, world.agency.headers)
                )
            )
            writer.start()
            stalled = None
            while writer.is_alive() and stalled is None:
                ready = survey.get("/readyz")
                if ready.status_code == 503 and ready.json()["checks"]["writes"]["stalled"]:
                    stalled = ready.json()["checks"]["writes"]
                time.sleep(0.05)
            writer.join(timeout=60)
            holder.rollback()

        assert stalled is not None, "the stuck write never showed in /readyz"
        assert stalled["status"] == "stalled" and stalled["stalled"][0]["events"] > 0
        response = answer["response"]
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/json"
        assert int(response.headers["Retry-After"]) > 0
        body = response.json()
        assert body["error"] == "database_unavailable"
        assert body["detail"][0]["field"] is None and "retry" in body["detail"][0]["reason"]
        metrics = survey.get("/metrics").text
        assert 'pingyi_db_writes_total{outcome="timed_out"} 1.0' in metrics
        assert 'status="503"' in metrics  # counted like any other answer

        retried = push(cluster, wave_id, batch, world.agency.headers)
        assert retried.status_code == 200, retried.text
        assert retried.json()["accepted"] == 20  # the cancelled write left nothing behind
        assert survey.get("/readyz").status_code == 200
