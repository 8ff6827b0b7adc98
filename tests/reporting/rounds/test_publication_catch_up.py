"""Before publishing, reporting applies scoring's log up to its head as it stands at the
request (PostgreSQL and NATS JetStream): a final run that a later final replaced is refused
(409 `run_replaced`) even while reporting's consumer of scoring has not yet applied that
later final; and when it cannot catch up within its bound, nothing is published (503
`scoring_not_caught_up`, with Retry-After), while a keyed re-send still answers its first
answer.

Reporting's consumer is held back for certain: its `round_results` view checks the view's
version row in each applying transaction (`FOR SHARE`), so a session holding that row
`FOR UPDATE` stops it before its next write while requests go on reading."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import nats
import psycopg
import pytest

from shared.messaging.jetstream import JetStreamPublisher
from shared.settings import CommonSettings
from tests.conftest import NATS_URL
from tests.harness import Cluster
from tests.reporting.reasons import chinese_first
from tests.reporting.rounds.helpers import (
    SERVICES,
    Scored,
    more_answers,
    publish,
    run,
    scored_round,
)

pytestmark = pytest.mark.infra

BOUND = "PINGYI_REPORTING_PUBLISH_CATCH_UP_SECONDS"


class Held:
    """reporting's `round_results` view stopped before its next write, until `release`."""

    def __init__(self, database_url: str) -> None:
        self._conn = psycopg.connect(database_url)
        rows = self._conn.execute(
            "SELECT view FROM reporting.view_versions WHERE view = 'round_results' FOR UPDATE"
        ).fetchall()
        assert rows == [("round_results",)], rows
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if not self._conn.closed:
                self._conn.rollback()
                self._conn.close()


@contextmanager
def round_results_held(database_url: str) -> Iterator[Held]:
    held = Held(database_url)
    try:
        yield held
    finally:
        held.release()


def second_final(scored: Scored, namespace: str) -> str:
    """A later final of the round (on two more questionnaires, which scoring has applied),
    recorded by scoring and on scoring's stream (so that it is the head reporting reads),
    but not applied by reporting's held view: its run id."""
    response = scored.cluster["scoring"].post(
        scored.path("/rounds/1/score-runs"),
        json={"final": True, "reason": "复核后重算"},
        headers=scored.office,
    )
    assert response.status_code == 201, response.text
    head = scored.cluster.head("scoring")
    deadline = time.monotonic() + 30
    while asyncio.run(_stream_tail(namespace)) != head:
        assert time.monotonic() < deadline, "scoring's relay did not publish its head"
        time.sleep(0.05)
    run_id: str = response.json()["run_id"]
    return run_id


async def _stream_tail(namespace: str) -> int | None:
    nc = await nats.connect(NATS_URL)
    try:
        return (await JetStreamPublisher(nc.jetstream(), namespace, "scoring").tail()).position
    finally:
        await nc.close()


def not_applied(scored: Scored, run_id: str) -> None:
    runs = scored.reporting.get(scored.path("/rounds"), headers=scored.office)
    assert runs.status_code == 200, runs.text
    seen = {r["run_id"] for head in runs.json() for r in head["runs"]}
    assert run_id not in seen, "reporting's view was not held back"


def test_a_final_replaced_a_moment_ago_is_refused_once_caught_up(
    production_settings: CommonSettings, database_url: str, nats_namespace: str
) -> None:
    with Cluster(production_settings, SERVICES) as cluster:
        scored = scored_round(cluster)
        first = run(scored, final=True, reason="上半年结果")
        more_answers(scored)
        with round_results_held(database_url) as held:
            second = second_final(scored, nats_namespace)
            not_applied(scored, second)
            # Let the view go once the request is under way: it must wait for it.
            threading.Timer(0.5, held.release).start()
            answer = publish(scored, {"run_id": first["run_id"], "reason": "误操作"}, status=409)
        assert answer["error"] == "run_replaced"
        [detail] = answer["detail"]
        assert (detail["field"], detail["context"]) == ("run_id", {"current_run_id": second})
        assert scored.reporting.get(scored.public("/rounds/1")).status_code == 404
        published = publish(scored, {"run_id": second})
        assert (published["version"], published["run_id"]) == (1, second)


@pytest.fixture
def short_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BOUND, "1")


def test_a_publication_reporting_cannot_vouch_for_is_refused_and_retried_later(
    short_bound: None, production_settings: CommonSettings, database_url: str, nats_namespace: str
) -> None:
    with Cluster(production_settings, SERVICES) as cluster:
        scored = scored_round(cluster)
        first = run(scored, final=True, reason="上半年结果")
        keyed = scored.office | {"Idempotency-Key": "first-publication"}
        body: dict[str, Any] = {"run_id": first["run_id"]}
        path = scored.path("/rounds/1/publications")
        published = scored.reporting.post(path, json=body, headers=keyed)
        assert published.status_code == 201, published.text
        more_answers(scored)
        with round_results_held(database_url):
            second = second_final(scored, nats_namespace)
            # The same keyed request answers its first answer: nothing to catch up for it.
            again = scored.reporting.post(path, json=body, headers=keyed)
            assert (again.status_code, again.json()) == (201, published.json())

            started = time.monotonic()
            refused = scored.reporting.post(
                path, json={"run_id": second, "reason": "复核更正"}, headers=scored.office
            )
            assert time.monotonic() - started >= 1.0  # it waited out its bound
            assert refused.status_code == 503, refused.text
            assert refused.headers["Retry-After"] == "5"
            assert refused.json()["error"] == "scoring_not_caught_up"
            [detail] = refused.json()["detail"]
            assert detail["field"] == "run_id"
            assert detail["code"] == "scoring_not_caught_up"
            assert chinese_first(detail["reason"])
            context = detail["context"]
            assert context["scoring_head"] == cluster.head("scoring")
            assert context["applied"] < context["scoring_head"]
            assert context["waited_seconds"] == 1.0
        # Caught up, the retry publishes the later final as the correction it is.
        cluster.wait_caught_up("reporting", "scoring")
        retried = publish(scored, {"run_id": second, "reason": "复核更正"})
        assert (retried["version"], retried["supersedes"]) == (2, 1)
