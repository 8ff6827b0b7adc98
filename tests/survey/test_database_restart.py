"""A PostgreSQL restart never ends a request in a plain-text 500.

Restarted with no traffic in between, the next request succeeds at once: the pools check a
connection before handing it out, so none left over from before the restart is used. While
the server is away every request gets a 503 in the JSON error shape with Retry-After, and
once it is back a client that honours Retry-After gets through."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from shared.settings import CommonSettings
from tests.conftest import ADMIN_KEY, NATS_URL
from tests.harness import ADMIN, Cluster
from tests.pg_instance import PgInstance
from tests.survey.helpers import open_wave, push, questionnaire, seed_world

pytestmark = pytest.mark.infra


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert body["error"] == "database_unavailable"
    assert body["detail"] == [
        {"field": None, "reason": body["detail"][0]["reason"], "code": "database_unavailable"}
    ]


def until_served(request: Callable[[], Any], timeout: float = 120.0) -> Any:
    """Repeat a request the way a client honouring Retry-After would (on a shorter clock)."""
    deadline = time.monotonic() + timeout
    while True:
        response = request()
        if response.status_code != 503:
            return response
        assert_unavailable(response)
        assert time.monotonic() < deadline, "still unavailable after the database came back"
        time.sleep(0.2)


def test_a_postgres_restart_gives_503_json_while_down_and_stale_connections_are_never_used(
    own_postgres: PgInstance, nats_namespace: str
) -> None:
    settings = CommonSettings(
        mode="production",
        database_url=own_postgres.url("pingyi"),
        nats_url=NATS_URL,
        namespace=nats_namespace,
        bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
        log_json=False,
        database_wait_timeout=3,
    )
    with Cluster(settings, ["registry", "survey"]) as cluster:
        survey = cluster["survey"]
        world = seed_world(cluster)
        wave_id = open_wave(cluster, world)["wave_id"]

        def batch(start: int) -> list[dict[str, Any]]:
            return [questionnaire(f"RS-{i:03d}", world.unit_ids) for i in range(start, start + 10)]

        def push_batch(start: int) -> Any:
            return push(cluster, wave_id, batch(start), world.agency.headers)

        assert push_batch(0).status_code == 200

        own_postgres.stop("immediate")
        own_postgres.start()
        own_postgres.wait_accepting()  # the server's own word, not the service's readiness
        restarted = push_batch(10)  # the agency's key is read from the view store's pool
        assert restarted.status_code == 200, restarted.text
        assert survey.get(f"/waves/{wave_id}", headers=ADMIN).status_code == 200

        own_postgres.stop("immediate")
        assert_unavailable(push_batch(20))
        assert_unavailable(survey.get(f"/waves/{wave_id}", headers=ADMIN))  # the event store
        assert survey.get("/readyz").status_code == 503

        own_postgres.start()
        own_postgres.wait_accepting()
        after = until_served(lambda: push_batch(20))
        assert after.status_code == 200, after.text
        assert after.json()["accepted"] == 10  # the refused attempts wrote nothing
        assert (
            until_served(lambda: survey.get(f"/waves/{wave_id}", headers=ADMIN)).status_code == 200
        )
