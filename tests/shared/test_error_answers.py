"""Whatever escapes a route ends in a JSON body that the request metrics and the access log
see: an unavailable database is a 503 with Retry-After, anything else a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from fastapi.testclient import TestClient
from psycopg_pool import PoolTimeout

from shared.persistence.watchdog import WriteTimeoutError
from shared.policy import Policy, allow
from shared.settings import CommonSettings
from tests.harness import create_app
from tests.shared.test_metrics import sample

FAILURES: dict[str, Exception] = {
    "pool": PoolTimeout("couldn't get a connection after 10.00 sec"),
    "lost": OperationalError("server closed the connection unexpectedly"),
    "timeout": WriteTimeoutError("canceling statement due to statement timeout"),
    "psycopg": psycopg.OperationalError("connection is bad"),
    "bug": KeyError("no such key"),
}


def raising(failure: Exception) -> Callable[[], None]:
    def fail() -> None:
        raise failure

    return fail


@pytest.fixture
def client(memory_settings: CommonSettings) -> TestClient:
    app = create_app("registry", memory_settings)
    for name, failure in FAILURES.items():
        app.add_api_route(f"/test-failures/{name}", raising(failure), **allow(Policy.anyone()))
    return TestClient(app)


@pytest.mark.parametrize("name", ["pool", "lost", "timeout", "psycopg"])
def test_an_unavailable_database_is_a_503_in_the_json_error_shape(
    client: TestClient, name: str
) -> None:
    with client:
        response = client.get(f"/test-failures/{name}")
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        body = response.json()
        assert body["error"] == "database_unavailable"
        assert body["detail"][0]["field"] is None and "retry" in body["detail"][0]["reason"]
        metrics = client.get("/metrics").text
        route = f"/test-failures/{name}"
        assert sample(metrics, "pingyi_http_requests_total", route=route, status="503") == 1


def test_an_unexpected_exception_is_a_json_500_that_is_counted_and_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with client, caplog.at_level(logging.INFO):
        response = client.get("/test-failures/bug")
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {
            "error": "internal_error",
            "detail": [
                {
                    "field": None,
                    "reason": "发生意外错误, 已记录在日志中 (an unexpected error occurred; "
                    "it has been logged)",
                    "code": "internal_error",
                }
            ],
        }
        metrics = client.get("/metrics").text
    route = "/test-failures/bug"
    assert sample(metrics, "pingyi_http_requests_total", route=route, status="500") == 1
    unhandled = [r for r in caplog.records if r.getMessage() == "unhandled exception"]
    assert unhandled and unhandled[0].exc_info is not None
    assert any(getattr(r, "status", None) == 500 for r in caplog.records)  # the access log
